#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# ringctl-test.sh - every ringctl command against real rings: shm channels on
# the host (rings with known messages and a runtime serving telemetry come
# from build/tests/rt_telemetry, the echo service from examples/), --json
# checked by a real JSON parser, exit codes for bad usage and unknown rings.
#   tests/ringctl-test.sh          shm only; builds what it needs
#   tests/ringctl-test.sh --dev    also driver rings (the VM stage: run.sh)
# Prints "ok - ..." / "not ok - ..." and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

O=${O:-build}
DEV=0
case ${1:-} in
--dev) DEV=1 ;;
"") ;;
-h|--help) sed -n '3,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: tests/ringctl-test.sh [--dev]" >&2; exit 2 ;;
esac

# The VM mounts the tree read-only and has it built already.
if [ $DEV -eq 0 ] && [ -z "${RINGCTL_TEST_NO_BUILD:-}" ]; then
	make -s O="$O" tools tests examples
fi
RC=$O/ringctl
PEER=$O/tests/rt_telemetry
ECHO=$O/examples/echo_server
for b in "$RC" "$PEER" "$ECHO"; do
	[ -x "$b" ] || { echo "ringctl-test: $b is not built"; exit 1; }
done
if python3 -c 'import json' 2>/dev/null; then PY=python3
elif [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3
else echo "ringctl-test: skip (needs python3 to check JSON)"; exit 77; fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }
# check DESC CMD...: the command must succeed.
check() { local d=$1; shift; if "$@" >"$tmp/out" 2>"$tmp/err"; then ok "$d"; else
	bad "$d"; sed 's/^/#   /' "$tmp/out" "$tmp/err" | tail -n 8; fi; }
# status WANT DESC CMD...: the command must exit with WANT.
status() {
	local want=$1 d=$2 rc=0
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ $rc -eq "$want" ]; then ok "$d (exit $rc)"; else
		bad "$d (exit $rc, want $want)"; sed 's/^/#   /' "$tmp/err" | tail -n 4; fi
}
# json DESC PYEXPR CMD...: the output parses as JSON (python3 -m json.tool)
# and PYEXPR, over the document d, is true.
json() {
	local d=$1 expr=$2 rc=0
	shift 2
	"$@" >"$tmp/json" 2>"$tmp/err" || rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then bad "$d (exit $rc)"; return; fi
	if ! $PY -m json.tool "$tmp/json" >/dev/null 2>&1; then
		bad "$d (invalid JSON)"; head -c 600 "$tmp/json" | sed 's/^/#   /'; return
	fi
	if $PY -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" \
		"$tmp/json"; then ok "$d"; else
		bad "$d ($expr)"; head -c 800 "$tmp/json" | sed 's/^/#   /'; echo; fi
}
# start NAME CMD...: run CMD in the background, wait for its first line.
start() {
	local name=$1 i
	shift
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids+=($!)
	for ((i = 0; i < 100; i++)); do
		[ -s "$tmp/$name.out" ] && return 0
		sleep 0.05
	done
	echo "# $name did not start: $(cat "$tmp/$name.err")"
	return 1
}
# gone NAME: wait until ringctl no longer finds NAME.
gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$RC" stat "$1" >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	return 1
}

u=$$	# names unique to this run

# ---- usage and exit codes ----------------------------------------------------
check "ringctl --help" "$RC" --help
for c in info list stat watch create unlink ping dump top; do
	check "ringctl $c --help" "$RC" "$c" --help
done
check "ringctl help dump" "$RC" help dump
status 2 "no command" "$RC"
status 2 "unknown command" "$RC" frobnicate
status 2 "unknown option" "$RC" list --frob
status 2 "stat without RING" "$RC" stat
status 2 "dump with two RINGs" "$RC" dump a b
status 2 "create with a bad --capacity" "$RC" create x --capacity lots
status 2 "create with bad --flags" "$RC" create x --flags mp,zz
status 2 "watch --count 0" "$RC" watch --count 0
status 1 "stat of an unknown ring" "$RC" stat "nope$u"
if grep -q "^ringctl: stat nope$u: " "$tmp/err"; then ok "error format 'ringctl: what: why'"
else bad "error format: $(cat "$tmp/err")"; fi
status 1 "dump of an unknown ring" "$RC" dump "nope$u"
status 1 "ping of an unknown service" "$RC" ping "nope$u" --count 1
status 1 "unlink of an unknown ring" "$RC" unlink "nope$u"
status 1 "top of an unknown runtime" "$RC" top "nope$u" --count 1
status 1 "create with a capacity not a power of two" "$RC" create "x$u" --capacity 3 --hold 0

# ---- info ---------------------------------------------------------------------
check "info" "$RC" info
json "info --json" "d['library_version'] and 'shm' in d['transports'] and \
	set(d) >= {'driver','module_parameters','io_uring','cuda'}" "$RC" info --json
json "global --json before the command" "'library_version' in d" "$RC" --json info

# ---- rings with known messages (shm) -------------------------------------------
start fill "$PEER" fill "kr$u" 5 60 shm
start corrupt "$PEER" fill "cr$u" 5 60 shm corrupt
check "list" "$RC" list
if grep -q "kr$u" "$tmp/out"; then ok "list shows the shm ring"; else bad "list shows kr$u"; fi
json "list --json" "any(r['name']=='kr$u' and r['transport']=='shm' and r['depth']==5 and \
	r['capacity']==16 and r['slot_size']==256 and r['mapped'] for r in d['rings'])" \
	"$RC" list --json
json "list --interval --json has rates" "all(r['rates'] is not None for r in d['rings'] \
	if r['mapped'])" "$RC" list --json --interval 100 --transport shm
json "stat --json" "d['ctrl']['prod_pos']==5 and d['ctrl']['cons_pos']==0 and d['depth']==5" \
	"$RC" stat "kr$u" --json
check "stat (text)" "$RC" stat "kr$u"
json "dump --json decodes every field" "len(d['messages'])==5 and d['corrupt']==0 and \
	[m['type'] for m in d['messages']]==[100,101,102,103,104] and \
	(lambda m: m['flags']==['reply'] and m['priority']==1 and m['msg_id']==1001 and \
	 m['corr_id']==2001 and m['src']==7 and m['dst']==9 and m['len']==5 and \
	 m['hlc_ms']==1700000000001 and m['hlc_logical']==1 and \
	 m['payload_hex']=='6d73672d31')(d['messages'][1])" "$RC" dump "kr$u" --json
json "dump consumed nothing" "d['depth']==5" "$RC" stat "kr$u" --json
json "dump --max 2" "len(d['messages'])==2 and d['truncated']" "$RC" dump "kr$u" --max 2 --json
check "dump (text)" "$RC" dump "kr$u"
status 1 "dump of a corrupt ring fails" "$RC" dump "cr$u"
json "dump --json of a corrupt ring reports it" "d['corrupt']==1 and \
	d['messages'][1]['error']=='length exceeds the slot' and len(d['messages'])==5" \
	"$RC" dump "cr$u" --json

# ---- watch ---------------------------------------------------------------------
check "watch --count 2" "$RC" watch --count 2 --interval 200
if [ "$(grep -c '^ringctl watch: refresh' "$tmp/out")" -eq 2 ]; then ok "watch printed 2 blocks"
else bad "watch printed $(grep -c '^ringctl watch: refresh' "$tmp/out") blocks"; fi
"$RC" watch "kr$u" --count 2 --interval 100 --json >"$tmp/w.json"
if [ "$(wc -l <"$tmp/w.json")" -eq 2 ] && while read -r l; do
	$PY -c 'import json,sys; json.loads(sys.argv[1])' "$l" || exit 1; done <"$tmp/w.json"
then ok "watch --json: one document per refresh"; else bad "watch --json"; fi
status 1 "watch of an unknown ring" "$RC" watch "nope$u" --count 1

# ---- create / unlink (shm) -------------------------------------------------------
start create "$RC" create "mk$u" --capacity 64 --slot-size 128 --flags mp,mc \
	--transport shm --mode 0600 --hold 60
create_pid=${pids[-1]}
json "create: the ring is there" "d['capacity']==64 and d['slot_size']==128 and \
	d['flags']==['mp','mc'] and d['transport']=='shm'" "$RC" stat "mk$u" --json
status 1 "create of a taken name" "$RC" create "mk$u" --transport shm --hold 0
status 1 "unlink of a shm channel explains itself" "$RC" unlink "mk$u"
kill "$create_pid"
if gone "mk$u"; then ok "the name goes with its creator"; else bad "mk$u outlived its creator"; fi

# ---- ping ------------------------------------------------------------------------
# The server prints nothing until it ends: wait for its channels instead.
"$ECHO" "pe$u" >"$tmp/echo.out" 2>&1 &
pids+=($!)
for ((i = 0; i < 100; i++)); do "$RC" stat "pe$u.rep" >/dev/null 2>&1 && break; sleep 0.05; done
check "ping (text)" "$RC" ping "pe$u" --count 20
json "ping --json" "d['count']==50 and d['size']==32 and d['mode']=='echo' and \
	0 < d['min_us'] <= d['p50_us'] <= d['p90_us'] <= d['p99_us'] <= d['max_us']" \
	"$RC" ping "pe$u" --count 50 --size 32 --json
status 1 "ping with a payload larger than the slot" "$RC" ping "pe$u" --size 1000 --count 1
json "ping --local --json" "d['mode']=='local' and d['count']==100 and d['target'] is None \
	and d['min_us'] <= d['p99_us'] <= d['max_us']" "$RC" ping --local --count 100 --json

# ---- top -------------------------------------------------------------------------
start serve "$PEER" serve "rt$u" 60
sleep 0.3
check "top --count 1" "$RC" top --count 1
if grep -q "rt$u .* echo " "$tmp/out" && grep -q "rt$u .* sink " "$tmp/out"; then
	ok "top shows both kernels"; else bad "top shows both kernels"; sed 's/^/#   /' "$tmp/out"; fi
check "top RUNTIME --count 2" "$RC" top "rt$u" --count 2 --interval 200
json "top --json --count 1" "[len(r['snapshot']['kernels']) for r in d['runtimes'] \
	if r['name']=='rt$u']==[2] and all(k['msgs_in']>0 for r in d['runtimes'] \
	if r['name']=='rt$u' for k in r['snapshot']['kernels'])" "$RC" top --json --count 1

# ---- driver rings (in the VM) ------------------------------------------------------
if [ $DEV -eq 1 ]; then
	json "info: the driver is there" "d['driver']['available'] and 'dev' in d['transports'] \
		and 'max_rings' in d['module_parameters']" "$RC" info --json
	start dcreate "$RC" create "dv$u" --transport dev --capacity 32 --mode 0640 --hold 60
	dcreate_pid=${pids[-1]}
	json "list --json: the dev ring" "any(r['name']=='dv$u' and r['transport']=='dev' and \
		r['uid']==$(id -u) and r['mode']=='0640' and r['capacity']==32 and r['mapped'] \
		for r in d['rings'])" "$RC" list --json
	check "list (dev)" "$RC" list --transport dev
	json "stat --json: driver STATS and control block" "d['driver'] is not None and \
		d['ctrl'] is not None and d['driver']['id']>0 and d['capacity']==32" \
		"$RC" stat "dv$u" --json
	start dfill "$PEER" fill "dk$u" 5 60 dev
	json "dump --json of a dev ring" "d['transport']=='dev' and len(d['messages'])==5 and \
		d['messages'][4]['msg_id']==1004 and d['corrupt']==0" \
		"$RC" dump "dk$u" --transport dev --json
	json "list --interval on dev rings" "all(r['rates'] is not None for r in d['rings'])" \
		"$RC" list --json --interval 100 --transport dev
	check "watch --count 2 (dev)" "$RC" watch --transport dev --count 2 --interval 100
	check "unlink a dev ring" "$RC" unlink "dv$u"
	status 1 "unlink it again" "$RC" unlink "dv$u"
	check "its name is free again" "$RC" create "dv$u" --transport dev --hold 0
	kill "$dcreate_pid"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

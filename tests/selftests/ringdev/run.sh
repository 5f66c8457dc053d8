#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - build ringdev.ko and the ringdev selftests, boot the VM
# (tests/vm/run-in-vm.sh), load the module there and run the suite against
# it.  The last line printed is "N passed, N failed, N skipped" for the VM
# stage; the exit status is 0 when nothing failed.
#
# usage: run.sh [--out DIR] [--timeout SECS] [--accel kvm|tcg|auto]
#        run.sh --guest          (inside the VM; run.sh calls itself so)
#
# environment: RINGDEV_FUZZ_SECONDS (fuzz budget, default 60),
# RINGDEV_FUZZ_SEED, RINGDEV_LOAD_CYCLES (default 20).

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(cd "$HERE/../../.." && pwd -P)
BUILD=$HERE/build
MODULE=$TOP/build/kmod/ringdev.ko

passed=0
failed=0
skipped=0

summary()
{
	echo "$passed passed, $failed failed, $skipped skipped"
}

# ---------------------------------------------------------------------------
# Guest side: runs as root inside the VM, cwd = $TOP.
# ---------------------------------------------------------------------------

out=${RINGDEV_VM_OUT:-/tmp}

pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }
skip() { skipped=$((skipped + 1)); echo "ok - # SKIP $*"; }

dmesg_mark=0

# Kernel log lines since the last mark that mean the kernel is unhappy.
dmesg_check()
{
	local what=$1 bad n

	n=$(dmesg | wc -l)
	bad=$(dmesg | tail -n +"$((dmesg_mark + 1))" |
	      grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|RIP:|KASAN|UBSAN|refcount_t|list_(add|del) corruption|kernel BUG|bad page|Tainted: .*[DW]' |
	      grep -v 'module verification failed' | head -20)
	dmesg_mark=$n
	if [[ -n $bad ]]; then
		fail "dmesg clean after $what"
		printf '#   %s\n' "$bad"
	else
		pass "dmesg clean after $what"
	fi
}

# Run one kselftest binary and fold its totals into ours.
run_ksft()
{
	local prog=$1 log=$out/${1##*/}.log totals p f s rc

	echo "# --- $prog"
	timeout -k 5 200 "$prog" > "$log" 2>&1
	rc=$?
	cat "$log"
	totals=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+' "$log" | tail -1)
	if [[ -z $totals ]]; then
		fail "$prog did not finish (exit $rc)"
		return
	fi
	p=$(sed -E 's/.* pass:([0-9]+).*/\1/' <<<"$totals")
	f=$(sed -E 's/.* fail:([0-9]+).*/\1/' <<<"$totals")
	s=$(sed -E 's/.* skip:([0-9]+).*/\1/' <<<"$totals")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if ((rc != 0 && rc != 4 && f == 0)); then
		fail "$prog exit status $rc"
	fi
}

ring_dev_node()
{
	local devno

	[[ -c /dev/ringdev ]] && return 0
	# No devtmpfs node: make one in /tmp from sysfs.
	devno=$(cat /sys/class/misc/ringdev/dev 2>/dev/null) || return 1
	mknod /tmp/ringdev c "${devno%%:*}" "${devno##*:}" || return 1
	export RINGDEV_DEV=/tmp/ringdev
}

check_modinfo()
{
	local info missing=

	info=$(modinfo "$MODULE" 2>&1)
	for k in 'description:' 'author: *ringdev developers' 'license: *GPL v2' \
		 'version:' 'parm: *max_rings:' 'parm: *max_ring_bytes:' \
		 'parm: *max_user_bytes:' 'parm: *watch_interval_us:'; do
		grep -qE "^$k" <<<"$info" || missing+=" $k"
	done
	if [[ -n $missing ]]; then
		fail "modinfo fields (missing:$missing)"
	else
		pass "modinfo fields"
	fi
}

check_debugfs()
{
	local d=/sys/kernel/debug

	[[ -d $d/ringdev ]] || mount -t debugfs none "$d" 2>/dev/null
	if grep -q '^id name capacity' "$d/ringdev/rings" 2>/dev/null; then
		pass "debugfs ringdev/rings"
	else
		fail "debugfs ringdev/rings"
	fi
}

# Enable ringdev:* in tracefs, make a ring and kick it, look for events.
check_tracepoints()
{
	local t=/sys/kernel/tracing ev missing=

	[[ -e $t/trace ]] || mount -t tracefs nodev "$t" 2>/dev/null
	if [[ ! -d $t/events/ringdev ]]; then
		fail "tracepoints ringdev:* registered"
		return
	fi
	echo > "$t/trace"
	echo 1 > "$t/events/ringdev/enable"
	"$BUILD/uring_test" > /dev/null 2>&1
	echo 0 > "$t/events/ringdev/enable"
	for ev in create destroy kick wake suppress; do
		grep -q " $ev: " "$t/trace" || missing+=" $ev"
	done
	if [[ -n $missing ]]; then
		fail "tracepoints fire (missing:$missing)"
	else
		pass "tracepoints ringdev:create/destroy/kick/wake/suppress fire"
	fi
	echo > "$t/trace"
}

check_perf()
{
	local data=/tmp/ringdev-perf.data

	if ! perf list 'ringdev:*' >/dev/null 2>&1; then
		skip "perf record -e ringdev:* (perf unusable here)"
		return
	fi
	if perf record -q -o "$data" -e 'ringdev:*' -- \
		"$BUILD/uring_test" > /dev/null 2>&1 &&
	   grep -q 'ringdev:kick' <<<"$(perf script -i "$data" 2>/dev/null)"; then
		pass "perf record -e ringdev:*"
	else
		fail "perf record -e ringdev:*"
	fi
	rm -f "$data"
}

load_cycles()
{
	local n=${RINGDEV_LOAD_CYCLES:-20} i

	for ((i = 0; i < n; i++)); do
		insmod "$MODULE" || { fail "load/unload cycle $i: insmod"; return; }
		ring_dev_node || { fail "load/unload cycle $i: no device"; return; }
		if [[ -c ${RINGDEV_DEV:-/dev/ringdev} ]]; then
			exec 3<>"${RINGDEV_DEV:-/dev/ringdev}"
			exec 3>&-
		fi
		[[ -n ${RINGDEV_DEV:-} ]] && rm -f "$RINGDEV_DEV"
		rmmod ringdev || { fail "load/unload cycle $i: rmmod"; return; }
	done
	pass "$n load/unload cycles"
}

# The library's transport tests, run as for shm but over the driver.
lib_on_dev()
{
	local spec t rc scale what log
	local -a wrap

	if [[ -n ${RINGDEV_DEV:-} ]]; then
		skip "libringdev on dev (no /dev/ringdev node; the library opens that path)"
		return
	fi
	# nouring:T runs T with io_uring_setup refused (tests/deny-uring.c):
	# the io_uring users' fallback to ioctl KICKs, against the driver.
	for spec in chan_basic chan_stress wakeup runtime batch nouring:runtime nouring:batch; do
		t=${spec#nouring:}
		wrap=()
		what="libringdev $t on the dev transport"
		log=$out/lib-${spec/:/-}.log
		if [[ $spec == nouring:* ]]; then
			wrap=("$TOP/build/deny-uring")
			what+=" with io_uring refused"
		fi
		if [[ ! -x $TOP/build/tests/$t ]] || { ((${#wrap[@]})) && [[ ! -x ${wrap[0]} ]]; }; then
			fail "$what (not built)"
			continue
		fi
		# chan_stress and batch at full scale: 10^6 messages through
		# the driver, every one checked (batch: io_uring uring_cmd
		# kicks to sleeping consumers, and the syscall fallback).
		scale=${RINGDEV_VM_TEST_SCALE:-4}
		[[ $spec == chan_stress || $spec == batch ]] && scale=1
		RINGDEV_TRANSPORT=dev RINGDEV_TEST_SCALE=$scale \
			timeout 240 "${wrap[@]}" "$TOP/build/tests/$t" >"$log" 2>&1
		rc=$?
		if ((rc == 0)); then
			pass "$what"
		elif ((rc == 77)) && ! grep -q '^  FAIL' "$log"; then
			# Cases that need the shm transport skip; say which.
			pass "$what (skipped: $(grep -c '^  skip ' "$log") shm-only cases)"
		else
			sed 's/^/#   /' "$log" | grep -v '^#     ok' | tail -n 15
			fail "$what (exit $rc)"
		fi
	done
}

# dev_tool_ready WHAT PATH OPENER: skip WHAT when there is no /dev/ringdev
# node (OPENER opens that path), fail it when PATH is not built; else true.
dev_tool_ready()
{
	if [[ -n ${RINGDEV_DEV:-} ]]; then
		skip "$1 (no /dev/ringdev node; $3 opens that path)"
		return 1
	fi
	if [[ ! -x $2 ]]; then
		fail "$1 (not built)"
		return 1
	fi
}

# ringctl against driver rings (and shm ones): tests/ringctl-test.sh --dev.
ringctl_on_dev()
{
	local rc

	dev_tool_ready "ringctl on dev" "$TOP/build/ringctl" ringctl || return
	timeout 240 "$TOP/tests/ringctl-test.sh" --dev >"$out/ringctl.log" 2>&1
	rc=$?
	if ((rc == 0)); then
		pass "ringctl-test.sh --dev ($(tail -n 1 "$out/ringctl.log"))"
	else
		grep -E '^(not ok|#)' "$out/ringctl.log" | sed 's/^/#   /' | tail -n 20
		fail "ringctl-test.sh --dev (exit $rc)"
	fi
}

# ringbench --transport dev: every channel scenario over the driver, with
# the ringdev:* tracepoint counts and the RINGDEV_IOC_STATS ring counters.
# Small counts and one pass keep it short under TCG; its timings are not
# looked at, only that it ran and what the driver counted.
ringbench_on_dev()
{
	local t=/sys/kernel/tracing json=$out/ringbench-dev.json rc

	dev_tool_ready "ringbench --transport dev" "$TOP/build/ringbench" ringbench || return
	[[ -e $t/events ]] || mount -t tracefs nodev "$t" 2>/dev/null
	timeout 150 "$TOP/build/ringbench" --quick --reps 1 --iters 500 --msgs 10000 \
		--transport dev --json "$json" >"$out/ringbench-dev.log" 2>&1
	rc=$?
	if ((rc != 0)); then
		tail -n 15 "$out/ringbench-dev.log" | sed 's/^/#   /'
		fail "ringbench --quick --transport dev (exit $rc)"
	elif python3 - "$json" >"$out/ringbench-dev.check" 2>&1 <<'EOF'
import json
import sys

d = json.load(open(sys.argv[1]))
bad = []
tp = ("kick", "wake", "suppress")
ioc = ("kicks", "wakeups", "suppressed")
if not d.get("ok") or d.get("transport") != "dev":
    bad.append("ok %r, transport %r" % (d.get("ok"), d.get("transport")))
if not (d.get("driver") or {}).get("tracepoints_counted"):
    bad.append("tracepoints not counted: %r" % (d.get("driver"),))
rows = {r["name"]: r for r in d["rows"]}
for name in ("chan-lat-64", "chan-lat-block-64", "chan-tput-64", "call-lat", "busy"):
    if rows.get(name, {}).get("transport") != "dev":
        bad.append("%s: not run on the dev transport" % name)
counted = [r for r in d["rows"] if "driver_last_run" in r]
if len(counted) < 10:
    bad.append("only %d rows have driver counters" % len(counted))
for r in counted:
    per, last = r["driver_per_msg"], r["driver_last_run"]
    nums = True
    for grp, keys in (("tracepoints", tp), ("ring_stats", ioc)):
        for k in keys:
            for v in (per[grp][k], last[grp][k]):
                if not isinstance(v, (int, float)) or v < 0:
                    bad.append("%s: %s.%s = %r" % (r["name"], grp, k, v))
                    nums = False
    if not nums:
        continue
    t = [last["tracepoints"][k] for k in tp]
    s = [last["ring_stats"][k] for k in ioc]
    if t[0] != t[1] + t[2]:
        bad.append("%s: kick %d != wake %d + suppress %d" % (r["name"], *t))
    # call-lat's kernel thread predates the per-task tracepoint counters.
    if r["name"] != "call-lat" and t != s:
        bad.append("%s: tracepoints %r != RINGDEV_IOC_STATS %r" % (r["name"], t, s))
blk = rows.get("chan-lat-block-64", {}).get("driver_last_run", {})
kick = blk.get("tracepoints", {}).get("kick")
if not isinstance(kick, int) or kick <= 0:
    bad.append("chan-lat-block-64 (sleeping consumer): no ringdev:kick counted")
for b in bad:
    print(b)
print("%d rows with driver counters; chan-lat-block-64 last run: %r"
      % (len(counted), blk.get("tracepoints")))
sys.exit(1 if bad else 0)
EOF
	then
		pass "ringbench --transport dev: driver tracepoints match RINGDEV_IOC_STATS ($(tail -n 1 "$out/ringbench-dev.check"))"
	else
		sed 's/^/#   /' "$out/ringbench-dev.check" | tail -n 20
		fail "ringbench --transport dev: driver counters"
	fi
	dmesg_check "ringbench on the dev transport"
}

guest()
{
	cd "$TOP" || exit 125
	dmesg_mark=$(dmesg | wc -l)
	echo "# ringdev VM stage on $(uname -r)"

	if ! insmod "$MODULE"; then
		fail "insmod $MODULE"
		summary
		return
	fi
	pass "insmod ringdev.ko"
	if ring_dev_node; then
		pass "device node ${RINGDEV_DEV:-/dev/ringdev}"
	else
		fail "device node /dev/ringdev"
	fi
	check_modinfo
	check_debugfs

	run_ksft "$BUILD/ringdev_test"
	dmesg_check ringdev_test
	run_ksft "$BUILD/uring_test"
	dmesg_check uring_test

	check_tracepoints
	check_perf
	dmesg_check "tracepoints"

	lib_on_dev
	dmesg_check "libringdev on the dev transport"

	ringctl_on_dev
	dmesg_check "ringctl on the dev transport"
	ringbench_on_dev

	if grep -q '^ringdev ' /proc/modules &&
	   [[ $(awk '$1 == "ringdev" { print $3 }' /proc/modules) == 0 ]]; then
		pass "module refcount back to 0"
	else
		fail "module refcount back to 0"
	fi
	[[ -n ${RINGDEV_DEV:-} ]] && rm -f "$RINGDEV_DEV"
	unset RINGDEV_DEV
	if rmmod ringdev; then
		pass "rmmod ringdev"
	else
		fail "rmmod ringdev"
	fi
	load_cycles
	dmesg_check "load/unload cycles"

	echo "# vm: $(summary)"
	summary > "$out/summary"
}

if [[ ${1:-} == --guest ]]; then
	guest
	((failed == 0))
	exit
fi

# ---------------------------------------------------------------------------
# Host side: build, boot, report.
# ---------------------------------------------------------------------------

timeout=540
accel=auto
vmout=
while (($#)); do
	case $1 in
	--out) vmout=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	-h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

host_fail()
{
	echo "run.sh: $*" >&2
	failed=1
	summary
	exit 1
}

kver=$("$TOP/tests/vm/kver.sh") || host_fail "no bootable 6.1 kernel with headers (tests/vm/deps.sh)"
kdir=/lib/modules/$kver/build

echo "# building ringdev.ko against $kver"
make -s -C "$TOP" driver KDIR="$kdir" >"$BUILD.module.log" 2>&1 ||
	{ mkdir -p "$BUILD"; cat "$BUILD.module.log" >&2; host_fail "module build failed"; }
rm -f "$BUILD.module.log"
echo "# building selftests and the library's tests"
make -s -C "$HERE" || host_fail "selftest build failed"
make -s -C "$TOP" tests tools examples || host_fail "library test build failed"

[[ -n $vmout ]] || vmout=$BUILD/vm
mkdir -p "$vmout"
rm -f "$vmout/summary"

run_vm()
{
	"$TOP/tests/vm/run-in-vm.sh" --timeout "$timeout" --out "$vmout" \
		--accel "$1" \
		${RINGDEV_FUZZ_SECONDS:+--env RINGDEV_FUZZ_SECONDS=$RINGDEV_FUZZ_SECONDS} \
		${RINGDEV_FUZZ_SEED:+--env RINGDEV_FUZZ_SEED=$RINGDEV_FUZZ_SEED} \
		${RINGDEV_LOAD_CYCLES:+--env RINGDEV_LOAD_CYCLES=$RINGDEV_LOAD_CYCLES} \
		-- "$HERE/run.sh" --guest
}

run_vm "$accel"
rc=$?
if ((rc == 125)) && [[ $accel == auto ]]; then
	# The VM did not start (e.g. KVM refused the host CPU model): TCG.
	echo "# VM failed to start with --accel auto; retrying with tcg"
	run_vm tcg
	rc=$?
fi

if [[ -s $vmout/summary ]]; then
	read -r passed _ failed _ skipped _ < "$vmout/summary"
	if ((rc != 0 && failed == 0)); then
		echo "run.sh: VM exit status $rc; logs in $vmout" >&2
		failed=1
	fi
else
	echo "run.sh: the VM stage did not finish (exit $rc); logs in $vmout" >&2
	failed=$((failed + 1))
fi
summary
((failed == 0))

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# check.sh - everything `make check` runs: builds (gcc, clang, sanitizers),
# the host unit tests in each variant, the install and ABI checks, a
# ringbench smoke run, the examples, the kselftests in a 6.1 VM against the
# real module, and GPU tests.  Ends with one line: N passed, N failed, N skipped.
set -uo pipefail
cd "$(dirname "$0")/.."

JOBS=${JOBS:-$(nproc)}
PASS=0 FAIL=0 SKIP=0
FAILED=()
LOGDIR=build/check-logs
mkdir -p "$LOGDIR"

usage() {
	cat <<EOF
usage: tests/check.sh [--quick] [--only STAGE]
  Runs every test stage and prints 'N passed, N failed, N skipped'.
  --quick       skip the sanitizer and VM stages (for iterating)
  --only STAGE  run one stage: gcc nouring clang asan tsan install dkms ringctl abi bench examples vm cudasim gpu
  Logs: $LOGDIR/
EOF
}

QUICK=0 ONLY=
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--only) ONLY=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# record NAME RC [WHY]: 0 pass, 77 or 4 skip (kselftest), anything else fail.
record() {
	local name=$1 rc=$2 why=${3:-}
	case $rc in
	0) PASS=$((PASS + 1)); echo "ok   $name" ;;
	77|4) SKIP=$((SKIP + 1)); echo "skip $name${why:+ ($why)}" ;;
	*) FAIL=$((FAIL + 1)); FAILED+=("$name"); echo "FAIL $name (exit $rc; log $LOGDIR/$name.log)" ;;
	esac
}

# run_logged NAME TIMEOUT CMD...: run with a time limit, log output, record.
run_logged() {
	local name=$1 limit=$2 rc why=
	shift 2
	timeout --kill-after=10 "$limit" "$@" >"$LOGDIR/$name.log" 2>&1
	rc=$?
	[ $rc -eq 124 ] && echo "timed out after ${limit}s" >>"$LOGDIR/$name.log"
	[ $rc -eq 77 ] && why=$(grep -m1 -i 'skip' "$LOGDIR/$name.log" | sed 's/^ *//')
	record "$name" $rc "$why"
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || tail -n 20 "$LOGDIR/$name.log" | sed 's/^/    /'
}

# unit_stage VARIANT O MAKEARGS...: build a variant, run each test program.
unit_stage() {
	local variant=$1 out=$2 t
	shift 2
	if ! make -s -j"$JOBS" O="$out" "$@" lib tests examples >"$LOGDIR/build.$variant.log" 2>&1; then
		record "build.$variant" 1
		tail -n 30 "$LOGDIR/build.$variant.log" | sed 's/^/    /'
		return
	fi
	record "build.$variant" 0
	for t in "$out"/tests/*; do
		[ -x "$t" ] || continue
		run_logged "$variant.$(basename "$t")" 600 "$t"
	done
}

echo "== ringdev make check ($(date -u +%FT%TZ), $(nproc) CPUs)"

if want gcc; then
	unit_stage gcc build CC=gcc
fi
if want nouring; then
	# The io_uring users again, with io_uring_setup refused as under
	# Docker's default seccomp profile: the syscall fallback, same tests.
	make -s -j"$JOBS" tests >"$LOGDIR/build.nouring.log" 2>&1
	for t in batch runtime; do
		run_logged "nouring.$t" 600 build/deny-uring "build/tests/$t"
	done
fi
if want clang; then
	# Warning-free under clang too; the tests run in the gcc and sanitizer stages.
	if make -s -j"$JOBS" O=build-clang CC=clang lib tests examples tools \
		>"$LOGDIR/build.clang.log" 2>&1; then record build.clang 0; else
		record build.clang 1; tail -n 30 "$LOGDIR/build.clang.log" | sed 's/^/    /'; fi
fi
if [ $QUICK -eq 0 ] && want asan; then
	RINGDEV_TEST_SCALE=4 unit_stage asan build-asan CC=gcc SAN=asan
fi
if [ $QUICK -eq 0 ] && want tsan; then
	RINGDEV_TEST_SCALE=10 unit_stage tsan build-tsan CC=clang SAN=tsan
fi
if want install; then
	run_logged install 300 tests/install-test.sh
fi
if want dkms; then
	run_logged dkms 300 tests/dkms-test.sh
fi
if want ringctl; then
	run_logged ringctl 300 tests/ringctl-test.sh
fi
if want abi; then
	run_logged abi-header 120 tests/abi-header-test.sh
fi
if want bench; then
	make -s -j"$JOBS" tools >"$LOGDIR/build.tools.log" 2>&1
	run_logged ringbench-quick 300 build/ringbench --quick
	# --transport dev with no driver (this host cannot load modules): exit 2
	# naming /dev/ringdev, no fallback to shm.
	if [ -e /dev/ringdev ]; then
		record ringbench-dev-absent 77 "/dev/ringdev exists here"
	else
		run_logged ringbench-dev-absent 60 bash -c '
			msg=$(build/ringbench --quick --transport dev 2>&1); rc=$?
			echo "$msg"
			[ $rc -eq 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
			grep -q "/dev/ringdev" <<<"$msg" || { echo "no /dev/ringdev in the message"; exit 1; }'
	fi
fi
if want examples && [ -x tests/examples-test.sh ]; then
	run_logged examples 300 tests/examples-test.sh
fi
if [ $QUICK -eq 0 ] && want vm; then
	if [ -x tests/selftests/ringdev/run.sh ]; then
		tests/selftests/ringdev/run.sh >"$LOGDIR/vm.log" 2>&1
		rc=$?
		line=$(grep -E '^[A-Za-z]*:? *[0-9]+ passed, [0-9]+ failed' "$LOGDIR/vm.log" | tail -n 1)
		grep -E '^(ok|not ok|skip|FAIL|# SKIP)' "$LOGDIR/vm.log" | sed 's/^/  vm: /' | tail -n 80
		if [ -n "$line" ]; then
			p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
			f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
			s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || true)
			PASS=$((PASS + p)); FAIL=$((FAIL + f)); SKIP=$((SKIP + ${s:-0}))
			echo "vm stage: $line"
			[ "$f" -eq 0 ] || FAILED+=("vm")
		fi
		if [ $rc -ne 0 ] && { [ -z "$line" ] || [ "${f:-0}" -eq 0 ]; }; then
			record vm-stage $rc
			tail -n 30 "$LOGDIR/vm.log" | sed 's/^/    /'
		fi
	fi
fi
if want cudasim; then
	# The GPU tests with "device" blocks on host threads and a stand-in
	# libcudart (tests/gpu/sim): the CUDA backend and the device loop
	# without a GPU; then again under ASan+UBSan, and under TSan, which
	# checks the device side's acquire/release pairs against the host's.
	sim_variant() {
		local name=$1 out=$2
		shift 2
		if ! make -s -j"$JOBS" O="$out" "$@" cudasim >"$LOGDIR/build.$name.log" 2>&1; then
			record "build.$name" 1
			tail -n 30 "$LOGDIR/build.$name.log" | sed 's/^/    /'
		elif grep -q '^cudasim: .*skipped' "$LOGDIR/build.$name.log"; then
			record "$name" 77 "$(grep -m1 '^cudasim:' "$LOGDIR/build.$name.log")"
		else
			for t in "$out"/cudasim/*; do
				[ -x "$t" ] && [ "${t%.so*}" = "$t" ] || continue
				run_logged "$name.$(basename "$t")" 300 "$t"
			done
		fi
	}
	sim_variant cudasim build
	# ringbench's gpu scenario end to end on the simulated device: rows
	# made, marked SIMULATED, no target judged.
	if [ -e build/cudasim/ringbench-gpu.so ] && make -s -j"$JOBS" tools \
			>"$LOGDIR/build.cudasim-ringbench.log" 2>&1; then
		run_logged cudasim.ringbench 300 bash -c '
			out=$(build/ringbench --only gpu --quick --reps 1 --no-perf \
				--gpu-lib build/cudasim/ringbench-gpu.so 2>&1); rc=$?
			echo "$out"
			[ $rc -eq 0 ] || { echo "ringbench exit $rc"; exit 1; }
			grep -q "^gpu: SIMULATED" <<<"$out" || { echo "not marked SIMULATED"; exit 1; }
			for r in launch-sync write seen rtt-spin rtt-sleep echo-tput-64; do
				grep -q "^gpu-$r " <<<"$out" || { echo "no gpu-$r row"; exit 1; }
			done
			! grep -qE "^gpu-.* (met|NOT MET)" <<<"$out" || { echo "a target was judged"; exit 1; }
			# Without its device code the scenario says so and makes no rows.
			out=$(build/ringbench --only gpu --quick --reps 1 --no-perf \
				--gpu-lib /nonexistent/ringbench-gpu.so 2>&1); rc=$?
			echo "$out"
			[ $rc -eq 0 ] || { echo "ringbench exit $rc without a helper"; exit 1; }
			grep -q "^gpu: skipped (no GPU helper /nonexistent/" <<<"$out" ||
				{ echo "no skip line naming the missing helper"; exit 1; }
			! grep -q "^gpu-" <<<"$out" || { echo "rows without a helper"; exit 1; }'
	fi
	if [ $QUICK -eq 0 ]; then
		sim_variant cudasim-asan build-asan CC=gcc SAN=asan
		sim_variant cudasim-tsan build-tsan SAN=tsan CC=clang CXX=clang++
	fi
fi
if want gpu && [ -x tests/gpu/run.sh ]; then
	run_logged gpu 600 tests/gpu/run.sh
fi

[ ${#FAILED[@]} -eq 0 ] || echo "failed: ${FAILED[*]}"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ $FAIL -eq 0 ]

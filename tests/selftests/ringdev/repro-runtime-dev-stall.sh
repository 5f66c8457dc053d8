#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# repro-runtime-dev-stall.sh - reproduce the open dev-transport stall: run
# build/tests/runtime over /dev/ringdev in the 6.1 VM up to 12 times; when a
# run has not finished after 15 s, print the driver's view of every ring and
# the kernel thread's view of its lane (gdb), then stop.  Not run by CI.
#   make all && tests/vm/run-in-vm.sh --timeout 570 -- \
#	tests/selftests/ringdev/repro-runtime-dev-stall.sh --guest
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)
[[ ${1:-} == --guest ]] || { echo "usage: see the header of $0" >&2; exit 2; }
insmod "$TOP/build/kmod/ringdev.ko" || exit 3
cd "$TOP"
for i in $(seq 12); do
	RINGDEV_TRANSPORT=dev RINGDEV_TEST_SCALE=4 build/tests/runtime >/tmp/rt.out 2>&1 &
	pid=$!
	for _ in $(seq 15); do sleep 1; kill -0 $pid 2>/dev/null || break; done
	if kill -0 $pid 2>/dev/null; then
		echo "== run $i stalled"
		grep -v cuda /tmp/rt.out
		cat /sys/kernel/debug/ringdev/rings
		gdb -q -batch -p $pid -ex "thread 2" -ex "frame function kernel_thread" \
			-ex 'p k->lanes[0]->ring.cons_head' \
			-ex 'p k->lanes[0]->ring.ctrl->cons.pos' \
			-ex 'p k->lanes[0]->ring.ctrl->prod.pos' \
			-ex 'p k->lanes[0]->ring.ctrl->cons_wake' \
			-ex 'p k->lanes[0]->role' 2>&1 | grep -v '^\[' | tail -25
		kill -9 $pid
		exit 1
	fi
	wait $pid || exit 1
	echo "run $i passed"
done

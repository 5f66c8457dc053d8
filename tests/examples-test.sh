#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# examples-test.sh - build every program in examples/ and run each one with
# a time limit; any non-zero exit (or a timeout) fails the test.
#   tests/examples-test.sh            uses O=build (as make does)
#   O=build-clang CC=clang tests/examples-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

O=${O:-build}
LIMIT=${EXAMPLE_TIMEOUT:-60}
make_args=(-s O="$O")
[ -n "${CC:-}" ] && make_args+=(CC="$CC")

make "${make_args[@]}" examples

shopt -s nullglob
srcs=(examples/*.c)
if [ ${#srcs[@]} -eq 0 ]; then
	echo "examples-test: no examples (skip)"
	exit 77
fi

fail=0
for src in "${srcs[@]}"; do
	name=$(basename "$src" .c)
	bin=$O/examples/$name
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: $bin was not built"
		fail=1
		continue
	fi
	rc=0
	timeout --kill-after=5 "$LIMIT" "$bin" || rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok   $name"
	elif [ $rc -eq 124 ]; then
		echo "FAIL $name: timed out after ${LIMIT}s"
		fail=1
	else
		echo "FAIL $name: exit $rc"
		fail=1
	fi
done
exit $fail

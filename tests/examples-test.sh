#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# examples-test.sh - build every program in examples/ and run each one with
# a time limit; any non-zero exit (or a timeout) fails the test.
# echo_server and echo_client run as a pair: the server in the background
# under a name unique to this run, the client against it.
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
server_pid=

# Never leave a server behind, whatever happens.
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

report() {	# name rc
	if [ "$2" -eq 0 ]; then
		echo "ok   $1"
	elif [ "$2" -eq 124 ] || [ "$2" -eq 137 ]; then
		echo "FAIL $1: timed out after ${LIMIT}s"
		fail=1
	else
		echo "FAIL $1: exit $2"
		fail=1
	fi
}

built() {	# name
	if [ ! -x "$O/examples/$1" ]; then
		echo "FAIL $1: $O/examples/$1 was not built"
		fail=1
		return 1
	fi
}

run_echo_pair() {
	local name="ringdev-echo-$$-$RANDOM" rc=0 src=0

	built echo_server || return 0
	built echo_client || return 0
	timeout --kill-after=5 "$LIMIT" "$O/examples/echo_server" "$name" &
	server_pid=$!
	timeout --kill-after=5 "$LIMIT" "$O/examples/echo_client" "$name" || rc=$?
	if [ $rc -ne 0 ]; then
		# The client failed: the server would wait for it forever.
		kill "$server_pid" 2>/dev/null || true
	fi
	wait "$server_pid" || src=$?
	server_pid=
	report echo_client $rc
	if [ $rc -eq 0 ]; then
		report echo_server $src
	else
		echo "kill echo_server: stopped after the client failed"
	fi
}

for src in "${srcs[@]}"; do
	name=$(basename "$src" .c)
	case $name in
	echo_server) run_echo_pair; continue ;;
	echo_client) continue ;;	# run by run_echo_pair
	esac
	built "$name" || continue
	rc=0
	timeout --kill-after=5 "$LIMIT" "$O/examples/$name" || rc=$?
	report "$name" $rc
done
exit $fail

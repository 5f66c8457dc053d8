#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# abi-header-test.sh - the uapi header compiles on its own (only
# <linux/types.h> and <linux/ioctl.h>) in C and C++ under gcc and clang,
# pedantic, and the public library headers compile as C++.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <linux/ringdev.h>\nint main(void) { return sizeof(struct ringdev_ctrl) != 4096; }\n' >"$tmp/u.c"
cp "$tmp/u.c" "$tmp/u.cc"
for cc in gcc clang; do
	for std in c89 c99 c11 gnu11; do
		$cc -std=$std -Wall -Wextra -Werror -pedantic -Iinclude/uapi "$tmp/u.c" -o "$tmp/u"
		"$tmp/u"
	done
done
for cxx in g++ clang++; do
	command -v $cxx >/dev/null || continue
	for std in c++11 c++17; do
		$cxx -std=$std -Wall -Wextra -Werror -Iinclude/uapi "$tmp/u.cc" -o "$tmp/u"
		"$tmp/u"
	done
	printf '#include <ringdev/ringdev.h>\nint main() { return 0; }\n' >"$tmp/l.cc"
	$cxx -std=c++11 -Wall -Wextra -Werror -Iinclude -Iinclude/uapi "$tmp/l.cc" -o "$tmp/l"
done
echo "abi header test passed"

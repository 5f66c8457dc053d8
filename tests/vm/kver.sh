#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kver.sh - print the kernel version the ringdev VM tests boot.
#
# Picks the newest installed 6.1 kernel that has both an image
# (/boot/vmlinuz-$V) and a module build tree (/lib/modules/$V/build), so
# that a module built against it can be loaded into the kernel that boots.

set -euo pipefail

SERIES=6.1

usage()
{
	cat <<USAGE
usage: ${0##*/} [--help]

Print the version V of the newest installed ${SERIES} kernel that has both
/boot/vmlinuz-V and /lib/modules/V/build.  Exits 1 when there is none.
USAGE
}

case "${1:-}" in
-h|--help)
	usage
	exit 0
	;;
"")
	;;
*)
	usage >&2
	exit 2
	;;
esac

best=
for img in /boot/vmlinuz-"$SERIES".*; do
	[[ -e $img ]] || continue
	v=${img#/boot/vmlinuz-}
	[[ -d /lib/modules/$v/build ]] || continue
	best+="$v"$'\n'
done

if [[ -z $best ]]; then
	echo "${0##*/}: no ${SERIES} kernel with both /boot/vmlinuz-V and /lib/modules/V/build" >&2
	echo "${0##*/}: install linux-image-amd64 and linux-headers-amd64 (tests/vm/deps.sh --install)" >&2
	exit 1
fi

printf '%s' "$best" | sort -V | tail -n 1

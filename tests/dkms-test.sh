#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# dkms-test.sh - build ringdev.ko through DKMS (dkms.conf) against the
# installed 6.1 headers from a staged copy of the source tree, then remove
# it again.  Needs root and dkms; skips (77) with the reason otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "SKIP: dkms needs root"; exit 77; }
command -v dkms >/dev/null || { echo "SKIP: dkms is not installed (apt-get install dkms)"; exit 77; }
kver=$(tests/vm/kver.sh) || { echo "SKIP: no 6.1 kernel with headers"; exit 77; }
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

# Never touch a ringdev that someone registered with DKMS for real.
if [ -n "$(dkms status ringdev 2>/dev/null)" ] || [ -e "/usr/src/ringdev-$ver" ]; then
	echo "SKIP: ringdev is already registered with DKMS or in /usr/src; not touching it"
	exit 77
fi
tmp=$(mktemp -d)
cleanup() {
	dkms remove "ringdev/$ver" --all >/dev/null 2>&1 || true
	rm -rf "/usr/src/ringdev-$ver" "$tmp"
}
trap cleanup EXIT

src=$tmp/ringdev-$ver
mkdir -p "$src/driver" "$src/include/uapi/linux"
cp dkms.conf Kbuild "$src/"
cp driver/*.[ch] driver/Kbuild "$src/driver/"
cp include/uapi/linux/ringdev.h "$src/include/uapi/linux/"
dkms add "$src"
dkms build "ringdev/$ver" -k "$kver"
ko=$(find "/var/lib/dkms/ringdev/$ver/$kver" -name 'ringdev.ko*' -print -quit)
[ -n "$ko" ] || { echo "dkms build produced no ringdev.ko"; exit 1; }
grep -q '^license: *GPL v2' <<<"$(modinfo "$ko")" || { echo "modinfo of $ko lacks the licence"; exit 1; }
echo "dkms built $ko for $kver"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# deps.sh - install the Debian packages a make target needs, or say which.
#   scripts/deps.sh [bench|check]   (default: check)
# As root it runs apt-get for what is missing; otherwise it lists them and
# the stages that will skip without them.
set -euo pipefail

profile=${1:-check}
base="gcc make clang pkg-config libc6-dev libclang-rt-14-dev liburing-dev"
# USDT probes in libringdev; ringbench --plot.
tools="systemtap-sdt-dev gnuplot-nox"
bench="libdpdk-dev"
# The VM stage: a real 6.1 kernel, its headers and source (kselftest
# harness, checkpatch), QEMU, a static busybox for the initramfs.
vm="linux-image-amd64 linux-headers-amd64 linux-source-6.1 qemu-system-x86 busybox-static cpio kmod sparse dkms"
extra="groff-base"

case $profile in
bench) want="$base $bench $tools" ;;
check) want="$base $bench $tools $vm $extra" ;;
-h|--help) sed -n '2,6p' "$0"; exit 0 ;;
*) echo "deps.sh: unknown profile '$profile' (bench|check)" >&2; exit 2 ;;
esac

missing=()
for p in $want; do
	if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != *'install ok installed'* ]]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	echo "deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt_install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/ringdev-apt.log 2>&1; }
	if ! apt_install; then
		apt-get update -q >>/tmp/ringdev-apt.log 2>&1 || true
		if ! apt_install; then
			echo "deps.sh: apt-get failed; see /tmp/ringdev-apt.log" >&2
			tail -n 5 /tmp/ringdev-apt.log >&2
			exit 1
		fi
	fi
	exit 0
fi

echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
echo "deps.sh: install them with: sudo apt-get install ${missing[*]}" >&2
for p in "${missing[@]}"; do
	case " $base " in *" $p "*) echo "deps.sh: $p is required to build" >&2; exit 1 ;; esac
done
echo "deps.sh: continuing; stages that need them will report a skip" >&2
exit 0

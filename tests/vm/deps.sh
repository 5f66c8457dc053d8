#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - check (and optionally install) what the ringdev VM tests need.
#
# Exit status: 0 when every package is installed and a bootable kernel with
# a matching build tree is found, 1 otherwise, 2 on a usage error.

set -euo pipefail

PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PACKAGES=(
	linux-image-amd64
	linux-headers-amd64
	linux-source-6.1
	qemu-system-x86
	busybox-static
	cpio
)

usage()
{
	cat <<USAGE
usage: $PROG [--install] [--help]

Check that the packages the VM tests need are installed:
  ${PACKAGES[*]}
Print the missing ones and the kernel version the tests will boot.

  --install  install the missing packages with apt-get (needs root)
  --help     show this help

Exit status: 0 when everything is present, 1 when something is missing.
USAGE
}

install=0
while (($#)); do
	case "$1" in
	--install)
		install=1
		;;
	-h|--help)
		usage
		exit 0
		;;
	*)
		echo "$PROG: unknown argument '$1'" >&2
		usage >&2
		exit 2
		;;
	esac
	shift
done

if ! command -v dpkg-query >/dev/null; then
	echo "$PROG: dpkg-query not found: the VM tests expect Debian 12 (bookworm)" >&2
	exit 1
fi

missing_packages()
{
	local p status

	for p in "${PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		[[ $status == ii* ]] || echo "$p"
	done
}

mapfile -t missing < <(missing_packages)

if ((${#missing[@]})) && ((install)); then
	if ((EUID != 0)); then
		echo "$PROG: --install needs root; missing: ${missing[*]}" >&2
		exit 1
	fi
	echo "$PROG: installing: ${missing[*]}"
	# A fresh container may have no package lists yet.
	if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
		apt-get update
	fi
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "${missing[@]}"; then
		echo "$PROG: apt-get install failed (try 'apt-get update' first)" >&2
		exit 1
	fi
	mapfile -t missing < <(missing_packages)
fi

rc=0
if ((${#missing[@]})); then
	echo "$PROG: missing packages: ${missing[*]}"
	echo "$PROG: run '$PROG --install' as root, or: apt-get install ${missing[*]}"
	rc=1
else
	echo "$PROG: all packages present: ${PACKAGES[*]}"
fi

if [[ ! -r /usr/src/linux-source-6.1.tar.xz ]]; then
	echo "$PROG: /usr/src/linux-source-6.1.tar.xz is missing or unreadable"
	rc=1
fi

if kver=$("$HERE/kver.sh"); then
	echo "$PROG: kernel: $kver (/boot/vmlinuz-$kver, /lib/modules/$kver/build)"
	if [[ ! -r /boot/vmlinuz-$kver ]]; then
		echo "$PROG: /boot/vmlinuz-$kver is not readable by this user (Debian installs it mode 0600): run the VM tests as root"
		rc=1
	fi
else
	rc=1
fi

if (exec 3<>/dev/kvm) 2>/dev/null; then
	echo "$PROG: accelerator: kvm"
else
	echo "$PROG: accelerator: tcg (no usable /dev/kvm; the VM is slower)"
fi

exit "$rc"

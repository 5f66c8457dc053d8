#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# extract-ksft.sh - extract the kselftest headers from Debian's kernel
# source tarball.  They are build inputs, never committed.

set -euo pipefail

PROG=${0##*/}
TARBALL=/usr/src/linux-source-6.1.tar.xz
MEMBERS=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
)

usage()
{
	cat <<USAGE
usage: $PROG [--source TARBALL] OUTDIR

Extract ${MEMBERS[*]}
from $TARBALL (package linux-source-6.1) into OUTDIR/.
Nothing is done when OUTDIR already holds them from the same tarball.

  --source TARBALL  kernel source tarball (default $TARBALL)
  --help            show this help
USAGE
}

die()
{
	echo "$PROG: $*" >&2
	exit 1
}

outdir=
while (($#)); do
	case "$1" in
	--source)
		(($# >= 2)) || die "--source needs a value"
		TARBALL=$2
		shift
		;;
	--source=*)
		TARBALL=${1#*=}
		;;
	-h|--help)
		usage
		exit 0
		;;
	-*)
		echo "$PROG: unknown option '$1'" >&2
		usage >&2
		exit 2
		;;
	*)
		[[ -z $outdir ]] || { usage >&2; exit 2; }
		outdir=$1
		;;
	esac
	shift
done
[[ -n $outdir ]] || { usage >&2; exit 2; }
[[ -r $TARBALL ]] || die "$TARBALL not found (apt-get install linux-source-6.1)"

# The tarball's top directory is its own name: linux-source-6.1/.
top=${TARBALL##*/}
top=${top%.tar*}
names=()
for m in "${MEMBERS[@]}"; do
	names+=("$top/$m")
done
strip=$(($(tr -cd / <<< "${names[0]}" | wc -c)))

mkdir -p "$outdir"
key="$(cd "$(dirname "$TARBALL")" && pwd -P)/${TARBALL##*/} $(stat -L -c '%s %Y' "$TARBALL")"
exec 9>"$outdir/.ksft.lock"
flock 9
uptodate=1
for m in "${MEMBERS[@]}"; do
	[[ -f $outdir/${m##*/} ]] || uptodate=0
done
if ((uptodate)) && [[ -f $outdir/.ksft.key && $(<"$outdir/.ksft.key") == "$key" ]]; then
	exit 0
fi

tmp=$(mktemp -d "$outdir/.ksft.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! tar -xJf "$TARBALL" -C "$tmp" --strip-components="$strip" \
	--occurrence=1 --no-same-owner "${names[@]}"; then
	die "cannot extract ${names[*]} from $TARBALL"
fi
for m in "${MEMBERS[@]}"; do
	[[ -f $tmp/${m##*/} ]] || die "$TARBALL has no $top/$m"
done
for m in "${MEMBERS[@]}"; do
	mv -f "$tmp/${m##*/}" "$outdir/${m##*/}"
done
echo "$key" > "$outdir/.ksft.key"

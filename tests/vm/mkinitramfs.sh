#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh - build the initramfs of the ringdev test VM.
#
# The image holds busybox-static (with its applet links), the virtio and 9p
# modules of the kernel that boots, and an /init that mounts the host's root
# over 9p, chroots into it and runs the command run-in-vm.sh asked for.
# It is rebuilt only when one of its inputs changed.

set -euo pipefail

PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUSYBOX=/bin/busybox

# Load order (DESIGN.md section 7); dependencies missing from this list are
# added from modules.dep, modules built into the kernel are skipped.
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
	 virtio_pci netfs fscache 9pnet 9pnet_virtio 9p)

usage()
{
	cat <<USAGE
usage: $PROG [--kver VER] [--force] OUTDIR

Build OUTDIR/initramfs.cpio.gz for the ringdev test VM, unless the one
there was built from the same inputs (busybox, modules, this script).

  --kver VER  kernel whose modules go in (default: $HERE/kver.sh)
  --force     rebuild even when the cached image is up to date
  --help      show this help
USAGE
}

die()
{
	echo "$PROG: $*" >&2
	exit 1
}

kver=
force=0
outdir=
while (($#)); do
	case "$1" in
	--kver)
		(($# >= 2)) || die "--kver needs a value"
		kver=$2
		shift
		;;
	--kver=*)
		kver=${1#*=}
		;;
	--force)
		force=1
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
[[ -n $kver ]] || kver=$("$HERE/kver.sh")

moddir=/lib/modules/$kver
[[ -f $moddir/modules.dep ]] || die "$moddir/modules.dep not found (is the kernel $kver installed?)"
[[ -x $BUSYBOX ]] || die "$BUSYBOX not found (apt-get install busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked (apt-get install busybox-static)"
fi

# Resolve module names to files, in load order.
declare -A modpath=() moddeps=() builtin=()
while IFS= read -r line; do
	n=${line##*/}
	n=${n%%.ko*}
	builtin[${n//-/_}]=1
done < "$moddir/modules.builtin"
while IFS= read -r line; do
	path=${line%%:*}
	n=${path##*/}
	n=${n%%.ko*}
	n=${n//-/_}
	modpath[$n]=$path
	moddeps[$n]=${line#*:}
done < "$moddir/modules.dep"

order=()
declare -A queued=()
add_module()
{
	local n=$1 d dn deps=()

	[[ -z ${queued[$n]:-} ]] || return 0
	queued[$n]=1
	if [[ -n ${builtin[$n]:-} ]]; then
		return 0
	fi
	[[ -n ${modpath[$n]:-} ]] || die "module $n is neither in $moddir/modules.dep nor built in"
	# modules.dep lists the full closure, the last entry loads first.
	read -r -a deps <<< "${moddeps[$n]}"
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		d=${deps[i]##*/}
		d=${d%%.ko*}
		dn=${d//-/_}
		add_module "$dn"
	done
	order+=("$n")
}
for m in "${MODULES[@]}"; do
	add_module "$m"
done

# The cache key covers every input's content.
key=$({
	echo "kver $kver"
	sha256sum "${BASH_SOURCE[0]}" "$BUSYBOX" | cut -d' ' -f1
	for n in "${order[@]}"; do
		echo "$n $(sha256sum "$moddir/${modpath[$n]}" | cut -d' ' -f1)"
	done
} | sha256sum | cut -d' ' -f1)

mkdir -p "$outdir"
image=$outdir/initramfs.cpio.gz
exec 9>"$outdir/.initramfs.lock"
flock 9
if ((!force)) && [[ -f $image && -f $outdir/initramfs.key ]] &&
   [[ $(<"$outdir/initramfs.key") == "$key" ]]; then
	exit 0
fi

echo "$PROG: building $image for $kver (${order[*]})" >&2

tmp=$(mktemp -d "$outdir/.initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,newroot,out,lib/modules}

cp "$BUSYBOX" "$root/bin/busybox"
while IFS= read -r applet; do
	applet=${applet#/}
	[[ -n $applet && $applet != bin/busybox && ! -e $root/$applet ]] || continue
	[[ $applet != */* ]] || mkdir -p "$root/${applet%/*}"
	ln -s /bin/busybox "$root/$applet"
done < <("$BUSYBOX" --list-full)
[[ -e $root/bin/sh ]] || die "$BUSYBOX has no sh applet"

for n in "${order[@]}"; do
	src=$moddir/${modpath[$n]}
	dst=$root/lib/modules/$n.ko
	case "$src" in
	*.ko)     cp "$src" "$dst" ;;
	*.ko.xz)  xz -dc "$src" > "$dst" ;;
	*.ko.zst) zstd -qdc "$src" > "$dst" ;;
	*.ko.gz)  gzip -dc "$src" > "$dst" ;;
	*)        die "unknown module format: $src" ;;
	esac
	echo "$n" >> "$root/etc/vm-modules"
done
touch "$root/etc/vm-modules"
echo "$kver" > "$root/etc/vm-kver"

cat > "$root/init" <<'INIT'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the ringdev test VM, written by tests/vm/mkinitramfs.sh.
#
# The host exports its root read-only as 9p tag "hostroot" and the results
# directory OUT writable as tag "outdir"; OUT/.vm/outpath holds OUT's host
# path and OUT/.vm/cmd.sh the command.  The command runs chrooted into the
# host's root, its output goes to OUT/output.log, its exit status to
# OUT/status and the kernel log after it to OUT/dmesg.txt.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
NR=/newroot
P9="trans=virtio,version=9p2000.L,msize=512000"

fail()
{
	echo "vm-init: $*"
	if [ -d /out/.vm ]; then
		echo "vm-init: $*" >> /out/output.log
		echo 125 > /out/status
	fi
	sync
	poweroff -f
	sleep 10
	exit 1
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r m; do
	insmod "/lib/modules/$m.ko" || fail "insmod $m failed"
done < /etc/vm-modules

mount9p()
{
	# $1 tag, $2 options, $3 mount point; the transport may need a moment.
	i=0
	while ! mount -t 9p -o "$P9,$2" "$1" "$3" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || { mount -t 9p -o "$P9,$2" "$1" "$3"; return; }
		sleep 0.1
	done
}

mount9p outdir rw /out || fail "cannot mount the 9p export 'outdir'"
mount9p hostroot ro,cache=loose $NR || fail "cannot mount the 9p export 'hostroot'"
read -r OUT < /out/.vm/outpath || fail "cannot read /out/.vm/outpath"
[ -x $NR/bin/bash ] || fail "the host root has no /bin/bash"

# /tmp and /run first: OUT (and the caller's directory) may live below them.
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $NR/tmp
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs $NR/run
# A caller working below /tmp or /run gets that directory back, read-only.
if [ -s /out/.vm/cwdpath ]; then
	read -r CWD < /out/.vm/cwdpath
	mkdir -p "$NR$CWD" || fail "cannot create mount point $CWD"
	mount9p cwd ro,cache=loose "$NR$CWD" || fail "cannot mount the 9p export 'cwd'"
fi
mkdir -p "$NR$OUT" || fail "cannot create mount point $OUT"
mount -o bind /out "$NR$OUT" || fail "cannot bind $OUT"
mount -t proc proc $NR/proc
mount -t sysfs sysfs $NR/sys
mount -t devtmpfs devtmpfs $NR/dev
mkdir -p $NR/dev/pts $NR/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $NR/dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $NR/dev/shm
mount -t debugfs debugfs $NR/sys/kernel/debug
if [ -d $NR/sys/kernel/tracing ] && grep -qw tracefs /proc/filesystems; then
	mount -t tracefs tracefs $NR/sys/kernel/tracing
fi

read -r up _ < /proc/uptime
echo "start $up" > /out/.vm/times
env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/tmp TERM=dumb LANG=C.UTF-8 USER=root LOGNAME=root SHELL=/bin/bash \
	chroot $NR /bin/bash "$OUT/.vm/cmd.sh" < /dev/null >> /out/output.log 2>&1
rc=$?
read -r up _ < /proc/uptime
echo "end $up" >> /out/.vm/times
echo $rc > /out/status.tmp && mv /out/status.tmp /out/status

if ! chroot $NR /bin/dmesg > /out/dmesg.txt 2>/dev/null; then
	dmesg -s 1048576 > /out/dmesg.txt
fi
sync
poweroff -f
INIT
chmod 755 "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --reproducible --quiet) |
	gzip -6n > "$tmp/initramfs.cpio.gz"
mv -f "$tmp/initramfs.cpio.gz" "$image"
echo "$key" > "$outdir/initramfs.key"

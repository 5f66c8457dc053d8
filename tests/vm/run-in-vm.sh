#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-in-vm.sh - run one command as root inside a QEMU VM booting the
# installed Debian 6.1 kernel, with the host's root as its (read-only)
# root filesystem, and exit with the command's exit status.

set -euo pipefail

PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage()
{
	cat <<USAGE
usage: $PROG [options] -- CMD [ARGS...]

Boot the kernel under qemu-system-x86_64 (KVM when /dev/kvm is usable,
else TCG), mount the host's root read-only over 9p, chroot into it, cd to
the current directory and run CMD as root.  CMD's stdout and stderr come
out on this script's stdout; its exit status is this script's.

Inside the guest everything is read-only except fresh tmpfs mounts on /tmp,
/run and /dev/shm (so do not run from below /tmp or /run), and the results
directory, mounted writable at its host path and named by \$RINGDEV_VM_OUT.
HOME=/tmp; stdin is /dev/null.

options:
  --timeout SECS  kill the VM after SECS seconds, boot included (default 300);
                  CMD itself is killed in the guest ~10 s earlier
  --out DIR       results directory (default: a fresh temporary directory,
                  removed when CMD exits 0 and the kernel logged no
                  warning); it receives
                    output.log   CMD's stdout and stderr
                    status       CMD's exit status
                    console.log  the serial console (kernel messages)
                    dmesg.txt    the guest's kernel log after CMD
                    qemu.log     QEMU's own messages
  --mem MB        guest memory (default 1024)
  --kver VER      kernel version to boot (default: $HERE/kver.sh)
  --env NAME=VAL  set NAME in CMD's environment (repeatable)
  --append ARGS   add ARGS to the kernel command line
  --accel A       kvm, tcg or auto (default auto)
  -v, --verbose   print the QEMU command line and the timings
  -h, --help      show this help

exit status: CMD's, or 124 when the timeout expired, 125 when the VM failed
to run CMD (see console.log), 2 on a usage error.

environment: RINGDEV_VM_CACHE, where the initramfs is cached (default
\${XDG_CACHE_HOME:-\$HOME/.cache}/ringdev-vm).
USAGE
}

die()
{
	echo "$PROG: $*" >&2
	exit 125
}

usage_error()
{
	echo "$PROG: $*" >&2
	echo "try '$PROG --help'" >&2
	exit 2
}

timeout=300
out=
mem=1024
kver=
accel=auto
verbose=0
append=
envs=()
while (($#)); do
	case "$1" in
	--timeout|--out|--mem|--kver|--env|--accel|--append)
		(($# >= 2)) || usage_error "$1 needs a value"
		opt=$1 val=$2
		shift 2
		;;
	--timeout=*|--out=*|--mem=*|--kver=*|--env=*|--accel=*|--append=*)
		opt=${1%%=*} val=${1#*=}
		shift
		;;
	-v|--verbose)
		verbose=1
		shift
		continue
		;;
	-h|--help)
		usage
		exit 0
		;;
	--)
		shift
		break
		;;
	-*)
		usage_error "unknown option '$1'"
		;;
	*)
		break
		;;
	esac
	case "$opt" in
	--timeout)
		[[ $val =~ ^[1-9][0-9]*$ ]] || usage_error "--timeout wants a number of seconds, not '$val'"
		timeout=$val
		;;
	--out)
		[[ -n $val ]] || usage_error "--out wants a directory"
		out=$val
		;;
	--mem)
		[[ $val =~ ^[1-9][0-9]*$ ]] || usage_error "--mem wants a number of MiB, not '$val'"
		mem=$val
		;;
	--kver)
		kver=$val
		;;
	--env)
		[[ $val =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || usage_error "--env wants NAME=VALUE, not '$val'"
		envs+=("$val")
		;;
	--append)
		append+=" $val"
		;;
	--accel)
		[[ $val == @(kvm|tcg|auto) ]] || usage_error "--accel wants kvm, tcg or auto"
		accel=$val
		;;
	esac
done
(($#)) || usage_error "no command given"

# --- kernel, initramfs, accelerator ---------------------------------------

command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
[[ -n $kver ]] || kver=$("$HERE/kver.sh") || die "no kernel to boot"
vmlinuz=/boot/vmlinuz-$kver
[[ -e $vmlinuz ]] || die "$vmlinuz not found (apt-get install linux-image-$kver)"
[[ -r $vmlinuz ]] || die "$vmlinuz is not readable (Debian installs it mode 0600): run as root"

cache=${RINGDEV_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/ringdev-vm}/$kver
"$HERE/mkinitramfs.sh" --kver "$kver" "$cache" || die "cannot build the initramfs"
initrd=$cache/initramfs.cpio.gz

# The bzImage decompresses itself (xz) in the guest, which takes seconds
# under TCG.  A kernel built with CONFIG_PVH is an ELF that QEMU starts
# directly, so boot the vmlinux unpacked from it on the host, once.
le_field()
{
	# $1 file, $2 offset, $3 size: a little-endian unsigned integer.
	od -An -t "u$3" -j "$2" -N "$3" "$1" | tr -d ' '
}

unpack_vmlinux()
{
	local img=$1 dst=$2 setup off len tmp

	grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null || return 1
	[[ $(od -An -c -j $((0x202)) -N 4 "$img" | tr -d ' ') == HdrS ]] || return 1
	setup=$(le_field "$img" $((0x1f1)) 1)
	((setup)) || setup=4
	off=$(( (setup + 1) * 512 + $(le_field "$img" $((0x248)) 4) ))
	len=$(le_field "$img" $((0x24c)) 4)
	tmp=$(mktemp "$dst.XXXXXX")
	# The payload is a compressed stream followed by its size.
	if dd if="$img" iflag=skip_bytes,count_bytes skip="$off" count="$len" \
	      bs=1M status=none | xz -dcq --single-stream > "$tmp" 2>/dev/null &&
	   [[ $(od -An -c -N 4 "$tmp" | tr -d ' ') == 177ELF ]]; then
		mv -f "$tmp" "$dst"
		return 0
	fi
	rm -f "$tmp"
	return 1
}

boot_kernel()
{
	local key

	key="$kver $(stat -L -c '%s %Y %i' "$vmlinuz")"
	exec 8>"$cache/.vmlinux.lock"
	flock 8
	if [[ -f $cache/vmlinux && -f $cache/vmlinux.key &&
	      $(<"$cache/vmlinux.key") == "$key" ]] ||
	   unpack_vmlinux "$vmlinuz" "$cache/vmlinux"; then
		echo "$key" > "$cache/vmlinux.key"
		echo "$cache/vmlinux"
	else
		rm -f "$cache/vmlinux" "$cache/vmlinux.key"
		echo "$vmlinuz"
	fi
	exec 8>&-
}
kernel=$(boot_kernel)

# /dev/kvm may open and still not run a guest (nested virtualisation):
# boot the kernel once without a root file system under KVM; it works when
# the kernel gets to its "no root" panic.  The answer is kept per host boot.
kvm_works()
{
	local probe=$cache/kvm-probe key log rc=0

	(exec 3<>/dev/kvm) 2>/dev/null || return 1
	key="$(cat /proc/sys/kernel/random/boot_id 2>/dev/null) $kernel"
	if [[ -f $probe ]] && [[ $(head -n 1 "$probe") == "$key" ]]; then
		[[ $(tail -n 1 "$probe") == yes ]]
		return
	fi
	log=$(mktemp)
	# In a subshell with stderr closed: QEMU may abort() here, and bash
	# would report that.
	(timeout -k 2 10 qemu-system-x86_64 -nographic -nodefaults \
		-no-user-config -no-reboot -accel kvm -cpu host -smp 2 -m 256 \
		-kernel "$kernel" -append "console=ttyS0 panic=-1" \
		-serial "file:$log" -monitor none -nic none \
		< /dev/null > /dev/null; exit $?) 2>/dev/null || rc=$?
	if ((rc == 0)) && grep -q 'Kernel panic' "$log"; then
		printf '%s\nyes\n' "$key" > "$probe"
	else
		printf '%s\nno\n' "$key" > "$probe"
		echo "$PROG: /dev/kvm is there but a KVM guest does not boot; using TCG" >&2
	fi
	rm -f "$log"
	[[ $(tail -n 1 "$probe") == yes ]]
}

if [[ $accel == auto ]]; then
	if kvm_works; then
		accel=kvm
	else
		accel=tcg
	fi
fi
if [[ $accel == kvm ]]; then
	accel_args=(-accel kvm -cpu host)
else
	accel_args=(-accel "tcg,thread=multi" -cpu max)
fi

# --- results directory ----------------------------------------------------

own_out=0
if [[ -z $out ]]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/ringdev-vm.XXXXXX")
	own_out=1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
cwd=$(pwd -P)
[[ $out != *$'\n'* && $cwd != *$'\n'* ]] || die "paths with a newline are not supported"
[[ $out != / ]] || die "--out cannot be /"

rm -rf "$out/.vm"
rm -f "$out"/{output.log,status,status.tmp,console.log,dmesg.txt,qemu.log}
mkdir "$out/.vm"
: > "$out/output.log"
printf '%s\n' "$out" > "$out/.vm/outpath"
# The guest's /tmp and /run are fresh tmpfs: a caller working below them
# (a CI clone in /tmp, say) gets its directory exported read-only.
share_cwd=()
case $cwd in
/tmp/?*|/run/?*)
	printf '%s\n' "$cwd" > "$out/.vm/cwdpath"
	share_cwd=(-virtfs "local,path=$(printf '%s' "${cwd//,/,,}"),mount_tag=cwd,security_model=none,readonly=on,multidevs=remap")
	;;
esac

# The command, as a bash script run in the guest (the host's bash).
{
	echo '# generated by run-in-vm.sh'
	printf 'export RINGDEV_VM_OUT=%q\n' "$out"
	for e in "${envs[@]}"; do
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	printf 'if ! cd -- %q; then\n' "$cwd"
	printf '\techo %q >&2\n\texit 125\nfi\n' \
		"$PROG: cannot cd to $cwd in the guest"
	printf 'timeout=%d\n' "$timeout"
	printf 'cmd=('
	printf ' %q' "$@"
	printf ' )\n'
	cat <<'BODY'
# Kill CMD in the guest shortly before the host kills the VM, so that the
# kernel log after it is still collected.
read -r start _ < /proc/uptime
start=${start%.*}
left=$((timeout - start - 10))
((left >= 1)) || exec "${cmd[@]}"
# (bash's own note on a killed child goes to /dev/null, CMD's stderr not)
{ timeout -k 3 "$left" "${cmd[@]}" 2>&3 3>&-; } 3>&2 2>/dev/null
rc=$?
read -r now _ < /proc/uptime
if ((rc == 124 || rc == 137)) && ((${now%.*} - start >= left)); then
	echo "run-in-vm.sh: timed out after ${left}s in the guest: ${cmd[*]}" >&2
	exit 124
fi
exit $rc
BODY
} > "$out/.vm/cmd.sh"

# --- boot -----------------------------------------------------------------

qemu_path()
{
	# QEMU option values escape a comma by doubling it.
	printf '%s' "${1//,/,,}"
}

qemu=(qemu-system-x86_64
	-nographic -nodefaults -no-user-config -no-reboot
	"${accel_args[@]}" -smp 2 -m "$mem"
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 quiet loglevel=3 log_buf_len=8M cryptomgr.notests panic=-1$append"
	-chardev "file,id=console,path=$(qemu_path "$out/console.log")"
	-serial chardev:console -monitor none -nic none
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$(qemu_path "$out"),mount_tag=outdir,security_model=none,multidevs=remap"
	"${share_cwd[@]}")
((!verbose)) || echo "$PROG: ${qemu[*]}" >&2

t0=$(date +%s.%N)
timeout -k 5 "$timeout" "${qemu[@]}" < /dev/null > "$out/qemu.log" 2>&1 &
qpid=$!
tail -n +1 -s 0.1 -f --pid="$qpid" "$out/output.log" &
tpid=$!
# shellcheck disable=SC2317  # called from the traps
cleanup()
{
	kill "$qpid" "$tpid" 2>/dev/null || true
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

qrc=0
# (2>/dev/null: bash's note when QEMU dies of a signal; qemu.log tells more)
wait "$qpid" 2>/dev/null || qrc=$?
wait "$tpid" || true
t1=$(date +%s.%N)

# --- result ---------------------------------------------------------------

if ((qrc == 124 || qrc == 137)); then
	echo "$PROG: timed out after ${timeout}s, VM killed; logs in $out" >&2
	exit 124
fi

if [[ ! -f $out/status ]]; then
	echo "$PROG: the guest did not report an exit status (QEMU exit $qrc); logs in $out" >&2
	if [[ -s $out/qemu.log ]]; then
		echo "$PROG: --- qemu.log ---" >&2
		tail -n 20 "$out/qemu.log" >&2
	fi
	if [[ -s $out/console.log ]]; then
		echo "$PROG: --- console.log ---" >&2
		grep -m 1 -E 'Kernel panic|vm-init:' "$out/console.log" >&2 || true
		echo "..." >&2
		tail -n 20 "$out/console.log" >&2
	fi
	exit 125
fi
rc=$(<"$out/status")
[[ $rc =~ ^[0-9]+$ ]] || die "bad exit status '$rc' in $out/status"

if [[ -f $out/dmesg.txt ]] &&
   grep -qE 'WARNING:|BUG:|Oops|general protection fault|Call Trace:' "$out/dmesg.txt"; then
	echo "$PROG: the guest kernel logged a warning or oops; see $out/dmesg.txt" >&2
	((!own_out)) || own_out=2
fi

if ((verbose)); then
	awk -v t0="$t0" -v t1="$t1" -v accel="$accel" '
		$1 == "start" { s = $2 } $1 == "end" { e = $2 }
		END { printf "run-in-vm.sh: %s: kernel boot to command %.2fs, command %.2fs, total %.2fs\n",
		      accel, s, e - s, t1 - t0 }' "$out/.vm/times" >&2
fi

if ((own_out == 1 && rc == 0)); then
	rm -rf "$out"
elif ((own_out)); then
	echo "$PROG: exit status $rc; logs in $out" >&2
fi
exit "$rc"

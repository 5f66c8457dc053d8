#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# run.sh - the GPU stage of `make check`: compile-checks the device API with
# nvcc (no GPU needed), builds the GPU tests, and when a GPU is visible runs
# them and then ringbench's gpu scenario.  Exit 0 pass, 1 fail, 77 skip (no
# nvcc, or no GPU: then only the compile check ran).  Environment: O (build
# dir, default build), NVCC, RINGBENCH_ARGS (extra ringbench options).
set -euo pipefail
cd "$(dirname "$0")/../.."

O=${O:-build}
NVCC=${NVCC:-}
if [ -z "$NVCC" ]; then
	if [ -x /usr/local/cuda/bin/nvcc ]; then NVCC=/usr/local/cuda/bin/nvcc
	elif command -v nvcc >/dev/null 2>&1; then NVCC=$(command -v nvcc)
	fi
fi
if [ -z "$NVCC" ]; then
	echo "SKIP gpu: no nvcc (install the CUDA toolkit); nothing compiled, nothing run"
	exit 77
fi

echo "== gpu: nvcc $("$NVCC" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
make -s -j"$(nproc)" O="$O" NVCC="$NVCC" lib cuda

# 1. Compile check: the device header and the shared ring core, with nvcc,
#    for every architecture the build targets.  Runs with or without a GPU.
out=$O/cuda/compile_check
mkdir -p "$out"
cp tests/gpu/compile_check.cu.in "$out/compile_check.cu"
"$NVCC" -std=c++17 -D_GNU_SOURCE -Iinclude -Iinclude/uapi \
	-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
	-gencode arch=compute_90,code=compute_90 \
	-Xcompiler -Wall,-Wextra,-Werror -Werror all-warnings -cudart shared \
	-o "$out/compile_check" "$out/compile_check.cu" "$O/libringdev.a" -Xlinker -lpthread
echo "ok   gpu.compile_check (device API + ring core built by nvcc for sm_80, sm_90, compute_90)"
# The host half of that program needs no GPU: run it.
"$out/compile_check"
echo "ok   gpu.compile_check.host (the same ring.h on the host, in a .cu)"

# 2. The GPU tests: each exits 77 when no GPU is visible.
rc=0 ran=0 skipped=0
for t in "$O"/cuda/tests/*; do
	[ -x "$t" ] || continue
	name=gpu.$(basename "$t")
	set +e
	timeout --kill-after=10 300 "$t"
	trc=$?
	set -e
	case $trc in
	0) echo "ok   $name"; ran=$((ran + 1)) ;;
	77) echo "skip $name (no GPU visible)"; skipped=$((skipped + 1)) ;;
	*) echo "FAIL $name (exit $trc)"; rc=1 ;;
	esac
done

if [ $rc -ne 0 ]; then
	exit 1
fi
if [ $ran -eq 0 ]; then
	echo "SKIP gpu: no GPU visible; only the compile check ran" \
	     "($skipped GPU test programs built, not run)"
	exit 77
fi
echo "gpu: $ran GPU test programs passed"

# 3. The GPU benchmark: ringbench's gpu scenario, with its device code from
#    $O/cuda/ringbench-gpu.so.  A missed target is reported, not a failure.
make -s -j"$(nproc)" O="$O" tools
set +e
"$O"/ringbench --only gpu --json "$O/cuda/ringbench-gpu.json" ${RINGBENCH_ARGS:-}
brc=$?
set -e
if [ $brc -ne 0 ]; then
	echo "FAIL gpu.ringbench (exit $brc)"
	exit 1
fi
echo "ok   gpu.ringbench (JSON: $O/cuda/ringbench-gpu.json)"

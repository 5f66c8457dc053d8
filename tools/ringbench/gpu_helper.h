/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * gpu_helper.h - what ringbench's GPU helper library (gpu_helper.cu, built
 * by nvcc into $(O)/cuda/ringbench-gpu.so) gives the gpu scenario, which
 * loads it with dlopen() so that ringbench itself needs no CUDA to build.
 */
#ifndef RINGBENCH_GPU_HELPER_H
#define RINGBENCH_GPU_HELPER_H

#include <stdint.h>
#include <ringdev/cuda.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RBGPU_ABI	1U
#define RBGPU_SYMBOL	"rbgpu_ops"

/* What the probe kernel answers each message with: device clock, ns. */
struct rbgpu_probe_msg {
	uint64_t seen_ns;	/* the loop found the message */
	uint64_t sent_ns;	/* the handler answered */
};

struct rbgpu_ops {
	unsigned int abi;	/* RBGPU_ABI */
	int simulated;		/* 1: built for tests/gpu/sim, host threads */
	/* Answers a call with, or emits, a struct rbgpu_probe_msg. */
	const struct ringdev_cuda_type *probe;
	/* The echo sample: a call's reply or an emit with the same payload. */
	const struct ringdev_cuda_type *echo;
	/*
	 * Time @n launches of an empty kernel, each followed by
	 * cudaStreamSynchronize(), after a few untimed ones, with @now
	 * (ringbench's clock) into @out.  Return: 0, or -errno after printing why.
	 */
	int (*launch_sync)(unsigned int n, uint64_t (*now)(void), uint64_t *out);
};

#ifdef __cplusplus
}
#endif

#endif /* RINGBENCH_GPU_HELPER_H */

/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * gpu_test.h - shared by the GPU tests: the host unit-test harness, the
 * "no GPU visible" skip (exit 77) and a runtime on the cuda backend with
 * the sample kernels registered.
 */
#ifndef RINGDEV_GPU_TEST_H
#define RINGDEV_GPU_TEST_H

#include <ringdev/cuda/kernel.cuh>
#include <ringdev/ringdev.h>
#include "samples.h"
#include "../unit/test.h"

#define SEC 1000000000LL

/* Exit 77 unless the CUDA runtime sees a GPU. */
static inline void gpu_or_skip(const char *prog)
{
	int n = 0;
	cudaError_t err = cudaGetDeviceCount(&n);

	if (err != cudaSuccess || n == 0) {
		printf("SKIP %s: no GPU visible (%s)\n", prog,
		       err != cudaSuccess ? cudaGetErrorString(err) : "0 devices");
		exit(T_SKIP);
	}
}

/* A runtime on the cuda backend with the samples registered. */
static inline struct ringdev_rt *gpu_rt(void)
{
	struct ringdev_rt_opts o;
	struct ringdev_rt *rt;

	memset(&o, 0, sizeof(o));
	o.backend = RINGDEV_BACKEND_CUDA;
	if (ringdev_rt_open(&o, &rt))
		return NULL;
	if (ringdev_rt_register_cuda(rt, &ringdev_sample_echo) ||
	    ringdev_rt_register_cuda(rt, &ringdev_sample_saxpy) ||
	    ringdev_rt_register_cuda(rt, &ringdev_sample_stats)) {
		ringdev_rt_close(rt);
		return NULL;
	}
	return rt;
}

/* Spawn @type with @slot_size slots, active at once. */
static inline int gpu_spawn(struct ringdev_rt *rt, const char *type, __u32 slot_size,
			    __u32 flags, struct ringdev_kernel **k)
{
	struct ringdev_launch_opts lo;

	ringdev_launch_opts_init(&lo);
	lo.slot_size = slot_size;
	lo.capacity = 256;
	lo.flags = flags;
	return ringdev_kernel_spawn(rt, type, &lo, k);
}

#endif /* RINGDEV_GPU_TEST_H */

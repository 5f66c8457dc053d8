/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * cuda_sim.h - lets a host C++ compiler build ring-kernel .cu files for the
 * host simulation (cudart_sim.c): CUDA's qualifiers, thread coordinates,
 * __syncthreads() and __nanosleep() on host threads.  Forced in front of
 * every source with -include, together with -DRINGDEV_CUDA_SIM, which makes
 * <ringdev/cuda/kernel.cuh> launch through rdsim_launch() and read the
 * host clock for %globaltimer.  libcu++ (<cuda/atomic>) is used as is: its
 * host implementation backs the same atomic_ref calls.
 */
#ifndef RINGDEV_CUDA_SIM_H
#define RINGDEV_CUDA_SIM_H

#ifndef RINGDEV_CUDA_SIM
#error "build with -DRINGDEV_CUDA_SIM"
#endif

#include <time.h>
#include "cudart_sim.h"

/* <cuda_runtime_api.h> defined these for host code; device code needs them so: */
#undef __host__
#undef __device__
#undef __global__
#undef __forceinline__
#undef __launch_bounds__
#undef __align__
#undef __shared__
#define __host__
/* nvcc does not warn about device functions a file leaves unused; neither do we. */
#define __device__		__attribute__((unused))
#define __global__
#define __forceinline__		inline __attribute__((always_inline))
#define __launch_bounds__(n)
#define __align__(n)		__attribute__((aligned(n)))
/* One block of a kernel at a time (rdsim_launch()): static storage is per block. */
#define __shared__		static

static inline void __syncthreads(void)
{
	rdsim_syncthreads();
}

static inline void __nanosleep(unsigned int ns)
{
	struct timespec ts = { 0, (long)ns };

	nanosleep(&ts, NULL);
}

#endif /* RINGDEV_CUDA_SIM_H */

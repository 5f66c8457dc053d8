/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * cudart_sim.h - the CUDA runtime subset that libringdev's CUDA backend and
 * the GPU tests call, implemented by cudart_sim.c (a stand-in
 * libcudart.so.13 that runs "device" code on host threads), is declared by
 * the toolkit's own <cuda_runtime_api.h>; this adds the block-launch hooks
 * that the simulated device code of cuda_sim.h uses.  See
 * Documentation/cuda.rst, "Host simulation".
 */
#ifndef RINGDEV_CUDART_SIM_H
#define RINGDEV_CUDART_SIM_H

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* This host thread's place in its simulated block. */
extern __thread uint3 threadIdx, blockDim;

/**
 * rdsim_launch() - run @entry(@arg) on @threads host threads, one block
 * @stream: what cudaStreamSynchronize() later waits on
 * @threads: block size, 1..1024
 * @entry: the kernel's entry; every thread calls it with a copy of @arg
 * @arg: @arg_size bytes, copied
 * @arg_size: bytes of @arg
 *
 * The block's __shared__ variables are static storage of @entry's code, so
 * only one block of a given @entry may run at a time: a second launch fails
 * with cudaErrorLaunchFailure and says why.  Errors are also left for
 * cudaGetLastError(), like a failed <<<>>> launch.
 *
 * Return: cudaSuccess or the error.
 */
cudaError_t rdsim_launch(cudaStream_t stream, unsigned int threads, void (*entry)(const void *),
			 const void *arg, size_t arg_size);

/* __syncthreads() of the calling thread's block. */
void rdsim_syncthreads(void);

/* A polling loop found nothing: let the host threads the "GPU" shares CPUs with run. */
void rdsim_idle(void);

/* The simulated %globaltimer: CLOCK_MONOTONIC, ns. */
unsigned long long rdsim_globaltimer(void);

#ifdef __cplusplus
}
#endif

#endif /* RINGDEV_CUDART_SIM_H */

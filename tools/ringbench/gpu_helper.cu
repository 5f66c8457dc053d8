// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * gpu_helper.cu - ringbench's device code, loaded by its gpu scenario with
 * dlopen(): a probe kernel type that reports when the GPU saw and answered
 * each message, the echo sample, and timed launches of an empty kernel (the
 * baseline).  Built by nvcc into $(O)/cuda/ringbench-gpu.so, and for the
 * host simulation into $(O)/cudasim/ringbench-gpu.so.
 */
#include <ringdev/cuda/kernel.cuh>
#include <errno.h>
#include "samples.h"
#include "gpu_helper.h"

#define RBGPU_WARM_LAUNCHES	10U

static __device__ int probe(struct ringdev_cuda_ctx *ctx, const struct ringdev_envelope *env,
			    const void *payload)
{
	__shared__ struct rbgpu_probe_msg m;

	(void)payload;
	if (threadIdx.x == 0) {
		m.seen_ns = ringdev_cuda_seen_ns(ctx);
		m.sent_ns = ringdev_cuda_now_ns();
	}
	__syncthreads();
	if (ringdev_cuda_is_call(ctx))
		return ringdev_cuda_reply(ctx, &m, sizeof(m));
	return ringdev_cuda_emit(ctx, env->type, &m, sizeof(m));
}

/* One warp: the probe's work is thread 0's. */
RINGDEV_CUDA_KERNEL_TYPE_EX(rbgpu_probe_type, "ringbench-gpu-probe", probe, 0, 32, NULL, NULL);

static __global__ void rbgpu_empty(void)
{
}

#ifdef RINGDEV_CUDA_SIM
static void rbgpu_empty_entry(const void *arg)
{
	(void)arg;
	rbgpu_empty();
}
#endif

static int launch_sync(unsigned int n, uint64_t (*now)(void), uint64_t *out)
{
	cudaStream_t s;
	cudaError_t err;
	unsigned int i;

	err = cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
	if (err != cudaSuccess) {
		fprintf(stderr, "ringbench: gpu: cudaStreamCreateWithFlags: %s\n",
			cudaGetErrorString(err));
		return -EIO;
	}
	for (i = 0; i < RBGPU_WARM_LAUNCHES + n; i++) {
		uint64_t t0 = now(), t1;

#ifdef RINGDEV_CUDA_SIM
		rdsim_launch(s, 1, rbgpu_empty_entry, NULL, 0);
#else
		rbgpu_empty<<<1, 1, 0, s>>>();
#endif
		err = cudaGetLastError();
		if (err == cudaSuccess)
			err = cudaStreamSynchronize(s);
		t1 = now();
		if (err != cudaSuccess)
			break;
		if (i >= RBGPU_WARM_LAUNCHES)
			out[i - RBGPU_WARM_LAUNCHES] = t1 - t0;
	}
	if (err != cudaSuccess)
		fprintf(stderr, "ringbench: gpu: empty kernel launch + sync: %s\n",
			cudaGetErrorString(err));
	cudaStreamDestroy(s);
	return err == cudaSuccess ? 0 : -EIO;
}

extern "C" __attribute__((visibility("default"))) const struct rbgpu_ops rbgpu_ops = {
	RBGPU_ABI,
#ifdef RINGDEV_CUDA_SIM
	1,
#else
	0,
#endif
	&rbgpu_probe_type,
	&ringdev_sample_echo,
	launch_sync,
};

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* echo.cu - sample GPU ring kernel: answers a call with its own payload. */
#include <ringdev/cuda/kernel.cuh>
#include "samples.h"

static __device__ int echo(struct ringdev_cuda_ctx *ctx, const struct ringdev_envelope *env,
			   const void *payload)
{
	/* The payload is read in place, in host memory, and copied out. */
	if (ringdev_cuda_is_call(ctx))
		return ringdev_cuda_reply(ctx, payload, env->len);
	return ringdev_cuda_emit(ctx, env->type, payload, env->len);
}

RINGDEV_CUDA_KERNEL_TYPE(ringdev_sample_echo, "cuda-echo", echo, 0);

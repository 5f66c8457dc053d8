// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* saxpy.cu - sample GPU ring kernel: y = a * x + y on a message's floats. */
#include <ringdev/cuda/kernel.cuh>
#include "samples.h"

static __device__ int saxpy(struct ringdev_cuda_ctx *ctx, const struct ringdev_envelope *env,
			    const void *payload)
{
	const struct ringdev_saxpy_hdr *h = (const struct ringdev_saxpy_hdr *)payload;
	const float *x, *y;
	float *out;
	__u32 i, n;

	if (env->len < sizeof(*h))
		return -EINVAL;
	n = h->n;	/* host memory: read once, then checked */
	if (n > (env->len - sizeof(*h)) / (2 * sizeof(float)) ||
	    env->len != sizeof(*h) + 2ull * n * sizeof(float))
		return -EINVAL;
	x = (const float *)(h + 1);
	y = x + n;
	/* The result is written straight into the reply slot. */
	out = (float *)ringdev_cuda_reply_begin(ctx, n * (__u32)sizeof(float));
	if (!out)
		return ctx->out_rc;
	for (i = threadIdx.x; i < n; i += blockDim.x)
		out[i] = h->a * x[i] + y[i];
	ringdev_cuda_commit(ctx);
	return 0;
}

RINGDEV_CUDA_KERNEL_TYPE(ringdev_sample_saxpy, "cuda-saxpy", saxpy, 0);

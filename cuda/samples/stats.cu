// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * stats.cu - sample stateful GPU ring kernel: running count, mean and
 * variance of every float sent to it, kept in GPU shared memory between
 * messages.  Each message is reduced in parallel (per-thread Welford, then
 * Chan's pairwise merge) and merged into the running state.
 */
#include <ringdev/cuda/kernel.cuh>
#include "samples.h"

#define STATS_THREADS 128U

struct part {
	double n, mean, m2;
};

/* Chan et al.: merge the summary b into a. */
static __device__ void merge(struct part *a, const struct part *b)
{
	double n = a->n + b->n, d;

	if (b->n == 0)
		return;
	if (a->n == 0) {
		*a = *b;
		return;
	}
	d = b->mean - a->mean;
	a->mean += d * b->n / n;
	a->m2 += b->m2 + d * d * a->n * b->n / n;
	a->n = n;
}

static __device__ int stats(struct ringdev_cuda_ctx *ctx, const struct ringdev_envelope *env,
			    const void *payload)
{
	__shared__ struct part parts[STATS_THREADS];
	struct ringdev_stats_state *st = (struct ringdev_stats_state *)ringdev_cuda_state(ctx);
	struct ringdev_stats_reply r;
	struct part p = { 0, 0, 0 };
	__u32 i, n = env->len / sizeof(float);
	const float *v = (const float *)payload;

	switch (env->type) {
	case RINGDEV_STATS_ADD:
		if (env->len % sizeof(float))
			return -EINVAL;
		for (i = threadIdx.x; i < n; i += blockDim.x) {
			double d = (double)v[i] - p.mean;

			p.n += 1;
			p.mean += d / p.n;
			p.m2 += d * ((double)v[i] - p.mean);
		}
		parts[threadIdx.x] = p;
		__syncthreads();
		for (i = blockDim.x / 2; i; i /= 2) {
			if (threadIdx.x < i)
				merge(&parts[threadIdx.x], &parts[threadIdx.x + i]);
			__syncthreads();
		}
		if (threadIdx.x == 0) {
			struct part s = { (double)st->count, st->mean, st->m2 };

			merge(&s, &parts[0]);
			st->count += n;
			st->mean = s.mean;
			st->m2 = s.m2;
		}
		break;
	case RINGDEV_STATS_RESET:
		if (threadIdx.x == 0)
			memset(st, 0, sizeof(*st));
		break;
	case RINGDEV_STATS_GET:
		break;
	default:
		return -EINVAL;
	}
	__syncthreads();
	r.count = st->count;
	r.mean = st->mean;
	r.m2 = st->m2;
	r.variance = st->count > 1 ? st->m2 / (double)(st->count - 1) : 0.0;
	if (!ringdev_cuda_is_call(ctx))
		return 0;
	return ringdev_cuda_reply(ctx, &r, sizeof(r));
}

RINGDEV_CUDA_KERNEL_TYPE_EX(ringdev_sample_stats, "cuda-stats", stats,
			    sizeof(struct ringdev_stats_state), STATS_THREADS, NULL, NULL);

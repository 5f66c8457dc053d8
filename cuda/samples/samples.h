/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * samples.h - the sample GPU ring kernels (echo, saxpy, stats): their
 * types and message formats, for C and CUDA programs that launch them.
 */
#ifndef RINGDEV_CUDA_SAMPLES_H
#define RINGDEV_CUDA_SAMPLES_H

#include <ringdev/cuda.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "cuda-echo": a call is answered with its payload; anything else is emitted back. */
extern const struct ringdev_cuda_type ringdev_sample_echo;

/*
 * "cuda-saxpy": the request is a header, then n floats x, then n floats y;
 * the reply is the n floats a * x + y.  A malformed request is answered
 * with -EINVAL.
 */
struct ringdev_saxpy_hdr {
	__u32 n;
	float a;
};
extern const struct ringdev_cuda_type ringdev_sample_saxpy;

/*
 * "cuda-stats": running count, mean and M2 (Welford / Chan) of every float
 * it was sent, kept in the kernel's state on the GPU between messages.
 */
#define RINGDEV_STATS_ADD	1U	/* payload: floats; reply: the stats */
#define RINGDEV_STATS_GET	2U	/* reply: the stats */
#define RINGDEV_STATS_RESET	3U	/* reply: the (zero) stats */

struct ringdev_stats_state {
	__u64 count;
	double mean;
	double m2;		/* sum of squared deviations from the mean */
};

struct ringdev_stats_reply {
	__u64 count;
	double mean;
	double m2;
	double variance;	/* m2 / (count - 1), 0 below two values */
};
extern const struct ringdev_cuda_type ringdev_sample_stats;

#ifdef __cplusplus
}
#endif

#endif /* RINGDEV_CUDA_SAMPLES_H */

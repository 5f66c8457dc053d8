// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* stats.c - log-linear latency histogram, percentiles and medians of runs. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/*
 * Log-linear buckets: values below 2 * RB_SUB are exact; above, each power
 * of two is split into RB_SUB equal buckets, so a bucket is at most 1/128
 * (0.8 %) of its value wide.  Recording is a shift, a subtraction and an
 * increment; 64-bit values need 2 * RB_SUB + (63 - RB_SUB_BITS) * RB_SUB
 * buckets (58 KiB).
 */
#define RB_SUB_BITS	7
#define RB_SUB		(1U << RB_SUB_BITS)
#define RB_BUCKETS	(2 * RB_SUB + (63 - RB_SUB_BITS) * RB_SUB)

struct rb_hist {
	uint64_t count;
	uint64_t max;
	double sum;
	uint64_t b[RB_BUCKETS];
};

/* Bucket index of @v. */
static unsigned int bucket_of(uint64_t v)
{
	unsigned int k, shift;

	if (v < 2 * RB_SUB)
		return (unsigned int)v;
	k = 63 - (unsigned int)__builtin_clzll(v);	/* >= RB_SUB_BITS + 1 */
	shift = k - RB_SUB_BITS;
	return 2 * RB_SUB + (k - RB_SUB_BITS - 1) * RB_SUB +
	       (unsigned int)((v >> shift) - RB_SUB);
}

/* Middle of bucket @i's value range. */
static double bucket_mid(unsigned int i)
{
	unsigned int k, shift;
	uint64_t m;

	if (i < 2 * RB_SUB)
		return (double)i;
	k = (i - 2 * RB_SUB) / RB_SUB + RB_SUB_BITS + 1;
	shift = k - RB_SUB_BITS;
	m = RB_SUB + (i - 2 * RB_SUB) % RB_SUB;
	return (double)(m << shift) + (double)((1ULL << shift) - 1) / 2.0;
}

/** rb_hist_new() - an empty histogram, or NULL when out of memory */
struct rb_hist *rb_hist_new(void)
{
	return calloc(1, sizeof(struct rb_hist));
}

/** rb_hist_free() - free @h; NULL is a no-op */
void rb_hist_free(struct rb_hist *h)
{
	free(h);
}

/** rb_hist_reset() - forget every sample in @h */
void rb_hist_reset(struct rb_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/** rb_hist_add() - record one sample @v (timer ticks) in @h */
void rb_hist_add(struct rb_hist *h, uint64_t v)
{
	h->b[bucket_of(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v > h->max)
		h->max = v;
}

/** rb_hist_count() - samples recorded in @h */
uint64_t rb_hist_count(const struct rb_hist *h)
{
	return h->count;
}

/**
 * rb_hist_pct() - the @pct-th percentile (0..100) of @h
 *
 * Return: the middle of the bucket holding the sample of that rank, capped
 * at the exact maximum; 0 for an empty histogram.
 */
double rb_hist_pct(const struct rb_hist *h, double pct)
{
	uint64_t rank, seen = 0;
	unsigned int i;
	double v;

	if (!h->count)
		return 0;
	rank = (uint64_t)(pct / 100.0 * (double)h->count);
	if (rank >= h->count)
		rank = h->count - 1;
	for (i = 0; i < RB_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > rank)
			break;
	}
	v = bucket_mid(i < RB_BUCKETS ? i : RB_BUCKETS - 1);
	return v > (double)h->max ? (double)h->max : v;
}

/** rb_hist_max() - the largest sample in @h, exact */
double rb_hist_max(const struct rb_hist *h)
{
	return (double)h->max;
}

/** rb_hist_mean() - the mean of the samples in @h */
double rb_hist_mean(const struct rb_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}

/* qsort comparator for doubles. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/**
 * rb_median() - median of @n values (sorted in place)
 *
 * Return: the middle value, the mean of the two middle ones for even @n,
 * 0 when @n is 0.
 */
double rb_median(double *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/** rb_lat_runs_add() - keep one run's percentiles of @h (ticks) in @lr */
void rb_lat_runs_add(struct rb_lat_runs *lr, const struct rb_hist *h)
{
	unsigned int i = lr->n;

	if (i >= RB_MAX_REPS)
		return;
	lr->p50[i] = rb_hist_pct(h, 50);
	lr->p99[i] = rb_hist_pct(h, 99);
	lr->p999[i] = rb_hist_pct(h, 99.9);
	lr->max[i] = rb_hist_max(h);
	lr->mean[i] = rb_hist_mean(h);
	lr->n++;
}

/** rb_lat_runs_store() - write the medians of @lr's runs, in ns, to @row */
void rb_lat_runs_store(struct rb_lat_runs *lr, struct rb_row *row)
{
	row->p50 = rb_ticks_to_ns(rb_median(lr->p50, lr->n));
	row->p99 = rb_ticks_to_ns(rb_median(lr->p99, lr->n));
	row->p999 = rb_ticks_to_ns(rb_median(lr->p999, lr->n));
	row->max = rb_ticks_to_ns(rb_median(lr->max, lr->n));
	row->mean = rb_ticks_to_ns(rb_median(lr->mean, lr->n));
}

/** rb_hist_merge() - add every sample of @src to @dst */
void rb_hist_merge(struct rb_hist *dst, const struct rb_hist *src)
{
	unsigned int i;

	for (i = 0; i < RB_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
}

/**
 * rb_hist_buckets() - the non-empty buckets of @h, lowest first
 * @h: the histogram
 * @lo: receives each bucket's lowest value (ticks)
 * @hi: receives each bucket's highest value + 1 (ticks)
 * @count: receives each bucket's samples
 * @max: room in the three arrays
 *
 * Return: buckets written.
 */
unsigned int rb_hist_buckets(const struct rb_hist *h, double *lo, double *hi,
			     uint64_t *count, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < RB_BUCKETS && n < max; i++) {
		double w;

		if (!h->b[i])
			continue;
		w = i < 2 * RB_SUB ? 1.0 :
		    (double)(1ULL << ((i - 2 * RB_SUB) / RB_SUB + 1));
		lo[n] = bucket_mid(i) - (w - 1) / 2.0;
		hi[n] = lo[n] + w;
		count[n] = h->b[i];
		n++;
	}
	return n;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * hlc.c - the hybrid logical clock: packing, per-thread monotonicity,
 * uniqueness under concurrent ticks on every core, update's drift
 * rejection and max rule, counter carry, and causal order across two
 * clocks exchanging timestamps.
 */
#include <pthread.h>
#include <unistd.h>
#include <ringdev/hlc.h>
#include "test.h"

#define FUTURE_MS	3600000ULL	/* an hour: far beyond any test's run time */

static int test_pack(void)
{
	struct ringdev_hlc h;
	__u64 before, after, ts;

	T_EQ(ringdev_hlc_init(NULL, 0), -EINVAL);
	ts = ringdev_hlc_pack(0x123456789abcULL, 0xfedc);
	T_EQ(ts, 0x123456789abcfedcULL);
	T_EQ(ringdev_hlc_physical_ms(ts), 0x123456789abcULL);
	T_EQ(ringdev_hlc_logical(ts), 0xfedc);
	/* Out-of-range parts are truncated, not smeared into each other. */
	T_EQ(ringdev_hlc_pack(~0ULL, 0x10001), (~0ULL << 16) | 1);
	T_EQ(ringdev_hlc_physical_ms(~0ULL), RINGDEV_HLC_PHYSICAL_MAX);

	before = ringdev_hlc_now_ms();
	T_ASSERT(before > 1600000000000ULL && before < RINGDEV_HLC_PHYSICAL_MAX,
		 "now_ms %llu is not a plausible epoch time", (unsigned long long)before);
	T_EQ(ringdev_hlc_init(&h, 1000), 0);
	T_EQ(h.last, 0);
	ts = ringdev_hlc_tick(&h);
	after = ringdev_hlc_now_ms();
	/* A fresh clock's first tick is the physical time with counter 0. */
	T_ASSERT(ringdev_hlc_physical_ms(ts) >= before && ringdev_hlc_physical_ms(ts) <= after,
		 "first tick %llu ms outside [%llu, %llu]",
		 (unsigned long long)ringdev_hlc_physical_ms(ts),
		 (unsigned long long)before, (unsigned long long)after);
	T_EQ(ringdev_hlc_logical(ts), 0);
	T_EQ(h.last, ts);
	return T_PASS;
}

static int test_monotonic(void)
{
	unsigned long i, n = t_scale(1000000);
	struct ringdev_hlc h;
	__u64 prev, ts, now;

	T_EQ(ringdev_hlc_init(&h, 1000), 0);
	prev = ringdev_hlc_tick(&h);
	for (i = 0; i < n; i++) {
		ts = ringdev_hlc_tick(&h);
		T_ASSERT(ts > prev, "tick %lu: %#llx after %#llx", i,
			 (unsigned long long)ts, (unsigned long long)prev);
		prev = ts;
	}
	/* It runs ahead of the wall clock by at most one ms per 65536 ticks. */
	now = ringdev_hlc_now_ms();
	T_ASSERT(ringdev_hlc_physical_ms(prev) <= now + n / 65536 + 1,
		 "clock %llu ms, wall %llu ms after %lu ticks",
		 (unsigned long long)ringdev_hlc_physical_ms(prev),
		 (unsigned long long)now, n);
	return T_PASS;
}

struct tick_arg {
	struct ringdev_hlc *h;
	pthread_barrier_t *go;
	__u64 *out;
	unsigned long n;
};

static void *ticker(void *p)
{
	struct tick_arg *a = p;
	unsigned long i;

	pthread_barrier_wait(a->go);
	for (i = 0; i < a->n; i++)
		a->out[i] = ringdev_hlc_tick(a->h);
	return NULL;
}

static int cmp_u64(const void *x, const void *y)
{
	__u64 a = *(const __u64 *)x, b = *(const __u64 *)y;

	return a < b ? -1 : a > b;
}

/* 2 x nproc threads tick one clock: no value twice, none out of order. */
static int test_concurrent_unique(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long nthr = (unsigned long)(ncpu > 0 ? ncpu : 1) * 2;
	unsigned long per = t_scale(1000000) / nthr + 1, total = per * nthr, i, t;
	struct tick_arg *args = calloc(nthr, sizeof(*args));
	pthread_t *tids = calloc(nthr, sizeof(*tids));
	__u64 *all = malloc(total * sizeof(*all));
	struct ringdev_hlc h;
	pthread_barrier_t go;

	T_ASSERT(args && tids && all, "alloc");
	T_EQ(ringdev_hlc_init(&h, 1000), 0);
	T_EQ(pthread_barrier_init(&go, NULL, (unsigned int)nthr), 0);
	for (t = 0; t < nthr; t++) {
		args[t] = (struct tick_arg){ &h, &go, all + t * per, per };
		T_EQ(pthread_create(&tids[t], NULL, ticker, &args[t]), 0);
	}
	for (t = 0; t < nthr; t++)
		T_EQ(pthread_join(tids[t], NULL), 0);
	pthread_barrier_destroy(&go);

	for (t = 0; t < nthr; t++)
		for (i = 1; i < per; i++)
			T_ASSERT(args[t].out[i] > args[t].out[i - 1],
				 "thread %lu tick %lu: %#llx after %#llx", t, i,
				 (unsigned long long)args[t].out[i],
				 (unsigned long long)args[t].out[i - 1]);
	qsort(all, total, sizeof(*all), cmp_u64);
	for (i = 1; i < total; i++)
		T_ASSERT(all[i] != all[i - 1], "%#llx issued twice",
			 (unsigned long long)all[i]);
	/* The clock holds the greatest value handed out. */
	T_EQ(h.last, all[total - 1]);
	free(all);
	free(tids);
	free(args);
	return T_PASS;
}

static int test_update_too_far_ahead(void)
{
	struct ringdev_hlc h;
	__u64 last, out = 42, remote;

	T_EQ(ringdev_hlc_init(&h, 1000), 0);
	last = ringdev_hlc_tick(&h);
	remote = ringdev_hlc_pack(ringdev_hlc_now_ms() + FUTURE_MS, 5);
	T_EQ(ringdev_hlc_update(&h, remote, &out), -ERANGE);
	T_EQ(h.last, last);
	T_EQ(out, 42);
	T_EQ(ringdev_hlc_update(&h, ~0ULL, &out), -ERANGE);
	T_EQ(h.last, last);

	/* ~0 accepts any drift, but still not the timestamp with no successor. */
	T_EQ(ringdev_hlc_init(&h, ~0ULL), 0);
	T_EQ(ringdev_hlc_update(&h, remote, &out), 0);
	T_EQ(out, remote + 1);
	T_EQ(ringdev_hlc_update(&h, ~0ULL, &out), -ERANGE);
	T_EQ(h.last, remote + 1);
	return T_PASS;
}

/* Exactly max_drift_ms ahead is accepted; one more is not. */
static int test_update_drift_boundary(void)
{
	struct ringdev_hlc h;
	__u64 now, out, last = 0;
	int tries, rc = 0;

	T_EQ(ringdev_hlc_init(&h, 50), 0);
	now = ringdev_hlc_now_ms();
	T_EQ(ringdev_hlc_update(&h, ringdev_hlc_pack(now + 50, 9), &out), 0);
	T_EQ(out, ringdev_hlc_pack(now + 50, 10));

	/* Retry until the physical clock holds still across the call. */
	for (tries = 0; tries < 1000; tries++) {
		last = h.last;
		now = ringdev_hlc_now_ms();
		rc = ringdev_hlc_update(&h, ringdev_hlc_pack(now + 51, 0), &out);
		if (ringdev_hlc_now_ms() == now)
			break;
	}
	T_ASSERT(tries < 1000, "physical clock never held still");
	T_EQ(rc, -ERANGE);
	T_EQ(h.last, last);

	/* No drift allowed: the present is fine, the next ms is not. */
	T_EQ(ringdev_hlc_init(&h, 0), 0);
	now = ringdev_hlc_now_ms();
	T_EQ(ringdev_hlc_update(&h, ringdev_hlc_pack(now, 3), &out), 0);
	T_ASSERT(out > ringdev_hlc_pack(now, 3), "%#llx", (unsigned long long)out);
	T_EQ(ringdev_hlc_update(&h, ringdev_hlc_pack(now + FUTURE_MS, 0), &out), -ERANGE);
	return T_PASS;
}

static int test_update_slightly_ahead(void)
{
	struct ringdev_hlc h;
	__u64 remote, out, ts;

	T_EQ(ringdev_hlc_init(&h, 1000), 0);
	ringdev_hlc_tick(&h);
	remote = ringdev_hlc_pack(ringdev_hlc_now_ms() + 500, 7);
	T_EQ(ringdev_hlc_update(&h, remote, &out), 0);
	/* remote + 1 beats both our wall clock and our last. */
	T_EQ(out, remote + 1);
	T_EQ(h.last, out);
	ts = ringdev_hlc_tick(&h);
	T_EQ(ts, out + 1);
	/* NULL out is allowed. */
	T_EQ(ringdev_hlc_update(&h, remote, NULL), 0);
	T_EQ(h.last, ts + 1);
	return T_PASS;
}

static int test_update_behind(void)
{
	struct ringdev_hlc h;
	__u64 now, last, out, remote;

	T_EQ(ringdev_hlc_init(&h, 1000), 0);
	now = ringdev_hlc_now_ms();
	last = ringdev_hlc_tick(&h);
	remote = ringdev_hlc_pack(now - 10000, 3);
	T_EQ(ringdev_hlc_update(&h, remote, &out), 0);
	T_ASSERT(out > last && out > remote, "out %#llx last %#llx",
		 (unsigned long long)out, (unsigned long long)last);

	/* A clock ahead of the wall (it carried): last + 1 wins exactly. */
	last = ringdev_hlc_pack(now + 500, 40);
	h.last = last;
	T_EQ(ringdev_hlc_update(&h, remote, &out), 0);
	T_EQ(out, last + 1);
	/* The same with a remote from the same millisecond. */
	T_EQ(ringdev_hlc_update(&h, ringdev_hlc_pack(now + 500, 20), &out), 0);
	T_EQ(out, last + 2);
	/* A remote equal to last: still strictly after both. */
	T_EQ(ringdev_hlc_update(&h, last + 2, &out), 0);
	T_EQ(out, last + 3);
	return T_PASS;
}

/* 70000 events in one millisecond: the counter carries into the ms. */
static int test_counter_carry(void)
{
	__u64 base_ms = ringdev_hlc_now_ms() + FUTURE_MS, ts = 0, out;
	struct ringdev_hlc h;
	unsigned long i;

	T_EQ(ringdev_hlc_init(&h, 1000), 0);
	h.last = ringdev_hlc_pack(base_ms, 0xffff);
	ts = ringdev_hlc_tick(&h);
	T_EQ(ringdev_hlc_physical_ms(ts), base_ms + 1);
	T_EQ(ringdev_hlc_logical(ts), 0);

	/* The clock stands an hour ahead, so every tick lands in "one ms". */
	h.last = ringdev_hlc_pack(base_ms, 0);
	for (i = 1; i <= 70000; i++) {
		ts = ringdev_hlc_tick(&h);
		T_EQ(ts, ringdev_hlc_pack(base_ms, 0) + i);
	}
	T_EQ(ringdev_hlc_physical_ms(ts), base_ms + 1);
	T_EQ(ringdev_hlc_logical(ts), 70000 - 65536);

	/* update() carries the same way, from a remote's full counter. */
	T_EQ(ringdev_hlc_init(&h, 1000), 0);
	T_EQ(ringdev_hlc_update(&h, ringdev_hlc_pack(base_ms - FUTURE_MS + 500, 0xffff),
				&out), 0);
	T_EQ(out, ringdev_hlc_pack(base_ms - FUTURE_MS + 501, 0));
	return T_PASS;
}

/* Two clocks passing timestamps back and forth: a strictly rising chain. */
static int test_exchange(void)
{
	unsigned long i, n = t_scale(100000);
	struct ringdev_hlc a, b;
	__u64 prev, ts, out;

	T_EQ(ringdev_hlc_init(&a, 1000), 0);
	T_EQ(ringdev_hlc_init(&b, 1000), 0);
	/* b runs 300 ms ahead (say it carried): a must catch up on receive. */
	b.last = ringdev_hlc_pack(ringdev_hlc_now_ms() + 300, 0);
	prev = 0;
	for (i = 0; i < n; i++) {
		struct ringdev_hlc *src = i & 1 ? &b : &a, *dst = i & 1 ? &a : &b;

		ts = ringdev_hlc_tick(src);
		T_ASSERT(ts > prev, "send %lu: %#llx after %#llx", i,
			 (unsigned long long)ts, (unsigned long long)prev);
		T_EQ(ringdev_hlc_update(dst, ts, &out), 0);
		T_ASSERT(out > ts, "recv %lu: %#llx not after %#llx", i,
			 (unsigned long long)out, (unsigned long long)ts);
		prev = out;
	}
	return T_PASS;
}

struct xchg_arg {
	struct ringdev_hlc *a, *b;
	pthread_barrier_t *go;
	unsigned long n;
	unsigned long bad;	/* index + 1 of the first broken link, or 0 */
};

static void *exchanger(void *p)
{
	struct xchg_arg *x = p;
	__u64 prev = 0, ts, out;
	unsigned long i;

	pthread_barrier_wait(x->go);
	for (i = 0; i < x->n && !x->bad; i++) {
		struct ringdev_hlc *src = i & 1 ? x->b : x->a, *dst = i & 1 ? x->a : x->b;

		ts = ringdev_hlc_tick(src);
		out = 0;
		if (ts <= prev || ringdev_hlc_update(dst, ts, &out) || out <= ts)
			x->bad = i + 1;
		prev = out;
	}
	return NULL;
}

/* The same chain per thread, with 2 x nproc threads on both clocks. */
static int test_exchange_concurrent(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long nthr = (unsigned long)(ncpu > 0 ? ncpu : 1) * 2, t;
	struct xchg_arg *args = calloc(nthr, sizeof(*args));
	pthread_t *tids = calloc(nthr, sizeof(*tids));
	struct ringdev_hlc a, b;
	pthread_barrier_t go;

	T_ASSERT(args && tids, "alloc");
	T_EQ(ringdev_hlc_init(&a, 60000), 0);
	T_EQ(ringdev_hlc_init(&b, 60000), 0);
	T_EQ(pthread_barrier_init(&go, NULL, (unsigned int)nthr), 0);
	for (t = 0; t < nthr; t++) {
		args[t] = (struct xchg_arg){ &a, &b, &go, t_scale(200000) / nthr + 1, 0 };
		T_EQ(pthread_create(&tids[t], NULL, exchanger, &args[t]), 0);
	}
	for (t = 0; t < nthr; t++)
		T_EQ(pthread_join(tids[t], NULL), 0);
	pthread_barrier_destroy(&go);
	for (t = 0; t < nthr; t++)
		T_ASSERT(!args[t].bad, "thread %lu: chain broken at step %lu", t,
			 args[t].bad - 1);
	free(tids);
	free(args);
	return T_PASS;
}

T_MAIN(T_CASE(test_pack),
       T_CASE(test_monotonic),
       T_CASE(test_concurrent_unique),
       T_CASE(test_update_too_far_ahead),
       T_CASE(test_update_drift_boundary),
       T_CASE(test_update_slightly_ahead),
       T_CASE(test_update_behind),
       T_CASE(test_counter_carry),
       T_CASE(test_exchange),
       T_CASE(test_exchange_concurrent))

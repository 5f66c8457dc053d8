// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* runtime.c - the runtime scenarios: ringdev_call round trips, HLC ticks. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ringdev/runtime.h>
#include <ringdev/hlc.h>
#include "bench.h"

/* ---- call-lat: ringdev_call() through a CPU echo kernel ------------- */

#define RB_ECHO_TYPE	1
#define RB_CALL_LEN	16	/* request bytes: the sequence number, twice */

/* The echo kernel's state: whether its thread is pinned yet. */
struct echo_state {
	int pinned;
};

/*
 * Answer every request with its own bytes.  The first message pins the
 * kernel's thread to the second CPU, where the other side of every
 * ping-pong in this program runs.
 */
static int echo_handler(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
			const void *payload)
{
	struct echo_state *st = ringdev_ctx_state(ctx);

	if (!st->pinned) {
		st->pinned = 1;
		if (rb_opt.cpu[1] >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(rb_opt.cpu[1], &set);
			pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		}
	}
	return ringdev_ctx_reply(ctx, payload, env->len);
}

/*
 * Caller: ringdev_call() in a loop, timing each.  The barrier comes first
 * so that the partner thread leaves the second CPU to the kernel at once.
 */
static void *call_ping(void *arg)
{
	struct rb_pp *pp = arg;
	struct ringdev_kernel *k = pp->priv;
	unsigned char req[RB_CALL_LEN], resp[64];
	unsigned long i;
	uint64_t t0 = 0;
	int got;

	rb_barrier_wait(&pp->bar);
	for (i = 0; i < pp->warm + pp->n; i++) {
		if (i == pp->warm)
			t0 = rb_now_ticks();
		rb_item_stamp(req, sizeof(req), i);
		got = ringdev_call(k, RB_ECHO_TYPE, req, sizeof(req), resp, sizeof(resp),
				   1000000000LL);
		if (got != (int)sizeof(req) || !rb_item_ok(resp, sizeof(req), i))
			rb_pp_count_error(pp);
		if (got < 0 && got != -ETIMEDOUT)
			rb_die("ringdev_call", got);
		rb_pp_trip_end(pp, i, &t0);
	}
	return NULL;
}

/* The second thread only meets the caller: the kernel's thread answers. */
static void *call_pong(void *arg)
{
	struct rb_pp *pp = arg;

	rb_barrier_wait(&pp->bar);
	return NULL;
}

/**
 * rb_call_lat() - ringdev_call() round trip through a CPU echo kernel
 *
 * The kernel spins (spin_ns one second) and the caller spins too: a call
 * waits on its thread's reply channel with the channel's default budget,
 * RINGDEV_DEFAULT_SPIN_NS (20 us), longer than a round trip here.  Judged
 * against chan-lat-64, the SPSC channel ping-pong of this same run: the
 * target is at most twice its p50.
 *
 * The kernel's inboxes and the caller's reply channel are on the
 * --transport transport.  perf and the driver's tracepoint counters count
 * the caller's threads only (the kernel's thread exists before them); the
 * driver's ring counters see both sides.
 *
 * Return: 0, or -1 when the runtime or the kernel could not be started.
 */
int rb_call_lat(void)
{
	static const struct ringdev_kernel_type echo = {
		.name = "ringbench-echo",
		.handler = echo_handler,
		.state_size = sizeof(struct echo_state),
	};
	struct rb_row *row = rb_row_new("call-lat", RB_LAT);
	struct ringdev_rt_opts ro;
	struct ringdev_launch_opts lo;
	struct ringdev_kernel *k = NULL;
	struct ringdev_rt *rt = NULL;
	struct rb_pp pp;
	int err;

	snprintf(row->desc, sizeof(row->desc),
		 "ringdev_call RT to a CPU echo kernel, %u B, both sides spinning",
		 RB_CALL_LEN);
	rb_set_baseline(row, "chan-lat-64", 2.0, 1);
	row->transport = rb_transport_name();
	memset(&ro, 0, sizeof(ro));
	ro.backend = RINGDEV_BACKEND_CPU;
	ro.transport = rb_opt.transport;
	err = ringdev_rt_open(&ro, &rt);
	if (err) {
		snprintf(row->note, sizeof(row->note), "ringdev_rt_open: %s", strerror(-err));
		goto fail;
	}
	err = ringdev_rt_register(rt, &echo);
	if (err) {
		snprintf(row->note, sizeof(row->note), "ringdev_rt_register: %s",
			 strerror(-err));
		goto fail;
	}
	ringdev_launch_opts_init(&lo);
	lo.slot_size = 128;	/* the 64-byte header and the request */
	lo.flags = RINGDEV_LAUNCH_ACTIVATE;
	lo.backend = RINGDEV_BACKEND_CPU;
	lo.spin_ns = RB_SPIN_FOREVER_NS;
	err = ringdev_kernel_spawn(rt, echo.name, &lo, &k);
	if (err) {
		snprintf(row->note, sizeof(row->note), "ringdev_kernel_spawn: %s",
			 strerror(-err));
		goto fail;
	}
	snprintf(row->note, sizeof(row->note),
		 "kernel spin_ns 1 s, caller spin %llu ns (RINGDEV_DEFAULT_SPIN_NS); "
		 "perf%s counts the caller only",
		 (unsigned long long)RINGDEV_DEFAULT_SPIN_NS,
		 rb_opt.transport == RINGDEV_TRANSPORT_DEV ? " (and tp:)" : "");
	memset(&pp, 0, sizeof(pp));
	pp.n = rb_opt.iters;
	pp.warm = rb_opt.iters / 10;
	pp.size = RB_CALL_LEN;
	pp.priv = k;
	err = rb_pp_measure(row, &pp, call_ping, call_pong);
	ringdev_kernel_terminate(k, RINGDEV_TERM_DISCARD, NULL);
	ringdev_rt_close(rt);
	return err;
fail:
	ringdev_rt_close(rt);
	row->failed = 1;
	return -1;
}

/* ---- hlc-tick: the hybrid logical clock ----------------------------- */

#define RB_TICK_BATCH	1000U	/* ticks per timed batch */

/* A run of timed batches of ticks on one clock, by one or two threads. */
struct tick_run {
	struct rb_barrier bar;
	struct ringdev_hlc *hlc;
	unsigned int batches;
	double *ns[2];		/* per batch, ns per tick, for each thread */
	unsigned long errors;	/* ticks that did not increase */
};

/* Time tr->batches batches of RB_TICK_BATCH ticks into tr->ns[@who]. */
static void tick_batches(struct tick_run *tr, unsigned int who)
{
	__u64 last = 0, ts;
	unsigned int b, i;

	for (b = 0; b < tr->batches; b++) {
		uint64_t t0 = rb_now_ticks(), t1;

		for (i = 0; i < RB_TICK_BATCH; i++) {
			ts = ringdev_hlc_tick(tr->hlc);
			if (ts <= last)
				__atomic_add_fetch(&tr->errors, 1, __ATOMIC_RELAXED);
			last = ts;
		}
		t1 = rb_now_ticks();
		tr->ns[who][b] = rb_ticks_to_ns((double)(t1 - t0)) / RB_TICK_BATCH;
	}
}

/* Thread A of the contended run. */
static void *tick_a(void *arg)
{
	struct tick_run *tr = arg;

	rb_barrier_wait(&tr->bar);
	tick_batches(tr, 0);
	return NULL;
}

/* Thread B of the contended run. */
static void *tick_b(void *arg)
{
	struct tick_run *tr = arg;

	rb_barrier_wait(&tr->bar);
	tick_batches(tr, 1);
	return NULL;
}

/* Keep one run's median ns per tick (and the best batch) in @row. */
static void tick_store(struct rb_row *row, double *ns, unsigned int n)
{
	if (row->nrate < RB_MAX_REPS)
		row->rate[row->nrate++] = rb_median(ns, n);
	rb_msg("  %-22s run %u: %.2f ns/tick (best batch %.2f)\n", row->name, row->nrate,
	       row->rate[row->nrate - 1], ns[0]);
}

/**
 * rb_hlc_tick() - ns per ringdev_hlc_tick(), alone and with two threads
 *
 * hlc-tick: one thread, batches of 1000 ticks each timed with one pair of
 * timestamps (0.02 ns per tick of timer cost), the median batch; target
 * 15 ns.  hlc-tick-2t: both CPUs ticking the same clock at once, the
 * median batch of the first thread: the contended cost, for information.
 *
 * Return: 0, or -1 when the clock could not be set up.
 */
int rb_hlc_tick(void)
{
	struct rb_row *one = rb_row_new("hlc-tick", RB_OP);
	struct rb_row *two = rb_row_new("hlc-tick-2t", RB_OP);
	struct tick_run tr;
	int err;

	snprintf(one->desc, sizeof(one->desc),
		 "ringdev_hlc_tick, one thread, median of %u-tick batches", RB_TICK_BATCH);
	snprintf(two->desc, sizeof(two->desc),
		 "ringdev_hlc_tick, two threads on one clock (contended), per tick");
	one->has_abs = 1;
	one->abs_target = 15.0;
	memset(&tr, 0, sizeof(tr));
	tr.batches = rb_opt.quick ? 200 : 2000;
	tr.hlc = rb_alloc(sizeof(*tr.hlc));
	tr.ns[0] = rb_alloc(tr.batches * sizeof(double));
	tr.ns[1] = rb_alloc(tr.batches * sizeof(double));
	err = ringdev_hlc_init(tr.hlc, 60000);
	if (err) {
		snprintf(one->note, sizeof(one->note), "ringdev_hlc_init: %s", strerror(-err));
		one->failed = two->failed = 1;
		goto out;
	}
	one->n = two->n = (unsigned long)tr.batches * RB_TICK_BATCH;
	one->batch = two->batch = RB_TICK_BATCH;

	/* One thread: this one, on whatever CPU it is. */
	tick_batches(&tr, 0);
	tick_store(one, tr.ns[0], tr.batches);

	rb_barrier_init(&tr.bar);
	if (rb_run_pair(tick_a, tick_b, &tr)) {
		two->failed = 1;
		err = -1;
		goto out;
	}
	tick_store(two, tr.ns[0], tr.batches);
	one->errors += tr.errors;	/* a thread's ticks must strictly increase */
	tr.errors = 0;
	snprintf(two->note, sizeof(two->note), "information only: no target");
out:
	free(tr.ns[0]);
	free(tr.ns[1]);
	free(tr.hlc);
	return err ? -1 : 0;
}

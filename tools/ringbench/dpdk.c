// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* dpdk.c - the DPDK rte_ring baseline: 64-byte elements, SP/SC, single and bursts of 32. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/*
 * Why DPDK did not run, for the report; NULL once it ran.  Read by the
 * ringdev throughput rows to choose their baseline.
 */
const char *rb_dpdk_status = "not selected";

/**
 * rb_dpdk_describe() - one line saying whether and how DPDK ran
 * @buf: room for the text
 * @len: bytes at @buf
 *
 * Return: @buf.
 */
const char *rb_dpdk_describe(char *buf, size_t len)
{
	if (!rb_dpdk_status)
		snprintf(buf, len, "ran: rte_ring_init() on page-aligned malloc memory, "
			 "EAL not started");
	else if (!strcmp(rb_dpdk_status, "not selected"))
		snprintf(buf, len, "not run (not selected)");
	else
		snprintf(buf, len, "skipped (%s)", rb_dpdk_status);
	return buf;
}

#ifdef RINGBENCH_HAVE_DPDK

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <ringdev/barrier.h>

/* Element size the issue asks for: one 64-byte message per element. */
#define RB_DPDK_ESIZE	64U

/* Producer: tp->n stamped elements, single or in bursts, spinning when full. */
static void *dpdk_prod(void *arg)
{
	struct rb_tp *tp = arg;
	struct rte_ring *r = tp->priv;
	unsigned char *buf = rb_alloc((size_t)RB_BURST * RB_DPDK_ESIZE);
	unsigned long seq;
	unsigned int i, want, k;

	rb_barrier_wait(&tp->bar);
	if (tp->batch == 1) {
		for (seq = 0; seq < tp->n; seq++) {
			rb_item_stamp(buf, RB_DPDK_ESIZE, seq);
			while (rte_ring_sp_enqueue_elem(r, buf, RB_DPDK_ESIZE))
				RINGDEV_CPU_RELAX();
		}
		goto out;
	}
	for (seq = 0; seq < tp->n; seq += want) {
		want = tp->n - seq < tp->batch ? (unsigned int)(tp->n - seq) : tp->batch;
		for (i = 0; i < want; i++)
			rb_item_stamp(buf + (size_t)i * RB_DPDK_ESIZE, RB_DPDK_ESIZE, seq + i);
		for (i = 0; i < want; i += k) {
			k = rte_ring_sp_enqueue_burst_elem(r, buf + (size_t)i * RB_DPDK_ESIZE,
							   RB_DPDK_ESIZE, want - i, NULL);
			if (!k)
				RINGDEV_CPU_RELAX();
		}
	}
out:
	free(buf);
	return NULL;
}

/* Consumer: dequeue and check tp->n elements; stamp t0 and t1. */
static void *dpdk_cons(void *arg)
{
	struct rb_tp *tp = arg;
	struct rte_ring *r = tp->priv;
	unsigned char *buf = rb_alloc((size_t)RB_BURST * RB_DPDK_ESIZE);
	unsigned long seq = 0, errors = 0;
	unsigned int i, k;

	rb_barrier_wait(&tp->bar);
	tp->t0 = rb_now_ns();
	while (seq < tp->n) {
		if (tp->batch == 1) {
			while (rte_ring_sc_dequeue_elem(r, buf, RB_DPDK_ESIZE))
				RINGDEV_CPU_RELAX();
			k = 1;
		} else {
			while (!(k = rte_ring_sc_dequeue_burst_elem(r, buf, RB_DPDK_ESIZE,
								    tp->batch, NULL)))
				RINGDEV_CPU_RELAX();
		}
		for (i = 0; i < k; i++, seq++) {
			const unsigned char *e = buf + (size_t)i * RB_DPDK_ESIZE;

			if (!rb_item_ok(e, RB_DPDK_ESIZE, seq)) {
				errors++;
				seq = rb_item_seq(e);
			}
		}
	}
	tp->t1 = rb_now_ns();
	tp->errors = errors;
	free(buf);
	return NULL;
}

/*
 * rte_ring without the EAL: rte_ring_create() needs a memzone (and so
 * rte_eal_init()), but rte_ring_init() only formats memory it is given,
 * and the SP/SC fast paths touch nothing but the ring.  So the ring lives
 * in page-aligned malloc memory and the EAL is never started.
 */
static struct rte_ring *dpdk_ring_new(unsigned int count, const char **why)
{
	ssize_t size = rte_ring_get_memsize_elem(RB_DPDK_ESIZE, count);
	struct rte_ring *r;
	int err;

	if (size < 0) {
		*why = "rte_ring_get_memsize_elem failed";
		return NULL;
	}
	r = rb_alloc((size_t)size);
	err = rte_ring_init(r, "ringbench", count, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (err) {
		*why = "rte_ring_init failed";
		free(r);
		return NULL;
	}
	return r;
}

/**
 * rb_dpdk_tput() - DPDK rte_ring SP/SC throughput with 64-byte elements
 *
 * Same thread layout, message count and checking as the ringdev rows.
 * rte_ring_init() with count = capacity leaves capacity - 1 usable
 * elements (no RING_F_EXACT_SZ); one slot fewer than ringdev's ring.
 *
 * Return: 0, or -1 when the ring could not be made or a run failed.
 */
int rb_dpdk_tput(void)
{
	static const char *const names[2] = { "dpdk-tput-64", "dpdk-tput-64-b32" };
	const char *why = NULL;
	struct rte_ring *r;
	unsigned int b;
	int ret = 0;

	r = dpdk_ring_new(rb_opt.capacity, &why);
	if (!r) {
		rb_dpdk_status = why;
		return -1;
	}
	for (b = 0; b < 2; b++) {
		struct rb_row *row = rb_row_new(names[b], RB_TPUT);
		struct rb_tp tp;

		snprintf(row->desc, sizeof(row->desc),
			 "DPDK rte_ring SP/SC, 64 B elements, %s",
			 b ? "burst_elem of 32" : "single enqueue/dequeue_elem");
		memset(&tp, 0, sizeof(tp));
		tp.n = rb_tput_msgs(64);
		tp.size = 64;
		tp.batch = b ? RB_BURST : 1;
		tp.priv = r;
		if (rb_tp_measure(row, &tp, dpdk_prod, dpdk_cons))
			ret = -1;
		rte_ring_reset(r);
	}
	free(r);
	rb_dpdk_status = ret ? "a run failed" : NULL;
	return ret;
}

#else /* !RINGBENCH_HAVE_DPDK */

/** rb_dpdk_tput() - DPDK was not found at build time: nothing to run */
int rb_dpdk_tput(void)
{
	rb_dpdk_status = "built without libdpdk: pkg-config found none";
	return 0;
}

#endif

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* baselines.c - what ringdev is judged against: cache-line, eventfd and condvar ping-pong/queues. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ringdev/barrier.h>
#include "bench.h"

/* ---- raw cache-line ping-pong ------------------------------------- */

/*
 * "cacheline": one 64-byte word on its own 128-byte block, written in turn
 * by both threads (odd values by ping, even by pong).  A round trip is two
 * cache-line transfers and nothing else: the physical limit, and the
 * baseline of the latency targets.
 *
 * The reference rows split that limit the way a pair of one-way queues
 * must: "cacheline-2line" gives each direction its own line (ping writes
 * fwd, pong writes back), and "cacheline-slots" moves each direction
 * through rb_opt.capacity lines, one per round trip, as a ring's slots do.
 * They time no ringdev code; they say what any two rings could reach here.
 */
struct cl_line {
	__u64 word;
	unsigned char pad[120];
} __attribute__((aligned(128)));

/* How a cache-line row lays out its words. */
enum cl_mode {
	CL_ONE,		/* one line, both directions */
	CL_TWO,		/* a fixed line per direction */
	CL_SLOTS,	/* per direction, the next of nslots lines each trip */
};

struct cl_priv {
	enum cl_mode mode;
	int pause;		/* spin with RINGDEV_CPU_RELAX() or bare */
	unsigned int nslots;	/* CL_SLOTS: lines per direction, power of two */
	__u64 *fwd;		/* nslots words 64 bytes apart: ping writes */
	__u64 *back;		/* pong writes; CL_ONE: == fwd */
};

/* The word a value travels in: trip @v's line in @base. */
static inline __u64 *cl_word(const struct cl_priv *c, __u64 *base, __u64 v)
{
	if (c->mode != CL_SLOTS)
		return base;
	return base + ((v >> 1) & (c->nslots - 1)) * 8;
}

/* Spin until @w reads @v. */
static inline void cl_wait(const struct cl_priv *c, __u64 *w, __u64 v)
{
	if (c->pause) {
		/* Pairs with the other thread's release store of @v. */
		while (RINGDEV_LOAD_ACQUIRE(w) != v)
			RINGDEV_CPU_RELAX();
	} else {
		while (RINGDEV_LOAD_ACQUIRE(w) != v)
			;
	}
}

/* Ping side: send odd values, wait for the even answer, time each trip. */
static void *cl_ping(void *arg)
{
	struct rb_pp *pp = arg;
	struct cl_priv *c = pp->priv;
	unsigned long i;
	__u64 v = 0;
	uint64_t t0 = 0;

	for (i = 0; i < pp->warm + pp->n; i++, v += 2) {
		rb_pp_trip_start(pp, i, &t0);
		RINGDEV_STORE_RELEASE(cl_word(c, c->fwd, v), v + 1);
		cl_wait(c, cl_word(c, c->back, v), v + 2);
		rb_pp_trip_end(pp, i, &t0);
	}
	return NULL;
}

/* Pong side: answer every odd value with the next even one. */
static void *cl_pong(void *arg)
{
	struct rb_pp *pp = arg;
	struct cl_priv *c = pp->priv;
	unsigned long i;
	__u64 v = 0;

	for (i = 0; i < pp->warm + pp->n; i++, v += 2) {
		if (i == pp->warm)
			rb_barrier_wait(&pp->bar);
		cl_wait(c, cl_word(c, c->fwd, v), v + 1);
		RINGDEV_STORE_RELEASE(cl_word(c, c->back, v), v + 2);
	}
	return NULL;
}

/**
 * rb_cacheline_lat() - raw cache-line ping-pong and its two-queue references
 *
 * "cacheline" spins with the same RINGDEV_CPU_RELAX() every other spinning
 * loop here uses (the fair physical limit for them); "cacheline-nopause"
 * spins bare.  "cacheline-2line" and "cacheline-slots": see cl_priv.
 *
 * Return: 0, or -1 when a run failed.
 */
int rb_cacheline_lat(void)
{
	static const struct {
		const char *name, *desc;
		enum cl_mode mode;
		int pause;
	} rows[] = {
		{ "cacheline", "raw cache-line ping-pong (pause in spin)", CL_ONE, 1 },
		{ "cacheline-nopause", "raw cache-line ping-pong (bare spin)", CL_ONE, 0 },
		{ "cacheline-2line", "one line per direction, fixed (pause in spin)", CL_TWO, 1 },
		{ "cacheline-slots", "one line per direction, the next of capacity lines "
				     "each trip (pause in spin)", CL_SLOTS, 1 },
	};
	struct cl_priv *c = rb_alloc(sizeof(*c));
	size_t bytes = (size_t)rb_opt.capacity * 64;
	struct rb_pp pp;
	__u64 *back;
	unsigned int i;
	int ret = 0;

	c->nslots = rb_opt.capacity;
	c->fwd = rb_alloc(bytes);
	back = rb_alloc(bytes);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rb_row *row = rb_row_new(rows[i].name, RB_LAT);

		snprintf(row->desc, sizeof(row->desc), "%s", rows[i].desc);
		memset(c->fwd, 0, bytes);
		memset(back, 0, bytes);
		c->mode = rows[i].mode;
		c->pause = rows[i].pause;
		memset(&pp, 0, sizeof(pp));
		pp.n = rb_opt.iters;
		pp.warm = rb_opt.iters / 10;
		pp.size = 8;
		pp.priv = c;
		/* CL_ONE: both directions in one word, ping's odd values and pong's even. */
		c->back = c->mode == CL_ONE ? c->fwd : back;
		if (rb_pp_measure(row, &pp, cl_ping, cl_pong))
			ret = -1;
		if (i)
			rb_set_baseline(row, "cacheline", 0, 0);
	}
	free(c->fwd);
	free(back);
	free(c);
	return ret;
}

/* ---- eventfd ping-pong -------------------------------------------- */

struct efd_priv {
	int to_pong;		/* ping writes, pong reads */
	int to_ping;		/* pong writes, ping reads */
};

/* Blocking eventfd read of exactly one count; 0 or -1. */
static int efd_take(int fd)
{
	__u64 v;

	if (read(fd, &v, sizeof(v)) != sizeof(v) || v != 1)
		return -1;
	return 0;
}

/* Eventfd write of one count; 0 or -1. */
static int efd_give(int fd)
{
	__u64 v = 1;

	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

/* Ping side: signal pong, block until it signals back, time each trip. */
static void *efd_ping(void *arg)
{
	struct rb_pp *pp = arg;
	struct efd_priv *e = pp->priv;
	unsigned long i;
	uint64_t t0 = 0;

	for (i = 0; i < pp->warm + pp->n; i++) {
		rb_pp_trip_start(pp, i, &t0);
		if (efd_give(e->to_pong) || efd_take(e->to_ping))
			rb_pp_count_error(pp);
		rb_pp_trip_end(pp, i, &t0);
	}
	return NULL;
}

/* Pong side: block for ping's signal, answer it. */
static void *efd_pong(void *arg)
{
	struct rb_pp *pp = arg;
	struct efd_priv *e = pp->priv;
	unsigned long i;

	for (i = 0; i < pp->warm; i++)
		if (efd_take(e->to_pong) || efd_give(e->to_ping))
			rb_pp_count_error(pp);
	rb_barrier_wait(&pp->bar);
	for (i = 0; i < pp->n; i++)
		if (efd_take(e->to_pong) || efd_give(e->to_ping))
			rb_pp_count_error(pp);
	return NULL;
}

/* Round trips for scenarios whose every trip sleeps and wakes a thread. */
static unsigned long blocking_iters(void)
{
	unsigned long n = rb_opt.iters / 10;

	return n ? n : 1;
}

/**
 * rb_eventfd_lat() - eventfd ping-pong: two eventfds, blocking reads
 *
 * Return: 0, or -1 when eventfds could not be made or a run failed.
 */
int rb_eventfd_lat(void)
{
	struct rb_row *row = rb_row_new("eventfd", RB_LAT);
	struct efd_priv e;
	struct rb_pp pp;
	int ret;

	snprintf(row->desc, sizeof(row->desc), "eventfd ping-pong (blocking read/write)");
	e.to_pong = eventfd(0, EFD_CLOEXEC);
	e.to_ping = eventfd(0, EFD_CLOEXEC);
	if (e.to_pong < 0 || e.to_ping < 0) {
		snprintf(row->note, sizeof(row->note), "eventfd: %s", strerror(errno));
		row->failed = 1;
		ret = -1;
		goto out;
	}
	memset(&pp, 0, sizeof(pp));
	pp.n = blocking_iters();
	pp.warm = pp.n / 10;
	pp.size = 8;
	pp.priv = &e;
	ret = rb_pp_measure(row, &pp, efd_ping, efd_pong);
	rb_set_baseline(row, "cacheline", 0, 0);
out:
	if (e.to_pong >= 0)
		close(e.to_pong);
	if (e.to_ping >= 0)
		close(e.to_ping);
	return ret;
}

/* ---- mutex + condvar queue ---------------------------------------- */

/*
 * A bounded FIFO of fixed-size items behind one mutex, the way such a
 * queue is usually written: wait on a condvar while empty (or full), and
 * signal only when the other side is known to be waiting.
 */
struct cvq {
	pthread_mutex_t mu;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	unsigned int cap;		/* items, power of two */
	unsigned int size;		/* bytes per item */
	unsigned int cons_waiting;
	unsigned int prod_waiting;
	__u64 head;			/* next item to take */
	__u64 tail;			/* next item to fill */
	unsigned char *items;
};

/* Set up @q for @cap items of @size bytes; 0 or -errno. */
static int cvq_init(struct cvq *q, unsigned int cap, unsigned int size)
{
	int err;

	memset(q, 0, sizeof(*q));
	q->cap = cap;
	q->size = size;
	q->items = rb_alloc((size_t)cap * size);
	err = pthread_mutex_init(&q->mu, NULL);
	if (err)
		goto out_free;
	err = pthread_cond_init(&q->not_empty, NULL);
	if (err)
		goto out_mu;
	err = pthread_cond_init(&q->not_full, NULL);
	if (err)
		goto out_ne;
	return 0;
out_ne:
	pthread_cond_destroy(&q->not_empty);
out_mu:
	pthread_mutex_destroy(&q->mu);
out_free:
	free(q->items);
	return -err;
}

/* Free what cvq_init() set up. */
static void cvq_destroy(struct cvq *q)
{
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->mu);
	free(q->items);
}

/* Append up to @n items from @src, waiting while full; returns the count. */
static unsigned int cvq_put(struct cvq *q, const void *src, unsigned int n)
{
	const unsigned char *s = src;
	unsigned int i, k;

	pthread_mutex_lock(&q->mu);
	while (q->tail - q->head == q->cap) {
		q->prod_waiting++;
		pthread_cond_wait(&q->not_full, &q->mu);
		q->prod_waiting--;
	}
	k = q->cap - (unsigned int)(q->tail - q->head);
	if (k > n)
		k = n;
	for (i = 0; i < k; i++, q->tail++)
		memcpy(q->items + (q->tail & (q->cap - 1)) * q->size,
		       s + (size_t)i * q->size, q->size);
	if (q->cons_waiting)
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
	return k;
}

/* Take up to @n items into @dst, waiting while empty; returns the count. */
static unsigned int cvq_get(struct cvq *q, void *dst, unsigned int n)
{
	unsigned char *d = dst;
	unsigned int i, k;

	pthread_mutex_lock(&q->mu);
	while (q->tail == q->head) {
		q->cons_waiting++;
		pthread_cond_wait(&q->not_empty, &q->mu);
		q->cons_waiting--;
	}
	k = (unsigned int)(q->tail - q->head);
	if (k > n)
		k = n;
	for (i = 0; i < k; i++, q->head++)
		memcpy(d + (size_t)i * q->size,
		       q->items + (q->head & (q->cap - 1)) * q->size, q->size);
	if (q->prod_waiting)
		pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->mu);
	return k;
}

struct cvq_pp {
	struct cvq to_pong;
	struct cvq to_ping;
};

/* Ping side of the condvar ping-pong: one item each way per round trip. */
static void *cvq_ping(void *arg)
{
	struct rb_pp *pp = arg;
	struct cvq_pp *c = pp->priv;
	unsigned char item[64];
	unsigned long i, seq = 0;
	uint64_t t0 = 0;

	memset(item, 0, sizeof(item));
	for (i = 0; i < pp->warm + pp->n; i++, seq++) {
		rb_pp_trip_start(pp, i, &t0);
		rb_item_stamp(item, sizeof(item), seq);
		cvq_put(&c->to_pong, item, 1);
		cvq_get(&c->to_ping, item, 1);
		if (!rb_item_ok(item, sizeof(item), seq))
			rb_pp_count_error(pp);
		rb_pp_trip_end(pp, i, &t0);
	}
	return NULL;
}

/* Pong side of the condvar ping-pong: return each item as it came. */
static void *cvq_pong(void *arg)
{
	struct rb_pp *pp = arg;
	struct cvq_pp *c = pp->priv;
	unsigned char item[64];
	unsigned long i, seq = 0;

	for (i = 0; i < pp->warm + pp->n; i++, seq++) {
		if (i == pp->warm)
			rb_barrier_wait(&pp->bar);
		cvq_get(&c->to_pong, item, 1);
		if (!rb_item_ok(item, sizeof(item), seq))
			rb_pp_count_error(pp);
		cvq_put(&c->to_ping, item, 1);
	}
	return NULL;
}

/**
 * rb_condvar_lat() - mutex+condvar queue ping-pong with 64-byte items
 *
 * Return: 0, or -1 when the queues could not be made or a run failed.
 */
int rb_condvar_lat(void)
{
	struct rb_row *row = rb_row_new("condvar-lat", RB_LAT);
	struct cvq_pp *c = rb_alloc(sizeof(*c));
	struct rb_pp pp;
	int err, ret = -1;

	snprintf(row->desc, sizeof(row->desc), "mutex+condvar queue ping-pong, 64 B items");
	err = cvq_init(&c->to_pong, rb_opt.capacity, 64);
	if (err)
		goto out;
	err = cvq_init(&c->to_ping, rb_opt.capacity, 64);
	if (err)
		goto out_q;
	memset(&pp, 0, sizeof(pp));
	pp.n = blocking_iters();
	pp.warm = pp.n / 10;
	pp.size = 64;
	pp.priv = c;
	ret = rb_pp_measure(row, &pp, cvq_ping, cvq_pong);
	rb_set_baseline(row, "cacheline", 0, 0);
	cvq_destroy(&c->to_ping);
out_q:
	cvq_destroy(&c->to_pong);
out:
	if (err) {
		snprintf(row->note, sizeof(row->note), "condvar init: %s", strerror(err));
		row->failed = 1;
	}
	free(c);
	return ret;
}

/* Producer of the condvar throughput run: n stamped items, batch at a time. */
static void *cvq_prod(void *arg)
{
	struct rb_tp *tp = arg;
	struct cvq *q = tp->priv;
	unsigned char *buf = rb_alloc((size_t)tp->batch * tp->size);
	unsigned long seq = 0;
	unsigned int i, want, got;

	rb_barrier_wait(&tp->bar);
	while (seq < tp->n) {
		want = tp->n - seq < tp->batch ? (unsigned int)(tp->n - seq) : tp->batch;
		for (i = 0; i < want; i++)
			rb_item_stamp(buf + (size_t)i * tp->size, tp->size, seq + i);
		for (i = 0; i < want; i += got)
			got = cvq_put(q, buf + (size_t)i * tp->size, want - i);
		seq += want;
	}
	free(buf);
	return NULL;
}

/* Consumer of the condvar throughput run: check every item's sequence. */
static void *cvq_cons(void *arg)
{
	struct rb_tp *tp = arg;
	struct cvq *q = tp->priv;
	unsigned char *buf = rb_alloc((size_t)tp->batch * tp->size);
	unsigned long seq = 0, errors = 0;
	unsigned int i, got;

	rb_barrier_wait(&tp->bar);
	tp->t0 = rb_now_ns();
	while (seq < tp->n) {
		got = cvq_get(q, buf, tp->batch);
		for (i = 0; i < got; i++, seq++) {
			const unsigned char *item = buf + (size_t)i * tp->size;

			if (!rb_item_ok(item, tp->size, seq)) {
				errors++;
				seq = rb_item_seq(item);
			}
		}
	}
	tp->t1 = rb_now_ns();
	tp->errors = errors;
	free(buf);
	return NULL;
}

/* Messages per condvar throughput run: a tenth of the ring's, it is slow. */
static unsigned long condvar_msgs(unsigned int size)
{
	unsigned long n = rb_tput_msgs(size) / 10;

	return n ? n : 1;
}

/**
 * rb_condvar_tput() - mutex+condvar queue throughput, every size, single and batched
 *
 * Return: 0, or -1 when a queue could not be made or a run failed.
 */
int rb_condvar_tput(void)
{
	struct cvq *q = rb_alloc(sizeof(*q));
	unsigned int s, b;
	int err, ret = 0;

	for (s = 0; s < RB_NR_SIZES; s++) {
		for (b = 0; b < 2; b++) {
			unsigned int batch = b ? RB_BURST : 1;
			struct rb_row *row;
			struct rb_tp tp;
			char name[48];

			snprintf(name, sizeof(name), "condvar-tput-%u%s", rb_sizes[s],
				 b ? "-b32" : "");
			row = rb_row_new(name, RB_TPUT);
			snprintf(row->desc, sizeof(row->desc),
				 "mutex+condvar queue, %u B items, %s", rb_sizes[s],
				 b ? "batches of 32" : "single");
			err = cvq_init(q, rb_opt.capacity, rb_sizes[s]);
			if (err) {
				snprintf(row->note, sizeof(row->note), "condvar init: %s",
					 strerror(err));
				row->failed = 1;
				ret = -1;
				continue;
			}
			memset(&tp, 0, sizeof(tp));
			tp.n = condvar_msgs(rb_sizes[s]);
			tp.size = rb_sizes[s];
			tp.batch = batch;
			tp.priv = q;
			if (rb_tp_measure(row, &tp, cvq_prod, cvq_cons))
				ret = -1;
			cvq_destroy(q);
		}
	}
	free(q);
	return ret;
}

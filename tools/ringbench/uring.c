// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * uring.c - channel doorbells: syscalls per message, io_uring batching,
 * SQPOLL, fan-out.  On the shm transport a doorbell is an eventfd write (an
 * io_uring write with batching); on the dev transport it is the driver's
 * KICK ioctl (a KICK uring_cmd with batching).  The scenarios are the same.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ringdev/batch.h>
#include <ringdev/chan.h>
#include "bench.h"

#define RB_SYS_SIZE	128	/* slot bytes: 64 payload bytes after the header */

/* How the producer of a syscall scenario sends. */
enum sys_mode {
	SYS_KICK_EACH,		/* ringdev_chan_send() per message */
	SYS_BATCH,		/* ring burst, ringdev_batch_notify() + _submit() */
};

/* One syscall scenario: its channel, producer mode and what was counted. */
struct sys_link {
	struct ringdev_chan *tx, *rx;
	enum sys_mode mode;
	unsigned int batch_flags;	/* RINGDEV_BATCH_* for SYS_BATCH */
	__u64 syscalls;			/* producer syscalls in the last run */
	int sqpoll;			/* the batch really used SQPOLL */
	double cpu_pct;			/* process CPU time / wall, last run */
	double sq_pct;			/* SQPOLL thread CPU / wall, -1 unknown */
};

/* Library counters of the producer's syscalls: doorbells, enters, sleeps. */
static __u64 lib_syscalls(struct ringdev_chan *tx, struct ringdev_batch *b)
{
	struct ringdev_chan_stats cs;
	struct ringdev_batch_stats bs;
	__u64 n;

	ringdev_chan_stats(tx, &cs);
	n = cs.kicks + cs.sleeps;
	if (b) {
		ringdev_batch_stats(b, &bs);
		n += bs.enters + bs.registers + bs.fallbacks;
	}
	return n;
}

/* CPU time, in ns, of the process or (@tid > 0) of one of its threads. */
static double cpu_ns(int tid)
{
	struct timespec ts;
	char path[64], buf[512], *p;
	unsigned long ut, st;
	FILE *f;

	if (tid <= 0) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return -1;
	/* After "pid (comm)": state and 10 fields, then utime and stime. */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &ut, &st) != 2)
		return -1;
	return (double)(ut + st) * 1e9 / (double)sysconf(_SC_CLK_TCK);
}

/* The thread id of this process's SQPOLL thread ("iou-sqp-*"), or -1. */
static int sqpoll_tid_once(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int tid = -1;

	if (!d)
		return -1;
	while ((e = readdir(d)) && tid < 0) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "iou-sqp", 7))
			tid = atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return tid;
}

/*
 * The SQPOLL thread, waiting up to 100 ms for it: it takes its name
 * ("iou-sqp-PID") only once it first runs.
 */
static int sqpoll_tid(void)
{
	unsigned int i;
	int tid = -1;

	for (i = 0; i < 50 && tid < 0; i++) {
		tid = sqpoll_tid_once();
		if (tid < 0)
			usleep(2000);
	}
	return tid;
}

/* Producer: tp->n stamped messages, counting its own syscalls. */
static void *sys_prod(void *arg)
{
	struct rb_tp *tp = arg;
	struct sys_link *l = tp->priv;
	struct ringdev_ring *ring = ringdev_chan_ring(l->tx);
	unsigned int len = tp->size - RINGDEV_SLOT_HDR_SIZE, i, want;
	struct ringdev_msg *m = rb_alloc(tp->batch * sizeof(*m));
	unsigned char *data = rb_alloc((size_t)tp->batch * (len + 8));
	struct ringdev_batch *b = NULL;
	struct ringdev_batch_opts bo;
	unsigned long seq = 0;
	double c0, c1, s0 = -1, s1 = -1;	/* process and SQ thread CPU ns */
	__u64 lib0, over;
	uint64_t w0, w1;
	int fd, k, sqtid = -1;

	for (i = 0; i < tp->batch; i++) {
		m[i].data = data + (size_t)i * (len + 8);
		m[i].cap = len;
	}
	if (l->mode == SYS_BATCH) {
		ringdev_batch_opts_init(&bo);
		bo.flags = l->batch_flags;
		k = ringdev_batch_open(&bo, &b);
		if (k)
			rb_die("ringdev_batch_open", k);
		l->sqpoll = ringdev_batch_uses_sqpoll(b);
	}
	fd = rb_sys_open();
	over = rb_sys_overhead(fd);
	rb_barrier_wait(&tp->bar);
	lib0 = lib_syscalls(l->tx, b);
	w0 = rb_now_ns();
	c0 = cpu_ns(0);
	rb_sys_begin(fd);
	while (seq < tp->n) {
		want = tp->n - seq < tp->batch ? (unsigned int)(tp->n - seq) : tp->batch;
		if (l->mode == SYS_KICK_EACH) {
			rb_item_stamp(m[0].data, len, seq);
			m[0].env.msg_id = seq;
			m[0].env.len = len;
			k = ringdev_chan_send(l->tx, &m[0].env, m[0].data, RINGDEV_WAIT_FOREVER);
			if (k)
				rb_die("ringdev_chan_send", k);
			seq++;
			continue;
		}
		for (i = 0; i < want; i++) {
			rb_item_stamp(m[i].data, len, seq + i);
			m[i].env.msg_id = seq + i;
			m[i].env.len = len;
		}
		for (i = 0; i < want; i += (unsigned int)k) {
			while ((k = ringdev_ring_send_burst(ring, m + i, want - i)) == -EAGAIN)
				RINGDEV_CPU_RELAX();
			if (k <= 0)
				rb_die("ringdev_ring_send_burst", k ? k : -EIO);
		}
		k = ringdev_batch_notify(b, l->tx);
		if (k < 0)
			rb_die("ringdev_batch_notify", k);
		k = ringdev_batch_submit(b);
		if (k < 0)
			rb_die("ringdev_batch_submit", k);
		seq += want;
	}
	if (fd >= 0) {
		__u64 v = rb_sys_end(fd);

		l->syscalls = v > over ? v - over : 0;
	} else {
		l->syscalls = lib_syscalls(l->tx, b) - lib0;
	}
	w1 = rb_now_ns();
	c1 = cpu_ns(0);
	/*
	 * The SQ thread is this batch's own, born before the barrier: its
	 * whole CPU time is (nearly all) this run's.
	 */
	if (l->sqpoll && (sqtid = sqpoll_tid()) > 0) {
		s0 = 0;
		s1 = cpu_ns(sqtid);
	}
	l->cpu_pct = w1 > w0 ? 100.0 * (c1 - c0) / (double)(w1 - w0) : 0;
	l->sq_pct = s0 >= 0 && s1 >= 0 && w1 > w0 ? 100.0 * (s1 - s0) / (double)(w1 - w0) : -1;
	if (fd >= 0)
		close(fd);
	ringdev_batch_close(b);
	free(data);
	free(m);
	return NULL;
}

/* Consumer: receive and check tp->n messages in bursts, as its channel waits. */
static void *sys_cons(void *arg)
{
	struct rb_tp *tp = arg;
	struct sys_link *l = tp->priv;
	unsigned int len = tp->size - RINGDEV_SLOT_HDR_SIZE, i;
	struct ringdev_msg m[RB_BURST];
	unsigned char *data = rb_alloc((size_t)RB_BURST * (len + 8));
	unsigned long seq = 0, errors = 0;
	int k;

	memset(m, 0, sizeof(m));
	for (i = 0; i < RB_BURST; i++) {
		m[i].data = data + (size_t)i * (len + 8);
		m[i].cap = len;
	}
	rb_barrier_wait(&tp->bar);
	tp->t0 = rb_now_ns();
	while (seq < tp->n) {
		k = ringdev_chan_recv_burst(l->rx, m, RB_BURST, RINGDEV_WAIT_FOREVER);
		if (k <= 0)
			rb_die("ringdev_chan_recv_burst", k ? k : -EIO);
		for (i = 0; i < (unsigned int)k; i++, seq++) {
			if (m[i].env.msg_id != seq || m[i].env.len != len ||
			    !rb_item_ok(m[i].data, len, seq)) {
				errors++;
				seq = m[i].env.msg_id;
			}
		}
	}
	tp->t1 = rb_now_ns();
	tp->errors = errors;
	free(data);
	return NULL;
}

/* One syscall scenario row. */
struct sys_case {
	const char *name;
	const char *desc;
	enum sys_mode mode;
	unsigned int batch;	/* messages per burst */
	unsigned int flags;	/* RINGDEV_BATCH_* */
	int busy;		/* consumer spins instead of sleeping */
	unsigned int div;	/* messages per run: rb_opt.msgs / div */
	double target;		/* syscalls per message, <=; < 0: none */
};

static const struct sys_case sys_cases[] = {
	{ "kick-each", "chan_send per msg, sleeping consumer (spin 0)",
	  SYS_KICK_EACH, 1, 0, 0, 20, -1 },
	{ "batch-8", "ring burst 8 + batch notify/submit (io_uring), sleeping consumer",
	  SYS_BATCH, 8, 0, 0, 20, -1 },
	{ "batch-32", "ring burst 32 + batch notify/submit (io_uring), sleeping consumer",
	  SYS_BATCH, 32, 0, 0, 20, 0.04 },
	{ "batch-128", "ring burst 128 + batch notify/submit (io_uring), sleeping consumer",
	  SYS_BATCH, 128, 0, 0, 20, -1 },
	{ "busy", "chan_send per msg, busy (spinning) consumer",
	  SYS_KICK_EACH, 1, 0, 1, 20, 0 },
	/* Its SQ thread needs a CPU of its own: with 2 it is slow, so fewer. */
	{ "sqpoll", "batch-32 with RINGDEV_BATCH_SQPOLL, sleeping consumer",
	  SYS_BATCH, 32, RINGDEV_BATCH_SQPOLL, 0, 200, -1 },
};

/* Run one case for one pass. */
static int sys_one(const struct sys_case *c)
{
	struct rb_row *row = rb_row_new(c->name, RB_SYS);
	struct sys_link l;
	struct rb_tp tp;
	int socks[2], err;
	unsigned long n = rb_opt.msgs / c->div ? rb_opt.msgs / c->div : 1;
	char note[96];

	snprintf(row->desc, sizeof(row->desc), "%s", c->desc);
	row->transport = rb_transport_name();
	if (strcmp(c->name, "kick-each"))
		rb_set_baseline(row, "kick-each", 0, 0);
	if (c->target >= 0) {
		row->has_abs = 1;
		row->abs_target = c->target;
	}
	memset(&l, 0, sizeof(l));
	l.mode = c->mode;
	l.batch_flags = c->flags;
	err = rb_chan_open(RB_SYS_SIZE, c->busy ? RB_SPIN_FOREVER_NS : 0, &l.tx, &l.rx,
			   socks, row->note, sizeof(row->note));
	if (err) {
		row->failed = 1;
		return -1;
	}
	/* The producer spins when the ring is full: only doorbells are counted. */
	ringdev_chan_set_spin(l.tx, RB_SPIN_FOREVER_NS);
	memset(&tp, 0, sizeof(tp));
	tp.n = n;
	tp.size = RB_SYS_SIZE;
	tp.batch = c->batch;
	tp.priv = &l;
	err = rb_tp_measure(row, &tp, sys_prod, sys_cons);
	rb_chan_close(l.tx, l.rx, socks);
	if (err)
		return -1;
	if (row->nsys < RB_MAX_REPS)
		row->sys[row->nsys++] = (double)l.syscalls / (double)n;
	if (c->flags & RINGDEV_BATCH_SQPOLL) {
		if (!l.sqpoll)
			snprintf(note, sizeof(note), "SQPOLL refused by the kernel: plain io_uring");
		else if (l.sq_pct >= 0)
			snprintf(note, sizeof(note),
				 "last run: process CPU %.0f%% of wall, SQ thread %.0f%%",
				 l.cpu_pct, l.sq_pct);
		else
			snprintf(note, sizeof(note),
				 "last run: process CPU %.0f%% of wall (SQ thread not found)",
				 l.cpu_pct);
	} else {
		snprintf(note, sizeof(note), "last run: process CPU %.0f%% of wall, %llu syscalls",
			 l.cpu_pct, (unsigned long long)l.syscalls);
	}
	snprintf(row->note, sizeof(row->note), "%s", note);
	return 0;
}

/**
 * rb_shm_sys() - producer syscalls per message on the --transport transport
 *
 * kick-each, batch-8/32/128, busy and sqpoll (see sys_cases[]): Mmsg/s of
 * 64-byte messages and the producer thread's syscalls per message, counted
 * by the kernel's raw_syscalls:sys_enter tracepoint when perf can open it,
 * else by the library's counters (the report says which).  Targets:
 * batch-32 at most 0.04 per message (one io_uring_enter per 32), busy 0.
 *
 * Return: 0, or -1 when a case failed.
 */
int rb_shm_sys(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < sizeof(sys_cases) / sizeof(sys_cases[0]); i++)
		if (sys_one(&sys_cases[i]))
			ret = -1;
	return ret;
}

/* ---- fanout-64: one doorbell to each of 64 sleeping channels -------- */

#define RB_FAN	64

struct fan;

/* What one consumer thread of the fan-out gets. */
struct fan_arg {
	struct fan *f;
	unsigned int i;
};

/* The fan-out: 64 channels, their sleeping consumer threads, a counter. */
struct fan {
	struct ringdev_chan *tx[RB_FAN], *rx[RB_FAN];
	int socks[RB_FAN][2];
	pthread_t th[RB_FAN];
	unsigned long got;	/* messages consumed, all threads */
	unsigned long errors;
	struct fan_arg arg[RB_FAN];
	unsigned long per;	/* messages each consumer takes before it exits */
};

/* Consumer of one channel: sleep in recv (spin 0), count, repeat. */
static void *fan_cons(void *arg)
{
	struct fan_arg *a = arg;
	struct fan *f = a->f;
	struct ringdev_envelope env;
	unsigned char buf[64];
	unsigned long i;
	int k;

	for (i = 0; i < f->per; i++) {
		k = ringdev_chan_recv(f->rx[a->i], &env, buf, sizeof(buf), RINGDEV_WAIT_FOREVER);
		if (k < 0)
			rb_die("ringdev_chan_recv", k);
		if (env.msg_id != i)
			__atomic_add_fetch(&f->errors, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&f->got, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Wait until every consumer has taken @want messages and gone back to sleep. */
static void fan_settle(struct fan *f, unsigned long want)
{
	while (__atomic_load_n(&f->got, __ATOMIC_ACQUIRE) < want)
		usleep(20);
	usleep(100);	/* time for the last one to re-arm and sleep */
}

/*
 * Announce a sleep on @rx's consumer side as ringdev_chan_recv() does
 * before it blocks (a new sleep_seq, then the flag), without blocking: the
 * next doorbell is due, and it wakes nobody.
 */
static void fan_announce(struct ringdev_chan *rx)
{
	struct ringdev_ctrl_wake *w = &ringdev_chan_ring(rx)->ctrl->cons_wake;

	__atomic_store_n(&w->sleep_seq, w->sleep_seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&w->need_wakeup, 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * The same 64 doorbells when no thread sleeps behind them: consumers that
 * announced a sleep but wait on nothing, so each doorbell is an eventfd
 * write (or a KICK) that wakes nobody.  What submitting in one
 * io_uring_enter saves when wakeups cost nothing: the most batching can
 * give on this kernel.  Information only; alternating, like the fan-out.
 */
static void fan_nowake(struct ringdev_batch *b, unsigned int reps)
{
	struct rb_row *ru = rb_row_new("fanout-idle-uring", RB_OP);
	struct rb_row *rs = rb_row_new("fanout-idle-syscalls", RB_OP);
	struct ringdev_chan *tx[RB_FAN], *rx[RB_FAN];
	int socks[RB_FAN][2], err = 0, rung;
	unsigned int i, r, opened = 0, ok[2] = { 0, 0 };
	double *ns[2];

	snprintf(ru->desc, sizeof(ru->desc),
		 "as fanout-64-uring, to 64 chans with nobody asleep behind them");
	snprintf(rs->desc, sizeof(rs->desc),
		 "as fanout-64-syscalls, to 64 chans with nobody asleep behind them");
	ru->transport = rs->transport = rb_transport_name();
	rb_set_baseline(ru, "fanout-idle-syscalls", 0, 1);
	snprintf(ru->note, sizeof(ru->note), "information only: the ceiling of batching here");
	ru->batch = rs->batch = RB_FAN;
	ru->n = rs->n = reps;
	ns[0] = rb_alloc(reps * sizeof(double));
	ns[1] = rb_alloc(reps * sizeof(double));
	for (i = 0; i < RB_FAN; i++, opened++) {
		err = rb_chan_open(RB_SYS_SIZE, 0, &tx[i], &rx[i], socks[i], ru->note,
				   sizeof(ru->note));
		if (err)
			goto out;
	}
	for (r = 0; r < 2 * reps + 2; r++) {
		int way = r & 1;
		uint64_t t0, t1;

		for (i = 0; i < RB_FAN; i++)
			fan_announce(rx[i]);
		t0 = rb_now_ticks();
		if (!way) {
			for (i = 0; i < RB_FAN; i++)
				ringdev_batch_notify(b, tx[i]);
			rung = ringdev_batch_submit(b);
		} else {
			for (rung = 0, i = 0; i < RB_FAN; i++)
				rung += ringdev_chan_notify(tx[i]) == 1;
		}
		t1 = rb_now_ticks();
		if (rung != RB_FAN) {
			snprintf(ru->note, sizeof(ru->note), "%d of %d doorbells rang", rung, RB_FAN);
			err = -EIO;
			goto out;
		}
		if (r >= 2)
			ns[way][ok[way]++] = rb_ticks_to_ns((double)(t1 - t0));
	}
	ru->rate[ru->nrate++] = rb_median(ns[0], ok[0]);
	rs->rate[rs->nrate++] = rb_median(ns[1], ok[1]);
out:
	if (err)
		ru->failed = rs->failed = 1;
	for (i = 0; i < opened; i++)
		rb_chan_close(tx[i], rx[i], socks[i]);
	free(ns[0]);
	free(ns[1]);
}

/**
 * rb_fanout() - ring 64 sleeping channels: one io_uring submit vs 64 syscalls
 *
 * 64 channels each have a consumer thread asleep in ringdev_chan_recv()
 * (spin 0).  Each repetition puts one message on every ring, then times
 * only the doorbells: 64 ringdev_batch_notify() and one
 * ringdev_batch_submit() (fanout-64-uring), or 64 ringdev_chan_notify()
 * eventfd writes (fanout-64-syscalls), alternating.  A repetition counts
 * only when all 64 doorbells really rang.  Target: io_uring at least 3x
 * faster, i.e. at most 0.33x the time of the 64 syscalls.  Then the same
 * doorbells with nobody asleep behind them (fan_nowake()), for reference.
 *
 * Return: 0, or -1 when it could not run.
 */
int rb_fanout(void)
{
	struct rb_row *ru = rb_row_new("fanout-64-uring", RB_OP);
	struct rb_row *rs = rb_row_new("fanout-64-syscalls", RB_OP);
	unsigned int reps = rb_opt.quick ? 50 : 300, i, r, ok[2] = { 0, 0 }, bad[2] = { 0, 0 };
	struct ringdev_batch *b = NULL;
	struct ringdev_envelope env;
	unsigned char payload[8] = { 0 };
	double *ns[2];
	unsigned long sent = 0;
	struct fan *f = rb_alloc(sizeof(*f));
	int err = 0, k, opened = 0, started = 0, pinned = 0;
	pthread_attr_t attr;
	cpu_set_t set, saved;

	snprintf(ru->desc, sizeof(ru->desc),
		 "64 batch_notify + 1 batch_submit (io_uring) to 64 sleeping chans");
	snprintf(rs->desc, sizeof(rs->desc), "64 ringdev_chan_notify (%s) to 64 sleeping chans",
		 rb_opt.transport == RINGDEV_TRANSPORT_DEV ? "KICK ioctl" : "eventfd write");
	ru->transport = rs->transport = rb_transport_name();
	rb_set_baseline(ru, "fanout-64-syscalls", 1.0 / 3.0, 1);
	ru->batch = rs->batch = RB_FAN;
	ru->n = rs->n = reps;
	ns[0] = rb_alloc(reps * sizeof(double));
	ns[1] = rb_alloc(reps * sizeof(double));
	f->per = 2 * (unsigned long)reps + 2;
	for (i = 0; i < RB_FAN; i++, opened++) {
		err = rb_chan_open(RB_SYS_SIZE, 0, &f->tx[i], &f->rx[i], f->socks[i], ru->note,
				   sizeof(ru->note));
		if (err)
			goto out;
	}
	err = ringdev_batch_open(NULL, &b);
	if (err) {
		snprintf(ru->note, sizeof(ru->note), "ringdev_batch_open: %s", strerror(-err));
		goto out;
	}
	/* Consumers on the second CPU, the doorbells from the first. */
	pthread_attr_init(&attr);
	if (rb_opt.cpu[0] >= 0) {
		CPU_ZERO(&set);
		CPU_SET(rb_opt.cpu[1], &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
		CPU_ZERO(&set);
		CPU_SET(rb_opt.cpu[0], &set);
		pinned = !pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	for (i = 0; i < RB_FAN; i++, started++) {
		f->arg[i].f = f;
		f->arg[i].i = i;
		err = -pthread_create(&f->th[i], &attr, fan_cons, &f->arg[i]);
		if (err)
			break;
	}
	pthread_attr_destroy(&attr);
	if (err)
		goto out;
	memset(&env, 0, sizeof(env));
	env.len = sizeof(payload);
	/* 2 warm fan-outs (files get registered), then reps of each, alternating. */
	for (r = 0; r < 2 * reps + 2; r++) {
		int way = r & 1, rung = 0;	/* 0: io_uring, 1: syscalls */
		uint64_t t0, t1;

		fan_settle(f, sent * RB_FAN);
		env.msg_id = sent;
		for (i = 0; i < RB_FAN; i++) {
			k = ringdev_ring_send(ringdev_chan_ring(f->tx[i]), &env, payload);
			if (k)
				rb_die("ringdev_ring_send", k);
		}
		t0 = rb_now_ticks();
		if (!way) {
			for (i = 0; i < RB_FAN; i++)
				ringdev_batch_notify(b, f->tx[i]);
			rung = ringdev_batch_submit(b);
		} else {
			for (i = 0; i < RB_FAN; i++)
				rung += ringdev_chan_notify(f->tx[i]) == 1;
		}
		t1 = rb_now_ticks();
		sent++;
		if (r < 2)
			continue;
		if (rung != RB_FAN) {
			/* Some consumer was still awake: not a 64-syscall fan-out. */
			bad[way]++;
			continue;
		}
		ns[way][ok[way]++] = rb_ticks_to_ns((double)(t1 - t0));
	}
	fan_settle(f, sent * RB_FAN);
	if (ok[0])
		ru->rate[ru->nrate++] = rb_median(ns[0], ok[0]);
	if (ok[1])
		rs->rate[rs->nrate++] = rb_median(ns[1], ok[1]);
	ru->errors += f->errors;
	snprintf(ru->note, sizeof(ru->note),
		 "last pass: %u of %u fan-outs rang all 64 (%s)", ok[0], ok[0] + bad[0],
		 ringdev_batch_uses_uring(b) ? "io_uring" : "NO io_uring: plain syscalls");
	snprintf(rs->note, sizeof(rs->note), "last pass: %u of %u fan-outs rang all 64",
		 ok[1], ok[1] + bad[1]);
	fan_nowake(b, reps);	/* its own rows say when it failed */
out:
	if (err) {
		ru->failed = rs->failed = 1;
		if (!ru->note[0])
			snprintf(ru->note, sizeof(ru->note), "%s", strerror(-err));
	}
	/* Let every consumer finish: send what each still waits for. */
	for (i = 0; i < (unsigned int)started; i++) {
		while (sent < f->per) {
			unsigned int j;

			env.msg_id = sent++;
			for (j = 0; j < (unsigned int)started; j++)
				ringdev_chan_send(f->tx[j], &env, payload, RINGDEV_WAIT_FOREVER);
		}
		pthread_join(f->th[i], NULL);
	}
	if (pinned)
		pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	ringdev_batch_close(b);
	for (i = 0; i < (unsigned int)opened; i++)
		rb_chan_close(f->tx[i], f->rx[i], f->socks[i]);
	free(ns[0]);
	free(ns[1]);
	free(f);
	return err ? -1 : 0;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * batch.c - io_uring batching (ringdev_batch_*): doorbells across many
 * channels land with no lost wakeup, one enter rings a whole batch, busy
 * consumers cost nothing, one thread serves many channels, a failed
 * doorbell is reported; the same cases through the syscall fallback
 * (RINGDEV_BATCH_SYSCALLS and $RINGDEV_NO_URING) and through SQPOLL.
 * $RINGDEV_TRANSPORT picks the transport (the VM runs it with dev).
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <ringdev/batch.h>
#include "internal.h"
#include "test.h"

#define NCHAN		64
#define BURST		16
#define NSLEEPERS	32
#define LOST_NS		2000000000LL	/* a sleep this long missed its doorbell */

/* How the batch under test is opened. */
enum mode { MODE_URING, MODE_SYSCALLS, MODE_NO_URING_ENV, MODE_SQPOLL };

static const char *const mode_name[] = { "uring", "syscalls", "RINGDEV_NO_URING", "sqpoll" };

static int open_batch(enum mode m, __u32 entries, struct ringdev_batch **b)
{
	struct ringdev_batch_opts o;
	int rc;

	ringdev_batch_opts_init(&o);
	if (entries)
		o.entries = entries;
	if (m == MODE_SYSCALLS)
		o.flags |= RINGDEV_BATCH_SYSCALLS;
	if (m == MODE_SQPOLL) {
		o.flags |= RINGDEV_BATCH_SQPOLL;
		o.sq_thread_idle_ms = 50;
	}
	if (m == MODE_NO_URING_ENV)
		setenv("RINGDEV_NO_URING", "1", 1);
	rc = ringdev_batch_open(&o, b);
	if (m == MODE_NO_URING_ENV)
		unsetenv("RINGDEV_NO_URING");
	return rc;
}

/* Is io_uring usable here at all (not disabled, not refused)? */
static int uring_available(void)
{
	struct io_uring r;

	if (io_uring_queue_init(4, &r, 0))
		return 0;
	io_uring_queue_exit(&r);
	return 1;
}

/* 0: SQPOLL works; else the -errno io_uring_queue_init gives for it. */
static int sqpoll_error(void)
{
	struct io_uring_params p;
	struct io_uring r;
	int rc;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 10;
	rc = io_uring_queue_init_params(4, &r, &p);
	if (!rc)
		io_uring_queue_exit(&r);
	return rc;
}

static struct ringdev_chan *new_chan(__u32 cap, __u64 spin_ns)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c;

	ringdev_chan_opts_init(&o);
	o.capacity = cap;
	o.slot_size = 64;
	o.spin_ns = spin_ns;
	return ringdev_chan_create(&o, &c) ? NULL : c;
}

static __u32 need_wakeup(struct ringdev_chan *c)
{
	return RINGDEV_LOAD_ACQUIRE(&ringdev_chan_ring(c)->ctrl->cons_wake.need_wakeup);
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Wait (bounded) until every channel's consumer announced a sleep. */
static int all_asleep(struct ringdev_chan **cs, unsigned int n)
{
	unsigned int i, tries;

	for (tries = 0; tries < 5000; tries++) {
		for (i = 0; i < n; i++)
			if (!need_wakeup(cs[i]))
				break;
		if (i == n)
			return 1;
		sleep_us(1000);
	}
	return 0;
}

/* ---- many channels, sleeping consumers, bursty producer -------------- */

/* Set by a consumer that gives up: the producer stops too. */
static int give_up;

static void consumer_gives_up(void)
{
	__atomic_store_n(&give_up, 1, __ATOMIC_RELEASE);
}

struct cons_arg {
	struct ringdev_chan *c;
	int batch_mode;		/* -1: ringdev_chan_recv_burst; else ringdev_batch_wait */
	unsigned long want;	/* messages to receive */
	unsigned long got;
	int lost;		/* timed out with a message waiting */
	int bad;		/* out of order or an error */
};

/*
 * One consumer: sleeps at once (spin 0) whenever its ring is empty, in
 * ringdev_chan_recv_burst() or in a ringdev_batch_wait() of its own.  The
 * latter never resets the eventfd, so it is the one that sees a missing
 * doorbell soonest.
 */
static void *consumer(void *p)
{
	struct cons_arg *a = p;
	struct ringdev_msg m[BURST];
	struct ringdev_batch *b = NULL;
	__u64 next = 0;
	int i, rc;

	memset(m, 0, sizeof(m));
	if (a->batch_mode >= 0 && open_batch(a->batch_mode, 8, &b)) {
		a->bad = 3;
		consumer_gives_up();
		return NULL;
	}
	while (a->got < a->want) {
		__u64 t0 = mono_ns();

		if (b) {
			rc = ringdev_ring_recv_burst(ringdev_chan_ring(a->c), m, BURST);
			if (rc == -EAGAIN)
				rc = ringdev_batch_wait(b, &a->c, 1, LOST_NS);
		} else {
			rc = ringdev_chan_recv_burst(a->c, m, BURST, LOST_NS);
		}
		/*
		 * The producer feeds every channel whose ring has room all the
		 * time: a sleep that lasts the whole timeout (even one that
		 * then finds a message) missed its doorbell.
		 */
		if (mono_ns() - t0 >= (__u64)LOST_NS) {
			a->lost = 1;
			consumer_gives_up();
			break;
		}
		if (rc == -ETIMEDOUT || (b && rc == 0))
			continue;
		if (rc < 0) {
			a->bad = rc;
			consumer_gives_up();
			break;
		}
		for (i = 0; i < rc; i++)
			if (m[i].env.msg_id != next++)
				a->bad = 1;
		a->got += (unsigned long)rc;
	}
	ringdev_batch_close(b);
	return NULL;
}

/*
 * The producer: bursts to each channel in turn, ringdev_batch_notify per
 * channel, ringdev_batch_submit every @per_submit channels.  Never blocks:
 * a full ring is skipped and retried (its consumer is awake or owed a
 * doorbell that the next submit rings).  Every @pause_every passes it
 * pauses, so that consumers that keep up must go to sleep.
 */
static int produce(struct ringdev_batch *b, struct ringdev_chan **cs, unsigned int n,
		   unsigned long per_chan, unsigned int per_submit, unsigned int pause_every,
		   unsigned long *sent)
{
	struct ringdev_msg m[BURST];
	unsigned int i, k, since = 0, idle = 0, pass = 0;
	unsigned long left = per_chan * n;
	int rc;

	memset(m, 0, sizeof(m));
	while (left) {
		int progress = 0;

		if (__atomic_load_n(&give_up, __ATOMIC_ACQUIRE))
			return T_FAIL;	/* the consumer says why */

		for (i = 0; i < n; i++) {
			unsigned long todo = per_chan - sent[i];

			if (!todo)
				continue;
			if (todo > BURST)
				todo = BURST;
			for (k = 0; k < todo; k++)
				m[k].env.msg_id = sent[i] + k;
			rc = ringdev_ring_send_burst(ringdev_chan_ring(cs[i]), m, (unsigned int)todo);
			if (rc == -EAGAIN)
				continue;
			T_ASSERT(rc > 0, "send_burst: %d", rc);
			sent[i] += (unsigned long)rc;
			left -= (unsigned long)rc;
			progress = 1;
			rc = ringdev_batch_notify(b, cs[i]);
			T_ASSERT(rc == 0 || rc == 1, "notify: %d", rc);
			if (++since == per_submit) {
				rc = ringdev_batch_submit(b);
				T_ASSERT(rc >= 0, "submit: %d", rc);
				since = 0;
			}
		}
		rc = ringdev_batch_submit(b);
		T_ASSERT(rc >= 0, "submit: %d", rc);
		since = 0;
		/* Let a consumer that keeps up run dry and go to sleep. */
		if (pause_every && ++pass % pause_every == 0)
			sleep_us(2000);
		if (!progress && ++idle > 16) {
			sched_yield();
			idle = 0;
		}
	}
	return T_PASS;
}

static int run_many(enum mode mode)
{
	struct ringdev_chan *cs[NCHAN];
	struct cons_arg args[NCHAN];
	pthread_t th[NCHAN];
	unsigned long sent[NCHAN], per_chan, got = 0;
	struct ringdev_batch_stats st;
	struct ringdev_batch *b;
	unsigned int i;
	int rc, uring;

	per_chan = t_scale(1000000) / NCHAN + 1;
	T_EQ(open_batch(mode, 32, &b), 0);
	uring = ringdev_batch_uses_uring(b);
	if (mode == MODE_SQPOLL && uring && !ringdev_batch_uses_sqpoll(b)) {
		ringdev_batch_close(b);
		printf("  skip: SQPOLL refused here (%s)\n", ringdev_strerror(sqpoll_error()));
		return T_SKIP;
	}
	give_up = 0;
	for (i = 0; i < NCHAN; i++) {
		cs[i] = new_chan(256, 0);
		T_ASSERT(cs[i], "chan %u", i);
		args[i] = (struct cons_arg){ .c = cs[i], .want = per_chan,
					     .batch_mode = i & 1 ? (int)mode : -1 };
		sent[i] = 0;
		T_EQ(pthread_create(&th[i], NULL, consumer, &args[i]), 0);
	}
	rc = produce(b, cs, NCHAN, per_chan, 8, 0, sent);
	for (i = 0; i < NCHAN; i++) {
		pthread_join(th[i], NULL);
		got += args[i].got;
	}
	ringdev_batch_stats(b, &st);
	printf("  %s%s: %lu msgs, %llu kicks, %llu suppressed, %llu enters, %llu fallbacks, %llu errors\n",
	       mode_name[mode], uring ? "" : " (no io_uring)", got, (unsigned long long)st.kicks,
	       (unsigned long long)st.suppressed, (unsigned long long)st.enters,
	       (unsigned long long)st.fallbacks, (unsigned long long)st.kick_errors);
	ringdev_batch_close(b);
	for (i = 0; i < NCHAN; i++) {
		T_ASSERT(!args[i].lost, "chan %u: lost wakeup (slept %lld ns)", i, LOST_NS);
		T_ASSERT(!args[i].bad, "chan %u: bad stream (%d)", i, args[i].bad);
		T_EQ(args[i].got, per_chan);
		ringdev_chan_close(cs[i]);
	}
	T_EQ(rc, T_PASS);
	T_EQ(st.kick_errors, 0);
	T_ASSERT(st.kicks > 0, "consumers slept, yet no doorbell rang");
	if (uring)
		T_ASSERT(st.fallbacks == 0, "%llu fallbacks", (unsigned long long)st.fallbacks);
	else
		T_ASSERT(st.enters == 0 && st.fallbacks == st.kicks,
			 "fallback used io_uring: %llu enters", (unsigned long long)st.enters);
	return T_PASS;
}

/* ---- one thread serving many channels with ringdev_batch_wait -------- */

struct server_arg {
	struct ringdev_batch *b;
	struct ringdev_chan **cs;
	unsigned int n;
	unsigned long want, got;
	unsigned long waits;
	int lost, bad;
};

static void *server(void *p)
{
	struct server_arg *a = p;
	struct ringdev_msg m[BURST];
	__u64 next[NCHAN] = { 0 }, t0;
	unsigned int i;
	int rc, j;

	memset(m, 0, sizeof(m));
	while (a->got < a->want) {
		int any = 0;

		for (i = 0; i < a->n; i++) {
			rc = ringdev_ring_recv_burst(ringdev_chan_ring(a->cs[i]), m, BURST);
			if (rc == -EAGAIN)
				continue;
			if (rc < 0) {
				a->bad = rc;
				consumer_gives_up();
				return NULL;
			}
			for (j = 0; j < rc; j++)
				if (m[j].env.msg_id != next[i]++)
					a->bad = 1;
			a->got += (unsigned long)rc;
			any = 1;
			rc = ringdev_batch_notify_space(a->b, a->cs[i]);
			if (rc < 0)
				a->bad = rc;
		}
		if (any) {
			if (ringdev_batch_submit(a->b) < 0)
				a->bad = 2;
			continue;
		}
		a->waits++;
		t0 = mono_ns();
		rc = ringdev_batch_wait(a->b, a->cs, a->n, LOST_NS);
		/* The producer never pauses that long: a doorbell went missing. */
		if (mono_ns() - t0 >= (__u64)LOST_NS) {
			a->lost = 1;
			consumer_gives_up();
			return NULL;
		}
		if (rc && rc != -ETIMEDOUT) {
			a->bad = rc;
			consumer_gives_up();
			return NULL;
		}
	}
	return NULL;
}

static int run_server(enum mode mode)
{
	struct ringdev_chan *cs[NCHAN];
	struct ringdev_batch *pb, *sb;
	struct ringdev_batch_stats pst, sst;
	struct server_arg a;
	unsigned long sent[NCHAN], per_chan;
	pthread_t th;
	unsigned int i;
	int rc, uring;

	per_chan = t_scale(200000) / NCHAN + 1;
	T_EQ(open_batch(mode, 0, &pb), 0);
	T_EQ(open_batch(mode, 0, &sb), 0);
	uring = ringdev_batch_uses_uring(sb);
	if (mode == MODE_SQPOLL && uring && !ringdev_batch_uses_sqpoll(sb)) {
		ringdev_batch_close(pb);
		ringdev_batch_close(sb);
		printf("  skip: SQPOLL refused here (%s)\n", ringdev_strerror(sqpoll_error()));
		return T_SKIP;
	}
	for (i = 0; i < NCHAN; i++) {
		cs[i] = new_chan(64, 0);
		T_ASSERT(cs[i], "chan %u", i);
		sent[i] = 0;
	}
	a = (struct server_arg){ .b = sb, .cs = cs, .n = NCHAN, .want = per_chan * NCHAN };
	give_up = 0;
	T_EQ(pthread_create(&th, NULL, server, &a), 0);
	rc = produce(pb, cs, NCHAN, per_chan, 4, 4, sent);
	pthread_join(th, NULL);
	ringdev_batch_stats(pb, &pst);
	ringdev_batch_stats(sb, &sst);
	printf("  %s%s: %lu msgs, %lu waits, %llu sleeps (%llu wait enters), "
	       "producer %llu kicks / %llu enters\n",
	       mode_name[mode], uring ? "" : " (no io_uring)", a.got, a.waits,
	       (unsigned long long)sst.sleeps, (unsigned long long)sst.enters,
	       (unsigned long long)pst.kicks, (unsigned long long)pst.enters);
	ringdev_batch_close(pb);
	ringdev_batch_close(sb);
	for (i = 0; i < NCHAN; i++)
		ringdev_chan_close(cs[i]);
	T_EQ(rc, T_PASS);
	T_ASSERT(!a.lost, "lost wakeup: slept %lld ns", LOST_NS);
	T_EQ(a.bad, 0);
	T_EQ(a.got, per_chan * NCHAN);
	T_EQ(pst.kick_errors, 0);
	T_ASSERT(sst.sleeps > 0, "the server never slept");
	if (uring)
		T_EQ(sst.fallbacks, 0);
	else
		T_EQ(sst.fallbacks, sst.sleeps);
	return T_PASS;
}

/* ---- counting: suppression, one enter per batch ----------------------- */

struct spin_arg {
	struct ringdev_chan *c;
	volatile int stop;
	unsigned long got;
};

/* A consumer that never sleeps. */
static void *busy_consumer(void *p)
{
	struct spin_arg *a = p;
	struct ringdev_msg m[BURST];
	int rc;

	memset(m, 0, sizeof(m));
	while (!__atomic_load_n(&a->stop, __ATOMIC_ACQUIRE)) {
		rc = ringdev_ring_recv_burst(ringdev_chan_ring(a->c), m, BURST);
		if (rc > 0)
			a->got += (unsigned long)rc;
		else
			sched_yield();
	}
	return NULL;
}

static int run_suppressed(enum mode mode)
{
	struct ringdev_batch_stats st;
	struct ringdev_batch *b;
	struct ringdev_chan *c;
	struct ringdev_msg m;
	struct spin_arg a;
	pthread_t th;
	int i, rc, sent = 0;

	T_EQ(open_batch(mode, 0, &b), 0);
	c = new_chan(1024, 0);
	T_ASSERT(c, "chan");
	a = (struct spin_arg){ .c = c };
	T_EQ(pthread_create(&th, NULL, busy_consumer, &a), 0);
	memset(&m, 0, sizeof(m));
	for (i = 0; i < 2000; i++) {
		rc = ringdev_ring_send_burst(ringdev_chan_ring(c), &m, 1);
		if (rc == -EAGAIN) {
			sched_yield();
			continue;
		}
		sent++;
		T_EQ(ringdev_batch_notify(b, c), 0);
		T_EQ(ringdev_batch_submit(b), 0);
	}
	__atomic_store_n(&a.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	ringdev_batch_stats(b, &st);
	ringdev_batch_close(b);
	ringdev_chan_close(c);
	T_EQ(st.kicks, 0);
	T_EQ(st.suppressed, sent);
	T_EQ(st.enters, 0);
	T_EQ(st.fallbacks, 0);
	return T_PASS;
}

struct sleeper_arg {
	struct ringdev_chan *c;
	int rc;
};

static void *sleeper(void *p)
{
	struct sleeper_arg *a = p;
	struct ringdev_envelope env;
	char buf[8];

	a->rc = ringdev_chan_recv(a->c, &env, buf, sizeof(buf), 10 * LOST_NS);
	return NULL;
}

/*
 * NSLEEPERS consumers asleep; one message each; notify all, then one
 * submit: every doorbell rings, in ceil(NSLEEPERS / entries) enters.
 */
static int run_one_enter(enum mode mode, __u32 entries)
{
	struct ringdev_chan *cs[NSLEEPERS];
	struct sleeper_arg args[NSLEEPERS];
	struct ringdev_batch_stats st0, st1;
	struct ringdev_envelope env;
	struct ringdev_batch *b;
	pthread_t th[NSLEEPERS];
	unsigned int i;
	__u64 want_enters;
	int uring;

	T_EQ(open_batch(mode, entries, &b), 0);
	uring = ringdev_batch_uses_uring(b);
	for (i = 0; i < NSLEEPERS; i++) {
		cs[i] = new_chan(16, 0);
		T_ASSERT(cs[i], "chan %u", i);
		args[i] = (struct sleeper_arg){ .c = cs[i], .rc = 1 };
		T_EQ(pthread_create(&th[i], NULL, sleeper, &args[i]), 0);
	}
	T_ASSERT(all_asleep(cs, NSLEEPERS), "consumers did not go to sleep");
	memset(&env, 0, sizeof(env));
	ringdev_batch_stats(b, &st0);
	for (i = 0; i < NSLEEPERS; i++) {
		T_EQ(ringdev_ring_send(ringdev_chan_ring(cs[i]), &env, ""), 0);
		T_EQ(ringdev_batch_notify(b, cs[i]), 1);
		/* Once per sleep: a second notify adds nothing. */
		T_EQ(ringdev_batch_notify(b, cs[i]), 0);
	}
	T_EQ(ringdev_batch_submit(b), NSLEEPERS);
	ringdev_batch_stats(b, &st1);
	for (i = 0; i < NSLEEPERS; i++) {
		pthread_join(th[i], NULL);
		T_EQ(args[i].rc, 0);
		ringdev_chan_close(cs[i]);
	}
	ringdev_batch_close(b);
	T_EQ(st1.kicks - st0.kicks, NSLEEPERS);
	T_EQ(st1.kick_errors, 0);
	if (uring) {
		want_enters = (NSLEEPERS + entries - 1) / entries;
		printf("  %u doorbells, SQ of %u: %llu io_uring_enter, %llu io_uring_register\n",
		       NSLEEPERS, entries, (unsigned long long)(st1.enters - st0.enters),
		       (unsigned long long)(st1.registers - st0.registers));
		T_EQ(st1.enters - st0.enters, want_enters);
		T_EQ(st1.fallbacks - st0.fallbacks, 0);
	} else {
		T_EQ(st1.enters - st0.enters, 0);
		T_EQ(st1.fallbacks - st0.fallbacks, NSLEEPERS);
	}
	return T_PASS;
}

/* ---- edge cases -------------------------------------------------------- */

static int run_wait_edges(enum mode mode)
{
	struct ringdev_batch *b;
	struct ringdev_chan *c[2], *d;
	struct ringdev_envelope env;
	__u64 t0, t1;
	struct timespec ts;

	T_EQ(open_batch(mode, 0, &b), 0);
	c[0] = new_chan(16, 0);
	c[1] = new_chan(16, 0);
	T_ASSERT(c[0] && c[1], "chans");
	T_EQ(ringdev_batch_wait(b, c, 0, 0), -EINVAL);
	T_EQ(ringdev_batch_wait(b, c, 2, 0), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	T_EQ(ringdev_batch_wait(b, c, 2, 20000000), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t1 = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	T_ASSERT(t1 - t0 >= 19000000, "woke after %llu ns of 20 ms", (unsigned long long)(t1 - t0));
	T_EQ(need_wakeup(c[0]) | need_wakeup(c[1]), 0);
	/* A message already there: no sleep. */
	memset(&env, 0, sizeof(env));
	T_EQ(ringdev_ring_send(ringdev_chan_ring(c[1]), &env, ""), 0);
	T_EQ(ringdev_batch_wait(b, c, 2, 0), 0);
	T_EQ(ringdev_batch_wait(b, c, 2, LOST_NS), 0);

	/*
	 * A closed channel's fds and memory come back for the next one: the
	 * batch must not take the new channel for the old (armed poll,
	 * registered file).
	 */
	ringdev_chan_close(c[1]);
	d = new_chan(16, 0);
	T_ASSERT(d, "chan");
	c[1] = d;
	T_EQ(ringdev_batch_wait(b, c, 2, 10000000), -ETIMEDOUT);
	ringdev_batch_close(b);
	ringdev_chan_close(c[0]);
	ringdev_chan_close(c[1]);
	return T_PASS;
}

/* Kicks through a registered file, close, reopen: the doorbell reaches the new one. */
static int run_reuse(enum mode mode)
{
	struct sleeper_arg a;
	struct ringdev_envelope env;
	struct ringdev_batch *b;
	struct ringdev_chan *c;
	pthread_t th;
	int round;

	T_EQ(open_batch(mode, 0, &b), 0);
	memset(&env, 0, sizeof(env));
	for (round = 0; round < 4; round++) {
		c = new_chan(16, 0);
		T_ASSERT(c, "chan");
		a = (struct sleeper_arg){ .c = c, .rc = 1 };
		T_EQ(pthread_create(&th, NULL, sleeper, &a), 0);
		T_ASSERT(all_asleep(&c, 1), "consumer did not sleep");
		T_EQ(ringdev_ring_send(ringdev_chan_ring(c), &env, ""), 0);
		T_EQ(ringdev_batch_notify(b, c), 1);
		T_EQ(ringdev_batch_submit(b), 1);
		pthread_join(th, NULL);
		T_EQ(a.rc, 0);
		ringdev_chan_close(c);
	}
	ringdev_batch_close(b);
	return T_PASS;
}

/* A doorbell that fails is counted and reported, never hidden. */
static int run_kick_error(enum mode mode)
{
	struct ringdev_batch_stats st;
	struct ringdev_envelope env;
	struct ringdev_batch *b;
	struct ringdev_chan *c;
	int saved, bad;

	c = new_chan(16, 0);
	T_ASSERT(c, "chan");
	if (ringdev_chan_transport(c) != RINGDEV_TRANSPORT_SHM) {
		ringdev_chan_close(c);
		printf("  skip: needs the shm transport (an eventfd to break)\n");
		return T_SKIP;
	}
	T_EQ(open_batch(mode, 0, &b), 0);
	/* Swap the consumer's eventfd for a file that refuses writes. */
	bad = open("/dev/null", O_RDONLY | O_CLOEXEC);
	T_ASSERT(bad >= 0, "open /dev/null");
	saved = c->efd[RINGDEV_SIDE_CONS];
	c->efd[RINGDEV_SIDE_CONS] = bad;
	ringdev_chan_ring(c)->ctrl->cons_wake.need_wakeup = 1;
	ringdev_chan_ring(c)->ctrl->cons_wake.sleep_seq++;
	memset(&env, 0, sizeof(env));
	T_EQ(ringdev_ring_send(ringdev_chan_ring(c), &env, ""), 0);
	T_EQ(ringdev_batch_notify(b, c), 1);
	T_EQ(ringdev_batch_submit(b), -EBADF);
	ringdev_batch_stats(b, &st);
	T_EQ(st.kick_errors, 1);
	T_EQ(st.kicks, 0);
	T_EQ(ringdev_batch_submit(b), 0);
	c->efd[RINGDEV_SIDE_CONS] = saved;
	ringdev_chan_ring(c)->ctrl->cons_wake.need_wakeup = 0;
	ringdev_batch_close(b);
	close(bad);
	ringdev_chan_close(c);
	return T_PASS;
}

static int test_options(void)
{
	struct ringdev_batch_opts o;
	struct ringdev_batch *b = (struct ringdev_batch *)1;

	ringdev_batch_opts_init(&o);
	T_EQ(o.entries, RINGDEV_BATCH_DEFAULT_ENTRIES);
	o.entries = 3;
	T_EQ(ringdev_batch_open(&o, &b), -EINVAL);
	T_ASSERT(b == NULL, "out cleared on failure");
	ringdev_batch_opts_init(&o);
	o.reserved = 1;
	T_EQ(ringdev_batch_open(&o, &b), -EINVAL);
	ringdev_batch_opts_init(&o);
	o.flags = 1U << 7;
	T_EQ(ringdev_batch_open(&o, &b), -EINVAL);
	T_EQ(ringdev_batch_open(NULL, NULL), -EINVAL);
	T_EQ(ringdev_batch_open(NULL, &b), 0);
	T_EQ(ringdev_batch_uses_uring(b), uring_available());
	ringdev_batch_close(b);
	ringdev_batch_close(NULL);
	/* The fallback is taken when asked for, by flag or by environment. */
	T_EQ(open_batch(MODE_SYSCALLS, 0, &b), 0);
	T_EQ(ringdev_batch_uses_uring(b), 0);
	ringdev_batch_close(b);
	T_EQ(open_batch(MODE_NO_URING_ENV, 0, &b), 0);
	T_EQ(ringdev_batch_uses_uring(b), 0);
	ringdev_batch_close(b);
	return T_PASS;
}

/*
 * The "uring" and "sqpoll" cases open the default batch (or ask for
 * SQPOLL) and run wherever io_uring is refused too: the batch then falls
 * back to plain syscalls, and the same case, with the enter and fallback
 * counts it expects following ringdev_batch_uses_uring(), tests that
 * fallback (tests/deny-uring runs this program with io_uring_setup
 * refused).
 */
static int test_many_uring(void) { return run_many(MODE_URING); }
static int test_many_syscalls(void) { return run_many(MODE_SYSCALLS); }
static int test_many_sqpoll(void) { return run_many(MODE_SQPOLL); }
static int test_server_uring(void) { return run_server(MODE_URING); }
static int test_server_syscalls(void) { return run_server(MODE_SYSCALLS); }
static int test_server_no_uring_env(void) { return run_server(MODE_NO_URING_ENV); }
static int test_server_sqpoll(void) { return run_server(MODE_SQPOLL); }
static int test_suppressed_uring(void) { return run_suppressed(MODE_URING); }
static int test_suppressed_syscalls(void) { return run_suppressed(MODE_SYSCALLS); }
static int test_one_enter(void) { return run_one_enter(MODE_URING, 256); }
static int test_sq_full(void) { return run_one_enter(MODE_URING, 8); }
static int test_one_enter_syscalls(void) { return run_one_enter(MODE_SYSCALLS, 256); }
static int test_wait_edges_uring(void) { return run_wait_edges(MODE_URING); }
static int test_wait_edges_syscalls(void) { return run_wait_edges(MODE_SYSCALLS); }
static int test_reuse_uring(void) { return run_reuse(MODE_URING); }
static int test_reuse_syscalls(void) { return run_reuse(MODE_SYSCALLS); }
static int test_kick_error_uring(void) { return run_kick_error(MODE_URING); }
static int test_kick_error_syscalls(void) { return run_kick_error(MODE_SYSCALLS); }

T_MAIN(T_CASE(test_options),
       T_CASE(test_suppressed_uring),
       T_CASE(test_suppressed_syscalls),
       T_CASE(test_one_enter),
       T_CASE(test_sq_full),
       T_CASE(test_one_enter_syscalls),
       T_CASE(test_wait_edges_uring),
       T_CASE(test_wait_edges_syscalls),
       T_CASE(test_reuse_uring),
       T_CASE(test_reuse_syscalls),
       T_CASE(test_kick_error_uring),
       T_CASE(test_kick_error_syscalls),
       T_CASE(test_many_uring),
       T_CASE(test_many_syscalls),
       T_CASE(test_server_uring),
       T_CASE(test_server_syscalls),
       T_CASE(test_server_no_uring_env),
       T_CASE(test_many_sqpoll),
       T_CASE(test_server_sqpoll))

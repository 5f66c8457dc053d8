// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * wakeup.c - the sleep/wake path of channels: a consumer that blocks on an
 * empty ring and a producer that blocks on a full one, never a lost wakeup.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "test.h"

#define WK_TIMEOUT	10000000000LL	/* 10 s: a lost wakeup fails, never hangs */
#define WK_MAXLEN	16U

struct wk_side {
	struct ringdev_chan *c;
	__u64 count;		/* messages to pass */
	int slow;		/* pause now and then so that the other side sleeps */
	__u64 seed;
	int rc;			/* 0 or the failing call's errno (-1: bad message) */
	__u64 where;		/* message index of the failure */
	struct ringdev_chan_stats st;
};

static __u64 wk_rand(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/*
 * A gap in the traffic: a yield or a short sleep.  This only shapes the
 * load (so that the peer finds the ring empty or full and blocks); nothing
 * relies on it for correctness.
 */
static void wk_pause(__u64 *rng)
{
	__u64 r = wk_rand(rng);

	if (r % 3 == 0)
		sched_yield();
	else
		usleep((useconds_t)(1 + (r >> 8) % 80));
}

/* Messages between pauses: 1, 2, 4 ... 256, small ones most often. */
static __u64 wk_run_len(__u64 *rng)
{
	return 1ull << (wk_rand(rng) % 9);
}

static void wk_fill(struct ringdev_envelope *e, unsigned char *p, __u64 seq)
{
	__u32 i;

	memset(e, 0, sizeof(*e));
	e->msg_id = seq;
	e->len = (__u32)(seq % (WK_MAXLEN + 1));
	for (i = 0; i < e->len; i++)
		p[i] = (unsigned char)(seq + i * 7);
}

static void *wk_produce(void *arg)
{
	struct wk_side *s = arg;
	unsigned char buf[32][WK_MAXLEN];
	struct ringdev_msg m[32];
	__u64 seq = 0, rng = s->seed, run = wk_run_len(&rng);
	int rc;

	while (seq < s->count) {
		unsigned int b = 1, i;

		if (wk_rand(&rng) % 4 == 0) {
			/* A burst: one doorbell check for many messages. */
			b = 1 + (unsigned int)(wk_rand(&rng) % 32);
			if (b > s->count - seq)
				b = (unsigned int)(s->count - seq);
			for (i = 0; i < b; i++) {
				wk_fill(&m[i].env, buf[i], seq + i);
				m[i].data = buf[i];
				m[i].cap = 0;
				m[i].reserved = 0;
			}
			rc = ringdev_chan_send_burst(s->c, m, b, WK_TIMEOUT);
			if (rc > 0)
				b = (unsigned int)rc;
		} else {
			wk_fill(&m[0].env, buf[0], seq);
			rc = ringdev_chan_send(s->c, &m[0].env, buf[0], WK_TIMEOUT);
		}
		if (rc < 0) {
			s->rc = rc;
			s->where = seq;
			break;
		}
		seq += b;
		if (s->slow && seq >= run) {
			wk_pause(&rng);
			run = seq + wk_run_len(&rng);
		}
	}
	ringdev_chan_stats(s->c, &s->st);
	return NULL;
}

static void *wk_consume(void *arg)
{
	struct wk_side *s = arg;
	unsigned char buf[WK_MAXLEN];
	struct ringdev_envelope e;
	__u64 seq, rng = s->seed, run = wk_run_len(&rng);
	__u32 i;
	int n;

	for (seq = 0; seq < s->count; seq++) {
		n = ringdev_chan_recv(s->c, &e, buf, sizeof(buf), WK_TIMEOUT);
		if (n < 0) {
			s->rc = n;
			s->where = seq;
			break;
		}
		if (e.msg_id != seq || (__u32)n != seq % (WK_MAXLEN + 1)) {
			fprintf(stderr, "  got message %llu (len %d), want %llu\n",
				(unsigned long long)e.msg_id, n, (unsigned long long)seq);
			s->rc = -1;
			s->where = seq;
			break;
		}
		for (i = 0; i < (__u32)n; i++)
			if (buf[i] != (unsigned char)(seq + i * 7)) {
				s->rc = -1;
				s->where = seq;
				goto out;
			}
		if (s->slow && seq + 1 >= run) {
			wk_pause(&rng);
			run = seq + 1 + wk_run_len(&rng);
		}
	}
out:
	ringdev_chan_stats(s->c, &s->st);
	return NULL;
}

/* On the transport $RINGDEV_TRANSPORT names: the VM runs this on both. */
static struct ringdev_chan *wk_chan(__u32 cap, __u32 ring_flags)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c;

	ringdev_chan_opts_init(&o);
	o.capacity = cap;
	o.slot_size = 64 + 64;
	o.ring_flags = ring_flags;
	/* Never spin: every wait on an empty or full ring is a real sleep. */
	o.spin_ns = 0;
	return ringdev_chan_create(&o, &c) ? NULL : c;
}

static int wk_report(const char *who, const struct wk_side *s)
{
	T_ASSERT(s->rc == 0, "%s failed at message %llu of %llu: %d (%s)", who,
		 (unsigned long long)s->where, (unsigned long long)s->count, s->rc,
		 s->rc == -1 ? "bad message" : ringdev_strerror(s->rc));
	return T_PASS;
}

/*
 * Threads: @sleeper is the side that must block (the consumer on an empty
 * ring, or the producer on a full one); the other side is slow in bursts.
 */
static int wk_threads(__u32 cap, __u64 count, int consumer_sleeps)
{
	struct ringdev_chan *c = wk_chan(cap, 0);
	struct wk_side prod, cons;
	struct ringdev_chan_stats st;
	pthread_t tid;

	T_ASSERT(c, "channel");
	memset(&prod, 0, sizeof(prod));
	memset(&cons, 0, sizeof(cons));
	prod.c = cons.c = c;
	prod.count = cons.count = count;
	prod.seed = 0x1234567ull;
	cons.seed = 0x7654321ull;
	prod.slow = consumer_sleeps;
	cons.slow = !consumer_sleeps;
	T_EQ(pthread_create(&tid, NULL, wk_produce, &prod), 0);
	/* Should the consumer fail, the producer's own timeout ends it. */
	wk_consume(&cons);
	T_EQ(pthread_join(tid, NULL), 0);
	if (wk_report("consumer", &cons) || wk_report("producer", &prod))
		return T_FAIL;
	/* The threads share a handle: its counters hold both sides. */
	ringdev_chan_stats(c, &st);
	printf("       threads cap %u: %llu msgs, %llu sleeps, %llu kicks, %llu suppressed\n",
	       cap, (unsigned long long)count, (unsigned long long)st.sleeps,
	       (unsigned long long)st.kicks, (unsigned long long)st.suppressed);
	T_ASSERT(st.sleeps > 0, "nobody slept: the test did not test the sleep path");
	T_ASSERT(st.kicks > 0, "no doorbell was rung");
	ringdev_chan_close(c);
	return T_PASS;
}

static int test_consumer_sleeps_threads(void)
{
	return wk_threads(256, t_scale(1000000), 1);
}

static int test_producer_sleeps_threads(void)
{
	static const __u32 caps[] = { 2, 4, 8 };
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (wk_threads(caps[i], t_scale(200000), 0))
			return T_FAIL;
	return T_PASS;
}

/*
 * Processes: the parent plays one side, a child the other; the child
 * sends back its result and counters through a pipe.
 */
static int wk_child(int sock, int out, __u64 count, int consumer_sleeps)
{
	struct ringdev_chan *c;
	struct wk_side s;

	memset(&s, 0, sizeof(s));
	if (ringdev_chan_recv_fds(sock, &c))
		return 2;
	ringdev_chan_set_spin(c, 0);
	s.c = c;
	s.count = count;
	s.seed = 0xabcdefull;
	/* The child produces when the parent's consumer is the sleeper. */
	s.slow = 1;
	if (consumer_sleeps)
		wk_produce(&s);
	else
		wk_consume(&s);
	if (write(out, &s, sizeof(s)) != (ssize_t)sizeof(s))
		return 3;
	ringdev_chan_close(c);
	return 0;
}

static int wk_procs(__u32 cap, __u64 count, int consumer_sleeps)
{
	struct ringdev_chan *c = wk_chan(cap, 0);
	struct wk_side me, peer;
	int sv[2], res[2], status = 0, rc = T_FAIL;
	pid_t pid;

	T_ASSERT(c, "channel");
	T_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	T_EQ(pipe2(res, O_CLOEXEC), 0);
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sv[0]);
		close(res[0]);
		_exit(wk_child(sv[1], res[1], count, consumer_sleeps));
	}
	close(sv[1]);
	close(res[1]);
	memset(&me, 0, sizeof(me));
	me.c = c;
	me.count = count;
	me.seed = 0x99ull;
	if (ringdev_chan_send_fds(c, sv[0]))
		goto out;
	close(sv[0]);
	sv[0] = -1;
	if (consumer_sleeps)
		wk_consume(&me);
	else
		wk_produce(&me);
	if (wk_report(consumer_sleeps ? "consumer (parent)" : "producer (parent)", &me))
		goto out;
	if (read(res[0], &peer, sizeof(peer)) != (ssize_t)sizeof(peer)) {
		fprintf(stderr, "  no result from the child\n");
		goto out;
	}
	if (wk_report(consumer_sleeps ? "producer (child)" : "consumer (child)", &peer))
		goto out;
	printf("       procs cap %u: %llu msgs, sleeper %llu sleeps, waker %llu kicks\n", cap,
	       (unsigned long long)count, (unsigned long long)me.st.sleeps,
	       (unsigned long long)peer.st.kicks);
	if (me.st.sleeps == 0 || peer.st.kicks == 0) {
		fprintf(stderr, "  the sleep path was not exercised: %llu sleeps, %llu kicks\n",
			(unsigned long long)me.st.sleeps, (unsigned long long)peer.st.kicks);
		goto out;
	}
	rc = T_PASS;
out:
	if (rc != T_PASS)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "  child status %#x\n", status);
		rc = T_FAIL;
	}
	if (sv[0] >= 0)
		close(sv[0]);
	close(res[0]);
	ringdev_chan_close(c);
	return rc;
}

static int test_consumer_sleeps_procs(void)
{
	return wk_procs(256, t_scale(1000000), 1);
}

static int test_producer_sleeps_procs(void)
{
	static const __u32 caps[] = { 2, 4, 8 };
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (wk_procs(caps[i], t_scale(200000), 0))
			return T_FAIL;
	return T_PASS;
}

#define WK_LOST_NS	3000000000LL	/* a wake-up this late was lost */

struct wk_one {
	struct ringdev_chan *c;
	__u64 got[2];
	int rc;
	__u64 took_ns;		/* the longest receive */
};

static __u64 wk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/*
 * Receive two messages.  A receive finds a message that came without a
 * wake-up when its timeout expires (the last look at the ring), so a
 * receive that took its whole timeout means a lost wake-up.
 */
static void *wk_recv_two(void *arg)
{
	struct wk_one *o = arg;
	struct ringdev_envelope e;
	__u64 t0;
	int i;

	for (i = 0; i < 2; i++) {
		t0 = wk_now_ns();
		o->rc = ringdev_chan_recv(o->c, &e, NULL, 0, WK_LOST_NS);
		if (wk_now_ns() - t0 > o->took_ns)
			o->took_ns = wk_now_ns() - t0;
		if (o->rc < 0)
			return NULL;
		o->got[i] = e.msg_id;
	}
	return NULL;
}

/*
 * Two producers on one handle of an MP ring, one sleeping consumer:
 * message B is published (and rings the sleep) while message A, in the
 * slot before it, is still being filled.  A's doorbell finds that sleep
 * already rung and is suppressed, so the kick for B must have ended the
 * sleep although the slot it woke the consumer for was not ready.  Over
 * the driver this once lost the consumer for good (poll() looked only at
 * the slot); now the driver latches the kick for the sleep.
 */
static int test_out_of_order_publish(void)
{
	struct ringdev_chan *c = wk_chan(8, RINGDEV_RING_F_MP);
	struct ringdev_envelope b;
	struct ringdev_resv a;
	struct wk_one o;
	pthread_t tid;
	int i;

	T_ASSERT(c, "channel");
	memset(&o, 0, sizeof(o));
	o.c = c;
	T_EQ(pthread_create(&tid, NULL, wk_recv_two, &o), 0);
	for (i = 0; i < 5000 && !RINGDEV_LOAD_ACQUIRE(&ringdev_chan_ring(c)->ctrl->cons_wake.need_wakeup); i++)
		usleep(1000);
	T_ASSERT(i < 5000, "the consumer never went to sleep");
	T_EQ(ringdev_ring_reserve(ringdev_chan_ring(c), 0, &a), 0);
	a.env->msg_id = 1;
	memset(&b, 0, sizeof(b));
	b.msg_id = 2;
	T_EQ(ringdev_chan_send(c, &b, NULL, 0), 0);
	/* Shaping only: let the consumer wake and find slot A unready. */
	usleep(20000);
	ringdev_ring_commit(ringdev_chan_ring(c), &a);
	T_ASSERT(ringdev_chan_notify(c) >= 0, "notify");
	T_EQ(pthread_join(tid, NULL), 0);
	T_ASSERT(o.rc >= 0, "consumer: %s", ringdev_strerror(o.rc));
	T_ASSERT(o.took_ns < WK_LOST_NS, "lost wake-up: a receive took %.2f s",
		 (double)o.took_ns / 1e9);
	T_EQ(o.got[0], 1);
	T_EQ(o.got[1], 2);
	ringdev_chan_close(c);
	return T_PASS;
}

T_MAIN(T_CASE(test_out_of_order_publish), T_CASE(test_consumer_sleeps_threads), T_CASE(test_producer_sleeps_threads),
       T_CASE(test_consumer_sleeps_procs), T_CASE(test_producer_sleeps_procs))

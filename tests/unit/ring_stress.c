// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * ring_stress.c - multi-thread stress of the bare ring core in every mode
 * (SPSC, MPSC, SPMC, MPMC), normal and tiny rings: integrity, order, exactly once.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <time.h>
#include "test.h"

#define RS_TYPE		0x57e55U
#define RS_MAXPROD	4
#define RS_MAXCONS	4
#define RS_MAXLEN	72U	/* payload bytes we use at most */
#define RS_BURST	32
#define RS_STALL_NS	(30ull * 1000000000ull)

struct rs_mode {
	const char *name;
	__u32 flags;
	unsigned int nprod, ncons;
	__u32 cap, slot;
	unsigned long per_prod;		/* messages per producer, before scaling */
};

struct rs_ctx {
	struct ringdev_ring r;
	const struct rs_mode *m;
	__u64 per_prod;
	__u32 maxlen;
	__u64 *seen[RS_MAXPROD];	/* one bit per message: exactly once */
	__u64 sent;			/* atomic: messages published */
	__u64 received;			/* atomic: messages verified */
	int failed;			/* atomic: first failure wins */
	char why[256];
};

struct rs_thread {
	struct rs_ctx *ctx;
	unsigned int id;
	pthread_t tid;
};

static void rs_fail(struct rs_ctx *x, const char *fmt, ...)
{
	int zero = 0;
	va_list ap;

	if (!__atomic_compare_exchange_n(&x->failed, &zero, 1, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return;
	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	/* Make the message visible to the joiner. */
	__atomic_store_n(&x->failed, 2, __ATOMIC_RELEASE);
}

static int rs_failed(struct rs_ctx *x)
{
	return __atomic_load_n(&x->failed, __ATOMIC_RELAXED);
}

static __u64 rs_rand(__u64 *s)
{
	/* xorshift64*: reproducible per thread. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Payload length and bytes are functions of (producer, sequence). */
static __u32 rs_len(const struct rs_ctx *x, __u32 src, __u64 seq)
{
	return (__u32)((seq * 13 + src * 5) % (x->maxlen + 1));
}

static unsigned char rs_byte(__u32 src, __u64 seq, __u32 i)
{
	return (unsigned char)((seq ^ (seq >> 8) ^ ((__u64)src << 5)) + i * 31u);
}

static void rs_fill(struct rs_ctx *x, struct ringdev_envelope *e, void *buf,
		    __u32 src, __u64 seq)
{
	unsigned char *p = buf;
	__u32 i;

	memset(e, 0, sizeof(*e));
	e->type = RS_TYPE;
	e->msg_id = seq;
	e->corr_id = ~seq;
	e->src = src;
	e->dst = src ^ 0x5a;
	e->len = rs_len(x, src, seq);
	for (i = 0; i < e->len; i++)
		p[i] = rs_byte(src, seq, i);
}

static void rs_backoff(unsigned int *spins)
{
	if (++*spins >= 16) {
		*spins = 0;
		sched_yield();
	}
}

static void *rs_producer(void *arg)
{
	struct rs_thread *t = arg;
	struct rs_ctx *x = t->ctx;
	static const unsigned int bsz[] = { 1, 2, 3, 5, 8, 16, 32 };
	struct ringdev_msg m[RS_BURST];
	unsigned char bufs[RS_BURST][RS_MAXLEN];
	__u64 seq = 0, rng = 0x9e3779b97f4a7c15ull * (t->id + 1);
	unsigned int spins = 0;
	__u32 src = t->id;

	while (seq < x->per_prod && !rs_failed(x)) {
		unsigned int op = (unsigned int)(rs_rand(&rng) % 8), b, i;
		struct ringdev_resv resv;
		struct ringdev_envelope e;
		int rc;

		if (op < 3) {
			rs_fill(x, &e, bufs[0], src, seq);
			rc = ringdev_ring_send(&x->r, &e, bufs[0]);
			if (rc == 0)
				rc = 1;
		} else if (op < 6) {
			b = bsz[rs_rand(&rng) % (sizeof(bsz) / sizeof(bsz[0]))];
			if (b > x->per_prod - seq)
				b = (unsigned int)(x->per_prod - seq);
			for (i = 0; i < b; i++) {
				rs_fill(x, &m[i].env, bufs[i], src, seq + i);
				m[i].data = bufs[i];
				m[i].cap = 0;
				m[i].reserved = 0;
			}
			rc = ringdev_ring_send_burst(&x->r, m, b);
			if (rc > (int)b) {
				rs_fail(x, "%s: send_burst(%u) returned %d", x->m->name, b, rc);
				break;
			}
		} else {
			rs_fill(x, &e, bufs[0], src, seq);
			rc = ringdev_ring_reserve(&x->r, e.len, &resv);
			if (rc == 0) {
				if (resv.env->len != e.len || resv.env->version != RINGDEV_ENV_VERSION) {
					rs_fail(x, "%s: reserve: len %u version %u",
						x->m->name, resv.env->len, resv.env->version);
					break;
				}
				resv.env->type = e.type;
				resv.env->msg_id = e.msg_id;
				resv.env->corr_id = e.corr_id;
				resv.env->src = e.src;
				resv.env->dst = e.dst;
				memcpy(resv.payload, bufs[0], e.len);
				ringdev_ring_commit(&x->r, &resv);
				rc = 1;
			}
		}
		if (rc == -EAGAIN) {
			rs_backoff(&spins);
			continue;
		}
		if (rc <= 0) {
			rs_fail(x, "%s: producer %u at seq %llu: op %u: %d (%s)", x->m->name,
				src, (unsigned long long)seq, op, rc, ringdev_strerror(rc));
			break;
		}
		seq += (unsigned int)rc;
		__atomic_fetch_add(&x->sent, (unsigned int)rc, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Check one received message; @next holds this consumer's expectations. */
static int rs_check(struct rs_ctx *x, unsigned int cons, __u64 *next,
		    const struct ringdev_envelope *e, const unsigned char *p, int len)
{
	__u64 seq = e->msg_id, bit, old;
	__u32 src = e->src, i;

	if (len < 0 || (__u32)len != e->len || src >= x->m->nprod || seq >= x->per_prod) {
		rs_fail(x, "%s: consumer %u: bad header: len %d/%u src %u seq %llu",
			x->m->name, cons, len, e->len, src, (unsigned long long)seq);
		return -1;
	}
	if (e->type != RS_TYPE || e->corr_id != ~seq || e->dst != (src ^ 0x5a) ||
	    e->version != RINGDEV_ENV_VERSION || e->flags || e->len != rs_len(x, src, seq)) {
		rs_fail(x, "%s: consumer %u: envelope of %u/%llu mangled (type %x len %u)",
			x->m->name, cons, src, (unsigned long long)seq, e->type, e->len);
		return -1;
	}
	for (i = 0; i < e->len; i++) {
		if (p[i] != rs_byte(src, seq, i)) {
			rs_fail(x, "%s: consumer %u: payload of %u/%llu byte %u: %#x want %#x",
				x->m->name, cons, src, (unsigned long long)seq, i, p[i],
				rs_byte(src, seq, i));
			return -1;
		}
	}
	/* One consumer sees each producer gapless; several, strictly increasing. */
	if (x->m->ncons == 1 ? seq != next[src] : seq < next[src]) {
		rs_fail(x, "%s: consumer %u: producer %u: got seq %llu, want %s%llu",
			x->m->name, cons, src, (unsigned long long)seq,
			x->m->ncons == 1 ? "" : ">= ", (unsigned long long)next[src]);
		return -1;
	}
	next[src] = seq + 1;
	bit = 1ull << (seq & 63);
	old = __atomic_fetch_or(&x->seen[src][seq >> 6], bit, __ATOMIC_RELAXED);
	if (old & bit) {
		rs_fail(x, "%s: consumer %u: %u/%llu delivered twice", x->m->name, cons,
			src, (unsigned long long)seq);
		return -1;
	}
	return 0;
}

static void *rs_consumer(void *arg)
{
	struct rs_thread *t = arg;
	struct rs_ctx *x = t->ctx;
	const __u64 total = x->per_prod * x->m->nprod;
	__u64 next[RS_MAXPROD] = { 0 }, rng = 0xd1b54a32d192ed03ull * (t->id + 7);
	unsigned char bufs[RS_BURST][RS_MAXLEN];
	struct ringdev_msg m[RS_BURST];
	unsigned int spins = 0;
	const int sc = !(x->m->flags & RINGDEV_RING_F_MC);

	while (!rs_failed(x) && __atomic_load_n(&x->received, __ATOMIC_RELAXED) < total) {
		unsigned int op = (unsigned int)(rs_rand(&rng) % 8), b, i;
		struct ringdev_envelope e;
		struct ringdev_view v;
		int rc;

		if (op < 3) {
			rc = ringdev_ring_recv(&x->r, &e, bufs[0], x->maxlen);
			if (rc >= 0) {
				if (rs_check(x, t->id, next, &e, bufs[0], rc))
					break;
				rc = 1;
			}
		} else if (op < 7 || !sc) {
			b = 1 + (unsigned int)(rs_rand(&rng) % RS_BURST);
			for (i = 0; i < b; i++) {
				m[i].data = bufs[i];
				m[i].cap = x->maxlen;
			}
			rc = ringdev_ring_recv_burst(&x->r, m, b);
			if (rc > (int)b) {
				rs_fail(x, "%s: recv_burst(%u) returned %d", x->m->name, b, rc);
				break;
			}
			for (i = 0; rc > 0 && i < (unsigned int)rc; i++)
				if (rs_check(x, t->id, next, &m[i].env, bufs[i], (int)m[i].env.len))
					goto out;
		} else {
			rc = ringdev_ring_peek(&x->r, &v);
			if (rc >= 0) {
				if (rs_check(x, t->id, next, &v.env, v.payload, rc))
					break;
				ringdev_ring_release(&x->r, &v);
				rc = 1;
			}
		}
		if (rc == -EAGAIN) {
			rs_backoff(&spins);
			continue;
		}
		if (rc <= 0) {
			rs_fail(x, "%s: consumer %u: op %u: %d (%s)", x->m->name, t->id, op,
				rc, ringdev_strerror(rc));
			break;
		}
		__atomic_fetch_add(&x->received, (unsigned int)rc, __ATOMIC_RELAXED);
	}
out:
	return NULL;
}

static __u64 rs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Run one mode to completion; a stall (no progress for 30 s) is a failure. */
static int rs_run(const struct rs_mode *m, unsigned long per_prod)
{
	struct rs_thread th[RS_MAXPROD + RS_MAXCONS];
	struct ringdev_ring_params p = { m->cap, m->slot, m->flags, 0, m->name };
	const struct timespec tick = { 0, 20 * 1000000 };
	__u64 total, last = ~0ull, last_change, t0, words;
	struct ringdev_envelope e;
	struct rs_ctx *x;
	unsigned int i, n = 0;
	size_t size;
	void *mem;
	char buf[RS_MAXLEN];

	size = ringdev_ring_region_size(m->cap, m->slot);
	T_ASSERT(size && !posix_memalign(&mem, 4096, size), "ring memory");
	T_ASSERT(!posix_memalign((void **)&x, 128, sizeof(*x)), "context");
	memset(x, 0, sizeof(*x));
	T_EQ(ringdev_ring_format(mem, size, &p), 0);
	T_EQ(ringdev_ring_attach(&x->r, mem, size), 0);
	x->m = m;
	x->per_prod = t_scale(per_prod);
	x->maxlen = ringdev_ring_max_payload(&x->r) < RS_MAXLEN ?
		    ringdev_ring_max_payload(&x->r) : RS_MAXLEN;
	total = x->per_prod * m->nprod;
	words = (x->per_prod + 63) / 64;
	for (i = 0; i < m->nprod; i++) {
		x->seen[i] = calloc(words, sizeof(__u64));
		T_ASSERT(x->seen[i], "bitmap");
	}

	t0 = rs_now();
	for (i = 0; i < m->nprod + m->ncons; i++) {
		th[i].ctx = x;
		th[i].id = i < m->nprod ? i : i - m->nprod;
		T_EQ(pthread_create(&th[i].tid, NULL,
				    i < m->nprod ? rs_producer : rs_consumer, &th[i]), 0);
		n++;
	}
	last_change = rs_now();
	while (!rs_failed(x)) {
		__u64 now = __atomic_load_n(&x->received, __ATOMIC_RELAXED) +
			    __atomic_load_n(&x->sent, __ATOMIC_RELAXED);

		if (__atomic_load_n(&x->received, __ATOMIC_RELAXED) >= total)
			break;
		if (now != last) {
			last = now;
			last_change = rs_now();
		} else if (rs_now() - last_change > RS_STALL_NS) {
			rs_fail(x, "%s: stalled: sent %llu received %llu of %llu", m->name,
				(unsigned long long)__atomic_load_n(&x->sent, __ATOMIC_RELAXED),
				(unsigned long long)__atomic_load_n(&x->received, __ATOMIC_RELAXED),
				(unsigned long long)total);
			break;
		}
		/* Watchdog poll only: the workers never wait on it. */
		nanosleep(&tick, NULL);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i].tid, NULL);
	T_ASSERT(!__atomic_load_n(&x->failed, __ATOMIC_ACQUIRE), "%s", x->why);
	T_EQ(x->received, total);
	T_EQ(x->sent, total);
	for (i = 0; i < m->nprod; i++) {
		__u64 k;

		for (k = 0; k < x->per_prod; k++)
			T_ASSERT(x->seen[i][k >> 6] & (1ull << (k & 63)),
				 "%s: message %u/%llu never arrived", m->name, i,
				 (unsigned long long)k);
		free(x->seen[i]);
	}
	/* Everything was consumed: the ring is empty again. */
	T_EQ(ringdev_ring_recv(&x->r, &e, buf, sizeof(buf)), -EAGAIN);
	T_EQ(ringdev_ring_count(&x->r), 0);
	printf("       %-12s cap %-5u %uP/%uC %9llu msgs %6.2f s\n", m->name, m->cap,
	       m->nprod, m->ncons, (unsigned long long)total, (double)(rs_now() - t0) / 1e9);
	fflush(stdout);
	free(x);
	free(mem);
	return T_PASS;
}

#define MP	RINGDEV_RING_F_MP
#define MC	RINGDEV_RING_F_MC

static int test_spsc(void)
{
	static const struct rs_mode m = { "spsc", 0, 1, 1, 1024, 128, 3000000 };

	return rs_run(&m, m.per_prod);
}

static int test_mpsc(void)
{
	static const struct rs_mode m = { "mpsc", MP, 3, 1, 1024, 128, 1000000 };

	return rs_run(&m, m.per_prod);
}

static int test_spmc(void)
{
	static const struct rs_mode m = { "spmc", MC, 1, 3, 1024, 128, 3000000 };

	return rs_run(&m, m.per_prod);
}

static int test_mpmc(void)
{
	static const struct rs_mode m = { "mpmc", MP | MC, 3, 3, 1024, 128, 1000000 };

	return rs_run(&m, m.per_prod);
}

/* Capacity 2 and 4: nearly every operation crosses full or empty. */
static int test_tiny(void)
{
	static const struct rs_mode modes[] = {
		{ "spsc-tiny", 0, 1, 1, 2, 64, 200000 },
		{ "spsc-tiny", 0, 1, 1, 4, 128, 200000 },
		{ "mpsc-tiny", MP, 3, 1, 2, 64, 70000 },
		{ "mpsc-tiny", MP, 3, 1, 4, 128, 70000 },
		{ "spmc-tiny", MC, 1, 3, 2, 64, 200000 },
		{ "spmc-tiny", MC, 1, 3, 4, 128, 200000 },
		{ "mpmc-tiny", MP | MC, 3, 3, 2, 64, 70000 },
		{ "mpmc-tiny", MP | MC, 3, 3, 4, 128, 70000 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (rs_run(&modes[i], modes[i].per_prod))
			return T_FAIL;
	return T_PASS;
}

T_MAIN(T_CASE(test_spsc), T_CASE(test_mpsc), T_CASE(test_spmc), T_CASE(test_mpmc),
       T_CASE(test_tiny))

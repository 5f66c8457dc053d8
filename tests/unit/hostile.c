// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * hostile.c - a hostile peer: random writes into a live ring, forged headers
 * at attach time, malicious fd passing.  The honest side must never crash or hang.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"	/* struct ringdev_hello: we forge them */
#include "test.h"

#define HX_CALL_NS	2000000LL	/* timeout of each honest blocking call */
#define HX_SLACK_NS	2000000000ull	/* how late a call may return, at worst */
#define HX_RUN_MS	1500		/* how long the hostile phase lasts */
#define HX_REAP_S	60		/* bound on a whole phase */
#define HX_CANARY	0xa5

static __u64 hx_seed;

static __u64 hx_rand(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static __u64 hx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* The seed comes from RINGDEV_TEST_SEED, or the clock; printed once. */
static void hx_seed_init(void)
{
	const char *s = getenv("RINGDEV_TEST_SEED");

	if (hx_seed)
		return;
	hx_seed = s ? strtoull(s, NULL, 0) : hx_now() ^ ((__u64)getpid() << 32);
	if (!hx_seed)
		hx_seed = 1;
	printf("       seed %#llx (rerun with RINGDEV_TEST_SEED=%#llx)\n",
	       (unsigned long long)hx_seed, (unsigned long long)hx_seed);
	fflush(stdout);
}

/* The errors a corrupt ring may legitimately produce. */
static int hx_allowed(int rc)
{
	return rc == -EAGAIN || rc == -EBADMSG || rc == -EMSGSIZE || rc == -ETIMEDOUT ||
	       rc == -EPIPE;
}

/* ---- the hostile writer --------------------------------------------- */

/* Write one random lie somewhere that matters. */
static void hx_scribble(unsigned char *base, __u64 size, __u32 cap, __u32 slot, __u64 *rng)
{
	struct ringdev_ctrl *ctrl = (struct ringdev_ctrl *)base;
	__u64 r = hx_rand(rng), v = hx_rand(rng);
	__u64 cpos = __atomic_load_n(&ctrl->cons.pos, __ATOMIC_RELAXED);
	__u64 ppos = __atomic_load_n(&ctrl->prod.pos, __ATOMIC_RELAXED);
	struct ringdev_slot_hdr *s;
	__u64 near;

	s = (struct ringdev_slot_hdr *)(base + RINGDEV_CTRL_SIZE +
					(size_t)((r >> 8) % cap) * slot);
	/* Plausible values are the dangerous ones: near the live positions. */
	near = ((v & 1) ? cpos : ppos) + (v >> 1) % 5 - 2 + ((v >> 4) & 1) * cap;
	switch (r % 12) {
	case 0:	/* a sequence word: random */
		__atomic_store_n(&s->seq, v, __ATOMIC_RELAXED);
		break;
	case 1:	/* a sequence word: almost right */
	case 2:
		__atomic_store_n(&s->seq, near, __ATOMIC_RELEASE);
		break;
	case 3:	/* payload length */
		__atomic_store_n(&s->env.len, (v & 3) == 0 ? (__u32)v : (__u32)(slot - 64 + (v & 7) - 3),
				 __ATOMIC_RELAXED);
		break;
	case 4:	/* version, flags, priority */
		__atomic_store_n((__u32 *)&s->env.flags, (__u32)v, __ATOMIC_RELAXED);
		break;
	case 5:	/* the claim indices */
		__atomic_store_n((v & 1) ? &ctrl->prod.pos : &ctrl->cons.pos,
				 (v & 2) ? v : near, __ATOMIC_RELAXED);
		break;
	case 6:	/* the need-wakeup flags */
		__atomic_store_n((v & 1) ? &ctrl->cons_wake.need_wakeup :
					   &ctrl->prod_wake.need_wakeup, (__u32)(v >> 1) % 3 ? (__u32)v : 0,
				 __ATOMIC_RELAXED);
		break;
	case 7:	/* header geometry, magic, version */
		__atomic_store_n((__u32 *)base + (v >> 8) % 8, (__u32)v, __ATOMIC_RELAXED);
		break;
	case 8:	/* a forged, ready message at the consumer position */
		s = (struct ringdev_slot_hdr *)(base + RINGDEV_CTRL_SIZE +
						(size_t)(cpos % cap) * slot);
		__atomic_store_n((__u64 *)&s->env, v, __ATOMIC_RELAXED);
		__atomic_store_n(&s->env.len, (__u32)(v >> 32) % (slot + 16), __ATOMIC_RELAXED);
		__atomic_store_n(&s->seq, cpos + 1, __ATOMIC_RELEASE);
		break;
	case 9:	/* a whole slot header zeroed */
		memset(s, 0, RINGDEV_SLOT_HDR_SIZE);
		break;
	case 10: /* any aligned word */
		__atomic_store_n((__u64 *)(base + ((v >> 3) % (size / 8)) * 8), hx_rand(rng),
				 __ATOMIC_RELAXED);
		break;
	default: /* any byte */
		base[(v >> 8) % size] = (unsigned char)v;
		break;
	}
}

/* The hostile process: scribble over the region until @ms passed. */
static int hx_hostile(unsigned char *base, __u64 size, __u32 cap, __u32 slot, unsigned int ms)
{
	__u64 end = hx_now() + ms * 1000000ull, rng = hx_seed, n = 0;

	while (hx_now() < end) {
		hx_scribble(base, size, cap, slot, &rng);
		/* Give the honest side time between lies, so that it makes progress. */
		sched_yield();
		n++;
	}
	return 0;
}

/* ---- the honest side ------------------------------------------------ */

struct hx_honest {
	struct ringdev_ring *r;
	struct ringdev_chan *c;		/* NULL: the bare ring, no waiting */
	__u64 rng;
	__u64 sent, received, errors;
};

#define HX_FAIL(...) do { fprintf(stderr, "  honest pid %d: ", (int)getpid());	\
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); return -1; } while (0)

/* Did a call return an allowed value, soon enough? */
static int hx_judge(struct hx_honest *h, const char *what, int rc, int max_ok, __u64 t0)
{
	__u64 dt = hx_now() - t0;

	if (dt > (__u64)HX_CALL_NS + HX_SLACK_NS)
		HX_FAIL("%s took %llu ms", what, (unsigned long long)(dt / 1000000));
	if (rc < 0 && !hx_allowed(rc))
		HX_FAIL("%s returned %d (%s)", what, rc, ringdev_strerror(rc));
	if (rc > max_ok)
		HX_FAIL("%s returned %d, at most %d expected", what, rc, max_ok);
	if (rc < 0)
		h->errors++;
	return 0;
}

static int hx_produce_one(struct hx_honest *h)
{
	const __u32 maxp = ringdev_ring_max_payload(h->r);
	unsigned char buf[8][256];
	struct ringdev_msg m[8];
	struct ringdev_envelope e;
	struct ringdev_resv resv;
	unsigned int op = (unsigned int)(hx_rand(&h->rng) % 3), n, i;
	__u64 t0 = hx_now();
	int rc;

	memset(&e, 0, sizeof(e));
	e.msg_id = h->sent;
	e.len = (__u32)(hx_rand(&h->rng) % (maxp + 1));
	memset(buf, 0x3c, sizeof(buf));
	if (op == 0) {
		rc = h->c ? ringdev_chan_send(h->c, &e, buf[0], HX_CALL_NS) :
			    ringdev_ring_send(h->r, &e, buf[0]);
		if (hx_judge(h, "send", rc, 0, t0))
			return -1;
		h->sent += rc == 0;
	} else if (op == 1) {
		n = 1 + (unsigned int)(hx_rand(&h->rng) % 8);
		for (i = 0; i < n; i++) {
			m[i].env = e;
			m[i].data = buf[i];
			m[i].cap = 0;
			m[i].reserved = 0;
		}
		rc = h->c ? ringdev_chan_send_burst(h->c, m, n, HX_CALL_NS) :
			    ringdev_ring_send_burst(h->r, m, n);
		if (hx_judge(h, "send_burst", rc, (int)n, t0))
			return -1;
		if (rc > 0)
			h->sent += (unsigned int)rc;
	} else {
		rc = ringdev_ring_reserve(h->r, e.len, &resv);
		if (hx_judge(h, "reserve", rc, 0, t0))
			return -1;
		if (rc == 0) {
			unsigned char *lo = (unsigned char *)h->r->slots;
			unsigned char *hi = (unsigned char *)h->r->ctrl + h->r->region_size;

			/* The reservation must lie inside one slot of our region. */
			if ((unsigned char *)resv.env < lo || (unsigned char *)resv.payload + e.len > hi)
				HX_FAIL("reserve outside the region");
			memset(resv.payload, 0x3c, e.len);
			ringdev_ring_commit(h->r, &resv);
			if (h->c && ringdev_chan_notify(h->c) < 0)
				HX_FAIL("notify failed");
			h->sent++;
		}
	}
	return 0;
}

static int hx_check_buf(const unsigned char *buf, __u32 cap, __u32 size)
{
	__u32 i;

	for (i = cap; i < size; i++)
		if (buf[i] != HX_CANARY)
			return -1;
	return 0;
}

static int hx_consume_one(struct hx_honest *h)
{
	const __u32 maxp = ringdev_ring_max_payload(h->r);
	unsigned char buf[8][256 + 64];
	struct ringdev_msg m[8];
	struct ringdev_envelope e;
	struct ringdev_view v;
	unsigned int op = (unsigned int)(hx_rand(&h->rng) % 3), n, i;
	__u32 cap = (__u32)(hx_rand(&h->rng) % (maxp + 17));
	__u64 t0 = hx_now();
	int rc;

	memset(buf, HX_CANARY, sizeof(buf));
	if (op == 0) {
		rc = h->c ? ringdev_chan_recv(h->c, &e, buf[0], cap, HX_CALL_NS) :
			    ringdev_ring_recv(h->r, &e, buf[0], cap);
		if (hx_judge(h, "recv", rc, (int)(cap < maxp ? cap : maxp), t0))
			return -1;
		if (rc >= 0 && e.len != (__u32)rc)
			HX_FAIL("recv: returned %d, envelope says %u", rc, e.len);
		if (hx_check_buf(buf[0], cap, sizeof(buf[0])))
			HX_FAIL("recv wrote past its %u-byte buffer", cap);
		h->received += rc >= 0;
	} else if (op == 1 || (h->r->flags & RINGDEV_RING_F_MC)) {
		n = 1 + (unsigned int)(hx_rand(&h->rng) % 8);
		for (i = 0; i < n; i++) {
			m[i].data = buf[i];
			m[i].cap = (__u32)(hx_rand(&h->rng) % (maxp + 17));
		}
		rc = h->c ? ringdev_chan_recv_burst(h->c, m, n, HX_CALL_NS) :
			    ringdev_ring_recv_burst(h->r, m, n);
		if (hx_judge(h, "recv_burst", rc, (int)n, t0))
			return -1;
		for (i = 0; rc > 0 && i < n; i++) {
			if (i < (unsigned int)rc && (m[i].env.len > m[i].cap || m[i].env.len > maxp))
				HX_FAIL("recv_burst: message %u: len %u, cap %u", i, m[i].env.len,
					m[i].cap);
			if (hx_check_buf(buf[i], m[i].cap, sizeof(buf[i])))
				HX_FAIL("recv_burst wrote past buffer %u (%u bytes)", i, m[i].cap);
		}
		if (rc > 0)
			h->received += (unsigned int)rc;
	} else {
		rc = ringdev_ring_peek(h->r, &v);
		if (hx_judge(h, "peek", rc, (int)maxp, t0))
			return -1;
		if (rc >= 0) {
			const unsigned char *p = v.payload;
			unsigned char *lo = (unsigned char *)h->r->slots;
			unsigned char *hi = (unsigned char *)h->r->ctrl + h->r->region_size;
			unsigned char sum = 0;
			int i2;

			if (p < lo || p + rc > hi || v.env.len != (__u32)rc)
				HX_FAIL("peek: payload of %d bytes outside the region", rc);
			/* Touch it: a bad pointer shows under ASan or as a fault. */
			for (i2 = 0; i2 < rc; i2++)
				sum = (unsigned char)(sum + __atomic_load_n(&p[i2], __ATOMIC_RELAXED));
			(void)sum;
			ringdev_ring_release(h->r, &v);
			if (h->c && ringdev_chan_notify_space(h->c) < 0)
				HX_FAIL("notify_space failed");
			h->received++;
		}
	}
	return 0;
}

/* An honest process: produce and/or consume until @ms passed.  Exit code. */
static int hx_honest_run(struct ringdev_ring *r, struct ringdev_chan *c, int prod, int cons,
			 __u64 seed, unsigned int ms)
{
	struct hx_honest h = { r, c, seed, 0, 0, 0 };
	__u64 end = hx_now() + ms * 1000000ull, errs = 0, reformats = 0;
	struct ringdev_ring_params p = { ringdev_ring_capacity(r), r->max_payload + 64,
					 r->flags, 0, "again" };

	while (hx_now() < end) {
		if (prod && hx_produce_one(&h))
			return 1;
		if (cons && hx_consume_one(&h))
			return 1;
		/*
		 * The consumer starts over on a fresh format once the lies
		 * have wedged the ring, so that more of them meet live
		 * traffic.  The liar may spoil the new header before we
		 * attach again: then our handle keeps its private geometry.
		 */
		if (cons && h.errors - errs > 256) {
			if (ringdev_ring_format(r->ctrl, r->region_size, &p))
				HX_FAIL("re-format failed");
			ringdev_ring_attach(r, r->ctrl, r->region_size);
			errs = h.errors;
			reformats++;
		}
	}
	printf("       honest pid %d: %llu sent, %llu received, %llu errors, %llu re-formats\n",
	       (int)getpid(), (unsigned long long)h.sent, (unsigned long long)h.received,
	       (unsigned long long)h.errors, (unsigned long long)reformats);
	fflush(stdout);
	return 0;
}

/* ---- process plumbing ----------------------------------------------- */

static pid_t hx_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

/*
 * Wait for @n children, at most HX_REAP_S seconds; kill the late ones.
 * Return: 0 when each exited 0; -1 otherwise (crash, failure or hang).
 */
static int hx_reap(const pid_t *pids, const char *const *names, unsigned int n)
{
	const struct timespec tick = { 0, 10 * 1000000 };
	__u64 end = hx_now() + HX_REAP_S * 1000000000ull;
	int done[8] = { 0 }, bad = 0, status;
	unsigned int i, left = n;

	while (left) {
		for (i = 0; i < n; i++) {
			pid_t w;

			if (done[i])
				continue;
			w = waitpid(pids[i], &status, hx_now() < end ? WNOHANG : 0);
			if (w == 0)
				continue;
			done[i] = 1;
			left--;
			if (w != pids[i] || !WIFEXITED(status) || WEXITSTATUS(status)) {
				fprintf(stderr, "  %s (pid %d): %s %d\n", names[i], (int)pids[i],
					w == pids[i] && WIFSIGNALED(status) ? "killed by signal" :
					"exit", w == pids[i] && WIFSIGNALED(status) ?
					WTERMSIG(status) : WEXITSTATUS(status));
				bad = -1;
			}
		}
		if (!left)
			break;
		if (hx_now() >= end) {
			fprintf(stderr, "  a child hung: killing it\n");
			for (i = 0; i < n; i++)
				if (!done[i])
					kill(pids[i], SIGKILL);
			bad = -1;
		}
		/* Watchdog poll of the children's exit, not synchronisation. */
		nanosleep(&tick, NULL);
	}
	return bad;
}

static const __u32 hx_modes[] = {
	0, RINGDEV_RING_F_MP, RINGDEV_RING_F_MC, RINGDEV_RING_F_MP | RINGDEV_RING_F_MC,
};

/* After the attack: format the region afresh; honest traffic must flow. */
static int hx_recover(struct ringdev_ring *r, struct ringdev_chan *c, __u32 cap, __u32 slot,
		      __u32 flags)
{
	struct ringdev_ring_params p = { cap, slot, flags, 0, "recovered" };
	struct ringdev_envelope e, got;
	void *mem = r->ctrl;
	__u64 size = r->region_size;
	unsigned char buf[256];
	int i, n;

	__u32 lens;

	T_EQ(ringdev_ring_format(mem, size, &p), 0);
	T_EQ(ringdev_ring_attach(r, mem, size), 0);
	lens = ringdev_ring_max_payload(r) < 32 ? ringdev_ring_max_payload(r) + 1 : 32;
	for (i = 0; i < 1000; i++) {
		memset(&e, 0, sizeof(e));
		e.msg_id = (__u64)i;
		e.len = (__u32)i % lens;
		memset(buf, i & 0xff, e.len);
		T_EQ(c ? ringdev_chan_send(c, &e, buf, 0) : ringdev_ring_send(r, &e, buf), 0);
		memset(buf, 0, sizeof(buf));
		n = c ? ringdev_chan_recv(c, &got, buf, sizeof(buf), 0) :
			ringdev_ring_recv(r, &got, buf, sizeof(buf));
		T_EQ(n, (int)((__u32)i % lens));
		T_EQ(got.msg_id, (__u64)i);
		T_ASSERT(!n || buf[n - 1] == (unsigned char)i, "payload after recovery");
	}
	return T_PASS;
}

/*
 * Channels: a hostile process scribbles over the ring while an honest
 * producer process and an honest consumer process use it with timeouts.
 */
static int hx_chan_mode(__u32 flags)
{
	const __u32 cap = 16, slot = 128;
	static const char *const names[] = { "hostile", "honest producer", "honest consumer" };
	struct ringdev_chan_opts o;
	struct ringdev_chan *c;
	struct ringdev_ring *r;
	pid_t pids[3];
	unsigned int i;
	int bad;

	ringdev_chan_opts_init(&o);
	o.capacity = cap;
	o.slot_size = slot;
	o.ring_flags = flags & (RINGDEV_RING_F_MP | RINGDEV_RING_F_MC);
	o.transport = RINGDEV_TRANSPORT_SHM;
	o.spin_ns = 1000;
	T_EQ(ringdev_chan_create(&o, &c), 0);
	r = ringdev_chan_ring(c);
	/* Each child inherits the mapping and the doorbells across fork. */
	for (i = 0; i < 3; i++) {
		pids[i] = hx_fork();
		T_ASSERT(pids[i] >= 0, "fork");
		if (pids[i] == 0) {
			if (i == 0)
				_exit(hx_hostile((unsigned char *)r->ctrl, r->region_size, cap, slot,
						 HX_RUN_MS));
			_exit(hx_honest_run(r, c, i == 1, i == 2, hx_seed ^ i, HX_RUN_MS));
		}
	}
	bad = hx_reap(pids, names, 3);
	T_ASSERT(!bad, "mode %#x: seed %#llx", flags, (unsigned long long)hx_seed);
	if (hx_recover(r, c, cap, slot, o.ring_flags))
		return T_FAIL;
	ringdev_chan_close(c);
	return T_PASS;
}

static int test_hostile_chan(void)
{
	unsigned int i;

	hx_seed_init();
	for (i = 0; i < 4; i++)
		if (hx_chan_mode(hx_modes[i]))
			return T_FAIL;
	return T_PASS;
}

/* The bare ring in shared anonymous memory: one honest process does both sides. */
static int test_hostile_ring(void)
{
	static const char *const names[] = { "hostile", "honest" };
	struct ringdev_ring r;
	unsigned int i, m;
	pid_t pids[2];

	hx_seed_init();
	for (m = 0; m < 4; m++) {
		const __u32 cap = m & 1 ? 2 : 8, slot = m & 2 ? 64 : 256;
		struct ringdev_ring_params p = { cap, slot, hx_modes[m], 0, "hostile" };
		size_t size = ringdev_ring_region_size(cap, slot);
		void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				 -1, 0);

		T_ASSERT(mem != MAP_FAILED, "mmap");
		T_EQ(ringdev_ring_format(mem, size, &p), 0);
		T_EQ(ringdev_ring_attach(&r, mem, size), 0);
		for (i = 0; i < 2; i++) {
			pids[i] = hx_fork();
			T_ASSERT(pids[i] >= 0, "fork");
			if (pids[i] == 0)
				_exit(i ? hx_honest_run(&r, NULL, 1, 1, hx_seed + 1, HX_RUN_MS / 2) :
					  hx_hostile(mem, size, cap, slot, HX_RUN_MS / 2));
		}
		T_ASSERT(!hx_reap(pids, names, 2), "mode %#x cap %u slot %u: seed %#llx",
			 hx_modes[m], cap, slot, (unsigned long long)hx_seed);
		if (hx_recover(&r, NULL, cap, slot, hx_modes[m]))
			return T_FAIL;
		munmap(mem, size);
	}
	return T_PASS;
}

/* ---- attach-time fuzz ------------------------------------------------ */

static int test_attach_fuzz(void)
{
	__u64 rng, iters = t_scale(100000), it, ok = 0;

	hx_seed_init();
	rng = hx_seed ^ 0xa77ac4ull;
	for (it = 0; it < iters; it++) {
		__u32 cap = 1u << (1 + hx_rand(&rng) % 6), slot = 64u << (hx_rand(&rng) % 5);
		struct ringdev_ring_params p = { cap, slot, (__u32)(hx_rand(&rng) & 3), 0, "fz" };
		size_t size = ringdev_ring_region_size(cap, slot), len;
		struct ringdev_ctrl *ctrl;
		struct ringdev_ring r;
		unsigned int k, nmut = (unsigned int)(hx_rand(&rng) % 4);
		unsigned char *mem;
		int rc;

		/* The region we claim to have: about the ring's size, sometimes short. */
		len = size + (size_t)(hx_rand(&rng) % 3) * 4096 - (hx_rand(&rng) % 4 == 0 ? 4096 : 0);
		if (len < RINGDEV_CTRL_SIZE)
			len = RINGDEV_CTRL_SIZE;
		T_ASSERT(!posix_memalign((void **)&mem, 4096, len > size ? len : size), "alloc");
		T_EQ(ringdev_ring_format(mem, size, &p), 0);
		ctrl = (struct ringdev_ctrl *)mem;
		if (hx_rand(&rng) % 10 == 0) {
			/* Nothing but noise in the header. */
			for (k = 0; k < sizeof(ctrl->hdr) / 8; k++)
				((__u64 *)&ctrl->hdr)[k] = hx_rand(&rng);
			if (hx_rand(&rng) & 1)
				ctrl->hdr.magic = RINGDEV_MAGIC;
			if (hx_rand(&rng) & 1)
				ctrl->hdr.abi_version = RINGDEV_ABI_VERSION;
		}
		for (k = 0; k < nmut; k++) {
			__u64 v = hx_rand(&rng);
			__u32 *w = (__u32 *)&ctrl->hdr + (v >> 32) % 8;

			switch (v % 4) {
			case 0: *w = (__u32)(v >> 8); break;		/* random */
			case 1: *w ^= 1u << ((v >> 8) % 32); break;	/* one bit */
			case 2: *w <<= 1; break;			/* doubled */
			default: *w = 1u << ((v >> 8) % 32); break;	/* a power of two */
			}
		}
		rc = ringdev_ring_attach(&r, mem, len);
		T_ASSERT(rc == 0 || rc == -EBADMSG || rc == -EPROTO || rc == -EINVAL,
			 "iteration %llu: attach returned %d (seed %#llx)", (unsigned long long)it,
			 rc, (unsigned long long)hx_seed);
		if (rc == 0) {
			__u64 c2 = r.mask + 1;
			struct ringdev_envelope e, got;
			unsigned char pl[64];

			ok++;
			T_ASSERT(r.region_size <= len && !(c2 & (c2 - 1)) && c2 >= 2 &&
				 RINGDEV_CTRL_SIZE + (c2 << r.slot_shift) == r.region_size &&
				 r.max_payload + RINGDEV_SLOT_HDR_SIZE == 1u << r.slot_shift,
				 "iteration %llu: adopted cap %llu slot 2^%u size %llu for %zu bytes",
				 (unsigned long long)it, (unsigned long long)c2, r.slot_shift,
				 (unsigned long long)r.region_size, len);
			/* Use it: every access must stay inside the buffer (ASan). */
			memset(&e, 0, sizeof(e));
			e.len = r.max_payload < sizeof(pl) ? r.max_payload : sizeof(pl);
			memset(pl, 1, sizeof(pl));
			rc = ringdev_ring_send(&r, &e, pl);
			T_ASSERT(rc == 0 || hx_allowed(rc), "send on adopted ring: %d", rc);
			rc = ringdev_ring_recv(&r, &got, pl, sizeof(pl));
			T_ASSERT(rc >= 0 || hx_allowed(rc), "recv on adopted ring: %d", rc);
		}
		free(mem);
	}
	printf("       attach fuzz: %llu of %llu forged headers adopted\n",
	       (unsigned long long)ok, (unsigned long long)iters);
	/* The fuzz must reach both outcomes, or it tested nothing. */
	T_ASSERT(ok > 0 && ok < iters, "%llu of %llu attached", (unsigned long long)ok,
		 (unsigned long long)iters);
	return T_PASS;
}

/* ---- malicious fd passing ------------------------------------------- */

static int hx_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Send @h with @nfds fds (then closed here), truncated to @len bytes. */
static int hx_send_raw(int sock, const struct ringdev_hello *h, size_t len, int *fds,
		       unsigned int nfds)
{
	char cbuf[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov = { (void *)h, len };
	struct msghdr msg;
	struct cmsghdr *cm;
	unsigned int i;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds) {
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return n == (ssize_t)len ? 0 : -1;
}

/* A memfd of @size bytes holding a formatted ring (if @ring), with @seals. */
static int hx_memfd(size_t size, unsigned int seals, int ring)
{
	int fd = memfd_create("hostile", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct ringdev_ring_params p = { 4, 128, 0, 0, "hostile" };
	void *mem;

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		return -1;
	if (ring) {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (mem == MAP_FAILED)
			return -1;
		ringdev_ring_format(mem, size, &p);
		munmap(mem, size);
	}
	if (seals && fcntl(fd, F_ADD_SEALS, seals) < 0)
		return -1;
	return fd;
}

enum hx_fd_case {
	HX_NOT_MEMFD, HX_UNSEALED, HX_PIPE_EFD, HX_SHORT_HELLO, HX_TOO_FEW, HX_FEW_SAID,
	HX_HUGE_REGION, HX_TINY_REGION, HX_TOO_MANY, HX_BAD_MAGIC, HX_BAD_ABI, HX_STATUS,
	HX_BAD_STATUS, HX_BAD_TRANSPORT, HX_DEV_FAKE, HX_NOT_A_RING, HX_WRITE_SEALED,
	HX_NO_FDS, HX_EMPTY, HX_NCASES
};

static const char *const hx_fd_names[] = {
	"not a memfd", "unsealed memfd", "pipe for eventfd", "truncated hello",
	"too few fds", "too few fds, said so", "huge region_size", "tiny region_size",
	"too many fds", "bad magic", "other ABI", "status with fds", "positive status",
	"unknown transport", "dev transport, not a ring fd", "memfd without a ring",
	"write-sealed memfd", "no fds", "empty message",
};

/* Build and send case @k over @sock. */
static int hx_send_case(int sock, enum hx_fd_case k)
{
	const size_t size = ringdev_ring_region_size(4, 128);
	const unsigned int grow = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
	struct ringdev_hello h;
	int fds[8], p[2], nfds = 3, i;
	size_t len = sizeof(h);

	memset(&h, 0, sizeof(h));
	h.magic = RINGDEV_HELLO_MAGIC;
	h.abi_version = RINGDEV_ABI_VERSION;
	h.transport = RINGDEV_TRANSPORT_SHM;
	h.nfds = 3;
	h.region_size = size;
	fds[0] = hx_memfd(4096 + size, grow, 1);
	fds[1] = eventfd(0, EFD_CLOEXEC);
	fds[2] = eventfd(0, EFD_CLOEXEC);
	for (i = 3; i < 8; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	for (i = 0; i < 8; i++)
		if (fds[i] < 0)
			return -1;
	switch (k) {
	case HX_NOT_MEMFD:
		close(fds[0]);
		fds[0] = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		break;
	case HX_UNSEALED:
		close(fds[0]);
		fds[0] = hx_memfd(4096 + size, 0, 1);
		break;
	case HX_PIPE_EFD:
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		close(fds[2]);
		close(p[1]);
		fds[2] = p[0];
		break;
	case HX_SHORT_HELLO:
		len = sizeof(h) - 5;
		break;
	case HX_TOO_FEW:
		nfds = 2;
		break;
	case HX_FEW_SAID:
		nfds = 2;
		h.nfds = 2;
		break;
	case HX_HUGE_REGION:
		h.region_size = 1ull << 60;
		break;
	case HX_TINY_REGION:
		h.region_size = 64;
		break;
	case HX_TOO_MANY:
		nfds = 8;
		break;
	case HX_BAD_MAGIC:
		h.magic ^= 1;
		break;
	case HX_BAD_ABI:
		h.abi_version = RINGDEV_ABI_VERSION + 1;
		break;
	case HX_STATUS:
		h.status = -EACCES;
		break;
	case HX_BAD_STATUS:
		h.status = 12345;
		break;
	case HX_BAD_TRANSPORT:
		h.transport = 99;
		break;
	case HX_DEV_FAKE:
		h.transport = RINGDEV_TRANSPORT_DEV;
		h.nfds = 1;
		nfds = 1;
		break;
	case HX_NOT_A_RING:
		close(fds[0]);
		fds[0] = hx_memfd(4096 + size, grow, 0);
		break;
	case HX_WRITE_SEALED:
		close(fds[0]);
		fds[0] = hx_memfd(4096 + size, grow | F_SEAL_WRITE, 1);
		break;
	case HX_NO_FDS:
		h.nfds = 0;
		nfds = 0;
		break;
	case HX_EMPTY:
		len = 0;
		nfds = 0;
		break;
	default:
		break;
	}
	if (fds[0] < 0)
		return -1;
	i = hx_send_raw(sock, &h, len, fds, (unsigned int)nfds);
	for (; nfds < 8; nfds++)
		close(fds[nfds]);
	return i;
}

static int test_fdpass_hostile(void)
{
	struct ringdev_chan *c, *good;
	unsigned int k;
	int sv[2], before, after, rc;

	T_EQ(sizeof(hx_fd_names) / sizeof(hx_fd_names[0]), HX_NCASES);
	for (k = 0; k < HX_NCASES; k++) {
		T_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		T_EQ(hx_send_case(sv[0], (enum hx_fd_case)k), 0);
		before = hx_count_fds();
		c = (struct ringdev_chan *)&rc;
		rc = ringdev_chan_recv_fds(sv[1], &c);
		after = hx_count_fds();
		T_ASSERT(rc < 0, "%s: accepted", hx_fd_names[k]);
		/*
		 * -EBADMSG as documented; -EPROTO, -EPIPE and a peer's own
		 * status where they say so; mmap's -EPERM for a write seal.
		 */
		T_ASSERT(rc == -EBADMSG || rc == -EPROTO || rc == -EPIPE ||
			 (k == HX_STATUS && rc == -EACCES) ||
			 (k == HX_WRITE_SEALED && rc == -EPERM),
			 "%s: %d (%s)", hx_fd_names[k], rc, ringdev_strerror(rc));
		T_ASSERT(c == NULL, "%s: *out not cleared", hx_fd_names[k]);
		T_ASSERT(before > 0 && before == after, "%s: %d fds before, %d after",
			 hx_fd_names[k], before, after);
		close(sv[0]);
		close(sv[1]);
	}
	/* The same path takes an honest hello: the checks above can pass. */
	T_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	T_EQ(ringdev_chan_create(NULL, &c), 0);
	T_EQ(ringdev_chan_send_fds(c, sv[0]), 0);
	T_EQ(ringdev_chan_recv_fds(sv[1], &good), 0);
	ringdev_chan_close(good);
	ringdev_chan_close(c);
	close(sv[0]);
	close(sv[1]);
	return T_PASS;
}

T_MAIN(T_CASE(test_attach_fuzz), T_CASE(test_fdpass_hostile),
       T_CASE(test_hostile_ring), T_CASE(test_hostile_chan))

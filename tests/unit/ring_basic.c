// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * ring_basic.c - single-threaded correctness of the ring core in every
 * mode: empty, full, wraparound, burst edges, zero-copy, peek, sizes, and
 * validation of geometry at format and attach time.
 */
#include "test.h"

static const __u32 modes[] = {
	0,
	RINGDEV_RING_F_MP,
	RINGDEV_RING_F_MC,
	RINGDEV_RING_F_MP | RINGDEV_RING_F_MC,
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

static struct ringdev_envelope env_n(__u64 n, __u32 len)
{
	struct ringdev_envelope e;

	memset(&e, 0, sizeof(e));
	e.type = 7;
	e.msg_id = n;
	e.corr_id = ~n;
	e.src = 1;
	e.dst = 2;
	e.len = len;
	return e;
}

/* An envelope whose every field holds distinct, non-zero bytes. */
static struct ringdev_envelope env_distinct(__u32 len)
{
	struct ringdev_envelope e;

	memset(&e, 0, sizeof(e));
	e.type = 0x04030201u;
	e.flags = RINGDEV_ENV_F_REPLY | RINGDEV_ENV_F_TOPIC;
	e.priority = 0x07;
	e.version = 0xee;	/* the ring must overwrite it */
	e.len = len;
	e.crc32c = 0x0c0b0a09u;
	e.msg_id = 0x1817161514131211ull;
	e.corr_id = 0x2827262524232221ull;
	e.src = 0x34333231u;
	e.dst = 0x38373635u;
	e.hlc = 0x4847464544434241ull;
	e.deadline = 0x5857565554535251ull;
	return e;
}

/*
 * Every header field arrives exactly as sent, by each way a producer
 * writes a slot (send, burst, commit) and each way a consumer reads one:
 * the ring assembles the header's words from the fields, so a wrong
 * offset or shift would show here.
 */
static int test_header_fields(void)
{
	struct ringdev_envelope want = env_distinct(4), got;
	struct ringdev_msg m[2];
	struct ringdev_resv resv;
	struct ringdev_ring r;
	__u32 payload = 0xdeadbeef, out;
	void *mem = t_ring_new(&r, 8, 128, 0);
	int way;

	T_ASSERT(mem, "ring alloc");
	want.version = RINGDEV_ENV_VERSION;
	for (way = 0; way < 3; way++) {
		struct ringdev_envelope e = env_distinct(4);

		if (way == 0) {
			T_EQ(ringdev_ring_send(&r, &e, &payload), 0);
		} else if (way == 1) {
			memset(m, 0, sizeof(m));
			m[0].env = e;
			m[0].data = &payload;
			m[1].env = e;
			m[1].data = &payload;
			T_EQ(ringdev_ring_send_burst(&r, m, 2), 2);
		} else {
			T_EQ(ringdev_ring_reserve(&r, 4, &resv), 0);
			e.len = 4;
			*resv.env = e;
			memcpy(resv.payload, &payload, 4);
			ringdev_ring_commit(&r, &resv);
		}
		do {
			memset(&got, 0, sizeof(got));
			out = 0;
			T_EQ(ringdev_ring_recv(&r, &got, &out, sizeof(out)), 4);
			T_ASSERT(!memcmp(&got, &want, sizeof(got)), "way %d: header changed in transit",
				 way);
			T_EQ(out, payload);
		} while (ringdev_ring_readable(&r));
	}
	free(mem);
	return T_PASS;
}

static int test_empty_full_wrap(void)
{
	unsigned int m;

	for (m = 0; m < NMODES; m++) {
		struct ringdev_ring r;
		struct ringdev_envelope e, got;
		char buf[64];
		void *mem = t_ring_new(&r, 8, 128, modes[m]);
		__u64 sent = 0, recvd = 0;
		int lap, i;

		T_ASSERT(mem, "ring alloc");
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), -EAGAIN);
		/* 100 laps of fill-to-full then drain-to-empty: wraps every index. */
		for (lap = 0; lap < 100; lap++) {
			for (i = 0; i < 8; i++) {
				e = env_n(sent, 8);
				T_EQ(ringdev_ring_send(&r, &e, &sent), 0);
				sent++;
			}
			e = env_n(sent, 0);
			T_EQ(ringdev_ring_send(&r, &e, NULL), -EAGAIN);
			T_EQ(ringdev_ring_count(&r), 8);
			for (i = 0; i < 8; i++) {
				__u64 v;

				T_EQ(ringdev_ring_recv(&r, &got, &v, sizeof(v)), 8);
				T_EQ(got.msg_id, recvd);
				T_EQ(got.corr_id, ~recvd);
				T_EQ(got.version, RINGDEV_ENV_VERSION);
				T_EQ(v, recvd);
				recvd++;
			}
			T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), -EAGAIN);
			T_EQ(ringdev_ring_count(&r), 0);
		}
		/* Half-full steady state across the wrap point. */
		for (i = 0; i < 1000; i++) {
			e = env_n(sent++, 0);
			T_EQ(ringdev_ring_send(&r, &e, NULL), 0);
			if (i >= 3) {
				T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), 0);
				T_EQ(got.msg_id, recvd);
				recvd++;
			}
		}
		T_ASSERT(r.ctrl->prod.full >= 100, "full counted: %llu",
			 (unsigned long long)r.ctrl->prod.full);
		free(mem);
	}
	return T_PASS;
}

static int test_sizes(void)
{
	unsigned int m;

	for (m = 0; m < NMODES; m++) {
		struct ringdev_ring r;
		struct ringdev_envelope e, got;
		unsigned char in[192], out[192];
		void *mem = t_ring_new(&r, 4, 256, modes[m]);
		unsigned int i;

		T_ASSERT(mem, "ring alloc");
		T_EQ(ringdev_ring_max_payload(&r), 192);
		for (i = 0; i < sizeof(in); i++)
			in[i] = (unsigned char)(i * 7 + m);
		e = env_n(1, 193);
		T_EQ(ringdev_ring_send(&r, &e, in), -EMSGSIZE);
		e = env_n(1, 192);
		T_EQ(ringdev_ring_send(&r, &e, in), 0);
		/* Too small a buffer: an error, and the message stays. */
		T_EQ(ringdev_ring_recv(&r, &got, out, 191), -EMSGSIZE);
		T_EQ(ringdev_ring_recv(&r, &got, out, sizeof(out)), 192);
		T_ASSERT(!memcmp(in, out, sizeof(in)), "payload intact");
		T_EQ(ringdev_ring_recv(&r, &got, out, sizeof(out)), -EAGAIN);
		free(mem);
	}
	return T_PASS;
}

static int test_burst_edges(void)
{
	unsigned int m;

	for (m = 0; m < NMODES; m++) {
		struct ringdev_msg msgs[40], rx[40];
		__u64 vals[40], outv[40];
		struct ringdev_ring r;
		void *mem = t_ring_new(&r, 32, 64 + 64, modes[m]);
		__u64 next = 0, expect = 0;
		int i, k, round;

		T_ASSERT(mem, "ring alloc");
		T_EQ(ringdev_ring_send_burst(&r, msgs, 0), 0);
		T_EQ(ringdev_ring_recv_burst(&r, rx, 0), 0);
		T_EQ(ringdev_ring_recv_burst(&r, rx, 4), -EAGAIN);
		for (round = 0; round < 200; round++) {
			/* Bursts of 1..40 against a 32-slot ring: partial fills. */
			int n = 1 + (round * 13) % 40, want;

			for (i = 0; i < n; i++) {
				vals[i] = next + (__u64)i;
				msgs[i].env = env_n(vals[i], sizeof(__u64));
				msgs[i].data = &vals[i];
			}
			k = ringdev_ring_send_burst(&r, msgs, (unsigned int)n);
			want = n > 32 - (int)(next - expect) ? 32 - (int)(next - expect) : n;
			if (want == 0) {
				T_EQ(k, -EAGAIN);
			} else {
				T_EQ(k, want);
				next += (__u64)k;
			}
			/* Drain a varying amount. */
			n = 1 + (round * 7) % 40;
			for (i = 0; i < n; i++) {
				rx[i].data = &outv[i];
				rx[i].cap = sizeof(outv[i]);
			}
			k = ringdev_ring_recv_burst(&r, rx, (unsigned int)n);
			want = n > (int)(next - expect) ? (int)(next - expect) : n;
			if (want == 0) {
				T_EQ(k, -EAGAIN);
				continue;
			}
			T_EQ(k, want);
			for (i = 0; i < k; i++) {
				T_EQ(rx[i].env.msg_id, expect);
				T_EQ(outv[i], expect);
				expect++;
			}
		}
		/* A burst stops before a message that does not fit its buffer. */
		while (ringdev_ring_recv_burst(&r, rx, 1) > 0)
			;
		for (i = 0; i < 3; i++) {
			vals[i] = (__u64)i;
			msgs[i].env = env_n((__u64)i, sizeof(__u64));
			msgs[i].data = &vals[i];
		}
		T_EQ(ringdev_ring_send_burst(&r, msgs, 3), 3);
		for (i = 0; i < 3; i++) {
			rx[i].data = &outv[i];
			rx[i].cap = i == 1 ? 4 : sizeof(__u64);
		}
		T_EQ(ringdev_ring_recv_burst(&r, rx, 3), 1);
		T_EQ(ringdev_ring_recv_burst(&r, &rx[1], 2), -EMSGSIZE);
		rx[1].cap = sizeof(__u64);
		T_EQ(ringdev_ring_recv_burst(&r, &rx[1], 2), 2);
		T_EQ(outv[2], 2);
		/* Oversized first message refuses the burst. */
		msgs[0].env.len = 65;
		T_EQ(ringdev_ring_send_burst(&r, msgs, 3), -EMSGSIZE);
		/* An oversized later one ends the burst before it. */
		msgs[0].env.len = 8;
		msgs[1].env.len = 65;
		T_EQ(ringdev_ring_send_burst(&r, msgs, 3), 1);
		free(mem);
	}
	return T_PASS;
}

static int test_zero_copy(void)
{
	unsigned int m;

	for (m = 0; m < NMODES; m++) {
		struct ringdev_ring r;
		struct ringdev_resv resv;
		struct ringdev_view v;
		struct ringdev_envelope got;
		char buf[64];
		void *mem = t_ring_new(&r, 4, 128, modes[m]);
		int i;

		T_ASSERT(mem, "ring alloc");
		T_EQ(ringdev_ring_reserve(&r, 65, &resv), -EMSGSIZE);
		for (i = 0; i < 4; i++) {
			T_EQ(ringdev_ring_reserve(&r, 5, &resv), 0);
			T_EQ(resv.env->len, 5);
			resv.env->type = 42;
			resv.env->msg_id = (__u64)i;
			memcpy(resv.payload, "hello", 5);
			ringdev_ring_commit(&r, &resv);
		}
		T_EQ(ringdev_ring_reserve(&r, 5, &resv), -EAGAIN);
		if (modes[m] & RINGDEV_RING_F_MC) {
			T_EQ(ringdev_ring_peek(&r, &v), -EOPNOTSUPP);
			free(mem);
			continue;
		}
		/* Peek twice: same message; release consumes it. */
		T_EQ(ringdev_ring_peek(&r, &v), 5);
		T_EQ(v.env.msg_id, 0);
		T_EQ(ringdev_ring_peek(&r, &v), 5);
		T_EQ(v.env.msg_id, 0);
		T_ASSERT(!memcmp(v.payload, "hello", 5), "payload in place");
		ringdev_ring_release(&r, &v);
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), 5);
		T_EQ(got.msg_id, 1);
		T_EQ(got.type, 42);
		T_EQ(ringdev_ring_peek(&r, &v), 5);
		T_EQ(v.env.msg_id, 2);
		ringdev_ring_release(&r, &v);
		T_EQ(ringdev_ring_peek(&r, &v), 5);
		ringdev_ring_release(&r, &v);
		T_EQ(ringdev_ring_peek(&r, &v), -EAGAIN);
		free(mem);
	}
	return T_PASS;
}

static int test_geometry(void)
{
	struct ringdev_ring_params p = { 8, 64, 0, 0, NULL };
	struct ringdev_ring r;
	size_t size = ringdev_ring_region_size(8, 64);
	char longname[RINGDEV_NAME_MAX + 1];
	void *mem;

	T_EQ(size, RINGDEV_CTRL_SIZE + 8 * 64);
	T_EQ(ringdev_ring_region_size(0, 64), 0);
	T_EQ(ringdev_ring_region_size(3, 64), 0);
	T_EQ(ringdev_ring_region_size(8, 32), 0);
	T_EQ(ringdev_ring_region_size(8, 96), 0);
	T_EQ(ringdev_ring_region_size(RINGDEV_CAPACITY_MAX * 2u, 64), 0);
	T_EQ(ringdev_ring_region_size(8, RINGDEV_SLOT_MAX * 2u), 0);
	T_ASSERT(ringdev_ring_region_size(RINGDEV_CAPACITY_MAX, RINGDEV_SLOT_MAX) ==
		 RINGDEV_CTRL_SIZE + (size_t)RINGDEV_CAPACITY_MAX * RINGDEV_SLOT_MAX,
		 "largest geometry has no overflow");
	T_ASSERT(!posix_memalign(&mem, 4096, size * 2), "alloc");
	T_EQ(ringdev_ring_format(mem, size - 1, &p), -EINVAL);
	T_EQ(ringdev_ring_format((char *)mem + 8, size, &p), -EINVAL);
	p.flags = 0x100;
	T_EQ(ringdev_ring_format(mem, size, &p), -EINVAL);
	p.flags = 0;
	p.reserved = 1;
	T_EQ(ringdev_ring_format(mem, size, &p), -EINVAL);
	p.reserved = 0;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[RINGDEV_NAME_MAX] = '\0';
	p.name = longname;
	T_EQ(ringdev_ring_format(mem, size, &p), -ENAMETOOLONG);
	p.name = "ok";
	T_EQ(ringdev_ring_format(mem, size, &p), 0);
	T_EQ(ringdev_ring_attach(&r, mem, size), 0);
	T_EQ(ringdev_ring_capacity(&r), 8);
	/* Attach refuses a mapping shorter than the ring claims. */
	T_EQ(ringdev_ring_attach(&r, mem, size - 1), -EBADMSG);
	T_EQ(ringdev_ring_attach(&r, mem, 100), -EINVAL);
	/* Each header word, corrupted, is caught. */
	((struct ringdev_ctrl *)mem)->hdr.magic ^= 1;
	T_EQ(ringdev_ring_attach(&r, mem, size), -EBADMSG);
	((struct ringdev_ctrl *)mem)->hdr.magic ^= 1;
	((struct ringdev_ctrl *)mem)->hdr.abi_version = 2;
	T_EQ(ringdev_ring_attach(&r, mem, size), -EPROTO);
	((struct ringdev_ctrl *)mem)->hdr.abi_version = RINGDEV_ABI_VERSION;
	((struct ringdev_ctrl *)mem)->hdr.capacity = 16;
	T_EQ(ringdev_ring_attach(&r, mem, size * 2), -EBADMSG);
	((struct ringdev_ctrl *)mem)->hdr.capacity = 7;
	T_EQ(ringdev_ring_attach(&r, mem, size), -EBADMSG);
	((struct ringdev_ctrl *)mem)->hdr.capacity = 8;
	((struct ringdev_ctrl *)mem)->hdr.slot_size = 32;
	T_EQ(ringdev_ring_attach(&r, mem, size), -EBADMSG);
	((struct ringdev_ctrl *)mem)->hdr.slot_size = 64;
	((struct ringdev_ctrl *)mem)->hdr.ctrl_size = 0;
	T_EQ(ringdev_ring_attach(&r, mem, size), -EBADMSG);
	((struct ringdev_ctrl *)mem)->hdr.ctrl_size = RINGDEV_CTRL_SIZE;
	((struct ringdev_ctrl *)mem)->hdr.flags = 1u << 31;
	T_EQ(ringdev_ring_attach(&r, mem, size), -EBADMSG);
	((struct ringdev_ctrl *)mem)->hdr.flags = 0;
	T_EQ(ringdev_ring_attach(&r, mem, size), 0);
	free(mem);
	return T_PASS;
}

/* Forged sequence words and headers give errors, not crashes or hangs. */
static int test_corrupt_slots(void)
{
	unsigned int m;

	for (m = 0; m < NMODES; m++) {
		struct ringdev_ring r;
		struct ringdev_envelope e = env_n(1, 4), got;
		struct ringdev_slot_hdr *s;
		char buf[64];
		void *mem = t_ring_new(&r, 4, 128, modes[m]);

		T_ASSERT(mem, "ring alloc");
		T_EQ(ringdev_ring_send(&r, &e, "abcd"), 0);
		s = __ringdev_slot(&r, 0);
		/* A length beyond the slot: discarded, counted, reported. */
		s->env.len = 1000;
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), -EBADMSG);
		T_EQ(r.ctrl->cons.bad, 1);
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), -EAGAIN);
		/* Unknown envelope version or flags: the same. */
		T_EQ(ringdev_ring_send(&r, &e, "abcd"), 0);
		__ringdev_slot(&r, 1)->env.version = 9;
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), -EBADMSG);
		T_EQ(ringdev_ring_send(&r, &e, "abcd"), 0);
		__ringdev_slot(&r, 2)->env.flags = 0x8000;
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), -EBADMSG);
		T_EQ(r.ctrl->cons.bad, 3);
		/* The honest traffic goes on afterwards. */
		T_EQ(ringdev_ring_send(&r, &e, "abcd"), 0);
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), 4);
		/* A forged sequence word is -EBADMSG on both sides. */
		s = __ringdev_slot(&r, 4);
		s->seq = 12345;
		T_EQ(ringdev_ring_send(&r, &e, "abcd"), -EBADMSG);
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), -EBADMSG);
		/* A forged index on MP/MC rings likewise. */
		s->seq = 4;
		if (modes[m] & RINGDEV_RING_F_MP) {
			r.ctrl->prod.pos = 2;
			T_EQ(ringdev_ring_send(&r, &e, "abcd"), -EBADMSG);
			r.ctrl->prod.pos = 4;
		}
		if (modes[m] & RINGDEV_RING_F_MC) {
			r.ctrl->cons.pos = 2;
			T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), -EBADMSG);
			r.ctrl->cons.pos = 4;
		}
		T_EQ(ringdev_ring_send(&r, &e, "abcd"), 0);
		T_EQ(ringdev_ring_recv(&r, &got, buf, sizeof(buf)), 4);
		free(mem);
	}
	return T_PASS;
}

T_MAIN(T_CASE(test_header_fields), T_CASE(test_empty_full_wrap), T_CASE(test_sizes),
       T_CASE(test_burst_edges), T_CASE(test_zero_copy), T_CASE(test_geometry),
       T_CASE(test_corrupt_slots))

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* ringdev.c - the scenarios under test: bare-ring and channel ping-pong and throughput. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ringdev/chan.h>
#include "bench.h"

/** rb_die() - a fatal ring error: the benchmark cannot go on and says why */
void rb_die(const char *what, int err)
{
	fprintf(stderr, "ringbench: %s: %s\n", what, strerror(-err));
	exit(1);
}

/* Stamp @seq into @env and into both ends of a @len-byte payload. */
static inline void stamp(struct ringdev_envelope *env, void *payload,
			 unsigned int len, __u64 seq)
{
	env->msg_id = seq;
	env->len = len;
	if (len >= 8)
		rb_item_stamp(payload, len, seq);
}

/* Is a received message the one with sequence @seq and @len payload bytes? */
static inline int check(const struct ringdev_envelope *env, const void *payload,
			int got, unsigned int len, __u64 seq)
{
	if (got != (int)len || env->msg_id != seq || env->len != len)
		return 0;
	return len < 8 || rb_item_ok(payload, len, seq);
}

/* ---- the bare ring ------------------------------------------------ */

/* A formatted ring in private memory, used by two threads of one process. */
struct bare {
	void *mem;
	struct ringdev_ring r;
};

/* Format and attach a @size-byte-slot ring; exits on failure (a bug). */
static void bare_init(struct bare *b, unsigned int size)
{
	struct ringdev_ring_params p = {
		.capacity = rb_opt.capacity,
		.slot_size = size,
	};
	size_t len = ringdev_ring_region_size(p.capacity, size);
	int err;

	if (!len)
		rb_die("ringdev_ring_region_size", -EINVAL);
	b->mem = rb_alloc(len);
	err = ringdev_ring_format(b->mem, len, &p);
	if (err)
		rb_die("ringdev_ring_format", err);
	err = ringdev_ring_attach(&b->r, b->mem, len);
	if (err)
		rb_die("ringdev_ring_attach", err);
}

/* Spin until the ring takes one message. */
static inline void bare_send(struct ringdev_ring *r, const struct ringdev_envelope *env,
			     const void *payload)
{
	int err;

	while ((err = ringdev_ring_send(r, env, payload)) == -EAGAIN)
		RINGDEV_CPU_RELAX();
	if (err)
		rb_die("ringdev_ring_send", err);
}

/* Spin until one message arrives; returns its payload length. */
static inline int bare_recv(struct ringdev_ring *r, struct ringdev_envelope *env,
			    void *buf, size_t cap)
{
	int k;

	while ((k = ringdev_ring_recv(r, env, buf, cap)) == -EAGAIN)
		RINGDEV_CPU_RELAX();
	if (k < 0)
		rb_die("ringdev_ring_recv", k);
	return k;
}

/* State of one ping-pong over two one-way links (bare rings or channels). */
struct pp_link {
	struct bare fwd, back;			/* bare rings */
	struct ringdev_chan *fwd_tx, *fwd_rx;	/* channel ping -> pong */
	struct ringdev_chan *back_tx, *back_rx;	/* channel pong -> ping */
};

/* Send one message on a channel, waiting as the channel waits. */
static inline void chan_send1(struct ringdev_chan *c, const struct ringdev_envelope *env,
			      const void *payload)
{
	int err = ringdev_chan_send(c, env, payload, RINGDEV_WAIT_FOREVER);

	if (err)
		rb_die("ringdev_chan_send", err);
}

/* Receive one message from a channel; returns its payload length. */
static inline int chan_recv1(struct ringdev_chan *c, struct ringdev_envelope *env,
			     void *buf, size_t cap)
{
	int k = ringdev_chan_recv(c, env, buf, cap, RINGDEV_WAIT_FOREVER);

	if (k < 0)
		rb_die("ringdev_chan_recv", k);
	return k;
}

/* Send one message over a ping-pong link: a bare ring or a channel. */
static inline __attribute__((always_inline)) void
pp_send(struct pp_link *l, int use_chan, int fwd, const struct ringdev_envelope *env,
	const void *buf)
{
	if (use_chan)
		chan_send1(fwd ? l->fwd_tx : l->back_tx, env, buf);
	else
		bare_send(fwd ? &l->fwd.r : &l->back.r, env, buf);
}

/* Receive one message from a ping-pong link; returns its payload length. */
static inline __attribute__((always_inline)) int
pp_recv(struct pp_link *l, int use_chan, int fwd, struct ringdev_envelope *env, void *buf,
	size_t cap)
{
	if (use_chan)
		return chan_recv1(fwd ? l->fwd_rx : l->back_rx, env, buf, cap);
	return bare_recv(fwd ? &l->fwd.r : &l->back.r, env, buf, cap);
}

/*
 * The ping and pong loops serve bare rings and channels.  They are the
 * timed code, so they are always inlined into their callers with a
 * constant @use_chan: each caller's loop is the straight-line code for its
 * link, with no indirect call and no test of the kind inside a round trip.
 */

/* Ping: send, wait for the answer, check it, time each round trip. */
static inline __attribute__((always_inline)) void *pp_ping(struct rb_pp *pp, int use_chan)
{
	struct pp_link *l = pp->priv;
	unsigned int len = pp->size - RINGDEV_SLOT_HDR_SIZE;
	unsigned char *buf = rb_alloc(len + 8);
	struct ringdev_envelope env;
	unsigned long i;
	uint64_t t0 = 0;
	int k;

	memset(&env, 0, sizeof(env));
	for (i = 0; i < pp->warm + pp->n; i++) {
		rb_pp_trip_start(pp, i, &t0);
		stamp(&env, buf, len, i);
		pp_send(l, use_chan, 1, &env, buf);
		k = pp_recv(l, use_chan, 0, &env, buf, len);
		if (!check(&env, buf, k, len, i))
			rb_pp_count_error(pp);
		rb_pp_trip_end(pp, i, &t0);
	}
	free(buf);
	return NULL;
}

/* Pong: wait for each message, check it, send it back. */
static inline __attribute__((always_inline)) void *pp_pong(struct rb_pp *pp, int use_chan)
{
	struct pp_link *l = pp->priv;
	unsigned int len = pp->size - RINGDEV_SLOT_HDR_SIZE;
	unsigned char *buf = rb_alloc(len + 8);
	struct ringdev_envelope env;
	unsigned long i;
	int k;

	for (i = 0; i < pp->warm + pp->n; i++) {
		if (i == pp->warm)
			rb_barrier_wait(&pp->bar);
		k = pp_recv(l, use_chan, 1, &env, buf, len);
		if (!check(&env, buf, k, len, i))
			rb_pp_count_error(pp);
		pp_send(l, use_chan, 0, &env, buf);
	}
	free(buf);
	return NULL;
}

static void *bare_ping(void *arg) { return pp_ping(arg, 0); }
static void *bare_pong(void *arg) { return pp_pong(arg, 0); }
static void *chan_ping(void *arg) { return pp_ping(arg, 1); }
static void *chan_pong(void *arg) { return pp_pong(arg, 1); }

/**
 * rb_ring_lat() - SPSC ping-pong on two bare rings, spinning, every slot size
 *
 * Return: 0, or -1 when a run failed.
 */
int rb_ring_lat(void)
{
	unsigned int s;
	int ret = 0;

	for (s = 0; s < RB_NR_SIZES; s++) {
		struct pp_link *l = rb_alloc(sizeof(*l));
		struct rb_row *row;
		struct rb_pp pp;
		char name[48];

		snprintf(name, sizeof(name), "ring-lat-%u", rb_sizes[s]);
		row = rb_row_new(name, RB_LAT);
		snprintf(row->desc, sizeof(row->desc),
			 "bare ring SPSC ping-pong, %u B slots, spinning", rb_sizes[s]);
		bare_init(&l->fwd, rb_sizes[s]);
		bare_init(&l->back, rb_sizes[s]);
		memset(&pp, 0, sizeof(pp));
		pp.n = rb_opt.iters;
		pp.warm = rb_opt.iters / 10;
		pp.size = rb_sizes[s];
		pp.priv = l;
		if (rb_pp_measure(row, &pp, bare_ping, bare_pong))
			ret = -1;
		rb_set_baseline(row, "cacheline", 0, 0);
		free(l->fwd.mem);
		free(l->back.mem);
		free(l);
	}
	return ret;
}

/* ---- channels on the --transport transport ------------------------- */

/**
 * rb_chan_open() - make a one-way channel and a second handle on it for the consumer,
 * passed over a socketpair the way two processes would share it.  The
 * socketpair stays open (in *socks) as long as the channel: it is how each
 * side would notice the other's death.  The transport is rb_opt.transport
 * (--transport): shm, or dev (a ring of the driver), never a fallback.
 *
 * Return: 0 or a negative errno, with @note saying what failed.
 */
int rb_chan_open(unsigned int size, __u64 spin_ns, struct ringdev_chan **tx,
		     struct ringdev_chan **rx, int socks[2], char *note, size_t note_len)
{
	struct ringdev_chan_opts o;
	int err;

	*tx = *rx = NULL;
	socks[0] = socks[1] = -1;
	ringdev_chan_opts_init(&o);
	o.capacity = rb_opt.capacity;
	o.slot_size = size;
	o.transport = rb_opt.transport;
	o.spin_ns = spin_ns;
	err = ringdev_chan_create(&o, tx);
	if (err) {
		snprintf(note, note_len, "ringdev_chan_create: %s", strerror(-err));
		return err;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks)) {
		err = -errno;
		snprintf(note, note_len, "socketpair: %s", strerror(errno));
		goto fail;
	}
	err = ringdev_chan_send_fds(*tx, socks[0]);
	if (err) {
		snprintf(note, note_len, "ringdev_chan_send_fds: %s", strerror(-err));
		goto fail;
	}
	err = ringdev_chan_recv_fds(socks[1], rx);
	if (err) {
		snprintf(note, note_len, "ringdev_chan_recv_fds: %s", strerror(-err));
		goto fail;
	}
	ringdev_chan_set_spin(*rx, spin_ns);
	if (ringdev_chan_transport(*tx) != rb_opt.transport) {
		err = -EPROTO;
		snprintf(note, note_len, "asked for %s, got transport %u",
			 rb_transport_name(), ringdev_chan_transport(*tx));
		goto fail;
	}
	return 0;
fail:
	ringdev_chan_close(*rx);
	ringdev_chan_close(*tx);
	*tx = *rx = NULL;
	if (socks[0] >= 0)
		close(socks[0]);
	if (socks[1] >= 0)
		close(socks[1]);
	socks[0] = socks[1] = -1;
	return err;
}

/** rb_chan_close() - undo rb_chan_open() */
void rb_chan_close(struct ringdev_chan *tx, struct ringdev_chan *rx, int socks[2])
{
	ringdev_chan_close(rx);
	ringdev_chan_close(tx);
	if (socks[0] >= 0)
		close(socks[0]);
	if (socks[1] >= 0)
		close(socks[1]);
}

/* Write the doorbell counters of @n handles (this pass's) as @row's note. */
static void chan_note_stats(struct rb_row *row, struct ringdev_chan *const *cs,
			    unsigned int n)
{
	struct ringdev_chan_stats st, sum;
	unsigned int i;

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < n; i++) {
		ringdev_chan_stats(cs[i], &st);
		sum.kicks += st.kicks;
		sum.suppressed += st.suppressed;
		sum.sleeps += st.sleeps;
	}
	snprintf(row->note, sizeof(row->note),
		 "last run: kicks %llu, suppressed %llu, sleeps %llu",
		 (unsigned long long)sum.kicks, (unsigned long long)sum.suppressed,
		 (unsigned long long)sum.sleeps);
}

/* One channel ping-pong row: @spin_ns per wait, @n round trips. */
static int chan_lat_one(const char *name, const char *desc, unsigned int size,
			__u64 spin_ns, unsigned long n, const char *baseline,
			double target)
{
	struct rb_row *row = rb_row_new(name, RB_LAT);
	struct pp_link *l = rb_alloc(sizeof(*l));
	int fsocks[2], bsocks[2], err, ret = -1;
	struct rb_pp pp;

	snprintf(row->desc, sizeof(row->desc), "%s", desc);
	row->transport = rb_transport_name();
	rb_set_baseline(row, baseline, target, 1);
	err = rb_chan_open(size, spin_ns, &l->fwd_tx, &l->fwd_rx, fsocks, row->note,
			sizeof(row->note));
	if (err)
		goto out;
	err = rb_chan_open(size, spin_ns, &l->back_tx, &l->back_rx, bsocks, row->note,
			sizeof(row->note));
	if (err)
		goto out_fwd;
	memset(&pp, 0, sizeof(pp));
	pp.n = n;
	pp.warm = n / 10;
	pp.size = size;
	pp.priv = l;
	ret = rb_pp_measure(row, &pp, chan_ping, chan_pong);
	{
		struct ringdev_chan *cs[4] = { l->fwd_tx, l->fwd_rx, l->back_tx, l->back_rx };

		chan_note_stats(row, cs, 4);
	}
	rb_chan_close(l->back_tx, l->back_rx, bsocks);
out_fwd:
	rb_chan_close(l->fwd_tx, l->fwd_rx, fsocks);
out:
	if (err)
		row->failed = 1;
	free(l);
	return ret;
}

/**
 * rb_chan_lat() - ping-pong over two channels of the --transport transport
 *
 * Spinning waits at every slot size (the 64-byte figure is the one judged
 * against 1.5x the raw cache-line round trip), and once with spin_ns = 0
 * so that every message sleeps and rings a doorbell (against eventfd).
 *
 * Return: 0, or -1 when a channel could not be made or a run failed.
 */
int rb_chan_lat(void)
{
	unsigned long nblock = rb_opt.iters / 10 ? rb_opt.iters / 10 : 1;
	char name[48], desc[80];
	unsigned int s;
	int ret = 0;

	for (s = 0; s < RB_NR_SIZES; s++) {
		snprintf(name, sizeof(name), "chan-lat-%u", rb_sizes[s]);
		snprintf(desc, sizeof(desc),
			 "%s ping-pong, %u B slots, spinning waits", rb_chan_what(),
			 rb_sizes[s]);
		if (chan_lat_one(name, desc, rb_sizes[s], RB_SPIN_FOREVER_NS,
				 rb_opt.iters, "cacheline", s ? 0 : 1.5))
			ret = -1;
	}
	snprintf(desc, sizeof(desc), "%s ping-pong, 64 B slots, spin 0 (sleep + doorbell)",
		 rb_chan_what());
	if (chan_lat_one("chan-lat-block-64", desc, 64, 0, nblock, "eventfd", 0))
		ret = -1;
	return ret;
}

/* ---- throughput --------------------------------------------------- */

/* Buffers for a burst of up to RB_BURST messages of @len payload bytes. */
struct burst {
	struct ringdev_msg m[RB_BURST];
	unsigned char *data;
};

/* Point each of @b's messages at its own @len-byte piece of one buffer. */
static void burst_init(struct burst *b, unsigned int len)
{
	unsigned int i;

	memset(b->m, 0, sizeof(b->m));
	b->data = rb_alloc((size_t)RB_BURST * (len + 8));
	for (i = 0; i < RB_BURST; i++) {
		b->m[i].data = b->data + (size_t)i * (len + 8);
		b->m[i].cap = len;
	}
}

/* What a throughput thread runs over: a bare ring or a channel. */
struct tp_link {
	struct bare ring;
	struct ringdev_chan *tx, *rx;
	int use_chan;
};

/* Producer: tp->n stamped messages, single or in bursts, spinning when full. */
static void *tp_prod(void *arg)
{
	struct rb_tp *tp = arg;
	struct tp_link *l = tp->priv;
	unsigned int len = tp->size - RINGDEV_SLOT_HDR_SIZE, i, want;
	struct burst b;
	unsigned long seq = 0;
	int k;

	burst_init(&b, len);
	rb_barrier_wait(&tp->bar);
	if (tp->batch == 1) {
		for (seq = 0; seq < tp->n; seq++) {
			stamp(&b.m[0].env, b.m[0].data, len, seq);
			if (l->use_chan)
				chan_send1(l->tx, &b.m[0].env, b.m[0].data);
			else
				bare_send(&l->ring.r, &b.m[0].env, b.m[0].data);
		}
		goto out;
	}
	while (seq < tp->n) {
		want = tp->n - seq < tp->batch ? (unsigned int)(tp->n - seq) : tp->batch;
		for (i = 0; i < want; i++)
			stamp(&b.m[i].env, b.m[i].data, len, seq + i);
		for (i = 0; i < want; i += (unsigned int)k) {
			if (l->use_chan) {
				k = ringdev_chan_send_burst(l->tx, b.m + i, want - i,
							    RINGDEV_WAIT_FOREVER);
			} else {
				while ((k = ringdev_ring_send_burst(&l->ring.r, b.m + i,
								    want - i)) == -EAGAIN)
					RINGDEV_CPU_RELAX();
			}
			if (k <= 0)
				rb_die("send burst", k ? k : -EIO);
		}
		seq += want;
	}
out:
	free(b.data);
	return NULL;
}

/* Consumer: receive and check tp->n messages; stamp t0 and t1. */
static void *tp_cons(void *arg)
{
	struct rb_tp *tp = arg;
	struct tp_link *l = tp->priv;
	unsigned int len = tp->size - RINGDEV_SLOT_HDR_SIZE, i;
	unsigned long seq = 0, errors = 0;
	struct burst b;
	int k;

	burst_init(&b, len);
	rb_barrier_wait(&tp->bar);
	tp->t0 = rb_now_ns();
	while (seq < tp->n) {
		if (tp->batch == 1) {
			if (l->use_chan)
				k = chan_recv1(l->rx, &b.m[0].env, b.m[0].data, len);
			else
				k = bare_recv(&l->ring.r, &b.m[0].env, b.m[0].data, len);
			if (!check(&b.m[0].env, b.m[0].data, k, len, seq)) {
				errors++;
				seq = b.m[0].env.msg_id;
			}
			seq++;
			continue;
		}
		if (l->use_chan) {
			k = ringdev_chan_recv_burst(l->rx, b.m, tp->batch, RINGDEV_WAIT_FOREVER);
		} else {
			while ((k = ringdev_ring_recv_burst(&l->ring.r, b.m,
							    tp->batch)) == -EAGAIN)
				RINGDEV_CPU_RELAX();
		}
		if (k <= 0)
			rb_die("recv burst", k ? k : -EIO);
		for (i = 0; i < (unsigned int)k; i++, seq++) {
			if (!check(&b.m[i].env, b.m[i].data, (int)b.m[i].env.len, len, seq)) {
				errors++;
				seq = b.m[i].env.msg_id;
			}
		}
	}
	tp->t1 = rb_now_ns();
	tp->errors = errors;
	free(b.data);
	return NULL;
}

/*
 * Baseline of a ringdev throughput row: DPDK rte_ring for 64-byte messages
 * (with the targets), the condvar queue of the same size otherwise.
 */
static void tput_baseline(struct rb_row *row, unsigned int size, int burst)
{
	char base[48];

	if (size == 64 && !rb_dpdk_status) {
		rb_set_baseline(row, burst ? "dpdk-tput-64-b32" : "dpdk-tput-64",
				burst ? 0.8 : 1.0, 0);
		return;
	}
	snprintf(base, sizeof(base), "condvar-tput-%u%s", size, burst ? "-b32" : "");
	rb_set_baseline(row, base, 0, 0);
}

/* Throughput over bare rings (@use_chan 0) or channels, every size and mode. */
static int tput(int use_chan)
{
	struct tp_link *l = rb_alloc(sizeof(*l));
	int socks[2], err, ret = 0;
	unsigned int s, b;

	for (s = 0; s < RB_NR_SIZES; s++) {
		for (b = 0; b < 2; b++) {
			struct rb_row *row;
			struct rb_tp tp;
			char name[48];

			snprintf(name, sizeof(name), "%s-tput-%u%s", use_chan ? "chan" : "ring",
				 rb_sizes[s], b ? "-b32" : "");
			row = rb_row_new(name, RB_TPUT);
			snprintf(row->desc, sizeof(row->desc), "%s send/recv, %u B slots, %s",
				 use_chan ? rb_chan_what() : "bare ring",
				 rb_sizes[s], b ? "bursts of 32" : "single");
			if (use_chan)
				row->transport = rb_transport_name();
			tput_baseline(row, rb_sizes[s], b);
			memset(l, 0, sizeof(*l));
			l->use_chan = use_chan;
			if (use_chan) {
				err = rb_chan_open(rb_sizes[s], RINGDEV_DEFAULT_SPIN_NS, &l->tx,
						&l->rx, socks, row->note, sizeof(row->note));
				if (err) {
					row->failed = 1;
					ret = -1;
					continue;
				}
			} else {
				bare_init(&l->ring, rb_sizes[s]);
			}
			memset(&tp, 0, sizeof(tp));
			tp.n = rb_tput_msgs(rb_sizes[s]);
			tp.size = rb_sizes[s];
			tp.batch = b ? RB_BURST : 1;
			tp.priv = l;
			if (rb_tp_measure(row, &tp, tp_prod, tp_cons))
				ret = -1;
			if (use_chan) {
				struct ringdev_chan *cs[2] = { l->tx, l->rx };

				chan_note_stats(row, cs, 2);
				rb_chan_close(l->tx, l->rx, socks);
			} else {
				free(l->ring.mem);
			}
		}
	}
	free(l);
	return ret;
}

/**
 * rb_ring_tput() - bare-ring SPSC throughput, every slot size, single and bursts
 *
 * Return: 0, or -1 when a run failed.
 */
int rb_ring_tput(void)
{
	return tput(0);
}

/**
 * rb_chan_tput() - channel throughput with the default spin-then-block waits
 *
 * Return: 0, or -1 when a channel could not be made or a run failed.
 */
int rb_chan_tput(void)
{
	return tput(1);
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * runtime.c - ring kernels on the CPU backend: the runtime and its type
 * registry, the kernel lifecycle (Created -> Launched -> Active <->
 * Deactivated -> Terminating -> Terminated), the per-kernel thread that
 * serves priority lanes, host send / call / receive with reply endpoints,
 * and the handler context (reply, emit, kernel-to-kernel send).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <ringdev/batch.h>
#include "rt_internal.h"
#include "probes.h"

#define RD_K2K_TIMEOUT_NS	1000000000LL	/* BLOCK destinations, from a kernel */
#define RD_DEFAULT_DRIFT_MS	60000ULL
#define RD_CALL_SLICE_NS	100000000LL	/* a waiting call checks its kernel */

struct ringdev_ctx {
	struct ringdev_kernel *k;
	const struct ringdev_envelope *env;
	const char *topic;
	bool replied;
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* A cheap timestamp for handler latency; see ns_per_cycle. */
__u64 __rd_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return mono_ns();
#endif
}

static double calibrate_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__u64 t0 = mono_ns(), c0 = __rd_cycles(), t1, c1;

	do
		t1 = mono_ns();
	while (t1 - t0 < 2000000);	/* 2 ms */
	c1 = __rd_cycles();
	return c1 > c0 ? (double)(t1 - t0) / (double)(c1 - c0) : 1.0;
#else
	return 1.0;
#endif
}

const char *ringdev_state_name(enum ringdev_kernel_state s)
{
	static const char *const names[] = {
		"created", "launched", "active", "deactivated", "terminating", "terminated",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* ---- the runtime --------------------------------------------------------- */

int ringdev_rt_open(const struct ringdev_rt_opts *o, struct ringdev_rt **out)
{
	struct ringdev_rt_opts def;
	struct ringdev_rt *rt;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!o) {
		memset(&def, 0, sizeof(def));
		o = &def;
	}
	if (o->reserved0 || o->reserved[0] || o->backend > RINGDEV_BACKEND_CUDA ||
	    o->transport > RINGDEV_TRANSPORT_DEV || o->doorbells > RINGDEV_DOORBELLS_BATCHED)
		return -EINVAL;
	/* CUDA needs libcudart and a GPU; AUTO picks per type at kernel creation. */
	if (o->backend == RINGDEV_BACKEND_CUDA && (rc = __rd_cuda_probe()) < 0)
		return rc;
	if (posix_memalign((void **)&rt, 128, sizeof(*rt)))
		return -ENOMEM;
	memset(rt, 0, sizeof(*rt));
	rt->opts = *o;
	rt->backend = o->backend == RINGDEV_BACKEND_CUDA ? RINGDEV_BACKEND_CUDA : RINGDEV_BACKEND_CPU;
	rc = ringdev_hlc_init(&rt->hlc, o->hlc_max_drift_ms ? o->hlc_max_drift_ms :
							      RD_DEFAULT_DRIFT_MS);
	if (rc) {
		free(rt);
		return rc;
	}
	rt->ns_per_cycle = calibrate_cycles();
	rt->hold_cycles = (__u64)(RINGDEV_DOORBELL_HOLD_NS / rt->ns_per_cycle);
	pthread_mutex_init(&rt->lock, NULL);
	pthread_rwlock_init(&rt->sub_lock, NULL);
	*out = rt;
	return 0;
}

struct ringdev_hlc *ringdev_rt_hlc(struct ringdev_rt *rt)
{
	return &rt->hlc;
}

int ringdev_rt_register(struct ringdev_rt *rt, const struct ringdev_kernel_type *t)
{
	if (!t || !t->handler)
		return -EINVAL;
	return __rd_register_type(rt, t, &__rd_cpu_backend, NULL);
}

/* Register a type run by @backend; @t->handler is the CPU handler or NULL. */
int __rd_register_type(struct ringdev_rt *rt, const struct ringdev_kernel_type *t,
		       const struct rd_backend_ops *backend, const void *backend_type)
{
	struct rd_type *rtt, *it;
	size_t n;

	if (!rt || !t || !t->name || !backend)
		return -EINVAL;
	n = strnlen(t->name, RINGDEV_NAME_MAX);
	if (!n || n == RINGDEV_NAME_MAX)
		return -EINVAL;
	rtt = calloc(1, sizeof(*rtt));
	if (!rtt)
		return -ENOMEM;
	rtt->t = *t;
	memcpy(rtt->name, t->name, n);
	rtt->t.name = rtt->name;
	rtt->backend = backend;
	rtt->backend_type = backend_type;
	pthread_mutex_lock(&rt->lock);
	for (it = rt->types; it; it = it->next) {
		if (!strcmp(it->name, rtt->name)) {
			pthread_mutex_unlock(&rt->lock);
			free(rtt);
			return -EEXIST;
		}
	}
	rtt->next = rt->types;
	rt->types = rtt;
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

/* Lock-free lookups: chunks are published with release and never move. */
static struct ringdev_kernel *kernel_by_id(struct ringdev_rt *rt, __u32 id)
{
	struct ringdev_kernel **chunk;

	if (!id || id & RD_EP_BIT || id > RINGDEV_READ_ONCE(rt->nkernels))
		return NULL;
	id--;
	chunk = RINGDEV_LOAD_ACQUIRE(&rt->kernels[id >> RD_CHUNK_SHIFT]);
	return chunk ? RINGDEV_LOAD_ACQUIRE(&chunk[id & (RD_CHUNK - 1)]) : NULL;
}

struct ringdev_kernel *ringdev_rt_kernel(struct ringdev_rt *rt, __u32 id)
{
	return rt ? kernel_by_id(rt, id) : NULL;
}

static struct rd_endpoint *endpoint_by_id(struct ringdev_rt *rt, __u32 id)
{
	struct rd_endpoint **chunk;
	__u32 idx = id & ~RD_EP_BIT;

	if (!(id & RD_EP_BIT) || idx >= RINGDEV_READ_ONCE(rt->neps))
		return NULL;
	chunk = RINGDEV_LOAD_ACQUIRE(&rt->eps[idx >> RD_CHUNK_SHIFT]);
	return chunk ? RINGDEV_LOAD_ACQUIRE(&chunk[idx & (RD_CHUNK - 1)]) : NULL;
}

/* Append @p to a chunked table under rt->lock; returns its index or -errno. */
static int table_add(void **chunks[RD_MAX_CHUNKS], __u32 *count, void *p)
{
	__u32 idx = *count;
	void **chunk;

	if (idx >= RD_MAX_CHUNKS * RD_CHUNK)
		return -ENOSPC;
	chunk = chunks[idx >> RD_CHUNK_SHIFT];
	if (!chunk) {
		chunk = calloc(RD_CHUNK, sizeof(*chunk));
		if (!chunk)
			return -ENOMEM;
		RINGDEV_STORE_RELEASE(&chunks[idx >> RD_CHUNK_SHIFT], chunk);
	}
	RINGDEV_STORE_RELEASE(&chunk[idx & (RD_CHUNK - 1)], p);
	RINGDEV_STORE_RELEASE(count, idx + 1);
	return (int)idx;
}

static void kernel_free(struct ringdev_kernel *k);

void ringdev_rt_close(struct ringdev_rt *rt)
{
	struct rd_type *t, *tn;
	__u32 i;

	if (!rt)
		return;
	/* No snapshot may be taken while the kernels go away. */
	__rd_telemetry_stop(rt);
	for (i = 1; i <= rt->nkernels; i++) {
		struct ringdev_kernel *k = kernel_by_id(rt, i);

		if (k && k->state < RINGDEV_KERNEL_TERMINATING)
			ringdev_kernel_terminate(k, RINGDEV_TERM_DISCARD, NULL);
	}
	__rd_subs_free(rt);
	for (i = 1; i <= rt->nkernels; i++)
		kernel_free(kernel_by_id(rt, i));
	for (i = 0; i < rt->neps; i++) {
		struct rd_endpoint *ep = endpoint_by_id(rt, i | RD_EP_BIT);

		ringdev_chan_close(ep->chan);
		free(ep);
	}
	for (i = 0; i < RD_MAX_CHUNKS; i++) {
		free(rt->kernels[i]);
		free(rt->eps[i]);
	}
	for (t = rt->types; t; t = tn) {
		tn = t->next;
		free(t);
	}
	pthread_rwlock_destroy(&rt->sub_lock);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

/* ---- kernels ------------------------------------------------------------- */

void ringdev_launch_opts_init(struct ringdev_launch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->capacity = RINGDEV_DEFAULT_CAPACITY;
	o->slot_size = RINGDEV_DEFAULT_SLOT_SIZE;
	o->backpressure = RINGDEV_BP_BLOCK;
	o->lanes = 1;
	o->spin_ns = RINGDEV_DEFAULT_SPIN_NS;
}

static int lane_chan(struct ringdev_rt *rt, const struct ringdev_launch_opts *o,
		     __u32 flags, __u32 capacity, struct ringdev_chan **out)
{
	struct ringdev_chan_opts co;

	ringdev_chan_opts_init(&co);
	co.capacity = capacity;
	co.slot_size = o->slot_size;
	co.ring_flags = flags;
	co.transport = rt->opts.transport;
	co.spin_ns = o->spin_ns;
	return ringdev_chan_create(&co, out);
}

static void kernel_free(struct ringdev_kernel *k)
{
	unsigned int i;

	if (!k)
		return;
	if (k->backend && k->backend->release)
		k->backend->release(k);
	for (i = 0; i < k->nlanes; i++)
		ringdev_chan_close(k->lanes[i]);
	ringdev_chan_close(k->outbox);
	if (k->ctl_fd >= 0)
		close(k->ctl_fd);
	free(k->state_mem);
	free(k->buf);
	pthread_cond_destroy(&k->cond);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

int ringdev_kernel_create(struct ringdev_rt *rt, const char *type,
			  const struct ringdev_launch_opts *o,
			  struct ringdev_kernel **out)
{
	struct ringdev_launch_opts def;
	struct ringdev_kernel *k;
	const struct rd_type *t;
	__u32 lane_flags;
	unsigned int i;
	int rc;

	if (!rt || !type || !out)
		return -EINVAL;
	*out = NULL;
	if (!o) {
		ringdev_launch_opts_init(&def);
		o = &def;
	}
	if (o->reserved[0] || o->reserved[1] || o->backpressure > RINGDEV_BP_DROP_OLDEST ||
	    !o->lanes || o->lanes > RINGDEV_MAX_LANES || (o->flags & ~RINGDEV_LAUNCH_ACTIVATE) ||
	    o->backend > RINGDEV_BACKEND_CUDA || !ringdev_ring_region_size(o->capacity, o->slot_size))
		return -EINVAL;
	if (o->backend == RINGDEV_BACKEND_CUDA && (rc = __rd_cuda_probe()) < 0)
		return rc;
	pthread_mutex_lock(&rt->lock);
	for (t = rt->types; t && strcmp(t->name, type); t = t->next)
		;
	pthread_mutex_unlock(&rt->lock);
	if (!t)
		return -ENOENT;

	if (posix_memalign((void **)&k, 128, sizeof(*k)))
		return -ENOMEM;
	memset(k, 0, sizeof(*k));
	k->rt = rt;
	k->type = t;
	k->backend = t->backend;
	k->opts = *o;
	k->ctl_fd = -1;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	ringdev_hlc_init(&k->hlc, rt->hlc.max_drift_ms);
	if (k->backend->max_lanes && o->lanes > k->backend->max_lanes) {
		rc = -EOPNOTSUPP;
		goto fail;
	}
	/* Host threads and other kernels send; drop-oldest senders also take. */
	lane_flags = RINGDEV_RING_F_MP | k->backend->lane_flags;
	if (o->backpressure == RINGDEV_BP_DROP_OLDEST)
		lane_flags |= RINGDEV_RING_F_MC;
	for (i = 0; i < o->lanes; i++) {
		rc = lane_chan(rt, o, lane_flags, o->capacity, &k->lanes[i]);
		if (rc)
			goto fail;
		k->nlanes++;
	}
	rc = lane_chan(rt, o, RINGDEV_RING_F_MC, o->capacity, &k->outbox);
	if (rc)
		goto fail;
	k->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	k->buf = malloc(o->slot_size);
	k->state_mem = calloc(1, t->t.state_size ? t->t.state_size : 1);
	if (k->ctl_fd < 0 || !k->buf || !k->state_mem) {
		rc = k->ctl_fd < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	if (k->backend->prepare) {
		rc = k->backend->prepare(k);
		if (rc)
			goto fail;
	}
	if (t->t.init) {
		rc = t->t.init(k->state_mem, o->init_arg);
		if (rc)
			goto fail;
	}
	pthread_mutex_lock(&rt->lock);
	rc = table_add((void ***)rt->kernels, &rt->nkernels, k);
	if (rc >= 0)
		k->id = (__u32)rc + 1;
	pthread_mutex_unlock(&rt->lock);
	if (rc < 0) {
		if (t->t.fini)
			t->t.fini(k->state_mem);
		goto fail;
	}
	k->state = RINGDEV_KERNEL_CREATED;
	*out = k;
	return 0;
fail:
	kernel_free(k);
	return rc;
}

enum ringdev_kernel_state ringdev_kernel_state(const struct ringdev_kernel *k)
{
	return (enum ringdev_kernel_state)RINGDEV_READ_ONCE(k->state);
}

__u32 ringdev_kernel_id(const struct ringdev_kernel *k)
{
	return k->id;
}

/* Tell the kernel's thread to look at its state again. */
static void kernel_poke(struct ringdev_kernel *k)
{
	__u64 one = 1;
	ssize_t n;

	/* EAGAIN means the counter is non-zero: a poke is already pending. */
	n = write(k->ctl_fd, &one, sizeof(one));
	(void)n;
}

/*
 * A kernel's outgoing messages are counted before they are published (the
 * receiver may look at the counters as soon as it has the message) and
 * the count is taken back when the send fails, which counts a drop.
 */
static void out_begin(struct ringdev_kernel *k)
{
	__rd_out_add(k, 1);
}

static int out_end(struct ringdev_kernel *k, int rc)
{
	if (rc) {
		__rd_out_add(k, (__u64)-1);
		RINGDEV_ADD(&k->drops, 1);
	}
	return rc;
}

/* Send a reply envelope to a caller's endpoint; never blocks. */
static int send_reply(struct ringdev_kernel *k, const struct ringdev_envelope *req,
		      int err, const void *payload, __u32 len)
{
	struct rd_endpoint *ep = endpoint_by_id(k->rt, req->src);
	struct ringdev_envelope e;

	if (!ep)
		return -ENXIO;
	memset(&e, 0, sizeof(e));
	e.type = req->type;
	e.flags = RINGDEV_ENV_F_REPLY | (err ? RINGDEV_ENV_F_ERROR : 0);
	e.corr_id = req->corr_id;
	e.msg_id = (__u64)(__s64)err;	/* an error reply carries its errno here */
	e.src = k->id;
	e.dst = req->src;
	e.len = err ? 0 : len;
	e.hlc = ringdev_hlc_tick(&k->hlc);
	out_begin(k);
	return out_end(k, ringdev_chan_send(ep->chan, &e, payload, 0));
}

static bool is_call(const struct ringdev_envelope *env)
{
	return env->corr_id && (env->src & RD_EP_BIT) && !(env->flags & RINGDEV_ENV_F_REPLY);
}

/* Run the handler on the message in k->buf. */
static void dispatch(struct ringdev_kernel *k, const struct ringdev_envelope *env)
{
	struct ringdev_ctx ctx = { .k = k, .env = env };
	const char *payload = k->buf;
	struct ringdev_envelope e;
	__u64 t0, t1;
	int rc;

	/* A sender's clock too far ahead is refused and counted, not adopted. */
	if (ringdev_hlc_update(&k->hlc, env->hlc, NULL) == -ERANGE)
		RINGDEV_ADD(&k->clock_rejects, 1);
	if (env->flags & RINGDEV_ENV_F_TOPIC) {
		size_t tl = strnlen(payload, env->len);

		if (tl == env->len) {	/* no terminator: malformed */
			RINGDEV_ADD(&k->errors, 1);
			k->last_error = -EBADMSG;
			return;
		}
		ctx.topic = payload;
		payload += tl + 1;
		/* Copied only here: a copy of the header just received stalls. */
		e = *env;
		e.len -= (__u32)(tl + 1);
		ctx.env = &e;
	}
	/* Counted first: a reply sent by the handler must not outrun it. */
	RINGDEV_WRITE_ONCE(k->msgs_in, k->msgs_in + 1);
	t0 = __rd_cycles();
	rc = k->type->t.handler(&ctx, ctx.env, payload);
	t1 = __rd_cycles();
	k->held_cycles += t1 - t0;
	__rd_lat_record(k, (__u64)((double)(t1 - t0) * k->rt->ns_per_cycle));
	if (rc < 0) {
		RINGDEV_ADD(&k->errors, 1);
		RINGDEV_WRITE_ONCE(k->last_error, rc);
	}
	if (is_call(env) && !ctx.replied)
		send_reply(k, env, rc < 0 ? rc : -ENOMSG, NULL, 0);
}

/* Receive one message from @lane into k->buf and handle it. */
static bool serve_one(struct ringdev_kernel *k, unsigned int lane)
{
	struct ringdev_chan *c = k->lanes[lane];
	struct ringdev_envelope env;
	int rc;

	rc = ringdev_ring_recv(&c->ring, &env, k->buf, k->opts.slot_size);
	if (rc == -EAGAIN)
		return false;
	ringdev_chan_notify_space(c);
	if (rc < 0) {
		/* A malformed message was dropped by the ring; count it. */
		RINGDEV_ADD(&k->errors, 1);
		RINGDEV_WRITE_ONCE(k->last_error, rc);
		return true;
	}
	dispatch(k, &env);
	return true;
}

/*
 * Ring the doorbells the handlers' sends made due once the messages
 * handled since the first of them, or the time their handlers took, reach
 * the bounds of RINGDEV_DOORBELLS_BATCHED.
 */
static void doorbells_bound(struct ringdev_kernel *k, unsigned int handled,
			    unsigned int *mark)
{
	if (k->defer.n && handled - *mark < RINGDEV_DOORBELL_BURST &&
	    k->held_cycles < k->rt->hold_cycles)
		return;
	__ringdev_defer_flush(&k->defer);
	*mark = handled;
	k->held_cycles = 0;
}

/*
 * Handle queued messages, highest lane first, until all lanes are empty
 * or the state changes.  After RINGDEV_LANE_STARVE messages of higher lanes
 * while lower ones wait, each non-empty lower lane gets one turn.  Held
 * doorbells are rung at the end, and on the way (doorbells_bound()).
 * Return: messages handled.
 */
static unsigned int serve_lanes(struct ringdev_kernel *k, int state)
{
	unsigned int handled = 0, since_low = 0, mark = 0;
	int top;

	for (;;) {
		doorbells_bound(k, handled, &mark);
		if (RINGDEV_READ_ONCE(k->state) != state)
			break;
		for (top = (int)k->nlanes - 1; top >= 0; top--)
			if (ringdev_ring_readable(&k->lanes[top]->ring))
				break;
		if (top < 0)
			break;
		if (since_low >= RINGDEV_LANE_STARVE) {
			int l;

			for (l = top - 1; l >= 0; l--)
				handled += serve_one(k, (unsigned int)l);
			since_low = 0;
		}
		if (serve_one(k, (unsigned int)top))
			handled++;
		since_low = top > 0 ? since_low + 1 : 0;
	}
	__ringdev_defer_flush(&k->defer);
	return handled;
}

/* Drop every queued message; return how many. */
static __u64 discard_all(struct ringdev_kernel *k)
{
	__u64 n = 0;
	unsigned int i;

	for (i = 0; i < k->nlanes; i++) {
		struct ringdev_chan *c = k->lanes[i];
		__u32 left = ringdev_ring_capacity(&c->ring);

		/* Bounded: a forged sequence word fails without progress. */
		while (left-- && ringdev_ring_discard(&c->ring, NULL) != -EAGAIN)
			n++;
		ringdev_chan_notify_space(c);
	}
	return n;
}

static void drain_ctl(struct ringdev_kernel *k)
{
	__u64 v;
	ssize_t n;

	n = read(k->ctl_fd, &v, sizeof(v));	/* EAGAIN: nothing pending */
	(void)n;
}

/*
 * The kernel thread's doorbells: counted always, held to the end of each
 * burst unless the runtime says DIRECT (chan.c opens an io_uring the
 * first time a burst holds several; failing that, plain syscalls).
 */
static void doorbells_begin(struct ringdev_kernel *k)
{
	/* k->defer is zeroed with the kernel; telemetry may read it now. */
	k->defer.immediate = k->rt->opts.doorbells == RINGDEV_DOORBELLS_DIRECT;
	__ringdev_defer_install(&k->defer);
}

static void doorbells_end(struct ringdev_kernel *k)
{
	__ringdev_defer_flush(&k->defer);
	__ringdev_defer_install(NULL);
	ringdev_batch_close(k->defer.batch);
	k->defer.batch = NULL;
}

static void *kernel_thread(void *arg)
{
	struct ringdev_kernel *k = arg;

	doorbells_begin(k);
	for (;;) {
		/* Pairs with the release in ringdev_kernel_terminate(). */
		int state = RINGDEV_LOAD_ACQUIRE(&k->state);

		if (state == RINGDEV_KERNEL_ACTIVE ||
		    (state == RINGDEV_KERNEL_TERMINATING &&
		     RINGDEV_READ_ONCE(k->term_how) == RINGDEV_TERM_DRAIN)) {
			if (k->parked) {
				pthread_mutex_lock(&k->lock);
				k->parked = false;
				pthread_mutex_unlock(&k->lock);
			}
			if (serve_lanes(k, state))
				continue;
			if (state == RINGDEV_KERNEL_TERMINATING)
				break;
			/*
			 * A state change ends the spin; the poke is reset only
			 * when it woke us (a read is a syscall).
			 */
			if (__ringdev_chan_wait_any(k->lanes, k->nlanes, k->ctl_fd,
						    &k->state, state, k->opts.spin_ns,
						    RINGDEV_WAIT_FOREVER) == 1)
				drain_ctl(k);
			continue;
		}
		if (state == RINGDEV_KERNEL_TERMINATING)
			break;
		/* LAUNCHED or DEACTIVATED: hold messages, say so, wait. */
		pthread_mutex_lock(&k->lock);
		if (!k->parked) {
			k->parked = true;
			pthread_cond_broadcast(&k->cond);
		}
		pthread_mutex_unlock(&k->lock);
		__ringdev_chan_wait_any(NULL, 0, k->ctl_fd, NULL, 0, 0, RINGDEV_WAIT_FOREVER);
		drain_ctl(k);
	}
	doorbells_end(k);
	return NULL;
}

static int cpu_launch(struct ringdev_kernel *k)
{
	return -pthread_create(&k->thread, NULL, kernel_thread, k);
}

/* Wait for the thread, which leaves its loop once it sees TERMINATING. */
static void cpu_stop(struct ringdev_kernel *k)
{
	kernel_poke(k);
	pthread_join(k->thread, NULL);
}

/*
 * The CPU backend: a thread per kernel.  The state machine itself lives in
 * this file and is the same for every backend; a backend only starts the
 * kernel, tells it that the state changed (the state word is the command),
 * and stops it after the state became TERMINATING, returning once the
 * kernel handles nothing more.
 */
const struct rd_backend_ops __rd_cpu_backend = {
	.name = "cpu",
	.launch = cpu_launch,
	.state_changed = kernel_poke,
	.stop = cpu_stop,
};

int ringdev_kernel_launch(struct ringdev_kernel *k)
{
	int rc;

	if (!k)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	if (k->state != RINGDEV_KERNEL_CREATED) {
		pthread_mutex_unlock(&k->lock);
		return -EBADFD;
	}
	RINGDEV_WRITE_ONCE(k->state, (k->opts.flags & RINGDEV_LAUNCH_ACTIVATE) ?
			   RINGDEV_KERNEL_ACTIVE : RINGDEV_KERNEL_LAUNCHED);
	rc = k->backend->launch(k);
	if (rc) {
		RINGDEV_WRITE_ONCE(k->state, RINGDEV_KERNEL_CREATED);
		pthread_mutex_unlock(&k->lock);
		return rc;
	}
	k->thread_started = true;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

int ringdev_kernel_spawn(struct ringdev_rt *rt, const char *type,
			 const struct ringdev_launch_opts *o, struct ringdev_kernel **out)
{
	int rc = ringdev_kernel_create(rt, type, o, out);

	if (rc)
		return rc;
	rc = ringdev_kernel_launch(*out);
	if (rc) {
		/* Leave a terminated handle; the runtime frees it. */
		ringdev_kernel_terminate(*out, RINGDEV_TERM_DISCARD, NULL);
		*out = NULL;
	}
	return rc;
}

int ringdev_kernel_activate(struct ringdev_kernel *k)
{
	if (!k)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	if (k->state != RINGDEV_KERNEL_LAUNCHED && k->state != RINGDEV_KERNEL_DEACTIVATED) {
		pthread_mutex_unlock(&k->lock);
		return -EBADFD;
	}
	RINGDEV_WRITE_ONCE(k->state, RINGDEV_KERNEL_ACTIVE);
	pthread_mutex_unlock(&k->lock);
	k->backend->state_changed(k);
	return 0;
}

int ringdev_kernel_deactivate(struct ringdev_kernel *k)
{
	if (!k)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	if (k->state != RINGDEV_KERNEL_ACTIVE) {
		pthread_mutex_unlock(&k->lock);
		return -EBADFD;
	}
	RINGDEV_WRITE_ONCE(k->state, RINGDEV_KERNEL_DEACTIVATED);
	k->backend->state_changed(k);
	/* Return only once no handler runs: the messages are then held. */
	while (!k->parked && k->state == RINGDEV_KERNEL_DEACTIVATED)
		pthread_cond_wait(&k->cond, &k->lock);
	pthread_mutex_unlock(&k->lock);
	return 0;
}

int ringdev_kernel_terminate(struct ringdev_kernel *k, unsigned int how, __u64 *discarded)
{
	__u64 n = 0;

	if (!k || how > RINGDEV_TERM_DISCARD)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	if (k->state >= RINGDEV_KERNEL_TERMINATING) {
		pthread_mutex_unlock(&k->lock);
		return -EBADFD;
	}
	RINGDEV_WRITE_ONCE(k->term_how, how);
	/* Release: the thread that sees TERMINATING sees term_how too. */
	RINGDEV_STORE_RELEASE(&k->state, RINGDEV_KERNEL_TERMINATING);
	/* A deactivate() waiting for the thread to park must not wait on. */
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	/* Order the state store before reading senders; pairs with __rd_send(). */
	RINGDEV_SMP_MB();
	/*
	 * The lanes have one consumer, the kernel's thread: nothing is
	 * discarded here until it has stopped (with DISCARD it stops at once).
	 */
	if (k->thread_started) {
		k->backend->stop(k);
		k->thread_started = false;
	}
	/*
	 * Senders that passed the state check before we changed it may still
	 * be enqueueing (or blocked on a full lane): drain until none is left,
	 * so that every message is either handled or counted here.
	 */
	do {
		n += discard_all(k);
		sched_yield();
	} while (RINGDEV_READ_ONCE(k->senders));
	n += discard_all(k);
	if (k->type->t.fini)
		k->type->t.fini(k->state_mem);
	__rd_unsubscribe_kernel(k);
	RINGDEV_ADD(&k->discarded, n);
	RINGDEV_WRITE_ONCE(k->state, RINGDEV_KERNEL_TERMINATED);
	if (discarded)
		*discarded = n;
	return 0;
}

/* ---- sending ------------------------------------------------------------- */

/* Make room in a drop-oldest lane by dropping its head, counting it. */
static int drop_oldest(struct ringdev_kernel *k, struct ringdev_chan *c)
{
	int rc = ringdev_ring_discard(&c->ring, NULL);

	if (rc == -EAGAIN)
		return 0;	/* someone else made room */
	RINGDEV_ADD(&k->drops, 1);
	RINGDEV_PROBE2(drop, k->id, 0);
	return rc < 0 && rc != -EBADMSG ? rc : 0;
}

/*
 * Enqueue @env and @payload into @k's lane for env->priority, under @k's
 * backpressure policy; an unstamped envelope gets the runtime's clock.
 */
int __rd_send(struct ringdev_kernel *k, struct ringdev_envelope *env,
	      const void *payload, __s64 timeout_ns)
{
	struct ringdev_chan *c;
	int rc, tries;

	if (env->len > k->opts.slot_size - RINGDEV_SLOT_HDR_SIZE)
		return -EMSGSIZE;
	RINGDEV_ADD(&k->senders, 1);
	/* Pairs with terminate: it sets the state, then waits for senders. */
	RINGDEV_SMP_MB();
	if (RINGDEV_READ_ONCE(k->state) >= RINGDEV_KERNEL_TERMINATING) {
		rc = -ESHUTDOWN;
		goto out;
	}
	c = k->lanes[env->priority < k->nlanes ? env->priority : k->nlanes - 1];
	/* Kernels stamp with their own clock; the host with the runtime's. */
	if (!env->hlc)
		env->hlc = ringdev_hlc_tick(&k->rt->hlc);
	switch (k->opts.backpressure) {
	case RINGDEV_BP_BLOCK:
		rc = ringdev_chan_send(c, env, payload, timeout_ns);
		if (rc == -EAGAIN && timeout_ns)
			rc = -ETIMEDOUT;
		break;
	case RINGDEV_BP_REJECT:
		rc = ringdev_chan_send(c, env, payload, 0);
		if (rc == -EAGAIN)
			RINGDEV_ADD(&k->rejected, 1);
		break;
	default:
		for (tries = 0; tries < 64; tries++) {
			rc = ringdev_chan_send(c, env, payload, 0);
			if (rc != -EAGAIN)
				break;
			rc = drop_oldest(k, c);
			if (rc)
				break;
			rc = -EAGAIN;
		}
		break;
	}
out:
	RINGDEV_ADD(&k->senders, -1);
	return rc;
}

int ringdev_send(struct ringdev_kernel *k, __u32 type, const void *payload,
		 __u32 len, __u8 priority, __s64 timeout_ns)
{
	struct ringdev_envelope e;

	if (!k || (len && !payload))
		return -EINVAL;
	memset(&e, 0, sizeof(e));
	e.type = type;
	e.priority = priority;
	e.len = len;
	e.dst = k->id;
	return __rd_send(k, &e, payload, timeout_ns);
}

/* Take a reply endpoint from the pool, or make one. */
static struct rd_endpoint *endpoint_get(struct ringdev_rt *rt)
{
	struct ringdev_chan_opts co;
	struct rd_endpoint *ep;
	int rc;

	pthread_mutex_lock(&rt->lock);
	ep = rt->free_eps;
	if (ep) {
		rt->free_eps = ep->next_free;
		pthread_mutex_unlock(&rt->lock);
		return ep;
	}
	pthread_mutex_unlock(&rt->lock);

	if (posix_memalign((void **)&ep, 128, sizeof(*ep)))
		return NULL;
	memset(ep, 0, sizeof(*ep));
	ringdev_chan_opts_init(&co);
	co.capacity = RD_EP_CAPACITY;
	co.slot_size = RD_EP_SLOT;
	co.ring_flags = RINGDEV_RING_F_MP;
	co.transport = rt->opts.transport;
	rc = ringdev_chan_create(&co, &ep->chan);
	if (rc) {
		free(ep);
		return NULL;
	}
	pthread_mutex_lock(&rt->lock);
	rc = table_add((void ***)rt->eps, &rt->neps, ep);
	if (rc >= 0)
		ep->id = (__u32)rc | RD_EP_BIT;
	pthread_mutex_unlock(&rt->lock);
	if (rc < 0) {
		ringdev_chan_close(ep->chan);
		free(ep);
		return NULL;
	}
	return ep;
}

static void endpoint_put(struct ringdev_rt *rt, struct rd_endpoint *ep)
{
	pthread_mutex_lock(&rt->lock);
	ep->next_free = rt->free_eps;
	rt->free_eps = ep;
	pthread_mutex_unlock(&rt->lock);
}

int ringdev_call(struct ringdev_kernel *k, __u32 type, const void *req, __u32 len,
		 void *resp, size_t cap, __s64 timeout_ns)
{
	struct ringdev_envelope e, got;
	struct rd_endpoint *ep;
	__u64 corr, deadline = 0;
	int rc;

	/* A call waits for its reply: 0 would be a promise never kept. */
	if (!k || (len && !req) || (cap && !resp) || !timeout_ns)
		return -EINVAL;
	ep = endpoint_get(k->rt);
	if (!ep)
		return -ENOMEM;
	/* Anything still queued here answers a call that already timed out. */
	while (ringdev_ring_discard(&ep->chan->ring, &got) != -EAGAIN) {
		struct ringdev_kernel *from = kernel_by_id(k->rt, got.src);

		if (from)
			RINGDEV_ADD(&from->late_replies, 1);
	}
	corr = RINGDEV_ADD(&k->rt->next_corr, 1) + 1;
	memset(&e, 0, sizeof(e));
	e.type = type;
	e.len = len;
	e.corr_id = corr;
	e.src = ep->id;
	e.dst = k->id;
	if (timeout_ns > 0)
		deadline = mono_ns() + (__u64)timeout_ns;
	rc = __rd_send(k, &e, req, timeout_ns);
	if (rc)
		goto out;
	for (;;) {
		__s64 slice = RD_CALL_SLICE_NS;

		if (deadline) {
			__u64 now = mono_ns();

			if (now >= deadline)
				slice = 1;	/* one last look */
			else if (deadline - now < RD_CALL_SLICE_NS)
				slice = (__s64)(deadline - now);
		}
		rc = ringdev_chan_recv(ep->chan, &got, resp, cap, slice);
		if ((rc == -ETIMEDOUT || rc == -EAGAIN) && slice > 1) {
			/* A kernel terminated with DISCARD never answers. */
			if (ringdev_kernel_state(k) == RINGDEV_KERNEL_TERMINATED &&
			    !ringdev_ring_readable(&ep->chan->ring)) {
				rc = -ESHUTDOWN;
				break;
			}
			continue;
		}
		if (rc == -EMSGSIZE) {
			/* Too big for the caller: take it out of the way. */
			rc = ringdev_ring_discard(&ep->chan->ring, &got);
			if (rc >= 0 && got.corr_id == corr) {
				rc = -EMSGSIZE;
				break;
			}
			continue;
		}
		if (rc < 0) {
			if (rc == -EAGAIN)
				rc = -ETIMEDOUT;
			break;
		}
		if (got.corr_id != corr || !(got.flags & RINGDEV_ENV_F_REPLY)) {
			struct ringdev_kernel *from = kernel_by_id(k->rt, got.src);

			if (from)
				RINGDEV_ADD(&from->late_replies, 1);
			continue;
		}
		ringdev_hlc_update(&k->rt->hlc, got.hlc, NULL);
		if (got.flags & RINGDEV_ENV_F_ERROR) {
			__s64 err = (__s64)got.msg_id;

			rc = err < 0 && err > -4096 ? (int)err : -EIO;
		} else {
			rc = (int)got.len;
		}
		break;
	}
out:
	endpoint_put(k->rt, ep);
	return rc;
}

int ringdev_recv(struct ringdev_kernel *k, struct ringdev_envelope *env,
		 void *buf, size_t cap, __s64 timeout_ns)
{
	int rc;

	__u64 deadline = timeout_ns > 0 ? mono_ns() + (__u64)timeout_ns : 0;

	if (!k || !env || (cap && !buf))
		return -EINVAL;
	for (;;) {
		__s64 slice = timeout_ns ? RD_CALL_SLICE_NS : 0;

		if (deadline) {
			__u64 now = mono_ns();

			slice = now >= deadline ? 0 : (__s64)(deadline - now);
			if (slice > RD_CALL_SLICE_NS)
				slice = RD_CALL_SLICE_NS;
		}
		rc = ringdev_chan_recv(k->outbox, env, buf, cap, slice);
		if (rc != -EAGAIN && rc != -ETIMEDOUT)
			break;
		/* A terminated kernel emits nothing more: say so, do not hang. */
		if (ringdev_kernel_state(k) == RINGDEV_KERNEL_TERMINATED &&
		    !ringdev_ring_readable(&k->outbox->ring))
			return -ESHUTDOWN;
		if (!slice || (deadline && mono_ns() >= deadline))
			return timeout_ns ? -ETIMEDOUT : -EAGAIN;
	}
	if (rc >= 0)
		ringdev_hlc_update(&k->rt->hlc, env->hlc, NULL);
	return rc;
}

/* Nobody can take @k's message: count the loss, its producer cannot be told. */
static int route_nobody(struct ringdev_kernel *k)
{
	RINGDEV_ADD(&k->drops, 1);
	return -ENXIO;
}

/*
 * Deliver a message that a kernel produced outside a CPU handler (a GPU
 * kernel writes to a ring the host pumps): replies go to their caller's
 * endpoint, messages for a kernel id go to its inbox (K2K), the rest to
 * the host through @k's outbox.  Counts like the handler-side calls, and
 * counts a message with nobody to take it (an unknown kernel, a caller
 * gone) in @k's drops too: its producer cannot be told.
 */
int __rd_route(struct ringdev_kernel *k, const struct ringdev_envelope *env,
	       const void *payload)
{
	struct ringdev_envelope e = *env;
	struct ringdev_kernel *to;
	int rc;

	e.src = k->id;
	if (e.flags & RINGDEV_ENV_F_REPLY) {
		struct rd_endpoint *ep = endpoint_by_id(k->rt, e.dst);

		if (!ep)
			return route_nobody(k);
		out_begin(k);
		rc = ringdev_chan_send(ep->chan, &e, payload, 0);
	} else if (e.dst) {
		to = kernel_by_id(k->rt, e.dst);
		if (!to)
			return route_nobody(k);
		out_begin(k);
		rc = __rd_send(to, &e, payload, RD_K2K_TIMEOUT_NS);
	} else {
		out_begin(k);
		rc = ringdev_chan_send(k->outbox, &e, payload, 0);
	}
	return out_end(k, rc);
}

/* ---- the handler's context ---------------------------------------------- */

void *ringdev_ctx_state(struct ringdev_ctx *ctx)
{
	return ctx->k->state_mem;
}

struct ringdev_kernel *ringdev_ctx_kernel(struct ringdev_ctx *ctx)
{
	return ctx->k;
}

const char *ringdev_ctx_topic(struct ringdev_ctx *ctx)
{
	return ctx->topic;
}

int ringdev_ctx_reply(struct ringdev_ctx *ctx, const void *payload, __u32 len)
{
	int rc;

	if (!is_call(ctx->env) || ctx->replied)
		return -ENOMSG;
	if (len > RD_EP_SLOT - RINGDEV_SLOT_HDR_SIZE)
		return -EMSGSIZE;
	ctx->replied = true;
	rc = send_reply(ctx->k, ctx->env, 0, payload, len);
	/* A caller that is gone is not the handler's error. */
	return rc == -EAGAIN || rc == -ENXIO ? 0 : rc;
}

int ringdev_ctx_emit(struct ringdev_ctx *ctx, __u32 type, const void *payload, __u32 len)
{
	struct ringdev_kernel *k = ctx->k;
	struct ringdev_envelope e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.len = len;
	e.src = k->id;
	e.hlc = ringdev_hlc_tick(&k->hlc);
	out_begin(k);
	return out_end(k, ringdev_chan_send(k->outbox, &e, payload, 0));
}

int ringdev_ctx_send(struct ringdev_ctx *ctx, __u32 dst, __u32 type,
		     const void *payload, __u32 len, __u8 priority)
{
	struct ringdev_kernel *to = kernel_by_id(ctx->k->rt, dst);
	struct ringdev_envelope e;
	int rc;

	if (!to)
		return -ENXIO;
	memset(&e, 0, sizeof(e));
	e.type = type;
	e.priority = priority;
	e.len = len;
	e.src = ctx->k->id;
	e.dst = dst;
	e.hlc = ringdev_hlc_tick(&ctx->k->hlc);
	out_begin(ctx->k);
	rc = __rd_send(to, &e, payload, RD_K2K_TIMEOUT_NS);
	if (rc) {
		/* The destination counted a REJECT or DROP_OLDEST loss itself. */
		__rd_out_add(ctx->k, (__u64)-1);
	}
	return rc;
}

/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * runtime.h - ring kernels: persistent, message-driven actors fed through
 * channels.  A runtime owns kernel types (handlers registered by name),
 * kernels launched from them, the routing table for kernel-to-kernel
 * messages, pub/sub subscriptions, the hybrid logical clock and telemetry.
 * See Documentation/api.rst and ringdev_rt_open(3).
 */
#ifndef RINGDEV_RUNTIME_H
#define RINGDEV_RUNTIME_H

#include <stdio.h>
#include <ringdev/chan.h>
#include <ringdev/hlc.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ringdev_rt;
struct ringdev_kernel;
struct ringdev_ctx;

enum ringdev_backend {
	RINGDEV_BACKEND_AUTO = 0,	/* cuda when a GPU is usable, else cpu */
	RINGDEV_BACKEND_CPU = 1,	/* one thread per kernel */
	RINGDEV_BACKEND_CUDA = 2,	/* a persistent GPU kernel */
};

/*
 * How a kernel thread rings the doorbells of the messages its handlers
 * send (replies, K2K, publishes, emits) to peers that sleep.
 */
enum ringdev_doorbells {
	/* BATCHED: held to the end of each burst, io_uring for several */
	RINGDEV_DOORBELLS_AUTO = 0,
	/* one syscall per doorbell, at once */
	RINGDEV_DOORBELLS_DIRECT = 1,
	/* held to the end of each burst: until the inbox is empty, the
	 * thread waits, RINGDEV_DOORBELL_BURST more messages were handled or
	 * their handlers took RINGDEV_DOORBELL_HOLD_NS; then one doorbell is
	 * one syscall, several are one io_uring_enter (plain syscalls
	 * without io_uring) */
	RINGDEV_DOORBELLS_BATCHED = 2,
};

#define RINGDEV_DOORBELL_BURST		32	/* messages a doorbell is held over */
#define RINGDEV_DOORBELL_HOLD_NS	20000	/* handler time it is held over */

struct ringdev_rt_opts {
	__u32 backend;		/* enum ringdev_backend: default for launches */
	__u32 transport;	/* enum ringdev_transport for kernel inboxes */
	__u64 hlc_max_drift_ms;	/* reject remote clocks further ahead; 0: 60000 */
	__u32 doorbells;	/* enum ringdev_doorbells */
	__u32 reserved0;	/* zero */
	__u64 reserved[1];	/* zero */
};

/**
 * ringdev_rt_open() - start a runtime
 * @o: options; NULL for auto backend and transport
 * @out: receives the runtime
 *
 * Return: 0; -EINVAL for bad options; -ENODEV when the cuda backend is
 * asked for and no GPU is usable (auto falls back to cpu).
 */
int ringdev_rt_open(const struct ringdev_rt_opts *o, struct ringdev_rt **out);

/**
 * ringdev_rt_close() - terminate every kernel (discarding queued messages)
 * and free everything; NULL is a no-op
 * @rt: the runtime
 */
void ringdev_rt_close(struct ringdev_rt *rt);

/* ---- kernel types ---------------------------------------------------- */

/*
 * A handler runs once per message on the kernel's own thread.  @payload is
 * env->len bytes, valid until it returns.  A negative return is counted as
 * an error (and answers a pending call with that error); it never stops
 * the kernel.
 */
typedef int (*ringdev_handler_fn)(struct ringdev_ctx *ctx,
				  const struct ringdev_envelope *env,
				  const void *payload);

struct ringdev_kernel_type {
	const char *name;		/* unique in the runtime, < RINGDEV_NAME_MAX */
	ringdev_handler_fn handler;	/* required */
	/* Optional: set up @state (state_size zeroed bytes) from the launch arg. */
	int (*init)(void *state, const void *arg);
	/* Optional: tear down @state when the kernel terminates. */
	void (*fini)(void *state);
	size_t state_size;
};

/**
 * ringdev_rt_register() - make a kernel type launchable by name
 * @rt: the runtime
 * @t: the type; copied, its name too
 *
 * Return: 0; -EEXIST when the name is taken; -EINVAL.
 */
int ringdev_rt_register(struct ringdev_rt *rt, const struct ringdev_kernel_type *t);

/* ---- kernels and their lifecycle ------------------------------------ */

enum ringdev_kernel_state {
	RINGDEV_KERNEL_CREATED = 0,	/* resources made, nothing runs */
	RINGDEV_KERNEL_LAUNCHED,	/* running, holding messages */
	RINGDEV_KERNEL_ACTIVE,		/* handling messages */
	RINGDEV_KERNEL_DEACTIVATED,	/* running, holding messages */
	RINGDEV_KERNEL_TERMINATING,	/* draining or discarding, then stops */
	RINGDEV_KERNEL_TERMINATED,	/* stopped; only the handle remains */
};

enum ringdev_backpressure {
	RINGDEV_BP_BLOCK = 0,		/* a full inbox makes senders wait */
	RINGDEV_BP_REJECT = 1,		/* a full inbox fails the send: -EAGAIN */
	RINGDEV_BP_DROP_OLDEST = 2,	/* a full inbox drops its oldest message */
};

#define RINGDEV_MAX_LANES	8	/* priority lanes per kernel */
#define RINGDEV_LANE_STARVE	16	/* see ringdev_kernel_create(3) */

#define RINGDEV_LAUNCH_ACTIVATE	(1U << 0)	/* launch straight to ACTIVE */

struct ringdev_launch_opts {
	__u32 capacity;		/* slots per lane, power of two (default 1024) */
	__u32 slot_size;	/* bytes per slot, power of two (default 256) */
	__u32 backpressure;	/* enum ringdev_backpressure */
	__u32 lanes;		/* priority lanes, 1..RINGDEV_MAX_LANES (default 1) */
	__u32 flags;		/* RINGDEV_LAUNCH_* */
	__u32 backend;		/* enum ringdev_backend; AUTO: the runtime's */
	__u64 spin_ns;		/* kernel's busy-poll budget before sleeping */
	const void *init_arg;	/* passed to the type's init() */
	__u64 reserved[2];	/* zero */
};

/**
 * ringdev_launch_opts_init() - fill @o with the defaults
 * @o: options
 */
void ringdev_launch_opts_init(struct ringdev_launch_opts *o);

/**
 * ringdev_kernel_create() - make a kernel of type @type (state CREATED)
 * @rt: the runtime
 * @type: a registered type name
 * @o: options; NULL for defaults
 * @out: receives the kernel
 *
 * Lanes are served highest priority first; a non-empty lower lane is
 * served at least once every RINGDEV_LANE_STARVE messages of higher lanes.
 *
 * Return: 0; -ENOENT for an unknown type; -EINVAL; -errno from init().
 */
int ringdev_kernel_create(struct ringdev_rt *rt, const char *type,
			  const struct ringdev_launch_opts *o,
			  struct ringdev_kernel **out);

/**
 * ringdev_kernel_launch() - start a CREATED kernel (state LAUNCHED, or
 * ACTIVE with RINGDEV_LAUNCH_ACTIVATE)
 * @k: the kernel
 *
 * Return: 0; -EBADFD when not CREATED; -errno when the backend fails.
 */
int ringdev_kernel_launch(struct ringdev_kernel *k);

/**
 * ringdev_kernel_spawn() - ringdev_kernel_create() then ringdev_kernel_launch()
 * @rt: the runtime
 * @type: a registered type name
 * @o: options; NULL for defaults
 * @out: receives the kernel
 *
 * Return: as the two calls.
 */
int ringdev_kernel_spawn(struct ringdev_rt *rt, const char *type,
			 const struct ringdev_launch_opts *o,
			 struct ringdev_kernel **out);

/**
 * ringdev_kernel_activate() - LAUNCHED or DEACTIVATED -> ACTIVE
 * @k: the kernel
 *
 * Return: 0; -EBADFD for any other state.
 */
int ringdev_kernel_activate(struct ringdev_kernel *k);

/**
 * ringdev_kernel_deactivate() - ACTIVE -> DEACTIVATED; messages are held
 * @k: the kernel
 *
 * Returns once the kernel has finished the message it was handling.
 *
 * Return: 0; -EBADFD when not ACTIVE.
 */
int ringdev_kernel_deactivate(struct ringdev_kernel *k);

#define RINGDEV_TERM_DRAIN	0U	/* handle every queued message first */
#define RINGDEV_TERM_DISCARD	1U	/* drop queued messages, counting them */

/**
 * ringdev_kernel_terminate() - stop a kernel and wait for it
 * @k: the kernel
 * @how: RINGDEV_TERM_DRAIN or RINGDEV_TERM_DISCARD
 * @discarded: if not NULL, receives how many queued messages were dropped
 *
 * A DEACTIVATED kernel is drained as if active.  Sends after this call
 * fail with -ESHUTDOWN.  The handle stays valid until ringdev_rt_close().
 *
 * Return: 0; -EBADFD when already TERMINATING or TERMINATED; -EINVAL.
 */
int ringdev_kernel_terminate(struct ringdev_kernel *k, unsigned int how,
			     __u64 *discarded);

/** ringdev_kernel_state() - the kernel's current state */
enum ringdev_kernel_state ringdev_kernel_state(const struct ringdev_kernel *k);

/** ringdev_kernel_id() - the kernel's id, its K2K address (never 0) */
__u32 ringdev_kernel_id(const struct ringdev_kernel *k);

/**
 * ringdev_rt_kernel() - look a kernel up by id
 * @rt: the runtime
 * @id: from ringdev_kernel_id()
 *
 * Return: the kernel, or NULL.
 */
struct ringdev_kernel *ringdev_rt_kernel(struct ringdev_rt *rt, __u32 id);

/** ringdev_state_name() - "created", "active", ... for messages and tools */
const char *ringdev_state_name(enum ringdev_kernel_state s);

/* ---- messaging from the host ---------------------------------------- */

/**
 * ringdev_send() - send a message to a kernel
 * @k: the kernel
 * @type: message type id
 * @payload: @len bytes
 * @len: payload length
 * @priority: lane, 0 lowest; clamped to the kernel's top lane
 * @timeout_ns: for BLOCK kernels; 0 never waits, RINGDEV_WAIT_FOREVER
 *
 * Return: 0; -EAGAIN when a REJECT inbox is full (nothing is lost), or a
 * BLOCK one with @timeout_ns 0; -ETIMEDOUT when a BLOCK inbox stayed full;
 * -ESHUTDOWN after terminate; -EMSGSIZE.
 */
int ringdev_send(struct ringdev_kernel *k, __u32 type, const void *payload,
		 __u32 len, __u8 priority, __s64 timeout_ns);

/**
 * ringdev_call() - send a request and wait for its reply
 * @k: the kernel
 * @type: request type id
 * @req: @len request bytes
 * @len: request length
 * @resp: reply buffer
 * @cap: bytes at @resp
 * @timeout_ns: for the whole call
 *
 * Safe from many threads at once: each call gets its own reply.  A reply
 * arriving after its call timed out is dropped, never delivered to
 * another call.
 *
 * Return: the reply length; -EINVAL when @timeout_ns is 0 (a call must
 * wait); -ETIMEDOUT; the handler's negative return when it failed;
 * -EMSGSIZE when the reply exceeds @cap; -ESHUTDOWN when the kernel was
 * terminated without handling it; as ringdev_send().
 */
int ringdev_call(struct ringdev_kernel *k, __u32 type, const void *req, __u32 len,
		 void *resp, size_t cap, __s64 timeout_ns);

/**
 * ringdev_recv() - receive a message a kernel emitted to the host
 * @k: the kernel
 * @env: receives the header
 * @buf: receives the payload
 * @cap: bytes at @buf
 * @timeout_ns: 0 for a try, RINGDEV_WAIT_FOREVER
 *
 * Return: the payload length; -EAGAIN or -ETIMEDOUT when nothing came;
 * -ESHUTDOWN when the kernel is terminated and nothing is left; -EMSGSIZE.
 */
int ringdev_recv(struct ringdev_kernel *k, struct ringdev_envelope *env,
		 void *buf, size_t cap, __s64 timeout_ns);

/* ---- inside a handler ------------------------------------------------ */

/** ringdev_ctx_state() - the kernel's state block (state_size bytes) */
void *ringdev_ctx_state(struct ringdev_ctx *ctx);

/** ringdev_ctx_kernel() - the kernel running this handler */
struct ringdev_kernel *ringdev_ctx_kernel(struct ringdev_ctx *ctx);

/**
 * ringdev_ctx_topic() - the topic a published message came with
 * @ctx: the handler's context
 *
 * Return: the topic, or NULL when the message was not published.
 */
const char *ringdev_ctx_topic(struct ringdev_ctx *ctx);

/**
 * ringdev_ctx_reply() - answer the message being handled
 * @ctx: the handler's context
 * @payload: @len bytes
 * @len: payload length
 *
 * Return: 0; -ENOMSG when the message was not a call (or already
 * answered); -EMSGSIZE.  A reply that finds its caller gone is dropped.
 */
int ringdev_ctx_reply(struct ringdev_ctx *ctx, const void *payload, __u32 len);

/**
 * ringdev_ctx_emit() - send a message to the host (see ringdev_recv())
 * @ctx: the handler's context
 * @type: message type id
 * @payload: @len bytes
 * @len: payload length
 *
 * Return: 0; -EAGAIN when the host's outbox is full (counted as a drop).
 */
int ringdev_ctx_emit(struct ringdev_ctx *ctx, __u32 type, const void *payload, __u32 len);

/**
 * ringdev_ctx_send() - kernel-to-kernel: send to the kernel with id @dst
 * @ctx: the handler's context
 * @dst: ringdev_kernel_id() of the destination
 * @type: message type id
 * @payload: @len bytes
 * @len: payload length
 * @priority: lane at the destination
 *
 * The message goes straight into the destination's inbox; BLOCK
 * destinations are waited for at most one second.
 *
 * Return: 0; -ENXIO for an unknown destination; as ringdev_send().
 */
int ringdev_ctx_send(struct ringdev_ctx *ctx, __u32 dst, __u32 type,
		     const void *payload, __u32 len, __u8 priority);

/* ---- publish / subscribe --------------------------------------------- */

/**
 * ringdev_subscribe() - deliver messages published on topics matching
 * @filter ('/'-separated, '+' one level, '#' the rest, MQTT rules) to @k
 * @k: the subscriber
 * @filter: the topic filter
 *
 * Return: 0; -EINVAL for a malformed filter; -EEXIST when already there.
 */
int ringdev_subscribe(struct ringdev_kernel *k, const char *filter);

/**
 * ringdev_unsubscribe() - undo ringdev_subscribe()
 * @k: the subscriber
 * @filter: the same filter string
 *
 * Return: 0; -ENOENT when not subscribed.
 */
int ringdev_unsubscribe(struct ringdev_kernel *k, const char *filter);

/**
 * ringdev_publish() - send a message to every kernel subscribed to @topic
 * @rt: the runtime
 * @topic: a topic without wildcards
 * @type: message type id
 * @payload: @len bytes
 * @len: payload length
 * @timeout_ns: how long a BLOCK subscriber may hold the publisher back
 *
 * Each subscriber's own backpressure applies: a full BLOCK inbox slows
 * the publisher (up to @timeout_ns, then that subscriber misses it), a
 * DROP_OLDEST one loses (and counts) its own oldest message, a REJECT one
 * misses this message.  Every miss is counted in that subscriber's drops.
 *
 * Return: the number of subscribers that received it; -EINVAL for a bad
 * topic; -EMSGSIZE when the message does not fit a subscriber's slot.
 */
int ringdev_publish(struct ringdev_rt *rt, const char *topic, __u32 type,
		    const void *payload, __u32 len, __s64 timeout_ns);

/**
 * ringdev_ctx_publish() - ringdev_publish() from inside a handler
 * @ctx: the handler's context
 * @topic: a topic without wildcards
 * @type: message type id
 * @payload: @len bytes
 * @len: payload length
 *
 * Return: as ringdev_publish(), waiting at most one second.
 */
int ringdev_ctx_publish(struct ringdev_ctx *ctx, const char *topic, __u32 type,
			const void *payload, __u32 len);

/* ---- telemetry -------------------------------------------------------- */

#define RINGDEV_LAT_BUCKETS	40	/* bucket i: handler took [2^i, 2^(i+1)) ns */

struct ringdev_kernel_stats {
	char type[RINGDEV_NAME_MAX];
	__u32 id;
	__u32 state;		/* enum ringdev_kernel_state */
	__u64 msgs_in;		/* messages handled */
	__u64 msgs_out;		/* replies, emits, K2K sends and publishes */
	__u64 drops;		/* DROP_OLDEST drops, full-outbox and REJECT misses,
				 * GPU messages for an unknown kernel or a gone caller */
	__u64 rejected;		/* sends refused with -EAGAIN (REJECT) */
	__u64 errors;		/* handler failures */
	__s32 last_error;	/* the latest handler failure, or 0 */
	__u32 lanes;
	__u64 queue_depth;	/* messages queued over all lanes (a snapshot) */
	__u64 late_replies;	/* replies whose call had timed out: dropped */
	__u64 clock_rejects;	/* messages whose HLC stamp was too far ahead */
	__u64 lat_p50_ns;	/* handler latency percentiles (bucket upper bounds) */
	__u64 lat_p99_ns;
	__u64 lat_hist[RINGDEV_LAT_BUCKETS];
	__u64 doorbells;	/* doorbells its thread rang for sleeping peers */
	__u64 doorbell_syscalls;	/* what they cost: kicks and io_uring enters */
};

/**
 * ringdev_kernel_stats() - a snapshot of one kernel's counters
 * @k: the kernel
 * @st: receives it
 */
void ringdev_kernel_stats(struct ringdev_kernel *k, struct ringdev_kernel_stats *st);

/**
 * ringdev_rt_snapshot() - every kernel's counters at once
 * @rt: the runtime
 * @st: array of @n entries
 * @n: capacity of @st
 *
 * Return: the number of kernels (may exceed @n; only @n are written).
 */
int ringdev_rt_snapshot(struct ringdev_rt *rt, struct ringdev_kernel_stats *st,
			unsigned int n);

/**
 * ringdev_rt_snapshot_json() - the snapshot as one JSON document (for ringctl)
 * @rt: the runtime
 * @f: where to write it
 *
 * Return: 0 or -errno.
 */
int ringdev_rt_snapshot_json(struct ringdev_rt *rt, FILE *f);

/**
 * ringdev_rt_serve_telemetry() - publish snapshots for `ringctl top`
 * @rt: the runtime
 * @name: 1..63 printable ASCII bytes without '/' or spaces
 *
 * Listens on the abstract unix socket "@ringdev-rt/<name>" (SOCK_STREAM)
 * from a small thread.  Each connection from a process of the same uid
 * (or root, by SO_PEERCRED) gets one ringdev_rt_snapshot_json() document,
 * then the connection is closed; others are closed at once.  The server
 * stops with ringdev_rt_close().  One name per runtime.
 *
 * Return: 0; -EINVAL or -ENAMETOOLONG for a bad name; -EBUSY when this
 * runtime already serves; -EEXIST when the name is taken; -errno.
 */
int ringdev_rt_serve_telemetry(struct ringdev_rt *rt, const char *name);

/**
 * ringdev_rt_fetch_telemetry() - read the snapshot another runtime serves
 * @name: the name given to ringdev_rt_serve_telemetry()
 * @json: receives the document, NUL-terminated; free() it
 * @len: receives its length (may be NULL)
 *
 * The client half of ringdev_rt_serve_telemetry() (what `ringctl top`
 * calls): connects to "@ringdev-rt/<name>", trusts only a server of our
 * own uid or root, and reads until the server closes, at most 4 MiB and
 * one second of silence.
 *
 * Return: 0; -ENOENT when nobody serves @name; -EACCES for a server of
 * another uid; -EINVAL or -ENAMETOOLONG for a bad name; -ETIMEDOUT;
 * -EMSGSIZE; -EPROTO for an empty answer; -EINTR; -ENOMEM; -errno.
 */
int ringdev_rt_fetch_telemetry(const char *name, char **json, size_t *len);

/** ringdev_rt_hlc() - the runtime's hybrid logical clock (see hlc.h) */
struct ringdev_hlc *ringdev_rt_hlc(struct ringdev_rt *rt);

#ifdef __cplusplus
}
#endif

#endif /* RINGDEV_RUNTIME_H */

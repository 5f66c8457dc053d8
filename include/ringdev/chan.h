/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * chan.h - channels: a ring plus its transport (the shared memory, the two
 * doorbells, and the liveness of the peer).  Adds what the bare ring lacks:
 * need-wakeup suppression (no syscall while the other side is awake),
 * spin-then-block waits, timeouts, sharing between processes by fd passing
 * or by name, and -EPIPE instead of a hang when the peer dies.
 */
#ifndef RINGDEV_CHAN_H
#define RINGDEV_CHAN_H

#include <ringdev/ring.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ringdev_chan;

/* Which transport carries a channel. */
enum ringdev_transport {
	RINGDEV_TRANSPORT_AUTO = 0,	/* dev when /dev/ringdev is usable, else shm */
	RINGDEV_TRANSPORT_SHM = 1,	/* memfd + eventfd, no kernel module */
	RINGDEV_TRANSPORT_DEV = 2,	/* /dev/ringdev */
};

/* Defaults set by ringdev_chan_opts_init(). */
#define RINGDEV_DEFAULT_CAPACITY	1024U
#define RINGDEV_DEFAULT_SLOT_SIZE	256U
#define RINGDEV_DEFAULT_SPIN_NS		20000ULL	/* ~ one blocked wakeup here */
#define RINGDEV_WAIT_FOREVER		(-1LL)

struct ringdev_chan_opts {
	__u32 capacity;		/* slots, power of two */
	__u32 slot_size;	/* bytes, power of two, >= 64 */
	__u32 ring_flags;	/* RINGDEV_RING_F_MP / _MC */
	__u32 transport;	/* enum ringdev_transport */
	__u64 spin_ns;		/* busy-poll budget before sleeping; 0 = sleep at once */
	const char *name;	/* NULL: anonymous; else attachable by this name */
	__u32 mode;		/* who may attach by name: 0600, 0660 or 0666 style */
	__u32 reserved;		/* zero */
};

/**
 * ringdev_chan_opts_init() - fill @o with the defaults
 * @o: options to initialise
 */
void ringdev_chan_opts_init(struct ringdev_chan_opts *o);

/**
 * ringdev_chan_create() - make a new channel
 * @o: options (NULL: defaults)
 * @out: receives the channel
 *
 * Return: 0; -EINVAL for bad options; -EEXIST when @o->name is taken;
 * -ENODEV when the dev transport is asked for and unavailable; -errno
 * from the system otherwise.
 */
int ringdev_chan_create(const struct ringdev_chan_opts *o, struct ringdev_chan **out);

/**
 * ringdev_chan_attach() - open a channel another process created by name
 * @name: the name given at creation
 * @transport: enum ringdev_transport
 * @out: receives the channel
 *
 * Return: 0; -ENOENT when no such channel; -EACCES when its mode or owner
 * does not admit us; -EBADMSG when what we received is not a valid ring.
 */
int ringdev_chan_attach(const char *name, __u32 transport, struct ringdev_chan **out);

/**
 * ringdev_chan_send_fds() - hand the channel to the process at @sock
 * @c: the channel
 * @sock: a connected AF_UNIX SOCK_STREAM or SOCK_SEQPACKET socket
 *
 * The fds travel by SCM_RIGHTS.  The channel keeps a duplicate of @sock to
 * notice the peer's death; the caller may close its own.
 *
 * Return: 0 or -errno.
 */
int ringdev_chan_send_fds(struct ringdev_chan *c, int sock);

/**
 * ringdev_chan_recv_fds() - receive a channel sent by ringdev_chan_send_fds()
 * @sock: the connected socket
 * @out: receives the channel
 *
 * Return: 0; -EBADMSG when the message or the fds are not a valid channel.
 */
int ringdev_chan_recv_fds(int sock, struct ringdev_chan **out);

/**
 * ringdev_chan_close() - unmap and free the channel; NULL is a no-op
 * @c: the channel
 */
void ringdev_chan_close(struct ringdev_chan *c);

/**
 * ringdev_chan_ring() - the channel's ring, for zero-copy and burst calls
 * @c: the channel
 *
 * After producing on the ring directly call ringdev_chan_notify(); after
 * consuming call ringdev_chan_notify_space().
 */
struct ringdev_ring *ringdev_chan_ring(struct ringdev_chan *c);

/**
 * ringdev_chan_set_spin() - change the busy-poll budget of blocking calls
 * @c: the channel
 * @spin_ns: nanoseconds to spin before sleeping
 */
void ringdev_chan_set_spin(struct ringdev_chan *c, __u64 spin_ns);

/**
 * ringdev_chan_send() - send one message, waiting for space
 * @c: the channel
 * @env: header (env->len payload bytes)
 * @payload: payload bytes
 * @timeout_ns: 0 never waits, RINGDEV_WAIT_FOREVER waits without limit
 *
 * Rings the consumer's doorbell only when it sleeps.
 *
 * Return: 0; -EAGAIN (timeout 0) or -ETIMEDOUT when the ring stays full;
 * -EPIPE when the consumer is gone; -EMSGSIZE; -EBADMSG.
 */
int ringdev_chan_send(struct ringdev_chan *c, const struct ringdev_envelope *env,
		      const void *payload, __s64 timeout_ns);

/**
 * ringdev_chan_send_burst() - send up to @n messages, one doorbell check
 * @c: the channel
 * @m: the messages
 * @n: count
 * @timeout_ns: as ringdev_chan_send(), for the first message
 *
 * Return: messages sent (>= 1) or a negative errno as ringdev_chan_send().
 */
int ringdev_chan_send_burst(struct ringdev_chan *c, const struct ringdev_msg *m,
			    unsigned int n, __s64 timeout_ns);

/**
 * ringdev_chan_recv() - receive one message, spinning then sleeping
 * @c: the channel
 * @env: receives the header
 * @buf: receives the payload
 * @cap: bytes at @buf
 * @timeout_ns: 0 never waits, RINGDEV_WAIT_FOREVER waits without limit
 *
 * Return: the payload length; -EAGAIN (timeout 0) or -ETIMEDOUT when
 * nothing came; -EPIPE when the producer is gone and the ring is drained;
 * -EMSGSIZE or -EBADMSG as ringdev_ring_recv().
 */
int ringdev_chan_recv(struct ringdev_chan *c, struct ringdev_envelope *env,
		      void *buf, size_t cap, __s64 timeout_ns);

/**
 * ringdev_chan_recv_burst() - receive up to @n messages
 * @c: the channel
 * @m: buffers, as ringdev_ring_recv_burst()
 * @n: count
 * @timeout_ns: as ringdev_chan_recv(), for the first message
 *
 * Return: messages received (>= 1) or a negative errno as ringdev_chan_recv().
 */
int ringdev_chan_recv_burst(struct ringdev_chan *c, struct ringdev_msg *m,
			    unsigned int n, __s64 timeout_ns);

/**
 * ringdev_chan_notify() - ring the consumer's doorbell if it sleeps
 * @c: the channel
 *
 * For producers that used the ring directly (reserve/commit, bursts).
 *
 * Return: 1 when a doorbell was rung, 0 when suppressed, or -errno.
 */
int ringdev_chan_notify(struct ringdev_chan *c);

/**
 * ringdev_chan_notify_space() - ring the producer's doorbell if it waits
 * @c: the channel
 *
 * Return: 1 when a doorbell was rung, 0 when suppressed, or -errno.
 */
int ringdev_chan_notify_space(struct ringdev_chan *c);

/* Process-local counters of one channel handle. */
struct ringdev_chan_stats {
	__u64 kicks;		/* doorbell syscalls made */
	__u64 suppressed;	/* doorbell checks that found the peer awake */
	__u64 sleeps;		/* times this handle blocked */
	__u64 spins;		/* blocking calls satisfied while spinning */
	__u64 kick_errors;	/* doorbells that failed (the message was sent) */
};

/**
 * ringdev_chan_stats() - copy this handle's counters
 * @c: the channel
 * @st: receives them
 */
void ringdev_chan_stats(const struct ringdev_chan *c, struct ringdev_chan_stats *st);

/**
 * ringdev_chan_transport() - the transport actually in use
 * @c: the channel
 *
 * Return: RINGDEV_TRANSPORT_SHM or RINGDEV_TRANSPORT_DEV.
 */
__u32 ringdev_chan_transport(const struct ringdev_chan *c);

#ifdef __cplusplus
}
#endif

#endif /* RINGDEV_CHAN_H */

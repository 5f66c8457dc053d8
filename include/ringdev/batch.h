/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * batch.h - io_uring batching (layer 3): queue the doorbells of many
 * channels and ring them all with one io_uring_enter (none with SQPOLL
 * while its thread is awake), and sleep on many channels in one syscall.
 * Where io_uring is missing, disabled or refused, the same calls use
 * plain write()/ioctl()/ppoll() with the same results.
 * See Documentation/uring.rst and ringdev_batch_open(3).
 */
#ifndef RINGDEV_BATCH_H
#define RINGDEV_BATCH_H

#include <ringdev/chan.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One per thread: a batch is not thread-safe (its channels may be shared). */
struct ringdev_batch;

/* ringdev_batch_opts.flags */
#define RINGDEV_BATCH_SQPOLL	(1U << 0)	/* kernel thread polls the SQ: zero-syscall submit */
#define RINGDEV_BATCH_SYSCALLS	(1U << 1)	/* never use io_uring: plain write()/ioctl() */
#define RINGDEV_BATCH_F_ALL	0x3U

#define RINGDEV_BATCH_DEFAULT_ENTRIES	256U
#define RINGDEV_BATCH_DEFAULT_IDLE_MS	1000U

struct ringdev_batch_opts {
	__u32 entries;		/* SQ size: doorbells per io_uring_enter; power of two */
	__u32 flags;		/* RINGDEV_BATCH_* */
	__u32 sq_thread_idle_ms;	/* SQPOLL: ms the thread spins before it sleeps */
	__u32 reserved;		/* zero */
};

/**
 * ringdev_batch_opts_init() - fill @o with the defaults
 * @o: options to initialise
 */
void ringdev_batch_opts_init(struct ringdev_batch_opts *o);

/**
 * ringdev_batch_open() - make a batch for the calling thread
 * @o: options (NULL: defaults)
 * @out: receives the batch
 *
 * Sets up an io_uring and probes it for IORING_OP_WRITE, IORING_OP_POLL_ADD
 * and IORING_OP_URING_CMD.  When io_uring is unavailable, disabled
 * (/proc/sys/kernel/io_uring_disabled), refused, or $RINGDEV_NO_URING is
 * set, the batch uses plain syscalls instead: it never fails only because
 * io_uring is missing.  SQPOLL that the kernel refuses falls back to a
 * normal ring.
 *
 * Return: 0; -EINVAL for bad options; -ENOMEM.
 */
int ringdev_batch_open(const struct ringdev_batch_opts *o, struct ringdev_batch **out);

/**
 * ringdev_batch_close() - ring what is still queued, then free; NULL is a no-op
 * @b: the batch
 */
void ringdev_batch_close(struct ringdev_batch *b);

/**
 * ringdev_batch_uses_uring() - does @b go through io_uring?
 * @b: the batch
 *
 * Return: 1 through io_uring, 0 through plain syscalls.
 */
int ringdev_batch_uses_uring(const struct ringdev_batch *b);

/**
 * ringdev_batch_uses_sqpoll() - does @b submit through an SQPOLL thread?
 * @b: the batch
 *
 * Return: 1 or 0.
 */
int ringdev_batch_uses_sqpoll(const struct ringdev_batch *b);

/**
 * ringdev_batch_notify() - queue @c's consumer doorbell if it sleeps
 * @b: the batch
 * @c: a channel this thread produced on (it stays open until the submit)
 *
 * The batched ringdev_chan_notify(): the same full barrier and
 * need-wakeup check, but the doorbell waits for ringdev_batch_submit().
 * Makes no syscall, unless the submission queue is full: then the queued
 * doorbells are rung first.  A channel is rung at most once per submit.
 *
 * Return: 1 queued (or already queued), 0 suppressed (the consumer is
 * awake), or -errno from an early submit.
 */
int ringdev_batch_notify(struct ringdev_batch *b, struct ringdev_chan *c);

/**
 * ringdev_batch_notify_space() - queue @c's producer doorbell if it waits
 * @b: the batch
 * @c: a channel this thread consumed from
 *
 * Return: as ringdev_batch_notify().
 */
int ringdev_batch_notify_space(struct ringdev_batch *b, struct ringdev_chan *c);

/**
 * ringdev_batch_submit() - ring every queued doorbell
 * @b: the batch
 *
 * One io_uring_enter for the whole batch (none with SQPOLL while its
 * thread is awake); one syscall per doorbell in fallback mode.  Reaps
 * completions: a failed doorbell is counted in kick_errors and reported.
 *
 * Return: doorbells rung since the last submit (>= 0), or the first
 * -errno of a failed doorbell or of io_uring_enter.
 */
int ringdev_batch_submit(struct ringdev_batch *b);

/**
 * ringdev_batch_wait() - sleep until one of @cs may have a message
 * @b: the batch
 * @cs: channels this thread consumes from
 * @n: how many (>= 1)
 * @timeout_ns: < 0 waits without limit, 0 never sleeps
 *
 * Announces need-wakeup on each channel, re-checks them, then sleeps in
 * one syscall: io_uring_enter on multishot polls armed once per channel,
 * or ppoll() in fallback mode.  Doorbells still queued are rung by the
 * same syscall.
 *
 * Return: 0 (a message may be waiting: re-check), -ETIMEDOUT, -EINVAL,
 * or -errno.
 */
int ringdev_batch_wait(struct ringdev_batch *b, struct ringdev_chan *const *cs,
		       unsigned int n, __s64 timeout_ns);

/* Counters of one batch. */
struct ringdev_batch_stats {
	__u64 enters;		/* io_uring_enter calls (SQPOLL: wakeups and waits) */
	__u64 kicks;		/* doorbells rung */
	__u64 suppressed;	/* notify calls that found the peer awake */
	__u64 fallbacks;	/* doorbells and waits done with plain syscalls */
	__u64 kick_errors;	/* doorbells that failed */
	__u64 registers;	/* io_uring_register calls (registered files) */
	__u64 sleeps;		/* waits that went to sleep */
};

/**
 * ringdev_batch_stats() - copy @b's counters
 * @b: the batch
 * @st: receives them
 */
void ringdev_batch_stats(const struct ringdev_batch *b, struct ringdev_batch_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* RINGDEV_BATCH_H */

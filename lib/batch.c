// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * batch.c - io_uring batching: many doorbells, and a wait on many
 * channels, for one io_uring_enter.
 *
 * Doorbells: ringdev_batch_notify() does what chan.c's doorbell() does
 * (full barrier, need-wakeup check, one doorbell per sleep of a single
 * sleeper) but puts the kick in the submission queue as the transport's
 * io_uring form (kick_sqe: an eventfd write for shm, a KICK uring_cmd for
 * dev).  ringdev_batch_submit() hands the lot to the kernel in one enter.
 *
 * Waits: each channel's consumer wait fd gets one multishot POLL_ADD,
 * armed the first time the batch waits on it and left armed; a wait is
 * then one io_uring_enter that also carries any queued doorbells.  The
 * eventfd is not read back (that would be a second syscall): a multishot
 * poll posts a completion for every write anyway.
 *
 * Identity: a batch remembers channels by a process-unique id stored in
 * the channel (ringdev_chan.batch_id), never by pointer or fd, both of
 * which come back after a close.  Tables are direct-mapped with a short
 * probe window; whatever does not fit takes the plain path (an unregistered
 * fd, or one ppoll), never a wrong one.
 *
 * Without io_uring the same calls queue the channels and make one
 * syscall per doorbell (the transport's kick()) and one ppoll per wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <ringdev/batch.h>
#include "internal.h"

#define BATCH_ENTRIES_MAX	32768U
#define BATCH_SLOTS		1024U	/* registered files; armed polls */
#define BATCH_PROBE		8U	/* slots looked at per lookup */
#define BATCH_FILE_STALE	64U	/* submits unused before a file slot is reused */

/* user_data: what a completion belongs to, in the top byte. */
#define UD_KICK			(1ULL << 56)
#define UD_POLL			(2ULL << 56)
#define UD_CANCEL		(3ULL << 56)
#define UD_KIND(ud)		((ud) & (0xffULL << 56))
#define UD_POLL_DATA(gen, idx)	(UD_POLL | ((__u64)(gen) << 16) | (idx))
#define UD_POLL_IDX(ud)		((unsigned int)((ud) & 0xffff))
#define UD_POLL_GEN(ud)		((__u32)((ud) >> 16))

/* A file registered with the ring, for the doorbells of one channel. */
struct batch_file {
	__u64 id;		/* the channel's batch_id; 0: free */
	__u64 queued;		/* round of the last SQE that names this slot */
	int fd;
};

/* A multishot poll on one channel's consumer wait fd. */
struct batch_poll {
	__u64 id;		/* the channel's batch_id; 0: free */
	__u64 used;		/* b->nwaits at the last wait that named it */
	__u32 gen;		/* in user_data: tells a reused slot's old CQEs apart */
	bool armed;		/* a POLL_ADD is queued or live */
	bool fired;		/* a completion came since the wait began */
};

/* A doorbell to ring with a syscall at the next submit. */
struct batch_kick {
	struct ringdev_chan *c;
	unsigned int side;
};

struct ringdev_batch {
	struct io_uring ring;
	bool uring;		/* io_uring set up and probed */
	bool sqpoll;
	bool uring_cmd;		/* IORING_OP_URING_CMD supported */
	bool multishot;		/* multishot poll and EXT_ARG waits */
	bool fixed;		/* a sparse file table is registered */
	unsigned int entries;
	__u64 round;		/* submits (io_uring enters that submitted) */
	__u64 nwaits;
	unsigned int sq_queued;	/* SQEs taken since the last enter */
	unsigned int kicks_queued;	/* of which doorbells */
	unsigned int inflight;	/* doorbells submitted, completion not reaped */
	unsigned int rung;	/* doorbells rung since submit last returned */
	int first_err;		/* first failed doorbell since then */

	struct batch_kick *pend;	/* doorbells for the syscall path */
	unsigned int npend;
	struct pollfd *pfd;	/* ppoll scratch */
	unsigned int *widx;	/* ringdev_batch_wait scratch: poll slots */
	unsigned int nscratch;

	struct ringdev_batch_stats st;
	struct batch_file files[BATCH_SLOTS];
	struct batch_poll polls[BATCH_SLOTS];
};

/* ---- channel state (mirrors chan.c) -------------------------------- */

static __u64 batch_next_id;

/* The channel's process-unique id, assigned on first use. */
static __u64 chan_id(struct ringdev_chan *c)
{
	__u64 id = RINGDEV_READ_ONCE(c->batch_id), old = 0;

	if (id)
		return id;
	id = RINGDEV_ADD(&batch_next_id, 1) + 1;
	/* Another batch may have named it first: its id wins. */
	if (RINGDEV_CAS(&c->batch_id, &old, id))
		return id;
	return old;
}


static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static unsigned int slot_hash(__u64 key)
{
	return (unsigned int)((key * 0x9e3779b97f4a7c15ull) >> 54) & (BATCH_SLOTS - 1);
}

/* ---- setup ---------------------------------------------------------- */

void ringdev_batch_opts_init(struct ringdev_batch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->entries = RINGDEV_BATCH_DEFAULT_ENTRIES;
	o->sq_thread_idle_ms = RINGDEV_BATCH_DEFAULT_IDLE_MS;
}

/* May we try io_uring at all?  $RINGDEV_NO_URING and the sysctl say no. */
static bool uring_allowed(void)
{
	const char *env = getenv("RINGDEV_NO_URING");
	char buf[8];
	ssize_t n;
	int fd;

	if (env && *env && strcmp(env, "0"))
		return false;
	/* 2: disabled for all; 1: only for privileged users (setup says). */
	fd = open("/proc/sys/kernel/io_uring_disabled", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return !(n > 0 && buf[0] == '2');
}

static int uring_setup(struct ringdev_batch *b, const struct ringdev_batch_opts *o)
{
	struct io_uring_params p;
	struct io_uring_probe *probe;
	bool want_sqpoll = o->flags & RINGDEV_BATCH_SQPOLL;
	int rc, tries;

	/* Fall back step by step: SUBMIT_ALL (5.18), then SQPOLL. */
	for (tries = 0; tries < 4; tries++) {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
		if (!(tries & 1))
			p.flags |= IORING_SETUP_SUBMIT_ALL;
		/* Doorbell completions plus multishot polls between reaps. */
		p.cq_entries = b->entries * 4 > BATCH_SLOTS * 2 ? b->entries * 4 :
								  BATCH_SLOTS * 2;
		if (want_sqpoll && tries < 2) {
			p.flags |= IORING_SETUP_SQPOLL;
			p.sq_thread_idle = o->sq_thread_idle_ms;
		}
		rc = io_uring_queue_init_params(b->entries, &b->ring, &p);
		if (!rc)
			break;
		if (rc != -EINVAL && !(want_sqpoll && tries < 2))
			return rc;
	}
	if (rc)
		return rc;
	b->sqpoll = p.flags & IORING_SETUP_SQPOLL;

	probe = io_uring_get_probe_ring(&b->ring);
	if (!probe ||
	    !io_uring_opcode_supported(probe, IORING_OP_WRITE) ||
	    !io_uring_opcode_supported(probe, IORING_OP_POLL_ADD)) {
		if (probe)
			io_uring_free_probe(probe);
		io_uring_queue_exit(&b->ring);
		return -EOPNOTSUPP;
	}
	/* Without it, dev doorbells take the ioctl; shm ones still batch. */
	b->uring_cmd = io_uring_opcode_supported(probe, IORING_OP_URING_CMD);
	io_uring_free_probe(probe);
	/* Multishot poll came with 5.13 (RSRC_TAGS); timed waits need EXT_ARG. */
	b->multishot = (p.features & IORING_FEAT_RSRC_TAGS) &&
		       (p.features & IORING_FEAT_EXT_ARG) &&
		       (p.features & IORING_FEAT_NODROP);
	b->st.registers++;
	b->fixed = io_uring_register_files_sparse(&b->ring, BATCH_SLOTS) == 0;
	b->uring = true;
	return 0;
}

int ringdev_batch_open(const struct ringdev_batch_opts *o, struct ringdev_batch **out)
{
	struct ringdev_batch_opts def;
	struct ringdev_batch *b;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!o) {
		ringdev_batch_opts_init(&def);
		o = &def;
	}
	if (o->reserved || (o->flags & ~RINGDEV_BATCH_F_ALL) ||
	    (o->entries & (o->entries - 1)) || o->entries > BATCH_ENTRIES_MAX ||
	    o->entries == 1)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->entries = o->entries ? o->entries : RINGDEV_BATCH_DEFAULT_ENTRIES;
	b->pend = calloc(b->entries, sizeof(*b->pend));
	if (!b->pend) {
		free(b);
		return -ENOMEM;
	}
	if (!(o->flags & RINGDEV_BATCH_SYSCALLS) && uring_allowed())
		uring_setup(b, o);	/* on failure: the syscall path */
	*out = b;
	return 0;
}

int ringdev_batch_uses_uring(const struct ringdev_batch *b)
{
	return b->uring;
}

int ringdev_batch_uses_sqpoll(const struct ringdev_batch *b)
{
	return b->sqpoll;
}

void ringdev_batch_stats(const struct ringdev_batch *b, struct ringdev_batch_stats *st)
{
	*st = b->st;
}

/* ---- completions ---------------------------------------------------- */

static void batch_reap(struct ringdev_batch *b)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	io_uring_for_each_cqe(&b->ring, head, cqe) {
		__u64 ud = cqe->user_data;
		struct batch_poll *p;

		n++;
		switch (UD_KIND(ud)) {
		case UD_KICK:
			b->inflight--;
			/* -EAGAIN: a saturated eventfd already says "wake up". */
			if (cqe->res >= 0 || cqe->res == -EAGAIN) {
				b->st.kicks++;
			} else {
				b->st.kick_errors++;
				if (!b->first_err)
					b->first_err = cqe->res;
			}
			break;
		case UD_POLL:
			if (UD_POLL_IDX(ud) >= BATCH_SLOTS)
				break;
			p = &b->polls[UD_POLL_IDX(ud)];
			if (p->gen != UD_POLL_GEN(ud))
				break;		/* the slot's previous channel */
			p->fired = true;
			if (!(cqe->flags & IORING_CQE_F_MORE))
				p->armed = false;	/* ended: re-arm next wait */
			break;
		default:
			break;
		}
	}
	io_uring_cq_advance(&b->ring, n);
}

/* Did the kernel ask for an enter to wake the SQPOLL thread? */
static bool sq_needs_wakeup(struct ringdev_batch *b)
{
	RINGDEV_SMP_MB();
	return IO_URING_READ_ONCE(*b->ring.sq.kflags) & IORING_SQ_NEED_WAKEUP;
}

/* Everything an enter handed to the kernel is in flight now. */
static void batch_submitted(struct ringdev_batch *b)
{
	b->round++;
	b->inflight += b->kicks_queued;
	b->rung += b->kicks_queued;
	b->kicks_queued = 0;
	b->sq_queued = 0;
}

/* Submit the SQ: one io_uring_enter (with SQPOLL only when it sleeps). */
static int batch_flush(struct ringdev_batch *b)
{
	int rc, tries = 0;

	while (b->sq_queued) {
		if (!b->sqpoll || sq_needs_wakeup(b))
			b->st.enters++;
		rc = io_uring_submit(&b->ring);
		if (rc == -EINTR || ((rc == -EBUSY || rc == -EAGAIN) && tries++ < 8)) {
			/* CQ backlog or no memory for now: make room, retry. */
			batch_reap(b);
			continue;
		}
		if (rc < 0)
			return rc;
		if ((unsigned int)rc >= b->sq_queued || b->sqpoll) {
			batch_submitted(b);
			break;
		}
		/* Without SUBMIT_ALL a failed SQE stops the rest: go again. */
		b->sq_queued -= (unsigned int)rc;
	}
	batch_reap(b);
	return 0;
}

/* A free SQE; when the queue is full, submit what is there first. */
static struct io_uring_sqe *batch_get_sqe(struct ringdev_batch *b, int *err)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);
	int rc, tries;

	*err = 0;
	if (sqe)
		goto out;
	*err = batch_flush(b);
	if (*err)
		return NULL;
	sqe = io_uring_get_sqe(&b->ring);
	/* SQPOLL: the thread has not consumed them yet; wait for room. */
	for (tries = 0; !sqe && b->sqpoll && tries < 10000; tries++) {
		b->st.enters++;
		rc = io_uring_sqring_wait(&b->ring);
		if (rc < 0 && rc != -EINTR && rc != -EAGAIN) {
			*err = rc;
			return NULL;
		}
		sqe = io_uring_get_sqe(&b->ring);
	}
	if (!sqe) {
		*err = -EBUSY;
		return NULL;
	}
out:
	b->sq_queued++;
	return sqe;
}

/* ---- doorbells ------------------------------------------------------ */

/*
 * The registered-file index for @fd of channel @id, registering it if a
 * slot in its window is free or stale; -1: use the plain fd.  A slot that
 * a not-yet-issued SQE names is never reused (fixed files are resolved at
 * issue time, by the SQPOLL thread possibly much later).
 */
static int batch_file_slot(struct ringdev_batch *b, __u64 id, int fd)
{
	unsigned int h = slot_hash(id * 3 + (__u64)fd), i, k;
	struct batch_file *f;
	int victim = -1, rc;

	for (i = 0; i < BATCH_PROBE; i++) {
		k = (h + i) & (BATCH_SLOTS - 1);
		f = &b->files[k];
		if (f->id == id && f->fd == fd)
			goto hit;
		if (victim >= 0)
			continue;
		if (!f->id)
			victim = (int)k;
		else if (b->round - f->queued > BATCH_FILE_STALE &&
			 (!b->sqpoll || !io_uring_sq_ready(&b->ring)))
			victim = (int)k;
	}
	if (victim < 0)
		return -1;
	k = (unsigned int)victim;
	f = &b->files[k];
	b->st.registers++;
	rc = io_uring_register_files_update(&b->ring, k, &fd, 1);
	if (rc != 1) {
		/* The slot's content is unknown now: never name it again. */
		f->id = ~0ULL;
		f->fd = -1;
		f->queued = ~0ULL >> 1;
		return -1;
	}
	f->id = id;
	f->fd = fd;
hit:
	f->queued = b->round;
	return (int)k;
}

/* Queue @c's @side doorbell for the syscall path. */
static int batch_pend(struct ringdev_batch *b, struct ringdev_chan *c, unsigned int side);

static int batch_queue_kick(struct ringdev_batch *b, struct ringdev_chan *c,
			    unsigned int side)
{
	struct io_uring_sqe *sqe;
	int slot, rc;

	if (!b->uring || !c->ops->kick_sqe ||
	    (c->ops->id == RINGDEV_TRANSPORT_DEV && !b->uring_cmd))
		return batch_pend(b, c, side);
	sqe = batch_get_sqe(b, &rc);
	if (!sqe)
		return rc;
	c->ops->kick_sqe(c, side, sqe);
	if (b->fixed) {
		slot = batch_file_slot(b, chan_id(c), sqe->fd);
		if (slot >= 0) {
			sqe->fd = slot;
			sqe->flags |= IOSQE_FIXED_FILE;
		}
	}
	io_uring_sqe_set_data64(sqe, UD_KICK);
	b->kicks_queued++;
	return 1;
}

/* Ring the doorbells queued for the syscall path, one syscall each. */
static void batch_run_pending(struct ringdev_batch *b)
{
	unsigned int i;
	int rc;

	for (i = 0; i < b->npend; i++) {
		struct ringdev_chan *c = b->pend[i].c;

		b->st.fallbacks++;
		rc = c->ops->kick(c, b->pend[i].side);
		if (rc < 0) {
			b->st.kick_errors++;
			RINGDEV_COUNT(c->role[b->pend[i].side ^ 1].kick_errors);
			if (!b->first_err)
				b->first_err = rc;
			continue;
		}
		b->st.kicks++;
		b->rung++;
	}
	b->npend = 0;
}

static int batch_pend(struct ringdev_batch *b, struct ringdev_chan *c, unsigned int side)
{
	if (b->npend == b->entries)
		batch_run_pending(b);
	b->pend[b->npend].c = c;
	b->pend[b->npend++].side = side;
	return 1;
}

int __ringdev_batch_queue(struct ringdev_batch *b, struct ringdev_chan *c,
			  unsigned int side)
{
	int rc = batch_queue_kick(b, c, side);

	if (rc < 0)
		b->st.kick_errors++;
	return __ringdev_doorbell_done(c, side, rc);
}

__u64 __ringdev_batch_syscalls(const struct ringdev_batch *b)
{
	return b->st.enters + b->st.registers + b->st.fallbacks;
}

/* chan.c's doorbell(), with the kick queued instead of made. */
static int batch_doorbell(struct ringdev_batch *b, struct ringdev_chan *c,
			  unsigned int side)
{
	if (!__ringdev_doorbell_due(c, side)) {
		b->st.suppressed++;
		return 0;
	}
	return __ringdev_batch_queue(b, c, side);
}

int ringdev_batch_notify(struct ringdev_batch *b, struct ringdev_chan *c)
{
	return batch_doorbell(b, c, RINGDEV_SIDE_CONS);
}

int ringdev_batch_notify_space(struct ringdev_batch *b, struct ringdev_chan *c)
{
	return batch_doorbell(b, c, RINGDEV_SIDE_PROD);
}

int ringdev_batch_submit(struct ringdev_batch *b)
{
	int rc = 0, err, n;

	if (b->uring) {
		batch_reap(b);
		rc = batch_flush(b);
	}
	batch_run_pending(b);
	n = (int)b->rung;
	err = b->first_err;
	b->rung = 0;
	b->first_err = 0;
	if (rc < 0)
		return rc;
	return err ? err : n;
}

void ringdev_batch_close(struct ringdev_batch *b)
{
	struct io_uring_cqe *cqe;
	int tries = 0;

	if (!b)
		return;
	ringdev_batch_submit(b);
	if (b->uring) {
		/* SQPOLL: the thread may not have issued them yet. */
		while (b->inflight && tries++ < 1000) {
			struct __kernel_timespec ts = { 0, 1000000 };

			b->st.enters++;
			if (io_uring_wait_cqe_timeout(&b->ring, &cqe, &ts) == 0)
				batch_reap(b);
		}
		io_uring_queue_exit(&b->ring);
	}
	free(b->pend);
	free(b->pfd);
	free(b->widx);
	free(b);
}

/* ---- waiting -------------------------------------------------------- */

static void ts_from_ns(struct timespec *ts, __u64 ns)
{
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
}

static int batch_scratch(struct ringdev_batch *b, unsigned int n)
{
	struct pollfd *pfd;
	unsigned int *widx;

	if (n <= b->nscratch)
		return 0;
	pfd = realloc(b->pfd, n * sizeof(*pfd));
	if (!pfd)
		return -ENOMEM;
	b->pfd = pfd;
	widx = realloc(b->widx, n * sizeof(*widx));
	if (!widx)
		return -ENOMEM;
	b->widx = widx;
	b->nscratch = n;
	return 0;
}

static bool any_readable(struct ringdev_chan *const *cs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ringdev_ring_readable(&cs[i]->ring))
			return true;
	return false;
}

/* The syscall path: one ppoll on every wait fd (flags already set). */
static int batch_wait_ppoll(struct ringdev_batch *b, struct ringdev_chan *const *cs,
			    unsigned int n, __u64 deadline)
{
	struct timespec ts, *tsp = NULL;
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++)
		b->pfd[i].fd = cs[i]->ops->wait_fd(cs[i], RINGDEV_SIDE_CONS, &b->pfd[i].events);
	if (deadline) {
		__u64 now = now_ns();

		if (now >= deadline)
			return -ETIMEDOUT;
		ts_from_ns(&ts, deadline - now);
		tsp = &ts;
	}
	b->st.fallbacks++;
	rc = ppoll(b->pfd, n, tsp, NULL);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	for (i = 0; i < n; i++)
		if ((b->pfd[i].revents & b->pfd[i].events) && cs[i]->ops->ack)
			cs[i]->ops->ack(cs[i], RINGDEV_SIDE_CONS);
	return 0;
}

/*
 * Find or take a poll slot for each channel; queue cancels for the
 * channels evicted.  Return: 0, or -ENOSPC when some window is all taken
 * by this very wait (the caller then ppolls).
 */
static int batch_polls_assign(struct ringdev_batch *b, struct ringdev_chan *const *cs,
			      unsigned int n)
{
	unsigned int i, j, k, h;
	int rc;

	b->nwaits++;
	for (i = 0; i < n; i++) {
		__u64 id = chan_id(cs[i]);
		struct batch_poll *p = NULL, *victim = NULL;

		h = slot_hash(id);
		for (j = 0; j < BATCH_PROBE; j++) {
			k = (h + j) & (BATCH_SLOTS - 1);
			if (b->polls[k].id == id) {
				p = &b->polls[k];
				break;
			}
			/* Least recently waited on; never one this wait uses. */
			if (b->polls[k].used != b->nwaits &&
			    (!victim || b->polls[k].used < victim->used))
				victim = &b->polls[k];
		}
		if (!p) {
			if (!victim)
				return -ENOSPC;
			p = victim;
			if (p->armed) {
				struct io_uring_sqe *sqe = batch_get_sqe(b, &rc);

				if (!sqe)
					return rc;
				io_uring_prep_poll_remove(sqe, UD_POLL_DATA(p->gen, p - b->polls));
				io_uring_sqe_set_data64(sqe, UD_CANCEL);
			}
			p->id = id;
			p->gen++;
			p->armed = false;
		}
		p->used = b->nwaits;
		b->widx[i] = (unsigned int)(p - b->polls);
	}
	return 0;
}

/* Arm a multishot poll on every channel that lacks one (SQEs only). */
static int batch_polls_arm(struct ringdev_batch *b, struct ringdev_chan *const *cs,
			   unsigned int n)
{
	struct io_uring_sqe *sqe;
	unsigned int i;
	short events;
	int fd, rc;

	for (i = 0; i < n; i++) {
		struct batch_poll *p = &b->polls[b->widx[i]];

		if (p->armed)
			continue;
		sqe = batch_get_sqe(b, &rc);
		if (!sqe)
			return rc;
		fd = cs[i]->ops->wait_fd(cs[i], RINGDEV_SIDE_CONS, &events);
		io_uring_prep_poll_multishot(sqe, fd, (unsigned int)(unsigned short)events);
		io_uring_sqe_set_data64(sqe, UD_POLL_DATA(p->gen, b->widx[i]));
		p->armed = true;
	}
	return 0;
}

static bool polls_fired(struct ringdev_batch *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (b->polls[b->widx[i]].fired)
			return true;
	return false;
}

/* The io_uring path: one enter that submits and waits (flags already set). */
static int batch_wait_uring(struct ringdev_batch *b, struct ringdev_chan *const *cs,
			    unsigned int n, __u64 deadline)
{
	struct __kernel_timespec kts;
	struct io_uring_cqe *cqe;
	unsigned int i;
	int rc;

	rc = batch_polls_arm(b, cs, n);
	if (rc)
		return rc;
	for (;;) {
		if (deadline) {
			__u64 now = now_ns();

			if (now >= deadline)
				return -ETIMEDOUT;
			kts.tv_sec = (long long)((deadline - now) / 1000000000ull);
			kts.tv_nsec = (long long)((deadline - now) % 1000000000ull);
		}
		b->st.enters++;
		rc = io_uring_submit_and_wait_timeout(&b->ring, &cqe, 1,
						      deadline ? &kts : NULL, NULL);
		if (rc >= 0 || rc == -ETIME || rc == -EINTR)
			batch_submitted(b);
		batch_reap(b);
		if (rc == -EINTR)
			return 0;
		if (rc < 0 && rc != -ETIME)
			return rc;
		if (polls_fired(b, n) || any_readable(cs, n))
			return 0;
		if (rc == -ETIME)
			return -ETIMEDOUT;
		/* Another channel's poll or a doorbell's completion: again. */
		for (i = 0; i < n; i++)
			if (!b->polls[b->widx[i]].armed)
				return 0;	/* ended: the next wait re-arms */
	}
}

int ringdev_batch_wait(struct ringdev_batch *b, struct ringdev_chan *const *cs,
		       unsigned int n, __s64 timeout_ns)
{
	__u64 deadline = 0;
	bool uring;
	unsigned int i;
	int rc;

	if (!b || !cs || !n)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!cs[i])
			return -EINVAL;
	rc = batch_scratch(b, n);
	if (rc)
		return rc;
	if (timeout_ns > 0)
		deadline = now_ns() + (__u64)timeout_ns;
	uring = b->uring && b->multishot;
	if (uring) {
		batch_reap(b);
		rc = batch_polls_assign(b, cs, n);
		if (rc == -ENOSPC)
			uring = false;
		else if (rc)
			return rc;
		else
			for (i = 0; i < n; i++)
				b->polls[b->widx[i]].fired = false;
	}
	for (i = 0; i < n; i++)
		__ringdev_wake_announce(cs[i], RINGDEV_SIDE_CONS);
	if (any_readable(cs, n)) {
		rc = 0;
		goto clear;
	}
	if (!timeout_ns) {
		rc = -ETIMEDOUT;
		goto clear;
	}
	/* Never sleep on a doorbell of ours that is still queued. */
	batch_run_pending(b);
	b->st.sleeps++;
	for (i = 0; i < n; i++)
		RINGDEV_COUNT(cs[i]->role[RINGDEV_SIDE_CONS].sleeps);
	rc = uring ? batch_wait_uring(b, cs, n, deadline) :
		     batch_wait_ppoll(b, cs, n, deadline);
	/* Whatever arrived before the deadline is still a reason to look. */
	if (rc == -ETIMEDOUT && any_readable(cs, n))
		rc = 0;
clear:
	for (i = 0; i < n; i++)
		__ringdev_wake_retract(cs[i], RINGDEV_SIDE_CONS);
	return rc;
}

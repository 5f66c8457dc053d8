// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * chan.c - transport-independent channel logic: need-wakeup suppression,
 * spin-then-block waits with deadlines, peer liveness, and dispatch to the
 * shm and dev transports.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <ringdev/batch.h>
#include "internal.h"
#include "probes.h"

void ringdev_chan_opts_init(struct ringdev_chan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->capacity = RINGDEV_DEFAULT_CAPACITY;
	o->slot_size = RINGDEV_DEFAULT_SLOT_SIZE;
	o->transport = RINGDEV_TRANSPORT_AUTO;
	o->spin_ns = RINGDEV_DEFAULT_SPIN_NS;
	o->mode = 0600;
}

struct ringdev_chan *__ringdev_chan_alloc(const struct ringdev_transport_ops *ops)
{
	struct ringdev_chan *c;

	/* The ring handle's hot fields assume 128-byte alignment. */
	if (posix_memalign((void **)&c, 128, sizeof(*c)))
		return NULL;
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->mem_fd = c->efd[0] = c->efd[1] = -1;
	c->name_srv.listen_fd = c->name_srv.stop_fd = -1;
	c->spin_ns = RINGDEV_DEFAULT_SPIN_NS;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void __ringdev_chan_free(struct ringdev_chan *c)
{
	unsigned int i;

	for (i = 0; i < c->nlinks; i++)
		if (c->links[i] >= 0)
			close(c->links[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Slots in use (open links, dead or alive) plus places reserved.  Locked. */
static unsigned int links_taken_locked(const struct ringdev_chan *c)
{
	unsigned int i, n = c->links_reserved;

	for (i = 0; i < c->nlinks; i++)
		n += c->links[i] >= 0;
	return n;
}

/*
 * Close the dead links no poll in flight holds.  Links that joined after
 * the current waiters started polling are watched by nobody, so look for
 * hang-ups here too, without blocking.  Locked.
 */
static void links_reclaim_locked(struct ringdev_chan *c)
{
	struct pollfd pfd[RINGDEV_MAX_LINKS];
	unsigned int i;

	for (i = 0; i < c->nlinks; i++) {
		pfd[i].fd = c->links[i] >= 0 && !c->link_dead[i] ? c->links[i] : -1;
		pfd[i].events = POLLRDHUP;
		pfd[i].revents = 0;
	}
	if (c->nlinks && poll(pfd, c->nlinks, 0) > 0) {
		for (i = 0; i < c->nlinks; i++) {
			if (pfd[i].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) {
				c->link_dead[i] = true;
				c->live_links--;
			}
		}
	}
	for (i = 0; i < c->nlinks; i++) {
		if (c->links[i] >= 0 && c->link_dead[i] && !c->link_polls[i]) {
			close(c->links[i]);
			c->links[i] = -1;
		}
	}
}

/* Hold a place for a link, so that sending fds never outruns it. */
static int link_reserve(struct ringdev_chan *c)
{
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (links_taken_locked(c) == RINGDEV_MAX_LINKS)
		links_reclaim_locked(c);
	if (links_taken_locked(c) == RINGDEV_MAX_LINKS)
		rc = -EMFILE;
	else
		c->links_reserved++;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/*
 * Watch @sock (taken over by the channel; -1 only releases the place) for
 * the peer's hang-up, in a place held by link_reserve().
 */
static void link_commit(struct ringdev_chan *c, int sock)
{
	unsigned int i;

	pthread_mutex_lock(&c->lock);
	c->links_reserved--;
	if (sock >= 0) {
		for (i = 0; i < c->nlinks && c->links[i] >= 0; i++)
			;
		if (i == c->nlinks)
			c->nlinks++;
		c->links[i] = sock;
		c->link_dead[i] = false;
		c->link_polls[i] = 0;
		c->live_links++;
		c->had_peer = true;
	}
	pthread_mutex_unlock(&c->lock);
}

int __ringdev_chan_add_link(struct ringdev_chan *c, int sock)
{
	int rc = link_reserve(c);

	if (!rc)
		link_commit(c, sock);
	return rc;
}

/* Were there peers, and are they all gone?  (Named creators never say so.) */
static bool peer_lost_locked(const struct ringdev_chan *c)
{
	return c->had_peer && !c->live_links && !c->serves_name;
}

/* Map @len bytes of @fd at @off for the channel; the caller attaches. */
int __ringdev_chan_map(struct ringdev_chan *c, int fd, size_t len, off_t off)
{
	void *mem;

	/* Populate now: page faults do not belong on the message path. */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off);
	if (mem == MAP_FAILED)
		return -errno;
	c->mem = mem;
	c->map_len = len;
	return 0;
}

/*
 * Resolve RINGDEV_TRANSPORT_AUTO: $RINGDEV_TRANSPORT ("shm" or "dev")
 * decides when set, else dev when /dev/ringdev is usable, else shm.
 */
__u32 __ringdev_pick_transport(__u32 transport)
{
	const char *env;
	int fd;

	if (transport != RINGDEV_TRANSPORT_AUTO)
		return transport;
	env = getenv("RINGDEV_TRANSPORT");
	if (env && !strcmp(env, "shm"))
		return RINGDEV_TRANSPORT_SHM;
	if (env && !strcmp(env, "dev"))
		return RINGDEV_TRANSPORT_DEV;
	fd = __ringdev_dev_open();
	if (fd < 0)
		return RINGDEV_TRANSPORT_SHM;
	close(fd);
	return RINGDEV_TRANSPORT_DEV;
}

/*
 * One rule for channel names on every transport: 1..63 printable ASCII
 * bytes without '/' or spaces (shm turns them into "@ringdev/<name>").
 */
int __ringdev_name_check(const char *name)
{
	size_t n, i;

	if (!name)
		return -EINVAL;
	n = strnlen(name, RINGDEV_NAME_MAX);
	if (n == RINGDEV_NAME_MAX)
		return -ENAMETOOLONG;
	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] == '/' || name[i] > '~')
			return -EINVAL;
	return 0;
}

int ringdev_chan_create(const struct ringdev_chan_opts *o, struct ringdev_chan **out)
{
	struct ringdev_chan_opts def;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!o) {
		ringdev_chan_opts_init(&def);
		o = &def;
	}
	if (o->reserved || (o->ring_flags & ~RINGDEV_RING_F_ALL) ||
	    o->mode > 0777)
		return -EINVAL;
	if (o->name) {
		int rc = __ringdev_name_check(o->name);

		if (rc)
			return rc;
	}
	switch (__ringdev_pick_transport(o->transport)) {
	case RINGDEV_TRANSPORT_SHM:
		return __ringdev_shm_create(o, out);
	case RINGDEV_TRANSPORT_DEV:
		return __ringdev_dev_create(o, out);
	default:
		return -EINVAL;
	}
}

int ringdev_chan_attach(const char *name, __u32 transport, struct ringdev_chan **out)
{
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	rc = __ringdev_name_check(name);
	if (rc)
		return rc;
	switch (__ringdev_pick_transport(transport)) {
	case RINGDEV_TRANSPORT_SHM:
		return __ringdev_shm_attach(name, out);
	case RINGDEV_TRANSPORT_DEV:
		return __ringdev_dev_attach(name, out);
	default:
		return -EINVAL;
	}
}

/* Keep a duplicate of @sock: its hang-up will mean the peer is gone. */
static int chan_link_socket(struct ringdev_chan *c, int sock)
{
	int link, rc;

	link = fcntl(sock, F_DUPFD_CLOEXEC, 0);
	if (link < 0)
		return -errno;
	rc = __ringdev_chan_add_link(c, link);
	if (rc)
		close(link);
	return rc;
}

int ringdev_chan_send_fds(struct ringdev_chan *c, int sock)
{
	struct ringdev_hello h;
	int fds[RINGDEV_MAX_FDS];
	socklen_t len = sizeof(int);
	int type, link, rc;

	if (!c || sock < 0)
		return -EINVAL;
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	/* Liveness needs a connection whose hang-up we can see. */
	if (type != SOCK_STREAM && type != SOCK_SEQPACKET)
		return -EPROTOTYPE;
	/* Everything that can fail comes before the fds leave. */
	link = fcntl(sock, F_DUPFD_CLOEXEC, 0);
	if (link < 0)
		return -errno;
	rc = link_reserve(c);
	if (rc) {
		close(link);
		return rc;
	}
	memset(&h, 0, sizeof(h));
	h.magic = RINGDEV_HELLO_MAGIC;
	h.abi_version = RINGDEV_ABI_VERSION;
	h.transport = c->ops->id;
	h.nfds = c->ops->export_fds(c, fds);
	h.region_size = c->ring.region_size;
	rc = __ringdev_send_hello(sock, &h, fds);
	if (rc) {
		close(link);
		link = -1;
	}
	link_commit(c, link);
	return rc;
}

int ringdev_chan_recv_fds(int sock, struct ringdev_chan **out)
{
	struct ringdev_hello h;
	int fds[RINGDEV_MAX_FDS];
	unsigned int i;
	int rc;

	if (!out || sock < 0)
		return -EINVAL;
	*out = NULL;
	rc = __ringdev_recv_hello(sock, &h, fds);
	if (rc)
		return rc;
	switch (h.transport) {
	case RINGDEV_TRANSPORT_SHM:
		rc = __ringdev_shm_adopt(&h, fds, out);
		break;
	case RINGDEV_TRANSPORT_DEV:
		rc = __ringdev_dev_adopt(&h, fds, out);
		break;
	default:
		rc = -EBADMSG;
	}
	if (rc) {
		for (i = 0; i < h.nfds; i++)
			close(fds[i]);
		return rc;
	}
	rc = chan_link_socket(*out, sock);
	if (rc) {
		ringdev_chan_close(*out);
		*out = NULL;
	}
	return rc;
}

void ringdev_chan_close(struct ringdev_chan *c)
{
	if (!c)
		return;
	c->ops->release(c);
	__ringdev_chan_free(c);
}

struct ringdev_ring *ringdev_chan_ring(struct ringdev_chan *c)
{
	return &c->ring;
}

void ringdev_chan_set_spin(struct ringdev_chan *c, __u64 spin_ns)
{
	c->spin_ns = spin_ns;
}

__u32 ringdev_chan_transport(const struct ringdev_chan *c)
{
	return c->ops->id;
}

void ringdev_chan_stats(const struct ringdev_chan *c, struct ringdev_chan_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < 2; i++) {
		st->kicks += RINGDEV_READ_ONCE(c->role[i].kicks);
		st->suppressed += RINGDEV_READ_ONCE(c->role[i].suppressed);
		st->sleeps += RINGDEV_READ_ONCE(c->role[i].sleeps);
		st->spins += RINGDEV_READ_ONCE(c->role[i].spins);
		st->kick_errors += RINGDEV_READ_ONCE(c->role[i].kick_errors);
	}
}

/* ---- doorbells ------------------------------------------------------ */

static __u32 *wake_flag(struct ringdev_chan *c, unsigned int side)
{
	return side == RINGDEV_SIDE_CONS ? &c->ring.ctrl->cons_wake.need_wakeup :
					   &c->ring.ctrl->prod_wake.need_wakeup;
}

/* Several sleepers on one side count themselves; a single one flips a flag. */
static bool side_is_multi(const struct ringdev_chan *c, unsigned int side)
{
	return c->ring.flags & (side == RINGDEV_SIDE_CONS ? RINGDEV_RING_F_MC :
							    RINGDEV_RING_F_MP);
}

static struct ringdev_ctrl_wake *wake_block(struct ringdev_chan *c, unsigned int side)
{
	return side == RINGDEV_SIDE_CONS ? &c->ring.ctrl->cons_wake : &c->ring.ctrl->prod_wake;
}

/* Announce a sleep on @side, then a full barrier (before the re-check). */
void __ringdev_wake_announce(struct ringdev_chan *c, unsigned int side)
{
	struct ringdev_ctrl_wake *w = wake_block(c, side);

	if (side_is_multi(c, side)) {
		RINGDEV_ADD(&w->sleep_seq, 1);
		RINGDEV_ADD(&w->need_wakeup, 1);
	} else {
		/* A new sleep: the other side owes it one doorbell. */
		RINGDEV_WRITE_ONCE(w->sleep_seq, w->sleep_seq + 1);
		/* Release: whoever sees this flag sees the sleep_seq above. */
		RINGDEV_STORE_RELEASE(&w->need_wakeup, 1);
	}
	/*
	 * Order the flag store before the ring re-check that follows; pairs
	 * with the barrier in doorbell() between publish and flag load.
	 */
	RINGDEV_SMP_MB();
}

/* Withdraw a sleep announced by __ringdev_wake_announce(). */
void __ringdev_wake_retract(struct ringdev_chan *c, unsigned int side)
{
	if (side_is_multi(c, side))
		RINGDEV_ADD(wake_flag(c, side), (__u32)-1);
	else
		RINGDEV_WRITE_ONCE(*wake_flag(c, side), 0);
}

/*
 * Is a doorbell due for @side after our publish?  Only if its owner
 * announced a sleep, and (a single sleeper) not already rung for that
 * sleep.  Counts the suppressed checks.
 */
bool __ringdev_doorbell_due(struct ringdev_chan *c, unsigned int side)
{
	struct ringdev_chan_role *me = &c->role[side ^ 1];
	__u64 seq;

	/*
	 * Order our publish (a slot's release store) before the flag load;
	 * pairs with the barrier in __ringdev_wake_announce().  Either we see
	 * the flag, or the sleeper's re-check sees our message.
	 */
	RINGDEV_SMP_MB();
	/*
	 * Acquire: pairs with the release in __ringdev_wake_announce(), so the
	 * sleep_seq read below belongs to the sleep whose flag we saw (else a
	 * stale seq could make us think that sleep was already rung).
	 */
	if (!RINGDEV_LOAD_ACQUIRE(wake_flag(c, side)))
		goto suppressed;
	/*
	 * A single sleeper needs one doorbell per sleep: its flag stays set
	 * until it runs again, and further kicks would only cost syscalls.
	 * Several sleepers share a semaphore eventfd: each kick wakes one.
	 */
	if (side_is_multi(c, side))
		return true;
	seq = RINGDEV_READ_ONCE(wake_block(c, side)->sleep_seq);
	if (RINGDEV_READ_ONCE(me->kicked_seq) == seq)
		goto suppressed;
	RINGDEV_WRITE_ONCE(me->kicked_seq, seq);
	return true;
suppressed:
	RINGDEV_COUNT(me->suppressed);
	return false;
}

/* Account for a doorbell rung (or queued) for @side; @rc is its result. */
int __ringdev_doorbell_done(struct ringdev_chan *c, unsigned int side, int rc)
{
	struct ringdev_chan_role *me = &c->role[side ^ 1];

	if (rc < 0) {
		RINGDEV_COUNT(me->kick_errors);
		return rc;
	}
	RINGDEV_COUNT(me->kicks);
	RINGDEV_ADD(side == RINGDEV_SIDE_CONS ? &c->ring.ctrl->prod.kicks :
						&c->ring.ctrl->cons.kicks, 1);
	return 1;
}

/* The calling thread's doorbell deferral (internal.h), or NULL. */
static __thread struct ringdev_defer *chan_defer;

void __ringdev_defer_install(struct ringdev_defer *d)
{
	chan_defer = d;
}

/* Ring one doorbell now, with a syscall; count it in @d when given. */
static int kick_now(struct ringdev_chan *c, unsigned int side, struct ringdev_defer *d)
{
	int rc;

	RINGDEV_PROBE2(kick, c->mem, side);
	rc = __ringdev_doorbell_done(c, side, c->ops->kick(c, side));
	if (d) {
		RINGDEV_COUNT(d->syscalls);
		if (rc < 0)
			RINGDEV_COUNT(d->errors);
		else
			RINGDEV_COUNT(d->doorbells);
	}
	return rc;
}

void __ringdev_defer_flush(struct ringdev_defer *d)
{
	unsigned int i, n = d->n;
	__u64 sys0;

	if (!n)
		return;
	d->n = 0;
	if (n > 1 && !d->batch && !d->no_batch) {
		struct ringdev_batch_opts bo;

		ringdev_batch_opts_init(&bo);
		bo.entries = RINGDEV_DEFER_MAX;
		d->no_batch = ringdev_batch_open(&bo, &d->batch) != 0;
	}
	/* One doorbell: a plain syscall is cheaper than an enter. */
	if (n == 1 || !d->batch || !ringdev_batch_uses_uring(d->batch)) {
		for (i = 0; i < n; i++)
			kick_now(d->q[i].c, d->q[i].side, d);
		return;
	}
	sys0 = __ringdev_batch_syscalls(d->batch);
	for (i = 0; i < n; i++) {
		RINGDEV_PROBE2(kick, d->q[i].c->mem, d->q[i].side);
		if (__ringdev_batch_queue(d->batch, d->q[i].c, d->q[i].side) < 0)
			RINGDEV_COUNT(d->errors);
		else
			RINGDEV_COUNT(d->doorbells);
	}
	if (ringdev_batch_submit(d->batch) < 0)
		RINGDEV_COUNT(d->errors);
	/* Read by telemetry on other threads: one relaxed store. */
	RINGDEV_WRITE_ONCE(d->syscalls, d->syscalls + __ringdev_batch_syscalls(d->batch) - sys0);
}

/* A thread about to wait rings what it holds: its peers may wait on it. */
static void defer_flush_before_wait(void)
{
	if (chan_defer)
		__ringdev_defer_flush(chan_defer);
}

/*
 * Ring @side's doorbell if it is due (or hold it, see internal.h).  A
 * failure is counted, never turned into a failed send: the message is
 * already in the ring, and failing now would invite a duplicate; the
 * sleeper's timeout or the next doorbell recovers.
 */
static int doorbell(struct ringdev_chan *c, unsigned int side)
{
	struct ringdev_defer *d;

	if (!__ringdev_doorbell_due(c, side))
		return 0;
	d = chan_defer;
	if (!d || d->immediate)
		return kick_now(c, side, d);
	if (d->n == RINGDEV_DEFER_MAX)
		__ringdev_defer_flush(d);
	d->q[d->n].c = c;
	d->q[d->n].side = side;
	d->n++;
	return 1;
}

int ringdev_chan_notify(struct ringdev_chan *c)
{
	return doorbell(c, RINGDEV_SIDE_CONS);
}

int ringdev_chan_notify_space(struct ringdev_chan *c)
{
	return doorbell(c, RINGDEV_SIDE_PROD);
}

/* ---- waiting -------------------------------------------------------- */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/*
 * Sleep until @side's doorbell rings, a peer hangs up, or @deadline
 * (0: none) passes.  Return: 0 (re-check the ring), -ETIMEDOUT, -EPIPE.
 */
static int chan_poll(struct ringdev_chan *c, unsigned int side, struct pollfd *pfd,
		     const unsigned int *idx, unsigned int n, __u64 deadline);

static int chan_sleep(struct ringdev_chan *c, unsigned int side, __u64 deadline)
{
	struct pollfd pfd[1 + RINGDEV_MAX_LINKS];
	unsigned int idx[1 + RINGDEV_MAX_LINKS];
	unsigned int i, n = 1;
	int rc;

	pfd[0].fd = c->ops->wait_fd(c, side, &pfd[0].events);
	pthread_mutex_lock(&c->lock);
	if (peer_lost_locked(c)) {
		pthread_mutex_unlock(&c->lock);
		return -EPIPE;
	}
	for (i = 0; i < c->nlinks; i++) {
		if (c->links[i] < 0 || c->link_dead[i])
			continue;
		pfd[n].fd = c->links[i];
		pfd[n].events = POLLRDHUP;
		c->link_polls[i]++;	/* not closed under our poll */
		idx[n++] = i;
	}
	pthread_mutex_unlock(&c->lock);
	rc = chan_poll(c, side, pfd, idx, n, deadline);
	pthread_mutex_lock(&c->lock);
	for (i = 1; i < n; i++)
		c->link_polls[idx[i]]--;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* chan_sleep()'s ppoll and what follows; the caller holds the links' polls. */
static int chan_poll(struct ringdev_chan *c, unsigned int side, struct pollfd *pfd,
		     const unsigned int *idx, unsigned int n, __u64 deadline)
{
	struct timespec ts, *tsp = NULL;
	unsigned int i;
	int rc;

	if (deadline) {
		__u64 now = now_ns();

		if (now >= deadline)
			return -ETIMEDOUT;
		ts.tv_sec = (time_t)((deadline - now) / 1000000000ull);
		ts.tv_nsec = (long)((deadline - now) % 1000000000ull);
		tsp = &ts;
	}
	RINGDEV_COUNT(c->role[side].sleeps);
	rc = ppoll(pfd, n, tsp, NULL);
	RINGDEV_PROBE2(wake, c->mem, side);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	if (pfd[0].revents & (POLLERR | POLLNVAL))
		return -EIO;
	if ((pfd[0].revents & pfd[0].events) && c->ops->ack) {
		rc = c->ops->ack(c, side);
		if (rc)
			return rc;
	}
	rc = 0;
	pthread_mutex_lock(&c->lock);
	for (i = 1; i < n; i++) {
		/* A dead link stays open while any waiter may still poll it. */
		if ((pfd[i].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) &&
		    !c->link_dead[idx[i]]) {
			c->link_dead[idx[i]] = true;
			c->live_links--;
		}
	}
	if (peer_lost_locked(c))
		rc = -EPIPE;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

typedef int (*chan_try_fn)(struct ringdev_chan *c, void *arg);

/*
 * The slow path shared by blocking sends and receives: spin on @try for
 * the spin budget, then announce a sleep on @side and block, re-checking
 * after every wakeup.  @try returns -EAGAIN while it must wait.
 */
static int chan_wait_for(struct ringdev_chan *c, unsigned int side,
			 __s64 timeout_ns, chan_try_fn try, void *arg)
{
	__u64 start = now_ns(), deadline = 0, spin_end;
	unsigned int i;
	int rc;

	defer_flush_before_wait();
	if (timeout_ns > 0)
		deadline = start + (__u64)timeout_ns;
	spin_end = start + c->spin_ns;
	if (deadline && deadline < spin_end)
		spin_end = deadline;

	while (c->spin_ns) {
		for (i = 0; i < 64; i++) {
			RINGDEV_CPU_RELAX();
			rc = try(c, arg);
			if (rc != -EAGAIN) {
				RINGDEV_COUNT(c->role[side].spins);
				return rc;
			}
		}
		if (now_ns() >= spin_end)
			break;
	}

	for (;;) {
		__ringdev_wake_announce(c, side);
		rc = try(c, arg);
		if (rc != -EAGAIN) {
			__ringdev_wake_retract(c, side);
			return rc;
		}
		rc = chan_sleep(c, side, deadline);
		__ringdev_wake_retract(c, side);
		if (rc == -ETIMEDOUT || rc == -EPIPE) {
			/* Whatever arrived before the end is still delivered. */
			int last = try(c, arg);

			return last == -EAGAIN ? rc : last;
		}
		if (rc < 0)
			return rc;
		rc = try(c, arg);
		if (rc != -EAGAIN)
			return rc;
	}
}

struct send_args {
	const struct ringdev_msg *m;
	unsigned int n;
};

static int try_send(struct ringdev_chan *c, void *arg)
{
	struct send_args *a = arg;

	return ringdev_ring_send_burst(&c->ring, a->m, a->n);
}

struct recv_args {
	struct ringdev_msg *m;
	unsigned int n;
};

static int try_recv(struct ringdev_chan *c, void *arg)
{
	struct recv_args *a = arg;

	return ringdev_ring_recv_burst(&c->ring, a->m, a->n);
}

int ringdev_chan_send_burst(struct ringdev_chan *c, const struct ringdev_msg *m,
			    unsigned int n, __s64 timeout_ns)
{
	struct send_args a = { m, n };
	int rc;

	if (!n)
		return 0;
	rc = ringdev_ring_send_burst(&c->ring, m, n);
	if (rc == -EAGAIN && timeout_ns)
		rc = chan_wait_for(c, RINGDEV_SIDE_PROD, timeout_ns, try_send, &a);
	if (rc > 0) {
		RINGDEV_PROBE2(send, c->mem, rc);
		doorbell(c, RINGDEV_SIDE_CONS);
	}
	return rc;
}

int ringdev_chan_send(struct ringdev_chan *c, const struct ringdev_envelope *env,
		      const void *payload, __s64 timeout_ns)
{
	struct ringdev_msg m;
	int rc;

	/* Fast path without building a burst descriptor. */
	rc = ringdev_ring_send(&c->ring, env, payload);
	if (rc == 0) {
		RINGDEV_PROBE2(send, c->mem, env->len);
		doorbell(c, RINGDEV_SIDE_CONS);
		return 0;
	}
	if (rc != -EAGAIN || !timeout_ns)
		return rc;
	m.env = *env;
	m.data = (void *)(uintptr_t)payload;
	m.cap = 0;
	m.reserved = 0;
	rc = ringdev_chan_send_burst(c, &m, 1, timeout_ns);
	return rc < 0 ? rc : 0;
}

int ringdev_chan_recv_burst(struct ringdev_chan *c, struct ringdev_msg *m,
			    unsigned int n, __s64 timeout_ns)
{
	struct recv_args a = { m, n };
	int rc;

	if (!n)
		return 0;
	rc = ringdev_ring_recv_burst(&c->ring, m, n);
	if (rc == -EAGAIN && timeout_ns)
		rc = chan_wait_for(c, RINGDEV_SIDE_CONS, timeout_ns, try_recv, &a);
	/* A discarded malformed message freed a slot too. */
	if (rc > 0 || rc == -EBADMSG) {
		RINGDEV_PROBE2(receive, c->mem, rc);
		doorbell(c, RINGDEV_SIDE_PROD);
	}
	return rc;
}

struct recv1_args {
	struct ringdev_envelope *env;
	void *buf;
	size_t cap;
};

static int try_recv1(struct ringdev_chan *c, void *arg)
{
	struct recv1_args *a = arg;

	return ringdev_ring_recv(&c->ring, a->env, a->buf, a->cap);
}

/*
 * One message straight into the caller's envelope: no burst descriptor
 * and no copy of the header out of one (a struct copy of words just
 * stored cannot be forwarded from them and stalls the receive).
 */
int ringdev_chan_recv(struct ringdev_chan *c, struct ringdev_envelope *env,
		      void *buf, size_t cap, __s64 timeout_ns)
{
	struct recv1_args a = { env, buf, cap };
	int rc;

	rc = ringdev_ring_recv(&c->ring, env, buf, cap);
	if (rc == -EAGAIN && timeout_ns)
		rc = chan_wait_for(c, RINGDEV_SIDE_CONS, timeout_ns, try_recv1, &a);
	/* A discarded malformed message freed a slot too. */
	if (rc >= 0 || rc == -EBADMSG) {
		RINGDEV_PROBE2(receive, c->mem, rc);
		doorbell(c, RINGDEV_SIDE_PROD);
	}
	return rc;
}

/*
 * Wait until one of @cs (consumer side) may have a message or @extra_fd
 * (if >= 0) is readable: spin @spin_ns, then announce a sleep on every
 * channel, re-check, and block in one ppoll.  For a consumer serving
 * several rings, such as a kernel's priority lanes.  @extra_fd is only
 * looked at by the sleep, never read; whoever signals it first changes
 * *@watch (when not NULL) from @seen, which ends the spin too.
 * Return: 0 (re-check), 1 (@extra_fd is readable), -ETIMEDOUT, or -errno.
 */
int __ringdev_chan_wait_any(struct ringdev_chan *const *cs, unsigned int n,
			    int extra_fd, const int *watch, int seen,
			    __u64 spin_ns, __s64 timeout_ns)
{
	struct pollfd pfd[RINGDEV_MAX_FDS * 8 + 1];
	__u64 start = now_ns(), spin_end = start + spin_ns, deadline = 0;
	struct timespec ts, *tsp = NULL;
	unsigned int i, np = 0;
	int rc;

	if (n > RINGDEV_MAX_FDS * 8)
		return -EINVAL;
	defer_flush_before_wait();
	if (timeout_ns > 0)
		deadline = start + (__u64)timeout_ns;
	while (spin_ns) {
		unsigned int polls;

		/* The clock costs more than a poll: read it every 64 polls. */
		for (polls = 0; polls < 64; polls++) {
			for (i = 0; i < n; i++)
				if (ringdev_ring_readable(&cs[i]->ring))
					return 0;
			RINGDEV_CPU_RELAX();
		}
		if (watch && RINGDEV_READ_ONCE(*watch) != seen)
			return 0;
		if (now_ns() >= spin_end)
			break;
	}
	for (i = 0; i < n; i++)
		__ringdev_wake_announce(cs[i], RINGDEV_SIDE_CONS);
	for (i = 0; i < n; i++)
		if (ringdev_ring_readable(&cs[i]->ring))
			goto out;
	for (i = 0; i < n; i++) {
		pfd[np].fd = cs[i]->ops->wait_fd(cs[i], RINGDEV_SIDE_CONS, &pfd[np].events);
		np++;
	}
	if (extra_fd >= 0) {
		pfd[np].fd = extra_fd;
		pfd[np++].events = POLLIN;
	}
	if (deadline) {
		__u64 now = now_ns();

		if (now >= deadline) {
			rc = -ETIMEDOUT;
			goto clear;
		}
		ts.tv_sec = (time_t)((deadline - now) / 1000000000ull);
		ts.tv_nsec = (long)((deadline - now) % 1000000000ull);
		tsp = &ts;
	}
	for (i = 0; i < n; i++)
		RINGDEV_COUNT(cs[i]->role[RINGDEV_SIDE_CONS].sleeps);
	rc = ppoll(pfd, np, tsp, NULL);
	if (rc < 0) {
		rc = errno == EINTR ? 0 : -errno;
		goto clear;
	}
	if (rc == 0) {
		rc = -ETIMEDOUT;
		goto clear;
	}
	for (i = 0; i < n; i++)
		if ((pfd[i].revents & pfd[i].events) && cs[i]->ops->ack)
			cs[i]->ops->ack(cs[i], RINGDEV_SIDE_CONS);
	rc = extra_fd >= 0 && (pfd[np - 1].revents & POLLIN);
	goto clear;
out:
	rc = 0;
clear:
	for (i = 0; i < n; i++)
		__ringdev_wake_retract(cs[i], RINGDEV_SIDE_CONS);
	return rc;
}

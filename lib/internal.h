/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * internal.h - libringdev's private structures: the channel object and the
 * interface between the generic channel code and its transports.
 */
#ifndef RINGDEV_INTERNAL_H
#define RINGDEV_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <ringdev/chan.h>

#define RINGDEV_MAX_LINKS	64	/* peers a channel watches for liveness */

struct ringdev_chan;

#define RINGDEV_MAX_FDS		3	/* fds that carry one channel */

struct io_uring_sqe;

/* What differs between transports; everything else lives in chan.c. */
struct ringdev_transport_ops {
	__u32 id;					/* enum ringdev_transport */
	/* Ring @side's doorbell (the caller saw its need_wakeup flag). */
	int (*kick)(struct ringdev_chan *c, unsigned int side);
	/* kick() as an io_uring request: fill @sqe (batch.c submits it). */
	void (*kick_sqe)(struct ringdev_chan *c, unsigned int side,
			 struct io_uring_sqe *sqe);
	/* The fd to poll while waiting on @side, and the events to ask for. */
	int (*wait_fd)(struct ringdev_chan *c, unsigned int side, short *events);
	/* After @side's fd polled ready: reset it if it latches (eventfd). */
	int (*ack)(struct ringdev_chan *c, unsigned int side);
	/* The fds another process needs to open this channel. */
	unsigned int (*export_fds)(struct ringdev_chan *c, int *fds);
	void (*release)(struct ringdev_chan *c);	/* transport state only */
};

/* The message that carries a channel's fds over a unix socket. */
struct ringdev_hello {
	__u32 magic;		/* RINGDEV_HELLO_MAGIC */
	__u32 abi_version;
	__s32 status;		/* 0, or -errno: why no fds follow */
	__u32 transport;	/* enum ringdev_transport */
	__u32 nfds;
	__u32 reserved;
	__u64 region_size;
};

#define RINGDEV_HELLO_MAGIC	0x4f4c4548U	/* "HELO" */

/* A listening abstract unix socket and the thread serving it (srv.c). */
typedef void (*ringdev_srv_fn)(void *arg, int sock, const struct ucred *peer);

struct ringdev_srv {
	int listen_fd;
	int stop_fd;			/* eventfd that ends the thread */
	pthread_t thread;
	bool running;
	ringdev_srv_fn serve;		/* per connection; srv.c closes the socket */
	void *arg;
};

struct ringdev_chan {
	struct ringdev_ring ring;	/* first: its hot fields are cache-aligned */
	const struct ringdev_transport_ops *ops;
	void *mem;			/* the mapped region */
	size_t map_len;
	int mem_fd;			/* memfd (shm) or ring fd (dev) */
	char name[RINGDEV_NAME_MAX];	/* dev: the name to unlink on close */
	int efd[2];			/* doorbells, by RINGDEV_SIDE_* */
	__u64 spin_ns;

	/*
	 * Peer liveness: sockets whose hang-up means a peer went away.  Slots
	 * are stable (-1 when free) so that a waiter's snapshot stays valid;
	 * a dead link is closed once no poll in flight holds it.
	 */
	pthread_mutex_t lock;
	int links[RINGDEV_MAX_LINKS];
	bool link_dead[RINGDEV_MAX_LINKS];
	unsigned int link_polls[RINGDEV_MAX_LINKS];	/* waiters polling it now */
	unsigned int nlinks;		/* slots ever used: [0, nlinks) */
	unsigned int live_links;
	unsigned int links_reserved;	/* places held by fd passing in flight */
	bool had_peer;			/* a link was ever made */
	bool serves_name;		/* creator of a named channel: peers come and go */

	struct ringdev_srv name_srv;	/* shm: hands the channel to attachers */
	__u32 mode;

	/*
	 * Process-local counters, one block per role (indexed by the side the
	 * role waits on: RINGDEV_SIDE_PROD for producers).  A producer thread
	 * and a consumer thread often share one handle, so each role's block
	 * has its own cache lines and is bumped without a locked instruction
	 * (several threads in one role may lose a count: statistics only).
	 */
	struct ringdev_chan_role {
		__u64 kicks;		/* doorbells rung for the other side */
		__u64 suppressed;	/* doorbell checks that found it awake */
		__u64 sleeps;
		__u64 spins;
		__u64 kick_errors;
		__u64 kicked_seq;	/* the other side's sleep_seq last rung */
	} __attribute__((aligned(128))) role[2];

	/* batch.c: process-unique id, set on first use (0: none yet). */
	__u64 batch_id;
};

/* chan.c */
struct ringdev_chan *__ringdev_chan_alloc(const struct ringdev_transport_ops *ops);
void __ringdev_chan_free(struct ringdev_chan *c);
int __ringdev_chan_add_link(struct ringdev_chan *c, int sock);
int __ringdev_chan_map(struct ringdev_chan *c, int fd, size_t len, off_t off);
__u32 __ringdev_pick_transport(__u32 transport);
int __ringdev_name_check(const char *name);
void __ringdev_wake_announce(struct ringdev_chan *c, unsigned int side);
void __ringdev_wake_retract(struct ringdev_chan *c, unsigned int side);
bool __ringdev_doorbell_due(struct ringdev_chan *c, unsigned int side);
int __ringdev_doorbell_done(struct ringdev_chan *c, unsigned int side, int rc);

/*
 * Doorbells a thread holds back until the end of a burst of work (the
 * runtime's kernel threads; see Documentation/runtime.rst).  While a
 * thread has one installed (__ringdev_defer_install), chan.c queues each
 * doorbell that is due instead of ringing it; __ringdev_defer_flush()
 * rings the lot: one syscall for one doorbell, one io_uring_enter through
 * @batch for several.  A thread about to wait flushes first, so that no
 * peer it waits for sleeps on a doorbell it still holds.
 */
#define RINGDEV_DEFER_MAX	64U

struct ringdev_batch;

struct ringdev_defer {
	bool immediate;			/* ring at once (counted, not held) */
	bool no_batch;			/* io_uring set-up failed: syscalls */
	/* Opened on the first flush of several; closed by the owner. */
	struct ringdev_batch *batch;
	unsigned int n;
	struct {
		struct ringdev_chan *c;
		unsigned int side;
	} q[RINGDEV_DEFER_MAX];
	__u64 doorbells;		/* rung, or handed to io_uring */
	__u64 syscalls;			/* kick syscalls and io_uring enters */
	__u64 errors;			/* doorbells that failed */
};

void __ringdev_defer_install(struct ringdev_defer *d);
void __ringdev_defer_flush(struct ringdev_defer *d);

/* batch.c: queue a doorbell found due; return doorbell_done's result. */
int __ringdev_batch_queue(struct ringdev_batch *b, struct ringdev_chan *c,
			  unsigned int side);
/* batch.c: syscalls @b has made (enters and file registrations). */
__u64 __ringdev_batch_syscalls(const struct ringdev_batch *b);

/* Bump a per-handle statistic: relaxed, no locked instruction. */
#define RINGDEV_COUNT(x)	RINGDEV_WRITE_ONCE((x), RINGDEV_READ_ONCE(x) + 1)
int __ringdev_chan_wait_any(struct ringdev_chan *const *cs, unsigned int n,
			    int extra_fd, const int *watch, int seen,
			    __u64 spin_ns, __s64 timeout_ns);

/* srv.c */
int __ringdev_abstract_addr(const char *prefix, const char *name,
			    struct sockaddr_un *sun, socklen_t *len);
int __ringdev_srv_start(struct ringdev_srv *s, int type, const char *prefix,
			const char *name, ringdev_srv_fn serve, void *arg);
void __ringdev_srv_stop(struct ringdev_srv *s);
int __ringdev_srv_connect(const char *prefix, const char *name, int type);

/* fdpass.c */
int __ringdev_send_hello(int sock, const struct ringdev_hello *h, const int *fds);
int __ringdev_recv_hello(int sock, struct ringdev_hello *h, int *fds);
int __ringdev_fd_kind_is(int fd, const char *kind);

/* shm.c */
int __ringdev_shm_create(const struct ringdev_chan_opts *o, struct ringdev_chan **out);
int __ringdev_shm_attach(const char *name, struct ringdev_chan **out);
int __ringdev_shm_adopt(const struct ringdev_hello *h, const int *fds,
			struct ringdev_chan **out);

/* dev.c */
int __ringdev_dev_open(void);
int __ringdev_dev_create(const struct ringdev_chan_opts *o, struct ringdev_chan **out);
int __ringdev_dev_attach(const char *name, struct ringdev_chan **out);
int __ringdev_dev_adopt(const struct ringdev_hello *h, const int *fds,
			struct ringdev_chan **out);

#endif /* RINGDEV_INTERNAL_H */

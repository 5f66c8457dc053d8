/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * internal.h - libringdev's private structures: the channel object and the
 * interface between the generic channel code and its transports.
 */
#ifndef RINGDEV_INTERNAL_H
#define RINGDEV_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
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

struct ringdev_chan {
	struct ringdev_ring ring;	/* first: its hot fields are cache-aligned */
	const struct ringdev_transport_ops *ops;
	void *mem;			/* the mapped region */
	size_t map_len;
	int mem_fd;			/* memfd (shm) or ring fd (dev) */
	char name[RINGDEV_NAME_MAX];	/* dev: the name to unlink on close */
	int efd[2];			/* doorbells, by RINGDEV_SIDE_* */
	__u64 spin_ns;
	__u64 kicked_seq[2];		/* the sleep_seq each side was last rung for */

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

	/* Naming (shm): a listening socket and the thread that serves it. */
	int listen_fd;
	int stop_fd;			/* eventfd that ends the server thread */
	pthread_t server;
	bool server_running;
	__u32 mode;

	/* Process-local counters; several threads may share a handle. */
	__u64 kicks, suppressed, sleeps, spins, kick_errors;

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
int __ringdev_chan_wait_any(struct ringdev_chan *const *cs, unsigned int n,
			    int extra_fd, __u64 spin_ns, __s64 timeout_ns);

/* fdpass.c */
int __ringdev_send_hello(int sock, const struct ringdev_hello *h, const int *fds);
int __ringdev_recv_hello(int sock, struct ringdev_hello *h, int *fds);

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

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

/* What differs between transports; everything else lives in chan.c. */
struct ringdev_transport_ops {
	__u32 id;					/* enum ringdev_transport */
	int (*kick)(struct ringdev_chan *c, unsigned int side);
	int (*send_fds)(struct ringdev_chan *c, int sock);
	void (*release)(struct ringdev_chan *c);	/* transport state only */
};

struct ringdev_chan {
	struct ringdev_ring ring;	/* first: its hot fields are cache-aligned */
	const struct ringdev_transport_ops *ops;
	void *mem;			/* the mapped region */
	size_t map_len;
	int mem_fd;			/* memfd (shm) or ring fd (dev) */
	int efd[2];			/* doorbells, by RINGDEV_SIDE_* */
	__u64 spin_ns;

	/* Peer liveness: sockets whose hang-up means a peer went away. */
	pthread_mutex_t lock;
	int links[RINGDEV_MAX_LINKS];
	bool link_dead[RINGDEV_MAX_LINKS];
	unsigned int nlinks;		/* slots used in links[] */
	unsigned int live_links;
	bool serves_name;		/* creator of a named channel: peers come and go */

	/* Naming (shm): a listening socket and the thread that serves it. */
	int listen_fd;
	int stop_fd;			/* eventfd that ends the server thread */
	pthread_t server;
	bool server_running;
	__u32 mode;

	/* Process-local counters; several threads may share a handle. */
	__u64 kicks, suppressed, sleeps, spins;
};

/* chan.c */
struct ringdev_chan *__ringdev_chan_alloc(const struct ringdev_transport_ops *ops);
void __ringdev_chan_free(struct ringdev_chan *c);
int __ringdev_chan_add_link(struct ringdev_chan *c, int sock);

/* shm.c */
int __ringdev_shm_create(const struct ringdev_chan_opts *o, struct ringdev_chan **out);
int __ringdev_shm_attach(const char *name, struct ringdev_chan **out);
int __ringdev_shm_recv_fds(int sock, struct ringdev_chan **out);

#endif /* RINGDEV_INTERNAL_H */

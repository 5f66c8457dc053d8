/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * rt_internal.h - the runtime's private structures, shared by runtime.c
 * (lifecycle, messaging, the CPU backend), pubsub.c and telemetry.c.
 */
#ifndef RINGDEV_RT_INTERNAL_H
#define RINGDEV_RT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <ringdev/runtime.h>
#include "internal.h"

/*
 * Tables that are indexed without a lock (kernels by id, reply endpoints)
 * grow by chunks that never move and are freed only with the runtime.
 */
#define RD_CHUNK_SHIFT		6
#define RD_CHUNK		(1U << RD_CHUNK_SHIFT)
#define RD_MAX_CHUNKS		256	/* 16384 kernels, 16384 concurrent calls */

/* A reply address: endpoint ids carry this bit, kernel ids never do. */
#define RD_EP_BIT		0x80000000U
#define RD_EP_CAPACITY		64	/* replies queued per endpoint */
#define RD_EP_SLOT		4096	/* so a reply carries <= 4032 bytes */

struct ringdev_kernel;

/*
 * What a backend does; the lifecycle itself is the runtime's (runtime.c).
 * The kernel's lanes and outbox are made by the runtime with the extra
 * ring flags the backend asks for.
 */
struct rd_backend_ops {
	const char *name;
	__u32 lane_flags;		/* extra RINGDEV_RING_F_* for inbox lanes */
	unsigned int max_lanes;		/* 0: RINGDEV_MAX_LANES */
	/* Optional: after the lanes exist, before init(); -errno. */
	int (*prepare)(struct ringdev_kernel *k);
	int (*launch)(struct ringdev_kernel *k);	/* -errno */
	void (*state_changed)(struct ringdev_kernel *k);
	void (*stop)(struct ringdev_kernel *k);	/* after TERMINATING: wait */
	/* Optional: free what prepare() made. */
	void (*release)(struct ringdev_kernel *k);
};

extern const struct rd_backend_ops __rd_cpu_backend;

struct rd_type {
	struct ringdev_kernel_type t;	/* CPU handler, or state_size only */
	char name[RINGDEV_NAME_MAX];
	const struct rd_backend_ops *backend;
	const void *backend_type;	/* the backend's own description */
	struct rd_type *next;
};

/* Where one caller waits for its replies; reused by later calls. */
/*
 * What a replying kernel reads (id, chan) is kept off the line its caller
 * writes on every call (next_free): no false sharing on the reply path.
 */
struct rd_endpoint {
	__u32 id;
	struct ringdev_chan *chan;	/* MPSC: any kernel may answer */
	struct rd_endpoint *next_free __attribute__((aligned(128)));
};

struct ringdev_kernel {
	struct ringdev_rt *rt;
	const struct rd_type *type;
	const struct rd_backend_ops *backend;
	__u32 id;
	struct ringdev_launch_opts opts;

	pthread_mutex_t lock;		/* state transitions */
	pthread_cond_t cond;		/* the thread acknowledges a transition */
	int state;			/* enum ringdev_kernel_state; READ_ONCE */
	bool parked;			/* thread holds messages, handles none */
	unsigned int term_how;

	struct ringdev_chan *lanes[RINGDEV_MAX_LANES];
	unsigned int nlanes;
	struct ringdev_chan *outbox;	/* emits to the host */
	int ctl_fd;			/* eventfd: wakes the thread on transitions */
	pthread_t thread;
	bool thread_started;
	void *state_mem;
	void *buf;			/* the message being handled */
	void *backend_priv;		/* the backend's per-kernel state */
	struct ringdev_hlc hlc;

	/* Telemetry: written by the kernel thread (drops also by senders). */
	__u64 msgs_in, msgs_out, drops, rejected, errors, late_replies, discarded;
	__u64 clock_rejects;
	int last_error;
	/* The thread's doorbells (chan.c holds them here; internal.h). */
	struct ringdev_defer defer;
	__u64 held_cycles;		/* handler time since the first held one */
	__u64 lat_hist[RINGDEV_LAT_BUCKETS];

	/*
	 * Host/K2K sends in flight (atomic).  Every send writes it: on its
	 * own lines, away from what the kernel's thread reads per message.
	 */
	int senders __attribute__((aligned(128)));
};

struct rd_sub {
	char *filter;
	struct ringdev_kernel *k;
};

/*
 * Read-mostly fields first (every message's path reads them), then what
 * calls and publishes write, each group on its own 128-byte lines so that
 * a caller's writes never evict what a kernel thread reads.
 */
struct ringdev_rt {
	struct ringdev_rt_opts opts;
	__u32 backend;			/* resolved */
	double ns_per_cycle;		/* for handler latency */
	__u64 hold_cycles;		/* RINGDEV_DOORBELL_HOLD_NS */
	struct rd_type *types;		/* under lock; only ever added to */
	struct ringdev_kernel **kernels[RD_MAX_CHUNKS];	/* id - 1 -> kernel */
	__u32 nkernels;
	struct rd_endpoint **eps[RD_MAX_CHUNKS];	/* index -> endpoint */
	__u32 neps;

	struct ringdev_hlc hlc __attribute__((aligned(128)));

	/* types, kernel creation, endpoints */
	pthread_mutex_t lock __attribute__((aligned(128)));
	struct rd_endpoint *free_eps;
	__u64 next_corr;

	pthread_rwlock_t sub_lock __attribute__((aligned(128)));
	struct rd_sub *subs;
	unsigned int nsubs, subs_cap;

	struct ringdev_srv tm_srv;	/* telemetry.c: "@ringdev-rt/<name>" */
};

/*
 * A kernel's outgoing-message count has one writer, the kernel's own
 * thread (a GPU kernel's pump): a plain increment, no locked instruction.
 */
static inline void __rd_out_add(struct ringdev_kernel *k, __u64 n)
{
	RINGDEV_WRITE_ONCE(k->msgs_out, k->msgs_out + n);
}

/* runtime.c */
int __rd_send(struct ringdev_kernel *k, struct ringdev_envelope *env,
	      const void *payload, __s64 timeout_ns);
int __rd_register_type(struct ringdev_rt *rt, const struct ringdev_kernel_type *t,
		       const struct rd_backend_ops *backend, const void *backend_type);
int __rd_route(struct ringdev_kernel *k, const struct ringdev_envelope *env,
	       const void *payload);
__u64 __rd_cycles(void);

/* cuda_backend.c: 0 when libcudart loads and sees a GPU, else -ENODEV */
int __rd_cuda_probe(void);

/* telemetry.c */
void __rd_lat_record(struct ringdev_kernel *k, __u64 ns);
void __rd_telemetry_stop(struct ringdev_rt *rt);

/* pubsub.c */
void __rd_subs_free(struct ringdev_rt *rt);
void __rd_unsubscribe_kernel(struct ringdev_kernel *k);

#endif /* RINGDEV_RT_INTERNAL_H */

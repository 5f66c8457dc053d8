/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - ringdev's objects, shared by the files of the driver.
 *
 * Lifetime: a ring is a kref'd object.  Every ring fd holds one reference
 * and every mapping holds its ring fd (vma->vm_file), so the ring memory
 * goes away when the last fd and the last mapping are gone.  A ring is
 * visible by name (ATTACH) from CREATE until UNLINK or its destruction,
 * whichever comes first.
 *
 * Locking: ringdev_lock (a mutex) guards the global ring list, the name
 * table, the ring count and per-user accounting.  ring->lock (a spinlock,
 * taken with interrupts off because the watcher runs in softirq context)
 * guards the eventfd pointers and the watcher state.  Nothing copies to or
 * from user space while holding either.
 */
#ifndef _RINGDEV_INTERNAL_H
#define _RINGDEV_INTERNAL_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/hrtimer.h>
#include <linux/uidgid.h>
#include <linux/atomic.h>
#include <linux/ringdev.h>

struct file;
struct io_uring_cmd;
struct eventfd_ctx;

#define RINGDEV_NR_SIDES	2
#define RINGDEV_NO_SLEEP	U64_MAX	/* rung_seq: no sleep rung yet */

/* Per-ring counters; all are statistics, none drives a decision. */
struct ringdev_counters {
	atomic64_t kicks;
	atomic64_t wakeups;
	atomic64_t suppressed;
	atomic64_t watcher_wakes;
};

struct ringdev_ring {
	struct kref ref;
	struct list_head node;		/* ringdev_rings, under ringdev_lock */
	bool linked;			/* attachable by name, under ringdev_lock */
	u32 id;

	/* Geometry and ownership: the driver's own copy, never the ring's. */
	char name[RINGDEV_NAME_MAX];
	u32 capacity;
	u32 slot_size;
	u32 flags;
	u32 mode;
	kuid_t uid;
	kgid_t gid;
	u64 region_size;		/* ctrl + capacity * slot_size */
	size_t map_size;		/* region_size rounded up to pages */
	void *mem;			/* vmalloc_user(map_size) */
	atomic_t nr_maps;		/* live vmas, for debugfs */

	spinlock_t lock;		/* efd[] and the watcher state */
	struct eventfd_ctx *efd[RINGDEV_NR_SIDES];	/* under lock */
	wait_queue_head_t wq;		/* poll() waiters */
	/*
	 * Per side: the sleep_seq of the last sleep a KICK rang, or
	 * RINGDEV_NO_SLEEP.  poll() reports that sleep ready until the side
	 * announces a new one: a rung sleep ends even if the slot it was rung
	 * for is not the next one yet (another producer still filling it).
	 */
	u64 rung_seq[RINGDEV_NR_SIDES];

	/* Doorbell watcher (RINGDEV_RING_F_DEV_PROD), under lock. */
	struct hrtimer watch_timer;
	bool watching;
	u64 seen_doorbell;
	u64 seen_prod_pos;

	struct ringdev_counters cnt;
};

/* What a command handler works on. */
struct ringdev_ctx {
	struct file *file;		/* the fd the command came in on */
	struct ringdev_ring *ring;	/* ring fds only */
	/* A new fd for the dispatcher to install after the reply is copied. */
	struct file *new_file;
	int new_fd;
};

/* main.c */
extern struct mutex ringdev_lock;
extern struct list_head ringdev_rings;
extern unsigned int ringdev_nr_rings;
extern unsigned int watch_interval_us;

int ringdev_cmd_info(struct ringdev_ctx *ctx, void *arg);
int ringdev_cmd_create(struct ringdev_ctx *ctx, void *arg);
int ringdev_cmd_attach(struct ringdev_ctx *ctx, void *arg);
int ringdev_cmd_unlink(struct ringdev_ctx *ctx, void *arg);
int ringdev_cmd_list(struct ringdev_ctx *ctx, void *arg);
void ringdev_ring_unregister(struct ringdev_ring *ring);

/* ring.c */
extern const struct file_operations ringdev_ring_fops;

struct ringdev_ring *ringdev_ring_alloc(const struct ringdev_create *req);
void ringdev_ring_put(struct ringdev_ring *ring);
int ringdev_ring_open_fd(struct ringdev_ring *ring, u32 fd_flags,
			 struct ringdev_ctx *ctx);
void ringdev_ring_region(const struct ringdev_ring *ring,
			 struct ringdev_region *region);
void ringdev_ring_fill_stats(struct ringdev_ring *ring,
			     struct ringdev_stats *st);
void ringdev_ring_signal(struct ringdev_ring *ring, u32 side);
struct ringdev_ctrl *ringdev_ring_ctrl(const struct ringdev_ring *ring);
int ringdev_cmd_set_eventfd(struct ringdev_ctx *ctx, void *arg);
int ringdev_cmd_kick(struct ringdev_ctx *ctx, void *arg);
int ringdev_cmd_stats(struct ringdev_ctx *ctx, void *arg);

/* ioctl.c */
long ringdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg,
		   struct ringdev_ring *ring);
int ringdev_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);

/* watch.c */
void ringdev_watch_init(struct ringdev_ring *ring);
void ringdev_watch_arm(struct ringdev_ring *ring);
void ringdev_watch_stop(struct ringdev_ring *ring);

/* debugfs.c */
void ringdev_debugfs_init(void);
void ringdev_debugfs_exit(void);

#endif /* _RINGDEV_INTERNAL_H */

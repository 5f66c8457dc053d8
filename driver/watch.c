// SPDX-License-Identifier: GPL-2.0
/*
 * watch.c - the doorbell watcher for rings whose producer is a device.
 *
 * A GPU kernel cannot make a system call, so for RINGDEV_RING_F_DEV_PROD
 * rings the driver looks at the ring's prod.doorbell and prod.pos words
 * every watch_interval_us from a soft hrtimer, and when either moved while
 * the consumer sleeps (cons_wake.need_wakeup set) it rings the consumer's
 * eventfd and wakes poll() waiters.
 *
 * The timer runs only when it can matter:
 *  - it is started by poll() when a consumer is about to sleep there, and
 *    by binding a consumer eventfd;
 *  - it stops when no consumer can sleep (no consumer eventfd, no poll
 *    waiter), and when the consumer is awake and sleeps only in poll(),
 *    which restarts it;
 *  - while the consumer is awake but could go to sleep on its eventfd
 *    without telling the driver, it ticks RINGDEV_WATCH_IDLE_MULT times
 *    slower, only keeping its snapshot fresh.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/minmax.h>

#include "internal.h"
#include "compat.h"
#include "trace.h"

#define RINGDEV_WATCH_MIN_US	10U
#define RINGDEV_WATCH_MAX_US	1000000U
#define RINGDEV_WATCH_IDLE_MULT	16

static ktime_t ringdev_watch_period(bool idle)
{
	u64 us = clamp(READ_ONCE(watch_interval_us), RINGDEV_WATCH_MIN_US,
		       RINGDEV_WATCH_MAX_US);

	if (idle)
		us *= RINGDEV_WATCH_IDLE_MULT;
	return ns_to_ktime(us * NSEC_PER_USEC);
}

static enum hrtimer_restart ringdev_watch_fn(struct hrtimer *timer)
{
	struct ringdev_ring *ring = container_of(timer, struct ringdev_ring,
						 watch_timer);
	struct ringdev_ctrl *ctrl = ringdev_ring_ctrl(ring);
	enum hrtimer_restart restart = HRTIMER_RESTART;
	bool asleep, moved, wake = false;
	unsigned long flags;
	u64 doorbell, pos;

	asleep = READ_ONCE(ctrl->cons_wake.need_wakeup) != 0;
	doorbell = READ_ONCE(ctrl->prod.doorbell);
	pos = READ_ONCE(ctrl->prod.pos);

	spin_lock_irqsave(&ring->lock, flags);
	moved = doorbell != ring->seen_doorbell || pos != ring->seen_prod_pos;
	ring->seen_doorbell = doorbell;
	ring->seen_prod_pos = pos;
	if (asleep && moved) {
		if (ring->efd[RINGDEV_SIDE_CONS])
			ringdev_eventfd_signal(ring->efd[RINGDEV_SIDE_CONS]);
		wake = true;
	}
	if (!ring->efd[RINGDEV_SIDE_CONS] &&
	    (!asleep || !wq_has_sleeper(&ring->wq))) {
		ring->watching = false;
		restart = HRTIMER_NORESTART;
	} else {
		hrtimer_forward_now(timer, ringdev_watch_period(!asleep));
	}
	spin_unlock_irqrestore(&ring->lock, flags);

	if (wake) {
		wake_up_interruptible_poll(&ring->wq, EPOLLIN | EPOLLRDNORM);
		atomic64_inc(&ring->cnt.watcher_wakes);
		atomic64_inc(&ring->cnt.wakeups);
		trace_wake(ring->id, RINGDEV_SIDE_CONS, RINGDEV_WAKE_WATCHER);
	}
	return restart;
}

void ringdev_watch_init(struct ringdev_ring *ring)
{
	hrtimer_init(&ring->watch_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_SOFT);
	ring->watch_timer.function = ringdev_watch_fn;
}

/* Start the watcher if the ring has a device producer and it is idle. */
void ringdev_watch_arm(struct ringdev_ring *ring)
{
	struct ringdev_ctrl *ctrl = ringdev_ring_ctrl(ring);
	unsigned long flags;

	if (!(ring->flags & RINGDEV_RING_F_DEV_PROD))
		return;

	spin_lock_irqsave(&ring->lock, flags);
	if (!ring->watching) {
		ring->watching = true;
		/*
		 * Snapshot now: a doorbell bumped before this point was
		 * published before the consumer's last look at the ring.
		 */
		ring->seen_doorbell = READ_ONCE(ctrl->prod.doorbell);
		ring->seen_prod_pos = READ_ONCE(ctrl->prod.pos);
		hrtimer_start(&ring->watch_timer, ringdev_watch_period(false),
			      HRTIMER_MODE_REL_SOFT);
	}
	spin_unlock_irqrestore(&ring->lock, flags);
}

/* Stop for good: the ring is going away, nobody can re-arm it. */
void ringdev_watch_stop(struct ringdev_ring *ring)
{
	hrtimer_cancel(&ring->watch_timer);
}

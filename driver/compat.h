/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the few kernel API differences ringdev straddles.
 *
 * The driver is written against Debian 12's 6.1 kernel; each wrapper here
 * picks the other spelling at build time for the kernels where an API
 * changed.  Keep this file small: one wrapper per change.
 */
#ifndef _RINGDEV_COMPAT_H
#define _RINGDEV_COMPAT_H

#include <linux/version.h>
#include <linux/eventfd.h>
#include <linux/mm.h>

/*
 * True when building against kernel maj.min or later, from the parts of
 * LINUX_VERSION_CODE that <linux/version.h> also spells out (the sublevel
 * does not matter here).
 */
#define RINGDEV_KV_AT_LEAST(maj, min)					\
	(KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, 0) >=	\
	 KERNEL_VERSION(maj, min, 0))

#if RINGDEV_KV_AT_LEAST(6, 7)
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

/* 6.8 dropped the count argument of eventfd_signal(). */
static inline void ringdev_eventfd_signal(struct eventfd_ctx *ctx)
{
#if RINGDEV_KV_AT_LEAST(6, 8)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/* 6.3 made vma->vm_flags read-only behind vm_flags_{set,clear}(). */
static inline void ringdev_vm_flags_set(struct vm_area_struct *vma,
					unsigned long flags)
{
#if RINGDEV_KV_AT_LEAST(6, 3)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void ringdev_vm_flags_clear(struct vm_area_struct *vma,
					  unsigned long flags)
{
#if RINGDEV_KV_AT_LEAST(6, 3)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * The command area of the SQE: 6.1 points cmd->cmd at it; later kernels
 * keep the SQE and provide io_uring_sqe_cmd().
 */
static inline const void *ringdev_uring_cmd_payload(struct io_uring_cmd *cmd)
{
#if RINGDEV_KV_AT_LEAST(6, 5)
	return io_uring_sqe_cmd(cmd->sqe);
#else
	return cmd->cmd;
#endif
}

/*
 * Asynchronous completion.  ringdev completes every command inline (the
 * result is the return value of ->uring_cmd) and never parks one with
 * -EIOCBQUEUED, because 6.1 cannot cancel a parked command; this wrapper
 * exists for a future command that must complete later.  6.0 took three
 * arguments, 6.1 added issue_flags.
 */
#if RINGDEV_KV_AT_LEAST(6, 1)
#define ringdev_uring_cmd_done(cmd, ret, issue_flags) \
	io_uring_cmd_done(cmd, ret, 0, issue_flags)
#else
#define ringdev_uring_cmd_done(cmd, ret, issue_flags) \
	io_uring_cmd_done(cmd, ret, 0)
#endif

#endif /* _RINGDEV_COMPAT_H */

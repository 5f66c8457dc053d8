// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - ring objects: memory, the ring fd (mmap, poll, release),
 * eventfd doorbells, KICK and STATS.
 *
 * The ring memory is shared with user space (and possibly a device), which
 * may write anything at any time.  The driver reads it only with
 * READ_ONCE(), masks every index with its own copy of the geometry, and
 * never lets a value read from the ring decide a size or an address.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/poll.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/string.h>

#include "internal.h"
#include "compat.h"
#include "trace.h"

struct ringdev_ctrl *ringdev_ring_ctrl(const struct ringdev_ring *ring)
{
	return ring->mem;
}

/* The sequence word of the slot at position pos, masked. */
static u64 *ringdev_slot_seq(const struct ringdev_ring *ring, u64 pos)
{
	size_t idx = pos & (ring->capacity - 1);

	return ring->mem + RINGDEV_CTRL_SIZE + idx * ring->slot_size;
}

/* Lay out a fresh ring: header, slot sequence numbers, zeroes elsewhere. */
static void ringdev_ring_format(struct ringdev_ring *ring)
{
	struct ringdev_ctrl_hdr *hdr = ring->mem;
	u32 i;

	/* vmalloc_user() zeroed the region. */
	hdr->magic = RINGDEV_MAGIC;
	hdr->abi_version = RINGDEV_ABI_VERSION;
	hdr->ctrl_size = RINGDEV_CTRL_SIZE;
	hdr->slot_size = ring->slot_size;
	hdr->capacity = ring->capacity;
	hdr->flags = ring->flags;
	hdr->region_size = ring->region_size;
	memcpy(hdr->name, ring->name, sizeof(hdr->name));
	for (i = 0; i < ring->capacity; i++) {
		*ringdev_slot_seq(ring, i) = i;
		if (!(i & 0xffff))
			cond_resched();
	}
}

/*
 * A new, unregistered ring with one reference, from a validated CREATE
 * request.
 */
struct ringdev_ring *ringdev_ring_alloc(const struct ringdev_create *req)
{
	struct ringdev_ring *ring;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	kref_init(&ring->ref);
	INIT_LIST_HEAD(&ring->node);
	memcpy(ring->name, req->name, sizeof(ring->name));
	ring->capacity = req->capacity;
	ring->slot_size = req->slot_size;
	ring->flags = req->flags;
	ring->mode = req->mode;
	ring->uid = current_fsuid();
	ring->gid = current_fsgid();
	ring->region_size = RINGDEV_CTRL_SIZE +
			    (u64)req->capacity * req->slot_size;
	ring->map_size = PAGE_ALIGN(ring->region_size);
	spin_lock_init(&ring->lock);
	init_waitqueue_head(&ring->wq);
	ring->rung_seq[RINGDEV_SIDE_PROD] = RINGDEV_NO_SLEEP;
	ring->rung_seq[RINGDEV_SIDE_CONS] = RINGDEV_NO_SLEEP;
	ringdev_watch_init(ring);

	ring->mem = vmalloc_user(ring->map_size);
	if (!ring->mem) {
		kfree(ring);
		return ERR_PTR(-ENOMEM);
	}
	ringdev_ring_format(ring);
	return ring;
}

/* Called with ringdev_lock held (kref_put_mutex); drops it. */
static void ringdev_ring_release(struct kref *ref)
{
	struct ringdev_ring *ring = container_of(ref, struct ringdev_ring, ref);
	int side;

	if (ring->id) {
		trace_destroy(ring->id);
		ringdev_ring_unregister(ring);
	} else {
		mutex_unlock(&ringdev_lock);
	}

	ringdev_watch_stop(ring);
	for (side = 0; side < RINGDEV_NR_SIDES; side++)
		if (ring->efd[side])
			eventfd_ctx_put(ring->efd[side]);
	vfree(ring->mem);
	kfree(ring);
}

/* Drop a reference; the last one unregisters and frees the ring. */
void ringdev_ring_put(struct ringdev_ring *ring)
{
	kref_put_mutex(&ring->ref, ringdev_ring_release, &ringdev_lock);
}

void ringdev_ring_region(const struct ringdev_ring *ring,
			 struct ringdev_region *region)
{
	region->size = ring->map_size;
	region->offset = RINGDEV_OFF_REGION;
	region->ctrl_offset = 0;
	region->slots_offset = RINGDEV_CTRL_SIZE;
	region->capacity = ring->capacity;
	region->slot_size = ring->slot_size;
}

/* Fill one STATS/LIST record; the positions come from the ring: untrusted. */
void ringdev_ring_fill_stats(struct ringdev_ring *ring,
			     struct ringdev_stats *st)
{
	struct ringdev_ctrl *ctrl = ringdev_ring_ctrl(ring);

	memset(st, 0, sizeof(*st));
	memcpy(st->name, ring->name, sizeof(st->name));
	st->ring_id = ring->id;
	st->flags = ring->flags;
	st->capacity = ring->capacity;
	st->slot_size = ring->slot_size;
	st->uid = from_kuid_munged(current_user_ns(), ring->uid);
	st->mode = ring->mode;
	st->prod_pos = READ_ONCE(ctrl->prod.pos);
	st->cons_pos = READ_ONCE(ctrl->cons.pos);
	st->kicks = atomic64_read(&ring->cnt.kicks);
	st->wakeups = atomic64_read(&ring->cnt.wakeups);
	st->suppressed = atomic64_read(&ring->cnt.suppressed);
	st->watcher_wakes = atomic64_read(&ring->cnt.watcher_wakes);
}

/*
 * Ring the eventfd bound to 'side', if any.  The spinlock keeps the
 * context alive against a concurrent SET_EVENTFD swap.
 */
void ringdev_ring_signal(struct ringdev_ring *ring, u32 side)
{
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	if (ring->efd[side])
		ringdev_eventfd_signal(ring->efd[side]);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/*
 * A new ring fd holding the caller's reference on success.  The fd is
 * reserved and the file made here; the dispatcher installs it once the
 * reply has reached user space, or drops both if it could not.
 */
int ringdev_ring_open_fd(struct ringdev_ring *ring, u32 fd_flags,
			 struct ringdev_ctx *ctx)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(fd_flags);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile("[ringdev]", &ringdev_ring_fops, ring,
				  O_RDWR | fd_flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	ctx->new_file = file;
	ctx->new_fd = fd;
	return 0;
}

int ringdev_cmd_set_eventfd(struct ringdev_ctx *ctx, void *arg)
{
	struct ringdev_set_eventfd *req = arg;
	struct ringdev_ring *ring = ctx->ring;
	struct eventfd_ctx *efd = NULL, *old;
	unsigned long flags;

	if (req->side >= RINGDEV_NR_SIDES || req->fd < -1)
		return -EINVAL;
	if (req->fd >= 0) {
		efd = eventfd_ctx_fdget(req->fd);
		if (IS_ERR(efd))
			return PTR_ERR(efd);
	}

	spin_lock_irqsave(&ring->lock, flags);
	old = ring->efd[req->side];
	ring->efd[req->side] = efd;
	spin_unlock_irqrestore(&ring->lock, flags);

	if (old)
		eventfd_ctx_put(old);
	if (efd && req->side == RINGDEV_SIDE_CONS)
		ringdev_watch_arm(ring);
	return 0;
}

static struct ringdev_ctrl_wake *ringdev_wake_block(struct ringdev_ring *ring,
						    u32 side)
{
	struct ringdev_ctrl *ctrl = ringdev_ring_ctrl(ring);

	return side == RINGDEV_SIDE_CONS ? &ctrl->cons_wake : &ctrl->prod_wake;
}

/* The need-wakeup word a side publishes before it sleeps. */
static bool ringdev_side_sleeps(struct ringdev_ring *ring, u32 side)
{
	return READ_ONCE(ringdev_wake_block(ring, side)->need_wakeup) != 0;
}

/*
 * Several sleepers on a side (an MP or MC ring) count themselves in
 * need_wakeup and are rung on every doorbell; a single one is rung once
 * per sleep, so that one kick must end that sleep.
 */
static bool ringdev_side_is_multi(struct ringdev_ring *ring, u32 side)
{
	return ring->flags & (side == RINGDEV_SIDE_CONS ? RINGDEV_RING_F_MC :
							   RINGDEV_RING_F_MP);
}

/* Has the sleep @side is in now been rung?  (poll readiness) */
static bool ringdev_sleep_rung(struct ringdev_ring *ring, u32 side)
{
	struct ringdev_ctrl_wake *w = ringdev_wake_block(ring, side);

	return READ_ONCE(w->need_wakeup) &&
	       READ_ONCE(ring->rung_seq[side]) == READ_ONCE(w->sleep_seq);
}

/*
 * KICK: wake 'side' if it said it sleeps, else count a suppressed kick.
 * Returns 0 either way (io_uring treats a positive result as a failure);
 * the counters and tracepoints tell the two apart.
 */
int ringdev_cmd_kick(struct ringdev_ctx *ctx, void *arg)
{
	struct ringdev_kick *req = arg;
	struct ringdev_ring *ring = ctx->ring;

	if (req->side >= RINGDEV_NR_SIDES || req->reserved)
		return -EINVAL;

	atomic64_inc(&ring->cnt.kicks);
	trace_kick(ring->id, req->side);
	/* Pairs with the sleeper's barrier between need_wakeup and recheck. */
	smp_mb();
	if (!ringdev_side_sleeps(ring, req->side)) {
		atomic64_inc(&ring->cnt.suppressed);
		trace_suppress(ring->id, req->side);
		return 0;
	}
	/*
	 * Latch before the wake-up: a poll() woken by it must see the latch.
	 * The sleep_seq read here may already be a newer sleep than the one
	 * the kicker saw; ringing that one early costs a spurious wake-up.
	 */
	if (!ringdev_side_is_multi(ring, req->side))
		WRITE_ONCE(ring->rung_seq[req->side],
			   READ_ONCE(ringdev_wake_block(ring, req->side)->sleep_seq));
	ringdev_ring_signal(ring, req->side);
	wake_up_interruptible_poll(&ring->wq,
				   req->side == RINGDEV_SIDE_CONS ?
				   EPOLLIN | EPOLLRDNORM :
				   EPOLLOUT | EPOLLWRNORM);
	atomic64_inc(&ring->cnt.wakeups);
	trace_wake(ring->id, req->side, RINGDEV_WAKE_KICK);
	return 0;
}

int ringdev_cmd_stats(struct ringdev_ctx *ctx, void *arg)
{
	ringdev_ring_fill_stats(ctx->ring, arg);
	return 0;
}

static int ringdev_ring_fop_release(struct inode *inode, struct file *file)
{
	ringdev_ring_put(file->private_data);
	return 0;
}

static long ringdev_ring_fop_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	return ringdev_ioctl(file, cmd, arg, file->private_data);
}

/*
 * poll: readable when the consumer's next slot is published, writable
 * when the producer's next slot is free (Vyukov sequence numbers), and
 * either when a KICK rang the sleep its side is in now.
 */
static __poll_t ringdev_ring_fop_poll(struct file *file, poll_table *wait)
{
	struct ringdev_ring *ring = file->private_data;
	struct ringdev_ctrl *ctrl = ringdev_ring_ctrl(ring);
	__poll_t mask = 0;
	u64 pos;

	poll_wait(file, &ring->wq, wait);

	/*
	 * A consumer about to sleep here needs the doorbell watched.  Arm
	 * (snapshot the doorbell) before looking at the slots: a message
	 * published after the look moves the doorbell after the snapshot.
	 */
	if (ringdev_side_sleeps(ring, RINGDEV_SIDE_CONS)) {
		ringdev_watch_arm(ring);
		smp_rmb();	/* doorbell before seq; pairs with the producer */
	}

	pos = READ_ONCE(ctrl->cons.pos);
	if (READ_ONCE(*ringdev_slot_seq(ring, pos)) == pos + 1 ||
	    ringdev_sleep_rung(ring, RINGDEV_SIDE_CONS))
		mask |= EPOLLIN | EPOLLRDNORM;
	pos = READ_ONCE(ctrl->prod.pos);
	if (READ_ONCE(*ringdev_slot_seq(ring, pos)) == pos ||
	    ringdev_sleep_rung(ring, RINGDEV_SIDE_PROD))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static void ringdev_vm_open(struct vm_area_struct *vma)
{
	struct ringdev_ring *ring = vma->vm_private_data;

	atomic_inc(&ring->nr_maps);
}

static void ringdev_vm_close(struct vm_area_struct *vma)
{
	struct ringdev_ring *ring = vma->vm_private_data;

	atomic_dec(&ring->nr_maps);
}

/*
 * remap_vmalloc_range() maps every page up front; a page is faulted in
 * again only after its PTE was zapped (madvise(MADV_DONTNEED) and the like).
 */
static vm_fault_t ringdev_vm_fault(struct vm_fault *vmf)
{
	struct ringdev_ring *ring = vmf->vma->vm_private_data;
	struct page *page;

	if (vmf->pgoff >= ring->map_size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	page = vmalloc_to_page(ring->mem + (vmf->pgoff << PAGE_SHIFT));
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct ringdev_vm_ops = {
	.open	= ringdev_vm_open,
	.close	= ringdev_vm_close,
	.fault	= ringdev_vm_fault,
};

/*
 * mmap: the whole region at RINGDEV_OFF_REGION, shared, exactly
 * region.size bytes.  The vma keeps the file, and so the ring, alive.
 */
static int ringdev_ring_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ringdev_ring *ring = file->private_data;
	int ret;

	if (vma->vm_pgoff != (RINGDEV_OFF_REGION >> PAGE_SHIFT))
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != ring->map_size)
		return -EINVAL;
	/* Private (copy-on-write) copies of a ring make no sense. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	ringdev_vm_flags_clear(vma, VM_MAYEXEC);
	ringdev_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	ret = remap_vmalloc_range(vma, ring->mem, 0);
	if (ret)
		return ret;
	vma->vm_private_data = ring;
	vma->vm_ops = &ringdev_vm_ops;
	ringdev_vm_open(vma);
	return 0;
}

const struct file_operations ringdev_ring_fops = {
	.owner		= THIS_MODULE,
	.release	= ringdev_ring_fop_release,
	.unlocked_ioctl	= ringdev_ring_fop_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= ringdev_ring_fop_mmap,
	.poll		= ringdev_ring_fop_poll,
	.llseek		= noop_llseek,
#ifdef CONFIG_IO_URING
	.uring_cmd	= ringdev_uring_cmd,
#endif
};

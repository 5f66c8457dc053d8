// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the /dev/ringdev misc device: module parameters, the name
 * table, per-user accounting and the control-fd commands (INFO, CREATE,
 * ATTACH, UNLINK, LIST).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/fcntl.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/sched.h>

#include "internal.h"
#include "trace.h"

#define RINGDEV_VERSION "0.1.0"

static unsigned int max_rings = 1024;
module_param(max_rings, uint, 0644);
MODULE_PARM_DESC(max_rings, "Most rings alive at once (default 1024)");

static unsigned long max_ring_bytes = 64UL << 20;
module_param(max_ring_bytes, ulong, 0644);
MODULE_PARM_DESC(max_ring_bytes,
		 "Largest ring region in bytes, control block included (default 64 MiB)");

static unsigned long max_user_bytes = 512UL << 20;
module_param(max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_bytes,
		 "Ring memory one uid may hold, in bytes (default 512 MiB)");

unsigned int watch_interval_us = 100;
module_param(watch_interval_us, uint, 0644);
MODULE_PARM_DESC(watch_interval_us,
		 "Doorbell watcher period in microseconds for device-producer rings, 10..1000000 (default 100)");

/* Guards ringdev_rings, the names, ringdev_nr_rings and ringdev_users. */
DEFINE_MUTEX(ringdev_lock);
LIST_HEAD(ringdev_rings);
unsigned int ringdev_nr_rings;

static DEFINE_IDA(ringdev_ida);

/* Ring memory charged to one uid; under ringdev_lock. */
struct ringdev_user {
	struct list_head node;
	kuid_t uid;
	u64 bytes;
};

static LIST_HEAD(ringdev_users);

static struct ringdev_user *ringdev_user_find(kuid_t uid)
{
	struct ringdev_user *u;

	lockdep_assert_held(&ringdev_lock);
	list_for_each_entry(u, &ringdev_users, node)
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

static int ringdev_user_charge(kuid_t uid, u64 bytes)
{
	struct ringdev_user *u = ringdev_user_find(uid);
	u64 limit = READ_ONCE(max_user_bytes);

	if (u) {
		if (u->bytes + bytes > limit)
			return -EDQUOT;
		u->bytes += bytes;
		return 0;
	}
	if (bytes > limit)
		return -EDQUOT;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	u->uid = uid;
	u->bytes = bytes;
	list_add(&u->node, &ringdev_users);
	return 0;
}

static void ringdev_user_uncharge(kuid_t uid, u64 bytes)
{
	struct ringdev_user *u = ringdev_user_find(uid);

	if (WARN_ON_ONCE(!u || u->bytes < bytes))
		return;
	u->bytes -= bytes;
	if (!u->bytes) {
		list_del(&u->node);
		kfree(u);
	}
}

/*
 * A name the user passed: NUL-terminated inside the buffer and made of
 * printable non-space ASCII ('!' to '~').  Returns its length, or -EINVAL.
 */
static int ringdev_check_name(const char *name)
{
	size_t len = strnlen(name, RINGDEV_NAME_MAX);
	size_t i;

	if (len == RINGDEV_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return -EINVAL;
	return len;
}

/* A linked ring by name, or NULL; under ringdev_lock. */
static struct ringdev_ring *ringdev_lookup(const char *name)
{
	struct ringdev_ring *ring;

	lockdep_assert_held(&ringdev_lock);
	list_for_each_entry(ring, &ringdev_rings, node)
		if (ring->linked && !strcmp(ring->name, name))
			return ring;
	return NULL;
}

/* Count one more ring and charge its bytes to uid, within the limits. */
static int ringdev_reserve(kuid_t uid, u64 bytes)
{
	int ret;

	mutex_lock(&ringdev_lock);
	if (ringdev_nr_rings >= READ_ONCE(max_rings)) {
		pr_info_ratelimited("%s: max_rings (%u) reached\n",
				    current->comm, ringdev_nr_rings);
		ret = -ENOSPC;
		goto out;
	}
	ret = ringdev_user_charge(uid, bytes);
	if (ret) {
		if (ret == -EDQUOT)
			pr_info_ratelimited("uid %u: max_user_bytes reached\n",
					    from_kuid(&init_user_ns, uid));
		goto out;
	}
	ringdev_nr_rings++;
out:
	mutex_unlock(&ringdev_lock);
	return ret;
}

static void __ringdev_unreserve(kuid_t uid, u64 bytes)
{
	lockdep_assert_held(&ringdev_lock);
	ringdev_nr_rings--;
	ringdev_user_uncharge(uid, bytes);
}

static void ringdev_unreserve(kuid_t uid, u64 bytes)
{
	mutex_lock(&ringdev_lock);
	__ringdev_unreserve(uid, bytes);
	mutex_unlock(&ringdev_lock);
}

/*
 * Called by ringdev_ring_put() with ringdev_lock held, when the last
 * reference went: forget the ring everywhere and give back its
 * reservation.  Drops ringdev_lock.
 */
void ringdev_ring_unregister(struct ringdev_ring *ring)
{
	list_del(&ring->node);
	ring->linked = false;
	__ringdev_unreserve(ring->uid, ring->map_size);
	ida_free(&ringdev_ida, ring->id);
	mutex_unlock(&ringdev_lock);
}

int ringdev_cmd_info(struct ringdev_ctx *ctx, void *arg)
{
	struct ringdev_info *info = arg;
	struct ringdev_user *u;

	memset(info, 0, sizeof(*info));
	info->abi_version = RINGDEV_ABI_VERSION;
	info->features = RINGDEV_FEAT_WATCHER;
	if (IS_ENABLED(CONFIG_IO_URING))
		info->features |= RINGDEV_FEAT_URING_CMD;
	info->max_rings = READ_ONCE(max_rings);
	info->max_ring_bytes = READ_ONCE(max_ring_bytes);

	mutex_lock(&ringdev_lock);
	info->nr_rings = ringdev_nr_rings;
	u = ringdev_user_find(current_fsuid());
	info->user_bytes = u ? u->bytes : 0;
	mutex_unlock(&ringdev_lock);
	return 0;
}

static int ringdev_check_fd_flags(u32 fd_flags)
{
	return fd_flags & ~(u32)O_CLOEXEC ? -EINVAL : 0;
}

int ringdev_cmd_create(struct ringdev_ctx *ctx, void *arg)
{
	struct ringdev_create *req = arg;
	struct ringdev_ring *ring;
	u64 region, bytes;
	int namelen, ret;
	kuid_t uid;
	u32 id;

	if (req->reserved0 || req->reserved[0] || req->reserved[1])
		return -EINVAL;
	if (ringdev_check_fd_flags(req->fd_flags))
		return -EINVAL;
	if (req->flags & ~RINGDEV_RING_F_ALL || req->mode & ~0777U)
		return -EINVAL;
	if (req->capacity < RINGDEV_CAPACITY_MIN ||
	    req->capacity > RINGDEV_CAPACITY_MAX ||
	    !is_power_of_2(req->capacity))
		return -EINVAL;
	if (req->slot_size < RINGDEV_SLOT_MIN ||
	    req->slot_size > RINGDEV_SLOT_MAX ||
	    !is_power_of_2(req->slot_size))
		return -EINVAL;
	namelen = ringdev_check_name(req->name);
	if (namelen < 0)
		return namelen;
	/* Both factors are bounded above: no overflow in 64 bits. */
	region = RINGDEV_CTRL_SIZE + (u64)req->capacity * req->slot_size;
	if (region > READ_ONCE(max_ring_bytes) || region > SIZE_MAX - PAGE_SIZE) {
		pr_info_ratelimited("%s: ring of %llu bytes over max_ring_bytes\n",
				    current->comm, region);
		return -E2BIG;
	}

	/*
	 * Reserve the ring count and the uid's bytes before allocating, so
	 * that a caller over its limits never gets the memory even briefly.
	 */
	uid = current_fsuid();
	bytes = PAGE_ALIGN(region);
	ret = ringdev_reserve(uid, bytes);
	if (ret)
		return ret;

	ring = ringdev_ring_alloc(req);
	if (IS_ERR(ring)) {
		ret = PTR_ERR(ring);
		goto err_unreserve;
	}

	mutex_lock(&ringdev_lock);
	if (namelen && ringdev_lookup(ring->name)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	ret = ida_alloc_range(&ringdev_ida, 1, INT_MAX, GFP_KERNEL);
	if (ret < 0)
		goto err_unlock;
	id = ret;
	ring->id = id;
	ring->linked = namelen > 0;
	list_add_tail(&ring->node, &ringdev_rings);
	mutex_unlock(&ringdev_lock);

	trace_create(id, ring->name, ring->capacity, ring->slot_size,
		     ring->flags);

	/*
	 * From here on the ring is registered and owns the reservation:
	 * the last put unregisters it and gives the reservation back.
	 */
	ret = ringdev_ring_open_fd(ring, req->fd_flags, ctx);
	if (ret) {
		ringdev_ring_put(ring);
		return ret;
	}
	req->fd = ctx->new_fd;
	req->ring_id = id;
	ringdev_ring_region(ring, &req->region);
	return 0;

err_unlock:
	mutex_unlock(&ringdev_lock);
	/* Never registered: the put frees it without unregistering. */
	ringdev_ring_put(ring);
err_unreserve:
	ringdev_unreserve(uid, bytes);
	return ret;
}

/* POSIX-shm-like check: owner, then group, then other bits; need rw. */
static int ringdev_may_attach(const struct ringdev_ring *ring)
{
	u32 mode = ring->mode;

	if (uid_eq(current_fsuid(), ring->uid))
		mode >>= 6;
	else if (in_group_p(ring->gid))
		mode >>= 3;
	if ((mode & 06) == 06 || capable(CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

int ringdev_cmd_attach(struct ringdev_ctx *ctx, void *arg)
{
	struct ringdev_attach *req = arg;
	struct ringdev_ring *ring;
	int ret;

	if (req->reserved[0] || req->reserved[1])
		return -EINVAL;
	if (ringdev_check_fd_flags(req->fd_flags))
		return -EINVAL;
	ret = ringdev_check_name(req->name);
	if (ret <= 0)
		return -EINVAL;

	mutex_lock(&ringdev_lock);
	ring = ringdev_lookup(req->name);
	if (!ring) {
		mutex_unlock(&ringdev_lock);
		return -ENOENT;
	}
	ret = ringdev_may_attach(ring);
	if (ret) {
		mutex_unlock(&ringdev_lock);
		return ret;
	}
	kref_get(&ring->ref);
	mutex_unlock(&ringdev_lock);

	ret = ringdev_ring_open_fd(ring, req->fd_flags, ctx);
	if (ret) {
		ringdev_ring_put(ring);
		return ret;
	}
	req->fd = ctx->new_fd;
	req->ring_id = ring->id;
	req->flags = ring->flags;
	ringdev_ring_region(ring, &req->region);
	return 0;
}

int ringdev_cmd_unlink(struct ringdev_ctx *ctx, void *arg)
{
	struct ringdev_unlink *req = arg;
	struct ringdev_ring *ring;
	int ret;

	ret = ringdev_check_name(req->name);
	if (ret <= 0)
		return -EINVAL;

	mutex_lock(&ringdev_lock);
	ring = ringdev_lookup(req->name);
	if (!ring)
		ret = -ENOENT;
	else if (!uid_eq(current_fsuid(), ring->uid) && !capable(CAP_FOWNER))
		ret = -EPERM;
	else
		ring->linked = false;
	mutex_unlock(&ringdev_lock);
	return ret < 0 ? ret : 0;
}

int ringdev_cmd_list(struct ringdev_ctx *ctx, void *arg)
{
	struct ringdev_list *req = arg;
	struct ringdev_stats *buf = NULL;
	struct ringdev_ring *ring;
	u32 n = 0, max;
	int ret = 0;

	mutex_lock(&ringdev_lock);
	req->total = list_count_nodes(&ringdev_rings);
	max = min(req->count, req->total);
	if (max) {
		buf = kvcalloc(max, sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			mutex_unlock(&ringdev_lock);
			return -ENOMEM;
		}
		list_for_each_entry(ring, &ringdev_rings, node) {
			if (n == max)
				break;
			ringdev_ring_fill_stats(ring, &buf[n++]);
		}
	}
	mutex_unlock(&ringdev_lock);

	/* Copy out without the lock: a fault may take mmap_lock. */
	if (n && copy_to_user(u64_to_user_ptr(req->entries), buf,
			      array_size(n, sizeof(*buf))))
		ret = -EFAULT;
	kvfree(buf);
	req->count = n;
	return ret;
}

static long ringdev_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	return ringdev_ioctl(file, cmd, arg, NULL);
}

static const struct file_operations ringdev_ctl_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= ringdev_ctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice ringdev_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ringdev",
	.fops	= &ringdev_ctl_fops,
	.mode	= 0660,
};

static int __init ringdev_init(void)
{
	int ret;

	ringdev_debugfs_init();
	ret = misc_register(&ringdev_misc);
	if (ret) {
		pr_err("misc_register failed: %d\n", ret);
		goto err_debugfs;
	}
	pr_info("version %s, ABI %u\n", RINGDEV_VERSION, RINGDEV_ABI_VERSION);
	return 0;

err_debugfs:
	ringdev_debugfs_exit();
	return ret;
}

static void __exit ringdev_exit(void)
{
	/* Every ring fd pins the module: no ring is left here. */
	misc_deregister(&ringdev_misc);
	ringdev_debugfs_exit();
	ida_destroy(&ringdev_ida);
}

module_init(ringdev_init);
module_exit(ringdev_exit);

MODULE_DESCRIPTION("ringdev: shared-memory message rings with eventfd, poll and io_uring doorbells");
MODULE_AUTHOR("ringdev developers");
MODULE_LICENSE("GPL v2");
MODULE_VERSION(RINGDEV_VERSION);

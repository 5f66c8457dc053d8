// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * dev.c - the driver transport: rings made, named and permission-checked by
 * ringdev.ko through /dev/ringdev, mapped from the ring fd.  Doorbells are
 * the KICK ioctl; a waiter polls the ring fd, whose readiness the driver
 * computes from the ring itself, so a wakeup cannot be lost between the
 * last check and the sleep.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <liburing.h>
#include "internal.h"

#define RINGDEV_DEV_PATH	"/dev/ringdev"

/*
 * Open the control device and check that it speaks our ABI.
 * Return: the fd, -ENODEV when absent or unusable, -EPROTO on a mismatch.
 */
int __ringdev_dev_open(void)
{
	struct ringdev_info info;
	int fd;

	fd = open(RINGDEV_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? -errno : -ENODEV;
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, RINGDEV_IOC_INFO, &info) < 0) {
		close(fd);
		return -ENODEV;
	}
	if (info.abi_version != RINGDEV_ABI_VERSION) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

static int dev_kick(struct ringdev_chan *c, unsigned int side)
{
	struct ringdev_kick k = { .side = side };

	return ioctl(c->mem_fd, RINGDEV_IOC_KICK, &k) < 0 ? -errno : 0;
}

/*
 * dev_kick() for batch.c: a KICK uring_cmd (cmd_op is the ioctl number, the
 * struct is the payload in the SQE's command area), completed inline by
 * the driver.  liburing 2.3 has no helper for it: filled by hand.
 */
static void dev_kick_sqe(struct ringdev_chan *c, unsigned int side,
			 struct io_uring_sqe *sqe)
{
	struct ringdev_kick k = { .side = side };

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = c->mem_fd;
	sqe->cmd_op = RINGDEV_IOC_KICK;
	memcpy((char *)sqe + offsetof(struct io_uring_sqe, cmd), &k, sizeof(k));
}

static int dev_wait_fd(struct ringdev_chan *c, unsigned int side, short *events)
{
	*events = side == RINGDEV_SIDE_CONS ? POLLIN : POLLOUT;
	return c->mem_fd;
}

static unsigned int dev_export_fds(struct ringdev_chan *c, int *fds)
{
	fds[0] = c->mem_fd;
	return 1;
}

static void dev_release(struct ringdev_chan *c)
{
	if (c->name[0]) {
		/* A named channel's name goes with its creator, as with shm. */
		struct ringdev_unlink u;
		int ctl = __ringdev_dev_open();

		if (ctl >= 0) {
			memset(&u, 0, sizeof(u));
			memcpy(u.name, c->name, sizeof(u.name));
			ioctl(ctl, RINGDEV_IOC_UNLINK, &u);
			close(ctl);
		}
	}
	if (c->mem)
		munmap(c->mem, c->map_len);
	if (c->mem_fd >= 0)
		close(c->mem_fd);
}

static const struct ringdev_transport_ops dev_ops = {
	.id = RINGDEV_TRANSPORT_DEV,
	.kick = dev_kick,
	.kick_sqe = dev_kick_sqe,
	.wait_fd = dev_wait_fd,
	.ack = NULL,
	.export_fds = dev_export_fds,
	.release = dev_release,
};

/* Wrap ring fd @fd (taken over on success) whose region is @size bytes. */
static int dev_wrap(int fd, __u64 size, struct ringdev_chan **out)
{
	struct ringdev_chan *c;
	int rc;

	c = __ringdev_chan_alloc(&dev_ops);
	if (!c)
		return -ENOMEM;
	rc = __ringdev_chan_map(c, fd, (size_t)size, RINGDEV_OFF_REGION);
	if (!rc)
		rc = ringdev_ring_attach(&c->ring, c->mem, c->map_len);
	if (rc) {
		ringdev_chan_close(c);	/* fd still closed by the caller */
		return rc;
	}
	c->mem_fd = fd;
	*out = c;
	return 0;
}

int __ringdev_dev_create(const struct ringdev_chan_opts *o, struct ringdev_chan **out)
{
	struct ringdev_create req;
	size_t n = 0;
	int ctl, rc;

	if (o->name)
		n = strlen(o->name);	/* checked by ringdev_chan_create() */
	ctl = __ringdev_dev_open();
	if (ctl < 0)
		return ctl;
	memset(&req, 0, sizeof(req));
	memcpy(req.name, o->name ? o->name : "", n);
	req.capacity = o->capacity;
	req.slot_size = o->slot_size;
	req.flags = o->ring_flags;
	req.mode = o->mode;
	req.fd_flags = O_CLOEXEC;
	rc = ioctl(ctl, RINGDEV_IOC_CREATE, &req) < 0 ? -errno : 0;
	close(ctl);
	if (rc)
		return rc;
	rc = dev_wrap(req.fd, req.region.size, out);
	if (rc) {
		close(req.fd);
		return rc;
	}
	(*out)->spin_ns = o->spin_ns;
	if (n) {
		memcpy((*out)->name, req.name, sizeof(req.name));
		(*out)->serves_name = true;
	}
	return 0;
}

int __ringdev_dev_attach(const char *name, struct ringdev_chan **out)
{
	struct ringdev_attach req;
	size_t n = strlen(name);	/* checked by ringdev_chan_attach() */
	int ctl, rc;

	ctl = __ringdev_dev_open();
	if (ctl < 0)
		return ctl;
	memset(&req, 0, sizeof(req));
	memcpy(req.name, name, n);
	req.fd_flags = O_CLOEXEC;
	rc = ioctl(ctl, RINGDEV_IOC_ATTACH, &req) < 0 ? -errno : 0;
	close(ctl);
	if (rc)
		return rc;
	rc = dev_wrap(req.fd, req.region.size, out);
	if (rc)
		close(req.fd);
	return rc;
}

int __ringdev_dev_adopt(const struct ringdev_hello *h, const int *fds,
			struct ringdev_chan **out)
{
	struct ringdev_stats st;
	__u64 size;

	if (h->nfds != 1)
		return -EBADMSG;
	/*
	 * Another driver may give RINGDEV_IOC_STATS's number another meaning:
	 * make sure it is a ring fd (an anon inode the driver names) first.
	 */
	if (__ringdev_fd_kind_is(fds[0], "anon_inode:[ringdev]") == 0)
		return -EBADMSG;
	/* Only the driver answers STATS on a ring fd: geometry we can trust. */
	memset(&st, 0, sizeof(st));
	if (ioctl(fds[0], RINGDEV_IOC_STATS, &st) < 0)
		return -EBADMSG;
	size = ringdev_ring_region_size(st.capacity, st.slot_size);
	if (!size || size != h->region_size)
		return -EBADMSG;
	return dev_wrap(fds[0], size, out);
}

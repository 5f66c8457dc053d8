// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * shm.c - the userspace transport: a ring in a sealed memfd, one eventfd
 * doorbell per side, sharing by SCM_RIGHTS or by name through an abstract
 * unix socket served by a small thread.  Needs no kernel module and no root.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <liburing.h>
#include "internal.h"

#define SHM_NFDS		3		/* memfd, consumer efd, producer efd */
#define SHM_SEALS		(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

static int shm_kick(struct ringdev_chan *c, unsigned int side)
{
	__u64 one = 1;

	/* Non-blocking: a saturated counter already means "wake up". */
	if (write(c->efd[side], &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

/* shm_kick() for batch.c: the same 8-byte write of 1, as an io_uring request. */
static void shm_kick_sqe(struct ringdev_chan *c, unsigned int side,
			 struct io_uring_sqe *sqe)
{
	static const __u64 one = 1;

	io_uring_prep_write(sqe, c->efd[side], &one, sizeof(one), 0);
}

static void shm_release(struct ringdev_chan *c)
{
	__ringdev_srv_stop(&c->name_srv);
	if (c->mem)
		munmap(c->mem, c->map_len);
	if (c->mem_fd >= 0)
		close(c->mem_fd);
	if (c->efd[0] >= 0)
		close(c->efd[0]);
	if (c->efd[1] >= 0)
		close(c->efd[1]);
}

static int shm_wait_fd(struct ringdev_chan *c, unsigned int side, short *events)
{
	*events = POLLIN;
	return c->efd[side];
}

static int shm_ack(struct ringdev_chan *c, unsigned int side)
{
	__u64 val;

	/* Reset the counter; another waiter may have beaten us to it. */
	if (read(c->efd[side], &val, sizeof(val)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static unsigned int shm_export_fds(struct ringdev_chan *c, int *fds)
{
	fds[0] = c->mem_fd;
	fds[1] = c->efd[RINGDEV_SIDE_CONS];
	fds[2] = c->efd[RINGDEV_SIDE_PROD];
	return SHM_NFDS;
}

static const struct ringdev_transport_ops shm_ops = {
	.id = RINGDEV_TRANSPORT_SHM,
	.kick = shm_kick,
	.kick_sqe = shm_kick_sqe,
	.wait_fd = shm_wait_fd,
	.ack = shm_ack,
	.export_fds = shm_export_fds,
	.release = shm_release,
};

static size_t page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) & ~(pg - 1);
}

/* A name becomes the abstract socket "@ringdev/<name>". */
#define SHM_NAME_PREFIX	"ringdev/"

/* May the process behind @cred attach to a channel of @mode? */
static bool shm_admits(const struct ucred *cred, __u32 mode)
{
	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	if (cred->gid == getegid() && (mode & 0060) == 0060)
		return true;
	return (mode & 0006) == 0006;
}

/* Hand the channel to a process that connected by name, or say why not. */
static void shm_serve(void *arg, int sock, const struct ucred *peer)
{
	struct ringdev_chan *c = arg;
	struct ringdev_hello deny = {
		.magic = RINGDEV_HELLO_MAGIC,
		.abi_version = RINGDEV_ABI_VERSION,
		.status = -EACCES,
	};

	if (shm_admits(peer, c->mode)) {
		/* The channel keeps its own duplicate as the liveness link. */
		deny.status = ringdev_chan_send_fds(c, sock);
		if (!deny.status || deny.status == -EPIPE)
			return;
	}
	/* Nothing was sent (denied, or e.g. -EMFILE): tell the client why. */
	__ringdev_send_hello(sock, &deny, NULL);
}

static int shm_publish(struct ringdev_chan *c, const char *name, __u32 mode)
{
	c->mode = mode;
	c->serves_name = true;
	return __ringdev_srv_start(&c->name_srv, SOCK_SEQPACKET, SHM_NAME_PREFIX, name,
				   shm_serve, c);
}

int __ringdev_shm_create(const struct ringdev_chan_opts *o, struct ringdev_chan **out)
{
	struct ringdev_ring_params p = {
		.capacity = o->capacity,
		.slot_size = o->slot_size,
		.flags = o->ring_flags,
		.name = o->name,
	};
	struct ringdev_chan *c;
	size_t size, len;
	char label[16 + RINGDEV_NAME_MAX];
	int rc;

	size = ringdev_ring_region_size(o->capacity, o->slot_size);
	if (!size)
		return -EINVAL;
	c = __ringdev_chan_alloc(&shm_ops);
	if (!c)
		return -ENOMEM;
	c->spin_ns = o->spin_ns;
	snprintf(label, sizeof(label), "ringdev:%s", o->name ? o->name : "anon");
	c->mem_fd = memfd_create(label, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (c->mem_fd < 0) {
		rc = -errno;
		goto fail;
	}
	len = page_round(size);
	if (ftruncate(c->mem_fd, (off_t)len) < 0 ||
	    /* Sealed size: no peer can truncate the ring under us (SIGBUS). */
	    fcntl(c->mem_fd, F_ADD_SEALS, SHM_SEALS) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = __ringdev_chan_map(c, c->mem_fd, len, 0);
	if (!rc)
		rc = ringdev_ring_format(c->mem, len, &p);
	if (!rc)
		rc = ringdev_ring_attach(&c->ring, c->mem, len);
	if (rc)
		goto fail;
	/*
	 * Where several may sleep on one side, each doorbell must wake one
	 * of them: a plain eventfd lets the first reader reset it for all.
	 */
	c->efd[RINGDEV_SIDE_CONS] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK |
					   (o->ring_flags & RINGDEV_RING_F_MC ? EFD_SEMAPHORE : 0));
	c->efd[RINGDEV_SIDE_PROD] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK |
					   (o->ring_flags & RINGDEV_RING_F_MP ? EFD_SEMAPHORE : 0));
	if (c->efd[0] < 0 || c->efd[1] < 0) {
		rc = -errno;
		goto fail;
	}
	if (o->name) {
		rc = shm_publish(c, o->name, o->mode);
		if (rc)
			goto fail;
	}
	*out = c;
	return 0;
fail:
	ringdev_chan_close(c);
	return rc;
}

/* Is @fd an eventfd?  Received fds are untrusted. */
static int check_eventfd(int fd)
{
	/* Without /proc the non-blocking flag still bounds us. */
	if (__ringdev_fd_kind_is(fd, "anon_inode:[eventfd]") == 0)
		return -EBADMSG;
	/* We must never block writing a doorbell. */
	return fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ? -errno : 0;
}

int __ringdev_shm_adopt(const struct ringdev_hello *h, const int *fds,
			struct ringdev_chan **out)
{
	struct ringdev_chan *c;
	struct stat st;
	unsigned int i;
	int rc, seals;

	if (h->nfds != SHM_NFDS)
		return -EBADMSG;
	/* The memory must be a memfd sealed against resizing. */
	seals = fcntl(fds[0], F_GET_SEALS);
	if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) !=
			 (F_SEAL_SHRINK | F_SEAL_GROW) ||
	    /* A ring we could not write is no ring to us. */
	    (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) ||
	    fstat(fds[0], &st) < 0 || h->region_size < RINGDEV_CTRL_SIZE ||
	    h->region_size > (__u64)st.st_size)
		return -EBADMSG;
	for (i = 1; i < SHM_NFDS; i++) {
		rc = check_eventfd(fds[i]);
		if (rc)
			return rc;
	}
	c = __ringdev_chan_alloc(&shm_ops);
	if (!c)
		return -ENOMEM;
	c->mem_fd = fds[0];
	c->efd[RINGDEV_SIDE_CONS] = fds[1];
	c->efd[RINGDEV_SIDE_PROD] = fds[2];
	rc = __ringdev_chan_map(c, c->mem_fd, page_round((size_t)h->region_size), 0);
	if (!rc)
		rc = ringdev_ring_attach(&c->ring, c->mem, c->map_len);
	if (rc) {
		/* The caller still owns the fds on failure. */
		c->mem_fd = c->efd[0] = c->efd[1] = -1;
		ringdev_chan_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

int __ringdev_shm_attach(const char *name, struct ringdev_chan **out)
{
	int sock = __ringdev_srv_connect(SHM_NAME_PREFIX, name, SOCK_SEQPACKET), rc;

	if (sock < 0)
		return sock;
	rc = ringdev_chan_recv_fds(sock, out);
	close(sock);
	return rc;
}

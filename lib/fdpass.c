// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * fdpass.c - moving a channel between processes: the hello message and its
 * SCM_RIGHTS fds, sent and received the same way for every transport.
 * Everything received is untrusted; the transports validate the fds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "internal.h"

int __ringdev_send_hello(int sock, const struct ringdev_hello *h, const int *fds)
{
	char cbuf[CMSG_SPACE(RINGDEV_MAX_FDS * sizeof(int))];
	struct iovec iov = { (void *)h, sizeof(*h) };
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;

	if (h->nfds > RINGDEV_MAX_FDS)
		return -EINVAL;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (h->nfds) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(h->nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(h->nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, h->nfds * sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(*h) ? 0 : -EIO;
}

/*
 * Receive a hello and exactly h->nfds fds into @fds (RINGDEV_MAX_FDS
 * entries, unused ones -1).  On any error every received fd is closed.
 */
int __ringdev_recv_hello(int sock, struct ringdev_hello *h, int *fds)
{
	char cbuf[CMSG_SPACE(RINGDEV_MAX_FDS * sizeof(int))];
	struct iovec iov = { h, sizeof(*h) };
	unsigned int i, nfds = 0;
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;
	int rc = 0;

	for (i = 0; i < RINGDEV_MAX_FDS; i++)
		fds[i] = -1;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* Collect whatever fds came, so that every error path closes them. */
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (nfds < RINGDEV_MAX_FDS)
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	if (n == 0)
		rc = -EPIPE;
	else if ((size_t)n != sizeof(*h) || h->magic != RINGDEV_HELLO_MAGIC ||
		 h->reserved || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		rc = -EBADMSG;
	else if (h->abi_version != RINGDEV_ABI_VERSION)
		rc = -EPROTO;
	else if (h->status)
		rc = h->status < 0 && h->status > -4096 ? h->status : -EBADMSG;
	else if (h->nfds != nfds)
		rc = -EBADMSG;
	if (rc) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		for (i = 0; i < RINGDEV_MAX_FDS; i++)
			fds[i] = -1;
	}
	return rc;
}

/*
 * Is @fd what /proc calls @kind (e.g. "anon_inode:[eventfd]")?  Received
 * fds are untrusted.  Return: 1 yes, 0 no, -1 unknown (no /proc).
 */
int __ringdev_fd_kind_is(int fd, const char *kind)
{
	char path[32], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	return !strcmp(target, kind);
}

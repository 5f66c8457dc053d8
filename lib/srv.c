// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * srv.c - the small servers behind names: a listening abstract unix socket
 * ("@<prefix><name>") and a thread that hands each connection, with its
 * peer's credentials, to a callback.  Used by named shm channels and by
 * runtimes that serve telemetry.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "internal.h"

int __ringdev_abstract_addr(const char *prefix, const char *name,
			    struct sockaddr_un *sun, socklen_t *len)
{
	size_t p = strlen(prefix), n;
	int rc = __ringdev_name_check(name);

	if (rc)
		return rc;
	n = strlen(name);
	if (1 + p + n > sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* Abstract: sun_path[0] is NUL, the name follows, no terminator. */
	memcpy(sun->sun_path + 1, prefix, p);
	memcpy(sun->sun_path + 1 + p, name, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + p + n);
	return 0;
}

/*
 * Connect to the abstract socket "@<prefix><name>" of @type and make sure
 * the server is our own uid or root (anyone can bind an abstract name).
 * Return: the socket; -ENOENT when nobody serves the name, -EACCES for a
 * stranger's server, -EINVAL/-ENAMETOOLONG for a bad name, -errno.
 */
int __ringdev_srv_connect(const char *prefix, const char *name, int type)
{
	struct sockaddr_un sun;
	struct ucred cred;
	socklen_t len, clen = sizeof(cred);
	int sock, rc;

	rc = __ringdev_abstract_addr(prefix, name, &sun, &len);
	if (rc)
		return rc;
	sock = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	if (connect(sock, (struct sockaddr *)&sun, len) < 0) {
		rc = errno == ECONNREFUSED ? -ENOENT : -errno;
		goto fail;
	}
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		rc = -errno;
		goto fail;
	}
	if (cred.uid != 0 && cred.uid != geteuid()) {
		rc = -EACCES;
		goto fail;
	}
	return sock;
fail:
	close(sock);
	return rc;
}

static void *srv_loop(void *arg)
{
	struct ringdev_srv *s = arg;
	struct pollfd pfd[2] = {
		{ .fd = s->listen_fd, .events = POLLIN },
		{ .fd = s->stop_fd, .events = POLLIN },
	};

	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int sock;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents || (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			break;
		sock = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (sock < 0)
			continue;
		/* No credentials, no service. */
		if (!getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len))
			s->serve(s->arg, sock, &cred);
		close(sock);
	}
	return NULL;
}

int __ringdev_srv_start(struct ringdev_srv *s, int type, const char *prefix,
			const char *name, ringdev_srv_fn serve, void *arg)
{
	struct sockaddr_un sun;
	socklen_t len;
	int rc;

	if (s->running)
		return -EBUSY;
	rc = __ringdev_abstract_addr(prefix, name, &sun, &len);
	if (rc)
		return rc;
	s->serve = serve;
	s->arg = arg;
	s->stop_fd = -1;
	s->listen_fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return -errno;
	if (bind(s->listen_fd, (struct sockaddr *)&sun, len) < 0) {
		rc = errno == EADDRINUSE ? -EEXIST : -errno;
		goto fail;
	}
	if (listen(s->listen_fd, 16) < 0) {
		rc = -errno;
		goto fail;
	}
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = -pthread_create(&s->thread, NULL, srv_loop, s);
	if (rc)
		goto fail;
	s->running = true;
	return 0;
fail:
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	close(s->listen_fd);
	s->listen_fd = s->stop_fd = -1;
	return rc;
}

void __ringdev_srv_stop(struct ringdev_srv *s)
{
	__u64 one = 1;

	if (!s->running)
		return;
	/* Should the doorbell fail, a shut-down listener stops it too. */
	if (write(s->stop_fd, &one, sizeof(one)) < 0)
		shutdown(s->listen_fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	close(s->stop_fd);
	s->listen_fd = s->stop_fd = -1;
	s->running = false;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * pingpong.c - two processes exchange messages over two shm channels.
 *
 * The parent creates a "ping" and a "pong" channel and hands both to its
 * child over a unix socket; the child echoes every ping as a pong until the
 * parent goes away (-EPIPE).  The parent sends N messages and checks each
 * reply.  Build: make examples; run: build/examples/pingpong [N].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <ringdev/ringdev.h>

static int child(int sock)
{
	struct ringdev_chan *ping, *pong;
	struct ringdev_envelope env;
	char buf[256];
	int n;

	if (ringdev_chan_recv_fds(sock, &ping) || ringdev_chan_recv_fds(sock, &pong))
		return 1;
	close(sock);	/* the channels keep their own link to the parent */
	while ((n = ringdev_chan_recv(ping, &env, buf, sizeof(buf), RINGDEV_WAIT_FOREVER)) >= 0)
		if (ringdev_chan_send(pong, &env, buf, RINGDEV_WAIT_FOREVER))
			return 1;
	ringdev_chan_close(ping);
	ringdev_chan_close(pong);
	return n == -EPIPE ? 0 : 1;	/* -EPIPE: the parent is done */
}

int main(int argc, char **argv)
{
	long i, count = argc > 1 ? atol(argv[1]) : 10000;
	struct ringdev_chan *ping, *pong;
	struct ringdev_envelope env, got;
	char msg[64], buf[256];
	int sv[2], n, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(sv[0]);
		_exit(child(sv[1]));
	}
	close(sv[1]);
	if (ringdev_chan_create(NULL, &ping) || ringdev_chan_create(NULL, &pong) ||
	    ringdev_chan_send_fds(ping, sv[0]) || ringdev_chan_send_fds(pong, sv[0]))
		return 1;
	close(sv[0]);
	for (i = 0; i < count; i++) {
		memset(&env, 0, sizeof(env));
		env.msg_id = (__u64)i;
		env.len = (__u32)snprintf(msg, sizeof(msg), "ping %ld", i);
		n = ringdev_chan_send(ping, &env, msg, RINGDEV_WAIT_FOREVER);
		if (!n)
			n = ringdev_chan_recv(pong, &got, buf, sizeof(buf), RINGDEV_WAIT_FOREVER);
		if (n < 0 || got.msg_id != (__u64)i || got.len != env.len ||
		    memcmp(buf, msg, env.len)) {
			fprintf(stderr, "pingpong: message %ld: %s\n", i,
				n < 0 ? ringdev_strerror(n) : "wrong reply");
			return 1;
		}
	}
	ringdev_chan_close(ping);	/* the child sees -EPIPE and exits */
	ringdev_chan_close(pong);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	printf("pingpong: %ld round trips ok (libringdev %s)\n", count, ringdev_version());
	return 0;
}

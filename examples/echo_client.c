// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * echo_client.c - the client of echo_server.c: attach to NAME.req and
 * NAME.rep by name, send N requests, check every reply, then tell the
 * server to quit.  Run: build/examples/echo_client NAME [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ringdev/ringdev.h>

#define ECHO_REQ	1
#define ECHO_QUIT	2

/* The server may still be starting: retry -ENOENT for up to five seconds. */
static int attach(const char *name, struct ringdev_chan **c)
{
	int rc, tries;

	for (tries = 0; tries < 500; tries++) {
		rc = ringdev_chan_attach(name, RINGDEV_TRANSPORT_AUTO, c);
		if (rc != -ENOENT)
			return rc;
		usleep(10000);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct ringdev_chan *req = NULL, *rep = NULL;
	struct ringdev_envelope env, got;
	char name[2][64], msg[64], buf[256];
	long i, count;
	int rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: echo_client NAME [N]\n");
		return 2;
	}
	count = argc > 2 ? atol(argv[2]) : 1000;
	snprintf(name[0], sizeof(name[0]), "%s.req", argv[1]);
	snprintf(name[1], sizeof(name[1]), "%s.rep", argv[1]);

	rc = attach(name[0], &req);
	if (!rc)
		rc = attach(name[1], &rep);
	for (i = 0; !rc && i < count; i++) {
		memset(&env, 0, sizeof(env));
		env.type = ECHO_REQ;
		env.msg_id = (__u64)i;
		env.len = (__u32)snprintf(msg, sizeof(msg), "request %ld", i);
		rc = ringdev_chan_send(req, &env, msg, RINGDEV_WAIT_FOREVER);
		if (rc)
			break;
		/* -EPIPE here means the server went away. */
		rc = ringdev_chan_recv(rep, &got, buf, sizeof(buf), 5000000000LL);
		if (rc < 0)
			break;
		if (got.msg_id != env.msg_id || got.len != env.len ||
		    memcmp(buf, msg, env.len)) {
			fprintf(stderr, "echo_client: request %ld: wrong reply\n", i);
			return 1;
		}
		rc = 0;
	}
	if (!rc) {
		memset(&env, 0, sizeof(env));
		env.type = ECHO_QUIT;
		rc = ringdev_chan_send(req, &env, NULL, RINGDEV_WAIT_FOREVER);
	}
	ringdev_chan_close(req);
	ringdev_chan_close(rep);
	if (rc) {
		fprintf(stderr, "echo_client: request %ld: %s\n", i, ringdev_strerror(rc));
		return 1;
	}
	printf("echo_client: %ld requests echoed\n", count);
	return 0;
}

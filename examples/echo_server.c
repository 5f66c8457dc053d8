// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * echo_server.c - serve requests from another process with a ring kernel.
 *
 * The server opens a runtime with one "echo" kernel, creates two named
 * channels, NAME.req (client to server) and NAME.rep (server to client),
 * and answers every request by ringdev_call()ing the kernel and sending
 * the reply back with the request's msg_id.  A message of type ECHO_QUIT
 * ends it.  Run echo_client with the same NAME (tests/examples-test.sh
 * does): build/examples/echo_server NAME & build/examples/echo_client NAME
 */
#include <stdio.h>
#include <string.h>
#include <ringdev/ringdev.h>

#define ECHO_REQ	1
#define ECHO_QUIT	2

/* The kernel: answer each call with its own request. */
static int echo(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		const void *payload)
{
	return ringdev_ctx_reply(ctx, payload, env->len);
}

static const struct ringdev_kernel_type echo_type = {
	.name = "echo",
	.handler = echo,
};

static int serve(struct ringdev_kernel *k, struct ringdev_chan *req,
		 struct ringdev_chan *rep, long *served)
{
	struct ringdev_envelope env;
	char buf[256], out[256];
	int n;

	for (;;) {
		n = ringdev_chan_recv(req, &env, buf, sizeof(buf), RINGDEV_WAIT_FOREVER);
		if (n < 0)
			return n;
		if (env.type == ECHO_QUIT)
			return 0;
		n = ringdev_call(k, env.type, buf, (__u32)n, out, sizeof(out),
				 1000000000LL);
		if (n < 0)
			return n;
		/* Keep type and msg_id: they tell the client which request this answers. */
		env.len = (__u32)n;
		n = ringdev_chan_send(rep, &env, out, RINGDEV_WAIT_FOREVER);
		if (n < 0)
			return n;
		(*served)++;
	}
}

int main(int argc, char **argv)
{
	struct ringdev_chan *req = NULL, *rep = NULL;
	struct ringdev_chan_opts o;
	struct ringdev_launch_opts lo;
	struct ringdev_kernel *k;
	struct ringdev_rt *rt;
	char name[2][64];
	long served = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: echo_server NAME\n");
		return 2;
	}
	snprintf(name[0], sizeof(name[0]), "%s.req", argv[1]);
	snprintf(name[1], sizeof(name[1]), "%s.rep", argv[1]);

	rc = ringdev_rt_open(NULL, &rt);
	if (rc)
		goto out;
	rc = ringdev_rt_register(rt, &echo_type);
	ringdev_launch_opts_init(&lo);
	lo.flags = RINGDEV_LAUNCH_ACTIVATE;
	if (!rc)
		rc = ringdev_kernel_spawn(rt, "echo", &lo, &k);

	/* Named channels: the client attaches by name, no socket of our own. */
	ringdev_chan_opts_init(&o);
	o.name = name[0];
	if (!rc)
		rc = ringdev_chan_create(&o, &req);
	o.name = name[1];
	if (!rc)
		rc = ringdev_chan_create(&o, &rep);
	if (!rc)
		rc = serve(k, req, rep, &served);

	ringdev_chan_close(req);	/* removes the names */
	ringdev_chan_close(rep);
	ringdev_rt_close(rt);
out:
	if (rc) {
		fprintf(stderr, "echo_server: %s\n", ringdev_strerror(rc));
		return 1;
	}
	printf("echo_server: served %ld requests\n", served);
	return 0;
}

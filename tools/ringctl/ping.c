// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * ping.c - `ringctl ping`: round trips through an echo service speaking the
 * protocol of examples/echo_server.c (requests of type 1 on NAME.req, the
 * reply with the same msg_id on NAME.rep), or with --local through an
 * in-process runtime's echo kernel with ringdev_call().
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "ringctl.h"

#define ECHO_REQ		1		/* examples/echo_server.c */
#define PING_TIMEOUT_NS		2000000000LL	/* per round trip */
#define PING_MAX_COUNT		10000000U

/* The local echo kernel: answer each call with its own request. */
static int local_echo(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		      const void *payload)
{
	return ringdev_ctx_reply(ctx, payload, env->len);
}

/* Order doubles for qsort(). */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The value at percentile @pct of sorted @v (nearest rank). */
static double pctl(const double *v, unsigned int n, unsigned int pct)
{
	unsigned long rank = ((unsigned long)n * pct + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

/* Round trips through NAME.req / NAME.rep; fills @us. */
static int ping_echo(const char *name, unsigned int count, __u32 size, double *us,
		     const char **what)
{
	struct ringdev_chan *req = NULL, *rep = NULL;
	char rname[RINGDEV_NAME_MAX + 8], *msg, *buf;
	struct ringdev_envelope env, got;
	__u64 base = rc_now_ns();
	unsigned int i;
	int rc;

	msg = malloc(size + 1);
	buf = malloc(RINGDEV_SLOT_MAX);
	if (!msg || !buf) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < size; i++)
		msg[i] = (char)('a' + i % 26);
	*what = "attach NAME.req";
	snprintf(rname, sizeof(rname), "%s.req", name);
	rc = strlen(rname) < RINGDEV_NAME_MAX ?
	     ringdev_chan_attach(rname, RINGDEV_TRANSPORT_AUTO, &req) : -ENAMETOOLONG;
	if (rc)
		goto out;
	*what = "attach NAME.rep";
	snprintf(rname, sizeof(rname), "%s.rep", name);
	rc = ringdev_chan_attach(rname, RINGDEV_TRANSPORT_AUTO, &rep);
	if (rc)
		goto out;
	*what = "request";
	if (size > ringdev_ring_max_payload(ringdev_chan_ring(req))) {
		rc = -EMSGSIZE;
		goto out;
	}
	/* Replies left over from an earlier client would confuse us. */
	while (ringdev_chan_recv(rep, &got, buf, RINGDEV_SLOT_MAX, 0) >= 0)
		;
	for (i = 0; i < count && !rc_stop_requested(); i++) {
		__u64 t0, deadline;

		memset(&env, 0, sizeof(env));
		env.type = ECHO_REQ;
		/* Unique to this run, so that a stale reply is never taken for ours. */
		env.msg_id = base + i;
		env.len = size;
		t0 = rc_now_ns();
		rc = ringdev_chan_send(req, &env, msg, PING_TIMEOUT_NS);
		if (rc)
			goto out;
		deadline = t0 + PING_TIMEOUT_NS;
		for (;;) {
			__u64 now = rc_now_ns();

			if (now >= deadline) {
				rc = -ETIMEDOUT;
				goto out;
			}
			rc = ringdev_chan_recv(rep, &got, buf, RINGDEV_SLOT_MAX,
					       (__s64)(deadline - now));
			if (rc < 0)
				goto out;
			if (got.msg_id == env.msg_id)
				break;
		}
		us[i] = (double)(rc_now_ns() - t0) / 1000.0;
		if ((__u32)rc != size || memcmp(buf, msg, size)) {
			*what = "reply";
			rc = -EBADMSG;
			goto out;
		}
		rc = 0;
	}
	if (i < count)
		rc = -EINTR;
out:
	ringdev_chan_close(req);
	ringdev_chan_close(rep);
	free(msg);
	free(buf);
	return rc;
}

/* Round trips through an in-process echo kernel with ringdev_call(). */
static int ping_local(unsigned int count, __u32 size, double *us, const char **what)
{
	static const struct ringdev_kernel_type echo = {
		.name = "echo",
		.handler = local_echo,
	};
	struct ringdev_launch_opts lo;
	struct ringdev_kernel *k;
	struct ringdev_rt *rt;
	char *msg, *buf;
	unsigned int i;
	int rc;

	msg = calloc(1, size + 1);
	buf = malloc(RINGDEV_SLOT_MAX);
	if (!msg || !buf) {
		free(msg);
		free(buf);
		return -ENOMEM;
	}
	*what = "runtime";
	rc = ringdev_rt_open(NULL, &rt);
	if (rc)
		goto out_free;
	rc = ringdev_rt_register(rt, &echo);
	ringdev_launch_opts_init(&lo);
	lo.flags = RINGDEV_LAUNCH_ACTIVATE;
	if (size + RINGDEV_SLOT_HDR_SIZE > lo.slot_size)
		for (lo.slot_size = RINGDEV_SLOT_MIN;
		     lo.slot_size < size + RINGDEV_SLOT_HDR_SIZE; lo.slot_size <<= 1)
			;
	if (!rc)
		rc = ringdev_kernel_spawn(rt, "echo", &lo, &k);
	*what = "call";
	for (i = 0; !rc && i < count && !rc_stop_requested(); i++) {
		__u64 t0 = rc_now_ns();

		rc = ringdev_call(k, ECHO_REQ, msg, size, buf, RINGDEV_SLOT_MAX, PING_TIMEOUT_NS);
		us[i] = (double)(rc_now_ns() - t0) / 1000.0;
		if (rc >= 0)
			rc = (__u32)rc == size ? 0 : -EBADMSG;
	}
	if (!rc && i < count)
		rc = -EINTR;
	ringdev_rt_close(rt);
out_free:
	free(msg);
	free(buf);
	return rc;
}

static const struct option ping_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "count", required_argument, NULL, 'c' },
	{ "size", required_argument, NULL, 's' },
	{ "local", no_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/**
 * cmd_ping() - `ringctl ping NAME|--local [--count N] [--size B] [--json]`
 * @argc: argument count
 * @argv: arguments; argv[0] is "ping"
 *
 * Return: RC_OK, RC_ERR or RC_USAGE.
 */
int cmd_ping(int argc, char **argv)
{
	__u32 count = 100, size = 64;
	const char *name = NULL, *what = "ping";
	bool local = false;
	char where[128];
	double *us, sum = 0;
	unsigned int i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jc:s:lh", ping_opts, NULL)) != -1) {
		switch (c) {
		case 'j': rc_g.json = true; break;
		case 'c':
			if (rc_parse_u32(optarg, &count) || !count || count > PING_MAX_COUNT)
				return rc_usage_error("ping", "bad --count '%s'", optarg);
			break;
		case 's':
			if (rc_parse_u32(optarg, &size) ||
			    size > RINGDEV_SLOT_MAX - RINGDEV_SLOT_HDR_SIZE)
				return rc_usage_error("ping", "bad --size '%s'", optarg);
			break;
		case 'l': local = true; break;
		case 'h':
			printf("usage: ringctl ping NAME [--count N] [--size B] [--json]\n"
			       "       ringctl ping --local [--count N] [--size B] [--json]\n"
			       "  Round trips through the echo service NAME (examples/echo_server:\n"
			       "  requests on NAME.req, replies on NAME.rep), or with --local through\n"
			       "  an in-process runtime's echo kernel (ringdev_call).  Reports min,\n"
			       "  p50, p90, p99 and max in microseconds.  Defaults: 100 x 64 bytes.\n");
			return RC_OK;
		default:
			return rc_bad_option("ping", argv);
		}
	}
	if (local ? argc != optind : argc - optind != 1)
		return rc_usage_error("ping", local ? "--local takes no NAME" : "expected one NAME");
	if (!local)
		name = argv[optind];
	us = calloc(count, sizeof(*us));
	if (!us) {
		rc_err("ping", -ENOMEM);
		return RC_ERR;
	}
	rc_catch_signals();
	rc = local ? ping_local(count, size, us, &what) : ping_echo(name, count, size, us, &what);
	if (rc) {
		snprintf(where, sizeof(where), "ping %s: %s", local ? "--local" : name, what);
		rc_err(where, rc);
		free(us);
		return RC_ERR;
	}
	for (i = 0; i < count; i++)
		sum += us[i];
	qsort(us, count, sizeof(*us), cmp_double);
	if (rc_g.json) {
		struct jw w;

		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "target", local ? NULL : name);
		jw_str(&w, "mode", local ? "local" : "echo");
		jw_u64(&w, "count", count);
		jw_u64(&w, "size", size);
		jw_dbl(&w, "min_us", us[0]);
		jw_dbl(&w, "p50_us", pctl(us, count, 50));
		jw_dbl(&w, "p90_us", pctl(us, count, 90));
		jw_dbl(&w, "p99_us", pctl(us, count, 99));
		jw_dbl(&w, "max_us", us[count - 1]);
		jw_dbl(&w, "mean_us", sum / count);
		jw_obj_end(&w);
		jw_finish(&w);
	} else {
		printf("%s: %u round trips of %u bytes\n", local ? "local echo kernel" : name,
		       count, size);
		printf("  min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f us\n",
		       us[0], pctl(us, count, 50), pctl(us, count, 90), pctl(us, count, 99),
		       us[count - 1], sum / count);
	}
	free(us);
	return RC_OK;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * rt_telemetry.c - ringdev_rt_serve_telemetry(): the "@ringdev-rt/<name>"
 * socket serves one JSON snapshot per connection and stops with the
 * runtime.  Run with arguments it is also the peer that
 * tests/ringctl-test.sh drives:
 *   rt_telemetry serve NAME SECONDS       a runtime with traffic, serving NAME
 *   rt_telemetry fill RING N SECONDS [shm|dev] [corrupt]
 *                                        a named ring holding N known messages
 * Both print "ready" once usable and run until SECONDS pass or SIGTERM.
 */
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "test.h"

static volatile sig_atomic_t stop;

/* The echo kernel of the runtime under test. */
static int echo(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		const void *payload)
{
	return ringdev_ctx_reply(ctx, payload, env->len);
}

/* A kernel that only counts. */
static int sink(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		const void *payload)
{
	(void)ctx;
	(void)env;
	(void)payload;
	return 0;
}

static const struct ringdev_kernel_type echo_type = { .name = "echo", .handler = echo };
static const struct ringdev_kernel_type sink_type = { .name = "sink", .handler = sink };

/* A runtime with an echo and a sink kernel, both active. */
static int open_rt(struct ringdev_rt **rt, struct ringdev_kernel **e, struct ringdev_kernel **s)
{
	struct ringdev_launch_opts lo;
	int rc;

	rc = ringdev_rt_open(NULL, rt);
	if (rc)
		return rc;
	ringdev_launch_opts_init(&lo);
	lo.flags = RINGDEV_LAUNCH_ACTIVATE;
	rc = ringdev_rt_register(*rt, &echo_type);
	if (!rc)
		rc = ringdev_rt_register(*rt, &sink_type);
	if (!rc)
		rc = ringdev_kernel_spawn(*rt, "echo", &lo, e);
	if (!rc)
		rc = ringdev_kernel_spawn(*rt, "sink", &lo, s);
	if (rc)
		ringdev_rt_close(*rt);
	return rc;
}

/* The snapshot through ringdev_rt_fetch_telemetry(), into @buf. */
static int fetch(const char *name, char *buf, size_t cap)
{
	size_t len = 0;
	char *json;
	int rc = ringdev_rt_fetch_telemetry(name, &json, &len);

	if (rc)
		return rc;
	if (len != strlen(json) || len >= cap) {
		free(json);
		return -EMSGSIZE;
	}
	memcpy(buf, json, len + 1);
	free(json);
	return (int)len;
}

/* A snapshot comes back with both kernels and their counters. */
static int t_serve(void)
{
	struct ringdev_kernel *e, *s;
	struct ringdev_rt *rt;
	char name[32], buf[8192], out[16], *json = (char *)1;
	int rc, i;

	snprintf(name, sizeof(name), "t%d", (int)getpid());
	T_EQ(open_rt(&rt, &e, &s), 0);
	T_EQ(ringdev_rt_serve_telemetry(rt, name), 0);
	for (i = 0; i < 5; i++)
		T_EQ(ringdev_call(e, 1, "ping", 4, out, sizeof(out), 1000000000LL), 4);
	rc = fetch(name, buf, sizeof(buf));
	T_ASSERT(rc > 0, "fetch: %s", ringdev_strerror(rc));
	T_ASSERT(!strncmp(buf, "{\"kernels\":[", 12), "snapshot: %s", buf);
	T_ASSERT(strstr(buf, "\"type\":\"echo\""), "no echo kernel: %s", buf);
	T_ASSERT(strstr(buf, "\"type\":\"sink\""), "no sink kernel: %s", buf);
	T_ASSERT(strstr(buf, "\"msgs_in\":5"), "echo handled 5: %s", buf);
	/* A second connection gets its own snapshot. */
	T_ASSERT(fetch(name, buf, sizeof(buf)) > 0, "second fetch");
	ringdev_rt_close(rt);
	/* Closed: the name is gone. */
	T_EQ(fetch(name, buf, sizeof(buf)), -ENOENT);
	T_EQ(ringdev_rt_fetch_telemetry("bad/name", &json, NULL), -EINVAL);
	T_ASSERT(json == NULL, "no document on failure");
	T_EQ(ringdev_rt_fetch_telemetry(NULL, &json, NULL), -EINVAL);
	T_EQ(ringdev_rt_fetch_telemetry(name, NULL, NULL), -EINVAL);
	return T_PASS;
}

/* Bad names, a second server, a taken name. */
static int t_errors(void)
{
	struct ringdev_kernel *e, *s;
	struct ringdev_rt *rt, *rt2;
	char name[32];

	snprintf(name, sizeof(name), "e%d", (int)getpid());
	T_EQ(open_rt(&rt, &e, &s), 0);
	T_EQ(ringdev_rt_serve_telemetry(NULL, name), -EINVAL);
	T_EQ(ringdev_rt_serve_telemetry(rt, NULL), -EINVAL);
	T_EQ(ringdev_rt_serve_telemetry(rt, ""), -EINVAL);
	T_EQ(ringdev_rt_serve_telemetry(rt, "a/b"), -EINVAL);
	T_EQ(ringdev_rt_serve_telemetry(rt, "a b"), -EINVAL);
	T_EQ(ringdev_rt_serve_telemetry(rt, name), 0);
	T_EQ(ringdev_rt_serve_telemetry(rt, "other"), -EBUSY);
	T_EQ(open_rt(&rt2, &e, &s), 0);
	T_EQ(ringdev_rt_serve_telemetry(rt2, name), -EEXIST);
	ringdev_rt_close(rt2);
	ringdev_rt_close(rt);
	return T_PASS;
}

/* Closing a runtime that never served is unchanged. */
static int t_close_unserved(void)
{
	struct ringdev_kernel *e, *s;
	struct ringdev_rt *rt;

	T_EQ(open_rt(&rt, &e, &s), 0);
	ringdev_rt_close(rt);
	return T_PASS;
}

/* SIGTERM / SIGINT end the peer modes. */
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Sleep for @seconds, or until a signal. */
static void hold(long seconds)
{
	long ms;

	for (ms = 0; ms < seconds * 1000 && !stop; ms += 50)
		usleep(50000);
}

/* `serve NAME SECONDS`: a runtime with steady traffic that serves NAME. */
static int peer_serve(const char *name, long seconds)
{
	struct ringdev_kernel *e, *s;
	struct ringdev_rt *rt;
	char out[16];
	long ms;
	int rc;

	rc = open_rt(&rt, &e, &s);
	if (!rc)
		rc = ringdev_rt_serve_telemetry(rt, name);
	if (rc) {
		fprintf(stderr, "rt_telemetry: serve %s: %s\n", name, ringdev_strerror(rc));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (ms = 0; ms < seconds * 1000 && !stop; ms += 10) {
		ringdev_call(e, 1, "x", 1, out, sizeof(out), 1000000000LL);
		ringdev_send(s, 2, "y", 1, 0, 0);
		usleep(10000);
	}
	ringdev_rt_close(rt);
	return 0;
}

/*
 * `fill RING N SECONDS [shm|dev] [corrupt]`: a named ring holding N known
 * messages: type 100+i, flags REPLY on odd i, priority i%4, msg_id 1000+i,
 * corr_id 2000+i, src 7, dst 9, hlc (1700000000000+i ms, logical i), payload
 * "msg-<i>".  With "corrupt", message 1's length is forged past the slot.
 */
static int peer_fill(const char *ring, long n, long seconds, const char *transport,
		     bool corrupt)
{
	struct ringdev_chan_opts o;
	struct ringdev_envelope env;
	struct ringdev_chan *c;
	char msg[32];
	long i;
	int rc;

	ringdev_chan_opts_init(&o);
	o.name = ring;
	o.capacity = 16;
	o.mode = 0600;
	if (transport && !strcmp(transport, "dev"))
		o.transport = RINGDEV_TRANSPORT_DEV;
	else if (transport && !strcmp(transport, "shm"))
		o.transport = RINGDEV_TRANSPORT_SHM;
	rc = ringdev_chan_create(&o, &c);
	for (i = 0; !rc && i < n; i++) {
		memset(&env, 0, sizeof(env));
		env.type = (__u32)(100 + i);
		env.flags = i % 2 ? RINGDEV_ENV_F_REPLY : 0;
		env.priority = (__u8)(i % 4);
		env.msg_id = (__u64)(1000 + i);
		env.corr_id = (__u64)(2000 + i);
		env.src = 7;
		env.dst = 9;
		env.hlc = ringdev_hlc_pack(1700000000000ull + (__u64)i, (__u32)i);
		env.len = (__u32)snprintf(msg, sizeof(msg), "msg-%ld", i);
		rc = ringdev_chan_send(c, &env, msg, 0);
	}
	if (!rc && corrupt && n > 1) {
		struct ringdev_ring *r = ringdev_chan_ring(c);
		struct ringdev_slot_hdr *s = __ringdev_slot(r, r->ctrl->cons.pos + 1);

		RINGDEV_WRITE_ONCE(s->env.len, 0x7fffffffu);
	}
	if (rc) {
		fprintf(stderr, "rt_telemetry: fill %s: %s\n", ring, ringdev_strerror(rc));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	hold(seconds);
	ringdev_chan_close(c);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "serve", t_serve },
		{ "errors", t_errors },
		{ "close_unserved", t_close_unserved },
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return peer_serve(argv[2], atol(argv[3]));
	if (argc >= 5 && argc <= 7 && !strcmp(argv[1], "fill"))
		return peer_fill(argv[2], atol(argv[3]), atol(argv[4]),
				 argc > 5 ? argv[5] : NULL,
				 argc > 6 && !strcmp(argv[6], "corrupt"));
	if (argc != 1) {
		fprintf(stderr, "usage: rt_telemetry [serve NAME SECONDS | "
			"fill RING N SECONDS [shm|dev] [corrupt]]\n");
		return 2;
	}
	return t_run("rt_telemetry", cases, sizeof(cases) / sizeof(cases[0]));
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * pipeline.c - three ring kernels chained by kernel-to-kernel messages:
 *
 *   host --"17"--> parse --17--> square --289--> sink --(seq, 289)--> host
 *
 * parse turns decimal text into a number, square squares it, sink numbers
 * the results and emits them to the host.  Each stage learns the next
 * stage's id from its launch argument, so the kernels are made back to
 * front.  The host sends N messages and checks every result and its order.
 * Run: build/examples/pipeline [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ringdev/ringdev.h>

#define MSG_NUM		1
#define WINDOW		256	/* results the host lets pile up; < the outbox */

struct result {
	__u64 seq;
	__u64 value;
};

/* parse and square keep the next stage's id; sink keeps a counter. */
static int next_init(void *state, const void *arg)
{
	memcpy(state, arg, sizeof(__u32));
	return 0;
}

static int parse(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		 const void *payload)
{
	__u32 next = *(__u32 *)ringdev_ctx_state(ctx);
	char text[24];
	__u64 v;

	if (env->len == 0 || env->len >= sizeof(text))
		return -EINVAL;
	memcpy(text, payload, env->len);
	text[env->len] = '\0';
	v = strtoull(text, NULL, 10);
	return ringdev_ctx_send(ctx, next, MSG_NUM, &v, sizeof(v), 0);
}

static int square(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		  const void *payload)
{
	__u32 next = *(__u32 *)ringdev_ctx_state(ctx);
	__u64 v;

	if (env->len != sizeof(v))
		return -EINVAL;
	memcpy(&v, payload, sizeof(v));
	v *= v;
	return ringdev_ctx_send(ctx, next, MSG_NUM, &v, sizeof(v), 0);
}

static int sink(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		const void *payload)
{
	__u64 *seq = ringdev_ctx_state(ctx);
	struct result r;

	if (env->len != sizeof(r.value))
		return -EINVAL;
	r.seq = (*seq)++;
	memcpy(&r.value, payload, sizeof(r.value));
	return ringdev_ctx_emit(ctx, MSG_NUM, &r, sizeof(r));
}

static const struct ringdev_kernel_type types[] = {
	{ .name = "parse", .handler = parse, .init = next_init, .state_size = sizeof(__u32) },
	{ .name = "square", .handler = square, .init = next_init, .state_size = sizeof(__u32) },
	{ .name = "sink", .handler = sink, .state_size = sizeof(__u64) },
};

/* Receive one result and check it is the @i-th. */
static int check_one(struct ringdev_kernel *sink_k, long i)
{
	struct ringdev_envelope env;
	struct result r;
	int n;

	n = ringdev_recv(sink_k, &env, &r, sizeof(r), 5000000000LL);
	if (n < 0)
		return n;
	if (n != sizeof(r) || r.seq != (__u64)i || r.value != (__u64)i * (__u64)i) {
		fprintf(stderr, "pipeline: result %ld: got #%llu = %llu\n", i,
			(unsigned long long)r.seq, (unsigned long long)r.value);
		return -EBADMSG;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long i, done = 0, count = argc > 1 ? atol(argv[1]) : 10000;
	struct ringdev_kernel *k[3];
	struct ringdev_kernel_stats st;
	struct ringdev_launch_opts o;
	struct ringdev_rt *rt;
	__u32 next = 0;
	char text[24];
	int s, rc;

	rc = ringdev_rt_open(NULL, &rt);
	if (rc)
		goto fail;
	for (s = 0; !rc && s < 3; s++)
		rc = ringdev_rt_register(rt, &types[s]);

	/* sink first, then square (told sink's id), then parse. */
	ringdev_launch_opts_init(&o);
	o.flags = RINGDEV_LAUNCH_ACTIVATE;
	for (s = 2; !rc && s >= 0; s--) {
		o.init_arg = &next;
		rc = ringdev_kernel_spawn(rt, types[s].name, &o, &k[s]);
		if (!rc)
			next = ringdev_kernel_id(k[s]);
	}

	for (i = 0; !rc && i < count; i++) {
		__u32 len = (__u32)snprintf(text, sizeof(text), "%ld", i);

		/* Emits never block: take results before the outbox can fill. */
		if (i - done >= WINDOW) {
			rc = check_one(k[2], done++);
			if (rc)
				break;
		}
		rc = ringdev_send(k[0], MSG_NUM, text, len, 0, RINGDEV_WAIT_FOREVER);
	}
	while (!rc && done < count)
		rc = check_one(k[2], done++);
	if (rc)
		goto fail;

	ringdev_kernel_stats(k[0], &st);
	printf("pipeline: %ld messages through parse -> square -> sink in order "
	       "(parse p50 %llu ns)\n", count, (unsigned long long)st.lat_p50_ns);
	ringdev_rt_close(rt);
	return 0;
fail:
	fprintf(stderr, "pipeline: %s\n", ringdev_strerror(rc));
	ringdev_rt_close(rt);
	return 1;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * runtime.c - ring kernels on the CPU backend: lifecycle and illegal
 * transitions, send / call / emit, concurrent and timed-out calls, handler
 * failures, priority lanes, backpressure, K2K, pub/sub and telemetry.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <ringdev/batch.h>
#include "test.h"
#include "rt_internal.h"

#define SEC 1000000000LL

/* Echo kernel: replies with the request; emits it when it is not a call. */
static int echo_handler(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
			const void *payload)
{
	__u64 *count = ringdev_ctx_state(ctx);

	(*count)++;
	if (env->type == 666)
		return -EIO;
	if (env->type == 777)
		usleep(50000);
	if (ringdev_ctx_reply(ctx, payload, env->len) == -ENOMSG)
		ringdev_ctx_emit(ctx, env->type, payload, env->len);
	return 0;
}

static const struct ringdev_kernel_type echo_type = {
	.name = "echo", .handler = echo_handler, .state_size = sizeof(__u64),
};

static struct ringdev_rt *rt_new(void)
{
	struct ringdev_rt *rt;

	if (ringdev_rt_open(NULL, &rt))
		return NULL;
	if (ringdev_rt_register(rt, &echo_type)) {
		ringdev_rt_close(rt);
		return NULL;
	}
	return rt;
}

static int test_open_register(void)
{
	struct ringdev_rt_opts o;
	struct ringdev_rt *rt;
	struct ringdev_kernel *k;
	struct ringdev_kernel_type bad = echo_type;
	int rc;

	memset(&o, 0, sizeof(o));
	o.backend = RINGDEV_BACKEND_CUDA;
	/* Without a usable GPU the cuda backend says so; with one it opens. */
	rc = ringdev_rt_open(&o, &rt);
	if (rc == 0)
		ringdev_rt_close(rt);
	else
		T_EQ(rc, -ENODEV);
	o.backend = 9;
	T_EQ(ringdev_rt_open(&o, &rt), -EINVAL);
	o.backend = RINGDEV_BACKEND_CPU;
	o.doorbells = RINGDEV_DOORBELLS_BATCHED + 1;
	T_EQ(ringdev_rt_open(&o, &rt), -EINVAL);
	o.doorbells = RINGDEV_DOORBELLS_BATCHED;
	o.reserved0 = 1;
	T_EQ(ringdev_rt_open(&o, &rt), -EINVAL);
	rt = rt_new();
	T_ASSERT(rt, "runtime");
	T_EQ(ringdev_rt_register(rt, &echo_type), -EEXIST);
	bad.handler = NULL;
	bad.name = "nohandler";
	T_EQ(ringdev_rt_register(rt, &bad), -EINVAL);
	T_EQ(ringdev_kernel_create(rt, "nosuch", NULL, &k), -ENOENT);
	ringdev_rt_close(rt);
	ringdev_rt_close(NULL);
	return T_PASS;
}

static int test_lifecycle(void)
{
	struct ringdev_rt *rt = rt_new();
	struct ringdev_kernel *k;
	struct ringdev_kernel_stats st;
	struct ringdev_envelope env;
	__u64 discarded = 99, v = 0;
	char buf[16];
	int i;

	T_ASSERT(rt, "runtime");
	T_EQ(ringdev_kernel_create(rt, "echo", NULL, &k), 0);
	T_EQ(ringdev_kernel_state(k), RINGDEV_KERNEL_CREATED);
	T_ASSERT(ringdev_kernel_id(k) != 0, "id");
	T_ASSERT(ringdev_rt_kernel(rt, ringdev_kernel_id(k)) == k, "lookup");
	T_ASSERT(ringdev_rt_kernel(rt, 12345) == NULL, "unknown id");
	/* Illegal from CREATED. */
	T_EQ(ringdev_kernel_activate(k), -EBADFD);
	T_EQ(ringdev_kernel_deactivate(k), -EBADFD);
	/* Messages sent before launch are held. */
	for (i = 0; i < 5; i++)
		T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), 0);
	T_EQ(ringdev_kernel_launch(k), 0);
	T_EQ(ringdev_kernel_launch(k), -EBADFD);
	T_EQ(ringdev_kernel_state(k), RINGDEV_KERNEL_LAUNCHED);
	usleep(20000);
	ringdev_kernel_stats(k, &st);
	T_EQ(st.msgs_in, 0);
	T_EQ(st.queue_depth, 5);
	T_EQ(ringdev_kernel_activate(k), 0);
	T_EQ(ringdev_kernel_activate(k), -EBADFD);
	for (i = 0; i < 5; i++)
		T_EQ(ringdev_recv(k, &env, buf, sizeof(buf), 5 * SEC), sizeof(v));
	/* Deactivated: held again, and it waits for the handler to finish. */
	T_EQ(ringdev_kernel_deactivate(k), 0);
	T_EQ(ringdev_kernel_state(k), RINGDEV_KERNEL_DEACTIVATED);
	T_EQ(ringdev_kernel_deactivate(k), -EBADFD);
	for (i = 0; i < 7; i++)
		T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), 0);
	usleep(20000);
	ringdev_kernel_stats(k, &st);
	T_EQ(st.msgs_in, 5);
	T_EQ(st.queue_depth, 7);
	/* Terminate with DISCARD reports what it dropped. */
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DISCARD, &discarded), 0);
	T_EQ(discarded, 7);
	T_EQ(ringdev_kernel_state(k), RINGDEV_KERNEL_TERMINATED);
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DRAIN, NULL), -EBADFD);
	T_EQ(ringdev_kernel_activate(k), -EBADFD);
	T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), -ESHUTDOWN);

	/* Terminate with DRAIN handles everything first, even when deactivated. */
	T_EQ(ringdev_kernel_spawn(rt, "echo", NULL, &k), 0);
	for (i = 0; i < 9; i++)
		T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), 0);
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DRAIN, &discarded), 0);
	T_EQ(discarded, 0);
	ringdev_kernel_stats(k, &st);
	T_EQ(st.msgs_in, 9);
	/* And a CREATED kernel can be terminated too. */
	T_EQ(ringdev_kernel_create(rt, "echo", NULL, &k), 0);
	T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), 0);
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DRAIN, &discarded), 0);
	T_EQ(discarded, 1);
	ringdev_rt_close(rt);
	return T_PASS;
}

static struct ringdev_launch_opts active_opts(void)
{
	struct ringdev_launch_opts o;

	ringdev_launch_opts_init(&o);
	o.flags = RINGDEV_LAUNCH_ACTIVATE;
	return o;
}

struct caller {
	struct ringdev_kernel *k;
	int id, n, bad;
};

static void *call_thread(void *arg)
{
	struct caller *c = arg;
	int i;

	for (i = 0; i < c->n; i++) {
		__u64 req[2] = { (__u64)c->id, (__u64)i }, resp[2] = { 0, 0 };
		int rc = ringdev_call(c->k, 1, req, sizeof(req), resp, sizeof(resp), 10 * SEC);

		if (rc != sizeof(resp) || resp[0] != req[0] || resp[1] != req[1])
			c->bad++;
	}
	return NULL;
}

static int test_call(void)
{
	struct ringdev_rt *rt = rt_new();
	struct ringdev_launch_opts o = active_opts();
	struct ringdev_kernel *k;
	struct ringdev_kernel_stats st;
	struct caller c[4];
	pthread_t th[4];
	__u64 v = 42, out = 0;
	char small[2];
	int i, n = (int)t_scale(20000);

	T_ASSERT(rt, "runtime");
	T_EQ(ringdev_kernel_spawn(rt, "echo", &o, &k), 0);
	T_EQ(ringdev_call(k, 1, &v, sizeof(v), &out, sizeof(out), 5 * SEC), sizeof(v));
	T_EQ(out, 42);
	/* Concurrent callers each get their own replies. */
	for (i = 0; i < 4; i++) {
		c[i].k = k;
		c[i].id = i;
		c[i].n = n;
		c[i].bad = 0;
		T_EQ(pthread_create(&th[i], NULL, call_thread, &c[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		T_EQ(c[i].bad, 0);
	}
	/* A failing handler answers the call with its error, and is counted. */
	T_EQ(ringdev_call(k, 666, &v, sizeof(v), &out, sizeof(out), 5 * SEC), -EIO);
	ringdev_kernel_stats(k, &st);
	T_EQ(st.errors, 1);
	T_EQ(st.last_error, -EIO);
	T_EQ(ringdev_kernel_state(k), RINGDEV_KERNEL_ACTIVE);
	/* A reply larger than the buffer. */
	T_EQ(ringdev_call(k, 1, &v, sizeof(v), small, sizeof(small), 5 * SEC), -EMSGSIZE);
	/* A timed-out call's late reply never reaches the next call. */
	T_EQ(ringdev_call(k, 777, &v, sizeof(v), &out, sizeof(out), 5000000), -ETIMEDOUT);
	v = 43;
	T_EQ(ringdev_call(k, 1, &v, sizeof(v), &out, sizeof(out), 5 * SEC), sizeof(v));
	T_EQ(out, 43);
	v = 44;
	usleep(100000);
	T_EQ(ringdev_call(k, 1, &v, sizeof(v), &out, sizeof(out), 5 * SEC), sizeof(v));
	T_EQ(out, 44);
	ringdev_kernel_stats(k, &st);
	T_EQ(st.late_replies, 1);
	T_EQ(st.msgs_in, (__u64)(4 * n + 6));
	T_EQ(ringdev_call(k, 1, &v, sizeof(v), &out, sizeof(out), 0), -EINVAL);
	/* A call to a kernel terminated with DISCARD fails instead of hanging. */
	T_EQ(ringdev_kernel_deactivate(k), 0);
	T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), 0);
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DISCARD, NULL), 0);
	T_EQ(ringdev_call(k, 1, &v, sizeof(v), &out, sizeof(out), RINGDEV_WAIT_FOREVER),
	     -ESHUTDOWN);
	{
		struct ringdev_envelope env;

		/* So does waiting for an emit from it. */
		T_EQ(ringdev_recv(k, &env, &out, sizeof(out), RINGDEV_WAIT_FOREVER), -ESHUTDOWN);
	}
	ringdev_rt_close(rt);
	return T_PASS;
}

/* The order in which priorities arrive (one "order" kernel at a time). */
static struct {
	int n;
	__u8 prio[256];
} order;

static int order_handler(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
			 const void *payload)
{
	(void)ctx;
	(void)payload;
	if (order.n < 256)
		order.prio[order.n++] = env->priority;
	return 0;
}

static int test_priority_lanes(void)
{
	static const struct ringdev_kernel_type t = { .name = "order", .handler = order_handler };
	struct ringdev_rt *rt = rt_new();
	struct ringdev_launch_opts o;
	struct ringdev_kernel *k;
	int i, p, left[3] = { 64, 64, 64 }, since[3] = { 0, 0, 0 }, last[3] = { 0, 0, 0 };

	T_ASSERT(rt, "runtime");
	T_EQ(ringdev_rt_register(rt, &t), 0);
	ringdev_launch_opts_init(&o);
	o.lanes = 3;
	T_EQ(ringdev_kernel_create(rt, "order", &o, &k), 0);
	for (p = 0; p < 3; p++)
		for (i = 0; i < 64; i++)
			/* 200 is clamped to the top lane. */
			T_EQ(ringdev_send(k, 1, NULL, 0, (__u8)(p == 2 ? 200 : p), 0), 0);
	order.n = 0;
	T_EQ(ringdev_kernel_launch(k), 0);
	T_EQ(ringdev_kernel_activate(k), 0);
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DRAIN, NULL), 0);
	T_EQ(order.n, 192);
	T_EQ(order.prio[0], 200);
	for (i = 0; i < order.n; i++) {
		int q = order.prio[i] > 2 ? 2 : order.prio[i];

		/* The envelope keeps what the sender asked for; lanes clamp. */
		T_ASSERT(order.prio[i] == 0 || order.prio[i] == 1 || order.prio[i] == 200,
			 "priority %d", order.prio[i]);
		left[q]--;
		last[q] = i;
		for (p = 0; p < 3; p++) {
			if (p == q) {
				since[p] = 0;
			} else if (left[p] > 0) {
				since[p]++;
				/* The documented bound: a waiting lane is served
				 * within RINGDEV_LANE_STARVE other messages (plus
				 * the other waiting lanes' turns). */
				T_ASSERT(since[p] <= RINGDEV_LANE_STARVE + 2,
					 "lane %d waited %d messages at %d", p, since[p], i);
			}
		}
	}
	/* Higher lanes finish first. */
	T_ASSERT(last[2] < last[1] && last[1] < last[0], "last %d %d %d",
		 last[2], last[1], last[0]);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_backpressure(void)
{
	struct ringdev_rt *rt = rt_new();
	struct ringdev_launch_opts o;
	struct ringdev_kernel *k;
	struct ringdev_kernel_stats st;
	struct ringdev_envelope env;
	__u64 v, got;
	int i;

	T_ASSERT(rt, "runtime");
	/* REJECT: -EAGAIN when full, nothing lost. */
	ringdev_launch_opts_init(&o);
	o.capacity = 4;
	o.backpressure = RINGDEV_BP_REJECT;
	T_EQ(ringdev_kernel_spawn(rt, "echo", &o, &k), 0);
	for (v = 0; v < 4; v++)
		T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), 0);
	T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), -EAGAIN);
	T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, SEC), -EAGAIN);
	T_EQ(ringdev_kernel_activate(k), 0);
	for (v = 0; v < 4; v++) {
		T_EQ(ringdev_recv(k, &env, &got, sizeof(got), 5 * SEC), sizeof(got));
		T_EQ(got, v);
	}
	ringdev_kernel_stats(k, &st);
	T_EQ(st.rejected, 2);
	T_EQ(st.drops, 0);

	/* DROP_OLDEST: the newest 4 survive, every drop counted. */
	o.backpressure = RINGDEV_BP_DROP_OLDEST;
	T_EQ(ringdev_kernel_spawn(rt, "echo", &o, &k), 0);
	for (v = 0; v < 10; v++)
		T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), 0);
	T_EQ(ringdev_kernel_activate(k), 0);
	for (v = 6; v < 10; v++) {
		T_EQ(ringdev_recv(k, &env, &got, sizeof(got), 5 * SEC), sizeof(got));
		T_EQ(got, v);
	}
	T_EQ(ringdev_recv(k, &env, &got, sizeof(got), 0), -EAGAIN);
	ringdev_kernel_stats(k, &st);
	T_EQ(st.drops, 6);

	/* BLOCK: waits, times out, and succeeds once there is room. */
	o.backpressure = RINGDEV_BP_BLOCK;
	T_EQ(ringdev_kernel_spawn(rt, "echo", &o, &k), 0);
	for (v = 0; v < 4; v++)
		T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), 0);
	T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 0), -EAGAIN);
	T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 10000000), -ETIMEDOUT);
	T_EQ(ringdev_kernel_activate(k), 0);
	for (i = 0; i < 100; i++) {
		v = (__u64)i;
		T_EQ(ringdev_send(k, 1, &v, sizeof(v), 0, 5 * SEC), 0);
		T_EQ(ringdev_recv(k, &env, &got, sizeof(got), 5 * SEC), sizeof(got));
	}
	T_EQ(ringdev_send(k, 1, &v, 100000, 0, 0), -EMSGSIZE);
	ringdev_rt_close(rt);
	return T_PASS;
}

/* K2K pipeline: stage i adds i + 1 and forwards to the id in its state. */
static int stage_init(void *state, const void *arg)
{
	memcpy(state, arg, sizeof(__u32));
	return 0;
}

static int stage_handler(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
			 const void *payload)
{
	__u32 next = *(__u32 *)ringdev_ctx_state(ctx);
	__u64 v;

	if (env->len != sizeof(v))
		return -EINVAL;
	memcpy(&v, payload, sizeof(v));
	v = v * 10 + ringdev_kernel_id(ringdev_ctx_kernel(ctx));
	if (!next)
		return ringdev_ctx_emit(ctx, env->type, &v, sizeof(v));
	return ringdev_ctx_send(ctx, next, env->type, &v, sizeof(v), 0);
}

static int test_k2k(void)
{
	static const struct ringdev_kernel_type t = {
		.name = "stage", .handler = stage_handler, .init = stage_init,
		.state_size = sizeof(__u32),
	};
	struct ringdev_rt *rt = rt_new();
	struct ringdev_launch_opts o = active_opts();
	struct ringdev_kernel *k[3];
	struct ringdev_kernel_stats st;
	struct ringdev_envelope env;
	__u32 next = 0;
	__u64 v, got;
	int i, n = (int)t_scale(20000);

	T_ASSERT(rt, "runtime");
	T_EQ(ringdev_rt_register(rt, &t), 0);
	/* Build back to front so each stage knows the next one's id. */
	for (i = 2; i >= 0; i--) {
		o.init_arg = &next;
		T_EQ(ringdev_kernel_spawn(rt, "stage", &o, &k[i]), 0);
		next = ringdev_kernel_id(k[i]);
	}
	for (i = 0; i < n; i++) {
		v = (__u64)i;
		T_EQ(ringdev_send(k[0], 5, &v, sizeof(v), 0, 5 * SEC), 0);
		T_EQ(ringdev_recv(k[2], &env, &got, sizeof(got), 5 * SEC), sizeof(got));
		T_EQ(got, ((v * 10 + ringdev_kernel_id(k[0])) * 10 + ringdev_kernel_id(k[1])) * 10 +
			  ringdev_kernel_id(k[2]));
		T_EQ(env.type, 5);
		T_EQ(env.src, ringdev_kernel_id(k[2]));
	}
	/* An unknown destination is the handler's error. */
	next = 4242;
	o.init_arg = &next;
	T_EQ(ringdev_kernel_spawn(rt, "stage", &o, &k[0]), 0);
	v = 1;
	T_EQ(ringdev_call(k[0], 5, &v, sizeof(v), &got, sizeof(got), 5 * SEC), -ENXIO);
	ringdev_kernel_stats(k[0], &st);
	T_EQ(st.last_error, -ENXIO);
	ringdev_rt_close(rt);
	return T_PASS;
}

/* Subscriber: emits "<topic>:<payload>" to the host. */
static int sub_handler(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		       const void *payload)
{
	char out[512];
	int n;

	if (!ringdev_ctx_topic(ctx))
		return -EINVAL;
	n = snprintf(out, sizeof(out), "%s:%.*s", ringdev_ctx_topic(ctx), (int)env->len,
		     (const char *)payload);
	return ringdev_ctx_emit(ctx, env->type, out, (__u32)n);
}

static int expect_emit(struct ringdev_kernel *k, const char *want)
{
	struct ringdev_envelope env;
	char buf[512];
	int n = ringdev_recv(k, &env, buf, sizeof(buf) - 1, 5 * SEC);

	T_ASSERT(n >= 0, "recv: %s", ringdev_strerror(n));
	buf[n] = '\0';
	T_ASSERT(!strcmp(buf, want), "got '%s', want '%s'", buf, want);
	return T_PASS;
}

static int test_pubsub(void)
{
	static const struct ringdev_kernel_type t = { .name = "sub", .handler = sub_handler };
	struct ringdev_rt *rt = rt_new();
	struct ringdev_launch_opts o = active_opts();
	struct ringdev_kernel *a, *b, *slow;
	struct ringdev_kernel_stats st;
	struct ringdev_envelope env;
	char buf[64];
	int i;

	T_ASSERT(rt, "runtime");
	T_EQ(ringdev_rt_register(rt, &t), 0);
	T_EQ(ringdev_kernel_spawn(rt, "sub", &o, &a), 0);
	T_EQ(ringdev_kernel_spawn(rt, "sub", &o, &b), 0);
	T_EQ(ringdev_subscribe(a, "sensors/+/temp"), 0);
	T_EQ(ringdev_subscribe(a, "sensors/+/temp"), -EEXIST);
	T_EQ(ringdev_subscribe(a, "sensors/#"), 0);	/* overlapping: delivered once */
	T_EQ(ringdev_subscribe(b, "sensors/kitchen/#"), 0);
	T_EQ(ringdev_subscribe(b, "bad/#/filter"), -EINVAL);
	T_EQ(ringdev_publish(rt, "sensors/+/temp", 1, "x", 1, 0), -EINVAL);
	T_EQ(ringdev_publish(rt, "sensors/kitchen/temp", 1, "21", 2, SEC), 2);
	if (expect_emit(a, "sensors/kitchen/temp:21") || expect_emit(b, "sensors/kitchen/temp:21"))
		return T_FAIL;
	T_EQ(ringdev_publish(rt, "sensors/hall/temp", 1, "19", 2, SEC), 1);
	if (expect_emit(a, "sensors/hall/temp:19"))
		return T_FAIL;
	T_EQ(ringdev_publish(rt, "lights/hall", 1, "on", 2, SEC), 0);
	T_EQ(ringdev_unsubscribe(a, "sensors/#"), 0);
	T_EQ(ringdev_unsubscribe(a, "sensors/#"), -ENOENT);
	T_EQ(ringdev_publish(rt, "sensors/kitchen", 1, "x", 1, SEC), 1);
	if (expect_emit(b, "sensors/kitchen:x"))
		return T_FAIL;
	T_EQ(ringdev_recv(a, &env, buf, sizeof(buf), 20000000), -ETIMEDOUT);

	/* A slow DROP_OLDEST subscriber loses only its own messages, counted. */
	ringdev_launch_opts_init(&o);
	o.capacity = 4;
	o.backpressure = RINGDEV_BP_DROP_OLDEST;
	T_EQ(ringdev_kernel_spawn(rt, "sub", &o, &slow), 0);	/* not activated: slow */
	T_EQ(ringdev_subscribe(slow, "sensors/#"), 0);
	for (i = 0; i < 10; i++) {
		char p[4];

		snprintf(p, sizeof(p), "%d", i);
		T_EQ(ringdev_publish(rt, "sensors/kitchen/temp", 1, p, (__u32)strlen(p), SEC), 3);
		snprintf(buf, sizeof(buf), "sensors/kitchen/temp:%d", i);
		if (expect_emit(a, buf) || expect_emit(b, buf))
			return T_FAIL;
	}
	ringdev_kernel_stats(slow, &st);
	T_EQ(st.drops, 6);
	T_EQ(ringdev_kernel_activate(slow), 0);
	for (i = 6; i < 10; i++) {
		snprintf(buf, sizeof(buf), "sensors/kitchen/temp:%d", i);
		if (expect_emit(slow, buf))
			return T_FAIL;
	}
	/* A full BLOCK subscriber holds the publisher back until the timeout. */
	o.backpressure = RINGDEV_BP_BLOCK;
	T_EQ(ringdev_kernel_spawn(rt, "sub", &o, &slow), 0);
	T_EQ(ringdev_subscribe(slow, "block/me"), 0);
	for (i = 0; i < 4; i++)
		T_EQ(ringdev_publish(rt, "block/me", 1, "x", 1, 0), 1);
	T_EQ(ringdev_publish(rt, "block/me", 1, "x", 1, 10000000), 0);
	ringdev_kernel_stats(slow, &st);
	T_EQ(st.drops, 1);
	/* Terminating unsubscribes. */
	T_EQ(ringdev_kernel_terminate(slow, RINGDEV_TERM_DISCARD, NULL), 0);
	T_EQ(ringdev_publish(rt, "block/me", 1, "x", 1, 0), 0);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_telemetry(void)
{
	struct ringdev_rt *rt = rt_new();
	struct ringdev_launch_opts o = active_opts();
	struct ringdev_kernel *k;
	struct ringdev_kernel_stats st[4];
	__u64 v = 1, out, prev_hlc = 0;
	char *json = NULL;
	size_t jlen = 0;
	FILE *f;
	int i;

	T_ASSERT(rt, "runtime");
	T_EQ(ringdev_kernel_spawn(rt, "echo", &o, &k), 0);
	for (i = 0; i < 1000; i++)
		T_EQ(ringdev_call(k, 1, &v, sizeof(v), &out, sizeof(out), 5 * SEC), sizeof(v));
	T_EQ(ringdev_rt_snapshot(rt, st, 4), 1);
	T_EQ(st[0].msgs_in, 1000);
	T_EQ(st[0].msgs_out, 1000);
	T_ASSERT(st[0].lat_p50_ns > 0 && st[0].lat_p50_ns <= st[0].lat_p99_ns,
		 "p50 %llu p99 %llu", (unsigned long long)st[0].lat_p50_ns,
		 (unsigned long long)st[0].lat_p99_ns);
	T_ASSERT(!strcmp(st[0].type, "echo"), "type %s", st[0].type);
	f = open_memstream(&json, &jlen);
	T_ASSERT(f, "memstream");
	T_EQ(ringdev_rt_snapshot_json(rt, f), 0);
	fclose(f);
	T_ASSERT(strstr(json, "\"type\":\"echo\"") && strstr(json, "\"msgs_in\":1000") &&
		 strstr(json, "\"state\":\"active\""), "json: %s", json);
	free(json);
	/* The runtime's clock stamps every message and only moves forward. */
	for (i = 0; i < 100; i++) {
		__u64 ts = ringdev_hlc_tick(ringdev_rt_hlc(rt));

		T_ASSERT(ts > prev_hlc, "hlc regressed");
		prev_hlc = ts;
	}
	ringdev_rt_close(rt);
	return T_PASS;
}

static __u64 mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/*
 * A kernel that busy-polls its inbox for a long budget still follows
 * its lifecycle at once: the state change ends the spin (it once waited
 * out the whole budget).  The bound is 2 s against a 30 s spin.
 */
static int test_lifecycle_while_spinning(void)
{
	struct ringdev_rt *rt = rt_new();
	struct ringdev_launch_opts o = active_opts();
	struct ringdev_kernel *k;
	__u64 v = 1, got, t0;

	T_ASSERT(rt, "runtime");
	o.spin_ns = 30 * SEC;
	T_EQ(ringdev_kernel_spawn(rt, "echo", &o, &k), 0);
	T_EQ(ringdev_call(k, 1, &v, sizeof(v), &got, sizeof(got), 5 * SEC), sizeof(got));
	t0 = mono_now_ns();
	T_EQ(ringdev_kernel_deactivate(k), 0);
	T_EQ(ringdev_kernel_activate(k), 0);
	T_EQ(ringdev_call(k, 1, &v, sizeof(v), &got, sizeof(got), 5 * SEC), sizeof(got));
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DRAIN, NULL), 0);
	T_ASSERT(mono_now_ns() - t0 < 2 * SEC, "lifecycle calls took %.2f s",
		 (double)(mono_now_ns() - t0) / 1e9);
	ringdev_rt_close(rt);
	return T_PASS;
}

#define FAN	16

/* Fan kernel: forwards each message to the FAN kernels named at launch. */
static int fan_init(void *state, const void *arg)
{
	memcpy(state, arg, FAN * sizeof(__u32));
	return 0;
}

static int fan_handler(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		       const void *payload)
{
	const __u32 *sinks = ringdev_ctx_state(ctx);
	int i, rc;

	for (i = 0; i < FAN; i++) {
		rc = ringdev_ctx_send(ctx, sinks[i], env->type, payload, env->len, 0);
		if (rc)
			return rc;
	}
	return 0;
}

/* Wait until every one of @k sleeps on its inbox (white box: the flag). */
static int all_asleep(struct ringdev_kernel **k, int n)
{
	int i, tries;

	for (i = 0; i < n; i++) {
		__u32 *flag = &k[i]->lanes[0]->ring.ctrl->cons_wake.need_wakeup;

		for (tries = 0; tries < 5000 && !RINGDEV_LOAD_ACQUIRE(flag); tries++)
			usleep(1000);
		if (!RINGDEV_LOAD_ACQUIRE(flag))
			return -1;
	}
	return 0;
}

/*
 * One message fanned out by a kernel to FAN sleeping kernels: FAN
 * doorbells, rung with FAN syscalls (DIRECT) or one io_uring_enter
 * (BATCHED, AUTO) once the first round has registered the files.
 */
static int fan_round(__u32 mode, int uring, __u64 want_sys)
{
	static const struct ringdev_kernel_type fan_type = {
		.name = "fan", .handler = fan_handler, .init = fan_init,
		.state_size = FAN * sizeof(__u32),
	};
	struct ringdev_launch_opts o = active_opts();
	struct ringdev_kernel *sink[FAN], *fan;
	struct ringdev_kernel_stats st0, st1;
	struct ringdev_envelope env;
	struct ringdev_rt_opts ro;
	struct ringdev_rt *rt;
	__u32 ids[FAN];
	__u64 v = 7, got;
	int i, round;

	memset(&ro, 0, sizeof(ro));
	ro.doorbells = mode;
	T_EQ(ringdev_rt_open(&ro, &rt), 0);
	T_EQ(ringdev_rt_register(rt, &echo_type), 0);
	T_EQ(ringdev_rt_register(rt, &fan_type), 0);
	o.spin_ns = 0;	/* every idle kernel really sleeps */
	for (i = 0; i < FAN; i++) {
		T_EQ(ringdev_kernel_spawn(rt, "echo", &o, &sink[i]), 0);
		ids[i] = ringdev_kernel_id(sink[i]);
	}
	o.init_arg = ids;
	T_EQ(ringdev_kernel_spawn(rt, "fan", &o, &fan), 0);
	for (round = 0; round < 2; round++) {
		/*
		 * The fan counts a doorbell after its syscall returns, maybe
		 * after the sink has run: read its counters once it sleeps.
		 */
		T_ASSERT(all_asleep(sink, FAN) == 0 && all_asleep(&fan, 1) == 0,
			 "the kernels did not go to sleep");
		ringdev_kernel_stats(fan, &st0);
		T_EQ(ringdev_send(fan, 3, &v, sizeof(v), 0, 5 * SEC), 0);
		for (i = 0; i < FAN; i++) {
			T_EQ(ringdev_recv(sink[i], &env, &got, sizeof(got), 5 * SEC), sizeof(got));
			T_EQ(got, v);
		}
		T_ASSERT(all_asleep(&fan, 1) == 0, "the fan did not go to sleep");
		ringdev_kernel_stats(fan, &st1);
	}
	printf("       doorbells %u (%s): %llu doorbells, %llu syscalls\n", mode,
	       uring ? "io_uring" : "no io_uring",
	       (unsigned long long)(st1.doorbells - st0.doorbells),
	       (unsigned long long)(st1.doorbell_syscalls - st0.doorbell_syscalls));
	T_EQ(st1.doorbells - st0.doorbells, FAN);
	T_EQ(st1.doorbell_syscalls - st0.doorbell_syscalls, want_sys);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_doorbells(void)
{
	struct ringdev_batch *b;
	int uring;

	/* Whether a batch gets io_uring here ($RINGDEV_NO_URING, the kernel). */
	T_EQ(ringdev_batch_open(NULL, &b), 0);
	uring = ringdev_batch_uses_uring(b);
	ringdev_batch_close(b);
	if (fan_round(RINGDEV_DOORBELLS_DIRECT, uring, FAN) ||
	    fan_round(RINGDEV_DOORBELLS_BATCHED, uring, uring ? 1 : FAN) ||
	    fan_round(RINGDEV_DOORBELLS_AUTO, uring, uring ? 1 : FAN))
		return T_FAIL;
	return T_PASS;
}

T_MAIN(T_CASE(test_open_register), T_CASE(test_doorbells),
       T_CASE(test_lifecycle_while_spinning), T_CASE(test_lifecycle), T_CASE(test_call),
       T_CASE(test_priority_lanes), T_CASE(test_backpressure), T_CASE(test_k2k),
       T_CASE(test_pubsub), T_CASE(test_telemetry))

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * k2k.cu - GPU kernels with the rest of the runtime: kernel-to-kernel
 * messages both ways between a GPU and a CPU kernel, a GPU message for an
 * unknown kernel counted as a drop, published messages delivered to a GPU
 * subscriber with their topic, a type's host init()/fini() around the
 * state the GPU keeps, and kernel ids.  Exit 77 without a GPU.
 */
#include "gpu_test.h"

enum {
	T_TO_CPU = 1,	/* host -> CPU kernel: start a relay */
	T_TO_GPU,	/* CPU kernel -> GPU kernel */
	T_BACK,		/* GPU kernel -> CPU kernel */
	T_DONE,		/* CPU kernel -> host */
	T_WHO,		/* call: reply with the kernel id */
};

/* What travels around the relay. */
struct relay_msg {
	__u32 gpu_id, cpu_id;
	__u32 value;
	__u32 src_seen;	/* the sender id the CPU kernel saw from the GPU */
};

/* GPU: add one and pass it to the CPU kernel cpu_id; answer T_WHO. */
static __device__ int relay(struct ringdev_cuda_ctx *ctx, const struct ringdev_envelope *env,
			    const void *payload)
{
	__shared__ struct relay_msg m;
	__u32 id = ringdev_cuda_kernel_id(ctx);

	if (env->type == T_WHO)
		return ringdev_cuda_reply(ctx, &id, sizeof(id));
	if (env->type != T_TO_GPU || env->len != sizeof(m))
		return -EINVAL;
	if (threadIdx.x == 0) {
		memcpy(&m, payload, sizeof(m));
		m.value++;
	}
	__syncthreads();
	return ringdev_cuda_send(ctx, m.cpu_id, T_BACK, &m, sizeof(m), 0);
}

RINGDEV_CUDA_KERNEL_TYPE_EX(relay_type, "cuda-relay", relay, 0, 64, NULL, NULL);

/* CPU: T_TO_CPU goes to the GPU kernel, T_BACK to the host. */
static int bounce(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		  const void *payload)
{
	struct relay_msg m;

	if (env->len != sizeof(m))
		return -EINVAL;
	memcpy(&m, payload, sizeof(m));
	if (env->type == T_TO_CPU) {
		m.value++;
		return ringdev_ctx_send(ctx, m.gpu_id, T_TO_GPU, &m, sizeof(m), 0);
	}
	if (env->type != T_BACK)
		return -EINVAL;
	m.value++;
	m.src_seen = env->src;
	return ringdev_ctx_emit(ctx, T_DONE, &m, sizeof(m));
}

/* GPU: emit the message's topic (NUL included) with its payload's first byte. */
static __device__ int topics(struct ringdev_cuda_ctx *ctx, const struct ringdev_envelope *env,
			     const void *payload)
{
	__shared__ char out[64];
	const char *t = ringdev_cuda_topic(ctx);
	__u32 n = 0;

	if (threadIdx.x == 0) {
		if (t)
			for (; n < sizeof(out) - 2 && t[n]; n++)
				out[n] = t[n];
		out[n++] = 0;
		out[n++] = env->len ? *(const char *)payload : '-';
		out[sizeof(out) - 1] = (char)n;	/* the length, for every thread */
	}
	__syncthreads();
	return ringdev_cuda_emit(ctx, env->type, out, (__u32)out[sizeof(out) - 1]);
}

RINGDEV_CUDA_KERNEL_TYPE_EX(topic_type, "cuda-topics", topics, 0, 32, NULL, NULL);

/* A counter kept on the GPU: the host sets its start and reads its end. */
struct count_state {
	__u64 count;
};

static __u64 count_at_fini;

static int count_init(void *state, const void *arg)
{
	((struct count_state *)state)->count = arg ? *(const __u64 *)arg : 0;
	return 0;
}

static void count_fini(void *state)
{
	count_at_fini = ((struct count_state *)state)->count;
}

static __device__ int count(struct ringdev_cuda_ctx *ctx, const struct ringdev_envelope *env,
			    const void *payload)
{
	struct count_state *st = (struct count_state *)ringdev_cuda_state(ctx);
	__u64 now;

	(void)payload;
	if (threadIdx.x == 0)
		st->count++;
	__syncthreads();
	now = st->count;
	return ringdev_cuda_emit(ctx, env->type, &now, sizeof(now));
}

RINGDEV_CUDA_KERNEL_TYPE_EX(count_type, "cuda-count", count, sizeof(struct count_state), 32,
			    count_init, count_fini);

static struct ringdev_rt *k2k_rt(void)
{
	struct ringdev_kernel_type bounce_type;
	struct ringdev_rt_opts o;
	struct ringdev_rt *rt;

	memset(&bounce_type, 0, sizeof(bounce_type));
	bounce_type.name = "cpu-bounce";
	bounce_type.handler = bounce;
	memset(&o, 0, sizeof(o));
	o.backend = RINGDEV_BACKEND_CUDA;
	if (ringdev_rt_open(&o, &rt))
		return NULL;
	if (ringdev_rt_register_cuda(rt, &relay_type) || ringdev_rt_register_cuda(rt, &topic_type) ||
	    ringdev_rt_register_cuda(rt, &count_type) || ringdev_rt_register(rt, &bounce_type)) {
		ringdev_rt_close(rt);
		return NULL;
	}
	return rt;
}

static int test_k2k_both_ways(void)
{
	struct ringdev_rt *rt = k2k_rt();
	struct ringdev_launch_opts lo;
	struct ringdev_kernel *g, *c;
	struct ringdev_envelope env;
	struct relay_msg m;
	__u32 id = 0;
	int i;

	T_ASSERT(rt, "runtime on the cuda backend");
	T_EQ(gpu_spawn(rt, "cuda-relay", 256, RINGDEV_LAUNCH_ACTIVATE, &g), 0);
	ringdev_launch_opts_init(&lo);
	lo.flags = RINGDEV_LAUNCH_ACTIVATE;
	lo.backend = RINGDEV_BACKEND_CPU;
	T_EQ(ringdev_kernel_spawn(rt, "cpu-bounce", &lo, &c), 0);
	/* The GPU knows its own id. */
	T_EQ(ringdev_call(g, T_WHO, NULL, 0, &id, sizeof(id), 5 * SEC), sizeof(id));
	T_EQ(id, ringdev_kernel_id(g));
	/* host -> CPU -> GPU -> CPU -> host, each hop adding one. */
	for (i = 0; i < 100; i++) {
		m.gpu_id = ringdev_kernel_id(g);
		m.cpu_id = ringdev_kernel_id(c);
		m.value = (__u32)i * 10;
		m.src_seen = 0;
		T_EQ(ringdev_send(c, T_TO_CPU, &m, sizeof(m), 0, SEC), 0);
		T_EQ(ringdev_recv(c, &env, &m, sizeof(m), 5 * SEC), sizeof(m));
		T_EQ(env.type, T_DONE);
		T_EQ(m.value, (__u32)i * 10 + 3);
		T_EQ(m.src_seen, ringdev_kernel_id(g));
	}
	ringdev_rt_close(rt);
	return T_PASS;
}

/* Regression: the pump dropped a GPU message for an unknown kernel uncounted. */
static int test_unknown_destination_counted(void)
{
	struct ringdev_rt *rt = k2k_rt();
	struct ringdev_kernel_stats st;
	struct ringdev_kernel *g;
	struct relay_msg m;
	__u32 id;
	int i;

	T_ASSERT(rt, "runtime on the cuda backend");
	T_EQ(gpu_spawn(rt, "cuda-relay", 256, RINGDEV_LAUNCH_ACTIVATE, &g), 0);
	memset(&m, 0, sizeof(m));
	m.cpu_id = 0x7ffffff0;	/* no such kernel */
	for (i = 0; i < 3; i++)
		T_EQ(ringdev_send(g, T_TO_GPU, &m, sizeof(m), 0, SEC), 0);
	/* A call behind them: by its answer, the pump has routed all three. */
	T_EQ(ringdev_call(g, T_WHO, NULL, 0, &id, sizeof(id), 5 * SEC), sizeof(id));
	ringdev_kernel_stats(g, &st);
	T_EQ(st.drops, 3);
	T_EQ(st.errors, 0);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_pubsub_to_gpu(void)
{
	struct ringdev_rt *rt = k2k_rt();
	struct ringdev_envelope env;
	struct ringdev_kernel *g;
	char buf[64];

	T_ASSERT(rt, "runtime on the cuda backend");
	T_EQ(gpu_spawn(rt, "cuda-topics", 256, RINGDEV_LAUNCH_ACTIVATE, &g), 0);
	T_EQ(ringdev_subscribe(g, "sensors/+"), 0);
	T_EQ(ringdev_publish(rt, "sensors/a", 5, "x", 1, SEC), 1);
	T_EQ(ringdev_recv(g, &env, buf, sizeof(buf), 5 * SEC), (int)sizeof("sensors/a") + 1);
	T_EQ(env.type, 5);
	T_ASSERT(!strcmp(buf, "sensors/a") && buf[sizeof("sensors/a")] == 'x',
		 "topic '%s', payload '%c'", buf, buf[sizeof("sensors/a")]);
	T_EQ(ringdev_publish(rt, "other/a", 5, "y", 1, SEC), 0);
	T_EQ(ringdev_publish(rt, "sensors/a/deep", 5, "z", 1, SEC), 0);
	T_EQ(ringdev_recv(g, &env, buf, sizeof(buf), SEC / 5), -ETIMEDOUT);
	/* A plain send has no topic. */
	T_EQ(ringdev_send(g, 6, "p", 1, 0, SEC), 0);
	T_EQ(ringdev_recv(g, &env, buf, sizeof(buf), 5 * SEC), 2);
	T_ASSERT(buf[0] == 0 && buf[1] == 'p', "no topic for a send");
	T_EQ(ringdev_unsubscribe(g, "sensors/+"), 0);
	T_EQ(ringdev_publish(rt, "sensors/a", 5, "x", 1, SEC), 0);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_init_fini_state(void)
{
	struct ringdev_rt *rt = k2k_rt();
	struct ringdev_launch_opts lo;
	struct ringdev_envelope env;
	struct ringdev_kernel *g;
	__u64 start = 100, got;
	int i;

	T_ASSERT(rt, "runtime on the cuda backend");
	ringdev_launch_opts_init(&lo);
	lo.flags = RINGDEV_LAUNCH_ACTIVATE;
	lo.init_arg = &start;
	count_at_fini = 0;
	T_EQ(ringdev_kernel_spawn(rt, "cuda-count", &lo, &g), 0);
	for (i = 1; i <= 5; i++) {
		T_EQ(ringdev_send(g, 1, NULL, 0, 0, SEC), 0);
		T_EQ(ringdev_recv(g, &env, &got, sizeof(got), 5 * SEC), sizeof(got));
		T_EQ(got, start + (__u64)i);
	}
	/* init() set the state the GPU started from; fini() sees where it ended. */
	T_EQ(ringdev_kernel_terminate(g, RINGDEV_TERM_DRAIN, NULL), 0);
	T_EQ(count_at_fini, start + 5);
	ringdev_rt_close(rt);
	return T_PASS;
}

int main(void)
{
	static const struct t_case cases[] = {
		T_CASE(test_k2k_both_ways), T_CASE(test_unknown_destination_counted),
		T_CASE(test_pubsub_to_gpu), T_CASE(test_init_fini_state),
	};

	gpu_or_skip("gpu/k2k");
	return t_run("gpu/k2k", cases, sizeof(cases) / sizeof(cases[0]));
}

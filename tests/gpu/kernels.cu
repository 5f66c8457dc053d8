// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * kernels.cu - GPU tests of the sample ring kernels through the runtime:
 * echo round trips with payload checks, saxpy against the CPU, running
 * statistics against the CPU, and the lifecycle (launch held, activate,
 * deactivate, terminate with drain and with discard).  Exit 77 without a GPU.
 */
#include <math.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "gpu_test.h"

static unsigned int seed = 12345;

static unsigned int rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static int test_echo(void)
{
	struct ringdev_rt *rt = gpu_rt();
	struct ringdev_kernel_stats st;
	struct ringdev_envelope env;
	struct ringdev_kernel *k;
	unsigned char req[192], resp[256];
	int i, rounds = 2000;

	T_ASSERT(rt, "runtime on the cuda backend");
	T_EQ(gpu_spawn(rt, "cuda-echo", 256, RINGDEV_LAUNCH_ACTIVATE, &k), 0);
	for (i = 0; i < rounds; i++) {
		__u32 len = rnd() % (sizeof(req) + 1), j;

		for (j = 0; j < len; j++)
			req[j] = (unsigned char)rnd();
		T_EQ(ringdev_call(k, 7, req, len, resp, sizeof(resp), 5 * SEC), len);
		T_ASSERT(!memcmp(req, resp, len), "round %d: payload differs", i);
	}
	/* Not a call: the GPU emits it back to the host. */
	T_EQ(ringdev_send(k, 9, "emitted", 7, 0, SEC), 0);
	T_EQ(ringdev_recv(k, &env, resp, sizeof(resp), 5 * SEC), 7);
	T_ASSERT(env.type == 9 && !memcmp(resp, "emitted", 7), "emit came back");
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DRAIN, NULL), 0);
	ringdev_kernel_stats(k, &st);
	T_ASSERT(st.msgs_in == (__u64)rounds + 1, "msgs_in %llu", (unsigned long long)st.msgs_in);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_saxpy(void)
{
	static const __u32 sizes[] = { 1, 7, 128, 129, 1000 };
	struct ringdev_rt *rt = gpu_rt();
	struct ringdev_kernel *k;
	unsigned int s;

	T_ASSERT(rt, "runtime on the cuda backend");
	T_EQ(gpu_spawn(rt, "cuda-saxpy", 16384, RINGDEV_LAUNCH_ACTIVATE, &k), 0);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		__u32 n = sizes[s], i;
		size_t len = sizeof(struct ringdev_saxpy_hdr) + 2 * n * sizeof(float);
		struct ringdev_saxpy_hdr *h = (struct ringdev_saxpy_hdr *)malloc(len);
		float *x = (float *)(h + 1), *y = x + n;
		float *out = (float *)malloc(n * sizeof(float));

		T_ASSERT(h && out, "memory");
		h->n = n;
		h->a = 2.5f;
		for (i = 0; i < n; i++) {
			x[i] = (float)(rnd() % 1000) / 7.0f;
			y[i] = (float)(rnd() % 1000) / 3.0f - 100.0f;
		}
		T_EQ(ringdev_call(k, 1, h, (__u32)len, out, n * sizeof(float), 5 * SEC),
		     n * sizeof(float));
		for (i = 0; i < n; i++) {
			float want = h->a * x[i] + y[i];

			/* The GPU may fuse the multiply-add: one rounding apart. */
			T_ASSERT(fabsf(out[i] - want) <= 1e-5f * fmaxf(1.0f, fabsf(want)),
				 "n=%u i=%u: got %g want %g", n, i, out[i], want);
		}
		/* A length that does not match n is refused by the handler. */
		h->n = n + 1;
		T_EQ(ringdev_call(k, 1, h, (__u32)len, out, n * sizeof(float), 5 * SEC), -EINVAL);
		free(h);
		free(out);
	}
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_stats(void)
{
	struct ringdev_rt *rt = gpu_rt();
	struct ringdev_stats_reply r;
	struct ringdev_kernel *k;
	static float v[1000];
	double sum = 0, mean;
	unsigned int total = 0, b, i;

	T_ASSERT(rt, "runtime on the cuda backend");
	T_EQ(gpu_spawn(rt, "cuda-stats", 4096, RINGDEV_LAUNCH_ACTIVATE, &k), 0);
	T_EQ(ringdev_call(k, RINGDEV_STATS_GET, NULL, 0, &r, sizeof(r), 5 * SEC), sizeof(r));
	T_ASSERT(r.count == 0, "fresh state");
	for (b = 0; b < 20; b++) {
		unsigned int n = 1 + rnd() % 1000;

		for (i = 0; i < n; i++)
			v[i] = (float)(rnd() % 100000) / 100.0f;
		for (i = 0; i < n; i++)
			sum += v[i];
		T_EQ(ringdev_call(k, RINGDEV_STATS_ADD, v, n * sizeof(float), &r, sizeof(r),
				  5 * SEC), sizeof(r));
		total += n;
		T_ASSERT(r.count == total, "count %llu want %u", (unsigned long long)r.count, total);
	}
	/* Deactivate and reactivate: the state stays on the GPU. */
	T_EQ(ringdev_kernel_deactivate(k), 0);
	T_EQ(ringdev_kernel_activate(k), 0);
	T_EQ(ringdev_call(k, RINGDEV_STATS_GET, NULL, 0, &r, sizeof(r), 5 * SEC), sizeof(r));
	T_ASSERT(r.count == total, "count survived deactivation");
	mean = sum / total;
	T_ASSERT(fabs(r.mean - mean) <= 1e-9 * fabs(mean), "mean %.12g want %.12g", r.mean, mean);
	T_EQ(ringdev_call(k, RINGDEV_STATS_RESET, NULL, 0, &r, sizeof(r), 5 * SEC), sizeof(r));
	T_ASSERT(r.count == 0 && r.mean == 0, "reset");
	ringdev_rt_close(rt);
	return T_PASS;
}

/* Variance against a two-pass CPU reference over one known data set. */
static int test_stats_variance(void)
{
	struct ringdev_rt *rt = gpu_rt();
	struct ringdev_stats_reply r;
	struct ringdev_kernel *k;
	static float v[3000];
	double mean = 0, m2 = 0;
	unsigned int i, off;

	T_ASSERT(rt, "runtime on the cuda backend");
	T_EQ(gpu_spawn(rt, "cuda-stats", 8192, RINGDEV_LAUNCH_ACTIVATE, &k), 0);
	for (i = 0; i < 3000; i++)
		v[i] = 1000.0f + (float)(rnd() % 10000) / 1000.0f;
	for (i = 0; i < 3000; i++)
		mean += v[i];
	mean /= 3000;
	for (i = 0; i < 3000; i++)
		m2 += (v[i] - mean) * (v[i] - mean);
	for (off = 0; off < 3000; off += 1000)
		T_EQ(ringdev_call(k, RINGDEV_STATS_ADD, v + off, 1000 * sizeof(float), &r,
				  sizeof(r), 5 * SEC), sizeof(r));
	T_ASSERT(r.count == 3000, "count");
	T_ASSERT(fabs(r.mean - mean) <= 1e-9 * mean, "mean %.12g want %.12g", r.mean, mean);
	T_ASSERT(fabs(r.variance - m2 / 2999) <= 1e-6 * (m2 / 2999),
		 "variance %.12g want %.12g", r.variance, m2 / 2999);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int expect_emits(struct ringdev_kernel *k, int n, __s64 timeout)
{
	struct ringdev_envelope env;
	char buf[64];
	int i;

	for (i = 0; i < n; i++)
		if (ringdev_recv(k, &env, buf, sizeof(buf), timeout) < 0)
			return i;
	return n;
}

static int test_lifecycle(void)
{
	struct ringdev_rt *rt = gpu_rt();
	struct ringdev_envelope env;
	struct ringdev_kernel *k;
	__u64 discarded = 99;
	char buf[64];
	int i;

	T_ASSERT(rt, "runtime on the cuda backend");
	/* Launched, not active: messages are held. */
	T_EQ(gpu_spawn(rt, "cuda-echo", 256, 0, &k), 0);
	T_EQ(ringdev_kernel_state(k), RINGDEV_KERNEL_LAUNCHED);
	for (i = 0; i < 10; i++)
		T_EQ(ringdev_send(k, (__u32)i, &i, sizeof(i), 0, SEC), 0);
	T_EQ(ringdev_recv(k, &env, buf, sizeof(buf), SEC / 5), -ETIMEDOUT);
	T_EQ(ringdev_kernel_activate(k), 0);
	for (i = 0; i < 10; i++) {
		T_EQ(ringdev_recv(k, &env, buf, sizeof(buf), 5 * SEC), sizeof(i));
		T_ASSERT(env.type == (__u32)i, "in order: %u at %d", env.type, i);
	}
	/* Deactivated: held again, then released by activate. */
	T_EQ(ringdev_kernel_deactivate(k), 0);
	T_EQ(ringdev_kernel_deactivate(k), -EBADFD);
	for (i = 0; i < 5; i++)
		T_EQ(ringdev_send(k, 1, "x", 1, 0, SEC), 0);
	T_EQ(ringdev_recv(k, &env, buf, sizeof(buf), SEC / 5), -ETIMEDOUT);
	T_EQ(ringdev_kernel_activate(k), 0);
	T_EQ(expect_emits(k, 5, 5 * SEC), 5);
	/* Terminate with drain from deactivated: everything is handled. */
	T_EQ(ringdev_kernel_deactivate(k), 0);
	for (i = 0; i < 3; i++)
		T_EQ(ringdev_send(k, 1, "y", 1, 0, SEC), 0);
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DRAIN, &discarded), 0);
	T_EQ(discarded, 0);
	T_EQ(ringdev_kernel_state(k), RINGDEV_KERNEL_TERMINATED);
	T_EQ(expect_emits(k, 3, SEC), 3);
	T_EQ(ringdev_send(k, 1, "z", 1, 0, SEC), -ESHUTDOWN);

	/* Terminate with discard: queued messages are dropped and counted. */
	T_EQ(gpu_spawn(rt, "cuda-echo", 256, 0, &k), 0);
	for (i = 0; i < 4; i++)
		T_EQ(ringdev_send(k, 1, "d", 1, 0, SEC), 0);
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DISCARD, &discarded), 0);
	T_EQ(discarded, 4);
	T_EQ(ringdev_kernel_terminate(k, RINGDEV_TERM_DISCARD, NULL), -EBADFD);
	ringdev_rt_close(rt);
	return T_PASS;
}

/* A sender blocked on a full GPU inbox, and how long it waited. */
struct blocked_send {
	struct ringdev_kernel *k;
	int rc;
	double waited_s;
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *send_blocked(void *arg)
{
	struct blocked_send *b = (struct blocked_send *)arg;
	__u32 n = 256;
	double t0 = mono_s();

	b->rc = ringdev_send(b->k, n, &n, sizeof(n), 0, 20 * SEC);
	b->waited_s = mono_s() - t0;
	return NULL;
}

/*
 * BLOCK backpressure with a GPU consumer: a host sender asleep on a full
 * inbox is woken when the GPU makes room.  The GPU cannot ring an eventfd;
 * the backend's pump rings the space doorbell for it.
 */
static int test_full_inbox_wakes_sender(void)
{
	struct ringdev_rt *rt = gpu_rt();
	static struct blocked_send b;	/* outlives a failed check: the thread may still run */
	struct ringdev_envelope env;
	pthread_t th;
	__u32 i, got;

	T_ASSERT(rt, "runtime on the cuda backend");
	T_EQ(gpu_spawn(rt, "cuda-echo", 256, 0, &b.k), 0);	/* launched: held */
	for (i = 0; i < 256; i++)
		T_EQ(ringdev_send(b.k, i, &i, sizeof(i), 0, 0), 0);
	T_EQ(ringdev_send(b.k, 999, &i, sizeof(i), 0, 0), -EAGAIN);	/* full */
	T_EQ(pthread_create(&th, NULL, send_blocked, &b), 0);
	usleep(200000);		/* it sleeps on the space doorbell */
	T_EQ(ringdev_kernel_activate(b.k), 0);
	for (i = 0; i <= 256; i++) {
		T_EQ(ringdev_recv(b.k, &env, &got, sizeof(got), 5 * SEC), sizeof(got));
		T_ASSERT(env.type == i && got == i, "in order: %u/%u at %u", env.type, got, i);
	}
	pthread_join(th, NULL);
	T_EQ(b.rc, 0);
	/* Woken by the doorbell, not by its 20 s timeout. */
	T_ASSERT(b.waited_s < 5.0, "the blocked sender waited %.2f s", b.waited_s);
	ringdev_rt_close(rt);
	return T_PASS;
}

/* What the cuda backend cannot do is refused, and nothing is left behind. */
static int test_refusals(void)
{
	struct ringdev_rt *rt = gpu_rt();
	struct ringdev_launch_opts lo;
	struct ringdev_kernel *k = NULL;
	unsigned char big[128], back[64];

	T_ASSERT(rt, "runtime on the cuda backend");
	ringdev_launch_opts_init(&lo);
	lo.lanes = 2;		/* the GPU polls one ring */
	T_EQ(ringdev_kernel_create(rt, "cuda-echo", &lo, &k), -EOPNOTSUPP);
	ringdev_launch_opts_init(&lo);
	lo.backpressure = RINGDEV_BP_DROP_OLDEST;	/* the host would consume the inbox */
	T_EQ(ringdev_kernel_create(rt, "cuda-echo", &lo, &k), -EOPNOTSUPP);
	ringdev_launch_opts_init(&lo);
	lo.backend = RINGDEV_BACKEND_CPU;
	T_EQ(ringdev_kernel_create(rt, "cuda-echo", &lo, &k), -EOPNOTSUPP);
	/* 128-byte slots: a 128-byte payload is refused by the send, not lost. */
	T_EQ(gpu_spawn(rt, "cuda-echo", 128, RINGDEV_LAUNCH_ACTIVATE, &k), 0);
	memset(big, 0xa5, sizeof(big));
	T_EQ(ringdev_send(k, 1, big, sizeof(big), 0, SEC), -EMSGSIZE);
	/* 64 bytes fill the slot after its header, and come back whole. */
	T_EQ(ringdev_call(k, 1, big, sizeof(back), back, sizeof(back), 5 * SEC),
	     (int)sizeof(back));
	T_ASSERT(!memcmp(big, back, sizeof(back)), "a full slot comes back whole");
	ringdev_rt_close(rt);
	return T_PASS;
}

int main(void)
{
	static const struct t_case cases[] = {
		T_CASE(test_echo), T_CASE(test_saxpy), T_CASE(test_stats),
		T_CASE(test_stats_variance), T_CASE(test_lifecycle), T_CASE(test_refusals),
		T_CASE(test_full_inbox_wakes_sender),
	};

	gpu_or_skip("gpu/kernels");
	return t_run("gpu/kernels", cases, sizeof(cases) / sizeof(cases[0]));
}

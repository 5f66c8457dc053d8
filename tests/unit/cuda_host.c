// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * cuda_host.c - the CUDA backend's host side where no GPU is visible:
 * RINGDEV_BACKEND_CUDA is -ENODEV, AUTO falls back to cpu, GPU types
 * register but cannot be created.  Skips (77) when a GPU is visible:
 * tests/gpu/ covers that machine.
 */
#include <ringdev/cuda.h>
#include "test.h"

#define SEC 1000000000LL

static int launched;

/* Never reached without a GPU: the backend refuses before launching. */
static int fake_launch(const struct ringdev_cuda_args *args, void *stream)
{
	(void)args;
	(void)stream;
	launched++;
	return -EIO;
}

static const struct ringdev_cuda_type gpu_echo = {
	.name = "gpu-echo",
	.launch = fake_launch,
	.state_size = 16,
	.block_threads = 128,
	.abi = RINGDEV_CUDA_ABI,
};

static int cpu_echo(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
		    const void *payload)
{
	return ringdev_ctx_reply(ctx, payload, env->len);
}

static const struct ringdev_kernel_type cpu_type = {
	.name = "cpu-echo", .handler = cpu_echo,
};

/* 1 when the CUDA backend is usable here: then this test has nothing to check. */
static int gpu_visible(void)
{
	static int known = -1;
	struct ringdev_rt_opts o;
	struct ringdev_rt *rt;

	if (known < 0) {
		memset(&o, 0, sizeof(o));
		o.backend = RINGDEV_BACKEND_CUDA;
		known = ringdev_rt_open(&o, &rt) == 0;
		if (known) {
			ringdev_rt_close(rt);
			printf("  skip: a GPU is visible (tests/gpu/run.sh covers it)\n");
		}
	}
	return known;
}

static int test_cuda_backend_enodev(void)
{
	struct ringdev_rt_opts o;
	struct ringdev_rt *rt = (struct ringdev_rt *)&o;

	if (gpu_visible())
		return T_SKIP;
	memset(&o, 0, sizeof(o));
	o.backend = RINGDEV_BACKEND_CUDA;
	T_EQ(ringdev_rt_open(&o, &rt), -ENODEV);
	T_ASSERT(rt == NULL, "*out cleared on failure");
	/* The probe's answer is cached: same result again. */
	T_EQ(ringdev_rt_open(&o, &rt), -ENODEV);
	return T_PASS;
}

static int test_auto_falls_back_to_cpu(void)
{
	struct ringdev_rt_opts o;
	struct ringdev_launch_opts lo;
	struct ringdev_kernel *k;
	struct ringdev_rt *rt;
	char buf[16];

	if (gpu_visible())
		return T_SKIP;
	memset(&o, 0, sizeof(o));
	o.backend = RINGDEV_BACKEND_AUTO;
	T_EQ(ringdev_rt_open(&o, &rt), 0);
	T_EQ(ringdev_rt_register(rt, &cpu_type), 0);
	ringdev_launch_opts_init(&lo);
	lo.flags = RINGDEV_LAUNCH_ACTIVATE;
	T_EQ(ringdev_kernel_spawn(rt, "cpu-echo", &lo, &k), 0);
	T_EQ(ringdev_call(k, 1, "hello", 5, buf, sizeof(buf), 5 * SEC), 5);
	T_ASSERT(!memcmp(buf, "hello", 5), "echoed payload");
	/* Asking for cuda on one kernel of a CPU type still needs the GPU. */
	lo.backend = RINGDEV_BACKEND_CUDA;
	T_EQ(ringdev_kernel_create(rt, "cpu-echo", &lo, &k), -ENODEV);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_register_cuda_type(void)
{
	struct ringdev_cuda_type bad = gpu_echo;
	struct ringdev_rt *rt;

	if (gpu_visible())
		return T_SKIP;
	T_EQ(ringdev_rt_open(NULL, &rt), 0);
	T_EQ(ringdev_rt_register_cuda(rt, &gpu_echo), 0);
	T_EQ(ringdev_rt_register_cuda(rt, &gpu_echo), -EEXIST);
	/* One namespace for CPU and GPU types. */
	bad.name = "cpu-echo";
	T_EQ(ringdev_rt_register(rt, &cpu_type), 0);
	T_EQ(ringdev_rt_register_cuda(rt, &bad), -EEXIST);
	bad = gpu_echo;
	bad.name = "nolaunch";
	bad.launch = NULL;
	T_EQ(ringdev_rt_register_cuda(rt, &bad), -EINVAL);
	bad = gpu_echo;
	bad.name = "badabi";
	bad.abi = RINGDEV_CUDA_ABI + 1;
	T_EQ(ringdev_rt_register_cuda(rt, &bad), -EINVAL);
	bad = gpu_echo;
	bad.name = "reserved";
	bad.reserved[1] = 1;
	T_EQ(ringdev_rt_register_cuda(rt, &bad), -EINVAL);
	bad.name = NULL;
	T_EQ(ringdev_rt_register_cuda(rt, &bad), -EINVAL);
	T_EQ(ringdev_rt_register_cuda(NULL, &gpu_echo), -EINVAL);
	T_EQ(ringdev_rt_register_cuda(rt, NULL), -EINVAL);
	ringdev_rt_close(rt);
	return T_PASS;
}

static int test_create_cuda_kernel_enodev(void)
{
	struct ringdev_launch_opts lo;
	struct ringdev_kernel *k = (struct ringdev_kernel *)&lo;
	struct ringdev_rt *rt;

	if (gpu_visible())
		return T_SKIP;
	T_EQ(ringdev_rt_open(NULL, &rt), 0);
	T_EQ(ringdev_rt_register_cuda(rt, &gpu_echo), 0);
	/* AUTO: a GPU type resolves to cuda, which is not there. */
	T_EQ(ringdev_kernel_create(rt, "gpu-echo", NULL, &k), -ENODEV);
	T_ASSERT(k == NULL, "*out cleared on failure");
	T_EQ(ringdev_kernel_spawn(rt, "gpu-echo", NULL, &k), -ENODEV);
	ringdev_launch_opts_init(&lo);
	lo.backend = RINGDEV_BACKEND_CUDA;
	T_EQ(ringdev_kernel_create(rt, "gpu-echo", &lo, &k), -ENODEV);
	lo.backend = RINGDEV_BACKEND_CPU;
	T_EQ(ringdev_kernel_create(rt, "gpu-echo", &lo, &k), -ENODEV);
	T_ASSERT(launched == 0, "launch callback ran %d times", launched);
	/* The failed creations left nothing behind. */
	T_ASSERT(ringdev_rt_kernel(rt, 1) == NULL, "no kernel 1");
	ringdev_rt_close(rt);
	return T_PASS;
}

T_MAIN(T_CASE(test_cuda_backend_enodev), T_CASE(test_auto_falls_back_to_cpu),
       T_CASE(test_register_cuda_type), T_CASE(test_create_cuda_kernel_enodev))

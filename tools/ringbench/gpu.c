// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * gpu.c - the gpu scenario: a GPU ring kernel in parts (the host's write,
 * until the GPU saw the message, the round trip with the host spinning and
 * with it asleep) beside the launch + sync of an empty kernel, and 64-byte
 * echo throughput.  The device code is the GPU helper library
 * (gpu_helper.h), loaded with dlopen() so that ringbench builds without
 * CUDA; without the helper or a GPU the scenario says why and adds no rows.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ringdev/runtime.h>
#include <ringdev/cuda.h>
#include "bench.h"
#include "gpu_helper.h"

#define GPU_PROBE_TYPE		1
#define GPU_ECHO_TYPE		2
#define GPU_ECHO_LEN		64	/* payload bytes per throughput message */
#define GPU_SLOT		128	/* the 64-byte header and the payload */
#define GPU_TIMEOUT_NS		5000000000LL
#define GPU_RTT_TARGET_NS	3000.0	/* round trip with the host spinning, p50 */
#define GPU_RTT_VS_LAUNCH	(1.0 / 3.0)	/* ... and against launch + sync */
#define GPU_TPUT_TARGET		5.0	/* Mmsg/s, batched 64-byte echo */

char rb_gpu_status[400];

/* The helper library and the backend probe: looked for once. */
static struct {
	int tried;
	const struct rbgpu_ops *ops;
	char why[336];
} gh;

/*
 * Run ringdev_rt_open() for the cuda backend with stderr captured, so that
 * the library's one line saying why lands in @why instead of the terminal.
 */
static int backend_probe(char *why, size_t len)
{
	struct ringdev_rt_opts ro;
	struct ringdev_rt *rt = NULL;
	int p[2], saved = -1, err;
	ssize_t k = 0;

	why[0] = 0;
	memset(&ro, 0, sizeof(ro));
	ro.backend = RINGDEV_BACKEND_CUDA;
	fflush(stderr);
	if (!pipe2(p, O_CLOEXEC | O_NONBLOCK)) {
		saved = dup(2);
		if (saved >= 0)
			dup2(p[1], 2);
	}
	err = ringdev_rt_open(&ro, &rt);
	if (saved >= 0) {
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		k = read(p[0], why, len - 1);
		why[k > 0 ? k : 0] = 0;
		close(p[0]);
		close(p[1]);
	}
	ringdev_rt_close(rt);
	/* One line: drop the library's prefix and the newline. */
	if (strchr(why, '\n'))
		*strchr(why, '\n') = 0;
	if (!strncmp(why, "ringdev: ", 9))
		memmove(why, why + 9, strlen(why + 9) + 1);
	if (err && !why[0])
		snprintf(why, len, "ringdev_rt_open(RINGDEV_BACKEND_CUDA): %s", strerror(-err));
	return err;
}

/*
 * Load the helper: --gpu-lib, else cuda/ringbench-gpu.so beside this
 * program.  It loads libcudart (the stand-in one for a simulation build),
 * so it comes before the backend's first look for a GPU.  Never unloaded:
 * its kernel types are registered with runtimes.
 * Return: 0, or -1 with the reason in gh.why.
 */
static int helper_load(void)
{
	const struct rbgpu_ops *ops;
	const char *path = rb_opt.gpu_lib;
	char self[4096], *slash;
	void *lib;
	ssize_t n;

	if (!path) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 32);
		slash = n > 0 ? memrchr(self, '/', (size_t)n) : NULL;
		if (!slash) {
			snprintf(gh.why, sizeof(gh.why), "cannot find this program's directory");
			return -1;
		}
		strcpy(slash + 1, "cuda/ringbench-gpu.so");
		path = self;
	}
	if (access(path, R_OK)) {
		snprintf(gh.why, sizeof(gh.why), "no GPU helper %.200s (%s; make builds it where nvcc is)",
			 path, strerror(errno));
		return -1;
	}
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(gh.why, sizeof(gh.why), "%.300s", dlerror());
		return -1;
	}
	ops = dlsym(lib, RBGPU_SYMBOL);
	if (!ops || ops->abi != RBGPU_ABI || !ops->probe || !ops->echo || !ops->launch_sync) {
		snprintf(gh.why, sizeof(gh.why), "%.200s: no %s of ABI %u", path, RBGPU_SYMBOL,
			 RBGPU_ABI);
		dlclose(lib);
		return -1;
	}
	gh.ops = ops;
	return 0;
}

/* A runtime on the cuda backend with the helper's types registered. */
static int gpu_rt_open(struct ringdev_rt **rt)
{
	struct ringdev_rt_opts ro;
	int err;

	memset(&ro, 0, sizeof(ro));
	ro.backend = RINGDEV_BACKEND_CUDA;
	ro.transport = rb_opt.transport;
	err = ringdev_rt_open(&ro, rt);
	if (err)
		return err;
	err = ringdev_rt_register_cuda(*rt, gh.ops->probe);
	if (!err)
		err = ringdev_rt_register_cuda(*rt, gh.ops->echo);
	if (err) {
		ringdev_rt_close(*rt);
		*rt = NULL;
	}
	return err;
}

/* Spawn an active kernel of @t; @spin_ns is also the host's receive budget. */
static int gpu_spawn(struct ringdev_rt *rt, const struct ringdev_cuda_type *t, __u64 spin_ns,
		     struct ringdev_kernel **k)
{
	struct ringdev_launch_opts lo;

	ringdev_launch_opts_init(&lo);
	lo.slot_size = GPU_SLOT;
	lo.capacity = rb_opt.capacity;
	lo.flags = RINGDEV_LAUNCH_ACTIVATE;
	lo.backend = RINGDEV_BACKEND_CUDA;
	lo.spin_ns = spin_ns;
	return ringdev_kernel_spawn(rt, t->name, &lo, k);
}

/* One run of probe round trips: host CLOCK_MONOTONIC and device ns. */
struct gpu_trips {
	unsigned long n;
	uint64_t *sent;		/* before ringdev_send() */
	uint64_t *written;	/* after it */
	uint64_t *answered;	/* ringdev_recv() returned the answer */
	uint64_t *seen;		/* device clock: the loop found the message */
};

/*
 * @tr->n measured round trips through the probe kernel @k, after n/10 + 1
 * warm ones.  @spin: poll for the answer; else sleep in ringdev_recv().
 * Return: 0 or -errno.
 */
static int gpu_round_trips(struct ringdev_kernel *k, struct gpu_trips *tr, int spin,
			   unsigned long *errors)
{
	unsigned long warm = tr->n / 10 + 1, i;
	struct ringdev_envelope env;
	struct rbgpu_probe_msg m;
	int rc;

	for (i = 0; i < warm + tr->n; i++) {
		uint64_t a, b, c;

		a = rb_now_ns();
		rc = ringdev_send(k, GPU_PROBE_TYPE, NULL, 0, 0, GPU_TIMEOUT_NS);
		b = rb_now_ns();
		if (rc)
			return rc;
		if (spin) {
			while ((rc = ringdev_recv(k, &env, &m, sizeof(m), 0)) == -EAGAIN ||
			       rc == -ETIMEDOUT) {
				if (rb_now_ns() - b > (uint64_t)GPU_TIMEOUT_NS)
					return -ETIMEDOUT;
				RINGDEV_CPU_RELAX();
			}
		} else {
			rc = ringdev_recv(k, &env, &m, sizeof(m), GPU_TIMEOUT_NS);
		}
		c = rb_now_ns();
		if (rc < 0)
			return rc;
		if (rc != (int)sizeof(m) || env.type != GPU_PROBE_TYPE)
			(*errors)++;
		if (i < warm)
			continue;
		tr->sent[i - warm] = a;
		tr->written[i - warm] = b;
		tr->answered[i - warm] = c;
		tr->seen[i - warm] = m.seen_ns;
	}
	return 0;
}

/* Spawn a probe kernel (@spin_ns: the host's receive budget), run @tr, end it. */
static int probe_run(struct ringdev_rt *rt, __u64 spin_ns, int spin, struct gpu_trips *tr,
		     unsigned long *errors)
{
	struct ringdev_kernel *k = NULL;
	int err = gpu_spawn(rt, gh.ops->probe, spin_ns, &k);

	if (!err)
		err = gpu_round_trips(k, tr, spin, errors);
	if (k)
		ringdev_kernel_terminate(k, RINGDEV_TERM_DISCARD, NULL);
	return err;
}

/* Add one run of @n durations (ns) to the RB_LAT row @row. */
static void lat_run(struct rb_row *row, const double *ns, unsigned long n)
{
	struct rb_hist *h = rb_hist_new();
	double tick_ns = rb_ticks_to_ns(1.0);
	unsigned long i;

	for (i = 0; i < n; i++)
		rb_hist_add(h, (uint64_t)(ns[i] > 0 ? ns[i] / tick_ns + 0.5 : 0));
	rb_lat_runs_add(&row->lat, h);
	if (rb_opt.plot) {
		if (!row->hist)
			row->hist = rb_hist_new();
		rb_hist_merge(row->hist, h);
	}
	rb_hist_free(h);
	row->n = n;
}

/* Add the median of one run of @n values (ns) to the RB_OP row @row. */
static void op_run(struct rb_row *row, double *ns, unsigned long n)
{
	if (row->nrate < RB_MAX_REPS)
		row->rate[row->nrate++] = rb_median(ns, (unsigned int)n);
	row->n = n;
}

/* The rows, in report order. */
struct gpu_rows {
	struct rb_row *launch, *write, *seen, *spin, *sleep, *tput;
};

/*
 * Round trips with the host spinning (parts a, b, c), then through a second
 * kernel whose host side sleeps (d): the host waits in ringdev_recv() with
 * no spin, on its eventfd, and the backend's pump thread (the bridge that
 * routes what the GPU writes) wakes it.
 */
static int gpu_trips_pass(struct ringdev_rt *rt, struct gpu_rows *r, unsigned long n_spin,
			  unsigned long n_sleep)
{
	struct gpu_trips tr;
	double *v, best_rtt = -1, offset = 0;
	unsigned long i, best = 0;
	int err;

	tr.n = n_spin;
	tr.sent = rb_alloc(4 * n_spin * sizeof(uint64_t));
	tr.written = tr.sent + n_spin;
	tr.answered = tr.written + n_spin;
	tr.seen = tr.answered + n_spin;
	v = rb_alloc(n_spin * sizeof(double));

	err = probe_run(rt, RINGDEV_DEFAULT_SPIN_NS, 1, &tr, &r->spin->errors);
	if (err)
		goto out;
	for (i = 0; i < n_spin; i++)
		v[i] = (double)(tr.written[i] - tr.sent[i]);
	op_run(r->write, v, n_spin);
	for (i = 0; i < n_spin; i++) {
		v[i] = (double)(tr.answered[i] - tr.sent[i]);
		if (best_rtt < 0 || v[i] < best_rtt) {
			best_rtt = v[i];
			best = i;
		}
	}
	lat_run(r->spin, v, n_spin);
	/*
	 * Map the device clock onto the host's: on the fastest round trip,
	 * assume the GPU saw the message halfway through.
	 */
	offset = (double)tr.seen[best] - ((double)tr.sent[best] + (double)tr.answered[best]) / 2;
	for (i = 0; i < n_spin; i++)
		v[i] = (double)tr.seen[i] - offset - (double)tr.sent[i];
	op_run(r->seen, v, n_spin);
	snprintf(r->seen->note, sizeof(r->seen->note),
		 "%sestimate: device clock aligned on the fastest round trip, +-%.0f ns",
		 gh.ops->simulated ? "SIMULATED; " : "", best_rtt / 2);

	tr.n = n_sleep;
	err = probe_run(rt, 0, 0, &tr, &r->sleep->errors);
	if (err)
		goto out;
	for (i = 0; i < n_sleep; i++)
		v[i] = (double)(tr.answered[i] - tr.sent[i]);
	lat_run(r->sleep, v, n_sleep);
out:
	free(tr.sent);
	free(v);
	return err;
}

/* Launch + sync of an empty kernel, @n times: the baseline. */
static int gpu_launch_pass(struct gpu_rows *r, unsigned long n)
{
	uint64_t *t = rb_alloc(n * sizeof(*t));
	double *v = rb_alloc(n * sizeof(*v));
	unsigned long i;
	int err;

	err = gh.ops->launch_sync((unsigned int)n, rb_now_ns, t);
	if (!err) {
		for (i = 0; i < n; i++)
			v[i] = (double)t[i];
		lat_run(r->launch, v, n);
	}
	free(t);
	free(v);
	return err;
}

/*
 * Echo throughput: 64-byte messages, up to half the inbox in flight; the
 * host sends whenever there is room and takes every answer there is, all
 * checked in order.  Return: 0 or -errno.
 */
static int gpu_tput_pass(struct ringdev_rt *rt, struct gpu_rows *r, unsigned long n)
{
	unsigned char out[GPU_ECHO_LEN], in[GPU_SLOT];
	unsigned long sent = 0, got = 0, window = rb_opt.capacity / 2;
	struct ringdev_kernel *k = NULL;
	struct ringdev_envelope env;
	uint64_t t0, progress;
	int err, rc;

	err = gpu_spawn(rt, gh.ops->echo, RINGDEV_DEFAULT_SPIN_NS, &k);
	if (err)
		return err;
	t0 = progress = rb_now_ns();
	while (got < n) {
		while (sent < n && sent - got < window) {
			rb_item_stamp(out, sizeof(out), sent);
			rc = ringdev_send(k, GPU_ECHO_TYPE, out, sizeof(out), 0, 0);
			if (rc == -ETIMEDOUT || rc == -EAGAIN)
				break;	/* the inbox is full: collect answers first */
			if (rc) {
				err = rc;
				goto out;
			}
			sent++;
		}
		rc = ringdev_recv(k, &env, in, sizeof(in), 0);
		if (rc >= 0) {
			if (rc != GPU_ECHO_LEN || env.type != GPU_ECHO_TYPE ||
			    !rb_item_ok(in, GPU_ECHO_LEN, got))
				r->tput->errors++;
			got++;
			progress = rb_now_ns();
		} else if (rc != -EAGAIN && rc != -ETIMEDOUT) {
			err = rc;
			goto out;
		} else if (rb_now_ns() - progress > (uint64_t)GPU_TIMEOUT_NS) {
			err = -ETIMEDOUT;
			goto out;
		}
	}
	if (r->tput->nrate < RB_MAX_REPS)
		r->tput->rate[r->tput->nrate++] = (double)n * 1e3 / (double)(rb_now_ns() - t0);
	r->tput->n = n;
out:
	ringdev_kernel_terminate(k, RINGDEV_TERM_DISCARD, NULL);
	return err;
}

/* Make the rows and state what they are; targets only for a real GPU. */
static void gpu_rows_init(struct gpu_rows *r)
{
	const char *tr = rb_transport_name();

	r->launch = rb_row_new("gpu-launch-sync", RB_LAT);
	r->write = rb_row_new("gpu-write", RB_OP);
	r->seen = rb_row_new("gpu-seen", RB_OP);
	r->spin = rb_row_new("gpu-rtt-spin", RB_LAT);
	r->sleep = rb_row_new("gpu-rtt-sleep", RB_LAT);
	r->tput = rb_row_new("gpu-echo-tput-64", RB_TPUT);
	if (r->launch->desc[0])
		return;	/* a later pass */
	snprintf(r->launch->desc, sizeof(r->launch->desc),
		 "launch + cudaStreamSynchronize of an empty kernel (baseline)");
	snprintf(r->write->desc, sizeof(r->write->desc),
		 "(a) host ringdev_send to a GPU ring kernel");
	snprintf(r->seen->desc, sizeof(r->seen->desc),
		 "(b) host send until the GPU loop saw it");
	snprintf(r->spin->desc, sizeof(r->spin->desc),
		 "(c) round trip host -> GPU kernel -> host, host spinning");
	snprintf(r->sleep->desc, sizeof(r->sleep->desc),
		 "(d) round trip, host asleep on its eventfd, woken by the pump");
	snprintf(r->tput->desc, sizeof(r->tput->desc),
		 "64 B messages to the GPU echo kernel and back, batched");
	r->write->transport = r->seen->transport = r->spin->transport = tr;
	r->sleep->transport = r->tput->transport = tr;
	r->tput->size = GPU_ECHO_LEN;
	r->tput->batch = rb_opt.capacity / 2;
	if (gh.ops->simulated) {
		static const char sim[] = "SIMULATED: host threads stand in for the GPU "
					  "(tests/gpu/sim); not GPU figures, no target";
		snprintf(r->launch->note, sizeof(r->launch->note), "%s", sim);
		snprintf(r->spin->note, sizeof(r->spin->note), "%s", sim);
		snprintf(r->sleep->note, sizeof(r->sleep->note), "%s", sim);
		snprintf(r->tput->note, sizeof(r->tput->note), "%s", sim);
		return;
	}
	rb_set_baseline(r->spin, "gpu-launch-sync", GPU_RTT_VS_LAUNCH, 1);
	r->spin->has_abs = 1;
	r->spin->abs_target = GPU_RTT_TARGET_NS;
	snprintf(r->spin->note, sizeof(r->spin->note),
		 "targets: p50 <= %.0f ns and <= %.2fx gpu-launch-sync", GPU_RTT_TARGET_NS,
		 GPU_RTT_VS_LAUNCH);
	r->tput->has_abs = 1;
	r->tput->abs_min = 1;
	r->tput->abs_target = GPU_TPUT_TARGET;
	snprintf(r->tput->note, sizeof(r->tput->note), "%lu in flight at most",
		 (unsigned long)r->tput->batch);
}

/**
 * rb_gpu() - the GPU scenario, in parts, beside an empty kernel's launch
 *
 * Needs the GPU helper library and a GPU; otherwise rb_gpu_status says
 * which is missing and no rows are made.  Each pass: round trips through
 * a probe kernel with the host spinning (the host's write, the estimated
 * time until the GPU saw the message, the round trip), round trips with
 * the host asleep, launches of an empty kernel, and echo throughput.
 * Targets (real GPU only): round trip p50 <= 3 us and <= 1/3 of launch +
 * sync; echo >= 5 Mmsg/s.
 *
 * Return: 0, or -1 when a measurement failed (its rows say why).
 */
int rb_gpu(void)
{
	unsigned long n_spin, n_sleep, n_launch, n_msgs;
	struct ringdev_rt *rt = NULL;
	struct gpu_rows r;
	char why[336];
	int err;

	if (!gh.tried) {
		gh.tried = 1;
		if (helper_load())
			snprintf(rb_gpu_status, sizeof(rb_gpu_status), "skipped (%s)", gh.why);
		else if (backend_probe(why, sizeof(why)))
			snprintf(rb_gpu_status, sizeof(rb_gpu_status),
				 "skipped (no GPU visible: %s)", why);
		else
			snprintf(rb_gpu_status, sizeof(rb_gpu_status), "%s",
				 gh.ops->simulated ?
				 "SIMULATED (tests/gpu/sim): host threads stand in for the GPU, "
				 "the figures are not GPU figures and no target is judged" :
				 "measured on the GPU");
		if (!strncmp(rb_gpu_status, "skipped", 7))
			gh.ops = NULL;
	}
	if (!gh.ops)
		return 0;

	/* The simulation's blocks are host threads: keep it short. */
	n_spin = gh.ops->simulated ? 100 : rb_opt.iters / 10;
	n_sleep = gh.ops->simulated ? 50 : rb_opt.iters / 100;
	n_launch = gh.ops->simulated ? 50 : rb_opt.iters / 100;
	n_msgs = gh.ops->simulated ? 500 : rb_opt.msgs / 20;
	if (n_sleep < 10)
		n_sleep = 10;
	if (n_launch < 10)
		n_launch = 10;

	gpu_rows_init(&r);
	err = gpu_rt_open(&rt);
	if (!err)
		err = gpu_launch_pass(&r, n_launch);
	if (!err)
		err = gpu_trips_pass(rt, &r, n_spin, n_sleep);
	if (!err)
		err = gpu_tput_pass(rt, &r, n_msgs);
	ringdev_rt_close(rt);
	if (err) {
		struct rb_row *rows[] = { r.launch, r.write, r.seen, r.spin, r.sleep, r.tput };
		unsigned int i;

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			rows[i]->failed = 1;
			snprintf(rows[i]->note, sizeof(rows[i]->note), "failed: %s",
				 strerror(-err));
		}
		return -1;
	}
	return 0;
}

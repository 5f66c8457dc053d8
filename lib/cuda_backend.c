// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * cuda_backend.c - the CUDA backend: GPU persistent kernels behind the
 * runtime's lifecycle.  libcudart is loaded with dlopen() at first use, so
 * libringdev has no link-time dependency on CUDA; without it, or without
 * a visible GPU, the backend answers -ENODEV.  Per kernel: the inbox lane
 * and a device-output ring are registered with cudaHostRegister(); the
 * type's launch callback (user code built by nvcc) starts the persistent
 * loop on its own stream; a host pump thread routes what the GPU writes.
 * See Documentation/cuda.rst.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ringdev/cuda.h>
#include "rt_internal.h"

/* CUDA runtime API values used here (driver_types.h, CUDA 12/13). */
#define CU_SUCCESS			0
#define CU_ERR_INVALID_VALUE		1
#define CU_ERR_MEMORY_ALLOCATION	2
#define CU_ERR_ALREADY_REGISTERED	712
#define CU_ERR_NOT_SUPPORTED		801
#define CU_HOST_REGISTER_PORTABLE	0x01
#define CU_HOST_REGISTER_MAPPED		0x02
#define CU_STREAM_NON_BLOCKING		0x01

#define RD_CUDA_DEVICE		0		/* the GPU kernels run on */
#define RD_CUDA_ALIVE_NS	5000000000ULL	/* launch: wait for status.alive */
#define RD_CUDA_ACK_NS		5000000000ULL	/* deactivate: wait for two beats */
#define RD_CUDA_EXIT_NS		5000000000ULL	/* stop: no progress for this long */
#define RD_CUDA_PUMP_SPIN_NS	RINGDEV_DEFAULT_SPIN_NS	/* pump: busy-poll after activity */
#define RD_CUDA_PUMP_MAX_NS	100000ULL	/* shm pump: longest backoff */
#define RD_CUDA_PUMP_BLOCK_NS	10000000LL	/* dev pump: one blocking wait */

_Static_assert(RD_EP_BIT == 0x80000000U, "RINGDEV_CUDA_EP_BIT in kernel.cuh");

/* The entry points, resolved once. */
static struct {
	void *lib;
	int (*get_device_count)(int *count);
	int (*set_device)(int dev);
	int (*host_register)(void *p, size_t len, unsigned int flags);
	int (*host_unregister)(void *p);
	int (*host_get_device_pointer)(void **dptr, void *p, unsigned int flags);
	int (*stream_create_with_flags)(void **stream, unsigned int flags);
	int (*stream_synchronize)(void *stream);
	int (*stream_destroy)(void *stream);
	const char *(*get_error_string)(int err);
	int probe_rc;
	char why[320];
	int reported;
} cu;

static pthread_once_t cu_once = PTHREAD_ONCE_INIT;

/* Per kernel: what prepare() made, the launch, the pump. */
struct cu_kernel {
	const struct ringdev_cuda_type *ct;
	struct ringdev_chan *out;	/* device-output ring (DEV_PROD) */
	void *reg[3];			/* registered host ranges: inbox, out, state */
	void *state;			/* page-aligned state copy the GPU reads */
	size_t state_len;
	struct ringdev_ctrl *in_ctrl;	/* host views */
	struct ringdev_ctrl *out_ctrl;
	struct ringdev_cuda_args args;
	void *stream;
	pthread_t pump;
	bool pump_running;
	int pump_stop;			/* written by stop(), read by the pump */
	bool leaked;			/* the GPU may still run: keep memory pinned */
	void *buf;			/* the pump's receive buffer */
	__u32 buf_len;
	__u64 seen_cons;		/* inbox cons.pos at the pump's last look */
	__u64 seen_prod;		/* inbox prod.pos at the pump's last look */
};

static __u64 cu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static void cu_sleep_ns(__u64 ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	nanosleep(&ts, NULL);
}

static const char *cu_errstr(int err)
{
	const char *s = cu.get_error_string ? cu.get_error_string(err) : NULL;

	return s ? s : "unknown CUDA error";
}

/* Report a failed CUDA call once, on stderr; return the matching -errno. */
static int cu_fail(const char *what, int err)
{
	fprintf(stderr, "ringdev: cuda: %s failed: %s (%d)\n", what, cu_errstr(err), err);
	switch (err) {
	case CU_ERR_INVALID_VALUE:
		return -EINVAL;
	case CU_ERR_MEMORY_ALLOCATION:
		return -ENOMEM;
	case CU_ERR_ALREADY_REGISTERED:
		return -EEXIST;
	case CU_ERR_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* dlsym() into a function pointer without a cast between object and code. */
static bool cu_sym(void *fnp, size_t size, const char *name)
{
	void *p = dlsym(cu.lib, name);

	if (!p) {
		snprintf(cu.why, sizeof(cu.why), "%s is missing from libcudart", name);
		return false;
	}
	memcpy(fnp, &p, size);
	return true;
}

#define CU_SYM(field, name) cu_sym(&cu.field, sizeof(cu.field), name)

static void cu_load(void)
{
	static const char *const libs[] = { "libcudart.so.13", "libcudart.so" };
	const char *err = NULL;
	unsigned int i;
	int n = 0, rc;

	cu.probe_rc = -ENODEV;
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]) && !cu.lib; i++) {
		cu.lib = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
		if (!cu.lib && !err)
			err = dlerror();
	}
	if (!cu.lib) {
		snprintf(cu.why, sizeof(cu.why), "cannot load libcudart.so.13 (%s)",
			 err ? err : "not found");
		return;
	}
	if (!CU_SYM(get_device_count, "cudaGetDeviceCount") ||
	    !CU_SYM(set_device, "cudaSetDevice") ||
	    !CU_SYM(host_register, "cudaHostRegister") ||
	    !CU_SYM(host_unregister, "cudaHostUnregister") ||
	    !CU_SYM(host_get_device_pointer, "cudaHostGetDevicePointer") ||
	    !CU_SYM(stream_create_with_flags, "cudaStreamCreateWithFlags") ||
	    !CU_SYM(stream_synchronize, "cudaStreamSynchronize") ||
	    !CU_SYM(stream_destroy, "cudaStreamDestroy") ||
	    !CU_SYM(get_error_string, "cudaGetErrorString"))
		return;
	rc = cu.get_device_count(&n);
	if (rc != CU_SUCCESS) {
		snprintf(cu.why, sizeof(cu.why), "no GPU visible (cudaGetDeviceCount: %s)",
			 cu_errstr(rc));
		return;
	}
	if (n <= 0) {
		snprintf(cu.why, sizeof(cu.why), "no GPU visible (cudaGetDeviceCount: 0 devices)");
		return;
	}
	cu.probe_rc = 0;
}

/*
 * Is the CUDA backend usable?  Loads libcudart and counts devices once per
 * process; the first failure prints one line saying why.
 * Return: 0, or -ENODEV.
 */
int __rd_cuda_probe(void)
{
	pthread_once(&cu_once, cu_load);
	if (cu.probe_rc && !RINGDEV_ADD(&cu.reported, 1))
		fprintf(stderr, "ringdev: cuda backend unavailable: %s\n", cu.why);
	return cu.probe_rc;
}

/* cudaSetDevice() for the calling thread: CUDA's current device is per thread. */
static int cu_device(void)
{
	int rc = cu.set_device(RD_CUDA_DEVICE);

	return rc == CU_SUCCESS ? 0 : cu_fail("cudaSetDevice", rc);
}

/*
 * Register @c's region and make @dev a device view of its ring: the same
 * validated geometry, pointers translated into the device's mapping.
 */
static int cu_map_chan(struct cu_kernel *p, unsigned int idx, struct ringdev_chan *c,
		       struct ringdev_ring *dev)
{
	void *d = NULL;
	int rc;

	rc = cu.host_register(c->mem, c->map_len,
			      CU_HOST_REGISTER_MAPPED | CU_HOST_REGISTER_PORTABLE);
	if (rc != CU_SUCCESS)
		return cu_fail("cudaHostRegister (ring region)", rc);
	p->reg[idx] = c->mem;
	rc = cu.host_get_device_pointer(&d, c->mem, 0);
	if (rc != CU_SUCCESS)
		return cu_fail("cudaHostGetDevicePointer (ring region)", rc);
	*dev = c->ring;
	dev->ctrl = (struct ringdev_ctrl *)((char *)d + ((char *)c->ring.ctrl - (char *)c->mem));
	dev->slots = (unsigned char *)d + (c->ring.slots - (unsigned char *)c->mem);
	return 0;
}

static void cu_release(struct ringdev_kernel *k)
{
	struct cu_kernel *p = k->backend_priv;
	unsigned int i;
	int rc;

	if (!p)
		return;
	k->backend_priv = NULL;
	if (p->leaked) {
		/*
		 * The GPU may still write to these pages: keep them pinned (and
		 * the state buffer allocated) for the life of the process.
		 */
		fprintf(stderr, "ringdev: cuda: kernel %u did not stop; its memory stays pinned\n",
			k->id);
	} else {
		if (cu.set_device)
			cu_device();
		for (i = 0; i < 3; i++) {
			if (!p->reg[i])
				continue;
			rc = cu.host_unregister(p->reg[i]);
			if (rc != CU_SUCCESS)
				cu_fail("cudaHostUnregister", rc);
		}
		free(p->state);
	}
	ringdev_chan_close(p->out);
	free(p->buf);
	free(p);
}

static int cu_prepare(struct ringdev_kernel *k)
{
	const struct ringdev_cuda_type *ct = k->type->backend_type;
	struct ringdev_chan_opts co;
	struct cu_kernel *p;
	void *d = NULL;
	int rc;

	rc = __rd_cuda_probe();
	if (rc)
		return rc;
	if (k->opts.backend == RINGDEV_BACKEND_CPU) {
		fprintf(stderr, "ringdev: cuda: type '%s' runs only on the cuda backend\n",
			k->type->name);
		return -EOPNOTSUPP;
	}
	if (k->opts.backpressure == RINGDEV_BP_DROP_OLDEST) {
		/* The host would consume the GPU's inbox: two consumers, one CAS word. */
		fprintf(stderr, "ringdev: cuda: RINGDEV_BP_DROP_OLDEST is not supported\n");
		return -EOPNOTSUPP;
	}
	rc = cu_device();
	if (rc)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	k->backend_priv = p;
	p->ct = ct;

	/* Replies may be as large as a reply endpoint's slot. */
	ringdev_chan_opts_init(&co);
	co.capacity = k->opts.capacity;
	co.slot_size = k->opts.slot_size > RD_EP_SLOT ? k->opts.slot_size : RD_EP_SLOT;
	co.ring_flags = RINGDEV_RING_F_DEV_PROD;
	co.transport = k->rt->opts.transport;
	co.spin_ns = 0;
	rc = ringdev_chan_create(&co, &p->out);
	if (rc)
		return rc;
	p->buf_len = co.slot_size;
	p->buf = malloc(p->buf_len);
	p->state_len = (ct->state_size + 4095) & ~(size_t)4095;
	if (!p->state_len)
		p->state_len = 4096;
	if (!p->buf || posix_memalign(&p->state, 4096, p->state_len))
		return -ENOMEM;
	memset(p->state, 0, p->state_len);

	rc = cu_map_chan(p, 0, k->lanes[0], &p->args.in);
	if (!rc)
		rc = cu_map_chan(p, 1, p->out, &p->args.out);
	if (rc)
		return rc;
	rc = cu.host_register(p->state, p->state_len,
			      CU_HOST_REGISTER_MAPPED | CU_HOST_REGISTER_PORTABLE);
	if (rc != CU_SUCCESS)
		return cu_fail("cudaHostRegister (state)", rc);
	p->reg[2] = p->state;
	rc = cu.host_get_device_pointer(&d, p->state, 0);
	if (rc != CU_SUCCESS)
		return cu_fail("cudaHostGetDevicePointer (state)", rc);
	p->in_ctrl = k->lanes[0]->ring.ctrl;
	p->out_ctrl = p->out->ring.ctrl;
	p->args.state = d;
	p->args.state_size = ct->state_size;
	p->args.abi = RINGDEV_CUDA_ABI;
	return 0;
}

/* Hand one message from the GPU on, stamped with the kernel's clock. */
static void cu_route(struct ringdev_kernel *k, struct cu_kernel *p, struct ringdev_envelope *env)
{
	env->hlc = ringdev_hlc_tick(&k->hlc);	/* a GPU has no HLC */
	__rd_route(k, env, p->buf);	/* counts its own failures in drops */
}

/* Route everything the GPU has published; return how many. */
static unsigned int cu_drain(struct ringdev_kernel *k, struct cu_kernel *p)
{
	struct ringdev_envelope env;
	unsigned int n = 0;
	int rc;

	for (;;) {
		rc = ringdev_ring_recv(&p->out->ring, &env, p->buf, p->buf_len);
		if (rc == -EAGAIN)
			break;
		n++;
		if (rc < 0) {
			/* Malformed (counted in cons.bad) or a corrupt ring. */
			RINGDEV_ADD(&k->errors, 1);
			RINGDEV_WRITE_ONCE(k->last_error, rc);
			if (rc != -EBADMSG || n > ringdev_ring_capacity(&p->out->ring))
				break;
			continue;
		}
		cu_route(k, p, &env);
	}
	return n;
}

/*
 * Housekeeping the GPU cannot do itself: mirror its handled count into
 * the kernel's telemetry, and ring the inbox's space doorbell for a host
 * sender sleeping on a full inbox (a GPU cannot write an eventfd).
 */
static bool cu_proxy(struct ringdev_kernel *k, struct cu_kernel *p)
{
	struct ringdev_chan *lane = k->lanes[0];
	__u64 cons;

	RINGDEV_WRITE_ONCE(k->msgs_in, RINGDEV_READ_ONCE(p->in_ctrl->status.handled));
	if (!RINGDEV_READ_ONCE(p->in_ctrl->prod_wake.need_wakeup))
		return false;
	cons = RINGDEV_READ_ONCE(p->in_ctrl->cons.pos);
	if (cons != p->seen_cons) {
		p->seen_cons = cons;
		ringdev_chan_notify_space(lane);
	}
	return true;	/* a sender waits: keep looking often */
}

static void *cu_pump(void *arg)
{
	struct ringdev_kernel *k = arg;
	struct cu_kernel *p = k->backend_priv;
	bool dev = ringdev_chan_transport(p->out) == RINGDEV_TRANSPORT_DEV;
	__u64 backoff = 0, busy = cu_now_ns();

	for (;;) {
		/* Pairs with the release in cu_stop(): a final drain follows. */
		int stop = RINGDEV_LOAD_ACQUIRE(&p->pump_stop);
		struct ringdev_envelope env;
		bool sender_waits;
		__u64 prod;
		int rc;

		sender_waits = cu_proxy(k, p);
		if (cu_drain(k, p)) {
			backoff = 0;
			busy = cu_now_ns();
			continue;
		}
		if (stop)
			break;
		/*
		 * A polling GPU kernel should answer a host send within a few
		 * microseconds, less than one sleep of ours: after a send or an
		 * answer, poll without sleeping for a while.
		 */
		prod = RINGDEV_READ_ONCE(p->in_ctrl->prod.pos);
		if (prod != p->seen_prod) {
			p->seen_prod = prod;
			busy = cu_now_ns();
		}
		if (cu_now_ns() - busy < RD_CUDA_PUMP_SPIN_NS) {
			RINGDEV_CPU_RELAX();
			continue;
		}
		if (dev && !sender_waits) {
			/*
			 * Sleep in the driver: its doorbell watcher sees the GPU
			 * move prod.doorbell and wakes us.
			 */
			rc = ringdev_chan_recv(p->out, &env, p->buf, p->buf_len,
					       RD_CUDA_PUMP_BLOCK_NS);
			if (rc >= 0)
				cu_route(k, p, &env);
			continue;
		}
		/* shm: nobody can ring for the GPU, so poll with backoff. */
		backoff = backoff ? backoff * 2 : 1000;
		if (backoff > RD_CUDA_PUMP_MAX_NS)
			backoff = RD_CUDA_PUMP_MAX_NS;
		cu_sleep_ns(backoff);
	}
	cu_proxy(k, p);
	return NULL;
}

/* The ctl word for the kernel's state (see RINGDEV_CTL_*). */
static __u32 cu_ctl_for(const struct ringdev_kernel *k)
{
	switch (RINGDEV_READ_ONCE(k->state)) {
	case RINGDEV_KERNEL_ACTIVE:
		return RINGDEV_CTL_ACTIVE;
	case RINGDEV_KERNEL_TERMINATING:
		return RINGDEV_CTL_TERMINATE |
		       (k->term_how == RINGDEV_TERM_DRAIN ? RINGDEV_CTL_ACTIVE : 0);
	default:
		return 0;
	}
}

/*
 * Wait until the GPU has left its loop: status.exited, as long as it keeps
 * making progress (handled or heartbeat moving) or for @limit_ns without.
 */
static bool cu_wait_exited(struct cu_kernel *p, __u64 limit_ns)
{
	struct ringdev_ctrl *c = p->in_ctrl;
	__u64 mark = RINGDEV_READ_ONCE(c->status.handled) + RINGDEV_READ_ONCE(c->status.heartbeat);
	__u64 last = cu_now_ns(), sleep = 1000;

	/* Pairs with the GPU's release after it wrote the final state back. */
	while (!RINGDEV_LOAD_ACQUIRE(&c->status.exited)) {
		__u64 now = cu_now_ns(), m;

		m = RINGDEV_READ_ONCE(c->status.handled) + RINGDEV_READ_ONCE(c->status.heartbeat);
		if (m != mark) {
			mark = m;
			last = now;
		} else if (now - last > limit_ns) {
			return false;
		}
		cu_sleep_ns(sleep);
		if (sleep < 100000)
			sleep *= 2;
	}
	return true;
}

static int cu_launch(struct ringdev_kernel *k)
{
	struct cu_kernel *p = k->backend_priv;
	__u64 start;
	int rc;

	rc = cu_device();
	if (rc)
		return rc;
	memcpy(p->state, k->state_mem, p->ct->state_size);
	p->args.kernel_id = k->id;
	/* The consumer may already have moved (nothing handles before launch). */
	p->args.in.cons_head = RINGDEV_READ_ONCE(p->in_ctrl->cons.pos);
	p->seen_cons = p->args.in.cons_head;
	/* Pairs with the GPU's load of ctl; orders the state copy too. */
	RINGDEV_STORE_RELEASE(&p->in_ctrl->ctl.ctl, cu_ctl_for(k));
	rc = cu.stream_create_with_flags(&p->stream, CU_STREAM_NON_BLOCKING);
	if (rc != CU_SUCCESS) {
		p->stream = NULL;
		return cu_fail("cudaStreamCreateWithFlags", rc);
	}
	rc = p->ct->launch(&p->args, p->stream);
	if (rc)
		goto fail_stream;

	start = cu_now_ns();
	/* Pairs with the GPU's release of alive after it copied the state. */
	while (!RINGDEV_LOAD_ACQUIRE(&p->in_ctrl->status.alive)) {
		if (cu_now_ns() - start > RD_CUDA_ALIVE_NS) {
			fprintf(stderr, "ringdev: cuda: kernel %u ('%s') did not start within %llu ms\n",
				k->id, k->type->name, RD_CUDA_ALIVE_NS / 1000000ULL);
			rc = -ETIMEDOUT;
			RINGDEV_STORE_RELEASE(&p->in_ctrl->ctl.ctl, RINGDEV_CTL_TERMINATE);
			/* If it starts after all it leaves at once; if not, let it be. */
			if (!cu_wait_exited(p, 1000000000ULL)) {
				p->leaked = true;
				return rc;
			}
			goto fail_stream;
		}
		cu_sleep_ns(20000);
	}

	RINGDEV_WRITE_ONCE(p->pump_stop, 0);
	rc = -pthread_create(&p->pump, NULL, cu_pump, k);
	if (rc) {
		RINGDEV_STORE_RELEASE(&p->in_ctrl->ctl.ctl, RINGDEV_CTL_TERMINATE);
		if (!cu_wait_exited(p, RD_CUDA_EXIT_NS)) {
			p->leaked = true;
			return rc;
		}
		goto fail_stream;
	}
	p->pump_running = true;
	return 0;

fail_stream:
	{
		int err = cu.stream_synchronize(p->stream);

		if (err != CU_SUCCESS)
			cu_fail("cudaStreamSynchronize", err);
	}
	cu.stream_destroy(p->stream);
	p->stream = NULL;
	return rc;
}

static void cu_state_changed(struct ringdev_kernel *k)
{
	struct cu_kernel *p = k->backend_priv;
	int state = RINGDEV_READ_ONCE(k->state);
	__u64 h0, start;

	/* Pairs with the GPU's load of ctl. */
	RINGDEV_STORE_RELEASE(&p->in_ctrl->ctl.ctl, cu_ctl_for(k));
	if (state != RINGDEV_KERNEL_DEACTIVATED)
		return;
	/*
	 * ringdev_kernel_deactivate() (which holds k->lock) returns once no
	 * handler runs.  Order the ctl store before the heartbeat load; the
	 * GPU fences between each beat and its next ctl load, so a second
	 * beat after h0 was preceded by a look that saw the new ctl.
	 */
	RINGDEV_SMP_MB();
	h0 = RINGDEV_READ_ONCE(p->in_ctrl->status.heartbeat);
	start = cu_now_ns();
	while (RINGDEV_READ_ONCE(p->in_ctrl->status.heartbeat) - h0 < 2 &&
	       !RINGDEV_READ_ONCE(p->in_ctrl->status.exited)) {
		if (cu_now_ns() - start > RD_CUDA_ACK_NS) {
			fprintf(stderr, "ringdev: cuda: kernel %u did not acknowledge deactivation\n",
				k->id);
			break;
		}
		cu_sleep_ns(2000);
	}
	k->parked = true;	/* under k->lock: deactivate's wait ends */
}

static void cu_stop(struct ringdev_kernel *k)
{
	struct cu_kernel *p = k->backend_priv;
	int rc;

	/* TERMINATE, with ACTIVE to drain first. */
	RINGDEV_STORE_RELEASE(&p->in_ctrl->ctl.ctl, cu_ctl_for(k));
	if (cu_wait_exited(p, RD_CUDA_EXIT_NS)) {
		cu_device();
		rc = cu.stream_synchronize(p->stream);
		if (rc != CU_SUCCESS)
			cu_fail("cudaStreamSynchronize", rc);
		memcpy(k->state_mem, p->state, p->ct->state_size);
	} else {
		fprintf(stderr, "ringdev: cuda: kernel %u ('%s') did not exit within %llu ms of no progress\n",
			k->id, k->type->name, RD_CUDA_EXIT_NS / 1000000ULL);
		p->leaked = true;
	}
	if (p->pump_running) {
		/* Pairs with the pump's acquire: it drains once more, then ends. */
		RINGDEV_STORE_RELEASE(&p->pump_stop, 1);
		pthread_join(p->pump, NULL);
		p->pump_running = false;
	}
	if (!p->leaked && p->stream) {
		rc = cu.stream_destroy(p->stream);
		if (rc != CU_SUCCESS)
			cu_fail("cudaStreamDestroy", rc);
		p->stream = NULL;
	}
}

/*
 * The CUDA backend.  One lane (the GPU polls one ring), consumed by the
 * device; the state word is the command, carried to the GPU by the
 * inbox's ctl word.
 */
static const struct rd_backend_ops cu_backend = {
	.name = "cuda",
	.lane_flags = RINGDEV_RING_F_DEV_CONS,
	.max_lanes = 1,
	.prepare = cu_prepare,
	.launch = cu_launch,
	.state_changed = cu_state_changed,
	.stop = cu_stop,
	.release = cu_release,
};

int ringdev_rt_register_cuda(struct ringdev_rt *rt, const struct ringdev_cuda_type *t)
{
	struct ringdev_kernel_type kt;

	if (!rt || !t || !t->name || !t->launch || t->abi != RINGDEV_CUDA_ABI ||
	    t->reserved[0] || t->reserved[1])
		return -EINVAL;
	memset(&kt, 0, sizeof(kt));
	kt.name = t->name;
	kt.init = t->init;
	kt.fini = t->fini;
	kt.state_size = t->state_size;
	return __rd_register_type(rt, &kt, &cu_backend, t);
}

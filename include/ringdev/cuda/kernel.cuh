/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * kernel.cuh - GPU ring kernels: the device-side API (receive, reply,
 * emit, kernel-to-kernel send, envelope and state access) and the
 * persistent loop that RINGDEV_CUDA_KERNEL_TYPE() instantiates for a
 * user's __device__ handler.  Include it first in the .cu file.
 *
 * The loop runs in one thread block.  Thread 0 polls the inbox with the
 * ring core of <ringdev/ring.h> (system-scope acquire loads), then every
 * thread of the block calls the handler for the message; replies, emits
 * and K2K messages go with release stores into the device-output ring,
 * whose prod.doorbell is bumped after each publish; the host pumps that
 * ring.  Protocol and lifecycle: Documentation/cuda.rst.
 *
 * Collective calls (marked so below) must be reached by every thread of
 * the block with the same arguments, like __syncthreads().
 */
#ifndef RINGDEV_CUDA_KERNEL_CUH
#define RINGDEV_CUDA_KERNEL_CUH

#include <ringdev/cuda/ring.cuh>
#include <ringdev/cuda.h>
#include <stdio.h>

/* Reply addresses carry this bit (RD_EP_BIT in lib/rt_internal.h). */
#define RINGDEV_CUDA_EP_BIT		0x80000000U
/* Threads in the loop's block unless the type says otherwise. */
#define RINGDEV_CUDA_THREADS		128U
/* Largest state kept in the loop's shared memory. */
#define RINGDEV_CUDA_STATE_MAX		32768U
/* How long a send waits for space in the device-output ring. */
#define RINGDEV_CUDA_OUT_WAIT_NS	1000000000ULL
/* Longest sleep while deactivated. */
#define RINGDEV_CUDA_PARK_NS		100000U
/* Idle polls between heartbeats while active. */
#define RINGDEV_CUDA_BEAT_POLLS		64U

/* A handler's view of the kernel and the message it handles. */
struct ringdev_cuda_ctx {
	struct ringdev_ring in;		/* thread 0 only */
	struct ringdev_ring out;	/* thread 0 only */
	struct ringdev_view view;	/* the inbox slot being handled */
	struct ringdev_envelope env;	/* its header, topic stripped */
	const void *payload;		/* env.len bytes in host memory */
	const char *topic;		/* or NULL */
	void *state;			/* shared memory, state_size bytes */
	__u64 seen_ns;			/* %globaltimer when thread 0 found it */
	__u32 kernel_id;
	int rc;				/* the handler's return (thread 0's) */
	bool replied;
	int out_rc;			/* result of the last *_begin() */
	void *out_payload;
	struct ringdev_resv resv;	/* the output slot being filled */
	__u64 heartbeat, handled, doorbell;
};

/* ---- access --------------------------------------------------------- */

/** ringdev_cuda_state() - the kernel's state, in shared memory */
static __device__ __forceinline__ void *ringdev_cuda_state(struct ringdev_cuda_ctx *ctx)
{
	return ctx->state;
}

/** ringdev_cuda_env() - the header of the message being handled */
static __device__ __forceinline__ const struct ringdev_envelope *
ringdev_cuda_env(const struct ringdev_cuda_ctx *ctx)
{
	return &ctx->env;
}

/** ringdev_cuda_topic() - the topic of a published message, or NULL */
static __device__ __forceinline__ const char *ringdev_cuda_topic(const struct ringdev_cuda_ctx *ctx)
{
	return ctx->topic;
}

/**
 * ringdev_cuda_seen_ns() - device time (%globaltimer, ns) at which the
 * loop found the message being handled; for latency measurements
 */
static __device__ __forceinline__ __u64 ringdev_cuda_seen_ns(const struct ringdev_cuda_ctx *ctx)
{
	return ctx->seen_ns;
}

/** ringdev_cuda_kernel_id() - this kernel's id (its K2K address) */
static __device__ __forceinline__ __u32 ringdev_cuda_kernel_id(const struct ringdev_cuda_ctx *ctx)
{
	return ctx->kernel_id;
}

/** ringdev_cuda_is_call() - does the message wait for a reply? */
static __device__ __forceinline__ bool ringdev_cuda_is_call(const struct ringdev_cuda_ctx *ctx)
{
	const struct ringdev_envelope *e = &ctx->view.env;

	return e->corr_id && (e->src & RINGDEV_CUDA_EP_BIT) && !(e->flags & RINGDEV_ENV_F_REPLY);
}

/**
 * ringdev_cuda_copy() - copy @len bytes with every thread of the block
 * @dst: destination
 * @src: source
 * @len: bytes
 *
 * Collective only in that every thread takes a share; no barrier.
 */
static __device__ __forceinline__ void ringdev_cuda_copy(void *dst, const void *src, __u32 len)
{
	unsigned char *d = (unsigned char *)dst;
	const unsigned char *s = (const unsigned char *)src;
	__u32 i;

	if (!(((unsigned long long)d | (unsigned long long)s | len) & 7)) {
		for (i = threadIdx.x * 8; i < len; i += blockDim.x * 8)
			*(unsigned long long *)(d + i) = *(const unsigned long long *)(s + i);
		return;
	}
	for (i = threadIdx.x; i < len; i += blockDim.x)
		d[i] = s[i];
}

namespace ringdev_cuda_detail {

static __device__ __forceinline__ __u64 now_ns()
{
#ifdef RINGDEV_CUDA_SIM
	return rdsim_globaltimer();
#else
	__u64 t;

	asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
	return t;
#endif
}

/* Thread 0: claim an output slot for @e, waiting a bounded time for space. */
static __device__ int out_reserve(struct ringdev_cuda_ctx *ctx, const struct ringdev_envelope *e)
{
	__u64 start = 0;
	unsigned int ns = 64;
	int rc;

	for (;;) {
		rc = ringdev_ring_reserve(&ctx->out, e->len, &ctx->resv);
		if (rc != -EAGAIN)
			break;
		/* The host pump drains the ring; it may be descheduled a while. */
		if (!start)
			start = now_ns();
		else if (now_ns() - start > RINGDEV_CUDA_OUT_WAIT_NS)
			break;
		__nanosleep(ns);
		if (ns < 8192)
			ns *= 2;
	}
	if (rc)
		return rc;
	*ctx->resv.env = *e;
	return 0;
}

/* Thread 0: publish the reserved slot and ring the device doorbell. */
static __device__ void out_commit(struct ringdev_cuda_ctx *ctx)
{
	ringdev_ring_commit(&ctx->out, &ctx->resv);
	/*
	 * After the slot's release store: whoever sees the new doorbell
	 * (the driver's watcher, the host pump) finds the message.
	 */
	RINGDEV_STORE_RELEASE(&ctx->out.ctrl->prod.doorbell, ++ctx->doorbell);
}

} /* namespace ringdev_cuda_detail */

/** ringdev_cuda_now_ns() - the device clock (%globaltimer), ns */
static __device__ __forceinline__ __u64 ringdev_cuda_now_ns(void)
{
	return ringdev_cuda_detail::now_ns();
}

/* ---- output (collective) ------------------------------------------------ */

/**
 * ringdev_cuda_begin() - claim an output slot for a message (collective)
 * @ctx: the handler's context
 * @e: its header: type, flags, dst, corr_id, priority, len
 *
 * Fill the returned @e->len bytes (any threads), then ringdev_cuda_commit().
 *
 * Return: the payload in the output slot, or NULL with the reason in
 * ctx->out_rc (-EAGAIN when the host did not drain the ring in time,
 * -EMSGSIZE).  The same for every thread.
 */
static __device__ void *ringdev_cuda_begin(struct ringdev_cuda_ctx *ctx,
					   const struct ringdev_envelope *e)
{
	__syncthreads();	/* everyone is done with the previous slot */
	if (threadIdx.x == 0) {
		ctx->out_rc = ringdev_cuda_detail::out_reserve(ctx, e);
		ctx->out_payload = ctx->out_rc ? NULL : ctx->resv.payload;
	}
	__syncthreads();
	return ctx->out_payload;
}

/**
 * ringdev_cuda_commit() - publish the slot from ringdev_cuda_begin() (collective)
 * @ctx: the handler's context
 */
static __device__ void ringdev_cuda_commit(struct ringdev_cuda_ctx *ctx)
{
	/* Each thread's payload stores before thread 0's release of the slot. */
	cuda::atomic_thread_fence(cuda::memory_order_release, cuda::thread_scope_system);
	__syncthreads();
	if (threadIdx.x == 0 && ctx->out_payload)
		ringdev_cuda_detail::out_commit(ctx);
}

/* begin + copy + commit. */
static __device__ int __ringdev_cuda_put(struct ringdev_cuda_ctx *ctx,
					 const struct ringdev_envelope *e, const void *data)
{
	void *p = ringdev_cuda_begin(ctx, e);

	if (!p)
		return ctx->out_rc;
	if (e->len)
		ringdev_cuda_copy(p, data, e->len);
	ringdev_cuda_commit(ctx);
	return 0;
}

/**
 * ringdev_cuda_reply_begin() - claim the reply to the call being handled (collective)
 * @ctx: the handler's context
 * @len: reply bytes
 *
 * Return: where to write the reply, or NULL (ctx->out_rc: -ENOMSG when the
 * message is not a call or was answered; as ringdev_cuda_begin()).
 */
static __device__ void *ringdev_cuda_reply_begin(struct ringdev_cuda_ctx *ctx, __u32 len)
{
	struct ringdev_envelope e;

	if (!ringdev_cuda_is_call(ctx) || ctx->replied) {
		__syncthreads();
		if (threadIdx.x == 0)
			ctx->out_rc = -ENOMSG;
		__syncthreads();
		return NULL;
	}
	memset(&e, 0, sizeof(e));
	e.type = ctx->view.env.type;
	e.flags = RINGDEV_ENV_F_REPLY;
	e.corr_id = ctx->view.env.corr_id;
	e.dst = ctx->view.env.src;
	e.src = ctx->kernel_id;
	e.len = len;
	if (!ringdev_cuda_begin(ctx, &e))
		return NULL;
	/* Every thread read ctx->replied before begin's first barrier. */
	if (threadIdx.x == 0)
		ctx->replied = true;
	return ctx->out_payload;
}

/**
 * ringdev_cuda_reply() - answer the call being handled (collective)
 * @ctx: the handler's context
 * @data: @len bytes (device or mapped memory)
 * @len: reply length
 *
 * Return: 0; -ENOMSG when the message is not a call or was answered;
 * -EAGAIN; -EMSGSIZE.
 */
static __device__ int ringdev_cuda_reply(struct ringdev_cuda_ctx *ctx, const void *data, __u32 len)
{
	void *p = ringdev_cuda_reply_begin(ctx, len);

	if (!p)
		return ctx->out_rc;
	if (len)
		ringdev_cuda_copy(p, data, len);
	ringdev_cuda_commit(ctx);
	return 0;
}

/**
 * ringdev_cuda_emit() - send a message to the host, see ringdev_recv() (collective)
 * @ctx: the handler's context
 * @type: message type id
 * @data: @len bytes
 * @len: payload length
 *
 * Return: 0; -EAGAIN; -EMSGSIZE.
 */
static __device__ int ringdev_cuda_emit(struct ringdev_cuda_ctx *ctx, __u32 type,
					const void *data, __u32 len)
{
	struct ringdev_envelope e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.src = ctx->kernel_id;
	e.len = len;
	return __ringdev_cuda_put(ctx, &e, data);
}

/**
 * ringdev_cuda_send() - kernel-to-kernel: send to kernel @dst (collective)
 * @ctx: the handler's context
 * @dst: ringdev_kernel_id() of the destination (CPU or GPU kernel)
 * @type: message type id
 * @data: @len bytes
 * @len: payload length
 * @priority: lane at the destination
 *
 * The host pump delivers it; an unknown @dst is counted as a drop there.
 *
 * Return: 0; -EAGAIN; -EMSGSIZE.
 */
static __device__ int ringdev_cuda_send(struct ringdev_cuda_ctx *ctx, __u32 dst, __u32 type,
					const void *data, __u32 len, __u8 priority)
{
	struct ringdev_envelope e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.priority = priority;
	e.src = ctx->kernel_id;
	e.dst = dst;
	e.len = len;
	return __ringdev_cuda_put(ctx, &e, data);
}

/* ---- the persistent loop ------------------------------------------------ */

namespace ringdev_cuda_detail {

enum { CMD_HANDLE = 1, CMD_EXIT = 2 };

static __device__ __forceinline__ struct ringdev_ctrl *in_ctrl(struct ringdev_cuda_ctx *ctx)
{
	return ctx->in.ctrl;
}

/*
 * Publish a heartbeat.  The full fence orders it before our next load of
 * the ctl word; the host's deactivate writes ctl, fences and waits for two
 * more beats, so the second one proves a handler-free look at the new ctl
 * (Documentation/cuda.rst, "Deactivation").
 */
static __device__ void beat(struct ringdev_cuda_ctx *ctx)
{
	RINGDEV_WRITE_ONCE(in_ctrl(ctx)->status.heartbeat, ++ctx->heartbeat);
	RINGDEV_SMP_MB();
}

/* Thread 0: set up ctx->env/payload/topic for the slot in ctx->view. */
static __device__ bool take(struct ringdev_cuda_ctx *ctx)
{
	const char *p = (const char *)ctx->view.payload;
	__u32 tl;

	ctx->env = ctx->view.env;
	ctx->payload = p;
	ctx->topic = NULL;
	ctx->replied = false;
	if (!(ctx->env.flags & RINGDEV_ENV_F_TOPIC))
		return true;
	for (tl = 0; tl < ctx->env.len && p[tl]; tl++)
		;
	if (tl == ctx->env.len)
		return false;	/* no terminator: malformed */
	ctx->topic = p;
	ctx->payload = p + tl + 1;
	ctx->env.len -= tl + 1;
	return true;
}

/*
 * Thread 0: wait for a message or the order to leave, obeying the inbox
 * control word.  ACTIVE: poll the inbox.  Not ACTIVE: stop polling and
 * back off.  TERMINATE: leave, after draining when ACTIVE is set too.
 */
static __device__ int poll_inbox(struct ringdev_cuda_ctx *ctx)
{
	unsigned int idle = 0, ns = 0;

	for (;;) {
		/* The host's command; its release store needs no acquire here. */
		__u32 ctl = RINGDEV_READ_ONCE(in_ctrl(ctx)->ctl.ctl);
		int rc;

		if (!(ctl & RINGDEV_CTL_ACTIVE)) {
			if (ctl & RINGDEV_CTL_TERMINATE)
				return CMD_EXIT;
			beat(ctx);
			__nanosleep(ns);
			ns = ns ? (ns < RINGDEV_CUDA_PARK_NS / 2 ? ns * 2 : RINGDEV_CUDA_PARK_NS)
				: 1000;
			continue;
		}
		ns = 0;
		/* Acquire of the slot's seq pairs with the host's publish. */
		rc = ringdev_ring_peek(&ctx->in, &ctx->view);
		if (rc >= 0) {
			ctx->seen_ns = now_ns();
			if (take(ctx))
				return CMD_HANDLE;
			ringdev_ring_release(&ctx->in, &ctx->view);
			continue;
		}
		/* -EBADMSG: a malformed message was dropped (cons.bad), or worse. */
		if (rc == -EAGAIN && (ctl & RINGDEV_CTL_TERMINATE))
			return CMD_EXIT;	/* drained */
#ifdef RINGDEV_CUDA_SIM
		rdsim_idle();	/* host threads stand in for the GPU's own cores */
#endif
		if (++idle % RINGDEV_CUDA_BEAT_POLLS == 0) {
			beat(ctx);
			if (ctl & RINGDEV_CTL_TERMINATE)
				return CMD_EXIT;	/* a corrupt ring cannot drain */
		}
	}
}

/* Thread 0: answer an unanswered call, free the slot, count the message. */
static __device__ void done(struct ringdev_cuda_ctx *ctx)
{
	if (ringdev_cuda_is_call(ctx) && !ctx->replied) {
		struct ringdev_envelope e;
		int err = ctx->rc < 0 ? ctx->rc : -ENOMSG;

		memset(&e, 0, sizeof(e));
		e.type = ctx->view.env.type;
		e.flags = RINGDEV_ENV_F_REPLY | RINGDEV_ENV_F_ERROR;
		e.corr_id = ctx->view.env.corr_id;
		e.msg_id = (__u64)(__s64)err;	/* as the CPU backend's error replies */
		e.dst = ctx->view.env.src;
		e.src = ctx->kernel_id;
		if (!out_reserve(ctx, &e))
			out_commit(ctx);
	}
	/* Release pairs with the host producer's acquire of seq. */
	ringdev_ring_release(&ctx->in, &ctx->view);
	RINGDEV_WRITE_ONCE(in_ctrl(ctx)->status.handled, ++ctx->handled);
}

/* The persistent kernel for handler H::call and S bytes of state. */
template <class H, size_t S, unsigned int T>
__global__ void __launch_bounds__(T) loop(const struct ringdev_cuda_args a)
{
	static_assert(S <= RINGDEV_CUDA_STATE_MAX, "state too large for shared memory");
	__shared__ struct ringdev_cuda_ctx ctx;
	__shared__ __align__(16) unsigned char state[S ? S : 1];
	__shared__ int cmd;

	if (threadIdx.x == 0) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.in = a.in;
		ctx.out = a.out;
		ctx.state = state;
		ctx.kernel_id = a.kernel_id;
		ctx.heartbeat = RINGDEV_READ_ONCE(a.in.ctrl->status.heartbeat);
		ctx.handled = RINGDEV_READ_ONCE(a.in.ctrl->status.handled);
		ctx.doorbell = RINGDEV_READ_ONCE(a.out.ctrl->prod.doorbell);
	}
	if (S)
		ringdev_cuda_copy(state, a.state, (__u32)S);
	__syncthreads();
	if (threadIdx.x == 0) {
		/* Pairs with the host's acquire in its launch wait. */
		RINGDEV_STORE_RELEASE(&a.in.ctrl->status.alive, 1u);
		beat(&ctx);
	}
	for (;;) {
		int rc;

		if (threadIdx.x == 0)
			cmd = poll_inbox(&ctx);
		__syncthreads();
		if (cmd == CMD_EXIT)
			break;
		rc = H::call(&ctx, &ctx.env, ctx.payload);
		if (threadIdx.x == 0)
			ctx.rc = rc;
		__syncthreads();
		if (threadIdx.x == 0)
			done(&ctx);
	}
	/* Hand the final state back to the host (fini() sees it). */
	if (S)
		ringdev_cuda_copy(a.state, state, (__u32)S);
	cuda::atomic_thread_fence(cuda::memory_order_release, cuda::thread_scope_system);
	__syncthreads();
	if (threadIdx.x == 0)
		/* After the state copy; pairs with the host's acquire in stop. */
		RINGDEV_STORE_RELEASE(&a.in.ctrl->status.exited, 1u);
}

#ifdef RINGDEV_CUDA_SIM
/* The host simulation's entry for loop<H, S, T> (tests/gpu/sim). */
template <class H, size_t S, unsigned int T>
void sim_entry(const void *a)
{
	loop<H, S, T>(*(const struct ringdev_cuda_args *)a);
}
#endif

/* Host: the type's launch callback for loop<H, S, T>. */
template <class H, size_t S, unsigned int T>
int launch(const struct ringdev_cuda_args *a, void *stream)
{
	static_assert(T >= 1 && T <= 1024, "block_threads must be 1..1024");
	cudaError_t err;

	if (a->abi != RINGDEV_CUDA_ABI || a->state_size != S)
		return -EINVAL;
#ifdef RINGDEV_CUDA_SIM
	rdsim_launch((cudaStream_t)stream, T, &sim_entry<H, S, T>, a, sizeof(*a));
#else
	loop<H, S, T><<<1, T, 0, (cudaStream_t)stream>>>(*a);
#endif
	err = cudaGetLastError();
	if (err != cudaSuccess) {
		fprintf(stderr, "ringdev: cuda: launching the persistent kernel failed: %s\n",
			cudaGetErrorString(err));
		return err == cudaErrorMemoryAllocation ? -ENOMEM : -EIO;
	}
	return 0;
}

} /* namespace ringdev_cuda_detail */

/**
 * RINGDEV_CUDA_KERNEL_TYPE_EX() - define a GPU kernel type (in a .cu file)
 * @var: name of the const struct ringdev_cuda_type to define (C linkage)
 * @name: the type name for ringdev_kernel_create()
 * @handler: __device__ int handler(struct ringdev_cuda_ctx *,
 *           const struct ringdev_envelope *, const void *payload),
 *           called by every thread of the block; thread 0's return value
 *           counts (negative: an error reply to a call)
 * @state_size: bytes of state (<= RINGDEV_CUDA_STATE_MAX), in shared memory
 * @threads: threads in the block
 * @init: host init(state, arg) or NULL
 * @fini: host fini(state) or NULL
 */
#define RINGDEV_CUDA_KERNEL_TYPE_EX(var, name, handler, state_size, threads, init, fini) \
	struct ringdev_cuda_handler_##var {					\
		static __device__ __forceinline__ int				\
		call(struct ringdev_cuda_ctx *c, const struct ringdev_envelope *e, \
		     const void *p)						\
		{								\
			return handler(c, e, p);				\
		}								\
	};									\
	extern "C" const struct ringdev_cuda_type var = {			\
		(name),								\
		&ringdev_cuda_detail::launch<ringdev_cuda_handler_##var,	\
					     (state_size), (threads)>,		\
		(state_size), (threads), RINGDEV_CUDA_ABI, (init), (fini), { 0, 0 } \
	}

/**
 * RINGDEV_CUDA_KERNEL_TYPE() - RINGDEV_CUDA_KERNEL_TYPE_EX() with
 * RINGDEV_CUDA_THREADS threads and no init/fini
 * @var: name of the const struct ringdev_cuda_type to define
 * @name: the type name
 * @handler: the __device__ handler
 * @state_size: bytes of state
 */
#define RINGDEV_CUDA_KERNEL_TYPE(var, name, handler, state_size) \
	RINGDEV_CUDA_KERNEL_TYPE_EX(var, name, handler, state_size, RINGDEV_CUDA_THREADS, \
				    NULL, NULL)

#endif /* RINGDEV_CUDA_KERNEL_CUH */

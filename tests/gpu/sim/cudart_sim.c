// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * cudart_sim.c - a stand-in libcudart.so.13 for testing without a GPU: one
 * "device" whose blocks are host threads, host registrations that are
 * checked (overlaps, unknown pointers, flags) and identity-mapped, streams
 * that join their blocks, and a leak check at exit (every registration
 * unregistered, every stream destroyed).  It proves the backend's and the
 * device loop's protocol and lifecycle; it cannot prove the GPU's memory
 * ordering, PCIe visibility or timing.  Documentation/cuda.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cudart_sim.h"

#define SIM_MAX_THREADS		1024U
#define SIM_STACK		(256U << 10)
#define SIM_REG_FLAGS	(cudaHostRegisterPortable | cudaHostRegisterMapped | \
			 cudaHostRegisterIoMemory | cudaHostRegisterReadOnly)

__thread uint3 threadIdx, blockDim;

struct sim_block;

/* One host thread of a block. */
struct sim_thread {
	struct sim_block *b;
	unsigned int idx;
	pthread_t tid;
};

/* One launch: its threads, its barrier, its copy of the argument. */
struct sim_block {
	void (*entry)(const void *);
	void *arg;
	unsigned int threads;
	pthread_barrier_t bar;
	struct sim_thread *th;
	struct sim_block *next_on_stream;
	struct sim_block *next_live;
};

struct CUstream_st {
	struct sim_block *blocks;	/* launched, not yet joined */
	struct CUstream_st *next;
};

struct sim_reg {
	char *base;
	size_t len;
	unsigned int flags;
	struct sim_reg *next;
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_reg *sim_regs;
static struct CUstream_st *sim_streams;
static struct sim_block *sim_live;	/* blocks launched and not joined */
static __thread cudaError_t sim_last_error;
static __thread struct sim_block *sim_my_block;

static cudaError_t sim_err(cudaError_t e)
{
	if (e != cudaSuccess)
		sim_last_error = e;
	return e;
}

cudaError_t cudaGetLastError(void)
{
	cudaError_t e = sim_last_error;

	sim_last_error = cudaSuccess;
	return e;
}

const char *cudaGetErrorString(cudaError_t err)
{
	switch (err) {
	case cudaSuccess:				return "no error";
	case cudaErrorInvalidValue:			return "invalid argument";
	case cudaErrorMemoryAllocation:			return "out of memory";
	case cudaErrorInvalidConfiguration:		return "invalid configuration argument";
	case cudaErrorNoDevice:				return "no CUDA-capable device is detected";
	case cudaErrorInvalidDevice:			return "invalid device ordinal";
	case cudaErrorInvalidResourceHandle:		return "invalid resource handle";
	case cudaErrorHostMemoryAlreadyRegistered:
		return "part or all of the requested memory range is already mapped";
	case cudaErrorHostMemoryNotRegistered:
		return "pointer does not correspond to a registered memory region";
	case cudaErrorLaunchFailure:			return "unspecified launch failure";
	case cudaErrorNotSupported:			return "operation not supported";
	default:					break;
	}
	return "unrecognized error code";
}

cudaError_t cudaGetDeviceCount(int *count)
{
	if (!count)
		return sim_err(cudaErrorInvalidValue);
	*count = 1;
	return cudaSuccess;
}

cudaError_t cudaSetDevice(int dev)
{
	return dev == 0 ? cudaSuccess : sim_err(cudaErrorInvalidDevice);
}

cudaError_t cudaHostRegister(void *p, size_t len, unsigned int flags)
{
	struct sim_reg *r;
	char *c = p;

	if (!p || !len || (flags & ~SIM_REG_FLAGS))
		return sim_err(cudaErrorInvalidValue);
	pthread_mutex_lock(&sim_lock);
	for (r = sim_regs; r; r = r->next) {
		if (c < r->base + r->len && r->base < c + len) {
			pthread_mutex_unlock(&sim_lock);
			return sim_err(cudaErrorHostMemoryAlreadyRegistered);
		}
	}
	r = malloc(sizeof(*r));
	if (r) {
		r->base = c;
		r->len = len;
		r->flags = flags;
		r->next = sim_regs;
		sim_regs = r;
	}
	pthread_mutex_unlock(&sim_lock);
	return r ? cudaSuccess : sim_err(cudaErrorMemoryAllocation);
}

cudaError_t cudaHostUnregister(void *p)
{
	struct sim_reg **rp, *r;

	pthread_mutex_lock(&sim_lock);
	for (rp = &sim_regs; (r = *rp); rp = &r->next)
		if (r->base == p)
			break;
	if (r)
		*rp = r->next;
	pthread_mutex_unlock(&sim_lock);
	free(r);
	return r ? cudaSuccess : sim_err(cudaErrorHostMemoryNotRegistered);
}

/* The device sees host memory at the same address (unified addressing). */
cudaError_t cudaHostGetDevicePointer(void **dptr, void *p, unsigned int flags)
{
	struct sim_reg *r;
	char *c = p;

	if (!dptr || flags)
		return sim_err(cudaErrorInvalidValue);
	pthread_mutex_lock(&sim_lock);
	for (r = sim_regs; r; r = r->next)
		if (c >= r->base && c < r->base + r->len)
			break;
	pthread_mutex_unlock(&sim_lock);
	if (!r || !(r->flags & cudaHostRegisterMapped))
		return sim_err(cudaErrorInvalidValue);
	*dptr = p;
	return cudaSuccess;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned int flags)
{
	struct CUstream_st *st;

	if (!s || (flags & ~cudaStreamNonBlocking))
		return sim_err(cudaErrorInvalidValue);
	st = calloc(1, sizeof(*st));
	if (!st)
		return sim_err(cudaErrorMemoryAllocation);
	pthread_mutex_lock(&sim_lock);
	st->next = sim_streams;
	sim_streams = st;
	pthread_mutex_unlock(&sim_lock);
	*s = st;
	return cudaSuccess;
}

/* Is @s a stream this library made and has not destroyed?  Under sim_lock. */
static int sim_stream_known(const struct CUstream_st *s)
{
	const struct CUstream_st *t;

	for (t = sim_streams; t; t = t->next)
		if (t == s)
			return 1;
	return 0;
}

static void sim_block_free(struct sim_block *b)
{
	pthread_barrier_destroy(&b->bar);
	free(b->th);
	free(b->arg);
	free(b);
}

/* Join every block launched on @s (the caller owns @s's block list). */
static void sim_join(struct sim_block *list)
{
	struct sim_block *b, **lp;
	unsigned int i;

	while ((b = list)) {
		list = b->next_on_stream;
		for (i = 0; i < b->threads; i++)
			pthread_join(b->th[i].tid, NULL);
		pthread_mutex_lock(&sim_lock);
		for (lp = &sim_live; *lp; lp = &(*lp)->next_live) {
			if (*lp == b) {
				*lp = b->next_live;
				break;
			}
		}
		pthread_mutex_unlock(&sim_lock);
		sim_block_free(b);
	}
}

cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
	struct sim_block *list;

	pthread_mutex_lock(&sim_lock);
	if (!sim_stream_known(s)) {
		pthread_mutex_unlock(&sim_lock);
		return sim_err(cudaErrorInvalidResourceHandle);
	}
	list = s->blocks;
	s->blocks = NULL;
	pthread_mutex_unlock(&sim_lock);
	sim_join(list);
	return cudaSuccess;
}

/* Like CUDA: destroying a stream with work queued lets the work finish first. */
cudaError_t cudaStreamDestroy(cudaStream_t s)
{
	struct CUstream_st **sp;
	struct sim_block *list;

	pthread_mutex_lock(&sim_lock);
	for (sp = &sim_streams; *sp && *sp != s; sp = &(*sp)->next)
		;
	if (!*sp) {
		pthread_mutex_unlock(&sim_lock);
		return sim_err(cudaErrorInvalidResourceHandle);
	}
	*sp = s->next;
	list = s->blocks;
	pthread_mutex_unlock(&sim_lock);
	sim_join(list);
	free(s);
	return cudaSuccess;
}

static void *sim_thread_main(void *arg)
{
	struct sim_thread *t = arg;
	struct sim_block *b = t->b;

	threadIdx.x = t->idx;
	threadIdx.y = threadIdx.z = 0;
	blockDim.x = b->threads;
	blockDim.y = blockDim.z = 1;
	sim_my_block = b;
	b->entry(b->arg);
	return NULL;
}

cudaError_t rdsim_launch(cudaStream_t s, unsigned int threads, void (*entry)(const void *),
			 const void *arg, size_t arg_size)
{
	struct sim_block *b, *l;
	pthread_attr_t attr;
	unsigned int i;
	int rc;

	if (!threads || threads > SIM_MAX_THREADS || !entry)
		return sim_err(cudaErrorInvalidConfiguration);
	b = calloc(1, sizeof(*b));
	if (!b)
		return sim_err(cudaErrorMemoryAllocation);
	b->entry = entry;
	b->threads = threads;
	b->arg = malloc(arg_size ? arg_size : 1);
	b->th = calloc(threads, sizeof(*b->th));
	if (!b->arg || !b->th || pthread_barrier_init(&b->bar, NULL, threads)) {
		free(b->th);
		free(b->arg);
		free(b);
		return sim_err(cudaErrorMemoryAllocation);
	}
	if (arg_size)
		memcpy(b->arg, arg, arg_size);

	pthread_mutex_lock(&sim_lock);
	if (!sim_stream_known(s)) {
		pthread_mutex_unlock(&sim_lock);
		sim_block_free(b);
		return sim_err(cudaErrorInvalidResourceHandle);
	}
	for (l = sim_live; l; l = l->next_live) {
		if (l->entry == entry) {
			pthread_mutex_unlock(&sim_lock);
			fprintf(stderr, "cudart-sim: a block of this kernel is still running; "
				"the simulation keeps __shared__ data in static storage, so it runs "
				"one block per kernel function at a time\n");
			sim_block_free(b);
			return sim_err(cudaErrorLaunchFailure);
		}
	}
	/* Under the lock: a failed start must not leave a half-made block visible. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SIM_STACK);
	for (i = 0; i < threads; i++) {
		b->th[i].b = b;
		b->th[i].idx = i;
		rc = pthread_create(&b->th[i].tid, &attr, sim_thread_main, &b->th[i]);
		if (rc)
			break;
	}
	pthread_attr_destroy(&attr);
	if (i < threads) {
		/* The started threads wait at their first barrier forever: give up. */
		pthread_mutex_unlock(&sim_lock);
		fprintf(stderr, "cudart-sim: cannot start thread %u of %u: %s\n", i, threads,
			strerror(rc));
		abort();
	}
	b->next_live = sim_live;
	sim_live = b;
	b->next_on_stream = s->blocks;
	s->blocks = b;
	pthread_mutex_unlock(&sim_lock);
	return cudaSuccess;
}

void rdsim_syncthreads(void)
{
	pthread_barrier_wait(&sim_my_block->bar);
}

void rdsim_idle(void)
{
	static __thread unsigned int n;
	struct timespec ts = { 0, 20000 };

	/* Mostly yield; now and then sleep, so a spinning "GPU" leaves CPU time. */
	if (++n % 256)
		sched_yield();
	else
		nanosleep(&ts, NULL);
}

unsigned long long rdsim_globaltimer(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Whatever the backend left registered or open is a leak: fail the program. */
__attribute__((destructor)) static void sim_leak_check(void)
{
	unsigned int regs = 0, streams = 0;
	struct CUstream_st *s;
	struct sim_reg *r;

	for (r = sim_regs; r; r = r->next)
		regs++;
	for (s = sim_streams; s; s = s->next)
		streams++;
	if (!regs && !streams)
		return;
	fprintf(stderr, "cudart-sim: at exit, %u host registrations and %u streams were left: "
		"leaked\n", regs, streams);
	_exit(1);
}

/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * cuda.h - GPU ring kernels: the host-side description of a CUDA kernel
 * type and its registration.  Plain C; libringdev loads the CUDA runtime
 * with dlopen() at first use and never links user device code.  A type is
 * defined in the user's .cu file with RINGDEV_CUDA_KERNEL_TYPE() from
 * <ringdev/cuda/kernel.cuh>.  See Documentation/cuda.rst.
 */
#ifndef RINGDEV_CUDA_H
#define RINGDEV_CUDA_H

#include <ringdev/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of struct ringdev_cuda_args / ringdev_cuda_type; both carry it. */
#define RINGDEV_CUDA_ABI	1U

/*
 * What the backend hands a type's launch callback, passed by value to the
 * persistent kernel.  Every pointer is a device pointer into host memory
 * registered with cudaHostRegister(cudaHostRegisterMapped).
 */
struct ringdev_cuda_args {
	struct ringdev_ring in;		/* the kernel's inbox: the GPU consumes */
	struct ringdev_ring out;	/* device-output ring: the GPU produces */
	void *state;			/* state_size bytes: initial and final state */
	__u64 state_size;
	__u32 kernel_id;		/* ringdev_kernel_id() */
	__u32 abi;			/* RINGDEV_CUDA_ABI */
	__u64 reserved[4];		/* zero */
};

/*
 * Enqueue the persistent kernel on @stream (a cudaStream_t) with @args.
 * Return: 0, or -errno after printing why.
 */
typedef int (*ringdev_cuda_launch_fn)(const struct ringdev_cuda_args *args, void *stream);

/* A GPU kernel type; must outlive every runtime it is registered with. */
struct ringdev_cuda_type {
	const char *name;		/* unique in the runtime, < RINGDEV_NAME_MAX */
	ringdev_cuda_launch_fn launch;	/* required */
	size_t state_size;		/* bytes of state kept on the GPU */
	unsigned int block_threads;	/* threads in the kernel's one block */
	unsigned int abi;		/* RINGDEV_CUDA_ABI */
	/* Optional, on the host: set up @state from the launch's init_arg. */
	int (*init)(void *state, const void *arg);
	/* Optional, on the host: @state as the GPU left it, at terminate. */
	void (*fini)(void *state);
	__u64 reserved[2];		/* zero */
};

/**
 * ringdev_rt_register_cuda() - make a GPU kernel type launchable by name
 * @rt: the runtime
 * @t: the type, usually defined by RINGDEV_CUDA_KERNEL_TYPE(); not copied
 *
 * Registration needs no GPU.  Kernels of this type run only on the CUDA
 * backend: ringdev_kernel_create() fails with -ENODEV where no GPU is
 * usable, and with -EOPNOTSUPP for the CPU backend, several lanes or
 * RINGDEV_BP_DROP_OLDEST.
 *
 * Return: 0; -EEXIST when the name is taken; -EINVAL for a malformed type
 * (no launch callback, another RINGDEV_CUDA_ABI, non-zero reserved fields).
 */
int ringdev_rt_register_cuda(struct ringdev_rt *rt, const struct ringdev_cuda_type *t);

#ifdef __cplusplus
}
#endif

#endif /* RINGDEV_CUDA_H */

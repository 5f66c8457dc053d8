/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * ring.cuh - the ringdev ring core for CUDA: <ringdev/ring.h> compiled for
 * host and device with system-scope cuda::atomic_ref in place of the C11
 * builtins.  Include it before any other ringdev header in a .cu file.
 *
 * There is no second copy of the ring protocol: this header only defines
 * RINGDEV_HOSTDEV and the RINGDEV_* ordering primitives of
 * <ringdev/barrier.h>, then includes <ringdev/ring.h>.  The mapping:
 *
 *   RINGDEV_LOAD_ACQUIRE   atomic_ref<T, thread_scope_system>.load(acquire)
 *   RINGDEV_STORE_RELEASE  atomic_ref<T, thread_scope_system>.store(release)
 *   RINGDEV_READ_ONCE      ... .load(relaxed)
 *   RINGDEV_WRITE_ONCE     ... .store(relaxed)
 *   RINGDEV_CAS            ... .compare_exchange_strong(relaxed, relaxed)
 *   RINGDEV_ADD            ... .fetch_add(relaxed)
 *   RINGDEV_SMP_MB         cuda::atomic_thread_fence(seq_cst, thread_scope_system)
 *
 * System scope because the other party is the host CPU reading and writing
 * the same words through a cudaHostRegister()ed mapping.  The ring never
 * needs a read-modify-write on a word that both the host and the GPU write
 * (see Documentation/cuda.rst), so PCIe atomics are not assumed.
 */
#ifndef RINGDEV_CUDA_RING_CUH
#define RINGDEV_CUDA_RING_CUH

#if !defined(__CUDACC__) && !defined(RINGDEV_CUDA_SIM)
#error "<ringdev/cuda/ring.cuh> is for nvcc; C code includes <ringdev/ring.h>"
#endif
#if defined(RINGDEV_BARRIER_H) && !defined(RINGDEV_CUDA_ATOMICS)
#error "include <ringdev/cuda/ring.cuh> (or kernel.cuh) before any other ringdev header"
#endif

#include <cuda/atomic>
#include <string.h>

#define RINGDEV_CUDA_ATOMICS 1

namespace ringdev_cuda_detail {

/*
 * The ring's shared words are 32- or 64-bit integers; some are declared
 * through ringdev_word_t, whose may_alias attribute must not reach a
 * template argument, so the access goes through the plain integer type of
 * the same size.
 */
template <unsigned int N> struct uint_of;
template <> struct uint_of<4> { typedef unsigned int type; };
template <> struct uint_of<8> { typedef unsigned long long type; };

template <unsigned int N>
using sys_ref = cuda::atomic_ref<typename uint_of<N>::type, cuda::thread_scope_system>;

template <unsigned int N>
__host__ __device__ __forceinline__ typename uint_of<N>::type
load(const volatile void *p, cuda::memory_order mo)
{
	return sys_ref<N>(*(typename uint_of<N>::type *)p).load(mo);
}

template <unsigned int N>
__host__ __device__ __forceinline__ void
store(volatile void *p, typename uint_of<N>::type v, cuda::memory_order mo)
{
	sys_ref<N>(*(typename uint_of<N>::type *)p).store(v, mo);
}

template <unsigned int N>
__host__ __device__ __forceinline__ bool
cas(volatile void *p, volatile void *expp, typename uint_of<N>::type v)
{
	typedef typename uint_of<N>::type U;

	return sys_ref<N>(*(U *)p).compare_exchange_strong(*(U *)expp, v,
							   cuda::memory_order_relaxed,
							   cuda::memory_order_relaxed);
}

template <unsigned int N>
__host__ __device__ __forceinline__ typename uint_of<N>::type
add(volatile void *p, typename uint_of<N>::type v)
{
	return sys_ref<N>(*(typename uint_of<N>::type *)p).fetch_add(v, cuda::memory_order_relaxed);
}

} /* namespace ringdev_cuda_detail */

#define RINGDEV_HOSTDEV __host__ __device__

/* The value type of lvalue x, without qualifiers, for casting results back. */
#define __RD_CU_T(x)	__typeof__(+(x))

/* Pairs with a RINGDEV_STORE_RELEASE by the other side (host or GPU). */
#define RINGDEV_LOAD_ACQUIRE(p) \
	((__typeof__(+*(p)))ringdev_cuda_detail::load<sizeof(*(p))>((p), cuda::memory_order_acquire))
/* Pairs with a RINGDEV_LOAD_ACQUIRE by the other side. */
#define RINGDEV_STORE_RELEASE(p, v) \
	ringdev_cuda_detail::store<sizeof(*(p))>((p), \
		(typename ringdev_cuda_detail::uint_of<sizeof(*(p))>::type)(v), \
		cuda::memory_order_release)
#define RINGDEV_READ_ONCE(x) \
	((__RD_CU_T(x))ringdev_cuda_detail::load<sizeof(x)>(&(x), cuda::memory_order_relaxed))
#define RINGDEV_WRITE_ONCE(x, v) \
	ringdev_cuda_detail::store<sizeof(x)>(&(x), \
		(typename ringdev_cuda_detail::uint_of<sizeof(x)>::type)(v), \
		cuda::memory_order_relaxed)
#define RINGDEV_SMP_MB() \
	cuda::atomic_thread_fence(cuda::memory_order_seq_cst, cuda::thread_scope_system)
#define RINGDEV_CAS(p, expp, v) \
	ringdev_cuda_detail::cas<sizeof(*(p))>((p), (expp), \
		(typename ringdev_cuda_detail::uint_of<sizeof(*(p))>::type)(v))
#define RINGDEV_ADD(p, v) \
	ringdev_cuda_detail::add<sizeof(*(p))>((p), \
		(typename ringdev_cuda_detail::uint_of<sizeof(*(p))>::type)(v))

#ifdef __CUDA_ARCH__
#define RINGDEV_CPU_RELAX()	__nanosleep(32)
#endif

#include <ringdev/ring.h>

#endif /* RINGDEV_CUDA_RING_CUH */

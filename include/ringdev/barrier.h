/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * barrier.h - the memory-ordering helpers every shared-memory access in
 * ringdev goes through.  Host builds map them to GCC/Clang __atomic
 * builtins; a CUDA build may define RINGDEV_HOSTDEV and the RINGDEV_*
 * primitives first (cuda/ does) so that the same ring protocol compiles for
 * the device.  Each use in the ring core carries a comment naming the
 * access it pairs with.
 */
#ifndef RINGDEV_BARRIER_H
#define RINGDEV_BARRIER_H

#ifndef RINGDEV_HOSTDEV
#define RINGDEV_HOSTDEV
#endif

/* A u64 that may alias any object: used to snapshot envelopes word-wise. */
typedef unsigned long long __attribute__((__may_alias__)) ringdev_word_t;

#ifndef RINGDEV_LOAD_ACQUIRE
/* Load that orders every later access after it (pairs with a release). */
#define RINGDEV_LOAD_ACQUIRE(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
/* Store that orders every earlier access before it (pairs with an acquire). */
#define RINGDEV_STORE_RELEASE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* Single-copy-atomic access with no ordering: counters, hints, snapshots. */
#define RINGDEV_READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define RINGDEV_WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/* Full barrier: orders earlier stores before later loads (Dekker pattern). */
#define RINGDEV_SMP_MB()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
/*
 * Claim-index CAS.  Relaxed is enough: the data a claim protects is ordered
 * by the slot's sequence word, not by the index.  On failure *expp is
 * updated with the current value.
 */
#define RINGDEV_CAS(p, expp, v) \
	__atomic_compare_exchange_n((p), (expp), (v), 0, __ATOMIC_RELAXED, \
				    __ATOMIC_RELAXED)
/* Relaxed add for counters written by several host threads. */
#define RINGDEV_ADD(p, v)		__atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#endif

#ifndef RINGDEV_CPU_RELAX
#if defined(__x86_64__) || defined(__i386__)
#define RINGDEV_CPU_RELAX()		__builtin_ia32_pause()
#elif defined(__aarch64__)
#define RINGDEV_CPU_RELAX()		__asm__ __volatile__("yield" ::: "memory")
#else
#define RINGDEV_CPU_RELAX()		__asm__ __volatile__("" ::: "memory")
#endif
#endif

#endif /* RINGDEV_BARRIER_H */

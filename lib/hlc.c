// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * hlc.c - the hybrid logical clock: reading the physical clock and the
 * single-CAS tick and update.  Format and clock choice: see <ringdev/hlc.h>.
 */
#include <errno.h>
#include <stddef.h>
#include <time.h>
#include <ringdev/barrier.h>
#include <ringdev/hlc.h>

#define HLC_CLOCK	CLOCK_REALTIME_COARSE

/*
 * clock_gettime() cannot fail for a clock init() has read successfully,
 * so the fast paths do not check it.
 */
static inline __u64 hlc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(HLC_CLOCK, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

static inline __u64 hlc_max(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

/*
 * Raise h->last to max(floor, last + 1) and return the new value.
 *
 * Relaxed CAS (RINGDEV_CAS) is enough: every successful CAS is a
 * read-modify-write of the one word, so all of them sit in its single
 * modification order and each reads the value left by the one before it:
 * no two return the same value and the values rise along that order.  A
 * tick that happens after another (same thread, or ordered by the caller's
 * own synchronisation) reads a value at least as late in that order
 * (coherence), so it returns a greater timestamp.  No other memory is
 * published through the clock, hence no acquire or release.
 */
static inline __u64 hlc_advance(struct ringdev_hlc *h, __u64 floor)
{
	__u64 old = RINGDEV_READ_ONCE(h->last), next;

	do {
		/* last + 1 wraps only after the year 10889. */
		next = hlc_max(floor, old + 1);
	} while (!RINGDEV_CAS(&h->last, &old, next));
	return next;
}

__u64 ringdev_hlc_now_ms(void)
{
	return hlc_now_ms();
}

int ringdev_hlc_init(struct ringdev_hlc *h, __u64 max_drift_ms)
{
	struct timespec ts;

	if (!h)
		return -EINVAL;
	if (clock_gettime(HLC_CLOCK, &ts))
		return -errno;
	h->max_drift_ms = max_drift_ms;
	RINGDEV_WRITE_ONCE(h->last, 0);
	return 0;
}

__u64 ringdev_hlc_tick(struct ringdev_hlc *h)
{
	return hlc_advance(h, hlc_now_ms() << RINGDEV_HLC_LOGICAL_BITS);
}

int ringdev_hlc_update(struct ringdev_hlc *h, __u64 remote, __u64 *out)
{
	__u64 now_ms = hlc_now_ms();
	__u64 remote_ms = ringdev_hlc_physical_ms(remote);
	__u64 ts;

	/* Subtract rather than add: max_drift_ms may be ~0 (no limit). */
	if (remote_ms > now_ms && remote_ms - now_ms > h->max_drift_ms)
		return -ERANGE;
	if (remote == ~0ULL)
		return -ERANGE;
	ts = hlc_advance(h, hlc_max(now_ms << RINGDEV_HLC_LOGICAL_BITS, remote + 1));
	if (out)
		*out = ts;
	return 0;
}

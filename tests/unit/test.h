/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * test.h - the host unit tests' harness: one program per feature, each a
 * list of cases; exit 0 pass, 1 fail, 77 skip (liburing's convention).
 * tests/check.sh runs every program with a timeout and counts results.
 */
#ifndef RINGDEV_TEST_H
#define RINGDEV_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ringdev/ringdev.h>

#define T_PASS	0
#define T_FAIL	1
#define T_SKIP	77

/* Fail the current case with a message naming the place and the values. */
#define T_ASSERT(cond, ...) do {						\
	if (!(cond)) {								\
		fprintf(stderr, "  FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
		return T_FAIL;							\
	}									\
} while (0)

/* Assert a call returned @want (a ringdev -errno or value). */
#define T_EQ(got, want) do {							\
	long long _g = (long long)(got), _w = (long long)(want);		\
	T_ASSERT(_g == _w, "got %lld (%s), want %lld", _g,			\
		 _g < 0 ? ringdev_strerror((int)_g) : "ok", _w);		\
} while (0)

struct t_case {
	const char *name;
	int (*fn)(void);
};

/* Run every case; the program's exit status is the worst result. */
static inline int t_run(const char *prog, const struct t_case *cases, size_t n)
{
	int worst = T_PASS;
	size_t i;

	/* Line-buffered: a test killed by its timeout still shows how far it got. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		struct timespec t0, t1;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = cases[i].fn();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("  %-4s %s.%s (%.2f s)\n", rc == T_PASS ? "ok" : rc == T_SKIP ? "skip" : "FAIL",
		       prog, cases[i].name, (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		fflush(stdout);
		if (rc == T_FAIL || (rc == T_SKIP && worst == T_PASS))
			worst = rc;
	}
	return worst;
}

#define T_MAIN(...)								\
int main(void)									\
{										\
	static const struct t_case cases[] = { __VA_ARGS__ };			\
	return t_run(__FILE__, cases, sizeof(cases) / sizeof(cases[0]));	\
}

#define T_CASE(f) { #f, f }

/*
 * Scale a stress count down for slow builds: tests/check.sh sets
 * RINGDEV_TEST_SCALE (4 under ASan, 10 under TSan).  Never returns 0.
 */
static inline unsigned long t_scale(unsigned long n)
{
	const char *s = getenv("RINGDEV_TEST_SCALE");
	unsigned long div = s ? strtoul(s, NULL, 10) : 1;

	if (!div)
		div = 1;
	n /= div;
	return n ? n : 1;
}

/* An aligned region holding a freshly formatted ring. */
static inline void *t_ring_new(struct ringdev_ring *r, __u32 cap, __u32 slot, __u32 flags)
{
	struct ringdev_ring_params p = { cap, slot, flags, 0, "test" };
	size_t size = ringdev_ring_region_size(cap, slot);
	void *mem;

	if (!size || posix_memalign(&mem, 4096, size))
		return NULL;
	if (ringdev_ring_format(mem, size, &p) || ringdev_ring_attach(r, mem, size)) {
		free(mem);
		return NULL;
	}
	return mem;
}

#endif /* RINGDEV_TEST_H */

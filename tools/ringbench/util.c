// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* util.c - ringbench's clock, CPU pinning, two-thread runner and small helpers. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <ringdev/barrier.h>
#include "bench.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define RB_HAVE_TSC 1
#endif

static int use_tsc;		/* 1: rdtsc ticks; 0: CLOCK_MONOTONIC ns */
static double ns_per_tick = 1.0;
static double overhead_ns;	/* median cost of one timer read */
static char timer_name[96];

/** rb_now_ns() - CLOCK_MONOTONIC in nanoseconds */
uint64_t rb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * rb_now_ticks() - the latency clock: TSC ticks or monotonic ns
 *
 * The lfence keeps rdtsc from executing before the loads that ended the
 * round trip being timed.
 */
uint64_t rb_now_ticks(void)
{
#ifdef RB_HAVE_TSC
	if (use_tsc) {
		_mm_lfence();
		return __rdtsc();
	}
#endif
	return rb_now_ns();
}

/** rb_ticks_to_ns() - convert a latency-clock interval to nanoseconds */
double rb_ticks_to_ns(double ticks)
{
	return ticks * ns_per_tick;
}

/* Does /proc/cpuinfo list every flag in @flags (space separated words)? */
static int cpu_has_flags(const char *const *flags, unsigned int n)
{
	char line[4096];
	unsigned int i, found = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (i = 0; i < n; i++) {
			char word[64];

			snprintf(word, sizeof(word), " %s", flags[i]);
			if (strstr(line, word))
				found++;
		}
		break;
	}
	fclose(f);
	return found == n;
}

/* Median cost of one rb_now_ticks() call, in ns. */
static double measure_overhead(void)
{
	double v[31];
	unsigned int i, j;

	for (i = 0; i < 31; i++) {
		uint64_t t0 = rb_now_ticks(), t1;

		for (j = 0; j < 1000; j++)
			t1 = rb_now_ticks();
		v[i] = rb_ticks_to_ns((double)(t1 - t0)) / 1000.0;
	}
	return rb_median(v, 31);
}

/**
 * rb_timer_init() - choose and calibrate the latency clock
 *
 * The TSC is used when the CPU says it is invariant (constant_tsc and
 * nonstop_tsc); it is calibrated against CLOCK_MONOTONIC over 100 ms (20 ms
 * with --quick).  Otherwise every timestamp is a clock_gettime() call.
 *
 * Return: 0.
 */
int rb_timer_init(void)
{
#ifdef RB_HAVE_TSC
	static const char *const need[] = { "constant_tsc", "nonstop_tsc" };

	if (cpu_has_flags(need, 2)) {
		uint64_t n0, n1, t0, t1, wait = rb_opt.quick ? 20000000 : 100000000;

		use_tsc = 1;
		n0 = rb_now_ns();
		t0 = rb_now_ticks();
		do
			n1 = rb_now_ns();
		while (n1 - n0 < wait);
		t1 = rb_now_ticks();
		ns_per_tick = (double)(n1 - n0) / (double)(t1 - t0);
		overhead_ns = measure_overhead();
		snprintf(timer_name, sizeof(timer_name),
			 "rdtsc (lfence), %.3f GHz calibrated against CLOCK_MONOTONIC",
			 1.0 / ns_per_tick);
		return 0;
	}
#endif
	use_tsc = 0;
	ns_per_tick = 1.0;
	overhead_ns = measure_overhead();
	snprintf(timer_name, sizeof(timer_name), "clock_gettime(CLOCK_MONOTONIC)");
	return 0;
}

/** rb_timer_name() - how latencies are timed, for the report */
const char *rb_timer_name(void)
{
	return timer_name;
}

/** rb_timer_overhead_ns() - the cost of one timestamp, included in every round trip */
double rb_timer_overhead_ns(void)
{
	return overhead_ns;
}

/** rb_barrier_init() - reset a two-party spin barrier */
void rb_barrier_init(struct rb_barrier *b)
{
	b->count = 0;
	b->gen = 0;
}

/**
 * rb_barrier_wait() - wait, spinning, until both threads of a run arrive
 *
 * Spinning rather than sleeping makes both threads leave it within a
 * cache-line transfer of each other, so timed regions start together.
 */
void rb_barrier_wait(struct rb_barrier *b)
{
	unsigned int gen = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == 2) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		/* Pairs with the acquire loads of gen below. */
		__atomic_store_n(&b->gen, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&b->gen, __ATOMIC_ACQUIRE) == gen)
		RINGDEV_CPU_RELAX();
}

/**
 * rb_cpus_init() - pick the two CPUs the threads of every run are pinned to
 *
 * The first two CPUs of the process's affinity mask.  With fewer than two,
 * runs are unpinned and the report says so.
 *
 * Return: the number of CPUs available to the process.
 */
int rb_cpus_init(void)
{
	cpu_set_t set;
	int i, n = 0;

	rb_opt.cpu[0] = rb_opt.cpu[1] = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (n < 2)
			rb_opt.cpu[n] = i;
		n++;
	}
	if (n < 2)
		rb_opt.cpu[0] = rb_opt.cpu[1] = -1;
	return n;
}

/* Start @fn(@arg) on a thread pinned to @cpu (-1: unpinned). */
static int start_pinned(pthread_t *t, int cpu, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int err;

	err = pthread_attr_init(&attr);
	if (err)
		return -err;
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (err)
			goto out;
	}
	err = pthread_create(t, &attr, fn, arg);
out:
	pthread_attr_destroy(&attr);
	return -err;
}

/**
 * rb_run_pair() - run @fa and @fb with @arg on two pinned threads, wait for both
 *
 * @fa runs on the first CPU, @fb on the second.  The functions synchronise
 * between themselves (usually with an rb_barrier in @arg).
 *
 * Return: 0, or -errno when the first thread (@fb) could not start.  When
 * @fb runs but @fa cannot start, @fb would wait forever for its partner, so
 * the program exits with status 2.
 */
int rb_run_pair(void *(*fa)(void *), void *(*fb)(void *), void *arg)
{
	pthread_t ta, tb;
	int err;

	err = start_pinned(&tb, rb_opt.cpu[1], fb, arg);
	if (err)
		return err;
	err = start_pinned(&ta, rb_opt.cpu[0], fa, arg);
	if (err) {
		/* @fb waits at its barrier for a partner that never comes. */
		fprintf(stderr, "ringbench: cannot start thread: %s\n", strerror(-err));
		exit(2);
	}
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	return 0;
}

/**
 * rb_alloc() - zeroed, 4096-byte aligned memory, or exit on failure
 * @size: bytes
 *
 * Page alignment keeps rings and shared words off lines used by anything
 * else; the memory is touched so that page faults stay out of timed runs.
 */
void *rb_alloc(size_t size)
{
	void *p = NULL;
	size_t len = (size + 4095) & ~(size_t)4095;

	if (posix_memalign(&p, 4096, len ? len : 4096)) {
		fprintf(stderr, "ringbench: out of memory (%zu bytes)\n", size);
		exit(2);
	}
	memset(p, 0, len ? len : 4096);
	return p;
}

/** rb_msg() - a progress line on stderr, printed only with --verbose */
void rb_msg(const char *fmt, ...)
{
	va_list ap;

	if (!rb_opt.verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/** rb_pp_count_error() - count one wrong message in @pp (either thread) */
void rb_pp_count_error(struct rb_pp *pp)
{
	__atomic_add_fetch(&pp->errors, 1, __ATOMIC_RELAXED);
}

/**
 * rb_pp_measure() - one measured ping-pong run of a scenario, into @row
 * @row: collects this run's p50, p99, p99.9, max and mean; the medians
 *	 over every pass are computed by rb_row_finish()
 * @pp: the run; n, warm, size and priv set by the caller
 * @ping: times round trips into pp->h; runs on the first CPU
 * @pong: answers; runs on the second CPU
 *
 * perf counters (rb_perf_start()) count both threads, warm-up included,
 * and are stored per round trip; so are the driver's counters (dev.c) when
 * the row's channels are driver rings.
 *
 * Return: 0, or -1 when the threads could not run (row marked failed).
 */
int rb_pp_measure(struct rb_row *row, struct rb_pp *pp,
		  void *(*ping)(void *), void *(*pong)(void *))
{
	long csw = rb_nivcsw();
	struct rb_perf perf;
	struct rb_drv drv;
	int err;

	pp->h = rb_hist_new();
	if (!pp->h)
		goto fail;
	if (rb_opt.plot && !row->hist)
		row->hist = rb_hist_new();
	pp->errors = 0;
	row->n = pp->n;
	row->size = pp->size;
	row->batch = 1;
	rb_barrier_init(&pp->bar);
	/* Outside the perf region: its ring snapshot makes syscalls. */
	rb_drv_start(&drv, row);
	if (!rb_opt.no_perf)
		rb_perf_start(&perf);
	err = rb_run_pair(ping, pong, pp);
	/* The counted region is both threads' lives: warm trips included. */
	if (!rb_opt.no_perf)
		rb_perf_stop(&perf, row, (double)(pp->warm + pp->n));
	rb_drv_stop(&drv, row, (double)(pp->warm + pp->n));
	if (err)
		goto fail;
	rb_lat_runs_add(&row->lat, pp->h);
	if (row->hist)
		rb_hist_merge(row->hist, pp->h);
	rb_msg("  %-22s run %u: p50 %.0f ns\n", row->name, row->lat.n,
	       rb_ticks_to_ns(rb_hist_pct(pp->h, 50)));
	row->errors += pp->errors;
	row->preempted += rb_nivcsw() - csw;
	rb_hist_free(pp->h);
	pp->h = NULL;
	return 0;
fail:
	rb_hist_free(pp->h);
	pp->h = NULL;
	row->failed = 1;
	return -1;
}

/**
 * rb_tp_measure() - one measured throughput run of a scenario, into @row
 * @row: collects this run's Mmsg/s; rb_row_finish() takes the median
 * @tp: the run; n, size, batch and priv set by the caller
 * @prod: sends tp->n messages; runs on the first CPU
 * @cons: receives and checks them, stamps t0/t1; runs on the second CPU
 *
 * An unmeasured run of n / 10 messages warms caches, pages and the branch
 * predictors first.  perf counters cover the measured run's two threads
 * and are stored per message, and so do the driver's counters (dev.c) when
 * the row's channels are driver rings.
 *
 * Return: 0, or -1 when the threads could not run (row marked failed).
 */
int rb_tp_measure(struct rb_row *row, struct rb_tp *tp,
		  void *(*prod)(void *), void *(*cons)(void *))
{
	unsigned long n = tp->n;
	long csw = rb_nivcsw();
	struct rb_perf perf;
	struct rb_drv drv;
	double rate;
	int err;

	row->n = n;
	row->size = tp->size;
	row->batch = tp->batch;
	tp->n = n / 10 ? n / 10 : 1;
	rb_barrier_init(&tp->bar);
	tp->errors = 0;
	if (rb_run_pair(prod, cons, tp))
		goto fail;
	row->errors += tp->errors;
	tp->n = n;
	rb_barrier_init(&tp->bar);
	tp->errors = 0;
	/* Outside the perf region: its ring snapshot makes syscalls. */
	rb_drv_start(&drv, row);
	if (!rb_opt.no_perf)
		rb_perf_start(&perf);
	err = rb_run_pair(prod, cons, tp);
	if (!rb_opt.no_perf)
		rb_perf_stop(&perf, row, (double)n);
	rb_drv_stop(&drv, row, (double)n);
	if (err)
		goto fail;
	row->errors += tp->errors;
	rate = (double)n * 1e3 / (double)(tp->t1 > tp->t0 ? tp->t1 - tp->t0 : 1);
	if (row->nrate < RB_MAX_REPS)
		row->rate[row->nrate++] = rate;
	rb_msg("  %-22s run %u: %.2f Mmsg/s\n", row->name, row->nrate, rate);
	row->preempted += rb_nivcsw() - csw;
	return 0;
fail:
	row->failed = 1;
	return -1;
}

/* Sum of all and of idle jiffies in /proc/stat's "cpu" line; -1 on error. */
static int read_cpu_jiffies(unsigned long long *total, unsigned long long *idle)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n, i;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 5)
		return -1;
	*total = 0;
	/* guest and guest_nice (8, 9) are already inside user and nice. */
	for (i = 0; i < 8; i++)
		*total += v[i];
	*idle = v[3] + v[4];
	return 0;
}

/**
 * rb_busy_pct() - how busy the machine is before we start, in percent
 *
 * Samples /proc/stat over 300 ms while ringbench itself sleeps, so every
 * busy jiffy belongs to someone else (or to the hypervisor, as steal).
 *
 * Return: the busy share of all CPUs, or -1 when /proc/stat is unreadable.
 */
double rb_busy_pct(void)
{
	unsigned long long t0, i0, t1, i1;

	if (read_cpu_jiffies(&t0, &i0))
		return -1;
	usleep(300000);
	if (read_cpu_jiffies(&t1, &i1) || t1 == t0)
		return -1;
	return 100.0 * (double)((t1 - t0) - (i1 - i0)) / (double)(t1 - t0);
}

/** rb_nivcsw() - involuntary context switches of this process so far */
long rb_nivcsw(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_nivcsw;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* bench.h - ringbench's shared types: options, result rows, helpers, scenarios. */
#ifndef RINGBENCH_BENCH_H
#define RINGBENCH_BENCH_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

/* Slot sizes every per-size scenario walks through. */
#define RB_NR_SIZES	4
extern const unsigned int rb_sizes[RB_NR_SIZES];

/* Messages per burst in the batched throughput scenarios. */
#define RB_BURST	32

/* Most measured runs (passes) per figure. */
#define RB_MAX_REPS	64

/* Per-run latency figures, in timer ticks, collected before the median. */
struct rb_lat_runs {
	double p50[RB_MAX_REPS], p99[RB_MAX_REPS], p999[RB_MAX_REPS];
	double max[RB_MAX_REPS], mean[RB_MAX_REPS];
	unsigned int n;
};

/* Command-line options, after defaults and --quick are applied. */
struct rb_opts {
	unsigned int reps;	/* measured runs per figure; the median is reported */
	unsigned long iters;	/* round trips per spinning latency run */
	unsigned long msgs;	/* messages per 64-byte throughput run */
	unsigned int capacity;	/* slots per ring / queue */
	const char *only;	/* run just this scenario (and its baseline) */
	const char *json;	/* --json FILE, "-" for stdout, NULL for none */
	int quick;		/* --quick: CI smoke sizes */
	int verbose;		/* -v: per-run figures on stderr */
	int cpu[2];		/* the two CPUs threads are pinned to; -1 = unpinned */
	const char *plot;	/* --plot DIR: latency histogram PNGs, NULL for none */
	int no_perf;		/* --no-perf: skip the perf counters */
	unsigned int transport;	/* --transport: RINGDEV_TRANSPORT_SHM or _DEV */
	const char *gpu_lib;	/* --gpu-lib: the GPU helper library, NULL: default */
};

extern struct rb_opts rb_opt;

/* What a row measures. */
enum rb_kind {
	RB_LAT,			/* round-trip latency, ns */
	RB_TPUT,		/* throughput, Mmsg/s */
	RB_OP,			/* cost of one operation, ns (median of timed batches) */
	RB_SYS,			/* shm transport: Mmsg/s and producer syscalls per message */
};

/* perf counters kept per row (perf.c): task-clock ... instructions. */
#define RB_PERF_NR	6

/*
 * Driver counters kept per row (dev.c), dev transport only: the
 * ringdev:kick, wake and suppress tracepoints (RB_DRV_TP of them), then the
 * same three events as the driver's per-ring RINGDEV_IOC_STATS counters
 * (kicks, wakeups, suppressed) of the rings the run used.
 */
#define RB_DRV_TP	3
#define RB_DRV_NR	(2 * RB_DRV_TP)

/* Whether a row's target was met: none set, met, not met. */
enum rb_verdict {
	RB_NO_TARGET = 0,
	RB_MET,
	RB_NOT_MET,
};

/*
 * One line of the report.  Figures are the medians over rb_opt.reps runs.
 * The baseline is named; its ratio is computed once every row exists.
 */
struct rb_row {
	char name[48];		/* unique scenario key, e.g. "chan-lat-64" */
	char desc[80];		/* what it is, for people */
	enum rb_kind kind;
	unsigned int size;	/* slot or message bytes, 0 when not applicable */
	unsigned int batch;	/* messages per operation */
	unsigned long n;	/* round trips or messages per run */
	/* RB_LAT: nanoseconds per round trip */
	double p50, p99, p999, max, mean;
	/* RB_TPUT: */
	double mmsgs;		/* million messages per second */
	double mbytes;		/* MB/s of slot bytes (n * size) */
	double mmsgs_lo, mmsgs_hi;	/* slowest and fastest run: the spread */
	char baseline[48];	/* row name this is compared with, "" for none */
	double ratio;		/* ours / baseline, 0 when unknown */
	double target;		/* ratio limit, 0 when none */
	int target_max;		/* 1: ratio must be <= target; 0: >= target */
	enum rb_verdict verdict;
	unsigned long errors;	/* lost, duplicated, reordered or corrupt messages */
	int failed;		/* the scenario could not run */
	long preempted;		/* involuntary context switches while it ran */
	struct rb_lat_runs lat;	/* RB_LAT: each run's figures, before the median */
	double rate[RB_MAX_REPS];	/* RB_TPUT: each run's Mmsg/s */
	unsigned int nrate;
	char note[160];
	/* RB_OP: ns per operation, per run in rate[]; p50 median, op_lo/op_hi spread */
	double op_lo, op_hi;
	/* absolute target on the row's own figure: RB_OP/RB_LAT ns, RB_SYS syscalls/msg, RB_TPUT Mmsg/s */
	int has_abs;
	int abs_min;		/* 1: figure must be >= abs_target (RB_TPUT) */
	double abs_target;	/* figure must be <= this (>= with abs_min) */
	/* RB_SYS: producer syscalls per message, per run and median */
	double sys[RB_MAX_REPS];
	unsigned int nsys;
	double sys_per_msg;	/* -1 when not counted */
	/* perf counters per message (or round trip), per run; -1 unsupported */
	double perf[RB_PERF_NR][RB_MAX_REPS];
	unsigned int nperf;
	double perf_med[RB_PERF_NR];
	/* transport of the row's channels: "shm", "dev", NULL when it has none */
	const char *transport;
	/* driver counters per message (or round trip), per run; -1 not counted */
	double drv[RB_DRV_NR][RB_MAX_REPS];
	unsigned int ndrv;
	double drv_med[RB_DRV_NR];
	long long drv_last[RB_DRV_NR];	/* the last run's raw counts; -1 not counted */
	struct rb_hist *hist;	/* RB_LAT: every run's samples, for --plot */
};

/* ---- results (bench.c) ---- */
struct rb_row *rb_row_new(const char *name, enum rb_kind kind);
struct rb_row *rb_row_find(const char *name);
void rb_row_finish(struct rb_row *row);
void rb_set_baseline(struct rb_row *row, const char *baseline, double target,
		     int target_max);
extern double rb_busy_before;
const char *rb_transport_name(void);
const char *rb_chan_what(void);
extern struct rb_row *rb_rows;
extern unsigned int rb_nr_rows;

/* ---- statistics (stats.c) ---- */
struct rb_hist;
struct rb_hist *rb_hist_new(void);
void rb_hist_free(struct rb_hist *h);
void rb_hist_reset(struct rb_hist *h);
void rb_hist_add(struct rb_hist *h, uint64_t v);
uint64_t rb_hist_count(const struct rb_hist *h);
void rb_hist_merge(struct rb_hist *dst, const struct rb_hist *src);
unsigned int rb_hist_buckets(const struct rb_hist *h, double *lo, double *hi,
			     uint64_t *count, unsigned int max);
double rb_hist_pct(const struct rb_hist *h, double pct);
double rb_hist_max(const struct rb_hist *h);
double rb_hist_mean(const struct rb_hist *h);
double rb_median(double *v, unsigned int n);

void rb_lat_runs_add(struct rb_lat_runs *lr, const struct rb_hist *h);
void rb_lat_runs_store(struct rb_lat_runs *lr, struct rb_row *row);

/* ---- timing and threads (util.c) ---- */
int rb_timer_init(void);
const char *rb_timer_name(void);
double rb_timer_overhead_ns(void);
uint64_t rb_now_ticks(void);
double rb_ticks_to_ns(double ticks);
uint64_t rb_now_ns(void);
double rb_busy_pct(void);
long rb_nivcsw(void);

/* Spin barrier for the two threads of a run. */
struct rb_barrier {
	unsigned int count;
	unsigned int gen;
};
void rb_barrier_init(struct rb_barrier *b);
void rb_barrier_wait(struct rb_barrier *b);

/*
 * A ping-pong run shared by its two threads.  The ping thread times each
 * round trip into h; both do warm round trips first, then meet at bar.
 */
struct rb_pp {
	struct rb_barrier bar;
	struct rb_hist *h;
	unsigned long n;	/* measured round trips */
	unsigned long warm;	/* unmeasured round trips before them */
	unsigned long errors;	/* wrong messages seen by either thread */
	unsigned int size;	/* message bytes */
	void *priv;		/* the scenario's own state */
};

/*
 * The ping thread's clock, around round trip @i of pp->warm + pp->n: the
 * first measured round trip starts at the barrier, and each measured one
 * goes into pp->h as it ends.  Inline: these are inside the timed loop.
 */
static inline __attribute__((always_inline)) void
rb_pp_trip_start(struct rb_pp *pp, unsigned long i, uint64_t *t0)
{
	if (i == pp->warm) {
		rb_barrier_wait(&pp->bar);
		*t0 = rb_now_ticks();
	}
}

static inline __attribute__((always_inline)) void
rb_pp_trip_end(struct rb_pp *pp, unsigned long i, uint64_t *t0)
{
	uint64_t t1;

	if (i < pp->warm)
		return;
	t1 = rb_now_ticks();
	rb_hist_add(pp->h, t1 - *t0);
	*t0 = t1;
}

/*
 * A throughput run: the producer sends n messages of size bytes in
 * operations of up to batch, the consumer checks them and stamps t0 (after
 * the barrier) and t1 (after the last message).
 */
struct rb_tp {
	struct rb_barrier bar;
	unsigned long n;
	unsigned int size;
	unsigned int batch;
	uint64_t t0, t1;	/* ns, written by the consumer */
	unsigned long errors;	/* written by the consumer */
	void *priv;
};

int rb_pp_measure(struct rb_row *row, struct rb_pp *pp,
		  void *(*ping)(void *), void *(*pong)(void *));
int rb_tp_measure(struct rb_row *row, struct rb_tp *tp,
		  void *(*prod)(void *), void *(*cons)(void *));
void rb_pp_count_error(struct rb_pp *pp);
int rb_cpus_init(void);
int rb_run_pair(void *(*fa)(void *), void *(*fb)(void *), void *arg);
void *rb_alloc(size_t size);
void rb_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- scenarios; each returns 0, or -1 when it could not run ---- */
int rb_cacheline_lat(void);
int rb_eventfd_lat(void);
int rb_condvar_lat(void);
int rb_condvar_tput(void);
int rb_ring_lat(void);
int rb_chan_lat(void);
int rb_ring_tput(void);
int rb_chan_tput(void);
int rb_dpdk_tput(void);
extern const char *rb_dpdk_status;
const char *rb_dpdk_describe(char *buf, size_t len);

int rb_call_lat(void);
int rb_hlc_tick(void);
int rb_shm_sys(void);
int rb_fanout(void);
int rb_gpu(void);
extern char rb_gpu_status[400];

/* Channel helpers shared by the scenario files (ringdev.c). */
struct ringdev_chan;
/* Spin budget that makes every wait of a "spinning" channel a spin. */
#define RB_SPIN_FOREVER_NS	1000000000ULL
int rb_chan_open(unsigned int size, __u64 spin_ns, struct ringdev_chan **tx,
		 struct ringdev_chan **rx, int socks[2], char *note, size_t note_len);
void rb_chan_close(struct ringdev_chan *tx, struct ringdev_chan *rx, int socks[2]);
void __attribute__((noreturn)) rb_die(const char *what, int err);

/* ---- perf counters and syscall counting (perf.c) ---- */
struct rb_perf {
	int fd[RB_PERF_NR];
};
extern const char *const rb_perf_names[RB_PERF_NR];
void rb_perf_init(void);
int rb_perf_open(__u32 type, __u64 config, pid_t pid, int inherit, int disabled);
void rb_perf_keep(int fd);
long rb_tracepoint_id(const char *event, char *where, size_t len);
int rb_perf_supported(unsigned int i);
const char *rb_perf_why(unsigned int i);
void rb_perf_start(struct rb_perf *p);
void rb_perf_stop(struct rb_perf *p, struct rb_row *row, double msgs);
int rb_sys_init(void);
const char *rb_sys_method(void);
int rb_sys_real(void);
int rb_sys_open(void);
void rb_sys_begin(int fd);
__u64 rb_sys_end(int fd);
__u64 rb_sys_overhead(int fd);

/* ---- the driver transport and its counters (dev.c) ---- */
struct rb_drv {
	int active;			/* counting: the row's channels are dev */
	int fd[RB_DRV_TP];		/* tracepoint counters, -1 when not open */
	int stats_ok;			/* the ring counters before the run were read */
};
extern const char *const rb_drv_names[RB_DRV_NR];
int rb_dev_init(char *why, size_t len);
const char *rb_dev_describe(void);
void rb_drv_init(void);
int rb_drv_tp_supported(void);
const char *rb_drv_tp_method(void);
const char *rb_drv_stats_method(void);
void rb_drv_start(struct rb_drv *d, const struct rb_row *row);
void rb_drv_stop(struct rb_drv *d, struct rb_row *row, double msgs);

/* ---- --plot and --list-probes (plot.c, probes.c) ---- */
int rb_plot(const char *dir);
int rb_list_probes(FILE *f);

/* ---- output (json.c) ---- */
int rb_json_write(const char *path, int ncpus, int bad);

/*
 * Message checking.  Every message carries its sequence number: in the
 * envelope's msg_id for ringdev, and in the first and last 8 bytes of the
 * payload (or of the whole item, for the baselines) when it has one.
 */
/* Sequence number carried in an item's first 8 bytes. */
static inline __u64 rb_item_seq(const void *item)
{
	__u64 v;

	memcpy(&v, item, sizeof(v));
	return v;
}

/* Stamp @seq into the first and last 8 bytes of a @size-byte item. */
static inline void rb_item_stamp(void *item, unsigned int size, __u64 seq)
{
	memcpy(item, &seq, sizeof(seq));
	memcpy((char *)item + size - sizeof(seq), &seq, sizeof(seq));
}

/* Does a @size-byte item carry @seq at both ends? */
static inline int rb_item_ok(const void *item, unsigned int size, __u64 seq)
{
	__u64 tail;

	memcpy(&tail, (const char *)item + size - sizeof(tail), sizeof(tail));
	return rb_item_seq(item) == seq && tail == seq;
}

/* Messages in one throughput run of @size-byte messages. */
unsigned long rb_tput_msgs(unsigned int size);

#endif /* RINGBENCH_BENCH_H */

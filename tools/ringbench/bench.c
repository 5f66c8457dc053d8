// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* bench.c - ringbench's main: options, the scenario table, ratios and the printed report. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ringdev/chan.h>
#include "bench.h"

const unsigned int rb_sizes[RB_NR_SIZES] = { 64, 256, 1024, 4096 };

struct rb_opts rb_opt = {
	.reps = 5,
	.iters = 200000,
	.msgs = 10000000,
	.capacity = 1024,
	.transport = RINGDEV_TRANSPORT_SHM,
};

/* Rows live in a fixed array so that pointers to them stay valid. */
#define RB_MAX_ROWS	128
static struct rb_row rows[RB_MAX_ROWS];
struct rb_row *rb_rows = rows;
unsigned int rb_nr_rows;

/*
 * The scenarios, in the order they run: baselines first, so that every
 * ratio compares figures from this same run.  deps names the groups whose
 * rows a group's ratios need; --only runs those too.
 */
struct rb_scenario {
	const char *name;
	int (*run)(void);
	const char *deps[3];
	const char *help;
	int wanted;
};

static struct rb_scenario scenarios[] = {
	{ .name = "cacheline", .run = rb_cacheline_lat, .deps = { NULL },
	  .help = "raw cache-line ping-pong: the physical limit" },
	{ .name = "eventfd", .run = rb_eventfd_lat, .deps = { "cacheline" },
	  .help = "eventfd ping-pong, blocking" },
	{ .name = "condvar-lat", .run = rb_condvar_lat, .deps = { "cacheline" },
	  .help = "mutex+condvar queue ping-pong" },
	{ .name = "condvar-tput", .run = rb_condvar_tput, .deps = { NULL },
	  .help = "mutex+condvar queue throughput, every size, single and batched" },
	{ .name = "dpdk", .run = rb_dpdk_tput, .deps = { NULL },
	  .help = "DPDK rte_ring SP/SC throughput, 64 B elements, single and bursts" },
	{ .name = "ring-lat", .run = rb_ring_lat, .deps = { "cacheline" },
	  .help = "bare ringdev ring ping-pong, spinning, every size" },
	{ .name = "chan-lat", .run = rb_chan_lat, .deps = { "cacheline", "eventfd" },
	  .help = "channel ping-pong: spinning at every size, and blocking" },
	{ .name = "ring-tput", .run = rb_ring_tput, .deps = { "dpdk", "condvar-tput" },
	  .help = "bare ringdev ring throughput, every size, single and bursts" },
	{ .name = "chan-tput", .run = rb_chan_tput, .deps = { "dpdk", "condvar-tput" },
	  .help = "channel throughput, every size, single and bursts" },
	{ .name = "call-lat", .run = rb_call_lat, .deps = { "chan-lat" },
	  .help = "ringdev_call round trip through a CPU echo kernel (vs chan-lat-64)" },
	{ .name = "hlc-tick", .run = rb_hlc_tick, .deps = { NULL },
	  .help = "ns per ringdev_hlc_tick, one thread (target) and two (contended)" },
	{ .name = "shm-sys", .run = rb_shm_sys, .deps = { NULL },
	  .help = "doorbells: kick-each, batch-8/32/128, busy, sqpoll: syscalls/msg" },
	{ .name = "fanout", .run = rb_fanout, .deps = { NULL },
	  .help = "doorbells to 64 sleeping channels: one io_uring submit vs 64 syscalls" },
	{ .name = "gpu", .run = rb_gpu, .deps = { NULL },
	  .help = "GPU ring kernel: write, seen, round trips vs empty launch+sync, echo Mmsg/s" },
};

#define RB_NR_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* The scenario named @name, or NULL. */
static struct rb_scenario *scenario_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < RB_NR_SCENARIOS; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

/**
 * rb_row_new() - the row called @name, appended empty on the first pass
 *
 * Return: the row; exits when the fixed table is full (a programming error).
 */
struct rb_row *rb_row_new(const char *name, enum rb_kind kind)
{
	struct rb_row *row = rb_row_find(name);

	if (row)
		return row;	/* a later pass adds runs to it */
	if (rb_nr_rows == RB_MAX_ROWS) {
		fprintf(stderr, "ringbench: too many result rows\n");
		exit(2);
	}
	row = &rows[rb_nr_rows++];
	memset(row, 0, sizeof(*row));
	snprintf(row->name, sizeof(row->name), "%s", name);
	row->kind = kind;
	return row;
}

/** rb_row_find() - the row called @name, or NULL */
struct rb_row *rb_row_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < rb_nr_rows; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return NULL;
}

/**
 * rb_set_baseline() - compare @row with the row called @baseline
 * @target: ratio limit, 0 for none
 * @target_max: 1 when the ratio must be <= @target (latency), 0 for >=
 */
void rb_set_baseline(struct rb_row *row, const char *baseline, double target,
		     int target_max)
{
	snprintf(row->baseline, sizeof(row->baseline), "%s", baseline);
	row->target = target;
	row->target_max = target_max;
}

/* The figure ratios are taken on: p50 round trip or ns per op, or Mmsg/s. */
static double row_figure(const struct rb_row *row)
{
	return row->kind == RB_LAT || row->kind == RB_OP ? row->p50 : row->mmsgs;
}

/* The figure an absolute target is on: ns, syscalls per message or Mmsg/s. */
static double row_abs_figure(const struct rb_row *row)
{
	return row->kind == RB_SYS ? row->sys_per_msg : row_figure(row);
}

/*
 * Median of each of @ncounters counters over @nruns runs into @med;
 * negative run values (not counted) are left out, -1 when none is left.
 */
static void counter_medians(const double (*runs)[RB_MAX_REPS], unsigned int ncounters,
			    unsigned int nruns, double *med)
{
	unsigned int i, r;

	for (i = 0; i < ncounters; i++) {
		double v[RB_MAX_REPS];
		unsigned int n = 0;

		for (r = 0; r < nruns && r < RB_MAX_REPS; r++)
			if (runs[i][r] >= 0)
				v[n++] = runs[i][r];
		med[i] = n ? rb_median(v, n) : -1;
	}
}

/**
 * rb_row_finish() - turn a row's per-run figures into medians (and spread)
 */
void rb_row_finish(struct rb_row *row)
{
	counter_medians(row->perf, RB_PERF_NR, row->nperf, row->perf_med);
	counter_medians(row->drv, RB_DRV_NR, row->ndrv, row->drv_med);
	if (row->kind == RB_OP) {
		if (!row->nrate)
			return;
		row->p50 = rb_median(row->rate, row->nrate);	/* sorts rate[] */
		row->op_lo = row->rate[0];
		row->op_hi = row->rate[row->nrate - 1];
		return;
	}
	if (row->kind == RB_SYS)
		row->sys_per_msg = row->nsys ? rb_median(row->sys, row->nsys) : -1;
	if (row->kind == RB_LAT) {
		if (row->lat.n)
			rb_lat_runs_store(&row->lat, row);
		return;
	}
	if (!row->nrate)
		return;
	row->mmsgs = rb_median(row->rate, row->nrate);	/* sorts rate[] */
	row->mmsgs_lo = row->rate[0];
	row->mmsgs_hi = row->rate[row->nrate - 1];
	row->mbytes = row->mmsgs * row->size;
}

/* Compute every row's ratio against its baseline, and its verdict. */
static void resolve_ratios(void)
{
	unsigned int i;

	for (i = 0; i < rb_nr_rows; i++) {
		struct rb_row *row = &rows[i];
		const struct rb_row *base;

		if (row->has_abs) {
			double v = row_abs_figure(row);
			int measured = !row->failed && (row->kind == RB_SYS ? row->nsys : row->nrate);

			if (row->abs_min)
				measured = measured && v >= row->abs_target;
			else
				measured = measured && v >= 0 && v <= row->abs_target;
			row->verdict = measured ? RB_MET : RB_NOT_MET;
		}
		if (!row->baseline[0])
			continue;
		base = rb_row_find(row->baseline);
		row->ratio = 0;
		if (base && !base->failed && !row->failed && row_figure(base) > 0)
			row->ratio = row_figure(row) / row_figure(base);
		if (!row->target || row->verdict == RB_NOT_MET)
			continue;
		if (!row->ratio)
			row->verdict = RB_NOT_MET;
		else if (row->target_max)
			row->verdict = row->ratio <= row->target ? RB_MET : RB_NOT_MET;
		else
			row->verdict = row->ratio >= row->target ? RB_MET : RB_NOT_MET;
	}
}

/**
 * rb_tput_msgs() - messages per throughput run for @size-byte messages
 *
 * rb_opt.msgs at 64 bytes, scaled down in proportion to the size so that
 * every run moves about the same number of bytes.
 */
unsigned long rb_tput_msgs(unsigned int size)
{
	unsigned long n = rb_opt.msgs / (size / 64 ? size / 64 : 1);

	return n ? n : 1;
}

/* Mark @s and, recursively, the groups its ratios need. */
static void want(struct rb_scenario *s)
{
	unsigned int i;

	s->wanted = 1;
	for (i = 0; i < 3 && s->deps[i]; i++)
		want(scenario_find(s->deps[i]));
}

/* Target column text: "<= 1.50x" or ">= 0.80x", "-" for none. */
static const char *target_str(const struct rb_row *row, char *buf, size_t len)
{
	if (row->has_abs) {
		snprintf(buf, len, "%s %g%s", row->abs_min ? ">=" : "<=", row->abs_target,
			 row->kind == RB_SYS ? "/msg" : row->kind == RB_TPUT ? " Mmsg/s" : " ns");
		return buf;
	}
	if (!row->target)
		return "-";
	snprintf(buf, len, "%s %.2fx", row->target_max ? "<=" : ">=", row->target);
	return buf;
}

/* Ratio column text. */
static const char *ratio_str(const struct rb_row *row, char *buf, size_t len)
{
	if (!row->baseline[0])
		return "-";
	if (!row->ratio)
		return "n/a";
	snprintf(buf, len, "%.2fx", row->ratio);
	return buf;
}

/* Result column text. */
static const char *verdict_str(const struct rb_row *row)
{
	if (row->failed)
		return "FAILED";
	if (row->errors)
		return "WRONG MSGS";
	switch (row->verdict) {
	case RB_MET:
		return "met";
	case RB_NOT_MET:
		return row->ratio || row->has_abs ? "NOT MET" : "not measured";
	default:
		return "";
	}
}

/* Busy share of the machine just before the run, -1 when unknown. */
double rb_busy_before = -1;

/** rb_transport_name() - the channels' transport, "shm" or "dev" (--transport) */
const char *rb_transport_name(void)
{
	return rb_opt.transport == RINGDEV_TRANSPORT_DEV ? "dev" : "shm";
}

/** rb_chan_what() - what a channel row measures, for descriptions */
const char *rb_chan_what(void)
{
	return rb_opt.transport == RINGDEV_TRANSPORT_DEV ? "dev channel" : "shm channel";
}

/*
 * One table of per-row medians: a column per name, a line per row that
 * has them (@count of it non-zero), "unsupported" for a negative median.
 * Return: whether any row had them (else nothing was printed).
 */
static int print_med_table(FILE *f, const char *title, const char *const *names,
			    unsigned int ncols, int width,
			    unsigned int (*count)(const struct rb_row *),
			    const double *(*med)(const struct rb_row *))
{
	unsigned int i, j, any = 0;

	for (i = 0; i < rb_nr_rows; i++)
		any |= count(&rows[i]) > 0;
	if (!any)
		return 0;
	fprintf(f, "\n%s:\n%-21s", title, "scenario");
	for (j = 0; j < ncols; j++)
		fprintf(f, " %*s", width, names[j]);
	fprintf(f, "\n");
	for (i = 0; i < rb_nr_rows; i++) {
		const double *m = med(&rows[i]);

		if (!count(&rows[i]))
			continue;
		fprintf(f, "%-21s", rows[i].name);
		for (j = 0; j < ncols; j++) {
			if (m[j] < 0)
				fprintf(f, " %*s", width, "unsupported");
			else
				fprintf(f, " %*.4g", width, m[j]);
		}
		fprintf(f, "\n");
	}
	return 1;
}

static unsigned int perf_count(const struct rb_row *row) { return row->nperf; }
static const double *perf_med(const struct rb_row *row) { return row->perf_med; }
static unsigned int drv_count(const struct rb_row *row) { return row->ndrv; }
static const double *drv_med(const struct rb_row *row) { return row->drv_med; }

/* The perf counters of every row that has them, per message or round trip. */
static void print_perf(FILE *f)
{
	unsigned int j;

	if (!print_med_table(f, "perf counters per message (latency rows: per round trip, "
			     "warm-up included), median of runs, both threads",
			     rb_perf_names, RB_PERF_NR, 13, perf_count, perf_med))
		return;
	for (j = 0; j < RB_PERF_NR; j++)
		if (!rb_perf_supported(j))
			fprintf(f, "%s: unsupported here (perf_event_open: %s)\n",
				rb_perf_names[j], rb_perf_why(j));
}

/*
 * The driver counters of every row that has them (dev transport), per
 * message or round trip: tracepoint hits, then the ring counters.
 */
static void print_driver(FILE *f)
{
	static const char *const head[RB_DRV_NR] = {
		"tp:kick", "tp:wake", "tp:suppress", "ioc:kicks", "ioc:wakeups",
		"ioc:suppressed",
	};

	if (!print_med_table(f, "driver counters per message (latency rows: per round trip, "
			     "warm-up included), median of runs",
			     head, RB_DRV_NR, 14, drv_count, drv_med))
		return;
	fprintf(f, "tp: = hits of the tracepoints ringdev:kick/wake/suppress, %s\n",
		rb_drv_tp_method());
	fprintf(f, "ioc: = the driver's ring counters kicks/wakeups/suppressed, %s\n",
		rb_drv_stats_method());
}

/* Print the report to @f. */
static void print_report(FILE *f, int ncpus)
{
	char rbuf[32], tbuf[32], dbuf[128];
	unsigned int i, k;

	fprintf(f, "ringbench: %d CPUs online to us; threads %s", ncpus,
		rb_opt.cpu[0] >= 0 ? "pinned to CPUs" : "UNPINNED (fewer than 2 CPUs)");
	if (rb_opt.cpu[0] >= 0)
		fprintf(f, " %d and %d", rb_opt.cpu[0], rb_opt.cpu[1]);
	fprintf(f, "\n");
	fprintf(f, "timer: %s; one timestamp costs %.1f ns and is inside every round trip\n",
		rb_timer_name(), rb_timer_overhead_ns());
	fprintf(f, "figures: median of %u runs (passes over every scenario, interleaved); ring capacity %u slots; spinning ping-pong %lu "
		"round trips/run (blocking ones %lu); throughput %lu msgs/run at 64 B, "
		"scaled by 64/size (condvar: a tenth)\n",
		rb_opt.reps, rb_opt.capacity, rb_opt.iters,
		rb_opt.iters / 10 ? rb_opt.iters / 10 : 1, rb_tput_msgs(64));
	if (rb_busy_before >= 0)
		fprintf(f, "machine: %.0f%% busy with other work just before the run%s\n",
			rb_busy_before, rb_busy_before > 10 ?
			" -- NOISY: figures will be disturbed" : "");
	if (rb_opt.transport == RINGDEV_TRANSPORT_DEV)
		fprintf(f, "transport: dev: channels and runtime inboxes are driver rings (%s)\n",
			rb_dev_describe());
	else
		fprintf(f, "transport: shm: channels and runtime inboxes are memfd rings with "
			"eventfd doorbells\n");
	fprintf(f, "DPDK: %s\n", rb_dpdk_describe(dbuf, sizeof(dbuf)));
	if (rb_gpu_status[0])
		fprintf(f, "gpu: %s\n", rb_gpu_status);

	for (k = 0; k < 4; k++) {
		static const enum rb_kind kinds[4] = { RB_LAT, RB_TPUT, RB_OP, RB_SYS };
		int any = 0;

		for (i = 0; i < rb_nr_rows; i++)
			any |= rows[i].kind == kinds[k];
		if (!any)
			continue;
		fprintf(f, "\n");
		if (k == 0)
			fprintf(f, "%-21s %7s %7s %7s %7s %9s  %-17s %6s %9s  %s\n",
				"latency (ns/RTT)", "p50", "mean", "p99", "p99.9", "max",
				"baseline", "p50 x", "target", "result");
		else if (k == 1)
			fprintf(f, "%-21s %8s %15s %9s  %-19s %7s %9s  %s\n",
				"throughput", "Mmsg/s", "runs: min-max", "MB/s",
				"baseline", "ratio", "target", "result");
		else if (k == 2)
			fprintf(f, "%-21s %9s %19s  %-19s %7s %10s  %s\n",
				"per operation (ns)", "median", "runs: min-max",
				"baseline", "ratio", "target", "result");
		else
			fprintf(f, "%-21s %8s %15s %9s  %-10s %7s %10s  %s\n",
				rb_opt.transport == RINGDEV_TRANSPORT_DEV ?
				"dev doorbells" : "shm doorbells",
				"Mmsg/s", "runs: min-max", "sys/msg",
				"baseline", "Mmsg x", "target", "result");
		for (i = 0; i < rb_nr_rows; i++) {
			const struct rb_row *row = &rows[i];

			if (row->kind != kinds[k])
				continue;
			if (k == 0)
				fprintf(f, "%-21s %7.0f %7.0f %7.0f %7.0f %9.0f  %-17s %6s %9s  %s\n",
					row->name, row->p50, row->mean, row->p99, row->p999,
					row->max,
					row->baseline[0] ? row->baseline : "-",
					ratio_str(row, rbuf, sizeof(rbuf)),
					target_str(row, tbuf, sizeof(tbuf)), verdict_str(row));
			else if (k == 1)
				fprintf(f, "%-21s %8.2f %7.2f-%-7.2f %9.0f  %-19s %7s %9s  %s\n",
					row->name, row->mmsgs, row->mmsgs_lo,
					row->mmsgs_hi, row->mbytes,
					row->baseline[0] ? row->baseline : "-",
					ratio_str(row, rbuf, sizeof(rbuf)),
					target_str(row, tbuf, sizeof(tbuf)), verdict_str(row));
			else if (k == 2)
				fprintf(f, "%-21s %9.2f %9.2f-%-9.2f  %-19s %7s %10s  %s\n",
					row->name, row->p50, row->op_lo, row->op_hi,
					row->baseline[0] ? row->baseline : "-",
					ratio_str(row, rbuf, sizeof(rbuf)),
					target_str(row, tbuf, sizeof(tbuf)), verdict_str(row));
			else
				fprintf(f, "%-21s %8.3f %7.3f-%-7.3f %9.4f  %-10s %7s %10s  %s\n",
					row->name, row->mmsgs, row->mmsgs_lo, row->mmsgs_hi,
					row->sys_per_msg,
					row->baseline[0] ? row->baseline : "-",
					ratio_str(row, rbuf, sizeof(rbuf)),
					target_str(row, tbuf, sizeof(tbuf)), verdict_str(row));
		}
		if (k == 0)
			fprintf(f, "ratio = ours / baseline of the p50 round trip: lower is better\n");
		else if (k == 1)
			fprintf(f, "ratio = ours / baseline of Mmsg/s: higher is better\n");
		else if (k == 2)
			fprintf(f, "ratio = ours / baseline of the median ns: lower is better\n");
		else
			fprintf(f, "sys/msg = producer-thread syscalls per message (%s); "
				"Mmsg x = Mmsg/s over kick-each's\n", rb_sys_method());
	}
	print_perf(f);
	print_driver(f);

	fprintf(f, "\n");
	for (i = 0; i < rb_nr_rows; i++) {
		const struct rb_row *row = &rows[i];

		fprintf(f, "%-21s %s, n=%lu%s%s%s", row->name, row->desc, row->n,
			row->note[0] ? " [" : "", row->note, row->note[0] ? "]" : "");
		if (row->preempted)
			fprintf(f, " (preempted %ld times)", row->preempted);
		if (row->errors)
			fprintf(f, " -- %lu WRONG MESSAGES (lost, duplicated or reordered)",
				row->errors);
		fprintf(f, "\n");
	}
}

/* Print usage to @f. */
static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"usage: ringbench [options]\n"
		"SPSC latency and throughput of ringdev rings and channels (shm or dev\n"
		"transport), runtime calls, the HLC and doorbell syscalls, beside\n"
		"baselines measured in the same run.\n\n"
		"  -r, --reps N       measured runs per figure, median reported (default 5, max 64)\n"
		"  -R, --repeat N     the same as --reps\n"
		"  -n, --iters N      round trips per spinning ping-pong run (default 200000;\n"
		"                     blocking ping-pongs run N/10)\n"
		"  -m, --msgs N       messages per 64-byte throughput run (default 10000000;\n"
		"                     scaled by 64/size for larger slots, N/10 for condvar)\n"
		"  -c, --capacity N   slots per ring and queue, power of two (default 1024)\n"
		"  -q, --quick        small counts for CI smoke runs (reps 3, iters 5000,\n"
		"                     msgs 200000) unless given explicitly\n"
		"  -o, --only NAME    run one scenario group (and the baselines it needs)\n"
		"  -j, --json FILE    also write the results as JSON to FILE (\"-\": stdout,\n"
		"                     the table then goes to stderr)\n"
		"  -v, --verbose      per-run figures on stderr\n"
		"  -p, --plot DIR     write a latency histogram PNG per latency row to DIR\n"
		"                     (gnuplot; skipped with a message when it is missing)\n"
		"      --no-perf      no perf_event_open counters around measured regions\n"
		"                     (the driver's tracepoints included)\n"
		"  -t, --transport T  shm (default: memfd + eventfd, no module) or dev\n"
		"                     (/dev/ringdev): the transport of every channel and\n"
		"                     runtime inbox; dev also counts the driver's\n"
		"                     ringdev:kick/wake/suppress tracepoints and ring\n"
		"                     counters per message\n"
		"      --gpu-lib PATH the gpu scenario's device code (default\n"
		"                     cuda/ringbench-gpu.so beside this program; the host\n"
		"                     simulation's is $(O)/cudasim/ringbench-gpu.so)\n"
		"      --list-probes  print the USDT probes in this binary and in\n"
		"                     libringdev.so beside it, then exit\n"
		"  -l, --list         list the scenario groups\n"
		"  -h, --help         this text\n\n"
		"Exit status: 0; 1 when a message was lost, duplicated, reordered or a\n"
		"scenario failed; 2 for usage errors or, with --transport dev, when\n"
		"/dev/ringdev is missing or unusable.  Missing a target is reported, not\n"
		"an error.\n\nscenario groups:\n");
	for (i = 0; i < RB_NR_SCENARIOS; i++)
		fprintf(f, "  %-14s %s\n", scenarios[i].name, scenarios[i].help);
}

/* Parse a positive number option; exits with usage on garbage. */
static unsigned long parse_num(const char *opt, const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || !v || v > max || s[0] == '-') {
		fprintf(stderr, "ringbench: bad %s '%s' (1..%lu)\n", opt, s, max);
		exit(2);
	}
	return v;
}

/* Fill rb_opt from argv; exits on --help, --list and errors. */
static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "plot", required_argument, NULL, 'p' },
		{ "no-perf", no_argument, NULL, 'N' },
		{ "list-probes", no_argument, NULL, 'L' },
		{ "iters", required_argument, NULL, 'n' },
		{ "msgs", required_argument, NULL, 'm' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "transport", required_argument, NULL, 't' },
		{ "gpu-lib", required_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	int c, set_reps = 0, set_iters = 0, set_msgs = 0;
	unsigned int i;

	while ((c = getopt_long(argc, argv, "r:R:n:m:c:qo:j:p:t:vlh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'R':
			rb_opt.reps = (unsigned int)parse_num("--reps", optarg, RB_MAX_REPS);
			set_reps = 1;
			break;
		case 'n':
			rb_opt.iters = parse_num("--iters", optarg, 1UL << 32);
			set_iters = 1;
			break;
		case 'm':
			rb_opt.msgs = parse_num("--msgs", optarg, 1UL << 40);
			set_msgs = 1;
			break;
		case 'c':
			rb_opt.capacity = (unsigned int)parse_num("--capacity", optarg,
								  1U << 20);
			if (rb_opt.capacity < 2 || (rb_opt.capacity & (rb_opt.capacity - 1))) {
				fprintf(stderr, "ringbench: --capacity must be a power of two >= 2\n");
				exit(2);
			}
			break;
		case 'q':
			rb_opt.quick = 1;
			break;
		case 'o':
			rb_opt.only = optarg;
			break;
		case 'j':
			rb_opt.json = optarg;
			break;
		case 'v':
			rb_opt.verbose = 1;
			break;
		case 'p':
			rb_opt.plot = optarg;
			break;
		case 'N':
			rb_opt.no_perf = 1;
			break;
		case 'G':
			rb_opt.gpu_lib = optarg;
			break;
		case 't':
			if (!strcmp(optarg, "shm")) {
				rb_opt.transport = RINGDEV_TRANSPORT_SHM;
			} else if (!strcmp(optarg, "dev")) {
				rb_opt.transport = RINGDEV_TRANSPORT_DEV;
			} else {
				fprintf(stderr, "ringbench: bad --transport '%s' (shm or dev)\n",
					optarg);
				exit(2);
			}
			break;
		case 'L':
			exit(rb_list_probes(stdout) ? 1 : 0);
		case 'l':
			for (i = 0; i < RB_NR_SCENARIOS; i++)
				printf("%-14s %s\n", scenarios[i].name, scenarios[i].help);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ringbench: unexpected argument '%s'\n", argv[optind]);
		exit(2);
	}
	if (rb_opt.quick) {
		if (!set_reps)
			rb_opt.reps = 3;
		if (!set_iters)
			rb_opt.iters = 5000;
		if (!set_msgs)
			rb_opt.msgs = 200000;
	}
	if (rb_opt.only) {
		struct rb_scenario *s = scenario_find(rb_opt.only);

		if (!s) {
			fprintf(stderr, "ringbench: no scenario '%s'; --list shows them\n",
				rb_opt.only);
			exit(2);
		}
		want(s);
	} else {
		for (i = 0; i < RB_NR_SCENARIOS; i++)
			scenarios[i].wanted = 1;
	}
}

/**
 * main() - run the selected scenarios, print the report, write JSON
 *
 * Return: 0; 1 when any message was wrong or any scenario failed; 2 for
 * usage errors, when the JSON file could not be written, or when
 * --transport dev finds no usable /dev/ringdev.
 */
int main(int argc, char **argv)
{
	FILE *out = stdout;
	unsigned int i, pass;
	int ncpus, bad = 0;

	parse_args(argc, argv);
	if (rb_opt.json && !strcmp(rb_opt.json, "-"))
		out = stderr;
	if (rb_opt.transport == RINGDEV_TRANSPORT_DEV) {
		char why[200];

		/* No silent fallback to shm: a dev run measures the driver or nothing. */
		if (rb_dev_init(why, sizeof(why))) {
			fprintf(stderr, "ringbench: --transport dev: %s\n", why);
			return 2;
		}
		rb_drv_init();
	}
	ncpus = rb_cpus_init();
	if (rb_opt.cpu[0] < 0)
		fprintf(stderr, "ringbench: only %d CPU available: threads run unpinned\n",
			ncpus);
	rb_busy_before = rb_busy_pct();
	rb_timer_init();
	if (!rb_opt.no_perf)
		rb_perf_init();
	rb_sys_init();

	/*
	 * Passes: every selected scenario runs once per pass, so that noise
	 * from a shared machine that comes and goes falls on baselines and
	 * on ringdev alike instead of on whichever ran during it.
	 */
	for (pass = 0; pass < rb_opt.reps; pass++) {
		for (i = 0; i < RB_NR_SCENARIOS; i++) {
			if (!scenarios[i].wanted)
				continue;
			rb_msg("ringbench: pass %u: %s\n", pass, scenarios[i].name);
			scenarios[i].run();
		}
	}
	for (i = 0; i < rb_nr_rows; i++)
		rb_row_finish(&rows[i]);
	resolve_ratios();
	print_report(out, ncpus);

	for (i = 0; i < rb_nr_rows; i++)
		if (rows[i].failed || rows[i].errors)
			bad = 1;
	if (rb_opt.json && rb_json_write(rb_opt.json, ncpus, bad)) {
		fprintf(stderr, "ringbench: cannot write JSON to %s\n", rb_opt.json);
		return 2;
	}
	if (rb_opt.plot && rb_plot(rb_opt.plot))
		fprintf(stderr, "ringbench: --plot %s: some plots were not written\n",
			rb_opt.plot);
	if (bad)
		fprintf(out, "\nringbench: FAILED: a scenario failed or messages were wrong\n");
	return bad;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* json.c - ringbench's --json output: the same rows and run facts as the table. */
#include <stdio.h>
#include <string.h>

#include <ringdev/chan.h>
#include "bench.h"

/* Write @s as a JSON string literal. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *const kind_names[] = {
	[RB_LAT] = "latency", [RB_TPUT] = "throughput", [RB_OP] = "per_op",
	[RB_SYS] = "syscalls",
};

/*
 * Write one group of a row's driver counters, @first .. @first + RB_DRV_TP,
 * from @v (per message) or @raw (counts), as {"name": figure, ...};
 * "unsupported" for those not counted.
 */
static void jdrv_group(FILE *f, const double *v, const long long *raw, unsigned int first)
{
	unsigned int i;

	fprintf(f, "{");
	for (i = first; i < first + RB_DRV_TP; i++) {
		fprintf(f, "%s\"%s\": ", i > first ? ", " : "", rb_drv_names[i]);
		if (v && v[i] >= 0)
			fprintf(f, "%.5g", v[i]);
		else if (raw && raw[i] >= 0)
			fprintf(f, "%lld", raw[i]);
		else
			fprintf(f, "\"unsupported\"");
	}
	fprintf(f, "}");
}

/* Write one result row as a JSON object. */
static void jrow(FILE *f, const struct rb_row *row)
{
	fprintf(f, "    {\"name\": ");
	jstr(f, row->name);
	fprintf(f, ", \"desc\": ");
	jstr(f, row->desc);
	fprintf(f, ", \"kind\": \"%s\", \"size\": %u, \"batch\": %u, \"n\": %lu",
		kind_names[row->kind], row->size, row->batch, row->n);
	fprintf(f, ", \"transport\": ");
	if (row->transport)
		jstr(f, row->transport);
	else
		fprintf(f, "null");
	if (row->kind == RB_OP)
		fprintf(f, ", \"ns_per_op\": %.3f, \"ns_per_op_min\": %.3f, "
			"\"ns_per_op_max\": %.3f", row->p50, row->op_lo, row->op_hi);
	else if (row->kind == RB_LAT)
		fprintf(f, ", \"p50_ns\": %.1f, \"p99_ns\": %.1f, \"p999_ns\": %.1f, "
			"\"max_ns\": %.1f, \"mean_ns\": %.1f",
			row->p50, row->p99, row->p999, row->max, row->mean);
	else
		fprintf(f, ", \"mmsg_per_s\": %.3f, \"mmsg_per_s_min\": %.3f, "
			"\"mmsg_per_s_max\": %.3f, \"mb_per_s\": %.1f",
			row->mmsgs, row->mmsgs_lo, row->mmsgs_hi, row->mbytes);
	if (row->kind == RB_SYS) {
		fprintf(f, ", \"syscalls_per_msg\": ");
		if (row->sys_per_msg >= 0)
			fprintf(f, "%.5f", row->sys_per_msg);
		else
			fprintf(f, "null");
		fprintf(f, ", \"syscalls_counted_by\": ");
		jstr(f, rb_sys_method());
	}
	if (row->nperf) {
		unsigned int i;

		fprintf(f, ", \"perf_per_msg\": {");
		for (i = 0; i < RB_PERF_NR; i++) {
			fprintf(f, "%s\"%s\": ", i ? ", " : "", rb_perf_names[i]);
			if (row->perf_med[i] >= 0)
				fprintf(f, "%.5g", row->perf_med[i]);
			else
				fprintf(f, "\"unsupported\"");
		}
		fprintf(f, "}");
	}
	if (row->ndrv) {
		fprintf(f, ", \"driver_per_msg\": {\"tracepoints\": ");
		jdrv_group(f, row->drv_med, NULL, 0);
		fprintf(f, ", \"ring_stats\": ");
		jdrv_group(f, row->drv_med, NULL, RB_DRV_TP);
		fprintf(f, "}, \"driver_last_run\": {\"tracepoints\": ");
		jdrv_group(f, NULL, row->drv_last, 0);
		fprintf(f, ", \"ring_stats\": ");
		jdrv_group(f, NULL, row->drv_last, RB_DRV_TP);
		fprintf(f, "}");
	}
	fprintf(f, ", \"baseline\": ");
	if (row->baseline[0])
		jstr(f, row->baseline);
	else
		fprintf(f, "null");
	if (row->ratio)
		fprintf(f, ", \"ratio\": %.4f", row->ratio);
	else
		fprintf(f, ", \"ratio\": null");
	fprintf(f, ", \"ratio_of\": \"%s\"",
		row->kind == RB_LAT ? "p50 ours/baseline, lower is better" :
		row->kind == RB_OP ? "median ns ours/baseline, lower is better" :
				     "Mmsg/s ours/baseline, higher is better");
	if (row->has_abs)
		fprintf(f, ", \"target\": {\"op\": \"%s\", \"%s\": %g}, \"met\": %s",
			row->abs_min ? ">=" : "<=",
			row->kind == RB_SYS ? "syscalls_per_msg" : row->kind == RB_TPUT ? "mmsgs" :
			row->kind == RB_LAT ? "p50_ns" : "ns_per_op", row->abs_target,
			row->verdict == RB_MET ? "true" : "false");
	else if (row->target)
		fprintf(f, ", \"target\": {\"op\": \"%s\", \"ratio\": %.2f}, \"met\": %s",
			row->target_max ? "<=" : ">=", row->target,
			row->verdict == RB_MET ? "true" : "false");
	else
		fprintf(f, ", \"target\": null, \"met\": null");
	fprintf(f, ", \"errors\": %lu, \"failed\": %s, \"preempted\": %ld, \"note\": ",
		row->errors, row->failed ? "true" : "false", row->preempted);
	jstr(f, row->note);
	fprintf(f, "}");
}

/**
 * rb_json_write() - write the run's facts and every row as JSON
 * @path: file name, or "-" for stdout
 * @ncpus: CPUs available to the process
 * @bad: non-zero when a scenario failed or a message was wrong
 *
 * Return: 0, or -1 when the file could not be opened or written.
 */
int rb_json_write(const char *path, int ncpus, int bad)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	char buf[128];
	unsigned int i;
	int err;

	if (!f)
		return -1;
	fprintf(f, "{\n  \"tool\": \"ringbench\",\n  \"format\": 1,\n");
	fprintf(f, "  \"cpus_online\": %d,\n  \"pinned\": %s,\n  \"cpus\": [%d, %d],\n",
		ncpus, rb_opt.cpu[0] >= 0 ? "true" : "false", rb_opt.cpu[0], rb_opt.cpu[1]);
	fprintf(f, "  \"busy_before_pct\": %.1f,\n", rb_busy_before);
	fprintf(f, "  \"timer\": ");
	jstr(f, rb_timer_name());
	fprintf(f, ",\n  \"timer_overhead_ns\": %.2f,\n", rb_timer_overhead_ns());
	fprintf(f, "  \"reps\": %u,\n  \"iters\": %lu,\n  \"msgs_64\": %lu,\n"
		"  \"capacity\": %u,\n  \"quick\": %s,\n",
		rb_opt.reps, rb_opt.iters, rb_tput_msgs(64), rb_opt.capacity,
		rb_opt.quick ? "true" : "false");
	fprintf(f, "  \"dpdk\": ");
	jstr(f, rb_dpdk_describe(buf, sizeof(buf)));
	fprintf(f, ",\n  \"gpu\": ");
	jstr(f, rb_gpu_status[0] ? rb_gpu_status : "not run");
	fprintf(f, ",\n  \"syscalls_counted_by\": ");
	jstr(f, rb_sys_method());
	fprintf(f, ",\n  \"transport\": \"%s\",\n  \"driver\": ", rb_transport_name());
	if (rb_opt.transport == RINGDEV_TRANSPORT_DEV) {
		fprintf(f, "{\"device\": ");
		jstr(f, rb_dev_describe());
		fprintf(f, ", \"tracepoints_counted\": %s, \"tracepoints\": ",
			rb_drv_tp_supported() ? "true" : "false");
		jstr(f, rb_drv_tp_method());
		fprintf(f, ", \"ring_stats\": ");
		jstr(f, rb_drv_stats_method());
		fprintf(f, "}");
	} else {
		fprintf(f, "null");
	}
	fprintf(f, ",\n  \"ok\": %s,\n  \"rows\": [\n", bad ? "false" : "true");
	for (i = 0; i < rb_nr_rows; i++) {
		jrow(f, &rb_rows[i]);
		fprintf(f, "%s\n", i + 1 < rb_nr_rows ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	err = ferror(f);
	if (f != stdout)
		err |= fclose(f);
	else
		err |= fflush(f);
	return err ? -1 : 0;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* plot.c - --plot DIR: one latency histogram PNG per latency row, drawn by gnuplot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

#define RB_PLOT_MAX	8192	/* non-empty buckets written per histogram */

/* The PNG terminal gnuplot offers here: "pngcairo", "png", or NULL. */
static const char *png_terminal(void)
{
	if (!system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1"))
		return "pngcairo";
	if (!system("gnuplot -e 'set terminal png' >/dev/null 2>&1"))
		return "png";
	return NULL;
}

/* Write @row's histogram as DIR/NAME.dat, its script, and draw DIR/NAME.png. */
static int plot_row(const char *dir, const char *term, const struct rb_row *row)
{
	static double lo[RB_PLOT_MAX], hi[RB_PLOT_MAX];
	static uint64_t cnt[RB_PLOT_MAX];
	char dat[512], gp[512], png[512], cmd[1200];
	unsigned int i, n;
	FILE *f;

	n = rb_hist_buckets(row->hist, lo, hi, cnt, RB_PLOT_MAX);
	if (!n)
		return 0;
	snprintf(dat, sizeof(dat), "%s/%s.dat", dir, row->name);
	snprintf(gp, sizeof(gp), "%s/%s.gp", dir, row->name);
	snprintf(png, sizeof(png), "%s/%s.png", dir, row->name);
	f = fopen(dat, "w");
	if (!f)
		return -1;
	fprintf(f, "# %s: %s\n# lo_ns hi_ns count (all runs; ns = ticks x %.6f)\n",
		row->name, row->desc, rb_ticks_to_ns(1));
	for (i = 0; i < n; i++)
		fprintf(f, "%.2f %.2f %llu\n", rb_ticks_to_ns(lo[i]), rb_ticks_to_ns(hi[i]),
			(unsigned long long)cnt[i]);
	if (fclose(f))
		return -1;
	f = fopen(gp, "w");
	if (!f)
		return -1;
	fprintf(f, "set terminal %s size 900,500\nset output '%s'\n", term, png);
	fprintf(f, "set title '%s: p50 %.0f  p99 %.0f  p99.9 %.0f  max %.0f ns (median of runs)'"
		" noenhanced\n", row->name, row->p50, row->p99, row->p999, row->max);
	fprintf(f, "set xlabel 'round trip (ns, log scale)'\nset ylabel 'samples (log scale)'\n"
		"set logscale xy\nset grid\nset style fill solid 0.6\n");
	fprintf(f, "set arrow from %.1f, graph 0 to %.1f, graph 1 nohead lc rgb 'blue'\n",
		row->p50, row->p50);
	fprintf(f, "set arrow from %.1f, graph 0 to %.1f, graph 1 nohead lc rgb 'red'\n",
		row->p99, row->p99);
	fprintf(f, "plot '%s' using (($1+$2)/2):3:($2-$1) with boxes lc rgb '#406090' "
		"title 'all runs'\n", dat);
	if (fclose(f))
		return -1;
	snprintf(cmd, sizeof(cmd), "gnuplot '%s'", gp);
	return system(cmd) ? -1 : 0;
}

/**
 * rb_plot() - write a histogram PNG for every latency row into @dir
 * @dir: created when missing
 *
 * Each row gets NAME.dat (the histogram of all its runs), NAME.gp (the
 * gnuplot script) and NAME.png.  Without gnuplot, says so and writes none.
 *
 * Return: 0, or -1 when a plot could not be written.
 */
int rb_plot(const char *dir)
{
	const char *term;
	unsigned int i, done = 0;
	int ret = 0;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "ringbench: --plot: mkdir %s: %s\n", dir, strerror(errno));
		return -1;
	}
	term = png_terminal();
	if (!term) {
		fprintf(stderr, "ringbench: --plot: gnuplot with a png terminal is missing "
			"(apt-get install gnuplot-nox): no plots written\n");
		return 0;
	}
	for (i = 0; i < rb_nr_rows; i++) {
		const struct rb_row *row = &rb_rows[i];

		if (row->kind != RB_LAT || !row->hist)
			continue;
		if (plot_row(dir, term, row)) {
			fprintf(stderr, "ringbench: --plot: %s failed\n", row->name);
			ret = -1;
			continue;
		}
		done++;
	}
	fprintf(stderr, "ringbench: --plot: %u histogram%s (gnuplot %s) in %s/\n", done,
		done == 1 ? "" : "s", term, dir);
	return ret;
}

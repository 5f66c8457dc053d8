// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * top.c - `ringctl top`: the kernels of every runtime that publishes
 * telemetry (ringdev_rt_serve_telemetry(): "@ringdev-rt/<name>"), one
 * snapshot per connection, shown as a table refreshed each second.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ringctl.h"

/* ringdev_rt_serve_telemetry()'s socket names, as /proc/net/unix lists them */
#define TOP_PREFIX	"ringdev-rt/"
#define TOP_MAX_KERNELS	4096		/* per runtime */

/* One kernel's row, as parsed from a snapshot. */
struct top_kernel {
	__u64 id, msgs_in, msgs_out, drops, rejected, errors, queue_depth;
	__u64 late_replies, clock_rejects, lat_p50_ns, lat_p99_ns;
	long long last_error;
	char type[RINGDEV_NAME_MAX];
	char state[16];
};

struct top_rt {
	char name[RINGDEV_NAME_MAX];
	char *raw;			/* the snapshot text */
	size_t raw_len;
	int err;			/* fetching or parsing failed */
	char why[96];
	struct top_kernel *k;
	unsigned int nk;
	struct top_kernel *prev;	/* the sample before, for rates */
	unsigned int nprev;
	__u64 ns, prev_ns;
};

struct top_ctx {
	struct top_rt *rt;
	unsigned int n;
	const char *only;
};

/* The whole snapshot of runtime @name (a signal only ends it on a stop). */
static int fetch(const char *name, char **out, size_t *len)
{
	int rc;

	do
		rc = ringdev_rt_fetch_telemetry(name, out, len);
	while (rc == -EINTR && !rc_stop_requested());
	return rc;
}

/* Copy a string member into @dst; "?" when it is missing or not a string. */
static void copy_str(char *dst, size_t len, const struct jv *obj, const char *key)
{
	const char *s = jv_str(jv_get(obj, key));

	snprintf(dst, len, "%s", s ? s : "?");
}

/* Turn a parsed snapshot into rows; -EBADMSG when its shape is wrong. */
static int parse_kernels(const struct jv *doc, struct top_kernel **out, unsigned int *n)
{
	const struct jv *arr = jv_get(doc, "kernels"), *e;
	struct top_kernel *k;
	unsigned int count = 0, i = 0;

	if (!arr || arr->type != JV_ARR)
		return -EBADMSG;
	for (e = arr->child; e; e = e->next)
		if (++count > TOP_MAX_KERNELS)
			return -E2BIG;
	k = calloc(count ? count : 1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (e = arr->child; e; e = e->next, i++) {
		struct top_kernel *r = &k[i];

		if (e->type != JV_OBJ || jv_u64(jv_get(e, "id"), &r->id) ||
		    jv_u64(jv_get(e, "msgs_in"), &r->msgs_in)) {
			free(k);
			return -EBADMSG;
		}
		/* The rest are optional: an older runtime may lack some. */
		jv_u64(jv_get(e, "msgs_out"), &r->msgs_out);
		jv_u64(jv_get(e, "drops"), &r->drops);
		jv_u64(jv_get(e, "rejected"), &r->rejected);
		jv_u64(jv_get(e, "errors"), &r->errors);
		jv_u64(jv_get(e, "queue_depth"), &r->queue_depth);
		jv_u64(jv_get(e, "late_replies"), &r->late_replies);
		jv_u64(jv_get(e, "clock_rejects"), &r->clock_rejects);
		jv_u64(jv_get(e, "lat_p50_ns"), &r->lat_p50_ns);
		jv_u64(jv_get(e, "lat_p99_ns"), &r->lat_p99_ns);
		jv_i64(jv_get(e, "last_error"), &r->last_error);
		copy_str(r->type, sizeof(r->type), e, "type");
		copy_str(r->state, sizeof(r->state), e, "state");
	}
	*out = k;
	*n = count;
	return 0;
}

/* Fetch and parse one runtime's snapshot, keeping the last one for rates. */
static void sample(struct top_rt *t)
{
	struct jv *doc = NULL;
	int rc;

	free(t->prev);
	t->prev = t->k;
	t->nprev = t->nk;
	t->prev_ns = t->ns;
	t->k = NULL;
	t->nk = 0;
	free(t->raw);
	t->raw = NULL;
	t->why[0] = '\0';
	t->ns = rc_now_ns();
	rc = fetch(t->name, &t->raw, &t->raw_len);
	if (!rc) {
		rc = jv_parse(t->raw, t->raw_len, &doc, t->why, sizeof(t->why));
		if (!rc)
			rc = parse_kernels(doc, &t->k, &t->nk);
		if (rc && !t->why[0])
			snprintf(t->why, sizeof(t->why), "not a runtime snapshot");
	}
	if (rc && !t->why[0])
		snprintf(t->why, sizeof(t->why), "%s", ringdev_strerror(rc));
	t->err = rc;
	jv_free(doc);
}

/* Find runtimes now; keep the ones we knew (for rates). */
static int refresh(struct top_ctx *c)
{
	struct top_rt *nrt;
	char **names;
	unsigned int n, i, j, m = 0;
	int rc;

	rc = rc_unix_names(TOP_PREFIX, &names, &n);
	if (rc)
		return rc;
	nrt = calloc(n ? n : 1, sizeof(*nrt));
	if (!nrt) {
		rc_names_free(names, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (c->only && strcmp(names[i], c->only))
			continue;
		for (j = 0; j < c->n && strcmp(c->rt[j].name, names[i]); j++)
			;
		if (j < c->n) {
			nrt[m] = c->rt[j];
			c->rt[j].name[0] = '\0';	/* moved */
		} else {
			snprintf(nrt[m].name, sizeof(nrt[m].name), "%s", names[i]);
		}
		sample(&nrt[m++]);
	}
	for (j = 0; j < c->n; j++) {
		if (!c->rt[j].name[0])
			continue;
		free(c->rt[j].raw);
		free(c->rt[j].k);
		free(c->rt[j].prev);
	}
	free(c->rt);
	c->rt = nrt;
	c->n = m;
	rc_names_free(names, n);
	return 0;
}

/* Messages per second handled by kernel @k since the previous sample. */
static double rate_in(const struct top_rt *t, const struct top_kernel *k, bool *valid)
{
	unsigned int i;

	*valid = false;
	if (!t->prev_ns || t->ns <= t->prev_ns)
		return 0;
	for (i = 0; i < t->nprev; i++) {
		if (t->prev[i].id != k->id)
			continue;
		*valid = true;
		if (k->msgs_in < t->prev[i].msgs_in)
			return 0;
		return (double)(k->msgs_in - t->prev[i].msgs_in) * 1e9 /
		       (double)(t->ns - t->prev_ns);
	}
	return 0;
}

/* Every runtime's raw snapshot on one line (keys in ringctl(8)). */
static void top_json(const struct top_ctx *c)
{
	struct jw w;
	unsigned int i;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_arr(&w, "runtimes");
	for (i = 0; i < c->n; i++) {
		const struct top_rt *t = &c->rt[i];
		size_t len = t->raw_len;

		jw_obj(&w, NULL);
		jw_str(&w, "name", t->name);
		/* Only text that parsed is passed through, minus its newline. */
		while (!t->err && len && (t->raw[len - 1] == '\n' || t->raw[len - 1] == ' '))
			len--;
		if (t->err)
			jw_null(&w, "snapshot");
		else
			jw_raw(&w, "snapshot", t->raw, len);
		jw_str(&w, "error", t->err ? t->why : NULL);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_finish(&w);
}

/* The table. */
static void top_text(const struct top_ctx *c)
{
	unsigned int i, j;

	printf("%-16s %5s %-16s %-11s %12s %12s %10s %8s %8s %7s %10s %10s\n", "RUNTIME", "ID",
	       "TYPE", "STATE", "IN", "OUT", "IN/s", "DROPS", "ERRORS", "DEPTH", "P50(us)",
	       "P99(us)");
	for (i = 0; i < c->n; i++) {
		const struct top_rt *t = &c->rt[i];

		if (t->err) {
			printf("%-16s (%s)\n", t->name, t->why);
			continue;
		}
		if (!t->nk)
			printf("%-16s (no kernels)\n", t->name);
		for (j = 0; j < t->nk; j++) {
			const struct top_kernel *k = &t->k[j];
			bool valid;
			double r = rate_in(t, k, &valid);
			char rate[32];

			if (valid)
				snprintf(rate, sizeof(rate), "%.1f", r);
			else
				snprintf(rate, sizeof(rate), "-");
			printf("%-16s %5llu %-16s %-11s %12llu %12llu %10s %8llu %8llu %7llu "
			       "%10.1f %10.1f\n", t->name, (unsigned long long)k->id, k->type,
			       k->state, (unsigned long long)k->msgs_in,
			       (unsigned long long)k->msgs_out, rate,
			       (unsigned long long)(k->drops + k->rejected),
			       (unsigned long long)k->errors,
			       (unsigned long long)k->queue_depth, (double)k->lat_p50_ns / 1000.0,
			       (double)k->lat_p99_ns / 1000.0);
		}
	}
	if (!c->n)
		printf("(no runtimes publish telemetry)\n");
}

/* One refresh of `top`. */
static int top_tick(void *arg, unsigned int iter, bool tty)
{
	struct top_ctx *c = arg;
	int rc = refresh(c);

	if (rc) {
		rc_err("top", rc);
		return RC_ERR;
	}
	if (c->only && !c->n) {
		char what[96];

		snprintf(what, sizeof(what), "top %s", c->only);
		rc_err(what, -ENOENT);
		return RC_ERR;
	}
	if (rc_g.json) {
		top_json(c);
		return RC_OK;
	}
	if (tty)
		printf("\033[H\033[2J");
	else if (iter)
		printf("\n");
	printf("ringctl top: refresh %u%s\n", iter + 1, tty ? "  (q quits)" : "");
	top_text(c);
	return RC_OK;
}

static const struct option top_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "count", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/**
 * cmd_top() - `ringctl top [RUNTIME] [--count N] [--interval MS] [--json]`
 * @argc: argument count
 * @argv: arguments; argv[0] is "top"
 *
 * Return: RC_OK, RC_ERR or RC_USAGE.
 */
int cmd_top(int argc, char **argv)
{
	struct top_ctx c = { 0 };
	__u32 count = 0, interval = 1000;
	unsigned int i;
	int o, rc;

	while ((o = getopt_long(argc, argv, "jc:i:h", top_opts, NULL)) != -1) {
		switch (o) {
		case 'j': rc_g.json = true; break;
		case 'c':
			if (rc_parse_u32(optarg, &count) || !count)
				return rc_usage_error("top", "bad --count '%s'", optarg);
			break;
		case 'i':
			if (rc_parse_u32(optarg, &interval) || !interval)
				return rc_usage_error("top", "bad --interval '%s'", optarg);
			break;
		case 'h':
			printf("usage: ringctl top [RUNTIME] [--count N] [--interval MS] [--json]\n"
			       "  The kernels of every runtime that publishes telemetry\n"
			       "  (ringdev_rt_serve_telemetry: @ringdev-rt/<name>): messages in and\n"
			       "  out, rate, drops, errors, queue depth, handler latency.  Refreshed\n"
			       "  every MS (1000) ms; q or Ctrl-C quits; --count N stops after N.\n"
			       "  --json prints the raw snapshots, one document per refresh.\n");
			return RC_OK;
		default:
			return rc_bad_option("top", argv);
		}
	}
	if (argc - optind > 1)
		return rc_usage_error("top", "expected at most one RUNTIME");
	if (optind < argc)
		c.only = argv[optind];
	rc = rc_refresh_loop(count, interval, top_tick, &c);
	for (i = 0; i < c.n; i++) {
		free(c.rt[i].raw);
		free(c.rt[i].k);
		free(c.rt[i].prev);
	}
	free(c.rt);
	return rc;
}

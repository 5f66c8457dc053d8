// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* list.c - the ring views: list, stat and watch. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ringctl.h"

/* Rates between a ring's last two samples. */
struct rc_rates {
	bool valid;
	double produced, consumed, kicks;	/* per second */
};

/* Kicks as the ring reports them: the driver's, else the control block's. */
static __u64 ring_kicks(const struct rc_ring *r, bool prev)
{
	if (r->transport == RC_T_DEV && r->have_drv)
		return prev ? r->prev_drv.kicks : r->drv.kicks;
	if (!r->ring)
		return 0;
	return prev ? r->prev.prod_kicks + r->prev.cons_kicks :
		      r->ctrl.prod_kicks + r->ctrl.cons_kicks;
}

/* Compute the rates of @r from its last two samples. */
static void ring_rates(const struct rc_ring *r, struct rc_rates *out)
{
	double dt = (double)(r->sample_ns - r->prev_ns) / 1e9;
	__u64 p0, p1, c0, c1;

	memset(out, 0, sizeof(*out));
	if (!r->prev_ns || r->sample_ns <= r->prev_ns)
		return;
	if (r->ring) {
		p0 = r->prev.prod_pos, p1 = r->ctrl.prod_pos;
		c0 = r->prev.cons_pos, c1 = r->ctrl.cons_pos;
	} else if (r->have_drv) {
		p0 = r->prev_drv.prod_pos, p1 = r->drv.prod_pos;
		c0 = r->prev_drv.cons_pos, c1 = r->drv.cons_pos;
	} else {
		return;
	}
	out->valid = true;
	/* Positions only grow; anything else is a restart or a liar: 0. */
	out->produced = (__s64)(p1 - p0) > 0 ? (double)(p1 - p0) / dt : 0;
	out->consumed = (__s64)(c1 - c0) > 0 ? (double)(c1 - c0) / dt : 0;
	out->kicks = ring_kicks(r, false) >= ring_kicks(r, true) ?
		     (double)(ring_kicks(r, false) - ring_kicks(r, true)) / dt : 0;
}

/* One ring as a list entry (the keys are documented in ringctl(8)). */
static void ring_json(struct jw *w, const struct rc_ring *r, bool rates)
{
	const bool dev = r->transport == RC_T_DEV && r->have_drv;
	struct rc_rates rt;
	char mode[8];

	jw_obj(w, NULL);
	jw_str(w, "name", r->name);
	jw_str(w, "transport", rc_transport_name(r->transport));
	if (dev) {
		snprintf(mode, sizeof(mode), "%04o", r->drv.mode & 07777);
		jw_u64(w, "id", r->drv.ring_id);
		jw_u64(w, "uid", r->drv.uid);
		jw_str(w, "mode", mode);
	} else {
		jw_null(w, "id");
		jw_null(w, "uid");
		jw_null(w, "mode");
	}
	jw_flags(w, "flags", r->ring ? r->ctrl.flags : r->drv.flags, &rc_ring_flag_names);
	jw_u64(w, "capacity", rc_ring_capacity(r));
	jw_u64(w, "slot_size", rc_ring_slot_size(r));
	jw_u64(w, "prod_pos", r->ring ? r->ctrl.prod_pos : r->drv.prod_pos);
	jw_u64(w, "cons_pos", r->ring ? r->ctrl.cons_pos : r->drv.cons_pos);
	jw_u64(w, "depth", rc_ring_depth(r));
	jw_u64(w, "kicks", ring_kicks(r, false));
	if (dev) {
		jw_u64(w, "wakeups", r->drv.wakeups);
		jw_u64(w, "suppressed", r->drv.suppressed);
	} else {
		jw_null(w, "wakeups");
		jw_null(w, "suppressed");
	}
	if (r->ring)
		jw_u64(w, "sleeps", r->ctrl.cons_sleeps);
	else
		jw_null(w, "sleeps");
	jw_bool(w, "mapped", r->ring != NULL);
	jw_str(w, "error", r->map_err ? ringdev_strerror(r->map_err) : NULL);
	ring_rates(r, &rt);
	if (rates && rt.valid) {
		jw_obj(w, "rates");
		jw_dbl(w, "produced_per_s", rt.produced);
		jw_dbl(w, "consumed_per_s", rt.consumed);
		jw_dbl(w, "kicks_per_s", rt.kicks);
		jw_obj_end(w);
	} else {
		jw_null(w, "rates");
	}
	jw_obj_end(w);
}

/* The whole set as {"rings":[...]} on one line. */
static void set_json(const struct rc_set *s, bool rates)
{
	struct jw w;
	unsigned int i;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_str(&w, "driver_error", s->dev_err ? ringdev_strerror(s->dev_err) : NULL);
	jw_arr(&w, "rings");
	for (i = 0; i < s->n; i++)
		ring_json(&w, &s->r[i], rates);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_finish(&w);
}

/* Print a count or "-" into a fixed-width column. */
static void col_u64(bool known, __u64 v, int width)
{
	if (known)
		printf(" %*llu", width, (unsigned long long)v);
	else
		printf(" %*s", width, "-");
}

/* The set as a table. */
static void set_text(const struct rc_set *s, bool rates)
{
	unsigned int i;

	printf("%-3s %-24s %5s %6s %4s %-8s %13s %7s %9s %9s %9s",
	       "T", "NAME", "ID", "UID", "MODE", "FLAGS", "SLOTS", "DEPTH", "KICKS",
	       "WAKEUPS", "SLEEPS");
	if (rates)
		printf(" %10s %10s %9s", "IN/s", "OUT/s", "KICKS/s");
	printf("\n");
	for (i = 0; i < s->n; i++) {
		const struct rc_ring *r = &s->r[i];
		const bool dev = r->transport == RC_T_DEV && r->have_drv;
		char flags[40], slots[32], mode[8];
		struct rc_rates rt;

		rc_flags_str(r->ring ? r->ctrl.flags : r->drv.flags, flags, sizeof(flags));
		snprintf(slots, sizeof(slots), "%ux%u", rc_ring_capacity(r),
			 rc_ring_slot_size(r));
		snprintf(mode, sizeof(mode), "%04o", r->drv.mode & 07777);
		printf("%-3s %-24s", rc_transport_name(r->transport),
		       r->name[0] ? r->name : "(anonymous)");
		col_u64(dev, r->drv.ring_id, 5);
		col_u64(dev, r->drv.uid, 6);
		printf(" %4s %-8s %13s", dev ? mode : "-", flags, slots);
		col_u64(r->ring || dev, rc_ring_depth(r), 7);
		col_u64(r->ring || dev, ring_kicks(r, false), 9);
		col_u64(dev, r->drv.wakeups, 9);
		col_u64(r->ring != NULL, r->ctrl.cons_sleeps, 9);
		ring_rates(r, &rt);
		if (rates && rt.valid)
			printf(" %10.1f %10.1f %9.1f", rt.produced, rt.consumed, rt.kicks);
		else if (rates)
			printf(" %10s %10s %9s", "-", "-", "-");
		if (r->map_err)
			printf("  (%s)", ringdev_strerror(r->map_err));
		printf("\n");
	}
	if (!s->n)
		printf("(no rings)\n");
}

/* Parse --transport for the read commands. */
static int transports_arg(const char *s, __u32 *out)
{
	__u32 t;

	if (rc_parse_transport(s, &t))
		return -1;
	*out = t == RINGDEV_TRANSPORT_DEV ? RC_T_DEV : RC_T_SHM;
	return 0;
}

static const struct option list_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "interval", required_argument, NULL, 'i' },
	{ "transport", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/**
 * cmd_list() - `ringctl list [--interval MS] [--transport T] [--json]`
 * @argc: argument count
 * @argv: arguments; argv[0] is "list"
 *
 * Return: RC_OK, RC_ERR or RC_USAGE.
 */
int cmd_list(int argc, char **argv)
{
	__u32 interval = 0, transports = RC_T_ALL;
	struct rc_set s;
	int c, rc;

	while ((c = getopt_long(argc, argv, "ji:t:h", list_opts, NULL)) != -1) {
		switch (c) {
		case 'j': rc_g.json = true; break;
		case 'i':
			if (rc_parse_u32(optarg, &interval) || !interval)
				return rc_usage_error("list", "bad --interval '%s'", optarg);
			break;
		case 't':
			if (transports_arg(optarg, &transports))
				return rc_usage_error("list", "bad --transport '%s'", optarg);
			break;
		case 'h':
			printf("usage: ringctl list [--interval MS] [--transport dev|shm] [--json]\n"
			       "  Every driver ring (LIST) and named shm channel (@ringdev/<name> in\n"
			       "  /proc/net/unix): owner, mode, slots, depth, kicks, wakeups.\n"
			       "  --interval MS samples twice, MS apart, and adds rates.\n");
			return RC_OK;
		default:
			return rc_bad_option("list", argv);
		}
	}
	if (optind != argc)
		return rc_usage_error("list", "unexpected argument '%s'", argv[optind]);
	memset(&s, 0, sizeof(s));
	rc = rc_set_refresh(&s, transports, NULL);
	if (!rc && interval) {
		usleep(interval * 1000u);
		rc = rc_set_refresh(&s, transports, NULL);
	}
	if (rc) {
		rc_err("list", rc);
		rc_set_free(&s);
		return RC_ERR;
	}
	if (rc_g.json)
		set_json(&s, interval != 0);
	else
		set_text(&s, interval != 0);
	rc_set_free(&s);
	return RC_OK;
}

/* ---- stat --------------------------------------------------------------- */

/* Every counter of one ring, as text. */
static void stat_text(const struct rc_ring *r)
{
	const struct rc_ctrl *c = &r->ctrl;
	char flags[40];

	rc_flags_str(r->ring ? c->flags : r->drv.flags, flags, sizeof(flags));
	printf("%s (%s)\n", r->name, rc_transport_name(r->transport));
	printf("  geometry:  %u slots x %u bytes, flags %s\n", rc_ring_capacity(r),
	       rc_ring_slot_size(r), flags);
	printf("  depth:     %llu\n", (unsigned long long)rc_ring_depth(r));
	if (r->have_drv) {
		const struct ringdev_stats *d = &r->drv;

		printf("  driver:    id %u  uid %u  mode %04o\n", d->ring_id, d->uid,
		       d->mode & 07777);
		printf("    prod_pos %llu  cons_pos %llu\n",
		       (unsigned long long)d->prod_pos, (unsigned long long)d->cons_pos);
		printf("    kicks %llu  wakeups %llu  suppressed %llu  watcher_wakes %llu\n",
		       (unsigned long long)d->kicks, (unsigned long long)d->wakeups,
		       (unsigned long long)d->suppressed, (unsigned long long)d->watcher_wakes);
	}
	if (!r->ring) {
		printf("  control block: not mapped (%s)\n", ringdev_strerror(r->map_err));
		return;
	}
	printf("  region:    %llu bytes\n", (unsigned long long)c->region_size);
	printf("  producer:  pos %llu  full %llu  kicks %llu  dropped %llu  doorbell %llu\n",
	       (unsigned long long)c->prod_pos, (unsigned long long)c->prod_full,
	       (unsigned long long)c->prod_kicks, (unsigned long long)c->prod_dropped,
	       (unsigned long long)c->prod_doorbell);
	printf("  consumer:  pos %llu  sleeps %llu  kicks %llu  bad %llu\n",
	       (unsigned long long)c->cons_pos, (unsigned long long)c->cons_sleeps,
	       (unsigned long long)c->cons_kicks, (unsigned long long)c->cons_bad);
	printf("  wakeup:    consumer need %u seq %llu  producer need %u seq %llu\n",
	       c->cons_need_wakeup, (unsigned long long)c->cons_sleep_seq,
	       c->prod_need_wakeup, (unsigned long long)c->prod_sleep_seq);
	printf("  kernel:    ctl 0x%x  alive %u  exited %u  heartbeat %llu  handled %llu\n",
	       c->ctl, c->alive, c->exited, (unsigned long long)c->heartbeat,
	       (unsigned long long)c->handled);
}

/* Every counter of one ring, as JSON (keys in ringctl(8)). */
static void stat_json(const struct rc_ring *r)
{
	const struct rc_ctrl *c = &r->ctrl;
	struct jw w;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_str(&w, "name", r->name);
	jw_str(&w, "transport", rc_transport_name(r->transport));
	jw_flags(&w, "flags", r->ring ? c->flags : r->drv.flags, &rc_ring_flag_names);
	jw_u64(&w, "capacity", rc_ring_capacity(r));
	jw_u64(&w, "slot_size", rc_ring_slot_size(r));
	jw_u64(&w, "depth", rc_ring_depth(r));
	if (r->have_drv) {
		char mode[8];

		snprintf(mode, sizeof(mode), "%04o", r->drv.mode & 07777);
		jw_obj(&w, "driver");
		jw_u64(&w, "id", r->drv.ring_id);
		jw_u64(&w, "uid", r->drv.uid);
		jw_str(&w, "mode", mode);
		jw_u64(&w, "prod_pos", r->drv.prod_pos);
		jw_u64(&w, "cons_pos", r->drv.cons_pos);
		jw_u64(&w, "kicks", r->drv.kicks);
		jw_u64(&w, "wakeups", r->drv.wakeups);
		jw_u64(&w, "suppressed", r->drv.suppressed);
		jw_u64(&w, "watcher_wakes", r->drv.watcher_wakes);
		jw_obj_end(&w);
	} else {
		jw_null(&w, "driver");
	}
	if (r->ring) {
		jw_obj(&w, "ctrl");
		jw_u64(&w, "region_size", c->region_size);
		jw_u64(&w, "prod_pos", c->prod_pos);
		jw_u64(&w, "prod_full", c->prod_full);
		jw_u64(&w, "prod_kicks", c->prod_kicks);
		jw_u64(&w, "prod_dropped", c->prod_dropped);
		jw_u64(&w, "prod_doorbell", c->prod_doorbell);
		jw_u64(&w, "cons_pos", c->cons_pos);
		jw_u64(&w, "cons_sleeps", c->cons_sleeps);
		jw_u64(&w, "cons_kicks", c->cons_kicks);
		jw_u64(&w, "cons_bad", c->cons_bad);
		jw_u64(&w, "cons_need_wakeup", c->cons_need_wakeup);
		jw_u64(&w, "cons_sleep_seq", c->cons_sleep_seq);
		jw_u64(&w, "prod_need_wakeup", c->prod_need_wakeup);
		jw_u64(&w, "prod_sleep_seq", c->prod_sleep_seq);
		jw_u64(&w, "ctl", c->ctl);
		jw_u64(&w, "alive", c->alive);
		jw_u64(&w, "exited", c->exited);
		jw_u64(&w, "heartbeat", c->heartbeat);
		jw_u64(&w, "handled", c->handled);
		jw_obj_end(&w);
	} else {
		jw_null(&w, "ctrl");
	}
	jw_str(&w, "error", r->map_err ? ringdev_strerror(r->map_err) : NULL);
	jw_obj_end(&w);
	jw_finish(&w);
}

static const struct option stat_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "transport", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/**
 * cmd_stat() - `ringctl stat RING [--transport T] [--json]`
 * @argc: argument count
 * @argv: arguments; argv[0] is "stat"
 *
 * Return: RC_OK, RC_ERR (no such ring) or RC_USAGE.
 */
int cmd_stat(int argc, char **argv)
{
	__u32 transports = RC_T_ALL;
	struct rc_ring r;
	char what[96];
	int c, rc;

	while ((c = getopt_long(argc, argv, "jt:h", stat_opts, NULL)) != -1) {
		switch (c) {
		case 'j': rc_g.json = true; break;
		case 't':
			if (transports_arg(optarg, &transports))
				return rc_usage_error("stat", "bad --transport '%s'", optarg);
			break;
		case 'h':
			printf("usage: ringctl stat RING [--transport dev|shm] [--json]\n"
			       "  Every counter of RING: the driver's STATS for dev rings and the\n"
			       "  control block's counters from the mapping.\n");
			return RC_OK;
		default:
			return rc_bad_option("stat", argv);
		}
	}
	if (argc - optind != 1)
		return rc_usage_error("stat", "expected one RING");
	snprintf(what, sizeof(what), "stat %s", argv[optind]);
	rc = rc_ring_open(argv[optind], transports, &r);
	if (rc) {
		rc_err(what, rc);
		return RC_ERR;
	}
	if (rc_g.json)
		stat_json(&r);
	else
		stat_text(&r);
	rc_ring_close(&r);
	return RC_OK;
}

/* ---- watch --------------------------------------------------------------- */

struct watch_ctx {
	struct rc_set set;
	__u32 transports;
	const char *only;
};

/* One refresh of `watch`. */
static int watch_tick(void *arg, unsigned int iter, bool tty)
{
	struct watch_ctx *w = arg;
	int rc = rc_set_refresh(&w->set, w->transports, w->only);

	if (rc) {
		rc_err("watch", rc);
		return RC_ERR;
	}
	if (w->only && !w->set.n) {
		rc_err(w->only, -ENOENT);
		return RC_ERR;
	}
	if (rc_g.json) {
		set_json(&w->set, iter > 0);
		return RC_OK;
	}
	if (tty)
		printf("\033[H\033[2J");
	else if (iter)
		printf("\n");
	printf("ringctl watch: refresh %u%s\n", iter + 1, tty ? "  (q quits)" : "");
	set_text(&w->set, true);
	return RC_OK;
}

static const struct option watch_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "count", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "transport", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/**
 * cmd_watch() - `ringctl watch [RING] [--count N] [--interval MS]`
 * @argc: argument count
 * @argv: arguments; argv[0] is "watch"
 *
 * Return: RC_OK, RC_ERR or RC_USAGE.
 */
int cmd_watch(int argc, char **argv)
{
	struct watch_ctx w = { .transports = RC_T_ALL };
	__u32 count = 0, interval = 1000;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jc:i:t:h", watch_opts, NULL)) != -1) {
		switch (c) {
		case 'j': rc_g.json = true; break;
		case 'c':
			if (rc_parse_u32(optarg, &count) || !count)
				return rc_usage_error("watch", "bad --count '%s'", optarg);
			break;
		case 'i':
			if (rc_parse_u32(optarg, &interval) || !interval)
				return rc_usage_error("watch", "bad --interval '%s'", optarg);
			break;
		case 't':
			if (transports_arg(optarg, &w.transports))
				return rc_usage_error("watch", "bad --transport '%s'", optarg);
			break;
		case 'h':
			printf("usage: ringctl watch [RING] [--count N] [--interval MS]\n"
			       "                     [--transport dev|shm] [--json]\n"
			       "  A live view of every ring (or RING): depths and rates, refreshed\n"
			       "  every MS milliseconds (1000).  q or Ctrl-C quits; --count N stops\n"
			       "  after N refreshes.  Without a terminal, one block per refresh\n"
			       "  (with --json, one list document per line).\n");
			return RC_OK;
		default:
			return rc_bad_option("watch", argv);
		}
	}
	if (argc - optind > 1)
		return rc_usage_error("watch", "expected at most one RING");
	if (optind < argc)
		w.only = argv[optind];
	rc = rc_refresh_loop(count, interval, watch_tick, &w);
	rc_set_free(&w.set);
	return rc;
}

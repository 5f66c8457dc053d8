// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * dev.c - the driver transport (--transport dev): the check that
 * /dev/ringdev is there and usable, and two views of what the driver did
 * during each measured run of a row whose channels are driver rings:
 *
 *  - hits of the tracepoints ringdev:kick, ringdev:wake and
 *    ringdev:suppress, counted by perf_event_open(PERF_TYPE_TRACEPOINT)
 *    counters opened per task with inherit on the thread that starts the
 *    run, so that the run's threads (created afterwards) are counted and
 *    nothing else on the machine is;
 *  - the driver's own per-ring counters (RINGDEV_IOC_STATS: kicks,
 *    wakeups, suppressed), read before and after the run from every ring
 *    this process has a descriptor for; no privileges needed.
 *
 * Every KICK ioctl (or KICK uring_cmd) fires ringdev:kick and bumps
 * 'kicks', then either ringdev:suppress and 'suppressed' (nobody slept) or
 * ringdev:wake and 'wakeups'; the doorbell watcher's wakes (device rings)
 * fire ringdev:wake from a timer, which a per-task counter does not see.
 * For CPU channels the two views must therefore agree: one cross-checks
 * the other.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <ringdev/chan.h>
#include "bench.h"

#define RB_DEV_PATH	"/dev/ringdev"
/* What /proc/self/fd shows for a ring fd: the driver's anon inode name. */
#define RB_RING_FD_KIND	"anon_inode:[ringdev]"
/* Most distinct rings one snapshot holds (fanout makes 64, the runtime a few). */
#define RB_MAX_RINGS	1024

/* Report order: tracepoints, then the ioctl counters of the same events. */
const char *const rb_drv_names[RB_DRV_NR] = {
	"kick", "wake", "suppress", "kicks", "wakeups", "suppressed",
};

static const char *const tp_events[RB_DRV_TP] = {
	"ringdev/kick", "ringdev/wake", "ringdev/suppress",
};

static long tp_id[RB_DRV_TP] = { -1, -1, -1 };
static int tp_ok;			/* every tracepoint counter opens */
static char tp_method[256] = "not probed";
static char stats_method[200] =
	"RINGDEV_IOC_STATS before and after each run, every ring fd of this process";
/* A snapshot failed: the ring counters are unsupported from then on. */
static int stats_broken;
static char dev_desc[160];

/* One ring's counters in a snapshot. */
struct ring_cnt {
	__u32 id;
	__u64 v[RB_DRV_TP];	/* kicks, wakeups, suppressed */
};

/* The snapshot taken by rb_drv_start(); measured runs never nest. */
static struct ring_cnt before[RB_MAX_RINGS];
static unsigned int nbefore;

/**
 * rb_dev_init() - check that the driver transport can be used
 * @why: receives what is wrong, for the message ringbench exits with
 * @len: bytes at @why
 *
 * Opens /dev/ringdev, asks RINGDEV_IOC_INFO for the ABI version, then has
 * libringdev make (and close) one small dev-transport channel the way the
 * scenarios will.
 *
 * Return: 0, or a negative errno with @why filled in.
 */
int rb_dev_init(char *why, size_t len)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c = NULL;
	struct ringdev_info info;
	int fd, err;

	fd = open(RB_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "%s: %s%s", RB_DEV_PATH, strerror(-err),
			 err == -ENOENT ?
			 " (is the ringdev module loaded? insmod build/kmod/ringdev.ko)" : "");
		return err;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, RINGDEV_IOC_INFO, &info) < 0) {
		err = -errno;
		snprintf(why, len, "%s: RINGDEV_IOC_INFO: %s (not the ringdev driver?)",
			 RB_DEV_PATH, strerror(-err));
		close(fd);
		return err;
	}
	close(fd);
	if (info.abi_version != RINGDEV_ABI_VERSION) {
		snprintf(why, len, "%s speaks ABI %u, ringbench was built for %u",
			 RB_DEV_PATH, info.abi_version, RINGDEV_ABI_VERSION);
		return -EPROTO;
	}
	ringdev_chan_opts_init(&o);
	o.capacity = rb_opt.capacity;
	o.slot_size = 64;
	o.transport = RINGDEV_TRANSPORT_DEV;
	err = ringdev_chan_create(&o, &c);
	if (err) {
		snprintf(why, len, "ringdev_chan_create on the dev transport: %s",
			 strerror(-err));
		return err;
	}
	ringdev_chan_close(c);
	snprintf(dev_desc, sizeof(dev_desc),
		 "%s, driver ABI %u, features 0x%x, %u of %u rings in use before the run",
		 RB_DEV_PATH, info.abi_version, info.features, info.nr_rings,
		 info.max_rings);
	return 0;
}

/** rb_dev_describe() - the driver found by rb_dev_init(), for the report */
const char *rb_dev_describe(void)
{
	return dev_desc;
}

/**
 * rb_drv_init() - find the tracepoints' ids and check that perf counts them
 *
 * Each counter is opened once, disabled, on the calling thread and closed
 * again.  With --no-perf, or when an id or the permission is missing, the
 * tracepoint counts are reported as unsupported with the reason; the
 * ioctl counters need neither.
 */
void rb_drv_init(void)
{
	char where[160] = "", *ev;
	unsigned int i;
	int fd, err;

	tp_ok = 0;
	if (rb_opt.no_perf) {
		snprintf(tp_method, sizeof(tp_method), "unsupported: --no-perf");
		return;
	}
	for (i = 0; i < RB_DRV_TP; i++) {
		tp_id[i] = rb_tracepoint_id(tp_events[i], where, sizeof(where));
		if (tp_id[i] < 0) {
			err = errno;
			snprintf(tp_method, sizeof(tp_method),
				 "unsupported: no id for %s in tracefs: %s%s",
				 tp_events[i], strerror(err),
				 err == ENOENT ? " (tracefs not mounted at /sys/kernel/tracing?)" :
				 err == EACCES ? " (tracefs is readable by root only)" : "");
			return;
		}
		fd = rb_perf_open(PERF_TYPE_TRACEPOINT, (__u64)tp_id[i], 0, 1, 1);
		if (fd < 0) {
			err = errno;
			snprintf(tp_method, sizeof(tp_method),
				 "unsupported: perf_event_open(%s, id %ld): %s%s",
				 tp_events[i], tp_id[i], strerror(err),
				 err == EACCES || err == EPERM ?
				 " (needs root, CAP_PERFMON or perf_event_paranoid <= 1)" : "");
			return;
		}
		rb_perf_keep(fd);
	}
	tp_ok = 1;
	/* where holds the last id's file: name the tracefs mount once. */
	ev = strstr(where, "/events/");
	if (ev)
		*ev = 0;
	snprintf(tp_method, sizeof(tp_method),
		 "perf_event_open per task with inherit (ids %ld/%ld/%ld from %s/events); "
		 "the run's threads only",
		 tp_id[0], tp_id[1], tp_id[2], where);
}

/** rb_drv_tp_supported() - 1 when the tracepoints are counted */
int rb_drv_tp_supported(void)
{
	return tp_ok;
}

/** rb_drv_tp_method() - how the tracepoints are counted, or why they are not */
const char *rb_drv_tp_method(void)
{
	return tp_method;
}

/** rb_drv_stats_method() - how the ring counters are read, for the report */
const char *rb_drv_stats_method(void)
{
	return stats_method;
}

/*
 * Read the counters of every ring this process holds a descriptor for into
 * @out (one entry per ring: the producer's and consumer's handles are two
 * descriptors of one ring).  The fds are found in /proc/self/fd by the
 * name the driver gives them, so no library internals are needed.
 *
 * Return: 0, or a negative errno with the reason in stats_method; after a
 * failure the ring counters are reported as unsupported for the rest of
 * the run, so that every row is counted the same way or not at all.
 */
static int ring_snapshot(struct ring_cnt *out, unsigned int *n)
{
	struct ringdev_stats st;
	struct dirent *e;
	char path[300], target[64];
	unsigned int i;
	ssize_t k;
	DIR *d;
	int fd, err = 0;

	*n = 0;
	d = opendir("/proc/self/fd");
	if (!d) {
		err = -errno;
		stats_broken = 1;
		snprintf(stats_method, sizeof(stats_method),
			 "unsupported: opendir /proc/self/fd: %s", strerror(errno));
		return err;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		k = readlink(path, target, sizeof(target) - 1);
		if (k < 0)
			continue;	/* closed since readdir saw it */
		target[k] = 0;
		if (strcmp(target, RB_RING_FD_KIND))
			continue;
		memset(&st, 0, sizeof(st));
		if (ioctl(fd, RINGDEV_IOC_STATS, &st) < 0) {
			err = -errno;
			snprintf(stats_method, sizeof(stats_method),
				 "unsupported: RINGDEV_IOC_STATS on a ring fd: %s",
				 strerror(errno));
			break;
		}
		for (i = 0; i < *n && out[i].id != st.ring_id; i++)
			;
		if (i < *n)
			continue;	/* another handle on a ring already read */
		if (*n == RB_MAX_RINGS) {
			err = -E2BIG;
			snprintf(stats_method, sizeof(stats_method),
				 "unsupported: more than %u rings open", RB_MAX_RINGS);
			break;
		}
		out[*n].id = st.ring_id;
		out[*n].v[0] = st.kicks;
		out[*n].v[1] = st.wakeups;
		out[*n].v[2] = st.suppressed;
		(*n)++;
	}
	closedir(d);
	if (err)
		stats_broken = 1;
	return err;
}

/**
 * rb_drv_start() - read the ring counters and start the tracepoint counters
 * @d: this run's state, for rb_drv_stop()
 * @row: the row being measured; nothing is counted unless its channels
 *	 are on the dev transport
 *
 * Call it on the thread that then creates the run's threads, outside any
 * other counted region: the snapshot makes syscalls.
 */
void rb_drv_start(struct rb_drv *d, const struct rb_row *row)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < RB_DRV_TP; i++)
		d->fd[i] = -1;
	d->active = rb_opt.transport == RINGDEV_TRANSPORT_DEV && row->transport &&
		    !strcmp(row->transport, "dev");
	if (!d->active)
		return;
	d->stats_ok = !stats_broken && !ring_snapshot(before, &nbefore);
	if (!tp_ok)
		return;
	for (i = 0; i < RB_DRV_TP; i++) {
		d->fd[i] = rb_perf_open(PERF_TYPE_TRACEPOINT, (__u64)tp_id[i], 0, 1, 0);
		if (d->fd[i] < 0) {
			snprintf(tp_method, sizeof(tp_method),
				 "unsupported: perf_event_open(%s) failed during the run: %s",
				 tp_events[i], strerror(errno));
			tp_ok = 0;
		}
	}
}

/* Counts of the rings in @after since the snapshot in before[]. */
static void ring_delta(const struct ring_cnt *after, unsigned int nafter, __u64 *sum)
{
	unsigned int i, j, k;

	for (k = 0; k < RB_DRV_TP; k++)
		sum[k] = 0;
	for (i = 0; i < nafter; i++) {
		for (j = 0; j < nbefore && before[j].id != after[i].id; j++)
			;
		for (k = 0; k < RB_DRV_TP; k++) {
			/*
			 * A ring made during the run counts from zero; so does
			 * one whose id was freed and reused meanwhile (its
			 * counters went backwards).
			 */
			if (j < nbefore && after[i].v[k] >= before[j].v[k])
				sum[k] += after[i].v[k] - before[j].v[k];
			else
				sum[k] += after[i].v[k];
		}
	}
}

/**
 * rb_drv_stop() - read the counters, store them per message in @row
 * @d: from rb_drv_start()
 * @row: gets one run's figures (drv[][]) and its raw counts (drv_last[])
 * @msgs: messages (or round trips) the counted region handled
 *
 * What could not be counted is stored as -1 and printed as unsupported.
 */
void rb_drv_stop(struct rb_drv *d, struct rb_row *row, double msgs)
{
	static struct ring_cnt after[RB_MAX_RINGS];
	unsigned int i, nafter, r = row->ndrv;
	long long raw[RB_DRV_NR];
	__u64 sum[RB_DRV_TP];
	int tp_read = 1;

	if (!d->active)
		return;
	for (i = 0; i < RB_DRV_NR; i++)
		raw[i] = -1;
	for (i = 0; i < RB_DRV_TP; i++) {
		__u64 v = 0;

		if (d->fd[i] < 0) {
			tp_read = 0;
			continue;
		}
		if (read(d->fd[i], &v, sizeof(v)) != (ssize_t)sizeof(v))
			tp_read = 0;
		else
			raw[i] = (long long)v;
		close(d->fd[i]);
		d->fd[i] = -1;
	}
	if (!tp_read)
		for (i = 0; i < RB_DRV_TP; i++)
			raw[i] = -1;	/* all three or none: they are compared */
	if (d->stats_ok && !ring_snapshot(after, &nafter)) {
		ring_delta(after, nafter, sum);
		for (i = 0; i < RB_DRV_TP; i++)
			raw[RB_DRV_TP + i] = (long long)sum[i];
	}
	for (i = 0; i < RB_DRV_NR; i++) {
		row->drv_last[i] = raw[i];
		if (r < RB_MAX_REPS)
			row->drv[i][r] = raw[i] < 0 ? -1 :
					 msgs > 0 ? (double)raw[i] / msgs : 0;
	}
	if (r < RB_MAX_REPS)
		row->ndrv++;
}

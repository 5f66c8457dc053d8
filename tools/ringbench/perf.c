// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* perf.c - perf_event_open counters around measured regions, and syscall counting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "bench.h"

/* The counters, in report order; cycles and instructions need a PMU. */
static const struct {
	__u32 type;
	__u64 config;
} perf_ev[RB_PERF_NR] = {
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
};

const char *const rb_perf_names[RB_PERF_NR] = {
	"task-clock-ns", "ctx-switches", "migrations", "page-faults", "cycles",
	"instructions",
};

/* 1: supported, 0: refused (errno in perf_err), -1: not probed yet. */
static int perf_ok[RB_PERF_NR] = { -1, -1, -1, -1, -1, -1 };
static int perf_err[RB_PERF_NR];

/**
 * rb_perf_open() - perf_event_open(2), which glibc does not wrap
 * @type: PERF_TYPE_*
 * @config: the event within @type (a tracepoint id for PERF_TYPE_TRACEPOINT)
 * @pid: 0 for the calling thread
 * @inherit: 1 to count threads the caller creates afterwards as well
 * @disabled: 1 to open it stopped (PERF_EVENT_IOC_ENABLE starts it)
 *
 * Counts user and kernel events on any CPU, close-on-exec.
 *
 * Return: the descriptor, or -1 with errno set.
 */
int rb_perf_open(__u32 type, __u64 config, pid_t pid, int inherit, int disabled)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.disabled = disabled;
	a.inherit = inherit;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/**
 * rb_perf_keep() - keep a (disabled) probe counter open until exit
 * @fd: the counter
 *
 * The first counter of a software event or tracepoint turns a static key
 * on, which patches kernel text on every CPU, and the last one's close
 * patches it back.  Opening and closing counters around every measured
 * run did that twice a run: wasted work, and under QEMU's TCG it hung the
 * 6.1 guest (one vCPU looping in the int3 handler of text_poke_bp while
 * the other waited for it).  One counter of each kind held for the whole
 * run keeps the keys on.
 */
void rb_perf_keep(int fd)
{
	static int kept[16];
	static unsigned int nkept;

	if (nkept < sizeof(kept) / sizeof(kept[0]))
		kept[nkept++] = fd;
	else
		close(fd);
}

/**
 * rb_perf_init() - find out which counters this machine gives us
 *
 * Each counter is opened once on the calling thread and kept open,
 * disabled (rb_perf_keep()); those refused (no PMU in the VM,
 * perf_event_paranoid) are reported as unsupported with the reason.
 */
void rb_perf_init(void)
{
	unsigned int i;

	for (i = 0; i < RB_PERF_NR; i++) {
		int fd = rb_perf_open(perf_ev[i].type, perf_ev[i].config, 0, 1, 1);

		perf_ok[i] = fd >= 0;
		perf_err[i] = fd >= 0 ? 0 : errno;
		if (fd >= 0)
			rb_perf_keep(fd);
	}
}

/** rb_perf_supported() - 1 when counter @i can be opened here */
int rb_perf_supported(unsigned int i)
{
	return i < RB_PERF_NR && perf_ok[i] > 0;
}

/** rb_perf_why() - why counter @i is unsupported, for the report */
const char *rb_perf_why(unsigned int i)
{
	return perf_err[i] ? strerror(perf_err[i]) : "not probed";
}

/**
 * rb_perf_start() - open and start every supported counter on this thread
 * @p: receives the descriptors
 *
 * The counters inherit into threads created afterwards, so the two threads
 * of a run started after this call are counted; their counts reach these
 * descriptors when they exit (rb_run_pair() joins them before the read).
 */
void rb_perf_start(struct rb_perf *p)
{
	unsigned int i;

	for (i = 0; i < RB_PERF_NR; i++) {
		p->fd[i] = -1;
		if (perf_ok[i] > 0)
			p->fd[i] = rb_perf_open(perf_ev[i].type, perf_ev[i].config, 0, 1, 0);
	}
}

/**
 * rb_perf_stop() - read and close @p's counters, store them per message
 * @p: from rb_perf_start()
 * @row: gets one run's figures
 * @msgs: messages (or round trips) the counted region handled
 */
void rb_perf_stop(struct rb_perf *p, struct rb_row *row, double msgs)
{
	unsigned int i, r = row->nperf;

	for (i = 0; i < RB_PERF_NR; i++) {
		__u64 v = 0;

		if (p->fd[i] < 0) {
			if (r < RB_MAX_REPS)
				row->perf[i][r] = -1;
			continue;
		}
		if (read(p->fd[i], &v, sizeof(v)) != (ssize_t)sizeof(v))
			v = 0;
		close(p->fd[i]);
		p->fd[i] = -1;
		if (r < RB_MAX_REPS)
			row->perf[i][r] = msgs > 0 ? (double)v / msgs : 0;
	}
	if (r < RB_MAX_REPS)
		row->nperf++;
}

/* ---- syscalls per message ------------------------------------------ */

static long sys_tp_id = -1;	/* raw_syscalls:sys_enter tracepoint id, -1: none */
static char sys_method[160] = "not probed";

/**
 * rb_tracepoint_id() - the perf config of tracepoint @event, read from tracefs
 * @event: "system/name", e.g. "raw_syscalls/sys_enter"
 * @where: receives the file it was read from
 * @len: bytes at @where
 *
 * Looks in /sys/kernel/tracing, then in the older debugfs mount point.
 *
 * Return: the id, or -1 with errno saying why (ENOENT: not registered, or
 * tracefs not mounted; EACCES: tracefs not readable by us).
 */
long rb_tracepoint_id(const char *event, char *where, size_t len)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing/events",
		"/sys/kernel/debug/tracing/events",
	};
	int first_err = ENOENT;
	unsigned int i;
	char path[160];
	long id = -1;

	for (i = 0; i < 2 && id < 0; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s/id", roots[i], event);
		f = fopen(path, "r");
		if (!f) {
			/* The first root's reason is the telling one. */
			if (i == 0)
				first_err = errno;
			continue;
		}
		if (fscanf(f, "%ld", &id) != 1)
			id = -1;
		fclose(f);
		if (id >= 0)
			snprintf(where, len, "%s", path);
	}
	if (id < 0)
		errno = first_err;
	return id;
}

/**
 * rb_sys_init() - choose how syscalls per message are counted
 *
 * A perf counter on the raw_syscalls:sys_enter tracepoint for the producer
 * thread when tracefs is mounted and perf lets us open it; else the
 * library's own counters (doorbells, io_uring enters and registers,
 * fallback syscalls, sleeps), which count the library's syscalls only.
 *
 * Return: 1 with the tracepoint, 0 with the library's counters.
 */
int rb_sys_init(void)
{
	char where[96] = "";
	long id = rb_tracepoint_id("raw_syscalls/sys_enter", where, sizeof(where));
	int fd;

	if (id < 0) {
		snprintf(sys_method, sizeof(sys_method),
			 "library counters (tracefs not mounted: no raw_syscalls:sys_enter id)");
		return 0;
	}
	fd = rb_perf_open(PERF_TYPE_TRACEPOINT, (__u64)id, 0, 0, 1);
	if (fd < 0) {
		snprintf(sys_method, sizeof(sys_method),
			 "library counters (perf_event_open(raw_syscalls:sys_enter): %s)",
			 strerror(errno));
		return 0;
	}
	rb_perf_keep(fd);
	sys_tp_id = id;
	snprintf(sys_method, sizeof(sys_method),
		 "perf_event_open on raw_syscalls:sys_enter (id %ld from %s), producer thread",
		 id, where);
	return 1;
}

/** rb_sys_method() - how syscalls are counted, for the report */
const char *rb_sys_method(void)
{
	return sys_method;
}

/** rb_sys_real() - 1 when syscalls are counted by the kernel's tracepoint */
int rb_sys_real(void)
{
	return sys_tp_id >= 0;
}

/**
 * rb_sys_open() - a disabled syscall counter for the calling thread
 *
 * Return: the descriptor, or -1 (use the library's counters).
 */
int rb_sys_open(void)
{
	if (sys_tp_id < 0)
		return -1;
	return rb_perf_open(PERF_TYPE_TRACEPOINT, (__u64)sys_tp_id, 0, 0, 1);
}

/** rb_sys_begin() - zero and enable the counter @fd (-1: no-op) */
void rb_sys_begin(int fd)
{
	if (fd < 0)
		return;
	ioctl(fd, PERF_EVENT_IOC_RESET, 0);
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
}

/**
 * rb_sys_end() - disable the counter @fd and read it
 *
 * The disabling ioctl is itself counted; rb_sys_overhead() measures that
 * for subtraction.
 *
 * Return: syscalls entered since rb_sys_begin(), 0 for fd -1.
 */
__u64 rb_sys_end(int fd)
{
	__u64 v = 0;

	if (fd < 0)
		return 0;
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/**
 * rb_sys_overhead() - syscalls counted by an empty begin/end on @fd
 *
 * Return: the smallest of a few tries (normally 1: the disabling ioctl).
 */
__u64 rb_sys_overhead(int fd)
{
	__u64 best = ~0ULL, v;
	unsigned int i;

	if (fd < 0)
		return 0;
	for (i = 0; i < 5; i++) {
		rb_sys_begin(fd);
		v = rb_sys_end(fd);
		if (v < best)
			best = v;
	}
	return best;
}

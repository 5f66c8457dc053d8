// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - instantiate the ringdev tracepoints declared in trace.h.
 *
 * The event ringdev:destroy makes the tracing macros generate a
 * perf_trace_destroy() probe, a name the perf core already uses.  Rename
 * ours in this one file, after the core's declaration has been seen; the
 * event keeps its name.
 */
#include <linux/trace_events.h>

#define perf_trace_destroy ringdev_perf_trace_destroy

#define CREATE_TRACE_POINTS
#include "trace.h"

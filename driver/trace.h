/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - ringdev tracepoints: ringdev:create, destroy, kick, wake,
 * suppress.  Use them with 'perf record -e ringdev:*' or tracefs.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ringdev

#if !defined(_RINGDEV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _RINGDEV_TRACE_H

#include <linux/tracepoint.h>

/* Who sent a wake. */
#define RINGDEV_WAKE_KICK	0
#define RINGDEV_WAKE_WATCHER	1

TRACE_EVENT(create,
	    TP_PROTO(u32 id, const char *name, u32 capacity, u32 slot_size,
		     u32 flags),
	    TP_ARGS(id, name, capacity, slot_size, flags),
	    TP_STRUCT__entry(__field(u32, id)
			     __string(name, name)
			     __field(u32, capacity)
			     __field(u32, slot_size)
			     __field(u32, flags)),
	    TP_fast_assign(__entry->id = id;
			   __assign_str(name, name);
			   __entry->capacity = capacity;
			   __entry->slot_size = slot_size;
			   __entry->flags = flags;),
	    TP_printk("ring=%u name=%s capacity=%u slot_size=%u flags=0x%x",
		      __entry->id, __get_str(name), __entry->capacity,
		      __entry->slot_size, __entry->flags)
);

TRACE_EVENT(destroy,
	    TP_PROTO(u32 id),
	    TP_ARGS(id),
	    TP_STRUCT__entry(__field(u32, id)),
	    TP_fast_assign(__entry->id = id;),
	    TP_printk("ring=%u", __entry->id)
);

DECLARE_EVENT_CLASS(ringdev_side,
		    TP_PROTO(u32 id, u32 side),
		    TP_ARGS(id, side),
		    TP_STRUCT__entry(__field(u32, id)
				     __field(u32, side)),
		    TP_fast_assign(__entry->id = id;
				   __entry->side = side;),
		    TP_printk("ring=%u side=%s", __entry->id,
			      __entry->side ? "prod" : "cons")
);

DEFINE_EVENT(ringdev_side, kick,
	     TP_PROTO(u32 id, u32 side),
	     TP_ARGS(id, side)
);

DEFINE_EVENT(ringdev_side, suppress,
	     TP_PROTO(u32 id, u32 side),
	     TP_ARGS(id, side)
);

TRACE_EVENT(wake,
	    TP_PROTO(u32 id, u32 side, u32 source),
	    TP_ARGS(id, side, source),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, side)
			     __field(u32, source)),
	    TP_fast_assign(__entry->id = id;
			   __entry->side = side;
			   __entry->source = source;),
	    TP_printk("ring=%u side=%s source=%s", __entry->id,
		      __entry->side ? "prod" : "cons",
		      __entry->source ? "watcher" : "kick")
);

#endif /* _RINGDEV_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>

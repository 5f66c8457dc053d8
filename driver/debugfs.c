// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/ringdev/rings: one line per ring with its
 * geometry, owner and counters, for people (ringctl uses LIST).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "internal.h"

static struct dentry *ringdev_debugfs_dir;

static int ringdev_rings_show(struct seq_file *m, void *unused)
{
	struct ringdev_ring *ring;
	struct ringdev_stats st;

	seq_puts(m, "id name capacity slot_size flags uid mode maps prod_pos cons_pos kicks wakeups suppressed watcher_wakes\n");
	mutex_lock(&ringdev_lock);
	list_for_each_entry(ring, &ringdev_rings, node) {
		ringdev_ring_fill_stats(ring, &st);
		seq_printf(m, "%u %s%s %u %u 0x%x %u 0%o %d %llu %llu %llu %llu %llu %llu\n",
			   st.ring_id, st.name[0] ? st.name : "-",
			   ring->linked || !st.name[0] ? "" : "(unlinked)",
			   st.capacity, st.slot_size, st.flags,
			   from_kuid(&init_user_ns, ring->uid), st.mode,
			   atomic_read(&ring->nr_maps),
			   st.prod_pos, st.cons_pos, st.kicks, st.wakeups,
			   st.suppressed, st.watcher_wakes);
	}
	mutex_unlock(&ringdev_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ringdev_rings);

void ringdev_debugfs_init(void)
{
	ringdev_debugfs_dir = debugfs_create_dir("ringdev", NULL);
	debugfs_create_file("rings", 0400, ringdev_debugfs_dir, NULL,
			    &ringdev_rings_fops);
}

void ringdev_debugfs_exit(void)
{
	debugfs_remove_recursive(ringdev_debugfs_dir);
}

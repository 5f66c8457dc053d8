// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * rings.c - finding rings (driver LIST, "@ringdev/<name>" listeners in
 * /proc/net/unix), mapping them (dev: ATTACH + mmap; shm: attach by name)
 * and taking counter snapshots.  Everything read from a ring is untrusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "ringctl.h"

#define RC_DEV_PATH	"/dev/ringdev"
#define RC_UNIX_ACCEPTCON 0x10000	/* __SO_ACCEPTCON in /proc/net/unix Flags */

/**
 * rc_dev_open() - open /dev/ringdev and check it answers INFO
 *
 * Return: the control fd, or -errno (-ENODEV when there is no driver).
 */
int rc_dev_open(void)
{
	struct ringdev_info info;
	int fd, rc;

	fd = open(RC_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? -errno : -ENODEV;
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, RINGDEV_IOC_INFO, &info) < 0) {
		rc = -errno;
		close(fd);
		return rc == -ENOTTY ? -ENODEV : rc;
	}
	return fd;
}

/**
 * rc_unix_names() - names of listening abstract unix sockets "@<prefix><name>"
 * @prefix: e.g. "ringdev/"
 * @names: receives a malloc'ed array of malloc'ed names (sorted, unique)
 * @n: receives the count
 *
 * Return: 0, or -errno when /proc/net/unix cannot be read.
 */
int rc_unix_names(const char *prefix, char ***names, unsigned int *n)
{
	size_t plen = strlen(prefix), cap = 0;
	char line[512], **v = NULL;
	unsigned int count = 0, i;
	FILE *f;

	*names = NULL;
	*n = 0;
	f = fopen("/proc/net/unix", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long flags;
		char path[256];
		const char *name;
		bool dup = false;

		/* Num RefCount Protocol Flags Type St Inode Path */
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %255s", &flags, path) != 2)
			continue;
		if (!(flags & RC_UNIX_ACCEPTCON) || path[0] != '@' ||
		    strncmp(path + 1, prefix, plen))
			continue;
		name = path + 1 + plen;
		if (!*name || strlen(name) >= RINGDEV_NAME_MAX)
			continue;
		for (i = 0; i < count && !dup; i++)
			dup = !strcmp(v[i], name);
		if (dup)
			continue;
		if (count == cap) {
			char **nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[count] = strdup(name);
		if (v[count])
			count++;
	}
	fclose(f);
	/* Sorted, so that output is stable between runs. */
	for (i = 1; i < count; i++) {
		char *t = v[i];
		unsigned int k = i;

		for (; k > 0 && strcmp(v[k - 1], t) > 0; k--)
			v[k] = v[k - 1];
		v[k] = t;
	}
	*names = v;
	*n = count;
	return 0;
}

/**
 * rc_names_free() - free what rc_unix_names() returned
 * @names: the array
 * @n: its count
 */
void rc_names_free(char **names, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* LIST every driver ring into a malloc'ed array. */
static int dev_list(struct ringdev_stats **out, unsigned int *n)
{
	struct ringdev_list l;
	struct ringdev_stats *v = NULL;
	int fd, rc = 0, tries;

	*out = NULL;
	*n = 0;
	fd = rc_dev_open();
	if (fd < 0)
		return fd;
	/* Rings come and go between the two calls: retry while it grew. */
	for (tries = 0; tries < 4; tries++) {
		memset(&l, 0, sizeof(l));
		if (ioctl(fd, RINGDEV_IOC_LIST, &l) < 0) {
			rc = -errno;
			break;
		}
		free(v);
		l.count = l.total + 8;
		v = calloc(l.count, sizeof(*v));
		if (!v) {
			rc = -ENOMEM;
			break;
		}
		l.entries = (__u64)(unsigned long)v;
		if (ioctl(fd, RINGDEV_IOC_LIST, &l) < 0) {
			rc = -errno;
			break;
		}
		if (l.count >= l.total) {
			*out = v;
			*n = l.count;
			v = NULL;
			break;
		}
	}
	free(v);
	close(fd);
	return rc;
}

/* Map a driver ring by name: ATTACH, STATS, mmap, validate. */
static int dev_map(struct rc_ring *r)
{
	struct ringdev_attach a;
	int ctl, rc;

	if (!r->name[0])
		return -ENOENT;		/* anonymous: only LIST sees it */
	ctl = rc_dev_open();
	if (ctl < 0)
		return ctl;
	memset(&a, 0, sizeof(a));
	memcpy(a.name, r->name, sizeof(a.name));
	a.fd_flags = O_CLOEXEC;
	rc = ioctl(ctl, RINGDEV_IOC_ATTACH, &a) < 0 ? -errno : 0;
	close(ctl);
	if (rc)
		return rc;
	r->fd = a.fd;
	memset(&r->drv, 0, sizeof(r->drv));
	if (ioctl(r->fd, RINGDEV_IOC_STATS, &r->drv) == 0)
		r->have_drv = true;
	if (!a.region.size || a.region.size > (1ULL << 40))
		return -EBADMSG;
	r->map_len = (size_t)a.region.size;
	/* We only read; a driver that insists on writable mappings gets one. */
	r->mem = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, r->fd,
		      (off_t)a.region.offset);
	if (r->mem == MAP_FAILED)
		r->mem = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			      r->fd, (off_t)a.region.offset);
	if (r->mem == MAP_FAILED) {
		r->mem = NULL;
		return -errno;
	}
	r->ring = calloc(1, sizeof(*r->ring));
	if (!r->ring)
		return -ENOMEM;
	return ringdev_ring_attach(r->ring, r->mem, r->map_len);
}

/* Map a named shm channel by asking its creator for the fds. */
static int shm_map(struct rc_ring *r)
{
	int rc = ringdev_chan_attach(r->name, RINGDEV_TRANSPORT_SHM, &r->chan);

	if (rc)
		return rc;
	r->ring = ringdev_chan_ring(r->chan);
	return 0;
}

/* Undo dev_map() / shm_map(); the ring stays described, unmapped. */
static void ring_unmap(struct rc_ring *r)
{
	if (r->chan) {
		ringdev_chan_close(r->chan);
		r->chan = NULL;
		r->ring = NULL;
	}
	if (r->ring) {
		free(r->ring);
		r->ring = NULL;
	}
	if (r->mem) {
		munmap(r->mem, r->map_len);
		r->mem = NULL;
	}
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
}

/* Map @r; on failure remember why and leave it unmapped. */
static void ring_map(struct rc_ring *r)
{
	r->map_err = r->transport == RC_T_DEV ? dev_map(r) : shm_map(r);
	if (r->map_err) {
		ring_unmap(r);
		r->sample_ns = rc_now_ns();
		r->prev_drv = r->drv;
		r->prev_ns = r->sample_ns;
		return;
	}
	rc_ring_sample(r);
	r->prev = r->ctrl;
	r->prev_drv = r->drv;
	r->prev_ns = r->sample_ns;
}

/**
 * rc_ring_sample() - read the counters of a ring again
 * @r: the ring
 *
 * The previous sample is kept in r->prev for rates.  Dev rings also get a
 * fresh STATS when mapped (else their LIST entry stands); the caller
 * keeps the driver's previous record in r->prev_drv.
 */
void rc_ring_sample(struct rc_ring *r)
{
	const struct ringdev_ring *g = r->ring;
	const struct ringdev_ctrl *c;
	struct rc_ctrl *s = &r->ctrl;

	r->prev = r->ctrl;
	r->prev_ns = r->sample_ns;
	r->sample_ns = rc_now_ns();
	if (r->fd >= 0) {
		struct ringdev_stats st;

		/* STATS on our own fd is as fresh as it gets. */
		memset(&st, 0, sizeof(st));
		if (ioctl(r->fd, RINGDEV_IOC_STATS, &st) == 0) {
			r->drv = st;
			r->have_drv = true;
		}
	}
	if (!g)
		return;
	c = g->ctrl;
	/* Geometry from the validated copy; counters read once each. */
	s->capacity = ringdev_ring_capacity(g);
	s->slot_size = 1U << g->slot_shift;
	s->flags = g->flags;
	s->region_size = g->region_size;
	s->prod_pos = RINGDEV_READ_ONCE(c->prod.pos);
	s->prod_full = RINGDEV_READ_ONCE(c->prod.full);
	s->prod_kicks = RINGDEV_READ_ONCE(c->prod.kicks);
	s->prod_dropped = RINGDEV_READ_ONCE(c->prod.dropped);
	s->prod_doorbell = RINGDEV_READ_ONCE(c->prod.doorbell);
	s->cons_pos = RINGDEV_READ_ONCE(c->cons.pos);
	s->cons_sleeps = RINGDEV_READ_ONCE(c->cons.sleeps);
	s->cons_kicks = RINGDEV_READ_ONCE(c->cons.kicks);
	s->cons_bad = RINGDEV_READ_ONCE(c->cons.bad);
	s->cons_need_wakeup = RINGDEV_READ_ONCE(c->cons_wake.need_wakeup);
	s->cons_sleep_seq = RINGDEV_READ_ONCE(c->cons_wake.sleep_seq);
	s->prod_need_wakeup = RINGDEV_READ_ONCE(c->prod_wake.need_wakeup);
	s->prod_sleep_seq = RINGDEV_READ_ONCE(c->prod_wake.sleep_seq);
	s->ctl = RINGDEV_READ_ONCE(c->ctl.ctl);
	s->alive = RINGDEV_READ_ONCE(c->status.alive);
	s->exited = RINGDEV_READ_ONCE(c->status.exited);
	s->heartbeat = RINGDEV_READ_ONCE(c->status.heartbeat);
	s->handled = RINGDEV_READ_ONCE(c->status.handled);
}

/**
 * rc_ring_capacity() - slots, from the mapping or the driver's record
 * @r: the ring
 *
 * Return: the capacity, 0 when unknown.
 */
__u32 rc_ring_capacity(const struct rc_ring *r)
{
	if (r->ring)
		return r->ctrl.capacity;
	return r->have_drv ? r->drv.capacity : 0;
}

/**
 * rc_ring_slot_size() - bytes per slot, from the mapping or the driver
 * @r: the ring
 *
 * Return: the slot size, 0 when unknown.
 */
__u32 rc_ring_slot_size(const struct rc_ring *r)
{
	if (r->ring)
		return r->ctrl.slot_size;
	return r->have_drv ? r->drv.slot_size : 0;
}

/**
 * rc_ring_depth() - messages queued: prod_pos - cons_pos within [0, capacity]
 * @r: the ring
 *
 * Return: the depth (0 when unknown).
 */
__u64 rc_ring_depth(const struct rc_ring *r)
{
	__u64 prod, cons, cap = rc_ring_capacity(r);

	if (r->ring) {
		prod = r->ctrl.prod_pos;
		cons = r->ctrl.cons_pos;
	} else if (r->have_drv) {
		prod = r->drv.prod_pos;
		cons = r->drv.cons_pos;
	} else {
		return 0;
	}
	if ((__s64)(prod - cons) < 0)
		return 0;
	return prod - cons > cap ? cap : prod - cons;
}

/** rc_transport_name() - "dev" or "shm" for RC_T_DEV / RC_T_SHM */
const char *rc_transport_name(__u32 t)
{
	return t == RC_T_DEV ? "dev" : "shm";
}

/**
 * rc_flags_str() - RINGDEV_RING_F_* as "mp,mc" ("-" for none)
 * @flags: the flags
 * @buf: receives the text
 * @len: bytes at @buf
 */
void rc_flags_str(__u32 flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s",
		 flags & RINGDEV_RING_F_MP ? "mp," : "",
		 flags & RINGDEV_RING_F_MC ? "mc," : "",
		 flags & RINGDEV_RING_F_DEV_PROD ? "dev-prod," : "",
		 flags & RINGDEV_RING_F_DEV_CONS ? "dev-cons," : "");
	if (!buf[0])
		snprintf(buf, len, "-");
	else
		buf[strlen(buf) - 1] = '\0';
}

/* The set's entry for (@transport, @name, @id), or NULL. */
static struct rc_ring *set_find(struct rc_set *s, __u32 transport, const char *name,
				__u32 id)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		struct rc_ring *r = &s->r[i];

		if (r->transport != transport || strcmp(r->name, name))
			continue;
		if (transport == RC_T_DEV && r->have_drv && r->drv.ring_id != id)
			continue;
		return r;
	}
	return NULL;
}

/* A new, unmapped entry at the end of the set. */
static struct rc_ring *set_add(struct rc_set *s, __u32 transport, const char *name)
{
	struct rc_ring *r;

	if (s->n == s->cap) {
		unsigned int cap = s->cap ? s->cap * 2 : 16;
		struct rc_ring *nr = realloc(s->r, cap * sizeof(*nr));

		if (!nr)
			return NULL;
		s->r = nr;
		s->cap = cap;
	}
	r = &s->r[s->n++];
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->transport = transport;
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

/**
 * rc_set_refresh() - find every ring now, keeping mappings of known ones
 * @s: the set (zeroed before the first call)
 * @transports: RC_T_* to look at
 * @only: a name to restrict to, or NULL
 *
 * Rings that disappeared are dropped; new ones are mapped where the
 * current uid may; every mapped ring gets a new sample.
 *
 * Return: 0, or -errno when nothing at all could be listed.
 */
int rc_set_refresh(struct rc_set *s, __u32 transports, const char *only)
{
	struct ringdev_stats *st = NULL;
	unsigned int nst = 0, nnames = 0, i, j;
	char **names = NULL;
	int rc_shm = -ENOENT;

	for (i = 0; i < s->n; i++)
		s->r[i].seen = false;
	s->dev_err = -ENODEV;
	if (transports & RC_T_DEV)
		s->dev_err = dev_list(&st, &nst);
	for (i = 0; i < nst; i++) {
		struct rc_ring *r;

		st[i].name[RINGDEV_NAME_MAX - 1] = '\0';
		if (only && strcmp(st[i].name, only))
			continue;
		r = set_find(s, RC_T_DEV, st[i].name, st[i].ring_id);
		if (!r) {
			r = set_add(s, RC_T_DEV, st[i].name);
			if (!r)
				break;
			r->drv = st[i];
			r->have_drv = true;
			ring_map(r);
		} else {
			r->prev_drv = r->drv;
			r->drv = st[i];
			rc_ring_sample(r);
		}
		r->seen = true;
	}
	free(st);
	if (transports & RC_T_SHM)
		rc_shm = rc_unix_names("ringdev/", &names, &nnames);
	for (i = 0; i < nnames; i++) {
		struct rc_ring *r;

		if (only && strcmp(names[i], only))
			continue;
		r = set_find(s, RC_T_SHM, names[i], 0);
		if (!r) {
			r = set_add(s, RC_T_SHM, names[i]);
			if (!r)
				break;
			ring_map(r);
		} else if (r->ring) {
			rc_ring_sample(r);
		} else {
			ring_map(r);	/* retry: it may have been starting */
		}
		r->seen = true;
	}
	rc_names_free(names, nnames);
	/* Drop what went away, keeping the order of the rest. */
	for (i = j = 0; i < s->n; i++) {
		if (!s->r[i].seen) {
			ring_unmap(&s->r[i]);
			continue;
		}
		if (i != j)
			s->r[j] = s->r[i];
		j++;
	}
	s->n = j;
	if ((transports & RC_T_DEV) && s->dev_err && (!(transports & RC_T_SHM) || rc_shm))
		return s->dev_err;
	return (transports & RC_T_SHM) && rc_shm && !(transports & RC_T_DEV) ? rc_shm : 0;
}

/**
 * rc_set_free() - unmap every ring and free the set
 * @s: the set
 */
void rc_set_free(struct rc_set *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		ring_unmap(&s->r[i]);
	free(s->r);
	memset(s, 0, sizeof(*s));
}

/**
 * rc_ring_open() - find one ring by name and map it
 * @name: the ring's name
 * @transports: where to look; dev first, then shm
 * @r: receives the ring (close it with rc_ring_close())
 *
 * A dev ring that LIST shows but that we may not ATTACH is still
 * returned, with r->ring NULL and r->map_err saying why.
 *
 * Return: 0; -ENOENT when no ring has that name; -EINVAL for a bad name.
 */
int rc_ring_open(const char *name, __u32 transports, struct rc_ring *r)
{
	unsigned int i;
	int rc = -ENOENT;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (!name[0] || strlen(name) >= RINGDEV_NAME_MAX)
		return -EINVAL;
	if (transports & RC_T_DEV) {
		struct ringdev_stats *st;
		unsigned int n;

		if (!dev_list(&st, &n)) {
			for (i = 0; i < n; i++) {
				st[i].name[RINGDEV_NAME_MAX - 1] = '\0';
				if (!strcmp(st[i].name, name))
					break;
			}
			if (i < n) {
				r->transport = RC_T_DEV;
				snprintf(r->name, sizeof(r->name), "%s", name);
				r->drv = st[i];
				r->have_drv = true;
				ring_map(r);
				rc = 0;
			}
			free(st);
			if (!rc)
				return 0;
		}
	}
	if (transports & RC_T_SHM) {
		char **names;
		unsigned int n;

		if (!rc_unix_names("ringdev/", &names, &n)) {
			for (i = 0; i < n && strcmp(names[i], name); i++)
				;
			if (i < n) {
				r->transport = RC_T_SHM;
				snprintf(r->name, sizeof(r->name), "%s", name);
				ring_map(r);
				rc = r->map_err;
			}
			rc_names_free(names, n);
		}
	}
	return rc;
}

/**
 * rc_ring_close() - unmap a ring from rc_ring_open()
 * @r: the ring
 */
void rc_ring_close(struct rc_ring *r)
{
	ring_unmap(r);
}

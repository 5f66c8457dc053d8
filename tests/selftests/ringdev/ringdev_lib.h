/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringdev_lib.h - small helpers shared by the ringdev selftests.  They use
 * raw ioctls: the tests exercise the driver, not libringdev.
 */
#ifndef RINGDEV_SELFTEST_LIB_H
#define RINGDEV_SELFTEST_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/ringdev.h>

static inline const char *rd_dev_path(void)
{
	const char *p = getenv("RINGDEV_DEV");

	return p && *p ? p : "/dev/ringdev";
}

static inline int rd_open_ctl(void)
{
	return open(rd_dev_path(), O_RDWR | O_CLOEXEC);
}

/* ioctl returning -errno instead of -1/errno. */
static inline int rd_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static inline void rd_create_req(struct ringdev_create *c, const char *name,
				 __u32 capacity, __u32 slot_size, __u32 flags,
				 __u32 mode)
{
	memset(c, 0, sizeof(*c));
	if (name)
		snprintf(c->name, sizeof(c->name), "%s", name);
	c->capacity = capacity;
	c->slot_size = slot_size;
	c->flags = flags;
	c->mode = mode;
	c->fd_flags = O_CLOEXEC;
	c->fd = -1;
}

/* Create a ring; returns its fd or -errno. */
static inline int rd_create(int ctl, const char *name, __u32 capacity,
			    __u32 slot_size, __u32 flags, __u32 mode,
			    struct ringdev_create *out)
{
	struct ringdev_create c;
	int ret;

	rd_create_req(&c, name, capacity, slot_size, flags, mode);
	ret = rd_ioctl(ctl, RINGDEV_IOC_CREATE, &c);
	if (out)
		*out = c;
	return ret < 0 ? ret : c.fd;
}

static inline int rd_attach(int ctl, const char *name,
			    struct ringdev_attach *out)
{
	struct ringdev_attach a;
	int ret;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.fd_flags = O_CLOEXEC;
	ret = rd_ioctl(ctl, RINGDEV_IOC_ATTACH, &a);
	if (out)
		*out = a;
	return ret < 0 ? ret : a.fd;
}

static inline int rd_unlink(int ctl, const char *name)
{
	struct ringdev_unlink u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	return rd_ioctl(ctl, RINGDEV_IOC_UNLINK, &u);
}

static inline int rd_info(int ctl, struct ringdev_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return rd_ioctl(ctl, RINGDEV_IOC_INFO, info);
}

static inline int rd_nr_rings(int ctl)
{
	struct ringdev_info info;
	int ret = rd_info(ctl, &info);

	return ret < 0 ? ret : (int)info.nr_rings;
}

static inline int rd_stats(int ring, struct ringdev_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	return rd_ioctl(ring, RINGDEV_IOC_STATS, st);
}

static inline int rd_kick(int ring, __u32 side)
{
	struct ringdev_kick k = { .side = side };

	return rd_ioctl(ring, RINGDEV_IOC_KICK, &k);
}

static inline int rd_set_eventfd(int ring, __u32 side, int fd)
{
	struct ringdev_set_eventfd s = { .side = side, .fd = fd };

	return rd_ioctl(ring, RINGDEV_IOC_SET_EVENTFD, &s);
}

static inline size_t rd_region_size(__u32 capacity, __u32 slot_size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t sz = RINGDEV_CTRL_SIZE + (size_t)capacity * slot_size;

	return (sz + page - 1) & ~(page - 1);
}

static inline void *rd_map(int ring, size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ring,
		    RINGDEV_OFF_REGION);
}

static inline volatile __u64 *rd_seq(void *map, __u32 slot_size, __u64 i)
{
	return (volatile __u64 *)((char *)map + RINGDEV_CTRL_SIZE +
				  i * slot_size);
}

/* Write a module parameter; returns 0 or -errno. */
static inline int rd_param_set(const char *name, unsigned long val)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/ringdev/parameters/%s",
		 name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%lu\n", val) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static inline long rd_param_get(const char *name)
{
	char path[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/ringdev/parameters/%s",
		 name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%ld", &val) != 1)
		val = -EIO;
	fclose(f);
	return val;
}

/* A page that faults on any access: an "unmapped" user pointer. */
static inline void *rd_bad_ptr(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? (void *)8 : p;
}

/*
 * The test programs' main(): skip the whole program, saying why, when the
 * device is not usable; else run the harness.  Expanded after
 * kselftest_harness.h is included.
 */
#define RD_SELFTEST_MAIN()						\
int main(int argc, char **argv)						\
{									\
	if (access(rd_dev_path(), R_OK | W_OK)) {			\
		ksft_print_header();					\
		ksft_set_plan(0);					\
		ksft_exit_skip("%s: %s (is ringdev.ko loaded?)\n",	\
			       rd_dev_path(), strerror(errno));		\
	}								\
	return test_harness_run(argc, argv);				\
}

#endif /* RINGDEV_SELFTEST_LIB_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * ringdev_test.c - selftests for /dev/ringdev: every ioctl with valid and
 * invalid arguments, mmap rules, permissions, eventfd doorbells and
 * suppression, poll readiness, the doorbell watcher, memory returned by a
 * killed process, module pinning.  Run as root against a loaded ringdev.ko.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "ringdev_lib.h"
#include "kselftest_harness.h"

#define NOBODY 65534
#define GROUP 4321

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void unique_name(char *buf, size_t len, const char *what)
{
	static unsigned int n;

	snprintf(buf, len, "st-%s-%d-%u", what, getpid(), n++);
}

/* ------------------------------------------------------------------ */
/* INFO and dispatch                                                   */
/* ------------------------------------------------------------------ */

FIXTURE(ctl) {
	int ctl;
};

FIXTURE_SETUP(ctl)
{
	self->ctl = rd_open_ctl();
	ASSERT_LE(0, self->ctl) TH_LOG("open %s: %s", rd_dev_path(),
				       strerror(errno));
}

FIXTURE_TEARDOWN(ctl)
{
	close(self->ctl);
}

TEST_F(ctl, info)
{
	struct ringdev_info info;
	int i;

	ASSERT_EQ(0, rd_info(self->ctl, &info));
	EXPECT_EQ(RINGDEV_ABI_VERSION, info.abi_version);
	EXPECT_EQ(RINGDEV_FEAT_URING_CMD | RINGDEV_FEAT_WATCHER, info.features);
	EXPECT_LT(0, info.max_rings);
	EXPECT_LE(info.nr_rings, info.max_rings);
	EXPECT_LE(RINGDEV_CTRL_SIZE, info.max_ring_bytes);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, info.reserved[i]);
}

TEST_F(ctl, info_bad_pointers)
{
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_INFO, NULL));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_INFO, rd_bad_ptr()));
}

TEST_F(ctl, unknown_and_missized_ioctls)
{
	char buf[512] = { 0 };
	int ring;

	EXPECT_EQ(-ENOTTY, rd_ioctl(self->ctl, _IO(RINGDEV_IOC_TYPE, 0x7f), buf));
	EXPECT_EQ(-ENOTTY, rd_ioctl(self->ctl, _IOWR('x', 0x01,
						     struct ringdev_create), buf));
	/* Right number, wrong size or direction. */
	EXPECT_EQ(-ENOTTY, rd_ioctl(self->ctl, _IOC(_IOC_READ | _IOC_WRITE,
						     RINGDEV_IOC_TYPE, 0x01, 100),
				    buf));
	EXPECT_EQ(-ENOTTY, rd_ioctl(self->ctl, _IOW(RINGDEV_IOC_TYPE, 0x00,
						    struct ringdev_info), buf));
	EXPECT_EQ(-ENOTTY, rd_ioctl(self->ctl, FIONREAD, buf));

	ring = rd_create(self->ctl, NULL, 8, 64, 0, 0600, NULL);
	ASSERT_LE(0, ring);
	EXPECT_EQ(-ENOTTY, rd_ioctl(ring, _IO(RINGDEV_IOC_TYPE, 0x7f), buf));
	EXPECT_EQ(-ENOTTY, rd_ioctl(ring, _IOC(_IOC_WRITE, RINGDEV_IOC_TYPE,
					       0x11, 16), buf));
	close(ring);
}

TEST_F(ctl, wrong_fd_kind)
{
	struct ringdev_create c;
	struct ringdev_kick k = { 0 };
	struct ringdev_stats st;
	struct ringdev_info info;
	struct ringdev_set_eventfd se = { .fd = -1 };
	int ring;

	/* Ring commands on the control fd. */
	EXPECT_EQ(-ENOTTY, rd_ioctl(self->ctl, RINGDEV_IOC_KICK, &k));
	EXPECT_EQ(-ENOTTY, rd_ioctl(self->ctl, RINGDEV_IOC_STATS, &st));
	EXPECT_EQ(-ENOTTY, rd_ioctl(self->ctl, RINGDEV_IOC_SET_EVENTFD, &se));

	/* Control commands on a ring fd. */
	ring = rd_create(self->ctl, NULL, 8, 64, 0, 0600, NULL);
	ASSERT_LE(0, ring);
	rd_create_req(&c, NULL, 8, 64, 0, 0600);
	EXPECT_EQ(-ENOTTY, rd_ioctl(ring, RINGDEV_IOC_CREATE, &c));
	EXPECT_EQ(-ENOTTY, rd_ioctl(ring, RINGDEV_IOC_INFO, &info));
	close(ring);

	/* Ours on somebody else's fd: nothing of ours is reached. */
	ring = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, ring);
	EXPECT_NE(0, rd_ioctl(ring, RINGDEV_IOC_KICK, &k));
	close(ring);
}

/* ------------------------------------------------------------------ */
/* CREATE                                                              */
/* ------------------------------------------------------------------ */

TEST_F(ctl, create_formats_ring)
{
	const __u32 cap = 16, slot = 128;
	struct ringdev_create c;
	struct ringdev_ctrl *ctrl;
	size_t size = rd_region_size(cap, slot), off;
	unsigned char *map;
	__u32 i;
	int ring;

	ring = rd_create(self->ctl, NULL, cap, slot, RINGDEV_RING_F_MP,
			 0600, &c);
	ASSERT_LE(0, ring);
	EXPECT_LT(0, c.ring_id);
	EXPECT_EQ(size, c.region.size);
	EXPECT_EQ(RINGDEV_OFF_REGION, c.region.offset);
	EXPECT_EQ(0, c.region.ctrl_offset);
	EXPECT_EQ(RINGDEV_CTRL_SIZE, c.region.slots_offset);
	EXPECT_EQ(cap, c.region.capacity);
	EXPECT_EQ(slot, c.region.slot_size);
	EXPECT_EQ(0, c.reserved0);
	EXPECT_EQ(0, c.reserved[0]);
	EXPECT_EQ(0, c.reserved[1]);

	map = rd_map(ring, size);
	ASSERT_NE(MAP_FAILED, map);
	ctrl = (struct ringdev_ctrl *)map;
	EXPECT_EQ(RINGDEV_MAGIC, ctrl->hdr.magic);
	EXPECT_EQ(RINGDEV_ABI_VERSION, ctrl->hdr.abi_version);
	EXPECT_EQ(RINGDEV_CTRL_SIZE, ctrl->hdr.ctrl_size);
	EXPECT_EQ(slot, ctrl->hdr.slot_size);
	EXPECT_EQ(cap, ctrl->hdr.capacity);
	EXPECT_EQ(RINGDEV_RING_F_MP, ctrl->hdr.flags);
	EXPECT_EQ(RINGDEV_CTRL_SIZE + cap * slot, ctrl->hdr.region_size);
	EXPECT_EQ(0, ctrl->hdr.name[0]);
	/* Everything after the header is zero up to the slots. */
	for (off = sizeof(ctrl->hdr); off < RINGDEV_CTRL_SIZE; off++)
		if (map[off])
			break;
	EXPECT_EQ(RINGDEV_CTRL_SIZE, off);
	for (i = 0; i < cap; i++) {
		unsigned char *s = map + RINGDEV_CTRL_SIZE + i * slot;

		EXPECT_EQ(i, *(__u64 *)s);
		for (off = 8; off < slot; off++)
			if (s[off])
				break;
		EXPECT_EQ(slot, off);
	}
	/* The page-rounding tail is zero too. */
	for (off = RINGDEV_CTRL_SIZE + cap * slot; off < size; off++)
		if (map[off])
			break;
	EXPECT_EQ(size, off);
	munmap(map, size);
	close(ring);
}

TEST_F(ctl, create_named_header)
{
	struct ringdev_create c;
	struct ringdev_ctrl *ctrl;
	char name[RINGDEV_NAME_MAX];
	int ring;

	unique_name(name, sizeof(name), "hdr");
	ring = rd_create(self->ctl, name, 2, 64, 0, 0600, &c);
	ASSERT_LE(0, ring);
	ctrl = rd_map(ring, c.region.size);
	ASSERT_NE(MAP_FAILED, ctrl);
	EXPECT_STREQ(name, ctrl->hdr.name);
	munmap(ctrl, c.region.size);
	close(ring);
}

#define OFF(f) offsetof(struct ringdev_create, f)

/* One field of a valid request set to a bad value. */
static const struct bad_create {
	const char *what;
	size_t off, len;
	__u64 val;
	int err;
} bad_creates[] = {
	{ "capacity 0", OFF(capacity), 4, 0, -EINVAL },
	{ "capacity 1", OFF(capacity), 4, 1, -EINVAL },
	{ "capacity 3", OFF(capacity), 4, 3, -EINVAL },
	{ "capacity 24", OFF(capacity), 4, 24, -EINVAL },
	{ "capacity 2^25", OFF(capacity), 4, RINGDEV_CAPACITY_MAX * 2, -EINVAL },
	{ "capacity ~0", OFF(capacity), 4, 0xffffffffu, -EINVAL },
	{ "slot 0", OFF(slot_size), 4, 0, -EINVAL },
	{ "slot 32", OFF(slot_size), 4, 32, -EINVAL },
	{ "slot 96", OFF(slot_size), 4, 96, -EINVAL },
	{ "slot 128K", OFF(slot_size), 4, RINGDEV_SLOT_MAX * 2, -EINVAL },
	{ "flags 0x10", OFF(flags), 4, RINGDEV_RING_F_ALL + 1, -EINVAL },
	{ "flags high", OFF(flags), 4, 0x80000000u, -EINVAL },
	{ "mode 01000", OFF(mode), 4, 01000, -EINVAL },
	{ "fd_flags O_NONBLOCK", OFF(fd_flags), 4, O_NONBLOCK, -EINVAL },
	{ "fd_flags junk", OFF(fd_flags), 4, O_CLOEXEC | 1, -EINVAL },
	{ "reserved0", OFF(reserved0), 4, 1, -EINVAL },
	{ "reserved[0]", offsetof(struct ringdev_create, reserved[0]), 8,
	  1, -EINVAL },
	{ "reserved[1]", offsetof(struct ringdev_create, reserved[1]), 8,
	  1ull << 63, -EINVAL },
	/* 2^24 slots of 64 KiB: 1 TiB. */
	{ "1 TiB region", OFF(slot_size), 4, RINGDEV_SLOT_MAX, -E2BIG },
};

static const struct {
	const char *what;
	const char *name;
} bad_names[] = {
	{ "name with space", "a b" },
	{ "name with tab", "a\tb" },
	{ "name with 0xff", "a\xff" },
	{ "name with DEL", "a\x7f" },
};

static void set_field(struct ringdev_create *c, size_t off, size_t len,
		      __u64 val)
{
	__u32 v32 = val;

	if (len == 8)
		memcpy((char *)c + off, &val, 8);
	else
		memcpy((char *)c + off, &v32, 4);
}

TEST_F(ctl, create_invalid)
{
	int before = rd_nr_rings(self->ctl);
	struct ringdev_create c;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad_creates); i++) {
		rd_create_req(&c, "st-invalid", 8, 64, 0, 0600);
		if (bad_creates[i].err == -E2BIG)
			c.capacity = RINGDEV_CAPACITY_MAX;
		set_field(&c, bad_creates[i].off, bad_creates[i].len,
			  bad_creates[i].val);
		EXPECT_EQ(bad_creates[i].err,
			  rd_ioctl(self->ctl, RINGDEV_IOC_CREATE, &c))
			TH_LOG("%s", bad_creates[i].what);
		EXPECT_EQ(-1, c.fd) TH_LOG("%s wrote fd", bad_creates[i].what);
	}
	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		rd_create_req(&c, bad_names[i].name, 8, 64, 0, 0600);
		EXPECT_EQ(-EINVAL, rd_ioctl(self->ctl, RINGDEV_IOC_CREATE, &c))
			TH_LOG("%s", bad_names[i].what);
	}
	/* Unterminated. */
	rd_create_req(&c, NULL, 8, 64, 0, 0600);
	memset(c.name, 'a', sizeof(c.name));
	EXPECT_EQ(-EINVAL, rd_ioctl(self->ctl, RINGDEV_IOC_CREATE, &c));
	/* The longest name that fits is fine. */
	memset(c.name, 'a', sizeof(c.name) - 1);
	c.name[sizeof(c.name) - 1] = 0;
	ret = rd_ioctl(self->ctl, RINGDEV_IOC_CREATE, &c);
	EXPECT_EQ(0, ret);
	close(c.fd);
	EXPECT_EQ(before, rd_nr_rings(self->ctl));
}

TEST_F(ctl, create_limits_edges)
{
	long max = rd_param_get("max_ring_bytes");
	struct ringdev_create c;
	int ring;

	ASSERT_LT(0, max);
	/* Smallest legal ring. */
	ring = rd_create(self->ctl, NULL, RINGDEV_CAPACITY_MIN,
			 RINGDEV_SLOT_MIN, RINGDEV_RING_F_ALL, 0777, &c);
	ASSERT_LE(0, ring);
	close(ring);
	/* Largest slot with the fewest slots. */
	ring = rd_create(self->ctl, NULL, 2, RINGDEV_SLOT_MAX, 0, 0, &c);
	ASSERT_LE(0, ring);
	close(ring);
	/* Exactly max_ring_bytes fits; one slot more does not. */
	ASSERT_EQ(0, rd_param_set("max_ring_bytes",
				  RINGDEV_CTRL_SIZE + 64 * 4096));
	ring = rd_create(self->ctl, NULL, 64, 4096, 0, 0600, &c);
	EXPECT_LE(0, ring);
	close(ring);
	EXPECT_EQ(-E2BIG, rd_create(self->ctl, NULL, 128, 4096, 0, 0600, &c));
	ASSERT_EQ(0, rd_param_set("max_ring_bytes", max));
}

TEST_F(ctl, create_cloexec)
{
	struct ringdev_create c;
	int ring;

	rd_create_req(&c, NULL, 4, 64, 0, 0600);
	c.fd_flags = 0;
	ASSERT_EQ(0, rd_ioctl(self->ctl, RINGDEV_IOC_CREATE, &c));
	EXPECT_EQ(0, fcntl(c.fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(c.fd, F_GETFL) & O_ACCMODE);
	close(c.fd);

	ring = rd_create(self->ctl, NULL, 4, 64, 0, 0600, &c);
	ASSERT_LE(0, ring);
	EXPECT_EQ(FD_CLOEXEC, fcntl(ring, F_GETFD) & FD_CLOEXEC);
	close(ring);
}

TEST_F(ctl, create_bad_pointers)
{
	struct ringdev_create *ro;
	int before = rd_nr_rings(self->ctl), probe;

	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_CREATE, NULL));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_CREATE,
				    rd_bad_ptr()));

	/*
	 * A read-only argument: the request is read, the reply cannot be
	 * written.  No fd may be left behind and the ring must go away.
	 */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	rd_create_req(ro, "st-readonly-reply", 4, 64, 0, 0600);
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	probe = dup(0);
	ASSERT_LE(0, probe);
	close(probe);
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_CREATE, ro));
	EXPECT_EQ(probe, dup(0)) TH_LOG("an fd leaked");
	close(probe);
	EXPECT_EQ(before, rd_nr_rings(self->ctl));
	EXPECT_EQ(-ENOENT, rd_attach(self->ctl, "st-readonly-reply", NULL));
	munmap(ro, 4096);
}

TEST_F(ctl, create_duplicate_name)
{
	char name[RINGDEV_NAME_MAX];
	int a, b;

	unique_name(name, sizeof(name), "dup");
	a = rd_create(self->ctl, name, 4, 64, 0, 0600, NULL);
	ASSERT_LE(0, a);
	EXPECT_EQ(-EEXIST, rd_create(self->ctl, name, 4, 64, 0, 0600, NULL));
	/* Anonymous rings never clash. */
	b = rd_create(self->ctl, "", 4, 64, 0, 0600, NULL);
	ASSERT_LE(0, b);
	close(b);
	b = rd_create(self->ctl, "", 4, 64, 0, 0600, NULL);
	ASSERT_LE(0, b);
	close(b);
	ASSERT_EQ(0, rd_unlink(self->ctl, name));
	b = rd_create(self->ctl, name, 4, 64, 0, 0600, NULL);
	EXPECT_LE(0, b);
	close(b);
	close(a);
}

TEST_F(ctl, nr_rings_and_user_bytes)
{
	struct ringdev_info a, b;
	int ring;

	ASSERT_EQ(0, rd_info(self->ctl, &a));
	ring = rd_create(self->ctl, NULL, 64, 1024, 0, 0600, NULL);
	ASSERT_LE(0, ring);
	ASSERT_EQ(0, rd_info(self->ctl, &b));
	EXPECT_EQ(a.nr_rings + 1, b.nr_rings);
	EXPECT_EQ(a.user_bytes + rd_region_size(64, 1024), b.user_bytes);
	close(ring);
	ASSERT_EQ(0, rd_info(self->ctl, &b));
	EXPECT_EQ(a.nr_rings, b.nr_rings);
	EXPECT_EQ(a.user_bytes, b.user_bytes);
}

TEST_F(ctl, max_rings)
{
	long old = rd_param_get("max_rings");
	int nr = rd_nr_rings(self->ctl), fds[4], i;

	ASSERT_LT(0, old);
	ASSERT_EQ(0, rd_param_set("max_rings", nr + 2));
	for (i = 0; i < 2; i++) {
		fds[i] = rd_create(self->ctl, NULL, 2, 64, 0, 0600, NULL);
		EXPECT_LE(0, fds[i]);
	}
	EXPECT_EQ(-ENOSPC, rd_create(self->ctl, NULL, 2, 64, 0, 0600, NULL));
	close(fds[0]);
	fds[0] = rd_create(self->ctl, NULL, 2, 64, 0, 0600, NULL);
	EXPECT_LE(0, fds[0]);
	for (i = 0; i < 2; i++)
		close(fds[i]);
	ASSERT_EQ(0, rd_param_set("max_rings", old));
}

TEST_F(ctl, max_user_bytes)
{
	long old = rd_param_get("max_user_bytes");
	struct ringdev_info info;
	size_t one = rd_region_size(16, 4096);
	int a, b;

	ASSERT_LT(0, old);
	ASSERT_EQ(0, rd_info(self->ctl, &info));
	ASSERT_EQ(0, rd_param_set("max_user_bytes",
				  info.user_bytes + one + one / 2));
	a = rd_create(self->ctl, NULL, 16, 4096, 0, 0600, NULL);
	EXPECT_LE(0, a);
	EXPECT_EQ(-EDQUOT, rd_create(self->ctl, NULL, 16, 4096, 0, 0600, NULL));
	/* A smaller ring still fits. */
	b = rd_create(self->ctl, NULL, 2, 64, 0, 0600, NULL);
	EXPECT_LE(0, b);
	close(b);
	close(a);
	b = rd_create(self->ctl, NULL, 16, 4096, 0, 0600, NULL);
	EXPECT_LE(0, b);
	close(b);
	ASSERT_EQ(0, rd_param_set("max_user_bytes", old));
}

/* ------------------------------------------------------------------ */
/* ATTACH, UNLINK, LIST                                                */
/* ------------------------------------------------------------------ */

TEST_F(ctl, attach_shares_memory)
{
	struct ringdev_create c;
	struct ringdev_attach a;
	char name[RINGDEV_NAME_MAX];
	volatile __u64 *m1, *m2;
	int r1, r2;

	unique_name(name, sizeof(name), "att");
	r1 = rd_create(self->ctl, name, 8, 256,
		       RINGDEV_RING_F_MC | RINGDEV_RING_F_DEV_CONS, 0600, &c);
	ASSERT_LE(0, r1);
	r2 = rd_attach(self->ctl, name, &a);
	ASSERT_LE(0, r2);
	EXPECT_NE(r1, r2);
	EXPECT_EQ(c.ring_id, a.ring_id);
	EXPECT_EQ(RINGDEV_RING_F_MC | RINGDEV_RING_F_DEV_CONS, a.flags);
	EXPECT_EQ(0, memcmp(&c.region, &a.region, sizeof(a.region)));
	EXPECT_EQ(FD_CLOEXEC, fcntl(r2, F_GETFD) & FD_CLOEXEC);

	m1 = rd_map(r1, c.region.size);
	m2 = rd_map(r2, a.region.size);
	ASSERT_NE(MAP_FAILED, m1);
	ASSERT_NE(MAP_FAILED, m2);
	m1[16] = 0x1234567890abcdefull;	/* prod.pos */
	EXPECT_EQ(0x1234567890abcdefull, m2[16]);
	munmap((void *)m1, c.region.size);
	munmap((void *)m2, a.region.size);
	close(r2);
	close(r1);
}

TEST_F(ctl, attach_invalid)
{
	struct ringdev_attach a;
	char name[RINGDEV_NAME_MAX];
	int ring;

	unique_name(name, sizeof(name), "atti");
	ring = rd_create(self->ctl, name, 4, 64, 0, 0600, NULL);
	ASSERT_LE(0, ring);

	EXPECT_EQ(-ENOENT, rd_attach(self->ctl, "st-no-such-ring", NULL));
	EXPECT_EQ(-EINVAL, rd_attach(self->ctl, "", NULL));

	memset(&a, 0, sizeof(a));
	memset(a.name, 'a', sizeof(a.name));
	EXPECT_EQ(-EINVAL, rd_ioctl(self->ctl, RINGDEV_IOC_ATTACH, &a));

	memset(&a, 0, sizeof(a));
	strcpy(a.name, name);
	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, rd_ioctl(self->ctl, RINGDEV_IOC_ATTACH, &a));
	a.reserved[1] = 0;
	a.fd_flags = O_RDONLY | O_APPEND;
	EXPECT_EQ(-EINVAL, rd_ioctl(self->ctl, RINGDEV_IOC_ATTACH, &a));
	a.fd_flags = 0;
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_ATTACH, NULL));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_ATTACH,
				    rd_bad_ptr()));
	a.fd = -1;
	ASSERT_EQ(0, rd_ioctl(self->ctl, RINGDEV_IOC_ATTACH, &a));
	EXPECT_LE(0, a.fd);
	EXPECT_EQ(0, fcntl(a.fd, F_GETFD) & FD_CLOEXEC);
	close(a.fd);
	close(ring);
}

TEST_F(ctl, unlink_and_lifetime)
{
	struct ringdev_create c;
	struct ringdev_unlink u;
	char name[RINGDEV_NAME_MAX];
	int ring, before = rd_nr_rings(self->ctl);
	__u64 *map;

	unique_name(name, sizeof(name), "unl");
	ring = rd_create(self->ctl, name, 4, 64, 0, 0600, &c);
	ASSERT_LE(0, ring);

	memset(&u, 0, sizeof(u));
	EXPECT_EQ(-EINVAL, rd_ioctl(self->ctl, RINGDEV_IOC_UNLINK, &u));
	memset(u.name, 'x', sizeof(u.name));
	EXPECT_EQ(-EINVAL, rd_ioctl(self->ctl, RINGDEV_IOC_UNLINK, &u));
	EXPECT_EQ(-ENOENT, rd_unlink(self->ctl, "st-no-such-ring"));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_UNLINK, NULL));

	ASSERT_EQ(0, rd_unlink(self->ctl, name));
	EXPECT_EQ(-ENOENT, rd_unlink(self->ctl, name));
	EXPECT_EQ(-ENOENT, rd_attach(self->ctl, name, NULL));

	/* The unlinked ring lives on through its fd and maps fine. */
	map = rd_map(ring, c.region.size);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(RINGDEV_MAGIC, *(__u32 *)map);
	EXPECT_EQ(before + 1, rd_nr_rings(self->ctl));

	/* The mapping alone keeps it alive. */
	close(ring);
	EXPECT_EQ(before + 1, rd_nr_rings(self->ctl));
	EXPECT_EQ(RINGDEV_MAGIC, *(__u32 *)map);
	munmap(map, c.region.size);
	EXPECT_EQ(before, rd_nr_rings(self->ctl));
}

TEST_F(ctl, name_freed_with_last_fd)
{
	char name[RINGDEV_NAME_MAX];
	int ring, a;

	unique_name(name, sizeof(name), "last");
	ring = rd_create(self->ctl, name, 4, 64, 0, 0600, NULL);
	ASSERT_LE(0, ring);
	a = rd_attach(self->ctl, name, NULL);
	ASSERT_LE(0, a);
	close(ring);
	/* Still attachable through the second fd's reference. */
	ring = rd_attach(self->ctl, name, NULL);
	ASSERT_LE(0, ring);
	close(ring);
	close(a);
	EXPECT_EQ(-ENOENT, rd_attach(self->ctl, name, NULL));
	ring = rd_create(self->ctl, name, 4, 64, 0, 0600, NULL);
	EXPECT_LE(0, ring);
	close(ring);
}

TEST_F(ctl, list)
{
	struct ringdev_list l;
	struct ringdev_stats *st;
	char name[RINGDEV_NAME_MAX];
	struct ringdev_create c;
	int ring, found = 0;
	__u32 i, total;

	unique_name(name, sizeof(name), "list");
	ring = rd_create(self->ctl, name, 32, 128, RINGDEV_RING_F_DEV_PROD,
			 0640, &c);
	ASSERT_LE(0, ring);

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, rd_ioctl(self->ctl, RINGDEV_IOC_LIST, &l));
	EXPECT_EQ(0, l.count);
	EXPECT_LE(1, l.total);
	total = l.total;

	st = calloc(total + 16, sizeof(*st));
	ASSERT_NE(NULL, st);
	/* A huge count is clamped to the rings alive. */
	l.entries = (uintptr_t)st;
	l.count = 0xffffffffu;
	ASSERT_EQ(0, rd_ioctl(self->ctl, RINGDEV_IOC_LIST, &l));
	EXPECT_EQ(total, l.count);
	EXPECT_EQ(total, l.total);
	for (i = 0; i < l.count; i++) {
		if (st[i].ring_id != c.ring_id)
			continue;
		found = 1;
		EXPECT_STREQ(name, st[i].name);
		EXPECT_EQ(32, st[i].capacity);
		EXPECT_EQ(128, st[i].slot_size);
		EXPECT_EQ(RINGDEV_RING_F_DEV_PROD, st[i].flags);
		EXPECT_EQ(0640, st[i].mode);
		EXPECT_EQ(getuid(), st[i].uid);
	}
	EXPECT_TRUE(found);

	/* A short array gets exactly count entries. */
	memset(st, 0xee, (total + 16) * sizeof(*st));
	l.count = 1;
	ASSERT_EQ(0, rd_ioctl(self->ctl, RINGDEV_IOC_LIST, &l));
	EXPECT_EQ(1, l.count);
	EXPECT_EQ(0xeeeeeeeeu, st[1].ring_id);

	/* Bad entry pointers. */
	l.entries = 0;
	l.count = 4;
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_LIST, &l));
	l.entries = (uintptr_t)rd_bad_ptr();
	l.count = 4;
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_LIST, &l));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ctl, RINGDEV_IOC_LIST, NULL));
	free(st);
	close(ring);
}

/* ------------------------------------------------------------------ */
/* Permissions (POSIX shm rules)                                       */
/* ------------------------------------------------------------------ */

static int drop_to(uid_t uid, gid_t gid, int ngroups, const gid_t *groups)
{
	if (setgroups(ngroups, groups) || setgid(gid) || setuid(uid))
		return -errno;
	return 0;
}

/* Create a named ring as root with the given group as owner group. */
static int create_owned(int ctl, const char *name, gid_t gid, __u32 mode)
{
	int ring;

	setfsgid(gid);
	ring = rd_create(ctl, name, 4, 64, 0, mode, NULL);
	setfsgid(0);
	return ring;
}

TEST_F(ctl, perm_owner_only)
{
	char name[RINGDEV_NAME_MAX];
	int ring;

	if (geteuid())
		SKIP(return, "needs root");
	unique_name(name, sizeof(name), "p600");
	ring = rd_create(self->ctl, name, 4, 64, 0, 0600, NULL);
	ASSERT_LE(0, ring);
	ASSERT_EQ(0, drop_to(NOBODY, NOBODY, 0, NULL));
	EXPECT_EQ(-EACCES, rd_attach(self->ctl, name, NULL));
	EXPECT_EQ(-EPERM, rd_unlink(self->ctl, name));
	close(ring);
}

TEST_F(ctl, perm_group)
{
	char name[RINGDEV_NAME_MAX];
	gid_t groups[] = { 100, GROUP };
	int ring, fd;

	if (geteuid())
		SKIP(return, "needs root");
	unique_name(name, sizeof(name), "p660");
	ring = create_owned(self->ctl, name, GROUP, 0660);
	ASSERT_LE(0, ring);
	ASSERT_EQ(0, drop_to(NOBODY, NOBODY, 2, groups));
	fd = rd_attach(self->ctl, name, NULL);
	EXPECT_LE(0, fd);
	close(fd);
	close(ring);
}

TEST_F(ctl, perm_primary_group)
{
	char name[RINGDEV_NAME_MAX];
	int ring, fd;

	if (geteuid())
		SKIP(return, "needs root");
	unique_name(name, sizeof(name), "p660p");
	ring = create_owned(self->ctl, name, GROUP, 0660);
	ASSERT_LE(0, ring);
	ASSERT_EQ(0, drop_to(NOBODY, GROUP, 0, NULL));
	fd = rd_attach(self->ctl, name, NULL);
	EXPECT_LE(0, fd);
	close(fd);
	close(ring);
}

TEST_F(ctl, perm_group_not_member)
{
	char name[RINGDEV_NAME_MAX];
	gid_t groups[] = { 100 };
	int ring;

	if (geteuid())
		SKIP(return, "needs root");
	unique_name(name, sizeof(name), "p660n");
	ring = create_owned(self->ctl, name, GROUP, 0660);
	ASSERT_LE(0, ring);
	ASSERT_EQ(0, drop_to(NOBODY, NOBODY, 1, groups));
	EXPECT_EQ(-EACCES, rd_attach(self->ctl, name, NULL));
	close(ring);
}

TEST_F(ctl, perm_group_read_only)
{
	char name[RINGDEV_NAME_MAX];
	gid_t groups[] = { GROUP };
	int ring;

	if (geteuid())
		SKIP(return, "needs root");
	unique_name(name, sizeof(name), "p640");
	ring = create_owned(self->ctl, name, GROUP, 0640);
	ASSERT_LE(0, ring);
	ASSERT_EQ(0, drop_to(NOBODY, NOBODY, 1, groups));
	EXPECT_EQ(-EACCES, rd_attach(self->ctl, name, NULL));
	close(ring);
}

TEST_F(ctl, perm_other)
{
	char name[RINGDEV_NAME_MAX], name2[RINGDEV_NAME_MAX];
	int ring, ring2, fd;

	if (geteuid())
		SKIP(return, "needs root");
	unique_name(name, sizeof(name), "p606");
	unique_name(name2, sizeof(name2), "p664");
	ring = rd_create(self->ctl, name, 4, 64, 0, 0606, NULL);
	ASSERT_LE(0, ring);
	ring2 = rd_create(self->ctl, name2, 4, 64, 0, 0664, NULL);
	ASSERT_LE(0, ring2);
	ASSERT_EQ(0, drop_to(NOBODY, NOBODY, 0, NULL));
	fd = rd_attach(self->ctl, name, NULL);
	EXPECT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EACCES, rd_attach(self->ctl, name2, NULL));
	close(ring2);
	close(ring);
}

TEST_F(ctl, perm_owner_bits_win)
{
	char name[RINGDEV_NAME_MAX];
	gid_t groups[] = { GROUP };
	struct ringdev_stats st;
	int ring, fd;

	if (geteuid())
		SKIP(return, "needs root");
	/* Created by nobody: the owner bits (0) decide, not group/other. */
	ASSERT_EQ(0, setgroups(1, groups));
	ASSERT_EQ(0, setegid(GROUP));
	ASSERT_EQ(0, seteuid(NOBODY));
	unique_name(name, sizeof(name), "p066");
	ring = rd_create(self->ctl, name, 4, 64, 0, 0066, NULL);
	ASSERT_LE(0, ring);
	ASSERT_EQ(0, rd_stats(ring, &st));
	EXPECT_EQ(NOBODY, st.uid);
	EXPECT_EQ(-EACCES, rd_attach(self->ctl, name, NULL));
	/* Its owner may unlink it. */
	EXPECT_EQ(0, rd_unlink(self->ctl, name));
	ASSERT_EQ(0, seteuid(0));
	close(ring);

	/* And an owner with rw attaches although group/other have nothing. */
	ASSERT_EQ(0, seteuid(NOBODY));
	ring = rd_create(self->ctl, name, 4, 64, 0, 0600, NULL);
	ASSERT_LE(0, ring);
	fd = rd_attach(self->ctl, name, NULL);
	EXPECT_LE(0, fd);
	close(fd);
	close(ring);
}

/* ------------------------------------------------------------------ */
/* Ring fd: mmap                                                       */
/* ------------------------------------------------------------------ */

FIXTURE(ring) {
	int ctl;
	int ring;
	struct ringdev_create c;
	void *map;
	size_t size;
};

FIXTURE_SETUP(ring)
{
	self->ctl = rd_open_ctl();
	ASSERT_LE(0, self->ctl);
	self->ring = rd_create(self->ctl, NULL, 8, 64, 0, 0600, &self->c);
	ASSERT_LE(0, self->ring);
	self->size = self->c.region.size;
	self->map = rd_map(self->ring, self->size);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(ring)
{
	munmap(self->map, self->size);
	close(self->ring);
	close(self->ctl);
}

#define RING_CTRL(self) ((volatile struct ringdev_ctrl *)(self)->map)

TEST_F(ring, mmap_rules)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->ring, page);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->size - page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->ring, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->size + page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->ring, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->ring, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->size, PROT_READ, MAP_PRIVATE, self->ring, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, self->size, PROT_READ | PROT_EXEC, MAP_SHARED,
		 self->ring, 0);
	EXPECT_EQ(MAP_FAILED, p);

	/* Read-only shared is fine; it may not become executable. */
	p = mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->ring, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(RINGDEV_MAGIC, *(__u32 *)p);
	EXPECT_EQ(0, mprotect(p, self->size, PROT_READ | PROT_WRITE));
	EXPECT_NE(0, mprotect(p, self->size, PROT_READ | PROT_EXEC));
	munmap(p, self->size);

	/* The control fd has no mmap. */
	p = mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->ctl, 0);
	EXPECT_EQ(MAP_FAILED, p);
}

TEST_F(ring, mremap)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p;

	/* Growth is refused (VM_DONTEXPAND). */
	p = mremap(self->map, self->size, self->size + page, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	p = mremap(self->map, self->size, self->size * 4, 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* A move keeps the contents. */
	p = mremap(self->map, self->size, self->size, MREMAP_MAYMOVE |
		   MREMAP_FIXED, (char *)mmap(NULL, self->size, PROT_NONE,
					      MAP_PRIVATE | MAP_ANONYMOUS,
					      -1, 0));
	ASSERT_NE(MAP_FAILED, p);
	self->map = p;
	EXPECT_EQ(RINGDEV_MAGIC, *(__u32 *)p);
	/* Partial unmap of the tail is allowed and keeps the head. */
	EXPECT_EQ(0, munmap((char *)p + page, self->size - page));
	EXPECT_EQ(RINGDEV_MAGIC, *(__u32 *)p);
	self->size = page;
}

TEST_F(ring, madvise_dontneed_keeps_data)
{
	volatile __u64 *w = self->map;

	/* Zapped PTEs fault back in onto the same ring memory. */
	w[16] = 4242;
	ASSERT_EQ(0, madvise(self->map, self->size, MADV_DONTNEED));
	EXPECT_EQ(4242, w[16]);
	EXPECT_EQ(RINGDEV_MAGIC, *(volatile __u32 *)self->map);
	EXPECT_EQ(5, *rd_seq(self->map, 64, 5));
	ASSERT_EQ(0, madvise(self->map, self->size, MADV_DONTNEED));
	w[17] = 7;
	EXPECT_EQ(7, w[17]);
}

TEST_F(ring, two_mappings_and_fork)
{
	volatile __u64 *a = self->map, *b;
	pid_t pid;
	int st;

	b = rd_map(self->ring, self->size);
	ASSERT_NE(MAP_FAILED, b);
	a[20] = 77;
	EXPECT_EQ(77, b[20]);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		a[20] = 99;
		_exit(b[20] == 99 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(99, b[20]);
	munmap((void *)b, self->size);
}

TEST_F(ring, no_core_dump_flag)
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0, seen = 0;

	ASSERT_NE(NULL, f);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)self->map);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			in = 1;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			EXPECT_NE(NULL, strstr(line, " dd"));
			EXPECT_NE(NULL, strstr(line, " de"));
			EXPECT_NE(NULL, strstr(line, " sh"));
			seen = 1;
			break;
		}
	}
	fclose(f);
	EXPECT_TRUE(seen);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'r';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

TEST_F(ring, fd_passing)
{
	int sv[2], st;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ringdev_stats rs;
		volatile __u64 *m;
		int fd;

		/* A fresh process with nothing but the passed fd. */
		munmap(self->map, self->size);
		close(self->ring);
		close(self->ctl);
		fd = recv_fd(sv[1]);
		if (fd < 0 || rd_stats(fd, &rs) || rs.capacity != 8)
			_exit(1);
		m = rd_map(fd, rd_region_size(rs.capacity, rs.slot_size));
		if (m == MAP_FAILED)
			_exit(2);
		m[16] = 31337;	/* prod.pos */
		_exit(rd_kick(fd, RINGDEV_SIDE_CONS) ? 3 : 0);
	}
	ASSERT_EQ(0, send_fd(sv[0], self->ring));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(31337, RING_CTRL(self)->prod.pos);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* Ring fd: eventfd, KICK, STATS                                       */
/* ------------------------------------------------------------------ */

static int efd_pending(int efd, __u64 *val)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };

	if (poll(&p, 1, 0) != 1)
		return 0;
	return read(efd, val, sizeof(*val)) == sizeof(*val);
}

TEST_F(ring, set_eventfd_invalid)
{
	struct ringdev_set_eventfd se;
	int efd, pfd[2];

	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	EXPECT_EQ(-EINVAL, rd_set_eventfd(self->ring, 2, efd));
	EXPECT_EQ(-EINVAL, rd_set_eventfd(self->ring, 0xffffffffu, efd));
	EXPECT_EQ(-EINVAL, rd_set_eventfd(self->ring, 0, -2));
	EXPECT_EQ(-EINVAL, rd_set_eventfd(self->ring, 0, INT32_MIN));
	ASSERT_EQ(0, pipe(pfd));
	EXPECT_EQ(-EINVAL, rd_set_eventfd(self->ring, 0, pfd[0]));
	EXPECT_EQ(-EINVAL, rd_set_eventfd(self->ring, 0, self->ring));
	close(pfd[0]);
	close(pfd[1]);
	EXPECT_EQ(-EBADF, rd_set_eventfd(self->ring, 0, 1000000));
	close(efd);
	/* A closed eventfd. */
	EXPECT_EQ(-EBADF, rd_set_eventfd(self->ring, 0, efd));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ring, RINGDEV_IOC_SET_EVENTFD, NULL));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ring, RINGDEV_IOC_SET_EVENTFD,
				    rd_bad_ptr()));
	/* Unbinding what is not bound is fine. */
	se.side = RINGDEV_SIDE_PROD;
	se.fd = -1;
	EXPECT_EQ(0, rd_ioctl(self->ring, RINGDEV_IOC_SET_EVENTFD, &se));
}

TEST_F(ring, kick_invalid)
{
	struct ringdev_kick k = { .side = 0, .reserved = 1 };

	EXPECT_EQ(-EINVAL, rd_ioctl(self->ring, RINGDEV_IOC_KICK, &k));
	k.reserved = 0;
	k.side = 2;
	EXPECT_EQ(-EINVAL, rd_ioctl(self->ring, RINGDEV_IOC_KICK, &k));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ring, RINGDEV_IOC_KICK, NULL));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ring, RINGDEV_IOC_STATS, NULL));
	EXPECT_EQ(-EFAULT, rd_ioctl(self->ring, RINGDEV_IOC_STATS,
				    rd_bad_ptr()));
}

TEST_F(ring, kick_wakes_only_sleepers)
{
	struct ringdev_stats st;
	int cons = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int prod = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	__u64 v;
	int i;

	ASSERT_LE(0, cons);
	ASSERT_LE(0, prod);
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_CONS, cons));
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_PROD, prod));

	/* Nobody sleeps: three suppressed kicks, no signal. */
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_CONS));
	EXPECT_FALSE(efd_pending(cons, &v));
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_EQ(3, st.kicks);
	EXPECT_EQ(3, st.suppressed);
	EXPECT_EQ(0, st.wakeups);

	/* The consumer sleeps: its eventfd, not the producer's. */
	RING_CTRL(self)->cons_wake.need_wakeup = 1;
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_CONS));
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_CONS));
	ASSERT_TRUE(efd_pending(cons, &v));
	EXPECT_EQ(2, v);
	EXPECT_FALSE(efd_pending(prod, &v));
	/* The producer's flag is separate. */
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_PROD));
	EXPECT_FALSE(efd_pending(prod, &v));
	RING_CTRL(self)->prod_wake.need_wakeup = 0xffffffffu;
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_PROD));
	ASSERT_TRUE(efd_pending(prod, &v));
	EXPECT_EQ(1, v);

	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_EQ(7, st.kicks);
	EXPECT_EQ(4, st.suppressed);
	EXPECT_EQ(3, st.wakeups);
	EXPECT_EQ(0, st.watcher_wakes);

	/* Unbound: the kick still counts as a wake, nothing is signalled. */
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_CONS, -1));
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_CONS));
	EXPECT_FALSE(efd_pending(cons, &v));

	/* Rebinding replaces the old context. */
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_CONS, prod));
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_CONS, cons));
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_CONS));
	EXPECT_TRUE(efd_pending(cons, &v));
	EXPECT_FALSE(efd_pending(prod, &v));

	/* The eventfd may be closed while bound: the ring keeps it. */
	close(cons);
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_CONS));
	close(prod);
}

TEST_F(ring, stats)
{
	struct ringdev_stats st;
	int i;

	RING_CTRL(self)->prod.pos = 12345;
	RING_CTRL(self)->cons.pos = 0xfffffffffffffff0ull;
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_EQ(0, st.name[0]);
	EXPECT_EQ(self->c.ring_id, st.ring_id);
	EXPECT_EQ(8, st.capacity);
	EXPECT_EQ(64, st.slot_size);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(getuid(), st.uid);
	EXPECT_EQ(12345, st.prod_pos);
	EXPECT_EQ(0xfffffffffffffff0ull, st.cons_pos);
	EXPECT_EQ(0, st.kicks);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, st.reserved[i]);
}

struct race {
	int ring;
	volatile int stop;
};

static void *race_rebind(void *arg)
{
	struct race *r = arg;
	unsigned int i = 0;

	while (!r->stop) {
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		rd_set_eventfd(r->ring, i & 1, i % 5 ? efd : -1);
		close(efd);
		i++;
	}
	return NULL;
}

static void *race_kick(void *arg)
{
	struct race *r = arg;
	struct ringdev_stats st;
	struct pollfd p = { .fd = r->ring, .events = POLLIN | POLLOUT };
	unsigned int i = 0;

	while (!r->stop) {
		rd_kick(r->ring, i++ & 1);
		if (!(i % 16)) {
			poll(&p, 1, 0);
			rd_stats(r->ring, &st);
		}
	}
	return NULL;
}

TEST_F(ring, eventfd_swap_races_kick)
{
	struct race r = { .ring = self->ring };
	struct ringdev_stats st;
	pthread_t t[3];
	int i;

	RING_CTRL(self)->cons_wake.need_wakeup = 1;
	RING_CTRL(self)->prod_wake.need_wakeup = 1;
	ASSERT_EQ(0, pthread_create(&t[0], NULL, race_rebind, &r));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, race_kick, &r));
	ASSERT_EQ(0, pthread_create(&t[2], NULL, race_kick, &r));
	usleep(1500 * 1000);
	r.stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_LT(0, st.kicks);
	EXPECT_EQ(st.kicks, st.wakeups);
}

/* ------------------------------------------------------------------ */
/* poll                                                                */
/* ------------------------------------------------------------------ */

static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

TEST_F(ring, poll_readiness)
{
	volatile struct ringdev_ctrl *ctrl = RING_CTRL(self);
	void *m = self->map;
	int i;

	/* Empty: writable only. */
	EXPECT_EQ(POLLOUT, poll_now(self->ring));
	/* Claim and publish slot 0: readable, and slot 1 is free. */
	ctrl->prod.pos = 1;
	*rd_seq(m, 64, 0) = 1;
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->ring));
	/* Producer claims all 8 slots and publishes them. */
	for (i = 1; i < 8; i++)
		*rd_seq(m, 64, i) = i + 1;
	ctrl->prod.pos = 8;
	/* Slot 0 holds seq 1, not 8: full. */
	EXPECT_EQ(POLLIN, poll_now(self->ring));
	/* Consumer takes slot 0 and frees it for lap 2. */
	*rd_seq(m, 64, 0) = 8;
	ctrl->cons.pos = 1;
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->ring));
	/* Garbage positions are masked, never dereferenced raw. */
	ctrl->cons.pos = 0xffffffffffffffffull;
	ctrl->prod.pos = 0x8000000000000000ull;
	poll_now(self->ring);
	*rd_seq(m, 64, 7) = 0;	/* 0xff..ff + 1 */
	EXPECT_TRUE(poll_now(self->ring) & POLLIN);
}

struct kicker {
	int ring;
	void *map;
	int delay_ms;
	int kick;
};

static void *kicker_fn(void *arg)
{
	struct kicker *k = arg;

	usleep(k->delay_ms * 1000);
	*rd_seq(k->map, 64, 0) = 1;
	if (k->kick)
		rd_kick(k->ring, RINGDEV_SIDE_CONS);
	return NULL;
}

TEST_F(ring, poll_woken_by_kick)
{
	struct kicker k = { self->ring, self->map, 50, 1 };
	struct pollfd p = { .fd = self->ring, .events = POLLIN };
	struct ringdev_stats st;
	pthread_t t;

	RING_CTRL(self)->cons_wake.need_wakeup = 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, kicker_fn, &k));
	EXPECT_EQ(1, poll(&p, 1, 5000));
	EXPECT_EQ(POLLIN, p.revents);
	pthread_join(t, NULL);
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_EQ(1, st.wakeups);
}

TEST_F(ring, poll_not_woken_without_kick)
{
	struct kicker k = { self->ring, self->map, 20, 0 };
	struct pollfd p = { .fd = self->ring, .events = POLLIN };
	pthread_t t;
	double t0;

	/*
	 * Publishing alone sends no wake: the doorbell is the contract.
	 * The sleeper only sees the message when its timeout expires.
	 */
	RING_CTRL(self)->cons_wake.need_wakeup = 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, kicker_fn, &k));
	t0 = now_s();
	EXPECT_EQ(1, poll(&p, 1, 400));
	EXPECT_LE(0.35, now_s() - t0);
	pthread_join(t, NULL);
	EXPECT_EQ(1, poll(&p, 1, 0));
}

/*
 * A single sleeper is rung once per sleep, so a kick must end the sleep
 * even when the slot it was rung for is not the next one: on an MP ring
 * a later producer may publish and kick while an earlier one still fills
 * the consumer's next slot; that earlier one's doorbell is then
 * suppressed as already rung.  poll() reports the rung sleep ready until
 * the sleeper announces a new one (the runtime stall of session 1).
 */
TEST_F(ring, kick_ends_the_sleep_it_rang)
{
	volatile struct ringdev_ctrl *ctrl = RING_CTRL(self);
	void *m = self->map;
	int i;

	/* Consumer asleep in sleep 7 on an empty ring: not readable. */
	ctrl->cons_wake.sleep_seq = 7;
	ctrl->cons_wake.need_wakeup = 1;
	EXPECT_EQ(POLLOUT, poll_now(self->ring));
	/* Slot 1 published, slot 0 still being filled: still not readable. */
	ctrl->prod.pos = 2;
	*rd_seq(m, 64, 1) = 2;
	EXPECT_EQ(0, poll_now(self->ring) & POLLIN);
	/* The kick rings sleep 7: readable, whatever the slots say. */
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_CONS));
	EXPECT_EQ(POLLIN, poll_now(self->ring) & POLLIN);
	EXPECT_EQ(POLLIN, poll_now(self->ring) & POLLIN);
	/* A new sleep has not been rung. */
	ctrl->cons_wake.sleep_seq = 8;
	EXPECT_EQ(0, poll_now(self->ring) & POLLIN);
	/* Awake (no flag): a kick is suppressed and latches nothing. */
	ctrl->cons_wake.need_wakeup = 0;
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_CONS));
	ctrl->cons_wake.need_wakeup = 1;
	EXPECT_EQ(0, poll_now(self->ring) & POLLIN);

	/* The producer side, on a full ring: the same rule. */
	for (i = 0; i < 8; i++)
		*rd_seq(m, 64, i) = i + 1;
	ctrl->prod.pos = 8;
	ctrl->prod_wake.sleep_seq = 3;
	ctrl->prod_wake.need_wakeup = 1;
	EXPECT_EQ(0, poll_now(self->ring) & POLLOUT);
	EXPECT_EQ(0, rd_kick(self->ring, RINGDEV_SIDE_PROD));
	EXPECT_EQ(POLLOUT, poll_now(self->ring) & POLLOUT);
	ctrl->prod_wake.sleep_seq = 4;
	EXPECT_EQ(0, poll_now(self->ring) & POLLOUT);
}

/* ------------------------------------------------------------------ */
/* Doorbell watcher (device producer)                                  */
/* ------------------------------------------------------------------ */

FIXTURE(devprod) {
	int ctl;
	int ring;
	struct ringdev_create c;
	volatile struct ringdev_ctrl *ctrl;
};

FIXTURE_SETUP(devprod)
{
	self->ctl = rd_open_ctl();
	ASSERT_LE(0, self->ctl);
	self->ring = rd_create(self->ctl, NULL, 8, 64,
			       RINGDEV_RING_F_DEV_PROD, 0600, &self->c);
	ASSERT_LE(0, self->ring);
	self->ctrl = rd_map(self->ring, self->c.region.size);
	ASSERT_NE(MAP_FAILED, self->ctrl);
}

FIXTURE_TEARDOWN(devprod)
{
	munmap((void *)self->ctrl, self->c.region.size);
	close(self->ring);
	close(self->ctl);
}

TEST_F(devprod, watcher_signals_eventfd)
{
	struct pollfd p;
	struct ringdev_stats st;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	__u64 v;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_CONS, efd));

	/* Consumer awake: a doorbell bump is not signalled. */
	self->ctrl->prod.doorbell++;
	usleep(100 * 1000);
	EXPECT_FALSE(efd_pending(efd, &v));

	/* Consumer asleep: it is. */
	self->ctrl->cons_wake.need_wakeup = 1;
	usleep(20 * 1000);
	self->ctrl->prod.doorbell++;
	p.fd = efd;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 3000));
	EXPECT_TRUE(efd_pending(efd, &v));

	/* No new bump: no new signal. */
	usleep(50 * 1000);
	EXPECT_FALSE(efd_pending(efd, &v));

	/* prod.pos moving counts as well. */
	self->ctrl->prod.pos += 3;
	EXPECT_EQ(1, poll(&p, 1, 3000));
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_LE(2, st.watcher_wakes);
	EXPECT_EQ(0, st.kicks);
	close(efd);
}

struct gpu {
	volatile struct ringdev_ctrl *ctrl;
	int delay_ms;
};

static void *gpu_fn(void *arg)
{
	struct gpu *g = arg;

	usleep(g->delay_ms * 1000);
	*rd_seq((void *)g->ctrl, 64, 0) = 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	g->ctrl->prod.doorbell++;
	return NULL;
}

TEST_F(devprod, watcher_wakes_poll)
{
	struct gpu g = { self->ctrl, 100 };
	struct pollfd p = { .fd = self->ring, .events = POLLIN };
	struct ringdev_stats st;
	pthread_t t;

	/* No eventfd: the sleeper in poll() arms the watcher itself. */
	self->ctrl->cons_wake.need_wakeup = 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, gpu_fn, &g));
	EXPECT_EQ(1, poll(&p, 1, 5000));
	EXPECT_EQ(POLLIN, p.revents);
	pthread_join(t, NULL);
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_LE(1, st.watcher_wakes);
}

TEST_F(devprod, watcher_wakes_epoll)
{
	struct gpu g = { self->ctrl, 100 };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	pthread_t t;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_LE(0, ep);
	self->ctrl->cons_wake.need_wakeup = 1;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->ring, &ev));
	ASSERT_EQ(0, pthread_create(&t, NULL, gpu_fn, &g));
	memset(&ev, 0, sizeof(ev));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 5000));
	EXPECT_EQ(7, ev.data.u32);
	EXPECT_TRUE(ev.events & EPOLLIN);
	pthread_join(t, NULL);
	close(ep);
}

TEST_F(devprod, watcher_interval_param)
{
	long old = rd_param_get("watch_interval_us");
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct pollfd p = { .fd = efd, .events = POLLIN };

	ASSERT_LT(0, old);
	ASSERT_LE(0, efd);
	/* Silly values are clamped, not obeyed. */
	ASSERT_EQ(0, rd_param_set("watch_interval_us", 0));
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_CONS, efd));
	self->ctrl->cons_wake.need_wakeup = 1;
	usleep(10 * 1000);
	self->ctrl->prod.doorbell = 42;
	EXPECT_EQ(1, poll(&p, 1, 3000));
	ASSERT_EQ(0, rd_param_set("watch_interval_us", old));
	close(efd);
}

TEST_F(ring, no_watcher_without_dev_prod)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct ringdev_stats st;
	__u64 v;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_CONS, efd));
	RING_CTRL(self)->cons_wake.need_wakeup = 1;
	RING_CTRL(self)->prod.doorbell++;
	usleep(100 * 1000);
	EXPECT_FALSE(efd_pending(efd, &v));
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_EQ(0, st.watcher_wakes);
	close(efd);
}

/* ------------------------------------------------------------------ */
/* Process death, module pinning                                       */
/* ------------------------------------------------------------------ */

TEST_F(ctl, killed_process_returns_memory)
{
	struct ringdev_info before, during, after;
	int pfd[2], i, tries;
	char c;
	pid_t pid;

	ASSERT_EQ(0, rd_info(self->ctl, &before));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ctl = rd_open_ctl();
		char name[RINGDEV_NAME_MAX];

		for (i = 0; i < 4; i++) {
			struct ringdev_create cr;
			int r, a;
			char *m;

			snprintf(name, sizeof(name), "st-killed-%d-%d",
				 getpid(), i);
			r = rd_create(ctl, i & 1 ? name : NULL, 64, 4096, 0,
				      0600, &cr);
			if (r < 0)
				_exit(1);
			m = rd_map(r, cr.region.size);
			if (m == MAP_FAILED)
				_exit(2);
			memset(m + RINGDEV_CTRL_SIZE, 0x5a, 64 * 4096);
			if (i & 1) {
				a = rd_attach(ctl, name, NULL);
				if (a < 0)
					_exit(3);
			}
			if (i == 2)
				close(r);	/* the mapping holds it */
		}
		if (write(pfd[1], "x", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	ASSERT_EQ(0, rd_info(self->ctl, &during));
	EXPECT_EQ(before.nr_rings + 4, during.nr_rings);
	EXPECT_EQ(before.user_bytes + 4 * rd_region_size(64, 4096),
		  during.user_bytes);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (tries = 0; tries < 100; tries++) {
		ASSERT_EQ(0, rd_info(self->ctl, &after));
		if (after.nr_rings == before.nr_rings)
			break;
		usleep(10 * 1000);
	}
	EXPECT_EQ(before.nr_rings, after.nr_rings);
	EXPECT_EQ(before.user_bytes, after.user_bytes);
	close(pfd[0]);
}

TEST_F(ctl, rmmod_refused_while_ring_open)
{
	int ring, st;

	if (geteuid())
		SKIP(return, "needs root");
	if (system("command -v rmmod >/dev/null 2>&1"))
		SKIP(return, "no rmmod");
	ring = rd_create(self->ctl, NULL, 4, 64, 0, 0600, NULL);
	ASSERT_LE(0, ring);
	close(self->ctl);
	self->ctl = -1;
	/* Only the ring fd pins the module now. */
	st = system("rmmod ringdev 2>/dev/null");
	EXPECT_NE(0, st);
	EXPECT_EQ(0, access("/sys/module/ringdev", F_OK));
	close(ring);
}

/* ------------------------------------------------------------------ */
/* A short, bounded fuzz loop                                          */
/* ------------------------------------------------------------------ */

static unsigned long long rnd_state;

static unsigned long long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

#define FUZZ_RINGS 8

TEST_F_TIMEOUT(ctl, fuzz, 120)
{
	static const unsigned long cmds[] = {
		RINGDEV_IOC_INFO, RINGDEV_IOC_CREATE, RINGDEV_IOC_ATTACH,
		RINGDEV_IOC_UNLINK, RINGDEV_IOC_LIST, RINGDEV_IOC_SET_EVENTFD,
		RINGDEV_IOC_KICK, RINGDEV_IOC_STATS,
	};
	const char *budget_env = getenv("RINGDEV_FUZZ_SECONDS");
	double budget = budget_env ? atof(budget_env) : 60.0, end;
	struct ringdev_stats *scratch;
	int rings[FUZZ_RINGS], efd, before, i;
	unsigned long iters = 0, ok = 0;
	void *bad = rd_bad_ptr();

	rnd_state = getenv("RINGDEV_FUZZ_SEED") ?
		    strtoull(getenv("RINGDEV_FUZZ_SEED"), NULL, 0) :
		    (unsigned long long)time(NULL) * 2654435761u | 1;
	TH_LOG("seed %llu, %.0f s", rnd_state, budget);
	before = rd_nr_rings(self->ctl);
	scratch = calloc(4096, sizeof(*scratch));
	ASSERT_NE(NULL, scratch);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (i = 0; i < FUZZ_RINGS; i++)
		rings[i] = -1;

	end = now_s() + budget;
	while (now_s() < end) {
		union {
			struct ringdev_create c;
			struct ringdev_attach a;
			struct ringdev_list l;
			struct ringdev_set_eventfd e;
			struct ringdev_kick k;
			unsigned char b[256];
		} u;
		int slot = rnd() % FUZZ_RINGS, fd, ret;
		unsigned long cmd = cmds[rnd() % 8];
		size_t j;

		iters++;
		for (j = 0; j < sizeof(u.b); j++)
			u.b[j] = rnd();
		/* Bias towards plausible values so that deep paths run. */
		switch (cmd) {
		case RINGDEV_IOC_CREATE:
			if (rnd() & 1) {
				rd_create_req(&u.c, rnd() & 1 ? "" : "fz-a",
					      1u << (rnd() % 12),
					      1u << (5 + rnd() % 9),
					      rnd() & 0x1f, rnd() & 0777);
				if (rnd() & 3)
					u.c.flags &= RINGDEV_RING_F_ALL;
			}
			break;
		case RINGDEV_IOC_ATTACH:
		case RINGDEV_IOC_UNLINK:
			if (rnd() & 1) {
				memset(&u.a, 0, sizeof(u.a));
				strcpy(u.a.name, rnd() & 1 ? "fz-a" : "fz-b");
			}
			break;
		case RINGDEV_IOC_LIST:
			/* Never let the kernel write into random memory. */
			switch (rnd() % 3) {
			case 0: u.l.entries = 0; break;
			case 1: u.l.entries = (uintptr_t)bad; break;
			default: u.l.entries = (uintptr_t)scratch;
				u.l.count %= 4096; break;
			}
			break;
		case RINGDEV_IOC_SET_EVENTFD:
			if (rnd() & 1) {
				u.e.side = rnd() % 3;
				u.e.fd = rnd() & 1 ? efd : (int)(rnd() % 40) - 1;
			}
			break;
		case RINGDEV_IOC_KICK:
			if (rnd() & 1) {
				u.k.side = rnd() % 3;
				u.k.reserved = !(rnd() % 8);
			}
			break;
		}

		fd = rnd() % 3 ? rings[slot] : self->ctl;
		if (fd < 0)
			fd = self->ctl;
		if (rnd() % 16 == 0)
			ret = ioctl(fd, (unsigned int)rnd(), u.b);
		else
			ret = ioctl(fd, cmd, rnd() % 32 ? (void *)u.b : bad);
		if (ret >= 0)
			ok++;
		if (ret >= 0 && fd == self->ctl &&
		    (cmd == RINGDEV_IOC_CREATE || cmd == RINGDEV_IOC_ATTACH)) {
			int nfd = cmd == RINGDEV_IOC_CREATE ? u.c.fd : u.a.fd;

			if (rings[slot] >= 0)
				close(rings[slot]);
			rings[slot] = nfd;
		}

		/* Map, scribble garbage over the control block, poll, unmap. */
		if (rings[slot] >= 0 && rnd() % 4 == 0) {
			struct ringdev_stats st;
			struct pollfd p = { .fd = rings[slot],
					    .events = POLLIN | POLLOUT };
			size_t len;
			void *m;

			if (rd_stats(rings[slot], &st))
				continue;
			len = rd_region_size(st.capacity, st.slot_size);
			if (rnd() % 8 == 0)
				len += ((int)(rnd() % 3) - 1) * 4096;
			m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 rnd() % 8 ? MAP_SHARED : MAP_PRIVATE,
				 rings[slot], rnd() % 8 ? 0 : 4096);
			if (m != MAP_FAILED) {
				__u64 *w = m;

				for (j = 0; j < 8; j++)
					w[rnd() % (RINGDEV_CTRL_SIZE / 8)] = rnd();
				w[16] = rnd();	/* prod.pos */
				w[32] = rnd();	/* cons.pos */
				poll(&p, 1, 0);
				rd_kick(rings[slot], rnd() % 2);
				munmap(m, len);
			}
		}
		if (rnd() % 64 == 0 && rings[slot] >= 0) {
			close(rings[slot]);
			rings[slot] = -1;
		}
	}
	TH_LOG("%lu calls, %lu succeeded", iters, ok);
	for (i = 0; i < FUZZ_RINGS; i++)
		if (rings[i] >= 0)
			close(rings[i]);
	close(efd);
	free(scratch);
	EXPECT_EQ(before, rd_nr_rings(self->ctl));
}

RD_SELFTEST_MAIN()

// SPDX-License-Identifier: GPL-2.0
/*
 * uring_test.c - RINGDEV_IOC_KICK as an IORING_OP_URING_CMD, in batches,
 * through liburing.  liburing 2.3 has no uring_cmd prep helper, so the
 * SQEs are filled by hand: opcode, fd, cmd_op and the payload in the
 * SQE's command area.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "ringdev_lib.h"
#include "kselftest_harness.h"

#ifdef HAVE_LIBURING
#include <liburing.h>

/* The command area starts at the SQE's 'cmd' member (offset 48). */
static void prep_kick(struct io_uring_sqe *sqe, int fd, __u32 side,
		      __u32 reserved, __u32 cmd_op, __u64 tag)
{
	struct ringdev_kick k = { .side = side, .reserved = reserved };

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = cmd_op;
	sqe->user_data = tag;
	memcpy((char *)sqe + offsetof(struct io_uring_sqe, cmd), &k, sizeof(k));
}

static struct io_uring_sqe *get_sqe(struct io_uring *ur)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ur);

	if (!sqe)
		abort();	/* the batches here fit the queue */
	return sqe;
}

FIXTURE(uring) {
	int ctl;
	int ring;
	struct ringdev_create c;
	volatile struct ringdev_ctrl *ctrl;
	struct io_uring uring;
	int have_uring;
};

FIXTURE_SETUP(uring)
{
	int ret;

	self->ctl = rd_open_ctl();
	ASSERT_LE(0, self->ctl);
	self->ring = rd_create(self->ctl, NULL, 8, 64, 0, 0600, &self->c);
	ASSERT_LE(0, self->ring);
	self->ctrl = rd_map(self->ring, self->c.region.size);
	ASSERT_NE(MAP_FAILED, self->ctrl);
	ret = io_uring_queue_init(256, &self->uring, 0);
	self->have_uring = ret == 0;
	if (ret)
		TH_LOG("io_uring_queue_init: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(uring)
{
	if (self->have_uring)
		io_uring_queue_exit(&self->uring);
	munmap((void *)self->ctrl, self->c.region.size);
	close(self->ring);
	close(self->ctl);
}

/* Submit n prepared SQEs and collect n CQEs into res[] by tag. */
static int run_batch(struct io_uring *ur, int n, int *res)
{
	struct io_uring_cqe *cqe;
	int i, ret;

	ret = io_uring_submit_and_wait(ur, n);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		ret = io_uring_wait_cqe(ur, &cqe);
		if (ret)
			return ret;
		if (cqe->user_data < (__u64)n)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(ur, cqe);
	}
	return 0;
}

TEST_F(uring, kick_batch_suppressed)
{
	struct ringdev_stats st;
	int res[128], i;

	if (!self->have_uring)
		SKIP(return, "io_uring unavailable");
	for (i = 0; i < 128; i++) {
		prep_kick(get_sqe(&self->uring), self->ring,
			  RINGDEV_SIDE_CONS, 0, RINGDEV_IOC_KICK, i);
		res[i] = 12345;
	}
	ASSERT_EQ(0, run_batch(&self->uring, 128, res));
	for (i = 0; i < 128; i++)
		EXPECT_EQ(0, res[i]);
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_EQ(128, st.kicks);
	EXPECT_EQ(128, st.suppressed);
	EXPECT_EQ(0, st.wakeups);
}

TEST_F(uring, kick_batch_wakes)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct ringdev_stats st;
	int res[64], i;
	__u64 v = 0;

	if (!self->have_uring)
		SKIP(return, "io_uring unavailable");
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, rd_set_eventfd(self->ring, RINGDEV_SIDE_PROD, efd));
	self->ctrl->prod_wake.need_wakeup = 1;
	for (i = 0; i < 64; i++)
		prep_kick(get_sqe(&self->uring), self->ring,
			  RINGDEV_SIDE_PROD, 0, RINGDEV_IOC_KICK, i);
	ASSERT_EQ(0, run_batch(&self->uring, 64, res));
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, res[i]);
	ASSERT_EQ(sizeof(v), read(efd, &v, sizeof(v)));
	EXPECT_EQ(64, v);
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_EQ(64, st.kicks);
	EXPECT_EQ(64, st.wakeups);
	EXPECT_EQ(0, st.suppressed);
	close(efd);
}

TEST_F(uring, invalid_commands)
{
	int res[6], i;

	if (!self->have_uring)
		SKIP(return, "io_uring unavailable");
	prep_kick(get_sqe(&self->uring), self->ring, 2, 0,
		  RINGDEV_IOC_KICK, 0);
	prep_kick(get_sqe(&self->uring), self->ring, 0, 1,
		  RINGDEV_IOC_KICK, 1);
	/* Only KICK travels by io_uring. */
	prep_kick(get_sqe(&self->uring), self->ring, 0, 0,
		  RINGDEV_IOC_STATS, 2);
	prep_kick(get_sqe(&self->uring), self->ring, 0, 0,
		  RINGDEV_IOC_SET_EVENTFD, 3);
	prep_kick(get_sqe(&self->uring), self->ring, 0, 0,
		  0xdeadbeef, 4);
	/* The control fd takes no uring_cmd at all. */
	prep_kick(get_sqe(&self->uring), self->ctl, 0, 0,
		  RINGDEV_IOC_KICK, 5);
	for (i = 0; i < 6; i++)
		res[i] = 12345;
	ASSERT_EQ(0, run_batch(&self->uring, 6, res));
	EXPECT_EQ(-EINVAL, res[0]);
	EXPECT_EQ(-EINVAL, res[1]);
	EXPECT_EQ(-ENOTTY, res[2]);
	EXPECT_EQ(-ENOTTY, res[3]);
	EXPECT_EQ(-ENOTTY, res[4]);
	EXPECT_EQ(-EOPNOTSUPP, res[5]);
}

TEST_F(uring, linked_kicks)
{
	struct io_uring_sqe *sqe;
	int res[4], i;

	if (!self->have_uring)
		SKIP(return, "io_uring unavailable");
	/* A successful KICK must not break a link chain. */
	for (i = 0; i < 4; i++) {
		sqe = get_sqe(&self->uring);
		prep_kick(sqe, self->ring, RINGDEV_SIDE_CONS, 0,
			  RINGDEV_IOC_KICK, i);
		if (i < 3)
			sqe->flags |= IOSQE_IO_LINK;
	}
	ASSERT_EQ(0, run_batch(&self->uring, 4, res));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, res[i]);
}

TEST_F(uring, async_kicks)
{
	struct ringdev_stats st;
	struct io_uring_sqe *sqe;
	int res[32], i;

	if (!self->have_uring)
		SKIP(return, "io_uring unavailable");
	/* Forced to io-wq: the payload must come from the async copy. */
	for (i = 0; i < 32; i++) {
		sqe = get_sqe(&self->uring);
		prep_kick(sqe, self->ring, RINGDEV_SIDE_CONS, 0,
			  RINGDEV_IOC_KICK, i);
		sqe->flags |= IOSQE_ASYNC;
	}
	ASSERT_EQ(0, run_batch(&self->uring, 32, res));
	for (i = 0; i < 32; i++)
		EXPECT_EQ(0, res[i]);
	ASSERT_EQ(0, rd_stats(self->ring, &st));
	EXPECT_EQ(32, st.kicks);
}

#else /* !HAVE_LIBURING */

TEST(uring_unavailable)
{
	SKIP(return, "built without liburing");
}

#endif

RD_SELFTEST_MAIN()

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * chan_basic.c - channel behaviour on the shm transport: options, timeouts,
 * doorbell suppression, fd passing, attach by name, peer death.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"

#define RINGDEV_MAX_LINKS_TEST	64	/* lib/internal.h's RINGDEV_MAX_LINKS */

static struct ringdev_envelope env_id(__u64 id, __u32 len)
{
	struct ringdev_envelope e;

	memset(&e, 0, sizeof(e));
	e.msg_id = id;
	e.len = len;
	return e;
}

static int test_options(void)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c = (struct ringdev_chan *)1;

	ringdev_chan_opts_init(&o);
	T_EQ(o.capacity, RINGDEV_DEFAULT_CAPACITY);
	o.capacity = 3;
	T_EQ(ringdev_chan_create(&o, &c), -EINVAL);
	T_ASSERT(c == NULL, "out cleared on failure");
	ringdev_chan_opts_init(&o);
	o.reserved = 1;
	T_EQ(ringdev_chan_create(&o, &c), -EINVAL);
	ringdev_chan_opts_init(&o);
	o.transport = 99;
	T_EQ(ringdev_chan_create(&o, &c), -EINVAL);
	/* Asking for the driver where there is none is a clear -ENODEV. */
	if (access("/dev/ringdev", F_OK)) {
		ringdev_chan_opts_init(&o);
		o.transport = RINGDEV_TRANSPORT_DEV;
		T_EQ(ringdev_chan_create(&o, &c), -ENODEV);
		T_EQ(ringdev_chan_attach("x", RINGDEV_TRANSPORT_DEV, &c), -ENODEV);
	}
	ringdev_chan_opts_init(&o);
	o.name = "bad/name";
	T_EQ(ringdev_chan_create(&o, &c), -EINVAL);
	o.name = "";
	T_EQ(ringdev_chan_create(&o, &c), -EINVAL);
	T_EQ(ringdev_chan_create(NULL, &c), 0);
	/* AUTO honours $RINGDEV_TRANSPORT (the VM runs this file on both). */
	if (getenv("RINGDEV_TRANSPORT") && !strcmp(getenv("RINGDEV_TRANSPORT"), "dev"))
		T_EQ(ringdev_chan_transport(c), RINGDEV_TRANSPORT_DEV);
	else if (getenv("RINGDEV_TRANSPORT"))
		T_EQ(ringdev_chan_transport(c), RINGDEV_TRANSPORT_SHM);
	ringdev_chan_close(c);
	ringdev_chan_close(NULL);
	return T_PASS;
}

static int test_timeouts(void)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c;
	struct ringdev_envelope e = env_id(1, 0), got;
	char buf[8];
	int i;

	ringdev_chan_opts_init(&o);
	o.capacity = 2;
	o.slot_size = 64;
	o.spin_ns = 1000;
	T_EQ(ringdev_chan_create(&o, &c), 0);
	T_EQ(ringdev_chan_recv(c, &got, buf, sizeof(buf), 0), -EAGAIN);
	T_EQ(ringdev_chan_recv(c, &got, buf, sizeof(buf), 2000000), -ETIMEDOUT);
	for (i = 0; i < 2; i++)
		T_EQ(ringdev_chan_send(c, &e, NULL, 0), 0);
	T_EQ(ringdev_chan_send(c, &e, NULL, 0), -EAGAIN);
	T_EQ(ringdev_chan_send(c, &e, NULL, 2000000), -ETIMEDOUT);
	T_EQ(ringdev_chan_recv(c, &got, buf, sizeof(buf), 0), 0);
	T_EQ(ringdev_chan_send(c, &e, NULL, 2000000), 0);
	ringdev_chan_close(c);
	return T_PASS;
}

/* Sends one 16-byte message after a pause, so that it lands mid-wait. */
struct late_send {
	struct ringdev_chan *c;
	int rc;
};

static void *late_sender(void *arg)
{
	struct late_send *ls = arg;
	struct ringdev_envelope e = env_id(42, 16);
	char payload[16] = "sixteen bytes..";

	e.corr_id = 7;
	e.src = 3;
	usleep(50000);
	ls->rc = ringdev_chan_send(ls->c, &e, payload, 0);
	return NULL;
}

/*
 * ringdev_chan_recv() into a buffer too small for the next message gives
 * -EMSGSIZE and leaves it queued, whether it was there at the call or
 * arrived while the call waited; after a wait the header arrives whole.
 */
static int test_recv_too_small(void)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c;
	struct ringdev_envelope got;
	struct late_send ls;
	pthread_t th;
	char small[8], big[16];
	int round;

	ringdev_chan_opts_init(&o);
	o.capacity = 4;
	o.slot_size = 128;
	o.spin_ns = 1000;	/* the late message finds the receiver asleep */
	T_EQ(ringdev_chan_create(&o, &c), 0);
	for (round = 0; round < 2; round++) {
		ls.c = c;
		ls.rc = 1;
		T_EQ(pthread_create(&th, NULL, late_sender, &ls), 0);
		if (round == 1) {
			pthread_join(th, NULL);	/* already queued at the call */
			T_EQ(ls.rc, 0);
		}
		T_EQ(ringdev_chan_recv(c, &got, small, sizeof(small), 5 * 1000000000LL),
		     -EMSGSIZE);
		if (round == 0) {
			pthread_join(th, NULL);
			T_EQ(ls.rc, 0);
		}
		memset(&got, 0, sizeof(got));
		T_EQ(ringdev_chan_recv(c, &got, big, sizeof(big), 0), 16);
		T_EQ(got.msg_id, 42);
		T_EQ(got.corr_id, 7);
		T_EQ(got.src, 3);
		T_EQ(got.len, 16);
		T_ASSERT(!memcmp(big, "sixteen bytes..", 16), "payload");
		T_EQ(ringdev_chan_recv(c, &got, big, sizeof(big), 0), -EAGAIN);
	}
	ringdev_chan_close(c);
	return T_PASS;
}

/* Nobody sleeps: every doorbell is suppressed, no syscall made. */
static int test_suppression(void)
{
	struct ringdev_chan *c;
	struct ringdev_chan_stats st;
	struct ringdev_envelope e = env_id(1, 0), got;
	char buf[8];
	int i;

	T_EQ(ringdev_chan_create(NULL, &c), 0);
	for (i = 0; i < 1000; i++) {
		T_EQ(ringdev_chan_send(c, &e, NULL, 0), 0);
		T_EQ(ringdev_chan_recv(c, &got, buf, sizeof(buf), 0), 0);
	}
	ringdev_chan_stats(c, &st);
	T_EQ(st.kicks, 0);
	T_EQ(st.suppressed, 2000);
	ringdev_chan_close(c);
	return T_PASS;
}

/* Child echoes every message back on a second channel until told to stop. */
static int echo_child(int sock)
{
	struct ringdev_chan *in, *out;
	struct ringdev_envelope e;
	char buf[256];
	int n;

	if (ringdev_chan_recv_fds(sock, &in) || ringdev_chan_recv_fds(sock, &out))
		return 2;
	for (;;) {
		n = ringdev_chan_recv(in, &e, buf, sizeof(buf), RINGDEV_WAIT_FOREVER);
		if (n < 0)
			return 3;
		if (e.type == 0xdead)
			return 0;
		if (ringdev_chan_send(out, &e, buf, RINGDEV_WAIT_FOREVER))
			return 4;
	}
}

static int test_fd_passing(void)
{
	struct ringdev_chan *to, *from;
	struct ringdev_envelope e, got;
	int sv[2], status, i;
	char buf[256];
	pid_t pid;

	T_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	T_EQ(ringdev_chan_create(NULL, &to), 0);
	T_EQ(ringdev_chan_create(NULL, &from), 0);
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		close(sv[0]);
		_exit(echo_child(sv[1]));
	}
	close(sv[1]);
	T_EQ(ringdev_chan_send_fds(to, sv[0]), 0);
	T_EQ(ringdev_chan_send_fds(from, sv[0]), 0);
	close(sv[0]);
	for (i = 0; i < 10000; i++) {
		e = env_id((__u64)i, 16);
		memset(buf, i & 0xff, 16);
		T_EQ(ringdev_chan_send(to, &e, buf, RINGDEV_WAIT_FOREVER), 0);
		memset(buf, 0, 16);
		T_EQ(ringdev_chan_recv(from, &got, buf, sizeof(buf), 5000000000LL), 16);
		T_EQ(got.msg_id, (__u64)i);
		T_EQ((unsigned char)buf[15], (unsigned)i & 0xff);
	}
	e = env_id(0, 0);
	e.type = 0xdead;
	T_EQ(ringdev_chan_send(to, &e, NULL, RINGDEV_WAIT_FOREVER), 0);
	T_EQ(waitpid(pid, &status, 0), pid);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	/* The child is gone: a wait now reports it instead of hanging. */
	T_EQ(ringdev_chan_recv(from, &got, buf, sizeof(buf), RINGDEV_WAIT_FOREVER), -EPIPE);
	ringdev_chan_close(to);
	ringdev_chan_close(from);
	return T_PASS;
}

static int test_peer_death(void)
{
	struct ringdev_chan *c;
	struct ringdev_envelope e = env_id(7, 0), got;
	struct ringdev_chan_opts o;
	int sv[2], status, i;
	char buf[8];
	pid_t pid;

	/* A producer dies with messages queued: they drain, then -EPIPE. */
	T_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ringdev_chan_opts_init(&o);
	o.capacity = 4;
	o.slot_size = 64;
	T_EQ(ringdev_chan_create(&o, &c), 0);
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct ringdev_chan *p;

		close(sv[0]);
		if (ringdev_chan_recv_fds(sv[1], &p))
			_exit(2);
		for (i = 0; i < 3; i++)
			ringdev_chan_send(p, &e, NULL, 0);
		/* Die holding the channel. */
		raise(SIGKILL);
	}
	close(sv[1]);
	T_EQ(ringdev_chan_send_fds(c, sv[0]), 0);
	close(sv[0]);
	T_EQ(waitpid(pid, &status, 0), pid);
	for (i = 0; i < 3; i++)
		T_EQ(ringdev_chan_recv(c, &got, buf, sizeof(buf), RINGDEV_WAIT_FOREVER), 0);
	T_EQ(ringdev_chan_recv(c, &got, buf, sizeof(buf), RINGDEV_WAIT_FOREVER), -EPIPE);
	/* A blocked producer learns of a dead consumer too. */
	for (i = 0; i < 4; i++)
		T_EQ(ringdev_chan_send(c, &e, NULL, 0), 0);
	T_EQ(ringdev_chan_send(c, &e, NULL, RINGDEV_WAIT_FOREVER), -EPIPE);
	ringdev_chan_close(c);
	return T_PASS;
}

static int test_by_name(void)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c, *dup;
	struct ringdev_envelope e, got;
	char name[64], buf[16];
	int status, i;
	pid_t pid;

	snprintf(name, sizeof(name), "test.byname.%d", (int)getpid());
	ringdev_chan_opts_init(&o);
	o.name = name;
	T_EQ(ringdev_chan_create(&o, &c), 0);
	T_EQ(ringdev_chan_create(&o, &dup), -EEXIST);
	T_EQ(ringdev_chan_attach("no.such.ring.anywhere", RINGDEV_TRANSPORT_AUTO, &dup), -ENOENT);
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct ringdev_chan *p;

		if (ringdev_chan_attach(name, RINGDEV_TRANSPORT_AUTO, &p))
			_exit(2);
		for (i = 0; i < 1000; i++) {
			e = env_id((__u64)i, 4);
			if (ringdev_chan_send(p, &e, "ping", RINGDEV_WAIT_FOREVER))
				_exit(3);
		}
		ringdev_chan_close(p);
		_exit(0);
	}
	for (i = 0; i < 1000; i++) {
		T_EQ(ringdev_chan_recv(c, &got, buf, sizeof(buf), 10000000000LL), 4);
		T_EQ(got.msg_id, (__u64)i);
	}
	T_EQ(waitpid(pid, &status, 0), pid);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	/* The named creator outlives its peers: a timeout, not -EPIPE. */
	T_EQ(ringdev_chan_recv(c, &got, buf, sizeof(buf), 1000000), -ETIMEDOUT);
	ringdev_chan_close(c);
	T_EQ(ringdev_chan_attach(name, RINGDEV_TRANSPORT_AUTO, &dup), -ENOENT);
	return T_PASS;
}

struct sleeper {
	struct ringdev_chan *c;
	int rc;
};

static void *sleep_in_recv(void *arg)
{
	struct sleeper *sl = arg;
	struct ringdev_envelope e;
	char buf[16];

	sl->rc = ringdev_chan_recv(sl->c, &e, buf, sizeof(buf), 30000000000LL);
	return NULL;
}

/*
 * Regression: dead liveness links were reclaimed only while no thread
 * waited, so a creator asleep in recv refused the 65th attacher (-EMFILE).
 */
static int test_attachers_come_and_go(void)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c, *p;
	struct ringdev_envelope e = env_id(1, 0);
	struct sleeper sl;
	pthread_t th;
	char name[64];
	int i;

	snprintf(name, sizeof(name), "test.churn.%d", (int)getpid());
	ringdev_chan_opts_init(&o);
	o.name = name;
	o.spin_ns = 0;
	T_EQ(ringdev_chan_create(&o, &c), 0);
	sl.c = c;
	sl.rc = 1;
	T_EQ(pthread_create(&th, NULL, sleep_in_recv, &sl), 0);
	for (i = 0; i < 4 * RINGDEV_MAX_LINKS_TEST; i++) {
		T_EQ(ringdev_chan_attach(name, RINGDEV_TRANSPORT_AUTO, &p), 0);
		ringdev_chan_close(p);
	}
	T_EQ(ringdev_chan_attach(name, RINGDEV_TRANSPORT_AUTO, &p), 0);
	T_EQ(ringdev_chan_send(p, &e, NULL, 0), 0);
	pthread_join(th, NULL);
	T_EQ(sl.rc, 0);
	ringdev_chan_close(p);
	ringdev_chan_close(c);
	return T_PASS;
}

T_MAIN(T_CASE(test_attachers_come_and_go), T_CASE(test_options), T_CASE(test_timeouts),
       T_CASE(test_recv_too_small), T_CASE(test_suppression),
       T_CASE(test_fd_passing), T_CASE(test_peer_death), T_CASE(test_by_name))

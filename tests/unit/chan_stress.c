// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * chan_stress.c - multi-process stress through shm channels: fd passing,
 * several producer processes, request/reply, attach by name; exactly once, in order.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "test.h"

#define CS_TIMEOUT	10000000000LL	/* 10 s: a lost wakeup fails, never hangs */
#define CS_TYPE		0xc5c5U
#define CS_MAXPROD	3
#define CS_BURST	32
#define CS_SLOT		128U
#define CS_MAXLEN	(CS_SLOT - RINGDEV_SLOT_HDR_SIZE)

/* ---- children ------------------------------------------------------- */

struct cs_kids {
	pid_t pid[CS_MAXPROD + 1];
	unsigned int n;
};

/* Fork a child that runs @fn(@arg, @fd) and exits with its result. */
static pid_t cs_spawn(struct cs_kids *k, int (*fn)(long, int), long arg, int fd, int close_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* Never outlive a parent that failed and vanished. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (close_fd >= 0)
			close(close_fd);
		_exit(fn(arg, fd));
	}
	if (pid > 0)
		k->pid[k->n++] = pid;
	return pid;
}

/* Reap every child; Return: 0 when each exited 0, else the first bad status. */
static int cs_reap(struct cs_kids *k, int kill_them)
{
	int bad = 0, status;
	unsigned int i;

	for (i = 0; i < k->n; i++) {
		if (!k->pid[i])
			continue;
		if (kill_them)
			kill(k->pid[i], SIGKILL);
		if (waitpid(k->pid[i], &status, 0) != k->pid[i])
			status = -1;
		if (!bad && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			bad = status ? status : -1;
			if (!kill_them)
				fprintf(stderr, "  child %d: %s %d\n", (int)k->pid[i],
					WIFSIGNALED(status) ? "signal" : "exit",
					WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
		k->pid[i] = 0;
	}
	return bad;
}

/* Run a case body, then kill (on failure) and reap whatever it forked. */
static int cs_run(int (*body)(struct cs_kids *))
{
	struct cs_kids k;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = body(&k);
	if (cs_reap(&k, rc != T_PASS) && rc == T_PASS)
		rc = T_FAIL;
	return rc;
}

/* ---- messages ------------------------------------------------------- */

static __u64 cs_rand(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static __u32 cs_len(__u32 src, __u64 seq)
{
	return (__u32)((seq * 7 + src * 11) % (CS_MAXLEN + 1));
}

static unsigned char cs_byte(__u32 src, __u64 seq, __u32 i)
{
	return (unsigned char)((seq * 0x9du) ^ (seq >> 7) ^ (src << 6) ^ (i * 43u));
}

static void cs_fill(struct ringdev_envelope *e, void *buf, __u32 src, __u64 seq)
{
	unsigned char *p = buf;
	__u32 i;

	memset(e, 0, sizeof(*e));
	e->type = CS_TYPE;
	e->msg_id = seq;
	e->corr_id = seq ^ 0xabcdefull;
	e->src = src;
	e->len = cs_len(src, seq);
	for (i = 0; i < e->len; i++)
		p[i] = cs_byte(src, seq, i);
}

/* Is @e (payload @p, @len returned) message (src, next[src]) intact? */
static int cs_check(__u64 *next, unsigned int nprod, const struct ringdev_envelope *e,
		    const unsigned char *p, int len)
{
	__u32 src = e->src, i;
	__u64 seq = e->msg_id;

	if (len < 0 || (__u32)len != e->len || src >= nprod) {
		fprintf(stderr, "  bad message: len %d/%u src %u\n", len, e->len, src);
		return -1;
	}
	if (seq != next[src]) {
		fprintf(stderr, "  producer %u: got seq %llu want %llu\n", src,
			(unsigned long long)seq, (unsigned long long)next[src]);
		return -1;
	}
	if (e->type != CS_TYPE || e->corr_id != (seq ^ 0xabcdefull) ||
	    e->len != cs_len(src, seq)) {
		fprintf(stderr, "  %u/%llu: envelope mangled\n", src, (unsigned long long)seq);
		return -1;
	}
	for (i = 0; i < e->len; i++) {
		if (p[i] != cs_byte(src, seq, i)) {
			fprintf(stderr, "  %u/%llu: payload byte %u is %#x want %#x\n", src,
				(unsigned long long)seq, i, p[i], cs_byte(src, seq, i));
			return -1;
		}
	}
	next[src]++;
	return 0;
}

/*
 * Produce @count messages as producer @src with a mix of single sends,
 * bursts and zero-copy reserve/commit.  Return: 0 or a negative errno.
 */
static int cs_produce(struct ringdev_chan *c, __u32 src, __u64 count)
{
	struct ringdev_ring *r = ringdev_chan_ring(c);
	unsigned char bufs[CS_BURST][CS_MAXLEN];
	struct ringdev_msg m[CS_BURST];
	__u64 seq = 0, rng = 0x51ed2701ull + src;
	int rc;

	while (seq < count) {
		unsigned int op = (unsigned int)(cs_rand(&rng) % 8), b, i;
		struct ringdev_envelope e;
		struct ringdev_resv resv;

		if (op < 3) {
			cs_fill(&e, bufs[0], src, seq);
			rc = ringdev_chan_send(c, &e, bufs[0], CS_TIMEOUT);
			if (rc)
				goto fail;
			seq++;
		} else if (op < 6) {
			b = 1 + (unsigned int)(cs_rand(&rng) % CS_BURST);
			if (b > count - seq)
				b = (unsigned int)(count - seq);
			for (i = 0; i < b; i++) {
				cs_fill(&m[i].env, bufs[i], src, seq + i);
				m[i].data = bufs[i];
				m[i].cap = 0;
				m[i].reserved = 0;
			}
			rc = ringdev_chan_send_burst(c, m, b, CS_TIMEOUT);
			if (rc <= 0 || rc > (int)b) {
				rc = rc > 0 ? -ERANGE : rc;
				goto fail;
			}
			seq += (unsigned int)rc;
		} else {
			cs_fill(&e, bufs[0], src, seq);
			rc = ringdev_ring_reserve(r, e.len, &resv);
			if (rc == -EAGAIN)
				continue;	/* full: the blocking calls will wait */
			if (rc)
				goto fail;
			resv.env->type = e.type;
			resv.env->msg_id = e.msg_id;
			resv.env->corr_id = e.corr_id;
			resv.env->src = e.src;
			memcpy(resv.payload, bufs[0], e.len);
			ringdev_ring_commit(r, &resv);
			rc = ringdev_chan_notify(c);
			if (rc < 0)
				goto fail;
			seq++;
		}
	}
	return 0;
fail:
	fprintf(stderr, "  producer %u (pid %d) at %llu: %d (%s)\n", src, (int)getpid(),
		(unsigned long long)seq, rc, ringdev_strerror(rc));
	return rc;
}

/*
 * Consume @total messages from @nprod producers, checking each.
 * Return: 0, -1 for a bad message, or the failing call's errno.
 */
static int cs_consume(struct ringdev_chan *c, unsigned int nprod, __u64 total)
{
	struct ringdev_ring *r = ringdev_chan_ring(c);
	unsigned char bufs[CS_BURST][CS_MAXLEN];
	struct ringdev_msg m[CS_BURST];
	__u64 next[CS_MAXPROD] = { 0 }, got = 0, rng = 0x7a11ull;
	unsigned int j;
	int rc = 0;

	while (got < total) {
		unsigned int op = (unsigned int)(cs_rand(&rng) % 8), b, i;
		struct ringdev_envelope e;
		struct ringdev_view v;

		if (op < 3) {
			rc = ringdev_chan_recv(c, &e, bufs[0], CS_MAXLEN, CS_TIMEOUT);
			if (rc < 0)
				goto fail;
			if (cs_check(next, nprod, &e, bufs[0], rc))
				return -1;
			got++;
		} else if (op < 7) {
			b = 1 + (unsigned int)(cs_rand(&rng) % CS_BURST);
			for (i = 0; i < b; i++) {
				m[i].data = bufs[i];
				m[i].cap = CS_MAXLEN;
			}
			rc = ringdev_chan_recv_burst(c, m, b, CS_TIMEOUT);
			if (rc <= 0 || rc > (int)b) {
				rc = rc > 0 ? -ERANGE : rc;
				goto fail;
			}
			for (i = 0; i < (unsigned int)rc; i++)
				if (cs_check(next, nprod, &m[i].env, bufs[i], (int)m[i].env.len))
					return -1;
			got += (unsigned int)rc;
		} else {
			/* Zero-copy read in place; the blocking calls do the waiting. */
			rc = ringdev_ring_peek(r, &v);
			if (rc == -EAGAIN)
				continue;
			if (rc < 0)
				goto fail;
			if (cs_check(next, nprod, &v.env, v.payload, rc))
				return -1;
			ringdev_ring_release(r, &v);
			rc = ringdev_chan_notify_space(c);
			if (rc < 0)
				goto fail;
			got++;
		}
	}
	for (j = 0; j < nprod; j++)
		if (next[j] != total / nprod) {
			fprintf(stderr, "  producer %u: %llu of %llu\n", j,
				(unsigned long long)next[j], (unsigned long long)(total / nprod));
			return -1;
		}
	return 0;
fail:
	fprintf(stderr, "  consumer at %llu of %llu: %d (%s)\n", (unsigned long long)got,
		(unsigned long long)total, rc, ringdev_strerror(rc));
	return rc ? rc : -1;
}

static struct ringdev_chan *cs_chan(__u32 cap, __u32 flags, const char *name)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *c;

	ringdev_chan_opts_init(&o);
	o.capacity = cap;
	o.slot_size = CS_SLOT;
	o.ring_flags = flags;
	o.transport = RINGDEV_TRANSPORT_SHM;
	o.name = name;
	return ringdev_chan_create(&o, &c) ? NULL : c;
}

/* ---- one producer process, fd passing ------------------------------- */

static __u64 cs_count;	/* messages per producer in the current case */

static int producer_child(long src, int sock)
{
	struct ringdev_chan *c;
	int rc;

	if (ringdev_chan_recv_fds(sock, &c))
		return 2;
	close(sock);
	rc = cs_produce(c, (__u32)src, cs_count);
	ringdev_chan_close(c);
	return rc ? 3 : 0;
}

static int spsc_body(struct cs_kids *k)
{
	struct ringdev_chan *c = cs_chan(256, 0, NULL);
	struct ringdev_envelope e;
	char buf[CS_MAXLEN];
	int sv[2];

	T_ASSERT(c, "channel");
	cs_count = t_scale(1000000);
	T_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	T_ASSERT(cs_spawn(k, producer_child, 0, sv[1], sv[0]) > 0, "fork");
	close(sv[1]);
	T_EQ(ringdev_chan_send_fds(c, sv[0]), 0);
	close(sv[0]);
	T_EQ(cs_consume(c, 1, cs_count), 0);
	T_EQ(cs_reap(k, 0), 0);
	/* Drained and the producer is gone: -EPIPE, not a timeout. */
	T_EQ(ringdev_chan_recv(c, &e, buf, sizeof(buf), CS_TIMEOUT), -EPIPE);
	ringdev_chan_close(c);
	return T_PASS;
}

static int test_spsc_procs(void)
{
	return cs_run(spsc_body);
}

/* ---- several producer processes into one MP channel ----------------- */

static int mpsc_body(struct cs_kids *k)
{
	struct ringdev_chan *c = cs_chan(64, RINGDEV_RING_F_MP, NULL);
	struct ringdev_envelope e;
	char buf[CS_MAXLEN];
	int sv[2];
	long i;

	T_ASSERT(c, "channel");
	cs_count = t_scale(1000000) / CS_MAXPROD;
	for (i = 0; i < CS_MAXPROD; i++) {
		T_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		T_ASSERT(cs_spawn(k, producer_child, i, sv[1], sv[0]) > 0, "fork");
		close(sv[1]);
		T_EQ(ringdev_chan_send_fds(c, sv[0]), 0);
		close(sv[0]);
	}
	T_EQ(cs_consume(c, CS_MAXPROD, cs_count * CS_MAXPROD), 0);
	T_EQ(cs_reap(k, 0), 0);
	T_EQ(ringdev_chan_recv(c, &e, buf, sizeof(buf), CS_TIMEOUT), -EPIPE);
	ringdev_chan_close(c);
	return T_PASS;
}

static int test_mpsc_procs(void)
{
	return cs_run(mpsc_body);
}

/* ---- request/reply over two channels -------------------------------- */

/* Answer each request with its bytes inverted, until a zero-type request. */
static int echo_child(long unused, int sock)
{
	struct ringdev_chan *req, *rep;
	unsigned char buf[CS_MAXLEN];
	struct ringdev_envelope e;
	int n, i;

	(void)unused;
	if (ringdev_chan_recv_fds(sock, &req) || ringdev_chan_recv_fds(sock, &rep))
		return 2;
	close(sock);
	for (;;) {
		n = ringdev_chan_recv(req, &e, buf, sizeof(buf), CS_TIMEOUT);
		if (n < 0) {
			fprintf(stderr, "  echo: recv: %d (%s)\n", n, ringdev_strerror(n));
			return 3;
		}
		if (!e.type)
			break;
		for (i = 0; i < n; i++)
			buf[i] = (unsigned char)~buf[i];
		e.corr_id = e.msg_id;
		e.flags = RINGDEV_ENV_F_REPLY;
		n = ringdev_chan_send(rep, &e, buf, CS_TIMEOUT);
		if (n) {
			fprintf(stderr, "  echo: send: %d (%s)\n", n, ringdev_strerror(n));
			return 4;
		}
	}
	ringdev_chan_close(req);
	ringdev_chan_close(rep);
	return 0;
}

static int pingpong_body(struct cs_kids *k)
{
	struct ringdev_chan *req = cs_chan(16, 0, NULL), *rep = cs_chan(16, 0, NULL);
	unsigned char buf[CS_MAXLEN], out[CS_MAXLEN];
	__u64 sent = 0, done = 0, total = t_scale(200000), rng = 99;
	struct ringdev_envelope e;
	int sv[2], n;
	__u32 i;

	T_ASSERT(req && rep, "channels");
	T_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	T_ASSERT(cs_spawn(k, echo_child, 0, sv[1], sv[0]) > 0, "fork");
	close(sv[1]);
	T_EQ(ringdev_chan_send_fds(req, sv[0]), 0);
	T_EQ(ringdev_chan_send_fds(rep, sv[0]), 0);
	close(sv[0]);
	while (done < total) {
		/* 1 to 8 requests in flight: strict ping-pong and short pipelines. */
		unsigned int window = 1 + (unsigned int)(cs_rand(&rng) % 8);

		while (sent < total && sent - done < window) {
			cs_fill(&e, out, 0, sent);
			T_EQ(ringdev_chan_send(req, &e, out, CS_TIMEOUT), 0);
			sent++;
		}
		n = ringdev_chan_recv(rep, &e, buf, sizeof(buf), CS_TIMEOUT);
		T_ASSERT(n >= 0, "reply %llu: %d (%s)", (unsigned long long)done, n,
			 ringdev_strerror(n));
		T_EQ(e.corr_id, done);
		T_EQ(e.flags, RINGDEV_ENV_F_REPLY);
		T_EQ((__u32)n, cs_len(0, done));
		for (i = 0; i < (__u32)n; i++)
			T_EQ(buf[i], (unsigned char)~cs_byte(0, done, i));
		done++;
	}
	memset(&e, 0, sizeof(e));
	T_EQ(ringdev_chan_send(req, &e, NULL, CS_TIMEOUT), 0);
	T_EQ(cs_reap(k, 0), 0);
	T_EQ(ringdev_chan_recv(rep, &e, buf, sizeof(buf), CS_TIMEOUT), -EPIPE);
	ringdev_chan_close(req);
	ringdev_chan_close(rep);
	return T_PASS;
}

static int test_pingpong_procs(void)
{
	return cs_run(pingpong_body);
}

/* ---- attach by name ------------------------------------------------- */

static char cs_name[64];

/* Wait for the parent's go (the name exists), attach by name, produce. */
static int named_child(long src, int go)
{
	struct ringdev_chan *c;
	char b;
	int rc;

	if (read(go, &b, 1) != 1)
		return 2;
	close(go);
	rc = ringdev_chan_attach(cs_name, RINGDEV_TRANSPORT_SHM, &c);
	if (rc) {
		fprintf(stderr, "  attach %s: %d (%s)\n", cs_name, rc, ringdev_strerror(rc));
		return 3;
	}
	rc = cs_produce(c, (__u32)src, cs_count);
	ringdev_chan_close(c);
	return rc ? 4 : 0;
}

static int named_body(struct cs_kids *k)
{
	struct ringdev_chan *c;
	struct ringdev_envelope e;
	char buf[CS_MAXLEN];
	int go[2];
	long i;

	snprintf(cs_name, sizeof(cs_name), "chan_stress.%d", (int)getpid());
	cs_count = t_scale(300000);
	/* Fork before the channel's server thread exists; release them after. */
	T_EQ(pipe2(go, O_CLOEXEC), 0);
	for (i = 0; i < 2; i++)
		T_ASSERT(cs_spawn(k, named_child, i, go[0], go[1]) > 0, "fork");
	close(go[0]);
	c = cs_chan(128, RINGDEV_RING_F_MP, cs_name);
	T_ASSERT(c, "named channel");
	T_EQ(write(go[1], "gg", 2), 2);
	close(go[1]);
	T_EQ(cs_consume(c, 2, cs_count * 2), 0);
	T_EQ(cs_reap(k, 0), 0);
	/* The named creator outlives its peers: nothing more, and no -EPIPE. */
	T_EQ(ringdev_chan_recv(c, &e, buf, sizeof(buf), 1000000), -ETIMEDOUT);
	ringdev_chan_close(c);
	return T_PASS;
}

static int test_named_procs(void)
{
	return cs_run(named_body);
}

T_MAIN(T_CASE(test_spsc_procs), T_CASE(test_mpsc_procs), T_CASE(test_pingpong_procs),
       T_CASE(test_named_procs))

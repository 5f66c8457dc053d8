// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * telemetry.c - per-kernel counters and the handler latency histogram
 * (log2 buckets), snapshots of one kernel or the whole runtime, the JSON
 * form that ringctl prints, and the "@ringdev-rt/<name>" socket that hands
 * it to `ringctl top`.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include "rt_internal.h"

void __rd_lat_record(struct ringdev_kernel *k, __u64 ns)
{
	unsigned int b = ns ? 63u - (unsigned int)__builtin_clzll(ns) : 0;

	if (b >= RINGDEV_LAT_BUCKETS)
		b = RINGDEV_LAT_BUCKETS - 1;
	/* Only the kernel's thread writes; readers take racy snapshots. */
	RINGDEV_WRITE_ONCE(k->lat_hist[b], k->lat_hist[b] + 1);
}

/* The upper bound of the bucket holding the @pct-th percentile. */
static __u64 hist_percentile(const __u64 *hist, __u64 total, unsigned int pct)
{
	__u64 want = (total * pct + 99) / 100, seen = 0;
	unsigned int b;

	if (!total)
		return 0;
	for (b = 0; b < RINGDEV_LAT_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= want)
			return 2ull << b;
	}
	return 2ull << (RINGDEV_LAT_BUCKETS - 1);
}

void ringdev_kernel_stats(struct ringdev_kernel *k, struct ringdev_kernel_stats *st)
{
	__u64 total = 0;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	memcpy(st->type, k->type->name, sizeof(st->type));
	st->id = k->id;
	st->state = (__u32)ringdev_kernel_state(k);
	st->msgs_in = RINGDEV_READ_ONCE(k->msgs_in);
	st->msgs_out = RINGDEV_READ_ONCE(k->msgs_out);
	st->drops = RINGDEV_READ_ONCE(k->drops);
	st->rejected = RINGDEV_READ_ONCE(k->rejected);
	st->errors = RINGDEV_READ_ONCE(k->errors);
	st->last_error = RINGDEV_READ_ONCE(k->last_error);
	st->late_replies = RINGDEV_READ_ONCE(k->late_replies);
	st->clock_rejects = RINGDEV_READ_ONCE(k->clock_rejects);
	st->lanes = k->nlanes;
	for (i = 0; i < k->nlanes; i++)
		st->queue_depth += ringdev_ring_count(&k->lanes[i]->ring);
	for (i = 0; i < RINGDEV_LAT_BUCKETS; i++) {
		st->lat_hist[i] = RINGDEV_READ_ONCE(k->lat_hist[i]);
		total += st->lat_hist[i];
	}
	st->lat_p50_ns = hist_percentile(st->lat_hist, total, 50);
	st->lat_p99_ns = hist_percentile(st->lat_hist, total, 99);
}

int ringdev_rt_snapshot(struct ringdev_rt *rt, struct ringdev_kernel_stats *st,
			unsigned int n)
{
	__u32 i, count;

	if (!rt || (n && !st))
		return -EINVAL;
	count = RINGDEV_LOAD_ACQUIRE(&rt->nkernels);
	for (i = 0; i < count && i < n; i++)
		ringdev_kernel_stats(ringdev_rt_kernel(rt, i + 1), &st[i]);
	return (int)count;
}

int ringdev_rt_snapshot_json(struct ringdev_rt *rt, FILE *f)
{
	struct ringdev_kernel_stats st;
	__u32 i, count;

	if (!rt || !f)
		return -EINVAL;
	count = RINGDEV_LOAD_ACQUIRE(&rt->nkernels);
	fprintf(f, "{\"kernels\":[");
	for (i = 0; i < count; i++) {
		ringdev_kernel_stats(ringdev_rt_kernel(rt, i + 1), &st);
		/* Escape the type name for JSON; control bytes become '?'. */
		fprintf(f, "%s{\"id\":%u,\"type\":\"", i ? "," : "", st.id);
		for (const char *p = st.type; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc((unsigned char)*p < 0x20 ? '?' : *p, f);
		}
		fprintf(f, "\",\"state\":\"%s\",\"msgs_in\":%llu,\"msgs_out\":%llu,"
			"\"drops\":%llu,\"rejected\":%llu,\"errors\":%llu,\"last_error\":%d,"
			"\"queue_depth\":%llu,\"late_replies\":%llu,\"clock_rejects\":%llu,"
			"\"lat_p50_ns\":%llu,\"lat_p99_ns\":%llu}",
			ringdev_state_name((enum ringdev_kernel_state)st.state),
			(unsigned long long)st.msgs_in, (unsigned long long)st.msgs_out,
			(unsigned long long)st.drops, (unsigned long long)st.rejected,
			(unsigned long long)st.errors, st.last_error,
			(unsigned long long)st.queue_depth, (unsigned long long)st.late_replies,
			(unsigned long long)st.clock_rejects,
			(unsigned long long)st.lat_p50_ns, (unsigned long long)st.lat_p99_ns);
	}
	fprintf(f, "]}\n");
	return ferror(f) ? -EIO : 0;
}

/* ---- the telemetry socket ---------------------------------------------- */

#define RD_TM_PREFIX		"ringdev-rt/"
#define RD_TM_SEND_TIMEOUT_MS	1000	/* a peer that does not read is dropped */

/* Send the runtime's snapshot to @sock; errors only end this connection. */
static void tm_send_snapshot(struct ringdev_rt *rt, int sock)
{
	struct timeval tv = {
		.tv_sec = RD_TM_SEND_TIMEOUT_MS / 1000,
		.tv_usec = (RD_TM_SEND_TIMEOUT_MS % 1000) * 1000,
	};
	char *buf = NULL;
	size_t len = 0, off = 0;
	FILE *f;
	int rc;

	f = open_memstream(&buf, &len);
	if (!f)
		return;
	rc = ringdev_rt_snapshot_json(rt, f);
	if (fclose(f) || rc) {
		free(buf);
		return;
	}
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (off < len) {
		ssize_t n = send(sock, buf + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(buf);
}

/* The server thread: one snapshot per admitted connection. */
static void *tm_serve(void *arg)
{
	struct ringdev_rt *rt = arg;
	struct pollfd pfd[2] = {
		{ .fd = rt->tm_listen_fd, .events = POLLIN },
		{ .fd = rt->tm_stop_fd, .events = POLLIN },
	};

	for (;;) {
		struct ucred cred;
		socklen_t clen = sizeof(cred);
		int sock;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents || (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			break;
		sock = accept4(rt->tm_listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (sock < 0)
			continue;
		/* Counters are the owner's business: same uid or root only. */
		if (!getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) &&
		    (cred.uid == 0 || cred.uid == geteuid()))
			tm_send_snapshot(rt, sock);
		close(sock);
	}
	return NULL;
}

int ringdev_rt_serve_telemetry(struct ringdev_rt *rt, const char *name)
{
	struct sockaddr_un sun;
	socklen_t len;
	size_t n;
	int rc;

	if (!rt)
		return -EINVAL;
	rc = __ringdev_name_check(name);
	if (rc)
		return rc;
	if (rt->tm_running)
		return -EBUSY;
	n = strlen(name);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	/* Abstract: sun_path[0] is NUL, the name follows, no terminator. */
	memcpy(sun.sun_path + 1, RD_TM_PREFIX, sizeof(RD_TM_PREFIX) - 1);
	memcpy(sun.sun_path + sizeof(RD_TM_PREFIX), name, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof(RD_TM_PREFIX) + n);

	rt->tm_listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (rt->tm_listen_fd < 0)
		return -errno;
	rt->tm_stop_fd = -1;
	if (bind(rt->tm_listen_fd, (struct sockaddr *)&sun, len) < 0) {
		rc = errno == EADDRINUSE ? -EEXIST : -errno;
		goto fail;
	}
	if (listen(rt->tm_listen_fd, 16) < 0) {
		rc = -errno;
		goto fail;
	}
	rt->tm_stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rt->tm_stop_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = -pthread_create(&rt->tm_thread, NULL, tm_serve, rt);
	if (rc)
		goto fail;
	rt->tm_running = true;
	return 0;
fail:
	if (rt->tm_stop_fd >= 0)
		close(rt->tm_stop_fd);
	close(rt->tm_listen_fd);
	rt->tm_listen_fd = rt->tm_stop_fd = -1;
	return rc;
}

/* Stop and join the telemetry server, if any (ringdev_rt_close()). */
void __rd_telemetry_stop(struct ringdev_rt *rt)
{
	__u64 one = 1;

	if (!rt->tm_running)
		return;
	/* Should the doorbell fail, a shut-down listener stops it too. */
	if (write(rt->tm_stop_fd, &one, sizeof(one)) < 0)
		shutdown(rt->tm_listen_fd, SHUT_RDWR);
	pthread_join(rt->tm_thread, NULL);
	close(rt->tm_listen_fd);
	close(rt->tm_stop_fd);
	rt->tm_listen_fd = rt->tm_stop_fd = -1;
	rt->tm_running = false;
}

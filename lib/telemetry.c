// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * telemetry.c - per-kernel counters and the handler latency histogram
 * (log2 buckets), snapshots of one kernel or the whole runtime, the JSON
 * form that ringctl prints, and the "@ringdev-rt/<name>" socket that hands
 * it to `ringctl top`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
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
	st->doorbells = RINGDEV_READ_ONCE(k->defer.doorbells);
	st->doorbell_syscalls = RINGDEV_READ_ONCE(k->defer.syscalls);
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
			"\"lat_p50_ns\":%llu,\"lat_p99_ns\":%llu,\"doorbells\":%llu,"
			"\"doorbell_syscalls\":%llu}",
			ringdev_state_name((enum ringdev_kernel_state)st.state),
			(unsigned long long)st.msgs_in, (unsigned long long)st.msgs_out,
			(unsigned long long)st.drops, (unsigned long long)st.rejected,
			(unsigned long long)st.errors, st.last_error,
			(unsigned long long)st.queue_depth, (unsigned long long)st.late_replies,
			(unsigned long long)st.clock_rejects,
			(unsigned long long)st.lat_p50_ns, (unsigned long long)st.lat_p99_ns,
			(unsigned long long)st.doorbells,
			(unsigned long long)st.doorbell_syscalls);
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

/* One snapshot per connection; counters are the owner's business. */
static void tm_serve(void *arg, int sock, const struct ucred *peer)
{
	if (peer->uid == 0 || peer->uid == geteuid())
		tm_send_snapshot(arg, sock);
}

int ringdev_rt_serve_telemetry(struct ringdev_rt *rt, const char *name)
{
	if (!rt)
		return -EINVAL;
	return __ringdev_srv_start(&rt->tm_srv, SOCK_STREAM, RD_TM_PREFIX, name, tm_serve, rt);
}

/* Stop and join the telemetry server, if any (ringdev_rt_close()). */
void __rd_telemetry_stop(struct ringdev_rt *rt)
{
	__ringdev_srv_stop(&rt->tm_srv);
}

#define RD_TM_FETCH_MAX		(4u << 20)	/* a snapshot larger than this is refused */
#define RD_TM_FETCH_TIMEOUT_MS	1000

int ringdev_rt_fetch_telemetry(const char *name, char **json, size_t *len)
{
	struct timeval tv = { .tv_sec = RD_TM_FETCH_TIMEOUT_MS / 1000,
			      .tv_usec = (RD_TM_FETCH_TIMEOUT_MS % 1000) * 1000 };
	size_t cap = 0, used = 0;
	char *buf = NULL, *nb;
	ssize_t got;
	int sock, rc = 0;

	if (!json)
		return -EINVAL;
	*json = NULL;
	sock = __ringdev_srv_connect(RD_TM_PREFIX, name, SOCK_STREAM);
	if (sock < 0)
		return sock;
	/* A server that does not answer costs the caller one second. */
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		if (cap - used < 2) {	/* room for a byte and the terminator */
			if (cap >= RD_TM_FETCH_MAX) {
				rc = -EMSGSIZE;
				goto out;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		got = recv(sock, buf + used, cap - 1 - used, 0);
		if (got < 0) {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		if (!got)
			break;
		used += (size_t)got;
	}
	if (!used) {
		rc = -EPROTO;	/* a server closes only after a whole document */
		goto out;
	}
	buf[used] = '\0';
	*json = buf;
	if (len)
		*len = used;
	buf = NULL;
out:
	free(buf);
	close(sock);
	return rc;
}

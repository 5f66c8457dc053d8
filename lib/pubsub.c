// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * pubsub.c - publish/subscribe between the host and ring kernels: the
 * subscription table and delivery of published messages, each subscriber
 * under its own backpressure policy.  A published message travels as a
 * NUL-terminated topic followed by the payload (RINGDEV_ENV_F_TOPIC).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ringdev/topic.h>
#include "rt_internal.h"

#define RD_PUBLISH_CTX_TIMEOUT_NS	1000000000LL

int ringdev_subscribe(struct ringdev_kernel *k, const char *filter)
{
	struct ringdev_rt *rt;
	unsigned int i;
	int rc = 0;

	if (!k || !filter)
		return -EINVAL;
	rc = ringdev_topic_filter_valid(filter);
	if (rc)
		return rc;
	if (ringdev_kernel_state(k) >= RINGDEV_KERNEL_TERMINATING)
		return -ESHUTDOWN;
	rt = k->rt;
	pthread_rwlock_wrlock(&rt->sub_lock);
	for (i = 0; i < rt->nsubs; i++) {
		if (rt->subs[i].k == k && !strcmp(rt->subs[i].filter, filter)) {
			rc = -EEXIST;
			goto out;
		}
	}
	if (rt->nsubs == rt->subs_cap) {
		unsigned int cap = rt->subs_cap ? rt->subs_cap * 2 : 16;
		struct rd_sub *n = realloc(rt->subs, cap * sizeof(*n));

		if (!n) {
			rc = -ENOMEM;
			goto out;
		}
		rt->subs = n;
		rt->subs_cap = cap;
	}
	rt->subs[rt->nsubs].filter = strdup(filter);
	if (!rt->subs[rt->nsubs].filter) {
		rc = -ENOMEM;
		goto out;
	}
	rt->subs[rt->nsubs++].k = k;
out:
	pthread_rwlock_unlock(&rt->sub_lock);
	return rc;
}

/* Remove entry @i; the caller holds the write lock. */
static void sub_remove(struct ringdev_rt *rt, unsigned int i)
{
	free(rt->subs[i].filter);
	rt->subs[i] = rt->subs[--rt->nsubs];
}

int ringdev_unsubscribe(struct ringdev_kernel *k, const char *filter)
{
	struct ringdev_rt *rt;
	unsigned int i;
	int rc = -ENOENT;

	if (!k || !filter)
		return -EINVAL;
	rt = k->rt;
	pthread_rwlock_wrlock(&rt->sub_lock);
	for (i = 0; i < rt->nsubs; i++) {
		if (rt->subs[i].k == k && !strcmp(rt->subs[i].filter, filter)) {
			sub_remove(rt, i);
			rc = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&rt->sub_lock);
	return rc;
}

void __rd_unsubscribe_kernel(struct ringdev_kernel *k)
{
	struct ringdev_rt *rt = k->rt;
	unsigned int i = 0;

	pthread_rwlock_wrlock(&rt->sub_lock);
	while (i < rt->nsubs) {
		if (rt->subs[i].k == k)
			sub_remove(rt, i);
		else
			i++;
	}
	pthread_rwlock_unlock(&rt->sub_lock);
}

void __rd_subs_free(struct ringdev_rt *rt)
{
	while (rt->nsubs)
		sub_remove(rt, rt->nsubs - 1);
	free(rt->subs);
	rt->subs = NULL;
	rt->subs_cap = 0;
}

/*
 * Collect the subscribers of @topic (each kernel once, even when several
 * of its filters match) into a fresh array, so that delivery, which may
 * block, happens without the lock.
 */
static int match_subscribers(struct ringdev_rt *rt, const char *topic,
			     struct ringdev_kernel ***out)
{
	struct ringdev_kernel **ks = NULL;
	unsigned int i, j, n = 0;

	pthread_rwlock_rdlock(&rt->sub_lock);
	if (rt->nsubs) {
		ks = malloc(rt->nsubs * sizeof(*ks));
		if (!ks) {
			pthread_rwlock_unlock(&rt->sub_lock);
			return -ENOMEM;
		}
	}
	for (i = 0; i < rt->nsubs; i++) {
		if (!ringdev_topic_match(rt->subs[i].filter, topic))
			continue;
		for (j = 0; j < n && ks[j] != rt->subs[i].k; j++)
			;
		if (j == n)
			ks[n++] = rt->subs[i].k;
	}
	pthread_rwlock_unlock(&rt->sub_lock);
	*out = ks;
	return (int)n;
}

static int publish(struct ringdev_rt *rt, __u32 src, struct ringdev_hlc *clock,
		   const char *topic, __u32 type, const void *payload, __u32 len,
		   __s64 timeout_ns)
{
	struct ringdev_kernel **ks;
	size_t tl;
	char *msg;
	int n, i, delivered = 0, rc = 0;

	if (!rt || !topic || (len && !payload))
		return -EINVAL;
	rc = ringdev_topic_valid(topic);
	if (rc)
		return rc;
	tl = strlen(topic) + 1;
	if (len > 0xffffffffu - tl)
		return -EMSGSIZE;
	msg = malloc(tl + len);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, topic, tl);
	if (len)
		memcpy(msg + tl, payload, len);
	n = match_subscribers(rt, topic, &ks);
	if (n < 0) {
		free(msg);
		return n;
	}
	for (i = 0; i < n; i++) {
		struct ringdev_envelope e;
		int r;

		memset(&e, 0, sizeof(e));
		e.type = type;
		e.flags = RINGDEV_ENV_F_TOPIC;
		e.len = (__u32)(tl + len);
		e.src = src;
		e.dst = ks[i]->id;
		e.hlc = clock ? ringdev_hlc_tick(clock) : 0;
		r = __rd_send(ks[i], &e, msg, timeout_ns);
		if (r == 0) {
			delivered++;
		} else if (r == -EAGAIN || r == -ETIMEDOUT) {
			/*
			 * A REJECT subscriber that is full, or a BLOCK one that
			 * stayed full for the whole timeout, misses this one:
			 * its own loss, counted on it.
			 */
			RINGDEV_ADD(&ks[i]->drops, 1);
		} else if (r != -ESHUTDOWN && !rc) {
			rc = r;
		}
	}
	free(ks);
	free(msg);
	return rc ? rc : delivered;
}

int ringdev_publish(struct ringdev_rt *rt, const char *topic, __u32 type,
		    const void *payload, __u32 len, __s64 timeout_ns)
{
	return publish(rt, 0, NULL, topic, type, payload, len, timeout_ns);
}

int ringdev_ctx_publish(struct ringdev_ctx *ctx, const char *topic, __u32 type,
			const void *payload, __u32 len)
{
	struct ringdev_kernel *k = ringdev_ctx_kernel(ctx);
	int rc = publish(k->rt, k->id, &k->hlc, topic, type, payload, len,
			 RD_PUBLISH_CTX_TIMEOUT_NS);

	if (rc > 0)
		__rd_out_add(k, (__u64)rc);
	return rc;
}

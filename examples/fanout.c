// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * fanout.c - publish/subscribe: one publisher, four subscriber kernels with
 * different topic filters, each under its own backpressure policy.
 *
 *   all      "#"                    every topic
 *   temps    "sensors/+/temp"       one level wildcard
 *   kitchen  "sensors/kitchen/#"    the kitchen and everything below it
 *   slow     "sensors/#"            DROP_OLDEST, 8 slots, not active while
 *                                   we publish: it keeps the newest 8 and
 *                                   counts what it dropped
 *
 * The host publishes ROUNDS rounds over four topics and checks what each
 * subscriber handled (msgs_in) and dropped (drops) against expectations.
 * Run: build/examples/fanout [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ringdev/ringdev.h>

#define MSG_READING	1
#define SLOW_SLOTS	8

/* A subscriber: published messages come with their topic. */
static int count_reading(struct ringdev_ctx *ctx, const struct ringdev_envelope *env,
			 const void *payload)
{
	(void)env;
	(void)payload;
	return ringdev_ctx_topic(ctx) ? 0 : -EINVAL;
}

static const struct ringdev_kernel_type sub_type = {
	.name = "subscriber",
	.handler = count_reading,
};

static const char *const topics[] = {
	"sensors/kitchen/temp",		/* all, temps, kitchen, slow */
	"sensors/hall/temp",		/* all, temps, slow */
	"sensors/kitchen/humidity",	/* all, kitchen, slow */
	"lights/hall",			/* all */
};
static const int receivers[] = { 4, 3, 3, 1 };

struct sub {
	const char *name, *filter;
	long want_in_per_round;		/* messages that match, per round */
	struct ringdev_kernel *k;
};

int main(int argc, char **argv)
{
	long r, rounds = argc > 1 ? atol(argv[1]) : 1000;
	struct sub subs[] = {
		{ "all", "#", 4, NULL },
		{ "temps", "sensors/+/temp", 2, NULL },
		{ "kitchen", "sensors/kitchen/#", 2, NULL },
		{ "slow", "sensors/#", 3, NULL },
	};
	const int nsubs = (int)(sizeof(subs) / sizeof(subs[0])), slow = nsubs - 1;
	struct ringdev_kernel_stats st[4];
	struct ringdev_launch_opts o;
	struct ringdev_rt *rt;
	char line[256];
	int i, t, len = 0, rc;

	rc = ringdev_rt_open(NULL, &rt);
	if (!rc)
		rc = ringdev_rt_register(rt, &sub_type);
	for (i = 0; !rc && i < nsubs; i++) {
		ringdev_launch_opts_init(&o);
		if (i == slow) {
			o.capacity = SLOW_SLOTS;
			o.backpressure = RINGDEV_BP_DROP_OLDEST;
		} else {
			o.flags = RINGDEV_LAUNCH_ACTIVATE;
		}
		rc = ringdev_kernel_spawn(rt, "subscriber", &o, &subs[i].k);
		if (!rc)
			rc = ringdev_subscribe(subs[i].k, subs[i].filter);
	}

	for (r = 0; !rc && r < rounds; r++) {
		for (t = 0; t < 4; t++) {
			/* The number of subscribers that got it; BLOCK ones may hold us 1 s. */
			rc = ringdev_publish(rt, topics[t], MSG_READING, &r, sizeof(r),
					     1000000000LL);
			if (rc != receivers[t]) {
				fprintf(stderr, "fanout: %s reached %d, want %d\n", topics[t],
					rc, receivers[t]);
				rc = rc < 0 ? rc : -EIO;
				break;
			}
			rc = 0;
		}
	}

	/* Let the slow one catch up, then drain everyone and read the counters. */
	if (!rc)
		rc = ringdev_kernel_activate(subs[slow].k);
	for (i = 0; !rc && i < nsubs; i++) {
		long want_in = subs[i].want_in_per_round * rounds, want_drops = 0;

		if (i == slow && want_in > SLOW_SLOTS) {
			want_drops = want_in - SLOW_SLOTS;
			want_in = SLOW_SLOTS;
		}
		rc = ringdev_kernel_terminate(subs[i].k, RINGDEV_TERM_DRAIN, NULL);
		ringdev_kernel_stats(subs[i].k, &st[i]);
		if (!rc && (st[i].msgs_in != (__u64)want_in || st[i].drops != (__u64)want_drops ||
			    st[i].errors)) {
			fprintf(stderr, "fanout: %s handled %llu dropped %llu, want %ld and %ld\n",
				subs[i].name, (unsigned long long)st[i].msgs_in,
				(unsigned long long)st[i].drops, want_in, want_drops);
			rc = -EIO;
		}
		len += snprintf(line + len, sizeof(line) - (size_t)len, " %s=%llu",
				subs[i].name, (unsigned long long)st[i].msgs_in);
	}
	ringdev_rt_close(rt);
	if (rc) {
		fprintf(stderr, "fanout: %s\n", ringdev_strerror(rc));
		return 1;
	}
	printf("fanout: %ld rounds, handled%s, slow dropped %llu (its own loss)\n",
	       rounds, line, (unsigned long long)st[slow].drops);
	return 0;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * topic.c - pub/sub topics: validity tables for topics and filters, a
 * table of filter/topic matches covering every MQTT rule, length limits,
 * and random pairs checked against a slow split-into-levels reference.
 */
#include <ringdev/topic.h>
#include "test.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct valid_case {
	const char *s;
	int want;
};

static const struct valid_case topics[] = {
	{ "a", 0 },
	{ "a/b/c", 0 },
	{ "/", 0 },			/* two empty levels */
	{ "//", 0 },
	{ "/a", 0 },
	{ "a/", 0 },
	{ "a//b", 0 },
	{ " ", 0 },
	{ "$SYS/broker", 0 },
	{ "a$b", 0 },
	{ "sport/tennis/player1", 0 },
	{ "caf\xc3\xa9/\xff", 0 },	/* bytes, UTF-8 unchecked */
	{ "", -EINVAL },
	{ NULL, -EINVAL },
	{ "+", -EINVAL },
	{ "#", -EINVAL },
	{ "a/+", -EINVAL },
	{ "a/#", -EINVAL },
	{ "a+b", -EINVAL },
	{ "a#", -EINVAL },
	{ "a/b/c+", -EINVAL },
};

static const struct valid_case filters[] = {
	{ "a", 0 },
	{ "a/b/c", 0 },
	{ "/", 0 },
	{ "a//b", 0 },
	{ "+", 0 },
	{ "#", 0 },
	{ "+/+", 0 },
	{ "/+", 0 },
	{ "+/", 0 },
	{ "a/+/b", 0 },
	{ "a/#", 0 },
	{ "/#", 0 },
	{ "+/#", 0 },
	{ "a//#", 0 },
	{ "+//+", 0 },
	{ "$SYS/#", 0 },
	{ "", -EINVAL },
	{ NULL, -EINVAL },
	{ "a+", -EINVAL },
	{ "+a", -EINVAL },
	{ "a/b+/c", -EINVAL },
	{ "a/+b", -EINVAL },
	{ "++", -EINVAL },
	{ "a#", -EINVAL },
	{ "#a", -EINVAL },
	{ "#/", -EINVAL },
	{ "#/a", -EINVAL },
	{ "a/#/b", -EINVAL },
	{ "a/##", -EINVAL },
	{ "#+", -EINVAL },
	{ "+#", -EINVAL },
	{ "a/b#", -EINVAL },
};

static int test_valid_tables(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(topics); i++)
		T_ASSERT(ringdev_topic_valid(topics[i].s) == topics[i].want,
			 "topic \"%s\": got %d, want %d", topics[i].s ? topics[i].s : "(null)",
			 ringdev_topic_valid(topics[i].s), topics[i].want);
	for (i = 0; i < ARRAY_SIZE(filters); i++)
		T_ASSERT(ringdev_topic_filter_valid(filters[i].s) == filters[i].want,
			 "filter \"%s\": got %d, want %d", filters[i].s ? filters[i].s : "(null)",
			 ringdev_topic_filter_valid(filters[i].s), filters[i].want);
	/* Every valid topic is a valid filter that matches itself. */
	for (i = 0; i < ARRAY_SIZE(topics); i++) {
		if (topics[i].want)
			continue;
		T_EQ(ringdev_topic_filter_valid(topics[i].s), 0);
		T_ASSERT(ringdev_topic_match(topics[i].s, topics[i].s),
			 "\"%s\" does not match itself", topics[i].s);
	}
	return T_PASS;
}

struct match_case {
	const char *filter;
	const char *topic;
	bool want;
};

static const struct match_case matches[] = {
	/* Literal levels: exact, byte-wise, case-sensitive. */
	{ "a", "a", true },
	{ "a", "b", false },
	{ "a", "A", false },
	{ "a/b/c", "a/b/c", true },
	{ "a/b/c", "a/b", false },
	{ "a/b", "a/b/c", false },
	{ "a/b", "a/bc", false },
	{ "a/bc", "a/b", false },
	{ "ab", "a", false },
	{ "a", "a/", false },
	{ "a/", "a", false },
	/* Empty levels are levels. */
	{ "a//b", "a//b", true },
	{ "a//b", "a/b", false },
	{ "a/b", "a//b", false },
	{ "/a", "/a", true },
	{ "/a", "a", false },
	{ "a/", "a/", true },
	{ "/", "/", true },
	/* '+': exactly one level, possibly empty. */
	{ "+", "a", true },
	{ "+", "a/b", false },
	{ "+", "/", false },
	{ "+/+", "/", true },
	{ "+/+", "a/b", true },
	{ "+/+", "a", false },
	{ "a/+", "a/b", true },
	{ "a/+", "a/", true },
	{ "a/+", "a", false },
	{ "a/+", "a/b/c", false },
	{ "a/+/c", "a/b/c", true },
	{ "a/+/c", "a//c", true },
	{ "a/+/c", "a/b/d", false },
	{ "+/b", "/b", true },
	{ "/+", "/", true },
	{ "/+", "/x", true },
	{ "sport/tennis/+", "sport/tennis/player1", true },
	{ "sport/tennis/+", "sport/tennis/player1/ranking", false },
	{ "sport/+", "sport", false },
	{ "sport/+", "sport/", true },
	/* '#': the parent level and anything below. */
	{ "#", "a", true },
	{ "#", "a/b/c", true },
	{ "#", "/", true },
	{ "#", "/a", true },
	{ "a/#", "a", true },
	{ "a/#", "a/", true },
	{ "a/#", "a/b", true },
	{ "a/#", "a/b/c", true },
	{ "a/#", "ab", false },
	{ "a/#", "b/a", false },
	{ "a/b/#", "a", false },
	{ "a/b/#", "a/b", true },
	{ "/#", "/", true },
	{ "/#", "/a/b", true },
	{ "/#", "a", false },
	{ "a//#", "a/", true },
	{ "a//#", "a//x", true },
	{ "a//#", "a/x", false },
	{ "+/#", "a", true },
	{ "+/#", "a/b/c", true },
	{ "+/+/#", "a", false },
	{ "+/+/#", "a/b", true },
	{ "sport/tennis/player1/#", "sport/tennis/player1", true },
	{ "sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true },
	{ "sport/#", "sport", true },
	/* '$' topics: not reached by a leading wildcard. */
	{ "#", "$SYS", false },
	{ "#", "$SYS/broker", false },
	{ "+", "$SYS", false },
	{ "+/broker", "$SYS/broker", false },
	{ "+/#", "$SYS/broker", false },
	{ "$SYS/#", "$SYS/broker", true },
	{ "$SYS/+", "$SYS/broker", true },
	{ "$SYS", "$SYS", true },
	{ "a/#", "a/$x", true },
	{ "+/$x", "a/$x", true },
	{ "+", "a$", true },
	/* Malformed arguments match nothing. */
	{ "a+", "a+", false },
	{ "a/#/b", "a/x/b", false },
	{ "#/a", "x/a", false },
	{ "a/b#", "a/b#", false },
	{ "a/+x", "a/+x", false },
	{ "#", "a/+", false },
	{ "#", "a/#", false },
	{ "a/#", "a/b/#", false },
	{ "+", "+", false },
	{ "+", "#", false },
	{ "a/+", "a/#", false },
	{ "", "", false },
	{ "#", "", false },
	{ "", "a", false },
	{ NULL, "a", false },
	{ "a", NULL, false },
};

static bool ref_match(const char *filter, const char *topic);

static int test_match_table(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(matches); i++) {
		const struct match_case *c = &matches[i];

		T_ASSERT(ringdev_topic_match(c->filter, c->topic) == c->want,
			 "filter \"%s\" topic \"%s\": want %s",
			 c->filter ? c->filter : "(null)", c->topic ? c->topic : "(null)",
			 c->want ? "match" : "no match");
		/* The table also checks the reference used below. */
		if (c->filter && c->topic)
			T_ASSERT(ref_match(c->filter, c->topic) == c->want,
				 "reference: filter \"%s\" topic \"%s\"", c->filter, c->topic);
	}
	return T_PASS;
}

/* The limit is 256 bytes with the NUL: 255 characters fit, 256 do not. */
static int test_lengths(void)
{
	char t[RINGDEV_TOPIC_MAX + 8], f[RINGDEV_TOPIC_MAX + 8];

	memset(t, 'a', sizeof(t));
	t[255] = '\0';
	T_EQ(ringdev_topic_valid(t), 0);
	T_EQ(ringdev_topic_filter_valid(t), 0);
	T_ASSERT(ringdev_topic_match(t, t), "255 bytes match");
	T_ASSERT(ringdev_topic_match("#", t), "# matches 255 bytes");
	t[255] = 'a';
	t[256] = '\0';
	T_EQ(ringdev_topic_valid(t), -ENAMETOOLONG);
	T_EQ(ringdev_topic_filter_valid(t), -ENAMETOOLONG);
	T_ASSERT(!ringdev_topic_match(t, t), "256 bytes matched");
	T_ASSERT(!ringdev_topic_match("#", t), "# matched 256 bytes");
	T_ASSERT(!ringdev_topic_match("+", t), "+ matched 256 bytes");
	/* The length is checked first. */
	t[250] = '+';
	T_EQ(ringdev_topic_valid(t), -ENAMETOOLONG);
	T_EQ(ringdev_topic_filter_valid(t), -ENAMETOOLONG);

	/* 253 bytes, '/', and an empty last level: 254 bytes, valid. */
	memset(t, 'a', sizeof(t));
	strcpy(t + 253, "/");
	T_EQ(ringdev_topic_valid(t), 0);
	strcpy(f, t);
	T_ASSERT(ringdev_topic_match(f, t), "254 bytes ending in '/'");
	/* Filters of exactly 255 bytes ending in a wildcard. */
	strcpy(f + 254, "#");
	T_EQ(ringdev_topic_filter_valid(f), 0);
	T_ASSERT(ringdev_topic_match(f, t), "\"...a/#\" of 255 bytes");
	strcpy(f + 254, "+");
	T_EQ(ringdev_topic_filter_valid(f), 0);
	T_ASSERT(ringdev_topic_match(f, t), "\"...a/+\" of 255 bytes");
	strcpy(t + 253, "/x");
	T_EQ(ringdev_topic_valid(t), 0);
	T_ASSERT(ringdev_topic_match(f, t), "\"...a/+\" vs 255-byte topic");
	/* One byte more on either side: no match. */
	strcpy(t + 253, "/xy");
	T_EQ(ringdev_topic_valid(t), -ENAMETOOLONG);
	T_ASSERT(!ringdev_topic_match(f, t), "+ matched into a 256-byte topic");
	strcpy(f + 254, "#");
	T_ASSERT(!ringdev_topic_match(f, t), "# matched a 256-byte topic");
	strcpy(t + 253, "/x");
	strcpy(f + 254, "+/");
	T_EQ(ringdev_topic_filter_valid(f), -ENAMETOOLONG);
	T_ASSERT(!ringdev_topic_match(f, t), "256-byte filter matched");
	strcpy(f + 254, "x");
	strcpy(t + 254, "x");
	T_ASSERT(ringdev_topic_match(f, t), "255-byte literal match");
	strcpy(f + 254, "xy");
	strcpy(t + 254, "xy");
	T_ASSERT(!ringdev_topic_match(f, t), "256-byte literal matched");
	/* The parent of "/#" at the limit. */
	memset(t, 'a', sizeof(t));
	t[255] = '\0';
	memcpy(f, t, 253);
	strcpy(f + 253, "/#");
	T_ASSERT(!ringdev_topic_match(f, t), "\"a../#\" matched an unrelated parent");
	t[253] = '\0';
	T_ASSERT(ringdev_topic_match(f, t), "\"a../#\" (255) vs its 253-byte parent");
	return T_PASS;
}

/* ---- a slow reference: split into levels, compare level by level ---- */

#define REF_LEVELS	64

struct levels {
	const char *start[REF_LEVELS];
	size_t len[REF_LEVELS];
	size_t n;
};

static void split(const char *s, struct levels *l)
{
	const char *p = s;

	l->n = 0;
	for (;;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		l->start[l->n] = p;
		l->len[l->n++] = len;
		if (!e)
			break;
		p = e + 1;
	}
}

static bool level_is(const struct levels *l, size_t i, const char *s)
{
	return l->len[i] == strlen(s) && !memcmp(l->start[i], s, l->len[i]);
}

static bool level_has_wild(const struct levels *l, size_t i)
{
	return memchr(l->start[i], '+', l->len[i]) || memchr(l->start[i], '#', l->len[i]);
}

static bool ref_filter_valid(const char *s, const struct levels *l)
{
	size_t i;

	if (!*s || strlen(s) >= RINGDEV_TOPIC_MAX)
		return false;
	for (i = 0; i < l->n; i++) {
		if (level_is(l, i, "+") || (level_is(l, i, "#") && i == l->n - 1))
			continue;
		if (level_has_wild(l, i))
			return false;
	}
	return true;
}

static bool ref_topic_valid(const char *s)
{
	return *s && strlen(s) < RINGDEV_TOPIC_MAX && !strpbrk(s, "+#");
}

static bool ref_match(const char *filter, const char *topic)
{
	struct levels f, t;
	size_t i;

	split(filter, &f);
	split(topic, &t);
	if (!ref_filter_valid(filter, &f) || !ref_topic_valid(topic))
		return false;
	if (topic[0] == '$' && (level_is(&f, 0, "+") || level_is(&f, 0, "#")))
		return false;
	for (i = 0; i < f.n; i++) {
		if (level_is(&f, i, "#"))
			return true;
		if (i >= t.n)
			return false;
		if (level_is(&f, i, "+"))
			continue;
		if (f.len[i] != t.len[i] || memcmp(f.start[i], t.start[i], f.len[i]))
			return false;
	}
	return f.n == t.n;
}

static unsigned int rnd_state = 12345;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

/* A short random string over an alphabet that makes collisions likely. */
static void rnd_str(char *s, int wild)
{
	static const char alpha[] = "ab/$+#";
	unsigned int len = rnd(8), i;

	for (i = 0; i < len; i++)
		s[i] = alpha[rnd(wild ? 6 : 4)];
	s[len] = '\0';
}

static int test_match_vs_reference(void)
{
	unsigned long i, n = t_scale(400000), hits = 0;
	char f[16], t[16];

	for (i = 0; i < n; i++) {
		bool got, want;

		rnd_str(f, 1);
		/* Mostly valid topics; sometimes wildcards, to check rejection. */
		rnd_str(t, rnd(8) == 0);
		got = ringdev_topic_match(f, t);
		want = ref_match(f, t);
		T_ASSERT(got == want, "filter \"%s\" topic \"%s\": got %d, reference %d",
			 f, t, got, want);
		hits += got;
		{
			struct levels l;

			split(f, &l);
			T_EQ(ringdev_topic_filter_valid(f) == 0, ref_filter_valid(f, &l));
			T_EQ(ringdev_topic_valid(t) == 0, ref_topic_valid(t));
		}
	}
	/* The generator must exercise matches, not only mismatches. */
	T_ASSERT(hits > n / 100, "only %lu matches in %lu pairs", hits, n);
	return T_PASS;
}

T_MAIN(T_CASE(test_valid_tables),
       T_CASE(test_match_table),
       T_CASE(test_lengths),
       T_CASE(test_match_vs_reference))

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * topic.c - pub/sub topic and filter validation and MQTT-style matching:
 * one pass, no allocation.  Semantics: see <ringdev/topic.h>.
 */
#include <errno.h>
#include <string.h>
#include <ringdev/topic.h>

/* Length of @s when shorter than RINGDEV_TOPIC_MAX, else an error. */
static int topic_len(const char *s, size_t *len)
{
	if (!s)
		return -EINVAL;
	*len = strnlen(s, RINGDEV_TOPIC_MAX);
	if (*len == RINGDEV_TOPIC_MAX)
		return -ENAMETOOLONG;
	return *len ? 0 : -EINVAL;
}

int ringdev_topic_valid(const char *topic)
{
	size_t len;
	int err = topic_len(topic, &len);

	if (err)
		return err;
	if (memchr(topic, '+', len) || memchr(topic, '#', len))
		return -EINVAL;
	return 0;
}

int ringdev_topic_filter_valid(const char *filter)
{
	size_t len, i;
	int err = topic_len(filter, &len);

	if (err)
		return err;
	for (i = 0; i < len; i++) {
		char c = filter[i];
		/* A wildcard must begin its level ... */
		bool level_start = i == 0 || filter[i - 1] == '/';

		if (c == '+') {
			/* ... and end it, */
			if (!level_start || (filter[i + 1] != '/' && filter[i + 1] != '\0'))
				return -EINVAL;
		} else if (c == '#') {
			/* ... and '#' ends the filter too. */
			if (!level_start || filter[i + 1] != '\0')
				return -EINVAL;
		}
	}
	return 0;
}

/*
 * Whether @p, a point in the string starting at @s, lies beyond the last
 * byte a valid topic or filter may have: at the NUL it means the string is
 * too long; at the start of a level, that the string is at least that long.
 */
static bool past_max(const char *s, const char *p)
{
	return p - s > RINGDEV_TOPIC_MAX - 1;
}

/*
 * The rest of a topic matched by '#': all it needs is to be valid.
 * @t0 is the topic's start, @t where '#' picks it up.
 */
static bool topic_rest_valid(const char *t0, const char *t)
{
	for (; *t; t++) {
		if (*t == '+' || *t == '#')
			return false;
	}
	return !past_max(t0, t);
}

/*
 * Walk both strings a level at a time.  Every early "false" is a mismatch
 * or a malformed argument, either of which means no match; a "true" is
 * returned only after both strings have been read to their NULs (or to the
 * filter's final '#' and the topic's NUL) and found valid.
 */
bool ringdev_topic_match(const char *filter, const char *topic)
{
	const char *f = filter, *t = topic;

	if (!f || !t || !*f || !*t)
		return false;
	/* '$' topics are reserved: no leading wildcard reaches them. */
	if (*t == '$' && (*f == '+' || *f == '#'))
		return false;

	for (;;) {
		/* Here f and t each stand at the start of a level. */
		if (past_max(filter, f) || past_max(topic, t))
			return false;
		if (*f == '#')
			return f[1] == '\0' && !past_max(filter, f + 1) &&
			       topic_rest_valid(topic, t);
		if (*f == '+') {
			if (f[1] != '/' && f[1] != '\0')
				return false;
			f++;
			for (; *t != '/' && *t; t++) {
				if (*t == '+' || *t == '#')
					return false;
			}
		} else {
			for (; *f != '/' && *f; f++, t++) {
				/* A wildcard inside a level: malformed filter. */
				if (*f == '+' || *f == '#')
					return false;
				/* Also stops at the end of t's level: *f is neither. */
				if (*f != *t)
					return false;
			}
			if (*t != '/' && *t)
				return false;	/* t's level is longer */
		}
		/* Both levels matched; f and t are at '/' or NUL. */
		if (!*f)
			return !*t && !past_max(filter, f) && !past_max(topic, t);
		if (!*t)
			/* Only a final "/#" also matches its parent level. */
			return f[1] == '#' && f[2] == '\0' && !past_max(filter, f + 2) &&
			       !past_max(topic, t);
		f++;
		t++;
	}
}

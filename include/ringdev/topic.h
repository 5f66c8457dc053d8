/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * topic.h - pub/sub topic names and subscription filters with MQTT 3.1.1 / 5
 * semantics: validating both, and matching a filter against a topic.
 *
 * A topic is a string of levels separated by '/'.  Empty levels are allowed
 * and count ("a//b" has three levels, "/a" two).  A filter is a topic that
 * may use two wildcards, each occupying a whole level: '+' matches exactly
 * one level (possibly empty) and '#', only as the last level, matches the
 * parent level and any number of levels below it ("a/#" matches "a", "a/b"
 * and "a/b/c"; "#" matches every topic).  Topics beginning with '$' are
 * reserved: a filter whose first level is a wildcard does not match them
 * ("#" does not match "$SYS/x"; "$SYS/#" does).  Comparison is byte-wise
 * and case-sensitive; UTF-8 is not checked.
 *
 * Nothing here allocates, and every call runs in time linear in the length
 * of its arguments (the validators read at most RINGDEV_TOPIC_MAX bytes).
 */
#ifndef RINGDEV_TOPIC_H
#define RINGDEV_TOPIC_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest topic or filter, in bytes, counting the terminating NUL. */
#define RINGDEV_TOPIC_MAX	256

/**
 * ringdev_topic_valid() - check a topic to publish on
 * @topic: NUL-terminated topic name
 *
 * A topic is valid when it is non-empty, at most RINGDEV_TOPIC_MAX bytes
 * including the NUL, and contains neither '+' nor '#'.
 *
 * Return: 0; -ENAMETOOLONG when too long; -EINVAL otherwise (NULL, empty,
 * or a wildcard).
 */
int ringdev_topic_valid(const char *topic);

/**
 * ringdev_topic_filter_valid() - check a subscription filter
 * @filter: NUL-terminated filter
 *
 * A filter is valid when it is non-empty, at most RINGDEV_TOPIC_MAX bytes
 * including the NUL, every '+' is a whole level, and a '#' is a whole level
 * and the last one.
 *
 * Return: 0; -ENAMETOOLONG when too long; -EINVAL otherwise.
 */
int ringdev_topic_filter_valid(const char *filter);

/**
 * ringdev_topic_match() - does a filter select a topic?
 * @filter: a subscription filter
 * @topic: a topic name
 *
 * Return: true when @filter is a valid filter, @topic a valid topic, and
 * @filter matches @topic; false otherwise, including for NULL arguments.
 */
bool ringdev_topic_match(const char *filter, const char *topic);

#ifdef __cplusplus
}
#endif

#endif /* RINGDEV_TOPIC_H */

/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * ringdev.h - libringdev's public header: include this one.
 * See ringdev(7) and Documentation/api.rst.
 */
#ifndef RINGDEV_RINGDEV_H
#define RINGDEV_RINGDEV_H

#include <ringdev/ring.h>
#include <ringdev/chan.h>
#include <ringdev/hlc.h>
#include <ringdev/topic.h>
#include <ringdev/runtime.h>
#include <ringdev/batch.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RINGDEV_VERSION_MAJOR	0
#define RINGDEV_VERSION_MINOR	1
#define RINGDEV_VERSION_STRING	"0.1.0"

/**
 * ringdev_version() - the library's version string, e.g. "0.1.0"
 */
const char *ringdev_version(void);

/**
 * ringdev_strerror() - describe an error returned by a ringdev call
 * @err: a negative (or positive) errno value
 *
 * Return: a static string; ringdev-specific meanings first, then strerror().
 */
const char *ringdev_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* RINGDEV_RINGDEV_H */

/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/*
 * probes.h - libringdev's USDT probes (provider "ringdev"): send, receive,
 * kick, wake, drop.  Compiled in when <sys/sdt.h> is available (Debian's
 * systemtap-sdt-dev); each is a single nop until a tracer attaches.
 * List them with `perf list sdt_ringdev:*` after `perf buildid-cache
 * --add libringdev.so`, or `bpftrace -l 'usdt:libringdev.so:*'`.
 */
#ifndef RINGDEV_PROBES_H
#define RINGDEV_PROBES_H

#ifdef RINGDEV_HAVE_SDT
#include <sys/sdt.h>
/* send(ring, len), receive(ring, len), kick(ring, side), wake(ring, side),
 * drop(kernel id, lane) */
#define RINGDEV_PROBE2(name, a, b)	STAP_PROBE2(ringdev, name, a, b)
#else
#define RINGDEV_PROBE2(name, a, b)	do { (void)(a); (void)(b); } while (0)
#endif

#endif /* RINGDEV_PROBES_H */

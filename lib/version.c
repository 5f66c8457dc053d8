// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* version.c - the library's version and its error strings. */
#include <errno.h>
#include <string.h>
#include <ringdev/ringdev.h>

const char *ringdev_version(void)
{
	return RINGDEV_VERSION_STRING;
}

const char *ringdev_strerror(int err)
{
	if (err == -2147483647 - 1)
		return "unknown error";
	if (err > 0)
		err = -err;
	/* The errnos whose meaning ringdev narrows; the rest are the system's. */
	switch (err) {
	case -EBADMSG:
		return "corrupt ring or malformed message in shared memory";
	case -EPROTO:
		return "ring or peer speaks another ringdev ABI version";
	case -EPIPE:
		return "the peer has gone away";
	case -EAGAIN:
		return "ring full or empty; try again";
	case -EMSGSIZE:
		return "message larger than the slot or the buffer";
	case -ENODEV:
		return "transport unavailable (is ringdev.ko loaded?)";
	default:
		return strerror(-err);
	}
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* manage.c - `ringctl create` (make a named ring and hold it) and `ringctl unlink`. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "ringctl.h"

static const struct option create_opts[] = {
	{ "capacity", required_argument, NULL, 'c' },
	{ "slot-size", required_argument, NULL, 's' },
	{ "mode", required_argument, NULL, 'm' },
	{ "transport", required_argument, NULL, 't' },
	{ "flags", required_argument, NULL, 'f' },
	{ "hold", required_argument, NULL, 'H' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Sleep until @seconds pass (0: forever) or a signal asks us to stop. */
static void hold(__u32 seconds, bool forever)
{
	__u64 end = rc_now_ns() + (__u64)seconds * 1000000000ull;

	while (!rc_stop_requested()) {
		__u64 now = rc_now_ns();
		__u64 left = end > now ? end - now : 0;

		if (!forever && !left)
			break;
		/* poll() with no fds: a sleep that a signal cuts short. */
		poll(NULL, 0, forever || left > 1000000000ull ? 1000 :
			      (int)(left / 1000000) + 1);
	}
}

/**
 * cmd_create() - `ringctl create NAME [options] [--hold SECONDS]`
 * @argc: argument count
 * @argv: arguments; argv[0] is "create"
 *
 * A ring's name lives as long as its creator holds it (dev: the last ring
 * fd; shm: the creator serves the name), so create holds the ring until
 * --hold SECONDS pass or SIGINT/SIGTERM; then the name goes.
 *
 * Return: RC_OK, RC_ERR or RC_USAGE.
 */
int cmd_create(int argc, char **argv)
{
	struct ringdev_chan_opts o;
	struct ringdev_chan *ch;
	__u32 seconds = 0;
	bool forever = true;
	char what[96];
	int c, rc;

	ringdev_chan_opts_init(&o);
	o.mode = 0600;
	while ((c = getopt_long(argc, argv, "c:s:m:t:f:H:h", create_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (rc_parse_u32(optarg, &o.capacity))
				return rc_usage_error("create", "bad --capacity '%s'", optarg);
			break;
		case 's':
			if (rc_parse_u32(optarg, &o.slot_size))
				return rc_usage_error("create", "bad --slot-size '%s'", optarg);
			break;
		case 'm':
			if (rc_parse_mode(optarg, &o.mode))
				return rc_usage_error("create", "bad --mode '%s' (octal, <= 0777)",
						      optarg);
			break;
		case 't':
			if (rc_parse_transport(optarg, &o.transport))
				return rc_usage_error("create", "bad --transport '%s'", optarg);
			break;
		case 'f':
			if (rc_parse_ring_flags(optarg, &o.ring_flags))
				return rc_usage_error("create", "bad --flags '%s'", optarg);
			break;
		case 'H':
			if (rc_parse_u32(optarg, &seconds))
				return rc_usage_error("create", "bad --hold '%s'", optarg);
			forever = false;
			break;
		case 'h':
			printf("usage: ringctl create NAME [--capacity N] [--slot-size B] [--mode 0600]\n"
			       "                      [--transport dev|shm] [--flags mp,mc,dev-prod,dev-cons]\n"
			       "                      [--hold SECONDS]\n"
			       "  Make a named ring and hold it: a ring's name lives only while its\n"
			       "  creator holds it (dev: the last ring fd; shm: the creator serves the\n"
			       "  name).  Holds until SIGINT/SIGTERM, or SECONDS with --hold.  Prints\n"
			       "  one line once the name is attachable.  Defaults: 1024 slots of\n"
			       "  256 bytes, mode 0600, the auto transport (dev when loaded).\n");
			return RC_OK;
		default:
			return rc_bad_option("create", argv);
		}
	}
	if (argc - optind != 1)
		return rc_usage_error("create", "expected one NAME");
	o.name = argv[optind];
	snprintf(what, sizeof(what), "create %s", o.name);
	rc_catch_signals();
	rc = ringdev_chan_create(&o, &ch);
	if (rc) {
		rc_err(what, rc);
		return RC_ERR;
	}
	printf("created %s ring %s: %u slots x %u bytes, mode %04o\n",
	       ringdev_chan_transport(ch) == RINGDEV_TRANSPORT_DEV ? "dev" : "shm",
	       o.name, o.capacity, o.slot_size, o.mode);
	fflush(stdout);
	hold(seconds, forever);
	ringdev_chan_close(ch);		/* the name goes with it */
	return RC_OK;
}

static const struct option unlink_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/**
 * cmd_unlink() - `ringctl unlink NAME`: remove a driver ring's name
 * @argc: argument count
 * @argv: arguments; argv[0] is "unlink"
 *
 * Return: RC_OK, RC_ERR or RC_USAGE.
 */
int cmd_unlink(int argc, char **argv)
{
	struct ringdev_unlink u;
	char what[96], **names;
	unsigned int n, i;
	int c, fd, rc;

	while ((c = getopt_long(argc, argv, "h", unlink_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: ringctl unlink NAME\n"
			       "  Remove a driver ring's name (RINGDEV_IOC_UNLINK); open rings live on.\n"
			       "  Only the owner may.  A shm channel's name goes with its creator:\n"
			       "  stop that process instead.\n");
			return RC_OK;
		default:
			return rc_bad_option("unlink", argv);
		}
	}
	if (argc - optind != 1)
		return rc_usage_error("unlink", "expected one NAME");
	snprintf(what, sizeof(what), "unlink %s", argv[optind]);
	if (strlen(argv[optind]) >= RINGDEV_NAME_MAX || !argv[optind][0]) {
		rc_err(what, -EINVAL);
		return RC_ERR;
	}
	rc = -ENOENT;
	fd = rc_dev_open();
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		memcpy(u.name, argv[optind], strlen(argv[optind]));
		rc = ioctl(fd, RINGDEV_IOC_UNLINK, &u) < 0 ? -errno : 0;
		close(fd);
		if (rc != -ENOENT)
			goto out;
	}
	/* Not a driver ring: say so plainly if it is a shm channel. */
	if (!rc_unix_names("ringdev/", &names, &n)) {
		for (i = 0; i < n && strcmp(names[i], argv[optind]); i++)
			;
		rc_names_free(names, n);
		if (i < n) {
			rc_errf(what, "a shm channel's name goes with its creator; stop that process");
			return RC_ERR;
		}
	}
out:
	if (rc) {
		rc_err(what, rc);
		return RC_ERR;
	}
	return RC_OK;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* main.c - ringctl's command line: global options, command table, shared parsing. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ringctl.h"

struct rc_global rc_g;

struct rc_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct rc_cmd rc_cmds[] = {
	{ "info",   cmd_info,   "library, driver, io_uring and CUDA facts" },
	{ "list",   cmd_list,   "every ring: driver rings and named shm channels" },
	{ "stat",   cmd_stat,   "every counter of one ring" },
	{ "watch",  cmd_watch,  "live view of rates and depths" },
	{ "create", cmd_create, "make a named ring and hold it open" },
	{ "unlink", cmd_unlink, "remove a driver ring's name" },
	{ "ping",   cmd_ping,   "round-trip latency through an echo service" },
	{ "dump",   cmd_dump,   "decode the queued messages of a ring (consumes none)" },
	{ "top",    cmd_top,    "kernels of runtimes that publish telemetry" },
};

/**
 * rc_err() - report a failure as "ringctl: <what>: <why>" on stderr
 * @what: what was being done
 * @err: a negative (or positive) errno value
 */
void rc_err(const char *what, int err)
{
	fprintf(stderr, "ringctl: %s: %s\n", what, ringdev_strerror(err < 0 ? err : -err));
}

/**
 * rc_errf() - report a failure with a formatted reason
 * @what: what was being done
 * @fmt: printf format of the reason
 */
void rc_errf(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ringctl: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/**
 * rc_usage_error() - report a bad command line and point at --help
 * @cmd: the command, or NULL for the tool itself
 * @fmt: printf format of the problem
 *
 * Return: RC_USAGE, for the caller to return.
 */
int rc_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ringctl: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ringctl %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return RC_USAGE;
}

/**
 * rc_parse_u64() - parse a whole decimal (or 0x hex) unsigned number
 * @s: the text
 * @out: receives the value
 *
 * Return: 0, or -EINVAL when @s is not entirely a number in range.
 */
int rc_parse_u64(const char *s, __u64 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/**
 * rc_parse_u32() - rc_parse_u64() limited to 32 bits
 * @s: the text
 * @out: receives the value
 *
 * Return: 0 or -EINVAL.
 */
int rc_parse_u32(const char *s, __u32 *out)
{
	__u64 v;

	if (rc_parse_u64(s, &v) || v > 0xffffffffull)
		return -EINVAL;
	*out = (__u32)v;
	return 0;
}

/**
 * rc_parse_mode() - parse an octal permission mode such as 0660
 * @s: the text
 * @out: receives the mode, <= 0777
 *
 * Return: 0 or -EINVAL.
 */
int rc_parse_mode(const char *s, __u32 *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *end || v > 0777)
		return -EINVAL;
	*out = (__u32)v;
	return 0;
}

/**
 * rc_parse_transport() - "dev" or "shm" to enum ringdev_transport
 * @s: the text
 * @out: receives RINGDEV_TRANSPORT_DEV or RINGDEV_TRANSPORT_SHM
 *
 * Return: 0 or -EINVAL.
 */
int rc_parse_transport(const char *s, __u32 *out)
{
	if (!strcmp(s, "dev"))
		*out = RINGDEV_TRANSPORT_DEV;
	else if (!strcmp(s, "shm"))
		*out = RINGDEV_TRANSPORT_SHM;
	else
		return -EINVAL;
	return 0;
}

const struct rc_flag_names rc_ring_flag_names = {
	.known = RINGDEV_RING_F_ALL, .n = 4,
	.flag = { { "mp", RINGDEV_RING_F_MP }, { "mc", RINGDEV_RING_F_MC },
		  { "dev-prod", RINGDEV_RING_F_DEV_PROD },
		  { "dev-cons", RINGDEV_RING_F_DEV_CONS } },
};

const struct rc_flag_names rc_env_flag_names = {
	.known = RINGDEV_ENV_F_ALL, .n = 4,
	.flag = { { "crc", RINGDEV_ENV_F_CRC }, { "reply", RINGDEV_ENV_F_REPLY },
		  { "error", RINGDEV_ENV_F_ERROR }, { "topic", RINGDEV_ENV_F_TOPIC } },
};

/**
 * rc_parse_ring_flags() - "mp,mc,dev-prod,dev-cons" to RINGDEV_RING_F_*
 * @s: comma-separated names; "" or "none" for none
 * @out: receives the flags
 *
 * Return: 0 or -EINVAL for an unknown name.
 */
int rc_parse_ring_flags(const char *s, __u32 *out)
{
	const struct rc_flag_names *names = &rc_ring_flag_names;
	__u32 flags = 0;
	const char *p = s;

	if (!strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < names->n; i++)
			if (strlen(names->flag[i].name) == n && !strncmp(p, names->flag[i].name, n))
				break;
		if (i == names->n)
			return -EINVAL;
		flags |= names->flag[i].bit;
		p += n;
		if (*p == ',' && *++p == '\0')
			return -EINVAL;
	}
	*out = flags;
	return 0;
}

/**
 * rc_bad_option() - report what getopt_long() refused (opterr is 0)
 * @cmd: the command
 * @argv: its arguments, as given to getopt_long()
 *
 * Return: RC_USAGE.
 */
int rc_bad_option(const char *cmd, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (optopt && optopt != '?')
		return rc_usage_error(cmd, "bad option or missing value: -%c", optopt);
	return rc_usage_error(cmd, "bad option or missing value: '%s'", arg);
}

/** rc_now_ns() - CLOCK_MONOTONIC in nanoseconds */
__u64 rc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* The tool's own help: commands and global options. */
static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ringctl [--json] COMMAND [ARGS]\n"
		   "       ringctl COMMAND --help\n"
		   "       ringctl --version\n\n"
		   "Inspect and manage ringdev rings: /dev/ringdev rings, named shm channels\n"
		   "and runtimes that publish telemetry.  Commands (any unique prefix works):\n");
	for (i = 0; i < sizeof(rc_cmds) / sizeof(rc_cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", rc_cmds[i].name, rc_cmds[i].summary);
	fprintf(f, "\nOptions:\n"
		   "  -j, --json     JSON on stdout (info, list, stat, dump, ping, top)\n"
		   "  -h, --help     this help\n"
		   "  -V, --version  the versions of ringctl and libringdev\n\n"
		   "Exit status: 0 ok, 1 error, 2 usage.  See ringctl(8).\n");
}

/* Find a command by its name or a unique prefix of it. */
static const struct rc_cmd *find_cmd(const char *name)
{
	const struct rc_cmd *hit = NULL;
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(rc_cmds) / sizeof(rc_cmds[0]); i++) {
		if (!strcmp(rc_cmds[i].name, name))
			return &rc_cmds[i];
		if (n && !strncmp(rc_cmds[i].name, name, n)) {
			if (hit)
				return NULL;	/* ambiguous */
			hit = &rc_cmds[i];
		}
	}
	return hit;
}

/**
 * main() - parse global options, dispatch to the command
 * @argc: argument count
 * @argv: arguments
 *
 * Return: RC_OK, RC_ERR or RC_USAGE.
 */
int main(int argc, char **argv)
{
	const struct rc_cmd *cmd;
	int i = 1;

	opterr = 0;	/* the commands report bad options themselves */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			rc_g.json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return RC_OK;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("ringctl %s (libringdev %s)\n", RINGDEV_VERSION_STRING,
			       ringdev_version());
			return RC_OK;
		} else {
			return rc_usage_error(NULL, "unknown option '%s'", argv[i]);
		}
	}
	if (i == argc) {
		usage(stderr);
		return RC_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc && (cmd = find_cmd(argv[i + 1]))) {
			char *hargv[] = { (char *)cmd->name, (char *)"--help", NULL };

			return cmd->fn(2, hargv);
		}
		usage(stdout);
		return RC_OK;
	}
	cmd = find_cmd(argv[i]);
	if (!cmd)
		return rc_usage_error(NULL, "unknown or ambiguous command '%s'", argv[i]);
	argv[i] = (char *)cmd->name;
	return cmd->fn(argc - i, argv + i);
}

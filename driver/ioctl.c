// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl.c - the ringdev command table and its two front ends,
 * unlocked_ioctl (both fd kinds) and uring_cmd (ring fds).
 *
 * One entry per command says which fd kind takes it, whether io_uring may
 * carry it and what the handler is; the payload size and direction come
 * from the command number itself.  The dispatcher copies the payload in,
 * calls the handler, copies the reply out and only then installs any new
 * fd the handler made, so a failed copy never leaves an fd behind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <linux/kernel.h>

#include "internal.h"
#include "compat.h"

#define RINGDEV_CMD_CTL		BIT(0)	/* on the /dev/ringdev fd */
#define RINGDEV_CMD_RING	BIT(1)	/* on a ring fd */
#define RINGDEV_CMD_URING	BIT(2)	/* also as a uring_cmd (input only) */

struct ringdev_cmd {
	unsigned int nr;
	unsigned int flags;
	int (*handler)(struct ringdev_ctx *ctx, void *arg);
};

static const struct ringdev_cmd ringdev_cmds[] = {
	{ RINGDEV_IOC_INFO,	   RINGDEV_CMD_CTL,  ringdev_cmd_info },
	{ RINGDEV_IOC_CREATE,	   RINGDEV_CMD_CTL,  ringdev_cmd_create },
	{ RINGDEV_IOC_ATTACH,	   RINGDEV_CMD_CTL,  ringdev_cmd_attach },
	{ RINGDEV_IOC_UNLINK,	   RINGDEV_CMD_CTL,  ringdev_cmd_unlink },
	{ RINGDEV_IOC_LIST,	   RINGDEV_CMD_CTL,  ringdev_cmd_list },
	{ RINGDEV_IOC_SET_EVENTFD, RINGDEV_CMD_RING, ringdev_cmd_set_eventfd },
	{ RINGDEV_IOC_KICK,	   RINGDEV_CMD_RING | RINGDEV_CMD_URING,
				   ringdev_cmd_kick },
	{ RINGDEV_IOC_STATS,	   RINGDEV_CMD_RING, ringdev_cmd_stats },
};

/* Big enough for any command's payload. */
union ringdev_cmd_buf {
	struct ringdev_info info;
	struct ringdev_create create;
	struct ringdev_attach attach;
	struct ringdev_unlink unlink;
	struct ringdev_list list;
	struct ringdev_set_eventfd set_eventfd;
	struct ringdev_kick kick;
	struct ringdev_stats stats;
};

/* The uring_cmd payload lives in a normal 64-byte SQE's command area. */
#define RINGDEV_URING_PAYLOAD_MAX	16

static const struct ringdev_cmd *
ringdev_find_cmd(unsigned int nr, struct ringdev_ring *ring)
{
	unsigned int kind = ring ? RINGDEV_CMD_RING : RINGDEV_CMD_CTL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ringdev_cmds); i++) {
		if (ringdev_cmds[i].nr != nr)
			continue;
		if (!(ringdev_cmds[i].flags & kind))
			return NULL;
		return &ringdev_cmds[i];
	}
	return NULL;
}

long ringdev_ioctl(struct file *file, unsigned int nr, unsigned long arg,
		   struct ringdev_ring *ring)
{
	const struct ringdev_cmd *cmd = ringdev_find_cmd(nr, ring);
	void __user *uarg = (void __user *)arg;
	struct ringdev_ctx ctx = {
		.file = file,
		.ring = ring,
		.new_fd = -1,
	};
	union ringdev_cmd_buf buf;
	size_t size;
	int ret;

	if (!cmd)
		return -ENOTTY;
	size = _IOC_SIZE(nr);
	BUILD_BUG_ON(sizeof(buf) > 256);
	if (WARN_ON_ONCE(size > sizeof(buf)))
		return -ENOTTY;

	if (_IOC_DIR(nr) & _IOC_WRITE) {
		if (copy_from_user(&buf, uarg, size))
			return -EFAULT;
	} else {
		memset(&buf, 0, size);
	}

	ret = cmd->handler(&ctx, &buf);
	if (ret < 0)
		return ret;

	if ((_IOC_DIR(nr) & _IOC_READ) && copy_to_user(uarg, &buf, size)) {
		ret = -EFAULT;
		goto err_new_file;
	}
	if (ctx.new_file)
		fd_install(ctx.new_fd, ctx.new_file);
	return ret;

err_new_file:
	if (ctx.new_file) {
		put_unused_fd(ctx.new_fd);
		fput(ctx.new_file);
	}
	return ret;
}

#ifdef CONFIG_IO_URING
/*
 * uring_cmd on a ring fd: cmd_op is the ioctl number, the payload is in the
 * SQE.  Completed inline: the return value is the CQE result.
 */
int ringdev_uring_cmd(struct io_uring_cmd *ucmd, unsigned int issue_flags)
{
	struct ringdev_ring *ring = ucmd->file->private_data;
	const struct ringdev_cmd *cmd;
	struct ringdev_ctx ctx = {
		.file = ucmd->file,
		.ring = ring,
		.new_fd = -1,
	};
	union ringdev_cmd_buf buf;
	size_t size;

	cmd = ringdev_find_cmd(ucmd->cmd_op, ring);
	if (!cmd || !(cmd->flags & RINGDEV_CMD_URING))
		return -ENOTTY;
	size = _IOC_SIZE(cmd->nr);
	if (WARN_ON_ONCE(size > RINGDEV_URING_PAYLOAD_MAX ||
			 _IOC_DIR(cmd->nr) != _IOC_WRITE))
		return -ENOTTY;
	/* One copy: user space may rewrite the SQE behind us. */
	memcpy(&buf, ringdev_uring_cmd_payload(ucmd), size);
	return cmd->handler(&ctx, &buf);
}
#endif

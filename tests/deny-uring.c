// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * deny-uring.c - run a program in which io_uring_setup(2) fails with EPERM,
 * as it does under Docker's default seccomp profile, so that the library's
 * fallback to plain syscalls is tested on a kernel that has io_uring.
 *
 * usage: deny-uring PROGRAM [ARG...]
 *
 * Installs a seccomp filter (no privilege needed: PR_SET_NO_NEW_PRIVS),
 * checks that the filter really refuses io_uring_setup, then execs PROGRAM,
 * which inherits the filter.  Exit 2 for usage, 1 when the filter cannot be
 * installed or does not take, else PROGRAM's status.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define DENY_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define DENY_ARCH	AUDIT_ARCH_AARCH64
#else
#error "deny-uring: add this architecture's AUDIT_ARCH_*"
#endif

static int install_filter(void)
{
	struct sock_filter code[] = {
		/* A foreign ABI's syscall numbers mean something else: refuse it. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DENY_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		perror("deny-uring: PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("deny-uring: PR_SET_SECCOMP");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct io_uring_params p;
	long fd;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout, "usage: deny-uring PROGRAM [ARG...]\n"
			"Runs PROGRAM with io_uring_setup(2) failing with EPERM (seccomp).\n");
		return argc < 2 ? 2 : 0;
	}
	if (install_filter())
		return 1;
	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd >= 0 || errno != EPERM) {
		fprintf(stderr, "deny-uring: io_uring_setup was not refused (%s)\n",
			fd >= 0 ? "it succeeded" : strerror(errno));
		return 1;
	}
	printf("deny-uring: io_uring_setup now fails with EPERM; running %s\n", argv[1]);
	fflush(stdout);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "deny-uring: %s: %s\n", argv[1], strerror(errno));
	return 1;
}

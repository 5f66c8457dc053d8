/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ringdev.h - the ringdev ABI: ring region layout, message envelope,
 * /dev/ringdev ioctls and mmap offsets.
 *
 * This is the one definition shared by the driver, libringdev, the CUDA
 * device code and the tools.  It compiles on its own in C and C++ with only
 * <linux/types.h> and <linux/ioctl.h>.  Documentation/abi.rst describes every
 * byte.  Rules: fixed-size __u32/__u64 fields, explicit padding, reserved
 * fields must be zero, new commands rather than versioned structs.
 */
#ifndef _UAPI_LINUX_RINGDEV_H
#define _UAPI_LINUX_RINGDEV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define RINGDEV_MAGIC		0x56454452U	/* "RDEV" in memory order */
#define RINGDEV_ABI_VERSION	1U

/* ------------------------------------------------------------------ */
/* Ring region: control block, then capacity slots of slot_size bytes.  */
/* ------------------------------------------------------------------ */

/* The control block is one page; the slot array starts right after it. */
#define RINGDEV_CTRL_SIZE	4096U
/*
 * Words written by different parties live in different 128-byte blocks so
 * that neither a shared 64-byte line nor the adjacent-line prefetcher
 * makes two writers contend.
 */
#define RINGDEV_CTRL_BLOCK	128U

#define RINGDEV_SLOT_MIN	64U		/* smallest slot; power of two */
#define RINGDEV_SLOT_MAX	65536U		/* largest slot; power of two */
#define RINGDEV_CAPACITY_MIN	2U		/* slots; power of two */
#define RINGDEV_CAPACITY_MAX	(1U << 24)	/* slots; power of two */
#define RINGDEV_NAME_MAX	64U		/* bytes including the NUL */

/* ringdev_ctrl_hdr.flags: how the ring is used. */
#define RINGDEV_RING_F_MP	 (1U << 0)	/* several producers (CAS claim) */
#define RINGDEV_RING_F_MC	 (1U << 1)	/* several consumers (CAS claim) */
#define RINGDEV_RING_F_DEV_PROD	 (1U << 2)	/* producer is a device: watch the doorbell word */
#define RINGDEV_RING_F_DEV_CONS	 (1U << 3)	/* consumer is a device */
#define RINGDEV_RING_F_ALL	 0xfU

/* Block 0: written once when the ring is formatted, read-only after. */
struct ringdev_ctrl_hdr {
	__u32 magic;		/* RINGDEV_MAGIC */
	__u32 abi_version;	/* RINGDEV_ABI_VERSION */
	__u32 ctrl_size;	/* RINGDEV_CTRL_SIZE: offset of slot 0 */
	__u32 slot_size;	/* bytes per slot, power of two */
	__u32 capacity;		/* slots, power of two */
	__u32 flags;		/* RINGDEV_RING_F_* */
	__u64 region_size;	/* ctrl_size + capacity * slot_size */
	__u64 reserved[4];	/* zero */
	char name[RINGDEV_NAME_MAX];	/* NUL-terminated, informational */
};

/* Block 1: written by producers only. */
struct ringdev_ctrl_prod {
	__u64 pos;		/* next position to claim (MP: CAS target) */
	__u64 full;		/* times an enqueue found the ring full */
	__u64 kicks;		/* doorbells rung for a sleeping consumer */
	__u64 dropped;		/* messages the producer discarded (DROP_OLDEST) */
	__u64 doorbell;		/* bumped by a device producer after publishing */
	__u64 reserved[11];
};

/* Block 2: written by consumers only. */
struct ringdev_ctrl_cons {
	__u64 pos;		/* next position to consume (MC: CAS target) */
	__u64 sleeps;		/* times a consumer blocked on an empty ring */
	__u64 kicks;		/* doorbells rung for a producer waiting on space */
	__u64 bad;		/* malformed messages discarded (-EBADMSG) */
	__u64 reserved[12];
};

/*
 * Blocks 3 and 4: the need-wakeup flags, each on its own block because the
 * other side reads it after every publish while its owner writes it only
 * around a sleep.  Non-zero means "I am about to sleep: ring my doorbell".
 */
struct ringdev_ctrl_wake {
	__u32 need_wakeup;	/* 1, or the number of sleepers on a multi side */
	__u32 reserved0;
	__u64 sleep_seq;	/* bumped before every sleep: one doorbell per sleep */
	__u64 reserved[14];
};

/*
 * Blocks 5 and 6: the runtime's control words.  The host writes 'ctl'; the
 * kernel behind the ring (a CPU thread or a GPU persistent kernel) writes
 * 'status'.  One writer per word: no read-modify-write is shared with a GPU.
 */
#define RINGDEV_CTL_ACTIVE	(1U << 0)	/* process messages */
#define RINGDEV_CTL_TERMINATE	(1U << 1)	/* leave the loop */

struct ringdev_ctrl_ctl {
	__u32 ctl;		/* RINGDEV_CTL_* */
	__u32 reserved0;
	__u64 reserved[15];
};

struct ringdev_ctrl_status {
	__u32 alive;		/* non-zero once the kernel loop runs */
	__u32 exited;		/* non-zero once it has left the loop */
	__u64 heartbeat;	/* bumped by the loop while it runs */
	__u64 handled;		/* messages handled */
	__u64 reserved[13];
};

struct ringdev_ctrl {
	struct ringdev_ctrl_hdr hdr;		/*    0 */
	struct ringdev_ctrl_prod prod;		/*  128 */
	struct ringdev_ctrl_cons cons;		/*  256 */
	struct ringdev_ctrl_wake cons_wake;	/*  384: consumer sleeps */
	struct ringdev_ctrl_wake prod_wake;	/*  512: producer sleeps */
	struct ringdev_ctrl_ctl ctl;		/*  640 */
	struct ringdev_ctrl_status status;	/*  768 */
	__u8 reserved[RINGDEV_CTRL_SIZE - 896];	/*  896: zero */
};

/* ------------------------------------------------------------------ */
/* Slots: a sequence word, the envelope, then the payload.             */
/* ------------------------------------------------------------------ */

#define RINGDEV_ENV_VERSION	1U

/* ringdev_envelope.flags */
#define RINGDEV_ENV_F_CRC	(1U << 0)	/* crc32c covers the payload */
#define RINGDEV_ENV_F_REPLY	(1U << 1)	/* a reply to corr_id */
#define RINGDEV_ENV_F_ERROR	(1U << 2)	/* a reply carrying an error */
#define RINGDEV_ENV_F_TOPIC	(1U << 3)	/* payload starts with a NUL-terminated topic */
#define RINGDEV_ENV_F_ALL	0xfU

struct ringdev_envelope {
	__u32 type;		/* user message type id */
	__u16 flags;		/* RINGDEV_ENV_F_* */
	__u8 priority;		/* 0 lowest */
	__u8 version;		/* RINGDEV_ENV_VERSION */
	__u32 len;		/* payload bytes following the slot header */
	__u32 crc32c;		/* of the payload, when RINGDEV_ENV_F_CRC */
	__u64 msg_id;		/* sender-unique message id */
	__u64 corr_id;		/* request id this message answers, or 0 */
	__u32 src;		/* sender endpoint id */
	__u32 dst;		/* destination endpoint id */
	__u64 hlc;		/* hybrid logical clock timestamp */
	__u64 deadline;		/* CLOCK_MONOTONIC ns, 0 = none */
};

/*
 * Vyukov's bounded-queue protocol on 'seq', for a slot at position p:
 * seq == p means free for the producer claiming p; the producer writes the
 * envelope and payload, then stores seq = p + 1 with release order; the
 * consumer at p loads seq with acquire order, sees p + 1, reads, then
 * stores seq = p + capacity (free for the next lap) with release order.
 */
struct ringdev_slot_hdr {
	__u64 seq;
	struct ringdev_envelope env;
};

#define RINGDEV_SLOT_HDR_SIZE	64U	/* payload starts here in a slot */

/* ------------------------------------------------------------------ */
/* /dev/ringdev ioctls.                                                */
/* ------------------------------------------------------------------ */

#define RINGDEV_IOC_TYPE	0xD4

/* mmap offsets on a ring fd */
#define RINGDEV_OFF_REGION	0ULL	/* the whole region, region_size bytes */

/* Which doorbell a SET_EVENTFD or KICK names. */
#define RINGDEV_SIDE_CONS	0U	/* the consumer's: rung when data arrives */
#define RINGDEV_SIDE_PROD	1U	/* the producer's: rung when space frees */

/* RINGDEV_IOC_INFO: driver and limits. */
struct ringdev_info {
	__u32 abi_version;	/* out: RINGDEV_ABI_VERSION */
	__u32 features;		/* out: RINGDEV_FEAT_* */
	__u32 max_rings;	/* out: module parameter */
	__u32 nr_rings;		/* out: rings alive now */
	__u64 max_ring_bytes;	/* out: module parameter, per ring */
	__u64 user_bytes;	/* out: bytes charged to the caller's uid */
	__u64 reserved[4];	/* out: zero */
};

#define RINGDEV_FEAT_URING_CMD	(1U << 0)
#define RINGDEV_FEAT_WATCHER	(1U << 1)

/* Region geometry returned by CREATE and ATTACH. */
struct ringdev_region {
	__u64 size;		/* bytes to mmap */
	__u64 offset;		/* mmap offset: RINGDEV_OFF_REGION */
	__u32 ctrl_offset;	/* control block inside the region: 0 */
	__u32 slots_offset;	/* slot 0 inside the region: RINGDEV_CTRL_SIZE */
	__u32 capacity;
	__u32 slot_size;
};

/* RINGDEV_IOC_CREATE: make a ring; returns a new ring fd. */
struct ringdev_create {
	char name[RINGDEV_NAME_MAX];	/* in: "" anonymous, else unique */
	__u32 capacity;		/* in: slots, power of two */
	__u32 slot_size;	/* in: bytes, power of two */
	__u32 flags;		/* in: RINGDEV_RING_F_* */
	__u32 mode;		/* in: permission bits for ATTACH, <= 0777 */
	__u32 fd_flags;		/* in: 0 or O_CLOEXEC */
	__s32 fd;		/* out: ring fd */
	__u32 ring_id;		/* out: driver-wide id */
	__u32 reserved0;	/* in: zero */
	struct ringdev_region region;	/* out */
	__u64 reserved[2];	/* in: zero */
};

/* RINGDEV_IOC_ATTACH: open a named ring; returns a new ring fd. */
struct ringdev_attach {
	char name[RINGDEV_NAME_MAX];	/* in */
	__u32 fd_flags;		/* in: 0 or O_CLOEXEC */
	__s32 fd;		/* out: ring fd */
	__u32 ring_id;		/* out */
	__u32 flags;		/* out: RINGDEV_RING_F_* */
	struct ringdev_region region;	/* out */
	__u64 reserved[2];	/* in: zero */
};

/* RINGDEV_IOC_UNLINK: remove a name; open rings live on. */
struct ringdev_unlink {
	char name[RINGDEV_NAME_MAX];	/* in */
};

/* Per-ring counters: RINGDEV_IOC_STATS on a ring fd, LIST entries. */
struct ringdev_stats {
	char name[RINGDEV_NAME_MAX];
	__u32 ring_id;
	__u32 flags;		/* RINGDEV_RING_F_* */
	__u32 capacity;
	__u32 slot_size;
	__u32 uid;
	__u32 mode;
	__u64 prod_pos;		/* read from the ring: untrusted */
	__u64 cons_pos;		/* read from the ring: untrusted */
	__u64 kicks;		/* KICKs received */
	__u64 wakeups;		/* eventfd signals and poll wakes sent */
	__u64 suppressed;	/* KICKs with no sleeper: nothing signalled */
	__u64 watcher_wakes;	/* wakes sent by the doorbell watcher */
	__u64 reserved[4];
};

/* RINGDEV_IOC_LIST: copy up to 'count' ringdev_stats to 'entries'. */
struct ringdev_list {
	__u64 entries;		/* in: user pointer to ringdev_stats[count] */
	__u32 count;		/* in: array length; out: entries filled */
	__u32 total;		/* out: rings alive */
};

/* RINGDEV_IOC_SET_EVENTFD: bind (fd >= 0) or unbind (fd == -1) a doorbell. */
struct ringdev_set_eventfd {
	__u32 side;		/* RINGDEV_SIDE_* */
	__s32 fd;		/* eventfd, or -1 */
};

/*
 * RINGDEV_IOC_KICK: ring 'side''s doorbell if that side set need_wakeup;
 * otherwise count a suppressed kick.  Also a uring_cmd (cmd_op KICK, the
 * struct as SQE payload).
 */
struct ringdev_kick {
	__u32 side;		/* RINGDEV_SIDE_* */
	__u32 reserved;		/* zero */
};

/* control fd (/dev/ringdev) */
#define RINGDEV_IOC_INFO	_IOR(RINGDEV_IOC_TYPE, 0x00, struct ringdev_info)
#define RINGDEV_IOC_CREATE	_IOWR(RINGDEV_IOC_TYPE, 0x01, struct ringdev_create)
#define RINGDEV_IOC_ATTACH	_IOWR(RINGDEV_IOC_TYPE, 0x02, struct ringdev_attach)
#define RINGDEV_IOC_UNLINK	_IOW(RINGDEV_IOC_TYPE, 0x03, struct ringdev_unlink)
#define RINGDEV_IOC_LIST	_IOWR(RINGDEV_IOC_TYPE, 0x04, struct ringdev_list)
/* ring fd */
#define RINGDEV_IOC_SET_EVENTFD	_IOW(RINGDEV_IOC_TYPE, 0x10, struct ringdev_set_eventfd)
#define RINGDEV_IOC_KICK	_IOW(RINGDEV_IOC_TYPE, 0x11, struct ringdev_kick)
#define RINGDEV_IOC_STATS	_IOR(RINGDEV_IOC_TYPE, 0x12, struct ringdev_stats)

/* ------------------------------------------------------------------ */
/* Layout checks: the ABI may only grow by new commands.               */
/* ------------------------------------------------------------------ */

#if defined(__cplusplus)
#define RINGDEV_ABI_ASSERT(e) static_assert(e, #e)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define RINGDEV_ABI_ASSERT(e) _Static_assert(e, #e)
#else	/* C89/C99: GCC and Clang accept it as an extension */
#define RINGDEV_ABI_ASSERT(e) __extension__ _Static_assert(e, #e)
#endif
#define RINGDEV_OFFSETOF(t, m) __builtin_offsetof(t, m)

RINGDEV_ABI_ASSERT(sizeof(struct ringdev_ctrl_hdr) == 128);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl_hdr, region_size) == 24);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl_hdr, name) == 64);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_ctrl_prod) == 128);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_ctrl_cons) == 128);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_ctrl_wake) == 128);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl_wake, sleep_seq) == 8);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_ctrl_ctl) == 128);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_ctrl_status) == 128);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl, prod) == 128);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl, cons) == 256);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl, cons_wake) == 384);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl, prod_wake) == 512);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl, ctl) == 640);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_ctrl, status) == 768);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_ctrl) == RINGDEV_CTRL_SIZE);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_envelope) == 56);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, flags) == 4);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, priority) == 6);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, version) == 7);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, len) == 8);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, crc32c) == 12);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, msg_id) == 16);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, corr_id) == 24);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, src) == 32);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, dst) == 36);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, hlc) == 40);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_envelope, deadline) == 48);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_slot_hdr) == RINGDEV_SLOT_HDR_SIZE);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_info) == 64);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_region) == 32);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_create) == 144);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_create, region) == 96);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_attach) == 128);
RINGDEV_ABI_ASSERT(RINGDEV_OFFSETOF(struct ringdev_attach, region) == 80);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_unlink) == 64);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_stats) == 168);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_list) == 16);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_set_eventfd) == 8);
RINGDEV_ABI_ASSERT(sizeof(struct ringdev_kick) == 8);

#endif /* _UAPI_LINUX_RINGDEV_H */

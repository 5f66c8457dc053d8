/* SPDX-License-Identifier: MIT OR LGPL-2.1-or-later */
/* ringctl.h - ringctl's shared declarations: CLI helpers, JSON, rings, terminal. */
#ifndef RINGCTL_H
#define RINGCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include <ringdev/ringdev.h>

/* Exit codes, for scripts. */
#define RC_OK		0	/* done */
#define RC_ERR		1	/* something failed: see stderr */
#define RC_USAGE	2	/* bad command line */

/* Options every command understands. */
struct rc_global {
	bool json;		/* --json: machine-readable output on stdout */
};

extern struct rc_global rc_g;

/* ---- main.c: errors, usage and argument parsing ---------------------- */

void rc_err(const char *what, int err);
void rc_errf(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int rc_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int rc_bad_option(const char *cmd, char **argv);
int rc_parse_u64(const char *s, __u64 *out);
int rc_parse_u32(const char *s, __u32 *out);
int rc_parse_mode(const char *s, __u32 *out);
int rc_parse_transport(const char *s, __u32 *out);
int rc_parse_ring_flags(const char *s, __u32 *out);

/* The names ringctl reads and writes for a set of flag bits. */
struct rc_flag_names {
	__u32 known;			/* every bit named below */
	unsigned int n;
	struct { const char *name; __u32 bit; } flag[8];
};

extern const struct rc_flag_names rc_ring_flag_names;	/* RINGDEV_RING_F_* */
extern const struct rc_flag_names rc_env_flag_names;	/* RINGDEV_ENV_F_* */
__u64 rc_now_ns(void);

/* ---- json.c: a small streaming JSON writer --------------------------- */

#define JW_MAX_DEPTH	16

struct jw {
	FILE *f;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
void jw_strn(struct jw *w, const char *key, const char *val, size_t n);
void jw_u64(struct jw *w, const char *key, __u64 val);
void jw_i64(struct jw *w, const char *key, long long val);
void jw_dbl(struct jw *w, const char *key, double val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);
void jw_raw(struct jw *w, const char *key, const char *text, size_t n);
void jw_finish(struct jw *w);
void jw_flags(struct jw *w, const char *key, __u32 flags, const struct rc_flag_names *names);

/* ---- jparse.c: a strict JSON parser (for runtime snapshots) ---------- */

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type type;
	bool b;
	char *s;		/* JV_STR: the decoded string; JV_NUM: the literal */
	char *key;		/* member name, when inside an object */
	struct jv *child;	/* JV_ARR, JV_OBJ: first element */
	struct jv *next;	/* next element of the parent */
};

int jv_parse(const char *text, size_t len, struct jv **out, char *why, size_t whylen);
void jv_free(struct jv *v);
const struct jv *jv_get(const struct jv *obj, const char *key);
int jv_u64(const struct jv *v, __u64 *out);
int jv_i64(const struct jv *v, long long *out);
const char *jv_str(const struct jv *v);

/* ---- rings.c: finding rings and reading their counters --------------- */

#define RC_T_DEV	(1U << 0)
#define RC_T_SHM	(1U << 1)
#define RC_T_ALL	(RC_T_DEV | RC_T_SHM)

/* A counter snapshot of a mapped control block (untrusted values). */
struct rc_ctrl {
	__u32 capacity, slot_size, flags;	/* the validated geometry */
	__u64 region_size;
	__u64 prod_pos, prod_full, prod_kicks, prod_dropped, prod_doorbell;
	__u64 cons_pos, cons_sleeps, cons_kicks, cons_bad;
	__u32 cons_need_wakeup, prod_need_wakeup;
	__u64 cons_sleep_seq, prod_sleep_seq;
	__u32 ctl, alive, exited;
	__u64 heartbeat, handled;
};

/* One ring as ringctl sees it. */
struct rc_ring {
	char name[RINGDEV_NAME_MAX];	/* "" for an anonymous dev ring */
	__u32 transport;		/* RC_T_DEV or RC_T_SHM */
	bool have_drv;			/* dev: drv holds LIST or STATS data */
	struct ringdev_stats drv;
	int map_err;			/* 0 when the ring is mapped */
	struct ringdev_ring *ring;	/* the mapping's handle, or NULL */
	struct ringdev_chan *chan;	/* shm: the attached channel */
	int fd;				/* dev: the ring fd, or -1 */
	void *mem;			/* dev: the mapping */
	size_t map_len;
	struct rc_ctrl ctrl;		/* valid when ring != NULL */
	struct rc_ctrl prev;		/* the sample before, for rates */
	struct ringdev_stats prev_drv;	/* dev: the driver's record before */
	__u64 sample_ns, prev_ns;
	bool seen;			/* refresh bookkeeping */
};

/* Every ring found, kept across refreshes by `watch`. */
struct rc_set {
	struct rc_ring *r;
	unsigned int n, cap;
	int dev_err;			/* why the driver could not be listed */
};

int rc_dev_open(void);
int rc_unix_names(const char *prefix, char ***names, unsigned int *n);
void rc_names_free(char **names, unsigned int n);
int rc_set_refresh(struct rc_set *s, __u32 transports, const char *only);
void rc_set_free(struct rc_set *s);
int rc_ring_open(const char *name, __u32 transports, struct rc_ring *r);
void rc_ring_close(struct rc_ring *r);
void rc_ring_sample(struct rc_ring *r);
__u64 rc_ring_depth(const struct rc_ring *r);
__u32 rc_ring_capacity(const struct rc_ring *r);
__u32 rc_ring_slot_size(const struct rc_ring *r);
const char *rc_transport_name(__u32 t);
void rc_flags_str(__u32 flags, char *buf, size_t len);

/* ---- term.c: the refresh loop of watch and top ------------------------ */

typedef int (*rc_tick_fn)(void *arg, unsigned int iter, bool tty);

int rc_refresh_loop(unsigned int count, unsigned int interval_ms, rc_tick_fn tick,
		    void *arg);
bool rc_stop_requested(void);
void rc_catch_signals(void);

/* ---- the commands ----------------------------------------------------- */

int cmd_info(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_unlink(int argc, char **argv);
int cmd_ping(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_top(int argc, char **argv);

#endif /* RINGCTL_H */

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * dump.c - `ringctl dump`: decode the messages queued in a ring without
 * consuming them.  Positions cons.pos .. prod.pos are walked, each slot's
 * sequence word says whether it holds a published message, and every
 * field read from the ring is validated: a corrupt ring is reported, never
 * followed out of bounds.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "ringctl.h"

#define DUMP_HEX_MAX	64	/* payload bytes shown per message (--bytes) */

struct dump_msg {
	__u64 pos, seq;
	struct ringdev_envelope env;
	unsigned char head[DUMP_HEX_MAX];
	unsigned int nhead;
	const char *error;		/* NULL for a well-formed message */
};

/* What a slot's sequence word says about position @pos. */
static const char *seq_verdict(__u64 seq, __u64 pos, __u64 cap)
{
	if (seq == pos + 1)
		return NULL;				/* published, unconsumed */
	if (seq == pos)
		return "claimed, not yet published";
	if (seq == pos + cap)
		return "consumed while we read";
	return "bad sequence word";
}

/*
 * Read the message at @pos into @m.  Return: 0 for a message (m->error set
 * when it is malformed), 1 when the slot holds none (walk ends), with
 * m->error saying why.
 */
static int read_slot(const struct ringdev_ring *g, __u64 pos, unsigned int want,
		     struct dump_msg *m)
{
	const struct ringdev_slot_hdr *s = __ringdev_slot(g, pos);
	__u64 cap = (__u64)g->mask + 1, again;

	memset(m, 0, sizeof(*m));
	m->pos = pos;
	/* Pairs with the producer's release in __ringdev_slot_publish(). */
	m->seq = RINGDEV_LOAD_ACQUIRE(&s->seq);
	m->error = seq_verdict(m->seq, pos, cap);
	if (m->error)
		return 1;
	__ringdev_env_snapshot(&m->env, s);
	if (m->env.version != RINGDEV_ENV_VERSION)
		m->error = "bad envelope version";
	else if (m->env.len > g->max_payload)
		m->error = "length exceeds the slot";
	else if (m->env.flags & ~RINGDEV_ENV_F_ALL)
		m->error = "unknown flags";
	m->nhead = m->env.len <= g->max_payload ? m->env.len : g->max_payload;
	if (m->nhead > want)
		m->nhead = want;
	memcpy(m->head, (const char *)s + RINGDEV_SLOT_HDR_SIZE, m->nhead);
	/* If the slot moved on while we copied, what we have is not one message. */
	again = RINGDEV_LOAD_ACQUIRE(&s->seq);
	if (again != m->seq) {
		m->error = "consumed while we read";
		return 1;
	}
	return 0;
}

/* Hex of the first payload bytes. */
static void hex(const unsigned char *p, unsigned int n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* One message as JSON (keys in ringctl(8)). */
static void msg_json(struct jw *w, const struct dump_msg *m)
{
	char h[2 * DUMP_HEX_MAX + 1];

	jw_obj(w, NULL);
	jw_u64(w, "pos", m->pos);
	jw_u64(w, "type", m->env.type);
	jw_u64(w, "flags_raw", m->env.flags);
	jw_flags(w, "flags", m->env.flags, &rc_env_flag_names);
	jw_u64(w, "priority", m->env.priority);
	jw_u64(w, "version", m->env.version);
	jw_u64(w, "len", m->env.len);
	jw_u64(w, "msg_id", m->env.msg_id);
	jw_u64(w, "corr_id", m->env.corr_id);
	jw_u64(w, "src", m->env.src);
	jw_u64(w, "dst", m->env.dst);
	jw_u64(w, "hlc", m->env.hlc);
	jw_u64(w, "hlc_ms", ringdev_hlc_physical_ms(m->env.hlc));
	jw_u64(w, "hlc_logical", ringdev_hlc_logical(m->env.hlc));
	jw_u64(w, "deadline", m->env.deadline);
	jw_u64(w, "crc32c", m->env.crc32c);
	hex(m->head, m->nhead, h);
	jw_str(w, "payload_hex", h);
	jw_str(w, "error", m->error);
	jw_obj_end(w);
}

/* One message as text. */
static void msg_text(const struct dump_msg *m)
{
	char h[2 * DUMP_HEX_MAX + 1];

	hex(m->head, m->nhead, h);
	printf("[%llu] type %u flags 0x%x prio %u len %u msg_id %llu corr_id %llu "
	       "src %u dst %u hlc %llu.%u%s%s\n",
	       (unsigned long long)m->pos, m->env.type, m->env.flags, m->env.priority,
	       m->env.len, (unsigned long long)m->env.msg_id,
	       (unsigned long long)m->env.corr_id, m->env.src, m->env.dst,
	       (unsigned long long)ringdev_hlc_physical_ms(m->env.hlc),
	       ringdev_hlc_logical(m->env.hlc), m->error ? "  CORRUPT: " : "",
	       m->error ? m->error : "");
	if (m->nhead)
		printf("    %s%s\n", h, m->nhead < m->env.len ? "..." : "");
}

static const struct option dump_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "max", required_argument, NULL, 'm' },
	{ "bytes", required_argument, NULL, 'b' },
	{ "transport", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/**
 * cmd_dump() - `ringctl dump RING [--max N] [--bytes B] [--json]`
 * @argc: argument count
 * @argv: arguments; argv[0] is "dump"
 *
 * Return: RC_OK; RC_ERR when the ring cannot be mapped or a queued message
 * is corrupt (it is still shown); RC_USAGE.
 */
int cmd_dump(int argc, char **argv)
{
	__u32 max = 64, bytes = 16, transports = RC_T_ALL, t;
	const struct ringdev_ring *g;
	__u64 prod, cons, avail, cap, i;
	const char *pos_error = NULL, *stop = NULL;
	unsigned int bad = 0, shown = 0;
	struct rc_ring r;
	struct jw w;
	char what[96];
	int c, rc;

	while ((c = getopt_long(argc, argv, "jm:b:t:h", dump_opts, NULL)) != -1) {
		switch (c) {
		case 'j': rc_g.json = true; break;
		case 'm':
			if (rc_parse_u32(optarg, &max))
				return rc_usage_error("dump", "bad --max '%s'", optarg);
			break;
		case 'b':
			if (rc_parse_u32(optarg, &bytes) || bytes > DUMP_HEX_MAX)
				return rc_usage_error("dump", "bad --bytes '%s' (<= %u)", optarg,
						      DUMP_HEX_MAX);
			break;
		case 't':
			if (rc_parse_transport(optarg, &t))
				return rc_usage_error("dump", "bad --transport '%s'", optarg);
			transports = t == RINGDEV_TRANSPORT_DEV ? RC_T_DEV : RC_T_SHM;
			break;
		case 'h':
			printf("usage: ringctl dump RING [--max N] [--bytes B] [--transport dev|shm]\n"
			       "                        [--json]\n"
			       "  Decode the messages queued in RING without consuming them: type,\n"
			       "  flags, priority, len, msg_id, corr_id, src, dst, hlc (ms.logical)\n"
			       "  and the first B (16, <= 64) payload bytes in hex; at most N (64).\n"
			       "  Exit status 1 when a queued message is corrupt.\n");
			return RC_OK;
		default:
			return rc_bad_option("dump", argv);
		}
	}
	if (argc - optind != 1)
		return rc_usage_error("dump", "expected one RING");
	snprintf(what, sizeof(what), "dump %s", argv[optind]);
	rc = rc_ring_open(argv[optind], transports, &r);
	if (!rc && !r.ring)
		rc = r.map_err;
	if (rc) {
		rc_err(what, rc);
		rc_ring_close(&r);
		return RC_ERR;
	}
	g = r.ring;
	cap = (__u64)g->mask + 1;
	prod = RINGDEV_READ_ONCE(g->ctrl->prod.pos);
	cons = RINGDEV_READ_ONCE(g->ctrl->cons.pos);
	/* Untrusted: the walk never exceeds one lap, whatever they say. */
	avail = prod - cons;
	if ((__s64)avail < 0) {
		pos_error = "producer position behind the consumer's";
		avail = 0;
	} else if (avail > cap) {
		pos_error = "positions more than a lap apart";
		avail = cap;
	}
	if (rc_g.json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "name", r.name);
		jw_str(&w, "transport", rc_transport_name(r.transport));
		jw_u64(&w, "capacity", cap);
		jw_u64(&w, "slot_size", 1ull << g->slot_shift);
		jw_u64(&w, "cons_pos", cons);
		jw_u64(&w, "prod_pos", prod);
		jw_u64(&w, "depth", avail);
		jw_str(&w, "position_error", pos_error);
		jw_arr(&w, "messages");
	} else {
		printf("%s (%s): %llu slots x %u bytes, cons_pos %llu, prod_pos %llu, %llu queued\n",
		       r.name, rc_transport_name(r.transport), (unsigned long long)cap,
		       1u << g->slot_shift, (unsigned long long)cons, (unsigned long long)prod,
		       (unsigned long long)avail);
		if (pos_error)
			printf("CORRUPT: %s\n", pos_error);
	}
	for (i = 0; i < avail && shown < max; i++) {
		struct dump_msg m;

		if (read_slot(g, cons + i, bytes, &m)) {
			/* A consumer or producer in flight ends the walk; garbage is an error. */
			stop = m.error;
			if (!strcmp(m.error, "bad sequence word"))
				bad++;
			break;
		}
		if (m.error)
			bad++;
		shown++;
		if (rc_g.json)
			msg_json(&w, &m);
		else
			msg_text(&m);
	}
	if (rc_g.json) {
		jw_arr_end(&w);
		jw_u64(&w, "shown", shown);
		jw_bool(&w, "truncated", shown < avail && !stop);
		jw_str(&w, "stopped", stop);
		jw_u64(&w, "corrupt", bad + (pos_error ? 1 : 0));
		jw_obj_end(&w);
		jw_finish(&w);
	} else {
		if (stop)
			printf("%s at position %llu\n", stop, (unsigned long long)(cons + i));
		else if (shown < avail)
			printf("(%llu more; --max)\n", (unsigned long long)(avail - shown));
	}
	rc_ring_close(&r);
	if (bad || pos_error) {
		rc_errf(what, "ring is corrupt (%u bad slot%s%s%s)", bad, bad == 1 ? "" : "s",
			pos_error ? ", " : "", pos_error ? pos_error : "");
		return RC_ERR;
	}
	return RC_OK;
}

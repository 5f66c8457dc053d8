// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * jparse.c - a strict RFC 8259 JSON parser for the snapshots runtimes send
 * to `ringctl top`.  Their text is untrusted: nesting, lengths and escapes
 * are bounded and checked, and anything malformed is an error, never a
 * guess.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ringctl.h"

#define JP_MAX_DEPTH	32

struct jp {
	const char *p, *end;
	int depth;
	const char *why;
};

/* Skip the four JSON whitespace characters. */
static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
				 *j->p == '\r'))
		j->p++;
}

/* Allocate a value node; NULL (and a reason) when out of memory. */
static struct jv *node(struct jp *j, enum jv_type t)
{
	struct jv *v = calloc(1, sizeof(*v));

	if (!v)
		j->why = "out of memory";
	else
		v->type = t;
	return v;
}

/* Append UTF-8 for code point @cp to @out at *@n (room is guaranteed). */
static void put_utf8(char *out, size_t *n, unsigned int cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Four hex digits of a \u escape; -1 when malformed. */
static int hex4(struct jp *j)
{
	int v = 0, i;

	if (j->end - j->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = *j->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string literal at j->p (the opening quote); the decoded text, or NULL. */
static char *parse_string(struct jp *j)
{
	const char *start = ++j->p;
	size_t n = 0;
	char *out;

	/* Decoded text is never longer than the literal. */
	while (j->p < j->end && *j->p != '"')
		j->p += *j->p == '\\' ? 2 : 1;
	if (j->p >= j->end) {
		j->why = "unterminated string";
		return NULL;
	}
	out = malloc((size_t)(j->p - start) + 1);
	if (!out) {
		j->why = "out of memory";
		return NULL;
	}
	j->p = start;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;
		int cp, lo;

		if (c < 0x20) {
			j->why = "control character in string";
			goto bad;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		switch (*j->p++) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			cp = hex4(j);
			if (cp < 0)
				goto bad_escape;
			if (cp >= 0xd800 && cp < 0xdc00) {
				/* A high surrogate must be followed by a low one. */
				if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
					goto bad_escape;
				j->p += 2;
				lo = hex4(j);
				if (lo < 0xdc00 || lo >= 0xe000)
					goto bad_escape;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				goto bad_escape;
			}
			put_utf8(out, &n, (unsigned int)cp);
			break;
		default:
			goto bad_escape;
		}
	}
	j->p++;
	out[n] = '\0';
	return out;
bad_escape:
	j->why = "bad escape in string";
bad:
	free(out);
	return NULL;
}

/* A number literal, checked against the JSON grammar; kept as text. */
static struct jv *parse_number(struct jp *j)
{
	const char *s = j->p;
	struct jv *v;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0') {
		j->p++;
	} else if (j->p < j->end && *j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		goto bad;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			goto bad;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			goto bad;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	v = node(j, JV_NUM);
	if (v) {
		v->s = strndup(s, (size_t)(j->p - s));
		if (!v->s) {
			free(v);
			j->why = "out of memory";
			return NULL;
		}
	}
	return v;
bad:
	j->why = "malformed number";
	return NULL;
}

/* Does the literal @word come next?  Consumes it when it does. */
static bool literal(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
		return false;
	j->p += n;
	return true;
}

static struct jv *parse_value(struct jp *j);

/* An array or object at j->p; @close is ']' or '}'. */
static struct jv *parse_container(struct jp *j, enum jv_type t, char close)
{
	struct jv *v, **tail;

	if (++j->depth > JP_MAX_DEPTH) {
		j->why = "nested too deeply";
		return NULL;
	}
	v = node(j, t);
	if (!v)
		return NULL;
	tail = &v->child;
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jv *e;

		skip_ws(j);
		if (t == JV_OBJ) {
			if (j->p >= j->end || *j->p != '"') {
				j->why = "expected a member name";
				goto bad;
			}
			key = parse_string(j);
			if (!key)
				goto bad;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key);
				j->why = "expected ':'";
				goto bad;
			}
			j->p++;
		}
		e = parse_value(j);
		if (!e) {
			free(key);
			goto bad;
		}
		e->key = key;
		*tail = e;
		tail = &e->next;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			break;
		}
		j->why = t == JV_OBJ ? "expected ',' or '}'" : "expected ',' or ']'";
		goto bad;
	}
	j->depth--;
	return v;
bad:
	jv_free(v);
	return NULL;
}

/* Any value, after optional whitespace. */
static struct jv *parse_value(struct jp *j)
{
	struct jv *v;

	skip_ws(j);
	if (j->p >= j->end) {
		j->why = "unexpected end of text";
		return NULL;
	}
	switch (*j->p) {
	case '{':
		return parse_container(j, JV_OBJ, '}');
	case '[':
		return parse_container(j, JV_ARR, ']');
	case '"':
		v = node(j, JV_STR);
		if (v && !(v->s = parse_string(j))) {
			free(v);
			v = NULL;
		}
		return v;
	case 't':
	case 'f':
	case 'n':
		if (literal(j, "true") || literal(j, "false")) {
			v = node(j, JV_BOOL);
			if (v)
				v->b = j->p[-1] == 'e' && j->p[-2] == 'u';
			return v;
		}
		if (literal(j, "null"))
			return node(j, JV_NULL);
		j->why = "unknown literal";
		return NULL;
	default:
		return parse_number(j);
	}
}

/**
 * jv_parse() - parse one JSON document
 * @text: the text (need not be NUL-terminated)
 * @len: its length
 * @out: receives the tree; free it with jv_free()
 * @why: receives a reason on failure
 * @whylen: bytes at @why
 *
 * Return: 0, or -EBADMSG when @text is not exactly one JSON value
 * (surrounding whitespace allowed), -ENOMEM.
 */
int jv_parse(const char *text, size_t len, struct jv **out, char *why, size_t whylen)
{
	struct jp j = { .p = text, .end = text + len };
	struct jv *v;

	*out = NULL;
	v = parse_value(&j);
	if (v) {
		skip_ws(&j);
		if (j.p != j.end) {
			j.why = "text after the value";
			jv_free(v);
			v = NULL;
		}
	}
	if (!v) {
		snprintf(why, whylen, "%s at byte %zu", j.why ? j.why : "malformed",
			 (size_t)(j.p - text));
		return j.why && !strcmp(j.why, "out of memory") ? -ENOMEM : -EBADMSG;
	}
	*out = v;
	return 0;
}

/** jv_free() - free a tree from jv_parse(); NULL is a no-op */
void jv_free(struct jv *v)
{
	while (v) {
		struct jv *next = v->next;

		jv_free(v->child);
		free(v->s);
		free(v->key);
		free(v);
		v = next;
	}
}

/**
 * jv_get() - an object's member by name
 * @obj: the object (anything else gives NULL)
 * @key: the member name
 *
 * Return: the first member called @key, or NULL.
 */
const struct jv *jv_get(const struct jv *obj, const char *key)
{
	const struct jv *e;

	if (!obj || obj->type != JV_OBJ)
		return NULL;
	for (e = obj->child; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

/**
 * jv_u64() - a number that is a non-negative integer
 * @v: the value
 * @out: receives it
 *
 * Return: 0, or -EINVAL for anything else (fractions, negatives, overflow).
 */
int jv_u64(const struct jv *v, __u64 *out)
{
	if (!v || v->type != JV_NUM || strpbrk(v->s, ".eE-"))
		return -EINVAL;
	return rc_parse_u64(v->s, out);
}

/**
 * jv_i64() - a number that is an integer
 * @v: the value
 * @out: receives it
 *
 * Return: 0 or -EINVAL.
 */
int jv_i64(const struct jv *v, long long *out)
{
	char *end;

	if (!v || v->type != JV_NUM || strpbrk(v->s, ".eE"))
		return -EINVAL;
	errno = 0;
	*out = strtoll(v->s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/**
 * jv_str() - the text of a string value
 * @v: the value
 *
 * Return: the string, or NULL when @v is not a string.
 */
const char *jv_str(const struct jv *v)
{
	return v && v->type == JV_STR ? v->s : NULL;
}

// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* json.c - ringctl's JSON writer: compact, one document per line, strings escaped. */
#include <math.h>
#include "ringctl.h"

/**
 * jw_init() - start a document on @f
 * @w: the writer
 * @f: where the text goes
 */
void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/* Write a string literal with JSON escapes; at most @n bytes, stops at NUL. */
static void put_string(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			/* Bytes outside ASCII are not assumed to be UTF-8. */
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The comma and key that precede every value. */
static void prefix(struct jw *w, const char *key)
{
	if (w->need_comma[w->depth])
		fputc(',', w->f);
	w->need_comma[w->depth] = true;
	if (key) {
		put_string(w->f, key, (size_t)-1);
		fputc(':', w->f);
	}
}

/* Open a container; nesting beyond JW_MAX_DEPTH is a programming error. */
static void open_container(struct jw *w, const char *key, char c)
{
	prefix(w, key);
	fputc(c, w->f);
	if (w->depth < JW_MAX_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

/* Close the innermost container. */
static void close_container(struct jw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

/**
 * jw_obj() - open an object
 * @w: the writer
 * @key: its member name inside an object; NULL inside an array or at the top
 */
void jw_obj(struct jw *w, const char *key)
{
	open_container(w, key, '{');
}

/** jw_obj_end() - close the innermost object of @w */
void jw_obj_end(struct jw *w)
{
	close_container(w, '}');
}

/**
 * jw_arr() - open an array
 * @w: the writer
 * @key: member name, or NULL
 */
void jw_arr(struct jw *w, const char *key)
{
	open_container(w, key, '[');
}

/** jw_arr_end() - close the innermost array of @w */
void jw_arr_end(struct jw *w)
{
	close_container(w, ']');
}

/**
 * jw_str() - a string member (NULL writes null)
 * @w: the writer
 * @key: member name, or NULL
 * @val: NUL-terminated text
 */
void jw_str(struct jw *w, const char *key, const char *val)
{
	if (!val) {
		jw_null(w, key);
		return;
	}
	prefix(w, key);
	put_string(w->f, val, (size_t)-1);
}

/**
 * jw_strn() - a string member from a buffer that may lack its NUL
 * @w: the writer
 * @key: member name, or NULL
 * @val: text
 * @n: at most this many bytes
 */
void jw_strn(struct jw *w, const char *key, const char *val, size_t n)
{
	prefix(w, key);
	put_string(w->f, val, n);
}

/**
 * jw_u64() - an unsigned integer member
 * @w: the writer
 * @key: member name, or NULL
 * @val: the value
 */
void jw_u64(struct jw *w, const char *key, __u64 val)
{
	prefix(w, key);
	fprintf(w->f, "%llu", (unsigned long long)val);
}

/**
 * jw_i64() - a signed integer member
 * @w: the writer
 * @key: member name, or NULL
 * @val: the value
 */
void jw_i64(struct jw *w, const char *key, long long val)
{
	prefix(w, key);
	fprintf(w->f, "%lld", val);
}

/**
 * jw_dbl() - a number member with three decimals (null when not finite)
 * @w: the writer
 * @key: member name, or NULL
 * @val: the value
 */
void jw_dbl(struct jw *w, const char *key, double val)
{
	if (!isfinite(val)) {
		jw_null(w, key);
		return;
	}
	prefix(w, key);
	fprintf(w->f, "%.3f", val);
}

/**
 * jw_bool() - a true/false member
 * @w: the writer
 * @key: member name, or NULL
 * @val: the value
 */
void jw_bool(struct jw *w, const char *key, bool val)
{
	prefix(w, key);
	fputs(val ? "true" : "false", w->f);
}

/**
 * jw_null() - a null member
 * @w: the writer
 * @key: member name, or NULL
 */
void jw_null(struct jw *w, const char *key)
{
	prefix(w, key);
	fputs("null", w->f);
}

/**
 * jw_raw() - a member whose value is JSON text already validated by the caller
 * @w: the writer
 * @key: member name, or NULL
 * @text: the JSON text
 * @n: its length
 */
void jw_raw(struct jw *w, const char *key, const char *text, size_t n)
{
	prefix(w, key);
	fwrite(text, 1, n, w->f);
}

/**
 * jw_finish() - end the document with a newline and flush it
 * @w: the writer
 */
void jw_finish(struct jw *w)
{
	fputc('\n', w->f);
	fflush(w->f);
}

/**
 * jw_flags() - flag bits as an array of their names
 * @w: the writer
 * @key: member name
 * @flags: the flags; bits without a name appear as one "0x..." string
 * @names: the names of this set of flags
 */
void jw_flags(struct jw *w, const char *key, __u32 flags, const struct rc_flag_names *names)
{
	char buf[16];
	unsigned int i;

	jw_arr(w, key);
	for (i = 0; i < names->n; i++)
		if (flags & names->flag[i].bit)
			jw_str(w, NULL, names->flag[i].name);
	if (flags & ~names->known) {
		snprintf(buf, sizeof(buf), "0x%x", flags & ~names->known);
		jw_str(w, NULL, buf);
	}
	jw_arr_end(w);
}

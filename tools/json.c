// SPDX-License-Identifier: GPL-2.0
/* A small streaming JSON writer (RFC 8259). */
#include <assert.h>
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->first[0] = true;
	j->in_object[0] = false;
	j->after_key = false;
}

static void newline_indent(struct json *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Before any value or key: the separator and, when pretty, the indentation. */
static void before_item(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	if (j->pretty && j->depth > 0)
		newline_indent(j);
	else if (!j->first[j->depth])
		fputc(' ', j->f);
	j->first[j->depth] = false;
}

static void container_open(struct json *j, char c, bool object)
{
	before_item(j);
	fputc(c, j->f);
	assert(j->depth + 1 < JSON_MAX_DEPTH);
	j->depth++;
	j->first[j->depth] = true;
	j->in_object[j->depth] = object;
}

static void container_close(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	assert(j->depth > 0 && !j->after_key);
	j->depth--;
	if (j->pretty && !empty)
		newline_indent(j);
	fputc(c, j->f);
	if (j->depth == 0) {
		fputc('\n', j->f);
		fflush(j->f);
		j->first[0] = true;
	}
}

void json_object_start(struct json *j)
{
	container_open(j, '{', true);
}

void json_object_end(struct json *j)
{
	assert(j->in_object[j->depth]);
	container_close(j, '}');
}

void json_array_start(struct json *j)
{
	container_open(j, '[', false);
}

void json_array_end(struct json *j)
{
	assert(!j->in_object[j->depth]);
	container_close(j, ']');
}

static void put_string(struct json *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	fputc('"', j->f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", j->f); break;
		case '\\': fputs("\\\\", j->f); break;
		case '\b': fputs("\\b", j->f); break;
		case '\f': fputs("\\f", j->f); break;
		case '\n': fputs("\\n", j->f); break;
		case '\r': fputs("\\r", j->f); break;
		case '\t': fputs("\\t", j->f); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fputs("\\u00", j->f);
				fputc(hex[*p >> 4], j->f);
				fputc(hex[*p & 0xf], j->f);
			} else {
				fputc(*p, j->f);
			}
		}
	}
	fputc('"', j->f);
}

void json_key(struct json *j, const char *key)
{
	assert(j->in_object[j->depth] && !j->after_key);
	before_item(j);
	put_string(j, key);
	fputs(": ", j->f);
	j->after_key = true;
}

static void before_value(struct json *j)
{
	assert(j->depth == 0 || !j->in_object[j->depth] || j->after_key);
	before_item(j);
}

void json_string(struct json *j, const char *s)
{
	before_value(j);
	put_string(j, s);
}

void json_u64(struct json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_i64(struct json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRId64, v);
}

void json_bool(struct json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_string(j, s);
	else
		json_null(j);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_null(j);
}

void json_kv_object_start(struct json *j, const char *key)
{
	json_key(j, key);
	json_object_start(j);
}

void json_kv_array_start(struct json *j, const char *key)
{
	json_key(j, key);
	json_array_start(j);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer.  All of ftpalgctl's JSON goes through
 * it: it places the commas, colons and indentation, and escapes strings.
 */
#ifndef FTPALGCTL_JSON_H
#define FTPALGCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* nothing written yet at this depth */
	bool in_object[JSON_MAX_DEPTH];
	bool after_key;			/* a key was written, its value is next */
};

void json_init(struct json *j, FILE *f, bool pretty);

void json_object_start(struct json *j);
void json_object_end(struct json *j);	/* at depth 0 also writes "\n" */
void json_array_start(struct json *j);
void json_array_end(struct json *j);

void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* "key": value, inside an object. */
void json_kv_string(struct json *j, const char *key, const char *s);	/* NULL: null */
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_null(struct json *j, const char *key);
void json_kv_object_start(struct json *j, const char *key);
void json_kv_array_start(struct json *j, const char *key);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One output path for text and JSON (iproute2's json_print style): each
 * object is printed once, field by field, and every field says whether it
 * is for the text form (PRINT_FP), the JSON form (PRINT_JSON) or both
 * (PRINT_ANY).  In JSON the fields build a jansson tree that is written
 * when its top-level object closes, one object a line (or indented, with
 * -p); in text the fields are written as they come, with their format.
 */
#ifndef FTPALGCTL_PRINT_H
#define FTPALGCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

enum print_type {
	PRINT_FP = 1 << 0,
	PRINT_JSON = 1 << 1,
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

#define PRINT_MAX_DEPTH 8

struct printer {
	FILE *f;
	bool json;
	bool pretty;
	bool nomem;			/* a JSON value could not be made */
	int depth;
	json_t *open[PRINT_MAX_DEPTH];	/* the open objects and arrays */
};

void printer_init(struct printer *p, FILE *f, bool json, bool pretty);

/*
 * JSON only: an object or array, under @key in an object (NULL in an
 * array, or for the top-level object, which closing writes).
 */
void print_open_object(struct printer *p, const char *key);
void print_close_object(struct printer *p);
void print_open_array(struct printer *p, const char *key);
void print_close_array(struct printer *p);

/*
 * A field: in JSON "@key": value (no key in an array), in text @fmt with
 * the value.  A NULL string is JSON null and prints no text.
 */
void print_string(struct printer *p, enum print_type t, const char *key,
		  const char *fmt, const char *value);
/* JSON integers are signed 64-bit (jansson's json_int_t): no counter of
 * ftpalg comes near 2^63. */
void print_uint(struct printer *p, enum print_type t, const char *key,
		const char *fmt, uint64_t value);
/* JSON true or false; text @fmt with "on" or "off". */
void print_on_off(struct printer *p, enum print_type t, const char *key,
		  const char *fmt, bool value);
/* JSON null; text @fmt with @text. */
void print_null(struct printer *p, enum print_type t, const char *key,
		const char *fmt, const char *text);
/* Text only. */
void print_fp(struct printer *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

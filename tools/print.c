// SPDX-License-Identifier: GPL-2.0
/* Text and JSON output through one path; JSON by jansson. */
#include <stdarg.h>

#include "print.h"

void printer_init(struct printer *p, FILE *f, bool json, bool pretty)
{
	p->f = f;
	p->json = json;
	p->pretty = pretty;
	p->nomem = false;
	p->depth = 0;
}

/* Put @v (a new reference, NULL if it could not be made) in the open
 * container, or keep it as the top-level value. */
static void add(struct printer *p, const char *key, json_t *v)
{
	json_t *parent = p->depth ? p->open[p->depth - 1] : NULL;

	if (!v) {
		p->nomem = true;
		return;
	}
	if (json_is_array(parent)) {
		if (json_array_append_new(parent, v))
			p->nomem = true;
	} else if (json_is_object(parent) && key) {
		if (json_object_set_new(parent, key, v))
			p->nomem = true;
	} else {
		json_decref(v);	/* no place for it: a lost parent */
	}
}

/* @c (a new reference, or NULL) stays in p->open until it closes. */
static void open_container(struct printer *p, const char *key, json_t *c)
{
	if (!p->json)
		return;
	if (!c || p->depth == PRINT_MAX_DEPTH) {	/* the latter: a bug */
		json_decref(c);
		c = NULL;
		p->nomem = true;
	}
	if (p->depth && c)
		add(p, key, json_incref(c));
	if (p->depth < PRINT_MAX_DEPTH)
		p->open[p->depth++] = c;
}

static void close_container(struct printer *p)
{
	json_t *c;

	if (!p->json || !p->depth)
		return;
	c = p->open[--p->depth];
	if (!p->depth) {
		if (c && !p->nomem) {
			json_dumpf(c, p->f, p->pretty ? JSON_INDENT(2) : 0);
			fputc('\n', p->f);
			fflush(p->f);
		} else {
			fputs("ftpalgctl: out of memory for the JSON output\n", stderr);
		}
	}
	json_decref(c);
}

void print_open_object(struct printer *p, const char *key)
{
	open_container(p, key, p->json ? json_object() : NULL);
}

void print_close_object(struct printer *p)
{
	close_container(p);
}

void print_open_array(struct printer *p, const char *key)
{
	open_container(p, key, p->json ? json_array() : NULL);
}

void print_close_array(struct printer *p)
{
	close_container(p);
}

/* Is @t for the output @p writes? */
static bool wanted(const struct printer *p, enum print_type t)
{
	return t & (p->json ? PRINT_JSON : PRINT_FP);
}

/* A field: @v (made only for JSON) or @fmt with the rest. */
static void field(struct printer *p, enum print_type t, const char *key,
		  json_t *v, const char *fmt, ...)
{
	va_list ap;

	if (!wanted(p, t)) {
		json_decref(v);
		return;
	}
	if (p->json) {
		add(p, key, v);
		return;
	}
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
}

void print_string(struct printer *p, enum print_type t, const char *key,
		  const char *fmt, const char *value)
{
	if (value)
		field(p, t, key, p->json ? json_string(value) : NULL, fmt, value);
	else if (p->json)
		field(p, t, key, json_null(), NULL);
}

void print_uint(struct printer *p, enum print_type t, const char *key,
		const char *fmt, uint64_t value)
{
	field(p, t, key, p->json ? json_integer((json_int_t)value) : NULL,
	      fmt, value);
}

void print_on_off(struct printer *p, enum print_type t, const char *key,
		  const char *fmt, bool value)
{
	field(p, t, key, p->json ? json_boolean(value) : NULL, fmt,
	      value ? "on" : "off");
}

void print_null(struct printer *p, enum print_type t, const char *key,
		const char *fmt, const char *text)
{
	field(p, t, key, p->json ? json_null() : NULL, fmt, text);
}

void print_fp(struct printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
}

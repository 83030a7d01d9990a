/* SPDX-License-Identifier: GPL-2.0 */
/* TAP output for the userspace unit tests. */
#ifndef FTPALG_TAP_H
#define FTPALG_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tests_run;
static int tests_failed;

static void tap(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	tests_run++;
	if (!ok)
		tests_failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Printable rendering of a line for diagnostics. */
static const char *show(const char *p, size_t len)
{
	static char buf[4][160];
	static int slot;
	char *o = buf[slot++ & 3];
	size_t n = 0, i;

	for (i = 0; i < len && n < 120; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\r')
			n += (size_t)sprintf(o + n, "\\r");
		else if (c == '\n')
			n += (size_t)sprintf(o + n, "\\n");
		else if (c < 32 || c >= 127 || c == '#' || c == '"')
			n += (size_t)sprintf(o + n, "\\x%02x", c);
		else
			o[n++] = (char)c;
	}
	if (i < len)
		n += (size_t)sprintf(o + n, "...(%zu bytes)", len);
	o[n] = 0;
	return o;
}

#endif /* FTPALG_TAP_H */

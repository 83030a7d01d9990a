// SPDX-License-Identifier: GPL-2.0
/*
 * Parser cost: calls ftp_parse_line() (kmod/parse.c, built unchanged in
 * userspace) on one control line N times, for running under
 * valgrind --tool=callgrind --toggle-collect=ftp_parse_line: the collected
 * Ir divided by N is the instruction count per parsed line.
 *
 *   parse_bench --list            names of the lines, one per line:
 *                                 NAME CLASS DIR LEN
 *   parse_bench NAME [N]          parse line NAME N times (default 10000)
 *   parse_bench --all [N]         every line N times, print a checksum
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

struct bench_line {
	const char *name;
	const char *cls;		/* typical | worst */
	enum ftp_dir dir;
	char text[FTP_LINE_MAX + 1];
	unsigned int len;
};

static struct bench_line lines[] = {
	{ "port",     "typical", FTP_DIR_CLIENT, "PORT 192,0,2,2,78,32\r", 0 },
	{ "pasv227",  "typical", FTP_DIR_SERVER,
	  "227 Entering Passive Mode (198,51,100,2,156,64).\r", 0 },
	{ "eprt6",    "typical", FTP_DIR_CLIENT, "EPRT |2|2001:db8:1::2|50000|\r", 0 },
	{ "epsv229",  "typical", FTP_DIR_SERVER,
	  "229 Entering Extended Passive Mode (|||50000|)\r", 0 },
	{ "noop",     "typical", FTP_DIR_CLIENT, "NOOP\r", 0 },
	{ "retr",     "typical", FTP_DIR_CLIENT, "RETR pub/some-file.tar.gz\r", 0 },
	{ "reply226", "typical", FTP_DIR_SERVER, "226 Transfer complete.\r", 0 },
	/* filled in by build_worst() */
	{ "w227runs", "worst",   FTP_DIR_SERVER, "", 0 },
	{ "w227digits", "worst", FTP_DIR_SERVER, "", 0 },
	{ "w227late", "worst",   FTP_DIR_SERVER, "", 0 },
	{ "wportblank", "worst", FTP_DIR_CLIENT, "", 0 },
	{ "weprt6full", "worst", FTP_DIR_CLIENT, "", 0 },
	{ "w229paren", "worst",  FTP_DIR_SERVER, "", 0 },
};

#define NLINES (sizeof(lines) / sizeof(lines[0]))

static void fill(struct bench_line *l, const char *head, const char *unit,
		 const char *tail)
{
	size_t n = strlen(head), u = strlen(unit), t = strlen(tail);

	memcpy(l->text, head, n);
	while (n + u + t <= FTP_LINE_MAX) {
		memcpy(l->text + n, unit, u);
		n += u;
	}
	memcpy(l->text + n, tail, t);
	n += t;
	l->text[n] = 0;
}

/* Longest (FTP_LINE_MAX) lines that make each scanner work hardest. */
static void build_worst(void)
{
	unsigned int i;

	for (i = 0; i < NLINES; i++) {
		struct bench_line *l = &lines[i];

		if (!strcmp(l->name, "w227runs"))	/* five-number runs, never six */
			fill(l, "227 ", "1,2,3,4,5 ", "\r");
		else if (!strcmp(l->name, "w227digits"))	/* one long run of digits */
			fill(l, "227 ", "9", "\r");
		else if (!strcmp(l->name, "w227late"))	/* the tuple at the very end */
			fill(l, "227 ", "x", "(198,51,100,2,156,64)\r");
		else if (!strcmp(l->name, "wportblank"))	/* blanks, then a tuple */
			fill(l, "PORT ", " ", "192,0,2,2,78,32\r");
		else if (!strcmp(l->name, "weprt6full"))
			snprintf(l->text, sizeof(l->text),
				 "EPRT |2|2001:0db8:0001:0002:0003:0004:0005:0006|65535|\r");
		else if (!strcmp(l->name, "w229paren"))
			fill(l, "229 ", "x", "(|||65535|)\r");
		l->len = (unsigned int)strlen(l->text);
	}
	/* fill() reserves room for the tail, so a CR ends every line */
}

int main(int argc, char **argv)
{
	unsigned long n = 10000, k, sum = 0;
	struct ftp_match m;
	unsigned int i;

	build_worst();
	if (argc < 2) {
		fprintf(stderr, "usage: parse_bench --list | NAME [N] | --all [N]\n");
		return 2;
	}
	if (!strcmp(argv[1], "--list")) {
		for (i = 0; i < NLINES; i++) {
			enum ftp_parse_result r = ftp_parse_line(lines[i].text, lines[i].len,
								 lines[i].dir, &m);

			printf("%s %s %s %u %s\n", lines[i].name, lines[i].cls,
			       lines[i].dir == FTP_DIR_CLIENT ? "client" : "server",
			       lines[i].len,
			       r == FTP_PARSE_OK ? "ok" : r == FTP_PARSE_NONE ? "none" : "malformed");
		}
		return 0;
	}
	if (argc > 2)
		n = strtoul(argv[2], NULL, 0);
	for (i = 0; i < NLINES; i++) {
		struct bench_line *l = &lines[i];

		if (strcmp(argv[1], "--all") && strcmp(argv[1], l->name))
			continue;
		for (k = 0; k < n; k++) {
			/* the compiler cannot hoist the call: parse.c is another TU */
			sum += (unsigned long)ftp_parse_line(l->text, l->len, l->dir, &m);
			sum += m.ep.port;
		}
		if (strcmp(argv[1], "--all"))
			break;
	}
	if (i == NLINES && strcmp(argv[1], "--all")) {
		fprintf(stderr, "parse_bench: no line %s\n", argv[1]);
		return 2;
	}
	printf("calls=%lu checksum=%lu\n", n, sum);
	return 0;
}

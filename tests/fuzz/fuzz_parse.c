// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/parse.c.
 *
 * The input is split into lines at LF.  Every line is parsed in both
 * directions from an exact-size heap copy (so ASan sees any over-read),
 * ftp_line_interest() is asked about every prefix of it, and every
 * FTP_PARSE_OK result is checked and round-tripped through
 * ftp_format_arg(): the parsed endpoint (and one derived from the input)
 * formatted back into the span must parse to the same endpoint.  Any
 * violated invariant calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "fuzz.h"


static char *dup_exact(const char *p, size_t len)
{
	char *q = malloc(len ? len : 1);

	CHECK(q != NULL);
	if (len)
		memcpy(q, p, len);
	return q;
}

static int same_ep(const struct ftp_endpoint *a, const struct ftp_endpoint *b)
{
	unsigned int n = a->family == FTP_FAMILY_IPV6 ? 16 :
			 a->family == FTP_FAMILY_IPV4 ? 4 : 0;

	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, n);
}

/* Interest of every prefix: never BORING before KEY, monotonic. */
static void check_interest(const char *line, size_t len, enum ftp_dir dir,
			   enum ftp_parse_result res)
{
	enum ftp_interest prev = FTP_LINE_MAYBE;
	unsigned int kwlen = dir == FTP_DIR_CLIENT ? 4 : 3;
	size_t i;

	for (i = 0; i <= len; i++) {
		/*
		 * Exact-size copies for the short prefixes, where the
		 * decision is made; the line itself (bounded by @len for
		 * ASan) for the rest, to keep this linear.
		 */
		char *p = i <= 16 ? dup_exact(line, i) : NULL;
		enum ftp_interest in = ftp_line_interest(p ? p : line,
							 (unsigned int)i, dir);

		free(p);
		CHECK(in == FTP_LINE_BORING || in == FTP_LINE_MAYBE ||
		      in == FTP_LINE_KEY);
		/* Once decided, a longer prefix never changes the verdict. */
		if (prev == FTP_LINE_BORING || prev == FTP_LINE_KEY)
			CHECK(in == prev);
		/*
		 * MAYBE only while the keyword and its separator are short,
		 * after at most FTP_TELNET_MAX Telnet/NUL bytes (client).
		 */
		if (in == FTP_LINE_MAYBE)
			CHECK(i <= kwlen + (dir == FTP_DIR_CLIENT ?
					    FTP_TELNET_MAX : 0));
		prev = in;
	}
	/*
	 * A line the parser handles must look interesting as it arrives,
	 * or the caller stops reassembling it; a keyword alone (plus CR)
	 * is short enough not to matter.
	 */
	if (res == FTP_PARSE_OK)
		CHECK(prev == FTP_LINE_KEY);
	if (res != FTP_PARSE_NONE && len > kwlen + 1)
		CHECK(prev == FTP_LINE_KEY);
}

/* Format @ep into the span of @m in @line, re-parse, compare. */
static void check_splice(const char *line, size_t len, enum ftp_dir dir,
			 const struct ftp_match *m,
			 const struct ftp_endpoint *ep)
{
	char arg[FTP_ARG_MAX];
	struct ftp_match m2;
	unsigned int n, n2;
	size_t nlen;
	char *buf, *small;

	n = ftp_format_arg(m, ep, arg, sizeof(arg));
	CHECK(n > 0 && n <= FTP_ARG_MAX);

	/* Exactly the right size works, one byte less reports 0. */
	small = malloc(n);
	CHECK(small != NULL);
	n2 = ftp_format_arg(m, ep, small, n);
	CHECK(n2 == n && !memcmp(small, arg, n));
	n2 = ftp_format_arg(m, ep, small, n - 1);
	CHECK(n2 == 0);
	free(small);

	nlen = len - m->arg_len + n;
	buf = malloc(nlen);
	CHECK(buf != NULL);
	memcpy(buf, line, m->arg_off);
	memcpy(buf + m->arg_off, arg, n);
	memcpy(buf + m->arg_off + n, line + m->arg_off + m->arg_len,
	       len - m->arg_off - m->arg_len);
	CHECK(ftp_parse_line(buf, (unsigned int)nlen, dir, &m2) ==
	      FTP_PARSE_OK);
	CHECK(m2.kind == m->kind);
	CHECK(m2.arg_off == m->arg_off);
	CHECK(m2.arg_len == n);
	CHECK(m2.delim == m->delim);
	if (m->kind == FTP_KIND_EPSV)
		CHECK(m2.ep.family == FTP_FAMILY_NONE &&
		      m2.ep.port == ep->port);
	else
		CHECK(same_ep(&m2.ep, ep));
	/* formatted octets never have a leading zero */
	CHECK(m2.ep.ambiguous == 0);
	free(buf);
}

static void check_ok(const char *line, size_t len, enum ftp_dir dir,
		     const struct ftp_match *m, const uint8_t *seed,
		     size_t seed_len)
{
	struct ftp_endpoint ep;
	size_t k;

	CHECK(m->ep.port != 0);
	CHECK(m->arg_len > 0);
	CHECK(m->arg_off <= len && m->arg_len <= len - m->arg_off);
	switch (m->kind) {
	case FTP_KIND_PORT:
		CHECK(dir == FTP_DIR_CLIENT);
		CHECK(m->ep.family == FTP_FAMILY_IPV4);
		break;
	case FTP_KIND_EPRT:
		CHECK(dir == FTP_DIR_CLIENT);
		CHECK(m->ep.family == FTP_FAMILY_IPV4 ||
		      m->ep.family == FTP_FAMILY_IPV6);
		CHECK(m->delim >= 33 && m->delim <= 126 &&
		      (m->delim < '0' || m->delim > '9'));
		CHECK(line[m->arg_off] == m->delim &&
		      line[m->arg_off + m->arg_len - 1] == m->delim);
		break;
	case FTP_KIND_PASV:
		CHECK(dir == FTP_DIR_SERVER);
		CHECK(m->ep.family == FTP_FAMILY_IPV4);
		break;
	case FTP_KIND_EPSV:
		CHECK(dir == FTP_DIR_SERVER);
		CHECK(m->ep.family == FTP_FAMILY_NONE);
		for (k = 0; k < m->arg_len; k++)
			CHECK(line[m->arg_off + k] >= '0' &&
			      line[m->arg_off + k] <= '9');
		break;
	default:
		CHECK(0);
	}
	if (m->ep.family == FTP_FAMILY_IPV4)
		for (k = 4; k < 16; k++)
			CHECK(m->ep.addr[k] == 0);
	/* only IPv4 octets can be written ambiguously */
	CHECK(m->ep.ambiguous == 0 ||
	      (m->ep.ambiguous == 1 && m->ep.family == FTP_FAMILY_IPV4));

	/* The parsed endpoint itself. */
	check_splice(line, len, dir, m, &m->ep);

	/* A NAT-style replacement derived from the input. */
	ep = m->ep;
	for (k = 0; k < 16; k++)
		ep.addr[k] ^= seed_len ? seed[k % seed_len] : (uint8_t)k;
	ep.port = (unsigned short)(ep.port * 40503u + 1);
	if (ep.port == 0)
		ep.port = 1;
	if (m->kind == FTP_KIND_EPRT && seed_len && (seed[0] & 1)) {
		/* EPRT may change the address family. */
		ep.family = ep.family == FTP_FAMILY_IPV4 ?
			    FTP_FAMILY_IPV6 : FTP_FAMILY_IPV4;
	}
	if (ep.family == FTP_FAMILY_IPV4)
		memset(ep.addr + 4, 0, 12);
	check_splice(line, len, dir, m, &ep);

	/* Kinds that cannot carry the family are refused. */
	if (m->kind == FTP_KIND_PORT || m->kind == FTP_KIND_PASV) {
		char arg[FTP_ARG_MAX];

		ep.family = FTP_FAMILY_IPV6;
		CHECK(ftp_format_arg(m, &ep, arg, sizeof(arg)) == 0);
	}
}

static void one_line(const char *line, size_t len, const uint8_t *data,
		     size_t size)
{
	static const char * const words[] = {
		"port", "eprt", "pasv", "epsv", "all", "auth", "lprt", "lpsv",
	};
	enum ftp_dir dir;
	size_t k;

	for (dir = FTP_DIR_CLIENT; dir <= FTP_DIR_SERVER; dir++) {
		struct ftp_match m;
		enum ftp_parse_result res;
		char *p = dup_exact(line, len);

		memset(&m, 0xa5, sizeof(m));
		res = ftp_parse_line(p, (unsigned int)len, dir, &m);
		CHECK(res == FTP_PARSE_NONE || res == FTP_PARSE_OK ||
		      res == FTP_PARSE_MALFORMED);
		if (res == FTP_PARSE_OK)
			check_ok(p, len, dir, &m, data, size);
		else
			CHECK(m.kind == FTP_KIND_NONE);
		check_interest(p, len, dir, res);
		free(p);
	}

	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		size_t wl = strlen(words[k]);
		char *p = dup_exact(line, len);
		int eq = ftp_word_eq(p, (unsigned int)len, words[k]);

		if (eq) {
			size_t i;

			CHECK(len >= wl);
			for (i = 0; i < wl; i++)
				CHECK((p[i] | 0x20) == words[k][i]);
			CHECK(len == wl || p[wl] == ' ' || p[wl] == '\t' ||
			      p[wl] == '\r');
		}
		free(p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t start = 0, i;

	for (i = 0; i <= size; i++) {
		if (i == size || s[i] == '\n') {
			size_t len = i - start;

			/* The ALG never reassembles longer lines. */
			if (len > FTP_LINE_MAX)
				len = FTP_LINE_MAX;
			if (i < size || len)
				one_line(s + start, len, data, size);
			start = i + 1;
		}
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer differential target for the address parsers of kmod/parse.c,
 * with glibc as the oracle.  The input is one address text, parsed from
 * exact-size heap copies of
 *
 *   "EPRT <d>2<d><input><d>1025<d>": accepted exactly when
 *       inet_pton(AF_INET6) accepts the input, with the same 16 bytes,
 *       and never ambiguous;
 *   "EPRT <d>1<d><input><d>1025<d>": accepted without the ambiguous flag
 *       exactly when inet_pton(AF_INET) accepts it, with the same 4
 *       bytes; flagged when accepted and inet_aton() reads another
 *       address or none; flagged only if inet_pton() refuses it;
 *   "PORT <input with ',' for '.'>,4,1", for inputs of digits and dots
 *       only: the same verdict, address and flag as the EPRT |1| reading;
 *       the same tuple in a 227 too when it is valid.
 *
 * <d> is a delimiter that does not occur in the input.  Any disagreement
 * calls abort().
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "fuzz.h"

/* Longer texts are no address for anyone. */
#define ADDR_MAX	128

static enum ftp_parse_result parse_heap(const char *line, size_t len,
					enum ftp_dir dir, struct ftp_match *m)
{
	char *p = malloc(len);
	enum ftp_parse_result r;

	CHECK(p != NULL);
	memcpy(p, line, len);
	memset(m, 0xa5, sizeof(*m));
	r = ftp_parse_line(p, (unsigned int)len, dir, m);
	free(p);
	CHECK(r == FTP_PARSE_OK || r == FTP_PARSE_MALFORMED);
	return r;
}

static enum ftp_parse_result parse_eprt(char d, char af, const char *a,
					size_t n, struct ftp_match *m)
{
	char line[ADDR_MAX + 16];
	size_t len = 0;

	memcpy(line, "EPRT ", 5);
	len = 5;
	line[len++] = d;
	line[len++] = af;
	line[len++] = d;
	memcpy(line + len, a, n);
	len += n;
	line[len++] = d;
	memcpy(line + len, "1025", 4);
	len += 4;
	line[len++] = d;
	return parse_heap(line, len, FTP_DIR_CLIENT, m);
}

/* The PORT and 227 readings of a digits-and-dots text. */
static void check_tuple(const char *a, size_t n, enum ftp_parse_result r4,
			const struct ftp_match *m4)
{
	char port[ADDR_MAX + 16], pasv[ADDR_MAX + 16];
	struct ftp_match mp, mv;
	enum ftp_parse_result rp, rv;
	size_t k, plen, vlen;

	memcpy(port, "PORT ", 5);
	memcpy(pasv, "227 (", 5);
	for (k = 0; k < n; k++)
		port[5 + k] = pasv[5 + k] = a[k] == '.' ? ',' : a[k];
	memcpy(port + 5 + n, ",4,1", 4);
	plen = 5 + n + 4;
	memcpy(pasv + 5 + n, ",4,1)", 5);
	vlen = 5 + n + 5;
	rp = parse_heap(port, plen, FTP_DIR_CLIENT, &mp);
	rv = parse_heap(pasv, vlen, FTP_DIR_SERVER, &mv);
	CHECK(rp == r4);
	/* A 227 may find a later tuple in a malformed one ("1.2..3.4.5.6"). */
	if (r4 != FTP_PARSE_OK)
		return;
	CHECK(rv == FTP_PARSE_OK);
	CHECK(mp.ep.family == FTP_FAMILY_IPV4 && mp.ep.port == 1025);
	CHECK(!memcmp(mp.ep.addr, m4->ep.addr, 16));
	CHECK(mp.ep.ambiguous == m4->ep.ambiguous);
	CHECK(mv.ep.family == mp.ep.family && mv.ep.port == mp.ep.port);
	CHECK(!memcmp(mv.ep.addr, mp.ep.addr, 16));
	CHECK(mv.ep.ambiguous == mp.ep.ambiguous);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = "|!#$%&~^";
	const char *a = (const char *)data;
	char str[ADDR_MAX + 1];
	unsigned char want[16];
	struct in_addr aton;
	struct ftp_match m;
	enum ftp_parse_result r;
	int has_nul, ref, digits_dots = size > 0;
	char d = 0;
	size_t k;

	if (size > ADDR_MAX)
		return 0;
	for (k = 0; delims[k] && !d; k++)
		if (!memchr(a, delims[k], size))
			d = delims[k];
	if (!d)
		return 0;
	memcpy(str, a, size);
	str[size] = 0;
	has_nul = memchr(a, 0, size) != NULL;
	for (k = 0; k < size; k++)
		if (!(a[k] == '.' || (a[k] >= '0' && a[k] <= '9')))
			digits_dots = 0;

	/* IPv6: exactly inet_pton(AF_INET6), never ambiguous. */
	ref = !has_nul && inet_pton(AF_INET6, str, want) == 1;
	r = parse_eprt(d, '2', a, size, &m);
	if (ref) {
		CHECK(r == FTP_PARSE_OK);
		CHECK(m.ep.family == FTP_FAMILY_IPV6 && m.ep.port == 1025);
		CHECK(!memcmp(m.ep.addr, want, 16));
		CHECK(m.ep.ambiguous == 0);
	} else {
		CHECK(r == FTP_PARSE_MALFORMED);
	}

	/* IPv4: inet_pton(AF_INET) when unflagged, inet_aton() flagged. */
	ref = !has_nul && inet_pton(AF_INET, str, want) == 1;
	r = parse_eprt(d, '1', a, size, &m);
	if (r == FTP_PARSE_OK) {
		int same_aton;

		CHECK(!has_nul);
		CHECK(m.ep.family == FTP_FAMILY_IPV4 && m.ep.port == 1025);
		for (k = 4; k < 16; k++)
			CHECK(m.ep.addr[k] == 0);
		CHECK(m.ep.ambiguous == 0 || m.ep.ambiguous == 1);
		if (ref)
			CHECK(!m.ep.ambiguous && !memcmp(m.ep.addr, want, 4));
		else
			CHECK(m.ep.ambiguous);
		same_aton = inet_aton(str, &aton) == 1 &&
			    !memcmp(&aton, m.ep.addr, 4);
		if (!same_aton)
			CHECK(m.ep.ambiguous);
	} else {
		CHECK(!ref);
	}
	if (digits_dots)
		check_tuple(a, size, r, &m);
	return 0;
}

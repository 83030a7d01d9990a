// SPDX-License-Identifier: GPL-2.0
/*
 * FTP control-line parser: PORT, EPRT (client) and 227, 229 (server).
 *
 * Built both into the kernel module and into the userspace unit tests, so
 * it includes nothing but parse.h and calls no library function.  Every
 * byte it reads is attacker controlled: all reads are bounded by the
 * length it is given and every number is accumulated with a digit limit.
 */
#include "parse.h"

/* At most this many numbers are looked at in a comma tuple. */
#define FTP_TUPLE_N	6

struct ftp_tuple {
	unsigned int val[FTP_TUPLE_N];
	unsigned int n;		/* numbers seen, capped at FTP_TUPLE_N + 1 */
	unsigned int end;	/* offset just past the last digit seen */
	unsigned int lead0;	/* bit k: number k is "0" followed by digits */
	int bad;		/* a number has > 3 digits or is > 255 */
};

struct ftp_out {
	char *buf;
	unsigned int size;
	unsigned int len;
	int overflow;
};

static int ftp_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int ftp_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char ftp_lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

/* Value of a hex digit, or -1. */
static int ftp_hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ftp_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 2428 delimiter: printable, not a space, not a digit. */
static int ftp_is_delim(char c)
{
	return c >= 33 && c <= 126 && !ftp_is_digit(c);
}

/* Case-insensitive compare of n bytes of p against lowercase kw. */
static int ftp_prefix_eq(const char *p, const char *kw, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ftp_lower(p[i]) != kw[i])
			return 0;
	return 1;
}

/* True if only spaces, tabs and CRs are in [i, end). */
static int ftp_blank_tail(const char *s, unsigned int i, unsigned int end)
{
	for (; i < end; i++)
		if (!ftp_is_blank(s[i]) && s[i] != '\r')
			return 0;
	return 1;
}

/*
 * Scan a maximal run of decimal numbers separated by single commas
 * starting at s[i], which must be a digit.  Stops after seven numbers:
 * more than six is never valid.
 */
static void ftp_scan_tuple(const char *s, unsigned int i, unsigned int end,
			   struct ftp_tuple *t)
{
	/* in locals: stores through @t could alias @s, forcing reloads */
	unsigned int n = 0, lead0 = 0;
	int bad = 0;

	for (;;) {
		unsigned int nd = 0;
		unsigned int v = 0;

		if (i + 1 < end && s[i] == '0' && ftp_is_digit(s[i + 1]) &&
		    n < FTP_TUPLE_N)
			lead0 |= 1u << n;
		while (i < end && ftp_is_digit(s[i])) {
			if (nd < 4)
				v = v * 10 + (unsigned int)(s[i] - '0');
			nd++;
			i++;
		}
		if (nd == 0 || nd > 3 || v > 255)
			bad = 1;
		if (n < FTP_TUPLE_N)
			t->val[n] = v;
		n++;
		if (n > FTP_TUPLE_N)
			break;
		if (i + 1 < end && s[i] == ',' && ftp_is_digit(s[i + 1])) {
			i++;
			continue;
		}
		break;
	}
	t->n = n;
	t->lead0 = lead0;
	t->bad = bad;
	t->end = i;
}

/* Check a six-number tuple and store it in m->ep; 0 if unusable. */
static int ftp_tuple_to_ep(const struct ftp_tuple *t, struct ftp_match *m)
{
	unsigned int port;
	unsigned int k;

	if (t->n != FTP_TUPLE_N || t->bad)
		return 0;
	port = t->val[4] * 256 + t->val[5];
	if (port == 0)
		return 0;
	m->ep.family = FTP_FAMILY_IPV4;
	for (k = 0; k < 4; k++)
		m->ep.addr[k] = (unsigned char)t->val[k];
	/* h1..h4 only: p1, p2 are read in decimal by every server */
	m->ep.ambiguous = (t->lead0 & 0xf) != 0;
	m->ep.port = (unsigned short)port;
	return 1;
}

/* Decimal port 1..65535 filling exactly [a, b). */
static int ftp_parse_port(const char *s, unsigned int a, unsigned int b,
			  unsigned short *port)
{
	unsigned int v = 0;

	if (b <= a || b - a > 5)
		return 0;
	for (; a < b; a++) {
		if (!ftp_is_digit(s[a]))
			return 0;
		v = v * 10 + (unsigned int)(s[a] - '0');
	}
	if (v == 0 || v > 65535)
		return 0;
	*port = (unsigned short)v;
	return 1;
}

/*
 * Dotted quad filling exactly [a, b): four decimal octets of 1..3 digits,
 * each 0..255.  An octet of two or more digits starting with '0' is what
 * inet_pton() refuses and inet_aton() reads in octal: with @ambiguous NULL
 * (an IPv4 tail inside an IPv6 address, where inet_pton() is the only
 * reading) it is refused; otherwise it is accepted, read in decimal, and
 * *@ambiguous is set to 1.  *@ambiguous is left alone if there is none.
 */
static int ftp_parse_ipv4(const char *s, unsigned int a, unsigned int b,
			  unsigned char *out, unsigned char *ambiguous)
{
	unsigned int part;

	for (part = 0; part < 4; part++) {
		unsigned int nd = 0;
		unsigned int v = 0;

		if (part > 0) {
			if (a >= b || s[a] != '.')
				return 0;
			a++;
		}
		if (a + 1 < b && s[a] == '0' && ftp_is_digit(s[a + 1])) {
			if (!ambiguous)
				return 0;
			*ambiguous = 1;
		}
		while (a < b && ftp_is_digit(s[a])) {
			if (++nd > 3)
				return 0;
			v = v * 10 + (unsigned int)(s[a] - '0');
			a++;
		}
		if (nd == 0 || v > 255)
			return 0;
		out[part] = (unsigned char)v;
	}
	return a == b;
}

/*
 * IPv6 text form filling exactly [a, b), accepting what glibc's
 * inet_pton(AF_INET6) accepts and nothing else: up to eight groups of 1..4
 * hex digits, at most one "::" standing for one or more zero groups, an
 * optional dotted-quad tail (no leading zeros) in place of the last two
 * groups; no zone id, no brackets.
 */
static int ftp_parse_ipv6(const char *s, unsigned int a, unsigned int b,
			  unsigned char *out)
{
	unsigned int k = 0;	/* bytes stored so far */
	unsigned int gap = 0;	/* byte offset of "::", if has_gap */
	int has_gap = 0;
	unsigned int i = a;
	unsigned int j;

	for (j = 0; j < 16; j++)
		out[j] = 0;
	if (i < b && s[i] == ':') {
		if (i + 1 >= b || s[i + 1] != ':')
			return 0;
		has_gap = 1;
		i += 2;
	}
	while (i < b) {
		unsigned int nd = 0;
		unsigned int v = 0;

		while (i + nd < b && ftp_hex_val(s[i + nd]) >= 0) {
			if (nd < 4)
				v = (v << 4) | (unsigned int)ftp_hex_val(s[i + nd]);
			nd++;
		}
		if (nd == 0)
			return 0;
		if (i + nd < b && s[i + nd] == '.') {
			/* Embedded dotted quad: must end the address. */
			if (k > 12 ||
			    !ftp_parse_ipv4(s, i, b, out + k, (void *)0))
				return 0;
			k += 4;
			break;
		}
		if (nd > 4 || k >= 16)
			return 0;
		out[k++] = (unsigned char)(v >> 8);
		out[k++] = (unsigned char)v;
		i += nd;
		if (i == b)
			break;
		if (s[i] != ':')
			return 0;
		i++;
		if (i < b && s[i] == ':') {
			if (has_gap)
				return 0;
			has_gap = 1;
			gap = k;
			i++;
		} else if (i == b) {
			return 0;
		}
	}
	if (!has_gap)
		return k == 16;
	/*
	 * "::" stands for at least one zero group: with eight groups around
	 * it (k == 16, also "1:2:3:4:5:6:7:8::") there is no room for it.
	 */
	if (k > 14)
		return 0;
	/* Move the groups after the gap to the end and zero the gap. */
	for (j = 0; j < k - gap; j++) {
		out[15 - j] = out[k - 1 - j];
		out[k - 1 - j] = 0;
	}
	return 1;
}

/* Offset of the first c in [i, end), or end. */
static unsigned int ftp_find(const char *s, unsigned int i, unsigned int end,
			     char c)
{
	while (i < end && s[i] != c)
		i++;
	return i;
}

/* PORT argument starting at s[i]: six numbers then blanks only. */
static enum ftp_parse_result ftp_parse_port_cmd(const char *s, unsigned int i,
						unsigned int end,
						struct ftp_match *m)
{
	struct ftp_tuple t;

	if (!ftp_is_digit(s[i]))
		return FTP_PARSE_MALFORMED;
	ftp_scan_tuple(s, i, end, &t);
	if (!ftp_tuple_to_ep(&t, m) || !ftp_blank_tail(s, t.end, end))
		return FTP_PARSE_MALFORMED;
	m->kind = FTP_KIND_PORT;
	m->arg_off = i;
	m->arg_len = t.end - i;
	return FTP_PARSE_OK;
}

/* EPRT argument starting at s[i]: <d><af><d><addr><d><port><d>. */
static enum ftp_parse_result ftp_parse_eprt(const char *s, unsigned int i,
					    unsigned int end,
					    struct ftp_match *m)
{
	char d = s[i];
	char af;
	unsigned int a, b, c;
	int ok;

	if (!ftp_is_delim(d) || end - i < 4 || s[i + 2] != d)
		return FTP_PARSE_MALFORMED;
	af = s[i + 1];
	a = i + 3;
	b = ftp_find(s, a, end, d);
	if (b >= end)
		return FTP_PARSE_MALFORMED;
	if (af == '1') {
		ok = ftp_parse_ipv4(s, a, b, m->ep.addr, &m->ep.ambiguous);
		m->ep.family = FTP_FAMILY_IPV4;
	} else if (af == '2') {
		ok = ftp_parse_ipv6(s, a, b, m->ep.addr);
		m->ep.family = FTP_FAMILY_IPV6;
	} else {
		ok = 0;
	}
	if (!ok)
		return FTP_PARSE_MALFORMED;
	c = ftp_find(s, b + 1, end, d);
	if (c >= end || !ftp_parse_port(s, b + 1, c, &m->ep.port) ||
	    !ftp_blank_tail(s, c + 1, end))
		return FTP_PARSE_MALFORMED;
	m->kind = FTP_KIND_EPRT;
	m->delim = d;
	m->arg_off = i;
	m->arg_len = c + 1 - i;
	return FTP_PARSE_OK;
}

/* 227 text starting at s[i]: first six-number tuple anywhere. */
static enum ftp_parse_result ftp_parse_227(const char *s, unsigned int i,
					   unsigned int end,
					   struct ftp_match *m)
{
	struct ftp_tuple t;

	while (i < end) {
		if (!ftp_is_digit(s[i])) {
			i++;
			continue;
		}
		ftp_scan_tuple(s, i, end, &t);
		if (t.n < FTP_TUPLE_N) {
			i = t.end;
			continue;
		}
		if (!ftp_tuple_to_ep(&t, m))
			return FTP_PARSE_MALFORMED;
		m->kind = FTP_KIND_PASV;
		m->arg_off = i;
		m->arg_len = t.end - i;
		return FTP_PARSE_OK;
	}
	return FTP_PARSE_MALFORMED;
}

/* 229 text starting at s[i]: "(<d><d><d><port><d>)" after the first '('. */
static enum ftp_parse_result ftp_parse_229(const char *s, unsigned int i,
					   unsigned int end,
					   struct ftp_match *m)
{
	unsigned int a, b;
	char d;

	i = ftp_find(s, i, end, '(');
	if (end - i < 7)
		return FTP_PARSE_MALFORMED;
	d = s[i + 1];
	if (!ftp_is_delim(d) || s[i + 2] != d || s[i + 3] != d)
		return FTP_PARSE_MALFORMED;
	a = i + 4;
	b = ftp_find(s, a, end, d);
	if (b + 1 >= end || s[b + 1] != ')' ||
	    !ftp_parse_port(s, a, b, &m->ep.port))
		return FTP_PARSE_MALFORMED;
	m->kind = FTP_KIND_EPSV;
	m->ep.family = FTP_FAMILY_NONE;
	m->delim = d;
	m->arg_off = a;
	m->arg_len = b - a;
	return FTP_PARSE_OK;
}

static void ftp_match_clear(struct ftp_match *m)
{
	unsigned int k;

	m->kind = FTP_KIND_NONE;
	m->ep.family = FTP_FAMILY_NONE;
	for (k = 0; k < sizeof(m->ep.addr); k++)
		m->ep.addr[k] = 0;
	m->ep.ambiguous = 0;
	m->ep.port = 0;
	m->arg_off = 0;
	m->arg_len = 0;
	m->delim = 0;
}

/**
 * ftp_line_interest - classify a line that has only partly arrived
 * @p: bytes of the line received so far, from its first byte
 * @len: number of bytes at @p (no LF among them)
 * @dir: direction the line travels in
 *
 * Return: FTP_LINE_KEY if the bytes start with a keyword and the blank
 * (or '-' for replies) after it, FTP_LINE_MAYBE if they are a proper
 * prefix of such a five-byte form, FTP_LINE_BORING otherwise.
 */
enum ftp_interest ftp_line_interest(const char *p, unsigned int len,
				    enum ftp_dir dir)
{
	static const char * const client_kw[] = { "port", "eprt" };
	static const char * const server_kw[] = { "227", "229" };
	const char * const *kw;
	unsigned int kwlen, k;

	if (dir == FTP_DIR_CLIENT) {
		unsigned int v = ftp_verb_start(p, len);

		/* undecided while it may still be Telnet bytes */
		if (v == len && len < FTP_TELNET_MAX)
			return FTP_LINE_MAYBE;
		p += v;
		len -= v;
		kw = client_kw;
		kwlen = 4;
	} else if (dir == FTP_DIR_SERVER) {
		kw = server_kw;
		kwlen = 3;
	} else {
		return FTP_LINE_BORING;
	}
	for (k = 0; k < 2; k++) {
		if (len <= kwlen) {
			if (ftp_prefix_eq(p, kw[k], len))
				return FTP_LINE_MAYBE;
			continue;
		}
		if (!ftp_prefix_eq(p, kw[k], kwlen))
			continue;
		if (ftp_is_blank(p[kwlen]) ||
		    (dir == FTP_DIR_SERVER && p[kwlen] == '-'))
			return FTP_LINE_KEY;
	}
	return FTP_LINE_BORING;
}

/**
 * ftp_verb_start - where the verb of a client line starts
 * @p: the line
 * @len: number of bytes at @p
 *
 * Clients may put Telnet IAC sequences (0xff and the byte after it) and NUL
 * bytes before a command, e.g. IAC IP IAC DM before ABOR.  At most
 * FTP_TELNET_MAX bytes are skipped, so that every verb is decided within
 * the first bytes of a line.
 *
 * Return: the offset of the verb.
 */
unsigned int ftp_verb_start(const char *p, unsigned int len)
{
	unsigned int i = 0;

	while (i < len && i < FTP_TELNET_MAX) {
		if (p[i] == '\0')
			i++;
		else if ((unsigned char)p[i] == 0xff && i + 2 <= FTP_TELNET_MAX)
			i += 2;
		else
			break;
	}
	return i < len ? i : len;
}

/**
 * ftp_parse_line - parse one complete control line
 * @line: the line, without its LF; a trailing CR is tolerated
 * @len: length of @line
 * @dir: direction the line travels in
 * @m: result, cleared first and filled in on FTP_PARSE_OK
 *
 * Return: FTP_PARSE_NONE if the line is not one the ALG handles,
 * FTP_PARSE_MALFORMED if it starts with a handled keyword but the argument
 * is unusable, FTP_PARSE_OK otherwise.
 */
enum ftp_parse_result ftp_parse_line(const char *line, unsigned int len,
				     enum ftp_dir dir, struct ftp_match *m)
{
	unsigned int end = len;
	unsigned int i;

	ftp_match_clear(m);
	if (end > 0 && line[end - 1] == '\r')
		end--;

	if (dir == FTP_DIR_CLIENT) {
		int is_port;

		if (end < 4)
			return FTP_PARSE_NONE;
		if (ftp_prefix_eq(line, "port", 4))
			is_port = 1;
		else if (ftp_prefix_eq(line, "eprt", 4))
			is_port = 0;
		else
			return FTP_PARSE_NONE;
		if (end > 4 && !ftp_is_blank(line[4]))
			return FTP_PARSE_NONE;
		i = 4;
		while (i < end && ftp_is_blank(line[i]))
			i++;
		if (i >= end)
			return FTP_PARSE_MALFORMED;
		if (is_port)
			return ftp_parse_port_cmd(line, i, end, m);
		return ftp_parse_eprt(line, i, end, m);
	}

	if (dir == FTP_DIR_SERVER) {
		if (end < 3 || line[0] != '2' || line[1] != '2')
			return FTP_PARSE_NONE;
		if (line[2] != '7' && line[2] != '9')
			return FTP_PARSE_NONE;
		if (end == 3)
			return FTP_PARSE_MALFORMED;
		if (line[3] != ' ' && line[3] != '-')
			return FTP_PARSE_NONE;
		if (line[2] == '7')
			return ftp_parse_227(line, 4, end, m);
		return ftp_parse_229(line, 4, end, m);
	}

	return FTP_PARSE_NONE;
}

static void ftp_put(struct ftp_out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len++] = c;
	else
		o->overflow = 1;
}

/*
 * One bounds check per number, not per digit (a 227 rewrite has six), and
 * the digits written in place, last first.
 */
static void ftp_put_dec(struct ftp_out *o, unsigned int v)
{
	unsigned int n = 1, t;
	char *d;

	for (t = v; t >= 10; t /= 10)
		n++;
	if (o->size - o->len < n) {
		o->overflow = 1;
		return;
	}
	o->len += n;
	d = o->buf + o->len;
	do {
		*--d = (char)('0' + v % 10);
		v /= 10;
	} while (v);
}

static void ftp_put_hex(struct ftp_out *o, unsigned int v)
{
	static const char digits[] = "0123456789abcdef";
	int shift;
	int started = 0;

	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned int h = (v >> shift) & 0xf;

		if (h || started || shift == 0) {
			ftp_put(o, digits[h]);
			started = 1;
		}
	}
}

static void ftp_put_ipv4(struct ftp_out *o, const unsigned char *a, char sep)
{
	unsigned int k;

	for (k = 0; k < 4; k++) {
		if (k)
			ftp_put(o, sep);
		ftp_put_dec(o, a[k]);
	}
}

/* RFC 5952 canonical text form. */
static void ftp_put_ipv6(struct ftp_out *o, const unsigned char *a)
{
	unsigned int best = 8, best_len = 0;
	unsigned int k, run;

	for (k = 0; k < 8; k += run ? run : 1) {
		run = 0;
		while (k + run < 8 && !a[2 * (k + run)] && !a[2 * (k + run) + 1])
			run++;
		if (run >= 2 && run > best_len) {
			best = k;
			best_len = run;
		}
	}
	for (k = 0; k < 8; k++) {
		if (k == best) {
			ftp_put(o, ':');
			ftp_put(o, ':');
			k += best_len - 1;
			continue;
		}
		if (k > 0 && k != best + best_len)
			ftp_put(o, ':');
		ftp_put_hex(o, ((unsigned int)a[2 * k] << 8) | a[2 * k + 1]);
	}
}

/**
 * ftp_format_arg - format the replacement for a parsed argument
 * @m: the match returned by ftp_parse_line()
 * @ep: endpoint to put in its place
 * @buf: output, not NUL terminated
 * @size: bytes available at @buf; FTP_ARG_MAX is always enough
 *
 * Return: the number of bytes written, or 0 if they do not fit, @ep has
 * port 0 or a family that @m->kind cannot carry.
 */
unsigned int ftp_format_arg(const struct ftp_match *m,
			    const struct ftp_endpoint *ep,
			    char *buf, unsigned int size)
{
	struct ftp_out o = { .buf = buf, .size = size, .len = 0, .overflow = 0 };

	if (ep->port == 0)
		return 0;
	switch (m->kind) {
	case FTP_KIND_PORT:
	case FTP_KIND_PASV:
		if (ep->family != FTP_FAMILY_IPV4)
			return 0;
		ftp_put_ipv4(&o, ep->addr, ',');
		ftp_put(&o, ',');
		ftp_put_dec(&o, ep->port >> 8);
		ftp_put(&o, ',');
		ftp_put_dec(&o, ep->port & 0xff);
		break;
	case FTP_KIND_EPRT:
		if (!ftp_is_delim(m->delim))
			return 0;
		ftp_put(&o, m->delim);
		if (ep->family == FTP_FAMILY_IPV4) {
			ftp_put(&o, '1');
			ftp_put(&o, m->delim);
			ftp_put_ipv4(&o, ep->addr, '.');
		} else if (ep->family == FTP_FAMILY_IPV6) {
			ftp_put(&o, '2');
			ftp_put(&o, m->delim);
			ftp_put_ipv6(&o, ep->addr);
		} else {
			return 0;
		}
		ftp_put(&o, m->delim);
		ftp_put_dec(&o, ep->port);
		ftp_put(&o, m->delim);
		break;
	case FTP_KIND_EPSV:
		ftp_put_dec(&o, ep->port);
		break;
	default:
		return 0;
	}
	if (o.overflow)
		return 0;
	return o.len;
}

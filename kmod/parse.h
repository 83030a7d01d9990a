/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FTP control-line parser shared by the kernel module and the userspace
 * unit tests.  It includes no header at all, kernel or libc, so the same
 * translation unit builds in both worlds; it never allocates and only
 * reads the bytes it is given.
 */
#ifndef FTPALG_PARSE_H
#define FTPALG_PARSE_H

/* Longest line (without its LF) that is reassembled across segments. */
#define FTP_LINE_MAX		512
/* Longest replacement text ftp_format_arg() can produce. */
#define FTP_ARG_MAX		64

/* Same values as IP_CT_DIR_ORIGINAL / IP_CT_DIR_REPLY for a control connection. */
enum ftp_dir {
	FTP_DIR_CLIENT = 0,
	FTP_DIR_SERVER = 1,
};

enum ftp_kind {
	FTP_KIND_NONE,
	FTP_KIND_PORT,		/* client: PORT h1,h2,h3,h4,p1,p2 */
	FTP_KIND_EPRT,		/* client: EPRT <d>af<d>addr<d>port<d> */
	FTP_KIND_PASV,		/* server: 227 ... h1,h2,h3,h4,p1,p2 ... */
	FTP_KIND_EPSV,		/* server: 229 ... (<d><d><d>port<d>) */
	FTP_KIND_MAX,
};

/* How far a line that has only partly arrived can matter to the ALG. */
enum ftp_interest {
	FTP_LINE_BORING,	/* can never become a line we parse */
	FTP_LINE_MAYBE,		/* a prefix of a keyword, undecided yet */
	FTP_LINE_KEY,		/* starts with a keyword we parse */
};

enum ftp_family {
	FTP_FAMILY_NONE = 0,	/* 229 carries a port only */
	FTP_FAMILY_IPV4 = 4,
	FTP_FAMILY_IPV6 = 6,
};

/*
 * Address text and what servers read from it.  EPRT |2| addresses are
 * accepted exactly as glibc's inet_pton(AF_INET6) accepts them (an IPv4
 * tail included), EPRT |1| addresses as inet_pton(AF_INET) does, with one
 * exception: an IPv4 octet written with a leading zero and more digits
 * ("010", "00"), in PORT h1..h4, in a 227's h1..h4 or in an EPRT |1|
 * dotted quad, is ambiguous.  inet_pton() refuses it, atoi()/strtol(10)
 * read 010 as 10, inet_aton()/inet_addr() read it in octal as 8 (and
 * refuse "08"): the ALG cannot know which address the peer will connect
 * to.  Such an endpoint is still FTP_PARSE_OK with addr holding the
 * decimal reading, and has ambiguous set to 1; the caller must not treat
 * the address as the sender's own (helper.c judges it a bounce).  An IPv4
 * tail of an IPv6 address with such an octet is refused, as inet_pton()
 * does.  Ports are never ambiguous: vsftpd (atoi) and proftpd (sscanf %u,
 * atoi) read PORT p1,p2 and the EPRT port in decimal, and so does every
 * client reading a 229.
 */
struct ftp_endpoint {
	unsigned char family;		/* enum ftp_family */
	unsigned char addr[16];		/* network order; IPv4 uses addr[0..3] */
	unsigned char ambiguous;	/* 1: an IPv4 octet had a leading 0, above */
	unsigned short port;		/* host order, never 0 after FTP_PARSE_OK */
};

struct ftp_match {
	enum ftp_kind kind;
	struct ftp_endpoint ep;
	unsigned int arg_off;		/* span of the line that a rewrite replaces */
	unsigned int arg_len;
	char delim;			/* EPRT/EPSV field delimiter */
};

enum ftp_parse_result {
	FTP_PARSE_NONE,			/* not a line the ALG cares about */
	FTP_PARSE_OK,			/* *m filled in */
	FTP_PARSE_MALFORMED,		/* keyword present, argument unusable */
};

enum ftp_interest ftp_line_interest(const char *p, unsigned int len,
				    enum ftp_dir dir);

enum ftp_parse_result ftp_parse_line(const char *line, unsigned int len,
				     enum ftp_dir dir, struct ftp_match *m);

/* Telnet IAC sequences and NULs skipped before a verb, at most. */
#define FTP_TELNET_MAX		8

unsigned int ftp_verb_start(const char *p, unsigned int len);

/**
 * ftp_word_eq - does a line start with a given word
 * @p: the bytes
 * @len: number of bytes at @p
 * @kw: the word, lowercase
 *
 * Inline so that, with a literal @kw, its length and the compare fold
 * into each call site: the session tries up to seven words on every
 * command line (make bench: 250 of ~1700 instructions of the module per
 * NOOP as a function).
 *
 * Return: 1 if @p starts with @kw, compared case-insensitively, followed
 * by a space, a tab, a CR or the end of @p; 0 otherwise.
 */
static inline int ftp_word_eq(const char *p, unsigned int len, const char *kw)
{
	unsigned int n = __builtin_strlen(kw);
	unsigned int i;

	if (len < n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != kw[i])
			return 0;
	}
	return len == n || p[n] == ' ' || p[n] == '\t' || p[n] == '\r';
}

unsigned int ftp_format_arg(const struct ftp_match *m,
			    const struct ftp_endpoint *ep,
			    char *buf, unsigned int size);

#endif /* FTPALG_PARSE_H */

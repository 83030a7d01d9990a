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

struct ftp_endpoint {
	unsigned char family;		/* enum ftp_family */
	unsigned char addr[16];		/* network order; IPv4 uses addr[0..3] */
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
int ftp_word_eq(const char *p, unsigned int len, const char *kw);

unsigned int ftp_format_arg(const struct ftp_match *m,
			    const struct ftp_endpoint *ep,
			    char *buf, unsigned int size);

#endif /* FTPALG_PARSE_H */

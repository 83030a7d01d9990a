// SPDX-License-Identifier: GPL-2.0
/*
 * FTP transaction tracking for the ALG, see session.h.  Like parse.c it
 * includes no header beyond its own, so it builds in the kernel and in
 * the userspace tests and fuzzers.
 */
#include "session.h"

#define FTP_FIFO_BITS	4
#define FTP_FIFO_MASK	0xfu

/* TLS record types (RFC 8446 5.1) seen at the start of an opaque segment. */
#define FTP_TLS_ALERT		0x15
#define FTP_TLS_VERSION_MAJOR	0x03

void ftp_session_init(struct ftp_session *s)
{
	s->fifo = 0;
	s->reply = 0;
	s->depth = 0;
	s->flags = 0;
}

void ftp_session_pickup(struct ftp_session *s)
{
	s->flags |= FTP_SESSION_PICKUP;
}

int ftp_session_valid(const struct ftp_session *s)
{
	unsigned int k;

	if (s->depth > FTP_SESSION_DEPTH || (s->flags & ~FTP_SESSION_FLAGS))
		return 0;
	for (k = 0; k < FTP_SESSION_DEPTH; k++) {
		unsigned int e = (s->fifo >> (k * FTP_FIFO_BITS)) &
				 FTP_FIFO_MASK;

		if (k < s->depth ? e < FTP_CMD_OTHER || e > FTP_CMD_AUTH : e)
			return 0;
	}
	if ((s->flags & (FTP_SESSION_ALERT_C | FTP_SESSION_ALERT_S)) &&
	    !(s->flags & FTP_SESSION_OPAQUE))
		return 0;
	/* a multi-line reply in progress has a reply code */
	return !s->reply || (s->reply >= 100 && s->reply <= 599);
}

static enum ftp_event ftp_push(struct ftp_session *s, unsigned int cmd,
			       enum ftp_event ev)
{
	if (s->depth == FTP_SESSION_DEPTH) {
		/* drop the oldest: its reply will be matched to the next */
		s->fifo >>= FTP_FIFO_BITS;
		s->depth--;
		s->flags |= FTP_SESSION_LOST;
		if (ev == FTP_EV_NONE)
			ev = FTP_EV_OVERFLOW;
	}
	s->fifo |= cmd << (s->depth * FTP_FIFO_BITS);
	s->depth++;
	return ev;
}

void ftp_session_untrack(struct ftp_session *s)
{
	unsigned int shift = (s->depth - 1) * FTP_FIFO_BITS;

	if (s->depth && ((s->fifo >> shift) & FTP_FIFO_MASK) == FTP_CMD_ACTIVE)
		s->fifo ^= (FTP_CMD_ACTIVE ^ FTP_CMD_OTHER) << shift;
}

unsigned int ftp_session_active_pending(const struct ftp_session *s)
{
	unsigned int k, n = 0;

	for (k = 0; k < s->depth; k++)
		if (((s->fifo >> (k * FTP_FIFO_BITS)) & FTP_FIFO_MASK) ==
		    FTP_CMD_ACTIVE)
			n++;
	return n;
}

static unsigned int ftp_head(const struct ftp_session *s)
{
	return s->depth ? s->fifo & FTP_FIFO_MASK : 0;
}

static void ftp_pop(struct ftp_session *s)
{
	if (!s->depth)
		return;
	s->fifo >>= FTP_FIFO_BITS;
	s->depth--;
}

static enum ftp_event ftp_client_line(struct ftp_session *s, const char *line,
				      unsigned int len, struct ftp_match *m)
{
	unsigned int i = ftp_verb_start(line, len);
	const char *p = line + i;
	int epsv_all = s->flags & FTP_SESSION_EPSV_ALL;
	unsigned int n;

	/* verbs are decided within the prefix the caller may pass alone */
	n = (len < FTP_SESSION_PREFIX ? len : FTP_SESSION_PREFIX) - i;
	if (ftp_word_eq(p, n, "port") || ftp_word_eq(p, n, "eprt")) {
		if (epsv_all)
			return FTP_EV_AFTER_EPSV_ALL;
		if (ftp_parse_line(p, len - i, FTP_DIR_CLIENT, m) !=
		    FTP_PARSE_OK)
			return ftp_push(s, FTP_CMD_OTHER, FTP_EV_MALFORMED);
		m->arg_off += i;
		return ftp_push(s, FTP_CMD_ACTIVE, FTP_EV_ACTIVE);
	}
	if (ftp_word_eq(p, n, "pasv")) {
		if (epsv_all)
			return FTP_EV_AFTER_EPSV_ALL;
		return ftp_push(s, FTP_CMD_PASSIVE, FTP_EV_NONE);
	}
	if (ftp_word_eq(p, n, "epsv")) {
		unsigned int a = 4;

		while (a < n && (p[a] == ' ' || p[a] == '\t'))
			a++;
		if (ftp_word_eq(p + a, n - a, "all"))
			return ftp_push(s, FTP_CMD_EPSV_ALL, FTP_EV_NONE);
		return ftp_push(s, FTP_CMD_PASSIVE, FTP_EV_NONE);
	}
	if (ftp_word_eq(p, n, "lprt") || ftp_word_eq(p, n, "lpsv"))
		return FTP_EV_LONG_ADDR;
	if (ftp_word_eq(p, n, "auth"))
		return ftp_push(s, FTP_CMD_AUTH, FTP_EV_NONE);
	return ftp_push(s, FTP_CMD_OTHER, FTP_EV_NONE);
}

/* Reply code of a line that starts a reply, or 0. */
static unsigned int ftp_reply_code(const char *p, unsigned int len)
{
	unsigned int i;

	if (len < 3 || p[0] < '1' || p[0] > '5')
		return 0;
	for (i = 1; i < 3; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	if (len > 3 && p[3] != ' ' && p[3] != '-' && p[3] != '\r')
		return 0;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* The final reply to the oldest command has fully arrived. */
static enum ftp_event ftp_reply_done(struct ftp_session *s, unsigned int code,
				     enum ftp_event ev)
{
	unsigned int cmd = ftp_head(s);
	int ok = code / 100 == 2;

	s->reply = 0;
	s->flags &= ~FTP_SESSION_REPORTED;
	if (code < 200)
		return ev;	/* preliminary: the command still waits */
	if (s->depth)
		s->flags &= ~FTP_SESSION_PICKUP;	/* in step again */
	ftp_pop(s);
	switch (cmd) {
	case FTP_CMD_ACTIVE:
		return ok ? FTP_EV_ACTIVE_OK : FTP_EV_ACTIVE_FAILED;
	case FTP_CMD_EPSV_ALL:
		if (ok)
			s->flags |= FTP_SESSION_EPSV_ALL;
		break;
	case FTP_CMD_AUTH:
		if (code == 234) {
			s->flags |= FTP_SESSION_OPAQUE;
			s->flags &= ~(FTP_SESSION_ALERT_C | FTP_SESSION_ALERT_S);
			return FTP_EV_TLS;
		}
		break;
	}
	return ev;
}

static enum ftp_event ftp_server_line(struct ftp_session *s, const char *line,
				      unsigned int len, struct ftp_match *m)
{
	unsigned int code = ftp_reply_code(line, len);
	enum ftp_event ev = FTP_EV_NONE;
	int last;

	if (s->reply) {
		/* inside a multi-line reply: only "<code> " ends it */
		if (code != s->reply)
			return FTP_EV_NONE;
		last = len == 3 || line[3] != '-';
	} else {
		if (!code)
			return FTP_EV_NONE;
		last = len == 3 || line[3] != '-';
		if (!last)
			s->reply = code;
	}

	if ((code == 227 || code == 229) &&
	    !(s->flags & FTP_SESSION_REPORTED)) {
		if (ftp_parse_line(line, len, FTP_DIR_SERVER, m) ==
		    FTP_PARSE_OK) {
			s->flags |= FTP_SESSION_REPORTED;
			if (ftp_head(s) == FTP_CMD_PASSIVE)
				ev = FTP_EV_PASSIVE;
			else if (!s->depth && (s->flags & FTP_SESSION_PICKUP))
				ev = FTP_EV_PICKUP;
			else
				ev = FTP_EV_UNSOLICITED;
		} else if (last) {
			ev = FTP_EV_MALFORMED;
		}
	}
	if (last) {
		enum ftp_event done = ftp_reply_done(s, code, ev);

		if (ev == FTP_EV_NONE)
			ev = done;
	}
	return ev;
}

enum ftp_event ftp_session_line(struct ftp_session *s, enum ftp_dir dir,
				const char *line, unsigned int len,
				struct ftp_match *m)
{
	if (s->flags & FTP_SESSION_OPAQUE)
		return FTP_EV_NONE;
	if (len && line[len - 1] == '\r')
		len--;
	if (dir == FTP_DIR_CLIENT)
		return ftp_client_line(s, line, len, m);
	return ftp_server_line(s, line, len, m);
}

static int ftp_is_text(const unsigned char *data, unsigned int len)
{
	unsigned int i;

	if (!len || !((data[0] >= 'A' && data[0] <= 'Z') ||
		      (data[0] >= 'a' && data[0] <= 'z')))
		return 0;
	for (i = 1; i < len && i < 4; i++)
		if (data[i] < 0x20 || data[i] > 0x7e)
			return data[i] == '\r' || data[i] == '\n';
	return 1;
}

int ftp_session_opaque_segment(struct ftp_session *s, enum ftp_dir dir,
			       const unsigned char *data, unsigned int len)
{
	const unsigned char both = FTP_SESSION_ALERT_C | FTP_SESSION_ALERT_S;

	if (!(s->flags & FTP_SESSION_OPAQUE))
		return 1;
	if (len >= 2 && data[0] == FTP_TLS_ALERT &&
	    data[1] == FTP_TLS_VERSION_MAJOR) {
		s->flags |= dir == FTP_DIR_CLIENT ? FTP_SESSION_ALERT_C :
						    FTP_SESSION_ALERT_S;
		return 0;
	}
	if ((s->flags & both) != both || dir != FTP_DIR_CLIENT ||
	    !ftp_is_text(data, len))
		return 0;
	/* the command channel was cleared (CCC): plain FTP again */
	s->flags &= FTP_SESSION_EPSV_ALL | FTP_SESSION_LOST;
	s->fifo = 0;
	s->depth = 0;
	s->reply = 0;
	return 1;
}

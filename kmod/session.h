/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FTP transaction state of one control connection, shared by the kernel
 * module and the userspace tests and fuzzers.  Like parse.c it includes no
 * header: it is fed one complete line at a time, in stream order per
 * direction, and tells the caller what the line means for the ALG.
 *
 * Replies answer commands in order (RFC 959), so the client's commands
 * wait in a small FIFO until their final (2xx-5xx) reply; 1xx replies are
 * preliminary and multi-line replies ("227-...", ..., "227 ...") complete
 * only at their last line.
 */
#ifndef FTPALG_SESSION_H
#define FTPALG_SESSION_H

#include "parse.h"

/* Commands that may wait for a reply at the same time. */
#define FTP_SESSION_DEPTH	8
/*
 * A line that is not PORT/EPRT/227/229 may be passed as its first
 * FTP_SESSION_PREFIX bytes only: that is all the session looks at.
 */
#define FTP_SESSION_PREFIX	16

enum ftp_event {
	FTP_EV_NONE,		/* nothing for the ALG */
	FTP_EV_MALFORMED,	/* our keyword, unusable argument */
	FTP_EV_ACTIVE,		/* client PORT/EPRT: *m, usable at once */
	FTP_EV_ACTIVE_OK,	/* server accepted the oldest pending PORT/EPRT */
	FTP_EV_ACTIVE_FAILED,	/* server refused it (3xx-5xx): withdraw */
	FTP_EV_PASSIVE,		/* server 227/229 answering PASV/EPSV: *m */
	FTP_EV_UNSOLICITED,	/* 227/229 with no PASV/EPSV outstanding: *m */
	FTP_EV_AFTER_EPSV_ALL,	/* PORT/EPRT/PASV after an accepted EPSV ALL */
	FTP_EV_LONG_ADDR,	/* LPRT/LPSV (RFC 1639): never parsed, refused */
	FTP_EV_TLS,		/* AUTH TLS/SSL accepted: the stream is opaque */
	FTP_EV_OVERFLOW,	/* too many commands pending: tracking lost */
	FTP_EV_PICKUP,		/* 227/229 answering a command before pickup: *m */
	FTP_EV_MAX,
};

struct ftp_session {
	unsigned int fifo;	/* pending commands, 4 bits each, oldest low */
	unsigned short reply;	/* code of a multi-line reply in progress */
	unsigned char depth;	/* commands in fifo */
	unsigned char flags;	/* FTP_SESSION_* */
};

#define FTP_SESSION_EPSV_ALL	0x01	/* EPSV ALL accepted */
#define FTP_SESSION_OPAQUE	0x02	/* TLS: lines are not parsed */
#define FTP_SESSION_LOST	0x04	/* fifo overflowed once */
#define FTP_SESSION_REPORTED	0x08	/* this reply already gave its event */
#define FTP_SESSION_ALERT_C	0x10	/* opaque: client sent a TLS alert */
#define FTP_SESSION_ALERT_S	0x20	/* opaque: server sent a TLS alert */
#define FTP_SESSION_PICKUP	0x40	/* commands before tracking began unknown */
#define FTP_SESSION_FLAGS	0x7f	/* all of them */

/* fifo entries */
#define FTP_CMD_OTHER		1
#define FTP_CMD_ACTIVE		2	/* PORT/EPRT */
#define FTP_CMD_PASSIVE		3	/* PASV or EPSV */
#define FTP_CMD_EPSV_ALL	4
#define FTP_CMD_AUTH		5

/* An all-zero struct ftp_session is a fresh one, as is one after init. */
void ftp_session_init(struct ftp_session *s);

/*
 * One line (without its LF) from @dir, see FTP_SESSION_PREFIX.  @m is
 * filled in for FTP_EV_ACTIVE, FTP_EV_PASSIVE and FTP_EV_UNSOLICITED.
 * Must not be called while ftp_session_opaque().  A caller that refuses
 * (drops) a segment restores the session as it was before the segment.
 *
 * Client lines: verbs are case-insensitive; Telnet IAC sequences (0xff and
 * the byte after it) and NUL bytes before the verb are skipped.  A cleared
 * command channel keeps EPSV_ALL and LOST.
 *   PORT, EPRT  after EPSV ALL: AFTER_EPSV_ALL, nothing queued; else
 *               parsed: OK queues ACTIVE and returns ACTIVE; MALFORMED
 *               queues OTHER and returns MALFORMED.
 *   PASV        after EPSV ALL: AFTER_EPSV_ALL; else queues PASSIVE.
 *   EPSV ALL    queues EPSV_ALL.   EPSV [n]: queues PASSIVE.
 *   LPRT, LPSV  LONG_ADDR, nothing queued.
 *   AUTH ...    queues AUTH.   anything else: queues OTHER.
 *   A full fifo drops its oldest entry and sets LOST; the new command is
 *   queued and its event returned, OVERFLOW if it had none.
 *   Verbs are decided within the first FTP_SESSION_PREFIX bytes, after at
 *   most FTP_TELNET_MAX bytes of Telnet sequences and NULs.
 * Server lines: a reply starts with three digits, the first 1-5, then ' ',
 * '-' or the end of the line; '-' opens a multi-line reply that ends at a
 * line starting with the same code and ' ' (or the code alone).  Other
 * lines outside a reply are ignored.  1xx replies are preliminary and
 * dequeue nothing; a final 2xx-5xx reply dequeues the oldest command when
 * its last line arrives.  With that command:
 *   227/229 lines (first, inner lines starting with the code, last) are
 *               parsed; the first OK one returns PASSIVE if the command is
 *               PASSIVE, else UNSOLICITED (also with an empty fifo); a
 *               reply none of whose lines parsed returns MALFORMED at its
 *               last line.  One event per reply.
 *   ACTIVE      2xx: ACTIVE_OK; 3xx-5xx: ACTIVE_FAILED.
 *   EPSV_ALL    2xx sets FTP_SESSION_EPSV_ALL.
 *   AUTH        234 sets FTP_SESSION_OPAQUE and returns TLS.
 * Picked up (FTP_SESSION_PICKUP): replies arriving with an empty fifo
 * answer commands sent before tracking began.  A 227/229 among them
 * returns PICKUP (instead of UNSOLICITED); the first final reply that
 * dequeues a command ends the pickup.
 */
enum ftp_event ftp_session_line(struct ftp_session *s, enum ftp_dir dir,
				const char *line, unsigned int len,
				struct ftp_match *m);

/*
 * Tracking begins mid-session (a conntrack injected by a failover, or
 * first seen without its handshake): commands may be outstanding that
 * were never seen.
 */
void ftp_session_pickup(struct ftp_session *s);

/*
 * Is @s a state that ftp_session_line() can produce?  For states that
 * come from outside (ctnetlink): 1 or 0.
 */
int ftp_session_valid(const struct ftp_session *s);

/*
 * The command just queued by FTP_EV_ACTIVE expects nothing after all (no
 * expectation was made): its reply is to settle nothing.
 */
void ftp_session_untrack(struct ftp_session *s);

/*
 * PORT/EPRT commands (not untracked) awaiting their reply.  After an
 * FTP_EV_ACTIVE_FAILED: those queued behind the refused one, whose
 * expectations are the connection's newest.
 */
unsigned int ftp_session_active_pending(const struct ftp_session *s);

static inline int ftp_session_opaque(const struct ftp_session *s)
{
	return s->flags & FTP_SESSION_OPAQUE;
}

/*
 * While opaque, the first bytes of each segment of @dir: resumes parsing
 * after a cleared command channel (CCC, RFC 4217), i.e. once both sides
 * have sent a TLS alert (close_notify) and the client then sends plain
 * text.  Returns 1 when the segment is to be parsed as FTP again.
 */
int ftp_session_opaque_segment(struct ftp_session *s, enum ftp_dir dir,
			       const unsigned char *data, unsigned int len);

#endif /* FTPALG_SESSION_H */

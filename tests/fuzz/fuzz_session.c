// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/session.c (and the parser under it).
 *
 * The input is a script of records.  Each record is one control byte
 * followed by its payload, which runs up to (not including) the next LF:
 *
 *   bit 0      direction: 0 client, 1 server
 *   bit 1      segment: while opaque, the payload (plus its LF) is one
 *              segment for ftp_session_opaque_segment(); once that
 *              returns 1 the payload is fed as a line as well.  While not
 *              opaque, a segment record is just a line.
 *   bit 2      pass the line as its first FTP_SESSION_PREFIX bytes only
 *   bit 3      take a snapshot of the session before the record
 *   bit 4      replay: do the record, restore the state from before it,
 *              do it again; both runs must agree exactly
 *   bit 5      after the record, restore the last snapshot (a dropped
 *              segment whose retransmission never comes)
 *   bit 6      alone ignored: the seed corpus uses '@' (0x40) for a client line,
 *              'A' a server line, 'B'/'C' client/server segments, 'X'/'Y'
 *              client/server lines with snapshot and replay.
 *   bit 7      before the record, the server opens a data connection: it
 *              uses the expectation of the PORT/EPRT it is processing (the
 *              oldest awaiting a reply), or with none the newest one.
 *   bits 6+7   both: tracking is picked up before the record (a failover),
 *              and the server connects as for bit 7
 *
 * Lines are never fed while the session is opaque (session.h forbids it);
 * those records are skipped like the ALG skips the bytes.  After every
 * call the invariants of session.h are checked; abort() on violation.
 *
 * Build with -DFUZZ_CHECK_PREFIX to also check that a line that is not
 * PORT/EPRT/227/229 by ftp_line_interest() gives the same event and state
 * when passed as its FTP_SESSION_PREFIX-byte prefix.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "fuzz.h"
#include "../common/session_cmp.h"


#define R_SERVER	0x01
#define R_SEGMENT	0x02
#define R_PREFIX	0x04
#define R_SNAPSHOT	0x08
#define R_REPLAY	0x10
#define R_RESTORE	0x20
#define R_CONNECT	0x80

/*
 * The expectations the kernel would hold, as helper.c and expect.c make
 * and withdraw them: one per tracked PORT/EPRT (FTP_EV_ACTIVE, not
 * untracked), usable at once; on FTP_EV_ACTIVE_FAILED the one after the
 * ftp_session_active_pending() newest is withdrawn.  The oracle: the
 * refused command's expectation never outlives the refusal, none of a
 * command still awaiting its reply is withdrawn, one of an accepted
 * command only if the refused one's is gone already, and the session's
 * count of those agrees with the model's.
 */
#define MODEL_MAX	64

struct model {
	unsigned int live[MODEL_MAX];	/* expectation ids, oldest first */
	unsigned int n_live;
	unsigned int waiting[FTP_SESSION_DEPTH]; /* tracked commands' ids */
	unsigned int n_waiting;
	unsigned int next_id;
};

static int model_has(const struct model *md, unsigned int id)
{
	unsigned int k;

	for (k = 0; k < md->n_live; k++)
		if (md->live[k] == id)
			return 1;
	return 0;
}

static void model_remove(struct model *md, unsigned int k)
{
	memmove(&md->live[k], &md->live[k + 1],
		(md->n_live - k - 1) * sizeof(md->live[0]));
	md->n_live--;
}

static void model_pop_waiting(struct model *md, unsigned int *id)
{
	CHECK(md->n_waiting > 0);
	*id = md->waiting[0];
	memmove(&md->waiting[0], &md->waiting[1],
		(md->n_waiting - 1) * sizeof(md->waiting[0]));
	md->n_waiting--;
}

/* The server connects: see R_CONNECT. */
static void model_connect(struct model *md)
{
	unsigned int k;

	if (!md->n_live)
		return;
	if (md->n_waiting) {
		for (k = 0; k < md->n_live; k++)
			if (md->live[k] == md->waiting[0]) {
				model_remove(md, k);
				return;
			}
		return;	/* it connected already */
	}
	model_remove(md, md->n_live - 1);
}

/* After a line from @dir that gave @ev (ACTIVE: @tracked, not untracked). */
static void model_event(struct model *md, enum ftp_dir dir,
			const struct ftp_session *before,
			const struct ftp_session *s, int ev, int tracked)
{
	unsigned int id, keep, k;
	int was_live[FTP_SESSION_DEPTH], refused_live;

	/* a full fifo dropped its oldest: that one is never answered now */
	if (dir == FTP_DIR_CLIENT && before->depth == FTP_SESSION_DEPTH &&
	    ev != FTP_EV_AFTER_EPSV_ALL && ev != FTP_EV_LONG_ADDR &&
	    (before->fifo & 0xf) == FTP_CMD_ACTIVE)
		model_pop_waiting(md, &id);
	if (ev == FTP_EV_ACTIVE && tracked) {
		id = ++md->next_id;
		if (md->n_live == MODEL_MAX)
			model_remove(md, 0);	/* timed out */
		md->live[md->n_live++] = id;
		CHECK(md->n_waiting < FTP_SESSION_DEPTH);
		md->waiting[md->n_waiting++] = id;
	}
	if (dir != FTP_DIR_SERVER || s->depth == before->depth ||
	    (before->fifo & 0xf) != FTP_CMD_ACTIVE)
		goto out;
	/*
	 * The reply settled a tracked PORT/EPRT: ACTIVE_OK or ACTIVE_FAILED,
	 * or for a 227/229 answering it (2xx) the reply's own event.
	 */
	CHECK(ev == FTP_EV_ACTIVE_OK || ev == FTP_EV_ACTIVE_FAILED ||
	      ev == FTP_EV_MALFORMED || ev == FTP_EV_UNSOLICITED);
	model_pop_waiting(md, &id);
	if (ev != FTP_EV_ACTIVE_FAILED)
		goto out;
	keep = ftp_session_active_pending(s);
	CHECK(keep == md->n_waiting);
	for (k = 0; k < md->n_waiting; k++)
		was_live[k] = model_has(md, md->waiting[k]);
	refused_live = model_has(md, id);
	if (md->n_live > keep) {
		k = md->n_live - keep - 1;
		CHECK(!refused_live || md->live[k] == id);
		model_remove(md, k);
	}
	CHECK(!model_has(md, id));
	for (k = 0; k < md->n_waiting; k++)
		CHECK(model_has(md, md->waiting[k]) == was_live[k]);
out:
	CHECK(ftp_session_active_pending(s) == md->n_waiting);
}

#define R_PICKUP	(R_CONNECT | 0x40)


/* Layout documented in session.h: 4 bits per entry, oldest low. */
static void check_state(const struct ftp_session *s)
{
	unsigned int k;

	CHECK(s->depth <= FTP_SESSION_DEPTH);
	for (k = 0; k < s->depth; k++) {
		unsigned int e = (s->fifo >> (4 * k)) & 0xf;

		CHECK(e >= FTP_CMD_OTHER && e <= FTP_CMD_AUTH);
	}
	if (s->depth < 8)
		CHECK((s->fifo >> (4 * s->depth)) == 0);
	CHECK(!(s->flags & ~0x7fu));
	CHECK(ftp_session_valid(s));
	if (s->flags & (FTP_SESSION_ALERT_C | FTP_SESSION_ALERT_S))
		CHECK(s->flags & FTP_SESSION_OPAQUE);
}

/*
 * The span must be inside the line and must be the argument that was
 * parsed: re-parse it with its keyword in front.
 */
static void check_span(const char *line, unsigned int len, enum ftp_dir dir,
		       const struct ftp_match *m)
{
	char buf[FTP_LINE_MAX + 16];
	struct ftp_match m2;
	unsigned int n = 0;

	CHECK(m->ep.port != 0);
	CHECK(m->arg_len > 0);
	CHECK(m->arg_off <= len && m->arg_len <= len - m->arg_off);
	if (m->arg_len > FTP_LINE_MAX)
		return;
	switch (m->kind) {
	case FTP_KIND_PORT:
		CHECK(dir == FTP_DIR_CLIENT);
		memcpy(buf, "PORT ", 5);
		n = 5;
		break;
	case FTP_KIND_EPRT:
		CHECK(dir == FTP_DIR_CLIENT);
		memcpy(buf, "EPRT ", 5);
		n = 5;
		break;
	case FTP_KIND_PASV:
		CHECK(dir == FTP_DIR_SERVER);
		memcpy(buf, "227 ", 4);
		n = 4;
		break;
	case FTP_KIND_EPSV:
		CHECK(dir == FTP_DIR_SERVER);
		buf[0] = '2'; buf[1] = '2'; buf[2] = '9'; buf[3] = ' ';
		buf[4] = '('; buf[5] = m->delim; buf[6] = m->delim;
		buf[7] = m->delim;
		n = 8;
		break;
	default:
		CHECK(0);
	}
	memcpy(buf + n, line + m->arg_off, m->arg_len);
	n += m->arg_len;
	if (m->kind == FTP_KIND_EPSV) {
		buf[n++] = m->delim;
		buf[n++] = ')';
	}
	CHECK(ftp_parse_line(buf, n, dir, &m2) == FTP_PARSE_OK);
	CHECK(m2.kind == m->kind);
	CHECK(m2.ep.family == m->ep.family && m2.ep.port == m->ep.port &&
	      !memcmp(m2.ep.addr, m->ep.addr, sizeof(m->ep.addr)));
}

struct result {
	int ev;
	struct ftp_match m;
	struct ftp_session s;
};

/* One line through ftp_session_line() with every per-call check. */
static void do_line(struct ftp_session *s, enum ftp_dir dir,
		    const char *p, unsigned int len, struct result *r)
{
	struct ftp_session before = *s;
	char *line = malloc(len ? len : 1);
	int ev;

	CHECK(line != NULL);
	CHECK(!ftp_session_opaque(s));
	if (len)
		memcpy(line, p, len);
	memset(&r->m, 0x5a, sizeof(r->m));
	ev = ftp_session_line(s, dir, line, len, &r->m);
	r->ev = ev;
	r->s = *s;

	CHECK(ev >= FTP_EV_NONE && ev < FTP_EV_MAX);
	check_state(s);
	if (carries_match(ev))
		check_span(line, len, dir, &r->m);
	free(line);

	if (dir == FTP_DIR_CLIENT) {
		CHECK(ev == FTP_EV_NONE || ev == FTP_EV_MALFORMED ||
		      ev == FTP_EV_ACTIVE || ev == FTP_EV_AFTER_EPSV_ALL ||
		      ev == FTP_EV_LONG_ADDR || ev == FTP_EV_OVERFLOW);
		/* A client line queues at most one command. */
		CHECK(s->depth == before.depth || s->depth == before.depth + 1 ||
		      (ev == FTP_EV_OVERFLOW &&
		       s->depth == FTP_SESSION_DEPTH));
		if (ev == FTP_EV_OVERFLOW)
			CHECK(s->flags & FTP_SESSION_LOST);
		if (ev == FTP_EV_AFTER_EPSV_ALL || ev == FTP_EV_LONG_ADDR)
			CHECK(s->depth == before.depth &&
			      s->fifo == before.fifo);
		if (ev == FTP_EV_AFTER_EPSV_ALL)
			CHECK(before.flags & FTP_SESSION_EPSV_ALL);
		/* Client lines never touch the reply state. */
		CHECK(s->reply == before.reply);
		CHECK(!ftp_session_opaque(s));
	} else {
		CHECK(ev == FTP_EV_NONE || ev == FTP_EV_MALFORMED ||
		      ev == FTP_EV_ACTIVE_OK || ev == FTP_EV_ACTIVE_FAILED ||
		      ev == FTP_EV_PASSIVE || ev == FTP_EV_UNSOLICITED ||
		      ev == FTP_EV_TLS || ev == FTP_EV_PICKUP);
		/* PICKUP: a reply to a command from before the pickup */
		if (ev == FTP_EV_PICKUP)
			CHECK((before.flags & FTP_SESSION_PICKUP) &&
			      !before.depth);
		if (ev == FTP_EV_UNSOLICITED)
			CHECK(!(before.flags & FTP_SESSION_PICKUP) ||
			      before.depth);
		/* ...which ends when a reply dequeues a command seen */
		if ((before.flags & ~s->flags & FTP_SESSION_PICKUP) &&
		    !ftp_session_opaque(s))
			CHECK(s->depth + 1 == before.depth);
		if (!(before.flags & FTP_SESSION_PICKUP))
			CHECK(!(s->flags & FTP_SESSION_PICKUP));
		/* A server line answers at most one command. */
		CHECK(s->depth == before.depth ||
		      s->depth + 1 == before.depth);
		if (s->depth + 1 == before.depth)
			CHECK((before.fifo >> 4) == s->fifo);
		if (ev == FTP_EV_PASSIVE)
			CHECK(before.depth &&
			      (before.fifo & 0xf) == FTP_CMD_PASSIVE);
		if (ev == FTP_EV_ACTIVE_OK || ev == FTP_EV_ACTIVE_FAILED)
			CHECK(before.depth &&
			      (before.fifo & 0xf) == FTP_CMD_ACTIVE &&
			      s->depth + 1 == before.depth);
		if (ev == FTP_EV_TLS)
			CHECK(before.depth &&
			      (before.fifo & 0xf) == FTP_CMD_AUTH);
		/* Only an accepted AUTH makes the stream opaque. */
		CHECK(!!ftp_session_opaque(s) == (ev == FTP_EV_TLS));
	}
	/* Sticky flags stay set while the session is not opaque. */
	CHECK((s->flags & before.flags &
	       (FTP_SESSION_EPSV_ALL | FTP_SESSION_LOST)) ==
	      (before.flags & (FTP_SESSION_EPSV_ALL | FTP_SESSION_LOST)));

	/*
	 * As the kernel does when a PORT made no expectation (decided here
	 * by the port, so that replays decide alike): the newest entry
	 * becomes OTHER, nothing else changes.
	 */
	if (ev == FTP_EV_ACTIVE && (r->m.ep.port & 1)) {
		struct ftp_session t = *s;
		unsigned int shift = (s->depth - 1) * 4;

		ftp_session_untrack(s);
		CHECK(s->depth == t.depth && s->flags == t.flags &&
		      s->reply == t.reply);
		CHECK(((s->fifo >> shift) & 0xf) == FTP_CMD_OTHER);
		CHECK((s->fifo ^ t.fifo) ==
		      ((unsigned int)(FTP_CMD_ACTIVE ^ FTP_CMD_OTHER) << shift));
		r->s = *s;
		check_state(s);
	}
}

static void do_segment(struct ftp_session *s, enum ftp_dir dir,
		       const char *p, unsigned int len, struct result *r)
{
	unsigned char *seg = malloc(len ? len : 1);
	int ret;

	CHECK(seg != NULL);
	CHECK(ftp_session_opaque(s));
	if (len)
		memcpy(seg, p, len);
	ret = ftp_session_opaque_segment(s, dir, seg, len);
	free(seg);
	r->ev = ret;
	r->s = *s;
	CHECK(ret == 0 || ret == 1);
	CHECK(!!ftp_session_opaque(s) == !ret);
	/* Only the client's plain text clears the channel. */
	if (ret)
		CHECK(dir == FTP_DIR_CLIENT);
	check_state(s);
}

#ifdef FUZZ_CHECK_PREFIX
static void check_prefix(const struct ftp_session *s, enum ftp_dir dir,
			 const char *p, unsigned int len)
{
	struct ftp_session a = *s, b = *s;
	struct ftp_match ma, mb;
	int ea, eb;

	if (len <= FTP_SESSION_PREFIX ||
	    ftp_line_interest(p, len, dir) != FTP_LINE_BORING)
		return;
	ea = ftp_session_line(&a, dir, p, len, &ma);
	eb = ftp_session_line(&b, dir, p, FTP_SESSION_PREFIX, &mb);
	CHECK(ea == eb);
	CHECK(same_session(&a, &b));
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftp_session s, snap;
	struct model md, md_snap;
	size_t i = 0;

	ftp_session_init(&s);
	check_state(&s);
	CHECK(!ftp_session_opaque(&s));
	snap = s;
	memset(&md, 0, sizeof(md));
	md_snap = md;

	while (i < size) {
		unsigned int c = data[i++];
		enum ftp_dir dir = (c & R_SERVER) ? FTP_DIR_SERVER :
						    FTP_DIR_CLIENT;
		const char *p = (const char *)data + i;
		size_t end = i;
		unsigned int len, seglen;
		struct ftp_session before;
		struct result r1, r2;
		int segment;

		while (end < size && data[end] != '\n')
			end++;
		len = (unsigned int)(end - i);
		if (len > FTP_LINE_MAX)
			len = FTP_LINE_MAX;
		/* A segment includes the LF when there is one. */
		seglen = len + (end < size && end - i == len);
		i = end < size ? end + 1 : end;

		if ((c & R_PICKUP) == R_PICKUP)
			ftp_session_pickup(&s);
		if (c & R_SNAPSHOT) {
			snap = s;
			md_snap = md;
		}
		if (c & R_CONNECT)
			model_connect(&md);
		before = s;
		segment = ftp_session_opaque(&s);
		if (!segment && (c & R_PREFIX) && len > FTP_SESSION_PREFIX)
			len = FTP_SESSION_PREFIX;

		if (segment) {
			/* Lines cannot be fed while opaque: the ALG skips. */
			if (!(c & R_SEGMENT))
				continue;
			do_segment(&s, dir, p, seglen, &r1);
			if (c & R_REPLAY) {
				s = before;
				do_segment(&s, dir, p, seglen, &r2);
				CHECK(r1.ev == r2.ev);
				CHECK(same_session(&r1.s, &r2.s));
			}
			/* Cleared: the same bytes are FTP again. */
			if (r1.ev == 1 && !ftp_session_opaque(&s)) {
				md.n_waiting = 0;	/* fifo reset */
				before = s;
				do_line(&s, dir, p, len, &r1);
				model_event(&md, dir, &before, &s, r1.ev,
					    !(r1.m.ep.port & 1));
			}
		} else {
#ifdef FUZZ_CHECK_PREFIX
			check_prefix(&s, dir, p, len);
#endif
			do_line(&s, dir, p, len, &r1);
			if (c & R_REPLAY) {
				s = before;
				do_line(&s, dir, p, len, &r2);
				CHECK(r1.ev == r2.ev);
				CHECK(same_session(&r1.s, &r2.s));
				if (carries_match(r1.ev))
					CHECK(same_match(&r1.m, &r2.m));
			}
			model_event(&md, dir, &before, &s, r1.ev,
				    !(r1.m.ep.port & 1));
		}
		if (c & R_RESTORE) {
			s = snap;
			md = md_snap;
		}
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Segments to lines, see stream.h.  Like parse.c it includes no header
 * beyond the project's, so it builds in the kernel and in the userspace
 * tests and fuzzers.  All sequence arithmetic of the ALG is here.
 */
#include "stream.h"
#include "session.h"

/* One call's work on a segment; @st is committed only at the end. */
struct ftp_seg {
	const struct ftp_stream_ops *ops;
	void *ctx;
	struct ftp_stream st;
	enum ftp_dir dir;
	unsigned int seq;
	const char *data;
	unsigned int len;	/* the payload as it is now */
	int delta;		/* its length change by rewrites so far */
	unsigned int line_flags;	/* for whole lines */
	struct ftp_stream_line *line;	/* partial line being completed */
	unsigned short line_len;	/* ...its length before */
	/* the rewrites of this segment, for their replay */
	unsigned int rw_seq[FTP_STREAM_REPLAY_LINES];
	unsigned short rw_len[FTP_STREAM_REPLAY_LINES];
	unsigned short rw_port[FTP_STREAM_REPLAY_LINES];
	unsigned int rw_lines;
	int adjusted;		/* adj_seq: the rewrite that changed the length */
	unsigned int adj_seq;
};

/*
 * Eight bytes a step until a word holds an LF (a 227 line is ~50 bytes):
 * ((b & 0x7f) + 0x7f) | b has the top bit clear only for b == 0, with no
 * carry between bytes, so any byte order gives the same answer.
 */
static const char *ftp_find_lf(const char *p, unsigned int len)
{
	const unsigned long long low7 = 0x7f7f7f7f7f7f7f7fULL;
	const unsigned long long lfs = 0x0a0a0a0a0a0a0a0aULL;
	unsigned long long w;
	unsigned int i = 0;

	for (; i + 8 <= len; i += 8) {
		__builtin_memcpy(&w, p + i, sizeof(w));
		w ^= lfs;
		if ((((w & low7) + low7) | w | low7) != ~0ULL)
			break;
	}
	for (; i < len; i++)
		if (p[i] == '\n')
			return p + i;
	return FTP_NULL;
}

static void ftp_copy(char *dst, const char *src, unsigned int len)
{
	while (len--)
		*dst++ = *src++;
}

/* The sender's sequence number of payload offset @off. */
static unsigned int ftp_seg_seq(const struct ftp_seg *g, unsigned int off)
{
	return g->seq + off - g->delta;
}

/* Lines the parser handles, and any line until the session saw enough. */
static int ftp_keep(const struct ftp_seg *g, const char *p, unsigned int len)
{
	return len < FTP_SESSION_PREFIX ||
	       ftp_line_interest(p, len, g->dir) != FTP_LINE_BORING;
}

/* Re-read the payload after a callback; returns its length change. */
static int ftp_refetch(struct ftp_seg *g)
{
	unsigned int before = g->len;

	g->data = g->ops->data(g->ctx, &g->len);
	return (int)(g->len - before);
}

static void ftp_remember(struct ftp_seg *g, unsigned int seq,
			 unsigned int len, unsigned short port, int change)
{
	unsigned int i = g->rw_lines++;

	g->rw_seq[i] = seq;
	g->rw_len[i] = (unsigned short)len;
	g->rw_port[i] = port;
	if (g->rw_lines == FTP_STREAM_REPLAY_LINES)
		g->line_flags &= ~FTP_STREAM_WHOLE;	/* no more rewrites */
	if (change) {
		g->adjusted = 1;
		g->adj_seq = seq;
		g->line_flags |= FTP_STREAM_FIXED_LEN;
	}
}

/*
 * Judge the line starting at @seq, at payload offset @off when whole in it
 * (FTP_STREAM_WHOLE), else from the line buffer.  Returns the callback's value; *@change is the
 * payload's length change.
 */
static int ftp_judge(struct ftp_seg *g, unsigned int seq, const char *p,
		     unsigned int len, unsigned int off, unsigned int flags,
		     int *change)
{
	unsigned short port = 0;
	int ret;

	ret = g->ops->line(g->ctx, seq, p, len, off, flags, &port);
	*change = 0;
	if (ret != FTP_STREAM_ACCEPT && ret != FTP_STREAM_OPAQUE)
		return ret;
	*change = ftp_refetch(g);
	g->delta += *change;
	if (port && (flags & FTP_STREAM_WHOLE))
		ftp_remember(g, seq, len, port, *change);
	return ret;
}

/* The head of a line (starting at @seq) that will not be kept whole. */
static int ftp_judge_head(struct ftp_seg *g, unsigned int seq, const char *p,
			  unsigned int len)
{
	int change;

	if (len > FTP_SESSION_PREFIX)
		len = FTP_SESSION_PREFIX;
	return ftp_judge(g, seq, p, len, 0, 0, &change);
}

/* A stop: nothing of the segment happened. */
static int ftp_abort(struct ftp_seg *g, int ret)
{
	if (g->line)
		g->line->len = g->line_len;
	return ret;
}

/*
 * The aux that ftp_commit() needs, got before anything is changed that
 * ftp_abort() cannot undo.  Returns 0, or FTP_STREAM_DROP.
 */
static int ftp_prepare(struct ftp_seg *g)
{
	if (!g->rw_lines || g->ops->aux(g->ctx, 1))
		return 0;
	/* rewrites that could not be repeated: refuse them */
	g->ops->event(g->ctx, FTP_STREAM_EV_NOMEM);
	return FTP_STREAM_DROP;
}

static void ftp_raise_floor(struct ftp_stream_aux *aux, unsigned int seq)
{
	if (!aux->floored || ftp_seq_after(seq, aux->floor))
		aux->floor = seq;
	aux->floored = 1;
}

/* Accept the segment up to payload offset @end (the rest was cut). */
static int ftp_commit(struct ftp_seg *g, struct ftp_stream *st,
		      unsigned int end, int ret)
{
	struct ftp_stream_aux *aux;
	unsigned int i;

	g->st.next_seq = ftp_seg_seq(g, end);
	g->st.ahead_count = 0;
	if (ftp_prepare(g))
		return ftp_abort(g, FTP_STREAM_DROP);
	if (g->rw_lines) {
		aux = g->ops->aux(g->ctx, 0);
		for (i = 0; i < g->rw_lines; i++) {
			unsigned int k = aux->lines;

			if (k == FTP_STREAM_REPLAY_LINES) {
				/* forget the oldest */
				ftp_raise_floor(aux, aux->line_seq[0] +
						aux->line_len[0]);
				aux->line_seq[0] = aux->line_seq[1];
				aux->line_len[0] = aux->line_len[1];
				aux->port[0] = aux->port[1];
				k--;
			}
			aux->line_seq[k] = g->rw_seq[i];
			aux->line_len[k] = g->rw_len[i];
			aux->port[k] = g->rw_port[i];
			aux->lines = (unsigned char)(k + 1);
		}
		if (g->adjusted) {
			if (aux->adjusted)
				ftp_raise_floor(aux, aux->adj_seq + 1);
			aux->adjusted = 1;
			aux->adj_seq = g->adj_seq;
		}
		g->st.flags |= FTP_STREAM_REPLAY;
	}
	*st = g->st;
	return ret;
}

/* Copy bytes at @at from the withheld line's start. */
static void ftp_withheld_copy(struct ftp_stream_line *line, unsigned int at,
			      const char *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len && at + i < FTP_LINE_MAX; i++) {
		line->buf[at + i] = p[i];
		line->have[(at + i) / 8] |= 1u << ((at + i) % 8);
	}
	while (line->len < FTP_LINE_MAX &&
	       (line->have[line->len / 8] >> (line->len % 8)) & 1)
		line->len++;
}

static void ftp_withhold_line(struct ftp_stream_line *line, const char *p,
			      unsigned int len)
{
	unsigned int i;

	for (i = 0; i < sizeof(line->have); i++)
		line->have[i] = 0;
	line->len = 0;
	line->retries = 0;
	ftp_withheld_copy(line, 0, p, len);
}

/*
 * Old bytes [0, @old) of the payload: repeat the rewrites of the last
 * rewritten segment on the lines of it that are here, so that the
 * receiver gets the same bytes from every copy.
 */
static int ftp_replay(struct ftp_seg *g, unsigned int old)
{
	const struct ftp_stream_aux *aux = g->ops->aux(g->ctx, 0);
	unsigned int i, end = g->seq + old;
	int ret, known = 0;

	if (!aux)
		return FTP_STREAM_ACCEPT;
	if (aux->floored && ftp_seq_before(g->seq, aux->floor))
		goto unjudged;
	for (i = 0; i < aux->lines; i++) {
		unsigned int ls = aux->line_seq[i], le = ls + aux->line_len[i];
		unsigned int off;

		if (!ftp_seq_before(ls, end) || !ftp_seq_after(le, g->seq))
			continue;	/* not in this segment */
		if (ftp_seq_before(ls, g->seq) || ftp_seq_after(le, end))
			goto unjudged;	/* a piece of it cannot be rewritten */
		if (aux->adjusted && ls == aux->adj_seq)
			known = 1;
		off = ls - g->seq + g->delta;
		ret = g->ops->replay(g->ctx, g->data + off, aux->line_len[i],
				     off, aux->port[i]);
		if (ret != FTP_STREAM_ACCEPT)
			return ret;
		g->delta += ftp_refetch(g);
	}
	/*
	 * The sequence offset assumes the line of the last length change
	 * rewritten: if it is here but forgotten, this copy cannot be sent.
	 */
	if (aux->adjusted && !known && !ftp_seq_before(aux->adj_seq, g->seq) &&
	    ftp_seq_before(aux->adj_seq, end))
		goto unjudged;
	return FTP_STREAM_ACCEPT;
unjudged:
	g->ops->event(g->ctx, FTP_STREAM_EV_UNJUDGED);
	return FTP_STREAM_DROP;
}

/*
 * A segment after next_seq: bytes of the withheld line, or a segment that
 * overtook others.  Dropped, until the same one came FTP_STREAM_RESYNC
 * times (returns 0: go on with it at the new next_seq).
 */
static int ftp_ahead(struct ftp_seg *g, struct ftp_stream *st)
{
	unsigned int dist = g->seq - g->st.next_seq;
	struct ftp_stream_aux *aux;

	if ((g->st.flags & FTP_STREAM_WITHHELD) && dist < FTP_LINE_MAX) {
		struct ftp_stream_line *line = g->ops->linebuf(g->ctx, 0);

		if (line)
			ftp_withheld_copy(line, dist, g->data, g->len);
		g->ops->event(g->ctx, FTP_STREAM_EV_WITHHELD);
		return FTP_STREAM_DROP;
	}
	if (!g->st.ahead_count || g->st.ahead_seq != (unsigned short)g->seq) {
		g->st.ahead_seq = (unsigned short)g->seq;
		g->st.ahead_count = 0;
	}
	if (g->st.ahead_count < FTP_STREAM_RESYNC)
		g->st.ahead_count++;
	if (g->st.ahead_count < FTP_STREAM_RESYNC ||
	    dist >= FTP_STREAM_RESYNC_MAX)
		goto drop;
	aux = g->ops->aux(g->ctx, 1);
	if (!aux) {
		g->ops->event(g->ctx, FTP_STREAM_EV_NOMEM);
		goto drop;
	}
	/* the gap may not grow too wide */
	if (!(g->st.flags & FTP_STREAM_GAP))
		aux->gap_start = g->st.next_seq;
	else if (g->seq - aux->gap_start >= FTP_STREAM_RESYNC_MAX)
		goto drop;
	aux->gap_end = g->seq;
	g->st.flags |= FTP_STREAM_GAP | FTP_STREAM_SKIP;
	g->st.flags &= ~(FTP_STREAM_LINEBUF | FTP_STREAM_UNREWRITTEN);
	g->st.next_seq = g->seq;
	g->st.ahead_count = 0;
	g->ops->event(g->ctx, FTP_STREAM_EV_DESYNC);
	return FTP_STREAM_ACCEPT;
drop:
	*st = g->st;
	g->ops->event(g->ctx, FTP_STREAM_EV_REORDERED);
	return FTP_STREAM_DROP;
}

/*
 * The withheld line is at next_seq, where the new bytes start (@pos):
 * complete the segment from what was withheld, or drop it while the line
 * is unfinished.
 * Returns ACCEPT to go on scanning.
 */
static int ftp_withheld_segment(struct ftp_seg *g, struct ftp_stream *st,
				unsigned int pos)
{
	struct ftp_stream_line *line = g->ops->linebuf(g->ctx, 0);
	unsigned int have = g->len - pos, need;
	const char *lf;

	if (!line) {
		g->st.flags &= ~FTP_STREAM_WITHHELD;
		return FTP_STREAM_ACCEPT;
	}
	ftp_withheld_copy(line, 0, g->data + pos, have);
	lf = ftp_find_lf(line->buf, line->len);
	if (lf) {
		need = lf - line->buf + 1;
		if (have < need) {
			if (g->ops->extend(g->ctx, line->buf + have,
					   need - have)) {
				g->ops->event(g->ctx, FTP_STREAM_EV_NOMEM);
				return FTP_STREAM_DROP;
			}
			ftp_refetch(g);	/* the sender's bytes: no delta */
		}
		g->st.flags &= ~FTP_STREAM_WITHHELD;
		return FTP_STREAM_ACCEPT;
	}
	if (line->len < FTP_LINE_MAX &&
	    ++line->retries < FTP_STREAM_WITHHOLD_RETRIES) {
		/* the sender cannot get past an unfinished line anyway */
		g->ops->event(g->ctx, FTP_STREAM_EV_WITHHELD);
		*st = g->st;
		return FTP_STREAM_DROP;
	}
	/*
	 * Over-long, or its sender resends only its start (it had no more
	 * when its timer struck, or does not coalesce): pass it on
	 * unchanged rather than stall the connection.
	 */
	g->ops->event(g->ctx, FTP_STREAM_EV_WITHHOLD_FAILED);
	g->st.flags &= ~FTP_STREAM_WITHHELD;
	g->st.flags |= FTP_STREAM_UNREWRITTEN;
	return FTP_STREAM_ACCEPT;
}

/*
 * The line at next_seq continues at @pos: complete it.  Returns ACCEPT
 * with *@pos after its LF, a stop value, or FTP_STREAM_MORE when the
 * segment ends inside it (*@pos is then the payload's end).
 */
#define FTP_STREAM_MORE	(-1)

static int ftp_continue(struct ftp_seg *g, unsigned int *pos)
{
	struct ftp_stream_line *line;
	unsigned int take, start;
	const char *lf;
	int ret, change;

	if (!(g->st.flags & (FTP_STREAM_SKIP | FTP_STREAM_PARTIAL)))
		return FTP_STREAM_ACCEPT;	/* the common case: a line starts */
	lf = ftp_find_lf(g->data + *pos, g->len - *pos);
	if (g->st.flags & FTP_STREAM_SKIP) {
		if (!lf) {
			*pos = g->len;
			return FTP_STREAM_MORE;
		}
		*pos = lf - g->data + 1;
		g->st.flags &= ~(FTP_STREAM_SKIP | FTP_STREAM_UNREWRITTEN);
		return FTP_STREAM_ACCEPT;
	}

	line = g->ops->linebuf(g->ctx, 0);
	if (!line) {
		/* cannot happen: PARTIAL comes with a buffer; skip the line */
		g->st.flags &= ~FTP_STREAM_PARTIAL;
		g->st.flags |= FTP_STREAM_SKIP;
		return ftp_continue(g, pos);
	}
	start = g->st.next_seq - line->len;
	take = (lf ? (unsigned int)(lf - g->data) : g->len) - *pos;
	if (line->len + take > FTP_LINE_MAX) {
		g->ops->event(g->ctx, FTP_STREAM_EV_OVERLONG);
		ret = ftp_judge_head(g, start, line->buf, line->len);
		if (ret != FTP_STREAM_ACCEPT)
			return ret;
		g->st.flags &= ~FTP_STREAM_PARTIAL;
		g->st.flags |= FTP_STREAM_SKIP;
		return ftp_continue(g, pos);
	}
	g->line = line;
	g->line_len = line->len;
	ftp_copy(line->buf + line->len, g->data + *pos, take);
	line->len += take;
	*pos += take;
	if (!lf) {
		if (!ftp_keep(g, line->buf, line->len)) {
			ret = ftp_judge_head(g, start, line->buf, line->len);
			if (ret != FTP_STREAM_ACCEPT)
				return ret;
			g->st.flags &= ~FTP_STREAM_PARTIAL;
			g->st.flags |= FTP_STREAM_SKIP;
		}
		return FTP_STREAM_MORE;
	}
	(*pos)++;
	if (ftp_line_interest(line->buf, line->len, g->dir) != FTP_LINE_BORING)
		g->ops->event(g->ctx, FTP_STREAM_EV_REASSEMBLED);
	ret = ftp_judge(g, start, line->buf, line->len, 0, 0, &change);
	if (ret == FTP_STREAM_ACCEPT)
		g->st.flags &= ~(FTP_STREAM_PARTIAL | FTP_STREAM_UNREWRITTEN);
	return ret;
}

/* The last bytes, a line without its LF yet, from @pos on. */
static int ftp_tail(struct ftp_seg *g, struct ftp_stream *st,
		    unsigned int pos, unsigned int flags)
{
	const char *p = g->data + pos;
	unsigned int len = g->len - pos;
	struct ftp_stream_line *line;
	int ret;

	if (ftp_prepare(g))
		return ftp_abort(g, FTP_STREAM_DROP);
	if ((flags & FTP_STREAM_SEG_NAT) &&
	    !(g->st.flags & FTP_STREAM_UNREWRITTEN) && len <= FTP_LINE_MAX &&
	    ftp_line_interest(p, len, g->dir) != FTP_LINE_BORING) {
		/* to be rewritten it must arrive whole: withhold it */
		line = g->ops->linebuf(g->ctx, 1);
		if (line && (!pos || !g->ops->trim(g->ctx, pos))) {
			ftp_withhold_line(line, p, len);
			g->st.flags |= FTP_STREAM_WITHHELD;
			g->ops->event(g->ctx, FTP_STREAM_EV_WITHHELD);
			ftp_refetch(g);
			return ftp_commit(g, st, pos, pos ? FTP_STREAM_ACCEPT :
							    FTP_STREAM_DROP);
		}
		g->ops->event(g->ctx, FTP_STREAM_EV_NOMEM);
		if (line)	/* could not cut the segment: try again */
			return ftp_abort(g, FTP_STREAM_DROP);
	} else if (len <= FTP_LINE_MAX && ftp_keep(g, p, len)) {
		line = g->ops->linebuf(g->ctx, 1);
		if (line) {
			ftp_copy(line->buf, p, len);
			line->len = (unsigned short)len;
			g->st.flags |= FTP_STREAM_PARTIAL;
			return ftp_commit(g, st, g->len, FTP_STREAM_ACCEPT);
		}
		g->ops->event(g->ctx, FTP_STREAM_EV_NOMEM);
	} else if (len > FTP_LINE_MAX) {
		g->ops->event(g->ctx, FTP_STREAM_EV_OVERLONG);
	}
	ret = ftp_judge_head(g, ftp_seg_seq(g, pos), p, len);
	if (ret == FTP_STREAM_OPAQUE)
		return ftp_commit(g, st, g->len, FTP_STREAM_ACCEPT);
	if (ret != FTP_STREAM_ACCEPT)
		return ftp_abort(g, ret);
	g->st.flags |= FTP_STREAM_SKIP;
	return ftp_commit(g, st, g->len, FTP_STREAM_ACCEPT);
}

/* Passed on unparsed from @pos on: TLS, or after a line that began it. */
static int ftp_opaque_rest(struct ftp_seg *g, struct ftp_stream *st)
{
	g->st.flags &= ~(FTP_STREAM_SKIP | FTP_STREAM_LINEBUF |
			 FTP_STREAM_UNREWRITTEN);
	return ftp_commit(g, st, g->len, FTP_STREAM_ACCEPT);
}

/* The new bytes, from next_seq at payload offset @pos on. */
static int ftp_new(struct ftp_seg *g, struct ftp_stream *st, unsigned int pos,
		   unsigned int flags)
{
	int ret, change;

	if (flags & FTP_STREAM_SEG_OPAQUE) {
		ret = g->ops->opaque(g->ctx, g->data + pos, g->len - pos);
		if (ret == 1)
			return ftp_opaque_rest(g, st);
		if (ret == 2)
			ftp_stream_restart(&g->st);
	}

	if (g->st.flags & FTP_STREAM_WITHHELD) {
		ret = ftp_withheld_segment(g, st, pos);
		if (ret != FTP_STREAM_ACCEPT)
			return ret;
	}

	ret = ftp_continue(g, &pos);
	if (ret == FTP_STREAM_MORE)
		return ftp_commit(g, st, g->len, FTP_STREAM_ACCEPT);
	if (ret == FTP_STREAM_OPAQUE)
		return ftp_opaque_rest(g, st);
	if (ret != FTP_STREAM_ACCEPT)
		return ftp_abort(g, ret);

	while (pos < g->len) {
		const char *p = g->data + pos;
		const char *lf = ftp_find_lf(p, g->len - pos);
		unsigned int len;

		if (!lf)
			return ftp_tail(g, st, pos, flags);
		len = lf - p;
		if (len > FTP_LINE_MAX) {
			/* the same verdict as when it arrives in pieces */
			g->ops->event(g->ctx, FTP_STREAM_EV_OVERLONG);
			ret = ftp_judge(g, ftp_seg_seq(g, pos), p,
					FTP_SESSION_PREFIX, pos, 0, &change);
		} else {
			ret = ftp_judge(g, ftp_seg_seq(g, pos), p, len, pos,
					g->line_flags, &change);
		}
		if (ret == FTP_STREAM_OPAQUE)
			return ftp_opaque_rest(g, st);
		if (ret != FTP_STREAM_ACCEPT)
			return ftp_abort(g, ret);
		pos += len + change + 1;
		g->st.flags &= ~FTP_STREAM_UNREWRITTEN;
	}
	return ftp_commit(g, st, g->len, FTP_STREAM_ACCEPT);
}

static int ftp_in_gap(const struct ftp_seg *g)
{
	const struct ftp_stream_aux *aux;

	if (!(g->st.flags & FTP_STREAM_GAP))
		return 0;
	aux = g->ops->aux(g->ctx, 0);
	return aux && ftp_seq_before(g->seq, aux->gap_end) &&
	       ftp_seq_after(g->seq + g->len, aux->gap_start);
}

int ftp_stream_segment(struct ftp_stream *st, unsigned int seq,
		       enum ftp_dir dir, unsigned int flags,
		       const struct ftp_stream_ops *ops, void *ctx)
{
	struct ftp_seg g = {
		.ops = ops,
		.ctx = ctx,
		.st = *st,
		.dir = dir,
		.seq = seq,
		.line_flags = FTP_STREAM_WHOLE,
	};
	const struct ftp_stream_aux *aux;
	unsigned int old;
	int ret;

	g.data = ops->data(ctx, &g.len);
	if (!g.len)
		return FTP_STREAM_ACCEPT;
	if (!(g.st.flags & FTP_STREAM_VALID)) {
		/* picked up mid-stream (no handshake seen): assume a line */
		g.st.next_seq = seq;
		g.st.flags |= FTP_STREAM_VALID;
	}
	if (ftp_in_gap(&g)) {
		/* never judged: the receiver must not read them */
		ops->event(ctx, FTP_STREAM_EV_UNJUDGED);
		return FTP_STREAM_DROP;
	}
	if (ftp_seq_after(seq, g.st.next_seq)) {
		ret = ftp_ahead(&g, st);
		if (ret != FTP_STREAM_ACCEPT)
			return ret;
	}

	old = ftp_seq_after(seq + g.len, g.st.next_seq) ?
	      g.st.next_seq - seq : g.len;
	if (old && (g.st.flags & FTP_STREAM_REPLAY)) {
		ret = ftp_replay(&g, old);
		if (ret != FTP_STREAM_ACCEPT)
			return ret;
		aux = ops->aux(ctx, 0);
		/*
		 * The caller keeps one offset change, the last: a new one
		 * would move it for this segment's start too.
		 */
		if (aux && aux->adjusted && !ftp_seq_after(seq, aux->adj_seq))
			g.line_flags |= FTP_STREAM_FIXED_LEN;
	}
	if (old + g.delta >= g.len) {
		/* a retransmission: judged before; ahead_count stays */
		return FTP_STREAM_ACCEPT;
	}
	return ftp_new(&g, st, old + g.delta, flags);
}

void ftp_stream_start(struct ftp_stream *st, unsigned int seq)
{
	if (st->flags & FTP_STREAM_VALID)
		return;	/* a retransmitted SYN */
	st->next_seq = seq;
	st->flags |= FTP_STREAM_VALID;
}

void ftp_stream_restart(struct ftp_stream *st)
{
	st->flags &= ~(FTP_STREAM_SKIP | FTP_STREAM_LINEBUF |
		       FTP_STREAM_UNREWRITTEN);
}

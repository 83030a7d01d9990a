// SPDX-License-Identifier: GPL-2.0
/*
 * Control-connection tracking: every FTP line of both directions is
 * examined, wherever it starts in a segment.  A line split across segments
 * is reassembled in a small buffer allocated only while it is incomplete.
 * Complete lines feed the transaction state (session.c); what it reports
 * is judged by the policy and becomes an expectation, a rewrite under NAT,
 * or a refusal.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/hash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/netfilter/nf_nat_helper.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "ftpalg.h"

/*
 * Per-connection state is serialised by a lock picked by hashing the
 * conntrack, not by one global lock.  A per-connection lock does not fit
 * the 32-byte helper area under lockdep, and ct->lock cannot be held
 * while rewriting because seqadj takes it.
 */
#define FTPALG_LOCK_BITS	8
static spinlock_t ftpalg_locks[1 << FTPALG_LOCK_BITS];

/* ftpalg_conn.flags[dir] */
#define FTPALG_SEQ_VALID	BIT(0)	/* next_seq is the next byte's seq */
#define FTPALG_SKIP		BIT(1)	/* inside an ignored line, up to LF */
#define FTPALG_REWROTE		BIT(2)	/* rewrite_seq is a rewritten segment */
#define FTPALG_REWROTE_SKIP	BIT(3)	/* ...which began in an ignored line */
#define FTPALG_HOLDS		GENMASK(6, 4)	/* segments held for NAT */
#define FTPALG_HELD		BIT(7)	/* lines[dir] is a held line */
/* Lines held in a row, before holding stops for the current one. */
#define FTPALG_MAX_HOLDS	7
/*
 * Retransmissions of a held line's start that still leave it unfinished.
 * A sender whose timeout struck before it had sent the whole line (slow
 * writer), or that resends only the first segment, sends no more bytes
 * until that one is acknowledged: holding on would stall the connection,
 * so the line then goes on unchanged (and cannot be rewritten).
 */
#define FTPALG_MAX_HELD_RETRIES	2

/* Internal verdicts: a refusal resetting both ends; go on with a segment. */
#define FTPALG_VERDICT_RESET	(NF_MAX_VERDICT + 1)
#define FTPALG_CONTINUE		(NF_MAX_VERDICT + 2)

struct ftpalg_line {
	u16 len;	/* held: bytes present from the line's start on */
	u16 held_off;	/* held: where the line starts after next_seq */
	u8 held_retries;
	/* held: bytes present, in whatever order the segments came */
	DECLARE_BITMAP(held_have, FTP_LINE_MAX);
	char buf[FTP_LINE_MAX];
};

/* Partial lines of both directions, allocated on demand. */
struct ftpalg_lines {
	struct ftpalg_line dir[IP_CT_DIR_MAX];
};

/* Lives in nfct_help_data(). */
struct ftpalg_conn {
	struct ftpalg_lines *lines;
	u32 next_seq[IP_CT_DIR_MAX];	/* sender's sequence space */
	u16 rewrite_seq[IP_CT_DIR_MAX];	/* low bits of a rewritten segment */
	u8 flags[IP_CT_DIR_MAX];
	struct ftp_session sess;
};

/* Set on module exit: no new expectations or line buffers from then on. */
static bool ftpalg_exiting;

/*
 * Control segments arrive in paged skbs (TCP sendmsg, GRO): their payload
 * is read into a per-CPU copy rather than linearizing the skb, which would
 * allocate for every packet.  Used under ftpalg_lock() (BH off).  A rewrite
 * makes the skb linear; from then on its own bytes are read.
 */
#define FTPALG_COPY_MAX		2048

struct ftpalg_copy {
	char data[FTPALG_COPY_MAX];
};

static struct ftpalg_copy __percpu *ftpalg_copies;

int __init ftpalg_segments_init(void)
{
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct ftpalg_conn) >
		     sizeof_field(struct nf_conn_help, data));
	for (i = 0; i < ARRAY_SIZE(ftpalg_locks); i++)
		spin_lock_init(&ftpalg_locks[i]);
	ftpalg_copies = alloc_percpu(struct ftpalg_copy);
	return ftpalg_copies ? 0 : -ENOMEM;
}

/* After the helpers are unregistered: no segment is being read. */
void ftpalg_segments_exit(void)
{
	free_percpu(ftpalg_copies);
}

static spinlock_t *ftpalg_lock(const struct nf_conn *ct)
{
	return &ftpalg_locks[hash_ptr(ct, FTPALG_LOCK_BITS)];
}

static struct ftpalg_line *ftpalg_pending(const struct ftpalg_conn *st,
					  enum ip_conntrack_dir dir)
{
	if (st->lines && st->lines->dir[dir].len)
		return &st->lines->dir[dir];
	return NULL;
}

static void ftpalg_pending_clear(struct ftpalg_conn *st,
				 enum ip_conntrack_dir dir)
{
	if (st->lines)
		st->lines->dir[dir].len = 0;
}

static unsigned int ftpalg_holds(const struct ftpalg_conn *st,
				 enum ip_conntrack_dir dir)
{
	return FIELD_GET(FTPALG_HOLDS, st->flags[dir]);
}

static enum ftp_dir ftpalg_ftp_dir(const struct ftpalg_seg *s)
{
	return s->dir == IP_CT_DIR_ORIGINAL ? FTP_DIR_CLIENT : FTP_DIR_SERVER;
}

/* Turn this segment into a bare RST towards its receiver. */
static void ftpalg_make_rst(struct ftpalg_seg *s)
{
	struct tcphdr *th;
	__be32 flags;

	if (!__nf_nat_mangle_tcp_packet(s->skb, s->ct, s->ctinfo, s->protoff,
					0, s->len, "", 0, false))
		return;
	th = (struct tcphdr *)(s->skb->data + s->protoff);
	flags = tcp_flag_word(th);
	th->rst = 1;
	th->psh = 0;
	th->fin = 0;
	th->urg = 0;
	inet_proto_csum_replace4(&th->check, s->skb, flags, tcp_flag_word(th),
				 false);
}

/* Reset both ends: a RST back to the sender, and this segment becomes one. */
static void ftpalg_reset(struct ftpalg_seg *s)
{
	struct net *net = nf_ct_net(s->ct);

	if (nf_ct_l3num(s->ct) == NFPROTO_IPV4)
		nf_send_reset(net, NULL, s->skb, NF_INET_POST_ROUTING);
	else
		nf_send_reset6(net, NULL, s->skb, NF_INET_POST_ROUTING);
	ftpalg_make_rst(s);
	ftpalg_count(s->ct, FTPALG_STAT_RESETS_SENT);
}

static const enum ftpalg_stat ftpalg_reason_stat[FTPALG_REASON_MAX + 1] = {
	[FTPALG_REASON_ACTIVE_OFF]	= FTPALG_STAT_REFUSED_ACTIVE_OFF,
	[FTPALG_REASON_BOUNCE]		= FTPALG_STAT_REFUSED_BOUNCE,
	[FTPALG_REASON_LOW_PORT]	= FTPALG_STAT_REFUSED_LOW_PORT,
	[FTPALG_REASON_PASSIVE_WINDOW]	= FTPALG_STAT_REFUSED_PASSIVE_WINDOW,
	[FTPALG_REASON_PASSIVE_REDIRECT] = FTPALG_STAT_REFUSED_PASSIVE_REDIRECT,
	[FTPALG_REASON_UNSOLICITED]	= FTPALG_STAT_REFUSED_UNSOLICITED,
	[FTPALG_REASON_EPSV_ALL]	= FTPALG_STAT_REFUSED_EPSV_ALL,
	[FTPALG_REASON_LONG_ADDR]	= FTPALG_STAT_REFUSED_LONG_ADDR,
	[FTPALG_REASON_EXPECT_LIMIT]	= FTPALG_STAT_REFUSED_EXPECT_LIMIT,
};

/*
 * Refuse what the line announced (@m, if it named a data endpoint): count
 * it, report it, and drop the segment or reset both ends.  A dropped
 * segment's retransmission is judged again, with the same outcome.
 */
static int ftpalg_refuse(struct ftpalg_seg *s, const struct ftp_match *m,
			 enum ftpalg_reason reason)
{
	struct ftpalg_refusal r = {
		.reason = reason,
		.data = m ? &m->ep : NULL,
	};
	struct ftpalg_policy pol;

	r.scope = ftpalg_policy_get(s->ct, &pol);
	r.action = pol.action;
	ftpalg_count(s->ct, ftpalg_reason_stat[reason]);
	ftpalg_genl_event(s->ct, &r);
	return pol.action == FTPALG_ACTION_RESET ? FTPALG_VERDICT_RESET :
						    NF_DROP;
}

/* A PORT/EPRT, or a 227/229 answering PASV/EPSV. */
static int ftpalg_announce(struct ftpalg_seg *s, const struct ftp_match *m,
			   unsigned int line_off, bool in_segment)
{
	enum ftpalg_reason reason;
	struct ftpalg_policy pol;
	bool expect;
	int ret;

	ftpalg_policy_get(s->ct, &pol);
	reason = ftpalg_policy_judge(s->ct, m, &pol, &expect);
	if (reason != FTPALG_REASON_NONE)
		return ftpalg_refuse(s, m, reason);
	if (!expect) {
		ftpalg_count(s->ct, FTPALG_STAT_FOREIGN_ADDR);
		return NF_ACCEPT;
	}
	ret = ftpalg_expect_create(s, m, &pol, line_off, in_segment);
	if (ret < 0)
		return ftpalg_refuse(s, m, -ret);
	return ret;
}

static const enum ftpalg_stat ftpalg_kind_stat[FTP_KIND_MAX] = {
	[FTP_KIND_PORT] = FTPALG_STAT_CMD_PORT,
	[FTP_KIND_EPRT] = FTPALG_STAT_CMD_EPRT,
	[FTP_KIND_PASV] = FTPALG_STAT_REPLY_PASV,
	[FTP_KIND_EPSV] = FTPALG_STAT_REPLY_EPSV,
};

static bool ftpalg_family_fits(const struct nf_conn *ct,
			       const struct ftp_endpoint *ep)
{
	switch (ep->family) {
	case FTP_FAMILY_IPV4:
		return nf_ct_l3num(ct) == NFPROTO_IPV4;
	case FTP_FAMILY_IPV6:
		return nf_ct_l3num(ct) == NFPROTO_IPV6;
	}
	return true;	/* 229: a port only */
}

/* A line naming a data endpoint: PORT/EPRT, or a 227/229. */
static int ftpalg_endpoint(struct ftpalg_seg *s, struct ftpalg_conn *st,
			   enum ftp_event ev, const struct ftp_match *m,
			   unsigned int line_off, bool in_segment)
{
	unsigned int expected = s->expected;
	int ret;

	ftpalg_count(s->ct, ftpalg_kind_stat[m->kind]);
	if (!ftpalg_family_fits(s->ct, &m->ep)) {
		/* an address of the other family is never usable here */
		ftpalg_count(s->ct, FTPALG_STAT_MALFORMED);
		ret = NF_ACCEPT;
	} else if (ev == FTP_EV_UNSOLICITED) {
		ret = ftpalg_refuse(s, m, FTPALG_REASON_UNSOLICITED);
	} else {
		ret = ftpalg_announce(s, m, line_off, in_segment);
	}
	/* the server's answer to a PORT that expects nothing settles nothing */
	if (ev == FTP_EV_ACTIVE && ret == NF_ACCEPT && s->expected == expected)
		ftp_session_untrack(&st->sess);
	return ret;
}

/*
 * One line, or the first FTP_SESSION_PREFIX bytes of a long one.
 * @line_off is its offset in the payload when the whole line is in this
 * segment (@in_segment); otherwise it cannot be rewritten, because its
 * beginning has already been forwarded.
 */
static int ftpalg_line(struct ftpalg_seg *s, struct ftpalg_conn *st,
		       const char *line, unsigned int len,
		       unsigned int line_off, bool in_segment)
{
	struct ftp_match m;
	enum ftp_event ev;

	ev = ftp_session_line(&st->sess, ftpalg_ftp_dir(s), line, len, &m);
	switch (ev) {
	case FTP_EV_NONE:
	case FTP_EV_MAX:
		break;
	case FTP_EV_MALFORMED:
		ftpalg_count(s->ct, FTPALG_STAT_MALFORMED);
		break;
	case FTP_EV_OVERFLOW:
		ftpalg_count(s->ct, FTPALG_STAT_SESSION_OVERFLOW);
		break;
	case FTP_EV_TLS:
		ftpalg_count(s->ct, FTPALG_STAT_TLS);
		break;
	case FTP_EV_ACTIVE_OK:
		ftpalg_expect_settle(s->ct, true);
		break;
	case FTP_EV_ACTIVE_FAILED:
		ftpalg_expect_settle(s->ct, false);
		break;
	case FTP_EV_LONG_ADDR:
		return ftpalg_refuse(s, NULL, FTPALG_REASON_LONG_ADDR);
	case FTP_EV_AFTER_EPSV_ALL:
		return ftpalg_refuse(s, NULL, FTPALG_REASON_EPSV_ALL);
	case FTP_EV_UNSOLICITED:
	case FTP_EV_ACTIVE:
	case FTP_EV_PASSIVE:
		return ftpalg_endpoint(s, st, ev, &m, line_off, in_segment);
	}
	return NF_ACCEPT;
}

/* Feed the session the head of a line that will not be kept whole. */
static int ftpalg_line_head(struct ftpalg_seg *s, struct ftpalg_conn *st,
			    const char *line, unsigned int len)
{
	return ftpalg_line(s, st, line, min_t(unsigned int, len,
					      FTP_SESSION_PREFIX), 0, false);
}

static const char *ftpalg_find_nl(const struct ftpalg_seg *s,
				  unsigned int pos)
{
	return memchr(ftpalg_seg_data(s) + pos, '\n', s->len - pos);
}

/*
 * Is the start of a line worth keeping until its end?  Lines the parser
 * handles, and every line until the session has seen enough of it.
 */
static bool ftpalg_keep(const struct ftpalg_seg *s, const char *p,
			unsigned int len)
{
	return len < FTP_SESSION_PREFIX ||
	       ftp_line_interest(p, len, ftpalg_ftp_dir(s)) != FTP_LINE_BORING;
}

/*
 * Under NAT a PORT/227 line must be whole in one segment to be rewritten.
 * Returns whether this segment ends in the beginning of such a line, and
 * where that line starts in the payload.
 */
static bool ftpalg_must_hold(const struct ftpalg_seg *s,
			     const struct ftpalg_conn *st, unsigned int pos,
			     unsigned int *tail)
{
	const char *data = ftpalg_seg_data(s);

	if (!(s->ct->status & IPS_NAT_MASK) ||
	    ftpalg_holds(st, s->dir) >= FTPALG_MAX_HOLDS)
		return false;

	*tail = s->len;
	while (*tail > pos && data[*tail - 1] != '\n')
		(*tail)--;
	if (*tail == pos &&
	    ((st->flags[s->dir] & FTPALG_SKIP) || ftpalg_pending(st, s->dir)))
		return false;	/* no line starts in this segment */
	if (*tail == s->len || s->len - *tail > FTP_LINE_MAX)
		return false;
	return ftp_line_interest(data + *tail, s->len - *tail,
				 ftpalg_ftp_dir(s)) != FTP_LINE_BORING;
}

/*
 * Hold back a segment ending in the beginning of a PORT/227 line under NAT,
 * keeping the line's bytes.  The segments that follow are dropped too and
 * add their bytes, until the line is whole; the sender's retransmission
 * from the first held byte then carries it all (see ftpalg_held()).
 */
static int ftpalg_hold(struct ftpalg_seg *s, struct ftpalg_conn *st,
		       unsigned int pos, unsigned int tail)
{
	enum ip_conntrack_dir dir = s->dir;
	struct ftpalg_line *line;

	if (!st->lines && !READ_ONCE(ftpalg_exiting))
		st->lines = kzalloc(sizeof(*st->lines), GFP_ATOMIC);
	if (!st->lines) {
		ftpalg_count(s->ct, FTPALG_STAT_NOMEM);
		return NF_DROP;	/* the retransmission tries again */
	}
	line = &st->lines->dir[dir];
	line->held_off = tail - pos;
	line->held_retries = 0;
	line->len = s->len - tail;
	memcpy(line->buf, ftpalg_seg_data(s) + tail, line->len);
	bitmap_zero(line->held_have, FTP_LINE_MAX);
	bitmap_set(line->held_have, 0, line->len);
	st->flags[dir] |= FTPALG_HELD;
	st->flags[dir] += FIELD_PREP(FTPALG_HOLDS, 1);
	ftpalg_count(s->ct, FTPALG_STAT_NAT_HOLD);
	return NF_DROP;
}

static void ftpalg_unhold(struct ftpalg_conn *st, enum ip_conntrack_dir dir)
{
	st->flags[dir] &= ~FTPALG_HELD;
	ftpalg_pending_clear(st, dir);
}

/*
 * A segment while a line is held: keep its bytes of the line, also when
 * segments overtake each other.  Once the line is whole and a segment
 * starting at next_seq reaches the line's start, the missing rest of the
 * line is appended to that segment, which then goes through the normal
 * path and is rewritten like any line that arrived whole.  Returns
 * FTPALG_CONTINUE for that segment, or a verdict.
 */
static int ftpalg_held(struct ftpalg_seg *s, struct ftpalg_conn *st, u32 seq)
{
	enum ip_conntrack_dir dir = s->dir;
	struct ftpalg_line *line = &st->lines->dir[dir];
	u32 start = st->next_seq[dir] + line->held_off;
	u32 lo = after(seq, start) ? seq : start;
	u32 hi = seq + s->len;
	unsigned int base, end;
	const char *nl;

	if (after(hi, start + FTP_LINE_MAX))
		hi = start + FTP_LINE_MAX;
	if (after(hi, lo)) {
		memcpy(line->buf + (lo - start), ftpalg_seg_data(s) + (lo - seq),
		       hi - lo);
		bitmap_set(line->held_have, lo - start, hi - lo);
		line->len = find_first_zero_bit(line->held_have, FTP_LINE_MAX);
	}
	nl = memchr(line->buf, '\n', line->len);
	if (!nl && line->len < FTP_LINE_MAX) {
		if (!after(seq, start) &&
		    ++line->held_retries >= FTPALG_MAX_HELD_RETRIES) {
			/* pass the line on unchanged rather than stall */
			ftpalg_count(s->ct, FTPALG_STAT_NAT_FAILED);
			st->flags[dir] |= FTPALG_HOLDS;
			ftpalg_unhold(st, dir);
			return FTPALG_CONTINUE;
		}
		/* the sender cannot get past an unfinished line anyway */
		ftpalg_count(s->ct, FTPALG_STAT_NAT_HOLD);
		return NF_DROP;
	}
	if (!nl) {
		/* over-long: let the sender's bytes through unchanged */
		ftpalg_count(s->ct, FTPALG_STAT_OVERLONG);
		st->flags[dir] |= FTPALG_HOLDS;
		ftpalg_unhold(st, dir);
		return NF_DROP;
	}
	/* the line is whole: wait for a segment from next_seq to its start */
	base = st->next_seq[dir] - seq;
	if (after(seq, st->next_seq[dir]) || base > s->len ||
	    s->len - base < line->held_off)
		return NF_DROP;
	end = base + line->held_off + (nl - line->buf) + 1;
	if (s->len < end &&
	    !__nf_nat_mangle_tcp_packet(s->skb, s->ct, s->ctinfo, s->protoff,
					s->len, 0,
					line->buf + (s->len - base -
						     line->held_off),
					end - s->len, false)) {
		ftpalg_count(s->ct, FTPALG_STAT_NOMEM);
		return NF_DROP;
	}
	/* appending the sender's own bytes changes no sequence number */
	if (s->len < end)
		s->len = end;
	ftpalg_unhold(st, dir);
	return FTPALG_CONTINUE;
}

/*
 * Append to the partial line.  Returns true when the line is complete;
 * otherwise *@ret is the verdict on what the session saw of it.
 */
static bool ftpalg_pending_add(struct ftpalg_seg *s, struct ftpalg_conn *st,
			       unsigned int *pos, bool *skip, int *ret)
{
	struct ftpalg_line *line = &st->lines->dir[s->dir];
	const char *data = ftpalg_seg_data(s);
	const char *nl = ftpalg_find_nl(s, *pos);
	unsigned int take = (nl ? nl - data : s->len) - *pos;

	if (line->len + take > FTP_LINE_MAX) {
		ftpalg_count(s->ct, FTPALG_STAT_OVERLONG);
		*ret = ftpalg_line_head(s, st, line->buf, line->len);
		ftpalg_pending_clear(st, s->dir);
		*skip = !nl;
		*pos = nl ? nl - data + 1 : s->len;
		return false;
	}
	memcpy(line->buf + line->len, data + *pos, take);
	line->len += take;
	*pos += take;
	if (nl) {
		(*pos)++;
		return true;
	}
	if (!ftpalg_keep(s, line->buf, line->len)) {
		*ret = ftpalg_line_head(s, st, line->buf, line->len);
		ftpalg_pending_clear(st, s->dir);
		*skip = true;
	}
	return false;
}

/* Keep the beginning of a line that continues in the next segment. */
static int ftpalg_pending_start(struct ftpalg_seg *s, struct ftpalg_conn *st,
				unsigned int pos, bool *skip)
{
	const char *data = ftpalg_seg_data(s) + pos;
	unsigned int len = s->len - pos;

	*skip = true;
	if (!ftpalg_keep(s, data, len))
		return ftpalg_line_head(s, st, data, len);
	if (len > FTP_LINE_MAX) {
		ftpalg_count(s->ct, FTPALG_STAT_OVERLONG);
		return ftpalg_line_head(s, st, data, len);
	}
	if (!st->lines && !READ_ONCE(ftpalg_exiting))
		st->lines = kzalloc(sizeof(*st->lines), GFP_ATOMIC);
	if (!st->lines) {
		ftpalg_count(s->ct, FTPALG_STAT_NOMEM);
		return ftpalg_line_head(s, st, data, len);
	}
	memcpy(st->lines->dir[s->dir].buf, data, len);
	st->lines->dir[s->dir].len = len;
	*skip = false;
	return NF_ACCEPT;
}

/* Examine the payload from @pos on, in stream order. */
static int ftpalg_scan(struct ftpalg_seg *s, struct ftpalg_conn *st, u32 seq,
		       unsigned int pos)
{
	enum ip_conntrack_dir dir = s->dir;
	unsigned int seg_len = s->len;
	bool start_skip = st->flags[dir] & FTPALG_SKIP;
	bool skip = start_skip;
	int ret = NF_ACCEPT;

	if (skip) {
		const char *nl = ftpalg_find_nl(s, pos);

		if (!nl)
			goto out;
		pos = nl - ftpalg_seg_data(s) + 1;
		skip = false;
	} else if (ftpalg_pending(st, dir)) {
		struct ftpalg_line *line = &st->lines->dir[dir];

		if (!ftpalg_pending_add(s, st, &pos, &skip, &ret))
			goto out;
		if (ftp_line_interest(line->buf, line->len,
				      ftpalg_ftp_dir(s)) != FTP_LINE_BORING)
			ftpalg_count(s->ct, FTPALG_STAT_REASSEMBLED);
		ret = ftpalg_line(s, st, line->buf, line->len, 0, false);
		ftpalg_pending_clear(st, dir);
		if (ret != NF_ACCEPT)
			goto out;
	}

	while (pos < s->len && !ftp_session_opaque(&st->sess)) {
		const char *data = ftpalg_seg_data(s);
		const char *nl = ftpalg_find_nl(s, pos);
		int delta = s->delta;
		unsigned int len;

		if (!nl)
			break;
		len = nl - (data + pos);
		if (len > FTP_LINE_MAX) {
			/* the same verdict as when it arrives in pieces */
			ftpalg_count(s->ct, FTPALG_STAT_OVERLONG);
			ret = ftpalg_line_head(s, st, data + pos, len);
		} else {
			ret = ftpalg_line(s, st, data + pos, len, pos, true);
		}
		if (ret != NF_ACCEPT)
			goto out;
		pos += len + (s->delta - delta) + 1;
	}
	if (pos < s->len && !ftp_session_opaque(&st->sess))
		ret = ftpalg_pending_start(s, st, pos, &skip);
out:
	if (ret == FTPALG_VERDICT_RESET) {
		ftpalg_reset(s);
		return NF_ACCEPT;	/* now a RST to the receiver */
	}
	if (ret != NF_ACCEPT)
		return ret;
	if (s->delta)
		nf_ct_seqadj_set(s->ct, s->ctinfo, htonl(seq), s->delta);

	st->next_seq[dir] = seq + seg_len;
	st->flags[dir] &= ~(FTPALG_SKIP | FTPALG_HOLDS);
	if (skip)
		st->flags[dir] |= FTPALG_SKIP;
	if (s->rewrites) {
		st->rewrite_seq[dir] = (u16)seq;
		st->flags[dir] &= ~FTPALG_REWROTE_SKIP;
		st->flags[dir] |= FTPALG_REWROTE;
		if (start_skip)
			st->flags[dir] |= FTPALG_REWROTE_SKIP;
	}
	return ret;
}

/*
 * A retransmission of the last segment whose announcement was rewritten:
 * rewrite it the same way, so the receiver gets the same bytes whichever
 * copy arrives.  Nothing is expected or counted anew.
 */
static int ftpalg_replay(struct ftpalg_seg *s, struct ftpalg_conn *st, u32 seq)
{
	unsigned int pos = 0;
	int ret = NF_ACCEPT;

	if (st->flags[s->dir] & FTPALG_REWROTE_SKIP) {
		const char *nl = ftpalg_find_nl(s, 0);

		if (!nl)
			return NF_ACCEPT;
		pos = nl - ftpalg_seg_data(s) + 1;
	}
	while (pos < s->len && ret == NF_ACCEPT) {
		const char *data = ftpalg_seg_data(s);
		const char *nl = ftpalg_find_nl(s, pos);
		int delta = s->delta;
		struct ftp_match m;
		unsigned int len;

		if (!nl)
			break;
		len = nl - (data + pos);
		if (ftp_parse_line(data + pos, len, ftpalg_ftp_dir(s), &m) ==
		    FTP_PARSE_OK)
			ret = ftpalg_nat_replay(s, &m, pos);
		pos += len + (s->delta - delta) + 1;
	}
	if (ret == NF_ACCEPT && s->delta)
		nf_ct_seqadj_set(s->ct, s->ctinfo, htonl(seq), s->delta);
	return ret;
}

/* The sender left TLS (CCC): both directions restart at a line. */
static void ftpalg_leave_opaque(struct ftpalg_conn *st)
{
	unsigned int d;

	for (d = 0; d < IP_CT_DIR_MAX; d++) {
		st->flags[d] &= ~FTPALG_SKIP;
		ftpalg_pending_clear(st, d);
	}
}

static int ftpalg_segment(struct ftpalg_seg *s, struct ftpalg_conn *st,
			  u32 seq)
{
	enum ip_conntrack_dir dir = s->dir;
	bool nat = s->ct->status & IPS_NAT_MASK;
	struct ftp_session sess = st->sess;
	unsigned int pos = 0, tail;
	u16 pending_len;
	int ret;

	if (!(st->flags[dir] & FTPALG_SEQ_VALID)) {
		/*
		 * First payload of this direction, or a conntrack picked up
		 * mid-stream or injected over ctnetlink: assume a line starts.
		 */
		st->next_seq[dir] = seq;
		st->flags[dir] |= FTPALG_SEQ_VALID;
	}

	if (st->flags[dir] & FTPALG_HELD) {
		ret = ftpalg_held(s, st, seq);
		if (ret != FTPALG_CONTINUE)
			return ret;
	}

	if (after(seq, st->next_seq[dir])) {
		/* Bytes we never saw: ignore up to the next line. */
		ftpalg_count(s->ct, FTPALG_STAT_DESYNC);
		ftpalg_pending_clear(st, dir);
		st->flags[dir] |= FTPALG_SKIP;
		st->next_seq[dir] = seq;
	} else if (before(seq, st->next_seq[dir])) {
		if (nat && (st->flags[dir] & FTPALG_REWROTE) &&
		    st->rewrite_seq[dir] == (u16)seq &&
		    st->next_seq[dir] - seq <= U16_MAX)
			return ftpalg_replay(s, st, seq);
		if (!after(seq + s->len, st->next_seq[dir]))
			return NF_ACCEPT;	/* plain retransmission */
		pos = st->next_seq[dir] - seq;
	}

	if (ftp_session_opaque(&st->sess)) {
		if (!ftp_session_opaque_segment(&st->sess, ftpalg_ftp_dir(s),
						ftpalg_seg_data(s) + pos,
						s->len - pos)) {
			/* TLS: never parsed, never changed, never dropped */
			ftpalg_count(s->ct, FTPALG_STAT_OPAQUE_SEGMENTS);
			st->next_seq[dir] = seq + s->len;
			return NF_ACCEPT;
		}
		ftpalg_leave_opaque(st);
	}

	if (ftpalg_must_hold(s, st, pos, &tail))
		return ftpalg_hold(s, st, pos, tail);

	pending_len = st->lines ? st->lines->dir[dir].len : 0;
	ret = ftpalg_scan(s, st, seq, pos);
	if (ret != NF_ACCEPT) {
		/* refused: its retransmission must meet the same state */
		st->sess = sess;
		if (st->lines)
			st->lines->dir[dir].len = pending_len;
	} else if (st->lines && !st->lines->dir[0].len &&
		   !st->lines->dir[1].len) {
		kfree(st->lines);
		st->lines = NULL;
	}
	return ret;
}

int ftpalg_help(struct sk_buff *skb, unsigned int protoff, struct nf_conn *ct,
		enum ip_conntrack_info ctinfo)
{
	struct ftpalg_conn *st = nfct_help_data(ct);
	const struct tcphdr *th;
	struct ftpalg_seg s;
	struct tcphdr _th;
	u32 seq;
	int ret;

	/* Nothing before the handshake completes is FTP. */
	if (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY)
		return NF_ACCEPT;
	/*
	 * Unloading: conntracks keep pointing at this helper until after
	 * its expectations are destroyed, so create none from now on.
	 */
	if (READ_ONCE(ftpalg_exiting))
		return NF_ACCEPT;

	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	s.dataoff = protoff + th->doff * 4;
	if (s.dataoff >= skb->len)
		return NF_ACCEPT;	/* pure ACK */
	seq = ntohl(th->seq);

	s.skb = skb;
	s.ct = ct;
	s.ctinfo = ctinfo;
	s.dir = CTINFO2DIR(ctinfo);
	s.protoff = protoff;
	s.len = skb->len - s.dataoff;
	s.delta = 0;
	s.rewrites = 0;
	s.expected = 0;
	s.exp_replaces = false;
	s.copy = NULL;

	/* the helper area starts zeroed: a fresh session */
	spin_lock_bh(ftpalg_lock(ct));
	if (skb_is_nonlinear(skb)) {
		char *copy = this_cpu_ptr(ftpalg_copies)->data;

		if (s.len <= FTPALG_COPY_MAX &&
		    !skb_copy_bits(skb, s.dataoff, copy, s.len))
			s.copy = copy;
		if (!s.copy && skb_linearize(skb)) {
			ftpalg_count(ct, FTPALG_STAT_NOMEM);
			ret = NF_DROP;
			goto out;
		}
	}
	ret = ftpalg_segment(&s, st, seq);
out:
	spin_unlock_bh(ftpalg_lock(ct));
	return ret;
}

static void ftpalg_free_lines(struct nf_conn *ct)
{
	struct ftpalg_conn *st = nfct_help_data(ct);
	struct ftpalg_lines *lines;

	spin_lock_bh(ftpalg_lock(ct));
	lines = st->lines;
	st->lines = NULL;
	spin_unlock_bh(ftpalg_lock(ct));
	kfree(lines);
}

void ftpalg_destroy(struct nf_conn *ct)
{
	ftpalg_free_lines(ct);
}

static int ftpalg_release_iter(struct nf_conn *ct, void *data)
{
	struct nf_conn_help *help = nfct_help(ct);

	if (help && ftpalg_is_ours(rcu_dereference_raw(help->helper)))
		ftpalg_free_lines(ct);
	return 0;	/* keep the conntrack */
}

/*
 * Unregistering detaches the helper from live conntracks without calling
 * ->destroy, so free the line buffers first.  After the grace period no
 * ftpalg_help() is still at work, and none will create an expectation that
 * could outlive the module.
 */
void ftpalg_release_all(void)
{
	WRITE_ONCE(ftpalg_exiting, true);
	synchronize_rcu();
	nf_ct_iterate_destroy(ftpalg_release_iter, NULL);
}

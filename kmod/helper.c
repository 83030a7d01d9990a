// SPDX-License-Identifier: GPL-2.0
/*
 * Control-connection tracking: every FTP line of a direction is examined,
 * wherever it starts in a segment.  A line split across segments is
 * reassembled in a small buffer allocated only while it is incomplete;
 * complete lines go to the parser, and PORT/EPRT/227/229 become
 * expectations for the data connection.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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

/* Retransmissions a NATed line may be held back for before giving up. */
#define FTPALG_MAX_HOLDS	4

/* ftpalg_conn.flags[dir] */
#define FTPALG_SEQ_VALID	BIT(0)	/* next_seq is the next byte's seq */
#define FTPALG_SKIP		BIT(1)	/* inside an ignored line, up to LF */
#define FTPALG_REWROTE		BIT(2)	/* rewrite_seq is a rewritten segment */
#define FTPALG_REWROTE_SKIP	BIT(3)	/* ...which began in an ignored line */

struct ftpalg_line {
	u16 len;
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
	u32 rewrite_seq[IP_CT_DIR_MAX];
	u8 flags[IP_CT_DIR_MAX];
	u8 holds[IP_CT_DIR_MAX];
};

/* Internal verdict of a refusal whose action is to reset both ends. */
#define FTPALG_VERDICT_RESET	(NF_MAX_VERDICT + 1)

/* Set on module exit: no new line buffers from then on. */
static bool ftpalg_exiting;

void ftpalg_locks_init(void)
{
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct ftpalg_conn) >
		     sizeof_field(struct nf_conn_help, data));
	for (i = 0; i < ARRAY_SIZE(ftpalg_locks); i++)
		spin_lock_init(&ftpalg_locks[i]);
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
	if (!st->lines)
		return;
	st->lines->dir[dir].len = 0;
	if (!st->lines->dir[!dir].len) {
		kfree(st->lines);
		st->lines = NULL;
	}
}

/* Does the announced endpoint name @addr? */
static bool ftpalg_names(const struct nf_conn *ct, const struct ftp_endpoint *ep,
			 const union nf_inet_addr *addr)
{
	union nf_inet_addr a = {};

	if (ep->family == FTP_FAMILY_IPV4 && nf_ct_l3num(ct) == NFPROTO_IPV4)
		memcpy(&a.ip, ep->addr, sizeof(a.ip));
	else if (ep->family == FTP_FAMILY_IPV6 && nf_ct_l3num(ct) == NFPROTO_IPV6)
		memcpy(&a.in6, ep->addr, sizeof(a.in6));
	else
		return false;
	return nf_inet_addr_cmp(&a, addr);
}

static bool ftpalg_is_active(const struct ftp_match *m)
{
	return m->kind == FTP_KIND_PORT || m->kind == FTP_KIND_EPRT;
}

/*
 * Apply the policy to a well-formed command or reply.  Returns the reason
 * to refuse it, or FTPALG_REASON_NONE with *@expect telling whether a data
 * connection may be expected.
 */
static enum ftpalg_reason ftpalg_judge(const struct nf_conn *ct,
				       const struct ftp_match *m,
				       const struct ftpalg_policy *pol,
				       bool *expect)
{
	const struct nf_conntrack_tuple *orig, *reply;
	u16 port = m->ep.port;

	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	*expect = true;
	if (ftpalg_is_active(m)) {
		if (!pol->active)
			return FTPALG_REASON_ACTIVE_OFF;
		/* the client's own address, as it sent it: not a bounce */
		if (!ftpalg_names(ct, &m->ep, &orig->src.u3)) {
			if (pol->bounce == FTPALG_BOUNCE_DROP)
				return FTPALG_REASON_BOUNCE;
			*expect = false;
		}
	} else if (m->ep.family != FTP_FAMILY_NONE &&
		   !ftpalg_names(ct, &m->ep, &reply->src.u3) &&
		   !ftpalg_names(ct, &m->ep, &orig->dst.u3)) {
		/*
		 * Neither the server's real address nor the one the client
		 * connected to (a server behind DNAT announcing its public
		 * address, vsftpd pasv_address): a passive-mode redirect.
		 */
		return FTPALG_REASON_PASSIVE_REDIRECT;
	}
	if (port < pol->min_port)
		return FTPALG_REASON_LOW_PORT;
	if (!ftpalg_is_active(m) && pol->passive_max &&
	    (port < pol->passive_min || port > pol->passive_max) &&
	    !(pol->passive_map && (ct->status & IPS_NAT_MASK)))
		return FTPALG_REASON_PASSIVE_WINDOW;
	return FTPALG_REASON_NONE;
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

static int ftpalg_refuse(struct ftpalg_seg *s, const struct ftp_match *m,
			 const struct ftpalg_policy *pol,
			 const struct ftpalg_scope *scope,
			 enum ftpalg_reason reason)
{
	const struct ftpalg_refusal r = {
		.reason = reason,
		.action = pol->action,
		.data = &m->ep,
		.scope = scope,
	};

	ftpalg_count(s->ct, FTPALG_STAT_REFUSED_ACTIVE_OFF + reason -
			    FTPALG_REASON_ACTIVE_OFF);
	ftpalg_genl_event(s->ct, &r);
	return pol->action == FTPALG_ACTION_RESET ? FTPALG_VERDICT_RESET :
						     NF_DROP;
}

static int ftpalg_expect(struct ftpalg_seg *s, const struct ftp_match *m,
			 const struct ftpalg_policy *pol,
			 unsigned int line_off, bool in_segment)
{
	struct nf_conn *ct = s->ct;
	enum ip_conntrack_dir dir = s->dir;
	struct nf_conntrack_expect *exp;
	__be16 port = htons(m->ep.port);
	int ret = NF_ACCEPT;

	exp = nf_ct_expect_alloc(ct);
	if (!exp) {
		ftpalg_count(ct, FTPALG_STAT_NOMEM);
		return NF_ACCEPT;
	}
	/* The peer opens the data connection to the sender, as it sees it. */
	nf_ct_expect_init(exp, ftpalg_is_active(m) ? FTPALG_EXP_ACTIVE :
						     FTPALG_EXP_PASSIVE,
			  nf_ct_l3num(ct), &ct->tuplehash[!dir].tuple.src.u3,
			  &ct->tuplehash[!dir].tuple.dst.u3,
			  IPPROTO_TCP, NULL, &port);

	if (ct->status & IPS_NAT_MASK)
		ret = ftpalg_nat_expect(s, exp, m, pol, line_off, in_segment);
	else if (nf_ct_expect_related(exp, 0) == 0)
		ftpalg_count(ct, FTPALG_STAT_EXPECT_CREATED);
	else
		ftpalg_count(ct, FTPALG_STAT_EXPECT_FAILED);

	nf_ct_expect_put(exp);
	return ret;
}

static const enum ftpalg_stat ftpalg_kind_stat[FTP_KIND_MAX] = {
	[FTP_KIND_PORT] = FTPALG_STAT_CMD_PORT,
	[FTP_KIND_EPRT] = FTPALG_STAT_CMD_EPRT,
	[FTP_KIND_PASV] = FTPALG_STAT_REPLY_PASV,
	[FTP_KIND_EPSV] = FTPALG_STAT_REPLY_EPSV,
};

/*
 * One complete line.  @line_off is its offset in the payload when the whole
 * line is in this segment; a reassembled line cannot be rewritten because
 * its beginning has already been forwarded.
 */
static int ftpalg_line(struct ftpalg_seg *s, const char *line,
		       unsigned int len, unsigned int line_off, bool in_segment)
{
	const struct ftpalg_scope *scope;
	struct ftpalg_policy pol;
	enum ftpalg_reason reason;
	struct ftp_match m;
	bool expect;

	switch (ftp_parse_line(line, len, (enum ftp_dir)s->dir, &m)) {
	case FTP_PARSE_NONE:
		return NF_ACCEPT;
	case FTP_PARSE_MALFORMED:
		if (!in_segment)
			ftpalg_count(s->ct, FTPALG_STAT_REASSEMBLED);
		ftpalg_count(s->ct, FTPALG_STAT_MALFORMED);
		return NF_ACCEPT;
	case FTP_PARSE_OK:
		break;
	}
	if (!in_segment)
		ftpalg_count(s->ct, FTPALG_STAT_REASSEMBLED);
	ftpalg_count(s->ct, ftpalg_kind_stat[m.kind]);

	scope = ftpalg_policy_get(s->ct, &pol);
	reason = ftpalg_judge(s->ct, &m, &pol, &expect);
	if (reason != FTPALG_REASON_NONE)
		return ftpalg_refuse(s, &m, &pol, scope, reason);
	if (!expect) {
		ftpalg_count(s->ct, FTPALG_STAT_FOREIGN_ADDR);
		return NF_ACCEPT;
	}
	return ftpalg_expect(s, &m, &pol, line_off, in_segment);
}

static const char *ftpalg_find_nl(const struct ftpalg_seg *s,
				  unsigned int pos)
{
	return memchr(ftpalg_seg_data(s) + pos, '\n', s->len - pos);
}

/*
 * Under NAT a PORT/227 line must be whole in one segment to be rewritten.
 * If the segment ends in the beginning of such a line, it is dropped and the
 * sender's retransmission, which TCP stacks coalesce with what followed,
 * brings the whole line.
 */
static bool ftpalg_must_hold(const struct ftpalg_seg *s,
			     const struct ftpalg_conn *st, unsigned int pos)
{
	const char *data = ftpalg_seg_data(s);
	unsigned int tail = s->len;

	if (!(s->ct->status & IPS_NAT_MASK) ||
	    st->holds[s->dir] >= FTPALG_MAX_HOLDS)
		return false;

	while (tail > pos && data[tail - 1] != '\n')
		tail--;
	if (tail == pos &&
	    ((st->flags[s->dir] & FTPALG_SKIP) || ftpalg_pending(st, s->dir)))
		return false;	/* no line starts in this segment */
	if (tail == s->len || s->len - tail > FTP_LINE_MAX)
		return false;
	return ftp_line_interest(data + tail, s->len - tail,
				 (enum ftp_dir)s->dir) != FTP_LINE_BORING;
}

/* Append to the partial line; returns true when it is now complete. */
static bool ftpalg_pending_add(struct ftpalg_seg *s, struct ftpalg_conn *st,
			       unsigned int *pos, bool *skip)
{
	struct ftpalg_line *line = &st->lines->dir[s->dir];
	const char *data = ftpalg_seg_data(s);
	const char *nl = ftpalg_find_nl(s, *pos);
	unsigned int take = (nl ? nl - data : s->len) - *pos;

	if (line->len + take > FTP_LINE_MAX) {
		ftpalg_count(s->ct, FTPALG_STAT_OVERLONG);
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
	if (ftp_line_interest(line->buf, line->len,
			      (enum ftp_dir)s->dir) == FTP_LINE_BORING) {
		ftpalg_pending_clear(st, s->dir);
		*skip = true;
	}
	return false;
}

/* Keep the beginning of a line that continues in the next segment. */
static void ftpalg_pending_start(struct ftpalg_seg *s, struct ftpalg_conn *st,
				 unsigned int pos, bool *skip)
{
	const char *data = ftpalg_seg_data(s);
	unsigned int len = s->len - pos;

	*skip = true;
	if (ftp_line_interest(data + pos, len,
			      (enum ftp_dir)s->dir) == FTP_LINE_BORING)
		return;
	if (len > FTP_LINE_MAX) {
		ftpalg_count(s->ct, FTPALG_STAT_OVERLONG);
		return;
	}
	if (!st->lines) {
		if (READ_ONCE(ftpalg_exiting))
			return;
		st->lines = kzalloc(sizeof(*st->lines), GFP_ATOMIC);
		if (!st->lines) {
			ftpalg_count(s->ct, FTPALG_STAT_NOMEM);
			return;
		}
	}
	memcpy(st->lines->dir[s->dir].buf, data + pos, len);
	st->lines->dir[s->dir].len = len;
	*skip = false;
}

/*
 * Examine the payload from @pos on.  @replay re-runs the rewrite of a
 * retransmitted segment without touching the stream state, so that the
 * retransmission carries the same bytes as the original.
 */
static int ftpalg_scan(struct ftpalg_seg *s, struct ftpalg_conn *st, u32 seq,
		       unsigned int pos, bool replay)
{
	enum ip_conntrack_dir dir = s->dir;
	unsigned int seg_len = s->len;
	bool start_skip, skip;
	int ret = NF_ACCEPT;

	if (replay)
		start_skip = st->flags[dir] & FTPALG_REWROTE_SKIP;
	else
		start_skip = st->flags[dir] & FTPALG_SKIP;
	skip = start_skip;

	if (skip) {
		const char *nl = ftpalg_find_nl(s, pos);

		if (!nl)
			goto out;
		pos = nl - ftpalg_seg_data(s) + 1;
		skip = false;
	} else if (!replay && ftpalg_pending(st, dir)) {
		struct ftpalg_line *line = &st->lines->dir[dir];
		u16 head = line->len;

		if (!ftpalg_pending_add(s, st, &pos, &skip))
			goto out;
		ret = ftpalg_line(s, line->buf, line->len, 0, false);
		if (ret != NF_ACCEPT) {
			line->len = head;	/* judge the retransmission again */
			goto out;
		}
		ftpalg_pending_clear(st, dir);
	}

	while (pos < s->len) {
		const char *data = ftpalg_seg_data(s);
		const char *nl = ftpalg_find_nl(s, pos);
		unsigned int len;
		int delta = s->delta;

		if (!nl)
			break;
		len = nl - (data + pos);
		ret = ftpalg_line(s, data + pos, len, pos, true);
		if (ret != NF_ACCEPT)
			goto out;
		pos += len + (s->delta - delta) + 1;
	}
	if (pos < s->len && !replay)
		ftpalg_pending_start(s, st, pos, &skip);
out:
	if (ret == FTPALG_VERDICT_RESET) {
		ftpalg_reset(s);
		return NF_ACCEPT;	/* now a RST to the receiver */
	}
	if (ret != NF_ACCEPT)
		return ret;	/* refused: the retransmission is judged again */
	if (s->delta)
		nf_ct_seqadj_set(s->ct, s->ctinfo, htonl(seq), s->delta);
	if (replay)
		return ret;

	st->next_seq[dir] = seq + seg_len;
	st->holds[dir] = 0;
	st->flags[dir] &= ~FTPALG_SKIP;
	if (skip)
		st->flags[dir] |= FTPALG_SKIP;
	if (s->rewrites) {
		st->rewrite_seq[dir] = seq;
		st->flags[dir] &= ~FTPALG_REWROTE_SKIP;
		st->flags[dir] |= FTPALG_REWROTE;
		if (start_skip)
			st->flags[dir] |= FTPALG_REWROTE_SKIP;
	}
	return ret;
}

static int ftpalg_segment(struct ftpalg_seg *s, struct ftpalg_conn *st,
			  u32 seq)
{
	enum ip_conntrack_dir dir = s->dir;
	bool nat = s->ct->status & IPS_NAT_MASK;
	unsigned int pos = 0;

	if (!(st->flags[dir] & FTPALG_SEQ_VALID)) {
		/*
		 * First payload of this direction, or a conntrack picked up
		 * mid-stream or injected over ctnetlink: assume a line starts.
		 */
		st->next_seq[dir] = seq;
		st->flags[dir] |= FTPALG_SEQ_VALID;
	}

	if (after(seq, st->next_seq[dir])) {
		/* Bytes we never saw: ignore up to the next line. */
		if (nat && st->holds[dir]) {
			/* must not overtake the line being held */
			ftpalg_count(s->ct, FTPALG_STAT_NAT_HOLD);
			return NF_DROP;
		}
		ftpalg_count(s->ct, FTPALG_STAT_DESYNC);
		ftpalg_pending_clear(st, dir);
		st->flags[dir] |= FTPALG_SKIP;
		st->next_seq[dir] = seq;
	} else if (before(seq, st->next_seq[dir])) {
		if (nat && (st->flags[dir] & FTPALG_REWROTE) &&
		    seq == st->rewrite_seq[dir])
			return ftpalg_scan(s, st, seq, 0, true);
		if (!after(seq + s->len, st->next_seq[dir]))
			return NF_ACCEPT;	/* plain retransmission */
		pos = st->next_seq[dir] - seq;
	}

	if (ftpalg_must_hold(s, st, pos)) {
		st->holds[dir]++;
		ftpalg_count(s->ct, FTPALG_STAT_NAT_HOLD);
		return NF_DROP;
	}
	return ftpalg_scan(s, st, seq, pos, false);
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

	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	s.dataoff = protoff + th->doff * 4;
	if (s.dataoff >= skb->len)
		return NF_ACCEPT;	/* pure ACK */
	seq = ntohl(th->seq);

	/* Control segments are small; only GRO/GSO leaves them paged. */
	if (skb_linearize(skb)) {
		ftpalg_count(ct, FTPALG_STAT_NOMEM);
		return NF_DROP;
	}

	s.skb = skb;
	s.ct = ct;
	s.ctinfo = ctinfo;
	s.dir = CTINFO2DIR(ctinfo);
	s.protoff = protoff;
	s.len = skb->len - s.dataoff;
	s.delta = 0;
	s.rewrites = 0;

	spin_lock_bh(ftpalg_lock(ct));
	ret = ftpalg_segment(&s, st, seq);
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
 * ftpalg_help() can still be about to allocate one.
 */
void ftpalg_release_all(void)
{
	WRITE_ONCE(ftpalg_exiting, true);
	synchronize_rcu();
	nf_ct_iterate_destroy(ftpalg_release_iter, NULL);
}

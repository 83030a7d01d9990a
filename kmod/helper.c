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
#include <linux/module.h>
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
#include "ftpalg_names.h"

/*
 * Per-connection state is serialised by a lock picked by hashing the
 * conntrack, not by one global lock.  A per-connection lock does not fit
 * the 32-byte helper area under lockdep, and ct->lock cannot be held
 * while rewriting because seqadj takes it.
 */
#define FTPALG_LOCK_BITS	8
static spinlock_t ftpalg_locks[1 << FTPALG_LOCK_BITS];

/*
 * What a line asks of its segment, in the values the stream callbacks
 * return (stream.h): go on with it, or stop it, to be dropped or to reset
 * both ends.  Only ftpalg_segment() turns this into a netfilter verdict.
 */
enum ftpalg_outcome {
	FTPALG_PASS		= FTP_STREAM_ACCEPT,
	FTPALG_STOP_DROP	= 16,	/* beyond the stream's own values */
	FTPALG_STOP_RESET,
};

/*
 * What a connection needs beyond its 32 bytes, allocated on demand: the
 * line at next_seq while it is partial or held, and, per direction, the
 * last rewritten segment (to replay it) and a resync's gap.
 */
struct ftpalg_ext {
	struct list_head node;		/* ftpalg_ext_net.exts */
	struct nf_conn *ct;		/* holds a reference */
	bool collected;			/* the worker frees it */
	struct ftp_stream_line *line[IP_CT_DIR_MAX];
	struct ftp_stream_aux aux[IP_CT_DIR_MAX];
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

spinlock_t *ftpalg_lock(const struct nf_conn *ct)
{
	return &ftpalg_locks[hash_ptr(ct, FTPALG_LOCK_BITS)];
}

static enum ftp_dir ftpalg_ftp_dir(const struct ftpalg_seg *s)
{
	return s->dir == IP_CT_DIR_ORIGINAL ? FTP_DIR_CLIENT : FTP_DIR_SERVER;
}

/* Turn this segment into a bare RST towards its receiver. */
static bool ftpalg_make_rst(struct ftpalg_seg *s)
{
	struct tcphdr *th;
	__be32 flags;

	if (!__nf_nat_mangle_tcp_packet(s->skb, s->ct, s->ctinfo, s->protoff,
					0, s->len, "", 0, false))
		return false;
	th = (struct tcphdr *)(s->skb->data + s->protoff);
	flags = tcp_flag_word(th);
	th->rst = 1;
	th->psh = 0;
	th->fin = 0;
	th->urg = 0;
	inet_proto_csum_replace4(&th->check, s->skb, flags, tcp_flag_word(th),
				 false);
	return true;
}

/*
 * Reset both ends: a RST back to the sender, and this segment becomes one.
 * Returns false if the segment could not be turned into a RST (it is then
 * to be dropped: a refusal never lets the line through).
 */
static bool ftpalg_reset(struct ftpalg_seg *s)
{
	struct net *net = nf_ct_net(s->ct);

	if (nf_ct_l3num(s->ct) == NFPROTO_IPV4)
		nf_send_reset(net, NULL, s->skb, NF_INET_POST_ROUTING);
	else
		nf_send_reset6(net, NULL, s->skb, NF_INET_POST_ROUTING);
	ftpalg_count(s->ct, FTPALG_STAT_RESETS_SENT);
	return ftpalg_make_rst(s);
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

static const char * const ftpalg_reason_name[] = FTPALG_REASON_NAMES;

/*
 * Refuse what the line announced (@m, if it named a data endpoint) under
 * @pol, the policy of @scope: count it, report it, log it (rate-limited,
 * as the in-tree helpers do), and drop the segment or reset both ends.
 * A dropped segment's retransmission is judged again, with the same
 * outcome.
 */
static enum ftpalg_outcome ftpalg_refuse(struct ftpalg_seg *s,
					 const struct ftp_match *m,
					 enum ftpalg_reason reason,
					 const struct ftpalg_policy *pol,
					 const struct ftpalg_scope *scope)
{
	struct ftpalg_refusal r = {
		.reason = reason,
		.action = pol->action,
		.data = m ? &m->ep : NULL,
		.scope = scope,
	};

	ftpalg_count(s->ct, ftpalg_reason_stat[reason]);
	ftpalg_genl_event(s->ct, &r);
	if (ftpalg_log_allowed(s->ct))
		nf_ct_helper_log(s->skb, s->ct, "refused: %s",
				 ftpalg_reason_name[reason]);
	return pol->action == FTPALG_ACTION_RESET ? FTPALG_STOP_RESET :
						     FTPALG_STOP_DROP;
}

/* Refuse a line that is refused before the policy is looked up. */
static enum ftpalg_outcome ftpalg_refuse_line(struct ftpalg_seg *s,
					      const struct ftp_match *m,
					      enum ftpalg_reason reason)
{
	const struct ftpalg_scope *scope;
	struct ftpalg_policy pol;

	scope = ftpalg_policy_get(s->ct, &pol);
	return ftpalg_refuse(s, m, reason, &pol, scope);
}

/* A PORT/EPRT, or a 227/229 answering PASV/EPSV. */
static enum ftpalg_outcome ftpalg_announce(struct ftpalg_seg *s,
					   const struct ftp_match *m,
					   unsigned int line_off,
					   bool in_segment)
{
	const struct ftpalg_scope *scope;
	enum ftpalg_reason reason;
	struct ftpalg_policy pol;
	bool expect;
	int ret;

	scope = ftpalg_policy_get(s->ct, &pol);
	reason = ftpalg_policy_judge(s->ct, m, &pol, &expect);
	if (reason != FTPALG_REASON_NONE)
		return ftpalg_refuse(s, m, reason, &pol, scope);
	if (!expect) {
		ftpalg_count(s->ct, FTPALG_STAT_FOREIGN_ADDR);
		return FTPALG_PASS;
	}
	ret = ftpalg_expect_create(s, m, &pol, line_off, in_segment);
	if (ret == -ENOSPC)
		return ftpalg_refuse(s, m, FTPALG_REASON_EXPECT_LIMIT, &pol,
				     scope);
	/* no memory: the sender retransmits, we try again */
	return ret ? FTPALG_STOP_DROP : FTPALG_PASS;
}

static const enum ftpalg_stat ftpalg_kind_stat[FTP_KIND_MAX] = {
	[FTP_KIND_PORT] = FTPALG_STAT_CMD_PORT,
	[FTP_KIND_EPRT] = FTPALG_STAT_CMD_EPRT,
	[FTP_KIND_PASV] = FTPALG_STAT_REPLY_PASV,
	[FTP_KIND_EPSV] = FTPALG_STAT_REPLY_EPSV,
};

/* A line naming a data endpoint: PORT/EPRT, or a 227/229. */
static enum ftpalg_outcome ftpalg_endpoint(struct ftpalg_seg *s,
					   struct ftpalg_conn *st,
					   enum ftp_event ev,
					   const struct ftp_match *m,
					   unsigned int line_off,
					   bool in_segment)
{
	unsigned int expected = s->expected;
	enum ftpalg_outcome ret;

	ftpalg_count(s->ct, ftpalg_kind_stat[m->kind]);
	/*
	 * An address of the other family is never the sender's own: the
	 * policy judges it as a bounce or a passive redirect.
	 */
	if (ev == FTP_EV_UNSOLICITED)
		ret = ftpalg_refuse_line(s, m, FTPALG_REASON_UNSOLICITED);
	else
		ret = ftpalg_announce(s, m, line_off, in_segment);
	/* a reply to a PASV/EPSV from before the pickup (sync.c) */
	if (ev == FTP_EV_PICKUP && ret == FTPALG_PASS)
		ftpalg_count(s->ct, FTPALG_STAT_PICKUP);
	/* the server's answer to a PORT that expects nothing settles nothing */
	if (ev == FTP_EV_ACTIVE && ret == FTPALG_PASS && s->expected == expected)
		ftp_session_untrack(&st->sess);
	return ret;
}

/*
 * One line, or the first FTP_SESSION_PREFIX bytes of a long one.
 * @line_off is its offset in the payload when the whole line is in this
 * segment (@in_segment); otherwise it cannot be rewritten, because its
 * beginning has already been forwarded.
 */
static enum ftpalg_outcome ftpalg_line(struct ftpalg_seg *s,
				       struct ftpalg_conn *st,
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
		/* its expectation has been usable since the command */
		ftpalg_count(s->ct, FTPALG_STAT_ACTIVE_ACCEPTED);
		break;
	case FTP_EV_ACTIVE_FAILED:
		/* each answer dequeues one: at most FTP_SESSION_DEPTH */
		if (s->n_refused < FTP_SESSION_DEPTH)
			s->refused[s->n_refused++] =
				ftp_session_active_pending(&st->sess);
		break;
	case FTP_EV_LONG_ADDR:
		return ftpalg_refuse_line(s, NULL, FTPALG_REASON_LONG_ADDR);
	case FTP_EV_AFTER_EPSV_ALL:
		return ftpalg_refuse_line(s, NULL, FTPALG_REASON_EPSV_ALL);
	case FTP_EV_UNSOLICITED:
	case FTP_EV_ACTIVE:
	case FTP_EV_PASSIVE:
	case FTP_EV_PICKUP:
		return ftpalg_endpoint(s, st, ev, &m, line_off, in_segment);
	}
	return FTPALG_PASS;
}

/* The stream layer's callbacks; ctx is the struct ftpalg_seg. */

static struct ftpalg_conn *ftpalg_conn(const struct ftpalg_seg *s)
{
	return s->conn;
}

static const char *ftpalg_cb_data(void *ctx, unsigned int *len)
{
	struct ftpalg_seg *s = ctx;

	*len = s->len;
	return ftpalg_seg_data(s);
}

static int ftpalg_cb_line(void *ctx, unsigned int seq, const char *line,
			  unsigned int len, unsigned int off, unsigned int flags,
			  unsigned short *port)
{
	struct ftpalg_seg *s = ctx;
	struct ftpalg_conn *st = ftpalg_conn(s);
	unsigned int rewrites = s->rewrites;
	enum ftpalg_outcome ret;
	int delta = s->delta;

	s->fixed_len = flags & FTP_STREAM_FIXED_LEN;
	ret = ftpalg_line(s, st, line, len, off, flags & FTP_STREAM_WHOLE);
	if (ret != FTPALG_PASS)
		return ret;
	if (s->rewrites != rewrites) {
		ftpalg_count(s->ct, FTPALG_STAT_NAT_REWRITE);
		*port = s->announced;
	}
	if (s->delta != delta) {
		/* the sequence offset moves at this line, see stream.h */
		if (!s->adj_delta)
			s->adj_seq = seq;
		s->adj_delta += s->delta - delta;
	}
	return ftp_session_opaque(&st->sess) ? FTP_STREAM_OPAQUE :
					       FTP_STREAM_ACCEPT;
}

static void ftpalg_cb_event(void *ctx, enum ftp_stream_event ev);

/*
 * A retransmission of a rewritten line: the same rewrite again, from the
 * port kept with the stream (its expectation may be gone by now).
 */
static int ftpalg_cb_replay(void *ctx, const char *line, unsigned int len,
			    unsigned int off, unsigned short port)
{
	struct ftpalg_seg *s = ctx;
	unsigned int rewrites = s->rewrites, verb = 0;
	struct ftp_match m;

	/* as the session reads a command: after Telnet bytes and NULs */
	if (ftpalg_ftp_dir(s) == FTP_DIR_CLIENT)
		verb = ftp_verb_start(line, len);
	if (ftp_parse_line(line + verb, len - verb, ftpalg_ftp_dir(s), &m) !=
	    FTP_PARSE_OK) {
		/* other bytes than the first time: never judged */
		ftpalg_cb_event(s, FTP_STREAM_EV_UNJUDGED);
		return FTPALG_STOP_DROP;
	}
	m.arg_off += verb;
	if (ftpalg_nat_replay(s, &m, port, off))
		return FTPALG_STOP_DROP;
	if (s->rewrites != rewrites)
		ftpalg_count(s->ct, FTPALG_STAT_NAT_REWRITE);
	return FTPALG_PASS;
}

static int ftpalg_cb_extend(void *ctx, const char *bytes, unsigned int len)
{
	struct ftpalg_seg *s = ctx;

	if (!__nf_nat_mangle_tcp_packet(s->skb, s->ct, s->ctinfo, s->protoff,
					s->len, 0, bytes, len, false))
		return -ENOMEM;
	s->len += len;
	return 0;
}

/* Cut the payload at @off; a FIN after it is sent again with the rest. */
static int ftpalg_cb_trim(void *ctx, unsigned int off)
{
	struct ftpalg_seg *s = ctx;
	struct tcphdr *th;
	__be32 flags;

	if (!__nf_nat_mangle_tcp_packet(s->skb, s->ct, s->ctinfo, s->protoff,
					off, s->len - off, "", 0, false))
		return -ENOMEM;
	s->len = off;
	th = (struct tcphdr *)(s->skb->data + s->protoff);
	if (th->fin) {
		flags = tcp_flag_word(th);
		th->fin = 0;
		inet_proto_csum_replace4(&th->check, s->skb, flags,
					 tcp_flag_word(th), false);
	}
	return 0;
}

static int ftpalg_cb_opaque(void *ctx, const char *bytes, unsigned int len)
{
	struct ftpalg_seg *s = ctx;
	struct ftpalg_conn *st = ftpalg_conn(s);

	if (!ftp_session_opaque_segment(&st->sess, ftpalg_ftp_dir(s),
					(const unsigned char *)bytes, len)) {
		/* TLS: never parsed, never changed, never dropped */
		ftpalg_count(s->ct, FTPALG_STAT_OPAQUE_SEGMENTS);
		return 1;
	}
	/* cleared command channel: both directions restart at a line */
	ftp_stream_restart(&st->stream[!s->dir]);
	return 2;
}

static struct ftpalg_ext *ftpalg_ext_get(struct ftpalg_seg *s, int create);

static struct ftp_stream_line *ftpalg_cb_linebuf(void *ctx, int create)
{
	struct ftpalg_seg *s = ctx;
	struct ftpalg_ext *ext = ftpalg_ext_get(s, create);

	if (!ext)
		return NULL;
	if (!ext->line[s->dir] && create)
		ext->line[s->dir] = kmalloc(sizeof(*ext->line[s->dir]),
					    GFP_ATOMIC);
	return ext->line[s->dir];
}

static struct ftp_stream_aux *ftpalg_cb_aux(void *ctx, int create)
{
	struct ftpalg_seg *s = ctx;
	struct ftpalg_ext *ext = ftpalg_ext_get(s, create);

	return ext ? &ext->aux[s->dir] : NULL;
}

static const enum ftpalg_stat ftpalg_stream_stat[] = {
	[FTP_STREAM_EV_WITHHELD]	= FTPALG_STAT_NAT_HOLD,
	[FTP_STREAM_EV_WITHHOLD_FAILED]	= FTPALG_STAT_NAT_FAILED,
	[FTP_STREAM_EV_REASSEMBLED]	= FTPALG_STAT_REASSEMBLED,
	[FTP_STREAM_EV_OVERLONG]	= FTPALG_STAT_OVERLONG,
	[FTP_STREAM_EV_REORDERED]	= FTPALG_STAT_REORDERED,
	[FTP_STREAM_EV_DESYNC]		= FTPALG_STAT_DESYNC,
	[FTP_STREAM_EV_UNJUDGED]	= FTPALG_STAT_UNJUDGED,
	[FTP_STREAM_EV_NOMEM]		= FTPALG_STAT_NOMEM,
};

static void ftpalg_cb_event(void *ctx, enum ftp_stream_event ev)
{
	struct ftpalg_seg *s = ctx;
	const char *why = NULL;

	ftpalg_count(s->ct, ftpalg_stream_stat[ev]);
	/* drops outside normal operation (withheld lines, reordering) */
	if (ev == FTP_STREAM_EV_UNJUDGED)
		why = "dropped bytes never judged";
	else if (ev == FTP_STREAM_EV_NOMEM)
		why = "out of memory";
	if (why && ftpalg_log_allowed(s->ct))
		nf_ct_helper_log(s->skb, s->ct, "%s", why);
}

static const struct ftp_stream_ops ftpalg_stream_ops = {
	.data		= ftpalg_cb_data,
	.line		= ftpalg_cb_line,
	.replay		= ftpalg_cb_replay,
	.extend		= ftpalg_cb_extend,
	.trim		= ftpalg_cb_trim,
	.opaque		= ftpalg_cb_opaque,
	.linebuf	= ftpalg_cb_linebuf,
	.aux		= ftpalg_cb_aux,
	.event		= ftpalg_cb_event,
};

/*
 * Extra state: every ext is on its namespace's list and holds a reference
 * to its conntrack, so that it is freed also when ctnetlink takes the
 * helper away (no ->destroy then): a worker frees the exts of conntracks
 * that are dying or no longer ours.  The list lock is taken only when an
 * ext comes or goes, never per packet.
 */
struct ftpalg_ext_net {
	spinlock_t lock;		/* exts */
	struct list_head exts;
	struct delayed_work gc;
	struct net *net;
};

static unsigned int ftpalg_ext_net_id __read_mostly;

#define FTPALG_EXT_GC_INTERVAL	HZ

static struct ftpalg_ext *ftpalg_ext_get(struct ftpalg_seg *s, int create)
{
	struct ftpalg_conn *st = ftpalg_conn(s);
	struct ftpalg_ext_net *en;
	struct ftpalg_ext *ext;

	if (st->ext || !create || READ_ONCE(ftpalg_exiting))
		return st->ext;
	ext = kzalloc(sizeof(*ext), GFP_ATOMIC);
	if (!ext)
		return NULL;
	nf_conntrack_get(&s->ct->ct_general);
	ext->ct = s->ct;
	en = net_generic(nf_ct_net(s->ct), ftpalg_ext_net_id);
	spin_lock(&en->lock);
	list_add(&ext->node, &en->exts);
	spin_unlock(&en->lock);
	queue_delayed_work(system_power_efficient_wq, &en->gc,
			   FTPALG_EXT_GC_INTERVAL);
	st->ext = ext;
	return ext;
}

/* Called with the connection's lock held; the caller puts the ct. */
static struct ftpalg_ext *ftpalg_ext_detach(struct ftpalg_conn *st)
{
	struct ftpalg_ext *ext = st->ext;
	unsigned int d;

	st->ext = NULL;
	for (d = 0; d < IP_CT_DIR_MAX; d++)
		st->stream[d].flags &= ~(FTP_STREAM_LINEBUF | FTP_STREAM_AUX);
	return ext;
}

static void ftpalg_ext_free(struct ftpalg_ext *ext)
{
	unsigned int d;

	for (d = 0; d < IP_CT_DIR_MAX; d++)
		kfree(ext->line[d]);
	kfree(ext);
}

/*
 * After a segment, under the connection's lock: free what the streams no
 * longer use.  Returns the ext, unlinked, for ftpalg_ext_release() once
 * the lock is dropped; NULL if it is still used, or if the worker has
 * collected it meanwhile (it frees it once it gets this lock).
 */
static struct ftpalg_ext *ftpalg_ext_trim(struct nf_conn *ct,
					  struct ftpalg_conn *st)
{
	struct ftpalg_ext *ext = st->ext;
	struct ftpalg_ext_net *en;
	unsigned int d, used = 0;
	bool collected;

	if (!ext)
		return NULL;
	for (d = 0; d < IP_CT_DIR_MAX; d++) {
		if (!(st->stream[d].flags & FTP_STREAM_LINEBUF)) {
			kfree(ext->line[d]);
			ext->line[d] = NULL;
		}
		used |= st->stream[d].flags &
			(FTP_STREAM_LINEBUF | FTP_STREAM_AUX);
	}
	if (used)
		return NULL;
	ftpalg_ext_detach(st);
	en = net_generic(nf_ct_net(ct), ftpalg_ext_net_id);
	spin_lock(&en->lock);
	collected = ext->collected;
	if (!collected)
		list_del(&ext->node);
	spin_unlock(&en->lock);
	return collected ? NULL : ext;
}

/* Free @ext, unlinked by ftpalg_ext_trim(), and drop its reference. */
static void ftpalg_ext_release(struct ftpalg_ext *ext)
{
	nf_ct_put(ext->ct);
	ftpalg_ext_free(ext);
}

static int ftpalg_segment(struct ftpalg_seg *s, u32 seq)
{
	struct ftpalg_conn *st = ftpalg_conn(s);
	struct ftp_session sess = st->sess;
	unsigned int i, flags = 0;
	int ret;

	if (s->ct->status & IPS_NAT_MASK)
		flags |= FTP_STREAM_SEG_NAT;
	if (ftp_session_opaque(&sess))
		flags |= FTP_STREAM_SEG_OPAQUE;
	ret = ftp_stream_segment(&st->stream[s->dir], seq, ftpalg_ftp_dir(s),
				 flags, &ftpalg_stream_ops, s);
	if (ret != FTP_STREAM_ACCEPT)
		st->sess = sess;	/* its retransmission meets the same */
	switch (ret) {
	case FTP_STREAM_ACCEPT:
		for (i = 0; i < s->n_refused; i++)
			ftpalg_expect_withdraw(s->ct, s->refused[i]);
		break;
	case FTPALG_STOP_RESET:
		if (ftpalg_reset(s))
			return NF_ACCEPT;	/* now a RST to the receiver */
		return NF_DROP;			/* fail closed */
	default:
		return NF_DROP;
	}
	if (s->adj_delta) {
		nf_ct_seqadj_set(s->ct, s->ctinfo, htonl(s->adj_seq),
				 s->adj_delta);
		ftpalg_sync_seqadj(s->ct);
	}
	return NF_ACCEPT;
}

static int ftpalg_help(struct sk_buff *skb, unsigned int protoff,
		       struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct ftpalg_ext *unused = NULL;
	const struct tcphdr *th;
	struct ftpalg_conn *st;
	struct ftpalg_seg s;
	struct tcphdr _th;
	u32 seq;
	int ret;

	/*
	 * Unloading: conntracks keep pointing at this helper until after
	 * its expectations are destroyed, so create none from now on.
	 */
	if (READ_ONCE(ftpalg_exiting))
		return NF_ACCEPT;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	if (th->syn && !th->rst) {
		/* the first byte of this direction starts a line */
		st = nfct_help_data(ct);
		spin_lock_bh(ftpalg_lock(ct));
		ftp_stream_start(&st->stream[CTINFO2DIR(ctinfo)],
				 ntohl(th->seq) + 1);
		spin_unlock_bh(ftpalg_lock(ct));
		return NF_ACCEPT;
	}
	/* Nothing else before the handshake completes is FTP. */
	if (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY)
		return NF_ACCEPT;
	s.dataoff = protoff + th->doff * 4;
	if (s.dataoff >= skb->len)
		return NF_ACCEPT;	/* pure ACK */
	seq = ntohl(th->seq);
	st = nfct_help_data(ct);

	s.skb = skb;
	s.ct = ct;
	s.conn = st;
	s.ctinfo = ctinfo;
	s.dir = CTINFO2DIR(ctinfo);
	s.protoff = protoff;
	s.len = skb->len - s.dataoff;
	s.delta = 0;
	s.adj_delta = 0;
	s.adj_seq = 0;
	s.rewrites = 0;
	s.expected = 0;
	s.exp_replaces = false;
	s.fixed_len = false;
	s.announced = 0;
	s.n_refused = 0;
	s.copy = NULL;

	/* the helper area starts zeroed: a fresh session */
	spin_lock_bh(ftpalg_lock(ct));
	/*
	 * A segment still in flight when the conntrack was deleted (its
	 * state may be freed): nothing to judge for a dead connection.
	 */
	if (nf_ct_is_dying(ct)) {
		ret = NF_ACCEPT;
		goto out;
	}
	ftpalg_pickup(st);
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
	ret = ftpalg_segment(&s, seq);
	unused = ftpalg_ext_trim(ct, st);
out:
	spin_unlock_bh(ftpalg_lock(ct));
	if (unused)
		ftpalg_ext_release(unused);
	return ret;
}

/*
 * The conntrack is freed.  An ext holds a reference to it, so none is
 * left by now; the state is cleared all the same.
 */
static void ftpalg_destroy(struct nf_conn *ct)
{
	struct ftpalg_conn *st = nfct_help_data(ct);

	spin_lock_bh(ftpalg_lock(ct));
	st->ext = NULL;
	memset(st->stream, 0, sizeof(st->stream));
	spin_unlock_bh(ftpalg_lock(ct));
}

static struct nf_conntrack_helper ftpalg_helpers[2] __read_mostly;
/* what the kernel registered: ftpalg_helpers, or copies (compat.h) */
static struct nf_conntrack_helper *ftpalg_registered[2] __read_mostly;

bool ftpalg_is_ours(const struct nf_conntrack_helper *h)
{
	return h && (h == READ_ONCE(ftpalg_registered[0]) ||
		     h == READ_ONCE(ftpalg_registered[1]));
}

/* Is @ext's conntrack still ours and alive? */
static bool ftpalg_ext_live(const struct ftpalg_ext *ext)
{
	const struct nf_conn_help *help = nfct_help(ext->ct);

	return !nf_ct_is_dying(ext->ct) && help &&
	       ftpalg_is_ours(rcu_dereference(help->helper));
}

/*
 * Free the exts of @en whose conntrack died or lost the helper (@all:
 * every ext, the namespace or the module goes away).
 */
static void ftpalg_ext_collect(struct ftpalg_ext_net *en, bool all)
{
	struct ftpalg_ext *ext, *next;
	LIST_HEAD(dead);

	rcu_read_lock();
	spin_lock_bh(&en->lock);
	list_for_each_entry_safe(ext, next, &en->exts, node) {
		if (all || !ftpalg_ext_live(ext)) {
			ext->collected = true;
			list_move(&ext->node, &dead);
		}
	}
	spin_unlock_bh(&en->lock);
	rcu_read_unlock();

	list_for_each_entry_safe(ext, next, &dead, node) {
		struct ftpalg_conn *st = nfct_help_data(ext->ct);

		spin_lock_bh(ftpalg_lock(ext->ct));
		if (st->ext == ext)
			ftpalg_ext_detach(st);
		spin_unlock_bh(ftpalg_lock(ext->ct));
		list_del(&ext->node);
		nf_ct_put(ext->ct);
		ftpalg_ext_free(ext);
	}
}

static void ftpalg_ext_gc(struct work_struct *work)
{
	struct ftpalg_ext_net *en = container_of(to_delayed_work(work),
						 struct ftpalg_ext_net, gc);
	bool more;

	ftpalg_ext_collect(en, false);
	spin_lock_bh(&en->lock);
	more = !list_empty(&en->exts);
	spin_unlock_bh(&en->lock);
	if (more)
		queue_delayed_work(system_power_efficient_wq, &en->gc,
				   FTPALG_EXT_GC_INTERVAL);
}

static int __net_init ftpalg_ext_net_init(struct net *net)
{
	struct ftpalg_ext_net *en = net_generic(net, ftpalg_ext_net_id);

	spin_lock_init(&en->lock);
	INIT_LIST_HEAD(&en->exts);
	INIT_DELAYED_WORK(&en->gc, ftpalg_ext_gc);
	en->net = net;
	return 0;
}

/*
 * Before conntrack's own cleanup, which waits for every conntrack of the
 * namespace to be freed: drop the references the exts hold.
 */
static void __net_exit ftpalg_ext_net_exit(struct net *net)
{
	struct ftpalg_ext_net *en = net_generic(net, ftpalg_ext_net_id);

	cancel_delayed_work_sync(&en->gc);
	ftpalg_ext_collect(en, true);
}

static struct pernet_operations ftpalg_ext_net_ops = {
	.init	= ftpalg_ext_net_init,
	.exit	= ftpalg_ext_net_exit,
	.id	= &ftpalg_ext_net_id,
	.size	= sizeof(struct ftpalg_ext_net),
};

int __init ftpalg_segments_init(void)
{
	unsigned int i;
	int ret;

	BUILD_BUG_ON(sizeof(struct ftpalg_conn) >
		     sizeof_field(struct nf_conn_help, data));
	for (i = 0; i < ARRAY_SIZE(ftpalg_locks); i++)
		spin_lock_init(&ftpalg_locks[i]);
	ftpalg_copies = alloc_percpu(struct ftpalg_copy);
	if (!ftpalg_copies)
		return -ENOMEM;
	ret = register_pernet_subsys(&ftpalg_ext_net_ops);
	if (ret)
		free_percpu(ftpalg_copies);
	return ret;
}

/* After the helpers are unregistered: no segment is being read. */
void ftpalg_segments_exit(void)
{
	unregister_pernet_subsys(&ftpalg_ext_net_ops);
	free_percpu(ftpalg_copies);
}

/*
 * Unloading: after the grace period no ftpalg_help() is still at work,
 * and none will create an expectation or an ext; free every ext (each
 * holds its conntrack) before the helpers are unregistered.
 */
static void ftpalg_release_all(void)
{
	struct net *net;

	WRITE_ONCE(ftpalg_exiting, true);
	synchronize_rcu();
	down_read(&net_rwsem);
	for_each_net(net) {
		struct ftpalg_ext_net *en = net_generic(net,
							ftpalg_ext_net_id);

		cancel_delayed_work_sync(&en->gc);
		ftpalg_ext_collect(en, true);
	}
	up_read(&net_rwsem);
}

static void __init ftpalg_helper_init(struct nf_conntrack_helper *h, u16 l3num)
{
	/* no tuple port, so as not to collide with nf_conntrack_ftp (compat.h) */
	ftpalg_ct_helper_init(h, l3num, IPPROTO_TCP, FTPALG_HELPER_NAME,
			      ftpalg_exp_policy, FTPALG_EXP_CLASSES - 1,
			      ftpalg_help, ftpalg_sync_from_nlattr, THIS_MODULE);
	h->to_nlattr = ftpalg_sync_to_nlattr;
	h->destroy = ftpalg_destroy;
}

int __init ftpalg_helper_register(void)
{
	ftpalg_helper_init(&ftpalg_helpers[0], AF_INET);
	ftpalg_helper_init(&ftpalg_helpers[1], AF_INET6);
	return ftpalg_helpers_register(ftpalg_helpers, ftpalg_registered,
				       ARRAY_SIZE(ftpalg_helpers));
}

void ftpalg_helper_unregister(void)
{
	ftpalg_release_all();
	ftpalg_helpers_unregister(ftpalg_registered,
				  ARRAY_SIZE(ftpalg_registered));
}

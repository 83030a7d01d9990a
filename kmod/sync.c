// SPDX-License-Identifier: GPL-2.0
/*
 * Firewall pairs: a control connection's tracking state through ctnetlink
 * (CTA_HELP_INFO, layout in the uapi header), and the pickup of a
 * connection whose tracking begins mid-session.
 *
 * A backup firewall's copy of a conntrack is created through ctnetlink
 * (conntrackd).  conntrackd 1.4 carries the helper's name but not its
 * info, so such a copy starts without our state, as does a connection
 * first seen without its handshake: both start in pickup (session.h).
 * The replies to commands never seen are then taken as what they say, and
 * judged by the policy as any.  The expectations the daemon creates lack
 * their NAT part: a hook here has nat.c set it up for their data
 * connections.  Sequence
 * adjustments of NAT rewrites are announced in conntrack events, so that
 * the daemon carries them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/workqueue.h>
#include <net/netlink.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "ftpalg.h"

static const struct nla_policy ftpalg_sync_dir_policy[FTPALG_SYNC_DIR_A_MAX + 1] = {
	[FTPALG_SYNC_DIR_A_NEXT_SEQ]	= { .type = NLA_U32 },
	[FTPALG_SYNC_DIR_A_FLAGS]	= { .type = NLA_U32 },
};

static const struct nla_policy ftpalg_sync_policy[FTPALG_SYNC_A_MAX + 1] = {
	[FTPALG_SYNC_A_VERSION]	= { .type = NLA_U8 },
	[FTPALG_SYNC_A_FIFO]	= { .type = NLA_U32 },
	[FTPALG_SYNC_A_DEPTH]	= NLA_POLICY_MAX(NLA_U8, FTP_SESSION_DEPTH),
	[FTPALG_SYNC_A_REPLY]	= { .type = NLA_U16 },
	[FTPALG_SYNC_A_FLAGS]	= { .type = NLA_U32 },	/* checked */
	[FTPALG_SYNC_A_CLIENT]	= NLA_POLICY_NESTED(ftpalg_sync_dir_policy),
	[FTPALG_SYNC_A_SERVER]	= NLA_POLICY_NESTED(ftpalg_sync_dir_policy),
};

static u32 ftpalg_sync_dir_flags(const struct ftp_stream *st)
{
	u32 flags = 0;

	if (st->flags & FTP_STREAM_VALID)
		flags |= FTPALG_SYNC_DIR_F_VALID;
	if (st->flags & FTP_STREAM_SKIP)
		flags |= FTPALG_SYNC_DIR_F_SKIP;
	if (st->flags & FTP_STREAM_LINEBUF)
		flags |= FTPALG_SYNC_DIR_F_LINE;
	if (st->flags & FTP_STREAM_REPLAY)
		flags |= FTPALG_SYNC_DIR_F_REWRITTEN;
	return flags;
}

static int ftpalg_sync_put_dir(struct sk_buff *skb, int type,
			       const struct ftp_stream *st)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u32(skb, FTPALG_SYNC_DIR_A_NEXT_SEQ, st->next_seq) ||
	    nla_put_u32(skb, FTPALG_SYNC_DIR_A_FLAGS,
			ftpalg_sync_dir_flags(st)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * ctnetlink dumps and events.  Events may come while this connection's
 * lock is held (the RST of a refusal passes conntrack's confirm hook, which
 * delivers the cached events): if the lock is taken, the message goes
 * without the state, and a copy made from it starts in pickup.
 */
int ftpalg_sync_to_nlattr(struct sk_buff *skb, const struct nf_conn *ct)
{
	const struct ftpalg_conn *st = nfct_help_data(ct);
	struct ftp_stream stream[IP_CT_DIR_MAX];
	struct ftp_session sess;
	struct nlattr *nest;

	/* the uapi names the session's own values */
	BUILD_BUG_ON(FTPALG_SYNC_CMD_OTHER != FTP_CMD_OTHER);
	BUILD_BUG_ON(FTPALG_SYNC_CMD_ACTIVE != FTP_CMD_ACTIVE);
	BUILD_BUG_ON(FTPALG_SYNC_CMD_PASSIVE != FTP_CMD_PASSIVE);
	BUILD_BUG_ON(FTPALG_SYNC_CMD_EPSV_ALL != FTP_CMD_EPSV_ALL);
	BUILD_BUG_ON(FTPALG_SYNC_CMD_AUTH != FTP_CMD_AUTH);
	BUILD_BUG_ON(FTPALG_SYNC_F_EPSV_ALL != FTP_SESSION_EPSV_ALL);
	BUILD_BUG_ON(FTPALG_SYNC_F_OPAQUE != FTP_SESSION_OPAQUE);
	BUILD_BUG_ON(FTPALG_SYNC_F_LOST != FTP_SESSION_LOST);
	BUILD_BUG_ON(FTPALG_SYNC_F_REPORTED != FTP_SESSION_REPORTED);
	BUILD_BUG_ON(FTPALG_SYNC_F_ALERT_CLIENT != FTP_SESSION_ALERT_C);
	BUILD_BUG_ON(FTPALG_SYNC_F_ALERT_SERVER != FTP_SESSION_ALERT_S);
	BUILD_BUG_ON(FTPALG_SYNC_F_PICKUP != FTP_SESSION_PICKUP);

	if (!spin_trylock_bh(ftpalg_lock(ct)))
		return 0;
	sess = st->sess;
	memcpy(stream, st->stream, sizeof(stream));
	spin_unlock_bh(ftpalg_lock(ct));

	nest = nla_nest_start(skb, CTA_HELP_INFO);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, FTPALG_SYNC_A_VERSION, FTPALG_SYNC_VERSION) ||
	    nla_put_u32(skb, FTPALG_SYNC_A_FIFO, sess.fifo) ||
	    nla_put_u8(skb, FTPALG_SYNC_A_DEPTH, sess.depth) ||
	    nla_put_u16(skb, FTPALG_SYNC_A_REPLY, sess.reply) ||
	    nla_put_u32(skb, FTPALG_SYNC_A_FLAGS, sess.flags) ||
	    ftpalg_sync_put_dir(skb, FTPALG_SYNC_A_CLIENT,
				&stream[IP_CT_DIR_ORIGINAL]) ||
	    ftpalg_sync_put_dir(skb, FTPALG_SYNC_A_SERVER,
				&stream[IP_CT_DIR_REPLY])) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * A direction as exported.  Its partial or held line is not carried: the
 * rest of that line is skipped unjudged (an announcement in it expects
 * nothing), as after a resync.  Returns true if it so degraded.
 */
static bool ftpalg_sync_get_dir(const struct nlattr *attr,
				struct ftp_stream *st)
{
	struct nlattr *tb[FTPALG_SYNC_DIR_A_MAX + 1];
	u32 flags;

	memset(st, 0, sizeof(*st));
	/* validated with the outer policy */
	if (nla_parse_nested(tb, FTPALG_SYNC_DIR_A_MAX, attr,
			     ftpalg_sync_dir_policy, NULL) ||
	    !tb[FTPALG_SYNC_DIR_A_FLAGS])
		return false;
	flags = nla_get_u32(tb[FTPALG_SYNC_DIR_A_FLAGS]);
	if (!(flags & FTPALG_SYNC_DIR_F_VALID) ||
	    !tb[FTPALG_SYNC_DIR_A_NEXT_SEQ])
		return false;
	st->next_seq = nla_get_u32(tb[FTPALG_SYNC_DIR_A_NEXT_SEQ]);
	st->flags = FTP_STREAM_VALID;
	if (flags & (FTPALG_SYNC_DIR_F_SKIP | FTPALG_SYNC_DIR_F_LINE))
		st->flags |= FTP_STREAM_SKIP;
	return flags & FTPALG_SYNC_DIR_F_LINE;
}

/*
 * The state in @attr, if it is ours and one that real lines can produce
 * (the attribute comes from userspace).  Returns 0 or -EINVAL.
 */
static int ftpalg_sync_parse(const struct nlattr *attr,
			     struct ftp_session *sess,
			     struct ftp_stream *stream, bool *degraded)
{
	struct nlattr *tb[FTPALG_SYNC_A_MAX + 1];

	if (nla_parse_nested(tb, FTPALG_SYNC_A_MAX, attr, ftpalg_sync_policy,
			     NULL) ||
	    !tb[FTPALG_SYNC_A_VERSION] ||
	    nla_get_u8(tb[FTPALG_SYNC_A_VERSION]) != FTPALG_SYNC_VERSION)
		return -EINVAL;
	memset(sess, 0, sizeof(*sess));
	if (tb[FTPALG_SYNC_A_FIFO])
		sess->fifo = nla_get_u32(tb[FTPALG_SYNC_A_FIFO]);
	if (tb[FTPALG_SYNC_A_DEPTH])
		sess->depth = nla_get_u8(tb[FTPALG_SYNC_A_DEPTH]);
	if (tb[FTPALG_SYNC_A_REPLY])
		sess->reply = nla_get_u16(tb[FTPALG_SYNC_A_REPLY]);
	if (tb[FTPALG_SYNC_A_FLAGS])
		sess->flags = nla_get_u32(tb[FTPALG_SYNC_A_FLAGS]);
	if (!ftp_session_valid(sess))
		return -EINVAL;
	*degraded = false;
	memset(stream, 0, IP_CT_DIR_MAX * sizeof(*stream));
	if (tb[FTPALG_SYNC_A_CLIENT])
		*degraded |= ftpalg_sync_get_dir(tb[FTPALG_SYNC_A_CLIENT],
						 &stream[IP_CT_DIR_ORIGINAL]);
	if (tb[FTPALG_SYNC_A_SERVER])
		*degraded |= ftpalg_sync_get_dir(tb[FTPALG_SYNC_A_SERVER],
						 &stream[IP_CT_DIR_REPLY]);
	return 0;
}

/*
 * The first packet of a data connection of a NATed control connection
 * whose expectation came without its NAT part, before NAT looks at it.  A
 * sync daemon created that expectation: conntrackd carries the expectation
 * function, class and NAT part to the backup, but libnetfilter_conntrack's
 * request to create it there has none of them (CTA_EXPECT_FN, _CLASS,
 * _NAT), so the connection would pass untranslated.  Every other packet
 * returns at the first test.
 */
static unsigned int ftpalg_sync_adopt(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn_help *help;
	const struct nf_conn *master;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_RELATED || nf_ct_is_confirmed(ct) ||
	    (ct->status & IPS_NAT_DONE_MASK))
		return NF_ACCEPT;
	master = ct->master;
	help = master ? nfct_help(master) : NULL;
	if (!help || !(master->status & IPS_NAT_MASK) ||
	    !ftpalg_is_ours(rcu_dereference(help->helper)))
		return NF_ACCEPT;
	ftpalg_nat_follow(ct, master);
	ftpalg_count(ct, FTPALG_STAT_NAT_ADOPTED);
	return NF_ACCEPT;
}

static const struct nf_hook_ops ftpalg_sync_adopt_ops[] = {
	{
		.hook		= ftpalg_sync_adopt,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_NAT_DST - 1,
	},
	{
		.hook		= ftpalg_sync_adopt,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_NAT_DST - 1,
	},
};

static void ftpalg_sync_adopt_register(struct work_struct *work)
{
	struct ftpalg_net *fn = container_of(work, struct ftpalg_net,
					     adopt_work);
	int ret;

	if (fn->adopting)
		return;
	ret = nf_register_net_hooks(fn->net, ftpalg_sync_adopt_ops,
				    ARRAY_SIZE(ftpalg_sync_adopt_ops));
	if (ret) {
		pr_warn_ratelimited("cannot register the hooks for synced expectations: %d\n",
				    ret);
		return;
	}
	WRITE_ONCE(fn->adopting, true);
}

void ftpalg_sync_net_init(struct net *net, struct ftpalg_net *fn)
{
	fn->net = net;
	fn->adopting = false;
	INIT_WORK(&fn->adopt_work, ftpalg_sync_adopt_register);
}

void ftpalg_sync_net_exit(struct ftpalg_net *fn)
{
	cancel_work_sync(&fn->adopt_work);
	if (fn->adopting)
		nf_unregister_net_hooks(fn->net, ftpalg_sync_adopt_ops,
					ARRAY_SIZE(ftpalg_sync_adopt_ops));
}

/*
 * A sync daemon created or updated @ct (a backup firewall): register the
 * hooks above in its namespace, once, so that no other namespace pays
 * for them.  Registering sleeps and ctnetlink calls us atomic: a work
 * item does it at once, while the daemon goes on to the expectations
 * (conntrackd commits them in a request of their own).
 */
static void ftpalg_sync_adopt_enable(const struct nf_conn *ct)
{
	struct ftpalg_net *fn = ftpalg_pernet(nf_ct_net(ct));

	if (!READ_ONCE(fn->adopting))
		schedule_work(&fn->adopt_work);
}

/*
 * ctnetlink creates @ct with this helper, or updates it (@attr may be
 * NULL: no state given).  Creation happens before @ct is confirmed, an
 * update while packets may be at work on it: both under its lock.
 */
int ftpalg_sync_from_nlattr(struct nlattr *attr, struct nf_conn *ct)
{
	struct ftpalg_conn *st = nfct_help_data(ct);
	struct ftp_stream stream[IP_CT_DIR_MAX];
	struct ftp_session sess;
	bool degraded = false;
	int ret = -EINVAL;

	if (attr)
		ret = ftpalg_sync_parse(attr, &sess, stream, &degraded);
	spin_lock_bh(ftpalg_lock(ct));
	if (!ret) {
		/* line buffers and rewrites of the old state: see helper.c */
		st->sess = sess;
		memcpy(st->stream, stream, sizeof(stream));
	}
	ftpalg_pickup(st);
	spin_unlock_bh(ftpalg_lock(ct));
	if (degraded)
		ftpalg_count(ct, FTPALG_STAT_DESYNC);
	/* its expectations, if any, come the same way */
	ftpalg_sync_adopt_enable(ct);
	return ret;
}

/*
 * Under the connection's lock, before a segment or after ctnetlink set
 * the state: a connection whose tracking has not seen the start of either
 * direction (no handshake, no exported state) is picked up mid-session.
 */
void ftpalg_pickup(struct ftpalg_conn *st)
{
	if ((st->stream[IP_CT_DIR_ORIGINAL].flags |
	     st->stream[IP_CT_DIR_REPLY].flags) & FTP_STREAM_VALID)
		return;
	ftp_session_pickup(&st->sess);
}

/*
 * A rewrite moved the sequence offset.  The kernel reports that in
 * conntrack events only with IPCT_SEQADJ, which nothing on the packet path
 * raises: without it a sync daemon (conntrackd, which follows the events)
 * never learns the offset, and after a failover every later segment of the
 * direction reaches its receiver at the wrong sequence number.
 */
void ftpalg_sync_seqadj(struct nf_conn *ct)
{
	nf_conntrack_event_cache(IPCT_SEQADJ, ct);
}

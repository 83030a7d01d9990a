// SPDX-License-Identifier: GPL-2.0
/*
 * NAT: the data connection is announced with the address and port the
 * peer must use, and translated back to the sender's real ones when it
 * arrives.  The TCP sequence correction for the length change is applied
 * once per segment by the caller.  On a backup firewall, the data
 * connections of expectations a sync daemon created are translated too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/netfilter/nf_nat_helper.h>

#include "ftpalg.h"

/* @b may be read as another address (ambiguous): it is rewritten. */
static bool ftpalg_endpoint_equal(const struct ftp_endpoint *a,
				  const struct ftp_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !b->ambiguous &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/*
 * Register @exp on a router port in [@lo, @hi]: @want if it is free there,
 * else the first free one from a random start, so that every free port of
 * the range can be found.  Returns the port, or 0 if none is free.
 */
static u16 ftpalg_nat_place(struct nf_conntrack_expect *exp, u16 want,
			    u16 lo, u16 hi)
{
	u32 span = hi - lo + 1, i, start;
	int ret;

	if (want >= lo && want <= hi) {
		exp->tuple.dst.u.tcp.port = htons(want);
		ret = nf_ct_expect_related(exp, 0);
		if (ret != -EBUSY)
			return ret ? 0 : want;
	}
	start = get_random_u32_below(span);
	for (i = 0; i < span; i++) {
		u16 port = lo + (start + i) % span;

		exp->tuple.dst.u.tcp.port = htons(port);
		ret = nf_ct_expect_related(exp, 0);
		if (ret != -EBUSY)
			return ret ? 0 : port;
	}
	return 0;
}

/*
 * Rewrite the announcement of @m at @line_off in the payload to the address
 * the peer sees for the sender and @port.  Returns 0, also when nothing had
 * to change, -EPERM when the line cannot be changed (its head is already
 * forwarded, or the length would change without a seqadj extension) and
 * -ENOMEM when the packet could not be rewritten.
 */
static int ftpalg_nat_rewrite(struct ftpalg_seg *s, const struct ftp_match *m,
			      u16 port, unsigned int line_off, bool can_mangle)
{
	struct nf_conn *ct = s->ct;
	const union nf_inet_addr *peer_view = &ct->tuplehash[!s->dir].tuple.dst.u3;
	struct ftp_endpoint ep = { .family = m->ep.family, .port = port };
	char buf[FTP_ARG_MAX];
	unsigned int len;

	if (ep.family == FTP_FAMILY_IPV4)
		memcpy(ep.addr, &peer_view->ip, sizeof(peer_view->ip));
	else if (ep.family == FTP_FAMILY_IPV6)
		memcpy(ep.addr, &peer_view->in6, sizeof(peer_view->in6));
	if (ftpalg_endpoint_equal(&ep, &m->ep))
		return 0;	/* already what the peer must use */

	len = ftp_format_arg(m, &ep, buf, sizeof(buf));
	if (!len || !can_mangle ||
	    (len != m->arg_len && (s->fixed_len || !nfct_seqadj(ct))))
		return -EPERM;
	if (!__nf_nat_mangle_tcp_packet(s->skb, ct, s->ctinfo, s->protoff,
					line_off + m->arg_off, m->arg_len,
					buf, len, false))
		return -ENOMEM;
	s->len += len - m->arg_len;
	s->delta += (int)len - (int)m->arg_len;
	s->rewrites++;
	s->announced = port;
	ftpalg_count(ct, FTPALG_STAT_NAT_REWRITE);
	return 0;
}

/*
 * Register @exp for a NATed control connection and announce the data
 * connection as the peer must address it.  Passive ports stay inside the
 * policy's window; a port taken on the router is replaced by a free one.
 */
int ftpalg_nat_expect(struct ftpalg_seg *s, struct nf_conntrack_expect *exp,
		      const struct ftp_match *m, const struct ftpalg_policy *pol,
		      unsigned int line_off, bool can_mangle)
{
	u16 lo = max_t(u16, pol->min_port, 1), hi = U16_MAX, port;
	struct nf_conn *ct = s->ct;
	int ret;

	exp->saved_proto.tcp.port = exp->tuple.dst.u.tcp.port;
	exp->dir = !s->dir;
	exp->expectfn = nf_nat_follow_master;

	if (exp->class == FTPALG_EXP_PASSIVE && pol->passive_max) {
		lo = pol->passive_min;
		hi = pol->passive_max;
	}
	port = ftpalg_nat_place(exp, m->ep.port, lo, hi);
	if (!port) {
		ftpalg_count(ct, FTPALG_STAT_NAT_NO_PORT);
		return NF_ACCEPT;
	}
	ret = ftpalg_nat_rewrite(s, m, port, line_off, can_mangle);
	if (ret) {
		nf_ct_unexpect_related(exp);
		ftpalg_count(ct, FTPALG_STAT_NAT_FAILED);
		if (ret != -ENOMEM)
			return NF_ACCEPT;
		/* no memory: the sender retransmits */
		if (ftpalg_log_allowed(ct))
			nf_ct_helper_log(s->skb, ct, "cannot rewrite the announcement");
		return NF_DROP;
	}
	if (port != m->ep.port && exp->class == FTPALG_EXP_PASSIVE &&
	    (m->ep.port < lo || m->ep.port > hi))
		ftpalg_count(ct, FTPALG_STAT_PASSIVE_MAPPED);
	ftpalg_expect_created(s);
	return NF_ACCEPT;
}

/*
 * A retransmission of a segment whose announcement was rewritten must
 * carry the same bytes: rewrite it again to @port, the one announced the
 * first time, without expecting anything new.
 */
int ftpalg_nat_replay(struct ftpalg_seg *s, const struct ftp_match *m,
		      u16 port, unsigned int line_off)
{
	return ftpalg_nat_rewrite(s, m, port, line_off, true) ? NF_DROP :
								NF_ACCEPT;
}

/*
 * Set up NAT for @ct, expected by the NATed @master, as ftpalg_nat_expect()
 * set up the expectation: a PASV/EPSV's data connection comes from where
 * the control connection comes from, a PORT/EPRT's from the other side;
 * the port is the one announced (the sender's own unless ftpalg had to
 * announce another: that one is lost).  nf_nat_follow_master() reads no
 * more of an expectation than that.
 */
static void ftpalg_nat_follow(struct nf_conn *ct, const struct nf_conn *master)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct nf_conntrack_expect exp = {};

	exp.dir = nf_inet_addr_cmp(&t->src.u3,
				   &master->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u3) ?
		  IP_CT_DIR_ORIGINAL : IP_CT_DIR_REPLY;
	exp.saved_proto.tcp.port = t->dst.u.tcp.port;
	nf_nat_follow_master(ct, &exp);
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
static unsigned int ftpalg_nat_adopt(void *priv, struct sk_buff *skb,
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

static const struct nf_hook_ops ftpalg_nat_adopt_ops[] = {
	{
		.hook		= ftpalg_nat_adopt,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_NAT_DST - 1,
	},
	{
		.hook		= ftpalg_nat_adopt,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_NAT_DST - 1,
	},
};

static void ftpalg_nat_adopt_register(struct work_struct *work)
{
	struct ftpalg_net *fn = container_of(work, struct ftpalg_net,
					     nat_adopt_work);
	int ret;

	if (fn->nat_adopting)
		return;
	ret = nf_register_net_hooks(fn->net, ftpalg_nat_adopt_ops,
				    ARRAY_SIZE(ftpalg_nat_adopt_ops));
	if (ret) {
		pr_warn_ratelimited("cannot register the hooks for synced expectations: %d\n",
				    ret);
		return;
	}
	WRITE_ONCE(fn->nat_adopting, true);
}

void ftpalg_nat_net_init(struct net *net, struct ftpalg_net *fn)
{
	fn->net = net;
	fn->nat_adopting = false;
	INIT_WORK(&fn->nat_adopt_work, ftpalg_nat_adopt_register);
}

void ftpalg_nat_net_exit(struct ftpalg_net *fn)
{
	cancel_work_sync(&fn->nat_adopt_work);
	if (fn->nat_adopting)
		nf_unregister_net_hooks(fn->net, ftpalg_nat_adopt_ops,
					ARRAY_SIZE(ftpalg_nat_adopt_ops));
}

/*
 * A sync daemon created or updated @ct (a backup firewall): register the
 * hooks above in its namespace, once, so that no other namespace pays
 * for them.  Registering sleeps and ctnetlink calls us atomic: a work
 * item does it at once, while the daemon goes on to the expectations
 * (conntrackd commits them in a request of their own).
 */
void ftpalg_nat_adopt_enable(const struct nf_conn *ct)
{
	struct ftpalg_net *fn = ftpalg_pernet(nf_ct_net(ct));

	if (!READ_ONCE(fn->nat_adopting))
		schedule_work(&fn->nat_adopt_work);
}

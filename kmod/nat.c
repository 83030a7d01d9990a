// SPDX-License-Identifier: GPL-2.0
/*
 * NAT: the data connection is announced with the address and port the
 * peer must use, and translated back to the sender's real ones when it
 * arrives.  The TCP sequence correction for the length change is applied
 * once per segment by the caller.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/netfilter/nf_nat_helper.h>

#include "ftpalg.h"

static bool ftpalg_endpoint_equal(const struct ftp_endpoint *a,
				  const struct ftp_endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/*
 * Register @exp for a NATed control connection, choosing another data port
 * when the announced one is taken on the router, and rewrite the
 * announcement at @line_off in the payload if the peer must see something
 * else.  Without @can_mangle the line's head was already forwarded.
 */
int ftpalg_nat_expect(struct ftpalg_seg *s, struct nf_conntrack_expect *exp,
		      const struct ftp_match *m, unsigned int line_off,
		      bool can_mangle)
{
	struct nf_conn *ct = s->ct;
	const union nf_inet_addr *peer_view = &ct->tuplehash[!s->dir].tuple.dst.u3;
	struct ftp_endpoint ep = { .family = m->ep.family };
	char buf[FTP_ARG_MAX];
	unsigned int len;
	u16 port;

	exp->saved_proto.tcp.port = exp->tuple.dst.u.tcp.port;
	exp->dir = !s->dir;
	exp->expectfn = nf_nat_follow_master;

	port = nf_nat_exp_find_port(exp, m->ep.port);
	if (!port) {
		ftpalg_count(ct, FTPALG_STAT_NAT_NO_PORT);
		return NF_ACCEPT;
	}

	ep.port = port;
	if (ep.family == FTP_FAMILY_IPV4)
		memcpy(ep.addr, &peer_view->ip, sizeof(peer_view->ip));
	else if (ep.family == FTP_FAMILY_IPV6)
		memcpy(ep.addr, &peer_view->in6, sizeof(peer_view->in6));

	if (ftpalg_endpoint_equal(&ep, &m->ep))
		goto created;	/* already what the peer must use */

	len = ftp_format_arg(m, &ep, buf, sizeof(buf));
	if (!len || !can_mangle || (len != m->arg_len && !nfct_seqadj(ct)))
		goto fail;
	if (!__nf_nat_mangle_tcp_packet(s->skb, ct, s->ctinfo, s->protoff,
					line_off + m->arg_off, m->arg_len,
					buf, len, false)) {
		nf_ct_unexpect_related(exp);
		ftpalg_count(ct, FTPALG_STAT_NAT_FAILED);
		return NF_DROP;	/* no memory: the sender retransmits */
	}
	s->len += len - m->arg_len;
	s->delta += (int)len - (int)m->arg_len;
	s->rewrites++;
	ftpalg_count(ct, FTPALG_STAT_NAT_REWRITE);
created:
	ftpalg_count(ct, FTPALG_STAT_EXPECT_CREATED);
	return NF_ACCEPT;

fail:
	nf_ct_unexpect_related(exp);
	ftpalg_count(ct, FTPALG_STAT_NAT_FAILED);
	return NF_ACCEPT;
}

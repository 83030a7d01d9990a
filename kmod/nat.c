// SPDX-License-Identifier: GPL-2.0
/*
 * NAT for FTP: a PORT/EPRT command or a 227/229 reply is rewritten to
 * announce the data connection with the address and port the peer must
 * use, and its expectation translates the connection back to the
 * sender's real ones when it arrives.  As nf_nat_ftp.c, this uses nothing
 * else of the module: the caller counts and logs what came of it, and
 * applies the TCP sequence correction for a length change once per
 * segment.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>
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
	return 0;
}

/*
 * Register @exp for a NATed control connection on a router port in
 * [@lo, @hi] (the announced one if it is free there) and announce the
 * data connection as the peer must address it.  Returns that port, or
 * -EBUSY if no port could be registered, or ftpalg_nat_rewrite()'s error
 * (then @exp is unregistered again).
 */
int ftpalg_nat_expect(struct ftpalg_seg *s, struct nf_conntrack_expect *exp,
		      const struct ftp_match *m, u16 lo, u16 hi,
		      unsigned int line_off, bool can_mangle)
{
	u16 port;
	int ret;

	exp->saved_proto.tcp.port = exp->tuple.dst.u.tcp.port;
	exp->dir = !s->dir;
	exp->expectfn = nf_nat_follow_master;

	port = ftpalg_nat_place(exp, m->ep.port, lo, hi);
	if (!port)
		return -EBUSY;
	ret = ftpalg_nat_rewrite(s, m, port, line_off, can_mangle);
	if (ret) {
		nf_ct_unexpect_related(exp);
		return ret;
	}
	return port;
}

/*
 * A retransmission of a segment whose announcement was rewritten must
 * carry the same bytes: rewrite it again to @port, the one announced the
 * first time, without expecting anything new.  0 or -errno, as
 * ftpalg_nat_rewrite().
 */
int ftpalg_nat_replay(struct ftpalg_seg *s, const struct ftp_match *m,
		      u16 port, unsigned int line_off)
{
	return ftpalg_nat_rewrite(s, m, port, line_off, true);
}

/*
 * Set up NAT for @ct, expected by the NATed @master, as ftpalg_nat_expect()
 * set up the expectation: a PASV/EPSV's data connection comes from where
 * the control connection comes from, a PORT/EPRT's from the other side;
 * the port is the one announced (the sender's own unless ftpalg had to
 * announce another: that one is lost).  nf_nat_follow_master() reads no
 * more of an expectation than that.
 */
void ftpalg_nat_follow(struct nf_conn *ct, const struct nf_conn *master)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct nf_conntrack_expect exp = {};

	exp.dir = nf_inet_addr_cmp(&t->src.u3,
				   &master->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u3) ?
		  IP_CT_DIR_ORIGINAL : IP_CT_DIR_REPLY;
	exp.saved_proto.tcp.port = t->dst.u.tcp.port;
	nf_nat_follow_master(ct, &exp);
}

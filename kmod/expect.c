// SPDX-License-Identifier: GPL-2.0
/*
 * Expectations for data connections: created for an accepted PORT/EPRT
 * (inactive until the server accepts the command) or a solicited 227/229,
 * capped per namespace so that one tenant's flood of PORT commands cannot
 * fill the kernel's global expectation table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "ftpalg.h"

/* More than the kernel's own per-namespace limit holds by default. */
#define FTPALG_NETNS_EXPECT_MAX	65536

static unsigned int netns_expect_max __read_mostly = 1024;

static int ftpalg_set_netns_expect_max(const char *val,
				       const struct kernel_param *kp)
{
	return ftpalg_param_uint(val, kp, 0, FTPALG_NETNS_EXPECT_MAX);
}

static const struct kernel_param_ops ftpalg_netns_expect_max_ops = {
	.set	= ftpalg_set_netns_expect_max,
	.get	= param_get_uint,
};

module_param_cb(netns_expect_max, &ftpalg_netns_expect_max_ops,
		&netns_expect_max, 0444);
__MODULE_PARM_TYPE(netns_expect_max, "uint");
MODULE_PARM_DESC(netns_expect_max,
		 "pending data connections per namespace, 0..65536, 0: no cap (1024)");

static bool ftpalg_count_ours(struct nf_conntrack_expect *exp, void *data)
{
	if (ftpalg_is_ours(rcu_dereference(exp->helper)))
		(*(unsigned int *)data)++;
	return false;
}

/*
 * Is there room for one more expectation in @net?  The estimate is the
 * live ones at the last count plus those created since; deaths (data
 * connections, timeouts, flushes) go unseen, so it errs on the side of
 * the cap.  Only when it reaches the cap are the live ones counted, a walk
 * of the kernel's whole expectation table under its lock: at most once
 * per an eighth of the cap created, or per FTPALG_EXPECT_RECOUNT when
 * nothing was, so that the walk's cost is spread over many expectations.
 */
static bool ftpalg_expect_room(struct net *net)
{
	struct ftpalg_net *fn = ftpalg_pernet(net);
	unsigned int created = atomic_read(&fn->exp_created);
	unsigned int since = created - READ_ONCE(fn->exp_created_seen);
	unsigned long last = READ_ONCE(fn->exp_counted_at);
	unsigned long now = jiffies;
	unsigned int live = 0;

	if (!netns_expect_max ||
	    READ_ONCE(fn->exp_live) + since < netns_expect_max)
		return true;
	if ((since < max(netns_expect_max / 8, 1U) &&
	     !time_after_eq(now, last + FTPALG_EXPECT_RECOUNT)) ||
	    cmpxchg(&fn->exp_counted_at, last, now) != last)
		return false;
	nf_ct_expect_iterate_net(net, ftpalg_count_ours, &live, 0, 0);
	WRITE_ONCE(fn->exp_created_seen, created);
	WRITE_ONCE(fn->exp_live, live);
	return live < netns_expect_max;
}

void ftpalg_expect_created(struct ftpalg_seg *s)
{
	s->expected++;
	ftpalg_count(s->ct, FTPALG_STAT_EXPECT_CREATED);
	if (!s->exp_replaces)
		atomic_inc(&ftpalg_pernet(nf_ct_net(s->ct))->exp_created);
}

/*
 * Expect the data connection that @m announces.  Returns a netfilter
 * verdict, or FTPALG_REASON_EXPECT_LIMIT as a negative number when the
 * namespace is at its cap.
 */
int ftpalg_expect_create(struct ftpalg_seg *s, const struct ftp_match *m,
			 const struct ftpalg_policy *pol,
			 unsigned int line_off, bool can_mangle)
{
	unsigned int class = ftpalg_is_active(m) ? FTPALG_EXP_ACTIVE :
						   FTPALG_EXP_PASSIVE;
	struct nf_conn *ct = s->ct;
	enum ip_conntrack_dir dir = s->dir;
	struct nf_conntrack_expect *exp;
	__be16 port = htons(m->ep.port);
	int ret = NF_ACCEPT;

	/*
	 * A connection at max_expected of this class gets the new one in
	 * place of its oldest: the namespace holds no more than before.
	 */
	s->exp_replaces = READ_ONCE(nfct_help(ct)->expecting[class]) >=
			  ftpalg_max_expected();
	if (!s->exp_replaces && !ftpalg_expect_room(nf_ct_net(ct)))
		return -FTPALG_REASON_EXPECT_LIMIT;

	exp = nf_ct_expect_alloc(ct);
	if (!exp) {
		ftpalg_count(ct, FTPALG_STAT_NOMEM);
		return NF_ACCEPT;
	}
	/* The peer opens the data connection to the sender, as it sees it. */
	nf_ct_expect_init(exp, class, nf_ct_l3num(ct),
			  &ct->tuplehash[!dir].tuple.src.u3,
			  &ct->tuplehash[!dir].tuple.dst.u3,
			  IPPROTO_TCP, NULL, &port);
	/* PORT/EPRT: usable only once the server has accepted it */
	if (exp->class == FTPALG_EXP_ACTIVE)
		exp->flags |= NF_CT_EXPECT_INACTIVE;

	if (ct->status & IPS_NAT_MASK)
		ret = ftpalg_nat_expect(s, exp, m, pol, line_off, can_mangle);
	else if (nf_ct_expect_related(exp, 0) == 0)
		ftpalg_expect_created(s);
	else
		ftpalg_count(ct, FTPALG_STAT_EXPECT_FAILED);
	nf_ct_expect_put(exp);
	return ret;
}

/*
 * The server answered the oldest pending PORT/EPRT: make its expectation
 * usable, or withdraw it.
 */
void ftpalg_expect_settle(struct nf_conn *ct, bool accepted)
{
	struct nf_conntrack_expect *exp, *oldest = NULL;
	struct nf_conn_help *help = nfct_help(ct);

	spin_lock_bh(&nf_conntrack_expect_lock);
	/* the list has the newest first */
	hlist_for_each_entry(exp, &help->expectations, lnode)
		if (exp->class == FTPALG_EXP_ACTIVE &&
		    (READ_ONCE(exp->flags) & NF_CT_EXPECT_INACTIVE) &&
		    !nf_ct_exp_is_expired(exp))
			oldest = exp;
	if (oldest && accepted)
		WRITE_ONCE(oldest->flags,
			   oldest->flags & ~NF_CT_EXPECT_INACTIVE);
	else if (oldest)
		refcount_inc(&oldest->use);
	spin_unlock_bh(&nf_conntrack_expect_lock);

	if (!oldest)
		return;
	if (accepted) {
		ftpalg_count(ct, FTPALG_STAT_EXPECT_ACTIVATED);
	} else {
		nf_ct_unexpect_related(oldest);
		nf_ct_expect_put(oldest);
		ftpalg_count(ct, FTPALG_STAT_EXPECT_WITHDRAWN);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Expectations for data connections: created for a PORT/EPRT as it is
 * forwarded (withdrawn if the server refuses it) or for a solicited
 * 227/229, capped per namespace so that one tenant's flood of PORT
 * commands cannot fill the kernel's global expectation table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_log.h>

#include "ftpalg.h"

/*
 * At most a day: the kernel adds expect_timeout * HZ to a 32-bit jiffies
 * deadline that must stay less than 2^31 jiffies ahead.
 */
#define FTPALG_EXPECT_TIMEOUT_MAX	86400

/* A namespace's table has 8 bytes a slot: at most 576 KiB. */
#define FTPALG_NETNS_EXPECT_MAX	65536

/* How often a namespace at its expectation cap counts the live ones. */
#define FTPALG_EXPECT_RECOUNT	(HZ / 10)

static unsigned int expect_timeout __read_mostly = 120;
static unsigned int max_expected __read_mostly = 4;
static unsigned int netns_expect_max __read_mostly = 1024;

struct nf_conntrack_expect_policy
ftpalg_exp_policy[FTPALG_EXP_CLASSES] __read_mostly = {
	[FTPALG_EXP_PASSIVE]	= { .name = "passive" },
	[FTPALG_EXP_ACTIVE]	= { .name = "active" },
};

/* Expectations created from now on use the parameters' values. */
static void ftpalg_exp_policy_update(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ftpalg_exp_policy); i++) {
		WRITE_ONCE(ftpalg_exp_policy[i].timeout, expect_timeout);
		WRITE_ONCE(ftpalg_exp_policy[i].max_expected, max_expected);
	}
}

/*
 * Set an unsigned int parameter to @val if it is a number in [@min, @max],
 * at load time and on writes to /sys/module/.../parameters.
 */
static int ftpalg_param_uint(const char *val, const struct kernel_param *kp,
			     unsigned int min, unsigned int max)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < min || n > max) {
		pr_warn("%s must be a number from %u to %u\n", kp->name, min, max);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}

static int ftpalg_set_expect_timeout(const char *val,
				     const struct kernel_param *kp)
{
	int ret = ftpalg_param_uint(val, kp, 1, FTPALG_EXPECT_TIMEOUT_MAX);

	if (!ret)
		ftpalg_exp_policy_update();
	return ret;
}

static const struct kernel_param_ops ftpalg_expect_timeout_ops = {
	.set	= ftpalg_set_expect_timeout,
	.get	= param_get_uint,
};

module_param_cb(expect_timeout, &ftpalg_expect_timeout_ops, &expect_timeout,
		0644);
__MODULE_PARM_TYPE(expect_timeout, "uint");
MODULE_PARM_DESC(expect_timeout,
		 "seconds a data connection may take to arrive, 1..86400 (default 120)");

static int ftpalg_set_max_expected(const char *val,
				   const struct kernel_param *kp)
{
	int ret = ftpalg_param_uint(val, kp, 1, NF_CT_EXPECT_MAX_CNT);

	if (!ret)
		ftpalg_exp_policy_update();
	return ret;
}

static const struct kernel_param_ops ftpalg_max_expected_ops = {
	.set	= ftpalg_set_max_expected,
	.get	= param_get_uint,
};

module_param_cb(max_expected, &ftpalg_max_expected_ops, &max_expected, 0644);
__MODULE_PARM_TYPE(max_expected, "uint");
MODULE_PARM_DESC(max_expected,
		 "pending data connections per control connection and mode, 1..255 (default 4)");

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

/*
 * The namespace cap counts this module's live expectations, without
 * walking the kernel's expectation table (all namespaces', under its
 * global lock).  The kernel tells a helper nothing when an expectation
 * goes away (used, timed out, withdrawn, flushed, its master gone), so
 * each namespace keeps a table of the expectations it created, holding a
 * reference on each.  One is live while the kernel holds it too (it drops
 * its reference when it unlinks one) and it has neither expired nor been
 * marked dead; the kernel may leave those linked until its next garbage
 * collection.
 *
 * @live is an upper bound: the live ones at the last reclaim plus those
 * created since; with @reserved, those being created, it is what the cap
 * is checked against.  An expectation that evicts its connection's oldest
 * adds nothing to it, as long as that one is still counted there.  A
 * reclaim drops the slots of the expectations that are gone and makes
 * @live exact: when the bound reaches the cap (at most once per
 * FTPALG_EXPECT_RECOUNT), and when every slot is taken.  There are an
 * eighth more slots than the cap, so that the latter comes at most once
 * per that many creations.
 */
struct ftpalg_exp_table {
	spinlock_t lock;		/* BH: the packet path */
	unsigned int live;		/* at most this many are live */
	unsigned int reserved;		/* being created */
	unsigned int used;		/* slots */
	unsigned int size;
	unsigned int reclaims;		/* so far, wrapping */
	unsigned long reclaimed_at;	/* jiffies */
	struct nf_conntrack_expect *exp[];
};

struct ftpalg_exp_net {
	struct ftpalg_exp_table *table;	/* NULL: no cap */
};

static unsigned int ftpalg_exp_net_id __read_mostly;

static struct ftpalg_exp_table *ftpalg_exp_table(const struct net *net)
{
	const struct ftpalg_exp_net *en = net_generic(net, ftpalg_exp_net_id);

	return en->table;
}

static int __net_init ftpalg_exp_net_init(struct net *net)
{
	unsigned int size = netns_expect_max + max(netns_expect_max / 8, 16U);
	struct ftpalg_exp_net *en = net_generic(net, ftpalg_exp_net_id);
	struct ftpalg_exp_table *t;

	en->table = NULL;
	if (!netns_expect_max)
		return 0;
	t = kvzalloc(struct_size(t, exp, size), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	spin_lock_init(&t->lock);
	t->size = size;
	/* the first reclaim may come at once */
	t->reclaimed_at = jiffies - FTPALG_EXPECT_RECOUNT;
	en->table = t;
	return 0;
}

/* The namespace is gone, or the module: no packet path uses the table. */
static void __net_exit ftpalg_exp_net_exit(struct net *net)
{
	struct ftpalg_exp_net *en = net_generic(net, ftpalg_exp_net_id);
	struct ftpalg_exp_table *t = en->table;
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->used; i++)
		nf_ct_expect_put(t->exp[i]);
	kvfree(t);
	en->table = NULL;
}

static struct pernet_operations ftpalg_exp_net_ops = {
	.init	= ftpalg_exp_net_init,
	.exit	= ftpalg_exp_net_exit,
	.id	= &ftpalg_exp_net_id,
	.size	= sizeof(struct ftpalg_exp_net),
};

int __init ftpalg_expect_init(void)
{
	/* the parameters' set callbacks checked their ranges */
	ftpalg_exp_policy_update();
	return register_pernet_subsys(&ftpalg_exp_net_ops);
}

void ftpalg_expect_exit(void)
{
	unregister_pernet_subsys(&ftpalg_exp_net_ops);
}

static bool ftpalg_exp_live(const struct nf_conntrack_expect *exp)
{
	return refcount_read(&exp->use) > 1 && !nf_ct_exp_is_expired(exp);
}

static void ftpalg_exp_reclaim(struct ftpalg_exp_table *t)
{
	unsigned int i = 0;

	lockdep_assert_held(&t->lock);
	while (i < t->used) {
		struct nf_conntrack_expect *exp = t->exp[i];

		if (ftpalg_exp_live(exp)) {
			i++;
			continue;
		}
		t->exp[i] = t->exp[--t->used];
		nf_ct_expect_put(exp);
	}
	t->live = t->used;
	t->reclaims++;
	t->reclaimed_at = jiffies;
}

/*
 * Room for one more expectation in the namespace?  One that will evict
 * its connection's oldest (@replaces) always has it; others only below the
 * cap.  If so it is counted from now on (@gen notes the reclaims so far):
 * the caller then adds it to the table, or gives its place back.
 */
static bool ftpalg_exp_reserve(struct ftpalg_exp_table *t, bool replaces,
			       unsigned int *gen)
{
	bool room = true;

	if (!t)
		return true;
	spin_lock_bh(&t->lock);
	if (!replaces) {
		if (t->live + t->reserved >= netns_expect_max &&
		    time_after_eq(jiffies,
				  t->reclaimed_at + FTPALG_EXPECT_RECOUNT))
			ftpalg_exp_reclaim(t);
		room = t->live + t->reserved < netns_expect_max;
	}
	if (room) {
		t->reserved++;
		*gen = t->reclaims;
	}
	spin_unlock_bh(&t->lock);
	return room;
}

static void ftpalg_exp_unreserve(struct ftpalg_exp_table *t)
{
	if (!t)
		return;
	spin_lock_bh(&t->lock);
	t->reserved--;
	spin_unlock_bh(&t->lock);
}

/*
 * @exp is linked: keep it in the table and count it, unless it evicted
 * its connection's oldest (@replaces) and no reclaim has come since its
 * place was reserved: then the evicted one is still counted instead (if
 * a reclaim came before the eviction, both are, until the next one).
 * If no slot is free even after a reclaim (every one live, or held for a
 * moment by someone else: rare, as there are an eighth more slots than
 * the cap), @exp goes without a slot.
 */
static void ftpalg_exp_add(struct ftpalg_exp_table *t,
			   struct nf_conntrack_expect *exp, bool replaces,
			   unsigned int gen)
{
	if (!t)
		return;
	spin_lock_bh(&t->lock);
	t->reserved--;
	if (t->used + t->reserved >= t->size)
		ftpalg_exp_reclaim(t);
	if (t->used + t->reserved < t->size) {
		refcount_inc(&exp->use);
		t->exp[t->used++] = exp;
	}
	if (!replaces || t->reclaims != gen)
		t->live++;
	spin_unlock_bh(&t->lock);
}

/* Live expectations of @class on @ct: what the kernel evicts against. */
static unsigned int ftpalg_expecting(const struct nf_conn *ct,
				     unsigned int class)
{
	const struct nf_conntrack_expect *exp;
	unsigned int n = 0;

	rcu_read_lock();
	hlist_for_each_entry_rcu(exp, &nfct_help(ct)->expectations, lnode)
		if (exp->class == class && !nf_ct_exp_is_expired(exp))
			n++;
	rcu_read_unlock();
	return n;
}

/*
 * Log what became of a data connection that will not be expected, to the
 * namespace's nf_log logger as the in-tree helpers do, rate-limited.
 * nf_ct_helper_log() says "dropping packet": it is for the segments
 * dropped; a forwarded one is logged with the same prefix otherwise.
 */
static void ftpalg_expect_log(const struct ftpalg_seg *s, bool dropped,
			      const char *what, int err)
{
	struct net *net = nf_ct_net(s->ct);

	if (!ftpalg_log_allowed(s->ct))
		return;
	if (dropped)
		nf_ct_helper_log(s->skb, s->ct, "%s (%d)", what, err);
	else
		nf_log_packet(net, nf_ct_l3num(s->ct), 0, s->skb, NULL, NULL,
			      NULL, "nf_ct_%s: %s (%d), forwarded ",
			      FTPALG_HELPER_NAME, what, err);
}

/*
 * Register @exp for a NATed connection (nat.c) and count what came of it.
 * Passive ports stay inside the policy's window; a port taken on the
 * router is replaced by a free one.  Returns 0 if @exp is registered.
 */
static int ftpalg_expect_nat(struct ftpalg_seg *s,
			     struct nf_conntrack_expect *exp,
			     const struct ftp_match *m,
			     const struct ftpalg_policy *pol,
			     unsigned int line_off, bool can_mangle)
{
	u16 lo = max_t(u16, pol->min_port, 1), hi = U16_MAX;
	struct nf_conn *ct = s->ct;
	int ret;

	if (exp->class == FTPALG_EXP_PASSIVE && pol->passive_max) {
		lo = pol->passive_min;
		hi = pol->passive_max;
	}
	ret = ftpalg_nat_expect(s, exp, m, lo, hi, line_off, can_mangle);
	if (ret == -EBUSY) {
		ftpalg_count(ct, FTPALG_STAT_NAT_NO_PORT);
		return ret;
	}
	if (ret < 0) {
		ftpalg_count(ct, FTPALG_STAT_NAT_FAILED);
		if (ret == -ENOMEM && ftpalg_log_allowed(ct))
			nf_ct_helper_log(s->skb, ct, "cannot rewrite the announcement");
		return ret;
	}
	/* the announced port was outside the window: it got one inside */
	if (exp->class == FTPALG_EXP_PASSIVE &&
	    (m->ep.port < lo || m->ep.port > hi))
		ftpalg_count(ct, FTPALG_STAT_PASSIVE_MAPPED);
	return 0;
}

/*
 * Expect the data connection that @m announces.  Returns 0 when the line
 * may go on, whether or not an expectation was made (s->expected counts
 * them); -ENOSPC when the namespace is at its cap (the caller refuses
 * the line); -ENOMEM when the segment is to be dropped for want of
 * memory (the sender retransmits, and it is tried again).
 */
int ftpalg_expect_create(struct ftpalg_seg *s, const struct ftp_match *m,
			 const struct ftpalg_policy *pol,
			 unsigned int line_off, bool can_mangle)
{
	unsigned int class = ftpalg_is_active(m) ? FTPALG_EXP_ACTIVE :
						   FTPALG_EXP_PASSIVE;
	struct nf_conn *ct = s->ct;
	struct ftpalg_exp_table *t = ftpalg_exp_table(nf_ct_net(ct));
	enum ip_conntrack_dir dir = s->dir;
	struct nf_conntrack_expect *exp;
	__be16 port = htons(m->ep.port);
	unsigned int gen = 0;
	bool drop = false;
	int err;

	/*
	 * A connection at max_expected of this class gets the new one in
	 * place of its oldest: the namespace holds no more than before.
	 */
	s->exp_replaces = ftpalg_expecting(ct, class) >=
			  READ_ONCE(max_expected);
	if (!ftpalg_exp_reserve(t, s->exp_replaces, &gen))
		return -ENOSPC;

	exp = nf_ct_expect_alloc(ct);
	if (!exp) {
		ftpalg_exp_unreserve(t);
		ftpalg_count(ct, FTPALG_STAT_NOMEM);
		ftpalg_expect_log(s, true, "cannot alloc expectation", -ENOMEM);
		return -ENOMEM;
	}
	/* The peer opens the data connection to the sender, as it sees it. */
	nf_ct_expect_init(exp, class, nf_ct_l3num(ct),
			  &ct->tuplehash[!dir].tuple.src.u3,
			  &ct->tuplehash[!dir].tuple.dst.u3,
			  IPPROTO_TCP, NULL, &port);

	if (ct->status & IPS_NAT_MASK) {
		err = ftpalg_expect_nat(s, exp, m, pol, line_off, can_mangle);
		/* as for the allocation: the sender retransmits */
		drop = err == -ENOMEM;
	} else {
		err = nf_ct_expect_related(exp, 0);
		if (err) {
			ftpalg_count(ct, FTPALG_STAT_EXPECT_FAILED);
			ftpalg_expect_log(s, false, "cannot add expectation",
					  err);
		}
	}
	if (!err) {
		s->expected++;
		ftpalg_count(ct, FTPALG_STAT_EXPECT_CREATED);
		ftpalg_exp_add(t, exp, s->exp_replaces, gen);
	} else {
		ftpalg_exp_unreserve(t);
	}
	nf_ct_expect_put(exp);
	return drop ? -ENOMEM : 0;
}

/*
 * The server refused the oldest PORT/EPRT awaiting its reply; @later
 * more that made an expectation still wait.  Theirs are the connection's
 * @later newest active-mode expectations (made since, in order; the
 * server connects for none of them before it has answered this one), so
 * the refused command's is the next newest: withdrawn, unless its data
 * connection came already (then there is none left to withdraw: an older
 * one may be taken for it, which only the server's refusal made stale).
 */
void ftpalg_expect_withdraw(struct nf_conn *ct, unsigned int later)
{
	struct nf_conntrack_expect *exp, *refused = NULL;
	struct nf_conn_help *help = nfct_help(ct);
	unsigned int newer = 0;

	spin_lock_bh(&nf_conntrack_expect_lock);
	/* the list has the newest first */
	hlist_for_each_entry(exp, &help->expectations, lnode) {
		if (exp->class != FTPALG_EXP_ACTIVE || nf_ct_exp_is_expired(exp))
			continue;
		if (newer++ == later) {
			refused = exp;
			refcount_inc(&refused->use);
			break;
		}
	}
	spin_unlock_bh(&nf_conntrack_expect_lock);

	if (!refused)
		return;
	nf_ct_unexpect_related(refused);
	nf_ct_expect_put(refused);
	ftpalg_count(ct, FTPALG_STAT_EXPECT_WITHDRAWN);
}

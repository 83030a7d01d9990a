/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel difference lives here.  The FTPALG_HAVE_* macros come from
 * the feature probes in kmod/Kbuild (mostly compile probes: the files in
 * kmod/probe/, built against the target kernel), never from version
 * numbers, because distribution and stable kernels backport netfilter
 * changes.  `make kernels` builds against Debian's 5.10 to newest.
 */
#ifndef FTPALG_COMPAT_H
#define FTPALG_COMPAT_H

#include <linux/jiffies.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/timer.h>
#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

/* kmod/probe/ok.c: the probes work at all, so a missing FTPALG_HAVE_ means no */
#ifndef FTPALG_HAVE_PROBES
#error "nf_conntrack_ftpalg: feature probes fail; check the compiler and KDIR"
#endif

/*
 * The floor, Linux 5.10: per-command generic netlink policies (struct
 * genl_ops .policy, .maxattr).  dkms.conf's BUILD_EXCLUSIVE_KERNEL(_MIN)
 * says the same.
 */
#ifndef FTPALG_HAVE_GENL_OPS_POLICY
#error "nf_conntrack_ftpalg needs Linux 5.10 or newer (struct genl_ops has no .policy)"
#endif

/* get_random_u32_below() replaced prandom_u32_max() in 6.2 (and 6.1.y). */
#ifndef FTPALG_HAVE_GET_RANDOM_U32_BELOW
#define get_random_u32_below(ceil) prandom_u32_max(ceil)
#endif

/* Before 6.0 a required attribute is checked by hand. */
#ifndef FTPALG_HAVE_GENL_REQ_ATTR_CHECK
static inline bool ftpalg_genl_req_attr_missing(struct genl_info *info,
						int attr)
{
	if (info->attrs[attr])
		return false;
	NL_SET_ERR_MSG(info->extack, "required attribute missing");
	return true;
}

#define GENL_REQ_ATTR_CHECK ftpalg_genl_req_attr_missing
#endif

/*
 * The events group names other users' addresses and ports: only
 * CAP_NET_ADMIN over the namespace may join it.  GENL_MCAST_CAP_NET_ADMIN
 * came in 6.7 and stable backports; before it, generic netlink has no
 * per-family hook to refuse a join with (the families' mcast_bind went
 * long before 5.4), so there the family offers no multicast group.
 */
#ifdef FTPALG_HAVE_GENL_MCAST_CAP_NET_ADMIN
#define FTPALG_ADMIN_MCGRP(grp)	{ .name = grp, .flags = GENL_MCAST_CAP_NET_ADMIN }
#define FTPALG_HAVE_ADMIN_MCGRP	true
#else
#define FTPALG_ADMIN_MCGRP(grp)	{ .name = grp }
#define FTPALG_HAVE_ADMIN_MCGRP	false
#endif

/*
 * Is @exp expired, or being removed?  Call with nf_conntrack_expect_lock
 * held.  Since "netfilter: nf_conntrack_expect: use conntrack GC to reap
 * expectations" (2026; 6.1.191, 6.12.114, 7.x) an expired expectation
 * stays listed until the conntrack GC or the next lookup reaps it, and the
 * kernel has this test.  Before, each expectation had a timer, armed when
 * it was inserted, that unlinks it under the lock; removal (unexpect,
 * flush, ctnetlink) deletes the timer and unlinks in one critical section.
 * So a listed expectation whose timer is no longer pending has expired:
 * its timer fired and waits for the lock.  One past its deadline whose
 * timer has not run yet is expired too, as after the backport.
 */
#ifndef FTPALG_HAVE_NF_CT_EXP_IS_EXPIRED
#ifndef FTPALG_HAVE_NF_CT_EXPECT_TIMER
#error "nf_conntrack_ftpalg: expectations have neither nf_ct_exp_is_expired() nor a timer"
#endif
static inline bool nf_ct_exp_is_expired(const struct nf_conntrack_expect *exp)
{
	return !timer_pending(&exp->timeout) ||
	       time_after_eq(jiffies, READ_ONCE(exp->timeout.expires));
}
#endif

/*
 * Helpers are attached by name only (by the ruleset), so ftpalg has no use
 * for a helper's tuple.  Until 7.3 nf_ct_helper_init() still set one from
 * its port arguments, and the kernel refuses a second helper with the same
 * (family, TCP, port) tuple, which nf_conntrack_ftp holds for port 21:
 * ftpalg registers port 0.  7.3 dropped the tuple ("netfilter: conntrack:
 * get rid of tuple in helper definitions") and then the port and id
 * arguments.
 */
#ifdef FTPALG_HAVE_HELPER_INIT_NO_PORTS
#define ftpalg_ct_helper_init(h, l3num, protonum, name, pol, class_max, \
			      help, from_nlattr, module) \
	nf_ct_helper_init(h, l3num, protonum, name, pol, class_max, \
			  help, from_nlattr, module)
#else
#define ftpalg_ct_helper_init(h, l3num, protonum, name, pol, class_max, \
			      help, from_nlattr, module) \
	nf_ct_helper_init(h, l3num, protonum, name, 0, 0, 0, pol, class_max, \
			  help, from_nlattr, module)
#endif

/*
 * Register the @n helpers @h; @reg receives the registered ones, which are
 * what conntracks and expectations point to and what is unregistered.
 * Since "netfilter: nf_conntrack_helper: dynamically allocate struct
 * nf_conntrack_helper" (2026, 7.2) those are copies the kernel allocates,
 * and nf_ct_helper_init() copies the expectation policy: it must be final
 * by then.  Before, the kernel registered @h itself.
 */
#ifdef FTPALG_HAVE_HELPERS_REGISTER_COPIES
static inline int ftpalg_helpers_register(struct nf_conntrack_helper *h,
					  struct nf_conntrack_helper **reg,
					  unsigned int n)
{
	unsigned int i;
	int ret = nf_conntrack_helpers_register(h, n, reg);

	/* as posted, its allocation failure path returns 0, reg[] cleared */
	for (i = 0; !ret && i < n; i++)
		if (!reg[i])
			ret = -ENOMEM;
	return ret;
}
#else
static inline int ftpalg_helpers_register(struct nf_conntrack_helper *h,
					  struct nf_conntrack_helper **reg,
					  unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		WRITE_ONCE(reg[i], &h[i]);
	ret = nf_conntrack_helpers_register(h, n);
	for (i = 0; ret && i < n; i++)
		WRITE_ONCE(reg[i], NULL);
	return ret;
}
#endif

static inline void ftpalg_helpers_unregister(struct nf_conntrack_helper **reg,
					     unsigned int n)
{
	while (n-- > 0) {
		nf_conntrack_helper_unregister(reg[n]);
		WRITE_ONCE(reg[n], NULL);
	}
}

#endif /* FTPALG_COMPAT_H */

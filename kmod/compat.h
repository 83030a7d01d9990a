/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference lives here.  The FTPALG_HAVE_* macros
 * come from feature probes in kmod/Kbuild (greps of the target kernel's
 * headers), not from version numbers, because distribution and stable
 * kernels backport netfilter changes.
 */
#ifndef FTPALG_COMPAT_H
#define FTPALG_COMPAT_H

#include <linux/prandom.h>
#include <linux/random.h>
#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack_expect.h>

/* The floor: nf_ct_expect_related() with flags, Linux 5.3. */
#ifndef NF_CT_EXP_F_SKIP_MASTER
#error "nf_conntrack_ftpalg needs Linux 5.4 or newer"
#endif

/* get_random_u32_below() replaced prandom_u32_max() in 6.2 (and stable). */
#ifndef FTPALG_HAVE_GET_RANDOM_U32_BELOW
#define get_random_u32_below(ceil) prandom_u32_max(ceil)
#endif

/* Before 6.0 a required attribute is checked by hand. */
#ifndef GENL_REQ_ATTR_CHECK
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

#endif /* FTPALG_COMPAT_H */

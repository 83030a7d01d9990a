/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference lives here.  The FTPALG_HAVE_* macros
 * come from feature probes in kmod/Kbuild (greps of the target kernel's
 * headers), not from version numbers, because distribution and stable
 * kernels backport netfilter changes.
 */
#ifndef FTPALG_COMPAT_H
#define FTPALG_COMPAT_H

#include <linux/random.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_nat_helper.h>

/* The floor: nf_ct_expect_related() with flags, Linux 5.3. */
#ifndef NF_CT_EXP_F_SKIP_MASTER
#error "nf_conntrack_ftpalg needs Linux 5.4 or newer"
#endif

#ifndef FTPALG_HAVE_NAT_EXP_FIND_PORT
/* Before 6.1 every NAT helper open-coded this port search. */
static inline u16 nf_nat_exp_find_port(struct nf_conntrack_expect *exp,
				       u16 port)
{
	int range = USHRT_MAX - port;
	int attempts = min(range, 128);
	u16 min = port;

	for (;;) {
		int res;

		exp->tuple.dst.u.tcp.port = htons(port);
		res = nf_ct_expect_related(exp, 0);
		if (res == 0)
			return port;
		if (res != -EBUSY || --attempts < 0)
			return 0;
		port = min + prandom_u32_max(range);
	}
}
#endif

#endif /* FTPALG_COMPAT_H */

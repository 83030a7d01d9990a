// SPDX-License-Identifier: GPL-2.0
/* nf_ct_helper_init() without port and id arguments: helpers have no tuple (7.3). */
#include <net/netfilter/nf_conntrack_helper.h>

static void __maybe_unused ftpalg_probe(struct nf_conntrack_helper *h,
					const struct nf_conntrack_expect_policy *p)
{
	nf_ct_helper_init(h, 2, 6, "probe", p, 0, NULL, NULL, NULL);
}

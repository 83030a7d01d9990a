// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel registers copies of the helpers it is given and returns them,
 * "netfilter: nf_conntrack_helper: dynamically allocate struct
 * nf_conntrack_helper" (2026, 7.2).
 */
#include <net/netfilter/nf_conntrack_helper.h>

static int __maybe_unused ftpalg_probe(struct nf_conntrack_helper *h,
				       struct nf_conntrack_helper **reg)
{
	return nf_conntrack_helpers_register(h, 1, reg);
}

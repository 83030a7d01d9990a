// SPDX-License-Identifier: GPL-2.0
/*
 * nf_ct_exp_is_expired(): expectations reaped by the conntrack GC instead
 * of a timer, "netfilter: nf_conntrack_expect: use conntrack GC to reap
 * expectations" (2026; 6.1.191, 6.12.114 and later).
 */
#include <net/netfilter/nf_conntrack_expect.h>

static bool __maybe_unused ftpalg_probe(const struct nf_conntrack_expect *exp)
{
	return nf_ct_exp_is_expired(exp);
}

// SPDX-License-Identifier: GPL-2.0
/* Expectations with a timer, struct nf_conntrack_expect .timeout: before the GC. */
#include <linux/timer.h>
#include <net/netfilter/nf_conntrack_expect.h>

static bool __maybe_unused ftpalg_probe(const struct nf_conntrack_expect *exp)
{
	return timer_pending(&exp->timeout);
}

// SPDX-License-Identifier: GPL-2.0
/* Per-command generic netlink policies, struct genl_ops .policy: Linux 5.10. */
#include <net/genetlink.h>

static const struct nla_policy ftpalg_probe_policy[2];

static const struct genl_ops ftpalg_probe __maybe_unused = {
	.policy		= ftpalg_probe_policy,
	.maxattr	= 1,
};

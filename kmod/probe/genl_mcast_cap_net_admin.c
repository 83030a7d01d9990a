// SPDX-License-Identifier: GPL-2.0
/* GENL_MCAST_CAP_NET_ADMIN: Linux 6.7 and stable backports. */
#include <net/genetlink.h>

static const struct genl_multicast_group ftpalg_probe_grp __maybe_unused = {
	.name = "probe",
	.flags = GENL_MCAST_CAP_NET_ADMIN,
};

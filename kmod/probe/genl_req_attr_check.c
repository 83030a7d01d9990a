// SPDX-License-Identifier: GPL-2.0
/* GENL_REQ_ATTR_CHECK(): Linux 6.0. */
#include <net/genetlink.h>

static bool __maybe_unused ftpalg_probe(struct genl_info *info)
{
	return GENL_REQ_ATTR_CHECK(info, 1);
}

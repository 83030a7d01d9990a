// SPDX-License-Identifier: GPL-2.0
/* get_random_u32_below(): Linux 6.2, and 6.1 stable. */
#include <linux/random.h>

static u32 __maybe_unused ftpalg_probe(void)
{
	return get_random_u32_below(10);
}

// SPDX-License-Identifier: GPL-2.0
/* Sanity: the probes compile at all against this kernel (see Kbuild). */
#include <linux/kernel.h>
#include <linux/module.h>

static int __maybe_unused ftpalg_probe(void)
{
	return 0;
}

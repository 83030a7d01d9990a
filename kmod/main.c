// SPDX-License-Identifier: GPL-2.0
/*
 * nf_conntrack_ftpalg: FTP application-layer gateway for netfilter.
 *
 * Module glue: parameters, per-namespace counters and helper registration.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "ftpalg.h"

static unsigned int expect_timeout __read_mostly = 120;
module_param(expect_timeout, uint, 0444);
MODULE_PARM_DESC(expect_timeout,
		 "seconds a data connection may take to arrive (default 120)");

static unsigned int max_expected __read_mostly = 4;
module_param(max_expected, uint, 0444);
MODULE_PARM_DESC(max_expected,
		 "pending data connections per control connection (default 4)");

unsigned int ftpalg_net_id __read_mostly;

static const char *const ftpalg_stat_names[FTPALG_STAT_MAX] = {
	[FTPALG_STAT_CMD_PORT]		= "cmd_port",
	[FTPALG_STAT_CMD_EPRT]		= "cmd_eprt",
	[FTPALG_STAT_REPLY_PASV]	= "reply_pasv",
	[FTPALG_STAT_REPLY_EPSV]	= "reply_epsv",
	[FTPALG_STAT_MALFORMED]		= "malformed",
	[FTPALG_STAT_FOREIGN_ADDR]	= "foreign_addr",
	[FTPALG_STAT_EXPECT_CREATED]	= "expect_created",
	[FTPALG_STAT_EXPECT_FAILED]	= "expect_failed",
	[FTPALG_STAT_NAT_REWRITE]	= "nat_rewrite",
	[FTPALG_STAT_NAT_NO_PORT]	= "nat_no_port",
	[FTPALG_STAT_NAT_FAILED]	= "nat_failed",
	[FTPALG_STAT_NAT_HOLD]		= "nat_hold",
	[FTPALG_STAT_REASSEMBLED]	= "reassembled",
	[FTPALG_STAT_OVERLONG]		= "overlong",
	[FTPALG_STAT_DESYNC]		= "desync",
	[FTPALG_STAT_NOMEM]		= "nomem",
};

static int ftpalg_stats_show(struct seq_file *seq, void *v)
{
	const struct ftpalg_net *fn = ftpalg_pernet(seq_file_single_net(seq));
	unsigned int i;
	int cpu;

	for (i = 0; i < FTPALG_STAT_MAX; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(fn->stats, cpu)->cnt[i];
		seq_printf(seq, "%s %llu\n", ftpalg_stat_names[i], sum);
	}
	return 0;
}

static int __net_init ftpalg_net_init(struct net *net)
{
	struct ftpalg_net *fn = ftpalg_pernet(net);

	fn->stats = alloc_percpu(struct ftpalg_stats);
	if (!fn->stats)
		return -ENOMEM;

	if (!proc_create_net_single(FTPALG_NAME, 0444, net->proc_net_stat,
				    ftpalg_stats_show, NULL)) {
		free_percpu(fn->stats);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit ftpalg_net_exit(struct net *net)
{
	remove_proc_entry(FTPALG_NAME, net->proc_net_stat);
	free_percpu(ftpalg_pernet(net)->stats);
}

static struct pernet_operations ftpalg_net_ops = {
	.init	= ftpalg_net_init,
	.exit	= ftpalg_net_exit,
	.id	= &ftpalg_net_id,
	.size	= sizeof(struct ftpalg_net),
};

static struct nf_conntrack_expect_policy ftpalg_exp_policy __read_mostly;
static struct nf_conntrack_helper ftpalg_helpers[2] __read_mostly;

static void __init ftpalg_helper_init(struct nf_conntrack_helper *h, u16 l3num)
{
	/*
	 * Tuple port 0: the kernel refuses a second helper with the same
	 * (family, TCP, port) tuple, and nf_conntrack_ftp owns port 21.
	 * Since 5.x helpers are attached by name only, so the port is
	 * otherwise unused.
	 */
	nf_ct_helper_init(h, l3num, IPPROTO_TCP, FTPALG_NAME, 0, 0, 0,
			  &ftpalg_exp_policy, 0, ftpalg_help, NULL,
			  THIS_MODULE);
	h->destroy = ftpalg_destroy;
}

static int __init ftpalg_init(void)
{
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(ftpalg_stat_names) != FTPALG_STAT_MAX);

	if (!expect_timeout || !max_expected ||
	    max_expected > NF_CT_EXPECT_MAX_CNT) {
		pr_err("expect_timeout must be > 0 and max_expected 1..%u\n",
		       NF_CT_EXPECT_MAX_CNT);
		return -EINVAL;
	}
	ftpalg_exp_policy.timeout = expect_timeout;
	ftpalg_exp_policy.max_expected = max_expected;
	ftpalg_locks_init();

	ret = register_pernet_subsys(&ftpalg_net_ops);
	if (ret < 0)
		goto err_out;

	ftpalg_helper_init(&ftpalg_helpers[0], AF_INET);
	ftpalg_helper_init(&ftpalg_helpers[1], AF_INET6);
	ret = nf_conntrack_helpers_register(ftpalg_helpers,
					    ARRAY_SIZE(ftpalg_helpers));
	if (ret < 0) {
		pr_err("cannot register conntrack helper: %d\n", ret);
		goto err_pernet;
	}
	return 0;

err_pernet:
	unregister_pernet_subsys(&ftpalg_net_ops);
err_out:
	return ret;
}

static void __exit ftpalg_exit(void)
{
	ftpalg_release_all(ftpalg_helpers, ARRAY_SIZE(ftpalg_helpers));
	nf_conntrack_helpers_unregister(ftpalg_helpers,
					ARRAY_SIZE(ftpalg_helpers));
	unregister_pernet_subsys(&ftpalg_net_ops);
}

module_init(ftpalg_init);
module_exit(ftpalg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FTP application-layer gateway: conntrack helper \"ftpalg\"");
MODULE_VERSION(FTPALG_VERSION);
MODULE_ALIAS_NFCT_HELPER(FTPALG_NAME);

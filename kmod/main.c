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
#include "ftpalg_names.h"

static unsigned int expect_timeout __read_mostly = 120;
module_param(expect_timeout, uint, 0444);
MODULE_PARM_DESC(expect_timeout,
		 "seconds a data connection may take to arrive (default 120)");

static unsigned int max_expected __read_mostly = 4;
module_param(max_expected, uint, 0444);
MODULE_PARM_DESC(max_expected,
		 "pending data connections per control connection (default 4)");

unsigned int ftpalg_net_id __read_mostly;

static const char *const ftpalg_stat_names[] = FTPALG_STAT_NAMES;

u64 ftpalg_stat_sum(const struct ftpalg_net *fn, unsigned int idx)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(fn->stats, cpu)->cnt[idx]);
	return sum;
}

void ftpalg_stats_reset(struct ftpalg_net *fn)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(fn->stats, cpu), 0, sizeof(struct ftpalg_stats));
}

static int ftpalg_stats_show(struct seq_file *seq, void *v)
{
	const struct ftpalg_net *fn = ftpalg_pernet(seq_file_single_net(seq));
	unsigned int i;

	for (i = 0; i <= FTPALG_STAT_MAX; i++)
		seq_printf(seq, "%s %llu\n", ftpalg_stat_names[i],
			   ftpalg_stat_sum(fn, i));
	return 0;
}

static int __net_init ftpalg_net_init(struct net *net)
{
	struct ftpalg_net *fn = ftpalg_pernet(net);
	int ret = -ENOMEM;

	fn->stats = alloc_percpu(struct ftpalg_stats);
	if (!fn->stats)
		goto err_out;
	ret = ftpalg_policy_net_init(net);
	if (ret)
		goto err_stats;
	ret = -ENOMEM;
	if (!proc_create_net_single(FTPALG_HELPER_NAME, 0444, net->proc_net_stat,
				    ftpalg_stats_show, NULL))
		goto err_policy;
	/* events are for people: a burst of 20, then one a second */
	ratelimit_state_init(&fn->event_rs, HZ, 20);
	ratelimit_set_flags(&fn->event_rs, RATELIMIT_MSG_ON_RELEASE);
	/* the first count may come at once */
	fn->exp_counted_at = jiffies - FTPALG_EXPECT_RECOUNT;
	return 0;

err_policy:
	ftpalg_policy_net_exit(net);
err_stats:
	free_percpu(fn->stats);
err_out:
	return ret;
}

static void __net_exit ftpalg_net_exit(struct net *net)
{
	remove_proc_entry(FTPALG_HELPER_NAME, net->proc_net_stat);
	ftpalg_policy_net_exit(net);
	free_percpu(ftpalg_pernet(net)->stats);
}

static struct pernet_operations ftpalg_net_ops = {
	.init	= ftpalg_net_init,
	.exit	= ftpalg_net_exit,
	.id	= &ftpalg_net_id,
	.size	= sizeof(struct ftpalg_net),
};

static struct nf_conntrack_expect_policy
ftpalg_exp_policy[FTPALG_EXP_CLASSES] __read_mostly = {
	[FTPALG_EXP_PASSIVE]	= { .name = "passive" },
	[FTPALG_EXP_ACTIVE]	= { .name = "active" },
};

static struct nf_conntrack_helper ftpalg_helpers[2] __read_mostly;
/* what the kernel registered: ftpalg_helpers, or copies (compat.h) */
static struct nf_conntrack_helper *ftpalg_registered[2] __read_mostly;

unsigned int ftpalg_max_expected(void)
{
	return max_expected;
}

bool ftpalg_is_ours(const struct nf_conntrack_helper *h)
{
	return h && (h == READ_ONCE(ftpalg_registered[0]) ||
		     h == READ_ONCE(ftpalg_registered[1]));
}

static void __init ftpalg_helper_init(struct nf_conntrack_helper *h, u16 l3num)
{
	/* no tuple port, so as not to collide with nf_conntrack_ftp (compat.h) */
	ftpalg_ct_helper_init(h, l3num, IPPROTO_TCP, FTPALG_HELPER_NAME,
			      ftpalg_exp_policy, FTPALG_EXP_CLASSES - 1,
			      ftpalg_help, NULL, THIS_MODULE);
	h->destroy = ftpalg_destroy;
}

static int __init ftpalg_init(void)
{
	unsigned int i;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(ftpalg_stat_names) != FTPALG_STAT_MAX + 1);

	if (!expect_timeout || !max_expected ||
	    max_expected > NF_CT_EXPECT_MAX_CNT) {
		pr_err("expect_timeout must be > 0 and max_expected 1..%u\n",
		       NF_CT_EXPECT_MAX_CNT);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(ftpalg_exp_policy); i++) {
		ftpalg_exp_policy[i].timeout = expect_timeout;
		ftpalg_exp_policy[i].max_expected = max_expected;
	}
	ret = ftpalg_policy_params_init();
	if (ret)
		return ret;
	ret = ftpalg_segments_init();
	if (ret)
		goto err_out;

	ret = register_pernet_subsys(&ftpalg_net_ops);
	if (ret < 0)
		goto err_segments;

	ftpalg_helper_init(&ftpalg_helpers[0], AF_INET);
	ftpalg_helper_init(&ftpalg_helpers[1], AF_INET6);
	ret = ftpalg_helpers_register(ftpalg_helpers, ftpalg_registered,
				      ARRAY_SIZE(ftpalg_helpers));
	if (ret < 0) {
		pr_err("cannot register conntrack helper: %d\n", ret);
		goto err_pernet;
	}
	ret = ftpalg_genl_init();
	if (ret < 0) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		goto err_helpers;
	}
	return 0;

err_helpers:
	ftpalg_release_all();
	ftpalg_helpers_unregister(ftpalg_registered,
				  ARRAY_SIZE(ftpalg_registered));
err_pernet:
	unregister_pernet_subsys(&ftpalg_net_ops);
err_segments:
	ftpalg_segments_exit();
err_out:
	return ret;
}

static void __exit ftpalg_exit(void)
{
	ftpalg_genl_exit();
	ftpalg_release_all();
	ftpalg_helpers_unregister(ftpalg_registered,
				  ARRAY_SIZE(ftpalg_registered));
	unregister_pernet_subsys(&ftpalg_net_ops);
	ftpalg_segments_exit();
}

module_init(ftpalg_init);
module_exit(ftpalg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FTP application-layer gateway: conntrack helper \"ftpalg\"");
MODULE_VERSION(FTPALG_VERSION);
MODULE_ALIAS_NFCT_HELPER(FTPALG_HELPER_NAME);
MODULE_ALIAS_GENL_FAMILY(FTPALG_GENL_NAME);

// SPDX-License-Identifier: GPL-2.0
/*
 * nf_conntrack_ftpalg: FTP application-layer gateway for netfilter.
 *
 * The module's init and exit sequence, and the per-namespace state
 * every part uses: counters, policy, rate limits.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "ftpalg.h"
#include "ftpalg_names.h"

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
		memset(per_cpu_ptr(fn->stats, cpu), 0,
		       sizeof(struct ftpalg_cpu_stats));
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

	fn->stats = alloc_percpu(struct ftpalg_cpu_stats);
	if (!fn->stats)
		goto err_out;
	ret = ftpalg_policy_net_init(net);
	if (ret)
		goto err_stats;
	ret = -ENOMEM;
	if (!proc_create_net_single(FTPALG_HELPER_NAME, 0444, net->proc_net_stat,
				    ftpalg_stats_show, NULL))
		goto err_policy;
	ftpalg_sync_net_init(net, fn);
	/* events are for people: a burst of 20, then one a second */
	ratelimit_state_init(&fn->event_rs, HZ, 20);
	ratelimit_set_flags(&fn->event_rs, RATELIMIT_MSG_ON_RELEASE);
	/* so are log lines: the kernel's defaults, 10 per 5 seconds */
	ratelimit_state_init(&fn->log_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	ratelimit_set_flags(&fn->log_rs, RATELIMIT_MSG_ON_RELEASE);
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
	struct ftpalg_net *fn = ftpalg_pernet(net);

	ftpalg_sync_net_exit(fn);
	remove_proc_entry(FTPALG_HELPER_NAME, net->proc_net_stat);
	ftpalg_policy_net_exit(net);
	free_percpu(fn->stats);
}

static struct pernet_operations ftpalg_net_ops = {
	.init	= ftpalg_net_init,
	.exit	= ftpalg_net_exit,
	.id	= &ftpalg_net_id,
	.size	= sizeof(struct ftpalg_net),
};

/*
 * The packet path starts last and stops first: while it runs it sends
 * events through the family and uses the namespaces' state.
 */
static int __init ftpalg_init(void)
{
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(ftpalg_stat_names) != FTPALG_STAT_MAX + 1);

	ret = ftpalg_policy_params_init();
	if (ret)
		return ret;
	ret = ftpalg_segments_init();
	if (ret)
		goto err_out;

	ret = register_pernet_subsys(&ftpalg_net_ops);
	if (ret < 0)
		goto err_segments;

	ret = ftpalg_expect_init();
	if (ret < 0)
		goto err_pernet;

	ret = ftpalg_genl_init();
	if (ret < 0) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		goto err_expect;
	}

	ret = ftpalg_helper_register();
	if (ret < 0) {
		pr_err("cannot register conntrack helper: %d\n", ret);
		goto err_genl;
	}
	return 0;

err_genl:
	ftpalg_genl_exit();
err_expect:
	ftpalg_expect_exit();
err_pernet:
	unregister_pernet_subsys(&ftpalg_net_ops);
err_segments:
	ftpalg_segments_exit();
err_out:
	return ret;
}

static void __exit ftpalg_exit(void)
{
	ftpalg_helper_unregister();
	ftpalg_genl_exit();
	ftpalg_expect_exit();
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

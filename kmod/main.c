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

/*
 * At most a day: the kernel adds expect_timeout * HZ to a 32-bit jiffies
 * deadline that must stay less than 2^31 jiffies ahead.
 */
#define FTPALG_EXPECT_TIMEOUT_MAX	86400

static unsigned int expect_timeout __read_mostly = 120;
static unsigned int max_expected __read_mostly = 4;

static struct nf_conntrack_expect_policy
ftpalg_exp_policy[FTPALG_EXP_CLASSES] __read_mostly = {
	[FTPALG_EXP_PASSIVE]	= { .name = "passive" },
	[FTPALG_EXP_ACTIVE]	= { .name = "active" },
};

/* Expectations created from now on use the parameters' values. */
static void ftpalg_exp_policy_update(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ftpalg_exp_policy); i++) {
		WRITE_ONCE(ftpalg_exp_policy[i].timeout, expect_timeout);
		WRITE_ONCE(ftpalg_exp_policy[i].max_expected, max_expected);
	}
}

/*
 * Set an unsigned int parameter to @val if it is a number in [@min, @max],
 * at load time and on writes to /sys/module/.../parameters.
 */
int ftpalg_param_uint(const char *val, const struct kernel_param *kp,
		      unsigned int min, unsigned int max)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < min || n > max) {
		pr_warn("%s must be a number from %u to %u\n", kp->name, min, max);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}

static int ftpalg_set_expect_timeout(const char *val,
				     const struct kernel_param *kp)
{
	int ret = ftpalg_param_uint(val, kp, 1, FTPALG_EXPECT_TIMEOUT_MAX);

	if (!ret)
		ftpalg_exp_policy_update();
	return ret;
}

static const struct kernel_param_ops ftpalg_expect_timeout_ops = {
	.set	= ftpalg_set_expect_timeout,
	.get	= param_get_uint,
};

module_param_cb(expect_timeout, &ftpalg_expect_timeout_ops, &expect_timeout,
		0644);
__MODULE_PARM_TYPE(expect_timeout, "uint");
MODULE_PARM_DESC(expect_timeout,
		 "seconds a data connection may take to arrive, 1..86400 (default 120)");

static int ftpalg_set_max_expected(const char *val,
				   const struct kernel_param *kp)
{
	int ret = ftpalg_param_uint(val, kp, 1, NF_CT_EXPECT_MAX_CNT);

	if (!ret)
		ftpalg_exp_policy_update();
	return ret;
}

static const struct kernel_param_ops ftpalg_max_expected_ops = {
	.set	= ftpalg_set_max_expected,
	.get	= param_get_uint,
};

module_param_cb(max_expected, &ftpalg_max_expected_ops, &max_expected, 0644);
__MODULE_PARM_TYPE(max_expected, "uint");
MODULE_PARM_DESC(max_expected,
		 "pending data connections per control connection and mode, 1..255 (default 4)");

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
	ret = ftpalg_expect_net_init(fn);
	if (ret)
		goto err_proc;
	ftpalg_nat_net_init(net, fn);
	/* events are for people: a burst of 20, then one a second */
	ratelimit_state_init(&fn->event_rs, HZ, 20);
	ratelimit_set_flags(&fn->event_rs, RATELIMIT_MSG_ON_RELEASE);
	/* so are log lines: the kernel's defaults, 10 per 5 seconds */
	ratelimit_state_init(&fn->log_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	ratelimit_set_flags(&fn->log_rs, RATELIMIT_MSG_ON_RELEASE);
	return 0;

err_proc:
	remove_proc_entry(FTPALG_HELPER_NAME, net->proc_net_stat);
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

	ftpalg_nat_net_exit(fn);
	ftpalg_expect_net_exit(fn);
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

static struct nf_conntrack_helper ftpalg_helpers[2] __read_mostly;
/* what the kernel registered: ftpalg_helpers, or copies (compat.h) */
static struct nf_conntrack_helper *ftpalg_registered[2] __read_mostly;

unsigned int ftpalg_max_expected(void)
{
	return READ_ONCE(max_expected);
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
			      ftpalg_help, ftpalg_sync_from_nlattr, THIS_MODULE);
	h->to_nlattr = ftpalg_sync_to_nlattr;
	h->destroy = ftpalg_destroy;
}

/*
 * The packet path starts last and stops first: while it runs it sends
 * events through the family and uses the namespaces' state.
 */
static int __init ftpalg_init(void)
{
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(ftpalg_stat_names) != FTPALG_STAT_MAX + 1);

	/* the parameters' set callbacks checked their ranges */
	ftpalg_exp_policy_update();
	ret = ftpalg_policy_params_init();
	if (ret)
		return ret;
	ret = ftpalg_segments_init();
	if (ret)
		goto err_out;

	ret = register_pernet_subsys(&ftpalg_net_ops);
	if (ret < 0)
		goto err_segments;

	ret = ftpalg_genl_init();
	if (ret < 0) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		goto err_pernet;
	}

	ftpalg_helper_init(&ftpalg_helpers[0], AF_INET);
	ftpalg_helper_init(&ftpalg_helpers[1], AF_INET6);
	ret = ftpalg_helpers_register(ftpalg_helpers, ftpalg_registered,
				      ARRAY_SIZE(ftpalg_helpers));
	if (ret < 0) {
		pr_err("cannot register conntrack helper: %d\n", ret);
		goto err_genl;
	}
	return 0;

err_genl:
	ftpalg_genl_exit();
err_pernet:
	unregister_pernet_subsys(&ftpalg_net_ops);
err_segments:
	ftpalg_segments_exit();
err_out:
	return ret;
}

static void __exit ftpalg_exit(void)
{
	ftpalg_release_all();
	ftpalg_helpers_unregister(ftpalg_registered,
				  ARRAY_SIZE(ftpalg_registered));
	ftpalg_genl_exit();
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

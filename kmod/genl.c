// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "ftpalg": policy get/set/delete, counters, and a
 * multicast group for refusal events.  See include/uapi/linux/ftpalg.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ratelimit.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "ftpalg.h"

static const struct nla_policy ftpalg_scope_nl_policy[FTPALG_SCOPE_A_MAX + 1] = {
	[FTPALG_SCOPE_A_FAMILY]		= { .type = NLA_U8 },
	[FTPALG_SCOPE_A_ADDR]		= NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[FTPALG_SCOPE_A_PREFIXLEN]	= NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy ftpalg_policy_nl_policy[FTPALG_POLICY_A_MAX + 1] = {
	[FTPALG_POLICY_A_ACTIVE]	= NLA_POLICY_MAX(NLA_U8, 1),
	[FTPALG_POLICY_A_BOUNCE]	= NLA_POLICY_MAX(NLA_U8, FTPALG_BOUNCE_ALLOW),
	[FTPALG_POLICY_A_MIN_PORT]	= { .type = NLA_U16 },
	[FTPALG_POLICY_A_PASSIVE_MIN]	= { .type = NLA_U16 },
	[FTPALG_POLICY_A_PASSIVE_MAX]	= { .type = NLA_U16 },
	[FTPALG_POLICY_A_PASSIVE_MAP]	= NLA_POLICY_MAX(NLA_U8, 1),
	[FTPALG_POLICY_A_ACTION]	= NLA_POLICY_MAX(NLA_U8, FTPALG_ACTION_RESET),
};

static const struct nla_policy ftpalg_set_nl_policy[FTPALG_A_MAX + 1] = {
	[FTPALG_A_SCOPE]	= NLA_POLICY_NESTED(ftpalg_scope_nl_policy),
	[FTPALG_A_POLICY]	= NLA_POLICY_NESTED(ftpalg_policy_nl_policy),
};

static const struct nla_policy ftpalg_del_nl_policy[FTPALG_A_MAX + 1] = {
	[FTPALG_A_SCOPE]	= NLA_POLICY_NESTED(ftpalg_scope_nl_policy),
};

/* Each entry of FTPALG_A_SCOPES is what FTPALG_CMD_SET_POLICY takes. */
static const struct nla_policy ftpalg_replace_nl_policy[FTPALG_A_MAX + 1] = {
	[FTPALG_A_POLICY]	= NLA_POLICY_NESTED(ftpalg_policy_nl_policy),
	[FTPALG_A_SCOPES]	= NLA_POLICY_NESTED_ARRAY(ftpalg_set_nl_policy),
};

static struct genl_family ftpalg_family;

static int ftpalg_put_addr(struct sk_buff *skb, int type, u8 family,
			   const union nf_inet_addr *addr)
{
	return nla_put(skb, type, family == NFPROTO_IPV4 ?
		       sizeof(addr->ip) : sizeof(addr->in6), addr);
}

static int ftpalg_put_scope(struct sk_buff *skb, int type,
			    const struct ftpalg_scope *sc)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u8(skb, FTPALG_SCOPE_A_FAMILY, sc->family) ||
	    ftpalg_put_addr(skb, FTPALG_SCOPE_A_ADDR, sc->family, &sc->addr) ||
	    nla_put_u8(skb, FTPALG_SCOPE_A_PREFIXLEN, sc->prefixlen))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int ftpalg_put_policy(struct sk_buff *skb,
			     const struct ftpalg_policy *pol, u16 keys)
{
	struct nlattr *nest = nla_nest_start(skb, FTPALG_A_POLICY);

	if (!nest)
		return -EMSGSIZE;
	if ((keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_ACTIVE) &&
	     nla_put_u8(skb, FTPALG_POLICY_A_ACTIVE, pol->active)) ||
	    (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_BOUNCE) &&
	     nla_put_u8(skb, FTPALG_POLICY_A_BOUNCE, pol->bounce)) ||
	    (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_MIN_PORT) &&
	     nla_put_u16(skb, FTPALG_POLICY_A_MIN_PORT, pol->min_port)) ||
	    (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_PASSIVE_MIN) &&
	     (nla_put_u16(skb, FTPALG_POLICY_A_PASSIVE_MIN, pol->passive_min) ||
	      nla_put_u16(skb, FTPALG_POLICY_A_PASSIVE_MAX, pol->passive_max))) ||
	    (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_PASSIVE_MAP) &&
	     nla_put_u8(skb, FTPALG_POLICY_A_PASSIVE_MAP, pol->passive_map)) ||
	    (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_ACTION) &&
	     nla_put_u8(skb, FTPALG_POLICY_A_ACTION, pol->action)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Entry @idx of the table: 0 is the default, then the scopes. */
static int ftpalg_fill_entry(struct sk_buff *skb, u32 portid, u32 seq,
			     int flags, const struct ftpalg_policy_table *t,
			     unsigned int idx)
{
	const struct ftpalg_scope *sc = idx ? &t->scopes[idx - 1] : NULL;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ftpalg_family, flags,
			  FTPALG_CMD_GET_POLICY);
	if (!hdr)
		return -EMSGSIZE;
	if ((sc && ftpalg_put_scope(skb, FTPALG_A_SCOPE, sc)) ||
	    ftpalg_put_policy(skb, sc ? &sc->pol : &t->def,
			      sc ? sc->keys : FTPALG_POLICY_KEYS_ALL)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int ftpalg_get_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct ftpalg_net *fn = ftpalg_pernet(genl_info_net(info));
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	ret = ftpalg_fill_entry(msg, info->snd_portid, info->snd_seq, 0,
				rcu_dereference(fn->policy), 0);
	rcu_read_unlock();
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int ftpalg_get_policy_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	const struct ftpalg_net *fn = ftpalg_pernet(sock_net(skb->sk));
	const struct ftpalg_policy_table *t;
	unsigned int idx = cb->args[0];

	rcu_read_lock();
	t = rcu_dereference(fn->policy);
	for (; idx <= t->n; idx++)
		if (ftpalg_fill_entry(skb, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI, t, idx))
			break;
	rcu_read_unlock();
	cb->args[0] = idx;
	return skb->len;
}

static int ftpalg_parse_scope(const struct nlattr *nest, struct ftpalg_scope *sc,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FTPALG_SCOPE_A_MAX + 1];
	unsigned int len, maxlen;
	int ret;

	ret = nla_parse_nested(tb, FTPALG_SCOPE_A_MAX, nest,
			       ftpalg_scope_nl_policy, extack);
	if (ret)
		return ret;
	if (!tb[FTPALG_SCOPE_A_FAMILY] || !tb[FTPALG_SCOPE_A_ADDR] ||
	    !tb[FTPALG_SCOPE_A_PREFIXLEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "scope needs family, address and prefix length");
		return -EINVAL;
	}
	memset(sc, 0, sizeof(*sc));
	sc->family = nla_get_u8(tb[FTPALG_SCOPE_A_FAMILY]);
	sc->prefixlen = nla_get_u8(tb[FTPALG_SCOPE_A_PREFIXLEN]);
	len = nla_len(tb[FTPALG_SCOPE_A_ADDR]);
	if (sc->family == NFPROTO_IPV4) {
		len = len == sizeof(sc->addr.ip) ? len : 0;
		maxlen = 32;
	} else if (sc->family == NFPROTO_IPV6) {
		len = len == sizeof(sc->addr.in6) ? len : 0;
		maxlen = 128;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, tb[FTPALG_SCOPE_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (!len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FTPALG_SCOPE_A_ADDR],
				    "address length does not match the family");
		return -EINVAL;
	}
	if (sc->prefixlen > maxlen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FTPALG_SCOPE_A_PREFIXLEN],
				    "prefix length too long for the family");
		return -EINVAL;
	}
	nla_memcpy(&sc->addr, tb[FTPALG_SCOPE_A_ADDR], len);
	if (!ftpalg_scope_host_bits_clear(sc)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FTPALG_SCOPE_A_ADDR],
				    "address has host bits set beyond the prefix");
		return -EINVAL;
	}
	return 0;
}

static int ftpalg_parse_policy(const struct nlattr *nest,
			       struct ftpalg_policy *pol, u16 *keys,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FTPALG_POLICY_A_MAX + 1];
	unsigned int i;
	int ret;

	ret = nla_parse_nested(tb, FTPALG_POLICY_A_MAX, nest,
			       ftpalg_policy_nl_policy, extack);
	if (ret)
		return ret;

	*keys = 0;
	for (i = 1; i <= FTPALG_POLICY_A_MAX; i++)
		if (tb[i])
			*keys |= FTPALG_POLICY_KEY(i);
	if (!*keys) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "no policy key given");
		return -EINVAL;
	}
	if (!tb[FTPALG_POLICY_A_PASSIVE_MIN] != !tb[FTPALG_POLICY_A_PASSIVE_MAX]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "passive window needs both ends");
		return -EINVAL;
	}
	memset(pol, 0, sizeof(*pol));
	if (tb[FTPALG_POLICY_A_ACTIVE])
		pol->active = nla_get_u8(tb[FTPALG_POLICY_A_ACTIVE]);
	if (tb[FTPALG_POLICY_A_BOUNCE])
		pol->bounce = nla_get_u8(tb[FTPALG_POLICY_A_BOUNCE]);
	if (tb[FTPALG_POLICY_A_MIN_PORT])
		pol->min_port = nla_get_u16(tb[FTPALG_POLICY_A_MIN_PORT]);
	if (tb[FTPALG_POLICY_A_PASSIVE_MIN]) {
		pol->passive_min = nla_get_u16(tb[FTPALG_POLICY_A_PASSIVE_MIN]);
		pol->passive_max = nla_get_u16(tb[FTPALG_POLICY_A_PASSIVE_MAX]);
		if (pol->passive_min > pol->passive_max ||
		    (!pol->passive_min && pol->passive_max)) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[FTPALG_POLICY_A_PASSIVE_MIN],
					    "passive window must be 1 <= min <= max, or 0-0 for any");
			return -EINVAL;
		}
	}
	if (tb[FTPALG_POLICY_A_PASSIVE_MAP])
		pol->passive_map = nla_get_u8(tb[FTPALG_POLICY_A_PASSIVE_MAP]);
	if (tb[FTPALG_POLICY_A_ACTION])
		pol->action = nla_get_u8(tb[FTPALG_POLICY_A_ACTION]);
	return 0;
}

static int ftpalg_set_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftpalg_scope scope, *sc = NULL;
	struct ftpalg_policy pol;
	u16 keys;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, FTPALG_A_POLICY))
		return -EINVAL;
	if (info->attrs[FTPALG_A_SCOPE]) {
		ret = ftpalg_parse_scope(info->attrs[FTPALG_A_SCOPE], &scope,
					 info->extack);
		if (ret)
			return ret;
		sc = &scope;
	}
	ret = ftpalg_parse_policy(info->attrs[FTPALG_A_POLICY], &pol, &keys,
				  info->extack);
	if (ret)
		return ret;
	ret = ftpalg_policy_set(genl_info_net(info), sc, &pol, keys);
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "too many scopes");
	return ret;
}

static int ftpalg_del_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftpalg_scope scope;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, FTPALG_A_SCOPE))
		return -EINVAL;
	ret = ftpalg_parse_scope(info->attrs[FTPALG_A_SCOPE], &scope,
				 info->extack);
	if (ret)
		return ret;
	ret = ftpalg_policy_del(genl_info_net(info), &scope);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FTPALG_A_SCOPE],
				    "no such scope");
	return ret;
}

/* One entry of FTPALG_A_SCOPES into @sc. */
static int ftpalg_parse_scope_entry(const struct nlattr *entry,
				    struct ftpalg_scope *sc,
				    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FTPALG_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, FTPALG_A_MAX, entry, ftpalg_set_nl_policy,
			       extack);
	if (ret)
		return ret;
	if (!tb[FTPALG_A_SCOPE] || !tb[FTPALG_A_POLICY]) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "scope entry needs a scope and a policy");
		return -EINVAL;
	}
	ret = ftpalg_parse_scope(tb[FTPALG_A_SCOPE], sc, extack);
	if (ret)
		return ret;
	return ftpalg_parse_policy(tb[FTPALG_A_POLICY], &sc->pol, &sc->keys,
				   extack);
}

/* The whole table is built and checked first: on any error nothing changes. */
static int ftpalg_replace_policy_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	const struct nlattr *scopes = info->attrs[FTPALG_A_SCOPES];
	const struct nlattr *entry;
	struct ftpalg_policy_table *t;
	struct ftpalg_policy pol;
	unsigned int n = 0;
	int rem, ret = 0;
	u16 keys;

	if (scopes)
		nla_for_each_nested(entry, scopes, rem)
			n++;
	if (n > FTPALG_MAX_SCOPES) {
		NL_SET_ERR_MSG_ATTR(info->extack, scopes, "too many scopes");
		return -ENOSPC;
	}
	t = ftpalg_policy_table_new(n);
	if (!t)
		return -ENOMEM;
	if (info->attrs[FTPALG_A_POLICY]) {
		ret = ftpalg_parse_policy(info->attrs[FTPALG_A_POLICY], &pol,
					  &keys, info->extack);
		if (ret)
			goto err;
		ftpalg_policy_overlay(&t->def, &pol, keys);
	}
	if (scopes) {
		nla_for_each_nested(entry, scopes, rem) {
			ret = ftpalg_parse_scope_entry(entry, &t->scopes[t->n],
						       info->extack);
			if (ret)
				goto err;
			t->n++;
		}
	}
	ret = ftpalg_policy_replace(genl_info_net(info), t);
	if (ret == -EEXIST) {
		NL_SET_ERR_MSG_ATTR(info->extack, scopes,
				    "a scope is given twice");
		goto err;
	}
	return ret;
err:
	kfree(t);
	return ret;
}

static int ftpalg_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct ftpalg_net *fn = ftpalg_pernet(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ftpalg_family, 0,
				FTPALG_CMD_GET_STATS);
	nest = hdr ? nla_nest_start(msg, FTPALG_A_STATS) : NULL;
	if (!nest)
		goto nospace;
	for (i = 0; i <= FTPALG_STAT_MAX; i++)
		/* type 0 is padding */
		if (nla_put_u64_64bit(msg, i + 1, ftpalg_stat_sum(fn, i), 0))
			goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ftpalg_reset_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	ftpalg_stats_reset(ftpalg_pernet(genl_info_net(info)));
	return 0;
}

static const struct genl_ops ftpalg_genl_ops[] = {
	{
		.cmd	= FTPALG_CMD_GET_POLICY,
		.doit	= ftpalg_get_policy_doit,
		.dumpit	= ftpalg_get_policy_dumpit,
	},
	{
		.cmd	= FTPALG_CMD_SET_POLICY,
		.doit	= ftpalg_set_policy_doit,
		.policy	= ftpalg_set_nl_policy,
		.maxattr = FTPALG_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= FTPALG_CMD_DEL_POLICY,
		.doit	= ftpalg_del_policy_doit,
		.policy	= ftpalg_del_nl_policy,
		.maxattr = FTPALG_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= FTPALG_CMD_REPLACE_POLICY,
		.doit	= ftpalg_replace_policy_doit,
		.policy	= ftpalg_replace_nl_policy,
		.maxattr = FTPALG_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= FTPALG_CMD_GET_STATS,
		.doit	= ftpalg_get_stats_doit,
	},
	{
		.cmd	= FTPALG_CMD_RESET_STATS,
		.doit	= ftpalg_reset_stats_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

/*
 * Refusal events name clients, servers and their data ports: only
 * CAP_NET_ADMIN over the namespace may listen (compat.h), as for changing
 * the policy.  Reading the policy and the counters stays open: they say
 * nothing about anyone's connections, and the counters are in the
 * world-readable /proc/net/stat/ftpalg anyway.
 */
static const struct genl_multicast_group ftpalg_mcgrps[] = {
	FTPALG_ADMIN_MCGRP(FTPALG_GENL_MCGRP_EVENTS),
};

static struct genl_family ftpalg_family __ro_after_init = {
	.name		= FTPALG_GENL_NAME,
	.version	= FTPALG_GENL_VERSION,
	.maxattr	= FTPALG_A_MAX,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ftpalg_genl_ops,
	.n_ops		= ARRAY_SIZE(ftpalg_genl_ops),
	.mcgrps		= ftpalg_mcgrps,
	.n_mcgrps	= FTPALG_HAVE_ADMIN_MCGRP ? ARRAY_SIZE(ftpalg_mcgrps) : 0,
};

static int ftpalg_put_event(struct sk_buff *skb, const struct nf_conn *ct,
			    const struct ftpalg_refusal *r)
{
	const struct nf_conntrack_tuple *orig, *reply;
	u8 family = nf_ct_l3num(ct);
	struct nlattr *nest;

	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	nest = nla_nest_start(skb, FTPALG_A_EVENT);
	if (!nest ||
	    nla_put_u8(skb, FTPALG_EVENT_A_REASON, r->reason) ||
	    nla_put_u8(skb, FTPALG_EVENT_A_ACTION, r->action) ||
	    nla_put_u8(skb, FTPALG_EVENT_A_FAMILY, family) ||
	    ftpalg_put_addr(skb, FTPALG_EVENT_A_CLIENT_ADDR, family,
			    &orig->src.u3) ||
	    nla_put_u16(skb, FTPALG_EVENT_A_CLIENT_PORT,
			ntohs(orig->src.u.tcp.port)) ||
	    ftpalg_put_addr(skb, FTPALG_EVENT_A_SERVER_ADDR, family,
			    &reply->src.u3) ||
	    nla_put_u16(skb, FTPALG_EVENT_A_SERVER_PORT,
			ntohs(reply->src.u.tcp.port)) ||
	    (r->data && r->data->family != FTP_FAMILY_NONE &&
	     nla_put(skb, FTPALG_EVENT_A_DATA_ADDR,
		     r->data->family == FTP_FAMILY_IPV4 ? 4 : 16,
		     r->data->addr)) ||
	    (r->data &&
	     nla_put_u16(skb, FTPALG_EVENT_A_DATA_PORT, r->data->port)) ||
	    (r->scope && ftpalg_put_scope(skb, FTPALG_EVENT_A_SCOPE, r->scope)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Rate-limited multicast of a refusal; called from the packet path. */
void ftpalg_genl_event(const struct nf_conn *ct,
		       const struct ftpalg_refusal *r)
{
	struct net *net = nf_ct_net(ct);
	struct sk_buff *skb;
	void *hdr;

	if (!FTPALG_HAVE_ADMIN_MCGRP ||
	    !genl_has_listeners(&ftpalg_family, net, 0) ||
	    !__ratelimit(&ftpalg_pernet(net)->event_rs))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ftpalg_family, 0, FTPALG_CMD_EVENT);
	if (!hdr || ftpalg_put_event(skb, ct, r)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&ftpalg_family, net, skb, 0, 0, GFP_ATOMIC);
}

int __init ftpalg_genl_init(void)
{
	if (!FTPALG_HAVE_ADMIN_MCGRP)
		pr_info("no refusal events: this kernel cannot restrict a multicast group to CAP_NET_ADMIN\n");
	return genl_register_family(&ftpalg_family);
}

void ftpalg_genl_exit(void)
{
	genl_unregister_family(&ftpalg_family);
}

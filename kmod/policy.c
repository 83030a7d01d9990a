// SPDX-License-Identifier: GPL-2.0
/*
 * Policy: what FTP may do through the firewall, per network namespace.
 * Each namespace has a default and overrides for server prefixes; the
 * whole table is replaced under RCU on change, so the packet path reads
 * it without a lock.  Module parameters give every new namespace its
 * default.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inetdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "ftpalg.h"
#include "ftpalg_names.h"

static bool active = true;
module_param(active, bool, 0444);
MODULE_PARM_DESC(active, "allow active FTP (PORT/EPRT) by default (Y)");

static char *bounce = "drop";
module_param(bounce, charp, 0444);
MODULE_PARM_DESC(bounce, "PORT/EPRT to a third party: drop or allow (drop)");

static ushort min_port = 1024;
module_param(min_port, ushort, 0444);
MODULE_PARM_DESC(min_port, "lowest data port allowed (1024)");

/* 0-0: any port */
static u16 passive_min, passive_max;

/* "any", or "LO-HI" with 1 <= LO <= HI <= 65535: each port is range-checked. */
static int ftpalg_set_passive_window(const char *val,
				     const struct kernel_param *kp)
{
	char buf[sizeof("65535-65535")], *hi;
	u16 lo_port, hi_port;

	if (sysfs_streq(val, "any")) {
		passive_min = 0;
		passive_max = 0;
		return 0;
	}
	if (strscpy(buf, val, sizeof(buf)) < 0)
		goto bad;
	hi = strchr(buf, '-');
	if (!hi)
		goto bad;
	*hi++ = '\0';
	if (kstrtou16(buf, 10, &lo_port) || kstrtou16(hi, 10, &hi_port) ||
	    !lo_port || lo_port > hi_port)
		goto bad;
	passive_min = lo_port;
	passive_max = hi_port;
	return 0;
bad:
	pr_warn("%s must be LO-HI with 1 <= LO <= HI <= 65535, or any\n",
		kp->name);
	return -EINVAL;
}

static int ftpalg_get_passive_window(char *buffer,
				     const struct kernel_param *kp)
{
	if (!passive_max)
		return scnprintf(buffer, PAGE_SIZE, "any\n");
	return scnprintf(buffer, PAGE_SIZE, "%u-%u\n", passive_min,
			 passive_max);
}

static const struct kernel_param_ops ftpalg_passive_window_ops = {
	.set	= ftpalg_set_passive_window,
	.get	= ftpalg_get_passive_window,
};

module_param_cb(passive_window, &ftpalg_passive_window_ops, NULL, 0444);
__MODULE_PARM_TYPE(passive_window, "charp");
MODULE_PARM_DESC(passive_window, "passive data ports: LO-HI or any (any)");

static char *action = "drop";
module_param(action, charp, 0444);
MODULE_PARM_DESC(action, "refusal action: drop or reset (drop)");

static struct ftpalg_policy ftpalg_default __read_mostly;

static const char *const ftpalg_bounce_names[] = FTPALG_BOUNCE_NAMES;
static const char *const ftpalg_action_names[] = FTPALG_ACTION_NAMES;

/* Set *@dst to the index of @val, parameter @param's value, in @names. */
static int __init ftpalg_param_choice(const char *param, const char *val,
				      const char *const names[2], u8 *dst)
{
	int i = match_string(names, 2, val);

	if (i < 0) {
		pr_err("%s=%s: must be %s or %s\n", param, val, names[0],
		       names[1]);
		return -EINVAL;
	}
	*dst = i;
	return 0;
}

int __init ftpalg_policy_params_init(void)
{
	struct ftpalg_policy *p = &ftpalg_default;
	int ret;

	p->active = active;
	p->min_port = min_port;
	p->passive_min = passive_min;
	p->passive_max = passive_max;
	ret = ftpalg_param_choice("bounce", bounce, ftpalg_bounce_names,
				  &p->bounce);
	if (ret)
		return ret;
	return ftpalg_param_choice("action", action, ftpalg_action_names,
				   &p->action);
}

int ftpalg_policy_net_init(struct net *net)
{
	struct ftpalg_net *fn = ftpalg_pernet(net);
	struct ftpalg_policy_table *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->def = ftpalg_default;
	mutex_init(&fn->policy_mutex);
	RCU_INIT_POINTER(fn->policy, t);
	return 0;
}

void ftpalg_policy_net_exit(struct net *net)
{
	/* The namespace is gone: no packet or request can still read it. */
	kfree(rcu_dereference_protected(ftpalg_pernet(net)->policy, true));
}

void ftpalg_policy_overlay(struct ftpalg_policy *dst,
			   const struct ftpalg_policy *src, u16 keys)
{
	if (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_ACTIVE))
		dst->active = src->active;
	if (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_BOUNCE))
		dst->bounce = src->bounce;
	if (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_MIN_PORT))
		dst->min_port = src->min_port;
	if (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_PASSIVE_MIN)) {
		dst->passive_min = src->passive_min;
		dst->passive_max = src->passive_max;
	}
	if (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_PASSIVE_MAP))
		dst->passive_map = src->passive_map;
	if (keys & FTPALG_POLICY_KEY(FTPALG_POLICY_A_ACTION))
		dst->action = src->action;
}

static bool ftpalg_scope_contains(const struct ftpalg_scope *sc, u8 family,
				  const union nf_inet_addr *addr)
{
	if (sc->family != family)
		return false;
	if (family == NFPROTO_IPV4)
		return !((addr->ip ^ sc->addr.ip) & inet_make_mask(sc->prefixlen));
	return ipv6_prefix_equal(&addr->in6, &sc->addr.in6, sc->prefixlen);
}

bool ftpalg_scope_host_bits_clear(const struct ftpalg_scope *sc)
{
	union nf_inet_addr net = sc->addr;

	if (sc->family == NFPROTO_IPV4)
		net.ip &= inet_make_mask(sc->prefixlen);
	else
		ipv6_addr_prefix(&net.in6, &sc->addr.in6, sc->prefixlen);
	return nf_inet_addr_cmp(&net, &sc->addr);
}

static bool ftpalg_scope_same(const struct ftpalg_scope *a,
			      const struct ftpalg_scope *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       nf_inet_addr_cmp(&a->addr, &b->addr);
}

const struct ftpalg_scope *ftpalg_policy_get(const struct nf_conn *ct,
					     struct ftpalg_policy *pol)
{
	const struct ftpalg_net *fn = ftpalg_pernet(nf_ct_net(ct));
	const union nf_inet_addr *server;
	const struct ftpalg_policy_table *t;
	unsigned int i;

	server = &ct->tuplehash[IP_CT_DIR_REPLY].tuple.src.u3;
	t = rcu_dereference(fn->policy);
	*pol = t->def;
	for (i = 0; i < t->n; i++) {
		const struct ftpalg_scope *sc = &t->scopes[i];

		if (ftpalg_scope_contains(sc, nf_ct_l3num(ct), server)) {
			ftpalg_policy_overlay(pol, &sc->pol, sc->keys);
			return sc;
		}
	}
	return NULL;
}

static bool ftpalg_active_refused(struct nf_conntrack_expect *exp, void *data)
{
	const struct nf_conntrack_helper *h;
	struct ftpalg_policy pol;

	h = rcu_dereference(exp->helper);
	if (!ftpalg_is_ours(h) || exp->class != FTPALG_EXP_ACTIVE)
		return false;
	ftpalg_policy_get(exp->master, &pol);
	return !pol.active;
}

/* Publish @new, then drop active-mode expectations it no longer allows. */
static void ftpalg_policy_publish(struct net *net,
				  struct ftpalg_policy_table *new)
{
	struct ftpalg_net *fn = ftpalg_pernet(net);
	struct ftpalg_policy_table *old;

	old = rcu_replace_pointer(fn->policy, new,
				  lockdep_is_held(&fn->policy_mutex));
	kfree_rcu(old, rcu);

	rcu_read_lock();
	nf_ct_expect_iterate_net(net, ftpalg_active_refused, NULL, 0, 0);
	rcu_read_unlock();
}

/* A table with default @def and room for @n scopes, none used yet. */
static struct ftpalg_policy_table *
ftpalg_policy_alloc(const struct ftpalg_policy *def, unsigned int n)
{
	struct ftpalg_policy_table *t;

	t = kzalloc(struct_size(t, scopes, n), GFP_KERNEL);
	if (!t)
		return NULL;
	t->def = *def;
	return t;
}

struct ftpalg_policy_table *ftpalg_policy_table_new(unsigned int n)
{
	return ftpalg_policy_alloc(&ftpalg_default, n);
}

/*
 * Longest prefix first (the first match wins), then a total order, so
 * that equal scopes end up next to each other.
 */
static int ftpalg_scope_cmp(const void *a, const void *b)
{
	const struct ftpalg_scope *x = a, *y = b;

	if (x->prefixlen != y->prefixlen)
		return y->prefixlen - x->prefixlen;
	if (x->family != y->family)
		return x->family - y->family;
	return memcmp(&x->addr, &y->addr, sizeof(x->addr));
}

int ftpalg_policy_replace(struct net *net, struct ftpalg_policy_table *t)
{
	struct ftpalg_net *fn = ftpalg_pernet(net);
	unsigned int i;

	sort(t->scopes, t->n, sizeof(t->scopes[0]), ftpalg_scope_cmp, NULL);
	for (i = 1; i < t->n; i++)
		if (ftpalg_scope_same(&t->scopes[i - 1], &t->scopes[i]))
			return -EEXIST;
	mutex_lock(&fn->policy_mutex);
	ftpalg_policy_publish(net, t);
	mutex_unlock(&fn->policy_mutex);
	return 0;
}

int ftpalg_policy_set(struct net *net, const struct ftpalg_scope *scope,
		      const struct ftpalg_policy *pol, u16 keys)
{
	struct ftpalg_net *fn = ftpalg_pernet(net);
	const struct ftpalg_policy_table *old;
	struct ftpalg_policy_table *t;
	unsigned int i, at;
	bool found = false;
	int ret = 0;

	mutex_lock(&fn->policy_mutex);
	old = rcu_dereference_protected(fn->policy,
					lockdep_is_held(&fn->policy_mutex));
	/* Scopes stay sorted longest prefix first: the first match wins. */
	for (at = 0; scope && at < old->n; at++) {
		found = ftpalg_scope_same(&old->scopes[at], scope);
		if (found || old->scopes[at].prefixlen < scope->prefixlen)
			break;
	}
	if (scope && !found && old->n >= FTPALG_MAX_SCOPES) {
		ret = -ENOSPC;
		goto out;
	}
	t = ftpalg_policy_alloc(&old->def, old->n + (scope && !found));
	if (!t) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < old->n; i++)
		t->scopes[i + (scope && !found && i >= at)] = old->scopes[i];
	t->n = old->n + (scope && !found);

	if (!scope) {
		ftpalg_policy_overlay(&t->def, pol, keys);
	} else {
		struct ftpalg_scope *sc = &t->scopes[at];

		if (!found) {
			*sc = *scope;
			sc->keys = 0;
		}
		ftpalg_policy_overlay(&sc->pol, pol, keys);
		sc->keys |= keys;
	}
	ftpalg_policy_publish(net, t);
out:
	mutex_unlock(&fn->policy_mutex);
	return ret;
}

int ftpalg_policy_del(struct net *net, const struct ftpalg_scope *scope)
{
	struct ftpalg_net *fn = ftpalg_pernet(net);
	const struct ftpalg_policy_table *old;
	struct ftpalg_policy_table *t;
	unsigned int i, at;
	int ret = 0;

	mutex_lock(&fn->policy_mutex);
	old = rcu_dereference_protected(fn->policy,
					lockdep_is_held(&fn->policy_mutex));
	for (at = 0; at < old->n; at++)
		if (ftpalg_scope_same(&old->scopes[at], scope))
			break;
	if (at == old->n) {
		ret = -ENOENT;
		goto out;
	}
	t = ftpalg_policy_alloc(&old->def, old->n - 1);
	if (!t) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < old->n; i++)
		if (i != at)
			t->scopes[t->n++] = old->scopes[i];
	ftpalg_policy_publish(net, t);
out:
	mutex_unlock(&fn->policy_mutex);
	return ret;
}

/*
 * Does the announced endpoint name @addr?  Never when the peer may read
 * it otherwise (a leading-zero octet, see struct ftp_endpoint).
 */
static bool ftpalg_announces_addr(const struct nf_conn *ct,
				  const struct ftp_endpoint *ep,
				  const union nf_inet_addr *addr)
{
	union nf_inet_addr a = {};

	if (ep->ambiguous)
		return false;
	if (ep->family == FTP_FAMILY_IPV4 && nf_ct_l3num(ct) == NFPROTO_IPV4)
		memcpy(&a.ip, ep->addr, sizeof(a.ip));
	else if (ep->family == FTP_FAMILY_IPV6 && nf_ct_l3num(ct) == NFPROTO_IPV6)
		memcpy(&a.in6, ep->addr, sizeof(a.in6));
	else
		return false;
	return nf_inet_addr_cmp(&a, addr);
}

bool ftpalg_is_active(const struct ftp_match *m)
{
	return m->kind == FTP_KIND_PORT || m->kind == FTP_KIND_EPRT;
}

/*
 * Apply the policy to a well-formed command or reply.  Returns the reason
 * to refuse it, or FTPALG_REASON_NONE with *@expect telling whether a data
 * connection may be expected.
 */
enum ftpalg_reason ftpalg_policy_judge(const struct nf_conn *ct,
				       const struct ftp_match *m,
				       const struct ftpalg_policy *pol,
				       bool *expect)
{
	const struct nf_conntrack_tuple *orig, *reply;
	u16 port = m->ep.port;

	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	*expect = true;
	if (ftpalg_is_active(m)) {
		if (!pol->active)
			return FTPALG_REASON_ACTIVE_OFF;
		/* the client's own address, as it sent it: not a bounce */
		if (!ftpalg_announces_addr(ct, &m->ep, &orig->src.u3)) {
			if (pol->bounce == FTPALG_BOUNCE_DROP)
				return FTPALG_REASON_BOUNCE;
			*expect = false;
		}
	} else if (m->ep.family != FTP_FAMILY_NONE &&
		   !ftpalg_announces_addr(ct, &m->ep, &reply->src.u3) &&
		   !ftpalg_announces_addr(ct, &m->ep, &orig->dst.u3)) {
		/*
		 * Neither the server's real address nor the one the client
		 * connected to (a server behind DNAT announcing its public
		 * address, vsftpd pasv_address): a passive-mode redirect.
		 */
		return FTPALG_REASON_PASSIVE_REDIRECT;
	}
	if (port < pol->min_port)
		return FTPALG_REASON_LOW_PORT;
	if (!ftpalg_is_active(m) && pol->passive_max &&
	    (port < pol->passive_min || port > pol->passive_max) &&
	    !(pol->passive_map && (ct->status & IPS_NAT_MASK)))
		return FTPALG_REASON_PASSIVE_WINDOW;
	return FTPALG_REASON_NONE;
}

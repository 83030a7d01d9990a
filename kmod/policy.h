/* SPDX-License-Identifier: GPL-2.0 */
/* Per-namespace policy: a default plus overrides for server prefixes. */
#ifndef FTPALG_POLICY_H
#define FTPALG_POLICY_H

#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <uapi/linux/ftpalg.h>

/* Keys of a policy, as a bit mask of FTPALG_POLICY_A_* bits. */
#define FTPALG_POLICY_KEY(attr)	BIT(attr)
#define FTPALG_POLICY_KEYS_ALL		(GENMASK(FTPALG_POLICY_A_MAX, 1))

struct ftpalg_policy {
	u16 min_port;
	u16 passive_min;	/* passive_min = passive_max = 0: any port */
	u16 passive_max;
	u8 active;
	u8 bounce;		/* enum ftpalg_bounce */
	u8 passive_map;
	u8 action;		/* enum ftpalg_action */
};

struct ftpalg_scope {
	union nf_inet_addr addr;	/* host bits zero */
	u8 family;
	u8 prefixlen;
	u16 keys;			/* keys set here; others from default */
	struct ftpalg_policy pol;
};

/* Replaced as a whole under RCU; scopes sorted longest prefix first. */
struct ftpalg_policy_table {
	struct rcu_head rcu;
	struct ftpalg_policy def;
	unsigned int n;
	struct ftpalg_scope scopes[];
};

#define FTPALG_MAX_SCOPES	1024

struct net;
struct nf_conn;

int ftpalg_policy_params_init(void);
int ftpalg_policy_net_init(struct net *net);
void ftpalg_policy_net_exit(struct net *net);

/* Effective policy for @ct's server; returns its scope or NULL. RCU. */
const struct ftpalg_scope *ftpalg_policy_get(const struct nf_conn *ct,
					     struct ftpalg_policy *pol);

bool ftpalg_scope_host_bits_clear(const struct ftpalg_scope *sc);
struct ftp_match;
bool ftpalg_is_active(const struct ftp_match *m);
enum ftpalg_reason ftpalg_policy_judge(const struct nf_conn *ct,
				       const struct ftp_match *m,
				       const struct ftpalg_policy *pol,
				       bool *expect);

int ftpalg_policy_set(struct net *net, const struct ftpalg_scope *scope,
		      const struct ftpalg_policy *pol, u16 keys);
int ftpalg_policy_del(struct net *net, const struct ftpalg_scope *scope);

void ftpalg_policy_overlay(struct ftpalg_policy *dst,
			   const struct ftpalg_policy *src, u16 keys);
/*
 * Whole-table replacement: a new table holds the module parameters'
 * default and room for @n scopes; fill t->scopes[0..t->n) in any order.
 * ftpalg_policy_replace() publishes it as @net's policy (then it is no
 * longer the caller's), or fails with -EEXIST if a scope is there twice
 * (then the caller frees it).
 */
struct ftpalg_policy_table *ftpalg_policy_table_new(unsigned int n);
int ftpalg_policy_replace(struct net *net, struct ftpalg_policy_table *t);

#endif /* FTPALG_POLICY_H */

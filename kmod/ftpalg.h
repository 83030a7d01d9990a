/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of nf_conntrack_ftpalg. */
#ifndef FTPALG_H
#define FTPALG_H

#include <linux/netfilter.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>

#include "compat.h"
#include "parse.h"
#include "policy.h"
#include "session.h"
#include "stream.h"

/* One CPU's share of a namespace's counters (tools/ has its sums). */
struct ftpalg_cpu_stats {
	u64 cnt[FTPALG_STAT_MAX + 1];
};

struct ftpalg_net {
	struct ftpalg_cpu_stats __percpu *stats;
	struct ftpalg_policy_table __rcu *policy;
	struct mutex policy_mutex;	/* serialises policy writers */
	struct ratelimit_state event_rs;	/* refusal events */
	struct ratelimit_state log_rs;	/* nf_log lines */
	struct net *net;
	struct work_struct adopt_work;	/* registers sync.c's hooks */
	bool adopting;			/* they are registered */
};

/* Expectation classes: active mode is removed when active turns off. */
enum ftpalg_exp_class {
	FTPALG_EXP_PASSIVE,
	FTPALG_EXP_ACTIVE,
	FTPALG_EXP_CLASSES,
};

extern unsigned int ftpalg_net_id;

static inline struct ftpalg_net *ftpalg_pernet(const struct net *net)
{
	return net_generic(net, ftpalg_net_id);
}

static inline void ftpalg_count(const struct nf_conn *ct, enum ftpalg_stat idx)
{
	this_cpu_inc(ftpalg_pernet(nf_ct_net(ct))->stats->cnt[idx]);
}

/*
 * Log lines (nf_ct_helper_log() and the like) are rate-limited per
 * namespace: a peer that repeats a refused line must not flood the log.
 */
static inline bool ftpalg_log_allowed(const struct nf_conn *ct)
{
	return __ratelimit(&ftpalg_pernet(nf_ct_net(ct))->log_rs);
}

struct ftpalg_conn;

/* One control-connection segment while the helper works on it. */
struct ftpalg_seg {
	struct sk_buff *skb;
	struct nf_conn *ct;
	struct ftpalg_conn *conn;	/* nfct_help_data(ct), looked up once */
	enum ip_conntrack_info ctinfo;
	enum ip_conntrack_dir dir;
	unsigned int protoff;
	unsigned int dataoff;	/* TCP payload offset from skb->data */
	unsigned int len;	/* payload length, follows rewrites */
	int delta;		/* sum of length changes by rewrites */
	int adj_delta;		/* ...by new rewrites, not replays */
	u32 adj_seq;		/* where the first of those is */
	unsigned int rewrites;
	unsigned int expected;	/* expectations created */
	bool exp_replaces;	/* the new one evicts the ct's oldest */
	bool fixed_len;		/* a rewrite must keep the line's length */
	u16 announced;		/* the port the last rewrite announced */
	/*
	 * PORT/EPRT refusals in this segment, each as the number of those
	 * still awaiting a reply behind it: withdrawn once the segment is
	 * accepted, so that a dropped one's retransmission withdraws nothing
	 * twice (the session is restored, the expectations would not be).
	 */
	u8 refused[FTP_SESSION_DEPTH];
	u8 n_refused;
	const char *copy;	/* the payload, while the skb is paged */
};

static inline const char *ftpalg_seg_data(const struct ftpalg_seg *s)
{
	if (skb_is_nonlinear(s->skb))
		return s->copy;
	/* skb->data moves when a rewrite reallocates the head */
	return (const char *)s->skb->data + s->dataoff;
}

/* Lives in nfct_help_data(); serialised by ftpalg_lock(). */
struct ftpalg_ext;

struct ftpalg_conn {
	struct ftpalg_ext *ext;
	struct ftp_stream stream[IP_CT_DIR_MAX];
	struct ftp_session sess;
};

/* A refused command or reply, as reported in events. */
struct ftpalg_refusal {
	enum ftpalg_reason reason;
	u8 action;			/* enum ftpalg_action */
	const struct ftp_endpoint *data;	/* what was announced, or NULL */
	const struct ftpalg_scope *scope;	/* NULL: the default */
};

/* main.c */
u64 ftpalg_stat_sum(const struct ftpalg_net *fn, unsigned int idx);
void ftpalg_stats_reset(struct ftpalg_net *fn);

/* genl.c */
int ftpalg_genl_init(void);
void ftpalg_genl_exit(void);
void ftpalg_genl_event(const struct nf_conn *ct,
		       const struct ftpalg_refusal *r);

/* helper.c */
spinlock_t *ftpalg_lock(const struct nf_conn *ct);
bool ftpalg_is_ours(const struct nf_conntrack_helper *h);
int ftpalg_segments_init(void);
void ftpalg_segments_exit(void);
int ftpalg_helper_register(void);
void ftpalg_helper_unregister(void);

/* expect.c */
extern struct nf_conntrack_expect_policy ftpalg_exp_policy[FTPALG_EXP_CLASSES];
int ftpalg_expect_init(void);
void ftpalg_expect_exit(void);
int ftpalg_expect_create(struct ftpalg_seg *s, const struct ftp_match *m,
			 const struct ftpalg_policy *pol,
			 unsigned int line_off, bool can_mangle);
void ftpalg_expect_withdraw(struct nf_conn *ct, unsigned int later);

/* sync.c */
int ftpalg_sync_to_nlattr(struct sk_buff *skb, const struct nf_conn *ct);
int ftpalg_sync_from_nlattr(struct nlattr *attr, struct nf_conn *ct);
void ftpalg_pickup(struct ftpalg_conn *st);
void ftpalg_sync_seqadj(struct nf_conn *ct);
void ftpalg_sync_net_init(struct net *net, struct ftpalg_net *fn);
void ftpalg_sync_net_exit(struct ftpalg_net *fn);

/* nat.c */
int ftpalg_nat_expect(struct ftpalg_seg *s, struct nf_conntrack_expect *exp,
		      const struct ftp_match *m, u16 lo, u16 hi,
		      unsigned int line_off, bool can_mangle);
int ftpalg_nat_replay(struct ftpalg_seg *s, const struct ftp_match *m,
		      u16 port, unsigned int line_off);
void ftpalg_nat_follow(struct nf_conn *ct, const struct nf_conn *master);

#endif /* FTPALG_H */

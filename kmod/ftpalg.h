/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of nf_conntrack_ftpalg. */
#ifndef FTPALG_H
#define FTPALG_H

#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>

#include "compat.h"
#include "parse.h"

#define FTPALG_NAME	"ftpalg"

/* Per-namespace verdict counters, exported in /proc/net/stat/ftpalg. */
enum ftpalg_stat {
	FTPALG_STAT_CMD_PORT,		/* well-formed PORT seen */
	FTPALG_STAT_CMD_EPRT,		/* well-formed EPRT seen */
	FTPALG_STAT_REPLY_PASV,		/* well-formed 227 seen */
	FTPALG_STAT_REPLY_EPSV,		/* well-formed 229 seen */
	FTPALG_STAT_MALFORMED,		/* keyword with an unusable argument */
	FTPALG_STAT_FOREIGN_ADDR,	/* announced address is not the sender's */
	FTPALG_STAT_EXPECT_CREATED,
	FTPALG_STAT_EXPECT_FAILED,	/* clash or table full */
	FTPALG_STAT_NAT_REWRITE,	/* announcement rewritten */
	FTPALG_STAT_NAT_NO_PORT,	/* no free data port on the router */
	FTPALG_STAT_NAT_FAILED,		/* rewrite impossible (split, no seqadj, mangle) */
	FTPALG_STAT_NAT_HOLD,		/* NATed segment dropped until the line is whole */
	FTPALG_STAT_REASSEMBLED,	/* lines completed across segments */
	FTPALG_STAT_OVERLONG,		/* line longer than FTP_LINE_MAX */
	FTPALG_STAT_DESYNC,		/* sequence gap: resynchronised at next line */
	FTPALG_STAT_NOMEM,
	FTPALG_STAT_MAX,
};

struct ftpalg_stats {
	u64 cnt[FTPALG_STAT_MAX];
};

struct ftpalg_net {
	struct ftpalg_stats __percpu *stats;
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

/* One control-connection segment while the helper works on it. */
struct ftpalg_seg {
	struct sk_buff *skb;
	struct nf_conn *ct;
	enum ip_conntrack_info ctinfo;
	enum ip_conntrack_dir dir;
	unsigned int protoff;
	unsigned int dataoff;	/* TCP payload offset from skb->data */
	unsigned int len;	/* payload length, follows rewrites */
	int delta;		/* sum of length changes by rewrites */
	unsigned int rewrites;
};

static inline char *ftpalg_seg_data(const struct ftpalg_seg *s)
{
	/* skb->data moves when a rewrite reallocates the head */
	return (char *)s->skb->data + s->dataoff;
}

/* helper.c */
int ftpalg_help(struct sk_buff *skb, unsigned int protoff, struct nf_conn *ct,
		enum ip_conntrack_info ctinfo);
void ftpalg_destroy(struct nf_conn *ct);
void ftpalg_release_all(const struct nf_conntrack_helper *helpers,
			unsigned int n);
void ftpalg_locks_init(void);

/* nat.c */
int ftpalg_nat_expect(struct ftpalg_seg *s, struct nf_conntrack_expect *exp,
		      const struct ftp_match *m, unsigned int line_off,
		      bool can_mangle);

#endif /* FTPALG_H */

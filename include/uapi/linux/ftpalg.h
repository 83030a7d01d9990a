/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Generic netlink ABI of the ftpalg FTP application-layer gateway.
 * Shared by the kernel module (kmod/) and ftpalgctl (tools/).
 *
 * All state is per network namespace: a request acts on the namespace of
 * the netlink socket.  Changes need CAP_NET_ADMIN in that namespace.
 *
 * FTPALG_CMD_GET_POLICY
 *	do:   replies with the default policy: FTPALG_A_POLICY.
 *	dump: one message per entry, the default first (no FTPALG_A_SCOPE),
 *	      then every scope: FTPALG_A_SCOPE + FTPALG_A_POLICY.
 * FTPALG_CMD_SET_POLICY (admin)
 *	FTPALG_A_POLICY with any subset of the policy keys; with
 *	FTPALG_A_SCOPE it creates or changes that server scope, whose keys
 *	not set fall back to the default policy.
 * FTPALG_CMD_DEL_POLICY (admin)
 *	FTPALG_A_SCOPE: removes that scope.
 * FTPALG_CMD_GET_STATS
 *	replies with FTPALG_A_STATS, one u64 per enum ftpalg_stat.
 * FTPALG_CMD_RESET_STATS (admin)
 * FTPALG_CMD_EVENT
 *	multicast on group FTPALG_GENL_MCGRP_EVENTS for every refusal
 *	(rate-limited: a burst of 20, then one a second): FTPALG_A_EVENT.
 * FTPALG_CMD_REPLACE_POLICY (admin)
 *	replaces the namespace's whole policy in one step (ftpalgctl
 *	restore): the default becomes the module parameters' default with
 *	the keys of FTPALG_A_POLICY, if any, over it; the scopes become
 *	exactly those of FTPALG_A_SCOPES, if any (none otherwise), each an
 *	FTPALG_A_SCOPE + FTPALG_A_POLICY.  A scope given twice, or more
 *	than the module's limit of scopes, fails it; on failure nothing
 *	changes.
 *
 * Integers are in host byte order, ports included.  Addresses are 4 or 16
 * bytes in network byte order; their length tells their family.
 */
#ifndef _UAPI_LINUX_FTPALG_H
#define _UAPI_LINUX_FTPALG_H

#define FTPALG_GENL_NAME		"ftpalg"
#define FTPALG_GENL_VERSION		1
#define FTPALG_GENL_MCGRP_EVENTS	"events"
/* The conntrack helper's name, for nft "ct helper" objects and CT targets. */
#define FTPALG_HELPER_NAME		"ftpalg"

enum ftpalg_cmd {
	FTPALG_CMD_UNSPEC,
	FTPALG_CMD_GET_POLICY,
	FTPALG_CMD_SET_POLICY,
	FTPALG_CMD_DEL_POLICY,
	FTPALG_CMD_GET_STATS,
	FTPALG_CMD_RESET_STATS,
	FTPALG_CMD_EVENT,
	FTPALG_CMD_REPLACE_POLICY,

	__FTPALG_CMD_MAX,
};

#define FTPALG_CMD_MAX (__FTPALG_CMD_MAX - 1)

enum ftpalg_attr {
	FTPALG_A_UNSPEC,
	FTPALG_A_SCOPE,			/* nest: enum ftpalg_scope_attr */
	FTPALG_A_POLICY,		/* nest: enum ftpalg_policy_attr */
	FTPALG_A_STATS,			/* nest: enum ftpalg_stat + 1, u64 each */
	FTPALG_A_EVENT,			/* nest: enum ftpalg_event_attr */
	FTPALG_A_PAD,
	FTPALG_A_SCOPES,		/* nests (of any type), each an */
					/* FTPALG_A_SCOPE + FTPALG_A_POLICY */

	__FTPALG_A_MAX,
};

#define FTPALG_A_MAX (__FTPALG_A_MAX - 1)

/* A server prefix: the most specific scope containing the server wins. */
enum ftpalg_scope_attr {
	FTPALG_SCOPE_A_UNSPEC,
	FTPALG_SCOPE_A_FAMILY,		/* u8: AF_INET or AF_INET6 */
	FTPALG_SCOPE_A_ADDR,		/* binary: 4 or 16 bytes, host bits 0 */
	FTPALG_SCOPE_A_PREFIXLEN,	/* u8: 0..32 or 0..128 */

	__FTPALG_SCOPE_A_MAX,
};

#define FTPALG_SCOPE_A_MAX (__FTPALG_SCOPE_A_MAX - 1)

enum ftpalg_bounce {
	FTPALG_BOUNCE_DROP,		/* refuse PORT/EPRT to a third party */
	FTPALG_BOUNCE_ALLOW,		/* forward it, but expect nothing */
};

enum ftpalg_action {
	FTPALG_ACTION_DROP,		/* drop the segment (and retransmissions) */
	FTPALG_ACTION_RESET,		/* reset both ends of the control connection */
};

enum ftpalg_policy_attr {
	FTPALG_POLICY_A_UNSPEC,
	FTPALG_POLICY_A_ACTIVE,		/* u8: 0 refuses PORT/EPRT */
	FTPALG_POLICY_A_BOUNCE,		/* u8: enum ftpalg_bounce */
	FTPALG_POLICY_A_MIN_PORT,	/* u16: lowest data port allowed */
	FTPALG_POLICY_A_PASSIVE_MIN,	/* u16: passive window, set together; */
	FTPALG_POLICY_A_PASSIVE_MAX,	/* u16:   min = max = 0 means any */
	FTPALG_POLICY_A_PASSIVE_MAP,	/* u8: map out-of-window ports under NAT */
	FTPALG_POLICY_A_ACTION,		/* u8: enum ftpalg_action */

	__FTPALG_POLICY_A_MAX,
};

#define FTPALG_POLICY_A_MAX (__FTPALG_POLICY_A_MAX - 1)

/* Why a command or reply was refused. */
enum ftpalg_reason {
	FTPALG_REASON_NONE,
	FTPALG_REASON_ACTIVE_OFF,	/* PORT/EPRT while active is off */
	FTPALG_REASON_BOUNCE,		/* PORT/EPRT naming a third party */
	FTPALG_REASON_LOW_PORT,		/* data port below min-port */
	FTPALG_REASON_PASSIVE_WINDOW,	/* 227/229 port outside the window */
	FTPALG_REASON_PASSIVE_REDIRECT,	/* 227 naming another host */
	FTPALG_REASON_UNSOLICITED,	/* 227/229 without a PASV/EPSV pending */
	FTPALG_REASON_EPSV_ALL,		/* PORT/EPRT/PASV after EPSV ALL */
	FTPALG_REASON_LONG_ADDR,	/* LPRT/LPSV: never parsed */
	FTPALG_REASON_EXPECT_LIMIT,	/* namespace expectation cap reached */

	__FTPALG_REASON_MAX,
};

#define FTPALG_REASON_MAX (__FTPALG_REASON_MAX - 1)

/* Counters, per namespace; FTPALG_A_STATS carries stat + 1 as type. */
enum ftpalg_stat {
	FTPALG_STAT_CMD_PORT,		/* well-formed PORT seen */
	FTPALG_STAT_CMD_EPRT,		/* well-formed EPRT seen */
	FTPALG_STAT_REPLY_PASV,		/* well-formed 227 seen */
	FTPALG_STAT_REPLY_EPSV,		/* well-formed 229 seen */
	FTPALG_STAT_MALFORMED,		/* keyword with an unusable argument */
	FTPALG_STAT_FOREIGN_ADDR,	/* third-party address: no expectation */
	FTPALG_STAT_EXPECT_CREATED,
	FTPALG_STAT_EXPECT_FAILED,	/* clash or table full */
	FTPALG_STAT_NAT_REWRITE,	/* announcement rewritten */
	FTPALG_STAT_NAT_NO_PORT,	/* no free data port on the router */
	FTPALG_STAT_NAT_FAILED,		/* rewrite impossible */
	FTPALG_STAT_NAT_HOLD,		/* NATed segment dropped until whole */
	FTPALG_STAT_REASSEMBLED,	/* lines completed across segments */
	FTPALG_STAT_OVERLONG,		/* line longer than the reassembly bound */
	FTPALG_STAT_DESYNC,		/* sequence gap, resynchronised */
	FTPALG_STAT_NOMEM,
	FTPALG_STAT_REFUSED_ACTIVE_OFF,	/* refusals, by enum ftpalg_reason */
	FTPALG_STAT_REFUSED_BOUNCE,
	FTPALG_STAT_REFUSED_LOW_PORT,
	FTPALG_STAT_REFUSED_PASSIVE_WINDOW,
	FTPALG_STAT_REFUSED_PASSIVE_REDIRECT,
	FTPALG_STAT_PASSIVE_MAPPED,	/* passive port mapped into the window */
	FTPALG_STAT_RESETS_SENT,
	FTPALG_STAT_REFUSED_UNSOLICITED,
	FTPALG_STAT_REFUSED_EPSV_ALL,
	FTPALG_STAT_REFUSED_LONG_ADDR,
	FTPALG_STAT_REFUSED_EXPECT_LIMIT,
	FTPALG_STAT_TLS,		/* sessions that went opaque (AUTH TLS) */
	FTPALG_STAT_OPAQUE_SEGMENTS,	/* segments passed unparsed under TLS */
	FTPALG_STAT_SESSION_OVERFLOW,	/* too many commands awaiting replies */
	FTPALG_STAT_ACTIVE_ACCEPTED,	/* PORT/EPRT with an expectation: 2xx */
	FTPALG_STAT_EXPECT_WITHDRAWN,	/* ...refused by the server: removed */
	FTPALG_STAT_REORDERED,		/* segment ahead of a gap, dropped */
	FTPALG_STAT_UNJUDGED,		/* old bytes never judged, dropped */
	FTPALG_STAT_PICKUP,		/* 227/229 to a PASV before tracking */
	FTPALG_STAT_NAT_ADOPTED,	/* synced expectation's data conn NATed */

	__FTPALG_STAT_MAX,
};

#define FTPALG_STAT_MAX (__FTPALG_STAT_MAX - 1)

/* What a refusal event reports. */
enum ftpalg_event_attr {
	FTPALG_EVENT_A_UNSPEC,
	FTPALG_EVENT_A_REASON,		/* u8: enum ftpalg_reason */
	FTPALG_EVENT_A_ACTION,		/* u8: enum ftpalg_action */
	FTPALG_EVENT_A_FAMILY,		/* u8: AF_INET or AF_INET6 */
	FTPALG_EVENT_A_CLIENT_ADDR,	/* binary, as the client sent it */
	FTPALG_EVENT_A_CLIENT_PORT,	/* u16 */
	FTPALG_EVENT_A_SERVER_ADDR,	/* binary, the server's real address */
	FTPALG_EVENT_A_SERVER_PORT,	/* u16 */
	FTPALG_EVENT_A_DATA_ADDR,	/* binary: announced address, if any */
	FTPALG_EVENT_A_DATA_PORT,	/* u16: announced port */
	FTPALG_EVENT_A_SCOPE,		/* nest: enum ftpalg_scope_attr, if scoped */

	__FTPALG_EVENT_A_MAX,
};

#define FTPALG_EVENT_A_MAX (__FTPALG_EVENT_A_MAX - 1)

/*
 * A control connection's tracking state, as ctnetlink carries it in
 * CTA_HELP_INFO (inside CTA_HELP) for conntracks with the helper "ftpalg":
 * conntrack dumps and events carry it, and a conntrack created or updated
 * with it (a backup firewall's copy) judges the next line as the firewall
 * that exported it would.  A nest of enum ftpalg_sync_attr.  Without it,
 * or with another FTPALG_SYNC_A_VERSION, or with a state that cannot
 * come from real lines, a created conntrack starts in pickup (see
 * FTPALG_SYNC_F_PICKUP).  Sequence numbers are each sender's own.
 */
#define FTPALG_SYNC_VERSION		1

enum ftpalg_sync_attr {
	FTPALG_SYNC_A_UNSPEC,
	FTPALG_SYNC_A_VERSION,		/* u8: FTPALG_SYNC_VERSION */
	/* commands awaiting their reply: enum ftpalg_sync_cmd, oldest low */
	FTPALG_SYNC_A_FIFO,		/* u32: 4 bits each */
	FTPALG_SYNC_A_DEPTH,		/* u8: commands in FIFO, at most 8 */
	FTPALG_SYNC_A_REPLY,		/* u16: multi-line reply's code, or 0 */
	FTPALG_SYNC_A_FLAGS,		/* u32: FTPALG_SYNC_F_* */
	FTPALG_SYNC_A_CLIENT,		/* nest: enum ftpalg_sync_dir_attr, */
	FTPALG_SYNC_A_SERVER,		/*   client's and server's bytes */

	__FTPALG_SYNC_A_MAX,
};

#define FTPALG_SYNC_A_MAX (__FTPALG_SYNC_A_MAX - 1)

enum ftpalg_sync_cmd {
	FTPALG_SYNC_CMD_OTHER = 1,
	FTPALG_SYNC_CMD_ACTIVE,		/* PORT/EPRT */
	FTPALG_SYNC_CMD_PASSIVE,	/* PASV/EPSV */
	FTPALG_SYNC_CMD_EPSV_ALL,
	FTPALG_SYNC_CMD_AUTH,
};

#define FTPALG_SYNC_F_EPSV_ALL		0x01	/* EPSV ALL accepted */
#define FTPALG_SYNC_F_OPAQUE		0x02	/* TLS: lines not parsed */
#define FTPALG_SYNC_F_LOST		0x04	/* FIFO overflowed once */
#define FTPALG_SYNC_F_REPORTED		0x08	/* reply gave its event */
#define FTPALG_SYNC_F_ALERT_CLIENT	0x10	/* TLS alert seen (CCC) */
#define FTPALG_SYNC_F_ALERT_SERVER	0x20
#define FTPALG_SYNC_F_PICKUP		0x40	/* earlier commands unknown */

enum ftpalg_sync_dir_attr {
	FTPALG_SYNC_DIR_A_UNSPEC,
	FTPALG_SYNC_DIR_A_NEXT_SEQ,	/* u32: first byte not yet judged */
	FTPALG_SYNC_DIR_A_FLAGS,	/* u32: FTPALG_SYNC_DIR_F_* */

	__FTPALG_SYNC_DIR_A_MAX,
};

#define FTPALG_SYNC_DIR_A_MAX (__FTPALG_SYNC_DIR_A_MAX - 1)

/*
 * A direction's position.  Exported as the state is; imported, what the
 * attribute cannot carry degrades: a partial or held line (its bytes) is
 * skipped up to its end unjudged, counted as desync, and rewritten lines
 * are not repeated in retransmissions.
 */
#define FTPALG_SYNC_DIR_F_VALID		0x01	/* NEXT_SEQ is set */
#define FTPALG_SYNC_DIR_F_SKIP		0x02	/* inside a line not judged */
#define FTPALG_SYNC_DIR_F_LINE		0x04	/* a partial or held line */
#define FTPALG_SYNC_DIR_F_REWRITTEN	0x08	/* rewrites to repeat */

#endif /* _UAPI_LINUX_FTPALG_H */

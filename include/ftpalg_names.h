/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Names of the ftpalg counters, refusal reasons and policy values: the
 * keys of /proc/net/stat/ftpalg and of ftpalgctl's output, the values of
 * the module's parameters.  One table for the module and the tool; the
 * names never change once released.
 */
#ifndef _FTPALG_NAMES_H
#define _FTPALG_NAMES_H

#include "uapi/linux/ftpalg.h"

#define FTPALG_STAT_NAMES {						\
	[FTPALG_STAT_CMD_PORT]			= "cmd_port",		\
	[FTPALG_STAT_CMD_EPRT]			= "cmd_eprt",		\
	[FTPALG_STAT_REPLY_PASV]		= "reply_pasv",		\
	[FTPALG_STAT_REPLY_EPSV]		= "reply_epsv",		\
	[FTPALG_STAT_MALFORMED]			= "malformed",		\
	[FTPALG_STAT_FOREIGN_ADDR]		= "foreign_addr",	\
	[FTPALG_STAT_EXPECT_CREATED]		= "expect_created",	\
	[FTPALG_STAT_EXPECT_FAILED]		= "expect_failed",	\
	[FTPALG_STAT_NAT_REWRITE]		= "nat_rewrite",	\
	[FTPALG_STAT_NAT_NO_PORT]		= "nat_no_port",	\
	[FTPALG_STAT_NAT_FAILED]		= "nat_failed",		\
	[FTPALG_STAT_NAT_HOLD]			= "nat_hold",		\
	[FTPALG_STAT_REASSEMBLED]		= "reassembled",	\
	[FTPALG_STAT_OVERLONG]			= "overlong",		\
	[FTPALG_STAT_DESYNC]			= "desync",		\
	[FTPALG_STAT_NOMEM]			= "nomem",		\
	[FTPALG_STAT_REFUSED_ACTIVE_OFF]	= "refused_active_off",	\
	[FTPALG_STAT_REFUSED_BOUNCE]		= "refused_bounce",	\
	[FTPALG_STAT_REFUSED_LOW_PORT]		= "refused_low_port",	\
	[FTPALG_STAT_REFUSED_PASSIVE_WINDOW]	= "refused_passive_window", \
	[FTPALG_STAT_REFUSED_PASSIVE_REDIRECT]	= "refused_passive_redirect", \
	[FTPALG_STAT_PASSIVE_MAPPED]		= "passive_mapped",	\
	[FTPALG_STAT_RESETS_SENT]		= "resets_sent",	\
	[FTPALG_STAT_REFUSED_UNSOLICITED]	= "refused_unsolicited", \
	[FTPALG_STAT_REFUSED_EPSV_ALL]		= "refused_epsv_all",	\
	[FTPALG_STAT_REFUSED_LONG_ADDR]		= "refused_long_addr",	\
	[FTPALG_STAT_REFUSED_EXPECT_LIMIT]	= "refused_expect_limit", \
	[FTPALG_STAT_TLS]			= "tls",		\
	[FTPALG_STAT_OPAQUE_SEGMENTS]		= "opaque_segments",	\
	[FTPALG_STAT_SESSION_OVERFLOW]		= "session_overflow",	\
	[FTPALG_STAT_ACTIVE_ACCEPTED]		= "active_accepted",	\
	[FTPALG_STAT_EXPECT_WITHDRAWN]		= "expect_withdrawn",	\
	[FTPALG_STAT_REORDERED]			= "reordered",		\
	[FTPALG_STAT_UNJUDGED]			= "unjudged",		\
	[FTPALG_STAT_PICKUP]			= "pickup",		\
	[FTPALG_STAT_NAT_ADOPTED]		= "nat_adopted",	\
}

#define FTPALG_REASON_NAMES {						\
	[FTPALG_REASON_NONE]			= "none",		\
	[FTPALG_REASON_ACTIVE_OFF]		= "active_off",		\
	[FTPALG_REASON_BOUNCE]			= "bounce",		\
	[FTPALG_REASON_LOW_PORT]		= "low_port",		\
	[FTPALG_REASON_PASSIVE_WINDOW]		= "passive_window",	\
	[FTPALG_REASON_PASSIVE_REDIRECT]	= "passive_redirect",	\
	[FTPALG_REASON_UNSOLICITED]		= "unsolicited",	\
	[FTPALG_REASON_EPSV_ALL]		= "epsv_all",		\
	[FTPALG_REASON_LONG_ADDR]		= "long_addr",		\
	[FTPALG_REASON_EXPECT_LIMIT]		= "expect_limit",	\
}

#define FTPALG_BOUNCE_NAMES {					\
	[FTPALG_BOUNCE_DROP]	= "drop",				\
	[FTPALG_BOUNCE_ALLOW]	= "allow",				\
}

#define FTPALG_ACTION_NAMES {					\
	[FTPALG_ACTION_DROP]	= "drop",				\
	[FTPALG_ACTION_RESET]	= "reset",				\
}

#endif /* _FTPALG_NAMES_H */

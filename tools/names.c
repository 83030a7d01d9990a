// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the ABI's enums.  The counter names are the lowercase
 * enum ftpalg_stat names without the FTPALG_STAT_ prefix; they are the
 * keys of "counters" in the JSON output, so they never change.
 */
#include <string.h>

#include <ftpalg_names.h>

#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const stat_names[] = FTPALG_STAT_NAMES;
_Static_assert(ARRAY_SIZE(stat_names) == FTPALG_STAT_MAX + 1,
	       "stat_names[] must name every enum ftpalg_stat");

static const char *const reason_names[] = FTPALG_REASON_NAMES;
_Static_assert(ARRAY_SIZE(reason_names) == FTPALG_REASON_MAX + 1,
	       "reason_names[] must name every enum ftpalg_reason");

static const char *const action_names[] = FTPALG_ACTION_NAMES;
static const char *const bounce_names[] = FTPALG_BOUNCE_NAMES;

/* enum tcp_conntrack, as conntrack(8) prints it. */
static const char *const tcp_state_names[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

static const char *name_of(const char *const *t, size_t n, unsigned int i)
{
	return i < n ? t[i] : NULL;
}

static int lookup(const char *const *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] && !strcmp(t[i], s))
			return (int)i;
	return -1;
}

const char *ftpalg_stat_name(unsigned int i)
{
	return name_of(stat_names, ARRAY_SIZE(stat_names), i);
}

const char *ftpalg_reason_name(unsigned int r)
{
	return name_of(reason_names, ARRAY_SIZE(reason_names), r);
}

const char *ftpalg_action_name(unsigned int a)
{
	return name_of(action_names, ARRAY_SIZE(action_names), a);
}

const char *ftpalg_bounce_name(unsigned int b)
{
	return name_of(bounce_names, ARRAY_SIZE(bounce_names), b);
}

int ftpalg_action_lookup(const char *s)
{
	return lookup(action_names, ARRAY_SIZE(action_names), s);
}

int ftpalg_bounce_lookup(const char *s)
{
	return lookup(bounce_names, ARRAY_SIZE(bounce_names), s);
}

const char *ftpalg_tcp_state_name(unsigned int s)
{
	return name_of(tcp_state_names, ARRAY_SIZE(tcp_state_names), s);
}

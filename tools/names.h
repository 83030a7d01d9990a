/* SPDX-License-Identifier: GPL-2.0 */
/* The one place where ftpalgctl names the ABI's enums. */
#ifndef FTPALGCTL_NAMES_H
#define FTPALGCTL_NAMES_H

#include <stddef.h>

/* Counter name for stat index @i (attribute type - 1), or NULL if unknown. */
const char *ftpalg_stat_name(unsigned int i);
/* Refusal reason, or NULL if unknown. */
const char *ftpalg_reason_name(unsigned int r);
/* "drop"/"reset", or NULL. */
const char *ftpalg_action_name(unsigned int a);
/* "drop"/"allow", or NULL. */
const char *ftpalg_bounce_name(unsigned int b);
/* Look a name up in one of the tables above: the value, or -1. */
int ftpalg_action_lookup(const char *s);
int ftpalg_bounce_lookup(const char *s);

/* TCP conntrack state name ("ESTABLISHED"), or NULL. */
const char *ftpalg_tcp_state_name(unsigned int s);

#endif

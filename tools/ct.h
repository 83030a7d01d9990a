/* SPDX-License-Identifier: GPL-2.0 */
/* Conntrack entries and expectations of the ftpalg helper
 * (libnetfilter_conntrack). */
#ifndef FTPALGCTL_CT_H
#define FTPALGCTL_CT_H

#include <stddef.h>

#include "output.h"

/*
 * Dump both families and keep what belongs to the ftpalg helper.
 * Return an exit status (EXIT_OK, EXIT_FAIL, EXIT_UNAVAIL) after
 * printing any error; on success *out is malloc()ed (possibly NULL).
 */
int ct_sessions(struct ftpalgctl_session **out, size_t *n);
int ct_expectations(struct ftpalg_expectation **out, size_t *n);

#endif

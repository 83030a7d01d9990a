/* SPDX-License-Identifier: GPL-2.0 */
/* Comparing session states and matches: the unit tests and the fuzzer. */
#ifndef FTPALG_SESSION_CMP_H
#define FTPALG_SESSION_CMP_H

#include <string.h>

#include "session.h"

static int same_session(const struct ftp_session *a,
			const struct ftp_session *b)
{
	return a->fifo == b->fifo && a->reply == b->reply &&
	       a->depth == b->depth && a->flags == b->flags;
}

static int same_match(const struct ftp_match *a, const struct ftp_match *b)
{
	return a->kind == b->kind && a->ep.family == b->ep.family &&
	       !memcmp(a->ep.addr, b->ep.addr, sizeof(a->ep.addr)) &&
	       a->ep.port == b->ep.port && a->arg_off == b->arg_off &&
	       a->arg_len == b->arg_len && a->delim == b->delim;
}

static int carries_match(int ev)
{
	return ev == FTP_EV_ACTIVE || ev == FTP_EV_PASSIVE ||
	       ev == FTP_EV_UNSOLICITED || ev == FTP_EV_PICKUP;
}

#endif /* FTPALG_SESSION_CMP_H */

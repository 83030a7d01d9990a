/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encoding and decoding of the ftpalg generic netlink attributes
 * (include/uapi/linux/ftpalg.h).  Pure: buffers in, structs out.
 */
#ifndef FTPALGCTL_MSG_H
#define FTPALGCTL_MSG_H

#include <libmnl/libmnl.h>

#include "cmdline.h"
#include "output.h"

/* Append FTPALG_A_SCOPE / FTPALG_A_POLICY (only the keys in p->set). */
void msg_put_scope(struct nlmsghdr *nlh, const struct ftpalg_prefix *p);
void msg_put_policy(struct nlmsghdr *nlh, const struct ftpalgctl_policy *p);

/*
 * FTPALG_CMD_REPLACE_POLICY's attributes for @ps: the default's keys
 * set, and every scope.  msg_policy_set_size() bounds the whole message.
 */
size_t msg_policy_set_size(const struct ftpalg_policy_set *ps);
void msg_put_policy_set(struct nlmsghdr *nlh, const struct ftpalg_policy_set *ps);

/*
 * Decoders.  Attributes unknown to this build are ignored; a known
 * attribute of the wrong size is an error (-EINVAL).  Offset: the size
 * of the family header (struct genlmsghdr) after the netlink header.
 */
int msg_parse_scope(const struct nlattr *nest, struct ftpalg_prefix *p);
int msg_parse_policy(const struct nlattr *nest, struct ftpalgctl_policy *p);
int msg_parse_stats(const struct nlattr *nest, struct ftpalgctl_stats *st);
int msg_parse_event(const struct nlattr *nest, struct ftpalg_event *ev);

/* A whole FTPALG_CMD_* message: the top-level attributes by type. */
int msg_parse_top(const struct nlmsghdr *nlh,
		  const struct nlattr *tb[FTPALG_A_MAX + 1]);

#endif

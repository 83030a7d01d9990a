/* SPDX-License-Identifier: GPL-2.0 */
/* Generic netlink over libmnl: family resolution, requests, dumps, events. */
#ifndef FTPALGCTL_GENL_H
#define FTPALGCTL_GENL_H

#include <signal.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#ifndef MNL_SOCKET_DUMP_SIZE	/* libmnl < 1.0.5 */
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

struct genl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t family_version;
	uint32_t mcgrp_events;		/* 0: the family has no "events" group */
	char extack[256];		/* the kernel's message for the last error */
	char buf[MNL_SOCKET_DUMP_SIZE];
};

/* Open and bind a NETLINK_GENERIC socket with extended and capped ACKs.
 * Returns 0 or -errno. */
int genl_open(struct genl *g);
void genl_close(struct genl *g);

/* CTRL_CMD_GETFAMILY: -ENOENT when the family is not registered. */
int genl_resolve(struct genl *g, const char *name, const char *mcgrp);

/* Start a request in g->buf, or in @buf for one larger than g->buf. */
struct nlmsghdr *genl_msg(struct genl *g, uint8_t cmd, uint16_t flags);
struct nlmsghdr *genl_msg_in(struct genl *g, void *buf, uint8_t cmd,
			     uint16_t flags);

/*
 * Send @nlh and run @cb on every reply until the ACK or NLMSG_DONE.
 * Returns 0 or -errno; on error g->extack holds the kernel's message,
 * if any.  A dump interrupted by a concurrent change (NLM_F_DUMP_INTR)
 * returns -EINTR after draining it: start it again.
 */
int genl_request(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * Join a multicast group and run @cb on every message of the family
 * until *@stop.  The caller blocks the signals that set *@stop; they are
 * delivered only while waiting, with the mask @waitmask (no lost wakeup).
 */
int genl_join(struct genl *g, uint32_t group);
int genl_listen(struct genl *g, mnl_cb_t cb, void *data,
		volatile sig_atomic_t *stop, const sigset_t *waitmask);

#endif

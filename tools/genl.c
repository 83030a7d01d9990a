// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink over libmnl, after iproute2's lib/mnl_utils.c and
 * wireguard-tools' old mnlg.c: extended ACKs, family resolution, dumps
 * with NLM_F_DUMP_INTR handling, multicast listening.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

int genl_open(struct genl *g)
{
	int one = 1;

	memset(g, 0, offsetof(struct genl, buf));
	g->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!g->nl)
		return -errno;
	/* Both are best effort: old kernels lack them. */
	mnl_socket_setsockopt(g->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(g->nl);
		g->nl = NULL;
		return err;
	}
	g->portid = mnl_socket_get_portid(g->nl);
	g->seq = (uint32_t)time(NULL);
	return 0;
}

void genl_close(struct genl *g)
{
	if (g->nl)
		mnl_socket_close(g->nl);
	g->nl = NULL;
}

struct nlmsghdr *genl_msg(struct genl *g, uint8_t cmd, uint16_t flags)
{
	return genl_msg_in(g, g->buf, cmd, flags);
}

struct nlmsghdr *genl_msg_in(struct genl *g, void *buf, uint8_t cmd,
			     uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = g->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++g->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = 1;
	return nlh;
}

/* ------------------------------------------------------------- requests */

struct req_ctx {
	struct genl *g;
	mnl_cb_t cb;
	void *data;
};

static int extack_cb(const struct nlattr *a, void *data)
{
	struct genl *g = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(g->extack, sizeof(g->extack), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* The TLVs of an extended ACK start @off bytes into the payload. */
static void parse_extack(struct genl *g, const struct nlmsghdr *nlh, size_t off)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (mnl_nlmsg_get_payload_len(nlh) < off)
		return;
	mnl_attr_parse(nlh, (unsigned int)off, extack_cb, g);
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct req_ctx *ctx = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	parse_extack(ctx->g, nlh, off);
	if (err->error == 0)
		return MNL_CB_STOP;
	/* Subsystems return the errno with either sign. */
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct req_ctx *ctx = data;
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(int));
		parse_extack(ctx->g, nlh, sizeof(int));
	}
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct req_ctx *ctx = data;

	if (nlh->nlmsg_type != ctx->g->family_id)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

/* Whether the end of the dump @seq is in buf[0..len). */
static bool has_end(const char *buf, ssize_t n, uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_seq == seq &&
		    (nlh->nlmsg_type == NLMSG_DONE ||
		     nlh->nlmsg_type == NLMSG_ERROR))
			return true;
	return false;
}

/* Read and discard the rest of an interrupted dump, whose last
 * received part is in g->buf[0..n). */
static void drain(struct genl *g, uint32_t seq, ssize_t n)
{
	while (n > 0 && !has_end(g->buf, n, seq))
		n = mnl_socket_recvfrom(g->nl, g->buf, sizeof(g->buf));
}

int genl_request(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct req_ctx ctx = { g, cb, data };
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	g->extack[0] = '\0';
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(g->nl, g->buf, sizeof(g->buf));
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(g->buf, (size_t)n, seq, g->portid, data_cb,
				  &ctx, ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		int err = errno ? errno : EIO;

		if (err == EINTR)	/* NLM_F_DUMP_INTR */
			drain(g, seq, n);
		return -err;
	}
	return 0;
}

/* ------------------------------------------------------ family resolution */

struct family_ctx {
	struct genl *g;
	const char *mcgrp;
	uint16_t id;
};

static int mcgrp_cb(const struct nlattr *a, void *data)
{
	struct family_ctx *ctx = data;
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };
	const struct nlattr *it;

	mnl_attr_for_each_nested(it, a) {
		uint16_t type = mnl_attr_get_type(it);

		if (type <= CTRL_ATTR_MCAST_GRP_MAX)
			tb[type] = it;
	}
	if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID] ||
	    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME], MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	if (ctx->mcgrp && !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
				  ctx->mcgrp))
		ctx->g->mcgrp_events = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	struct family_ctx *ctx = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		ctx->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			ctx->g->family_version = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		mnl_attr_parse_nested(a, mcgrp_cb, ctx);
		break;
	default:		/* unknown to us: ignored */
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, family_attr_cb, data) < 0 ?
	       MNL_CB_ERROR : MNL_CB_OK;
}

int genl_resolve(struct genl *g, const char *name, const char *mcgrp)
{
	struct family_ctx ctx = { g, mcgrp, 0 };
	struct nlmsghdr *nlh;
	int err;

	if (strlen(name) >= GENL_NAMSIZ)
		return -EINVAL;
	/* The controller's replies carry its own id: see data_cb(). */
	g->family_id = GENL_ID_CTRL;
	g->mcgrp_events = 0;
	nlh = genl_msg(g, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	err = genl_request(g, nlh, family_cb, &ctx);
	if (!err && !ctx.id)
		err = -EPROTO;
	g->family_id = err ? 0 : ctx.id;
	return err;
}

/* -------------------------------------------------------------- events */

int genl_join(struct genl *g, uint32_t group)
{
	int grp = (int)group;

	if (mnl_socket_setsockopt(g->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

int genl_listen(struct genl *g, mnl_cb_t cb, void *data,
		volatile sig_atomic_t *stop, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(g->nl), .events = POLLIN };
	struct req_ctx ctx = { g, cb, data };

	while (!*stop) {
		ssize_t n;
		int ret;

		if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = recv(pfd.fd, g->buf, sizeof(g->buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr,
					"ftpalgctl: events lost (receive buffer overrun)\n");
				continue;
			}
			return -errno;
		}
		ret = mnl_cb_run(g->buf, (size_t)n, 0, 0, data_cb, &ctx);
		if (ret < 0)
			return -errno;
	}
	return 0;
}

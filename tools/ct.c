// SPDX-License-Identifier: GPL-2.0
/*
 * The helper's control connections and its pending expectations, read
 * with libnetfilter_conntrack from the network namespace of the socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "cmdline.h"
#include "ct.h"

struct vec {
	void *items;
	size_t n, cap, size;
	bool oom;
};

static void *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *p = realloc(v->items, cap * v->size);

		if (!p) {
			v->oom = true;
			return NULL;
		}
		v->items = p;
		v->cap = cap;
	}
	return memset((char *)v->items + v->n++ * v->size, 0, v->size);
}

/* Original (@reply false) or reply tuple of @ct. */
static void get_tuple(const struct nf_conntrack *ct, uint8_t family, bool reply,
		      struct ftpalg_tuple *t)
{
	uint16_t sport, dport;

	memset(t, 0, sizeof(*t));
	if (family == AF_INET) {
		uint32_t src = nfct_get_attr_u32(ct, reply ? ATTR_REPL_IPV4_SRC : ATTR_IPV4_SRC);
		uint32_t dst = nfct_get_attr_u32(ct, reply ? ATTR_REPL_IPV4_DST : ATTR_IPV4_DST);

		memcpy(t->src, &src, 4);
		memcpy(t->dst, &dst, 4);
	} else {
		const void *src = nfct_get_attr(ct, reply ? ATTR_REPL_IPV6_SRC : ATTR_IPV6_SRC);
		const void *dst = nfct_get_attr(ct, reply ? ATTR_REPL_IPV6_DST : ATTR_IPV6_DST);

		if (src)
			memcpy(t->src, src, 16);
		if (dst)
			memcpy(t->dst, dst, 16);
	}
	sport = nfct_get_attr_u16(ct, reply ? ATTR_REPL_PORT_SRC : ATTR_PORT_SRC);
	dport = nfct_get_attr_u16(ct, reply ? ATTR_REPL_PORT_DST : ATTR_PORT_DST);
	t->sport = ntohs(sport);
	t->dport = ntohs(dport);
}

static bool addr_eq(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 16);
}

static int session_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		      void *data)
{
	struct vec *v = data;
	struct ftpalgctl_session *s;
	const char *helper;
	uint8_t family;

	(void)type;
	if (!nfct_attr_is_set(ct, ATTR_HELPER_NAME))
		return NFCT_CB_CONTINUE;
	helper = nfct_get_attr(ct, ATTR_HELPER_NAME);
	if (!helper || strcmp(helper, FTPALG_HELPER_NAME))
		return NFCT_CB_CONTINUE;
	family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	if (family != AF_INET && family != AF_INET6)
		return NFCT_CB_CONTINUE;
	s = vec_push(v);
	if (!s)
		return NFCT_CB_STOP;

	s->family = family;
	get_tuple(ct, family, false, &s->orig);
	get_tuple(ct, family, true, &s->reply);
	/* Without NAT the reply tuple mirrors the original one. */
	s->nat = !addr_eq(s->orig.src, s->reply.dst) ||
		 !addr_eq(s->orig.dst, s->reply.src) ||
		 s->orig.sport != s->reply.dport ||
		 s->orig.dport != s->reply.sport;
	if (nfct_attr_is_set(ct, ATTR_TCP_STATE)) {
		s->has_state = true;
		s->state = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
	}
	if (nfct_attr_is_set(ct, ATTR_TIMEOUT)) {
		s->has_timeout = true;
		s->timeout = nfct_get_attr_u32(ct, ATTR_TIMEOUT);
	}
	if (nfct_attr_is_set(ct, ATTR_MARK)) {
		s->has_mark = true;
		s->mark = nfct_get_attr_u32(ct, ATTR_MARK);
	}
	return NFCT_CB_CONTINUE;
}

static bool src_wildcarded(const struct nf_conntrack *mask, uint8_t family)
{
	static const uint8_t zero[16];
	const void *a;

	if (!mask)
		return false;
	if (family == AF_INET)
		return nfct_attr_is_set(mask, ATTR_IPV4_SRC) &&
		       nfct_get_attr_u32(mask, ATTR_IPV4_SRC) == 0;
	a = nfct_get_attr(mask, ATTR_IPV6_SRC);
	return a && nfct_attr_is_set(mask, ATTR_IPV6_SRC) && !memcmp(a, zero, 16);
}

static int expect_cb(enum nf_conntrack_msg_type type, struct nf_expect *exp,
		     void *data)
{
	const struct nf_conntrack *expected, *master;
	struct ftpalg_expectation *e;
	struct ftpalg_tuple t;
	struct vec *v = data;
	const char *helper;
	uint8_t family;

	(void)type;
	if (!nfexp_attr_is_set(exp, ATTR_EXP_HELPER_NAME))
		return NFCT_CB_CONTINUE;
	helper = nfexp_get_attr(exp, ATTR_EXP_HELPER_NAME);
	if (!helper || strcmp(helper, FTPALG_HELPER_NAME))
		return NFCT_CB_CONTINUE;
	expected = nfexp_get_attr(exp, ATTR_EXP_EXPECTED);
	if (!expected)
		return NFCT_CB_CONTINUE;
	family = nfct_get_attr_u8(expected, ATTR_L3PROTO);
	if (family != AF_INET && family != AF_INET6)
		return NFCT_CB_CONTINUE;
	e = vec_push(v);
	if (!e)
		return NFCT_CB_STOP;

	e->family = family;
	get_tuple(expected, family, false, &t);
	memcpy(e->src, t.src, 16);
	memcpy(e->dst, t.dst, 16);
	e->dport = t.dport;
	e->src_any = src_wildcarded(nfexp_get_attr(exp, ATTR_EXP_MASK), family);
	if (nfexp_attr_is_set(exp, ATTR_EXP_TIMEOUT))
		e->timeout = nfexp_get_attr_u32(exp, ATTR_EXP_TIMEOUT);
	master = nfexp_get_attr(exp, ATTR_EXP_MASTER);
	if (master) {
		e->has_master = true;
		get_tuple(master, family, false, &e->master);
	}
	return NFCT_CB_CONTINUE;
}

static int open_error(const char *what)
{
	fprintf(stderr, "ftpalgctl: cannot open a conntrack netlink socket (%s): %s\n",
		what, strerror(errno));
	return EXIT_UNAVAIL;
}

static int query_error(const char *what)
{
	int err = errno;

	switch (err) {
	case EPROTONOSUPPORT:
	case EOPNOTSUPP:
	case ENOENT:
	case EINVAL:
		fprintf(stderr,
			"ftpalgctl: cannot dump %s: %s: is conntrack netlink available? (modprobe nf_conntrack_netlink)\n",
			what, strerror(err));
		return EXIT_UNAVAIL;
	default:
		fprintf(stderr, "ftpalgctl: cannot dump %s: %s\n", what,
			strerror(err));
		return EXIT_FAIL;
	}
}

/*
 * Dump both families of conntrack entries (CONNTRACK) or expectations
 * (EXPECT) into @v through the matching callback.
 */
static int ct_dump(uint8_t subsys, struct vec *v)
{
	uint32_t family = AF_UNSPEC;	/* both families */
	struct nfct_handle *h;
	int ret;

	h = nfct_open(subsys, 0);
	if (!h)
		return open_error(subsys == CONNTRACK ? "conntrack" : "expect");
	if (subsys == CONNTRACK) {
		nfct_callback_register(h, NFCT_T_ALL, session_cb, v);
		ret = nfct_query(h, NFCT_Q_DUMP, &family);
	} else {
		nfexp_callback_register(h, NFCT_T_ALL, expect_cb, v);
		ret = nfexp_query(h, NFCT_Q_DUMP, &family);
	}
	if (ret < 0 && !v->oom)
		ret = query_error(subsys == CONNTRACK ? "connections" :
							"expectations");
	else if (v->oom)
		ret = EXIT_FAIL;
	else
		ret = EXIT_OK;
	nfct_close(h);
	if (v->oom)
		fprintf(stderr, "ftpalgctl: out of memory\n");
	if (ret != EXIT_OK) {
		free(v->items);
		v->items = NULL;
		v->n = 0;
	}
	return ret;
}

int ct_sessions(struct ftpalgctl_session **out, size_t *n)
{
	struct vec v = { .size = sizeof(struct ftpalgctl_session) };
	int ret = ct_dump(CONNTRACK, &v);

	*out = v.items;
	*n = v.n;
	return ret;
}

int ct_expectations(struct ftpalg_expectation **out, size_t *n)
{
	struct vec v = { .size = sizeof(struct ftpalg_expectation) };
	int ret = ct_dump(EXPECT, &v);

	*out = v.items;
	*n = v.n;
	return ret;
}

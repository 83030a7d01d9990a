// SPDX-License-Identifier: GPL-2.0
/* ftpalg generic netlink attributes: encoding and decoding. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "msg.h"

void msg_put_scope(struct nlmsghdr *nlh, const struct ftpalg_prefix *p)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, FTPALG_A_SCOPE);

	mnl_attr_put_u8(nlh, FTPALG_SCOPE_A_FAMILY, p->family);
	mnl_attr_put(nlh, FTPALG_SCOPE_A_ADDR, p->family == AF_INET ? 4 : 16,
		     p->addr);
	mnl_attr_put_u8(nlh, FTPALG_SCOPE_A_PREFIXLEN, p->len);
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_policy(struct nlmsghdr *nlh, const struct ftpalgctl_policy *p)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, FTPALG_A_POLICY);

	if (FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_ACTIVE))
		mnl_attr_put_u8(nlh, FTPALG_POLICY_A_ACTIVE, p->active);
	if (FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_BOUNCE))
		mnl_attr_put_u8(nlh, FTPALG_POLICY_A_BOUNCE, p->bounce);
	if (FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_MIN_PORT))
		mnl_attr_put_u16(nlh, FTPALG_POLICY_A_MIN_PORT, p->min_port);
	if (FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MIN))
		mnl_attr_put_u16(nlh, FTPALG_POLICY_A_PASSIVE_MIN, p->passive_min);
	if (FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MAX))
		mnl_attr_put_u16(nlh, FTPALG_POLICY_A_PASSIVE_MAX, p->passive_max);
	if (FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MAP))
		mnl_attr_put_u8(nlh, FTPALG_POLICY_A_PASSIVE_MAP, p->passive_map);
	if (FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_ACTION))
		mnl_attr_put_u8(nlh, FTPALG_POLICY_A_ACTION, p->action);
	mnl_attr_nest_end(nlh, nest);
}

/* Header, the default's keys, the FTPALG_A_SCOPES nest; then per scope
 * its entry nest, FTPALG_A_SCOPE and FTPALG_A_POLICY with every key. */
#define POLICY_SIZE	(MNL_ATTR_HDRLEN + 7 * MNL_ALIGN(MNL_ATTR_HDRLEN + 2))
#define SCOPE_SIZE	(2 * MNL_ATTR_HDRLEN + 2 * MNL_ALIGN(MNL_ATTR_HDRLEN + 1) + \
			 MNL_ATTR_HDRLEN + 16)

size_t msg_policy_set_size(const struct ftpalg_policy_set *ps)
{
	return MNL_NLMSG_HDRLEN + MNL_ALIGN(GENL_HDRLEN) + POLICY_SIZE +
	       MNL_ATTR_HDRLEN +
	       ps->nscopes * (MNL_ATTR_HDRLEN + SCOPE_SIZE + POLICY_SIZE);
}

void msg_put_policy_set(struct nlmsghdr *nlh, const struct ftpalg_policy_set *ps)
{
	struct nlattr *scopes;

	if (ps->def.keys)
		msg_put_policy(nlh, &ps->def);
	if (!ps->nscopes)
		return;
	scopes = mnl_attr_nest_start(nlh, FTPALG_A_SCOPES);
	for (size_t i = 0; i < ps->nscopes; i++) {
		/* entries are told apart by position: the type, their index,
		 * is only for people reading a dump of the message */
		struct nlattr *entry = mnl_attr_nest_start(nlh,
			(uint16_t)((i + 1) & NLA_TYPE_MASK));

		msg_put_scope(nlh, &ps->scopes[i].prefix);
		msg_put_policy(nlh, &ps->scopes[i].policy);
		mnl_attr_nest_end(nlh, entry);
	}
	mnl_attr_nest_end(nlh, scopes);
}

/* An address attribute must be exactly as long as the family says. */
static int get_addr(const struct nlattr *a, uint8_t family, uint8_t *out)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	if (len != (family == AF_INET6 ? 16 : 4))
		return -EINVAL;
	memset(out, 0, 16);
	memcpy(out, mnl_attr_get_payload(a), len);
	return 0;
}

struct tb {
	const struct nlattr **tb;
	unsigned int max;
};

static int collect_cb(const struct nlattr *a, void *data)
{
	struct tb *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= t->max)	/* newer attributes: ignored */
		t->tb[type] = a;
	return MNL_CB_OK;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			unsigned int max)
{
	struct tb t = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse_nested(nest, collect_cb, &t) < 0 ? -EINVAL : 0;
}

int msg_parse_top(const struct nlmsghdr *nlh,
		  const struct nlattr *tb[FTPALG_A_MAX + 1])
{
	struct tb t = { tb, FTPALG_A_MAX };

	memset(tb, 0, (FTPALG_A_MAX + 1) * sizeof(*tb));
	if (mnl_attr_parse(nlh, GENL_HDRLEN, collect_cb, &t) < 0)
		return -EINVAL;
	return 0;
}

static int get_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u8(a);
	return 0;
}

static int get_u16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u16(a);
	return 0;
}

/* An optional attribute: absent is fine, *@has says whether it was there. */
static int get_opt_u8(const struct nlattr *a, uint8_t *v, bool *has)
{
	*has = a && !get_u8(a, v);
	return a && !*has ? -EINVAL : 0;
}

static int get_opt_u16(const struct nlattr *a, uint16_t *v, bool *has)
{
	*has = a && !get_u16(a, v);
	return a && !*has ? -EINVAL : 0;
}

static int get_opt_addr(const struct nlattr *a, uint8_t family, uint8_t *out,
			bool *has)
{
	*has = a && !get_addr(a, family, out);
	return a && !*has ? -EINVAL : 0;
}

int msg_parse_scope(const struct nlattr *nest, struct ftpalg_prefix *p)
{
	const struct nlattr *tb[FTPALG_SCOPE_A_MAX + 1];

	memset(p, 0, sizeof(*p));
	if (parse_nested(nest, tb, FTPALG_SCOPE_A_MAX) ||
	    !tb[FTPALG_SCOPE_A_FAMILY] || !tb[FTPALG_SCOPE_A_ADDR] ||
	    !tb[FTPALG_SCOPE_A_PREFIXLEN] ||
	    get_u8(tb[FTPALG_SCOPE_A_FAMILY], &p->family) ||
	    (p->family != AF_INET && p->family != AF_INET6) ||
	    get_addr(tb[FTPALG_SCOPE_A_ADDR], p->family, p->addr) ||
	    get_u8(tb[FTPALG_SCOPE_A_PREFIXLEN], &p->len))
		return -EINVAL;
	return 0;
}

int msg_parse_policy(const struct nlattr *nest, struct ftpalgctl_policy *p)
{
	const struct nlattr *tb[FTPALG_POLICY_A_MAX + 1];
	int err = 0;

	memset(p, 0, sizeof(*p));
	if (parse_nested(nest, tb, FTPALG_POLICY_A_MAX))
		return -EINVAL;
	for (unsigned int i = 1; i <= FTPALG_POLICY_A_MAX; i++) {
		if (!tb[i])
			continue;
		switch (i) {
		case FTPALG_POLICY_A_ACTIVE:
			err = get_u8(tb[i], &p->active);
			break;
		case FTPALG_POLICY_A_BOUNCE:
			err = get_u8(tb[i], &p->bounce);
			break;
		case FTPALG_POLICY_A_MIN_PORT:
			err = get_u16(tb[i], &p->min_port);
			break;
		case FTPALG_POLICY_A_PASSIVE_MIN:
			err = get_u16(tb[i], &p->passive_min);
			break;
		case FTPALG_POLICY_A_PASSIVE_MAX:
			err = get_u16(tb[i], &p->passive_max);
			break;
		case FTPALG_POLICY_A_PASSIVE_MAP:
			err = get_u8(tb[i], &p->passive_map);
			break;
		case FTPALG_POLICY_A_ACTION:
			err = get_u8(tb[i], &p->action);
			break;
		default:
			continue;
		}
		if (err)
			return err;
		p->keys |= 1u << i;
	}
	return 0;
}

static int stats_cb(const struct nlattr *a, void *data)
{
	struct ftpalgctl_stats *st = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type == 0 || st->n >= FTPALG_MAX_COUNTERS)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	st->c[st->n].index = type - 1u;
	st->c[st->n].value = mnl_attr_get_u64(a);
	st->n++;
	return MNL_CB_OK;
}

int msg_parse_stats(const struct nlattr *nest, struct ftpalgctl_stats *st)
{
	memset(st, 0, sizeof(*st));
	return mnl_attr_parse_nested(nest, stats_cb, st) < 0 ? -EINVAL : 0;
}

int msg_parse_event(const struct nlattr *nest, struct ftpalg_event *ev)
{
	const struct nlattr *tb[FTPALG_EVENT_A_MAX + 1];

	memset(ev, 0, sizeof(*ev));
	if (parse_nested(nest, tb, FTPALG_EVENT_A_MAX))
		return -EINVAL;

	if (get_opt_u8(tb[FTPALG_EVENT_A_REASON], &ev->reason, &ev->has_reason) ||
	    get_opt_u8(tb[FTPALG_EVENT_A_ACTION], &ev->action, &ev->has_action))
		return -EINVAL;
	if (tb[FTPALG_EVENT_A_FAMILY] &&
	    (get_u8(tb[FTPALG_EVENT_A_FAMILY], &ev->family) ||
	     (ev->family != AF_INET && ev->family != AF_INET6)))
		return -EINVAL;
	/* without a family, the endpoint addresses cannot be read */
	if (ev->family &&
	    (get_opt_addr(tb[FTPALG_EVENT_A_CLIENT_ADDR], ev->family,
			  ev->client, &ev->has_client) ||
	     get_opt_addr(tb[FTPALG_EVENT_A_SERVER_ADDR], ev->family,
			  ev->server, &ev->has_server)))
		return -EINVAL;
	if (get_opt_u16(tb[FTPALG_EVENT_A_CLIENT_PORT], &ev->client_port,
			&ev->has_client_port) ||
	    get_opt_u16(tb[FTPALG_EVENT_A_SERVER_PORT], &ev->server_port,
			&ev->has_server_port))
		return -EINVAL;
	if (tb[FTPALG_EVENT_A_DATA_ADDR]) {
		uint16_t len = mnl_attr_get_payload_len(tb[FTPALG_EVENT_A_DATA_ADDR]);

		ev->data_family = len == 16 ? AF_INET6 : AF_INET;
		if (get_opt_addr(tb[FTPALG_EVENT_A_DATA_ADDR], ev->data_family,
				 ev->data, &ev->has_data))
			return -EINVAL;
	}
	if (get_opt_u16(tb[FTPALG_EVENT_A_DATA_PORT], &ev->data_port,
			&ev->has_data_port))
		return -EINVAL;

	if (tb[FTPALG_EVENT_A_SCOPE]) {
		if (msg_parse_scope(tb[FTPALG_EVENT_A_SCOPE], &ev->scope))
			return -EINVAL;
		ev->has_scope = true;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* Policies, counters, events, sessions, expectations: text and JSON. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>

#include "names.h"
#include "output.h"

#define ADDR_LEN	INET6_ADDRSTRLEN
#define ADDRPORT_LEN	(INET6_ADDRSTRLEN + 8)
#define PREFIX_LEN	(INET6_ADDRSTRLEN + 4)

const char *fmt_addr(uint8_t family, const uint8_t *addr, char *buf, size_t len)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *fmt_addr_port(uint8_t family, const uint8_t *addr, uint16_t port,
			  char *buf, size_t len)
{
	char a[ADDR_LEN];

	fmt_addr(family, addr, a, sizeof(a));
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

const char *fmt_prefix(const struct ftpalg_prefix *p, char *buf, size_t len)
{
	char a[ADDR_LEN];

	snprintf(buf, len, "%s/%u", fmt_addr(p->family, p->addr, a, sizeof(a)),
		 p->len);
	return buf;
}

const char *family_name(uint8_t family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "unknown";
}

static bool has_window(const struct ftpalgctl_policy *p)
{
	return FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MIN) ||
	       FTPALGCTL_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MAX);
}

static bool window_any(const struct ftpalgctl_policy *p)
{
	return !p->passive_min && !p->passive_max;
}

/* An enum: its name (JSON string, text @fmt), or unknown to this build,
 * its value (JSON number, text @unknown_fmt); not @has: JSON null. */
static void print_enum(struct printer *p, bool has, const char *key,
		       const char *fmt, const char *name,
		       const char *unknown_fmt, unsigned int v)
{
	if (!has) {
		print_null(p, PRINT_JSON, key, NULL, NULL);
	} else if (name) {
		print_string(p, PRINT_ANY, key, fmt, name);
	} else {
		print_uint(p, PRINT_JSON, key, NULL, v);
		print_fp(p, unknown_fmt, v);
	}
}

/* Text: @gap before every key but the first. */
static void key_gap(struct printer *p, const char **sep, const char *gap)
{
	print_fp(p, "%s", *sep);
	*sep = gap;
}

/* Only the keys set: text "active on  bounce drop ...", @gap between. */
static void print_policy_keys(struct printer *p, const struct ftpalgctl_policy *pol,
			      const char *gap)
{
	const char *sep = "";

	if (FTPALGCTL_POLICY_HAS(pol, FTPALG_POLICY_A_ACTIVE)) {
		key_gap(p, &sep, gap);
		print_on_off(p, PRINT_ANY, "active", "active %s", pol->active);
	}
	if (FTPALGCTL_POLICY_HAS(pol, FTPALG_POLICY_A_BOUNCE)) {
		key_gap(p, &sep, gap);
		print_enum(p, true, "bounce", "bounce %s", ftpalg_bounce_name(pol->bounce),
			   "bounce %u", pol->bounce);
	}
	if (FTPALGCTL_POLICY_HAS(pol, FTPALG_POLICY_A_MIN_PORT)) {
		key_gap(p, &sep, gap);
		print_uint(p, PRINT_ANY, "min_port", "min-port %" PRIu64,
			   pol->min_port);
	}
	if (has_window(pol)) {
		key_gap(p, &sep, gap);
		if (window_any(pol)) {
			print_null(p, PRINT_ANY, "passive_window",
				   "passive-window %s", "any");
		} else {
			print_open_array(p, "passive_window");
			print_uint(p, PRINT_ANY, NULL, "passive-window %" PRIu64,
				   pol->passive_min);
			print_uint(p, PRINT_ANY, NULL, "-%" PRIu64, pol->passive_max);
			print_close_array(p);
		}
	}
	if (FTPALGCTL_POLICY_HAS(pol, FTPALG_POLICY_A_PASSIVE_MAP)) {
		key_gap(p, &sep, gap);
		print_on_off(p, PRINT_ANY, "passive_map", "passive-map %s",
			     pol->passive_map);
	}
	if (FTPALGCTL_POLICY_HAS(pol, FTPALG_POLICY_A_ACTION)) {
		key_gap(p, &sep, gap);
		print_enum(p, true, "action", "action %s",
			   ftpalg_action_name(pol->action), "action %u",
			   pol->action);
	}
	if (!*sep)
		print_fp(p, "(all keys from the default)");
}

/* "policy": {the default's keys, "scopes": [...]}; text: a line for the
 * default (@def_head, if not NULL) and one per scope (@scope_fmt). */
static void print_policy(struct printer *p, const struct ftpalg_policy_set *ps,
			 const char *def_head, const char *scope_fmt,
			 const char *gap)
{
	char pfx[PREFIX_LEN];

	print_open_object(p, "policy");
	if (ps->have_default && def_head) {
		print_fp(p, "%s", def_head);
		print_policy_keys(p, &ps->def, gap);
		print_fp(p, "\n");
	}
	print_open_array(p, "scopes");
	for (size_t i = 0; i < ps->nscopes; i++) {
		print_open_object(p, NULL);
		print_string(p, PRINT_ANY, "server", scope_fmt,
			     fmt_prefix(&ps->scopes[i].prefix, pfx, sizeof(pfx)));
		print_policy_keys(p, &ps->scopes[i].policy, gap);
		print_fp(p, "\n");
		print_close_object(p);
	}
	print_close_array(p);
	print_close_object(p);
}

static void print_counters(struct printer *p, const struct ftpalgctl_stats *st)
{
	char name[32];

	print_fp(p, "counters:\n");
	print_open_object(p, "counters");
	for (size_t i = 0; i < st->n; i++) {
		const char *known = ftpalg_stat_name(st->c[i].index);

		if (known)
			snprintf(name, sizeof(name), "%s", known);
		else
			snprintf(name, sizeof(name), "stat_%u", st->c[i].index);
		print_fp(p, "  %s", name);
		print_uint(p, PRINT_ANY, name, " %" PRIu64 "\n", st->c[i].value);
	}
	print_close_object(p);
}

void output_show(struct printer *p, const struct ftpalg_policy_set *ps,
		 const struct ftpalgctl_stats *st)
{
	print_open_object(p, NULL);
	print_policy(p, ps, "default: ", "server %s: ", "  ");
	print_counters(p, st);
	print_close_object(p);
}

void output_stats(struct printer *p, const struct ftpalgctl_stats *st)
{
	print_open_object(p, NULL);
	print_counters(p, st);
	print_close_object(p);
}

void output_save(struct printer *p, const struct ftpalg_policy_set *ps)
{
	print_fp(p, "# ftpalgctl save: the whole policy of the namespace; apply it with\n"
		 "# \"ftpalgctl restore FILE\" (what is not here is reset or removed)\n");
	/* a default without keys has nothing to restore */
	print_policy(p, ps, ps->def.keys ? "set " : NULL, "set server %s ", " ");
}

/* JSON "@key": address, "@key_port": port, each null when absent;
 * text " @key ADDR:PORT" when the address is there. */
static void print_endpoint(struct printer *p, const char *key,
			   const char *port_key, uint8_t family, bool has_addr,
			   const uint8_t *addr, bool has_port, uint16_t port)
{
	char buf[ADDRPORT_LEN];

	print_string(p, PRINT_JSON, key, NULL,
		     has_addr ? fmt_addr(family, addr, buf, sizeof(buf)) : NULL);
	if (has_port)
		print_uint(p, PRINT_JSON, port_key, NULL, port);
	else
		print_null(p, PRINT_JSON, port_key, NULL, NULL);
	if (has_addr)
		print_fp(p, " %s %s", key,
			 fmt_addr_port(family, addr, port, buf, sizeof(buf)));
}

void output_event(struct printer *p, const struct ftpalg_event *ev)
{
	char pfx[PREFIX_LEN];

	print_open_object(p, NULL);
	print_fp(p, "refused");
	print_enum(p, ev->has_reason, "reason", " %s",
		   ftpalg_reason_name(ev->reason), " reason_%u", ev->reason);
	print_enum(p, ev->has_action, "action", " action %s",
		   ftpalg_action_name(ev->action), " action %u", ev->action);
	print_string(p, PRINT_JSON, "family", NULL,
		     ev->family ? family_name(ev->family) : NULL);
	print_endpoint(p, "client", "client_port", ev->family, ev->has_client,
		       ev->client, ev->has_client_port, ev->client_port);
	print_endpoint(p, "server", "server_port", ev->family, ev->has_server,
		       ev->server, ev->has_server_port, ev->server_port);
	print_endpoint(p, "data", "data_port", ev->data_family, ev->has_data,
		       ev->data, ev->has_data_port, ev->data_port);
	if (!ev->has_data && ev->has_data_port)
		print_fp(p, " data-port %u", ev->data_port);
	print_string(p, PRINT_ANY, "scope", " scope %s", ev->has_scope ?
		     fmt_prefix(&ev->scope, pfx, sizeof(pfx)) : NULL);
	print_fp(p, "\n");
	print_close_object(p);
}

/* JSON client, client_port, server, server_port; text " A:P -> B:P". */
static void print_connection(struct printer *p, uint8_t family,
			     const uint8_t *client, uint16_t cport,
			     const uint8_t *server, uint16_t sport)
{
	char a[ADDRPORT_LEN], b[ADDRPORT_LEN];

	print_string(p, PRINT_JSON, "client", NULL,
		     fmt_addr(family, client, a, sizeof(a)));
	print_uint(p, PRINT_JSON, "client_port", NULL, cport);
	print_string(p, PRINT_JSON, "server", NULL,
		     fmt_addr(family, server, b, sizeof(b)));
	print_uint(p, PRINT_JSON, "server_port", NULL, sport);
	print_fp(p, " %s -> %s",
		 fmt_addr_port(family, client, cport, a, sizeof(a)),
		 fmt_addr_port(family, server, sport, b, sizeof(b)));
}

static void print_session(struct printer *p, const struct ftpalgctl_session *s)
{
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "family", "%s", family_name(s->family));
	print_connection(p, s->family, s->orig.src, s->orig.sport,
			 s->orig.dst, s->orig.dport);
	if (s->nat) {
		print_open_object(p, "nat");
		print_fp(p, "  nat");
		print_connection(p, s->family, s->reply.dst, s->reply.dport,
				 s->reply.src, s->reply.sport);
		print_close_object(p);
	} else {
		print_null(p, PRINT_JSON, "nat", NULL, NULL);
	}
	print_enum(p, s->has_state, "state", "  %s",
		   ftpalg_tcp_state_name(s->state), "  state %u", s->state);
	if (s->has_timeout)
		print_uint(p, PRINT_ANY, "timeout", "  timeout %" PRIu64, s->timeout);
	else
		print_null(p, PRINT_JSON, "timeout", NULL, NULL);
	if (s->has_mark)
		print_uint(p, PRINT_ANY, "mark", "  mark %" PRIu64, s->mark);
	else
		print_null(p, PRINT_JSON, "mark", NULL, NULL);
	print_fp(p, "\n");
	print_close_object(p);
}

/* A listing: {"NAME": [...]} in JSON, a line per item in text. */
static void print_list_open(struct printer *p, const char *name)
{
	print_open_object(p, NULL);
	print_open_array(p, name);
}

static void print_list_close(struct printer *p)
{
	print_close_array(p);
	print_close_object(p);
}

void output_sessions(struct printer *p, const struct ftpalgctl_session *s, size_t n)
{
	print_list_open(p, "sessions");
	for (size_t i = 0; i < n; i++)
		print_session(p, &s[i]);
	print_list_close(p);
}

static void print_expectation(struct printer *p,
			      const struct ftpalg_expectation *e)
{
	char a[ADDRPORT_LEN], b[ADDRPORT_LEN];

	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "family", "%s", family_name(e->family));
	print_string(p, PRINT_ANY, "src", " %s",
		     e->src_any ? NULL : fmt_addr(e->family, e->src, a, sizeof(a)));
	if (e->src_any)
		print_fp(p, " *");
	print_string(p, PRINT_JSON, "dst", NULL,
		     fmt_addr(e->family, e->dst, a, sizeof(a)));
	print_uint(p, PRINT_JSON, "dport", NULL, e->dport);
	print_fp(p, " -> %s", fmt_addr_port(e->family, e->dst, e->dport, a,
					    sizeof(a)));
	print_uint(p, PRINT_ANY, "timeout", "  timeout %" PRIu64, e->timeout);
	if (e->has_master) {
		print_open_object(p, "master");
		print_string(p, PRINT_JSON, "src", NULL,
			     fmt_addr(e->family, e->master.src, a, sizeof(a)));
		print_string(p, PRINT_JSON, "dst", NULL,
			     fmt_addr(e->family, e->master.dst, b, sizeof(b)));
		print_uint(p, PRINT_JSON, "sport", NULL, e->master.sport);
		print_uint(p, PRINT_JSON, "dport", NULL, e->master.dport);
		print_fp(p, "  master %s -> %s",
			 fmt_addr_port(e->family, e->master.src, e->master.sport,
				       a, sizeof(a)),
			 fmt_addr_port(e->family, e->master.dst, e->master.dport,
				       b, sizeof(b)));
		print_close_object(p);
	} else {
		print_null(p, PRINT_JSON, "master", NULL, NULL);
	}
	print_fp(p, "\n");
	print_close_object(p);
}

void output_expectations(struct printer *p, const struct ftpalg_expectation *e,
			 size_t n)
{
	print_list_open(p, "expectations");
	for (size_t i = 0; i < n; i++)
		print_expectation(p, &e[i]);
	print_list_close(p);
}

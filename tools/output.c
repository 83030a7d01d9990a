// SPDX-License-Identifier: GPL-2.0
/* Text and JSON forms of policies, counters, events, sessions, expectations. */
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

static bool has_window(const struct ftpalg_policy *p)
{
	return FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MIN) ||
	       FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MAX);
}

static bool window_any(const struct ftpalg_policy *p)
{
	return !p->passive_min && !p->passive_max;
}

/* ------------------------------------------------------------------ text */

static void text_enum(FILE *f, const char *sep, const char *key,
		      const char *name, unsigned int v)
{
	if (name)
		fprintf(f, "%s%s %s", sep, key, name);
	else
		fprintf(f, "%s%s %u", sep, key, v);
}

void print_policy_keys(FILE *f, const struct ftpalg_policy *p, const char *gap)
{
	const char *sep = "";

	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_ACTIVE)) {
		fprintf(f, "%sactive %s", sep, p->active ? "on" : "off");
		sep = gap;
	}
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_BOUNCE)) {
		text_enum(f, sep, "bounce", ftpalg_bounce_name(p->bounce), p->bounce);
		sep = gap;
	}
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_MIN_PORT)) {
		fprintf(f, "%smin-port %u", sep, p->min_port);
		sep = gap;
	}
	if (has_window(p)) {
		if (window_any(p))
			fprintf(f, "%spassive-window any", sep);
		else
			fprintf(f, "%spassive-window %u-%u", sep,
				p->passive_min, p->passive_max);
		sep = gap;
	}
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MAP)) {
		fprintf(f, "%spassive-map %s", sep, p->passive_map ? "on" : "off");
		sep = gap;
	}
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_ACTION)) {
		text_enum(f, sep, "action", ftpalg_action_name(p->action), p->action);
		sep = gap;
	}
	if (!*sep)
		fputs("(all keys from the default)", f);
}

/* One line for the default, one per scope: @head, the keys, newline. */
static void print_policy_lines(FILE *f, const struct ftpalg_policy_set *ps,
			       const char *def_head, const char *scope_head,
			       const char *gap)
{
	char pfx[PREFIX_LEN];

	if (ps->have_default && def_head) {
		fputs(def_head, f);
		print_policy_keys(f, &ps->def, gap);
		fputc('\n', f);
	}
	for (size_t i = 0; i < ps->nscopes; i++) {
		fprintf(f, scope_head,
			fmt_prefix(&ps->scopes[i].prefix, pfx, sizeof(pfx)));
		print_policy_keys(f, &ps->scopes[i].policy, gap);
		fputc('\n', f);
	}
}

void print_policy_text(FILE *f, const struct ftpalg_policy_set *ps)
{
	print_policy_lines(f, ps, "default: ", "server %s: ", "  ");
}

void print_policy_batch(FILE *f, const struct ftpalg_policy_set *ps)
{
	fputs("# ftpalgctl save: the whole policy of the namespace; apply it with\n"
	      "# \"ftpalgctl restore FILE\" (what is not here is reset or removed)\n", f);
	/* a default without keys has nothing to restore */
	print_policy_lines(f, ps, ps->def.set ? "set " : NULL, "set server %s ",
			   " ");
}

static void counter_name(unsigned int index, char *buf, size_t len)
{
	const char *name = ftpalg_stat_name(index);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "stat_%u", index);
}

void print_stats_text(FILE *f, const struct ftpalg_stats *st)
{
	char name[32];

	fputs("counters:\n", f);
	for (size_t i = 0; i < st->n; i++) {
		counter_name(st->c[i].index, name, sizeof(name));
		fprintf(f, "  %s %" PRIu64 "\n", name, st->c[i].value);
	}
}

void print_event_text(FILE *f, const struct ftpalg_event *ev)
{
	char buf[ADDRPORT_LEN];

	fputs("refused", f);
	if (ev->has_reason) {
		const char *r = ftpalg_reason_name(ev->reason);

		if (r)
			fprintf(f, " %s", r);
		else
			fprintf(f, " reason_%u", ev->reason);
	}
	if (ev->has_action)
		text_enum(f, " ", "action", ftpalg_action_name(ev->action),
			  ev->action);
	if (ev->has_client)
		fprintf(f, " client %s", fmt_addr_port(ev->family, ev->client,
						      ev->client_port, buf,
						      sizeof(buf)));
	if (ev->has_server)
		fprintf(f, " server %s", fmt_addr_port(ev->family, ev->server,
						      ev->server_port, buf,
						      sizeof(buf)));
	if (ev->has_data)
		fprintf(f, " data %s", fmt_addr_port(ev->data_family, ev->data,
						    ev->data_port, buf,
						    sizeof(buf)));
	else if (ev->has_data_port)
		fprintf(f, " data-port %u", ev->data_port);
	if (ev->has_scope)
		fprintf(f, " scope %s", fmt_prefix(&ev->scope, buf, sizeof(buf)));
	fputc('\n', f);
}

void print_session_text(FILE *f, const struct ftpalg_session *s)
{
	char a[ADDRPORT_LEN], b[ADDRPORT_LEN];

	fprintf(f, "%s %s -> %s", family_name(s->family),
		fmt_addr_port(s->family, s->orig.src, s->orig.sport, a, sizeof(a)),
		fmt_addr_port(s->family, s->orig.dst, s->orig.dport, b, sizeof(b)));
	if (s->nat)
		fprintf(f, "  nat %s -> %s",
			fmt_addr_port(s->family, s->reply.dst, s->reply.dport,
				      a, sizeof(a)),
			fmt_addr_port(s->family, s->reply.src, s->reply.sport,
				      b, sizeof(b)));
	if (s->has_state) {
		const char *st = ftpalg_tcp_state_name(s->state);

		if (st)
			fprintf(f, "  %s", st);
		else
			fprintf(f, "  state %u", s->state);
	}
	if (s->has_timeout)
		fprintf(f, "  timeout %" PRIu32, s->timeout);
	if (s->has_mark)
		fprintf(f, "  mark %" PRIu32, s->mark);
	fputc('\n', f);
}

void print_expectation_text(FILE *f, const struct ftpalg_expectation *e)
{
	char a[ADDRPORT_LEN], b[ADDRPORT_LEN];

	fprintf(f, "%s %s -> %s  timeout %" PRIu32, family_name(e->family),
		e->src_any ? "*" : fmt_addr(e->family, e->src, a, sizeof(a)),
		fmt_addr_port(e->family, e->dst, e->dport, b, sizeof(b)),
		e->timeout);
	if (e->has_master)
		fprintf(f, "  master %s -> %s",
			fmt_addr_port(e->family, e->master.src, e->master.sport,
				      a, sizeof(a)),
			fmt_addr_port(e->family, e->master.dst, e->master.dport,
				      b, sizeof(b)));
	fputc('\n', f);
}

/* ------------------------------------------------------------------ JSON */

static void json_kv_enum(struct json *j, const char *key, const char *name,
			 unsigned int v)
{
	if (name)
		json_kv_string(j, key, name);
	else
		json_kv_u64(j, key, v);
}

static void json_kv_addr(struct json *j, const char *key, uint8_t family,
			 const uint8_t *addr)
{
	char a[ADDR_LEN];

	json_kv_string(j, key, fmt_addr(family, addr, a, sizeof(a)));
}

static void json_policy_keys(struct json *j, const struct ftpalg_policy *p)
{
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_ACTIVE))
		json_kv_bool(j, "active", p->active);
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_BOUNCE))
		json_kv_enum(j, "bounce", ftpalg_bounce_name(p->bounce), p->bounce);
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_MIN_PORT))
		json_kv_u64(j, "min_port", p->min_port);
	if (has_window(p)) {
		if (window_any(p)) {
			json_kv_null(j, "passive_window");
		} else {
			json_kv_array_start(j, "passive_window");
			json_u64(j, p->passive_min);
			json_u64(j, p->passive_max);
			json_array_end(j);
		}
	}
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_PASSIVE_MAP))
		json_kv_bool(j, "passive_map", p->passive_map);
	if (FTPALG_POLICY_HAS(p, FTPALG_POLICY_A_ACTION))
		json_kv_enum(j, "action", ftpalg_action_name(p->action), p->action);
}

void json_policy(struct json *j, const struct ftpalg_policy_set *ps)
{
	char pfx[PREFIX_LEN];

	json_kv_object_start(j, "policy");
	if (ps->have_default)
		json_policy_keys(j, &ps->def);
	json_kv_array_start(j, "scopes");
	for (size_t i = 0; i < ps->nscopes; i++) {
		json_object_start(j);
		json_kv_string(j, "server", fmt_prefix(&ps->scopes[i].prefix,
						       pfx, sizeof(pfx)));
		json_policy_keys(j, &ps->scopes[i].policy);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

void json_counters(struct json *j, const struct ftpalg_stats *st)
{
	char name[32];

	json_kv_object_start(j, "counters");
	for (size_t i = 0; i < st->n; i++) {
		counter_name(st->c[i].index, name, sizeof(name));
		json_kv_u64(j, name, st->c[i].value);
	}
	json_object_end(j);
}

void json_event(struct json *j, const struct ftpalg_event *ev)
{
	char pfx[PREFIX_LEN];

	json_object_start(j);
	if (ev->has_reason)
		json_kv_enum(j, "reason", ftpalg_reason_name(ev->reason), ev->reason);
	else
		json_kv_null(j, "reason");
	if (ev->has_action)
		json_kv_enum(j, "action", ftpalg_action_name(ev->action), ev->action);
	else
		json_kv_null(j, "action");
	json_kv_string(j, "family", ev->family ? family_name(ev->family) : NULL);
	if (ev->has_client)
		json_kv_addr(j, "client", ev->family, ev->client);
	else
		json_kv_null(j, "client");
	if (ev->has_client_port)
		json_kv_u64(j, "client_port", ev->client_port);
	else
		json_kv_null(j, "client_port");
	if (ev->has_server)
		json_kv_addr(j, "server", ev->family, ev->server);
	else
		json_kv_null(j, "server");
	if (ev->has_server_port)
		json_kv_u64(j, "server_port", ev->server_port);
	else
		json_kv_null(j, "server_port");
	if (ev->has_data)
		json_kv_addr(j, "data", ev->data_family, ev->data);
	else
		json_kv_null(j, "data");
	if (ev->has_data_port)
		json_kv_u64(j, "data_port", ev->data_port);
	else
		json_kv_null(j, "data_port");
	json_kv_string(j, "scope", ev->has_scope ?
		       fmt_prefix(&ev->scope, pfx, sizeof(pfx)) : NULL);
	json_object_end(j);
}

static void json_endpoints(struct json *j, uint8_t family,
			   const uint8_t *client, uint16_t cport,
			   const uint8_t *server, uint16_t sport)
{
	json_kv_addr(j, "client", family, client);
	json_kv_u64(j, "client_port", cport);
	json_kv_addr(j, "server", family, server);
	json_kv_u64(j, "server_port", sport);
}

void json_session(struct json *j, const struct ftpalg_session *s)
{
	json_object_start(j);
	json_kv_string(j, "family", family_name(s->family));
	json_endpoints(j, s->family, s->orig.src, s->orig.sport,
		       s->orig.dst, s->orig.dport);
	if (s->nat) {
		json_kv_object_start(j, "nat");
		json_endpoints(j, s->family, s->reply.dst, s->reply.dport,
			       s->reply.src, s->reply.sport);
		json_object_end(j);
	} else {
		json_kv_null(j, "nat");
	}
	if (s->has_state)
		json_kv_enum(j, "state", ftpalg_tcp_state_name(s->state), s->state);
	else
		json_kv_null(j, "state");
	if (s->has_timeout)
		json_kv_u64(j, "timeout", s->timeout);
	else
		json_kv_null(j, "timeout");
	if (s->has_mark)
		json_kv_u64(j, "mark", s->mark);
	else
		json_kv_null(j, "mark");
	json_object_end(j);
}

void json_expectation(struct json *j, const struct ftpalg_expectation *e)
{
	json_object_start(j);
	json_kv_string(j, "family", family_name(e->family));
	if (e->src_any)
		json_kv_null(j, "src");
	else
		json_kv_addr(j, "src", e->family, e->src);
	json_kv_addr(j, "dst", e->family, e->dst);
	json_kv_u64(j, "dport", e->dport);
	json_kv_u64(j, "timeout", e->timeout);
	if (e->has_master) {
		json_kv_object_start(j, "master");
		json_kv_addr(j, "src", e->family, e->master.src);
		json_kv_addr(j, "dst", e->family, e->master.dst);
		json_kv_u64(j, "sport", e->master.sport);
		json_kv_u64(j, "dport", e->master.dport);
		json_object_end(j);
	} else {
		json_kv_null(j, "master");
	}
	json_object_end(j);
}

void json_show(struct json *j, const struct ftpalg_policy_set *ps,
	       const struct ftpalg_stats *st)
{
	json_object_start(j);
	json_policy(j, ps);
	json_counters(j, st);
	json_object_end(j);
}

void json_stats(struct json *j, const struct ftpalg_stats *st)
{
	json_object_start(j);
	json_counters(j, st);
	json_object_end(j);
}

void json_sessions(struct json *j, const struct ftpalg_session *s, size_t n)
{
	json_object_start(j);
	json_kv_array_start(j, "sessions");
	for (size_t i = 0; i < n; i++)
		json_session(j, &s[i]);
	json_array_end(j);
	json_object_end(j);
}

void json_expectations(struct json *j, const struct ftpalg_expectation *e,
		       size_t n)
{
	json_object_start(j);
	json_kv_array_start(j, "expectations");
	for (size_t i = 0; i < n; i++)
		json_expectation(j, &e[i]);
	json_array_end(j);
	json_object_end(j);
}

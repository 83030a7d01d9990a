/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoded objects and their text and JSON forms.  Nothing here talks to
 * the kernel, so every output format is testable from a sample.
 */
#ifndef FTPALGCTL_OUTPUT_H
#define FTPALGCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmdline.h"
#include "json.h"

struct ftpalg_scope_policy {
	struct ftpalg_prefix prefix;
	struct ftpalg_policy policy;
};

/* What FTPALG_CMD_GET_POLICY dumps: the default, then the scopes. */
struct ftpalg_policy_set {
	bool have_default;
	struct ftpalg_policy def;
	struct ftpalg_scope_policy *scopes;
	size_t nscopes;
};

#define FTPALG_MAX_COUNTERS 256

struct ftpalg_counter {
	unsigned int index;	/* enum ftpalg_stat: attribute type - 1 */
	uint64_t value;
};

struct ftpalg_stats {
	size_t n;
	struct ftpalg_counter c[FTPALG_MAX_COUNTERS];
};

struct ftpalg_event {
	bool has_reason, has_action, has_scope;
	bool has_client, has_server, has_data;
	bool has_client_port, has_server_port, has_data_port;
	uint8_t reason;
	uint8_t action;
	uint8_t family;
	uint8_t data_family;	/* the announced address may differ (EPRT) */
	uint8_t client[16], server[16], data[16];
	uint16_t client_port, server_port, data_port;
	struct ftpalg_prefix scope;
};

struct ftpalg_tuple {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

struct ftpalg_session {
	uint8_t family;
	struct ftpalg_tuple orig, reply;
	bool nat;			/* reply is not the mirror of orig */
	bool has_state, has_timeout, has_mark;
	uint8_t state;			/* enum tcp_conntrack */
	uint32_t timeout;
	uint32_t mark;
};

struct ftpalg_expectation {
	uint8_t family;
	bool src_any;			/* the source address is wildcarded */
	uint8_t src[16], dst[16];
	uint16_t dport;
	uint32_t timeout;
	bool has_master;
	struct ftpalg_tuple master;
};

/* "192.0.2.1", "2001:db8::1"; "192.0.2.1:21", "[2001:db8::1]:21". */
const char *fmt_addr(uint8_t family, const uint8_t *addr, char *buf, size_t len);
const char *fmt_addr_port(uint8_t family, const uint8_t *addr, uint16_t port,
			  char *buf, size_t len);
const char *fmt_prefix(const struct ftpalg_prefix *p, char *buf, size_t len);
const char *family_name(uint8_t family);	/* "ipv4", "ipv6" */

/* "active on  bounce drop ...", only the keys set, @gap between them. */
void print_policy_keys(FILE *f, const struct ftpalg_policy *p, const char *gap);
void print_policy_text(FILE *f, const struct ftpalg_policy_set *ps);
/* As set lines, which "ftpalgctl restore" reads back (ftpalgctl save). */
void print_policy_batch(FILE *f, const struct ftpalg_policy_set *ps);
void print_stats_text(FILE *f, const struct ftpalg_stats *st);
void print_event_text(FILE *f, const struct ftpalg_event *ev);
void print_session_text(FILE *f, const struct ftpalg_session *s);
void print_expectation_text(FILE *f, const struct ftpalg_expectation *e);

/* Inside an open object: "policy": {...} and "counters": {...}. */
void json_policy(struct json *j, const struct ftpalg_policy_set *ps);
void json_counters(struct json *j, const struct ftpalg_stats *st);
/* A whole object (one per event, one per array element). */
void json_event(struct json *j, const struct ftpalg_event *ev);
void json_session(struct json *j, const struct ftpalg_session *s);
void json_expectation(struct json *j, const struct ftpalg_expectation *e);

/* Whole top-level objects, one per command. */
void json_show(struct json *j, const struct ftpalg_policy_set *ps,
	       const struct ftpalg_stats *st);		/* {"policy", "counters"} */
void json_stats(struct json *j, const struct ftpalg_stats *st);	/* {"counters"} */
void json_sessions(struct json *j, const struct ftpalg_session *s, size_t n);
void json_expectations(struct json *j, const struct ftpalg_expectation *e,
		       size_t n);

#endif

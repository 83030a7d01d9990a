/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoded objects and their output, text and JSON through one printer.
 * Nothing here talks to the kernel, so every output format is testable
 * from a sample.
 */
#ifndef FTPALGCTL_OUTPUT_H
#define FTPALGCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmdline.h"
#include "print.h"

struct ftpalg_scope_policy {
	struct ftpalg_prefix prefix;
	struct ftpalgctl_policy policy;
};

/* What FTPALG_CMD_GET_POLICY dumps: the default, then the scopes. */
struct ftpalg_policy_set {
	bool have_default;
	struct ftpalgctl_policy def;
	struct ftpalg_scope_policy *scopes;
	size_t nscopes;
};

#define FTPALG_MAX_COUNTERS 256

struct ftpalg_counter {
	unsigned int index;	/* enum ftpalg_stat: attribute type - 1 */
	uint64_t value;
};

struct ftpalgctl_stats {
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

struct ftpalgctl_session {
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

/* What the commands print, each a top-level JSON object (text: lines). */
void output_show(struct printer *p, const struct ftpalg_policy_set *ps,
		 const struct ftpalgctl_stats *st);	/* {"policy", "counters"} */
void output_stats(struct printer *p, const struct ftpalgctl_stats *st);	/* {"counters"} */
void output_sessions(struct printer *p, const struct ftpalgctl_session *s, size_t n);
void output_expectations(struct printer *p, const struct ftpalg_expectation *e,
			 size_t n);
void output_event(struct printer *p, const struct ftpalg_event *ev);	/* monitor */
/* The policy as set lines, which "ftpalgctl restore" reads back (save);
 * text only. */
void output_save(struct printer *p, const struct ftpalg_policy_set *ps);

#endif

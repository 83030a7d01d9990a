// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ftpalgctl without a kernel: the command-line grammar
 * (ethtool's test-cmdline style: a table of {exit status, argv}), the
 * netlink attribute encoding and decoding, and the text and JSON output
 * of decoded samples.  TAP output; nonzero exit on failure.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "batch.h"
#include "cmdline.h"
#include "json.h"
#include "msg.h"
#include "names.h"
#include "output.h"

static int tests, failures;

static bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		failures++;
	return cond;
}

static void diag_diff(const char *got, const char *want)
{
	printf("# got:  %s\n# want: %s\n", got, want);
}

/* "a b ''" -> {"ftpalgctl", "a", "b", ""}; '' stands for an empty word. */
#define MAX_ARGS 32
static int split(const char *line, char *buf, size_t len, char *argv[MAX_ARGS])
{
	int argc = 0;
	char *save = NULL, *w;

	snprintf(buf, len, "%s", line);
	argv[argc++] = "ftpalgctl";
	for (w = strtok_r(buf, " ", &save); w && argc < MAX_ARGS - 1;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(w, "''") ? w : w + 2;
	argv[argc] = NULL;
	return argc;
}

static int parse(const char *line, struct ftpalgctl_request *req, char *err,
		 size_t errlen)
{
	static char buf[512];
	char *argv[MAX_ARGS];
	int argc = split(line, buf, sizeof(buf), argv);

	return ftpalgctl_parse(argc, argv, req, err, errlen);
}

/* ------------------------------------------------------------- grammar */

static const struct {
	int rc;
	const char *args;
} grammar[] = {
	/* options and commands */
	{ 0, "show" },
	{ 0, "-j show" },
	{ 0, "--json show" },
	{ 0, "-p -j show" },
	{ 0, "-jp show" },
	{ 0, "--pretty --json show" },
	{ 0, "-n ns1 show" },
	{ 0, "-nns1 show" },
	{ 0, "-jn ns1 show" },
	{ 0, "--netns ns1 show" },
	{ 0, "--netns=ns1 show" },
	{ 0, "-- show" },
	{ 0, "stats" },
	{ 0, "stats reset" },
	{ 0, "-j stats reset" },
	{ 0, "sessions" },
	{ 0, "-j sessions" },
	{ 0, "expect" },
	{ 0, "-j expect" },
	{ 0, "monitor" },
	{ 0, "-j monitor" },
	{ 0, "help" },
	{ 0, "-j help" },
	{ 0, "-h" },
	{ 0, "--help" },
	{ 0, "-V" },
	{ 0, "--version" },
	{ 0, "-h bogus" },
	{ 0, "save" },
	{ 0, "-n ns1 save" },
	{ 0, "restore policy.conf" },
	{ 0, "restore -" },
	{ 0, "-n ns1 restore /etc/ftpalg/policy" },
	{ 0, "-b cmds" },
	{ 0, "-b -" },
	{ 0, "-bcmds" },
	{ 0, "--batch cmds" },
	{ 0, "--batch=cmds" },
	{ 0, "-j -n ns1 -b cmds" },
	/* set: every key and value */
	{ 0, "set active on" },
	{ 0, "set active off" },
	{ 0, "set bounce drop" },
	{ 0, "set bounce allow" },
	{ 0, "set min-port 0" },
	{ 0, "set min-port 1024" },
	{ 0, "set min-port 65535" },
	{ 0, "set passive-window any" },
	{ 0, "set passive-window 40000-40100" },
	{ 0, "set passive-window 1-65535" },
	{ 0, "set passive-window 5-5" },
	{ 0, "set passive-map on" },
	{ 0, "set passive-map off" },
	{ 0, "set action drop" },
	{ 0, "set action reset" },
	{ 0, "set active off bounce allow min-port 1024 passive-window 40000-40100 passive-map on action reset" },
	{ 0, "set server 198.51.100.0/24 active off" },
	{ 0, "set server 198.51.100.0/24 active off passive-window 40000-40100" },
	{ 0, "set server 0.0.0.0/0 action reset" },
	{ 0, "set server 192.0.2.1 active off" },
	{ 0, "set server 192.0.2.1/32 active off" },
	{ 0, "set server 2001:db8::/32 passive-window 40000-40100" },
	{ 0, "set server ::/0 active on" },
	{ 0, "set server 2001:db8::1 active on" },
	{ 0, "set server 2001:db8::1/128 active on" },
	{ 0, "unset server 198.51.100.0/24" },
	{ 0, "unset server 2001:db8::/64" },
	/* usage errors: options */
	{ 2, "" },
	{ 2, "-j" },
	{ 2, "bogus" },
	{ 2, "sh" },
	{ 2, "shows" },
	{ 2, "SHOW" },
	{ 2, "''" },
	{ 2, "show extra" },
	{ 2, "show -j" },
	{ 2, "-x show" },
	{ 2, "-jx show" },
	{ 2, "--bogus show" },
	{ 2, "--js show" },
	{ 2, "-n" },
	{ 2, "--netns" },
	{ 2, "-n '' show" },
	{ 2, "--netns= show" },
	{ 2, "-n a/b show" },
	{ 2, "-n .. show" },
	{ 2, "sessions all" },
	{ 2, "expect list" },
	{ 2, "monitor now" },
	{ 2, "help me" },
	{ 2, "save now" },
	{ 2, "-j save" },
	{ 2, "restore" },
	{ 2, "restore ''" },
	{ 2, "restore a b" },
	{ 2, "-b" },
	{ 2, "--batch" },
	{ 2, "-b ''" },
	{ 2, "--batch=" },
	{ 2, "-b cmds show" },
	/* usage errors: set */
	{ 2, "set" },
	{ 2, "set server 198.51.100.0/24" },
	{ 2, "set server" },
	{ 2, "set active" },
	{ 2, "set active yes" },
	{ 2, "set active ON" },
	{ 2, "set active 1" },
	{ 2, "set bounce reset" },
	{ 2, "set action allow" },
	{ 2, "set passive-map yes" },
	{ 2, "set min-port 70000" },
	{ 2, "set min-port 65536" },
	{ 2, "set min-port -1" },
	{ 2, "set min-port +1" },
	{ 2, "set min-port 0x10" },
	{ 2, "set min-port ''" },
	{ 2, "set min-port 1a" },
	{ 2, "set min-port 99999999999999999999999" },
	{ 2, "set passive-window 5-3" },
	{ 2, "set passive-window 0-100" },
	{ 2, "set passive-window 0-0" },
	{ 2, "set passive-window 100-70000" },
	{ 2, "set passive-window 100" },
	{ 2, "set passive-window 100-" },
	{ 2, "set passive-window -100" },
	{ 2, "set passive-window 1--2" },
	{ 2, "set passive-window ANY" },
	{ 2, "set passive-window" },
	{ 2, "set foo 1" },
	{ 2, "set min 1" },
	{ 2, "set act on" },
	{ 2, "set active on active off" },
	{ 2, "set passive-window any passive-window 1-2" },
	{ 2, "set active on bounce drop active on" },
	{ 2, "set active on server 198.51.100.0/24" },
	{ 2, "set server 198.51.100.0/24 server 198.51.100.0/24 active on" },
	{ 2, "set server 198.51.100.0/33 active on" },
	{ 2, "set server 2001:db8::/129 active on" },
	{ 2, "set server 198.51.100.1/24 active on" },
	{ 2, "set server 2001:db8::1/64 active on" },
	{ 2, "set server 198.51.100.0/ active on" },
	{ 2, "set server 198.51.100.0/-1 active on" },
	{ 2, "set server 198.51.100.0/+24 active on" },
	{ 2, "set server 198.51.100.0/24/1 active on" },
	{ 2, "set server /24 active on" },
	{ 2, "set server bogus active on" },
	{ 2, "set server 198.51.100 active on" },
	{ 2, "set server 198.51.100.0/024x active on" },
	/* usage errors: unset, stats */
	{ 2, "unset" },
	{ 2, "unset 198.51.100.0/24" },
	{ 2, "unset server" },
	{ 2, "unset server 198.51.100.0/33" },
	{ 2, "unset server 198.51.100.1/24" },
	{ 2, "unset server 198.51.100.0/24 active" },
	{ 2, "unset active" },
	{ 2, "stats foo" },
	{ 2, "stats reset now" },
	{ 2, "stats res" },
};

static void test_grammar(void)
{
	struct ftpalgctl_request req;
	char err[256];

	for (size_t i = 0; i < sizeof(grammar) / sizeof(grammar[0]); i++) {
		int rc = parse(grammar[i].args, &req, err, sizeof(err));

		ok(rc == grammar[i].rc, "parse \"%s\" -> %d", grammar[i].args,
		   grammar[i].rc);
		if (rc != grammar[i].rc)
			printf("# got %d (%s)\n", rc, err);
		else if (rc && !err[0])
			ok(false, "parse \"%s\" explains the error", grammar[i].args);
	}
}

#define BIT(a) (1u << (a))

static void test_requests(void)
{
	struct ftpalgctl_request r;
	char err[256];
	static const uint8_t v4[4] = { 198, 51, 100, 0 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	ok(!parse("show", &r, err, sizeof(err)) && r.cmd == FTPALGCTL_CMD_SHOW &&
	   !r.json && !r.pretty && !r.netns, "show: plain, no netns");
	ok(!parse("-jp -n ns1 stats reset", &r, err, sizeof(err)) &&
	   r.cmd == FTPALGCTL_CMD_STATS_RESET && r.json && r.pretty &&
	   r.netns && !strcmp(r.netns, "ns1"), "-jp -n ns1 stats reset");
	ok(!parse("--netns=blue -j sessions", &r, err, sizeof(err)) &&
	   r.cmd == FTPALGCTL_CMD_SESSIONS && r.json && !strcmp(r.netns, "blue"),
	   "--netns=blue -j sessions");
	ok(!parse("stats", &r, err, sizeof(err)) && r.cmd == FTPALGCTL_CMD_STATS,
	   "stats");
	ok(!parse("expect", &r, err, sizeof(err)) && r.cmd == FTPALGCTL_CMD_EXPECT,
	   "expect");
	ok(!parse("monitor", &r, err, sizeof(err)) && r.cmd == FTPALGCTL_CMD_MONITOR,
	   "monitor");
	ok(!parse("--help", &r, err, sizeof(err)) && r.cmd == FTPALGCTL_CMD_HELP,
	   "--help is help");
	ok(!parse("help", &r, err, sizeof(err)) && r.cmd == FTPALGCTL_CMD_HELP,
	   "help");
	ok(!parse("-V show", &r, err, sizeof(err)) && r.cmd == FTPALGCTL_CMD_VERSION,
	   "-V wins over the command");

	ok(!parse("set active off", &r, err, sizeof(err)) &&
	   r.cmd == FTPALGCTL_CMD_SET && !r.has_scope &&
	   r.policy.set == BIT(FTPALG_POLICY_A_ACTIVE) && r.policy.active == 0,
	   "set active off: the default policy, one key");
	ok(!parse("set passive-window any", &r, err, sizeof(err)) &&
	   r.policy.set == (BIT(FTPALG_POLICY_A_PASSIVE_MIN) |
			    BIT(FTPALG_POLICY_A_PASSIVE_MAX)) &&
	   r.policy.passive_min == 0 && r.policy.passive_max == 0,
	   "passive-window any: PASSIVE_MIN = PASSIVE_MAX = 0");
	ok(!parse("set passive-window 40000-40100", &r, err, sizeof(err)) &&
	   r.policy.passive_min == 40000 && r.policy.passive_max == 40100,
	   "passive-window 40000-40100");
	ok(!parse("set active on bounce allow min-port 0 passive-window 1-2 passive-map on action reset",
		  &r, err, sizeof(err)) &&
	   r.policy.set == (BIT(FTPALG_POLICY_A_ACTIVE) | BIT(FTPALG_POLICY_A_BOUNCE) |
			    BIT(FTPALG_POLICY_A_MIN_PORT) |
			    BIT(FTPALG_POLICY_A_PASSIVE_MIN) |
			    BIT(FTPALG_POLICY_A_PASSIVE_MAX) |
			    BIT(FTPALG_POLICY_A_PASSIVE_MAP) |
			    BIT(FTPALG_POLICY_A_ACTION)) &&
	   r.policy.active == 1 && r.policy.bounce == FTPALG_BOUNCE_ALLOW &&
	   r.policy.min_port == 0 && r.policy.passive_min == 1 &&
	   r.policy.passive_max == 2 && r.policy.passive_map == 1 &&
	   r.policy.action == FTPALG_ACTION_RESET,
	   "set with every key");
	ok(!parse("set server 198.51.100.0/24 active off", &r, err, sizeof(err)) &&
	   r.has_scope && r.scope.family == AF_INET && r.scope.len == 24 &&
	   !memcmp(r.scope.addr, v4, 4), "set server 198.51.100.0/24: the scope");
	ok(!parse("set server 192.0.2.1 action drop", &r, err, sizeof(err)) &&
	   r.scope.family == AF_INET && r.scope.len == 32,
	   "a bare IPv4 address is a /32");
	ok(!parse("set server 2001:db8::1 action drop", &r, err, sizeof(err)) &&
	   r.scope.family == AF_INET6 && r.scope.len == 128,
	   "a bare IPv6 address is a /128");
	ok(!parse("unset server 2001:db8::/32", &r, err, sizeof(err)) &&
	   r.cmd == FTPALGCTL_CMD_UNSET && r.has_scope &&
	   r.scope.family == AF_INET6 && r.scope.len == 32 &&
	   !memcmp(r.scope.addr, v6, 16) && !r.policy.set,
	   "unset server 2001:db8::/32");

	ok(parse("set server 198.51.100.1/24 active on", &r, err, sizeof(err)) == 2 &&
	   strstr(err, "host bits") && strstr(err, "198.51.100.0/24"),
	   "host bits: says so and suggests the prefix (%s)", err);
	ok(parse("set server 2001:db8::1/64 active on", &r, err, sizeof(err)) == 2 &&
	   strstr(err, "host bits") && strstr(err, "2001:db8::/64"),
	   "IPv6 host bits (%s)", err);
	ok(parse("set passive-window 5-3", &r, err, sizeof(err)) == 2 &&
	   strstr(err, "5-3"), "passive-window 5-3 (%s)", err);
	ok(parse("set active on active off", &r, err, sizeof(err)) == 2 &&
	   strstr(err, "duplicate"), "duplicate key (%s)", err);
	ok(parse("set foo 1", &r, err, sizeof(err)) == 2 &&
	   strstr(err, "unknown key"), "unknown key (%s)", err);
	ok(parse("set active", &r, err, sizeof(err)) == 2 &&
	   strstr(err, "missing value"), "missing value (%s)", err);
	ok(parse("set", &r, err, sizeof(err)) == 2 && strstr(err, "no policy key"),
	   "set without a key (%s)", err);
}

/* -------------------------------------------------------------- netlink */

static void test_messages(void)
{
	static char buf[8192];
	const struct nlattr *tb[FTPALG_A_MAX + 1];
	struct ftpalgctl_request r;
	struct ftpalg_prefix p;
	struct ftpalg_policy pol;
	struct ftpalg_stats *st = calloc(1, sizeof(*st));
	struct ftpalg_event ev;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char err[256];

	parse("set server 198.51.100.0/24 active off passive-window 40000-40100 action reset",
	      &r, err, sizeof(err));
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	msg_put_scope(nlh, &r.scope);
	msg_put_policy(nlh, &r.policy);
	ok(!msg_parse_top(nlh, tb) && tb[FTPALG_A_SCOPE] && tb[FTPALG_A_POLICY],
	   "SET_POLICY message: scope and policy");
	ok(tb[FTPALG_A_SCOPE] && !msg_parse_scope(tb[FTPALG_A_SCOPE], &p) &&
	   !memcmp(&p, &r.scope, sizeof(p)), "scope round trip");
	ok(tb[FTPALG_A_POLICY] && !msg_parse_policy(tb[FTPALG_A_POLICY], &pol) &&
	   !memcmp(&pol, &r.policy, sizeof(pol)), "policy round trip, only the keys given");
	ok(tb[FTPALG_A_SCOPE] && mnl_attr_get_payload_len(tb[FTPALG_A_SCOPE]) == 3 * 8,
	   "IPv4 scope: u8 family, 4-byte address, u8 prefixlen");

	/* Unknown attributes are ignored, at every level. */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	nest = mnl_attr_nest_start(nlh, FTPALG_A_POLICY);
	mnl_attr_put_u8(nlh, FTPALG_POLICY_A_ACTIVE, 1);
	mnl_attr_put_u32(nlh, 99, 12345);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, 77, 1);
	nest = mnl_attr_nest_start(nlh, FTPALG_A_STATS);
	mnl_attr_put_u64(nlh, FTPALG_STAT_CMD_PORT + 1, 3);
	mnl_attr_put_u64(nlh, FTPALG_STAT_RESETS_SENT + 1, 1ull << 40);
	mnl_attr_put_u64(nlh, 31, 7);	/* a counter from a newer kernel */
	mnl_attr_nest_end(nlh, nest);
	ok(!msg_parse_top(nlh, tb) && tb[FTPALG_A_POLICY] && tb[FTPALG_A_STATS],
	   "unknown top-level attribute ignored");
	ok(!msg_parse_policy(tb[FTPALG_A_POLICY], &pol) &&
	   pol.set == BIT(FTPALG_POLICY_A_ACTIVE) && pol.active == 1,
	   "unknown policy attribute ignored");
	ok(!msg_parse_stats(tb[FTPALG_A_STATS], st) && st->n == 3 &&
	   st->c[0].index == FTPALG_STAT_CMD_PORT && st->c[0].value == 3 &&
	   st->c[1].index == FTPALG_STAT_RESETS_SENT &&
	   st->c[1].value == 1ull << 40 && st->c[2].index == 30,
	   "stats: type is stat + 1, newer counters kept");

	/* A known attribute of the wrong size is an error. */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	nest = mnl_attr_nest_start(nlh, FTPALG_A_POLICY);
	mnl_attr_put_u32(nlh, FTPALG_POLICY_A_MIN_PORT, 1024);
	mnl_attr_nest_end(nlh, nest);
	ok(!msg_parse_top(nlh, tb) && msg_parse_policy(tb[FTPALG_A_POLICY], &pol),
	   "min-port as u32 is rejected");

	/* An event, as the kernel builds it, with a newer attribute. */
	parse("unset server 198.51.100.0/24", &r, err, sizeof(err));
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	nest = mnl_attr_nest_start(nlh, FTPALG_A_EVENT);
	mnl_attr_put_u8(nlh, FTPALG_EVENT_A_REASON, FTPALG_REASON_BOUNCE);
	mnl_attr_put_u8(nlh, FTPALG_EVENT_A_ACTION, FTPALG_ACTION_DROP);
	mnl_attr_put_u8(nlh, FTPALG_EVENT_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, FTPALG_EVENT_A_CLIENT_ADDR, 4, (uint8_t[]){ 192, 0, 2, 2 });
	mnl_attr_put_u16(nlh, FTPALG_EVENT_A_CLIENT_PORT, 40000);
	mnl_attr_put(nlh, FTPALG_EVENT_A_SERVER_ADDR, 4, (uint8_t[]){ 198, 51, 100, 2 });
	mnl_attr_put_u16(nlh, FTPALG_EVENT_A_SERVER_PORT, 21);
	mnl_attr_put(nlh, FTPALG_EVENT_A_DATA_ADDR, 4, (uint8_t[]){ 198, 51, 100, 9 });
	mnl_attr_put_u16(nlh, FTPALG_EVENT_A_DATA_PORT, 2000);
	{
		struct nlattr *s = mnl_attr_nest_start(nlh, FTPALG_EVENT_A_SCOPE);

		mnl_attr_put_u8(nlh, FTPALG_SCOPE_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, FTPALG_SCOPE_A_ADDR, 4, r.scope.addr);
		mnl_attr_put_u8(nlh, FTPALG_SCOPE_A_PREFIXLEN, 24);
		mnl_attr_nest_end(nlh, s);
	}
	mnl_attr_put_u32(nlh, 200, 0);	/* newer attribute */
	mnl_attr_nest_end(nlh, nest);
	ok(!msg_parse_top(nlh, tb) && tb[FTPALG_A_EVENT] &&
	   !msg_parse_event(tb[FTPALG_A_EVENT], &ev) && ev.has_reason &&
	   ev.reason == FTPALG_REASON_BOUNCE && ev.family == AF_INET &&
	   ev.client_port == 40000 && ev.server_port == 21 && ev.has_data &&
	   ev.data_family == AF_INET && ev.data_port == 2000 && ev.has_scope &&
	   ev.scope.len == 24, "event decoded");
	{
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		print_event_text(f, &ev);
		fclose(f);
		ok(!strcmp(out, "refused bounce action drop client 192.0.2.2:40000 server 198.51.100.2:21 data 198.51.100.9:2000 scope 198.51.100.0/24\n"),
		   "event text line");
		if (strcmp(out, "refused bounce action drop client 192.0.2.2:40000 server 198.51.100.2:21 data 198.51.100.9:2000 scope 198.51.100.0/24\n"))
			printf("# got: %s", out);
		free(out);
	}
	free(st);
}

/* ---------------------------------------------------------------- output */

/* Run @fn into a string. */
#define CAPTURE(out, pretty, ...)					\
	do {								\
		size_t len_ = 0;					\
		FILE *f_ = open_memstream(&(out), &len_);		\
		struct json jw_;					\
									\
		json_init(&jw_, f_, (pretty));				\
		{ struct json *j = &jw_; FILE *f = f_; (void)j; (void)f; __VA_ARGS__; } \
		fclose(f_);						\
	} while (0)

static void expect_str(char *got, const char *want, const char *what)
{
	if (!ok(got && !strcmp(got, want), "%s", what))
		diag_diff(got ? got : "(null)", want);
	free(got);
}

static void fill_all_counters(struct ftpalg_stats *st)
{
	st->n = 0;
	for (unsigned int i = 0; i <= FTPALG_STAT_MAX; i++) {
		st->c[st->n].index = i;
		st->c[st->n].value = i == FTPALG_STAT_CMD_PORT ? 3 : 0;
		st->n++;
	}
}

static void test_json_writer(void)
{
	char *out = NULL;

	CAPTURE(out, false,
		json_object_start(j);
		json_kv_string(j, "s", "a\"b\\c\n\r\t\b\f\x01\x1f\x7f/é");
		json_kv_string(j, "null", NULL);
		json_kv_u64(j, "max", UINT64_MAX);
		json_key(j, "neg"); json_i64(j, -5);
		json_kv_bool(j, "t", true);
		json_kv_bool(j, "f", false);
		json_kv_array_start(j, "empty"); json_array_end(j);
		json_kv_object_start(j, "obj"); json_object_end(j);
		json_kv_array_start(j, "a");
		json_u64(j, 1); json_null(j); json_string(j, "x");
		json_object_start(j); json_kv_u64(j, "k", 2); json_object_end(j);
		json_array_end(j);
		json_kv_string(j, "key \"quoted\"", "");
		json_object_end(j));
	expect_str(out,
		   "{\"s\": \"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f/é\", "
		   "\"null\": null, \"max\": 18446744073709551615, \"neg\": -5, "
		   "\"t\": true, \"f\": false, \"empty\": [], \"obj\": {}, "
		   "\"a\": [1, null, \"x\", {\"k\": 2}], \"key \\\"quoted\\\"\": \"\"}\n",
		   "JSON writer: escaping, numbers, bools, null, nesting");

	CAPTURE(out, true,
		json_object_start(j);
		json_kv_u64(j, "a", 1);
		json_kv_array_start(j, "b"); json_u64(j, 2); json_u64(j, 3); json_array_end(j);
		json_kv_array_start(j, "c"); json_array_end(j);
		json_kv_object_start(j, "d"); json_kv_null(j, "e"); json_object_end(j);
		json_object_end(j));
	expect_str(out,
		   "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n  ],\n  \"c\": [],\n"
		   "  \"d\": {\n    \"e\": null\n  }\n}\n",
		   "JSON writer: pretty printing");

	CAPTURE(out, false,
		json_object_start(j); json_kv_u64(j, "n", 1); json_object_end(j);
		json_object_start(j); json_kv_u64(j, "n", 2); json_object_end(j));
	expect_str(out, "{\"n\": 1}\n{\"n\": 2}\n",
		   "JSON writer: one object per line in a stream");
}

static void test_output(void)
{
	struct ftpalg_stats *st = calloc(1, sizeof(*st));
	struct ftpalg_scope_policy scopes[2];
	struct ftpalg_policy_set ps = { 0 };
	struct ftpalgctl_request r;
	char err[256], *out = NULL;

	/* The kernel's default: every key set. */
	ps.have_default = true;
	ps.def.set = BIT(FTPALG_POLICY_A_ACTIVE) | BIT(FTPALG_POLICY_A_BOUNCE) |
		     BIT(FTPALG_POLICY_A_MIN_PORT) | BIT(FTPALG_POLICY_A_PASSIVE_MIN) |
		     BIT(FTPALG_POLICY_A_PASSIVE_MAX) |
		     BIT(FTPALG_POLICY_A_PASSIVE_MAP) | BIT(FTPALG_POLICY_A_ACTION);
	ps.def.active = 1;
	ps.def.min_port = 1024;
	parse("set server 198.51.100.0/24 active off passive-window 40000-40100",
	      &r, err, sizeof(err));
	scopes[0].prefix = r.scope;
	scopes[0].policy = r.policy;
	parse("set server 2001:db8::/32 action reset", &r, err, sizeof(err));
	scopes[1].prefix = r.scope;
	scopes[1].policy = r.policy;
	ps.scopes = scopes;
	ps.nscopes = 2;
	fill_all_counters(st);

	CAPTURE(out, false, print_policy_text(f, &ps); print_stats_text(f, st));
	expect_str(out,
		   "default: active on  bounce drop  min-port 1024  passive-window any  passive-map off  action drop\n"
		   "server 198.51.100.0/24: active off  passive-window 40000-40100\n"
		   "server 2001:db8::/32: action reset\n"
		   "counters:\n  cmd_port 3\n  cmd_eprt 0\n  reply_pasv 0\n  reply_epsv 0\n"
		   "  malformed 0\n  foreign_addr 0\n  expect_created 0\n  expect_failed 0\n"
		   "  nat_rewrite 0\n  nat_no_port 0\n  nat_failed 0\n  nat_hold 0\n"
		   "  reassembled 0\n  overlong 0\n  desync 0\n  nomem 0\n"
		   "  refused_active_off 0\n  refused_bounce 0\n  refused_low_port 0\n"
		   "  refused_passive_window 0\n  refused_passive_redirect 0\n"
		   "  passive_mapped 0\n  resets_sent 0\n"
		   "  refused_unsolicited 0\n  refused_epsv_all 0\n"
		   "  refused_long_addr 0\n  refused_expect_limit 0\n"
		   "  tls 0\n  opaque_segments 0\n  session_overflow 0\n"
		   "  active_accepted 0\n  expect_withdrawn 0\n"
		   "  reordered 0\n  unjudged 0\n  pickup 0\n  nat_adopted 0\n",
		   "show: text");

	CAPTURE(out, false, json_show(j, &ps, st));
	expect_str(out,
		   "{\"policy\": {\"active\": true, \"bounce\": \"drop\", \"min_port\": 1024, "
		   "\"passive_window\": null, \"passive_map\": false, \"action\": \"drop\", "
		   "\"scopes\": [{\"server\": \"198.51.100.0/24\", \"active\": false, "
		   "\"passive_window\": [40000, 40100]}, "
		   "{\"server\": \"2001:db8::/32\", \"action\": \"reset\"}]}, "
		   "\"counters\": {\"cmd_port\": 3, \"cmd_eprt\": 0, \"reply_pasv\": 0, "
		   "\"reply_epsv\": 0, \"malformed\": 0, \"foreign_addr\": 0, "
		   "\"expect_created\": 0, \"expect_failed\": 0, \"nat_rewrite\": 0, "
		   "\"nat_no_port\": 0, \"nat_failed\": 0, \"nat_hold\": 0, "
		   "\"reassembled\": 0, \"overlong\": 0, \"desync\": 0, \"nomem\": 0, "
		   "\"refused_active_off\": 0, \"refused_bounce\": 0, "
		   "\"refused_low_port\": 0, \"refused_passive_window\": 0, "
		   "\"refused_passive_redirect\": 0, \"passive_mapped\": 0, "
		   "\"resets_sent\": 0, \"refused_unsolicited\": 0, "
		   "\"refused_epsv_all\": 0, \"refused_long_addr\": 0, "
		   "\"refused_expect_limit\": 0, \"tls\": 0, "
		   "\"opaque_segments\": 0, \"session_overflow\": 0, "
		   "\"active_accepted\": 0, \"expect_withdrawn\": 0, "
		   "\"reordered\": 0, \"unjudged\": 0, \"pickup\": 0, "
		   "\"nat_adopted\": 0}}\n",
		   "show: JSON");

	/* A default with a window, no scopes; a newer counter. */
	ps.def.passive_min = 40000;
	ps.def.passive_max = 40100;
	ps.def.active = 0;
	ps.def.bounce = FTPALG_BOUNCE_ALLOW;
	ps.def.passive_map = 1;
	ps.def.action = FTPALG_ACTION_RESET;
	ps.nscopes = 0;
	st->n = 2;
	st->c[0].index = FTPALG_STAT_RESETS_SENT;
	st->c[0].value = 5;
	st->c[1].index = FTPALG_STAT_MAX + 7;
	st->c[1].value = 9;
	CAPTURE(out, false, json_show(j, &ps, st));
	expect_str(out,
		   "{\"policy\": {\"active\": false, \"bounce\": \"allow\", \"min_port\": 1024, "
		   "\"passive_window\": [40000, 40100], \"passive_map\": true, "
		   "\"action\": \"reset\", \"scopes\": []}, "
		   "\"counters\": {\"resets_sent\": 5, \"stat_42\": 9}}\n",
		   "show: JSON with a window, no scopes, an unknown counter");
	CAPTURE(out, false, json_stats(j, st));
	expect_str(out, "{\"counters\": {\"resets_sent\": 5, \"stat_42\": 9}}\n",
		   "stats: JSON");
	CAPTURE(out, false, print_stats_text(f, st));
	expect_str(out, "counters:\n  resets_sent 5\n  stat_42 9\n", "stats: text");

	/* Events. */
	{
		struct ftpalg_event ev = {
			.has_reason = true, .reason = FTPALG_REASON_BOUNCE,
			.has_action = true, .action = FTPALG_ACTION_DROP,
			.family = AF_INET, .data_family = AF_INET,
			.has_client = true, .client = { 192, 0, 2, 2 },
			.has_client_port = true, .client_port = 40000,
			.has_server = true, .server = { 198, 51, 100, 2 },
			.has_server_port = true, .server_port = 21,
			.has_data = true, .data = { 198, 51, 100, 9 },
			.has_data_port = true, .data_port = 2000,
			.has_scope = true, .scope = scopes[0].prefix,
		};

		CAPTURE(out, false, json_event(j, &ev));
		expect_str(out,
			   "{\"reason\": \"bounce\", \"action\": \"drop\", \"family\": \"ipv4\", "
			   "\"client\": \"192.0.2.2\", \"client_port\": 40000, "
			   "\"server\": \"198.51.100.2\", \"server_port\": 21, "
			   "\"data\": \"198.51.100.9\", \"data_port\": 2000, "
			   "\"scope\": \"198.51.100.0/24\"}\n",
			   "event: JSON");

		memset(&ev, 0, sizeof(ev));
		ev.has_reason = true;
		ev.reason = FTPALG_REASON_PASSIVE_WINDOW;
		ev.has_action = true;
		ev.action = FTPALG_ACTION_RESET;
		ev.family = AF_INET6;
		ev.has_client = ev.has_server = true;
		inet_pton(AF_INET6, "2001:db8::2", ev.client);
		inet_pton(AF_INET6, "2001:db8:1::2", ev.server);
		ev.has_client_port = ev.has_server_port = true;
		ev.client_port = 50000;
		ev.server_port = 21;
		ev.has_data_port = true;
		ev.data_port = 30000;
		CAPTURE(out, false, json_event(j, &ev));
		expect_str(out,
			   "{\"reason\": \"passive_window\", \"action\": \"reset\", \"family\": \"ipv6\", "
			   "\"client\": \"2001:db8::2\", \"client_port\": 50000, "
			   "\"server\": \"2001:db8:1::2\", \"server_port\": 21, "
			   "\"data\": null, \"data_port\": 30000, \"scope\": null}\n",
			   "event: JSON, IPv6, no data address, no scope");
		CAPTURE(out, false, print_event_text(f, &ev));
		expect_str(out,
			   "refused passive_window action reset client [2001:db8::2]:50000 "
			   "server [2001:db8:1::2]:21 data-port 30000\n",
			   "event: text, IPv6, no data address, no scope");
		ev.reason = 42;
		CAPTURE(out, false, json_event(j, &ev); print_event_text(f, &ev));
		ok(out && strstr(out, "\"reason\": 42") && strstr(out, "refused reason_42"),
		   "event: unknown reason");
		free(out);
	}

	/* Sessions. */
	{
		struct ftpalg_session s[2] = { 0 };

		s[0].family = AF_INET;
		memcpy(s[0].orig.src, (uint8_t[]){ 192, 0, 2, 2 }, 4);
		memcpy(s[0].orig.dst, (uint8_t[]){ 198, 51, 100, 2 }, 4);
		s[0].orig.sport = 40000;
		s[0].orig.dport = 21;
		memcpy(s[0].reply.src, (uint8_t[]){ 198, 51, 100, 2 }, 4);
		memcpy(s[0].reply.dst, (uint8_t[]){ 203, 0, 113, 1 }, 4);
		s[0].reply.sport = 21;
		s[0].reply.dport = 61000;
		s[0].nat = true;
		s[0].has_state = s[0].has_timeout = s[0].has_mark = true;
		s[0].state = 3;
		s[0].timeout = 431999;
		s[0].mark = 0;
		s[1].family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8::2", s[1].orig.src);
		inet_pton(AF_INET6, "2001:db8:1::2", s[1].orig.dst);
		s[1].orig.sport = 50000;
		s[1].orig.dport = 21;
		s[1].has_state = true;
		s[1].state = 7;
		CAPTURE(out, false, json_sessions(j, s, 2));
		expect_str(out,
			   "{\"sessions\": [{\"family\": \"ipv4\", \"client\": \"192.0.2.2\", "
			   "\"client_port\": 40000, \"server\": \"198.51.100.2\", \"server_port\": 21, "
			   "\"nat\": {\"client\": \"203.0.113.1\", \"client_port\": 61000, "
			   "\"server\": \"198.51.100.2\", \"server_port\": 21}, "
			   "\"state\": \"ESTABLISHED\", \"timeout\": 431999, \"mark\": 0}, "
			   "{\"family\": \"ipv6\", \"client\": \"2001:db8::2\", \"client_port\": 50000, "
			   "\"server\": \"2001:db8:1::2\", \"server_port\": 21, \"nat\": null, "
			   "\"state\": \"TIME_WAIT\", \"timeout\": null, \"mark\": null}]}\n",
			   "sessions: JSON with and without NAT");
		CAPTURE(out, false, print_session_text(f, &s[0]); print_session_text(f, &s[1]));
		expect_str(out,
			   "ipv4 192.0.2.2:40000 -> 198.51.100.2:21  nat 203.0.113.1:61000 -> 198.51.100.2:21  ESTABLISHED  timeout 431999  mark 0\n"
			   "ipv6 [2001:db8::2]:50000 -> [2001:db8:1::2]:21  TIME_WAIT\n",
			   "sessions: text");
		CAPTURE(out, false, json_sessions(j, NULL, 0));
		expect_str(out, "{\"sessions\": []}\n", "sessions: JSON, none");
	}

	/* Expectations. */
	{
		struct ftpalg_expectation e = { 0 };

		e.family = AF_INET;
		memcpy(e.src, (uint8_t[]){ 198, 51, 100, 2 }, 4);
		memcpy(e.dst, (uint8_t[]){ 192, 0, 2, 2 }, 4);
		e.dport = 40001;
		e.timeout = 118;
		e.has_master = true;
		memcpy(e.master.src, (uint8_t[]){ 192, 0, 2, 2 }, 4);
		memcpy(e.master.dst, (uint8_t[]){ 198, 51, 100, 2 }, 4);
		e.master.sport = 40000;
		e.master.dport = 21;
		CAPTURE(out, false, json_expectations(j, &e, 1));
		expect_str(out,
			   "{\"expectations\": [{\"family\": \"ipv4\", \"src\": \"198.51.100.2\", "
			   "\"dst\": \"192.0.2.2\", \"dport\": 40001, \"timeout\": 118, "
			   "\"master\": {\"src\": \"192.0.2.2\", \"dst\": \"198.51.100.2\", "
			   "\"sport\": 40000, \"dport\": 21}}]}\n",
			   "expect: JSON");
		CAPTURE(out, false, print_expectation_text(f, &e));
		expect_str(out,
			   "ipv4 198.51.100.2 -> 192.0.2.2:40001  timeout 118  master 192.0.2.2:40000 -> 198.51.100.2:21\n",
			   "expect: text");
		e.src_any = true;
		CAPTURE(out, false, json_expectations(j, &e, 1));
		ok(out && strstr(out, "\"src\": null"), "expect: wildcard source is null");
		free(out);
		CAPTURE(out, false, json_expectations(j, NULL, 0));
		expect_str(out, "{\"expectations\": []}\n", "expect: JSON, none");
		CAPTURE(out, true, json_expectations(j, NULL, 0));
		expect_str(out, "{\n  \"expectations\": []\n}\n", "expect: pretty JSON, none");
	}
	free(st);
}

/* ---------------------------------------------------------------- batch */

/* batch_parse() of @text; returns its status, *line the failing line. */
static int parse_batch(const char *text, uint32_t allowed, struct batch *b,
		       unsigned int *line, char *err, size_t errlen)
{
	struct ftpalgctl_request opts = { .json = true, .netns = "ns1" };
	size_t len = strlen(text);
	char *copy = malloc(len + 1);
	int rc;

	memcpy(copy, text, len + 1);
	rc = batch_parse(copy, len, &opts, allowed, b, line, err, errlen);
	free(copy);
	return rc;
}

static const struct {
	int rc;
	unsigned int line;
	uint32_t allowed;
	const char *text;
	const char *why;	/* a word of the message */
} batches[] = {
	{ 0, 0, BATCH_CMDS, "", NULL },
	{ 0, 0, BATCH_CMDS, "\n\n# only comments\n   \t\n", NULL },
	{ 0, 0, BATCH_CMDS, "show\nset active off\nstats reset\nsessions\nexpect", NULL },
	{ 2, 2, BATCH_CMDS, "show\nsave\n", "JSON" },	/* the options have -j */
	{ 0, 0, BATCH_CMDS, "set active off # trailing comment\r\n", NULL },
	{ 0, 0, RESTORE_CMDS, "set active off\nset server 192.0.2.0/24 min-port 0\nunset server 192.0.2.0/24\n", NULL },
	{ 2, 3, BATCH_CMDS, "show\n\nset bogus 1\nshow\n", "unknown key" },
	{ 2, 1, BATCH_CMDS, "monitor\n", "cannot be used" },
	{ 2, 1, BATCH_CMDS, "restore x\n", "cannot be used" },
	{ 2, 1, BATCH_CMDS, "help\n", "cannot be used" },
	{ 2, 2, BATCH_CMDS, "show\n-j show\n", "options" },
	{ 2, 1, BATCH_CMDS, "ftpalgctl show\n", "unknown command" },
	{ 2, 1, BATCH_CMDS, "Show\n", "unknown command" },
	{ 2, 2, RESTORE_CMDS, "set active off\nshow\n", "only set and unset" },
	{ 2, 1, RESTORE_CMDS, "stats reset\n", "only set and unset" },
	{ 2, 1, RESTORE_CMDS, "set server 192.0.2.1/24 active on\n", "host bits" },
	{ 2, 2, RESTORE_CMDS, "set active on\nset active\n", "missing value" },
	{ 2, 1, BATCH_CMDS, "set active on# glued\n", "invalid active" },
};

static void test_batch(void)
{
	struct ftpalg_policy_set ps, again;
	unsigned int line;
	struct batch b;
	char err[256], words[400] = "set";
	char *out = NULL;
	int rc;

	for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		err[0] = '\0';
		rc = parse_batch(batches[i].text, batches[i].allowed, &b, &line,
				 err, sizeof(err));
		ok(rc == batches[i].rc && (!rc || line == batches[i].line) &&
		   (!batches[i].why || strstr(err, batches[i].why)),
		   "batch #%zu -> %d at line %u (%s)", i, batches[i].rc,
		   batches[i].line, err);
		batch_free(&b);
	}
	{
		char text[] = "show\nset\0 active on\n";
		struct ftpalgctl_request opts = { 0 };

		ok(batch_parse(text, sizeof(text) - 1, &opts, BATCH_CMDS, &b,
			       &line, err, sizeof(err)) == 2 && line == 2 &&
		   strstr(err, "NUL"), "a NUL byte is an error of its line (%s)", err);
		batch_free(&b);
	}
	for (int i = 0; i < 70; i++)
		strcat(words, " x");
	ok(parse_batch(words, BATCH_CMDS, &b, &line, err, sizeof(err)) == 2 &&
	   strstr(err, "words"), "too many words on a line (%s)", err);
	batch_free(&b);

	rc = parse_batch("show\n  set   server 2001:db8::/32\tactive off\n# c\nstats reset",
			 BATCH_CMDS, &b, &line, err, sizeof(err));
	ok(!rc && b.n == 3 && b.cmds[0].line == 1 && b.cmds[1].line == 2 &&
	   b.cmds[2].line == 4 && b.cmds[0].req.cmd == FTPALGCTL_CMD_SHOW &&
	   b.cmds[1].req.cmd == FTPALGCTL_CMD_SET && b.cmds[1].req.has_scope &&
	   b.cmds[1].req.scope.family == AF_INET6 &&
	   b.cmds[2].req.cmd == FTPALGCTL_CMD_STATS_RESET &&
	   b.cmds[1].req.json && !strcmp(b.cmds[1].req.netns, "ns1"),
	   "batch: commands, their lines, the command line's options");
	batch_free(&b);

	/* What a restore file leaves: later lines win, unset removes. */
	rc = parse_batch("set active off min-port 2000\n"
			 "set server 192.0.2.0/24 active on\n"
			 "set server 2001:db8::/32 passive-window 40000-40100\n"
			 "set active on bounce allow\n"
			 "set server 192.0.2.0/24 action reset\n"
			 "set server 198.51.100.0/24 passive-map on\n"
			 "unset server 2001:db8::/32\n",
			 RESTORE_CMDS, &b, &line, err, sizeof(err));
	ok(!rc && !batch_policy(&b, &ps, &line, err, sizeof(err)) &&
	   ps.have_default &&
	   ps.def.set == (BIT(FTPALG_POLICY_A_ACTIVE) | BIT(FTPALG_POLICY_A_MIN_PORT) |
			  BIT(FTPALG_POLICY_A_BOUNCE)) &&
	   ps.def.active == 1 && ps.def.min_port == 2000 &&
	   ps.def.bounce == FTPALG_BOUNCE_ALLOW && ps.nscopes == 2 &&
	   ps.scopes[0].prefix.len == 24 && ps.scopes[0].prefix.family == AF_INET &&
	   ps.scopes[0].policy.set == (BIT(FTPALG_POLICY_A_ACTIVE) |
				       BIT(FTPALG_POLICY_A_ACTION)) &&
	   ps.scopes[0].policy.action == FTPALG_ACTION_RESET &&
	   ps.scopes[1].policy.set == BIT(FTPALG_POLICY_A_PASSIVE_MAP),
	   "restore: the policy a file leaves (%s)", err);
	batch_free(&b);

	/* save's output reads back as the same policy. */
	CAPTURE(out, false, print_policy_batch(f, &ps));
	rc = parse_batch(out, RESTORE_CMDS, &b, &line, err, sizeof(err));
	ok(!rc && !batch_policy(&b, &again, &line, err, sizeof(err)) &&
	   again.nscopes == ps.nscopes &&
	   !memcmp(&again.def, &ps.def, sizeof(ps.def)) &&
	   !memcmp(again.scopes, ps.scopes, ps.nscopes * sizeof(*ps.scopes)),
	   "save -> restore: the same policy (%s)", err);
	expect_str(out,
		   "# ftpalgctl save: the whole policy of the namespace; apply it with\n"
		   "# \"ftpalgctl restore FILE\" (what is not here is reset or removed)\n"
		   "set active on bounce allow min-port 2000\n"
		   "set server 192.0.2.0/24 active on action reset\n"
		   "set server 198.51.100.0/24 passive-map on\n",
		   "save: set lines");
	batch_free(&b);
	free(again.scopes);

	/* The REPLACE_POLICY message: default keys, then the scope entries. */
	{
		size_t size = msg_policy_set_size(&ps);
		char *buf = calloc(1, size);
		const struct nlattr *tb[FTPALG_A_MAX + 1], *entry;
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ftpalg_policy pol;
		struct ftpalg_prefix p;
		size_t n = 0;
		bool same = true;

		mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
		msg_put_policy_set(nlh, &ps);
		ok(nlh->nlmsg_len <= size, "REPLACE_POLICY fits its bound (%u <= %zu)",
		   nlh->nlmsg_len, size);
		ok(!msg_parse_top(nlh, tb) && tb[FTPALG_A_POLICY] &&
		   tb[FTPALG_A_SCOPES] && !msg_parse_policy(tb[FTPALG_A_POLICY], &pol) &&
		   !memcmp(&pol, &ps.def, sizeof(pol)),
		   "REPLACE_POLICY: the default's keys");
		mnl_attr_for_each_nested(entry, tb[FTPALG_A_SCOPES]) {
			const struct nlattr *etb[FTPALG_A_MAX + 1] = { 0 };
			const struct nlattr *a;

			mnl_attr_for_each_nested(a, entry)
				if (mnl_attr_get_type(a) <= FTPALG_A_MAX)
					etb[mnl_attr_get_type(a)] = a;
			same &= n < ps.nscopes && etb[FTPALG_A_SCOPE] &&
				etb[FTPALG_A_POLICY] &&
				!msg_parse_scope(etb[FTPALG_A_SCOPE], &p) &&
				!memcmp(&p, &ps.scopes[n].prefix, sizeof(p)) &&
				!msg_parse_policy(etb[FTPALG_A_POLICY], &pol) &&
				!memcmp(&pol, &ps.scopes[n].policy, sizeof(pol));
			n++;
		}
		ok(same && n == ps.nscopes, "REPLACE_POLICY: every scope entry");
		free(buf);
	}
	free(ps.scopes);

	rc = parse_batch("set server 192.0.2.0/24 active on\nunset server 192.0.2.0/24\n"
			 "unset server 192.0.2.0/24\n", RESTORE_CMDS, &b, &line,
			 err, sizeof(err));
	ok(!rc && batch_policy(&b, &ps, &line, err, sizeof(err)) == 2 &&
	   line == 3 && strstr(err, "192.0.2.0/24"),
	   "restore: unset of a scope not set before is an error of its line (%s)", err);
	batch_free(&b);
	free(ps.scopes);
}

static void test_names(void)
{
	bool distinct = true, named = true;

	for (unsigned int i = 0; i <= FTPALG_STAT_MAX; i++) {
		if (!ftpalg_stat_name(i)) {
			named = false;
			continue;
		}
		for (unsigned int k = 0; k < i; k++)
			if (ftpalg_stat_name(k) &&
			    !strcmp(ftpalg_stat_name(i), ftpalg_stat_name(k)))
				distinct = false;
	}
	ok(named && !ftpalg_stat_name(FTPALG_STAT_MAX + 1),
	   "every counter named, none beyond FTPALG_STAT_MAX");
	ok(distinct, "counter names are distinct");
	for (unsigned int r = 0; r <= FTPALG_REASON_MAX; r++)
		ok(ftpalg_reason_name(r) != NULL, "reason %u named (%s)", r,
		   ftpalg_reason_name(r) ? ftpalg_reason_name(r) : "?");
	ok(!strcmp(ftpalg_stat_name(FTPALG_STAT_REFUSED_PASSIVE_REDIRECT),
		   "refused_passive_redirect"), "a counter name matches its enum");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_grammar();
	test_requests();
	test_messages();
	test_batch();
	test_json_writer();
	test_output();
	test_names();
	printf("1..%d\n", tests);
	if (failures)
		printf("# %d of %d tests failed\n", failures, tests);
	return failures ? 1 : 0;
}

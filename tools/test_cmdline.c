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

/* ------------------------------------------------------- golden output */

/* Where the expected outputs are: testdata/, or argv[1]. */
static const char *testdata = "testdata";

/* Run @call (which prints with @p) into the string @out. */
#define CAPTURE(out, json, pretty, call)				\
	do {								\
		size_t len_ = 0;					\
		FILE *f_ = open_memstream(&(out), &len_);		\
		struct printer printer_, *p = &printer_;		\
									\
		printer_init(p, f_, (json), (pretty));			\
		call;							\
		fclose(f_);						\
	} while (0)

/* testdata/@name, malloc()ed; NULL if missing. */
static char *read_golden(const char *name)
{
	char path[256], *text = NULL;
	size_t len = 0;
	FILE *f, *m;
	int c;

	snprintf(path, sizeof(path), "%s/%s", testdata, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	m = open_memstream(&text, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return text;
}

/* @got against testdata/@name; with UPDATE_GOLDEN=1 in the environment,
 * @got becomes testdata/@name (review the diff before committing it). */
static void expect_golden(char *got, const char *name)
{
	char *want;

	if (getenv("UPDATE_GOLDEN") && got) {
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", testdata, name);
		f = fopen(path, "w");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
	}
	want = read_golden(name);
	if (!ok(got && want && !strcmp(got, want), "output as testdata/%s", name))
		diag_diff(got ? got : "(null)", want ? want : "(no file)");
	free(got);
	free(want);
}

/* The text and the JSON of @call: testdata/@name.txt and .json. */
#define GOLDEN(name, call)						\
	do {								\
		char *out_;						\
									\
		CAPTURE(out_, false, false, call);			\
		expect_golden(out_, name ".txt");			\
		CAPTURE(out_, true, false, call);			\
		expect_golden(out_, name ".json");			\
	} while (0)

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
#define CMD(name) ftpalgctl_command(name)

static void test_requests(void)
{
	struct ftpalgctl_request r;
	char err[256];
	static const uint8_t v4[4] = { 198, 51, 100, 0 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	ok(!parse("show", &r, err, sizeof(err)) && r.cmd == CMD("show") &&
	   !r.json && !r.pretty && !r.netns, "show: plain, no netns");
	ok(!parse("-jp -n ns1 stats reset", &r, err, sizeof(err)) &&
	   r.cmd == CMD("stats") && r.reset && r.json && r.pretty &&
	   r.netns && !strcmp(r.netns, "ns1"), "-jp -n ns1 stats reset");
	ok(!parse("--netns=blue -j sessions", &r, err, sizeof(err)) &&
	   r.cmd == CMD("sessions") && r.json && !strcmp(r.netns, "blue"),
	   "--netns=blue -j sessions");
	ok(!parse("stats", &r, err, sizeof(err)) && r.cmd == CMD("stats") && !r.reset,
	   "stats");
	ok(!parse("expect", &r, err, sizeof(err)) && r.cmd == CMD("expect"),
	   "expect");
	ok(!parse("monitor", &r, err, sizeof(err)) && r.cmd == CMD("monitor"),
	   "monitor");
	ok(!parse("--help", &r, err, sizeof(err)) && r.cmd == CMD("help"),
	   "--help is help");
	ok(!parse("help", &r, err, sizeof(err)) && r.cmd == CMD("help"),
	   "help");
	ok(!parse("-V show", &r, err, sizeof(err)) && r.cmd->option == 'V',
	   "-V wins over the command");

	ok(!parse("set active off", &r, err, sizeof(err)) &&
	   r.cmd == CMD("set") && !r.has_scope &&
	   r.policy.keys == BIT(FTPALG_POLICY_A_ACTIVE) && r.policy.active == 0,
	   "set active off: the default policy, one key");
	ok(!parse("set passive-window any", &r, err, sizeof(err)) &&
	   r.policy.keys == (BIT(FTPALG_POLICY_A_PASSIVE_MIN) |
			    BIT(FTPALG_POLICY_A_PASSIVE_MAX)) &&
	   r.policy.passive_min == 0 && r.policy.passive_max == 0,
	   "passive-window any: PASSIVE_MIN = PASSIVE_MAX = 0");
	ok(!parse("set passive-window 40000-40100", &r, err, sizeof(err)) &&
	   r.policy.passive_min == 40000 && r.policy.passive_max == 40100,
	   "passive-window 40000-40100");
	ok(!parse("set active on bounce allow min-port 0 passive-window 1-2 passive-map on action reset",
		  &r, err, sizeof(err)) &&
	   r.policy.keys == (BIT(FTPALG_POLICY_A_ACTIVE) | BIT(FTPALG_POLICY_A_BOUNCE) |
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
	   r.cmd == CMD("unset") && r.has_scope &&
	   r.scope.family == AF_INET6 && r.scope.len == 32 &&
	   !memcmp(r.scope.addr, v6, 16) && !r.policy.keys,
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
	struct ftpalg_prefix pfx;
	struct ftpalgctl_policy pol;
	struct ftpalgctl_stats *st = calloc(1, sizeof(*st));
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
	ok(tb[FTPALG_A_SCOPE] && !msg_parse_scope(tb[FTPALG_A_SCOPE], &pfx) &&
	   !memcmp(&pfx, &r.scope, sizeof(pfx)), "scope round trip");
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
	   pol.keys == BIT(FTPALG_POLICY_A_ACTIVE) && pol.active == 1,
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
		char *out;

		CAPTURE(out, false, false, output_event(p, &ev));
		expect_golden(out, "event-ipv4.txt");	/* the sample's */
	}
	free(st);
}

/* ---------------------------------------------------------------- output */

static void fill_all_counters(struct ftpalgctl_stats *st)
{
	st->n = 0;
	for (unsigned int i = 0; i <= FTPALG_STAT_MAX; i++) {
		st->c[st->n].index = i;
		st->c[st->n].value = i == FTPALG_STAT_CMD_PORT ? 3 : 0;
		st->n++;
	}
}

static void test_output_policy(void)
{
	struct ftpalgctl_stats *st = calloc(1, sizeof(*st));
	struct ftpalg_scope_policy scopes[2];
	struct ftpalg_policy_set ps = { 0 };
	struct ftpalgctl_request r;
	char err[256], *out;

	/* The kernel's default: every key set; two scopes. */
	ps.have_default = true;
	ps.def.keys = BIT(FTPALG_POLICY_A_ACTIVE) | BIT(FTPALG_POLICY_A_BOUNCE) |
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
	GOLDEN("show", output_show(p, &ps, st));
	CAPTURE(out, true, true, output_show(p, &ps, st));
	expect_golden(out, "show.pretty.json");

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
	GOLDEN("show-window", output_show(p, &ps, st));
	GOLDEN("stats", output_stats(p, st));

	/* A scope without keys of its own; values unknown to this build. */
	ps.def.bounce = 7;
	ps.def.action = 9;
	ps.nscopes = 1;
	scopes[0].policy.keys = 0;
	st->n = 0;
	GOLDEN("show-unknown", output_show(p, &ps, st));
	free(st);
}

static void test_output_events(void)
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
		.has_scope = true,
		.scope = { .family = AF_INET, .len = 24, .addr = { 198, 51, 100 } },
	};
	char *out, *one;

	GOLDEN("event-ipv4", output_event(p, &ev));
	CAPTURE(out, true, false, output_event(p, &ev); output_event(p, &ev));
	one = read_golden("event-ipv4.json");
	ok(out && one && strlen(out) == 2 * strlen(one) &&
	   !strncmp(out, one, strlen(one)) && !strcmp(out + strlen(one), one),
	   "monitor -j: one JSON object a line");
	free(out);
	free(one);

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
	GOLDEN("event-ipv6", output_event(p, &ev));

	ev.reason = 42;
	ev.has_action = false;
	ev.has_client_port = false;
	GOLDEN("event-unknown", output_event(p, &ev));
}

static void test_output_conntrack(void)
{
	struct ftpalgctl_session s[2] = { 0 };
	struct ftpalg_expectation e = { 0 };

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
	GOLDEN("sessions", output_sessions(p, s, 2));
	GOLDEN("sessions-none", output_sessions(p, NULL, 0));

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
	GOLDEN("expect", output_expectations(p, &e, 1));
	e.src_any = true;
	e.has_master = false;
	GOLDEN("expect-wildcard", output_expectations(p, &e, 1));
	GOLDEN("expect-none", output_expectations(p, NULL, 0));
}

/* ---------------------------------------------------------------- batch */

/* batch_parse() of @text; returns its status, *line the failing line. */
static int parse_batch(const char *text, unsigned int where, struct batch *b,
		       unsigned int *line, char *err, size_t errlen)
{
	struct ftpalgctl_request opts = { .json = true, .netns = "ns1" };
	size_t len = strlen(text);
	char *copy = malloc(len + 1);
	int rc;

	memcpy(copy, text, len + 1);
	rc = batch_parse(copy, len, &opts, where, b, line, err, errlen);
	free(copy);
	return rc;
}

static const struct {
	int rc;
	unsigned int line;
	unsigned int where;
	const char *text;
	const char *why;	/* a word of the message */
} batches[] = {
	{ 0, 0, IN_BATCH, "", NULL },
	{ 0, 0, IN_BATCH, "\n\n# only comments\n   \t\n", NULL },
	{ 0, 0, IN_BATCH, "show\nset active off\nstats reset\nsessions\nexpect", NULL },
	{ 2, 2, IN_BATCH, "show\nsave\n", "JSON" },	/* the options have -j */
	{ 0, 0, IN_BATCH, "set active off # trailing comment\r\n", NULL },
	{ 0, 0, IN_RESTORE, "set active off\nset server 192.0.2.0/24 min-port 0\nunset server 192.0.2.0/24\n", NULL },
	{ 2, 3, IN_BATCH, "show\n\nset bogus 1\nshow\n", "unknown key" },
	{ 2, 1, IN_BATCH, "monitor\n", "cannot be used" },
	{ 2, 1, IN_BATCH, "restore x\n", "cannot be used" },
	{ 2, 1, IN_BATCH, "help\n", "cannot be used" },
	{ 2, 2, IN_BATCH, "show\n-j show\n", "options" },
	{ 2, 1, IN_BATCH, "ftpalgctl show\n", "unknown command" },
	{ 2, 1, IN_BATCH, "Show\n", "unknown command" },
	{ 2, 2, IN_RESTORE, "set active off\nshow\n", "only set and unset" },
	{ 2, 1, IN_RESTORE, "stats reset\n", "only set and unset" },
	{ 2, 1, IN_RESTORE, "set server 192.0.2.1/24 active on\n", "host bits" },
	{ 2, 2, IN_RESTORE, "set active on\nset active\n", "missing value" },
	{ 2, 1, IN_BATCH, "set active on# glued\n", "invalid active" },
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
		rc = parse_batch(batches[i].text, batches[i].where, &b, &line,
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

		ok(batch_parse(text, sizeof(text) - 1, &opts, IN_BATCH, &b,
			       &line, err, sizeof(err)) == 2 && line == 2 &&
		   strstr(err, "NUL"), "a NUL byte is an error of its line (%s)", err);
		batch_free(&b);
	}
	for (int i = 0; i < 70; i++)
		strcat(words, " x");
	ok(parse_batch(words, IN_BATCH, &b, &line, err, sizeof(err)) == 2 &&
	   strstr(err, "words"), "too many words on a line (%s)", err);
	batch_free(&b);

	rc = parse_batch("show\n  set   server 2001:db8::/32\tactive off\n# c\nstats reset",
			 IN_BATCH, &b, &line, err, sizeof(err));
	ok(!rc && b.n == 3 && b.cmds[0].line == 1 && b.cmds[1].line == 2 &&
	   b.cmds[2].line == 4 && b.cmds[0].req.cmd == CMD("show") &&
	   b.cmds[1].req.cmd == CMD("set") && b.cmds[1].req.has_scope &&
	   b.cmds[1].req.scope.family == AF_INET6 &&
	   b.cmds[2].req.cmd == CMD("stats") && b.cmds[2].req.reset &&
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
			 IN_RESTORE, &b, &line, err, sizeof(err));
	ok(!rc && !batch_policy(&b, &ps, &line, err, sizeof(err)) &&
	   ps.have_default &&
	   ps.def.keys == (BIT(FTPALG_POLICY_A_ACTIVE) | BIT(FTPALG_POLICY_A_MIN_PORT) |
			  BIT(FTPALG_POLICY_A_BOUNCE)) &&
	   ps.def.active == 1 && ps.def.min_port == 2000 &&
	   ps.def.bounce == FTPALG_BOUNCE_ALLOW && ps.nscopes == 2 &&
	   ps.scopes[0].prefix.len == 24 && ps.scopes[0].prefix.family == AF_INET &&
	   ps.scopes[0].policy.keys == (BIT(FTPALG_POLICY_A_ACTIVE) |
				       BIT(FTPALG_POLICY_A_ACTION)) &&
	   ps.scopes[0].policy.action == FTPALG_ACTION_RESET &&
	   ps.scopes[1].policy.keys == BIT(FTPALG_POLICY_A_PASSIVE_MAP),
	   "restore: the policy a file leaves (%s)", err);
	batch_free(&b);

	/* save's output reads back as the same policy. */
	CAPTURE(out, false, false, output_save(p, &ps));
	rc = parse_batch(out, IN_RESTORE, &b, &line, err, sizeof(err));
	ok(!rc && !batch_policy(&b, &again, &line, err, sizeof(err)) &&
	   again.nscopes == ps.nscopes &&
	   !memcmp(&again.def, &ps.def, sizeof(ps.def)) &&
	   !memcmp(again.scopes, ps.scopes, ps.nscopes * sizeof(*ps.scopes)),
	   "save -> restore: the same policy (%s)", err);
	expect_golden(out, "save.txt");
	batch_free(&b);
	free(again.scopes);

	/* The REPLACE_POLICY message: default keys, then the scope entries. */
	{
		size_t size = msg_policy_set_size(&ps);
		char *buf = calloc(1, size);
		const struct nlattr *tb[FTPALG_A_MAX + 1], *entry;
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ftpalgctl_policy pol;
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
			 "unset server 192.0.2.0/24\n", IN_RESTORE, &b, &line,
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

int main(int argc, char *argv[])
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		testdata = argv[1];
	test_grammar();
	test_requests();
	test_messages();
	test_batch();
	test_output_policy();
	test_output_events();
	test_output_conntrack();
	test_names();
	printf("1..%d\n", tests);
	if (failures)
		printf("# %d of %d tests failed\n", failures, tests);
	return failures ? 1 : 0;
}

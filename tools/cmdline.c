// SPDX-License-Identifier: GPL-2.0
/*
 * ftpalgctl argument parsing.  Keywords match exactly (no prefix
 * matching: a new keyword must never change what an old abbreviation
 * meant).  Every value is validated here, before anything is sent.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmdline.h"
#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return EXIT_USAGE;
}

/* The policy keys, by FTPALG_POLICY_A_x (PASSIVE_MIN is "passive-window";
 * PASSIVE_MAX has no name of its own); @values: their usage text. */
static const struct {
	const char *name;
	const char *values;
} keys[FTPALG_POLICY_A_MAX + 1] = {
	[FTPALG_POLICY_A_ACTIVE]	= { "active", "{ on | off }" },
	[FTPALG_POLICY_A_BOUNCE]	= { "bounce", "{ drop | allow }" },
	[FTPALG_POLICY_A_MIN_PORT]	= { "min-port", "PORT" },
	[FTPALG_POLICY_A_PASSIVE_MIN]	= { "passive-window", "{ LO-HI | any }" },
	[FTPALG_POLICY_A_PASSIVE_MAP]	= { "passive-map", "{ on | off }" },
	[FTPALG_POLICY_A_ACTION]	= { "action", "{ drop | reset }" },
};

/* Decimal digits only: no sign, no blanks, no hex, not empty. */
static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (unsigned long)(*s - '0');
		if (n > max)
			return -1;
	}
	*v = n;
	return 0;
}

int ftpalgctl_parse_port(const char *s, unsigned int min, uint16_t *port)
{
	unsigned long v;

	if (parse_uint(s, 65535, &v) || v < min)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int ftpalgctl_parse_prefix(const char *s, struct ftpalg_prefix *p,
			   char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN], shown[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len, max;
	uint8_t masked[16];
	size_t bytes;

	memset(p, 0, sizeof(*p));
	if (alen == 0 || alen >= sizeof(addr))
		return fail(err, errlen, "invalid prefix \"%s\"", s);
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return fail(err, errlen, "invalid prefix \"%s\": bad address", s);
	}
	if (!slash)
		len = max;
	else if (parse_uint(slash + 1, max, &len))
		return fail(err, errlen,
			    "invalid prefix \"%s\": length must be 0..%lu",
			    s, max);
	p->len = (uint8_t)len;

	bytes = max / 8;
	memcpy(masked, p->addr, bytes);
	for (size_t i = 0; i < bytes; i++) {
		size_t bit = i * 8;

		if (bit >= len)
			masked[i] = 0;
		else if (bit + 8 > len)
			masked[i] &= (uint8_t)(0xff << (8 - (len - bit)));
	}
	if (memcmp(masked, p->addr, bytes)) {
		inet_ntop(p->family, masked, shown, sizeof(shown));
		return fail(err, errlen,
			    "invalid prefix \"%s\": host bits set (did you mean %s/%lu?)",
			    s, shown, len);
	}
	return EXIT_OK;
}

static int parse_on_off(const char *s, uint8_t *v)
{
	if (!strcmp(s, "on"))
		*v = 1;
	else if (!strcmp(s, "off"))
		*v = 0;
	else
		return -1;
	return 0;
}

static int parse_window(const char *s, uint16_t *lo, uint16_t *hi,
			char *err, size_t errlen)
{
	const char *dash = strchr(s, '-');
	char first[8];
	size_t n;

	if (!strcmp(s, "any")) {
		*lo = *hi = 0;
		return EXIT_OK;
	}
	n = dash ? (size_t)(dash - s) : 0;
	if (!dash || n >= sizeof(first))
		return fail(err, errlen,
			    "invalid passive-window \"%s\" (expected LO-HI or any)", s);
	memcpy(first, s, n);
	first[n] = '\0';
	if (ftpalgctl_parse_port(first, 1, lo) ||
	    ftpalgctl_parse_port(dash + 1, 1, hi))
		return fail(err, errlen,
			    "invalid passive-window \"%s\": ports must be 1..65535", s);
	if (*lo > *hi)
		return fail(err, errlen,
			    "invalid passive-window \"%s\": LO must not exceed HI", s);
	return EXIT_OK;
}

static int parse_key(const char *key, const char *val,
		     struct ftpalgctl_policy *pol, char *err, size_t errlen)
{
	unsigned int attr;
	int v;

	for (attr = 1; attr < ARRAY_SIZE(keys); attr++)
		if (keys[attr].name && !strcmp(keys[attr].name, key))
			break;
	if (attr == ARRAY_SIZE(keys)) {
		if (!strcmp(key, "server"))
			return fail(err, errlen,
				    "set: \"server PREFIX\" must come before the keys");
		return fail(err, errlen, "set: unknown key \"%s\"", key);
	}
	if (!val)
		return fail(err, errlen, "set: missing value for %s", key);
	if (FTPALGCTL_POLICY_HAS(pol, attr))
		return fail(err, errlen, "set: duplicate key %s", key);

	switch (attr) {
	case FTPALG_POLICY_A_ACTIVE:
		if (parse_on_off(val, &pol->active))
			goto bad_on_off;
		break;
	case FTPALG_POLICY_A_PASSIVE_MAP:
		if (parse_on_off(val, &pol->passive_map))
			goto bad_on_off;
		break;
	case FTPALG_POLICY_A_BOUNCE:
		v = ftpalg_bounce_lookup(val);
		if (v < 0)
			return fail(err, errlen,
				    "set: invalid bounce \"%s\" (expected drop or allow)", val);
		pol->bounce = (uint8_t)v;
		break;
	case FTPALG_POLICY_A_ACTION:
		v = ftpalg_action_lookup(val);
		if (v < 0)
			return fail(err, errlen,
				    "set: invalid action \"%s\" (expected drop or reset)", val);
		pol->action = (uint8_t)v;
		break;
	case FTPALG_POLICY_A_MIN_PORT:
		if (ftpalgctl_parse_port(val, 0, &pol->min_port))
			return fail(err, errlen,
				    "set: invalid min-port \"%s\" (expected 0..65535)", val);
		break;
	case FTPALG_POLICY_A_PASSIVE_MIN:
		if (parse_window(val, &pol->passive_min, &pol->passive_max,
				 err, errlen))
			return EXIT_USAGE;
		pol->keys |= 1u << FTPALG_POLICY_A_PASSIVE_MAX;
		break;
	}
	pol->keys |= 1u << attr;
	return EXIT_OK;

bad_on_off:
	return fail(err, errlen, "set: invalid %s \"%s\" (expected on or off)",
		    key, val);
}

int cmdline_parse_no_args(int argc, char *const argv[],
			  struct ftpalgctl_request *req, char *err, size_t errlen)
{
	(void)req;
	if (argc > 0)
		return fail(err, errlen, "unexpected argument \"%s\"", argv[0]);
	return EXIT_OK;
}

static int parse_server(int argc, char *const argv[], const char *cmd,
			struct ftpalgctl_request *req, char *err, size_t errlen)
{
	if (argc < 2)
		return fail(err, errlen, "%s: server needs a PREFIX", cmd);
	req->has_scope = true;
	if (ftpalgctl_parse_prefix(argv[1], &req->scope, err, errlen))
		return EXIT_USAGE;
	return EXIT_OK;
}

int cmdline_parse_set(int argc, char *const argv[],
		      struct ftpalgctl_request *req, char *err, size_t errlen)
{
	int i = 0;

	if (argc > 0 && !strcmp(argv[0], "server")) {
		if (parse_server(argc, argv, "set", req, err, errlen))
			return EXIT_USAGE;
		i = 2;
	}
	if (i >= argc)
		return fail(err, errlen, "set: no policy key given");
	for (; i < argc; i += 2)
		if (parse_key(argv[i], i + 1 < argc ? argv[i + 1] : NULL,
			      &req->policy, err, errlen))
			return EXIT_USAGE;
	return EXIT_OK;
}

int cmdline_parse_unset(int argc, char *const argv[],
			struct ftpalgctl_request *req, char *err, size_t errlen)
{
	if (argc < 1 || strcmp(argv[0], "server"))
		return fail(err, errlen,
			    "unset: expected \"server PREFIX\" (the default policy cannot be unset)");
	if (parse_server(argc, argv, "unset", req, err, errlen))
		return EXIT_USAGE;
	if (argc > 2)
		return fail(err, errlen, "unexpected argument \"%s\"", argv[2]);
	return EXIT_OK;
}

int cmdline_parse_stats(int argc, char *const argv[],
			struct ftpalgctl_request *req, char *err, size_t errlen)
{
	if (argc == 0)
		return EXIT_OK;
	if (strcmp(argv[0], "reset"))
		return fail(err, errlen, "stats: unknown argument \"%s\"", argv[0]);
	req->reset = true;
	return cmdline_parse_no_args(argc - 1, argv + 1, req, err, errlen);
}

int cmdline_parse_save(int argc, char *const argv[],
		       struct ftpalgctl_request *req, char *err, size_t errlen)
{
	if (req->json)
		return fail(err, errlen,
			    "save prints batch lines, not JSON (-j show prints the policy as JSON)");
	return cmdline_parse_no_args(argc, argv, req, err, errlen);
}

int cmdline_parse_restore(int argc, char *const argv[],
			  struct ftpalgctl_request *req, char *err, size_t errlen)
{
	if (argc < 1)
		return fail(err, errlen, "restore: needs a FILE (- for standard input)");
	if (!*argv[0])
		return fail(err, errlen, "restore: empty file name");
	req->file = argv[0];
	return cmdline_parse_no_args(argc - 1, argv + 1, req, err, errlen);
}

static int check_netns(const char *name, char *err, size_t errlen)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || strlen(name) >= NAME_MAX)
		return fail(err, errlen, "invalid network namespace name \"%s\"", name);
	return EXIT_OK;
}

const struct ftpalgctl_command *ftpalgctl_command(const char *name)
{
	for (const struct ftpalgctl_command *c = ftpalgctl_commands; c->run; c++)
		if (c->name && !strcmp(c->name, name))
			return c;
	return NULL;
}

static const struct ftpalgctl_command *command_of_option(char option)
{
	for (const struct ftpalgctl_command *c = ftpalgctl_commands; c->run; c++)
		if (c->option == option)
			return c;
	return NULL;
}

int ftpalgctl_parse_command(int argc, char *const argv[],
			    struct ftpalgctl_request *req,
			    char *err, size_t errlen)
{
	if (argc < 1)
		return fail(err, errlen, "no command given");
	req->cmd = ftpalgctl_command(argv[0]);
	if (!req->cmd)
		return fail(err, errlen, "unknown command \"%s\"", argv[0]);
	return req->cmd->parse(argc - 1, argv + 1, req, err, errlen);
}

/* The options: -x, --long, and those with a value -x VALUE, -xVALUE,
 * --long VALUE, --long=VALUE. */
static const struct {
	char name;
	const char *long_name;
	const char *value;	/* its name in the usage text; NULL: no value */
} options[] = {
	{ 'j', "json",		NULL },
	{ 'p', "pretty",	NULL },
	{ 'n', "netns",		"NAME" },
	{ 'b', "batch",		"FILE" },
	{ 'h', "help",		NULL },
	{ 'V', "version",	NULL },
};

/* Option @o of @options with its @value; @run: the command it runs. */
static void apply_option(struct ftpalgctl_request *req, char o, const char *value,
			 const struct ftpalgctl_command **run)
{
	switch (o) {
	case 'j':
		req->json = true;
		break;
	case 'p':
		req->pretty = true;
		break;
	case 'n':
		req->netns = value;
		break;
	case 'b':
		req->file = value;
		break;
	case 'h':	/* -h wins over -V */
		*run = command_of_option(o);
		break;
	case 'V':
		if (!*run)
			*run = command_of_option(o);
		break;
	}
}

/* --long, --long VALUE, --long=VALUE: the index in @options, or -1. */
static int long_option(const char *a, int *i, int argc, char *const argv[],
		       const char **value, char *err, size_t errlen)
{
	for (size_t o = 0; o < ARRAY_SIZE(options); o++) {
		size_t n = strlen(options[o].long_name);

		if (strncmp(a + 2, options[o].long_name, n))
			continue;
		if (!a[2 + n]) {
			if (!options[o].value)
				return (int)o;
			if (*i + 1 < argc) {
				*value = argv[++*i];
				return (int)o;
			}
			fail(err, errlen, "option --%s %s: the value is missing",
			     options[o].long_name, options[o].value);
			return -1;
		}
		if (a[2 + n] == '=' && options[o].value) {
			*value = a + 3 + n;
			return (int)o;
		}
	}
	fail(err, errlen, "unknown option \"%s\"", a);
	return -1;
}

/* The short options of @a ("-jn NAME", "-nNAME"); *@i moves past a value
 * in the next word. */
static int short_options(const char *a, int *i, int argc, char *const argv[],
			 struct ftpalgctl_request *req,
			 const struct ftpalgctl_command **run,
			 char *err, size_t errlen)
{
	for (const char *p = a + 1; *p; p++) {
		const char *value = NULL;
		size_t o;

		for (o = 0; o < ARRAY_SIZE(options); o++)
			if (options[o].name == *p)
				break;
		if (o == ARRAY_SIZE(options))
			return fail(err, errlen, "unknown option \"-%c\"", *p);
		if (!options[o].value) {
			apply_option(req, *p, NULL, run);
			continue;
		}
		if (p[1])
			value = p + 1;
		else if (*i + 1 < argc)
			value = argv[++*i];
		else
			return fail(err, errlen, "option -%c %s: the value is missing",
				    *p, options[o].value);
		apply_option(req, *p, value, run);
		break;
	}
	return EXIT_OK;
}

int ftpalgctl_parse(int argc, char *const argv[], struct ftpalgctl_request *req,
		    char *err, size_t errlen)
{
	const struct ftpalgctl_command *run = NULL;	/* by -h or -V */
	int i;

	memset(req, 0, sizeof(*req));
	if (err && errlen)
		err[0] = '\0';

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		int o;

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[1] != '-') {
			if (short_options(a, &i, argc, argv, req, &run, err, errlen))
				return EXIT_USAGE;
			continue;
		}
		o = long_option(a, &i, argc, argv, &value, err, errlen);
		if (o < 0)
			return EXIT_USAGE;
		apply_option(req, options[o].name, value, &run);
	}
	if (req->netns && check_netns(req->netns, err, errlen))
		return EXIT_USAGE;

	if (run) {
		req->cmd = run;
		return EXIT_OK;
	}
	if (req->file) {
		if (i < argc)
			return fail(err, errlen,
				    "-b FILE takes no command (\"%s\" given)", argv[i]);
		if (!*req->file)
			return fail(err, errlen, "-b: empty file name");
		req->cmd = command_of_option('b');
		return EXIT_OK;
	}
	return ftpalgctl_parse_command(argc - i, argv + i, req, err, errlen);
}

/* ---------------------------------------------------------------- usage */

#define USAGE_WIDTH 72

/* Words of a usage line, wrapped before USAGE_WIDTH columns and continued
 * under the first. */
struct wrap {
	FILE *f;
	int col;
	int indent;
	bool first;
};

static void wrap_start(struct wrap *w, FILE *f, const char *head)
{
	w->f = f;
	w->col = fprintf(f, "%s", head);
	w->indent = w->col;
	w->first = true;
}

/* @sep ends the line before @word ("|"), or nothing (""). */
static void wrap_word(struct wrap *w, const char *sep, const char *word)
{
	int len = (int)strlen(word);

	if (!w->first) {
		w->col += fprintf(w->f, "%s%s", *sep ? " " : "", sep);
		if (w->col + 1 + len > USAGE_WIDTH)
			w->col = fprintf(w->f, "\n%*s", w->indent, "") - 1;
		else
			w->col += fprintf(w->f, " ");
	}
	w->col += fprintf(w->f, "%s", word);
	w->first = false;
}

void ftpalgctl_usage(FILE *f)
{
	const struct ftpalgctl_command *c;
	struct wrap w;
	char word[64];

	fputs("Usage: ftpalgctl [OPTIONS] COMMAND\n"
	      "       ftpalgctl [OPTIONS] -b FILE\n", f);
	wrap_start(&w, f, "OPTIONS := ");
	for (size_t o = 0; o < ARRAY_SIZE(options); o++) {
		snprintf(word, sizeof(word), "{ -%c | --%s%s%s }", options[o].name,
			 options[o].long_name, options[o].value ? " " : "",
			 options[o].value ? options[o].value : "");
		wrap_word(&w, "", word);
	}
	fputs("\n", f);

	wrap_start(&w, f, "COMMAND := { ");
	for (c = ftpalgctl_commands; c->run; c++)
		if (c->name)
			wrap_word(&w, "|", c->name);
	fputs(" }\n", f);
	for (c = ftpalgctl_commands; c->run; c++) {
		if (!c->synopsis)
			continue;
		if (strlen(c->synopsis) < 30)
			fprintf(f, "  %-30s%s\n", c->synopsis, c->help);
		else
			fprintf(f, "  %s\n%32s%s\n", c->synopsis, "", c->help);
	}

	wrap_start(&w, f, "KEY VALUE := { ");
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		if (!keys[k].name)
			continue;
		snprintf(word, sizeof(word), "%s %s", keys[k].name, keys[k].values);
		wrap_word(&w, "|", word);
	}
	fputs(" }\n"
	      "Exit status: 0 ok, 1 failed, 2 usage error, 3 module or netlink unavailable.\n",
	      f);
}

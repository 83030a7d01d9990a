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

static const char *const key_names[FTPALG_POLICY_A_MAX + 1] = {
	[FTPALG_POLICY_A_ACTIVE]	= "active",
	[FTPALG_POLICY_A_BOUNCE]	= "bounce",
	[FTPALG_POLICY_A_MIN_PORT]	= "min-port",
	[FTPALG_POLICY_A_PASSIVE_MIN]	= "passive-window",
	[FTPALG_POLICY_A_PASSIVE_MAP]	= "passive-map",
	[FTPALG_POLICY_A_ACTION]	= "action",
};

const char *ftpalgctl_key_name(unsigned int attr)
{
	return attr < ARRAY_SIZE(key_names) ? key_names[attr] : NULL;
}

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
		     struct ftpalg_policy *pol, char *err, size_t errlen)
{
	unsigned int attr;
	int v;

	for (attr = 1; attr < ARRAY_SIZE(key_names); attr++)
		if (key_names[attr] && !strcmp(key_names[attr], key))
			break;
	if (attr == ARRAY_SIZE(key_names)) {
		if (!strcmp(key, "server"))
			return fail(err, errlen,
				    "set: \"server PREFIX\" must come before the keys");
		return fail(err, errlen, "set: unknown key \"%s\"", key);
	}
	if (!val)
		return fail(err, errlen, "set: missing value for %s", key);
	if (FTPALG_POLICY_HAS(pol, attr))
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
		pol->set |= 1u << FTPALG_POLICY_A_PASSIVE_MAX;
		break;
	}
	pol->set |= 1u << attr;
	return EXIT_OK;

bad_on_off:
	return fail(err, errlen, "set: invalid %s \"%s\" (expected on or off)",
		    key, val);
}

/* Each parser gets the words after the command keyword. */
typedef int (*parse_fn)(int argc, char *const argv[],
			struct ftpalgctl_request *req, char *err, size_t errlen);

static int parse_no_args(int argc, char *const argv[],
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

static int parse_set(int argc, char *const argv[],
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

static int parse_unset(int argc, char *const argv[],
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

static int parse_stats(int argc, char *const argv[],
		       struct ftpalgctl_request *req, char *err, size_t errlen)
{
	if (argc == 0)
		return EXIT_OK;
	if (strcmp(argv[0], "reset"))
		return fail(err, errlen, "stats: unknown argument \"%s\"", argv[0]);
	req->cmd = FTPALGCTL_CMD_STATS_RESET;
	return parse_no_args(argc - 1, argv + 1, req, err, errlen);
}

static int parse_save(int argc, char *const argv[],
		      struct ftpalgctl_request *req, char *err, size_t errlen)
{
	if (req->json)
		return fail(err, errlen,
			    "save prints batch lines, not JSON (-j show prints the policy as JSON)");
	return parse_no_args(argc, argv, req, err, errlen);
}

static int parse_file(int argc, char *const argv[],
		      struct ftpalgctl_request *req, char *err, size_t errlen)
{
	if (argc < 1)
		return fail(err, errlen, "restore: needs a FILE (- for standard input)");
	if (!*argv[0])
		return fail(err, errlen, "restore: empty file name");
	req->file = argv[0];
	return parse_no_args(argc - 1, argv + 1, req, err, errlen);
}

static const struct {
	const char *name;
	enum ftpalgctl_cmd cmd;
	parse_fn parse;
} commands[] = {
	{ "show",	FTPALGCTL_CMD_SHOW,	parse_no_args },
	{ "set",	FTPALGCTL_CMD_SET,	parse_set },
	{ "unset",	FTPALGCTL_CMD_UNSET,	parse_unset },
	{ "stats",	FTPALGCTL_CMD_STATS,	parse_stats },
	{ "sessions",	FTPALGCTL_CMD_SESSIONS,	parse_no_args },
	{ "expect",	FTPALGCTL_CMD_EXPECT,	parse_no_args },
	{ "monitor",	FTPALGCTL_CMD_MONITOR,	parse_no_args },
	{ "save",	FTPALGCTL_CMD_SAVE,	parse_save },
	{ "restore",	FTPALGCTL_CMD_RESTORE,	parse_file },
	{ "help",	FTPALGCTL_CMD_HELP,	parse_no_args },
};

static int check_netns(const char *name, char *err, size_t errlen)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || strlen(name) >= NAME_MAX)
		return fail(err, errlen, "invalid network namespace name \"%s\"", name);
	return EXIT_OK;
}

int ftpalgctl_parse_command(int argc, char *const argv[],
			    struct ftpalgctl_request *req,
			    char *err, size_t errlen)
{
	if (argc < 1)
		return fail(err, errlen, "no command given");
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		if (strcmp(argv[0], commands[c].name))
			continue;
		req->cmd = commands[c].cmd;
		return commands[c].parse(argc - 1, argv + 1, req, err, errlen);
	}
	return fail(err, errlen, "unknown command \"%s\"", argv[0]);
}

/*
 * The value of an option: @attached (the rest of "-nNAME", or what follows
 * "--netns="), else the next word, argv[++*i].  @usage: "-n NAME".
 */
static int option_value(const char *attached, int *i, int argc,
			char *const argv[], const char *usage, const char **value,
			char *err, size_t errlen)
{
	if (attached)
		*value = attached;
	else if (*i + 1 < argc)
		*value = argv[++*i];
	else
		return fail(err, errlen, "option %s: the value is missing", usage);
	return EXIT_OK;
}

int ftpalgctl_parse(int argc, char *const argv[], struct ftpalgctl_request *req,
		    char *err, size_t errlen)
{
	enum ftpalgctl_cmd early = FTPALGCTL_CMD_NONE;
	int i;

	memset(req, 0, sizeof(*req));
	if (err && errlen)
		err[0] = '\0';

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[1] == '-') {
			if (!strcmp(a, "--json")) {
				req->json = true;
			} else if (!strcmp(a, "--pretty")) {
				req->pretty = true;
			} else if (!strcmp(a, "--help")) {
				early = FTPALGCTL_CMD_HELP;
			} else if (!strcmp(a, "--version")) {
				if (early == FTPALGCTL_CMD_NONE)
					early = FTPALGCTL_CMD_VERSION;
			} else if (!strcmp(a, "--netns") ||
				   !strncmp(a, "--netns=", 8)) {
				if (option_value(a[7] ? a + 8 : NULL, &i, argc, argv,
						 "--netns NAME", &req->netns,
						 err, errlen))
					return EXIT_USAGE;
			} else if (!strcmp(a, "--batch") ||
				   !strncmp(a, "--batch=", 8)) {
				if (option_value(a[7] ? a + 8 : NULL, &i, argc, argv,
						 "--batch FILE", &req->file,
						 err, errlen))
					return EXIT_USAGE;
			} else {
				return fail(err, errlen, "unknown option \"%s\"", a);
			}
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			switch (*p) {
			case 'j':
				req->json = true;
				continue;
			case 'p':
				req->pretty = true;
				continue;
			case 'h':
				early = FTPALGCTL_CMD_HELP;
				continue;
			case 'V':
				if (early == FTPALGCTL_CMD_NONE)
					early = FTPALGCTL_CMD_VERSION;
				continue;
			case 'n':
				if (option_value(p[1] ? p + 1 : NULL, &i, argc,
						 argv, "-n NAME", &req->netns,
						 err, errlen))
					return EXIT_USAGE;
				break;
			case 'b':
				if (option_value(p[1] ? p + 1 : NULL, &i, argc,
						 argv, "-b FILE", &req->file,
						 err, errlen))
					return EXIT_USAGE;
				break;
			default:
				return fail(err, errlen, "unknown option \"-%c\"", *p);
			}
			break;
		}
	}
	if (req->netns && check_netns(req->netns, err, errlen))
		return EXIT_USAGE;

	if (early != FTPALGCTL_CMD_NONE) {
		req->cmd = early;
		return EXIT_OK;
	}
	if (req->file) {
		if (i < argc)
			return fail(err, errlen,
				    "-b FILE takes no command (\"%s\" given)", argv[i]);
		if (!*req->file)
			return fail(err, errlen, "-b: empty file name");
		req->cmd = FTPALGCTL_CMD_BATCH;
		return EXIT_OK;
	}
	return ftpalgctl_parse_command(argc - i, argv + i, req, err, errlen);
}

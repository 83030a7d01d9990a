/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftpalgctl argument parsing: argv in, struct ftpalgctl_request out.
 * No I/O and no netlink here, so that the grammar is unit-testable.
 */
#ifndef FTPALGCTL_CMDLINE_H
#define FTPALGCTL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uapi/linux/ftpalg.h>

/* Exit status of ftpalgctl, documented in ftpalgctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_UNAVAIL = 3,	/* module or netlink unavailable */
};

/* A server prefix (FTPALG_A_SCOPE). */
struct ftpalg_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t addr[16];
};

/*
 * A policy, or the subset of one that a command or a scope sets:
 * bit (1 << FTPALG_POLICY_A_x) of @keys says the field is present.
 */
struct ftpalgctl_policy {
	uint32_t keys;
	uint8_t active;
	uint8_t bounce;		/* enum ftpalg_bounce */
	uint16_t min_port;
	uint16_t passive_min;	/* min = max = 0: any port */
	uint16_t passive_max;
	uint8_t passive_map;
	uint8_t action;		/* enum ftpalg_action */
};

#define FTPALGCTL_POLICY_HAS(p, a)	(!!((p)->keys & (1u << (a))))

struct ftpalgctl_command;

struct ftpalgctl_request {
	const struct ftpalgctl_command *cmd;	/* NULL: none (a blank line) */
	bool json;
	bool pretty;
	const char *netns;	/* -n NAME, or NULL */
	const char *file;	/* restore FILE, -b FILE; "-" is stdin */
	bool reset;		/* stats reset */
	bool has_scope;		/* set/unset: server PREFIX given */
	struct ftpalg_prefix scope;
	struct ftpalgctl_policy policy;	/* set: the keys given */
};

/* Where a command may stand besides the command line. */
enum {
	IN_BATCH = 1 << 0,	/* a line of -b FILE */
	IN_RESTORE = 1 << 1,	/* a line of restore FILE */
};

/* What a command needs before it runs. */
enum ftpalgctl_needs {
	NEEDS_NOTHING,
	NEEDS_GENL,	/* the ftpalg family, which also tells that the module is there */
};

struct ctx;	/* what the commands run on (ftpalgctl.c) */

/* A command's parser: the words after its keyword.  Returns EXIT_OK, or
 * EXIT_USAGE with a one-line reason in @err. */
typedef int cmdline_parse_fn(int argc, char *const argv[],
			     struct ftpalgctl_request *req, char *err,
			     size_t errlen);

/*
 * One command: the table of them drives the parser, the dispatch and the
 * usage text, and the completion and man page tests read it from there.
 */
struct ftpalgctl_command {
	const char *name;	/* its keyword; NULL: only an option runs it */
	char option;		/* -h, -V, -b: the short option that runs it */
	cmdline_parse_fn *parse;	/* -b: no words; FILE is the option's */
	int (*run)(struct ctx *c);
	enum ftpalgctl_needs needs;
	unsigned int in;	/* IN_BATCH, IN_RESTORE */
	const char *synopsis;	/* its words in the usage text; NULL: not listed */
	const char *help;
};

extern const struct ftpalgctl_command ftpalgctl_commands[];

/* The command of keyword @name, or NULL. */
const struct ftpalgctl_command *ftpalgctl_command(const char *name);

/* The usage text, from the tables of commands, options and keys. */
void ftpalgctl_usage(FILE *f);

/*
 * Parse argv (argv[0] is the program name).  Returns EXIT_OK, or
 * EXIT_USAGE with a one-line reason in @err.
 */
int ftpalgctl_parse(int argc, char *const argv[], struct ftpalgctl_request *req,
		    char *err, size_t errlen);

/*
 * Parse one command and its arguments (argv[0] is the command keyword),
 * as a line of a batch file; @req keeps its options.
 */
int ftpalgctl_parse_command(int argc, char *const argv[],
			    struct ftpalgctl_request *req,
			    char *err, size_t errlen);

/* The parsers of the commands' words, for the table of commands. */
extern cmdline_parse_fn cmdline_parse_no_args, cmdline_parse_set,
	cmdline_parse_unset, cmdline_parse_stats, cmdline_parse_save,
	cmdline_parse_restore;

/* Value parsers, exported for the tests. */
int ftpalgctl_parse_prefix(const char *s, struct ftpalg_prefix *p,
			   char *err, size_t errlen);
int ftpalgctl_parse_port(const char *s, unsigned int min, uint16_t *port);

#endif

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

#include <uapi/linux/ftpalg.h>

/* Exit status of ftpalgctl, documented in ftpalgctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_UNAVAIL = 3,	/* module or netlink unavailable */
};

enum ftpalgctl_cmd {
	FTPALGCTL_CMD_NONE,
	FTPALGCTL_CMD_HELP,
	FTPALGCTL_CMD_VERSION,
	FTPALGCTL_CMD_SHOW,
	FTPALGCTL_CMD_SET,
	FTPALGCTL_CMD_UNSET,
	FTPALGCTL_CMD_STATS,
	FTPALGCTL_CMD_STATS_RESET,
	FTPALGCTL_CMD_SESSIONS,
	FTPALGCTL_CMD_EXPECT,
	FTPALGCTL_CMD_MONITOR,
	FTPALGCTL_CMD_SAVE,
	FTPALGCTL_CMD_RESTORE,
	FTPALGCTL_CMD_BATCH,	/* -b FILE */
};

/* A server prefix (FTPALG_A_SCOPE). */
struct ftpalg_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t addr[16];
};

/*
 * A policy, or the subset of one that a command or a scope sets:
 * bit (1 << FTPALG_POLICY_A_x) of @set says the field is present.
 */
struct ftpalg_policy {
	uint32_t set;
	uint8_t active;
	uint8_t bounce;		/* enum ftpalg_bounce */
	uint16_t min_port;
	uint16_t passive_min;	/* min = max = 0: any port */
	uint16_t passive_max;
	uint8_t passive_map;
	uint8_t action;		/* enum ftpalg_action */
};

#define FTPALG_POLICY_HAS(p, a)	(!!((p)->set & (1u << (a))))

struct ftpalgctl_request {
	enum ftpalgctl_cmd cmd;
	bool json;
	bool pretty;
	const char *netns;	/* -n NAME, or NULL */
	const char *file;	/* restore FILE, -b FILE; "-" is stdin */
	bool has_scope;		/* set/unset: server PREFIX given */
	struct ftpalg_prefix scope;
	struct ftpalg_policy policy;	/* set: the keys given */
};

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

/* Value parsers, exported for the tests and for completion of errors. */
int ftpalgctl_parse_prefix(const char *s, struct ftpalg_prefix *p,
			   char *err, size_t errlen);
int ftpalgctl_parse_port(const char *s, unsigned int min, uint16_t *port);

/* The names of the policy keys on the command line, by FTPALG_POLICY_A_x
 * (PASSIVE_MIN is "passive-window"; PASSIVE_MAX has no name of its own). */
const char *ftpalgctl_key_name(unsigned int attr);

#endif

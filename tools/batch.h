/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Batch files (ftpalgctl -b FILE, ftpalgctl restore FILE): one command
 * per line, as on the command line without "ftpalgctl" and its options;
 * words are separated by blanks, "#" at the start of a word comments out
 * the rest of the line.  A file is parsed whole before anything is sent,
 * so that a bad line applies nothing.  No I/O here.
 */
#ifndef FTPALGCTL_BATCH_H
#define FTPALGCTL_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"
#include "output.h"

struct batch_cmd {
	unsigned int line;		/* 1-based */
	struct ftpalgctl_request req;
};

struct batch {
	struct batch_cmd *cmds;
	size_t n;
};

#define BATCH_CMD(c)	(1u << (c))
/* What a -b file may hold: no monitor (it never ends), restore or help. */
#define BATCH_CMDS	(BATCH_CMD(FTPALGCTL_CMD_SHOW) | BATCH_CMD(FTPALGCTL_CMD_SET) | \
			 BATCH_CMD(FTPALGCTL_CMD_UNSET) | BATCH_CMD(FTPALGCTL_CMD_STATS) | \
			 BATCH_CMD(FTPALGCTL_CMD_STATS_RESET) | \
			 BATCH_CMD(FTPALGCTL_CMD_SESSIONS) | \
			 BATCH_CMD(FTPALGCTL_CMD_EXPECT) | BATCH_CMD(FTPALGCTL_CMD_SAVE))
/* What a restore file may hold: the lines save writes. */
#define RESTORE_CMDS	(BATCH_CMD(FTPALGCTL_CMD_SET) | BATCH_CMD(FTPALGCTL_CMD_UNSET))

/*
 * Parse @len bytes of @text (changed in place; it has room for one more
 * byte after them) into @b; every request
 * starts from @opts (the command line's options).  @allowed: BATCH_CMD()
 * bits of the commands accepted.  Returns EXIT_OK, EXIT_FAIL (no memory)
 * or EXIT_USAGE with the reason in @err and its line in *@line.
 */
int batch_parse(char *text, size_t len, const struct ftpalgctl_request *opts,
		uint32_t allowed, struct batch *b, unsigned int *line,
		char *err, size_t errlen);
void batch_free(struct batch *b);

/*
 * The policy @b leaves behind when applied to a namespace reset to the
 * defaults (no default key set, no scope): what restore replaces the
 * namespace's policy with.  @b holds only set and unset.  Returns
 * EXIT_OK, EXIT_FAIL (no memory) or EXIT_USAGE (an unset of a scope
 * not set before it) with the reason in @err and its line in *@line.
 */
int batch_policy(const struct batch *b, struct ftpalg_policy_set *ps,
		 unsigned int *line, char *err, size_t errlen);

#endif

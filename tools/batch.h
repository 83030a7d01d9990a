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

/*
 * Parse @len bytes of @text (changed in place; it has room for one more
 * byte after them) into @b; every request
 * starts from @opts (the command line's options).  @where: IN_BATCH or
 * IN_RESTORE, the file it is (the commands whose table entry has it).  Returns EXIT_OK, EXIT_FAIL (no memory)
 * or EXIT_USAGE with the reason in @err and its line in *@line.
 */
int batch_parse(char *text, size_t len, const struct ftpalgctl_request *opts,
		unsigned int where, struct batch *b, unsigned int *line,
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

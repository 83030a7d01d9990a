/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the commands of ftpalgctl run on (ftpalgctl.c); main.c sets it up
 * as the command's table entry says it needs.
 */
#ifndef FTPALGCTL_H
#define FTPALGCTL_H

#include "batch.h"
#include "cmdline.h"
#include "genl.h"
#include "output.h"
#include "print.h"

struct ctx {
	const struct ftpalgctl_request *req;
	struct genl *g;
	struct printer *out;		/* -j: JSON, else text */
	struct batch batch;		/* -b FILE, restore FILE */
	struct ftpalg_policy_set restore;	/* what restore FILE sets */
};

/* Print the kernel's message for @err of @what: EXIT_FAIL. */
int kernel_error(struct genl *g, int err, const char *what);

/* Read and parse the FILE of -b or restore, before anything is done. */
int ftpalgctl_load(struct ctx *c);

#endif

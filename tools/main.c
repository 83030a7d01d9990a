// SPDX-License-Identifier: GPL-2.0
/*
 * ftpalgctl: control the ftpalg FTP application-layer gateway
 * (nf_conntrack_ftpalg) through generic netlink.  The commands are in
 * ftpalgctl.c; here the command line is parsed and what the command
 * needs is set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ftpalgctl.h"

#define NETNS_RUN_DIR "/run/netns"

static int switch_netns(const char *name)
{
	char path[sizeof(NETNS_RUN_DIR) + 256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ftpalgctl: cannot open network namespace \"%s\": %s\n",
			name, strerror(errno));
		return EXIT_FAIL;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "ftpalgctl: cannot enter network namespace \"%s\": %s\n",
			name, strerror(errno));
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return EXIT_OK;
}

static int open_family(struct genl *g)
{
	int err = genl_open(g);

	if (err) {
		fprintf(stderr, "ftpalgctl: cannot open a generic netlink socket: %s\n",
			strerror(-err));
		return EXIT_UNAVAIL;
	}
	err = genl_resolve(g, FTPALG_GENL_NAME, FTPALG_GENL_MCGRP_EVENTS);
	if (err == -ENOENT) {
		fprintf(stderr,
			"ftpalgctl: generic netlink family \"%s\" not found: is the module loaded? (modprobe nf_conntrack_ftpalg)\n",
			FTPALG_GENL_NAME);
		return EXIT_UNAVAIL;
	}
	if (err)
		return kernel_error(g, err, "generic netlink family lookup");
	return EXIT_OK;
}

int main(int argc, char *argv[])
{
	struct ftpalgctl_request req;
	struct printer printer;
	struct ctx c = { .req = &req, .out = &printer };
	static struct genl g;
	char err[256];
	int ret = EXIT_FAIL;

	if (ftpalgctl_parse(argc, argv, &req, err, sizeof(err))) {
		fprintf(stderr, "ftpalgctl: %s\n", err);
		ftpalgctl_usage(stderr);
		return EXIT_USAGE;
	}
	printer_init(&printer, stdout, req.json, req.pretty);
	if (req.file) {
		ret = ftpalgctl_load(&c);
		if (ret)
			goto out;
	}

	if (req.cmd->needs != NEEDS_NOTHING && req.netns &&
	    switch_netns(req.netns)) {
		ret = EXIT_FAIL;
		goto out;
	}
	if (req.cmd->needs == NEEDS_GENL) {
		ret = open_family(&g);
		if (ret)
			goto out;
		c.g = &g;
	}
	ret = req.cmd->run(&c);
out:
	genl_close(&g);
	batch_free(&c.batch);
	free(c.restore.scopes);
	if (printer.nomem && !ret)
		ret = EXIT_FAIL;
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ftpalgctl: write error: %s\n", strerror(errno));
		if (!ret)
			ret = EXIT_FAIL;
	}
	return ret;
}

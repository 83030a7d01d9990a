// SPDX-License-Identifier: GPL-2.0
/*
 * ftpalgctl: control the ftpalg FTP application-layer gateway
 * (nf_conntrack_ftpalg) through generic netlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "batch.h"
#include "cmdline.h"
#include "ct.h"
#include "genl.h"
#include "json.h"
#include "msg.h"
#include "output.h"

#ifndef FTPALGCTL_VERSION
#define FTPALGCTL_VERSION "unknown"
#endif

#define NETNS_RUN_DIR "/run/netns"

static const char usage_text[] =
"Usage: ftpalgctl [OPTIONS] COMMAND\n"
"       ftpalgctl [OPTIONS] -b FILE\n"
"OPTIONS := { -j | --json } { -p | --pretty } { -n | --netns NAME }\n"
"           { -b | --batch FILE } { -h | --help } { -V | --version }\n"
"COMMAND := { show | set | unset | stats | sessions | expect | monitor |\n"
"             save | restore | help }\n"
"  show                          policy (default and scopes) and counters\n"
"  set [ server PREFIX ] KEY VALUE [ KEY VALUE ... ]\n"
"                                change the default policy or a server scope\n"
"  unset server PREFIX           remove a server scope\n"
"  stats [ reset ]               show or reset the counters\n"
"  sessions                      FTP control connections tracked by ftpalg\n"
"  expect                        pending data-connection expectations\n"
"  monitor                       print refusal events until interrupted\n"
"  save                          the whole policy as set lines\n"
"  restore FILE                  replace the whole policy with FILE's, at once\n"
"  -b FILE                       run FILE's commands, one per line, in order\n"
"KEY VALUE := { active { on | off } | bounce { drop | allow } |\n"
"              min-port PORT | passive-window { LO-HI | any } |\n"
"              passive-map { on | off } | action { drop | reset } }\n"
"Exit status: 0 ok, 1 failed, 2 usage error, 3 module or netlink unavailable.\n";

struct ctx {
	const struct ftpalgctl_request *req;
	struct genl *g;
	struct json j;
	struct batch batch;		/* -b FILE, restore FILE */
	struct ftpalg_policy_set restore;	/* what restore FILE sets */
};

/* ------------------------------------------------------------- helpers */

static int kernel_error(struct genl *g, int err, const char *what)
{
	if (g->extack[0])
		fprintf(stderr, "ftpalgctl: kernel: %s\n", g->extack);
	else if (err == -EPERM)
		fprintf(stderr, "ftpalgctl: %s: %s (CAP_NET_ADMIN is needed)\n",
			what, strerror(-err));
	else
		fprintf(stderr, "ftpalgctl: %s: %s\n", what, strerror(-err));
	return EXIT_FAIL;
}

static int request(struct ctx *c, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		   const char *what)
{
	int err = genl_request(c->g, nlh, cb, data);

	if (err)
		return kernel_error(c->g, err, what);
	if (c->g->extack[0])	/* a warning attached to a successful ACK */
		fprintf(stderr, "ftpalgctl: kernel: %s\n", c->g->extack);
	return EXIT_OK;
}

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

/* ------------------------------------------------------- policy, stats */

static int policy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ftpalg_policy_set *ps = data;
	const struct nlattr *tb[FTPALG_A_MAX + 1];
	struct ftpalg_scope_policy *sp, *grown;

	if (msg_parse_top(nlh, tb))
		goto bad;
	if (!tb[FTPALG_A_SCOPE]) {
		if (tb[FTPALG_A_POLICY] &&
		    msg_parse_policy(tb[FTPALG_A_POLICY], &ps->def))
			goto bad;
		ps->have_default = true;
		return MNL_CB_OK;
	}
	grown = realloc(ps->scopes, (ps->nscopes + 1) * sizeof(*grown));
	if (!grown) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	ps->scopes = grown;
	sp = &ps->scopes[ps->nscopes];
	memset(sp, 0, sizeof(*sp));
	if (msg_parse_scope(tb[FTPALG_A_SCOPE], &sp->prefix) ||
	    (tb[FTPALG_A_POLICY] &&
	     msg_parse_policy(tb[FTPALG_A_POLICY], &sp->policy)))
		goto bad;
	ps->nscopes++;
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[FTPALG_A_MAX + 1];

	if (msg_parse_top(nlh, tb) || !tb[FTPALG_A_STATS] ||
	    msg_parse_stats(tb[FTPALG_A_STATS], data)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int get_policy(struct ctx *c, struct ftpalg_policy_set *ps)
{
	int err;

	/* A dump interrupted by a concurrent change starts over. */
	for (int tries = 0;; tries++) {
		free(ps->scopes);
		memset(ps, 0, sizeof(*ps));
		err = genl_request(c->g, genl_msg(c->g, FTPALG_CMD_GET_POLICY,
						  NLM_F_DUMP),
				   policy_cb, ps);
		if (err != -EINTR || tries == 4)
			break;
	}
	if (err)
		return kernel_error(c->g, err, "cannot read the policy");
	return EXIT_OK;
}

static int get_stats(struct ctx *c, struct ftpalg_stats *st)
{
	memset(st, 0, sizeof(*st));
	return request(c, genl_msg(c->g, FTPALG_CMD_GET_STATS, NLM_F_ACK),
		       stats_cb, st, "cannot read the counters");
}

static int cmd_show(struct ctx *c)
{
	struct ftpalg_policy_set ps = { 0 };
	struct ftpalg_stats *st = calloc(1, sizeof(*st));
	int ret = EXIT_FAIL;

	if (!st)
		goto out;
	ret = get_policy(c, &ps);
	if (ret)
		goto out;
	ret = get_stats(c, st);
	if (ret)
		goto out;
	if (c->req->json) {
		json_show(&c->j, &ps, st);
	} else {
		print_policy_text(stdout, &ps);
		print_stats_text(stdout, st);
	}
out:
	free(ps.scopes);
	free(st);
	return ret;
}

static int cmd_set(struct ctx *c)
{
	struct nlmsghdr *nlh = genl_msg(c->g, FTPALG_CMD_SET_POLICY, NLM_F_ACK);

	if (c->req->has_scope)
		msg_put_scope(nlh, &c->req->scope);
	msg_put_policy(nlh, &c->req->policy);
	return request(c, nlh, NULL, NULL, "set");
}

static int cmd_unset(struct ctx *c)
{
	struct nlmsghdr *nlh = genl_msg(c->g, FTPALG_CMD_DEL_POLICY, NLM_F_ACK);
	char pfx[64];
	int err;

	msg_put_scope(nlh, &c->req->scope);
	err = genl_request(c->g, nlh, NULL, NULL);
	if (err == -ENOENT && !c->g->extack[0]) {
		fprintf(stderr, "ftpalgctl: unset: no scope server %s\n",
			fmt_prefix(&c->req->scope, pfx, sizeof(pfx)));
		return EXIT_FAIL;
	}
	return err ? kernel_error(c->g, err, "unset") : EXIT_OK;
}

static int cmd_stats(struct ctx *c)
{
	struct ftpalg_stats *st = calloc(1, sizeof(*st));
	int ret;

	if (!st)
		return EXIT_FAIL;
	ret = get_stats(c, st);
	if (!ret) {
		if (c->req->json)
			json_stats(&c->j, st);
		else
			print_stats_text(stdout, st);
	}
	free(st);
	return ret;
}

static int cmd_stats_reset(struct ctx *c)
{
	return request(c, genl_msg(c->g, FTPALG_CMD_RESET_STATS, NLM_F_ACK),
		       NULL, NULL, "stats reset");
}

static int cmd_save(struct ctx *c)
{
	struct ftpalg_policy_set ps = { 0 };
	int ret = get_policy(c, &ps);

	if (!ret)
		print_policy_batch(stdout, &ps);
	free(ps.scopes);
	return ret;
}

/* One FTPALG_CMD_REPLACE_POLICY: the kernel takes all of it or nothing. */
static int cmd_restore(struct ctx *c)
{
	size_t size = msg_policy_set_size(&c->restore);
	struct nlmsghdr *nlh;
	char *buf;
	int ret;

	buf = calloc(1, size);
	if (!buf) {
		fprintf(stderr, "ftpalgctl: restore: out of memory\n");
		return EXIT_FAIL;
	}
	nlh = genl_msg_in(c->g, buf, FTPALG_CMD_REPLACE_POLICY, NLM_F_ACK);
	msg_put_policy_set(nlh, &c->restore);
	ret = request(c, nlh, NULL, NULL, "restore");
	free(buf);
	return ret;
}

/* ------------------------------------------------------------ conntrack */

static int cmd_sessions(struct ctx *c)
{
	struct ftpalg_session *s = NULL;
	size_t n = 0;
	int ret = ct_sessions(&s, &n);

	if (ret)
		return ret;
	if (c->req->json)
		json_sessions(&c->j, s, n);
	else
		for (size_t i = 0; i < n; i++)
			print_session_text(stdout, &s[i]);
	free(s);
	return EXIT_OK;
}

static int cmd_expect(struct ctx *c)
{
	struct ftpalg_expectation *e = NULL;
	size_t n = 0;
	int ret = ct_expectations(&e, &n);

	if (ret)
		return ret;
	if (c->req->json)
		json_expectations(&c->j, e, n);
	else
		for (size_t i = 0; i < n; i++)
			print_expectation_text(stdout, &e[i]);
	free(e);
	return EXIT_OK;
}

/* -------------------------------------------------------------- monitor */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[FTPALG_A_MAX + 1];
	struct ctx *c = data;
	struct ftpalg_event ev;

	if (genl->cmd != FTPALG_CMD_EVENT)
		return MNL_CB_OK;
	if (msg_parse_top(nlh, tb) || !tb[FTPALG_A_EVENT] ||
	    msg_parse_event(tb[FTPALG_A_EVENT], &ev)) {
		fprintf(stderr, "ftpalgctl: malformed event ignored\n");
		return MNL_CB_OK;
	}
	if (c->req->json)
		json_event(&c->j, &ev);
	else
		print_event_text(stdout, &ev);
	fflush(stdout);
	return MNL_CB_OK;
}

static int cmd_monitor(struct ctx *c)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, orig;
	int err;

	if (!c->g->mcgrp_events) {
		fprintf(stderr,
			"ftpalgctl: the \"%s\" family has no \"%s\" multicast group\n",
			FTPALG_GENL_NAME, FTPALG_GENL_MCGRP_EVENTS);
		return EXIT_FAIL;
	}
	err = genl_join(c->g, c->g->mcgrp_events);
	if (err)
		return kernel_error(c->g, err, "cannot join the events group");

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigdelset(&orig, SIGINT);
	sigdelset(&orig, SIGTERM);

	err = genl_listen(c->g, event_cb, c, &stop, &orig);
	if (err)
		return kernel_error(c->g, err, "monitor");
	return EXIT_OK;
}

/* --------------------------------------------------------------- batch */

static const char *file_name(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

/* The whole of @path ("-": standard input) plus a spare byte; NULL and
 * errno on failure. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 4096, n = 0;
	char *buf = NULL, *grown;

	if (!f)
		return NULL;
	for (;;) {
		grown = realloc(buf, cap + 1);
		if (!grown)
			goto fail;
		buf = grown;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		errno = EIO;
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
fail:
	free(buf);
	if (f != stdin)
		fclose(f);
	return NULL;
}

/* Read and parse FILE of -b or restore, before anything is done. */
static int load_file(struct ctx *c)
{
	const struct ftpalgctl_request *req = c->req;
	bool restore = req->cmd == FTPALGCTL_CMD_RESTORE;
	unsigned int line;
	char err[256];
	size_t len;
	char *text;
	int ret;

	text = read_file(req->file, &len);
	if (!text) {
		fprintf(stderr, "ftpalgctl: cannot read %s: %s\n",
			file_name(req->file), strerror(errno));
		return EXIT_FAIL;
	}
	ret = batch_parse(text, len, req, restore ? RESTORE_CMDS : BATCH_CMDS,
			  &c->batch, &line, err, sizeof(err));
	free(text);
	if (!ret && restore)
		ret = batch_policy(&c->batch, &c->restore, &line, err,
				   sizeof(err));
	if (ret == EXIT_FAIL)
		fprintf(stderr, "ftpalgctl: %s: out of memory\n",
			file_name(req->file));
	else if (ret)
		fprintf(stderr, "ftpalgctl: %s:%u: %s\n", file_name(req->file),
			line, err);
	return ret;
}

static int run_command(struct ctx *c);

/* The lines in order, on one socket; the first failure stops the batch. */
static int cmd_batch(struct ctx *c)
{
	const struct ftpalgctl_request *batch_req = c->req;
	int ret = EXIT_OK;

	for (size_t i = 0; i < c->batch.n && !ret; i++) {
		c->req = &c->batch.cmds[i].req;
		ret = run_command(c);
		if (ret)
			fprintf(stderr,
				"ftpalgctl: %s:%u: failed; the lines before it were applied, none after it\n",
				file_name(batch_req->file), c->batch.cmds[i].line);
	}
	c->req = batch_req;
	return ret;
}

/* ----------------------------------------------------------------- main */

static int cmd_help(struct ctx *c)
{
	(void)c;
	fputs(usage_text, stdout);
	return EXIT_OK;
}

static int cmd_version(struct ctx *c)
{
	(void)c;
	printf("ftpalgctl %s (generic netlink family \"%s\" version %d)\n",
	       FTPALGCTL_VERSION, FTPALG_GENL_NAME, FTPALG_GENL_VERSION);
	return EXIT_OK;
}

/* NEEDS_GENL: the ftpalg family, which also tells that the module is there. */
enum needs { NEEDS_NOTHING, NEEDS_GENL };

static const struct {
	enum ftpalgctl_cmd cmd;
	int (*fn)(struct ctx *c);
	enum needs needs;
} commands[] = {
	{ FTPALGCTL_CMD_HELP,		cmd_help,		NEEDS_NOTHING },
	{ FTPALGCTL_CMD_VERSION,	cmd_version,		NEEDS_NOTHING },
	{ FTPALGCTL_CMD_SHOW,		cmd_show,		NEEDS_GENL },
	{ FTPALGCTL_CMD_SET,		cmd_set,		NEEDS_GENL },
	{ FTPALGCTL_CMD_UNSET,		cmd_unset,		NEEDS_GENL },
	{ FTPALGCTL_CMD_STATS,		cmd_stats,		NEEDS_GENL },
	{ FTPALGCTL_CMD_STATS_RESET,	cmd_stats_reset,	NEEDS_GENL },
	{ FTPALGCTL_CMD_SESSIONS,	cmd_sessions,		NEEDS_GENL },
	{ FTPALGCTL_CMD_EXPECT,		cmd_expect,		NEEDS_GENL },
	{ FTPALGCTL_CMD_MONITOR,	cmd_monitor,		NEEDS_GENL },
	{ FTPALGCTL_CMD_SAVE,		cmd_save,		NEEDS_GENL },
	{ FTPALGCTL_CMD_RESTORE,	cmd_restore,		NEEDS_GENL },
	{ FTPALGCTL_CMD_BATCH,		cmd_batch,		NEEDS_GENL },
};

static size_t command_index(enum ftpalgctl_cmd cmd)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			break;
	return i;
}

static int run_command(struct ctx *c)
{
	size_t i = command_index(c->req->cmd);

	if (i == sizeof(commands) / sizeof(commands[0]))
		return EXIT_FAIL;	/* cannot happen */
	return commands[i].fn(c);
}

int main(int argc, char *argv[])
{
	struct ftpalgctl_request req;
	struct ctx c = { .req = &req };
	static struct genl g;
	char err[256];
	int ret = EXIT_FAIL;
	size_t i;

	if (ftpalgctl_parse(argc, argv, &req, err, sizeof(err))) {
		fprintf(stderr, "ftpalgctl: %s\n%s", err, usage_text);
		return EXIT_USAGE;
	}
	i = command_index(req.cmd);
	if (i == sizeof(commands) / sizeof(commands[0]))
		return EXIT_FAIL;	/* cannot happen */
	if (req.file) {
		ret = load_file(&c);
		if (ret)
			goto out;
	}

	json_init(&c.j, stdout, req.pretty);
	if (commands[i].needs != NEEDS_NOTHING && req.netns &&
	    switch_netns(req.netns)) {
		ret = EXIT_FAIL;
		goto out;
	}
	if (commands[i].needs == NEEDS_GENL) {
		ret = open_family(&g);
		if (ret)
			goto out;
		c.g = &g;
	}
	ret = commands[i].fn(&c);
out:
	genl_close(&g);
	batch_free(&c.batch);
	free(c.restore.scopes);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ftpalgctl: write error: %s\n", strerror(errno));
		if (!ret)
			ret = EXIT_FAIL;
	}
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of ftpalgctl and their table (wireguard-tools' wg.c
 * style): each runs on what main.c set up as its entry says it needs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "ct.h"
#include "ftpalgctl.h"
#include "msg.h"

#ifndef FTPALGCTL_VERSION
#define FTPALGCTL_VERSION "unknown"
#endif

/* ------------------------------------------------------------- helpers */

int kernel_error(struct genl *g, int err, const char *what)
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

static int get_stats(struct ctx *c, struct ftpalgctl_stats *st)
{
	memset(st, 0, sizeof(*st));
	return request(c, genl_msg(c->g, FTPALG_CMD_GET_STATS, NLM_F_ACK),
		       stats_cb, st, "cannot read the counters");
}

static int cmd_show(struct ctx *c)
{
	struct ftpalg_policy_set ps = { 0 };
	struct ftpalgctl_stats *st = calloc(1, sizeof(*st));
	int ret = EXIT_FAIL;

	if (!st)
		goto out;
	ret = get_policy(c, &ps);
	if (ret)
		goto out;
	ret = get_stats(c, st);
	if (ret)
		goto out;
	output_show(c->out, &ps, st);
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
	struct ftpalgctl_stats *st;
	int ret;

	if (c->req->reset)
		return request(c, genl_msg(c->g, FTPALG_CMD_RESET_STATS, NLM_F_ACK),
			       NULL, NULL, "stats reset");
	st = calloc(1, sizeof(*st));
	if (!st)
		return EXIT_FAIL;
	ret = get_stats(c, st);
	if (!ret)
		output_stats(c->out, st);
	free(st);
	return ret;
}

static int cmd_save(struct ctx *c)
{
	struct ftpalg_policy_set ps = { 0 };
	int ret = get_policy(c, &ps);

	if (!ret)
		output_save(c->out, &ps);
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
	struct ftpalgctl_session *s = NULL;
	size_t n = 0;
	int ret = ct_sessions(&s, &n);

	if (ret)
		return ret;
	output_sessions(c->out, s, n);
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
	output_expectations(c->out, e, n);
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
	output_event(c->out, &ev);
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
int ftpalgctl_load(struct ctx *c)
{
	const struct ftpalgctl_request *req = c->req;
	bool restore = req->cmd->run == cmd_restore;
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
	ret = batch_parse(text, len, req, restore ? IN_RESTORE : IN_BATCH,
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

/* The lines in order, on one socket; the first failure stops the batch. */
static int cmd_batch(struct ctx *c)
{
	const struct ftpalgctl_request *batch_req = c->req;
	int ret = EXIT_OK;

	for (size_t i = 0; i < c->batch.n && !ret; i++) {
		c->req = &c->batch.cmds[i].req;
		ret = c->req->cmd->run(c);
		if (ret)
			fprintf(stderr,
				"ftpalgctl: %s:%u: failed; the lines before it were applied, none after it\n",
				file_name(batch_req->file), c->batch.cmds[i].line);
	}
	c->req = batch_req;
	return ret;
}

/* ------------------------------------------------------------- commands */

static int cmd_help(struct ctx *c)
{
	(void)c;
	ftpalgctl_usage(stdout);
	return EXIT_OK;
}

static int cmd_version(struct ctx *c)
{
	(void)c;
	printf("ftpalgctl %s (generic netlink family \"%s\" version %d)\n",
	       FTPALGCTL_VERSION, FTPALG_GENL_NAME, FTPALG_GENL_VERSION);
	return EXIT_OK;
}

/*
 * { name, option, parse, run, needs, in, synopsis, help }, in the order
 * of the usage text; .run NULL ends it.
 */
const struct ftpalgctl_command ftpalgctl_commands[] = {
	{ "show", 0, cmdline_parse_no_args, cmd_show, NEEDS_GENL, IN_BATCH,
	  "show", "policy (default and scopes) and counters" },
	{ "set", 0, cmdline_parse_set, cmd_set, NEEDS_GENL, IN_BATCH | IN_RESTORE,
	  "set [ server PREFIX ] KEY VALUE [ KEY VALUE ... ]",
	  "change the default policy or a server scope" },
	{ "unset", 0, cmdline_parse_unset, cmd_unset, NEEDS_GENL,
	  IN_BATCH | IN_RESTORE, "unset server PREFIX", "remove a server scope" },
	{ "stats", 0, cmdline_parse_stats, cmd_stats, NEEDS_GENL, IN_BATCH,
	  "stats [ reset ]", "show or reset the counters" },
	{ "sessions", 0, cmdline_parse_no_args, cmd_sessions, NEEDS_GENL, IN_BATCH,
	  "sessions", "FTP control connections tracked by ftpalg" },
	{ "expect", 0, cmdline_parse_no_args, cmd_expect, NEEDS_GENL, IN_BATCH,
	  "expect", "pending data-connection expectations" },
	/* never in a batch: it does not end */
	{ "monitor", 0, cmdline_parse_no_args, cmd_monitor, NEEDS_GENL, 0,
	  "monitor", "print refusal events until interrupted" },
	{ "save", 0, cmdline_parse_save, cmd_save, NEEDS_GENL, IN_BATCH,
	  "save", "the whole policy as set lines" },
	{ "restore", 0, cmdline_parse_restore, cmd_restore, NEEDS_GENL, 0,
	  "restore FILE", "replace the whole policy with FILE's, at once" },
	{ NULL, 'b', cmdline_parse_no_args, cmd_batch, NEEDS_GENL, 0,
	  "-b FILE", "run FILE's commands, one per line, in order" },
	{ "help", 'h', cmdline_parse_no_args, cmd_help, NEEDS_NOTHING, 0,
	  "help", "print this text" },
	{ NULL, 'V', cmdline_parse_no_args, cmd_version, NEEDS_NOTHING, 0,
	  NULL, NULL },
	{ NULL },
};

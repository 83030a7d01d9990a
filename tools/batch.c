// SPDX-License-Identifier: GPL-2.0
/* Batch files: lines to requests, and the policy a restore file describes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* Words of a line: "set server PREFIX" and every key with its value fit. */
#define MAX_WORDS 64

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Split @s (one line, NUL-terminated) into words in place. */
static int split_words(char *s, char *words[MAX_WORDS], char *err, size_t errlen)
{
	int n = 0;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == MAX_WORDS) {
			fail(err, errlen, "more than %d words", MAX_WORDS);
			return -1;
		}
		words[n++] = s;
		while (*s && !is_blank(*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static int parse_line(char *s, const struct ftpalgctl_request *opts,
		      unsigned int where, struct ftpalgctl_request *req,
		      char *err, size_t errlen)
{
	char *words[MAX_WORDS];
	int n = split_words(s, words, err, errlen);

	memset(req, 0, sizeof(*req));	/* no command: nothing to do */
	req->json = opts->json;
	req->pretty = opts->pretty;
	req->netns = opts->netns;
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return EXIT_OK;
	if (words[0][0] == '-')
		return fail(err, errlen,
			    "\"%s\": options go on the command line, not in a batch file",
			    words[0]);
	if (ftpalgctl_parse_command(n, words, req, err, errlen))
		return EXIT_USAGE;
	if (!(req->cmd->in & where)) {
		if (where == IN_RESTORE)
			return fail(err, errlen,
				    "\"%s\": a restore file holds only set and unset lines",
				    words[0]);
		return fail(err, errlen, "\"%s\" cannot be used in a batch file",
			    words[0]);
	}
	return EXIT_OK;
}

int batch_parse(char *text, size_t len, const struct ftpalgctl_request *opts,
		unsigned int where, struct batch *b, unsigned int *line,
		char *err, size_t errlen)
{
	char *end = text + len, *s = text;
	struct ftpalgctl_request req;
	int ret;

	memset(b, 0, sizeof(*b));
	for (*line = 1; s < end; (*line)++) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		struct batch_cmd *grown;

		if (!nl)
			nl = end;
		if (memchr(s, '\0', (size_t)(nl - s)))
			return fail(err, errlen, "NUL byte in the line");
		*nl = '\0';	/* at end: the extra byte */
		ret = parse_line(s, opts, where, &req, err, errlen);
		if (ret)
			return ret;
		s = nl + 1;
		if (!req.cmd)
			continue;	/* blank or comment */
		grown = realloc(b->cmds, (b->n + 1) * sizeof(*grown));
		if (!grown)
			return EXIT_FAIL;
		b->cmds = grown;
		b->cmds[b->n].line = *line;
		b->cmds[b->n].req = req;
		b->n++;
	}
	*line = 0;
	return EXIT_OK;
}

void batch_free(struct batch *b)
{
	free(b->cmds);
	memset(b, 0, sizeof(*b));
}

/* The keys of @src over those of @dst, as the kernel overlays them. */
static void policy_overlay(struct ftpalgctl_policy *dst, const struct ftpalgctl_policy *src)
{
	if (FTPALGCTL_POLICY_HAS(src, FTPALG_POLICY_A_ACTIVE))
		dst->active = src->active;
	if (FTPALGCTL_POLICY_HAS(src, FTPALG_POLICY_A_BOUNCE))
		dst->bounce = src->bounce;
	if (FTPALGCTL_POLICY_HAS(src, FTPALG_POLICY_A_MIN_PORT))
		dst->min_port = src->min_port;
	if (FTPALGCTL_POLICY_HAS(src, FTPALG_POLICY_A_PASSIVE_MIN)) {
		dst->passive_min = src->passive_min;
		dst->passive_max = src->passive_max;
	}
	if (FTPALGCTL_POLICY_HAS(src, FTPALG_POLICY_A_PASSIVE_MAP))
		dst->passive_map = src->passive_map;
	if (FTPALGCTL_POLICY_HAS(src, FTPALG_POLICY_A_ACTION))
		dst->action = src->action;
	dst->keys |= src->keys;
}

static struct ftpalg_scope_policy *find_scope(struct ftpalg_policy_set *ps,
					      const struct ftpalg_prefix *p)
{
	for (size_t i = 0; i < ps->nscopes; i++) {
		const struct ftpalg_prefix *q = &ps->scopes[i].prefix;

		if (q->family == p->family && q->len == p->len &&
		    !memcmp(q->addr, p->addr, sizeof(q->addr)))
			return &ps->scopes[i];
	}
	return NULL;
}

int batch_policy(const struct batch *b, struct ftpalg_policy_set *ps,
		 unsigned int *line, char *err, size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	ps->have_default = true;
	for (size_t i = 0; i < b->n; i++) {
		const struct ftpalgctl_request *req = &b->cmds[i].req;
		struct ftpalg_scope_policy *sp;
		char pfx[64];

		*line = b->cmds[i].line;
		if (!req->has_scope) {
			policy_overlay(&ps->def, &req->policy);
			continue;
		}
		sp = find_scope(ps, &req->scope);
		if (req->cmd == ftpalgctl_command("unset")) {
			if (!sp)
				return fail(err, errlen,
					    "unset: no scope server %s is set before this line",
					    fmt_prefix(&req->scope, pfx, sizeof(pfx)));
			*sp = ps->scopes[--ps->nscopes];
			continue;
		}
		if (!sp) {
			sp = realloc(ps->scopes, (ps->nscopes + 1) * sizeof(*sp));
			if (!sp)
				return EXIT_FAIL;
			ps->scopes = sp;
			sp = &ps->scopes[ps->nscopes++];
			memset(sp, 0, sizeof(*sp));
			sp->prefix = req->scope;
		}
		policy_overlay(&sp->policy, &req->policy);
	}
	*line = 0;
	return EXIT_OK;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * FTP control-channel load generator for the ftpalg benchmark.
 *
 *   ftp_loadgen rate  --server A [--port P] --conns N [--threads T]
 *                     [--cpu-base C] [--secs S | --count K]
 *                     [--mix portpasv|port|pasv|noop] [--mark 0|1|2]
 *       keeps N control connections busy (T threads, one epoll loop each,
 *       N/T connections per thread; thread i pinned to CPU C+i), every
 *       connection doing command -> final reply loops: PORT -> 200,
 *       PASV -> 227 alternately (mix portpasv), only one of them (port,
 *       pasv) or NOOP -> 200 (mix noop).  One transaction = one command
 *       and its final reply; --count K sends exactly K commands (K/T per
 *       thread) and waits for their replies.  Prints
 *       "RESULT mode=rate ... tps=X marks=M".
 *       --mark 1: execute the instruction counter's marker (insn_mark.h)
 *       right before the first command and after the last reply; --mark 2:
 *       the same with per-block counts (BASE, then BLOCKS).
 *       --gate FILE: after connecting print "ESTABLISHED" and start only
 *       once FILE exists; --hold 1: after the result print "READY" and
 *       keep the connections until SIGTERM.  Connections are closed with
 *       an RST (SO_LINGER 0), leaving no TIME_WAIT sockets behind.
 *   ftp_loadgen idle  --server A [--port P] --conns N [--bind A1,A2,...]
 *       opens N control connections, reads the banners, prints
 *       "READY ..." and holds them until SIGTERM/SIGINT.
 *   ftp_loadgen place --server A [--port P] --conns N [--timeout-ms T]
 *       opens N connections, then sends PASV on one after the other and
 *       waits for each 227 (up to T ms): counts 227s naming the address the
 *       client connected to with a port no earlier session got ("placed"),
 *       and the time each took; prints "RESULT mode=place ...", then
 *       "READY" and holds the sessions until SIGTERM/SIGINT.
 *   ftp_loadgen data  --server A [--port P]
 *       one PASV, connects the data connection to the control connection's
 *       peer address and the announced port, sends RETR, reads to EOF;
 *       prints "RESULT mode=data bytes=B secs=S mbps=X" (MB = 10^6 bytes).
 *       --mark as for rate: around the transfer, from the established
 *       data connection to its end of file.
 *   ftp_loadgen sleep --secs S [--mark 1|2]
 *       markers around S seconds of sleep (the idle cost of the guest).
 *
 * --bind takes a comma-separated list of local IPv4 addresses used round
 * robin (more 4-tuples than one address has ports).  IPv4 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "insn_mark.h"

#define RBUF		2048
#define MAX_BIND	64
#define CONNECT_BURST	128	/* connects in flight per thread */

enum cstate { C_NEW, C_CONNECTING, C_BANNER, C_READY, C_WAIT, C_DEAD };

struct conn {
	int fd;
	enum cstate st;
	unsigned int idx;	/* global index */
	unsigned int len;
	unsigned int k;		/* commands sent */
	char lastcode[4];
	char buf[RBUF];
	char last227[256];
	char port_cmd[64];
};

struct thr {
	pthread_t tid;
	int id;
	unsigned int first, n;	/* global indices [first, first + n) */
	struct conn *c;
	unsigned long long txns;
	unsigned long long sent;
	unsigned int failed;
};

static const char *mode;
static const char *server = "203.0.113.1";
static struct in_addr server_addr;
static int server_port = 21;
static unsigned int nconns = 64;
static int nthreads = 1;
static int cpu_base = -1;
static double secs = 5;
static unsigned long long count_limit;
enum mix { MIX_PORTPASV, MIX_PORT, MIX_PASV, MIX_NOOP };
static const char *const mix_names[] = { "portpasv", "port", "pasv", "noop" };
static enum mix mix;
static int mark_level;	/* --mark: 0 none, 1 totals, 2 per-block counts */
static int timeout_ms = 3000;
static struct in_addr binds[MAX_BIND];
static int nbinds;

static const char *gate_path;
static int hold_after;
static unsigned int max_timeouts = 10;
static struct thr *g_th;
static int g_nt;

static pthread_barrier_t barrier;
static atomic_int stop_flag;
static struct timespec t_go;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double ts_s(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static void pin(int idx)
{
	pin_thread("loadgen", cpu_base, idx);
}

static int open_socket(unsigned int idx, int nonblock)
{
	int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (nbinds) {
		struct sockaddr_in la = { .sin_family = AF_INET,
					  .sin_addr = binds[idx % nbinds] };

		/* let connect() pick the port per 4-tuple, not per address */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&la, sizeof(la))) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int start_connect(struct conn *c, int ep)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(server_port),
				  .sin_addr = server_addr };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };

	c->fd = open_socket(c->idx, 1);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->st = C_CONNECTING;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev))
		die("epoll_ctl");
	return 0;
}

/* PORT naming our own address and a port unique to this connection. */
static void make_port_cmd(struct conn *c)
{
	struct sockaddr_in la;
	socklen_t sl = sizeof(la);
	unsigned int port = 20000 + c->idx % 40000;
	unsigned char *a = (unsigned char *)&la.sin_addr;

	if (getsockname(c->fd, (struct sockaddr *)&la, &sl))
		memset(&la, 0, sizeof(la));
	snprintf(c->port_cmd, sizeof(c->port_cmd), "PORT %u,%u,%u,%u,%u,%u\r\n",
		 a[0], a[1], a[2], a[3], port >> 8, port & 0xff);
}

static int send_str(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;	/* tiny commands: EAGAIN means trouble too */
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read what is there; returns the number of final replies completed
 * (lines "ddd " or "ddd" with d a digit), -1 on EOF/error.  The text of the
 * last 227 is kept in c->last227.
 */
static int read_replies(struct conn *c)
{
	int done = 0;

	for (;;) {
		ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
		char *nl;

		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return done;
			return -1;
		}
		c->len += (unsigned int)r;
		while ((nl = memchr(c->buf, '\n', c->len))) {
			unsigned int ll = (unsigned int)(nl - c->buf) + 1;
			char *l = c->buf;

			*nl = 0;
			if (ll >= 4 && l[0] >= '1' && l[0] <= '5' && l[1] >= '0' &&
			    l[1] <= '9' && l[2] >= '0' && l[2] <= '9' &&
			    (l[3] == ' ' || l[3] == '\r' || l[3] == 0)) {
				memcpy(c->lastcode, l, 3);
				c->lastcode[3] = 0;
				if (l[0] != '1')
					done++;
				if (!memcmp(l, "227", 3)) {
					size_t cl = strnlen(l, sizeof(c->last227) - 1);

					memcpy(c->last227, l, cl);
					c->last227[cl] = 0;
				}
			}
			memmove(c->buf, c->buf + ll, c->len - ll);
			c->len -= ll;
		}
		if (c->len >= sizeof(c->buf) - 1)
			c->len = 0;
	}
}

/* The markers around a measured stretch (--mark). */
static void mark_begin(void)
{
	if (mark_level)
		insn_mark(mark_level > 1 ? INSN_MARK_BASE : INSN_MARK_TOTALS);
}

static void mark_end(void)
{
	if (mark_level)
		insn_mark(mark_level > 1 ? INSN_MARK_BLOCKS : INSN_MARK_TOTALS);
}

static int send_next(struct conn *c)
{
	const char *cmd;

	switch (mix) {
	case MIX_NOOP:
		cmd = "NOOP\r\n";
		break;
	case MIX_PORT:
		cmd = c->port_cmd;
		break;
	case MIX_PASV:
		cmd = "PASV\r\n";
		break;
	default:
		cmd = (c->k & 1) ? "PASV\r\n" : c->port_cmd;
		break;
	}
	c->k++;
	c->st = C_WAIT;
	return send_str(c->fd, cmd);
}

static void kill_conn(struct thr *t, struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->st = C_DEAD;
	t->failed++;
}

/*
 * Establish all connections of @t: at most CONNECT_BURST connecting at a
 * time; a connection counts as established once its 220 arrived.
 */
static void establish(struct thr *t, int ep)
{
	struct epoll_event evs[256];
	unsigned int next = 0, pending = 0, ready = 0;
	double deadline = now_s() + 60;

	while (ready + t->failed < t->n) {
		int n, i;

		while (next < t->n && pending < CONNECT_BURST) {
			struct conn *c = &t->c[next++];

			if (start_connect(c, ep))
				kill_conn(t, c);
			else
				pending++;
		}
		if (now_s() > deadline) {
			unsigned int k;

			for (k = 0; k < t->n; k++)
				if (t->c[k].st == C_CONNECTING || t->c[k].st == C_BANNER) {
					kill_conn(t, &t->c[k]);
					pending--;
				}
			break;
		}
		n = epoll_wait(ep, evs, 256, 200);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
			int err = 0;
			socklen_t el = sizeof(err);

			if (c->st == C_CONNECTING) {
				if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
					kill_conn(t, c);
					pending--;
					continue;
				}
				c->st = C_BANNER;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
			if (c->st == C_BANNER) {
				int r = read_replies(c);

				if (r < 0) {
					kill_conn(t, c);
					pending--;
				} else if (r > 0) {
					c->st = C_READY;
					make_port_cmd(c);
					pending--;
					ready++;
				}
			}
		}
	}
}

static int waiting(const struct thr *t)
{
	unsigned int k;

	for (k = 0; k < t->n; k++)
		if (t->c[k].st == C_WAIT)
			return 1;
	return 0;
}

static void *rate_thread(void *arg)
{
	struct thr *t = arg;
	struct epoll_event evs[256];
	unsigned long long limit = 0;
	unsigned int k;
	double end;
	int ep = epoll_create1(0);

	if (ep < 0)
		die("epoll_create1");
	pin(t->id);
	establish(t, ep);
	pthread_barrier_wait(&barrier);
	if (t->id == 0 && gate_path) {
		/* all connections are up: wait for the caller's snapshot */
		printf("ESTABLISHED\n");
		fflush(stdout);
		while (access(gate_path, F_OK))
			usleep(20000);
	}
	if (t->id == 0) {
		mark_begin();
		clock_gettime(CLOCK_MONOTONIC, &t_go);
	}
	pthread_barrier_wait(&barrier);
	if (count_limit)
		limit = count_limit / (unsigned long long)nthreads;
	end = ts_s(&t_go) + secs;

	for (k = 0; k < t->n && (!limit || t->sent < limit); k++) {
		if (t->c[k].st != C_READY)
			continue;
		t->sent++;
		if (send_next(&t->c[k]))
			kill_conn(t, &t->c[k]);
	}
	for (;;) {
		int n, i;

		if (atomic_load(&stop_flag))
			break;
		if (limit ? t->txns >= limit : now_s() >= end)
			break;
		n = epoll_wait(ep, evs, 256, 50);
		if (n == 0 && limit && !waiting(t))
			break;	/* connections died with their commands */
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			int r;

			if (c->st != C_WAIT)
				continue;
			r = read_replies(c);
			if (r < 0) {
				kill_conn(t, c);
				continue;
			}
			if (r == 0)
				continue;
			t->txns += (unsigned int)r;
			c->st = C_READY;
			if (limit && t->sent >= limit)
				continue;	/* the replies still due come in */
			t->sent++;
			if (send_next(c))
				kill_conn(t, c);
		}
	}
	return NULL;
}

/* Close every connection with an RST: no TIME_WAIT left behind. */
static void abort_all(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	unsigned int k;
	int i;

	for (i = 0; i < g_nt; i++)
		for (k = 0; k < g_th[i].n; k++) {
			struct conn *c = &g_th[i].c[k];

			if (c->fd < 0)
				continue;
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(c->fd);
			c->fd = -1;
		}
}

static void hold(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("READY\n");
	fflush(stdout);
	sigwait(&set, &sig);
	abort_all();
}

static struct thr *make_threads(int nt)
{
	struct thr *th = calloc((size_t)nt, sizeof(*th));
	unsigned int per = nconns / (unsigned int)nt, extra = nconns % (unsigned int)nt;
	unsigned int first = 0, k;
	int i;

	if (!th)
		die("calloc");
	for (i = 0; i < nt; i++) {
		th[i].id = i;
		th[i].first = first;
		th[i].n = per + ((unsigned int)i < extra);
		th[i].c = calloc(th[i].n ? th[i].n : 1, sizeof(struct conn));
		if (!th[i].c)
			die("calloc");
		for (k = 0; k < th[i].n; k++) {
			th[i].c[k].idx = first + k;
			th[i].c[k].fd = -1;
		}
		first += th[i].n;
	}
	g_th = th;
	g_nt = nt;
	return th;
}

static int run_rate(void)
{
	struct thr *th = make_threads(nthreads);
	int hold_rc;
	unsigned long long txns = 0;
	unsigned int failed = 0;
	struct timespec t_end;
	double el;
	int i;

	pthread_barrier_init(&barrier, NULL, (unsigned int)nthreads);
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&th[i].tid, NULL, rate_thread, &th[i]))
			die("pthread_create");
	rate_thread(&th[0]);
	for (i = 1; i < nthreads; i++)
		pthread_join(th[i].tid, NULL);
	mark_end();
	clock_gettime(CLOCK_MONOTONIC, &t_end);
	el = ts_s(&t_end) - ts_s(&t_go);
	for (i = 0; i < nthreads; i++) {
		txns += th[i].txns;
		failed += th[i].failed;
	}
	printf("RESULT mode=rate mix=%s conns=%u threads=%d secs=%.3f txns=%llu tps=%.1f failed=%u marks=%u\n",
	       mix_names[mix], nconns, nthreads, el, txns,
	       el > 0 ? (double)txns / el : 0.0, failed, insn_marks);
	fflush(stdout);
	hold_rc = failed == nconns ? 1 : 0;
	if (hold_after)
		hold();
	else
		abort_all();
	return hold_rc;
}

static int run_idle(void)
{
	struct thr *th = make_threads(1);
	int ep = epoll_create1(0);
	double t0 = now_s();

	if (ep < 0)
		die("epoll_create1");
	establish(&th[0], ep);
	printf("RESULT mode=idle conns=%u established=%u secs=%.2f\n", nconns,
	       th[0].n - th[0].failed, now_s() - t0);
	fflush(stdout);
	hold();
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(const double *v, unsigned int n)
{
	double *tmp;
	double m;

	if (!n)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		die("malloc");
	memcpy(tmp, v, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	m = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	free(tmp);
	return m;
}

/* Parse "h1,h2,h3,h4,p1,p2" from a 227 line. */
static int parse_227(const char *l, struct in_addr *a, unsigned int *port)
{
	unsigned int h[6];
	const char *p;

	for (p = l + 4; *p; p++) {
		if (*p < '0' || *p > '9')
			continue;
		if (sscanf(p, "%u,%u,%u,%u,%u,%u", &h[0], &h[1], &h[2], &h[3],
			   &h[4], &h[5]) == 6) {
			a->s_addr = htonl(h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3]);
			*port = h[4] * 256 + h[5];
			return 0;
		}
		while (p[1] >= '0' && p[1] <= '9')
			p++;
	}
	return -1;
}

/* Wait for one final reply on a blocking-style poll loop. */
static int wait_reply(struct conn *c, int tmo_ms)
{
	double deadline = now_s() + tmo_ms / 1000.0;

	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int left = (int)((deadline - now_s()) * 1000);
		int r;

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		r = read_replies(c);
		if (r)
			return r;
	}
}

static int run_place(void)
{
	struct thr *th = make_threads(1);
	unsigned char *seen = calloc(65536, 1);
	double *lat = calloc(nconns ? nconns : 1, sizeof(double));
	unsigned int replies = 0, public = 0, placed = 0, timeouts = 0, nlat = 0;
	unsigned int k, ten, consec = 0;
	double t0, tall;
	int ep = epoll_create1(0);

	if (ep < 0 || !seen || !lat)
		die("setup");
	establish(&th[0], ep);
	t0 = now_s();
	for (k = 0; k < th[0].n; k++) {
		struct conn *c = &th[0].c[k];
		struct in_addr a;
		unsigned int port;
		double ts;
		int r;

		if (c->st != C_READY)
			continue;
		c->last227[0] = 0;
		ts = now_s();
		if (send_str(c->fd, "PASV\r\n")) {
			timeouts++;
			continue;
		}
		r = wait_reply(c, timeout_ms);
		if (r <= 0) {
			timeouts++;
			if (++consec >= max_timeouts) {
				fprintf(stderr, "loadgen: %u timeouts in a row, giving up\n",
					consec);
				break;
			}
			continue;
		}
		consec = 0;
		lat[nlat++] = (now_s() - ts) * 1000;
		if (!c->last227[0] || parse_227(c->last227, &a, &port))
			continue;
		replies++;
		if (a.s_addr != server_addr.s_addr)
			continue;
		public++;
		if (!seen[port]) {
			seen[port] = 1;
			placed++;
		}
	}
	tall = now_s() - t0;
	ten = nlat / 10 ? nlat / 10 : nlat;
	printf("RESULT mode=place conns=%u established=%u replies=%u public=%u placed=%u "
	       "timeouts=%u total_ms=%.1f lat_med_ms=%.3f lat_first10_ms=%.3f "
	       "lat_last10_ms=%.3f\n",
	       nconns, th[0].n - th[0].failed, replies, public, placed, timeouts,
	       tall * 1000, median_of(lat, nlat), median_of(lat, ten),
	       median_of(lat + (nlat - ten), ten));
	fflush(stdout);
	hold();
	return 0;
}

static int run_data(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(server_port),
				  .sin_addr = server_addr };
	struct conn c = { .fd = -1 };
	static char buf[256 * 1024];
	unsigned long long bytes = 0;
	struct in_addr a;
	unsigned int port;
	double t0, el;
	int dfd;

	c.fd = open_socket(0, 0);
	if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect control");
	fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
	if (wait_reply(&c, timeout_ms) <= 0 || send_str(c.fd, "PASV\r\n") ||
	    wait_reply(&c, timeout_ms) <= 0 || parse_227(c.last227, &a, &port)) {
		fprintf(stderr, "loadgen: no usable 227 (last: %s)\n", c.last227);
		return 1;
	}
	/* like curl's default: the control connection's peer, announced port */
	sa.sin_port = htons(port);
	dfd = open_socket(0, 0);
	t0 = now_s();
	if (dfd < 0 || connect(dfd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("loadgen: connect data");
		return 1;
	}
	mark_begin();
	if (send_str(c.fd, "RETR bench\r\n"))
		die("send RETR");
	for (;;) {
		ssize_t r = recv(dfd, buf, sizeof(buf), 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		bytes += (unsigned long long)r;
	}
	mark_end();
	el = now_s() - t0;
	close(dfd);
	send_str(c.fd, "QUIT\r\n");
	close(c.fd);
	printf("RESULT mode=data bytes=%llu secs=%.3f mbps=%.2f announced_port=%u marks=%u\n",
	       bytes, el, el > 0 ? (double)bytes / 1e6 / el : 0.0, port, insn_marks);
	return bytes ? 0 : 1;
}

static int run_sleep(void)
{
	struct timespec ts = { .tv_sec = (time_t)secs,
			       .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9) };

	mark_begin();
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
	mark_end();
	printf("RESULT mode=sleep secs=%.3f marks=%u\n", secs, insn_marks);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ftp_loadgen rate|idle|place|data --server ADDR [--port P]\n"
		"       [--conns N] [--threads T] [--cpu-base C] [--secs S] [--count K]\n"
		"       [--mix portpasv|port|pasv|noop] [--bind A1,A2,...] [--timeout-ms MS]\n"
		"       [--gate FILE] [--hold 0|1] [--max-timeouts N] [--mark 0|1|2]\n"
		"       ftp_loadgen sleep --secs S [--mark 1|2]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	int i;

	if (argc < 2)
		usage();
	mode = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--server"))
			server = v;
		else if (!strcmp(a, "--port"))
			server_port = atoi(v);
		else if (!strcmp(a, "--conns"))
			nconns = (unsigned int)strtoul(v, NULL, 0);
		else if (!strcmp(a, "--threads"))
			nthreads = atoi(v);
		else if (!strcmp(a, "--cpu-base"))
			cpu_base = atoi(v);
		else if (!strcmp(a, "--secs"))
			secs = atof(v);
		else if (!strcmp(a, "--count"))
			count_limit = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--mix")) {
			for (mix = MIX_NOOP; mix > MIX_PORTPASV; mix--)
				if (!strcmp(v, mix_names[mix]))
					break;
			if (strcmp(v, mix_names[mix]))
				usage();
		} else if (!strcmp(a, "--mark"))
			mark_level = atoi(v);
		else if (!strcmp(a, "--gate"))
			gate_path = v;
		else if (!strcmp(a, "--hold"))
			hold_after = atoi(v);
		else if (!strcmp(a, "--max-timeouts"))
			max_timeouts = (unsigned int)atoi(v);
		else if (!strcmp(a, "--timeout-ms"))
			timeout_ms = atoi(v);
		else if (!strcmp(a, "--bind")) {
			char *s = strdup(v), *tok, *save = NULL;

			for (tok = strtok_r(s, ",", &save); tok && nbinds < MAX_BIND;
			     tok = strtok_r(NULL, ",", &save))
				if (inet_pton(AF_INET, tok, &binds[nbinds++]) != 1)
					usage();
		} else {
			usage();
		}
	}
	if (inet_pton(AF_INET, server, &server_addr) != 1 || nthreads < 1 ||
	    nconns < (unsigned int)nthreads)
		usage();
	signal(SIGPIPE, SIG_IGN);
	/* as root (CAP_SYS_RESOURCE) raise the hard limit too */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nconns + 256) {
		struct rlimit want = { (rlim_t)nconns + 256, (rlim_t)nconns + 256 };

		if (setrlimit(RLIMIT_NOFILE, &want)) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (!strcmp(mode, "rate"))
		return run_rate();
	if (!strcmp(mode, "idle"))
		return run_idle();
	if (!strcmp(mode, "place"))
		return run_place();
	if (!strcmp(mode, "data"))
		return run_data();
	if (!strcmp(mode, "sleep"))
		return run_sleep();
	usage();
	return 2;
}

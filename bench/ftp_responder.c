// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal FTP control-channel responder for the ftpalg benchmark.
 *
 * Answers every connection with "220", then per command line:
 *   PORT ...   -> 200
 *   EPRT ...   -> 200
 *   PASV       -> 227 naming the responder's own address (the local address
 *                 of the control connection) and a port: the next one of
 *                 --pasv LO-HI (cycling, shared by all connections), or
 *                 always LO if LO == HI
 *   RETR ...   -> 150, 226 (the data itself is sent by the data listener)
 *   QUIT       -> 221 and close
 *   NOOP, anything else -> 200
 * No login, no file system.  With --data-bytes B the responder also listens
 * on the (single) --pasv port and sends B bytes on every connection accepted
 * there, then closes it: a RETR-like passive download without a file.
 *
 * Threads: --threads N listeners on the same address with SO_REUSEPORT, each
 * with its own epoll loop; --cpu-base C pins thread i to CPU C + i.
 *
 *   ftp_responder --listen ADDR --port 21 [--pasv LO-HI] [--threads N]
 *                 [--cpu-base C] [--data-bytes B]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#include <unistd.h>

#include "common.h"

#define LINE_MAX_LEN	1024
#define MAX_EVENTS	256

struct conn {
	int fd;
	unsigned int len;
	char buf[LINE_MAX_LEN];
	char addr[INET6_ADDRSTRLEN];	/* own address, PASV form a,b,c,d */
};

static const char *listen_addr = "0.0.0.0";
static int listen_port = 21;
static unsigned int pasv_lo = 40000, pasv_hi = 49999;
static atomic_uint pasv_next;
static int nthreads = 1;
static int cpu_base = -1;
static unsigned long long data_bytes;
static int verbose;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void pin(int idx)
{
	pin_thread("responder", cpu_base, idx);
}

static int make_listener(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd;

	if (inet_pton(AF_INET, listen_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "responder: bad address %s (IPv4 only)\n", listen_addr);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	if (listen(fd, 4096))
		die("listen");
	return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* replies are tiny: the socket buffer is never full
				 * unless the peer stopped reading; give up then */
				return;
			}
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static int ieq(const char *a, const char *kw, size_t n)
{
	return strncasecmp(a, kw, n) == 0;
}

/* Returns 0 to keep the connection, -1 to close it. */
static int handle_line(struct conn *c, char *line)
{
	char out[256];
	int n;

	if (ieq(line, "PORT", 4) || ieq(line, "EPRT", 4)) {
		n = snprintf(out, sizeof(out), "200 PORT command successful.\r\n");
	} else if (ieq(line, "PASV", 4)) {
		unsigned int port = pasv_lo;

		if (pasv_hi > pasv_lo)
			port = pasv_lo + atomic_fetch_add(&pasv_next, 1) % (pasv_hi - pasv_lo + 1);
		n = snprintf(out, sizeof(out),
			     "227 Entering Passive Mode (%s,%u,%u).\r\n",
			     c->addr, port >> 8, port & 0xff);
	} else if (ieq(line, "RETR", 4)) {
		n = snprintf(out, sizeof(out),
			     "150 Opening BINARY mode data connection.\r\n"
			     "226 Transfer complete.\r\n");
	} else if (ieq(line, "QUIT", 4)) {
		send_all(c->fd, "221 Goodbye.\r\n", 14);
		return -1;
	} else {
		n = snprintf(out, sizeof(out), "200 OK.\r\n");
	}
	send_all(c->fd, out, (size_t)n);
	return 0;
}

static int conn_read(struct conn *c)
{
	for (;;) {
		ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		char *nl;

		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		c->len += (unsigned int)r;
		while ((nl = memchr(c->buf, '\n', c->len))) {
			unsigned int ll = (unsigned int)(nl - c->buf) + 1;

			*nl = 0;
			if (nl > c->buf && nl[-1] == '\r')
				nl[-1] = 0;
			if (handle_line(c, c->buf))
				return -1;
			memmove(c->buf, c->buf + ll, c->len - ll);
			c->len -= ll;
		}
		if (c->len == sizeof(c->buf))
			c->len = 0;	/* overlong line: drop it */
	}
}

static void conn_accept(int ep, int lfd)
{
	for (;;) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		struct epoll_event ev;
		struct conn *c;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		int one = 1;
		char *p;

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && verbose)
				perror("accept");
			return;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
			inet_ntop(AF_INET, &sa.sin_addr, c->addr, sizeof(c->addr));
		for (p = c->addr; *p; p++)
			if (*p == '.')
				*p = ',';
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		send_all(fd, "220 ftp_responder ready.\r\n", 26);
	}
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		die("fcntl");
}

static void *ctrl_thread(void *arg)
{
	int idx = (int)(long)arg;
	int lfd = make_listener(listen_port);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct epoll_event evs[MAX_EVENTS];

	pin(idx);
	if (ep < 0)
		die("epoll_create1");
	set_nonblock(lfd);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		die("epoll_ctl");
	for (;;) {
		int n = epoll_wait(ep, evs, MAX_EVENTS, -1), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c) {
				conn_accept(ep, lfd);
				continue;
			}
			if (conn_read(c)) {
				close(c->fd);
				free(c);
			}
		}
	}
	return NULL;
}

/* One data connection: send data_bytes, then close. */
static void *data_sender(void *arg)
{
	static char chunk[256 * 1024];
	int fd = (int)(long)arg;
	unsigned long long left = data_bytes;

	while (left) {
		size_t n = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);
		ssize_t w = send(fd, chunk, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		left -= (unsigned long long)w;
	}
	shutdown(fd, SHUT_WR);
	/* wait for the client's FIN so that the close is orderly */
	{
		char b[512];

		while (recv(fd, b, sizeof(b), 0) > 0)
			;
	}
	close(fd);
	return NULL;
}

static void *data_thread(void *arg)
{
	int lfd = make_listener((int)pasv_lo);

	(void)arg;
	for (;;) {
		pthread_t t;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept data");
		}
		if (pthread_create(&t, NULL, data_sender, (void *)(long)fd)) {
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ftp_responder --listen ADDR [--port P] [--pasv LO-HI]\n"
		"                     [--threads N] [--cpu-base C] [--data-bytes B] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	pthread_t t;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-v")) {
			verbose = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--listen"))
			listen_addr = v;
		else if (!strcmp(a, "--port"))
			listen_port = atoi(v);
		else if (!strcmp(a, "--pasv")) {
			if (sscanf(v, "%u-%u", &pasv_lo, &pasv_hi) != 2 ||
			    !pasv_lo || pasv_lo > pasv_hi || pasv_hi > 65535)
				usage();
		} else if (!strcmp(a, "--threads"))
			nthreads = atoi(v);
		else if (!strcmp(a, "--cpu-base"))
			cpu_base = atoi(v);
		else if (!strcmp(a, "--data-bytes"))
			data_bytes = strtoull(v, NULL, 0);
		else
			usage();
	}
	if (nthreads < 1)
		usage();
	if (data_bytes && pasv_lo != pasv_hi) {
		fprintf(stderr, "responder: --data-bytes needs a single --pasv port\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* as root (CAP_SYS_RESOURCE) raise the hard limit too */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)65536 * 4) {
		struct rlimit want = { (rlim_t)65536 * 4, (rlim_t)65536 * 4 };

		if (setrlimit(RLIMIT_NOFILE, &want)) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (data_bytes) {
		if (pthread_create(&t, NULL, data_thread, NULL))
			die("pthread_create");
	}
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&t, NULL, ctrl_thread, (void *)(long)i))
			die("pthread_create");
	ctrl_thread((void *)0L);
	return 0;
}

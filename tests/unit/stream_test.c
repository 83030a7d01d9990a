// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/stream.c: the review findings of issue 9 that live
 * in the segment layer, each as the segments that triggered it, plus the
 * basic cases.  The fuzzer (tests/fuzz/fuzz_stream.c) covers the rest.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "tap.h"

#define ISN	1000u
#define STOP	16		/* a refusal, as the kernel glue returns */

/* One direction through the stream layer, as the kernel glue drives it. */
static struct {
	struct ftp_stream st;
	struct ftp_stream_line *line;
	struct ftp_stream_aux *aux;
	int nat;
	/* the segment */
	char data[4096];
	unsigned int len;
	/* what the callbacks saw */
	char judged[16][600];
	unsigned int judged_seq[16];
	unsigned int njudged;
	unsigned int replays;
	unsigned short replay_port;
	unsigned int events[FTP_STREAM_EV_NOMEM + 1];
} T;

static const char *cb_data(void *ctx, unsigned int *len)
{
	(void)ctx;
	*len = T.len;
	return T.data;
}

/* Refuses lines naming 198.51.100.77; "rewrites" PORT 10,... (NAT). */
static int cb_line(void *ctx, unsigned int seq, const char *p,
		   unsigned int len, unsigned int off, unsigned int flags,
		   unsigned short *port)
{
	(void)ctx;
	if (T.njudged < 16) {
		printf("# judged %s\n", show(p, len));
		memcpy(T.judged[T.njudged], p, len);
		T.judged[T.njudged][len] = 0;
		T.judged_seq[T.njudged++] = seq;
	}
	if (memmem(p, len, "198,51,100,77", 13))
		return STOP;
	if (T.nat && (flags & FTP_STREAM_WHOLE) && len > 8 &&
	    !memcmp(p, "PORT 10,", 8)) {
		/* same length: "10," becomes "99," */
		memcpy(T.data + off + 5, "99", 2);
		*port = 4242;
	}
	return FTP_STREAM_ACCEPT;
}

static int cb_replay(void *ctx, const char *p, unsigned int len,
		     unsigned int off, unsigned short port)
{
	(void)ctx;
	(void)p;
	(void)len;
	T.replays++;
	T.replay_port = port;
	memcpy(T.data + off + 5, "99", 2);
	return FTP_STREAM_ACCEPT;
}

static int cb_extend(void *ctx, const char *bytes, unsigned int len)
{
	(void)ctx;
	memcpy(T.data + T.len, bytes, len);
	T.len += len;
	return 0;
}

static int cb_trim(void *ctx, unsigned int off)
{
	(void)ctx;
	T.len = off;
	return 0;
}

static int cb_opaque(void *ctx, const char *bytes, unsigned int len)
{
	(void)ctx;
	(void)bytes;
	(void)len;
	return 0;
}

static struct ftp_stream_line *cb_linebuf(void *ctx, int create)
{
	(void)ctx;
	if (!T.line && create)
		T.line = malloc(sizeof(*T.line));
	return T.line;
}

static struct ftp_stream_aux *cb_aux(void *ctx, int create)
{
	(void)ctx;
	if (!T.aux && create)
		T.aux = calloc(1, sizeof(*T.aux));
	return T.aux;
}

static void cb_event(void *ctx, enum ftp_stream_event ev)
{
	(void)ctx;
	T.events[ev]++;
}

static const struct ftp_stream_ops ops = {
	.data = cb_data, .line = cb_line, .replay = cb_replay,
	.extend = cb_extend, .trim = cb_trim, .opaque = cb_opaque,
	.linebuf = cb_linebuf, .aux = cb_aux, .event = cb_event,
};

static void reset(int nat)
{
	free(T.line);
	free(T.aux);
	memset(&T, 0, sizeof(T));
	T.nat = nat;
	ftp_stream_start(&T.st, ISN);
}

/* Segment @text at stream offset @off; returns the verdict. */
static int seg(unsigned int off, const char *text)
{
	int ret;

	T.len = strlen(text);
	memcpy(T.data, text, T.len);
	T.njudged = 0;
	ret = ftp_stream_segment(&T.st, ISN + off, FTP_DIR_CLIENT,
				 T.nat ? FTP_STREAM_SEG_NAT : 0, &ops, NULL);
	if (!(T.st.flags & FTP_STREAM_LINEBUF)) {
		free(T.line);
		T.line = NULL;
	}
	return ret;
}

static int judged(unsigned int i, const char *line)
{
	return i < T.njudged && !strcmp(T.judged[i], line);
}

static void test_basics(void)
{
	reset(0);
	tap(seg(0, "NOOP\r\nPORT 10,0,0,1,4,1\r\n") == FTP_STREAM_ACCEPT &&
	    T.njudged == 2 && judged(1, "PORT 10,0,0,1,4,1\r") &&
	    T.judged_seq[1] == ISN + 6,
	    "two lines in one segment: judged in order with their seq");
	tap(seg(0, "NOOP\r\nPORT 10,0,0,1,4,1\r\n") == FTP_STREAM_ACCEPT &&
	    T.njudged == 0, "a retransmission is not judged again");
	tap(seg(25, "PO") == FTP_STREAM_ACCEPT && T.njudged == 0 &&
	    seg(27, "RT 10,0,0,1,4,2\r\n") == FTP_STREAM_ACCEPT &&
	    judged(0, "PORT 10,0,0,1,4,2\r") && T.judged_seq[0] == ISN + 25,
	    "a line split across segments is judged whole, once");
}

/* Finding 1: a segment ~2^31 past a held line indexes nothing. */
static void test_withheld_far(void)
{
	reset(1);
	tap(seg(0, "NOOP\r\nPORT 10,0,") == FTP_STREAM_ACCEPT && T.len == 6 &&
	    (T.st.flags & FTP_STREAM_WITHHELD),
	    "NAT: the segment is cut before the held line");
	tap(seg(0x80000000u - 100, "xxxxxxxxxxxxxxxx") == FTP_STREAM_DROP &&
	    T.line && T.line->len == 10,
	    "a segment 2^31 ahead is dropped, the held line untouched");
	tap(seg(0x7fffffffu, "yyyy") == FTP_STREAM_DROP && T.line->len == 10,
	    "...and one just under 2^31 ahead");
	tap(seg(6, "PORT 10,0,0,1,4,1\r\n") == FTP_STREAM_ACCEPT &&
	    judged(0, "PORT 10,0,0,1,4,1\r") && !memcmp(T.data, "PORT 99,", 8),
	    "the retransmission carries the line whole: rewritten");
}

/* Finding 3: a retransmission with new bytes gets them judged. */
static void test_replay_new_bytes(void)
{
	reset(1);
	seg(0, "PORT 10,0,0,1,4,1\r\n");
	tap(seg(0, "PORT 10,0,0,1,4,1\r\nPORT 198,51,100,77,0,25\r\n") ==
	    STOP && T.replays == 1 && judged(0, "PORT 198,51,100,77,0,25\r"),
	    "rewritten PORT resent with a third-party PORT appended: refused");
	tap(seg(0, "PORT 10,0,0,1,4,1\r\nPASV\r\n") == FTP_STREAM_ACCEPT &&
	    T.replays == 2 && T.njudged == 1 && judged(0, "PASV\r") &&
	    !memcmp(T.data, "PORT 99,", 8),
	    "resent with PASV appended: replayed, and PASV judged");
}

/* Finding 4: a forward jump does not skip the bytes before it. */
static void test_forward_jump(void)
{
	reset(0);
	seg(0, "NOOP\r\n");
	tap(seg(31, "NOOP\r\n") == FTP_STREAM_DROP &&
	    T.events[FTP_STREAM_EV_REORDERED] == 1 && T.njudged == 0,
	    "a segment ahead of the stream is dropped");
	tap(seg(6, "PORT 198,51,100,77,0,25\r\n") == STOP,
	    "the bytes before it are still judged: refused");
	tap(seg(6, "NOOP\r\nPORT 10,0,0,1,4,1\r\n") == FTP_STREAM_ACCEPT &&
	    T.njudged == 2 && seg(31, "NOOP\r\n") == FTP_STREAM_ACCEPT &&
	    T.njudged == 1, "benign reordering: every line judged in order");
	reset(0);
	seg(0, "NOOP\r\n");
	seg(50, "xx\r\nNOOP\r\n");
	seg(50, "xx\r\nNOOP\r\n");
	seg(50, "xx\r\nNOOP\r\n");
	tap(seg(50, "xx\r\nNOOP\r\n") == FTP_STREAM_ACCEPT &&
	    T.events[FTP_STREAM_EV_DESYNC] == 1 && T.njudged == 1 &&
	    judged(0, "NOOP\r"),
	    "the same segment 4 times: resync at its next line");
	tap(seg(6, "PORT 198,51,100,77,0,25\r\n") == FTP_STREAM_DROP &&
	    T.njudged == 0 && T.events[FTP_STREAM_EV_UNJUDGED] == 1,
	    "bytes of the skipped gap are never passed on");
}

/* Finding 5: a hold never overwrites a pending partial line. */
static void test_withhold_over_partial(void)
{
	reset(1);
	seg(0, "NOOP\r\n");
	/* not held: a prefix of a kept line under the session's bound */
	T.st.flags |= FTP_STREAM_UNREWRITTEN;
	tap(seg(6, "PO") == FTP_STREAM_ACCEPT &&
	    (T.st.flags & FTP_STREAM_PARTIAL), "\"PO\" passed on, partial");
	tap(seg(8, "RT 198,51,100,77,0,25\r\nPORT 1") == STOP &&
	    judged(0, "PORT 198,51,100,77,0,25\r"),
	    "\"RT 198,51,100,77,...\" completes it: PORT to a third party refused");
	tap(seg(8, "RT 10,0,0,1,4,1\r\nPORT 1") == FTP_STREAM_ACCEPT &&
	    judged(0, "PORT 10,0,0,1,4,1\r") && T.len == 17 &&
	    (T.st.flags & FTP_STREAM_WITHHELD),
	    "a benign one completes it, the next line is held (cut)");
	tap(seg(25, "PORT 10,0,0,1,4,2\r\n") == FTP_STREAM_ACCEPT &&
	    judged(0, "PORT 10,0,0,1,4,2\r") && T.njudged == 1,
	    "the held line, resent whole, is judged once");
}

/* Finding 8: replay needs nothing but the stream's own state. */
static void test_replay_port(void)
{
	reset(1);
	seg(0, "PORT 10,0,0,1,4,1\r\n");
	tap(seg(0, "PORT 10,0,0,1,4,1\r\n") == FTP_STREAM_ACCEPT &&
	    T.replays == 1 && T.replay_port == 4242 &&
	    !memcmp(T.data, "PORT 99,", 8),
	    "a retransmission is rewritten to the port announced first");
	tap(seg(3, "T 10,0,0,1,4,1\r\n") == FTP_STREAM_DROP &&
	    T.events[FTP_STREAM_EV_UNJUDGED] == 1,
	    "a piece of a rewritten line cannot be rewritten: dropped");
}

/*
 * The LF search goes eight bytes a step: an LF at every offset of a long
 * line, after bytes that differ from LF in one bit (0x8a, 0x0b, 0x0e,
 * 0x1a), ends the line there, and only there.
 */
static void test_line_ends(void)
{
	static const char near_lf[] = "\x8a\x0b\x0e\x1a";
	char text[64], want[64];
	unsigned int n, i, bad = 0;

	for (n = 1; n <= 40; n++) {
		reset(0);
		for (i = 0; i < n; i++)
			text[i] = near_lf[i % 4];
		memcpy(want, text, n);
		want[n] = 0;
		memcpy(text + n, "\nNOOP\r\n", 8);
		text[n + 8] = 0;
		if (seg(0, text) != FTP_STREAM_ACCEPT || T.njudged != 2 ||
		    !judged(0, want) || !judged(1, "NOOP\r") ||
		    T.judged_seq[1] != ISN + n + 1)
			bad++;
	}
	tap(!bad, "an LF after 1 to 40 bytes that differ from it in one bit ends the line there");
}

/* ops->opaque() is asked only when the caller says the connection is. */
static int opaque_calls;

static int cb_opaque_tls(void *ctx, const char *bytes, unsigned int len)
{
	(void)ctx;
	(void)bytes;
	(void)len;
	opaque_calls++;
	return 1;
}

static void test_opaque_flag(void)
{
	struct ftp_stream_ops tls = ops;
	int ret;

	tls.opaque = cb_opaque_tls;
	reset(0);
	T.len = 6;
	memcpy(T.data, "NOOP\r\n", 6);
	ret = ftp_stream_segment(&T.st, ISN, FTP_DIR_CLIENT, 0, &tls, NULL);
	tap(ret == FTP_STREAM_ACCEPT && !opaque_calls && T.njudged == 1,
	    "not opaque: ops->opaque() is not asked, the line is judged");
	T.njudged = 0;
	ret = ftp_stream_segment(&T.st, ISN + 6, FTP_DIR_CLIENT,
				 FTP_STREAM_SEG_OPAQUE, &tls, NULL);
	tap(ret == FTP_STREAM_ACCEPT && opaque_calls == 1 && !T.njudged &&
	    T.st.next_seq == ISN + 12,
	    "opaque: ops->opaque() passes the bytes unparsed");
}

int main(void)
{
	test_basics();
	test_withheld_far();
	test_replay_new_bytes();
	test_forward_jump();
	test_withhold_over_partial();
	test_replay_port();
	test_line_ends();
	test_opaque_flag();
	reset(0);
	printf("1..%d\n", tests_run);
	return tests_failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/stream.c (with session.c behind it): one
 * direction of a control connection, client to server, through the ALG,
 * against a reference model.
 *
 * The input first describes the client's byte stream (lines of PORT, NOOP,
 * refused "BAD" commands, over-long lines, "TLS" which makes the rest
 * opaque, random bytes), its initial sequence number (biased to wrap
 * around 2^31 and 2^32) and whether the connection is NATed, then a script
 * of network events: new segments, retransmissions from any point that may
 * coalesce new bytes, deliveries in any order, duplicates, losses before
 * and after the ALG, segments far ahead or behind (2^31 away), allocation
 * and mangling failures, the conntrack destroyed mid-stream.  What the ALG
 * passes on goes through a model of the kernel's sequence adjustment
 * (seqadj) to a receiver that keeps every byte it gets.
 *
 * The oracle, checked after every segment and at the end:
 *  - every byte the receiver got equals the reference stream: the sender's
 *    bytes with exactly the judged rewrites applied (no foreign byte, no
 *    unjudged or unrewritten copy, sequence offsets consistent);
 *  - judgments come in stream order, each at a line start, with the
 *    sender's bytes, each line at most once, none skipped unless the
 *    stream resynchronised; every line the receiver can read whole was
 *    judged (unless after TLS);
 *  - the engine's flags match the buffers it owns; ASan/UBSan/LSan find
 *    no out-of-bounds access, use after free or leak;
 *  - a connection picked up mid-stream (no handshake seen) takes its
 *    first bytes for a line start: the checks start there;
 *  - no stall: without resync, a sender that retransmits from what the
 *    receiver has, one line per segment, gets every line up to the first
 *    refused one through; unless it must resend bytes from before the
 *    floor of struct ftp_stream_aux.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "session.h"
#include "fuzz.h"

#define STREAM_MAX	3000
#define RCV_MAX		(STREAM_MAX * 2)
#define SEG_MAX		(STREAM_MAX + FTP_LINE_MAX + 64)
#define NET_MAX		16
#define RW_MAX		128
#define JUDGED_MAX	4096
#define STOP_REFUSED	16

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned int take(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned int take16(struct input *in)
{
	return take(in) | take(in) << 8;
}

struct seg {
	unsigned int seq;
	unsigned int len;
	char data[SEG_MAX];
};

struct rewrite {
	unsigned int line;	/* sender offset of the line start */
	unsigned int arg_off;	/* from the line start */
	unsigned int arg_len;
	unsigned short port;
	char text[16];
	unsigned int text_len;
};

struct judgment {
	unsigned int off;	/* sender offset of the line start */
	unsigned int len;
};

static struct model {
	/* the sender */
	char sbuf[STREAM_MAX];
	unsigned int slen, isn, snd_nxt;
	int nat;
	/* in flight towards the ALG */
	struct seg *net[NET_MAX];
	unsigned int nnet;
	/* the ALG */
	struct ftp_stream st;
	struct ftp_stream_line *line;
	struct ftp_stream_aux *aux;
	struct ftp_session sess;
	int fail_alloc, fail_mangle;
	unsigned int rand;
	/* seqadj */
	unsigned int corr_pos;
	int off_before, off_after;
	/* the oracle */
	struct rewrite rw[RW_MAX];
	unsigned int nrw;
	unsigned int next_line;	/* where the next judgment must be */
	int resynced, opaque, garbage;
	int pickup;		/* no handshake: the first bytes seen */
	unsigned int pickup_off;
	unsigned int rmax;	/* receiver bytes got: below this */
	unsigned int readable;	/* ...and in order: below this */
	unsigned short next_port;
	/* the receiver, offsets from isn */
	unsigned char rcv[RCV_MAX];
	unsigned char have[RCV_MAX];
} M;

/* The segment the ALG works on, and what this segment did so far. */
static struct seg cur;
static int cur_delta;
static int t_adj_delta;		/* by new rewrites, from t_adj_seq on */
static unsigned int t_adj_seq;
static struct judgment tj[JUDGED_MAX];
static unsigned int ntj;
static struct rewrite trw[8];
static unsigned int ntrw;
static int t_opaque;
static struct ftp_session t_sess;

/* A pseudo-random failure while the knob is set. */
static int fail(int *knob)
{
	if (!*knob)
		return 0;
	M.rand = M.rand * 1103515245u + 12345u;
	return (M.rand >> 16) % 3 == 0;
}

static unsigned int text_for(unsigned short port, unsigned int arg_len,
			     char *text)
{
	int n = (int)arg_len + (int)(port % 7) - 3;
	int i;

	if (n < 3)
		n = 3;
	if (n > 15)
		n = 15;
	for (i = 0; i < n; i++)
		text[i] = (char)('a' + (port + i) % 26);
	return (unsigned int)n;
}

/* Replace [off, off+len) of the current segment with @text. */
static void mangle(unsigned int off, unsigned int len, const char *text,
		   unsigned int tlen)
{
	CHECK(off + len <= cur.len);
	CHECK(cur.len - len + tlen <= SEG_MAX);
	memmove(cur.data + off + tlen, cur.data + off + len,
		cur.len - off - len);
	memcpy(cur.data + off, text, tlen);
	cur.len = cur.len - len + tlen;
	cur_delta += (int)tlen - (int)len;
}

static const char *cb_data(void *ctx, unsigned int *len)
{
	(void)ctx;
	*len = cur.len;
	return cur.data;
}

static int cb_line(void *ctx, unsigned int seq, const char *p,
		   unsigned int len, unsigned int off, unsigned int flags,
		   unsigned short *port)
{
	unsigned int start = seq - M.isn, arg_len;
	struct ftp_match m;

	(void)ctx;
	CHECK(len <= FTP_LINE_MAX);
	if (flags & FTP_STREAM_WHOLE) {
		CHECK(p == cur.data + off);
		CHECK(off + len < cur.len && cur.data[off + len] == '\n');
	}
	CHECK(!memchr(p, '\n', len));
	if (start < M.slen) {
		/* beyond slen the model's sender has 'X's (garbage) */
		CHECK(start + len <= STREAM_MAX);
		CHECK(!memcmp(p, M.sbuf + start, len));
		CHECK(!start || M.sbuf[start - 1] == '\n' ||
		      (M.pickup && start == M.pickup_off));
		CHECK(ntj < JUDGED_MAX);
		tj[ntj].off = start;
		tj[ntj].len = len;
		ntj++;
	} else {
		CHECK(M.garbage || M.resynced);
	}
	ftp_session_line(&t_sess, FTP_DIR_CLIENT, p,
			 len > FTP_SESSION_PREFIX &&
			 ftp_line_interest(p, len, FTP_DIR_CLIENT) ==
			 FTP_LINE_BORING ? FTP_SESSION_PREFIX : len, &m);
	if (len >= 3 && !memcmp(p, "BAD", 3))
		return STOP_REFUSED;
	if (len >= 3 && !memcmp(p, "TLS", 3)) {
		t_opaque = 1;
		return FTP_STREAM_OPAQUE;
	}
	if (!M.nat || !(flags & FTP_STREAM_WHOLE) || len <= 5 ||
	    memcmp(p, "PORT ", 5) || start >= M.slen || fail(&M.fail_mangle))
		return FTP_STREAM_ACCEPT;
	arg_len = len - 5 - (p[len - 1] == '\r');
	CHECK(ntrw < 8);
	trw[ntrw].line = start;
	trw[ntrw].arg_off = 5;
	trw[ntrw].arg_len = arg_len;
	trw[ntrw].port = M.next_port;
	trw[ntrw].text_len = text_for(M.next_port, arg_len, trw[ntrw].text);
	if ((flags & FTP_STREAM_FIXED_LEN) && trw[ntrw].text_len != arg_len)
		return FTP_STREAM_ACCEPT;	/* cannot: passed on as it is */
	mangle(off + 5, arg_len, trw[ntrw].text, trw[ntrw].text_len);
	if (trw[ntrw].text_len != arg_len) {
		if (!t_adj_delta)
			t_adj_seq = seq;
		t_adj_delta += (int)trw[ntrw].text_len - (int)arg_len;
	}
	*port = M.next_port++;
	ntrw++;
	return FTP_STREAM_ACCEPT;
}

static int cb_replay(void *ctx, const char *p, unsigned int len,
		     unsigned int off, unsigned short port)
{
	const struct rewrite *r = NULL;
	unsigned int i;

	(void)ctx;
	CHECK(p == cur.data + off && off + len <= cur.len);
	for (i = 0; i < M.nrw; i++)
		if (M.rw[i].port == port)
			r = &M.rw[i];
	CHECK(r);
	/* the model's segments carry the sender's bytes */
	CHECK(len == r->arg_off + r->arg_len ||
	      len == r->arg_off + r->arg_len + 1);
	CHECK(!memcmp(p, M.sbuf + r->line, len));
	if (fail(&M.fail_mangle))
		return FTP_STREAM_DROP;
	mangle(off + r->arg_off, r->arg_len, r->text, r->text_len);
	return FTP_STREAM_ACCEPT;
}

static int cb_extend(void *ctx, const char *bytes, unsigned int len)
{
	unsigned int at = cur.seq - M.isn + (unsigned int)((int)cur.len -
							  cur_delta);

	(void)ctx;
	if (fail(&M.fail_mangle))
		return -1;
	CHECK(cur.len + len <= SEG_MAX);
	/* held bytes are the sender's own */
	if (at < M.slen) {
		CHECK(at + len <= STREAM_MAX);
		CHECK(!memcmp(bytes, M.sbuf + at, len));
	}
	memcpy(cur.data + cur.len, bytes, len);
	cur.len += len;
	return 0;
}

static int cb_trim(void *ctx, unsigned int off)
{
	(void)ctx;
	CHECK(off > 0 && off < cur.len);
	if (fail(&M.fail_mangle))
		return -1;
	cur.len = off;
	return 0;
}

static int cb_opaque(void *ctx, const char *bytes, unsigned int len)
{
	(void)ctx;
	(void)bytes;
	(void)len;
	return M.opaque;
}

static struct ftp_stream_line *cb_linebuf(void *ctx, int create)
{
	(void)ctx;
	if (!M.line && create && !fail(&M.fail_alloc))
		M.line = malloc(sizeof(*M.line));
	return M.line;
}

static struct ftp_stream_aux *cb_aux(void *ctx, int create)
{
	(void)ctx;
	if (!M.aux && create && !fail(&M.fail_alloc))
		M.aux = calloc(1, sizeof(*M.aux));
	return M.aux;
}

static void cb_event(void *ctx, enum ftp_stream_event ev)
{
	(void)ctx;
	CHECK(ev <= FTP_STREAM_EV_NOMEM);
	if (ev == FTP_STREAM_EV_DESYNC)
		M.resynced = 1;
}

static const struct ftp_stream_ops ops = {
	.data = cb_data,
	.line = cb_line,
	.replay = cb_replay,
	.extend = cb_extend,
	.trim = cb_trim,
	.opaque = cb_opaque,
	.linebuf = cb_linebuf,
	.aux = cb_aux,
	.event = cb_event,
};

/* Sender offset @p in the reference stream as the receiver numbers it. */
static unsigned int to_rcv(unsigned int p)
{
	unsigned int i;
	int d = 0;

	for (i = 0; i < M.nrw; i++)
		if (M.rw[i].line + M.rw[i].arg_off + M.rw[i].arg_len <= p)
			d += (int)M.rw[i].text_len - (int)M.rw[i].arg_len;
	return p + d;
}

/*
 * The reference stream: the sender's bytes with the judged rewrites (they
 * are judged, hence kept, in stream order); @rpos[p] is the receiver's
 * offset of sender offset p.
 */
static unsigned int reference(unsigned char *out, unsigned int *rpos)
{
	unsigned int p = 0, n = 0, k = 0;

	while (p < M.slen) {
		const struct rewrite *r = k < M.nrw ? &M.rw[k] : NULL;

		if (r && r->line + r->arg_off == p) {
			memcpy(out + n, r->text, r->text_len);
			while (p < r->line + r->arg_off + r->arg_len)
				rpos[p++] = n;
			n += r->text_len;
			k++;
		} else {
			rpos[p] = n;
			out[n++] = (unsigned char)M.sbuf[p++];
		}
	}
	rpos[p] = n;
	return n;
}

/* The sender offset whose byte the receiver numbers @r. */
static unsigned int from_rcv(unsigned int r)
{
	unsigned int p = 0, q = 0, k = 0;

	while (q < r && p < M.slen) {
		const struct rewrite *rw = k < M.nrw ? &M.rw[k] : NULL;

		if (rw && rw->line + rw->arg_off == p) {
			q += rw->text_len;
			p += rw->arg_len;
			k++;
		} else {
			p++;
			q++;
		}
	}
	CHECK(q >= r);	/* never inside a rewrite's text */
	return q == r ? p : M.slen;
}

/* The receiver's in-order bytes: it reads up to here. */
static unsigned int readable(void)
{
	while (M.readable < RCV_MAX && M.have[M.readable])
		M.readable++;
	return M.readable;
}

/* The reference stream as of the current rewrites. */
static unsigned char ref[RCV_MAX];
static unsigned int rpos[STREAM_MAX + 1];
static unsigned int ref_len, ref_nrw = -1u;

static void update_reference(void)
{
	if (ref_nrw != M.nrw) {
		ref_len = reference(ref, rpos);
		ref_nrw = M.nrw;
	}
}

/* Every line the receiver can read whole was judged. */
static void check_receiver(void)
{
	unsigned int r = readable(), p, lf;

	update_reference();
	for (p = M.pickup_off; p < M.slen && !M.opaque && !M.resynced;
	     p = lf + 1) {
		const char *e = memchr(M.sbuf + p, '\n', M.slen - p);

		if (!e)
			break;
		lf = e - M.sbuf;
		if (rpos[lf] >= r)
			break;
		CHECK(p < M.next_line);
	}
}

static void seqadj_set(unsigned int seq, int off)
{
	if (!off)
		return;
	if (M.off_before == M.off_after || ftp_seq_before(M.corr_pos, seq)) {
		M.corr_pos = seq;
		M.off_before = M.off_after;
		M.off_after += off;
	}
}

static unsigned int seqadj(unsigned int seq)
{
	return seq + (ftp_seq_after(seq, M.corr_pos) ? M.off_after :
						      M.off_before);
}

/* Every byte the receiver gets is the reference stream's. */
static void deliver(void)
{
	unsigned int r = seqadj(cur.seq) - M.isn, i;

	update_reference();
	for (i = 0; i < cur.len; i++) {
		unsigned int p = r + i;

		if (p >= RCV_MAX)
			continue;	/* out of the receiver's window */
		if (p < ref_len)
			CHECK((unsigned char)cur.data[i] == ref[p]);
		if (M.have[p])
			CHECK(M.rcv[p] == (unsigned char)cur.data[i]);
		M.rcv[p] = (unsigned char)cur.data[i];
		M.have[p] = 1;
		if (p >= M.rmax)
			M.rmax = p + 1;
	}
}

static void commit_judgments(void)
{
	unsigned int i;

	for (i = 0; i < ntj; i++) {
		const struct judgment *j = &tj[i];
		const char *e;

		if (j->off != M.next_line && !(M.pickup &&
					       j->off == M.pickup_off)) {
			CHECK(M.resynced);
			CHECK(j->off > M.next_line);
		}
		e = memchr(M.sbuf + j->off, '\n', M.slen - j->off);
		M.next_line = e ? (unsigned int)(e - M.sbuf) + 1 : M.slen + 1;
	}
	for (i = 0; i < ntrw; i++) {
		CHECK(M.nrw < RW_MAX);
		CHECK(!M.nrw || M.rw[M.nrw - 1].line < trw[i].line);
		M.rw[M.nrw++] = trw[i];
	}
}

static void check_flags(void)
{
	if (M.st.flags & FTP_STREAM_LINEBUF)
		CHECK(M.line);
	CHECK((M.st.flags & FTP_STREAM_LINEBUF) != FTP_STREAM_LINEBUF);
	if (M.st.flags & FTP_STREAM_AUX)
		CHECK(M.aux);
	if (M.line && (M.st.flags & FTP_STREAM_PARTIAL))
		CHECK(M.line->len <= FTP_LINE_MAX);
	if (!(M.st.flags & FTP_STREAM_LINEBUF)) {
		free(M.line);
		M.line = NULL;
	}
	if (!(M.st.flags & FTP_STREAM_AUX)) {
		free(M.aux);
		M.aux = NULL;
	}
}

/* The ALG, then the network after it: returns the stream layer's value. */
static int alg(const struct seg *sg, int lost_after)
{
	int ret;

	cur.seq = sg->seq;
	cur.len = sg->len;
	memcpy(cur.data, sg->data, sg->len);
	cur_delta = 0;
	ntj = 0;
	ntrw = 0;
	t_adj_delta = 0;
	t_opaque = 0;
	t_sess = M.sess;
	if (M.pickup && !(M.st.flags & FTP_STREAM_VALID)) {
		M.pickup_off = sg->seq - M.isn;
		/* picked up outside the stream: no line start is known */
		if (M.pickup_off >= M.slen)
			M.resynced = 1;
	}
	ret = ftp_stream_segment(&M.st, cur.seq, FTP_DIR_CLIENT,
				 (M.nat ? FTP_STREAM_SEG_NAT : 0) |
				 (M.opaque ? FTP_STREAM_SEG_OPAQUE : 0), &ops, NULL);
	CHECK(ret == FTP_STREAM_ACCEPT || ret == FTP_STREAM_DROP ||
	      ret == STOP_REFUSED);
	if (ret == FTP_STREAM_ACCEPT) {
		commit_judgments();
		M.sess = t_sess;
		if (t_opaque)
			M.opaque = 1;
		seqadj_set(t_adj_seq, t_adj_delta);
		if (!lost_after)
			deliver();
	}
	check_flags();
	return ret;
}

static struct seg *new_seg(unsigned int from, unsigned int len)
{
	struct seg *s = malloc(sizeof(*s));
	unsigned int i;

	s->seq = M.isn + from;
	s->len = len;
	for (i = 0; i < len; i++)
		s->data[i] = from + i < STREAM_MAX ? M.sbuf[from + i] : 'X';
	return s;
}

static void enqueue(struct seg *s)
{
	if (M.nnet == NET_MAX) {
		free(M.net[0]);
		memmove(M.net, M.net + 1, --M.nnet * sizeof(M.net[0]));
	}
	M.net[M.nnet++] = s;
}

static struct seg *dequeue(unsigned int i)
{
	struct seg *s = M.net[i];

	memmove(M.net + i, M.net + i + 1, (M.nnet - i - 1) * sizeof(M.net[0]));
	M.nnet--;
	return s;
}

static void gen_stream(struct input *in)
{
	unsigned int lines = 1 + take(in) % 40, k, n, i;
	char *b = M.sbuf;

	M.slen = 0;
	for (k = 0; k < lines && M.slen < STREAM_MAX - 800; k++) {
		unsigned int c = take(in);

		switch (c % 9) {
		case 0:
		case 1:
			n = sprintf(b + M.slen, "PORT 10,0,0,%u,%u,%u\r\n",
				    take(in), take(in), take(in));
			break;
		case 2:
			n = sprintf(b + M.slen, "NOOP\r\n");
			break;
		case 3:
			n = sprintf(b + M.slen, "BAD\r\n");
			break;
		case 4:
			n = 1 + take16(in) % 700;
			memset(b + M.slen, 'L', n);
			b[M.slen + n++] = '\n';
			break;
		case 5:
			n = sprintf(b + M.slen, "EPRT |1|10.0.0.%u|%u|\r\n",
				    take(in), take16(in));
			break;
		case 6:
			n = 1 + take(in) % 24;
			for (i = 0; i < n; i++)
				b[M.slen + i] = (char)(c & 0x10 ? take(in) :
						       "P\nRT \r"[take(in) % 6]);
			break;
		case 7:
			n = sprintf(b + M.slen, c & 0x80 ? "TLS\r\n" :
				    "RETR f%u\r\n", take(in));
			break;
		default:
			n = sprintf(b + M.slen, "PORT 10,0,0,%u,%u,%u",
				    take(in), take(in), take(in));
			break;
		}
		M.slen += n;
	}
	memset(b + M.slen, 'X', STREAM_MAX - M.slen);
}

/* ->destroy: the buffers go, and the segments in flight. */
static void destroy_model(void)
{
	unsigned int i;

	for (i = 0; i < M.nnet; i++)
		free(M.net[i]);
	free(M.line);
	free(M.aux);
	M.nnet = 0;
	M.line = NULL;
	M.aux = NULL;
}

static void reset_model(void)
{
	memset(&M, 0, sizeof(M));
	M.next_port = 1000;
	ref_nrw = -1u;
}

/* Retransmit from what the receiver has, a line at a time. */
static void drain(void)
{
	unsigned int target = M.slen, round, p, lines = 1;
	const char *bad = NULL;

	for (p = 0; p < M.slen; p++)
		if ((!p || M.sbuf[p - 1] == '\n') && p + 3 <= M.slen &&
		    !memcmp(M.sbuf + p, "BAD", 3)) {
			bad = M.sbuf + p;
			break;
		}
	if (bad)
		target = bad - M.sbuf;
	/* random bytes may hold many LFs: a few rounds for each line */
	for (p = 0; p < target; p++)
		lines += M.sbuf[p] == '\n';
	M.fail_alloc = M.fail_mangle = 0;
	for (round = 0; round < 4 * lines + 16; round++) {
		unsigned int r = readable(), from, len;
		const char *e;
		struct seg *s;

		/* the sender offset the receiver reached */
		from = from_rcv(r);
		if (from >= target)
			break;
		/* a copy that can no longer be sent right: lost */
		if (M.aux && M.aux->floored &&
		    ftp_seq_before(M.isn + from, M.aux->floor))
			return;
		e = memchr(M.sbuf + from, '\n', M.slen - from);
		len = e ? (unsigned int)(e - M.sbuf) + 1 - from :
			  M.slen - from;
		if (len > 700)
			len = 700;
		s = new_seg(from, len);
		alg(s, 0);
		free(s);
	}
	CHECK(readable() >= to_rcv(target) || M.opaque);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	unsigned int c, isn_kind;
	int destroyed = 0;

	reset_model();
	c = take(&in);
	M.nat = c & 1;
	isn_kind = (c >> 1) & 3;
	M.isn = take16(&in) | take16(&in) << 16;
	if (isn_kind == 1)
		M.isn = 0u - (M.isn & 0xfff);		/* wraps at 2^32 */
	else if (isn_kind == 2)
		M.isn = 0x80000000u - (M.isn & 0xfff);	/* crosses 2^31 */
	M.corr_pos = M.isn;
	M.pickup = c & 8;
	if (!M.pickup)
		ftp_stream_start(&M.st, M.isn);
	gen_stream(&in);

	while (in.n && !destroyed) {
		unsigned int op = take(&in), a = take(&in), b = take(&in);
		unsigned int from, len;
		struct seg *s;

		switch (op % 10) {
		case 0:
		case 1:	/* new bytes */
			if (M.snd_nxt >= M.slen)
				break;
			len = 1 + (a | (b & 3) << 8) % 600;
			if (len > M.slen - M.snd_nxt)
				len = M.slen - M.snd_nxt;
			enqueue(new_seg(M.snd_nxt, len));
			M.snd_nxt += len;
			break;
		case 2:	/* retransmission, maybe with new bytes */
			if (!M.snd_nxt)
				break;
			from = (a | b << 8) % M.snd_nxt;
			len = 1 + take16(&in) % 900;
			if (from + len > M.slen)
				len = M.slen - from;
			enqueue(new_seg(from, len));
			if (from + len > M.snd_nxt)
				M.snd_nxt = from + len;
			break;
		case 3:
		case 4:
		case 5:	/* delivery, in any order; maybe lost after */
			if (!M.nnet)
				break;
			s = dequeue(a % M.nnet);
			alg(s, b % 5 == 0);
			free(s);
			break;
		case 6:	/* duplicate or loss before the ALG */
			if (!M.nnet)
				break;
			if (b & 1) {
				s = malloc(sizeof(*s));
				*s = *M.net[a % M.nnet];
				enqueue(s);
			} else {
				free(dequeue(a % M.nnet));
			}
			break;
		case 7:	/* far ahead or behind, or just ahead */
			M.garbage = 1;
			from = M.snd_nxt + (b & 0x80 ? 0x80000000u - a :
					    b & 0x40 ? 0x7fffff00u + a :
					    b & 0x20 ? 0u - 1 - a : a);
			s = new_seg(from, 1 + take(&in) % 64);
			enqueue(s);
			break;
		case 8:
			M.fail_alloc = a & 1;
			M.fail_mangle = b & 1;
			break;
		default:
			/* ->destroy while segments are in flight */
			destroyed = (a & 0xf) == 0;
			break;
		}
	}
	check_receiver();
	/* picked up mid-line, that line's bytes decide: no promise */
	if (!destroyed && !M.resynced && !M.garbage &&
	    !(M.pickup && M.pickup_off && M.pickup_off < M.slen &&
	      M.sbuf[M.pickup_off - 1] != '\n'))
		drain();
	check_receiver();
	destroy_model();
	return 0;
}

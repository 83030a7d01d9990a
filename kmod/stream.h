/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stream layer: turns the TCP segments of one direction of an FTP
 * control connection into lines in stream order, whatever the segments'
 * boundaries, order, overlaps or repetitions.  Like parse.c and session.c
 * it includes no header beyond the project's: the kernel glue (helper.c)
 * and the userspace fuzzer drive it through struct ftp_stream_ops.
 *
 * The invariant: every byte before next_seq has been passed on after its
 * line was judged (a whole line, the head of a line too long to keep, or
 * a TLS segment), and no byte from next_seq on has been passed on, except
 * after a resync (see below).  So:
 *  - a segment starting at next_seq is scanned for lines;
 *  - bytes before next_seq are retransmissions: passed on unchanged, or
 *    with the same rewrite as before (replay), never judged twice; the
 *    part of a segment beyond next_seq is new and scanned;
 *  - a segment starting after next_seq is dropped (reordered): the bytes
 *    before it must be judged first, and the sender retransmits it.  Only
 *    when the same segment comes back FTP_STREAM_RESYNC times (its sender
 *    got the bytes before it acknowledged another way: a path change) does
 *    the stream resynchronise there, skipping to the next line; the bytes
 *    it skipped are never passed on afterwards (they were never judged).
 *  - under NAT a line to be rewritten must be whole in one segment: a
 *    segment ending in the beginning of such a line is cut before it (or
 *    dropped, if the line starts the segment) and the line's bytes are
 *    withheld from the receiver; the sender's retransmission from the line
 *    start, completed from what was withheld, then carries it whole.
 */
#ifndef FTPALG_STREAM_H
#define FTPALG_STREAM_H

#include "parse.h"

/* No header: no NULL. */
#define FTP_NULL		((void *)0)

/*
 * struct ftp_stream.flags: VALID, next_seq is set; SKIP, inside an
 * unjudged line, up to LF; the line buffer holds the line at next_seq,
 * PARTIAL: its head, already passed on, WITHHELD: bytes from next_seq on,
 * not passed on (NAT, until the line comes whole); UNREWRITTEN, that line
 * gave up waiting and passes on unrewritten, not withheld again; the aux has
 * REPLAY, rewritten lines, GAP, the bytes a resync skipped.
 */
#define FTP_STREAM_VALID	0x01
#define FTP_STREAM_SKIP		0x02
#define FTP_STREAM_PARTIAL	0x04
#define FTP_STREAM_WITHHELD	0x08
#define FTP_STREAM_UNREWRITTEN	0x10
#define FTP_STREAM_REPLAY	0x20
#define FTP_STREAM_GAP		0x40
#define FTP_STREAM_LINEBUF	(FTP_STREAM_PARTIAL | FTP_STREAM_WITHHELD)
#define FTP_STREAM_AUX		(FTP_STREAM_REPLAY | FTP_STREAM_GAP)

/* Times the same reordered segment is dropped before a resync. */
#define FTP_STREAM_RESYNC	4
/*
 * The farthest a resync jumps, and the widest its gap grows: beyond a
 * quarter of the sequence space older bytes could pass for new ones.
 */
#define FTP_STREAM_RESYNC_MAX	0x40000000u
/*
 * Copies of a withheld line's start that leave it unfinished, before it is
 * passed on unchanged: its sender had no more (a slow writer) or does not
 * coalesce; the first ones may be duplicates of the original.
 */
#define FTP_STREAM_WITHHOLD_RETRIES	3
/* Rewritten lines remembered, and rewritten per segment at most. */
#define FTP_STREAM_REPLAY_LINES	2

/* One direction's position; lives in the connection (8 bytes). */
struct ftp_stream {
	unsigned int next_seq;
	unsigned char flags;
	unsigned char ahead_count;	/* drops of the reordered segment */
	unsigned short ahead_seq;	/* ...its low sequence bits */
};

/* The line at next_seq, while partial or withheld; allocated on demand. */
struct ftp_stream_line {
	unsigned short len;	/* bytes present from the line start on */
	unsigned char retries;	/* withheld: retransmissions still short */
	unsigned char have[FTP_LINE_MAX / 8];	/* withheld: bytes present */
	char buf[FTP_LINE_MAX];
};

/*
 * What outlives a segment: the last rewritten lines (oldest first), the
 * line of the last rewrite that changed the length (where the caller moved
 * the sequence offset, see FTP_STREAM_WHOLE), and a resync's gap.  A copy
 * of bytes before @floor cannot be sent right any more: it holds a
 * rewritten line no longer remembered, or is from before the offset change
 * before the last (the kernel's sequence adjustment keeps only the last).
 */
struct ftp_stream_aux {
	unsigned int line_seq[FTP_STREAM_REPLAY_LINES];
	unsigned short line_len[FTP_STREAM_REPLAY_LINES];
	unsigned short port[FTP_STREAM_REPLAY_LINES];	/* announced */
	unsigned char lines;
	unsigned char adjusted;	/* adj_seq is set */
	unsigned char floored;	/* floor is set */
	unsigned int adj_seq;
	unsigned int floor;
	unsigned int gap_start;	/* bytes never judged: [start, end) */
	unsigned int gap_end;
};

/* Events for the caller's counters. */
enum ftp_stream_event {
	FTP_STREAM_EV_WITHHELD,		/* segment cut or dropped, line withheld */
	FTP_STREAM_EV_WITHHOLD_FAILED,	/* withheld line passed on unrewritten */
	FTP_STREAM_EV_REASSEMBLED,	/* a line of interest completed */
	FTP_STREAM_EV_OVERLONG,		/* line over FTP_LINE_MAX */
	FTP_STREAM_EV_REORDERED,	/* segment ahead of a gap dropped */
	FTP_STREAM_EV_DESYNC,		/* resynchronised after a gap */
	FTP_STREAM_EV_UNJUDGED,		/* old bytes that cannot be passed on */
	FTP_STREAM_EV_NOMEM,
};

/*
 * ops->line() flags: WHOLE, the whole line is in the segment at @off and
 * may be rewritten; FIXED_LEN, but not to another length.  A rewrite that
 * changes the length moves the sequence offset of the bytes after it: the
 * caller registers that at the line's start (seq), once per segment with
 * the segment's total change, so that a retransmission starting anywhere
 * but inside a rewritten line gets the right offset.  Hence one such
 * rewrite per segment.
 */
#define FTP_STREAM_WHOLE	0x01
#define FTP_STREAM_FIXED_LEN	0x02

/* Return values of ftp_stream_segment() and of the callbacks. */
#define FTP_STREAM_ACCEPT	0	/* pass the segment (as changed) on */
#define FTP_STREAM_DROP		1	/* drop it; the sender retransmits */
#define FTP_STREAM_OPAQUE	2	/* ops->line(): the rest is TLS */
/* any other value from a callback stops the segment and is returned */

struct ftp_stream_ops {
	/* The segment's payload as it is now (rewrites change it). */
	const char *(*data)(void *ctx, unsigned int *len);
	/*
	 * Judge a line (without its LF) starting at sequence number @seq,
	 * or the first FTP_SESSION_PREFIX bytes of one not kept whole.  With
	 * FTP_STREAM_WHOLE it is at @off in the payload and may be rewritten
	 * there, storing the announced port in *@port.  ACCEPT, OPAQUE, or a
	 * value that stops the segment.
	 */
	int (*line)(void *ctx, unsigned int seq, const char *line,
		    unsigned int len, unsigned int off, unsigned int flags,
		    unsigned short *port);
	/* Rewrite the line at @off again to announce @port; 0 or a stop. */
	int (*replay)(void *ctx, const char *line, unsigned int len,
		      unsigned int off, unsigned short port);
	/* Append @len bytes to the payload (withheld bytes): 0 or non-zero. */
	int (*extend)(void *ctx, const char *bytes, unsigned int len);
	/* Cut the payload at @off: 0 or non-zero. */
	int (*trim)(void *ctx, unsigned int off);
	/*
	 * The opaque connection's bytes: 1 to pass them unparsed, 0 to
	 * parse them, 2 when they end it (the caller restarts the other
	 * direction at a line start, this call this one).
	 */
	int (*opaque)(void *ctx, const char *bytes, unsigned int len);
	/* This direction's line buffer or aux, allocated when @create. */
	struct ftp_stream_line *(*linebuf)(void *ctx, int create);
	struct ftp_stream_aux *(*aux)(void *ctx, int create);
	void (*event)(void *ctx, enum ftp_stream_event ev);
};

/* ftp_stream_segment() @flags */
#define FTP_STREAM_SEG_NAT	0x01	/* lines of interest are rewritten */
#define FTP_STREAM_SEG_OPAQUE	0x02	/* TLS: ops->opaque() judges the bytes */

/*
 * One segment of the direction @st (@dir), starting at sequence number
 * @seq, its payload from ops->data(); under NAT lines of interest are
 * withheld until whole.  ops->opaque() is asked only with
 * FTP_STREAM_SEG_OPAQUE (the connection was opaque before the segment).
 * Returns FTP_STREAM_ACCEPT or FTP_STREAM_DROP with @st updated, or a
 * callback's stop value with @st, the line buffer and aux as they were
 * (the segment was not seen: its retransmission meets the same state).
 */
int ftp_stream_segment(struct ftp_stream *st, unsigned int seq,
		       enum ftp_dir dir, unsigned int flags,
		       const struct ftp_stream_ops *ops, void *ctx);

/* The connection's handshake: its first byte, @seq, starts a line. */
void ftp_stream_start(struct ftp_stream *st, unsigned int seq);

/* Start at a line again (TLS cleared): forget partial and withheld bytes. */
void ftp_stream_restart(struct ftp_stream *st);

static inline int ftp_seq_before(unsigned int a, unsigned int b)
{
	return (int)(a - b) < 0;
}

static inline int ftp_seq_after(unsigned int a, unsigned int b)
{
	return ftp_seq_before(b, a);
}

#endif /* FTPALG_STREAM_H */

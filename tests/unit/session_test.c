// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace unit tests for kmod/session.c, written against the semantics
 * documented in kmod/session.h.  Prints TAP, exits non-zero on any
 * failure.  Build with ASan/UBSan (see tests/unit/Makefile).
 *
 * Every scenario starts from ftp_session_init() and is run twice: once
 * straight, and once with a snapshot/restore before every step (the kernel
 * restores the session when it drops a segment and the peer retransmits
 * it), which must give the same events and the same final state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "tap.h"
#include "../common/session_cmp.h"

#define CL FTP_DIR_CLIENT
#define SV FTP_DIR_SERVER


static const char *ev_name(int ev)
{
	static const char * const names[] = {
		[FTP_EV_NONE] = "NONE",
		[FTP_EV_MALFORMED] = "MALFORMED",
		[FTP_EV_ACTIVE] = "ACTIVE",
		[FTP_EV_ACTIVE_OK] = "ACTIVE_OK",
		[FTP_EV_ACTIVE_FAILED] = "ACTIVE_FAILED",
		[FTP_EV_PASSIVE] = "PASSIVE",
		[FTP_EV_UNSOLICITED] = "UNSOLICITED",
		[FTP_EV_AFTER_EPSV_ALL] = "AFTER_EPSV_ALL",
		[FTP_EV_LONG_ADDR] = "LONG_ADDR",
		[FTP_EV_TLS] = "TLS",
		[FTP_EV_OVERFLOW] = "OVERFLOW",
		[FTP_EV_PICKUP] = "PICKUP",
	};

	if (ev >= 0 && ev < FTP_EV_MAX && names[ev])
		return names[ev];
	return "(out of range)";
}

enum op {
	OP_LINE,	/* ftp_session_line() on the whole line */
	OP_PREFIX,	/* ftp_session_line() on its FTP_SESSION_PREFIX bytes */
	OP_SEG,		/* ftp_session_opaque_segment(); .ev is the return */
};

struct step {
	enum op op;
	enum ftp_dir dir;
	const char *line;
	unsigned int len;
	int ev;			/* expected event (OP_SEG: return value) */
	int depth;		/* expected depth after the step + 1; 0: any */
	int pending;		/* ftp_session_active_pending() + 1; 0: any */
	unsigned int port;	/* expected m.ep.port; 0: not checked */
	const char *arg;	/* expected text of m's span; NULL: unchecked */
	unsigned int set;	/* flags that must be set after the step */
	unsigned int clr;	/* flags that must be clear after the step */
};

#define STEP(o, d, l, e, ...) \
	{ .op = o, .dir = d, .line = l, .len = sizeof(l) - 1, .ev = e, \
	  __VA_ARGS__ }
#define C(l, e, ...)	STEP(OP_LINE, CL, l, FTP_EV_##e, __VA_ARGS__)
#define S(l, e, ...)	STEP(OP_LINE, SV, l, FTP_EV_##e, __VA_ARGS__)
#define CP(l, e, ...)	STEP(OP_PREFIX, CL, l, FTP_EV_##e, __VA_ARGS__)
#define SP(l, e, ...)	STEP(OP_PREFIX, SV, l, FTP_EV_##e, __VA_ARGS__)
#define CSEG(l, r, ...)	STEP(OP_SEG, CL, l, r, __VA_ARGS__)
#define SSEG(l, r, ...)	STEP(OP_SEG, SV, l, r, __VA_ARGS__)
#define D(n)		.depth = (n) + 1
#define AP(n)		.pending = (n) + 1
#define PORT(n)		.port = (n)
#define ARG(s)		.arg = (s)
#define SET(f)		.set = FTP_SESSION_##f
#define CLR(f)		.clr = FTP_SESSION_##f

struct scenario {
	const char *name;
	const struct step *steps;
	size_t n;
};

#define SCEN(nm, ...) \
	{ nm, (const struct step[]){ __VA_ARGS__ }, \
	  sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step) }

/* A 200-byte tail for long lines that are passed as their prefix only. */
#define LONG_TAIL \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
	"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc" \
	" (10,0,0,1,4,1) |||2000| 227 229 PORT 1,2,3,4,5,6\r"

#define TLS_ALERT	"\x15\x03\x03\x00\x02\x01\x00"
#define TLS_APPDATA	"\x17\x03\x03\x00\x20\xde\xad\xbe\xef\x01\x02\x03\x04"

static const struct scenario scenarios[] = {
	/* ---- passive mode ---- */
	SCEN("PASV -> 227 is PASSIVE",
	     C("PASV\r", NONE, D(1)),
	     S("227 Entering Passive Mode (192,0,2,1,4,1).\r", PASSIVE, D(0),
	       PORT(1025), ARG("192,0,2,1,4,1"))),
	SCEN("227 with nothing outstanding is UNSOLICITED",
	     S("227 Entering Passive Mode (192,0,2,1,4,1)\r", UNSOLICITED,
	       D(0), PORT(1025), ARG("192,0,2,1,4,1"))),
	SCEN("229 with nothing outstanding is UNSOLICITED",
	     S("229 Entering Extended Passive Mode (|||50000|)\r",
	       UNSOLICITED, D(0), PORT(50000), ARG("50000"))),
	SCEN("227 answering NOOP is UNSOLICITED and dequeues it",
	     C("NOOP\r", NONE, D(1)),
	     S("227 =10,0,0,1,4,1\r", UNSOLICITED, D(0), PORT(1025)),
	     C("PASV\r", NONE, D(1)),
	     S("227 =10,0,0,1,4,2\r", PASSIVE, D(0), PORT(1026))),
	SCEN("EPSV -> 229 is PASSIVE",
	     C("EPSV\r", NONE, D(1)),
	     S("229 Entering Extended Passive Mode (|||6446|)\r", PASSIVE,
	       D(0), PORT(6446), ARG("6446"))),
	SCEN("EPSV 2 -> 229 is PASSIVE",
	     C("EPSV 2\r", NONE, D(1)),
	     S("229 Entering Extended Passive Mode (!!!65535!)\r", PASSIVE,
	       D(0), PORT(65535), ARG("65535"))),
	SCEN("PASV -> 229 is PASSIVE",
	     C("PASV\r", NONE, D(1)),
	     S("229 Extended (|||1024|)\r", PASSIVE, D(0), PORT(1024))),
	SCEN("PASV -> 500 refused: no event, dequeued",
	     C("PASV\r", NONE, D(1)),
	     S("500 PASV not allowed\r", NONE, D(0)),
	     S("227 (10,0,0,1,4,1)\r", UNSOLICITED, D(0))),
	SCEN("PASV -> malformed 227 is MALFORMED, dequeued",
	     C("PASV\r", NONE, D(1)),
	     S("227 Entering Passive Mode (10,0,0,1,0,0)\r", MALFORMED, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 Entering Passive Mode (10,0,0,1,0,1)\r", PASSIVE, D(0),
	       PORT(1))),

	/* ---- active mode ---- */
	SCEN("PORT -> 200 is ACTIVE then ACTIVE_OK",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1), PORT(5001),
	       ARG("192,0,2,7,19,137")),
	     S("200 PORT command successful.\r", ACTIVE_OK, D(0))),
	SCEN("EPRT IPv4 -> 200 is ACTIVE then ACTIVE_OK",
	     C("EPRT |1|192.0.2.7|5001|\r", ACTIVE, D(1), PORT(5001),
	       ARG("|1|192.0.2.7|5001|")),
	     S("200 EPRT command successful.\r", ACTIVE_OK, D(0))),
	SCEN("EPRT IPv6 -> 200 is ACTIVE then ACTIVE_OK",
	     C("EPRT |2|2001:db8::7|5282|\r", ACTIVE, D(1), PORT(5282),
	       ARG("|2|2001:db8::7|5282|")),
	     S("200 EPRT command successful.\r", ACTIVE_OK, D(0))),
	SCEN("PORT -> 500 is ACTIVE_FAILED",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1)),
	     S("500 Illegal PORT command.\r", ACTIVE_FAILED, D(0))),
	SCEN("PORT -> 421 is ACTIVE_FAILED",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1)),
	     S("421 Service not available, closing control connection.\r",
	       ACTIVE_FAILED, D(0))),
	SCEN("PORT -> 350 (3xx) is ACTIVE_FAILED",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1)),
	     S("350 odd\r", ACTIVE_FAILED, D(0))),
	SCEN("EPRT -> 522 is ACTIVE_FAILED",
	     C("EPRT |2|::1|5282|\r", ACTIVE, D(1), PORT(5282)),
	     S("522 Network protocol not supported, use (1)\r", ACTIVE_FAILED,
	       D(0))),
	SCEN("PORT -> multi-line 200 is ACTIVE_OK at its last line",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1)),
	     S("200-PORT command successful.\r", NONE, D(1)),
	     S(" Consider using PASV.\r", NONE, D(1)),
	     S("200 Done\r", ACTIVE_OK, D(0))),
	SCEN("malformed PORT is MALFORMED and queues OTHER",
	     C("PORT 1,2,3\r", MALFORMED, D(1)),
	     S("200 whatever\r", NONE, D(0)),
	     C("PORT 192,0,2,7,0,0\r", MALFORMED, D(1)),
	     S("200 whatever\r", NONE, D(0)),
	     C("EPRT |3|x|1|\r", MALFORMED, D(1)),
	     S("501 no\r", NONE, D(0))),
	SCEN("PORTX is not PORT: queues OTHER",
	     C("PORTX 192,0,2,7,19,137\r", NONE, D(1)),
	     S("200 ok\r", NONE, D(0))),

	/* ---- pipelining and FIFO order ---- */
	SCEN("pipelined TYPE I, PASV, RETR: one PASSIVE at the 227",
	     C("TYPE I\r", NONE, D(1)),
	     C("PASV\r", NONE, D(2)),
	     C("RETR x\r", NONE, D(3)),
	     S("200 Switching to Binary mode.\r", NONE, D(2)),
	     S("227 Entering Passive Mode (192,0,2,1,4,1).\r", PASSIVE, D(1),
	       PORT(1025)),
	     S("150 Opening BINARY mode data connection for x.\r", NONE,
	       D(1)),
	     S("226 Transfer complete.\r", NONE, D(0))),
	SCEN("pipelined PORT, RETR: ACTIVE_OK at the first reply only",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1)),
	     C("RETR x\r", NONE, D(2)),
	     S("200 PORT command successful.\r", ACTIVE_OK, D(1)),
	     S("150 Opening data connection.\r", NONE, D(1)),
	     S("226 Transfer complete.\r", NONE, D(0))),
	SCEN("pipelined PORT, RETR: the RETR's 150 before the PORT's 200 (pyftpdlib)",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1), AP(1)),
	     C("RETR x\r", NONE, D(2), AP(1)),
	     S("150 File status okay. About to open data connection.\r", NONE,
	       D(2), AP(1)),
	     S("200 Active data connection established.\r", ACTIVE_OK, D(1),
	       AP(0)),
	     S("226 Transfer complete.\r", NONE, D(0))),
	SCEN("pipelined PORT, PORT: the refused one leaves one pending",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1), AP(1)),
	     C("EPRT |1|192.0.2.7|5002|\r", ACTIVE, D(2), AP(2)),
	     S("501 Illegal PORT command.\r", ACTIVE_FAILED, D(1), AP(1)),
	     S("200 EPRT command successful.\r", ACTIVE_OK, D(0), AP(0))),
	SCEN("pipelined PORT, RETR, PORT, RETR: each PORT settled in order",
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1), AP(1)),
	     C("RETR a\r", NONE, D(2), AP(1)),
	     C("PORT 192,0,2,7,19,138\r", ACTIVE, D(3), AP(2)),
	     C("RETR b\r", NONE, D(4), AP(2)),
	     S("200 PORT command successful.\r", ACTIVE_OK, D(3), AP(1)),
	     S("150 Opening data connection.\r", NONE, D(3), AP(1)),
	     S("226 Transfer complete.\r", NONE, D(2), AP(1)),
	     S("425 Can't open data connection.\r", ACTIVE_FAILED, D(1),
	       AP(0)),
	     S("503 Bad sequence of commands.\r", NONE, D(0), AP(0))),
	SCEN("pipelined PASV, PORT, PASV: events follow the FIFO",
	     C("PASV\r", NONE, D(1)),
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(2)),
	     C("EPSV\r", NONE, D(3)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(2), PORT(1025)),
	     S("500 no\r", ACTIVE_FAILED, D(1)),
	     S("229 (|||2000|)\r", PASSIVE, D(0), PORT(2000))),

	/* ---- multi-line replies ---- */
	SCEN("multi-line 227 with the tuple on its first line: one PASSIVE",
	     C("PASV\r", NONE, D(1)),
	     S("227-Entering Passive Mode (192,0,2,1,4,1)\r", PASSIVE, D(1),
	       PORT(1025), ARG("192,0,2,1,4,1")),
	     S("227 OK\r", NONE, D(0))),
	SCEN("multi-line 227 with the tuple on its last line",
	     C("PASV\r", NONE, D(1)),
	     S("227-text\r", NONE, D(1)),
	     S("227 Entering Passive Mode (192,0,2,1,4,1)\r", PASSIVE, D(0),
	       PORT(1025))),
	SCEN("multi-line 227 without a tuple: MALFORMED once, at the end",
	     C("PASV\r", NONE, D(1)),
	     S("227-a\r", NONE, D(1)),
	     S("227 b\r", MALFORMED, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (192,0,2,1,4,1)\r", PASSIVE, D(0))),
	SCEN("multi-line 227, tuple on an inner line starting with the code",
	     C("PASV\r", NONE, D(1)),
	     S("227-a\r", NONE, D(1)),
	     S("227-Entering Passive Mode (10,0,0,1,4,1)\r", PASSIVE, D(1),
	       PORT(1025)),
	     S("227 end\r", NONE, D(0))),
	SCEN("multi-line 227, tuple on an inner line without the code",
	     C("PASV\r", NONE, D(1)),
	     S("227-a\r", NONE, D(1)),
	     S(" (10,0,0,1,4,1)\r", NONE, D(1)),
	     S("227 end\r", MALFORMED, D(0))),
	SCEN("multi-line 227 with two tuples: one event, the first",
	     C("PASV\r", NONE, D(1)),
	     S("227-(10,0,0,1,4,1)\r", PASSIVE, D(1), PORT(1025)),
	     S("227-(10,0,0,1,4,2)\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,3)\r", NONE, D(0))),
	SCEN("multi-line 227 ended by the code alone",
	     C("PASV\r", NONE, D(1)),
	     S("227-Entering Passive Mode (10,0,0,1,4,1)\r", PASSIVE, D(1)),
	     S("227", NONE, D(0))),
	SCEN("multi-line unsolicited 227 with an empty FIFO",
	     S("227-Entering Passive Mode (10,0,0,1,4,1)\r", UNSOLICITED,
	       D(0), PORT(1025)),
	     S("227 end\r", NONE, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,2)\r", PASSIVE, D(0), PORT(1026))),
	SCEN("multi-line 229 answering EPSV",
	     C("EPSV\r", NONE, D(1)),
	     S("229-Entering Extended Passive Mode (|||3000|)\r", PASSIVE,
	       D(1), PORT(3000)),
	     S("229 ok\r", NONE, D(0))),
	SCEN("a reply with another code inside a multi-line reply",
	     C("NOOP\r", NONE, D(1)),
	     C("PASV\r", NONE, D(2)),
	     S("200-hello\r", NONE, D(2)),
	     S("227 fake (10,0,0,9,4,1)\r", NONE, D(2)),
	     S("200-more\r", NONE, D(2)),
	     S("200 done\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0), PORT(1025))),
	SCEN("150 multi-line preliminary reply, then 226",
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0)),
	     C("RETR x\r", NONE, D(1)),
	     S("150-Opening BINARY mode data connection\r", NONE, D(1)),
	     S(" for x (1234 bytes)\r", NONE, D(1)),
	     S("150 here it comes\r", NONE, D(1)),
	     S("226 Transfer complete.\r", NONE, D(0))),
	SCEN("1xx replies dequeue nothing",
	     C("PASV\r", NONE, D(1)),
	     S("150 odd\r", NONE, D(1)),
	     S("125 odder\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0)),
	     C("RETR x\r", NONE, D(1)),
	     S("125 Data connection already open\r", NONE, D(1)),
	     S("226 ok\r", NONE, D(0))),
	SCEN("a reply that is the code alone is complete",
	     C("NOOP\r", NONE, D(1)),
	     S("200", NONE, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),

	/* ---- greeting and non-replies ---- */
	SCEN("220 greeting with an empty FIFO is ignored",
	     S("220 FTP server ready.\r", NONE, D(0)),
	     C("USER anonymous\r", NONE, D(1)),
	     S("331 Please specify the password.\r", NONE, D(0)),
	     C("PASS guest\r", NONE, D(1)),
	     S("230 Login successful.\r", NONE, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),
	SCEN("multi-line 220 greeting is ignored",
	     S("220-Welcome\r", NONE, D(0)),
	     S("220-to this FTP server\r", NONE, D(0)),
	     S("220 ready\r", NONE, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),
	SCEN("server lines that are not replies are ignored",
	     C("PASV\r", NONE, D(1)),
	     S("hello\r", NONE, D(1)),
	     S("2000 four digits\r", NONE, D(1)),
	     S("600 first digit 6\r", NONE, D(1)),
	     S("020 first digit 0\r", NONE, D(1)),
	     S("22 short\r", NONE, D(1)),
	     S("227x (10,0,0,9,4,1)\r", NONE, D(1)),
	     S("\r", NONE, D(1)),
	     S("", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0), PORT(1025))),

	/* ---- EPSV ALL ---- */
	SCEN("EPSV ALL accepted: PORT/EPRT/PASV AFTER_EPSV_ALL, not queued",
	     C("EPSV ALL\r", NONE, D(1)),
	     S("200 EPSV ALL ok.\r", NONE, D(0), SET(EPSV_ALL)),
	     C("PORT 192,0,2,7,19,137\r", AFTER_EPSV_ALL, D(0)),
	     C("EPRT |1|192.0.2.7|5001|\r", AFTER_EPSV_ALL, D(0)),
	     C("PASV\r", AFTER_EPSV_ALL, D(0)),
	     C("PORT garbage\r", AFTER_EPSV_ALL, D(0)),
	     C("NOOP\r", NONE, D(1)),
	     S("200 NOOP ok.\r", NONE, D(0)),
	     C("EPSV\r", NONE, D(1)),
	     S("229 (|||4000|)\r", PASSIVE, D(0), PORT(4000),
	       SET(EPSV_ALL))),
	SCEN("EPSV ALL pipelined with NOOP: the FIFO stays aligned",
	     C("EPSV ALL\r", NONE, D(1)),
	     C("NOOP\r", NONE, D(2)),
	     S("200 EPSV ALL ok.\r", NONE, D(1), SET(EPSV_ALL)),
	     C("pasv\r", AFTER_EPSV_ALL, D(1)),
	     S("200 NOOP ok.\r", NONE, D(0)),
	     C("EPSV\r", NONE, D(1)),
	     S("229 (|||4000|)\r", PASSIVE, D(0))),
	SCEN("EPSV ALL refused: PORT still allowed",
	     C("EPSV ALL\r", NONE, D(1)),
	     S("500 EPSV ALL not understood\r", NONE, D(0), CLR(EPSV_ALL)),
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1)),
	     S("200 PORT ok\r", ACTIVE_OK, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),

	/* ---- LPRT/LPSV ---- */
	SCEN("LPRT/LPSV are LONG_ADDR and not queued",
	     C("LPRT 4,4,192,0,2,1,2,4,1\r", LONG_ADDR, D(0)),
	     C("LPSV\r", LONG_ADDR, D(0)),
	     C("lpsv\r", LONG_ADDR, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),

	/* ---- AUTH ---- */
	SCEN("AUTH TLS -> 234 is TLS and opaque",
	     C("AUTH TLS\r", NONE, D(1), CLR(OPAQUE)),
	     S("234 AUTH TLS successful\r", TLS, D(0), SET(OPAQUE))),
	SCEN("AUTH SSL -> 234 is TLS and opaque",
	     C("AUTH SSL\r", NONE, D(1)),
	     S("234 Proceed\r", TLS, D(0), SET(OPAQUE))),
	SCEN("AUTH TLS -> 500 is not TLS",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("500 AUTH not understood\r", NONE, D(0), CLR(OPAQUE)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),
	SCEN("AUTH TLS -> 534 is not TLS",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("534 refused\r", NONE, D(0), CLR(OPAQUE))),
	SCEN("234 answering a non-AUTH command is not TLS",
	     C("NOOP\r", NONE, D(1)),
	     S("234 odd\r", NONE, D(0), CLR(OPAQUE))),

	/* ---- verbs ---- */
	SCEN("verbs are case-insensitive",
	     C("pasv\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0)),
	     C("Port 192,0,2,7,19,137\r", ACTIVE, D(1), PORT(5001)),
	     S("200 ok\r", ACTIVE_OK, D(0)),
	     C("eprt |1|192.0.2.7|5001|\r", ACTIVE, D(1)),
	     S("200 ok\r", ACTIVE_OK, D(0)),
	     C("ePsV\r", NONE, D(1)),
	     S("229 (|||4000|)\r", PASSIVE, D(0)),
	     C("lPrT 4,4,192,0,2,1,2,4,1\r", LONG_ADDR, D(0)),
	     C("epsv all\r", NONE, D(1)),
	     S("200 ok\r", NONE, D(0), SET(EPSV_ALL)),
	     C("pAsV\r", AFTER_EPSV_ALL, D(0)),
	     C("auth tls\r", NONE, D(1)),
	     S("234 ok\r", TLS, D(0), SET(OPAQUE))),
	SCEN("Telnet IAC IP IAC DM before ABOR",
	     C("RETR x\r", NONE, D(1)),
	     S("150 Opening data connection\r", NONE, D(1)),
	     C("\xff\xf4\xff\xf2" "ABOR\r", NONE, D(2)),
	     S("426 Transfer aborted\r", NONE, D(1)),
	     S("226 ABOR ok\r", NONE, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),
	SCEN("Telnet IAC and NUL bytes before PASV",
	     C("\xff\xf4\xff\xf2PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0)),
	     C("\0PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,2)\r", PASSIVE, D(0), PORT(1026)),
	     C("\0\xff\xf1\0\0EPSV\r", NONE, D(1)),
	     S("229 (|||4000|)\r", PASSIVE, D(0))),
	SCEN("Telnet IAC before LPSV and EPSV ALL",
	     C("\xff\xf4LPSV\r", LONG_ADDR, D(0)),
	     C("\xff\xf4\xff\xf2" "EPSV ALL\r", NONE, D(1)),
	     S("200 ok\r", NONE, D(0), SET(EPSV_ALL)),
	     C("\0PASV\r", AFTER_EPSV_ALL, D(0))),
	SCEN("Telnet IAC before PORT: ACTIVE, span inside the given line",
	     C("\xff\xf4\xff\xf2PORT 192,0,2,7,19,137\r", ACTIVE, D(1),
	       PORT(5001), ARG("192,0,2,7,19,137")),
	     S("200 ok\r", ACTIVE_OK, D(0))),
	SCEN("NUL before EPRT: ACTIVE, span inside the given line",
	     C("\0EPRT |2|2001:db8::1|4000|\r", ACTIVE, D(1), PORT(4000),
	       ARG("|2|2001:db8::1|4000|")),
	     S("200 ok\r", ACTIVE_OK, D(0))),

	/* ---- FIFO overflow ---- */
	SCEN("9 commands without replies: OVERFLOW, LOST, oldest (PASV) dropped",
	     C("PASV\r", NONE, D(1)),
	     C("NOOP\r", NONE, D(2)), C("NOOP\r", NONE, D(3)),
	     C("NOOP\r", NONE, D(4)), C("NOOP\r", NONE, D(5)),
	     C("NOOP\r", NONE, D(6)), C("NOOP\r", NONE, D(7)),
	     C("NOOP\r", NONE, D(8), CLR(LOST)),
	     C("NOOP\r", OVERFLOW, D(8), SET(LOST)),
	     S("227 (10,0,0,1,4,1)\r", UNSOLICITED, D(7), SET(LOST))),
	SCEN("9 commands without replies: the second oldest (PASV) survives",
	     C("NOOP\r", NONE, D(1)),
	     C("PASV\r", NONE, D(2)),
	     C("NOOP\r", NONE, D(3)),
	     C("NOOP\r", NONE, D(4)), C("NOOP\r", NONE, D(5)),
	     C("NOOP\r", NONE, D(6)), C("NOOP\r", NONE, D(7)),
	     C("NOOP\r", NONE, D(8)),
	     C("NOOP\r", OVERFLOW, D(8), SET(LOST)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(7)),
	     C("NOOP\r", NONE, D(8)),
	     C("PASV\r", OVERFLOW, D(8), SET(LOST)),
	     S("200 ok\r", NONE, D(7))),
	SCEN("overflowed FIFO drains back to empty",
	     C("NOOP\r", NONE, D(1)), C("NOOP\r", NONE, D(2)),
	     C("NOOP\r", NONE, D(3)), C("NOOP\r", NONE, D(4)),
	     C("NOOP\r", NONE, D(5)), C("NOOP\r", NONE, D(6)),
	     C("NOOP\r", NONE, D(7)), C("NOOP\r", NONE, D(8)),
	     C("EPSV\r", OVERFLOW, D(8)),
	     S("200 ok\r", NONE, D(7)), S("200 ok\r", NONE, D(6)),
	     S("200 ok\r", NONE, D(5)), S("200 ok\r", NONE, D(4)),
	     S("200 ok\r", NONE, D(3)), S("200 ok\r", NONE, D(2)),
	     S("200 ok\r", NONE, D(1)),
	     S("229 (|||4000|)\r", PASSIVE, D(0), SET(LOST)),
	     S("200 extra\r", NONE, D(0))),

	/* ---- long lines passed as their prefix ---- */
	SCEN("long non-keyword lines passed as their 16-byte prefix",
	     S("220 ready\r", NONE, D(0)),
	     CP("STOR " LONG_TAIL, NONE, D(1)),
	     SP("150 Opening BINARY mode data connection " LONG_TAIL, NONE,
		D(1)),
	     SP("226 Transfer complete " LONG_TAIL, NONE, D(0)),
	     CP("SITE CHMOD 644 " LONG_TAIL, NONE, D(1)),
	     SP("200-SITE CHMOD command ok " LONG_TAIL, NONE, D(1)),
	     SP(" inner " LONG_TAIL, NONE, D(1)),
	     SP("200 done " LONG_TAIL, NONE, D(0)),
	     SP("hello " LONG_TAIL, NONE, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),
	SCEN("long lines as prefix: 150- banner, PORT and AUTH answers",
	     C("RETR x\r", NONE, D(1)),
	     SP("150-Here comes a long banner " LONG_TAIL, NONE, D(1)),
	     SP(" still the banner " LONG_TAIL, NONE, D(1)),
	     SP("150 Opening " LONG_TAIL, NONE, D(1)),
	     S("226 ok\r", NONE, D(0)),
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1)),
	     SP("500 Illegal PORT command " LONG_TAIL, ACTIVE_FAILED, D(0)),
	     CP("AUTH TLS " LONG_TAIL, NONE, D(1)),
	     SP("234 Proceed with negotiation " LONG_TAIL, TLS, D(0),
		SET(OPAQUE))),

	/* ---- opaque (TLS) and CCC ---- */
	SCEN("TLS, alerts from both sides, client plain text: CCC",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("234 AUTH TLS successful\r", TLS, D(0), SET(OPAQUE)),
	     CSEG(TLS_APPDATA, 0, SET(OPAQUE)),
	     SSEG(TLS_APPDATA, 0, SET(OPAQUE)),
	     CSEG(TLS_ALERT, 0, SET(OPAQUE)),
	     SSEG(TLS_ALERT, 0, SET(OPAQUE)),
	     CSEG("PWD\r\n", 1, CLR(OPAQUE)),
	     C("PWD\r", NONE, D(1)),
	     S("257 \"/\" is the current directory\r", NONE, D(0)),
	     C("PASV\r", NONE, D(1)),
	     S("227 (10,0,0,1,4,1)\r", PASSIVE, D(0))),
	SCEN("TLS, server alert first, then client alert, then plain text",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("234 ok\r", TLS, D(0)),
	     SSEG(TLS_ALERT, 0, SET(OPAQUE)),
	     CSEG(TLS_ALERT, 0, SET(OPAQUE)),
	     CSEG("PORT 192,0,2,7,19,137\r\n", 1, CLR(OPAQUE)),
	     C("PORT 192,0,2,7,19,137\r", ACTIVE, D(1)),
	     S("200 ok\r", ACTIVE_OK, D(0))),
	SCEN("TLS: plain text without the alerts stays opaque",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("234 ok\r", TLS, D(0)),
	     CSEG("PWD\r\n", 0, SET(OPAQUE)),
	     SSEG("257 \"/\"\r\n", 0, SET(OPAQUE)),
	     CSEG("PASV\r\n", 0, SET(OPAQUE))),
	SCEN("TLS: only the client's alert, then plain text stays opaque",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("234 ok\r", TLS, D(0)),
	     CSEG(TLS_ALERT, 0, SET(OPAQUE)),
	     CSEG("PWD\r\n", 0, SET(OPAQUE))),
	SCEN("TLS: only the server's alert, then plain text stays opaque",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("234 ok\r", TLS, D(0)),
	     SSEG(TLS_ALERT, 0, SET(OPAQUE)),
	     CSEG("PWD\r\n", 0, SET(OPAQUE))),
	SCEN("TLS: application data keeps it opaque",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("234 ok\r", TLS, D(0)),
	     CSEG(TLS_APPDATA, 0, SET(OPAQUE)),
	     SSEG(TLS_APPDATA, 0, SET(OPAQUE)),
	     CSEG(TLS_APPDATA, 0, SET(OPAQUE)),
	     SSEG(TLS_APPDATA, 0, SET(OPAQUE))),
	SCEN("TLS: both alerts, then client TLS data stays opaque",
	     C("AUTH TLS\r", NONE, D(1)),
	     S("234 ok\r", TLS, D(0)),
	     CSEG(TLS_ALERT, 0, SET(OPAQUE)),
	     SSEG(TLS_ALERT, 0, SET(OPAQUE)),
	     CSEG(TLS_APPDATA, 0, SET(OPAQUE))),
};

/* Everything a step observes, to compare a straight and a replayed run. */
struct outcome {
	int ev;
	struct ftp_match m;
	struct ftp_session s;
};


/*
 * Apply one step to @s.  The line is copied to an exact-size heap buffer
 * (prefix only for OP_PREFIX) so ASan sees any over-read.
 */
static int do_step(struct ftp_session *s, const struct step *st,
		   struct ftp_match *m)
{
	unsigned int len = st->len;
	char *heap;
	int ev;

	if (st->op == OP_PREFIX && len > FTP_SESSION_PREFIX)
		len = FTP_SESSION_PREFIX;
	heap = malloc(len ? len : 1);
	if (!heap)
		abort();
	memcpy(heap, st->line, len);
	memset(m, 0x5a, sizeof(*m));
	if (st->op == OP_SEG)
		ev = ftp_session_opaque_segment(s, st->dir,
						(const unsigned char *)heap,
						len);
	else
		ev = ftp_session_line(s, st->dir, heap, len, m);
	free(heap);
	return ev;
}

/* Check one step's outcome; prints a diagnostic and returns 0 if wrong. */
static int check_step(const struct scenario *sc, size_t k, int ev,
		      const struct ftp_match *m, const struct ftp_session *s)
{
	const struct step *st = &sc->steps[k];
	const char *what = st->op == OP_SEG ? "segment" : "line";
	char exp[64], got[64];
	int ok = 1;

	if (st->op == OP_SEG) {
		snprintf(exp, sizeof(exp), "return %d", st->ev);
		snprintf(got, sizeof(got), "return %d", ev);
	} else {
		snprintf(exp, sizeof(exp), "%s", ev_name(st->ev));
		snprintf(got, sizeof(got), "%s", ev_name(ev));
	}
	if (ev != st->ev)
		ok = 0;
	if (st->op != OP_SEG && ok && carries_match(ev)) {
		if (m->ep.port == 0 ||
		    (st->port && m->ep.port != st->port)) {
			snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp),
				 " port %u", st->port);
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				 " port %u", m->ep.port);
			ok = 0;
		}
		if (st->arg) {
			size_t al = strlen(st->arg);

			if (m->arg_off > st->len ||
			    m->arg_len > st->len - m->arg_off ||
			    m->arg_len != al ||
			    memcmp(st->line + m->arg_off, st->arg, al)) {
				snprintf(exp + strlen(exp),
					 sizeof(exp) - strlen(exp),
					 " span \"%s\"", st->arg);
				snprintf(got + strlen(got),
					 sizeof(got) - strlen(got),
					 " span off %u len %u", m->arg_off,
					 m->arg_len);
				ok = 0;
			}
		}
	}
	if (st->depth && s->depth != st->depth - 1) {
		snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp),
			 " depth %d", st->depth - 1);
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
			 " depth %u", s->depth);
		ok = 0;
	}
	if (st->pending &&
	    ftp_session_active_pending(s) != (unsigned int)st->pending - 1) {
		snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp),
			 " active pending %d", st->pending - 1);
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
			 " active pending %u", ftp_session_active_pending(s));
		ok = 0;
	}
	if (s->depth > FTP_SESSION_DEPTH) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
			 " depth %u > %d", s->depth, FTP_SESSION_DEPTH);
		ok = 0;
	}
	if ((s->flags & st->set) != st->set || (s->flags & st->clr)) {
		snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp),
			 " flags set 0x%x clear 0x%x", st->set, st->clr);
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
			 " flags 0x%x", s->flags);
		ok = 0;
	}
	if (!ok)
		printf("# step %zu: %s %s \"%s\": expected %s, got %s\n",
		       k + 1, st->dir == CL ? "client" : "server", what,
		       show(st->line, st->op == OP_PREFIX &&
			    st->len > FTP_SESSION_PREFIX ?
			    FTP_SESSION_PREFIX : st->len), exp, got);
	return ok;
}

/*
 * Run a scenario.  With @replay, every step is done on a snapshot first,
 * the session restored, and the step done again: both must agree.
 */
static int run_scenario(const struct scenario *sc, int replay)
{
	struct ftp_session s;
	size_t k;
	int ok = 1;

	ftp_session_init(&s);
	for (k = 0; k < sc->n; k++) {
		const struct step *st = &sc->steps[k];
		struct outcome first;
		struct ftp_session snap;
		struct ftp_match m;
		int ev;

		if ((st->op == OP_SEG) != !!ftp_session_opaque(&s)) {
			printf("# step %zu: session is %sopaque, cannot feed "
			       "this %s\n", k + 1,
			       ftp_session_opaque(&s) ? "" : "not ",
			       st->op == OP_SEG ? "segment" : "line");
			return 0;
		}
		if (replay) {
			snap = s;
			first.ev = do_step(&s, st, &first.m);
			first.s = s;
			s = snap;
		}
		ev = do_step(&s, st, &m);
		if (replay && (ev != first.ev || !same_session(&s, &first.s) ||
			       (carries_match(ev) && st->op != OP_SEG &&
				!same_match(&m, &first.m)))) {
			printf("# step %zu: replay after restore differs: "
			       "event %s then %s, fifo 0x%x/0x%x depth %u/%u "
			       "flags 0x%x/0x%x reply %u/%u\n", k + 1,
			       ev_name(first.ev), ev_name(ev), first.s.fifo,
			       s.fifo, first.s.depth, s.depth, first.s.flags,
			       s.flags, first.s.reply, s.reply);
			ok = 0;
		}
		if (!check_step(sc, k, ev, &m, &s)) {
			ok = 0;
			break;
		}
	}
	return ok;
}

/* ---- prefix equivalence: full line vs. its first 16 bytes ---- */

static const char * const long_lines[][2] = {
	/* dir ("C"/"S"), line */
	{ "C", "STOR " LONG_TAIL },
	{ "C", "RETR " LONG_TAIL },
	{ "C", "USER " LONG_TAIL },
	{ "C", "SITE EXEC " LONG_TAIL },
	{ "C", "AUTH TLS " LONG_TAIL },
	{ "C", "EPSV ALL " LONG_TAIL },
	{ "C", "EPSV 1 " LONG_TAIL },
	{ "C", "PASV " LONG_TAIL },
	{ "C", "LPRT " LONG_TAIL },
	{ "C", "\xff\xf4\xff\xf2" "ABOR " LONG_TAIL },
	{ "C", "NOOP" },
	{ "S", "150 Opening data connection " LONG_TAIL },
	{ "S", "150-Opening data connection " LONG_TAIL },
	{ "S", "200 Command okay " LONG_TAIL },
	{ "S", "200-Command okay " LONG_TAIL },
	{ "S", "234 Proceed " LONG_TAIL },
	{ "S", "230-Welcome " LONG_TAIL },
	{ "S", "500 Syntax error " LONG_TAIL },
	{ "S", "421 Bye " LONG_TAIL },
	{ "S", "hello " LONG_TAIL },
	{ "S", " continuation " LONG_TAIL },
	{ "S", "2000 " LONG_TAIL },
};

/* Lines that put a session in various states before the long line. */
static const struct step prefix_setups[][3] = {
	{ C("NOOP\r", NONE) },
	{ C("PASV\r", NONE) },
	{ C("PORT 10,0,0,1,4,1\r", ACTIVE) },
	{ C("AUTH TLS\r", NONE) },
	{ C("EPSV ALL\r", NONE) },
	{ C("NOOP\r", NONE), S("200-multi\r", NONE) },
	{ C("NOOP\r", NONE), S("150-multi\r", NONE) },
	{ C("PASV\r", NONE), S("227-multi\r", NONE) },
	{ C("PASV\r", NONE), S("227-(10,0,0,1,4,1)\r", PASSIVE) },
	{ C("EPSV ALL\r", NONE), S("200 ok\r", NONE) },
};

static void check_prefix_equivalence(void)
{
	size_t i, j, k;
	unsigned int bad = 0, count = 0;

	for (i = 0; i < sizeof(prefix_setups) / sizeof(prefix_setups[0]);
	     i++) {
		for (j = 0; j < sizeof(long_lines) / sizeof(long_lines[0]);
		     j++) {
			enum ftp_dir dir = long_lines[j][0][0] == 'C' ? CL : SV;
			const char *line = long_lines[j][1];
			unsigned int len = (unsigned int)strlen(line);
			unsigned int plen = len < FTP_SESSION_PREFIX ?
					    len : FTP_SESSION_PREFIX;
			struct ftp_session a, b;
			struct ftp_match ma, mb;
			int ea, eb;

			ftp_session_init(&a);
			for (k = 0; k < 3 && prefix_setups[i][k].line; k++) {
				struct ftp_match m;

				ftp_session_line(&a, prefix_setups[i][k].dir,
						 prefix_setups[i][k].line,
						 prefix_setups[i][k].len, &m);
			}
			b = a;
			ea = ftp_session_line(&a, dir, line, len, &ma);
			eb = ftp_session_line(&b, dir, line, plen, &mb);
			count++;
			if (ea != eb || !same_session(&a, &b)) {
				bad++;
				printf("# setup %zu, %s line \"%s\": full %s "
				       "depth %u flags 0x%x, prefix %s depth "
				       "%u flags 0x%x\n", i,
				       dir == CL ? "client" : "server",
				       show(line, 40), ev_name(ea), a.depth,
				       a.flags, ev_name(eb), b.depth, b.flags);
			}
		}
	}
	tap(!bad, "prefix: %u long non-keyword lines in various states give "
	    "the same event and state as their %d-byte prefix", count,
	    FTP_SESSION_PREFIX);
}

/*
 * Lines whose meaning depends on bytes past FTP_SESSION_PREFIX.  session.h:
 * "A line that is not PORT/EPRT/227/229 may be passed as its first
 * FTP_SESSION_PREFIX bytes only: that is all the session looks at."
 */
static void check_prefix_one(const char *name, const struct step *setup,
			     size_t nsetup, enum ftp_dir dir, const char *line,
			     unsigned int len)
{
	struct ftp_session a, b;
	struct ftp_match ma, mb;
	int ea, eb;
	size_t k;

	ftp_session_init(&a);
	for (k = 0; k < nsetup; k++)
		ftp_session_line(&a, setup[k].dir, setup[k].line,
				 setup[k].len, &ma);
	b = a;
	ea = ftp_session_line(&a, dir, line, len, &ma);
	eb = ftp_session_line(&b, dir, line, FTP_SESSION_PREFIX, &mb);
	if (ea != eb || !same_session(&a, &b))
		printf("# \"%s\": full line %s depth %u flags 0x%x fifo 0x%x, "
		       "%d-byte prefix %s depth %u flags 0x%x fifo 0x%x\n",
		       show(line, len), ev_name(ea), a.depth, a.flags, a.fifo,
		       FTP_SESSION_PREFIX, ev_name(eb), b.depth, b.flags,
		       b.fifo);
	tap(ea == eb && same_session(&a, &b), "prefix: %s", name);
}

static void check_prefix_edges(void)
{
	static const char epsv_all[] = "EPSV            ALL\r";
	static const char iac_pasv[] =
		"\xff\xf4\xff\xf4\xff\xf4\xff\xf4\xff\xf4\xff\xf4\xff\xf4"
		"\xff\xf2PASV\r";
	static const char nul_port[] =
		"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0PORT 10,0,0,1,4,1\r";
	static const char iac_port[] = "\xff\xf4\xff\xf2PORT 10,0,0,1,4,1\r";
	struct ftp_session s;
	struct ftp_match m;
	int ev;
	enum ftp_interest in;

	check_prefix_one("EPSV, 12 blanks, ALL (not a PORT/EPRT/227/229 line)",
			 NULL, 0, CL, epsv_all, sizeof(epsv_all) - 1);
	check_prefix_one("16 bytes of Telnet IAC sequences before PASV",
			 NULL, 0, CL, iac_pasv, sizeof(iac_pasv) - 1);
	check_prefix_one("16 NUL bytes before PORT (BORING for "
			 "ftp_line_interest)", NULL, 0, CL, nul_port,
			 sizeof(nul_port) - 1);

	/*
	 * The caller can only know a line is PORT/EPRT (and must not be
	 * truncated) from ftp_line_interest(): the two must agree.
	 */
	ftp_session_init(&s);
	ev = ftp_session_line(&s, CL, iac_port, sizeof(iac_port) - 1, &m);
	in = ftp_line_interest(iac_port, sizeof(iac_port) - 1, CL);
	if (ev == FTP_EV_ACTIVE && in != FTP_LINE_KEY)
		printf("# \"%s\": session %s, ftp_line_interest %d (not KEY)\n",
		       show(iac_port, sizeof(iac_port) - 1), ev_name(ev), in);
	tap(ev != FTP_EV_ACTIVE || in == FTP_LINE_KEY,
	    "prefix: a line the session parses as PORT is KEY for "
	    "ftp_line_interest");
}

/* ---- misc ---- */

static void check_init(void)
{
	struct ftp_session s;

	memset(&s, 0xa5, sizeof(s));
	ftp_session_init(&s);
	tap(s.depth == 0 && s.flags == 0 && s.reply == 0 &&
	    !ftp_session_opaque(&s), "init: empty, no flags, not opaque");
}

/* Snapshot in the middle of a multi-line reply, restore, replay. */
static void check_snapshot_multiline(void)
{
	static const struct step lines[] = {
		C("PASV\r", NONE),
		S("227-Entering Passive Mode (10,0,0,1,4,1)\r", PASSIVE),
		S("227-again (10,0,0,1,4,2)\r", NONE),
		S("227 done\r", NONE),
	};
	struct ftp_session s, snap;
	struct ftp_match m;
	int ok = 1;
	int ev;

	ftp_session_init(&s);
	ftp_session_line(&s, CL, lines[0].line, lines[0].len, &m);
	snap = s;
	/* Drop the segment carrying the first two reply lines ... */
	ftp_session_line(&s, SV, lines[1].line, lines[1].len, &m);
	ftp_session_line(&s, SV, lines[2].line, lines[2].len, &m);
	s = snap;
	/* ... and take its retransmission. */
	ev = ftp_session_line(&s, SV, lines[1].line, lines[1].len, &m);
	ok &= ev == FTP_EV_PASSIVE && m.ep.port == 1025;
	ev = ftp_session_line(&s, SV, lines[2].line, lines[2].len, &m);
	ok &= ev == FTP_EV_NONE;
	ev = ftp_session_line(&s, SV, lines[3].line, lines[3].len, &m);
	ok &= ev == FTP_EV_NONE && s.depth == 0;
	tap(ok, "snapshot: restore mid multi-line 227 and replay gives "
	    "PASSIVE again, once");

	/* Restore after the PASSIVE event but before the last line. */
	ok = 1;
	ftp_session_init(&s);
	ftp_session_line(&s, CL, lines[0].line, lines[0].len, &m);
	ftp_session_line(&s, SV, lines[1].line, lines[1].len, &m);
	snap = s;
	ev = ftp_session_line(&s, SV, lines[3].line, lines[3].len, &m);
	ok &= ev == FTP_EV_NONE && s.depth == 0;
	s = snap;
	ev = ftp_session_line(&s, SV, lines[3].line, lines[3].len, &m);
	ok &= ev == FTP_EV_NONE && s.depth == 0;
	tap(ok, "snapshot: restore before the last line of a reported "
	    "reply and replay gives no second event");
}

/* A PORT that made no expectation settles nothing when answered. */
static void check_untrack(void)
{
	struct ftp_session s;
	struct ftp_match m;
	enum ftp_event a, b, c, d;
	unsigned int pending;

	ftp_session_init(&s);
	a = ftp_session_line(&s, CL, "PORT 192,0,2,2,4,1", 18, &m);
	ftp_session_untrack(&s);
	b = ftp_session_line(&s, CL, "PORT 192,0,2,2,4,2", 18, &m);
	pending = ftp_session_active_pending(&s);
	c = ftp_session_line(&s, SV, "500 no", 6, &m);
	d = ftp_session_line(&s, SV, "200 ok", 6, &m);
	tap(a == FTP_EV_ACTIVE && b == FTP_EV_ACTIVE && pending == 1 &&
	    c == FTP_EV_NONE && d == FTP_EV_ACTIVE_OK && s.depth == 0,
	    "untrack: not pending, its 500 settles nothing, the next PORT's 200 does");
	ftp_session_init(&s);
	ftp_session_line(&s, CL, "PASV", 4, &m);
	ftp_session_untrack(&s);
	tap(ftp_session_line(&s, SV, "227 (192,0,2,1,4,1)", 19, &m) ==
	    FTP_EV_PASSIVE, "untrack: leaves a queued PASV alone");
}

/* Tracking picked up mid-session: replies to commands it never saw. */
static void check_pickup(void)
{
	struct ftp_session s;
	struct ftp_match m;
	enum ftp_event a, b, c, d;

	ftp_session_init(&s);
	ftp_session_pickup(&s);
	a = ftp_session_line(&s, SV, "227 Entering (192,0,2,1,4,1)", 28, &m);
	b = ftp_session_line(&s, SV, "229 ok (|||2000|)", 17, &m);
	tap(a == FTP_EV_PICKUP && m.ep.port == 2000 && b == FTP_EV_PICKUP &&
	    (s.flags & FTP_SESSION_PICKUP) && s.depth == 0,
	    "pickup: 227/229 with an empty fifo are PICKUP, pickup goes on");
	c = ftp_session_line(&s, SV, "226 done", 8, &m);
	tap(c == FTP_EV_NONE && (s.flags & FTP_SESSION_PICKUP),
	    "pickup: other replies with an empty fifo change nothing");
	ftp_session_line(&s, CL, "NOOP", 4, &m);
	c = ftp_session_line(&s, SV, "227 (192,0,2,1,4,1)", 19, &m);
	d = ftp_session_line(&s, SV, "227 (192,0,2,1,4,2)", 19, &m);
	tap(c == FTP_EV_UNSOLICITED && d == FTP_EV_UNSOLICITED &&
	    !(s.flags & FTP_SESSION_PICKUP),
	    "pickup: a 227 answering a command seen is UNSOLICITED, and ends pickup");
	ftp_session_init(&s);
	ftp_session_pickup(&s);
	ftp_session_line(&s, CL, "PASV", 4, &m);
	a = ftp_session_line(&s, SV, "150 wait", 8, &m);
	b = ftp_session_line(&s, SV, "227 (192,0,2,1,4,1)", 19, &m);
	tap(a == FTP_EV_NONE && b == FTP_EV_PASSIVE &&
	    !(s.flags & FTP_SESSION_PICKUP),
	    "pickup: a PASV seen is answered as usual (1xx keeps pickup)");
	ftp_session_init(&s);
	ftp_session_pickup(&s);
	ftp_session_line(&s, CL, "EPSV ALL", 8, &m);
	ftp_session_line(&s, SV, "200 ok", 6, &m);
	a = ftp_session_line(&s, CL, "PASV", 4, &m);
	tap(a == FTP_EV_AFTER_EPSV_ALL, "pickup: EPSV ALL after pickup holds");
}

/* States from outside (ctnetlink) are checked before use. */
static void check_valid(void)
{
	struct ftp_session s, bad;
	struct ftp_match m;

	ftp_session_init(&s);
	ftp_session_line(&s, CL, "PASV", 4, &m);
	ftp_session_line(&s, CL, "PORT 192,0,2,2,4,1", 18, &m);
	ftp_session_line(&s, SV, "227-multi", 9, &m);
	ftp_session_pickup(&s);
	tap(ftp_session_valid(&s), "valid: a state from real lines");
	bad = s;
	bad.depth = FTP_SESSION_DEPTH + 1;
	tap(!ftp_session_valid(&bad), "valid: depth beyond the fifo");
	bad = s;
	bad.fifo |= 7u << 4;
	tap(!ftp_session_valid(&bad), "valid: unknown fifo entry");
	bad = s;
	bad.fifo |= 1u << 12;
	tap(!ftp_session_valid(&bad), "valid: entry beyond depth");
	bad = s;
	bad.flags |= 0x80;
	tap(!ftp_session_valid(&bad), "valid: unknown flag");
	bad = s;
	bad.flags |= FTP_SESSION_ALERT_C;
	tap(!ftp_session_valid(&bad), "valid: TLS alert while not opaque");
	bad = s;
	bad.reply = 700;
	tap(!ftp_session_valid(&bad), "valid: no such reply code");
}

int main(void)
{
	size_t i;
	const size_t n = sizeof(scenarios) / sizeof(scenarios[0]);

	printf("TAP version 13\n");
	printf("1..%zu\n", 2 * n + 22);

	check_init();
	for (i = 0; i < n; i++)
		tap(run_scenario(&scenarios[i], 0), "%s", scenarios[i].name);
	for (i = 0; i < n; i++)
		tap(run_scenario(&scenarios[i], 1), "replay with restore: %s",
		    scenarios[i].name);
	check_prefix_equivalence();
	check_prefix_edges();
	check_snapshot_multiline();
	check_untrack();
	check_pickup();
	check_valid();

	fflush(stdout);
	if (tests_failed)
		fprintf(stderr, "%d of %d tests failed\n", tests_failed,
			tests_run);
	return tests_failed ? 1 : 0;
}

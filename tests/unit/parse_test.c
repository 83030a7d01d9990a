// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace unit tests for kmod/parse.c.  Prints TAP, exits non-zero on
 * any failure.  Build with ASan/UBSan (see tests/unit/Makefile).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "tap.h"

#define CL FTP_DIR_CLIENT
#define SV FTP_DIR_SERVER
#define OK FTP_PARSE_OK
#define NO FTP_PARSE_NONE
#define BAD FTP_PARSE_MALFORMED

struct pcase {
	enum ftp_dir dir;
	const char *line;
	size_t len;
	enum ftp_parse_result res;
	enum ftp_kind kind;
	const char *addr;	/* expected address text, NULL for none */
	unsigned int port;
	const char *arg;	/* expected text of the arg span */
};

#define P(dir, line, res, kind, addr, port, arg) \
	{ dir, line, sizeof(line) - 1, res, kind, addr, port, arg }
#define N(dir, line) P(dir, line, NO, FTP_KIND_NONE, NULL, 0, NULL)
#define M(dir, line) P(dir, line, BAD, FTP_KIND_NONE, NULL, 0, NULL)
#define PORTOK(line, addr, port, arg) \
	P(CL, line, OK, FTP_KIND_PORT, addr, port, arg)
#define EPRTOK(line, addr, port, arg) \
	P(CL, line, OK, FTP_KIND_EPRT, addr, port, arg)
#define PASVOK(line, addr, port, arg) \
	P(SV, line, OK, FTP_KIND_PASV, addr, port, arg)
#define EPSVOK(line, port, arg) \
	P(SV, line, OK, FTP_KIND_EPSV, NULL, port, arg)

static const struct pcase pcases[] = {
	/* ---- PORT ---- */
	PORTOK("PORT 192,0,2,1,4,1\r", "192.0.2.1", 1025, "192,0,2,1,4,1"),
	PORTOK("PORT 192,0,2,1,4,1", "192.0.2.1", 1025, "192,0,2,1,4,1"),
	PORTOK("port 192,0,2,1,4,1\r", "192.0.2.1", 1025, "192,0,2,1,4,1"),
	PORTOK("PoRt 198,51,100,7,0,21", "198.51.100.7", 21, "198,51,100,7,0,21"),
	PORTOK("PORT  203,0,113,9,255,255\r", "203.0.113.9", 65535,
	       "203,0,113,9,255,255"),
	PORTOK("PORT\t192,0,2,1,0,1\r", "192.0.2.1", 1, "192,0,2,1,0,1"),
	PORTOK("PORT \t 192,0,2,1,0,1", "192.0.2.1", 1, "192,0,2,1,0,1"),
	PORTOK("PORT 192,0,2,1,4,1  \r", "192.0.2.1", 1025, "192,0,2,1,4,1"),
	PORTOK("PORT 192,0,2,1,4,1 \t", "192.0.2.1", 1025, "192,0,2,1,4,1"),
	PORTOK("PORT 192,000,002,001,004,001\r", "192.0.2.1", 1025,
	       "192,000,002,001,004,001"),
	PORTOK("PORT 192,0,2,1,1,0", "192.0.2.1", 256, "192,0,2,1,1,0"),
	N(CL, "PORTX 192,0,2,1,4,1"),
	N(CL, "PORT,192,0,2,1,4,1"),
	N(CL, " PORT 192,0,2,1,4,1"),
	N(CL, "POR"),
	N(CL, ""),
	N(CL, "\r"),
	N(CL, "USER anonymous\r"),
	N(CL, "PASV\r"),
	N(CL, "EPSV\r"),
	N(SV, "PORT 192,0,2,1,4,1\r"),
	N(SV, "EPRT |1|192.0.2.1|1025|\r"),
	M(CL, "PORT"),
	M(CL, "PORT\r"),
	M(CL, "PORT   \r"),
	M(CL, "PORT \t"),
	M(CL, "PORT 256,0,2,1,4,1"),
	M(CL, "PORT 192,0,2,1,256,22"),
	M(CL, "PORT 192,0,2,1,4,256"),
	M(CL, "PORT 192,0,2,1,0,0\r"),
	M(CL, "PORT 192,0,2,1,000,000\r"),
	M(CL, "PORT 192,0,2,1,4\r"),
	M(CL, "PORT 192,0,2,1,4,1,7\r"),
	M(CL, "PORT 192,0,2,1,4,1,\r"),
	M(CL, "PORT 192,0,2,1,4,\r"),
	M(CL, "PORT 192,0,2,,4,1\r"),
	M(CL, "PORT ,192,0,2,1,4,1\r"),
	M(CL, "PORT 192.0.2.1.4.1\r"),
	M(CL, "PORT 192,0,2,1,4,1 x\r"),
	M(CL, "PORT (192,0,2,1,4,1)\r"),
	M(CL, "PORT 192,0,2,1,4,0001\r"),
	M(CL, "PORT 4294967306,0,2,1,4,1\r"),
	M(CL, "PORT 192,0,2,1,4,4294967297\r"),
	M(CL, "PORT 192,0,2,1,4,"
	      "99999999999999999999999999999999999999999999999999\r"),
	M(CL, "PORT 192,0,2,1,4,1\0\r"),
	M(CL, "PORT 192,0\0,2,1,4,1\r"),
	M(CL, "PORT \0"),
	M(CL, "PORT 192,0,2,1,4,1\r\n"),
	M(CL, "PORT -1,0,2,1,4,1"),
	M(CL, "PORT +1,0,2,1,4,1"),

	/* ---- EPRT ---- */
	EPRTOK("EPRT |1|192.0.2.1|6446|\r", "192.0.2.1", 6446,
	       "|1|192.0.2.1|6446|"),
	EPRTOK("eprt |1|192.0.2.1|6446|", "192.0.2.1", 6446,
	       "|1|192.0.2.1|6446|"),
	EPRTOK("ePrT\t\t|1|198.51.100.255|65535|  \r", "198.51.100.255",
	       65535, "|1|198.51.100.255|65535|"),
	EPRTOK("EPRT !1!203.0.113.5!1!", "203.0.113.5", 1, "!1!203.0.113.5!1!"),
	EPRTOK("EPRT ~1~192.0.2.001~21~", "192.0.2.1", 21,
	       "~1~192.0.2.001~21~"),
	EPRTOK("EPRT |2|2001:db8::1|5282|\r", "2001:db8::1", 5282,
	       "|2|2001:db8::1|5282|"),
	EPRTOK("EPRT |2|2001:DB8:0:0:0:0:0:1|5282|", "2001:db8::1", 5282,
	       "|2|2001:DB8:0:0:0:0:0:1|5282|"),
	EPRTOK("EPRT |2|2001:0db8:0000:0000:0000:ff00:0042:8329|2000|",
	       "2001:db8::ff00:42:8329", 2000,
	       "|2|2001:0db8:0000:0000:0000:ff00:0042:8329|2000|"),
	EPRTOK("EPRT |2|::|2000|", "::", 2000, "|2|::|2000|"),
	EPRTOK("EPRT |2|::1|2000|", "::1", 2000, "|2|::1|2000|"),
	EPRTOK("EPRT |2|2001:db8::|2000|", "2001:db8::", 2000,
	       "|2|2001:db8::|2000|"),
	EPRTOK("EPRT |2|::ffff:192.0.2.1|2000|", "::ffff:192.0.2.1", 2000,
	       "|2|::ffff:192.0.2.1|2000|"),
	EPRTOK("EPRT |2|2001:db8:1:2:3:4:192.0.2.1|2000|",
	       "2001:db8:1:2:3:4:c000:201", 2000,
	       "|2|2001:db8:1:2:3:4:192.0.2.1|2000|"),
	EPRTOK("EPRT |2|2001:db8:1:2:3:4:5::|2000|", "2001:db8:1:2:3:4:5:0",
	       2000, "|2|2001:db8:1:2:3:4:5::|2000|"),
	EPRTOK("EPRT #2#2001:db8::a:b#65535#", "2001:db8::a:b", 65535,
	       "#2#2001:db8::a:b#65535#"),
	M(CL, "EPRT"),
	M(CL, "EPRT \r"),
	N(CL, "EPRTX |1|192.0.2.1|6446|"),
	M(CL, "EPRT |1|192.0.2.1|0|"),
	M(CL, "EPRT |1|192.0.2.1|00000|"),
	M(CL, "EPRT |1|192.0.2.1|65536|"),
	M(CL, "EPRT |1|192.0.2.1|70000|"),
	M(CL, "EPRT |1|192.0.2.1|000001|"),
	M(CL, "EPRT |1|192.0.2.1|4294967306|"),
	M(CL, "EPRT |1|192.0.2.1||"),
	M(CL, "EPRT |1|192.0.2.1|6446"),
	M(CL, "EPRT |1|192.0.2.1|6446|x"),
	M(CL, "EPRT |1|192.0.2.1|64a6|"),
	M(CL, "EPRT |1|192.0.2.1!6446|"),
	M(CL, "EPRT |1!192.0.2.1!6446!"),
	M(CL, "EPRT |1|192.0.2.256|6446|"),
	M(CL, "EPRT |1|192.0.2|6446|"),
	M(CL, "EPRT |1|192.0.2.1.5|6446|"),
	M(CL, "EPRT |1|192.0.2.0001|6446|"),
	M(CL, "EPRT |1|192..2.1|6446|"),
	M(CL, "EPRT |1||6446|"),
	M(CL, "EPRT |1|2001:db8::1|6446|"),
	M(CL, "EPRT |2|192.0.2.1|6446|"),
	M(CL, "EPRT |3|192.0.2.1|6446|"),
	M(CL, "EPRT ||192.0.2.1|6446|"),
	M(CL, "EPRT |12|192.0.2.1|6446|"),
	M(CL, "EPRT 111192.0.2.1161"),
	M(CL, "EPRT  1 192.0.2.1 6446 "),
	M(CL, "EPRT \x7f" "1\x7f" "192.0.2.1\x7f" "6446\x7f"),
	M(CL, "EPRT \x80" "1\x80" "192.0.2.1\x80" "6446\x80"),
	M(CL, "EPRT \0" "1\0" "192.0.2.1\0" "6446\0"),
	M(CL, "EPRT |2|fe80::1%eth0|6446|"),
	M(CL, "EPRT |2|[2001:db8::1]|6446|"),
	M(CL, "EPRT |2|2001:db8::g|6446|"),
	M(CL, "EPRT |2|2001:db8::12345|6446|"),
	M(CL, "EPRT |2|1:2:3:4:5:6:7:8:9|6446|"),
	M(CL, "EPRT |2|1:2:3:4:5:6:7|6446|"),
	M(CL, "EPRT |2|1:2:3:4:5:6:7::8|6446|"),
	M(CL, "EPRT |2|1:2:3:4::5:6:7:8|6446|"),
	M(CL, "EPRT |2|2001::db8::1|6446|"),
	M(CL, "EPRT |2|:::|6446|"),
	M(CL, "EPRT |2|:1::|6446|"),
	M(CL, "EPRT |2|1::2:|6446|"),
	M(CL, "EPRT |2|:|6446|"),
	M(CL, "EPRT |2||6446|"),
	M(CL, "EPRT |2|::ffff:192.0.2.256|6446|"),
	M(CL, "EPRT |2|::192.0.2.1:1|6446|"),
	M(CL, "EPRT |2|1:2:3:4:5:6:7:192.0.2.1|6446|"),
	M(CL, "EPRT |2|1:2:3:4:5:6::192.0.2.1|6446|"),
	M(CL, "EPRT |2|2001:db8::1\0|6446|"),

	/* ---- 227 ---- */
	PASVOK("227 Entering Passive Mode (192,0,2,1,4,1).\r", "192.0.2.1",
	       1025, "192,0,2,1,4,1"),
	PASVOK("227 Entering Passive Mode (192,0,2,1,4,1)", "192.0.2.1",
	       1025, "192,0,2,1,4,1"),
	PASVOK("227 Entering Passive Mode 192,0,2,1,4,1\r", "192.0.2.1",
	       1025, "192,0,2,1,4,1"),
	PASVOK("227 Mode 2 (192,0,2,1,4,1)\r", "192.0.2.1", 1025,
	       "192,0,2,1,4,1"),
	PASVOK("227-Entering Passive Mode (203,0,113,2,19,137)\r",
	       "203.0.113.2", 5001, "203,0,113,2,19,137"),
	PASVOK("227 =198,51,100,3,0,20", "198.51.100.3", 20,
	       "198,51,100,3,0,20"),
	PASVOK("227 v1.2 1,2,3 mode 12345,1 (192,0,2,1,4,1)\r", "192.0.2.1",
	       1025, "192,0,2,1,4,1"),
	PASVOK("227 \0\x01\xff (192,0,2,1,4,1)\r", "192.0.2.1", 1025,
	       "192,0,2,1,4,1"),
	PASVOK("227 (192,0,2,1,4,1) then 198,51,100,1,4,1", "192.0.2.1",
	       1025, "192,0,2,1,4,1"),
	PASVOK("227 (192,0,2,1,4,1),trailing", "192.0.2.1", 1025,
	       "192,0,2,1,4,1"),
	M(SV, "227 Entering Passive Mode\r"),
	M(SV, "227 \r"),
	M(SV, "227\r"),
	M(SV, "227"),
	M(SV, "227 Entering Passive Mode (192,0,2,1,4)\r"),
	M(SV, "227 Entering Passive Mode (192,0,2,1,4,1,7)\r"),
	M(SV, "227 Entering Passive Mode (192,0,2,1,0,0)\r"),
	M(SV, "227 Entering Passive Mode (192,0,2,1,256,22)\r"),
	M(SV, "227 Entering Passive Mode (192,0,2,1,4,0001)\r"),
	M(SV, "227 Entering Passive Mode (4294967306,0,2,1,4,1)\r"),
	M(SV, "227 (192,0,2,1,0,0) (198,51,100,1,4,1)\r"),
	M(SV, "227 (192,0,2,1,4 ,1)\r"),
	N(SV, "2270 Entering Passive Mode (192,0,2,1,4,1)\r"),
	N(SV, "227xEntering Passive Mode (192,0,2,1,4,1)\r"),
	N(SV, " 227 Entering Passive Mode (192,0,2,1,4,1)\r"),
	N(SV, "230 ok\r"),
	N(SV, "226 Transfer complete\r"),
	N(SV, "22"),
	N(SV, ""),
	N(CL, "227 Entering Passive Mode (192,0,2,1,4,1)\r"),
	N(CL, "229 Entering Extended Passive Mode (|||6446|)\r"),

	/* ---- 229 ---- */
	EPSVOK("229 Entering Extended Passive Mode (|||6446|)\r", 6446,
	       "6446"),
	EPSVOK("229 Entering Extended Passive Mode (|||6446|)", 6446, "6446"),
	EPSVOK("229-Extended (!!!1!) more text", 1, "1"),
	EPSVOK("229 (~~~65535~)", 65535, "65535"),
	EPSVOK("229 (|||00021|).\r", 21, "00021"),
	M(SV, "229 Entering Extended Passive Mode |||6446|\r"),
	M(SV, "229 Entering Extended Passive Mode (|||6446)\r"),
	M(SV, "229 Entering Extended Passive Mode (|||6446|\r"),
	M(SV, "229 Entering Extended Passive Mode (|||0|)\r"),
	M(SV, "229 Entering Extended Passive Mode (|||65536|)\r"),
	M(SV, "229 Entering Extended Passive Mode (|||70000|)\r"),
	M(SV, "229 Entering Extended Passive Mode (|||4294967306|)\r"),
	M(SV, "229 Entering Extended Passive Mode (||||)\r"),
	M(SV, "229 Entering Extended Passive Mode (|!|6446|)\r"),
	M(SV, "229 Entering Extended Passive Mode (|||6446!)\r"),
	M(SV, "229 Entering Extended Passive Mode (111164461)\r"),
	M(SV, "229 Entering Extended Passive Mode (   6446 )\r"),
	M(SV, "229 Entering Extended Passive Mode (\x7f\x7f\x7f"
	      "6446\x7f)\r"),
	M(SV, "229 Entering Extended Passive Mode (|1|192.0.2.1|6446|)\r"),
	M(SV, "229 Mode (x) (|||6446|)\r"),
	M(SV, "229 (|||64a6|)\r"),
	M(SV, "229 (\0\0\0" "6446\0)\r"),
	M(SV, "229 (|||"),
	M(SV, "229 ("),
	M(SV, "229"),
	N(SV, "2290 (|||6446|)\r"),
};

static void check_parse(const struct pcase *c, unsigned int idx)
{
	struct ftp_match m;
	enum ftp_parse_result r;
	unsigned char want[16];
	int ok = 1;
	char why[160] = "";

	memset(&m, 0xa5, sizeof(m));
	r = ftp_parse_line(c->line, (unsigned int)c->len, c->dir, &m);
	if (r != c->res) {
		ok = 0;
		snprintf(why, sizeof(why), " (got result %d want %d)", r,
			 c->res);
	} else if (r == OK) {
		unsigned int fam = FTP_FAMILY_NONE;

		memset(want, 0, sizeof(want));
		if (c->addr && strchr(c->addr, ':')) {
			fam = FTP_FAMILY_IPV6;
			inet_pton(AF_INET6, c->addr, want);
		} else if (c->addr) {
			fam = FTP_FAMILY_IPV4;
			inet_pton(AF_INET, c->addr, want);
		}
		if (m.kind != c->kind) {
			ok = 0;
			snprintf(why, sizeof(why), " (kind %d)", m.kind);
		} else if (m.ep.family != fam) {
			ok = 0;
			snprintf(why, sizeof(why), " (family %d)", m.ep.family);
		} else if (fam != FTP_FAMILY_NONE &&
			   memcmp(m.ep.addr, want,
				  fam == FTP_FAMILY_IPV4 ? 4 : 16)) {
			ok = 0;
			snprintf(why, sizeof(why), " (address mismatch)");
		} else if (m.ep.port != c->port) {
			ok = 0;
			snprintf(why, sizeof(why), " (port %u)", m.ep.port);
		} else if (m.arg_off > c->len ||
			   m.arg_len > c->len - m.arg_off ||
			   m.arg_len != strlen(c->arg) ||
			   memcmp(c->line + m.arg_off, c->arg, m.arg_len)) {
			ok = 0;
			snprintf(why, sizeof(why), " (span %u+%u)", m.arg_off,
				 m.arg_len);
		} else if ((m.kind == FTP_KIND_EPRT &&
			    m.delim != c->arg[0]) ||
			   (m.kind == FTP_KIND_EPSV &&
			    m.delim != c->line[m.arg_off - 1])) {
			ok = 0;
			snprintf(why, sizeof(why), " (delim)");
		}
	}
	tap(ok, "parse[%u] %s \"%s\" -> %s%s", idx,
	    c->dir == CL ? "C" : "S", show(c->line, c->len),
	    c->res == OK ? "OK" : c->res == NO ? "NONE" : "MALFORMED", why);
}

/* ---- line interest ---- */

struct icase {
	enum ftp_dir dir;
	const char *p;
	size_t len;
	enum ftp_interest want;
};

#define I(dir, p, want) { dir, p, sizeof(p) - 1, want }

static const struct icase icases[] = {
	I(CL, "", FTP_LINE_MAYBE),
	I(CL, "P", FTP_LINE_MAYBE),
	I(CL, "po", FTP_LINE_MAYBE),
	I(CL, "pOr", FTP_LINE_MAYBE),
	I(CL, "PORT", FTP_LINE_MAYBE),
	I(CL, "E", FTP_LINE_MAYBE),
	I(CL, "eprt", FTP_LINE_MAYBE),
	I(CL, "PORT ", FTP_LINE_KEY),
	I(CL, "PORT\t", FTP_LINE_KEY),
	I(CL, "PORT 1,2", FTP_LINE_KEY),
	I(CL, "port 1,2", FTP_LINE_KEY),
	I(CL, "EPRT |", FTP_LINE_KEY),
	I(CL, "ePrT\t|", FTP_LINE_KEY),
	I(CL, "PORTX", FTP_LINE_BORING),
	I(CL, "PORT-", FTP_LINE_BORING),
	I(CL, "PASS", FTP_LINE_BORING),
	I(CL, "PA", FTP_LINE_BORING),
	I(CL, "USER x", FTP_LINE_BORING),
	I(CL, " PORT", FTP_LINE_BORING),
	I(CL, "\0", FTP_LINE_MAYBE),		/* NUL may precede a verb */
	I(CL, "\xff\xf4\xff\xf2PORT 1", FTP_LINE_KEY),
	I(CL, "\0PASS", FTP_LINE_BORING),
	I(CL, "\0\0\0\0\0\0\0\0\0PORT 1", FTP_LINE_BORING),	/* beyond FTP_TELNET_MAX */
	I(CL, "227 ", FTP_LINE_BORING),
	I(CL, "2", FTP_LINE_BORING),
	I(SV, "", FTP_LINE_MAYBE),
	I(SV, "2", FTP_LINE_MAYBE),
	I(SV, "22", FTP_LINE_MAYBE),
	I(SV, "227", FTP_LINE_MAYBE),
	I(SV, "229", FTP_LINE_MAYBE),
	I(SV, "227 ", FTP_LINE_KEY),
	I(SV, "227 E", FTP_LINE_KEY),
	I(SV, "227-", FTP_LINE_KEY),
	I(SV, "229 (", FTP_LINE_KEY),
	I(SV, "229-x", FTP_LINE_KEY),
	I(SV, "227\t", FTP_LINE_KEY),
	I(SV, "226 ", FTP_LINE_BORING),
	I(SV, "2270", FTP_LINE_BORING),
	I(SV, "23", FTP_LINE_BORING),
	I(SV, "P", FTP_LINE_BORING),
	I(SV, "PORT ", FTP_LINE_BORING),
};

/* ---- round trip ---- */

struct rcase {
	enum ftp_dir dir;
	const char *line;
	const char *addr;	/* new address text, NULL for EPSV */
	unsigned int port;
	const char *expect;	/* expected rewritten line */
};

static const struct rcase rcases[] = {
	{ CL, "PORT 10,0,0,1,4,1\r", "203.0.113.200", 65535,
	  "PORT 203,0,113,200,255,255\r" },
	{ CL, "PORT 203,0,113,200,255,255\r", "192.0.2.1", 1,
	  "PORT 192,0,2,1,0,1\r" },
	{ CL, "port  192,0,2,1,4,1  \r", "198.51.100.9", 2049,
	  "port  198,51,100,9,8,1  \r" },
	{ SV, "227 Entering Passive Mode (192,0,2,1,4,1).\r", "198.51.100.77",
	  40000, "227 Entering Passive Mode (198,51,100,77,156,64).\r" },
	{ SV, "227-Mode 2 192,0,2,100,200,1 ok\r", "203.0.113.1", 21,
	  "227-Mode 2 203,0,113,1,0,21 ok\r" },
	{ CL, "EPRT |1|192.0.2.1|6446|\r", "203.0.113.254", 65000,
	  "EPRT |1|203.0.113.254|65000|\r" },
	{ CL, "EPRT !1!203.0.113.254!65000!\r", "192.0.2.1", 1,
	  "EPRT !1!192.0.2.1!1!\r" },
	{ CL, "EPRT |2|2001:db8::1|5282|\r",
	  "2001:db8:1234:5678:9abc:def0:1234:5678", 65535,
	  "EPRT |2|2001:db8:1234:5678:9abc:def0:1234:5678|65535|\r" },
	{ CL, "EPRT |2|2001:db8:1234:5678:9abc:def0:1234:5678|65535|\r",
	  "2001:db8::1", 21, "EPRT |2|2001:db8::1|21|\r" },
	{ CL, "EPRT |2|2001:db8::1|5282|\r", "2001:db8:0:0:1:0:0:1", 5282,
	  "EPRT |2|2001:db8::1:0:0:1|5282|\r" },
	{ CL, "EPRT |2|2001:db8::1|5282|\r", "2001:db8:0:1:0:0:0:1", 5282,
	  "EPRT |2|2001:db8:0:1::1|5282|\r" },
	{ CL, "EPRT |2|2001:db8::1|5282|\r", "2001:db8:0:1:1:1:1:1", 5282,
	  "EPRT |2|2001:db8:0:1:1:1:1:1|5282|\r" },
	{ CL, "EPRT |2|::1|5282|\r", "::", 5282, "EPRT |2|::|5282|\r" },
	{ CL, "EPRT |2|::|5282|\r", "2001:db8::", 5282,
	  "EPRT |2|2001:db8::|5282|\r" },
	{ CL, "EPRT |2|::|5282|\r", "::ffff:192.0.2.1", 5282,
	  "EPRT |2|::ffff:c000:201|5282|\r" },
	/* family change: IPv4 EPRT rewritten as IPv6 and back */
	{ CL, "EPRT |1|192.0.2.1|6446|\r", "2001:db8::abcd", 6446,
	  "EPRT |2|2001:db8::abcd|6446|\r" },
	{ CL, "EPRT ~2~2001:DB8::ABCD~6446~\r", "192.0.2.1", 6446,
	  "EPRT ~1~192.0.2.1~6446~\r" },
	{ SV, "229 Entering Extended Passive Mode (|||6446|)\r", NULL, 1,
	  "229 Entering Extended Passive Mode (|||1|)\r" },
	{ SV, "229 Entering Extended Passive Mode (|||1|)\r", NULL, 65535,
	  "229 Entering Extended Passive Mode (|||65535|)\r" },
};

static int make_ep(const char *addr, unsigned int port,
		   struct ftp_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->port = (unsigned short)port;
	if (!addr)
		return 1;
	if (strchr(addr, ':')) {
		ep->family = FTP_FAMILY_IPV6;
		return inet_pton(AF_INET6, addr, ep->addr) == 1;
	}
	ep->family = FTP_FAMILY_IPV4;
	return inet_pton(AF_INET, addr, ep->addr) == 1;
}

static void check_roundtrip(const struct rcase *c, unsigned int idx)
{
	struct ftp_match m, m2;
	struct ftp_endpoint ep;
	char arg[FTP_ARG_MAX];
	char out[FTP_LINE_MAX + FTP_ARG_MAX];
	size_t len = strlen(c->line);
	unsigned int n, n2;
	size_t olen;
	int ok = 0;
	const char *why = "";

	if (!make_ep(c->addr, c->port, &ep)) {
		why = " (bad test address)";
		goto out;
	}
	if (ftp_parse_line(c->line, (unsigned int)len, c->dir, &m) != OK) {
		why = " (first parse)";
		goto out;
	}
	n = ftp_format_arg(&m, &ep, arg, sizeof(arg));
	if (!n || n > sizeof(arg)) {
		why = " (format)";
		goto out;
	}
	/* Exactly-sized buffer works, one byte less does not. */
	n2 = ftp_format_arg(&m, &ep, arg, n);
	if (n2 != n || ftp_format_arg(&m, &ep, arg, n - 1) != 0) {
		why = " (format buffer size)";
		goto out;
	}
	olen = 0;
	memcpy(out, c->line, m.arg_off);
	olen += m.arg_off;
	memcpy(out + olen, arg, n);
	olen += n;
	memcpy(out + olen, c->line + m.arg_off + m.arg_len,
	       len - m.arg_off - m.arg_len);
	olen += len - m.arg_off - m.arg_len;
	if (olen != strlen(c->expect) || memcmp(out, c->expect, olen)) {
		why = " (rewritten text differs)";
		goto out;
	}
	if (ftp_parse_line(out, (unsigned int)olen, c->dir, &m2) != OK ||
	    m2.kind != m.kind || m2.ep.port != ep.port ||
	    m2.arg_len != n || m2.arg_off != m.arg_off) {
		why = " (second parse)";
		goto out;
	}
	if (m.kind != FTP_KIND_EPSV &&
	    (m2.ep.family != ep.family ||
	     memcmp(m2.ep.addr, ep.addr, sizeof(ep.addr)))) {
		why = " (second parse endpoint)";
		goto out;
	}
	ok = 1;
out:
	tap(ok, "roundtrip[%u] \"%s\" -> \"%s\"%s", idx,
	    show(c->line, strlen(c->line)), show(c->expect,
	    strlen(c->expect)), why);
}

static void check_format_rejects(void)
{
	struct ftp_match m;
	struct ftp_endpoint v4, v6, none;
	char buf[FTP_ARG_MAX];
	int ok;

	make_ep("192.0.2.1", 21, &v4);
	make_ep("2001:db8::1", 21, &v6);
	make_ep(NULL, 21, &none);

	ftp_parse_line("PORT 192,0,2,1,0,21", 19, CL, &m);
	tap(ftp_format_arg(&m, &v6, buf, sizeof(buf)) == 0,
	    "format PORT with IPv6 endpoint -> 0");
	tap(ftp_format_arg(&m, &none, buf, sizeof(buf)) == 0,
	    "format PORT with no-family endpoint -> 0");
	v4.port = 0;
	tap(ftp_format_arg(&m, &v4, buf, sizeof(buf)) == 0,
	    "format PORT with port 0 -> 0");
	v4.port = 21;
	tap(ftp_format_arg(&m, &v4, buf, 0) == 0,
	    "format PORT into size 0 -> 0");

	ftp_parse_line("EPRT |1|192.0.2.1|21|", 21, CL, &m);
	tap(ftp_format_arg(&m, &none, buf, sizeof(buf)) == 0,
	    "format EPRT with no-family endpoint -> 0");
	m.delim = '1';
	tap(ftp_format_arg(&m, &v4, buf, sizeof(buf)) == 0,
	    "format EPRT with digit delimiter -> 0");

	memset(&m, 0, sizeof(m));
	tap(ftp_format_arg(&m, &v4, buf, sizeof(buf)) == 0,
	    "format kind NONE -> 0");

	/* Worst-case widths fit in FTP_ARG_MAX. */
	ftp_parse_line("EPRT |2|::1|21|", 15, CL, &m);
	make_ep("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 65535, &v6);
	ok = ftp_format_arg(&m, &v6, buf, sizeof(buf)) ==
	     strlen("|2|2001:db8:ffff:ffff:ffff:ffff:ffff:ffff|65535|");
	tap(ok, "format EPRT widest IPv6 fits FTP_ARG_MAX");
	ftp_parse_line("227 (192,0,2,1,0,21)", 20, SV, &m);
	make_ep("203.0.113.255", 65535, &v4);
	tap(ftp_format_arg(&m, &v4, buf, sizeof(buf)) == 21 &&
	    !memcmp(buf, "203,0,113,255,255,255", 21),
	    "format PASV text");
	ftp_parse_line("229 (|||21|)", 12, SV, &m);
	tap(ftp_format_arg(&m, &v6, buf, sizeof(buf)) == 5 &&
	    !memcmp(buf, "65535", 5), "format EPSV port only");
}

/* ---- robustness ---- */

static unsigned int lcg_state = 12345;

static unsigned int lcg(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

static int robust_one(const char *p, size_t len, enum ftp_dir dir)
{
	struct ftp_match m;
	enum ftp_parse_result r;
	enum ftp_interest in;
	char *heap;

	/* Exact-size heap copy so ASan catches any over-read. */
	heap = malloc(len ? len : 1);
	if (!heap)
		abort();
	memcpy(heap, p, len);
	r = ftp_parse_line(heap, (unsigned int)len, dir, &m);
	in = ftp_line_interest(heap, (unsigned int)len, dir);
	free(heap);
	if (r != OK && r != NO && r != BAD)
		return 0;
	if (in != FTP_LINE_BORING && in != FTP_LINE_MAYBE &&
	    in != FTP_LINE_KEY)
		return 0;
	if (r == OK) {
		if (m.ep.port == 0 || m.arg_off > len ||
		    m.arg_len > len - m.arg_off || m.arg_len == 0)
			return 0;
		if (m.kind == FTP_KIND_NONE || m.kind >= FTP_KIND_MAX)
			return 0;
		/* A parsed line must have been interesting from its start. */
		if (in != FTP_LINE_KEY)
			return 0;
	}
	return 1;
}

static void check_robustness(void)
{
	static const char alphabet[] = "0123456789,.:|()!~ \t\r\0\x7f\xff"
				       "aAfFxX%-[]PORTEPRT227229";
	char buf[FTP_LINE_MAX];
	unsigned int i, k, fails = 0, count = 0;
	size_t t;

	/* Every truncation of every valid line. */
	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		for (t = 0; t <= pcases[i].len; t++) {
			count++;
			if (!robust_one(pcases[i].line, t, pcases[i].dir) ||
			    !robust_one(pcases[i].line, t, !pcases[i].dir))
				fails++;
		}
	}
	tap(fails == 0, "robustness: %u truncations, %u failures", count,
	    fails);

	fails = 0;
	count = 0;
	for (i = 0; i < 20000; i++) {
		const struct pcase *c =
			&pcases[lcg() % (sizeof(pcases) / sizeof(pcases[0]))];
		size_t len = c->len;
		unsigned int nmut = 1 + lcg() % 4;

		memcpy(buf, c->line, len);
		for (k = 0; k < nmut; k++) {
			unsigned int op = lcg() % 4;
			size_t pos = len ? lcg() % len : 0;
			char ch = (lcg() & 1) ?
				alphabet[lcg() % (sizeof(alphabet) - 1)] :
				(char)lcg();

			if (op == 0 && len) {
				buf[pos] = ch;
			} else if (op == 1 && len < sizeof(buf)) {
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = ch;
				len++;
			} else if (op == 2 && len) {
				memmove(buf + pos, buf + pos + 1,
					len - pos - 1);
				len--;
			} else if (op == 3) {
				len = pos;
			}
		}
		count++;
		if (!robust_one(buf, len, c->dir) ||
		    !robust_one(buf, len, !c->dir))
			fails++;
	}
	tap(fails == 0, "robustness: %u random mutations, %u failures",
	    count, fails);

	/* Long digit runs and a full-size line of junk. */
	memset(buf, '9', sizeof(buf));
	memcpy(buf, "PORT ", 5);
	tap(robust_one(buf, sizeof(buf), CL) &&
	    ftp_parse_line(buf, sizeof(buf), CL, &(struct ftp_match){0}) ==
	    BAD, "robustness: PORT + 507 digits is MALFORMED");
	memcpy(buf, "227 ", 4);
	for (t = 4; t < sizeof(buf); t++)
		buf[t] = (t & 1) ? ',' : '9';
	tap(robust_one(buf, sizeof(buf), SV) &&
	    ftp_parse_line(buf, sizeof(buf), SV, &(struct ftp_match){0}) ==
	    BAD, "robustness: 227 + long comma run is MALFORMED");
	memcpy(buf, "EPRT |2|", 8);
	for (t = 8; t < sizeof(buf); t++)
		buf[t] = (t % 3) ? 'f' : ':';
	tap(robust_one(buf, sizeof(buf), CL) &&
	    ftp_parse_line(buf, sizeof(buf), CL, &(struct ftp_match){0}) ==
	    BAD, "robustness: EPRT + long IPv6 junk is MALFORMED");
	tap(ftp_parse_line(NULL, 0, CL, &(struct ftp_match){0}) == NO &&
	    ftp_line_interest(NULL, 0, SV) == FTP_LINE_MAYBE,
	    "robustness: NULL line with len 0");
}

int main(void)
{
	unsigned int i;

	printf("TAP version 13\n");
	printf("1..%zu\n", sizeof(pcases) / sizeof(pcases[0]) +
	       sizeof(icases) / sizeof(icases[0]) +
	       sizeof(rcases) / sizeof(rcases[0]) + 10 + 6);

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++)
		check_parse(&pcases[i], i);

	for (i = 0; i < sizeof(icases) / sizeof(icases[0]); i++) {
		const struct icase *c = &icases[i];
		enum ftp_interest got =
			ftp_line_interest(c->p, (unsigned int)c->len, c->dir);

		tap(got == c->want, "interest %s \"%s\" -> %d (got %d)",
		    c->dir == CL ? "C" : "S", show(c->p, c->len), c->want,
		    got);
	}

	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++)
		check_roundtrip(&rcases[i], i);

	check_format_rejects();
	check_robustness();

	if (tests_failed)
		fprintf(stderr, "%d of %d tests failed\n", tests_failed,
			tests_run);
	return tests_failed ? 1 : 0;
}

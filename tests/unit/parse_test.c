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
	unsigned char amb;	/* expected ep.ambiguous */
};

#define P(dir, line, res, kind, addr, port, arg) \
	{ dir, line, sizeof(line) - 1, res, kind, addr, port, arg, 0 }
/* OK, the address has an octet with a leading zero: ep.ambiguous */
#define AMB(dir, line, kind, addr, port, arg) \
	{ dir, line, sizeof(line) - 1, OK, kind, addr, port, arg, 1 }
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
	AMB(CL, "PORT 192,000,002,001,004,001\r", FTP_KIND_PORT, "192.0.2.1",
	    1025, "192,000,002,001,004,001"),
	/* octal to inet_aton(): 8.0.0.5; decimal reading kept, flagged */
	AMB(CL, "PORT 010,0,0,5,4,1", FTP_KIND_PORT, "10.0.0.5", 1025,
	    "010,0,0,5,4,1"),
	AMB(CL, "PORT 192,0,2,08,4,1", FTP_KIND_PORT, "192.0.2.8", 1025,
	    "192,0,2,08,4,1"),
	AMB(CL, "PORT 00,0,0,1,4,1", FTP_KIND_PORT, "0.0.0.1", 1025,
	    "00,0,0,1,4,1"),
	/* leading zeros in p1, p2 are read in decimal by servers */
	PORTOK("PORT 192,0,2,1,004,001\r", "192.0.2.1", 1025,
	       "192,0,2,1,004,001"),
	PORTOK("PORT 0,0,0,0,0,01", "0.0.0.0", 1, "0,0,0,0,0,01"),
	PORTOK("PORT 100,200,250,10,4,1", "100.200.250.10", 1025,
	       "100,200,250,10,4,1"),
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
	AMB(CL, "EPRT ~1~192.0.2.001~21~", FTP_KIND_EPRT, "192.0.2.1", 21,
	    "~1~192.0.2.001~21~"),
	AMB(CL, "EPRT |1|010.0.0.5|1025|", FTP_KIND_EPRT, "10.0.0.5", 1025,
	    "|1|010.0.0.5|1025|"),
	AMB(CL, "EPRT |1|0.0.0.00|1025|", FTP_KIND_EPRT, "0.0.0.0", 1025,
	    "|1|0.0.0.00|1025|"),
	EPRTOK("EPRT |1|192.0.2.10|01025|", "192.0.2.10", 1025,
	       "|1|192.0.2.10|01025|"),
	EPRTOK("EPRT |1|0.0.0.0|1025|", "0.0.0.0", 1025, "|1|0.0.0.0|1025|"),
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
	EPRTOK("EPRT |2|::1:2:3:4:5:6:7|2000|", "0:1:2:3:4:5:6:7", 2000,
	       "|2|::1:2:3:4:5:6:7|2000|"),
	EPRTOK("EPRT |2|1:2:3:4:5:6:1.2.3.4|2000|", "1:2:3:4:5:6:102:304",
	       2000, "|2|1:2:3:4:5:6:1.2.3.4|2000|"),
	EPRTOK("EPRT |2|1:2:3:4:5::1.2.3.4|2000|", "1:2:3:4:5:0:102:304",
	       2000, "|2|1:2:3:4:5::1.2.3.4|2000|"),
	EPRTOK("EPRT |2|::0.0.0.0|2000|", "::", 2000, "|2|::0.0.0.0|2000|"),
	EPRTOK("EPRT |2|1:2:3:4:5:6:7:8|2000|", "1:2:3:4:5:6:7:8", 2000,
	       "|2|1:2:3:4:5:6:7:8|2000|"),
	/* issue 9: "::" after eight groups, gap 16 taken for "no gap" */
	M(CL, "EPRT |2|1:2:3:4:5:6:7:8::|6446|"),
	M(CL, "EPRT |2|a:b:c:d:e:f:a:b::|6446|"),
	M(CL, "EPRT |2|2001:db8:0:0:0:0:0:1::|6446|"),
	M(CL, "EPRT |2|::1:2:3:4:5:6:7:8|6446|"),
	M(CL, "EPRT |2|1:2:3:4:5:6:7:8::1|6446|"),
	M(CL, "EPRT |2|1:2:3:4:5:6:1.2.3.4::|6446|"),
	M(CL, "EPRT |2|1::2::3|6446|"),
	M(CL, "EPRT |2|::ffff:010.0.0.5|6446|"),
	M(CL, "EPRT |2|::ffff:1.2.3.04|6446|"),
	M(CL, "EPRT |2|::1.2.3|6446|"),
	M(CL, "EPRT |2|::1.2.3.4.5|6446|"),
	M(CL, "EPRT |2|::1.2.3.4:1|6446|"),
	M(CL, "EPRT |2|1.2.3.4|6446|"),
	M(CL, "EPRT |2|::a.2.3.4|6446|"),
	M(CL, "EPRT |2|00000::1|6446|"),
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
	AMB(SV, "227 Entering Passive Mode (010,0,0,5,4,1).\r", FTP_KIND_PASV,
	    "10.0.0.5", 1025, "010,0,0,5,4,1"),
	PASVOK("227 Entering Passive Mode (10,0,0,5,004,001).\r", "10.0.0.5",
	       1025, "10,0,0,5,004,001"),
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
		} else if (m.ep.ambiguous != c->amb) {
			ok = 0;
			snprintf(why, sizeof(why), " (ambiguous %u)",
				 m.ep.ambiguous);
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

/* ---- differential: address parsers against inet_pton / inet_aton ---- */

/*
 * Deterministic candidates (fixed seed) built from hex digits, ':', '.'
 * and decimal digits, biased towards near-valid forms: structured group
 * lists with zero, one or two "::", eight groups followed by "::", IPv4
 * tails; inet_ntop() output with a few edits; plain random strings.  The
 * parser must accept an EPRT |2| address exactly when glibc's
 * inet_pton(AF_INET6) does, with the same 16 bytes; an EPRT |1| address
 * without ambiguity exactly when inet_pton(AF_INET) does, with the same 4
 * bytes; and set ambiguous on every address it accepts where inet_pton()
 * refuses or inet_aton() reads something else.
 */

static unsigned long long diff_state = 0x9e3779b97f4a7c15ull;

static unsigned int rnd(unsigned int n)
{
	diff_state ^= diff_state << 13;
	diff_state ^= diff_state >> 7;
	diff_state ^= diff_state << 17;
	return n ? (unsigned int)((diff_state >> 11) % n) : 0;
}

struct sbuf {
	char s[96];
	size_t n;
};

static void sb_putc(struct sbuf *b, char c)
{
	if (b->n < sizeof(b->s) - 1)
		b->s[b->n++] = c;
	b->s[b->n] = 0;
}

static void sb_puts(struct sbuf *b, const char *p)
{
	while (*p)
		sb_putc(b, *p++);
}

/* A decimal octet as text: mostly 0..255, sometimes leading zeros. */
static void gen_octet(struct sbuf *b)
{
	unsigned int v = rnd(8) ? rnd(256) : rnd(1000);
	unsigned int nd = rnd(16);
	char tmp[8];

	if (nd == 0)
		return;				/* empty octet */
	if (nd == 1)
		sb_puts(b, rnd(2) ? "0" : "00");	/* leading zero */
	snprintf(tmp, sizeof(tmp), "%u", rnd(16) ? v : v * 10 + rnd(10));
	sb_puts(b, tmp);
}

static void gen_dotted(struct sbuf *b)
{
	unsigned int parts = rnd(10) ? 4 : 3 + 2 * rnd(2);
	unsigned int k;

	for (k = 0; k < parts; k++) {
		if (k)
			sb_putc(b, '.');
		gen_octet(b);
	}
}

static void gen_group(struct sbuf *b)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	unsigned int nd = rnd(12) ? 1 + rnd(4) : rnd(2) ? 0 : 5;
	unsigned int k;

	for (k = 0; k < nd; k++)
		sb_putc(b, rnd(3) ? hex[rnd(sizeof(hex) - 1)] : '0');
}

/* A list of groups and "::" markers, optionally ending in an IPv4 tail. */
static void gen_v6_structured(struct sbuf *b)
{
	unsigned int ngroups = rnd(10);
	unsigned int ngaps = rnd(10) < 4 ? 0 : rnd(10) ? 1 : 2;
	unsigned int gappos[2] = { rnd(ngroups + 1), rnd(ngroups + 1) };
	int tail = rnd(5) == 0;
	int prev_gap = 0;
	unsigned int g, k;

	/* sometimes exactly the form of issue 9: eight groups then "::" */
	if (rnd(16) == 0) {
		ngroups = 8;
		ngaps = 1;
		gappos[0] = 8;
	}
	for (g = 0; g <= ngroups; g++) {
		for (k = 0; k < ngaps; k++) {
			if (gappos[k] == g) {
				sb_puts(b, "::");
				prev_gap = 1;
			}
		}
		if (g == ngroups)
			break;
		if (g && !prev_gap)
			sb_putc(b, ':');
		gen_group(b);
		prev_gap = 0;
	}
	if (tail) {
		if (ngroups && !prev_gap)
			sb_putc(b, ':');
		gen_dotted(b);
	}
	/* stray separators */
	switch (rnd(24)) {
	case 0:
		sb_putc(b, ':');
		break;
	case 1:
		memmove(b->s + 1, b->s, b->n + 1 < sizeof(b->s) - 1 ?
			b->n + 1 : sizeof(b->s) - 2);
		b->s[0] = ':';
		if (b->n < sizeof(b->s) - 2)
			b->n++;
		b->s[b->n] = 0;
		break;
	case 2:
		sb_putc(b, '.');
		break;
	}
}

/* A few insertions, deletions or replacements from @alpha. */
static void mutate(struct sbuf *b, const char *alpha, size_t alen)
{
	unsigned int nmut = rnd(3);
	unsigned int k;

	for (k = 0; k < nmut; k++) {
		size_t pos = b->n ? rnd((unsigned int)b->n + 1) : 0;
		char c = alpha[rnd((unsigned int)alen)];

		switch (rnd(3)) {
		case 0:		/* insert */
			if (b->n >= sizeof(b->s) - 2)
				break;
			memmove(b->s + pos + 1, b->s + pos, b->n - pos);
			b->s[pos] = c;
			b->n++;
			break;
		case 1:		/* delete */
			if (pos < b->n) {
				memmove(b->s + pos, b->s + pos + 1,
					b->n - pos - 1);
				b->n--;
			}
			break;
		default:	/* replace */
			if (pos < b->n)
				b->s[pos] = c;
			break;
		}
		b->s[b->n] = 0;
	}
}

static void gen_random(struct sbuf *b, const char *alpha, size_t alen,
		       unsigned int maxlen)
{
	unsigned int len = rnd(maxlen + 1);
	unsigned int k;

	for (k = 0; k < len; k++)
		sb_putc(b, alpha[rnd((unsigned int)alen)]);
}

static const char v6_alpha[] = "0123456789abcdefABCDEF::::::....";
static const char v4_alpha[] = "0123456789000......x +:";

static void gen_v6(struct sbuf *b)
{
	unsigned int how = rnd(10);

	b->n = 0;
	b->s[0] = 0;
	if (how < 4) {
		gen_v6_structured(b);
	} else if (how < 7) {
		unsigned char a[16];
		unsigned int k;

		/* runs of zero groups, so inet_ntop() writes "::" */
		for (k = 0; k < 16; k += 2) {
			int zero = rnd(3) == 0;

			a[k] = zero ? 0 : (unsigned char)rnd(rnd(2) ? 256 : 2);
			a[k + 1] = zero ? 0 : (unsigned char)rnd(256);
		}
		if (rnd(6) == 0) {	/* ::ffff:a.b.c.d and ::a.b.c.d */
			memset(a, 0, 10);
			a[10] = a[11] = rnd(2) ? 0xff : 0;
		}
		inet_ntop(AF_INET6, a, b->s, sizeof(b->s));
		b->n = strlen(b->s);
		mutate(b, v6_alpha, sizeof(v6_alpha) - 1);
	} else {
		gen_random(b, v6_alpha, sizeof(v6_alpha) - 1, 45);
	}
}

static void gen_v4(struct sbuf *b)
{
	unsigned int how = rnd(10);

	b->n = 0;
	b->s[0] = 0;
	if (how < 6) {
		gen_dotted(b);
		if (rnd(4) == 0)
			mutate(b, v4_alpha, sizeof(v4_alpha) - 1);
	} else {
		gen_random(b, v4_alpha, sizeof(v4_alpha) - 1, 20);
	}
}

/* Parse "EPRT |af|addr|1025|" from an exact-size heap copy. */
static enum ftp_parse_result parse_eprt_addr(char af, const char *addr,
					     size_t alen, struct ftp_match *m)
{
	size_t len = 8 + alen + 6;
	char *heap = malloc(len);
	enum ftp_parse_result r;

	if (!heap)
		abort();
	memcpy(heap, "EPRT |2|", 8);
	heap[6] = af;
	memcpy(heap + 8, addr, alen);
	memcpy(heap + 8 + alen, "|1025|", 6);
	r = ftp_parse_line(heap, (unsigned int)len, CL, m);
	free(heap);
	return r;
}

#define DIFF_V6		1200000
#define DIFF_V4		600000
#define DIFF_TUPLE	300000

static void check_differential_v6(void)
{
	struct sbuf b;
	struct ftp_match m;
	unsigned char want[16];
	unsigned int i, fails = 0, accepted = 0, tails = 0, eight_gap = 0;
	char first[96] = "";

	for (i = 0; i < DIFF_V6; i++) {
		enum ftp_parse_result r;
		int ref;

		gen_v6(&b);
		ref = inet_pton(AF_INET6, b.s, want) == 1;
		r = parse_eprt_addr('2', b.s, b.n, &m);
		if (ref) {
			accepted++;
			if (strchr(b.s, '.'))
				tails++;
		}
		if (b.n > 2 && !strcmp(b.s + b.n - 2, "::") &&
		    strchr(b.s, ':') != b.s) {
			unsigned int colons = 0, k;

			for (k = 0; k < b.n; k++)
				colons += b.s[k] == ':';
			if (colons == 9 && !strstr(b.s, ":::"))
				eight_gap++;
		}
		if (ref ? r == OK && m.ep.family == FTP_FAMILY_IPV6 &&
			  !m.ep.ambiguous && !memcmp(m.ep.addr, want, 16)
			: r == BAD)
			continue;
		if (!fails++)
			snprintf(first, sizeof(first), "%s", b.s);
	}
	tap(fails == 0 && accepted > DIFF_V6 / 5 && tails > 1000 &&
	    eight_gap > 1000,
	    "differential IPv6 vs inet_pton: %u candidates, %u valid "
	    "(%u with an IPv4 tail), %u of form h:h:h:h:h:h:h:h::, "
	    "%u disagreements%s%s", DIFF_V6, accepted, tails, eight_gap,
	    fails, fails ? ", first: " : "", first);
}

/*
 * Shared by the EPRT |1| and the PORT/227 checks: @dotted is the address
 * as a dotted quad, the parser accepted it as @ep.
 */
static int v4_oracle_ok(const char *dotted, const struct ftp_endpoint *ep,
			unsigned int *aton_differs)
{
	unsigned char pton[4];
	struct in_addr aton;
	int ref = inet_pton(AF_INET, dotted, pton) == 1;
	int same_aton = inet_aton(dotted, &aton) == 1 &&
			!memcmp(&aton, ep->addr, 4);

	if (!same_aton)
		(*aton_differs)++;
	/* inet_aton() reading another address is always flagged */
	if (!same_aton && !ep->ambiguous)
		return 0;
	/* unflagged exactly when inet_pton() agrees */
	if (ref)
		return !ep->ambiguous && !memcmp(pton, ep->addr, 4);
	return ep->ambiguous;
}

static void check_differential_v4(void)
{
	struct sbuf b;
	struct ftp_match m;
	unsigned char want[4];
	unsigned int i, fails = 0, accepted = 0, amb = 0, aton_differs = 0;
	char first[96] = "";

	for (i = 0; i < DIFF_V4; i++) {
		enum ftp_parse_result r;
		int ref, ok;

		gen_v4(&b);
		ref = inet_pton(AF_INET, b.s, want) == 1;
		r = parse_eprt_addr('1', b.s, b.n, &m);
		accepted += ref;
		if (r == OK) {
			amb += m.ep.ambiguous;
			ok = m.ep.family == FTP_FAMILY_IPV4 &&
			     v4_oracle_ok(b.s, &m.ep, &aton_differs);
		} else {
			ok = r == BAD && !ref;
		}
		if (ok)
			continue;
		if (!fails++)
			snprintf(first, sizeof(first), "%s", b.s);
	}
	tap(fails == 0 && accepted > DIFF_V4 / 10 && amb > 1000 &&
	    aton_differs > 1000,
	    "differential IPv4 vs inet_pton/inet_aton: %u candidates, %u "
	    "valid, %u ambiguous (%u read otherwise by inet_aton), "
	    "%u disagreements%s%s", DIFF_V4, accepted, amb, aton_differs,
	    fails, fails ? ", first: " : "", first);
}

/* PORT and 227 tuples: h1..h4 judged as a dotted quad, p1, p2 never. */
static void check_differential_tuple(void)
{
	unsigned int i, fails = 0, accepted = 0, amb = 0, aton_differs = 0;
	unsigned int port_lead0 = 0;
	char first[128] = "";

	for (i = 0; i < DIFF_TUPLE; i++) {
		struct sbuf num[6], dotted = { .n = 0 };
		struct ftp_match mp, mv;
		char port[128], pasv[128];
		int plen, vlen, ok, rp, rv;
		unsigned int k;

		for (k = 0; k < 6; k++) {
			num[k].n = 0;
			num[k].s[0] = 0;
			while (!num[k].n)
				gen_octet(&num[k]);
			if (k < 4) {
				if (k)
					sb_putc(&dotted, '.');
				sb_puts(&dotted, num[k].s);
			}
		}
		plen = snprintf(port, sizeof(port), "PORT %s,%s,%s,%s,%s,%s\r",
				num[0].s, num[1].s, num[2].s, num[3].s,
				num[4].s, num[5].s);
		vlen = snprintf(pasv, sizeof(pasv),
				"227 Entering Passive Mode (%s,%s,%s,%s,%s,%s).\r",
				num[0].s, num[1].s, num[2].s, num[3].s,
				num[4].s, num[5].s);
		rp = ftp_parse_line(port, (unsigned int)plen, CL, &mp);
		rv = ftp_parse_line(pasv, (unsigned int)vlen, SV, &mv);
		ok = rp == rv;
		if (ok && rp == OK) {
			accepted++;
			amb += mp.ep.ambiguous;
			if ((num[4].n > 1 && num[4].s[0] == '0') ||
			    (num[5].n > 1 && num[5].s[0] == '0'))
				port_lead0++;
			ok = mp.ep.ambiguous == mv.ep.ambiguous &&
			     mp.ep.port == mv.ep.port &&
			     !memcmp(mp.ep.addr, mv.ep.addr, 16) &&
			     v4_oracle_ok(dotted.s, &mp.ep, &aton_differs);
		}
		if (ok)
			continue;
		if (!fails++)
			snprintf(first, sizeof(first), "%s", port);
	}
	tap(fails == 0 && accepted > DIFF_TUPLE / 4 && amb > 1000 &&
	    port_lead0 > 1000,
	    "differential PORT/227 h1..h4 vs inet_pton/inet_aton: %u tuples, "
	    "%u valid, %u ambiguous (%u read otherwise by inet_aton), %u "
	    "with a leading zero in p1/p2, %u disagreements%s%s", DIFF_TUPLE, accepted, amb, aton_differs,
	    port_lead0, fails, fails ? ", first: " : "", show(first,
	    strlen(first)));
}

int main(void)
{
	unsigned int i;

	printf("TAP version 13\n");
	printf("1..%zu\n", sizeof(pcases) / sizeof(pcases[0]) +
	       sizeof(icases) / sizeof(icases[0]) +
	       sizeof(rcases) / sizeof(rcases[0]) + 10 + 6 + 3);

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
	check_differential_v6();
	check_differential_v4();
	check_differential_tuple();

	if (tests_failed)
		fprintf(stderr, "%d of %d tests failed\n", tests_failed,
			tests_run);
	return tests_failed ? 1 : 0;
}

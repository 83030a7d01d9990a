#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scripted FTP peer for the ftpalg policy selftests.

  policy_peer.py session HOST PORT [--wait S] [--pause-file PATH] LINE...
      Log in anonymously, then send every LINE and wait for its final
      reply: up to S seconds (default 2) for the last LINE, the one a
      test may expect to go unanswered; the greeting, the login and the
      lines before the last are to be answered and get a bound that only
      catches a hang (60 s x FTPALG_TIME_SCALE).  The special line
      "@pause" prints PAUSED and waits until PATH exists (at most 600 s x
      FTPALG_TIME_SCALE).  A 1xx reply is followed by the final one
      (RETR).  Prints, as KTAP diagnostics:
          # policy_peer: local ADDR PORT
          # policy_peer: LINE -> CODE TEXT
          # policy_peer: RESULT ok|noreply|reset|closed ELAPSED <seconds>
      ELAPSED is the time from sending the last line to the outcome.
      Exit status: 0 every line was answered, 3 no reply in time, 4 the
      connection was reset, 5 closed, 1 other error, 2 usage.  A session
      that fails is aborted with a RST (SO_LINGER 0), so no orphaned
      retransmission of a refused line keeps reaching the router.

  policy_peer.py listen PORT [--addr ::]
      The "third host": accept TCP connections on PORT (dual stack) and
      print "# policy_peer: CONNECTION from ADDR PORT to ADDR PORT" for each,
      until killed.  Prints "# policy_peer: LISTENING" once ready.

Only the python standard library is used.
"""

import argparse
import socket
import struct
import sys
import time

from ftp_control import (Control, Closed, NoReply, PeerError, TIME_SCALE,
                         logger, wait_pause)

# seconds a reply that must come may take: only a hang waits this long
ANSWER_WAIT = 60 * TIME_SCALE

log = logger("policy_peer")


class Outcome(Exception):
    def __init__(self, kind, status):
        Exception.__init__(self, kind)
        self.kind = kind
        self.status = status


class Session(Control):
    def __init__(self, host, port):
        Control.__init__(self, host, port, ANSWER_WAIT, log)
        log("local %s %d" % (self.local[0], self.local[1]))

    def final_reply(self, wait):
        """Final reply (skipping 1xx), as (code, text)."""
        deadline = time.monotonic() + wait
        while True:
            code, lines = self.reply(max(deadline - time.monotonic(), 0))
            if code >= 200 or code == 0:
                return code, " | ".join(lines)
            log("preliminary %s" % " | ".join(lines))

    def cmd(self, line, wait):
        self.send_line(line)
        code, text = self.final_reply(wait)
        log("%s -> %s" % (line, text))
        return code

    def abort(self):
        """Close with a RST: nothing left to retransmit."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
            self.sock.close()
        except OSError:
            pass


def outcome(e):
    """The Outcome of a failed session step."""
    if isinstance(e, Outcome):
        return e
    if isinstance(e, NoReply):
        return Outcome("noreply", 3)
    if isinstance(e, Closed):
        return Outcome("closed", 5)
    if isinstance(e, ConnectionResetError):
        return Outcome("reset", 4)
    if isinstance(e, ConnectionRefusedError):
        return Outcome("refused", 1)
    if isinstance(e, socket.timeout):
        return Outcome("noreply", 3)
    if isinstance(e, PeerError):
        return Outcome(str(e), 1)
    return None


def session(args):
    t0 = time.monotonic()
    ctl = None
    try:
        ctl = Session(args.host, args.port)
        if ctl.final_reply(ANSWER_WAIT)[0] != 220:
            raise Outcome("no 220 greeting", 1)
        code = ctl.cmd("USER anonymous", ANSWER_WAIT)
        if code == 331:
            code = ctl.cmd("PASS selftest@", ANSWER_WAIT)
        if code != 230:
            raise Outcome("login refused", 1)
        last = len(args.lines) - 1
        for i, line in enumerate(args.lines):
            if line == "@pause":
                if not args.pause_file:
                    raise Outcome("@pause needs --pause-file", 2)
                wait_pause(args.pause_file, log, 600)
                continue
            t0 = time.monotonic()
            ctl.cmd(line, args.wait if i == last else ANSWER_WAIT)
    except (PeerError, OSError, Outcome) as e:
        o = outcome(e)
        if o:
            log("RESULT %s ELAPSED %.2f" % (o.kind, time.monotonic() - t0))
        else:
            log("RESULT error %s ELAPSED %.2f" % (e, time.monotonic() - t0))
        if ctl:
            ctl.abort()
        return o.status if o else 1
    log("RESULT ok ELAPSED %.2f" % (time.monotonic() - t0))
    try:
        ctl.cmd("QUIT", args.wait)
    except (PeerError, OSError):
        pass
    ctl.sock.close()
    return 0


def listen(args):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind((args.addr, args.port))
    srv.listen(16)
    log("LISTENING")
    while True:
        conn, peer = srv.accept()
        loc = conn.getsockname()
        log("CONNECTION from %s %d to %s %d" % (peer[0].replace("::ffff:", ""),
                                                peer[1],
                                                loc[0].replace("::ffff:", ""),
                                                loc[1]))
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="action", required=True)
    s = sub.add_parser("session")
    s.add_argument("host")
    s.add_argument("port", type=int)
    s.add_argument("--wait", type=float, default=2.0)
    s.add_argument("--pause-file")
    s.add_argument("lines", nargs="+")
    li = sub.add_parser("listen")
    li.add_argument("port", type=int)
    li.add_argument("--addr", default="::")
    args = ap.parse_args()
    if args.action == "session":
        return session(args)
    return listen(args)


if __name__ == "__main__":
    sys.exit(main())

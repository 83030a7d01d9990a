#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scripted FTP peer for the ftpalg policy selftests.

  policy_peer.py session HOST PORT [--wait S] [--pause-file PATH] LINE...
      Log in anonymously, then send every LINE and wait up to S seconds
      (default 2) for its final reply.  The special line "@pause" prints
      PAUSED and waits until PATH exists.  A 1xx reply is followed by the
      final one (RETR).  Prints, as KTAP diagnostics:
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
import os
import socket
import struct
import sys
import time

# waits for the test's progress stretch on a slow kernel (make check-debug)
TIME_SCALE = float(os.environ.get("FTPALG_TIME_SCALE", "1"))


def log(msg):
    sys.stdout.write("# policy_peer: %s\n" % msg)
    sys.stdout.flush()


class Outcome(Exception):
    def __init__(self, kind, status):
        Exception.__init__(self, kind)
        self.kind = kind
        self.status = status


class Control:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        loc = self.sock.getsockname()
        log("local %s %d" % (loc[0], loc[1]))

    def _line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Outcome("noreply", 3)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                raise Outcome("noreply", 3)
            except ConnectionResetError:
                raise Outcome("reset", 4)
            if not chunk:
                raise Outcome("closed", 5)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def reply(self, wait):
        """Final reply (skipping 1xx), as (code, text)."""
        deadline = time.monotonic() + wait
        while True:
            line = self._line(deadline)
            text = [line]
            if len(line) >= 4 and line[3] == "-":
                while not text[-1].startswith(line[:3] + " "):
                    text.append(self._line(deadline))
            code = int(line[:3]) if line[:3].isdigit() else 0
            if code >= 200 or code == 0:
                return code, " | ".join(text)
            log("preliminary %s" % " | ".join(text))

    def cmd(self, line, wait):
        try:
            self.sock.sendall(line.encode("latin-1") + b"\r\n")
        except ConnectionResetError:
            raise Outcome("reset", 4)
        code, text = self.reply(wait)
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


def wait_pause(path):
    log("PAUSED waiting for %s" % path)
    deadline = time.monotonic() + 120 * TIME_SCALE
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise Outcome("pause file never appeared", 1)
        time.sleep(0.05)
    log("resumed")


def session(args):
    t0 = time.monotonic()
    ctl = None
    try:
        try:
            ctl = Control(args.host, args.port, args.wait + 3)
        except ConnectionRefusedError:
            raise Outcome("refused", 1)
        except socket.timeout:
            raise Outcome("noreply", 3)
        if ctl.reply(args.wait + 3)[0] != 220:
            raise Outcome("no 220 greeting", 1)
        code = ctl.cmd("USER anonymous", args.wait + 3)
        if code == 331:
            code = ctl.cmd("PASS selftest@", args.wait + 3)
        if code != 230:
            raise Outcome("login refused", 1)
        for line in args.lines:
            if line == "@pause":
                if not args.pause_file:
                    raise Outcome("@pause needs --pause-file", 2)
                wait_pause(args.pause_file)
                continue
            t0 = time.monotonic()
            ctl.cmd(line, args.wait)
    except Outcome as o:
        log("RESULT %s ELAPSED %.2f" % (o.kind, time.monotonic() - t0))
        if ctl:
            ctl.abort()
        return o.status
    except OSError as e:
        log("RESULT error %s ELAPSED %.2f" % (e, time.monotonic() - t0))
        if ctl:
            ctl.abort()
        return 1
    log("RESULT ok ELAPSED %.2f" % (time.monotonic() - t0))
    try:
        ctl.cmd("QUIT", args.wait)
    except (Outcome, OSError):
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

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scripted raw FTP client for the ftpalg selftests.

It produces control-channel byte streams that ordinary clients never do:
commands written in several small TCP segments, pipelined commands in one
write, malformed PORT/EPRT arguments, and a pause between the PORT/PASV
exchange and the data transfer so the test can inspect the expectation
table, or an idle control connection between login and the transfer
(--idle-file: a failover test moves the connection meanwhile).  Only the
python standard library is used.

  ftp_peer.py HOST PORT get --mode port|eprt|pasv|epsv --file NAME
              [--expect LOCALFILE] [--split 2,7,-2] [--gap 0.05]
              [--pipeline] [--pause-file PATH] [--idle-file PATH]
  ftp_peer.py HOST PORT malformed --line 'PORT 1,2,3' [--line ...]
              [--then-mode port|eprt|pasv|epsv --file NAME
               --expect LOCALFILE [--idle-file PATH]]

--line and the commands accept python escapes (\\x00, \\r, ...).  Every
line of output is prefixed with "# " (KTAP diagnostics).  Exit status: 0
when every step had the expected outcome, 1 otherwise, 2 on usage errors.
"""

import argparse
import os
import select
import socket
import sys
import time

from ftp_control import (Control, Closed, PeerError, TIME_SCALE, logger,
                         wait_pause)

# bounds that only catch a hang: seconds a reply or connection may take,
# and a pause or idle file to appear (x FTPALG_TIME_SCALE)
TIMEOUT = float(os.environ.get("FTP_PEER_TIMEOUT", 60 * TIME_SCALE))
PAUSE_MAX = float(os.environ.get("FTP_PEER_PAUSE_MAX", "600"))

log = logger("ftp_peer")


class ScriptedControl(Control):
    def __init__(self, host, port):
        Control.__init__(self, host, port, TIMEOUT, log)
        log("control %s -> %s" % (self.local[:2], self.peer[:2]))

    def send(self, data, split=None, gap=0.05):
        """Write data, optionally as several segments cut at offsets."""
        cuts = []
        for off in split or []:
            off = off if off >= 0 else len(data) + off
            if 0 < off < len(data):
                cuts.append(off)
        cuts = sorted(set(cuts))
        pieces, last = [], 0
        for off in cuts + [len(data)]:
            pieces.append(data[last:off])
            last = off
        for i, piece in enumerate(pieces):
            if i:
                time.sleep(gap)
            self.sock.sendall(piece)
        log("sent %r in %d write(s)" % (data, len(pieces)))

    def reply(self, timeout=TIMEOUT):
        """Read one (possibly multi-line) reply; return (code, text)."""
        code, lines = Control.reply(self, timeout)
        log("reply %s" % " | ".join(lines))
        return code, "\n".join(lines)

    def expect(self, want, timeout=TIMEOUT):
        code, text = self.reply(timeout)
        if code != want:
            raise PeerError("expected %d, got %r" % (want, text))
        return code, text

    def cmd(self, line, want=None, split=None, gap=0.05):
        self.send(line.encode("latin-1") + b"\r\n", split, gap)
        if want is None:
            return self.reply()
        return self.expect(want)

    def login(self):
        self.expect(220)
        code, _ = self.cmd("USER anonymous")
        if code == 331:
            self.cmd("PASS selftest@", 230)
        elif code != 230:
            raise PeerError("login refused")

    def noop_ok(self):
        """NOOP must be answered by 200; skip stale replies of earlier lines."""
        self.send(b"NOOP\r\n")
        for _ in range(16):
            code, _ = self.reply()
            if code == 200:
                return True
        return False


def parse_227(text):
    start = text.find("(")
    body = text[start + 1:] if start >= 0 else text[4:]
    nums, cur = [], ""
    for ch in body:
        if ch.isdigit():
            cur += ch
        elif cur:
            nums.append(int(cur))
            cur = ""
            if len(nums) == 6:
                break
    if cur and len(nums) < 6:
        nums.append(int(cur))
    if len(nums) < 6:
        raise PeerError("cannot parse 227: %r" % text)
    return "%d.%d.%d.%d" % tuple(nums[:4]), nums[4] * 256 + nums[5]


def parse_229(text):
    start = text.find("(")
    if start < 0:
        raise PeerError("cannot parse 229: %r" % text)
    d = text[start + 1]
    fields = text[start + 1:].split(d)
    return int(fields[3])


def pause(path, state="PAUSED"):
    if path:
        wait_pause(path, log, PAUSE_MAX, state)


def server_connection(ctl, listener):
    """Accept the server's data connection after RETR: (socket, address,
    whether the 150 reply came first).  A final reply instead (vsftpd:
    425 once it gave up connecting) is the failure's own evidence."""
    deadline = time.monotonic() + TIMEOUT
    opened = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise PeerError("server never connected (nor replied)")
        ready = [ctl.sock] if b"\n" in ctl.buf else \
            select.select([listener, ctl.sock], [], [], left)[0]
        if listener in ready:
            data, addr = listener.accept()
            return data, addr, opened
        if ready:
            code, text = ctl.reply()
            if code != 150:
                raise PeerError("server never connected (%s)" % text)
            opened = True


def send_setup(ctl, args, line):
    """Send the PORT/EPRT/PASV/EPSV line cut as --split says, with --pipeline
    after TYPE I and NOOP in the same write (and read their replies)."""
    split = [int(x) for x in args.split.split(",")] if args.split else []
    prefix = b"TYPE I\r\nNOOP\r\n" if args.pipeline else b""
    ctl.send(prefix + line.encode() + b"\r\n",
             [len(prefix) + s if s >= 0 else s for s in split], args.gap)
    if args.pipeline:
        ctl.expect(200)
        ctl.expect(200)


def transfer(ctl, args):
    """Set up the data connection as args.mode says and RETR args.file."""
    listener = None
    data = None
    mode = args.mode
    if not args.pipeline:
        ctl.cmd("TYPE I", 200)

    if mode in ("port", "eprt"):
        listener = socket.socket(ctl.family, socket.SOCK_STREAM)
        listener.bind((ctl.local[0], 0))
        listener.listen(1)
        listener.settimeout(TIMEOUT)
        port = listener.getsockname()[1]
        if mode == "port":
            if ctl.family != socket.AF_INET:
                raise PeerError("PORT needs IPv4")
            line = "PORT %s,%d,%d" % (ctl.local[0].replace(".", ","),
                                     port >> 8, port & 255)
        else:
            af = 1 if ctl.family == socket.AF_INET else 2
            line = "EPRT |%d|%s|%d|" % (af, ctl.local[0], port)
        send_setup(ctl, args, line)
        ctl.expect(200)
        pause(args.pause_file)
        ctl.send(("RETR %s\r\n" % args.file).encode())
        data, addr, opened = server_connection(ctl, listener)
        log("data connection from %s" % (addr[:2],))
    else:
        send_setup(ctl, args, "PASV" if mode == "pasv" else "EPSV")
        if mode == "pasv":
            _, text = ctl.expect(227)
            host, port = parse_227(text)
        else:
            _, text = ctl.expect(229)
            host, port = ctl.peer[0], parse_229(text)
        log("announced data endpoint %s port %d" % (host, port))
        pause(args.pause_file)
        data = socket.create_connection((host, port), timeout=TIMEOUT)
        ctl.send(("RETR %s\r\n" % args.file).encode())
        opened = False

    data.settimeout(TIMEOUT)
    if not opened:
        ctl.expect(150)
    got = bytearray()
    while True:
        chunk = data.recv(65536)
        if not chunk:
            break
        got += chunk
    data.close()
    if listener:
        listener.close()
    ctl.expect(226)
    log("received %d bytes" % len(got))
    if args.expect:
        with open(args.expect, "rb") as f:
            want = f.read()
        if bytes(got) != want:
            raise PeerError("content differs (%d vs %d bytes)" %
                            (len(got), len(want)))
        log("content matches %s" % args.expect)


def add_get_options(p, prefix=""):
    p.add_argument("--" + prefix + "mode",
                   choices=("port", "eprt", "pasv", "epsv"), dest="mode",
                   required=not prefix)
    p.add_argument("--file", default="data.bin")
    p.add_argument("--expect")
    p.add_argument("--split", help="comma separated cut offsets of the "
                   "PORT/EPRT/PASV/EPSV line (negative: from its end)")
    p.add_argument("--gap", type=float, default=0.05)
    p.add_argument("--pipeline", action="store_true",
                   help="send TYPE I and NOOP in the same write")
    p.add_argument("--pause-file")
    p.add_argument("--idle-file", help="wait for this file (logs IDLE) "
                   "before the transfer")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    sub = ap.add_subparsers(dest="action", required=True)
    g = sub.add_parser("get")
    add_get_options(g)
    m = sub.add_parser("malformed")
    m.add_argument("--line", action="append", default=[])
    add_get_options(m, "then-")
    args = ap.parse_args()

    try:
        ctl = ScriptedControl(args.host, args.port)
        ctl.login()
        if args.action == "malformed":
            for raw in args.line:
                line = raw.encode("latin-1").decode("unicode_escape")
                ctl.send(line.encode("latin-1") + b"\r\n")
                try:
                    ctl.reply(3)
                except Closed:
                    raise
                except PeerError as e:
                    log("no reply to %r (%s)" % (line, e))
            if not ctl.noop_ok():
                raise PeerError("NOOP after malformed lines not answered")
            log("NOOP answered: control connection usable")
            if args.mode:
                pause(args.idle_file, "IDLE")
                transfer(ctl, args)
        else:
            pause(args.idle_file, "IDLE")
            transfer(ctl, args)
        ctl.cmd("QUIT")
    except (PeerError, OSError) as e:
        log("FAIL: %s" % e)
        return 1
    log("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

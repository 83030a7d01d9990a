#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scripted raw FTP peer for the adversarial ftpalg selftests.

One side of an FTP control connection whose bytes and segment boundaries
the test chooses: a fake server (listens, answers with scripted replies:
unsolicited 227/229, multi-line replies, 234 then binary, replies cut at
any byte position) or a fake client (split or pipelined commands, lines
that start a segment but not a line, over-long lines, PORT floods, bytes
in the wrong direction).  Every write is a separate send() on a
TCP_NODELAY socket followed by a short pause, so that each piece leaves
as its own segment.  Only the python standard library is used.

  raw_peer.py server [--listen ADDR] [--port 21] [--no-greet] STEP...
  raw_peer.py client HOST [PORT] [--no-greet] STEP...
  raw_peer.py batch server|client DIR

Batch mode runs one scenario after the other in one process (python
starts slowly in an emulated VM): DIR/K.ROLE holds the NUL separated
arguments of scenario K (log file first, then the server/client
arguments) and is read once DIR/K.ROLE.go exists; the exit status is
written to DIR/K.ROLE.rc.  DIR/K.abort stops scenario K, DIR/end ends.

The server accepts one connection, sends "220 raw_peer ready" (unless
--no-greet) and runs the steps; the client connects, waits for a 220
(unless --no-greet) and runs the steps.  STEP is OP or OP:ARG; TEXT
arguments take python escapes (\\r\\n, \\x00, \\xff).

  send:TEXT           one write
  cuts:OFFS:TEXT      writes cut at the comma separated offsets OFFS
                      (negative: from the end), --gap apart
  bytewise:TEXT       one write per byte
  gap:SEC             pause between pieces (default 0.08)
  rand:N[:PREFIX]     PREFIX + N random bytes in one write
  tls:N               a TLS application-data record with N random bytes
  recv:REGEX          read lines until one matches (re.search, latin-1);
                      other lines are logged and skipped
  recvbytes:N         read exactly N bytes (binary), whatever they are
  norecv:SEC[:REGEX]  for SEC seconds no line matching REGEX (anything,
                      if REGEX is empty) may arrive
  timeout:SEC         how long recv waits (default 8)
  noop                send NOOP, then recv "^200 NOOP"
  sleep:SEC
  mark:NAME           print "MARK NAME"
  pause:NAME          print "PAUSED NAME", wait until $RAW_PEER_SYNC/NAME
                      exists (at most 60 s)
  listen:PORT         open a data listener on the control connection's
                      local address
  accept:SEC          the listener must get a connection within SEC
  noaccept:SEC        ... and must not
  connect:SEC:PORT[:HOST]    a data connection to HOST (default: the
                      control peer's address) must succeed within SEC
  noconnect:SEC:PORT[:HOST]  ... and must not
  serve               (server) answer every line until EOF or QUIT:
                      NOOP 200, USER 230, PORT/EPRT 200, PASV 227 (own
                      address, ports from 40000), EPSV 229, EPSV ALL 200,
                      QUIT 221, anything else 500
  close               close the control connection
  eof:SEC             the peer must close within SEC

Every output line starts with "# raw_peer[ROLE]:" (KTAP diagnostics).
Before "serve" the server prints "STEPS OK", so a test can judge the
scripted part even if it kills a server still serving.  Exit status:
0 every step had the expected outcome, 1 a step's expectation failed,
2 usage error, 3 connection error (cannot listen/connect, reset, closed
early).
"""

import os
import re
import select
import socket
import struct
import sys
import time

# waits for the test's progress stretch on a slow kernel (make check-debug)
TIME_SCALE = float(os.environ.get("FTPALG_TIME_SCALE", "1"))

ROLE = "peer"
OUT = sys.stdout
ABORT = None		# batch mode: this file's appearance aborts the scenario


def log(msg):
    OUT.write("# raw_peer[%s]: %s\n" % (ROLE, msg))
    OUT.flush()


class StepFailed(Exception):
    pass


class Aborted(Exception):
    pass


def check_abort():
    if ABORT and os.path.exists(ABORT):
        raise Aborted()


class ConnError(Exception):
    pass


def unescape(text):
    return text.encode("latin-1", "backslashreplace").decode(
        "unicode_escape").encode("latin-1")


def short(data, n=120):
    r = repr(bytes(data))
    return r if len(r) <= n else r[:n] + "...(%d bytes)" % len(data)


class Peer:
    def __init__(self, sock):
        self.sock = sock
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False
        self.gap = 0.08
        self.timeout = 8.0
        self.local = sock.getsockname()
        self.peer = sock.getpeername()
        self.family = sock.family
        self.listener = None
        self.pasv_port = 40000
        log("control %s -> %s" % (self.local[:2], self.peer[:2]))

    # ---------------------------------------------------------- output
    def write(self, pieces):
        for i, piece in enumerate(pieces):
            if i:
                time.sleep(self.gap)
            if not piece:
                continue
            try:
                self.sock.sendall(piece)
            except OSError as e:
                raise ConnError("send: %s" % e)
        log("sent %s in %d write(s)" % (short(b"".join(pieces)),
                                        len([p for p in pieces if p])))
        # let the last piece leave on its own before the next step writes
        time.sleep(self.gap)

    # ----------------------------------------------------------- input
    def _fill(self, deadline):
        """Read once; False on timeout."""
        left = deadline - time.monotonic()
        if left <= 0 or self.eof:
            return False
        r = []
        while not r:
            check_abort()
            r, _, _ = select.select([self.sock], [], [], min(left, 0.2))
            left = deadline - time.monotonic()
            if not r and left <= 0:
                return False
        try:
            chunk = self.sock.recv(65536)
        except OSError as e:
            raise ConnError("recv: %s" % e)
        if not chunk:
            self.eof = True
            log("peer closed the connection")
            return False
        self.buf += chunk
        return True

    def line(self, deadline):
        """Next line (with its LF stripped of CR), or None on timeout/EOF."""
        while b"\n" not in self.buf:
            if not self._fill(deadline):
                if self.eof and self.buf:
                    data, self.buf = self.buf, b""
                    return data.decode("latin-1")
                return None
        data, self.buf = self.buf.split(b"\n", 1)
        return data.rstrip(b"\r").decode("latin-1")

    def recv(self, regex):
        deadline = time.monotonic() + self.timeout
        pat = re.compile(regex)
        while True:
            ln = self.line(deadline)
            if ln is None:
                why = "connection closed" if self.eof else "timeout"
                raise StepFailed("%s waiting for /%s/" % (why, regex))
            if pat.search(ln):
                log("recv %s (matches /%s/)" % (short(ln.encode("latin-1")),
                                                 regex))
                return ln
            log("recv %s (skipped)" % short(ln.encode("latin-1")))

    def recvbytes(self, n):
        deadline = time.monotonic() + self.timeout
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise StepFailed("%d of %d bytes before %s" % (
                    len(self.buf), n,
                    "the connection closed" if self.eof else "the timeout"))
        data, self.buf = self.buf[:n], self.buf[n:]
        log("recv %d bytes %s" % (n, short(data, 40)))

    def norecv(self, secs, regex):
        deadline = time.monotonic() + secs
        pat = re.compile(regex) if regex else None
        while True:
            try:
                ln = self.line(deadline)
            except ConnError as e:
                # the peer gave up (e.g. reset after its own steps)
                log("nothing matching /%s/ before %s" % (regex, e))
                return
            if ln is None:
                log("nothing matching /%s/ within %ss" % (regex, secs))
                return
            log("recv %s" % short(ln.encode("latin-1")))
            if pat is None or pat.search(ln):
                raise StepFailed("received %r (must not: /%s/)" % (ln, regex))

    # ------------------------------------------------------------ data
    def data_addr(self, host):
        return host if host else self.peer[0]

    def connect(self, secs, port, host, want):
        host = self.data_addr(host)
        try:
            s = socket.create_connection((host, port), timeout=secs)
        except OSError as e:
            if want:
                raise StepFailed("data connection to %s port %d: %s" %
                                 (host, port, e))
            log("data connection to %s port %d failed as it must (%s)" %
                (host, port, e))
            return
        s.close()
        if not want:
            raise StepFailed("data connection to %s port %d succeeded" %
                             (host, port))
        log("data connection to %s port %d established" % (host, port))

    def accept(self, secs, want):
        if not self.listener:
            raise StepFailed("accept without listen")
        self.listener.settimeout(secs)
        try:
            s, addr = self.listener.accept()
        except socket.timeout:
            if want:
                raise StepFailed("no data connection within %ss" % secs)
            log("no data connection within %ss, as it must" % secs)
            return
        s.close()
        if not want:
            raise StepFailed("data connection from %s arrived" % (addr[:2],))
        log("data connection from %s" % (addr[:2],))

    # ----------------------------------------------------------- serve
    def auto_reply(self, ln):
        # Telnet IAC sequences and NULs before the verb, as a server would
        ln = re.sub("\xff.", "", ln, flags=re.S).replace("\x00", "")
        words = ln.strip("\r ").split()
        verb = words[0].upper() if words else ""
        if verb == "NOOP":
            return "200 NOOP ok"
        if verb == "USER":
            return "230 Login successful"
        if verb in ("PORT", "EPRT"):
            return "200 %s command successful" % verb
        if verb == "PASV" and self.family == socket.AF_INET:
            p = self.pasv_port
            self.pasv_port += 1
            return "227 Entering Passive Mode (%s,%d,%d)" % (
                self.local[0].replace(".", ","), p >> 8, p & 255)
        if verb == "EPSV":
            if len(words) > 1 and words[1].upper() == "ALL":
                return "200 EPSV ALL ok"
            p = self.pasv_port
            self.pasv_port += 1
            return "229 Entering Extended Passive Mode (|||%d|)" % p
        if verb == "QUIT":
            return "221 Goodbye"
        return "500 Unknown command"

    def serve(self):
        deadline = time.monotonic() + 120
        while True:
            try:
                ln = self.line(deadline)
            except Aborted:
                log("stopped while serving")
                return
            except ConnError as e:
                # the scripted part is over: the client may just be gone
                log("connection ended while serving: %s" % e)
                return
            if ln is None:
                return
            log("recv %s" % short(ln.encode("latin-1")))
            reply = self.auto_reply(ln)
            try:
                self.write([reply.encode("latin-1") + b"\r\n"])
            except ConnError as e:
                log("connection ended while serving: %s" % e)
                return
            if reply.startswith("221"):
                return


def run_step(p, step):
    op, _, arg = step.partition(":")
    if op == "send":
        p.write([unescape(arg)])
    elif op == "cuts":
        offs, _, text = arg.partition(":")
        data = unescape(text)
        cuts = set()
        for o in offs.split(","):
            if not o:
                continue
            o = int(o)
            o = o if o >= 0 else len(data) + o
            if 0 < o < len(data):
                cuts.add(o)
        pieces, last = [], 0
        for o in sorted(cuts) + [len(data)]:
            pieces.append(data[last:o])
            last = o
        p.write(pieces)
    elif op == "bytewise":
        data = unescape(arg)
        p.write([data[i:i + 1] for i in range(len(data))])
    elif op == "gap":
        p.gap = float(arg)
    elif op == "rand":
        n, _, prefix = arg.partition(":")
        p.write([unescape(prefix) + os.urandom(int(n))])
    elif op == "tls":
        n = int(arg)
        p.write([b"\x17\x03\x03" + n.to_bytes(2, "big") + os.urandom(n)])
    elif op == "recv":
        p.recv(arg)
    elif op == "norecv":
        secs, _, regex = arg.partition(":")
        p.norecv(float(secs), regex)
    elif op == "recvbytes":
        p.recvbytes(int(arg))
    elif op == "timeout":
        p.timeout = float(arg)
    elif op == "noop":
        p.write([b"NOOP\r\n"])
        p.recv("^200 NOOP")
    elif op == "sleep":
        time.sleep(float(arg))
    elif op == "mark":
        log("MARK %s" % arg)
    elif op == "pause":
        path = os.path.join(os.environ.get("RAW_PEER_SYNC", "."), arg)
        log("PAUSED %s" % arg)
        deadline = time.monotonic() + 60 * TIME_SCALE
        while not os.path.exists(path):
            check_abort()
            if time.monotonic() > deadline:
                raise StepFailed("%s never appeared" % path)
            time.sleep(0.05)
        log("resumed %s" % arg)
    elif op == "listen":
        p.listener = socket.socket(p.family, socket.SOCK_STREAM)
        p.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            p.listener.bind((p.local[0], int(arg)))
        except OSError as e:
            raise ConnError("data listener: %s" % e)
        p.listener.listen(4)
        log("data listener on %s port %s" % (p.local[0], arg))
    elif op in ("accept", "noaccept"):
        p.accept(float(arg), op == "accept")
    elif op in ("connect", "noconnect"):
        secs, _, rest = arg.partition(":")
        port, _, host = rest.partition(":")
        p.connect(float(secs), int(port), host, op == "connect")
    elif op == "serve":
        log("STEPS OK")
        p.serve()
    elif op == "close":
        p.sock.close()
        log("closed")
    elif op == "eof":
        deadline = time.monotonic() + float(arg)
        while not p.eof:
            if not p._fill(deadline) and not p.eof:
                raise StepFailed("peer did not close within %ss" % arg)
    else:
        raise ValueError("unknown step %r" % step)


def batch(role, d):
    """Run scenario after scenario: DIR/K.ROLE holds the NUL separated
    arguments (the first: the log file) and appears with DIR/K.ROLE.go;
    the exit status goes to DIR/K.ROLE.rc; DIR/K.abort aborts scenario K
    (a server still serving a stalled connection), DIR/end ends."""
    global ABORT, OUT
    k = 1
    while True:
        go = os.path.join(d, "%d.%s.go" % (k, role))
        while not os.path.exists(go):
            if os.path.exists(os.path.join(d, "end")):
                return 0
            time.sleep(0.02)
        with open(os.path.join(d, "%d.%s" % (k, role)), "rb") as f:
            args = f.read().decode("utf-8", "surrogateescape").split("\0")
        if args and args[-1] == "":
            args.pop()
        ABORT = os.path.join(d, "%d.abort" % k)
        with open(args.pop(0), "w") as OUT:
            rc = run([role] + args)
        OUT = sys.stdout
        tmp = os.path.join(d, "%d.%s.tmp" % (k, role))
        with open(tmp, "w") as f:
            f.write("%d\n" % rc)
        os.rename(tmp, os.path.join(d, "%d.%s.rc" % (k, role)))
        k += 1


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "batch" and args[1] in ("server",
                                                             "client"):
        return batch(args[1], args[2])
    return run(args)


def run(args):
    global ROLE
    if not args or args[0] not in ("server", "client"):
        sys.stderr.write(__doc__)
        return 2
    args = list(args)
    ROLE = args.pop(0)
    greet = True
    listen_addr, port, host = "", 21, None
    steps = []
    while args:
        a = args.pop(0)
        if a == "--no-greet":
            greet = False
        elif a == "--listen" and args:
            listen_addr = args.pop(0)
        elif a == "--port" and args:
            port = int(args.pop(0))
        elif ROLE == "client" and host is None:
            host = a
            if args and args[0].isdigit():
                port = int(args.pop(0))
        else:
            steps.append(a)
    for s in steps:
        if s.partition(":")[0] not in (
                "send", "cuts", "bytewise", "gap", "rand", "tls", "recv",
                "recvbytes",
                "norecv", "timeout", "noop", "sleep", "mark", "pause",
                "listen", "accept", "noaccept", "connect", "noconnect",
                "serve", "close", "eof"):
            sys.stderr.write("raw_peer: unknown step %r\n" % s)
            return 2
    if ROLE == "client" and host is None:
        sys.stderr.write("raw_peer: client needs HOST\n")
        return 2

    try:
        if ROLE == "server":
            fam = socket.AF_INET6 if ":" in listen_addr else socket.AF_INET
            ls = socket.socket(fam, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((listen_addr, port))
            ls.listen(1)
            log("LISTENING on %s port %d" % (listen_addr or "*", port))
            ls.settimeout(0.2)
            deadline = time.monotonic() + 60
            try:
                while True:
                    try:
                        sock, _ = ls.accept()
                        break
                    except socket.timeout:
                        check_abort()
                        if time.monotonic() > deadline:
                            raise ConnError("no client within 60s")
            finally:
                ls.close()
            p = Peer(sock)
            if greet:
                p.write([b"220 raw_peer ready\r\n"])
        else:
            deadline = time.monotonic() + 15
            while True:
                try:
                    sock = socket.create_connection((host, port), timeout=10)
                    break
                except ConnectionRefusedError as e:
                    # batch mode: the server may not listen yet
                    if time.monotonic() > deadline:
                        raise ConnError("connect %s port %d: %s" %
                                        (host, port, e))
                    time.sleep(0.05)
                except OSError as e:
                    raise ConnError("connect %s port %d: %s" % (host, port, e))
            p = Peer(sock)
            if greet:
                p.recv("^220")
    except ConnError as e:
        log("FAIL: %s" % e)
        return 3
    except Aborted:
        log("ABORTED before the connection")
        return 4
    try:
        return run_steps(p, steps)
    finally:
        # abortive close: a stalled connection must not keep retransmitting
        # (and feeding the helper) into the next scenario
        try:
            p.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                              struct.pack("ii", 1, 0))
        except OSError:
            pass
        p.sock.close()
        if p.listener:
            p.listener.close()


def run_steps(p, steps):
    for i, step in enumerate(steps, 1):
        try:
            run_step(p, step)
        except StepFailed as e:
            log("FAIL step %d (%s): %s" % (i, short(step.encode(
                "latin-1", "backslashreplace"), 60), e))
            return 1
        except ConnError as e:
            log("FAIL step %d (%s): connection error: %s" % (
                i, short(step.encode("latin-1", "backslashreplace"), 60), e))
            return 3
        except Aborted:
            log("ABORTED in step %d" % i)
            return 4
    log("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

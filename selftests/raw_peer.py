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

  raw_peer.py server [--listen ADDR] [--port 21] [--no-greet]
                     [--record FILE] STEP...
  raw_peer.py client HOST [PORT] [--no-greet] [--record FILE] STEP...
  raw_peer.py batch server|client DIR
  raw_peer.py nfq QNUM [--hold N] [-- CMD...]
  raw_peer.py ctdel PORT [--until FILE] [--max N] [--pause SEC]

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
  nextline:REGEX      the next line must match (none skipped)

Crafted segments (IPv4 client, root: TCP_REPAIR and a raw socket).  The
socket's own sequence numbers are read with TCP_REPAIR; a segment sent by
the raw socket at a chosen sequence number reaches the router as part of
the connection.  Bytes the kernel believes sent ("phantom") keep the
client's TCP consistent when a crafted segment carries them: the peer's
ACK for them is valid, and the kernel retransmits them itself (after its
retransmission timeout) if the crafted copy is lost or dropped.

  seq:NAME            NAME := sequence number of the next byte to be sent
  phantom:TEXT        queue TEXT as sent without transmitting it
  inject:NAME[+-N]:TEXT   one segment (ACK|PSH, current ACK number)
                      carrying TEXT at sequence number NAME+N (mod 2^32)
  retrans:MAX         the kernel retransmitted at most MAX segments so far
                      (tcpi_total_retrans)
  acked:SEC           within SEC every byte sent is acknowledged

--record FILE appends every byte received on the control connection to
FILE as it arrives, so a test can compare exactly what crossed.

The nfq mode is an NFQUEUE listener (raw nfnetlink): it binds queue QNUM,
and for each of the first N (default 1) packets queued runs CMD while it
holds the packet, then accepts it; later packets are accepted at once.
It prints "NFQ READY" once bound, "NFQ HELD ..." and "NFQ CMD rc=..." per
held packet, and ends after 600 s or on SIGTERM.

The ctdel mode deletes the conntracks of TCP connections with PORT (as
source or destination port of the original direction) over and
over (ctnetlink: a dump, then a delete per entry, as conntrack -D does,
without a process each time), SEC apart (0.02), until FILE exists, N
deletions (1000) or 600 s; it prints "CTDEL deleted N conntracks in M
rounds".

Every output line starts with "# raw_peer[ROLE]:" (KTAP diagnostics).
Before "serve" the server prints "STEPS OK", so a test can judge the
scripted part even if it kills a server still serving.  Exit status:
0 every step had the expected outcome, 1 a step's expectation failed,
2 usage error, 3 connection error (cannot listen/connect, reset, closed
early).
"""

import fcntl
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time

# waits for the test's progress stretch on a slow kernel (make check-debug)
TIME_SCALE = float(os.environ.get("FTPALG_TIME_SCALE", "1"))

ROLE = "peer"
OUT = sys.stdout
ABORT = None		# batch mode: this file's appearance aborts the scenario

# linux/tcp.h
TCP_REPAIR = 19
TCP_REPAIR_QUEUE = 20
TCP_QUEUE_SEQ = 21
TCP_REPAIR_WINDOW = 29
TCP_RECV_QUEUE = 1
TCP_SEND_QUEUE = 2
TCP_REPAIR_OFF_NO_WP = -1


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, win, payload):
    """An IPv4 packet with a TCP segment, checksums filled in."""
    saddr, daddr = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      win, 0, 0) + payload
    pseudo = saddr + daddr + struct.pack("!BBH", 0, socket.IPPROTO_TCP,
                                         len(tcp))
    c = csum16(pseudo + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                     int.from_bytes(os.urandom(2), "big"), 0x4000, 64,
                     socket.IPPROTO_TCP, 0, saddr, daddr)
    ip = ip[:10] + struct.pack("!H", csum16(ip)) + ip[12:]
    return ip + tcp


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
        self.record = None	# file: every byte received (--record)
        self.seqs = {}		# seq:NAME
        self.raw = None		# raw socket for inject
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
        if self.record:
            self.record.write(chunk)
            self.record.flush()
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

    def nextline(self, regex):
        deadline = time.monotonic() + self.timeout
        ln = self.line(deadline)
        if ln is None:
            raise StepFailed("%s waiting for the next line /%s/" % (
                "connection closed" if self.eof else "timeout", regex))
        log("recv %s" % short(ln.encode("latin-1")))
        if not re.search(regex, ln):
            raise StepFailed("next line %r does not match /%s/" % (ln, regex))

    # -------------------------------------------------- crafted segments
    def repair_seq(self, queue):
        """Sequence number of a queue's next byte (socket in repair mode)."""
        self.sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, queue)
        return self.sock.getsockopt(socket.IPPROTO_TCP,
                                    TCP_QUEUE_SEQ) & 0xffffffff

    def repair(self, on):
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR,
                                 1 if on else TCP_REPAIR_OFF_NO_WP)
        except OSError as e:
            raise StepFailed("TCP_REPAIR: %s (needs CAP_NET_ADMIN)" % e)

    def seqs_now(self):
        """(next byte to send, next byte expected) of the connection."""
        self.repair(True)
        try:
            return (self.repair_seq(TCP_SEND_QUEUE),
                    self.repair_seq(TCP_RECV_QUEUE))
        finally:
            self.repair(False)

    def seq_expr(self, expr):
        m = re.match(r"^(\w+)([+-]\d+)?$", expr)
        if not m or m.group(1) not in self.seqs:
            raise StepFailed("bad sequence number %r (known: %s)" % (
                expr, ",".join(sorted(self.seqs)) or "none"))
        return (self.seqs[m.group(1)] + int(m.group(2) or 0)) & 0xffffffff

    def phantom(self, data):
        self.repair(True)
        try:
            seq = self.repair_seq(TCP_SEND_QUEUE)
            n = self.sock.send(data)
        finally:
            self.repair(False)
        if n != len(data):
            raise StepFailed("phantom: queued %d of %d bytes" % (n, len(data)))
        log("phantom %s at seq %u (queued as sent, not transmitted)" % (
            short(data), seq))

    def tcp_info(self):
        return self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)

    def window(self):
        """The receive window field the kernel would send now."""
        wscale = self.tcp_info()[6] >> 4
        self.repair(True)
        try:
            w = self.sock.getsockopt(socket.IPPROTO_TCP, TCP_REPAIR_WINDOW, 20)
        finally:
            self.repair(False)
        rcv_wnd = struct.unpack("=5I", w)[3]
        return max(1, min(0xffff, rcv_wnd >> wscale))

    def inject(self, seq, data):
        if self.family != socket.AF_INET:
            raise StepFailed("inject: IPv4 only")
        if not self.raw:
            self.raw = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                     socket.IPPROTO_RAW)
        src, sport = self.local[:2]
        dst, dport = self.peer[:2]
        _, ack = self.seqs_now()
        pkt = ipv4_tcp(src, dst, sport, dport, seq, ack, 0x18,
                       self.window(), data)
        self.raw.sendto(pkt, (dst, 0))
        log("injected %s at seq %u ack %u" % (short(data), seq, ack))

    def retrans(self, most):
        n = struct.unpack_from("=I", self.tcp_info(), 100)[0]
        if n > most:
            raise StepFailed("the kernel retransmitted %d segments (at most "
                             "%d allowed)" % (n, most))
        log("kernel retransmissions: %d" % n)

    def acked(self, secs):
        deadline = time.monotonic() + secs
        while True:
            check_abort()
            unacked = struct.unpack("i", fcntl.ioctl(
                self.sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
            if unacked == 0:
                log("every byte sent is acknowledged")
                return
            if time.monotonic() > deadline:
                raise StepFailed("%d bytes still unacknowledged after %ss" %
                                 (unacked, secs))
            time.sleep(0.02)

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
    elif op in ("nextline", "seq", "phantom", "inject", "retrans", "acked"):
        try:
            crafted_step(p, op, arg)
        except OSError as e:
            raise StepFailed("%s: %s" % (op, e))
    elif op == "eof":
        deadline = time.monotonic() + float(arg)
        while not p.eof:
            if not p._fill(deadline) and not p.eof:
                raise StepFailed("peer did not close within %ss" % arg)
    else:
        raise ValueError("unknown step %r" % step)


def crafted_step(p, op, arg):
    """The steps for crafted segments (and nextline)."""
    if op == "nextline":
        p.nextline(arg)
    elif op == "seq":
        p.seqs[arg] = p.seqs_now()[0]
        log("seq %s = %u" % (arg, p.seqs[arg]))
    elif op == "phantom":
        p.phantom(unescape(arg))
    elif op == "inject":
        where, _, text = arg.partition(":")
        p.inject(p.seq_expr(where), unescape(text))
    elif op == "retrans":
        p.retrans(int(arg))
    elif op == "acked":
        p.acked(float(arg))


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


# ------------------------------------------------------------- NFQUEUE
NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_PAYLOAD = 10
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_PACKET = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NF_ACCEPT = 1


def nla(atype, data):
    n = 4 + len(data)
    return struct.pack("=HH", n, atype) + data + b"\0" * ((4 - n % 4) % 4)


def nfq_msg(msg, qnum, attrs, flags=NLM_F_REQUEST, seq=0):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(qnum))
    body += b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body),
                       (NFNL_SUBSYS_QUEUE << 8) | msg, flags, seq, 0) + body


def nl_split(data):
    off = 0
    while off + 16 <= len(data):
        n, t, _, seq, _ = struct.unpack_from("=IHHII", data, off)
        if n < 16:
            break
        yield t, seq, data[off + 16:off + n]
        off += (n + 3) & ~3


def nla_split(data):
    off = 0
    while off + 4 <= len(data):
        n, t = struct.unpack_from("=HH", data, off)
        if n < 4:
            break
        yield t & 0x3fff, data[off + 4:off + n]
        off += (n + 3) & ~3


def nfq_request(s, msg, seq):
    s.send(msg)
    while True:
        for t, rseq, body in nl_split(s.recv(65536)):
            if t == NLMSG_ERROR and rseq == seq:
                err = struct.unpack_from("=i", body)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return


def tcp_payload(pkt):
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return b""
    ihl = (pkt[0] & 15) * 4
    if len(pkt) < ihl + 20:
        return b""
    return pkt[ihl + ((pkt[ihl + 12] >> 4) * 4):]


def nfq(args):
    qnum, hold, cmd = int(args.pop(0)), 1, []
    while args:
        a = args.pop(0)
        if a == "--hold" and args:
            hold = int(args.pop(0))
        elif a == "--":
            cmd, args = args, []
        else:
            sys.stderr.write(__doc__)
            return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.bind((0, 0))
    nfq_request(s, nfq_msg(NFQNL_MSG_CONFIG, qnum, [
        nla(NFQA_CFG_CMD, struct.pack("!BxH", NFQNL_CFG_CMD_BIND, 0))],
        NLM_F_REQUEST | NLM_F_ACK, 1), 1)
    nfq_request(s, nfq_msg(NFQNL_MSG_CONFIG, qnum, [
        nla(NFQA_CFG_PARAMS, struct.pack("!IB", 0xffff, NFQNL_COPY_PACKET))],
        NLM_F_REQUEST | NLM_F_ACK, 2), 2)
    log("NFQ READY queue %d" % qnum)
    held = 0
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], 1)
        if not r:
            continue
        for t, _, body in nl_split(s.recv(65536)):
            if t != (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                continue
            pid, payload = None, b""
            for at, ad in nla_split(body[4:]):
                if at == NFQA_PACKET_HDR:
                    pid = struct.unpack_from("!I", ad)[0]
                elif at == NFQA_PAYLOAD:
                    payload = ad
            if pid is None:
                continue
            if held < hold:
                held += 1
                log("NFQ HELD packet %d payload %s" % (
                    pid, short(tcp_payload(payload))))
                if cmd:
                    log("NFQ CMD %s" % " ".join(cmd))
                    try:
                        res = subprocess.run(cmd, stdout=subprocess.PIPE,
                                             stderr=subprocess.STDOUT,
                                             timeout=60 * TIME_SCALE)
                        log("NFQ CMD rc=%d: %s" % (res.returncode, short(
                            res.stdout.strip(), 200)))
                    except (OSError, subprocess.SubprocessError) as e:
                        log("NFQ CMD failed: %s" % e)
            else:
                log("NFQ packet %d accepted at once" % pid)
            s.send(nfq_msg(NFQNL_MSG_VERDICT, qnum, [
                nla(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))]))
            log("NFQ ACCEPTED packet %d" % pid)
    return 0


# ------------------------------------------------------ conntrack -D
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_GET = 1
IPCTNL_MSG_CT_DELETE = 2
CTA_TUPLE_ORIG = 1
CTA_TUPLE_PROTO = 2
CTA_PROTO_NUM = 1
CTA_PROTO_SRC_PORT = 2
CTA_PROTO_DST_PORT = 3
NLM_F_DUMP = 0x300
NLMSG_DONE = 3


def ct_msg(msg, flags, seq, attrs=b""):
    body = struct.pack("=BBH", socket.AF_INET, 0, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body),
                       (NFNL_SUBSYS_CTNETLINK << 8) | msg, flags, seq,
                       0) + body


def ct_orig_tuples(s, seq, dport):
    """CTA_TUPLE_ORIG attributes (raw) of TCP conntracks from/to port."""
    s.send(ct_msg(IPCTNL_MSG_CT_GET, NLM_F_REQUEST | NLM_F_DUMP, seq))
    found = []
    while True:
        for t, rseq, body in nl_split(s.recv(1 << 16)):
            if rseq != seq or t in (NLMSG_DONE, NLMSG_ERROR):
                return found
            off = 4
            while off + 4 <= len(body):
                n, at = struct.unpack_from("=HH", body, off)
                if n < 4:
                    break
                if at & 0x3fff == CTA_TUPLE_ORIG:
                    raw = body[off:off + n]
                    proto = dict(nla_split(dict(nla_split(raw[4:])).get(
                        CTA_TUPLE_PROTO, b"")))
                    port = struct.pack("!H", dport)
                    if proto.get(CTA_PROTO_NUM) == bytes([6]) and port in (
                            proto.get(CTA_PROTO_SRC_PORT),
                            proto.get(CTA_PROTO_DST_PORT)):
                        found.append(raw)
                off += (n + 3) & ~3


def ctdel(args):
    """ctdel PORT [--until FILE] [--max N] [--pause SEC]: delete the
    conntracks of TCP connections from/to PORT in a loop, as conntrack -D
    does (ctnetlink, without a process per deletion)."""
    dport, until, most, pause = int(args.pop(0)), None, 1000, 0.02
    while args:
        a = args.pop(0)
        if a == "--until" and args:
            until = args.pop(0)
        elif a == "--max" and args:
            most = int(args.pop(0))
        elif a == "--pause" and args:
            pause = float(args.pop(0))
        else:
            sys.stderr.write(__doc__)
            return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.bind((0, 0))
    seq, deleted, rounds = 0, 0, 0
    deadline = time.monotonic() + 600
    log("CTDEL READY port %d" % dport)
    while deleted < most and time.monotonic() < deadline and \
            not (until and os.path.exists(until)):
        rounds += 1
        seq += 1
        for raw in ct_orig_tuples(s, seq, dport):
            seq += 1
            s.send(ct_msg(IPCTNL_MSG_CT_DELETE, NLM_F_REQUEST | NLM_F_ACK,
                          seq, raw))
            for t, rseq, body in nl_split(s.recv(1 << 16)):
                if t == NLMSG_ERROR and rseq == seq and \
                   struct.unpack_from("=i", body)[0] == 0:
                    deleted += 1
        time.sleep(pause)
    log("CTDEL deleted %d conntracks in %d rounds" % (deleted, rounds))
    return 0


def main():
    global ROLE
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "batch" and args[1] in ("server",
                                                             "client"):
        return batch(args[1], args[2])
    if len(args) >= 2 and args[0] == "nfq":
        ROLE = "nfq"
        return nfq(args[1:])
    if len(args) >= 2 and args[0] == "ctdel":
        ROLE = "ctdel"
        return ctdel(args[1:])
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
    record = None
    steps = []
    while args:
        a = args.pop(0)
        if a == "--no-greet":
            greet = False
        elif a == "--record" and args:
            record = args.pop(0)
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
                "serve", "close", "eof", "nextline", "seq", "phantom",
                "inject", "retrans", "acked"):
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
            if record:
                p.record = open(record, "ab")
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
            if record:
                p.record = open(record, "ab")
            if greet:
                p.recv("^220")
    except ConnError as e:
        log("FAIL: %s" % e)
        return 3
    except StepFailed as e:
        # no greeting: this scenario fails, a batch goes on with the next
        log("FAIL: greeting: %s" % e)
        p.sock.close()
        return 1
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
        if p.record:
            p.record.close()
        if p.raw:
            p.raw.close()


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

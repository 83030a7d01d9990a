# SPDX-License-Identifier: GPL-2.0
"""The FTP control connection of the selftests' scripted clients.

ftp_peer.py and policy_peer.py import it (python finds it next to the
script that runs).  Only the python standard library is used.
"""

import os
import socket
import sys
import time

# waits for the test's progress stretch on a slow kernel (make check-debug)
TIME_SCALE = float(os.environ.get("FTPALG_TIME_SCALE", "1"))


def logger(name):
    """A function printing "# NAME: MSG" lines (KTAP diagnostics)."""
    def log(msg):
        sys.stdout.write("# %s: %s\n" % (name, msg))
        sys.stdout.flush()
    return log


class PeerError(Exception):
    pass


class NoReply(PeerError):
    def __init__(self):
        PeerError.__init__(self, "timeout waiting for a reply")


class Closed(PeerError):
    def __init__(self):
        PeerError.__init__(self, "control connection closed by server")


class Control:
    """A client's control connection: lines out, (multi-line) replies in.

    A connection reset is left to the caller as ConnectionResetError.
    """

    def __init__(self, host, port, timeout, log):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.local = self.sock.getsockname()
        self.peer = self.sock.getpeername()
        self.family = self.sock.family
        self.log = log

    def _line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise NoReply()
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                raise NoReply()
            if not chunk:
                raise Closed()
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def reply(self, timeout):
        """One (possibly multi-line) reply: (code, its lines); code 0 if
        the first line does not start with one."""
        deadline = time.monotonic() + timeout
        line = self._line(deadline)
        lines = [line]
        if len(line) >= 4 and line[3] == "-":
            while not lines[-1].startswith(line[:3] + " "):
                lines.append(self._line(deadline))
        return int(line[:3]) if line[:3].isdigit() else 0, lines

    def send_line(self, line):
        self.sock.sendall(line.encode("latin-1") + b"\r\n")


def wait_pause(path, log, most, state="PAUSED"):
    """Print STATE, wait until PATH exists (at most MOST x TIME_SCALE s)."""
    log("%s waiting for %s" % (state, path))
    deadline = time.monotonic() + most * TIME_SCALE
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise PeerError("pause file never appeared")
        time.sleep(0.05)
    log("resumed")

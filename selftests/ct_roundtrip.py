#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Round trip of a control conntrack's helper state through ctnetlink.

  ct_roundtrip.py show   --dport PORT [--sport PORT]
  ct_roundtrip.py reinject --dport PORT [--sport PORT] [--info keep|none|bad]

show prints the helper name, CTA_HELP_INFO (hex, and its attributes) and
the TCP sequence adjustments (NAT rewrites) of the conntrack whose
original direction goes to --dport (from --sport).  reinject dumps
it, deletes it and creates it again from the dump, as a sync daemon does on
a backup firewall: the same tuples and status, TCP state ESTABLISHED, the
helper by name and CTA_HELP_INFO as dumped (keep), left out (none), or
made invalid (bad: a FIFO depth the helper cannot have).  It then prints the new
conntrack's info; with keep the exit status says whether it is the same.
Only the python standard library is used; output lines start with "# ".
Exit status: 0 ok, 1 failed, 2 usage.
"""

import argparse
import os
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW, IPCTNL_MSG_CT_GET, IPCTNL_MSG_CT_DELETE = 0, 1, 2
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLM_F_EXCL, NLM_F_CREATE, NLM_F_DUMP = 0x200, 0x400, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
CTA_TUPLE_ORIG, CTA_TUPLE_REPLY, CTA_STATUS, CTA_PROTOINFO = 1, 2, 3, 4
CTA_HELP, CTA_TIMEOUT = 5, 7
CTA_SEQ_ADJ_ORIG, CTA_SEQ_ADJ_REPLY = 15, 16
CTA_TUPLE_PROTO, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT = 2, 2, 3
CTA_PROTOINFO_TCP, CTA_PROTOINFO_TCP_STATE = 1, 1
TCP_CONNTRACK_ESTABLISHED = 3
CTA_HELP_NAME, CTA_HELP_INFO = 1, 2
# include/uapi/linux/ftpalg.h
FTPALG_SYNC_NAMES = {1: "version", 2: "fifo", 3: "depth", 4: "reply",
                     5: "flags", 6: "client", 7: "server"}
FTPALG_SYNC_A_DEPTH = 3
FTPALG_SYNC_DIR_NAMES = {1: "next_seq", 2: "flags"}


def log(msg):
    sys.stdout.write("# ct_roundtrip: %s\n" % msg)
    sys.stdout.flush()


def attrs(data):
    """{type: payload} of a run of netlink attributes (nest bit cleared)."""
    out, off = {}, 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, off)
        if alen < 4:
            break
        out[atype & ~NLA_F_NESTED] = data[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


def attr(atype, payload, nested=False):
    hdr = struct.pack("=HH", 4 + len(payload),
                      atype | (NLA_F_NESTED if nested else 0))
    return hdr + payload + b"\0" * (-len(payload) % 4)


class Ctnetlink:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_NETFILTER)
        self.sock.bind((0, 0))
        self.seq = 0

    def request(self, msg, flags, payload=b""):
        """Send one request; return the ctnetlink messages' attributes."""
        self.seq += 1
        body = struct.pack("=BBH", socket.AF_INET, 0, 0) + payload
        hdr = struct.pack("=IHHII", 16 + len(body),
                          (NFNL_SUBSYS_CTNETLINK << 8) | msg,
                          NLM_F_REQUEST | flags, self.seq, 0)
        self.sock.send(hdr + body)
        found = []
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                mlen, mtype, _, seq, _ = struct.unpack_from("=IHHII", data,
                                                            off)
                if mlen < 16:
                    raise OSError("bad netlink message")
                body = data[off + 16:off + mlen]
                off += (mlen + 3) & ~3
                if seq != self.seq:
                    continue
                if mtype == NLMSG_DONE:
                    return found
                if mtype == NLMSG_ERROR:
                    err = struct.unpack_from("=i", body)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err))
                    return found
                found.append(attrs(body[4:]))
            if not flags & NLM_F_DUMP and not flags & NLM_F_ACK:
                return found


def orig_port(ct, which):
    proto = attrs(attrs(ct[CTA_TUPLE_ORIG]).get(CTA_TUPLE_PROTO, b""))
    port = proto.get(which)
    return struct.unpack("!H", port)[0] if port else None


def find(nl, dport, sport=None):
    cts = [ct for ct in nl.request(IPCTNL_MSG_CT_GET, NLM_F_DUMP)
           if orig_port(ct, CTA_PROTO_DST_PORT) == dport and
           sport in (None, orig_port(ct, CTA_PROTO_SRC_PORT))]
    if len(cts) != 1:
        raise OSError("%d conntracks to port %d" % (len(cts), dport))
    return cts[0]


def seqadj(ct):
    """The sequence adjustments: (pos, before, after) per direction."""
    out = []
    for name, t in (("orig", CTA_SEQ_ADJ_ORIG), ("reply", CTA_SEQ_ADJ_REPLY)):
        if t in ct:
            v = attrs(ct[t])
            out.append("%s pos=%d before=%d after=%d" % ((name,) + tuple(
                struct.unpack("!I", v.get(k, b"\0" * 4))[0]
                for k in (1, 2, 3))))
    return "; ".join(out) or "none"


def describe(info):
    """The attributes of an ftpalg CTA_HELP_INFO, as text."""
    parts = []
    for t, v in sorted(attrs(info).items()):
        name = FTPALG_SYNC_NAMES.get(t, "attr%d" % t)
        if name in ("client", "server"):
            inner = ["%s=0x%x" % (FTPALG_SYNC_DIR_NAMES.get(k, k),
                                  struct.unpack("=I", w)[0])
                     for k, w in sorted(attrs(v).items())]
            parts.append("%s={%s}" % (name, " ".join(inner)))
        else:
            n = int.from_bytes(v, sys.byteorder)
            parts.append("%s=0x%x" % (name, n))
    return " ".join(parts)


def helper_of(ct):
    help_ = attrs(ct.get(CTA_HELP, b""))
    name = help_.get(CTA_HELP_NAME, b"").rstrip(b"\0").decode()
    return name, help_.get(CTA_HELP_INFO)


def show(ct, what):
    name, info = helper_of(ct)
    log("%s: helper %r info %s" % (what, name,
                                   info.hex() if info else "(none)"))
    if info:
        log("%s: %s" % (what, describe(info)))
    log("%s: sequence adjustment %s" % (what, seqadj(ct)))
    return name, info


def bad_info(info):
    """The same info with a FIFO depth beyond the helper's FIFO."""
    out = b""
    for t, v in attrs(info).items():
        if t == FTPALG_SYNC_A_DEPTH:
            v = bytes([9])
        out += attr(t, v, t in (6, 7))
    return out


def reinject(nl, port, sport, mode):
    ct = find(nl, port, sport)
    name, info = show(ct, "dumped")
    if not info:
        raise OSError("no helper info to carry")
    nl.request(IPCTNL_MSG_CT_DELETE, NLM_F_ACK,
               attr(CTA_TUPLE_ORIG, ct[CTA_TUPLE_ORIG], True))
    help_ = attr(CTA_HELP_NAME, name.encode() + b"\0")
    if mode == "keep":
        help_ += attr(CTA_HELP_INFO, info, True)
    elif mode == "bad":
        help_ += attr(CTA_HELP_INFO, bad_info(info), True)
    protoinfo = attr(CTA_PROTOINFO_TCP,
                     attr(CTA_PROTOINFO_TCP_STATE,
                          bytes([TCP_CONNTRACK_ESTABLISHED])), True)
    nl.request(IPCTNL_MSG_CT_NEW, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
               attr(CTA_TUPLE_ORIG, ct[CTA_TUPLE_ORIG], True) +
               attr(CTA_TUPLE_REPLY, ct[CTA_TUPLE_REPLY], True) +
               attr(CTA_STATUS, ct[CTA_STATUS]) +
               attr(CTA_TIMEOUT, struct.pack("!I", 600)) +
               attr(CTA_PROTOINFO, protoinfo, True) +
               attr(CTA_HELP, help_, True))
    _, again = show(find(nl, port, sport), "re-created")
    if mode == "keep" and again != info:
        raise OSError("the re-created conntrack's info differs")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("action", choices=("show", "reinject"))
    ap.add_argument("--dport", type=int, required=True)
    ap.add_argument("--sport", type=int)
    ap.add_argument("--info", choices=("keep", "none", "bad"),
                    default="keep")
    args = ap.parse_args()
    try:
        nl = Ctnetlink()
        if args.action == "show":
            show(find(nl, args.dport, args.sport), "dumped")
        else:
            reinject(nl, args.dport, args.sport, args.info)
    except OSError as e:
        log("FAIL: %s" % e)
        return 1
    log("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

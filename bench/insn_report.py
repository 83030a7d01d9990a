# SPDX-License-Identifier: GPL-2.0
"""Instruction counts of `make bench`: pairs the guest's "insn" records with
the snapshots of the QEMU plugin (bench/insn_count.c), divides by the units
of work, and attributes per-block counts to functions with the guest's
kallsyms.  Used by report.py; tested by tests/bench/test_insn_report.py."""

import base64
import bisect
import gzip
import statistics

VARIANTS = ["none", "ftp", "ftpalg"]
# kind -> (unit name, divisor from a record); data is per forwarded packet
KINDS = [("port", "PORT->200 txn"), ("pasv", "PASV->227 txn"), ("noop", "NOOP->200 txn"),
         ("data", "data packet"), ("idle", "idle second")]
MODULE = "nf_conntrack_ftpalg"


class CountsError(Exception):
    pass


def parse_counts(lines):
    """The plugin's file: {"snaps": {seq: (kind, kernel, user)},
    "blocks": {seq: {vaddr: insns}}, "end": snapshots or None}."""
    snaps, blocks, end = {}, {}, None
    for n, line in enumerate(lines, 1):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        try:
            if f[0] == "S" and len(f) == 5:
                snaps[int(f[1])] = (int(f[2]), int(f[3]), int(f[4]))
            elif f[0] == "B" and len(f) == 4:
                b = blocks.setdefault(int(f[1]), {})
                va = int(f[2], 16)
                b[va] = b.get(va, 0) + int(f[3])
            elif f[0] == "E" and len(f) == 2:
                end = int(f[1])
            else:
                raise ValueError
        except ValueError:
            raise CountsError("line %d: not a counter line: %r" % (n, line.rstrip()))
    return {"snaps": snaps, "blocks": blocks, "end": end}


def parse_ksyms(b64_lines):
    """The KSYMS dump (base64 of gzip of /proc/kallsyms text lines):
    sorted [(addr, name, module or "")]."""
    if not b64_lines:
        return []
    text = gzip.decompress(base64.b64decode("".join(b64_lines))).decode(errors="replace")
    syms = []
    for line in text.splitlines():
        f = line.split()
        if len(f) < 3:
            continue
        addr = int(f[0], 16)
        if addr == 0:
            continue
        mod = f[3].strip("[]") if len(f) > 3 else ""
        syms.append((addr, f[2], mod))
    syms.sort()
    return syms


class Symbolizer:
    def __init__(self, syms):
        self.syms = syms
        self.addrs = [s[0] for s in syms]

    def __call__(self, vaddr):
        i = bisect.bisect_right(self.addrs, vaddr) - 1
        if i < 0:
            return ("?", "")
        return self.syms[i][1:]


def measure(rec, counts):
    """Kernel instructions between a record's two markers, per unit of its
    kind (txn, packet, second); None with a reason if it cannot be had."""
    a = rec.get("first_mark")
    if rec.get("marks") != 2 or not isinstance(a, int):
        return None, "ran %s markers, not 2" % rec.get("marks")
    s = counts["snaps"]
    if a not in s or a + 1 not in s:
        return None, "snapshots %d/%d missing" % (a, a + 1)
    units = rec.get("packets") if rec.get("kind") == "data" else rec.get("units")
    if not units or rec.get("failed"):
        return None, "no units of work (%s) or failed connections" % units
    return (s[a + 1][1] - s[a][1]) / units, None


def spread(vals):
    """(max - min) / median, in percent."""
    m = statistics.median(vals)
    return 100.0 * (max(vals) - min(vals)) / m if m else 0.0


def table(recs, counts):
    """{kind: {variant: {"median", "spread", "values"}}} and problems."""
    res, problems = {}, []
    want = sum(r.get("marks") or 0 for r in recs)
    if counts["end"] is not None and counts["end"] != want:
        problems.append("the plugin took %d snapshots, the guest reported %d markers: "
                        "records and snapshots do not pair up" % (counts["end"], want))
        return res, problems
    for r in recs:
        v, why = measure(r, counts)
        if v is None:
            problems.append("%s %s rep %s: %s" % (r.get("variant"), r.get("kind"),
                                                  r.get("rep"), why))
            continue
        res.setdefault(r["kind"], {}).setdefault(r["variant"], []).append(v)
    out = {}
    for kind, per in res.items():
        out[kind] = {v: {"median": statistics.median(x), "spread": spread(x), "values": x}
                     for v, x in per.items()}
    return out, problems


def share(tab, kind, v):
    """Variant minus no helper, kernel instructions per unit."""
    d = tab.get(kind, {})
    if v not in d or "none" not in d:
        return None
    return d[v]["median"] - d["none"]["median"]


def by_function(recs, counts, sym):
    """{(variant, kind): {(name, module): insns per unit}} of the records
    with per-block counts (the first repetition)."""
    out = {}
    for r in recs:
        a = r.get("first_mark")
        if not isinstance(a, int) or (a + 1) not in counts["blocks"]:
            continue
        units = r.get("packets") if r.get("kind") == "data" else r.get("units")
        if not units:
            continue
        f = out.setdefault((r["variant"], r["kind"]), {})
        for va, n in counts["blocks"][a + 1].items():
            k = sym(va)
            f[k] = f.get(k, 0) + n / units
    return out


def targets(tab):
    """Issue 13's targets, in helper shares: {name: {"want", "got", "met"}};
    met None where a figure is missing."""
    out = {}
    for kind, most in (("port", 0.8), ("pasv", 0.8), ("noop", 1.0)):
        sf, sa = share(tab, kind, "ftp"), share(tab, kind, "ftpalg")
        got = sa / sf if sf and sa is not None and sf > 0 else None
        out["%s_share_vs_intree" % kind] = {
            "want": "ftpalg share <= %.2fx in-tree share" % most, "got": got,
            "met": None if got is None else got <= most}
    # data packets carry no helper: the share must be within the noise,
    # the larger of the two variants' max-min spreads
    d = tab.get("data", {})
    sa = share(tab, "data", "ftpalg")
    noise = None
    if "none" in d and "ftpalg" in d:
        noise = max(max(c["values"]) - min(c["values"]) for c in (d["none"], d["ftpalg"]))
    out["data_share_zero"] = {
        "want": "ftpalg share per data packet 0 (within the max-min spread)",
        "got": sa, "noise": noise,
        "met": None if sa is None else abs(sa) <= max(noise, 1.0)}
    return out


def fmt_cell(c):
    if c is None:
        return "n/a"
    return "{:,.0f} +-{:.2f}%".format(c["median"], c["spread"] / 2)


def render(tab, problems, funcs, env):
    """The printed part: the table, the helper shares, the attribution."""
    L = []
    reps = max((len(c["values"]) for d in tab.values() for c in d.values()), default=0)
    L.append("kernel instructions per unit (QEMU TCG plugin, %s vCPU, %s reps: median "
             "+-half the max-min spread)" % (env.get("cpus", "?"), reps))
    hdr = "%-16s %-20s %-20s %-20s %-12s %-12s %s" % (
        "per", "no helper", "in-tree ftp", "ftpalg", "ftp share", "ftpalg share",
        "ftpalg/ftp share")
    L.append(hdr)
    L.append("-" * len(hdr))
    for kind, label in KINDS:
        d = tab.get(kind, {})
        sf, sa = share(tab, kind, "ftp"), share(tab, kind, "ftpalg")
        ratio = "n/a"
        if sf is not None and sa is not None and abs(sf) > 0.01 * d["none"]["median"]:
            ratio = "%.2fx" % (sa / sf)
        L.append("%-16s %-20s %-20s %-20s %-12s %-12s %s" % (
            label, fmt_cell(d.get("none")), fmt_cell(d.get("ftp")), fmt_cell(d.get("ftpalg")),
            "n/a" if sf is None else "{:+,.0f}".format(sf),
            "n/a" if sa is None else "{:+,.0f}".format(sa), ratio))
    for p in problems:
        L.append("  problem: " + p)
    for name, t in targets(tab).items():
        got = t["got"]
        L.append("  target %-22s %-7s (want %s, got %s)" % (
            name, "n/a" if t["met"] is None else ("MET" if t["met"] else "NOT MET"), t["want"],
            "n/a" if got is None else ("%.2fx" % got if "vs_intree" in name else
                                       "%+.0f, spread %.0f" % (got, t["noise"]))))
    if not funcs:
        return L
    L.append("")
    L.append("ftpalg's own functions, kernel instructions per unit (first repetition):")
    kinds = [k for k, _ in KINDS if ("ftpalg", k) in funcs]
    names = {}
    for k in kinds:
        for (fn, mod), n in funcs[("ftpalg", k)].items():
            if mod == MODULE:
                names[fn] = names.get(fn, 0) + n
    L.append("  %-34s" % "function" + "".join("%10s" % k for k in kinds))
    for fn in sorted(names, key=lambda x: -names[x]):
        cells = [funcs[("ftpalg", k)].get((fn, MODULE), 0) for k in kinds]
        if max(cells) < 1:
            continue
        L.append("  %-34s" % fn + "".join("%10.0f" % c for c in cells))
    L.append("  %-34s" % "total" + "".join(
        "%10.0f" % sum(n for (fn, mod), n in funcs[("ftpalg", k)].items() if mod == MODULE)
        for k in kinds))
    for k in ("port", "pasv", "noop"):
        if ("none", k) not in funcs:
            continue
        for v in ("ftp", "ftpalg"):
            if (v, k) not in funcs:
                continue
            base, f = funcs[("none", k)], funcs[(v, k)]
            diff = {key: f.get(key, 0) - base.get(key, 0) for key in set(f) | set(base)}
            top = sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:14]
            L.append("")
            L.append("%s minus no helper, %s, per transaction: %+.0f; largest differences:" % (
                v, k, sum(diff.values())))
            for (fn, mod), n in top:
                L.append("  %+8.0f  %s%s" % (n, fn, " [%s]" % mod if mod else ""))
    return L

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the "BENCH {json}" lines of a `make bench` run into tables and a
JSON file.  First the kernel instruction counts (with the plugin's counter
file, --counts; see insn_report.py), which repeat to well under a percent,
then the wall-clock figures: median [min-max] over the repetitions, ratios
of medians.  Nothing is asserted: targets are only marked met / not met."""

import argparse
import datetime
import glob
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import insn_report  # noqa: E402

VARIANTS = ["none", "ftp", "ftpalg"]
VNAME = {"none": "no helper", "ftp": "in-tree ftp", "ftpalg": "ftpalg",
         "ftpalg-window": "ftpalg+window"}


def load(raw):
    """The BENCH records and the KSYMS lines of the raw output."""
    recs, ksyms = [], []
    with open(raw, errors="replace") as f:
        for line in f:
            if line.startswith("KSYMS "):
                ksyms.append(line[6:].strip())
                continue
            if not line.startswith("BENCH "):
                continue
            try:
                recs.append(json.loads(line[6:]))
            except ValueError:
                print("report: bad line: " + line.strip(), file=sys.stderr)
    return recs, ksyms


def insn_section(recs, ksyms, counts_path, env):
    """The instruction table and attribution: (printed lines, JSON part)."""
    insn = [r for r in recs if r.get("section") == "insn"]
    if not insn:
        return [], None
    if not counts_path or not os.path.exists(counts_path):
        return ["instruction counts: the plugin's file %s is missing" % counts_path], None
    try:
        with open(counts_path) as f:
            counts = insn_report.parse_counts(f)
    except insn_report.CountsError as e:
        return ["instruction counts: %s: %s" % (counts_path, e)], None
    tab, problems = insn_report.table(insn, counts)
    funcs = {}
    if ksyms:
        sym = insn_report.Symbolizer(insn_report.parse_ksyms(ksyms))
        funcs = insn_report.by_function(insn, counts, sym)
    lines = insn_report.render(tab, problems, funcs, env)
    part = {"table": tab, "problems": problems,
            "shares": {k: {v: insn_report.share(tab, k, v) for v in ("ftp", "ftpalg")}
                       for k, _ in insn_report.KINDS},
            "targets": insn_report.targets(tab),
            "functions": {"%s/%s" % vk: {"%s%s" % (n, " [%s]" % m if m else ""): x
                                         for (n, m), x in f.items() if abs(x) >= 1}
                          for vk, f in funcs.items()}}
    return lines, part


def stats(vals):
    vals = [v for v in vals if isinstance(v, (int, float))]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "n": len(vals), "values": vals}


def ratio(a, b):
    if not a or not b or not b.get("median"):
        return None
    return a["median"] / b["median"]


def fmt(s, digits=0, spread=True):
    if s is None:
        return "n/a"
    f = "{:,.%df}" % digits
    if not spread or s["n"] < 2:
        return f.format(s["median"])
    return "%s [%s-%s]" % (f.format(s["median"]), f.format(s["min"]),
                           f.format(s["max"]))


def fmt_ratio(r):
    return "n/a" if r is None else "%.2fx" % r


def static_lock_check(repo):
    """Global spinlocks defined in the module sources (packet path or not)."""
    found = []
    for path in sorted(glob.glob(os.path.join(repo, "kmod", "*.c"))):
        with open(path, errors="replace") as f:
            for n, line in enumerate(f, 1):
                if re.search(r"\bDEFINE_SPINLOCK\s*\(|^static\s+spinlock_t\s+\w+\s*;", line):
                    found.append("%s:%d: %s" % (os.path.relpath(path, repo), n,
                                                line.strip()))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--repo", default=".")
    ap.add_argument("--counts", help="the instruction counter's file")
    a = ap.parse_args()
    recs, ksyms = load(a.raw)
    by = {}
    for r in recs:
        by.setdefault(r.get("section"), []).append(r)
    envs = by.get("env") or [{}]
    env = next((e for e in envs if "insn" not in str(e.get("sections", ""))), envs[-1])
    ienv = next((e for e in envs if "insn" in str(e.get("sections", ""))), {})
    res = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
           "env": env, "insn_env": ienv, "sections": {}, "targets": {}}
    insn_lines, res["sections"]["insn"] = insn_section(recs, ksyms, a.counts, ienv)
    rows = []   # (metric, {variant: text}, ratio text, target text)

    # 1. control-plane rate
    rate = {}
    for cpus in sorted({r.get("cpus") for r in by.get("rate", [])} | {1}):
        rate[cpus] = {}
        for v in VARIANTS:
            rate[cpus][v] = stats([r.get("tps") for r in by.get("rate", [])
                                   if r.get("cpus") == cpus and r.get("variant") == v])
        rt = ratio(rate[cpus]["ftpalg"], rate[cpus]["ftp"])
        tgt = ""
        if cpus > 1:
            tgt = "ftpalg/ftp >= 1.30: " + ("n/a" if rt is None else
                                            ("MET" if rt >= 1.3 else "NOT MET"))
            res["targets"]["control_rate_%dcpu_vs_intree" % cpus] = {
                "want": ">= 1.3", "got": rt, "met": None if rt is None else rt >= 1.3}
        rows.append(("control txn/s, %d vCPU busy" % cpus,
                     {v: fmt(rate[cpus][v]) for v in VARIANTS},
                     "ftpalg/ftp " + fmt_ratio(rt) + ", ftp/none " +
                     fmt_ratio(ratio(rate[cpus]["ftp"], rate[cpus]["none"])), tgt))
    res["sections"]["rate"] = {str(c): rate[c] for c in rate}

    # 2. data path
    data = {v: stats([r.get("mbps") for r in by.get("data", []) if r.get("variant") == v])
            for v in VARIANTS}
    dr = ratio(data["ftpalg"], data["none"])
    res["sections"]["data"] = data
    res["targets"]["data_vs_no_helper"] = {"want": ">= 0.98", "got": dr,
                                           "met": None if dr is None else dr >= 0.98}
    rows.append(("data MB/s (1 stream)", {v: fmt(data[v], 1) for v in VARIANTS},
                 "ftpalg/none " + fmt_ratio(dr) + ", ftp/none " +
                 fmt_ratio(ratio(data["ftp"], data["none"])),
                 "ftpalg/none >= 0.98: " + ("n/a" if dr is None else
                                             ("MET" if dr >= 0.98 else "NOT MET"))))

    # 3a. memory per idle session
    mem = {}
    for r in by.get("mem", []):
        n = r.get("sessions") or 0
        if not n:
            continue
        mem[r["variant"]] = {k: (r[k] / n if isinstance(r.get(k), (int, float)) else None)
                             for k in ("slab_total", "slab_kmalloc", "slab_conntrack",
                                       "slab_tcp", "meminfo_slab")}
        mem[r["variant"]]["sessions"] = n
        mem[r["variant"]]["conntracks"] = r.get("conntracks")
    res["sections"]["mem"] = mem

    def memv(v, k):
        x = mem.get(v, {}).get(k)
        return "n/a" if x is None else "%.0f" % x

    rows.append(("slab B/idle session (all caches)",
                 {v: memv(v, "slab_total") for v in VARIANTS}, "", ""))
    rows.append(("  of which kmalloc-* (ct ext, ...)",
                 {v: memv(v, "slab_kmalloc") for v in VARIANTS}, "", ""))
    extra = {}
    for v in ("ftp", "ftpalg"):
        if mem.get(v, {}).get("slab_total") is not None and \
                mem.get("none", {}).get("slab_total") is not None:
            extra[v] = mem[v]["slab_total"] - mem["none"]["slab_total"]
    res["sections"]["mem_helper_extra"] = extra
    # Both helpers keep their per-connection state in the same fixed-size
    # nf_conn_help extension (32-byte data area; ftpalg's state fills it,
    # checked at compile time), so what ftpalg costs beyond that is the
    # slab difference to the in-tree helper.
    mt = None
    if "ftpalg" in extra and "ftp" in extra:
        mt = extra["ftpalg"] - extra["ftp"]
    res["targets"]["state_per_session"] = {
        "want": "<= 32 B", "got": mt, "met": None if mt is None else mt <= 32,
        "note": "ftpalg's state is the 32-byte nf_conn_help data area "
                "(BUILD_BUG_ON); measured: slab per idle session with ftpalg "
                "minus with nf_conntrack_ftp, which uses the same extension"}
    rows.append(("  helper extra B/session (vs none)",
                 {"none": "-", "ftp": "n/a" if "ftp" not in extra else "%+.0f" % extra["ftp"],
                  "ftpalg": "n/a" if mt is None else "%+.0f" % mt},
                 "", "ftpalg - ftp %s <= 32 B: " % ("n/a" if mt is None else "%+.0f" % mt) +
                 ("n/a" if mt is None else ("MET" if mt <= 32 else "NOT MET"))))

    # 3b. allocations per transaction
    alloc = {}
    for r in by.get("alloc", []):
        t = r.get("txns") or 0
        if not t:
            continue
        d = alloc.setdefault(r["mix"], {})
        d[r["variant"]] = {
            "txns": t,
            "allocs_per_txn": r["allocs"] / t if isinstance(r.get("allocs"), (int, float)) else None,
            "expect_allocs_per_txn": r["expect_allocs"] / t
            if isinstance(r.get("expect_allocs"), (int, float)) else None,
            "kmalloc_objs_delta": r.get("kmalloc_objs_delta"),
        }
    res["sections"]["alloc"] = alloc
    alloc_ok = True
    for mix, label in (("portpasv", "PORT/PASV"), ("noop", "NOOP")):
        d = alloc.get(mix, {})
        base = d.get("none", {}).get("allocs_per_txn")
        cells = {}
        for v in VARIANTS:
            x = d.get(v, {})
            if x.get("allocs_per_txn") is None or base is None:
                cells[v] = "n/a"
                if v != "none":
                    alloc_ok = None if alloc_ok else alloc_ok
                continue
            if v == "none":
                cells[v] = "%.2f" % x["allocs_per_txn"]
                continue
            ex = x["allocs_per_txn"] - base
            exp = x.get("expect_allocs_per_txn") or 0
            cells[v] = "%+.2f (exp %.2f)" % (ex, exp)
            if v == "ftpalg" and alloc_ok is not None and ex - exp > 0.05:
                alloc_ok = False
        rows.append(("allocs/txn %s (extra vs none)" % label, cells, "", ""))
    objs = {v: alloc.get("noop", {}).get(v, {}).get("kmalloc_objs_delta") for v in VARIANTS}
    rows.append(("  kmalloc objs delta over NOOP run",
                 {v: "n/a" if objs[v] is None else "%+d" % objs[v] for v in VARIANTS}, "", ""))
    res["targets"]["no_per_packet_alloc"] = {
        "want": "extra allocations per transaction, minus expectations, ~0",
        "met": alloc_ok}
    rows[-3] = rows[-3][:3] + ("no per-packet alloc: " +
                               ("n/a" if alloc_ok is None else
                                ("MET" if alloc_ok else "NOT MET")),)

    # 4. placement
    place = {}
    for v in VARIANTS + ["ftpalg-window"]:
        rs = [r for r in by.get("place", []) if r.get("variant") == v and "error" not in r]
        errs = [r for r in by.get("place", []) if r.get("variant") == v and "error" in r]
        place[v] = {k: stats([r.get(k) for r in rs])
                    for k in ("placed", "expects", "replies", "public", "timeouts",
                              "total_ms", "lat_med_ms", "lat_first10_ms", "lat_last10_ms")}
        place[v]["error"] = errs[0]["error"] if errs and not rs else None
    res["sections"]["place"] = place
    n_place = env.get("place", 1000)
    pv = ["none", "ftp", "ftpalg", "ftpalg-window"]

    def pcell(v, k, d=0):
        if place[v]["error"]:
            return place[v]["error"]
        return fmt(place[v][k], d)

    pw = place["ftpalg-window"]["placed"]
    pmet = None if pw is None else pw["min"] >= n_place
    res["targets"]["placement"] = {"want": "%d of %d" % (n_place, n_place),
                                   "got": None if pw is None else pw["min"], "met": pmet,
                                   "variant": "ftpalg-window"}
    rows.append(("placed of %d colliding PASV" % n_place,
                 {v: pcell(v, "placed") for v in pv}, "",
                 "%d/%d (window): " % (n_place, n_place) +
                 ("n/a" if pmet is None else ("MET" if pmet else "NOT MET"))))
    rows.append(("  expectations listed", {v: pcell(v, "expects") for v in pv}, "", ""))
    rows.append(("  ms/PASV first 10%", {v: pcell(v, "lat_first10_ms", 2) for v in pv}, "", ""))
    rows.append(("  ms/PASV last 10%", {v: pcell(v, "lat_last10_ms", 2) for v in pv}, "", ""))

    # 5. parser
    parse = {}
    for r in by.get("parse", []):
        if r.get("ir") and r.get("calls"):
            parse[r["line"]] = {"class": r["class"], "len": r["len"],
                                "result": r["result"], "ir_per_line": r["ir"] / r["calls"]}
    res["sections"]["parse"] = parse

    # no global lock
    locks = static_lock_check(a.repo)
    res["targets"]["no_global_lock"] = {
        "want": "no global lock on the packet path",
        "static_check": locks or "no DEFINE_SPINLOCK / single static spinlock_t in kmod/*.c",
        "note": "ftpalg_locks[] is a hashed array (per-ct); both helpers still take "
                "the kernel's global nf_conntrack_expect_lock when creating an "
                "expectation (once per PORT/PASV, not per packet)",
        "met": not locks}

    # ---- print
    if insn_lines:
        print()
        print("\n".join(insn_lines))
    wall = any(by.get(s) for s in ("rate", "data", "mem", "alloc", "place"))
    if wall:
        print_wall(rows, env)
    print_parse(parse)
    if wall:
        print_targets(res["targets"])
    return write_json(a.json, res, recs)


def print_wall(rows, env):
    print()
    print("wall-clock figures (secondary: under TCG they spread by +-20 % with the host's load)")
    cols = ["none", "ftp", "ftpalg"]
    hdr = "%-36s %-24s %-24s %-24s %s" % ("metric", VNAME["none"], VNAME["ftp"],
                                          VNAME["ftpalg"], "ratio / target")
    print()
    print("ftpalg benchmark: kernel %s, QEMU/TCG %s vCPUs, %s MB; %s conns x %s s, "
          "%s reps: median [min-max]" % (env.get("kernel", "?"), env.get("cpus", "?"),
                                         (env.get("mem_kb") or 0) // 1024, env.get("conns", "?"),
                                         env.get("secs", "?"), env.get("reps", "?")))
    print(hdr)
    print("-" * len(hdr))
    for name, cells, rt, tgt in rows:
        extra_col = ""
        if "ftpalg-window" in cells:
            extra_col = "  [ftpalg+window %s]" % cells["ftpalg-window"]
        print("%-36s %-24s %-24s %-24s %s%s" % (name, cells.get(cols[0], ""),
                                                cells.get(cols[1], ""), cells.get(cols[2], ""),
                                                "; ".join(x for x in (rt, tgt) if x), extra_col))


def print_parse(parse):
    if not parse:
        return
    print()
    print("parser (callgrind, Ir per ftp_parse_line call, inclusive, -O2):")
    for name, p in parse.items():
        print("  %-11s %-7s len %3d  %-9s %8.0f Ir" % (name, p["class"], p["len"],
                                                      p["result"], p["ir_per_line"]))
    typ = [p["ir_per_line"] for p in parse.values() if p["class"] == "typical"]
    worst = max(p["ir_per_line"] for p in parse.values())
    print("  typical median %.0f Ir/line, worst %.0f Ir/line (%.1f Ir/byte)" % (
        statistics.median(typ) if typ else 0, worst,
        max(p["ir_per_line"] / p["len"] for p in parse.values())))


def print_targets(targets):
    print()
    print("targets:")
    for k, t in targets.items():
        met = t.get("met")
        print("  %-28s %s  (want %s%s)" % (k, "n/a" if met is None else
                                           ("MET" if met else "NOT MET"), t.get("want"),
                                           "" if t.get("got") is None else
                                           ", got %.2f" % t["got"] if isinstance(t.get("got"), float)
                                           else ", got %s" % t.get("got")))


def write_json(path, res, recs):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    res["records"] = recs
    with open(path, "w") as f:
        json.dump(res, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()

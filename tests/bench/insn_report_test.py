#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of bench/insn_report.py: the plugin's counter file, pairing
of records with snapshots, per-unit figures, spread and attribution."""

import base64
import gzip
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import insn_report as ir  # noqa: E402

COUNTS = """# insn_count 1: header
S 0 2 1000 50
S 1 3 101000 60
B 1 ffffffffc0001010 30000
B 1 ffffffffc0001010 10000
B 1 ffffffff81000100 60000
S 2 1 200000 70
S 3 1 302000 80
S 4 1 400000 90
S 5 1 520000 95
E 6
""".splitlines()

KSYMS = """ffffffff81000000 T core_fn
ffffffffc0001000 t ftpalg_help\t[nf_conntrack_ftpalg]
ffffffffc0002000 t other_fn\t[nf_conntrack]
"""


def rec(v, rep, first, units=100, kind="port", **kw):
    r = {"section": "insn", "variant": v, "rep": rep, "kind": kind,
         "first_mark": first, "marks": 2, "units": units, "failed": 0}
    r.update(kw)
    return r


class InsnReport(unittest.TestCase):
    def setUp(self):
        self.counts = ir.parse_counts(COUNTS)

    def test_parse(self):
        self.assertEqual(self.counts["end"], 6)
        self.assertEqual(self.counts["snaps"][1], (3, 101000, 60))
        # two blocks at one address (retranslated) add up
        self.assertEqual(self.counts["blocks"][1][0xffffffffc0001010], 40000)

    def test_bad_line(self):
        with self.assertRaises(ir.CountsError):
            ir.parse_counts(["S 1 2"])
        with self.assertRaises(ir.CountsError):
            ir.parse_counts(["B 1 zz 3"])

    def test_table_and_share(self):
        recs = [rec("none", 1, 0), rec("ftpalg", 1, 2), rec("ftpalg", 2, 4)]
        tab, problems = ir.table(recs, self.counts)
        self.assertEqual(problems, [])
        self.assertEqual(tab["port"]["none"]["median"], 1000)
        self.assertEqual(tab["port"]["ftpalg"]["values"], [1020, 1200])
        self.assertAlmostEqual(tab["port"]["ftpalg"]["spread"], 100 * 180 / 1110)
        self.assertEqual(ir.share(tab, "port", "ftpalg"), 110)
        self.assertIsNone(ir.share(tab, "port", "ftp"))

    def test_targets(self):
        def cell(*vals):
            return {"median": sorted(vals)[len(vals) // 2], "values": list(vals), "spread": 0}
        tab = {"port": {"none": cell(1000), "ftp": cell(2000), "ftpalg": cell(1800)},
               "noop": {"none": cell(1000), "ftp": cell(1100), "ftpalg": cell(1050)},
               "data": {"none": cell(500, 510, 505), "ftpalg": cell(506, 512, 508)}}
        t = ir.targets(tab)
        self.assertAlmostEqual(t["port_share_vs_intree"]["got"], 0.8)
        self.assertTrue(t["port_share_vs_intree"]["met"])
        self.assertIsNone(t["pasv_share_vs_intree"]["met"])
        self.assertTrue(t["noop_share_vs_intree"]["met"])
        self.assertEqual(t["data_share_zero"]["got"], 3)
        self.assertTrue(t["data_share_zero"]["met"])
        tab["data"]["ftpalg"] = cell(530, 531, 532)
        self.assertFalse(ir.targets(tab)["data_share_zero"]["met"])

    def test_data_is_per_packet(self):
        tab, _ = ir.table([rec("none", 1, 0, units=10 ** 6, kind="data", packets=50),
                           rec("none", 1, 2, units=10, kind="idle"),
                           rec("none", 1, 4, units=10, kind="noop")], self.counts)
        self.assertEqual(tab["data"]["none"]["median"], 2000)
        self.assertEqual(tab["idle"]["none"]["median"], 10200)

    def test_unpaired_markers(self):
        # the guest reports 4 markers, the plugin took 6: nothing is paired
        tab, problems = ir.table([rec("none", 1, 0), rec("ftp", 1, 2)], self.counts)
        self.assertEqual(tab, {})
        self.assertIn("do not pair up", problems[0])

    def test_missing_or_failed(self):
        r = [rec("none", 1, 0), rec("ftp", 1, 2, failed=1), rec("ftpalg", 1, 4, marks=1)]
        r.append(rec("ftpalg", 2, 5, marks=1))
        tab, problems = ir.table(r, self.counts)
        self.assertEqual(list(tab["port"]), ["none"])
        self.assertEqual(len(problems), 3)

    def test_attribution(self):
        b64 = base64.b64encode(gzip.compress(KSYMS.encode())).decode()
        syms = ir.parse_ksyms([b64[:10], b64[10:]])
        sym = ir.Symbolizer(syms)
        self.assertEqual(sym(0xffffffffc0001010), ("ftpalg_help", "nf_conntrack_ftpalg"))
        self.assertEqual(sym(0x1000), ("?", ""))
        f = ir.by_function([rec("ftpalg", 1, 0)], self.counts, sym)
        self.assertEqual(f[("ftpalg", "port")], {("ftpalg_help", "nf_conntrack_ftpalg"): 400,
                                                 ("core_fn", ""): 600})
        lines = ir.render({}, [], f, {"cpus": 1})
        self.assertTrue(any(line.split()[:2] == ["ftpalg_help", "400"] for line in lines))


if __name__ == "__main__":
    unittest.main()

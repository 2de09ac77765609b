"""Tests of the quality table and gate: python3 -m unittest discover -s benches"""

import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality_report as q  # noqa: E402

PUBLISHED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "published.tsv")
FLOORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "quality-floors.tsv")


def report(p, r, f, pages=10):
    return {
        "pages": pages,
        "scored": pages,
        "word": {"precision": p, "recall": r, "f1": f},
        "shingle": {"precision": p / 2, "recall": r / 2, "f1": f / 2},
    }


class RunsDir:
    """A harness run directory with the given datasets:
    name -> (clean report, dump report, seconds)."""

    def __init__(self, runs):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        with open(os.path.join(d, "runs.tsv"), "w") as f:
            f.write("dataset\tseconds\n")
            for name, (clean, dump, secs) in runs.items():
                f.write(f"{name}\t{secs}\n")
                for kind, rep in (("clean", clean), ("dump", dump)):
                    with open(os.path.join(d, f"{name}.{kind}.json"), "w") as g:
                        json.dump(rep, g)
        self.path = d

    def close(self):
        self.tmp.cleanup()


class TableTest(unittest.TestCase):
    def setUp(self):
        self.runs = RunsDir(
            {
                "dragnet": (report(0.8, 0.9, 0.82), report(0.4, 1.0, 0.5), 2.5),
                "mystery": (report(0.6, 0.7, 0.6, pages=3), report(0.5, 1.0, 0.6, pages=3), 0.5),
            }
        )
        self.published = q.read_tsv(PUBLISHED)

    def tearDown(self):
        self.runs.close()

    def test_rows_take_figures_from_both_reports_and_published(self):
        rows = q.build_rows(self.runs.path, self.published)
        self.assertEqual([r["dataset"] for r in rows], ["dragnet", "mystery"])
        d = rows[0]
        self.assertEqual((d["pages"], d["f1"], d["dump_f1"], d["dump_precision"]), (10, 0.82, 0.5, 0.4))
        self.assertEqual(d["shingle_f1"], 0.41)
        self.assertEqual((d["best_tool"], d["best_f1"]), ("trafilatura", 0.84))
        # A dataset without published figures.
        self.assertEqual((rows[1]["best_tool"], rows[1]["best_f1"]), ("-", None))

    def test_rendered_table_has_a_row_each_and_a_mean(self):
        text = q.render(q.build_rows(self.runs.path, self.published))
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith("dataset"))
        row = next(l for l in lines if l.startswith("dragnet"))
        self.assertEqual(row.split()[:7], ["dragnet", "10", "0.500", "0.800", "0.900", "0.820", "0.410"])
        self.assertIn("0.840 trafilatura", row)
        mean = next(l for l in lines if l.startswith("mean of 2"))
        # pages and seconds summed, figures averaged: F1 (0.82 + 0.6) / 2
        self.assertEqual(mean.split()[3:5], ["13", "0.550"])
        self.assertIn("0.710", mean)
        self.assertTrue(mean.endswith("3.00"))

    def test_out_files(self):
        rows = q.build_rows(self.runs.path, self.published)
        with tempfile.TemporaryDirectory() as d:
            j = os.path.join(d, "r.json")
            q.write_out(j, rows)
            with open(j) as f:
                doc = json.load(f)
            self.assertEqual(doc["datasets"][0]["f1"], 0.82)
            self.assertEqual(doc["mean"]["pages"], 13)
            self.assertIn("machine", doc)
            t = os.path.join(d, "r.tsv")
            q.write_out(t, rows)
            back = q.read_tsv(t)
            self.assertEqual(back[1]["best_f1"], "-")
            self.assertEqual(float(back[0]["recall"]), 0.9)

    def test_missing_figure_names_the_file(self):
        broken = RunsDir({"x": ({"pages": 1, "scored": 1}, report(0.5, 1, 0.6), 1)})
        try:
            with self.assertRaisesRegex(q.InputError, r"x\.clean\.json: no word\.precision"):
                q.build_rows(broken.path, self.published)
        finally:
            broken.close()

    def test_main_prints_table(self):
        out = io.StringIO()
        with redirect_stdout(out):
            rc = q.main(["table", self.runs.path, "--published", PUBLISHED])
        self.assertEqual(rc, 0)
        self.assertIn("mystery", out.getvalue())


def row(name, p, r, f1, dump_p):
    return {"dataset": name, "precision": p, "recall": r, "f1": f1, "dump_precision": dump_p}


def floor(name, f1, f1_check="enforce", recall=0.9, recall_check="warn", precision_check="warn"):
    return {
        "dataset": name,
        "f1_floor": str(f1),
        "f1_check": f1_check,
        "recall_floor": str(recall),
        "recall_check": recall_check,
        "precision_check": precision_check,
    }


class GateTest(unittest.TestCase):
    def test_passes_above_floors(self):
        lines, failed, warned = q.gate({"datasets": [row("a", 0.8, 0.95, 0.85, 0.5)]}, [floor("a", 0.84)])
        self.assertEqual((failed, warned), (0, 0))
        self.assertEqual(len(lines), 3)

    def test_f1_below_floor_fails_naming_dataset_and_floor(self):
        lines, failed, _ = q.gate({"datasets": [row("a", 0.8, 0.95, 0.83, 0.5)]}, [floor("a", 0.84)])
        self.assertEqual(failed, 1)
        self.assertIn("FAIL  a: F1 0.8300, floor 0.8400", lines)

    def test_recall_and_precision_warn_or_enforce(self):
        results = {"datasets": [row("a", 0.4, 0.85, 0.55, 0.5)]}
        lines, failed, warned = q.gate(results, [floor("a", 0)])
        self.assertEqual((failed, warned), (0, 2))
        self.assertTrue(any(l.startswith("WARN  a: recall 0.8500") for l in lines))
        self.assertTrue(any(l.startswith("WARN  a: precision 0.4000, dump as is 0.5000") for l in lines))
        _, failed, warned = q.gate(results, [floor("a", 0, recall_check="enforce", precision_check="enforce")])
        self.assertEqual((failed, warned), (2, 0))

    def test_unmeasured_and_unfloored_datasets_warn(self):
        lines, failed, warned = q.gate({"datasets": [row("b", 1, 1, 1, 0.5)]}, [floor("a", 0.5)])
        self.assertEqual((failed, warned), (0, 2))
        self.assertIn("a: not measured", lines[0])
        self.assertIn("b: measured but has no floor", lines[-1])

    def test_bad_check_word_is_an_input_error(self):
        with self.assertRaises(q.InputError):
            q.gate({"datasets": []}, [floor("a", 0, f1_check="maybe")])

    def test_committed_floors_parse_and_cover_the_published_sets(self):
        floors = q.read_tsv(FLOORS)
        names = {f["dataset"] for f in floors}
        self.assertEqual(names, {p["dataset"] for p in q.read_tsv(PUBLISHED)})
        results = {"datasets": [row(n, 1, 1, 1, 0) for n in names]}
        _, failed, warned = q.gate(results, floors)
        self.assertEqual((failed, warned), (0, 0))

    def test_main_exit_codes(self):
        with tempfile.TemporaryDirectory() as d:
            res = os.path.join(d, "r.json")
            fl = os.path.join(d, "f.tsv")
            with open(res, "w") as f:
                json.dump({"datasets": [row("a", 0.8, 0.95, 0.5, 0.5)]}, f)
            with open(fl, "w") as f:
                f.write("# comment\n" + "\t".join(floor("a", 0).keys()) + "\n")
                f.write("\t".join(floor("a", 0.6).values()) + "\n")
            err = io.StringIO()
            with redirect_stdout(io.StringIO()), redirect_stderr(err):
                self.assertEqual(q.main(["gate", res, fl]), 1)
                self.assertEqual(q.main(["gate", os.path.join(d, "none.json"), fl]), 2)
            self.assertIn("none.json", err.getvalue())


if __name__ == "__main__":
    unittest.main()

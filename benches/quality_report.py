#!/usr/bin/env python3
"""Tables and checks for the quality harness (benches/quality.sh) and the
quality gate (.ci/quality-gate). Standard library only.

    quality_report.py table RUNS_DIR --published benches/published.tsv [--out FILE]
    quality_report.py gate RESULTS.json benches/quality-floors.tsv

`table` reads what benches/quality.sh leaves in RUNS_DIR: `runs.tsv` (dataset
and seconds taken by `clean`, one a line) and, for each dataset,
`NAME.clean.json` and `NAME.dump.json` (the JSON of `boilerstrip eval` on the
cleaned file and on the file as is). It prints one table and, with --out,
writes it as JSON (FILE ends in .json) or TSV (anything else).

`gate` reads such a JSON file and the floors file, prints one line per check,
and exits 1 when an enforced check fails (0 otherwise, 2 on bad input).
"""

import argparse
import datetime
import json
import os
import platform
import sys

COLUMNS = [
    "dataset",
    "pages",
    "dump_f1",
    "precision",
    "recall",
    "f1",
    "shingle_f1",
    "best_tool",
    "best_f1",
    "seconds",
    "dump_precision",
    "dump_recall",
    "scored",
]


class InputError(Exception):
    """A results, floors or published file that cannot be used."""


def read_tsv(path):
    """Rows of a tab-separated file with a header line, `#` lines skipped, as dicts."""
    rows = []
    header = None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            if len(cells) != len(header):
                raise InputError(
                    f"{path}:{n}: {len(cells)} columns, the header has {len(header)}"
                )
            rows.append(dict(zip(header, cells)))
    return rows


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: {e}") from e


def figure(report, path, *keys):
    """report[keys[0]][keys[1]]..., as a float, or an InputError naming the file."""
    v = report
    for k in keys:
        if not isinstance(v, dict) or k not in v:
            raise InputError(f"{path}: no {'.'.join(keys)}")
        v = v[k]
    if not isinstance(v, (int, float)):
        raise InputError(f"{path}: {'.'.join(keys)} is not a number")
    return float(v)


def build_rows(runs_dir, published):
    """One row per dataset of runs.tsv, in its order."""
    pub = {r["dataset"]: r for r in published}
    rows = []
    runs_path = os.path.join(runs_dir, "runs.tsv")
    for run in read_tsv(runs_path):
        name = run["dataset"]
        clean_path = os.path.join(runs_dir, f"{name}.clean.json")
        dump_path = os.path.join(runs_dir, f"{name}.dump.json")
        clean = load_json(clean_path)
        dump = load_json(dump_path)
        p = pub.get(name, {})
        best_f1 = p.get("best_f1", "-")
        rows.append(
            {
                "dataset": name,
                "pages": int(figure(clean, clean_path, "pages")),
                "scored": int(figure(clean, clean_path, "scored")),
                "dump_precision": figure(dump, dump_path, "word", "precision"),
                "dump_recall": figure(dump, dump_path, "word", "recall"),
                "dump_f1": figure(dump, dump_path, "word", "f1"),
                "precision": figure(clean, clean_path, "word", "precision"),
                "recall": figure(clean, clean_path, "word", "recall"),
                "f1": figure(clean, clean_path, "word", "f1"),
                "shingle_f1": figure(clean, clean_path, "shingle", "f1"),
                "best_tool": p.get("best_tool", "-"),
                "best_f1": None if best_f1 == "-" else float(best_f1),
                "seconds": float(run["seconds"]),
            }
        )
    return rows


def mean_row(rows):
    """The unweighted mean over datasets of each figure (each set counts once,
    as in the published macro figures), pages and seconds summed."""
    if not rows:
        return None
    n = len(rows)
    m = {"dataset": f"mean of {n}", "best_tool": "-", "best_f1": None}
    for k in ("pages", "scored", "seconds"):
        m[k] = sum(r[k] for r in rows)
    for k in ("dump_precision", "dump_recall", "dump_f1", "precision", "recall", "f1", "shingle_f1"):
        m[k] = sum(r[k] for r in rows) / n
    return m


def fmt_row(r):
    best = "-" if r["best_f1"] is None else f"{r['best_f1']:.3f} {r['best_tool']}"
    return [
        r["dataset"],
        str(r["pages"]),
        f"{r['dump_f1']:.3f}",
        f"{r['precision']:.3f}",
        f"{r['recall']:.3f}",
        f"{r['f1']:.3f}",
        f"{r['shingle_f1']:.3f}",
        best,
        f"{r['seconds']:.2f}",
    ]


HEADER = ["dataset", "pages", "dump F1", "P", "R", "F1", "shingle F1", "best published F1", "clean s"]


def render(rows):
    """The table as text: left-aligned names, right-aligned figures."""
    body = [fmt_row(r) for r in rows]
    m = mean_row(rows)
    if m is not None and len(rows) > 1:
        body.append(fmt_row(m))
    table = [HEADER] + body
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = []
    for j, row in enumerate(table):
        cells = []
        for i, c in enumerate(row):
            left = i in (0, 7)
            cells.append(c.ljust(widths[i]) if left else c.rjust(widths[i]))
        lines.append("  ".join(cells).rstrip())
        if j == 0 or (m is not None and len(rows) > 1 and j == len(table) - 2):
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def write_out(path, rows):
    if path.endswith(".json"):
        doc = {
            "measured": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()} {platform.system()} {platform.release()}, "
            f"{os.cpu_count()} cpus",
            "datasets": rows,
            "mean": mean_row(rows),
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\t".join(COLUMNS) + "\n")
            for r in rows:
                f.write("\t".join("-" if r[c] is None else str(r[c]) for c in COLUMNS) + "\n")


CHECKS = ("enforce", "warn")


def gate(results, floors):
    """(lines to print, number of enforced failures, number of warnings)."""
    by_name = {r["dataset"]: r for r in results["datasets"]}
    out, failed, warned = [], 0, 0

    def verdict(ok, check, what):
        nonlocal failed, warned
        if ok:
            out.append(f"ok    {what}")
        elif check == "enforce":
            failed += 1
            out.append(f"FAIL  {what}")
        else:
            warned += 1
            out.append(f"WARN  {what}")

    for fl in floors:
        name = fl["dataset"]
        for col in ("f1_check", "recall_check", "precision_check"):
            if fl[col] not in CHECKS:
                raise InputError(f"floors: {name}: {col} is {fl[col]!r}, not enforce or warn")
        r = by_name.get(name)
        if r is None:
            warned += 1
            out.append(f"WARN  {name}: not measured (no {name}.jsonl.gz in the eval directory)")
            continue
        f1_floor = float(fl["f1_floor"])
        recall_floor = float(fl["recall_floor"])
        verdict(r["f1"] >= f1_floor, fl["f1_check"], f"{name}: F1 {r['f1']:.4f}, floor {f1_floor:.4f}")
        verdict(
            r["recall"] >= recall_floor,
            fl["recall_check"],
            f"{name}: recall {r['recall']:.4f}, floor {recall_floor:.4f}",
        )
        verdict(
            r["precision"] >= r["dump_precision"],
            fl["precision_check"],
            f"{name}: precision {r['precision']:.4f}, dump as is {r['dump_precision']:.4f}",
        )
    for name in sorted(set(by_name) - {f["dataset"] for f in floors}):
        warned += 1
        out.append(f"WARN  {name}: measured but has no floor in the floors file")
    return out, failed, warned


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table", help="print the quality table of a harness run")
    t.add_argument("runs_dir")
    t.add_argument("--published", required=True)
    t.add_argument("--out")
    g = sub.add_parser("gate", help="check a results JSON against the floors")
    g.add_argument("results")
    g.add_argument("floors")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "table":
            rows = build_rows(a.runs_dir, read_tsv(a.published))
            sys.stdout.write(render(rows))
            if a.out:
                write_out(a.out, rows)
            return 0
        results = load_json(a.results)
        if not isinstance(results, dict) or "datasets" not in results:
            raise InputError(f"{a.results}: no datasets (write it with quality.sh --out FILE.json)")
        lines, failed, warned = gate(results, read_tsv(a.floors))
        for line in lines:
            print(line)
        print(f"quality gate: {failed} failed, {warned} warnings")
        return 1 if failed else 0
    except (InputError, KeyError, ValueError, OSError) as e:
        print(f"quality_report: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

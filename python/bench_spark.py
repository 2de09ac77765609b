#!/usr/bin/env python3
"""Times the Spark job (local mode) against `boilerstrip clean` on one corpus.

Checks the answer before timing it: the job's output tree must be byte for
byte the command line's. Then runs both ROUNDS times, interleaved, and prints
the medians: the command line's wall time; the Spark job's wall time as a
user sees it (`python -m boilerstrip.spark`, JVM start included) and its two
passes as the job measures them (a running cluster's share).

    python python/bench_spark.py CORPUS_DIR [--master local[2]] [--rounds 3] [--partitions N]

Needs the package installed (pip install ./python), pyspark, Java, and the
binary ($BOILERSTRIP_BIN or target/release/boilerstrip).
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def tree(root):
    root = Path(root)
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--partitions", type=int)
    a = ap.parse_args()
    cli = os.environ.get("BOILERSTRIP_BIN", str(REPO / "target" / "release" / "boilerstrip"))
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    work = Path(tempfile.mkdtemp(prefix="bench-spark-"))

    def run_cli():
        out = work / "cli"
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([cli, "clean", a.corpus, "-o", str(out), "--quiet"], check=True)
        return time.perf_counter() - t

    def run_spark():
        out = work / "spark"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, "-m", "boilerstrip.spark", a.corpus, "-o", str(out),
               "--master", a.master]
        if a.partitions:
            cmd += ["--partitions", str(a.partitions)]
        t = time.perf_counter()
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        took = time.perf_counter() - t
        if p.returncode != 0:
            sys.exit(p.stderr[-3000:])
        m = re.search(r"pass 1 ([\d.]+) s, pass 2 ([\d.]+) s on (\d+) partitions", p.stderr)
        return took, float(m[1]), float(m[2]), int(m[3])

    run_cli()
    run_spark()
    same = tree(work / "cli") == tree(work / "spark")
    print(f"outputs identical: {same} ({len(tree(work / 'cli'))} files)")
    if not same:
        sys.exit(1)
    cli_t, spark_t, p1, p2 = [], [], [], []
    for _ in range(a.rounds):
        cli_t.append(run_cli())
        s, x1, x2, parts = run_spark()
        spark_t.append(s)
        p1.append(x1)
        p2.append(x2)
    med = statistics.median
    print(f"boilerstrip clean:  {med(cli_t):.2f} s   (runs: {', '.join(f'{x:.2f}' for x in cli_t)})")
    print(f"spark job, whole:   {med(spark_t):.2f} s   (runs: {', '.join(f'{x:.2f}' for x in spark_t)})")
    print(f"spark pass 1 + 2:   {med(p1):.2f} + {med(p2):.2f} s on {parts} partitions, {a.master}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()

"""Both passes of boilerstrip on Apache Spark, with the command line's output.

A corpus too large for one machine splits into partitions of input files.
Each partition learns its statistics (pass 1) with the native package; the
cluster adds the partitions' models in a tree (``treeReduce``: models add
in any order and grouping to the same model); the merged model is broadcast;
each partition cleans its files with it (pass 2) and writes them under the
output directory, mirroring the inputs as ``boilerstrip clean -o`` does.
The output is byte for byte that of ``boilerstrip clean INPUT -o OUTPUT`` on
one machine, whatever the number of partitions and executors.

Inputs are found on the driver with the command line's own rules
(``boilerstrip.discover``: directories walked in sorted order, the site of a
text file the name of its folder, the format from the file name), so text
files in site folders, JSONL and WET shards, gzip or zstd, all work as they
do on the command line. Executors read the inputs and write the outputs by
path: on a cluster both must be on a file system every node mounts (NFS,
Lustre, a FUSE mount of an object store).

Run locally::

    python -m boilerstrip.spark corpus/ -o cleaned/ --master 'local[2]'

or on a cluster with ``spark-submit`` (see the repository's README). For
records already in Spark (a DataFrame of pages), ``clean_rdd`` does the same
two passes over an RDD of ``(text, site)`` pairs.
"""

import argparse
import operator
import os
import sys
import time

import boilerstrip

__all__ = ["clean_corpus", "clean_rdd", "main"]


def _learn_partition(settings):
    def learn(files):
        files = list(files)
        # An empty partition contributes the empty model (the identity).
        model, _problems = boilerstrip.learn_files(files, **settings)
        # Pass 1's problems are reported once, by pass 2, as the command
        # line does.
        yield model

    return learn


def _clean_partition(out_dir, model, settings, drop_empty, cleaner):
    def clean(files):
        files = list(files)
        if not files:
            return
        stats, problems = boilerstrip.clean_files(
            files,
            out_dir,
            model.value,
            drop_empty=drop_empty,
            cleaner=cleaner,
            **settings,
        )
        yield _counts(stats), problems

    return clean


# The counters of ``--stats-json`` that add across partitions.
_COUNTS = (
    ("inputs",),
    ("bad_inputs",),
    ("bad_records",),
    ("records_without_text",),
    ("documents", "in"),
    ("documents", "out"),
    ("lines", "in"),
    ("lines", "out"),
    ("bytes", "in"),
    ("bytes", "out"),
)


def _counts(stats):
    out = {}
    for key in _COUNTS:
        v = stats
        for k in key:
            v = v[k]
        out[".".join(key)] = v
    return out


def _add_counts(a, b):
    return {k: a.get(k, 0) + b.get(k, 0) for k in set(a) | set(b)}


def clean_corpus(
    sc,
    inputs,
    out_dir,
    *,
    partitions=None,
    depth=2,
    text_field="text",
    group_field=None,
    format=None,
    drop_empty=False,
    cleaner=None,
):
    """Cleans the files under ``inputs`` (paths of files or directories) into
    ``out_dir`` on the Spark context ``sc``: the output of
    ``boilerstrip clean INPUTS -o OUT_DIR``, with the classifier options of
    ``cleaner`` (a ``boilerstrip.Cleaner``; by default ``Cleaner()``), which
    travels to the executors with its rule and model files' texts.

    ``partitions`` is the number of partitions of the file list (by default
    four per core of the cluster, at most one per file); ``depth`` the depth
    of the tree in which models are added. Returns a dictionary: the run's
    counters (``documents.in``, ``lines.out``, ...), the problems
    (``problems``: unreadable files and records, each reported once), the
    merged model's size (``model.documents``, ``model.distinct_lines``) and
    the time of each pass in seconds."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    inputs = [os.fspath(p) for p in inputs]
    out_dir = os.path.abspath(os.fspath(out_dir))
    boilerstrip._native.check_output_dir(out_dir, inputs)
    files, skipped = boilerstrip.discover(inputs, format)
    if not files:
        raise ValueError("nothing to do: no input files found")
    # Executors may run in another directory: give them absolute paths.
    files = [f._replace(path=os.path.abspath(f.path)) for f in files]
    if partitions is None:
        partitions = 4 * sc.defaultParallelism
    partitions = max(1, min(partitions, len(files)))
    settings = {"text_field": text_field, "group_field": group_field}

    started = time.perf_counter()
    rdd = sc.parallelize(files, partitions)
    model = rdd.mapPartitions(_learn_partition(settings)).treeReduce(
        operator.add, depth=depth
    )
    learned = time.perf_counter()

    shared = sc.broadcast(model)
    try:
        results = rdd.mapPartitions(
            _clean_partition(out_dir, shared, settings, drop_empty, cleaner)
        ).collect()
    finally:
        shared.destroy()
    cleaned = time.perf_counter()

    counts = {}
    problems = list(skipped)
    for c, p in results:
        counts = _add_counts(counts, c)
        problems.extend(p)
    counts["problems"] = problems
    counts["model.documents"] = model.documents
    counts["model.distinct_lines"] = model.distinct_lines
    counts["seconds.pass1"] = learned - started
    counts["seconds.pass2"] = cleaned - learned
    counts["partitions"] = partitions
    return counts


def _learn_pairs(pairs):
    texts, sites = [], []
    for text, site in pairs:
        texts.append(text)
        sites.append(site)
    yield boilerstrip.learn(texts, sites)


def clean_rdd(rdd, model=None, depth=2, cleaner=None):
    """Both passes over an RDD of ``(text, site)`` pairs (``site`` may be
    ``None``; ``text`` ``str`` or ``bytes``). Returns ``(cleaned, model)``:
    an RDD of the cleaned texts in the same order and partitioning, and the
    model they were cleaned with (learned over ``rdd`` when not given, as
    ``clean_batch`` does; ``rdd`` is then read twice, so cache it).
    ``cleaner`` (a ``boilerstrip.Cleaner``) sets the classifier options."""
    if model is None:
        model = rdd.mapPartitions(_learn_pairs).treeReduce(operator.add, depth=depth)
    shared = rdd.context.broadcast(model)

    def clean(pairs):
        pairs = list(pairs)
        return boilerstrip.clean_batch(
            [t for t, _ in pairs], [s for _, s in pairs], shared.value, cleaner=cleaner
        )

    return rdd.mapPartitions(clean), model


def main(argv=None):
    """``python -m boilerstrip.spark INPUT... -o OUT_DIR``: the command line
    of the job. Exits 1 if some input or record could not be used (it is
    reported, and the run goes on), as ``boilerstrip clean`` does."""
    p = argparse.ArgumentParser(
        prog="boilerstrip-spark",
        description="Clean a corpus of files with boilerstrip on Apache Spark "
        "(the output of `boilerstrip clean INPUT... -o OUT_DIR`).",
    )
    p.add_argument("inputs", nargs="+", help="files or directories to clean")
    p.add_argument("-o", "--output", required=True, help="the output directory")
    p.add_argument(
        "--master",
        help="Spark master for a run started with python (e.g. local[2]); "
        "spark-submit sets its own",
    )
    p.add_argument("--partitions", type=int, help="partitions of the file list")
    p.add_argument("--depth", type=int, default=2, help="depth of the model tree")
    p.add_argument("--format", choices=["text", "jsonl", "wet"])
    p.add_argument("--text-field", default="text")
    p.add_argument("--group-field")
    p.add_argument("--drop-empty", action="store_true")
    c = p.add_argument_group(
        "classifier options", "as `boilerstrip clean`'s (see `boilerstrip clean --help`)"
    )
    c.add_argument("--rules", action="append", default=[], metavar="FILE")
    c.add_argument("--line-model", metavar="FILE")
    c.add_argument("--threshold", type=float, metavar="P")
    c.add_argument("--sandwich-words", type=int, metavar="N")
    c.add_argument("--template-docs", type=int, metavar="N")
    c.add_argument("--soft-lexicon", action="store_true")
    c.add_argument("--settle", action="store_true")
    c.add_argument("--no-headline", action="store_true")
    a = p.parse_args(argv)
    # Options not given keep the Cleaner's defaults, which are the command
    # line's.
    given = {
        k: v
        for k, v in [
            ("line_model", a.line_model),
            ("threshold", a.threshold),
            ("sandwich_words", a.sandwich_words),
            ("template_docs", a.template_docs),
        ]
        if v is not None
    }
    try:
        cleaner = boilerstrip.Cleaner(
            rules=a.rules,
            soft_lexicon=a.soft_lexicon,
            settle=a.settle,
            headline=not a.no_headline,
            **given,
        )
    except (OSError, ValueError) as e:
        # The command line's usage error: a bad rule file or option value.
        p.exit(2, f"boilerstrip-spark: {e}\n")

    if a.master and a.master.startswith("local"):
        # Workers on this machine run the Python that runs the driver unless
        # told otherwise, so that they find the same boilerstrip (by default
        # Spark starts `python3` from PATH). On a cluster, spark-submit's
        # settings say which Python the executors run.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("boilerstrip")
    if a.master:
        builder = builder.master(a.master)
    spark = builder.getOrCreate()
    try:
        r = clean_corpus(
            spark.sparkContext,
            a.inputs,
            a.output,
            partitions=a.partitions,
            depth=a.depth,
            text_field=a.text_field,
            group_field=a.group_field,
            format=a.format,
            drop_empty=a.drop_empty,
            cleaner=cleaner,
        )
    finally:
        spark.stop()
    for problem in r["problems"]:
        print(f"boilerstrip: {problem}", file=sys.stderr)
    print(
        f"boilerstrip: {r['inputs']} inputs, {r['documents.in']} documents, "
        f"{r['lines.in']} lines in, {r['lines.out']} kept; "
        f"pass 1 {r['seconds.pass1']:.1f} s, pass 2 {r['seconds.pass2']:.1f} s "
        f"on {r['partitions']} partitions",
        file=sys.stderr,
    )
    return 1 if r["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())

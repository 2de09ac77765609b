#!/usr/bin/env python3
"""Time the Python line cleaners users have beside boilerstrip, on the same pages.

    python3 benches/peers.py CORPUS.jsonl [--docs N] [--boilerstrip BIN] [--reps N]

Takes every k-th page of a JSONL corpus (the benchmark corpus of
benches/gen_corpus.py; `text` field) so that N pages remain, and runs each
cleaner over them: boilerstrip (`clean` of the sample as one JSONL file, one
thread), jusText (each line a `<p>` of an HTML page, English stoplist),
datatrove's C4 line filter and its Gopher quality and repetition filters, and a
CCNet-style pass (pass 1 counts in how many pages each normalised line occurs,
pass 2 drops lines found in two or more; written here, in plain Python, since
CCNet itself is not a package).

Speed is MB of page text per CPU-second (user + system of the process or of the
child), the median of --reps runs; Python tools are warmed up first (imports,
models), boilerstrip's runs include its start-up; a tool that is not installed is reported as
missing, not timed. Before timing, each tool's answer is checked: it must keep
every page's article paragraphs (lines of 30 words or more in this corpus) or
say which share it lost, and drop something. The output is a Markdown table.

Install the peers with `benches/peers.sh`, which makes a virtual environment
from the pinned benches/peers-requirements.txt and runs this script.
"""

import argparse
import hashlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata

# Lines of this many words or more are the generator's article paragraphs
# (benches/gen_corpus.py writes no chrome line that long); the same rule as
# gen_corpus.py --check.
PARAGRAPH_WORDS = 30


def sample(path, docs):
    """Every k-th page of the corpus, so that `docs` pages remain."""
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    step = max(1, len(lines) // docs)
    return [json.loads(line)["text"] for line in lines[::step][:docs]]


def cpu_seconds(children=False):
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def clean_justext(pages):
    import justext

    stoplist = justext.get_stoplist("English")
    out = []
    for page in pages:
        html = "<html><body>" + "".join(
            "<p>%s</p>" % escape_html(line) for line in page.split("\n") if line.strip()
        ) + "</body></html>"
        paragraphs = justext.justext(html.encode("utf-8"), stoplist)
        out.append("\n".join(p.text for p in paragraphs if not p.is_boilerplate))
    return out


def escape_html(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_c4(pages):
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4QualityFilter

    # The line-level parts of C4's filter; the page-level ones (too few
    # sentences, curly braces, lorem ipsum) drop whole pages, which is not the
    # comparison here.
    f = C4QualityFilter(
        filter_no_terminal_punct=True,
        min_num_sentences=-1,
        filter_curly_bracket=False,
        filter_lorem_ipsum=False,
    )
    out = []
    for i, page in enumerate(pages):
        doc = Document(text=page, id=str(i))
        f.filter(doc)
        out.append(doc.text)
    return out


def clean_gopher(pages):
    from datatrove.data import Document
    from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter

    # Gopher's filters judge whole pages: a page is kept or not. They are
    # timed because users run them for the same purpose, over the same text.
    quality = GopherQualityFilter()
    repetition = GopherRepetitionFilter()
    out = []
    for i, page in enumerate(pages):
        doc = Document(text=page, id=str(i))
        keep = quality.filter(doc) is True and repetition.filter(doc) is True
        out.append(page if keep else "")
    return out


def ccnet_normalise(line):
    # CCNet's normalisation: lower case, accents removed, digits to 0,
    # punctuation removed, spaces collapsed.
    line = unicodedata.normalize("NFD", line.strip().lower())
    line = "".join(c for c in line if unicodedata.category(c) != "Mn")
    line = re.sub(r"\d", "0", line)
    line = re.sub(r"[^\w\s]", "", line)
    return " ".join(line.split())


def clean_ccnet(pages):
    def key(line):
        return hashlib.sha1(ccnet_normalise(line).encode("utf-8")).digest()[:8]

    counts = {}
    for page in pages:
        for k in {key(l) for l in page.split("\n") if l.strip()}:
            counts[k] = counts.get(k, 0) + 1
    return [
        "\n".join(l for l in page.split("\n") if l.strip() and counts[key(l)] < 2)
        for page in pages
    ]


def clean_boilerstrip(binary, pages, workdir):
    src = os.path.join(workdir, "sample.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        for page in pages:
            f.write(json.dumps({"text": page}) + "\n")
    out_dir = tempfile.mkdtemp(dir=workdir)
    subprocess.run(
        [binary, "clean", src, "-o", out_dir, "--quiet", "--threads", "1"],
        check=True,
    )
    with open(os.path.join(out_dir, "sample.jsonl"), encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def check(name, pages, cleaned, line_cleaner):
    """Share of paragraph lines kept and of all lines dropped; fails loudly on
    an answer no cleaner should give (a line cleaner that drops nothing did
    not run; a page filter may rightly keep every page of this corpus)."""
    if len(cleaned) != len(pages):
        sys.exit(f"peers.py: {name} returned {len(cleaned)} pages for {len(pages)}")
    paragraphs = kept_paragraphs = lines = kept_lines = 0
    for page, out in zip(pages, cleaned):
        kept = set(l.strip() for l in out.split("\n"))
        for line in page.split("\n"):
            if not line.strip():
                continue
            lines += 1
            hit = line.strip() in kept
            kept_lines += hit
            if len(line.split()) >= PARAGRAPH_WORDS:
                paragraphs += 1
                kept_paragraphs += hit
    dropped = 1 - kept_lines / lines
    if line_cleaner and dropped == 0:
        sys.exit(f"peers.py: {name} dropped nothing; it did not run as intended")
    return kept_paragraphs / paragraphs, dropped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="a JSONL corpus with a text field (benches/gen_corpus.py)")
    ap.add_argument("--docs", type=int, default=2000, help="pages in the sample (default 2000)")
    ap.add_argument("--boilerstrip", default="target/release/boilerstrip")
    ap.add_argument("--reps", type=int, default=3, help="runs a tool, median taken (default 3)")
    args = ap.parse_args()

    pages = sample(args.corpus, args.docs)
    mb = sum(len(p.encode("utf-8")) for p in pages) / 1e6
    # name, function (None: the boilerstrip binary), removes lines (not pages)
    tools = [
        ("boilerstrip (1 thread)", None, True),
        ("jusText", clean_justext, True),
        ("datatrove C4 line filter", clean_c4, True),
        ("datatrove Gopher quality + repetition (whole pages)", clean_gopher, False),
        ("CCNet-style line frequency (Python)", clean_ccnet, True),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for name, fn, line_cleaner in tools:
            times = []
            try:
                if fn is not None:
                    # Imports and model loading (nltk, spacy) happen once a
                    # process; a warm-up call keeps them out of the timing.
                    fn(pages[:20])
                for _ in range(args.reps):
                    if fn is None:
                        before = cpu_seconds(children=True)
                        cleaned = clean_boilerstrip(args.boilerstrip, pages, workdir)
                        times.append(cpu_seconds(children=True) - before)
                    else:
                        before = cpu_seconds()
                        cleaned = fn(pages)
                        times.append(cpu_seconds() - before)
            except ImportError as e:
                rows.append((name, None, None, None, f"not installed ({e.name})"))
                continue
            kept, dropped = check(name, pages, cleaned, line_cleaner)
            rows.append((name, statistics.median(times), kept, dropped, ""))
            print(f"{name}: {statistics.median(times):.2f} CPU-s", file=sys.stderr)

    ours = rows[0][1]
    print(f"Sample: {len(pages)} pages, {mb:.1f} MB of text; {args.reps} runs a tool, medians.\n")
    print("| tool | CPU s | MB per CPU-s | boilerstrip is × faster | paragraphs kept | lines dropped |")
    print("|---|---|---|---|---|---|")
    for name, t, kept, dropped, note in rows:
        if t is None:
            print(f"| {name} | {note} | | | | |")
            continue
        speed = mb / t if t > 0 else float("inf")
        print(
            f"| {name} | {t:.2f} | {speed:.2f} | {t / ours:.1f} | {kept:.1%} | {dropped:.1%} |"
        )


if __name__ == "__main__":
    main()

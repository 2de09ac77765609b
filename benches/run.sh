#!/usr/bin/env bash
# Whole-run benchmark: boilerstrip clean beside the floors of moving the same bytes.
#
#   benches/run.sh [--small] [--reps N] [--corpus DIR] [--no-append] [--skip-check]
#                  [--eval DIR | --no-eval]
#
# Builds the release binary, generates the corpus with benches/gen_corpus.py if
# it is missing (target/bench-corpus, or target/bench-corpus-small with --small),
# checks boilerstrip's output, then times every case N times (default 3),
# interleaved (rep 1 of every case, then rep 2, ...), so a slow spell of the
# machine hits all cases alike. Prints the medians as a table with MB/s and the
# ratio to each group's floor, and appends the table to BENCHMARKS.md with the
# machine, the date and the commit.
#
# The floors: for a tree, `cp -r` (a cleaner that mirrors a tree writes as many
# files); for one JSONL file, `cp`; for a gzipped JSONL, `zcat | gzip -6`
# (decompressing the input and compressing the output at boilerstrip's level are
# work any gzip-to-gzip run does). `cat` / `zcat > /dev/null` are printed too:
# reading alone.
#
# CPU % is GNU time's (user + system) / wall: near 200 for a 2-thread run that
# had both cores, near 100 for one that got one (another process busy, or a
# single input, which one thread cleans). Peak RSS comes from GNU time (`/usr/bin/time -v`); on Debian or Ubuntu:
# `apt-get install time` if it is missing.
#
# Outputs are never deleted during the run: every case writes to a new
# directory under CORPUS/scratch, removed at the end (about 4 GB for the full
# corpus). On ext4 without a journal, as on this project's machines, creating a
# file right after many were deleted is slow: the allocator skips inodes freed
# in the last 60 to 360 seconds (`recently_deleted` in ext4's ialloc.c). `cp -r`
# of the full tree took 1.2 s with no recent deletions and 8 to 15 s right
# after a tree was deleted; deleting each case's output before the next case
# measured that search, not the copy. For the same reason, leave a few minutes
# after deleting a large tree (or a previous run) before a run.
#
# Real pages: where the evaluation sets are (--eval DIR, by default
# ../shared/eval when it exists), their page texts (no gold) are gathered once
# into one JSONL file beside the corpus (CORPUS/eval-pages.jsonl, a build
# product, never committed) and timed as a fourth group. The generated corpus
# has long paragraphs among short chrome lines; real pages have shorter lines
# (about 55 bytes against 175), and boilerstrip's work is mostly per line, so
# its MB/s on them is lower: both are reported.
#
# BOILERSTRIP=/path/to/binary uses that binary instead of building one.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

SMALL=0
REPS=3
CORPUS=
APPEND=1
CHECK=1
EVAL=
NO_EVAL=0
while [ $# -gt 0 ]; do
    case "$1" in
        --small) SMALL=1 ;;
        --reps) REPS=$2; shift ;;
        --corpus) CORPUS=$2; shift ;;
        --no-append) APPEND=0 ;;
        --skip-check) CHECK=0 ;;
        --eval) EVAL=$2; shift ;;
        --no-eval) NO_EVAL=1 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$CORPUS" ]; then
    if [ $SMALL = 1 ]; then CORPUS=target/bench-corpus-small; else CORPUS=target/bench-corpus; fi
fi

if [ ! -x /usr/bin/time ]; then
    echo "run.sh: GNU time is missing (/usr/bin/time); install it: apt-get install time" >&2
    exit 2
fi

# Tolerance of the drop-count check: boilerstrip must drop at least this share
# of the chrome lines the generator inserted. The classifier is statistical, so
# not every chrome line goes (a site name on its own line looks like a
# headline); 0.9 is well under what the current classifier drops on this
# corpus (see BENCHMARKS.md) and far above what a broken one would.
MIN_CHROME_SHARE=0.9

if [ -z "${BOILERSTRIP:-}" ]; then
    BOILERSTRIP=$("$ROOT/benches/build.sh")
fi
BS=$BOILERSTRIP

if [ ! -f "$CORPUS/manifest.json" ]; then
    echo "generating the corpus in $CORPUS ..." >&2
    if [ $SMALL = 1 ]; then
        python3 benches/gen_corpus.py "$CORPUS" --small >/dev/null
    else
        python3 benches/gen_corpus.py "$CORPUS" >/dev/null
    fi
fi
if [ $NO_EVAL = 0 ] && [ -z "$EVAL" ] && [ -d ../shared/eval ]; then EVAL=../shared/eval; fi
if [ $NO_EVAL = 1 ]; then EVAL=; fi
PAGES=$CORPUS/eval-pages.jsonl
if [ -n "$EVAL" ] && [ ! -f "$CORPUS/eval-pages.json" ]; then
    echo "gathering the page texts of $EVAL into $PAGES ..." >&2
    python3 - "$EVAL" "$PAGES" "$CORPUS/eval-pages.json" <<'EOF'
import glob, gzip, json, os, sys

src, out, manifest = sys.argv[1:4]
files = sorted(glob.glob(os.path.join(src, "*.jsonl.gz")))
if not files:
    sys.exit(f"run.sh: no *.jsonl.gz in {src}")
pages = text_bytes = lines = 0
with open(out, "w", encoding="utf-8") as o:
    for f in files:
        for line in gzip.open(f, "rt", encoding="utf-8"):
            r = json.loads(line)
            keep = {k: r[k] for k in ("id", "url", "domain", "text") if k in r}
            o.write(json.dumps(keep, ensure_ascii=False) + "\n")
            pages += 1
            text_bytes += len(r["text"].encode())
            lines += r["text"].count("\n") + 1
json.dump({"pages": pages, "text_bytes": text_bytes, "lines": lines,
           "jsonl_bytes": os.path.getsize(out), "sets": len(files)}, open(manifest, "w"))
EOF
fi
TREE=$CORPUS/tree
JSONL=$CORPUS/corpus.jsonl
GZ=$CORPUS/corpus.jsonl.gz
manifest() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$CORPUS/manifest.json" "$1"; }
DOCS=$(manifest documents)
CHROME=$(manifest chrome_lines)
LEAD=$(( DOCS * $(manifest lead_lines_per_document) ))
TEXT_BYTES=$(manifest text_bytes)
JSONL_BYTES=$(manifest jsonl_bytes)

SCRATCH=$CORPUS/scratch
if [ -e "$SCRATCH" ]; then
    echo "run.sh: $SCRATCH exists (an interrupted run?); remove it and wait a few minutes before timing" >&2
    exit 2
fi
mkdir -p "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT

# --- The output check, before any timing -----------------------------------
dropped() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['lines']['dropped'])" "$1"; }
if [ $CHECK = 1 ]; then
    echo "checking the output ..." >&2
    "$BS" clean "$TREE" -o "$SCRATCH/tree1" --quiet --threads 1
    "$BS" clean "$TREE" -o "$SCRATCH/tree2" --quiet --threads 2 --stats-json "$SCRATCH/tree.json"
    "$BS" clean "$JSONL" -o "$SCRATCH/j1" --quiet --threads 1 --stats-json "$SCRATCH/j1.json"
    "$BS" clean "$JSONL" -o "$SCRATCH/j2" --quiet --threads 2 --stats-json "$SCRATCH/j2.json"
    "$BS" clean "$GZ" -o "$SCRATCH/gz" --quiet --threads 2 --stats-json "$SCRATCH/gz.json"
    D=$(dropped "$SCRATCH/j2.json")
    for f in tree j1 gz; do
        d=$(dropped "$SCRATCH/$f.json")
        if [ "$d" != "$D" ]; then
            echo "check failed: $f dropped $d lines, the 2-thread JSONL run $D" >&2; exit 1
        fi
    done
    diff -rq "$SCRATCH/tree1" "$SCRATCH/tree2" >/dev/null \
        || { echo "check failed: the tree's output differs between 1 and 2 threads" >&2; exit 1; }
    cmp -s "$SCRATCH/j1/corpus.jsonl" "$SCRATCH/j2/corpus.jsonl" \
        || { echo "check failed: JSONL output differs between 1 and 2 threads" >&2; exit 1; }
    zcat "$SCRATCH/gz/corpus.jsonl.gz" | cmp -s - "$SCRATCH/j2/corpus.jsonl" \
        || { echo "check failed: gzipped JSONL output differs from the plain one" >&2; exit 1; }
    python3 benches/gen_corpus.py --check "$JSONL" "$SCRATCH/j2/corpus.jsonl" >&2 \
        || { echo "check failed: a paragraph line was dropped" >&2; exit 1; }
    MIN=$(python3 -c "import math,sys; print(math.ceil(float(sys.argv[1]) * int(sys.argv[2])))" "$MIN_CHROME_SHARE" "$CHROME")
    MAX=$(( CHROME + LEAD ))
    if [ "$D" -lt "$MIN" ] || [ "$D" -gt "$MAX" ]; then
        echo "check failed: dropped $D lines, expected $MIN..$MAX (chrome lines $CHROME, at most $LEAD headline/byline/date lines)" >&2
        exit 1
    fi
    if [ -n "$EVAL" ]; then
        "$BS" clean "$PAGES" -o "$SCRATCH/p1" --quiet --threads 1
        "$BS" clean "$PAGES" -o "$SCRATCH/p2" --quiet --threads 2
        cmp -s "$SCRATCH/p1/eval-pages.jsonl" "$SCRATCH/p2/eval-pages.jsonl" \
            || { echo "check failed: the real pages' output differs between 1 and 2 threads" >&2; exit 1; }
    fi
    echo "check passed: $D lines dropped of $CHROME chrome lines (+ up to $LEAD lead lines); every paragraph kept; the same output for 1 and 2 threads (tree and JSONL) and for gzipped JSONL as plain, and the same lines dropped from the tree as from the JSONL" >&2
else
    D=unchecked
fi

# --- The cases ----------------------------------------------------------------
# name @ group @ bytes for MB/s @ command ($OUT is a new output path)
CASES=(
    "tree: cat@tree@$TEXT_BYTES@find '$TREE' -type f -print0 | xargs -0 cat > /dev/null"
    "tree: cp -r (floor)@tree@$TEXT_BYTES@cp -r '$TREE' \"\$OUT\""
    "tree: boilerstrip -j1@tree@$TEXT_BYTES@'$BS' clean '$TREE' -o \"\$OUT\" --quiet --threads 1"
    "tree: boilerstrip -j2@tree@$TEXT_BYTES@'$BS' clean '$TREE' -o \"\$OUT\" --quiet --threads 2"
    "jsonl: cat@jsonl@$JSONL_BYTES@cat '$JSONL' > /dev/null"
    "jsonl: cp (floor)@jsonl@$JSONL_BYTES@cp '$JSONL' \"\$OUT\""
    "jsonl: boilerstrip -j1@jsonl@$JSONL_BYTES@'$BS' clean '$JSONL' -o \"\$OUT\" --quiet --threads 1"
    "jsonl: boilerstrip -j2@jsonl@$JSONL_BYTES@'$BS' clean '$JSONL' -o \"\$OUT\" --quiet --threads 2"
    "gz: zcat@gz@$JSONL_BYTES@zcat '$GZ' > /dev/null"
    "gz: zcat | gzip -6 (floor)@gz@$JSONL_BYTES@zcat '$GZ' | gzip -6 > /dev/null"
    "gz: boilerstrip -j1@gz@$JSONL_BYTES@'$BS' clean '$GZ' -o \"\$OUT\" --quiet --threads 1"
    "gz: boilerstrip -j2@gz@$JSONL_BYTES@'$BS' clean '$GZ' -o \"\$OUT\" --quiet --threads 2"
)
if [ -n "$EVAL" ]; then
    PAGES_BYTES=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['jsonl_bytes'])" "$CORPUS/eval-pages.json")
    CASES+=(
        "pages: cat@pages@$PAGES_BYTES@cat '$PAGES' > /dev/null"
        "pages: cp (floor)@pages@$PAGES_BYTES@cp '$PAGES' \"\$OUT\""
        "pages: boilerstrip -j1@pages@$PAGES_BYTES@'$BS' clean '$PAGES' -o \"\$OUT\" --quiet --threads 1"
        "pages: boilerstrip -j2@pages@$PAGES_BYTES@'$BS' clean '$PAGES' -o \"\$OUT\" --quiet --threads 2"
    )
fi

# Warm the page cache, so every case reads from memory.
find "$TREE" -type f -print0 | xargs -0 cat > /dev/null
cat "$JSONL" "$GZ" > /dev/null
if [ -n "$EVAL" ]; then cat "$PAGES" > /dev/null; fi

RESULTS=$SCRATCH/results.tsv
: > "$RESULTS"
for rep in $(seq 1 "$REPS"); do
    i=0
    for c in "${CASES[@]}"; do
        IFS='@' read -r name _group _bytes cmd <<< "$c"
        OUT=$SCRATCH/out-$rep-$i
        sync
        OUT=$OUT /usr/bin/time -v -o "$SCRATCH/time.txt" bash -c "set -o pipefail; $cmd"
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s }' "$SCRATCH/time.txt")
        rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$SCRATCH/time.txt")
        cpu=$(awk -F': ' '/Percent of CPU this job got/ { sub("%", "", $2); print $2 }' "$SCRATCH/time.txt")
        printf '%d\t%s\t%s\t%s\n' "$i" "$wall" "$rss" "${cpu:-0}" >> "$RESULTS"
        echo "rep $rep: $name: ${wall} s, ${rss} kB, ${cpu}% CPU" >&2
        i=$((i + 1))
    done
done

# --- The table ----------------------------------------------------------------
CASE_LIST=$SCRATCH/cases.txt
printf '%s\n' "${CASES[@]}" > "$CASE_LIST"
TABLE=$(python3 - "$CASE_LIST" "$RESULTS" <<'EOF'
import statistics, sys
cases = [l.rstrip("\n").split("@", 3) for l in open(sys.argv[1]) if l.strip()]
walls, rss, cpu = {}, {}, {}
for l in open(sys.argv[2]):
    i, w, r, c = l.split()
    walls.setdefault(int(i), []).append(float(w))
    rss.setdefault(int(i), []).append(int(r))
    cpu.setdefault(int(i), []).append(int(c))
med = {i: statistics.median(v) for i, v in walls.items()}
floor = {}
for i, (name, group, _, _) in enumerate(cases):
    if "(floor)" in name:
        floor[group] = med[i]
print("| case | median s | runs s | MB/s | × floor | CPU % | peak RSS MB |")
print("|---|---|---|---|---|---|---|")
for i, (name, group, nbytes, _) in enumerate(cases):
    m = med[i]
    # Under GNU time's 10 ms resolution a rate means nothing.
    mbs = f"{int(nbytes) / 1e6 / m:.0f}" if m > 0 else "-"
    ratio = m / floor[group] if floor.get(group) else float("nan")
    runs = " ".join(f"{w:.2f}" for w in walls[i])
    label = name.replace("|", "\\|")
    print(f"| {label} | {m:.2f} | {runs} | {mbs} | {ratio:.2f} | {statistics.median(cpu[i]):.0f} | {max(rss[i]) / 1024:.0f} |")
EOF
)

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then COMMIT="$COMMIT (modified)"; fi
HEADER="### $(date -u +%Y-%m-%d) · $(nproc) CPUs ($CPU) · commit $COMMIT"
CORPUS_LINE="Corpus \`$CORPUS\`: $DOCS pages, $(( TEXT_BYTES / 1000000 )) MB of text, JSONL $(( JSONL_BYTES / 1000000 )) MB; $REPS runs a case, medians; lines dropped: $D of $CHROME chrome lines."
if [ -n "$EVAL" ]; then
    CORPUS_LINE="$CORPUS_LINE $(python3 - "$CORPUS/eval-pages.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"Real pages (`pages`): the {m['pages']:,} pages of the {m['sets']} evaluation sets, "
      f"{m['text_bytes'] / 1e6:.0f} MB of text in {m['lines']:,} lines "
      f"({m['text_bytes'] / m['lines']:.0f} bytes a line), JSONL {m['jsonl_bytes'] / 1e6:.0f} MB.")
EOF
)"
fi

echo
echo "$HEADER"
echo "$CORPUS_LINE"
echo
echo "$TABLE"

if [ $APPEND = 1 ]; then
    [ -f BENCHMARKS.md ] || printf '# Benchmarks\n\nResults of `benches/run.sh`, newest last.\n' > BENCHMARKS.md
    printf '\n%s\n\n%s\n\n%s\n' "$HEADER" "$CORPUS_LINE" "$TABLE" >> BENCHMARKS.md
    echo >&2
    echo "appended to BENCHMARKS.md" >&2
fi

#!/usr/bin/env bash
# Time the Python cleaners users have (jusText, datatrove's C4 and Gopher
# filters, a CCNet-style line-frequency pass) beside boilerstrip on a sample of
# the benchmark corpus, in MB of text per CPU-second.
#
#   benches/peers.sh [--docs N] [--reps N] [--corpus DIR] [--no-append]
#
# Makes a virtual environment in target/peers-venv from the pinned
# benches/peers-requirements.txt (PyPI; about 600 MB, a minute or two the first
# time), builds the release binary, generates the small benchmark corpus if it
# is missing (target/bench-corpus-small), runs benches/peers.py over --docs
# pages of it (default 2000) and appends the table to BENCHMARKS.md with the
# machine, the date and the commit.
#
# BOILERSTRIP=/path/to/binary uses that binary instead of building one.
set -euo pipefail

cd "$(dirname "$0")/.."
DOCS=2000
REPS=3
CORPUS=target/bench-corpus-small
APPEND=1
while [ $# -gt 0 ]; do
    case "$1" in
        --docs) DOCS=$2; shift ;;
        --reps) REPS=$2; shift ;;
        --corpus) CORPUS=$2; shift ;;
        --no-append) APPEND=0 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "peers.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

VENV=target/peers-venv
if [ ! -x "$VENV/bin/python" ] || ! cmp -s benches/peers-requirements.txt "$VENV/requirements.txt"; then
    echo "installing the peers into $VENV ..." >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet -r benches/peers-requirements.txt
    cp benches/peers-requirements.txt "$VENV/requirements.txt"
fi

if [ -z "${BOILERSTRIP:-}" ]; then
    BOILERSTRIP=$(benches/build.sh)
fi
if [ ! -f "$CORPUS/corpus.jsonl" ]; then
    echo "generating the corpus in $CORPUS ..." >&2
    python3 benches/gen_corpus.py "$CORPUS" --small >/dev/null
fi

TABLE=$("$VENV/bin/python" benches/peers.py "$CORPUS/corpus.jsonl" --docs "$DOCS" --reps "$REPS" --boilerstrip "$BOILERSTRIP")
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# As run.sh: figures of uncommitted changes do not pass for the commit's.
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then COMMIT="$COMMIT (modified)"; fi
HEADER="### Peers, $(date -u +%Y-%m-%d) · $(nproc) CPUs ($CPU) · commit $COMMIT"
echo
echo "$HEADER"
echo
echo "$TABLE"
if [ $APPEND = 1 ]; then
    printf '\n%s\n\n%s\n' "$HEADER" "$TABLE" >> BENCHMARKS.md
    echo "appended to BENCHMARKS.md" >&2
fi

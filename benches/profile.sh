#!/usr/bin/env bash
# Where the time of `boilerstrip clean` goes, by phase and by function.
#
#   benches/profile.sh [INPUT] [--threads N]
#
# Samples one run with `perf record` (the cpu-clock software event, which
# works in virtual machines without hardware counters; DWARF call graphs from
# the release profile's line tables), then prints the share of samples per
# phase (pass 1, the classifier, the rest of pass 2: parsing and writing) and
# the top functions (self time) in each. INPUT defaults to the small benchmark
# corpus's JSONL (generated if missing). perf: `apt-get install linux-perf`
# (Debian) or `linux-tools-generic` (Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."

INPUT=
THREADS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) THREADS=$2; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) INPUT=$1 ;;
    esac
    shift
done
command -v perf >/dev/null || { echo "profile.sh: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
if [ -z "$INPUT" ]; then
    INPUT=target/bench-corpus-small/corpus.jsonl
    [ -f "$INPUT" ] || python3 benches/gen_corpus.py target/bench-corpus-small --small >/dev/null
fi
if [ -z "${BOILERSTRIP:-}" ]; then
    BOILERSTRIP=$(benches/build.sh)
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
perf record -q -e cpu-clock -F 4000 --call-graph dwarf,16384 -o "$TMP/perf.data" \
    "$BOILERSTRIP" clean "$INPUT" -o "$TMP/out" --quiet --threads "$THREADS" 2>/dev/null
perf script -i "$TMP/perf.data" -F ip,sym 2>/dev/null > "$TMP/stacks.txt"
python3 - "$TMP/stacks.txt" <<'EOF'
import collections, sys
samples, cur = [], []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        if cur:
            samples.append(cur)
        cur = []
        continue
    parts = line.split(None, 1)
    cur.append(parts[1] if len(parts) > 1 else "?")
if cur:
    samples.append(cur)

def phase(stack):
    s = " ".join(stack)
    if "pipeline::pass1" in s:
        return "pass 1 (statistics)"
    if "classify_with" in s:
        return "pass 2: classify"
    if "pipeline::clean" in s:
        return "pass 2: read, parse, write"
    return "other (start-up, kernel)"

n = len(samples)
print(f"{n} samples")
phases = collections.Counter(phase(s) for s in samples)
for p, v in phases.most_common():
    print(f"{100 * v / n:5.1f}%  {p}")
print()
print("top functions (self), by phase:")
top = collections.Counter((phase(s), s[0].split("(")[0].strip()[:80]) for s in samples)
for (p, f), v in top.most_common(25):
    print(f"{100 * v / n:5.1f}%  {p:28s} {f}")
print()
print("inclusive, by phase (the function anywhere in the 8 innermost frames):")
for key in ["Normalizer::normalize", "features::shape", "aho_corasick", "features::stage1",
            "log1pf", "Utf8Chunks", "serde_json", "write_cleaned", "add_document"]:
    c = collections.Counter(phase(s) for s in samples if any(key in x for x in s[:8]))
    if c:
        print(f"{key:24s} " + ", ".join(f"{p} {100 * v / n:.1f}%" for p, v in c.most_common()))
EOF

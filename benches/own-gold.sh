#!/usr/bin/env bash
# What a corpus's own gold buys: for each EVAL_DIR/*.jsonl.gz, splits the pages by site into
# two halves (a site's pages stay together: CRC-32 of the site, `domain` else the host of
# `url`, mod 2), trains line models on one half with `boilerstrip train`, cleans the other half
# with them, both ways round, and scores every page against its gold with `boilerstrip eval`.
# Each half is cleaned as its own corpus. Three models per half:
#
#   built-in  the shipped model (trained on the whole of CleanEval, Dragnet, L3S-GN1 and
#             WCXB dev, so on those four it has seen the half it cleans)
#   own       trained on the set's other half alone: a user who annotated pages of their own
#   mixed     trained as the built-in model is (the four sets of benches/train.sh), with the
#             set's other half in place of the set itself
#
#   benches/own-gold.sh [EVAL_DIR] [--only DATASET]
#
# EVAL_DIR defaults to ../shared/eval; --only limits the run to one dataset (its file name
# without .jsonl.gz). Prints one table of macro word F1 (precision / recall for `own`).
# Takes about ten minutes for the seven sets on two cores.
# BOILERSTRIP=/path/to/binary uses that binary instead of building one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

eval_dir=""
only=""
while (($#)); do
    case "$1" in
    --only)
        [[ $# -ge 2 ]] || { echo "own-gold.sh: --only needs a dataset name" >&2; exit 2; }
        only="$2"
        shift 2
        ;;
    -h | --help)
        bench_usage
        exit 0
        ;;
    -*)
        echo "own-gold.sh: unknown option $1" >&2
        bench_usage >&2
        exit 2
        ;;
    *)
        [[ -z "$eval_dir" ]] || { echo "own-gold.sh: one EVAL_DIR only" >&2; exit 2; }
        eval_dir="$1"
        shift
        ;;
    esac
done

bench_eval_files own-gold.sh "$eval_dir" "$only"
# The built-in model's training sets, as benches/train.sh names them.
training=(cleaneval dragnet l3s-gn1 wcxb-dev)
for t in "${training[@]}"; do
    [[ -f "$eval_dir/$t.jsonl.gz" ]] || { echo "own-gold.sh: missing $eval_dir/$t.jsonl.gz" >&2; exit 2; }
done

bench_binary

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Runs a command with its stderr kept aside, shown only if it fails.
quietly() {
    if ! "$@" 2>"$work/stderr"; then
        cat "$work/stderr" >&2
        echo "own-gold.sh: failed: $*" >&2
        exit 1
    fi
}

# Macro word F1, precision and recall of the pages in a cleaned JSONL file.
score() {
    "$bin" eval "$1" --json | python3 -c '
import json, sys
w = json.load(sys.stdin)["word"]
print("%.4f %.3f %.3f" % (w["f1"], w["precision"], w["recall"]))'
}

printf '%-16s %6s %9s %22s %9s\n' dataset pages built-in "own half (P / R)" mixed
for f in "${files[@]}"; do
    name="$(basename "$f" .jsonl.gz)"
    d="$work/$name"
    mkdir -p "$d"
    python3 - "$f" "$d" <<'EOF'
import gzip, sys, zlib
from urllib.parse import urlsplit
import json

src, out = sys.argv[1], sys.argv[2]
halves = [gzip.open(f"{out}/A.jsonl.gz", "wt"), gzip.open(f"{out}/B.jsonl.gz", "wt")]
for line in gzip.open(src, "rt"):
    r = json.loads(line)
    site = (r.get("domain") or "").strip().lower()
    if not site:
        site = urlsplit(r.get("url") or "").hostname or str(r.get("id"))
    halves[zlib.crc32(site.encode()) & 1].write(line)
for h in halves:
    h.close()
EOF
    for h in A B; do
        o=$([[ $h == A ]] && echo B || echo A)
        mix=()
        for t in "${training[@]}"; do
            [[ $t != "$name" ]] && mix+=("$eval_dir/$t.jsonl.gz")
        done
        quietly "$bin" train "$d/$o.jsonl.gz" -o "$d/own.$h.txt"
        quietly "$bin" train "${mix[@]}" "$d/$o.jsonl.gz" -o "$d/mixed.$h.txt"
        "$bin" clean "$d/$h.jsonl.gz" -q >>"$d/built-in.jsonl"
        "$bin" clean "$d/$h.jsonl.gz" -q --line-model "$d/own.$h.txt" >>"$d/own.jsonl"
        "$bin" clean "$d/$h.jsonl.gz" -q --line-model "$d/mixed.$h.txt" >>"$d/mixed.jsonl"
    done
    pages=$(wc -l <"$d/built-in.jsonl")
    read -r b _ _ <<<"$(score "$d/built-in.jsonl")"
    read -r w p r <<<"$(score "$d/own.jsonl")"
    read -r m _ _ <<<"$(score "$d/mixed.jsonl")"
    printf '%-16s %6d %9s %22s %9s\n' "$name" "$pages" "$b" "$w ($p / $r)" "$m"
done

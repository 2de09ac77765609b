#!/usr/bin/env bash
# Measures boilerstrip's quality on the evaluation sets: for each
# EVAL_DIR/*.jsonl.gz it cleans the file as one corpus (sites from its
# `domain` field), scores the cleaned pages and the dump as is against the
# gold with `boilerstrip eval`, and prints one table beside the best
# published figures (benches/published.tsv).
#
#   benches/quality.sh [EVAL_DIR] [--out FILE]
#
# EVAL_DIR defaults to ../shared/eval. --out FILE also writes the table, as
# JSON when FILE ends in .json (what .ci/quality-gate reads), else as TSV.
# BOILERSTRIP=/path/to/binary uses that binary instead of building one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

eval_dir=""
out=""
while (($#)); do
    case "$1" in
    --out)
        [[ $# -ge 2 ]] || { echo "quality.sh: --out needs a file" >&2; exit 2; }
        out="$2"
        shift 2
        ;;
    --out=*)
        out="${1#--out=}"
        shift
        ;;
    -h | --help)
        bench_usage
        exit 0
        ;;
    -*)
        echo "quality.sh: unknown option $1" >&2
        bench_usage >&2
        exit 2
        ;;
    *)
        [[ -z "$eval_dir" ]] || { echo "quality.sh: one EVAL_DIR only" >&2; exit 2; }
        eval_dir="$1"
        shift
        ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_eval_files quality.sh "$eval_dir" ""
# A path given relative to the caller's directory stays valid after `cd`.
if [[ -n "$out" && "$out" != /* ]]; then
    out="$PWD/$out"
fi
cd "$root"
bench_binary

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runs="$work/runs"
mkdir -p "$runs"
printf 'dataset\tseconds\n' >"$runs/runs.tsv"

for f in "${files[@]}"; do
    base="$(basename "$f")"
    name="${base%.jsonl.gz}"
    echo "$name: cleaning" >&2
    cleaned_dir="$work/clean/$name"
    mkdir -p "$cleaned_dir"
    start=$EPOCHREALTIME
    "$bin" clean "$f" -o "$cleaned_dir" --quiet
    end=$EPOCHREALTIME
    cleaned="$cleaned_dir/$base"
    if [[ ! -f "$cleaned" ]]; then
        echo "quality.sh: boilerstrip clean did not write $base into its output directory; it has:" >&2
        ls -R "$cleaned_dir" >&2
        exit 1
    fi
    echo "$name: scoring" >&2
    "$bin" eval "$cleaned" --json >"$runs/$name.clean.json"
    "$bin" eval "$f" --json >"$runs/$name.dump.json"
    seconds="$(python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.3f}")' "$start" "$end")"
    printf '%s\t%s\n' "$name" "$seconds" >>"$runs/runs.tsv"
done

args=(table "$runs" --published "$root/benches/published.tsv")
if [[ -n "$out" ]]; then
    args+=(--out "$out")
fi
python3 "$root/benches/quality_report.py" "${args[@]}"

#!/usr/bin/env bash
# Error analysis on the evaluation sets: for each EVAL_DIR/*.jsonl.gz, runs
# boilerstrip over the uncleaned pages as one corpus, labels each line from
# the gold, and prints the lines most often wrongly kept and wrongly dropped
# with the cause the classifier gave, the errors counted by cause, and the
# wrongly kept and dropped words by place (before, inside or after the gold's
# content lines) and length, each with the macro F1 it would add if decided
# right.
#
#   benches/errors.sh [EVAL_DIR] [--top N] [--only DATASET] [--json]
#
# EVAL_DIR defaults to ../shared/eval; --top defaults to 20; --only limits the
# run to one dataset (its file name without .jsonl.gz). --json prints each
# analysis as JSON instead of text.
# BOILERSTRIP=/path/to/binary uses that binary instead of building one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

eval_dir=""
top=20
only=""
json=()
while (($#)); do
    case "$1" in
    --top)
        [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "errors.sh: --top needs a number" >&2; exit 2; }
        top="$2"
        shift 2
        ;;
    --only)
        [[ $# -ge 2 ]] || { echo "errors.sh: --only needs a dataset name" >&2; exit 2; }
        only="$2"
        shift 2
        ;;
    --json)
        json=(--json)
        shift
        ;;
    -h | --help)
        bench_usage
        exit 0
        ;;
    -*)
        echo "errors.sh: unknown option $1" >&2
        exit 2
        ;;
    *)
        eval_dir="$1"
        shift
        ;;
    esac
done

bench_eval_files errors.sh "$eval_dir" "$only"
bench_binary

for f in "${files[@]}"; do
    name="$(basename "$f" .jsonl.gz)"
    if ((${#json[@]} == 0)); then
        echo "=== $name"
    fi
    "$bin" eval --analyze "$f" --top "$top" "${json[@]}"
    if ((${#json[@]} == 0)); then
        echo
    fi
done

#!/usr/bin/env bash
# Retrains the built-in line model (src/model/line-model.txt) from the
# evaluation sets, reproducibly: the same data gives the same weights.
#
#   benches/train.sh [EVAL_DIR]     (default ../shared/eval)
#
# The model is trained on four of the seven sets and reported on all seven by
# benches/quality.sh, so that three sets (cleanportaleval, scrapinghub,
# utomo-big9) measure pages of sites and years the model never saw. The four
# were chosen to span eras and kinds of page: CleanEval (2007, mixed web),
# Dragnet (2012, news and blogs with heavy chrome), L3S-GN1 (2008, news) and
# WCXB dev (2025-26, modern chrome).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval_dir="${1:-$root/../shared/eval}"
train_sets=(cleaneval dragnet l3s-gn1 wcxb-dev)

cd "$root"
cargo build --release --quiet
files=()
for s in "${train_sets[@]}"; do
    f="$eval_dir/$s.jsonl.gz"
    [[ -f "$f" ]] || { echo "train.sh: missing $f" >&2; exit 2; }
    files+=("$f")
done
# The new model is written aside first: the binary that trains embeds the
# old one, and a failed run must not leave the repository without a model.
target/release/boilerstrip train "${files[@]}" -o target/line-model.txt
mv target/line-model.txt src/model/line-model.txt
echo "wrote src/model/line-model.txt; rebuild and run benches/quality.sh to measure it"

# Shared by the scripts over the evaluation sets (quality.sh, errors.sh, own-gold.sh);
# sourced, not run. Each function sets its results in the caller's variables.

# This directory, absolute: the caller may change directory after sourcing.
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Prints the comment block at the top of the running script: its usage.
bench_usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

# bench_eval_files SCRIPT DIR ONLY: sets `eval_dir` to DIR (by default ../shared/eval beside
# the repository) as an absolute path, and `files` to its *.jsonl.gz, or to ONLY.jsonl.gz
# alone when ONLY is given; exits 2, naming SCRIPT, if there is none.
bench_eval_files() {
    local script=$1 dir=$2 only=$3
    dir="${dir:-$bench_dir/../../shared/eval}"
    if [[ ! -d "$dir" ]]; then
        echo "$script: no evaluation directory $dir" >&2
        exit 2
    fi
    eval_dir="$(cd "$dir" && pwd)"
    shopt -s nullglob
    files=("$eval_dir"/*.jsonl.gz)
    if [[ -n "$only" ]]; then
        files=()
        [[ -f "$eval_dir/$only.jsonl.gz" ]] && files=("$eval_dir/$only.jsonl.gz")
    fi
    if ((${#files[@]} == 0)); then
        echo "$script: no ${only:-*}.jsonl.gz in $eval_dir" >&2
        exit 2
    fi
}

# Sets `bin` to $BOILERSTRIP, or to the release binary of this tree, built if need be.
bench_binary() {
    if [[ -n "${BOILERSTRIP:-}" ]]; then
        bin="$BOILERSTRIP"
    else
        echo "building the release binary" >&2
        bin=$("$bench_dir/build.sh")
    fi
}

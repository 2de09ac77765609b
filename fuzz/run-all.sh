#!/bin/sh
# Runs every fuzz target for SECONDS (default 600) each; findings go to artifacts/.
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz's sanitizer flags work on a stable toolchain.
cd "$(dirname "$0")" || exit 2
for t in lines jsonl wet batches decompress classify rules; do
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" -- -max_total_time="${1:-600}" -rss_limit_mb=2048 2>&1 | tail -n 12
done

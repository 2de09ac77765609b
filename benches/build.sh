#!/usr/bin/env bash
# Builds the release binary and prints its path, in the target directory cargo
# builds into (CARGO_TARGET_DIR or build.target-dir when set, else target/), so
# that the scripts run the binary just built and not an older one in target/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
echo "$dir/release/boilerstrip"

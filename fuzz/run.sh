#!/bin/bash
# Runs every fuzz target for SECONDS (default 600), two at a time (the machine has 2
# cores), from the seeds in fuzz/seeds; logs with libFuzzer's final stats in fuzz/logs.
# Needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz).
set -u
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
mkdir -p logs
run() {
    mkdir -p "corpus/$1"
    cargo +nightly fuzz run "$1" "corpus/$1" "seeds/$1" -- \
        -max_total_time="$SECONDS_EACH" -max_len=65536 -print_final_stats=1 > "logs/$1.log" 2>&1
    echo "$1: exit $? ($(grep -E '^Done' "logs/$1.log"))"
}
run response & run imap_url & wait
run analyze & run serve_command & wait
run list_pattern & wait

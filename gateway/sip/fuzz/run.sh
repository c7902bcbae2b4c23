#!/usr/bin/env bash
# Run every fuzz target for a bounded time (default 60 s each) and print the
# outcome. Uses `cargo fuzz` when installed, else builds the targets with the
# same sanitizer-coverage flags cargo-fuzz uses (without ASan: the crate has
# no unsafe code) on the nightly toolchain.
# Usage: gateway/sip/fuzz/run.sh [SECONDS]
set -euo pipefail
SECONDS_EACH=${1:-60}
cd "$(dirname "$0")"
TARGETS=(parse_message parse_sdp endpoint_datagram stream_framer)
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$PWD/target}
if cargo +nightly fuzz --version >/dev/null 2>&1; then
    for t in "${TARGETS[@]}"; do
        cargo +nightly fuzz run "$t" -- -max_total_time="$SECONDS_EACH"
    done
    exit 0
fi
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
    cargo +nightly build --release --target "$TRIPLE" --bins
for t in "${TARGETS[@]}"; do
    corpus="corpus/$t"
    mkdir -p "$corpus"
    case "$t" in
        parse_message|endpoint_datagram|stream_framer) cp ../tests/torture/*.dat "$corpus"/ ;;
    esac
    echo "== $t (${SECONDS_EACH} s)"
    "$CARGO_TARGET_DIR/$TRIPLE/release/$t" "$corpus" \
        -max_total_time="$SECONDS_EACH" -max_len=70000 2>&1 | tail -3
done

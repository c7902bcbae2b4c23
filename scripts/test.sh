#!/usr/bin/env bash
# Set up a fresh machine and run every check: formatting, clippy with warnings as
# errors, and all tests (unit, conformance, end-to-end against sipp).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo build (the binary the end-to-end tests run)"
cargo build -p gateway --bin gateway --features test-hooks
echo "== cargo test"
# The peers are installed above: a missing one is a failure here, never a skip.
unset GATEWAY_TESTS_SKIP_MISSING
cargo test --workspace

#!/usr/bin/env bash
# Set up a fresh machine and run every check: formatting, clippy with warnings as
# errors, and all tests (unit, conformance, end-to-end against sipp, the DSP and
# SIP unit tests on aarch64 under qemu-user).
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
cargo test --workspace --exclude image
# The code most sensitive to the target (SIMD paths falling back to NEON, integer
# widths) again on aarch64, under qemu-user: about 2 minutes with the build.
echo "== unit tests of dsp and sip on aarch64 (qemu-user)"
cargo test --target aarch64-unknown-linux-gnu -p dsp -p sip --lib
# The firmware image (docs/IMAGE.md): built twice to check it is reproducible,
# then booted under qemu-system-aarch64 with U-Boot: login, a call, an update,
# a fallback from a broken update, refused bundles: about 3.5 minutes once the
# gateway is cross-built (docs/IMAGE.md "Tests").
echo "== firmware image: reproducible build, boot tests under QEMU"
cargo test -p image

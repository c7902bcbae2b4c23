#!/usr/bin/env bash
# Set up a fresh machine and run the gateway on the simulated board
# (config/demo.toml): SIP on 127.0.0.1:5060, HTTP API on 127.0.0.1:8080,
# the console on this terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -p gateway
exec target/release/gateway --config config/demo.toml "$@"

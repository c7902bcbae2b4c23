#!/usr/bin/env bash
# Set up a fresh machine and run the gateway on the simulated board
# (config/demo.toml): SIP on 127.0.0.1:5060, HTTP API on 127.0.0.1:8080,
# the console on this terminal.
#
# The gateway runs as the appliance does, on a configuration store: its
# factory configuration is config/demo.toml (built in), and what `save` writes
# on the console goes to target/demo/store/config.toml, outside the tracked
# files. Delete target/demo/store to start again from config/demo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -p gateway
mkdir -p target/demo/store
exec target/release/gateway --store target/demo/store "$@"

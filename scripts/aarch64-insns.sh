#!/usr/bin/env bash
# Instructions per 20 ms frame of the DSP hot paths (the DTMF receiver, the
# G.168 line echo canceller with its default 32 ms tail) on aarch64, counted
# exactly under qemu-user: one instruction per translation block, every block
# executed logged (`-d nochain,exec`), the log's lines counted. Each path runs
# 50 and 150 frames; the difference over 100 frames is one frame's cost, with
# start-up and input synthesis cancelled out. NEON paths (`wide`, `pulp`'s
# fallback) are what runs. docs/PERFORMANCE.md keeps the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release --target aarch64-unknown-linux-gnu -p dsp --example frame_insns
bin=target/aarch64-unknown-linux-gnu/release/examples/frame_insns
count() {
  qemu-aarch64 -one-insn-per-tb -d nochain,exec -D /dev/stdout "$bin" "$1" "$2" | grep -c '^Trace'
}
for path in dtmf echo; do
  a=$(count "$path" 50)
  b=$(count "$path" 150)
  echo "$path: $(((b - a) / 100)) aarch64 instructions per 20 ms frame"
done

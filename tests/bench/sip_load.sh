#!/usr/bin/env bash
# SIP load benchmark: sipp against the gateway on the simulated board.
#
# What is measured: SIP call attempts set up and torn down by the gateway's
# whole signalling path (UDP socket, parser, INVITE server transaction, call
# controller: SDP negotiation and routing) that end at routing: every INVITE
# goes to a number no route matches and gets 100 + 404, then the ACK. A call to
# a line takes seconds of line time on a board of a few ports, so full calls
# cannot be measured at hundreds per second; this is the SIP capacity.
#
# Usage: tests/bench/sip_load.sh [RATE [SECONDS [MAX_TRANSACTIONS]]]
#   RATE              calls per second offered (default 500)
#   SECONDS           duration (default 20; the 10-minute run is 600)
#   MAX_TRANSACTIONS  sip.max_transactions (default 20000; 1024 is the
#                     product default, where the 503s start)
# Prints calls offered / succeeded / failed (an unexpected 503 fails a call), the rate achieved, how many 503s,
# and the gateway's RSS (VmRSS) at start, peak and end, sampled every second.
set -euo pipefail

RATE=${1:-500}
SECONDS_RUN=${2:-20}
MAX_TX=${3:-20000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d /tmp/sip-load.XXXXXX)
GW_PID=""
cleanup() {
    if [ -n "$GW_PID" ]; then kill "$GW_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v sipp >/dev/null || { echo "sipp is not installed"; exit 1; }
(cd "$ROOT" && cargo build --release -q -p gateway)
BIN="$TARGET/release/gateway"

cat >"$WORK/gateway.toml" <<TOML
[log]
level = "warn"

[sip]
listen = "127.0.0.1:0"
allow_unauthenticated = true
rate_limit_per_s = 0
max_transactions = $MAX_TX
max_dialogs = 4096

[rtp]
address = "127.0.0.1"
port_base = 0

[api]
listen = "127.0.0.1:0"

[console]
device = "none"

[board]
kind = "simulated"
tones = "north-america"

[[ports]]
port = 0
kind = "fxo"
ani = "4155550100"

[[ports]]
port = 1
kind = "fxo"
ani = "4155550101"

[[routes]]
prefix = "1800"

[simulation]
tones = "north-america"

[[simulation.lines]]
port = 0
number = "4155550100"

[[simulation.lines]]
port = 1
number = "4155550101"

[[simulation.subscribers]]
number = "1800"
name = "Call centre"
behaviour = "answer"
TOML

RUST_LOG=warn "$BIN" --config "$WORK/gateway.toml" --status-file "$WORK/status.json" \
    2>"$WORK/gateway.log" &
GW_PID=$!
for _ in $(seq 100); do [ -s "$WORK/status.json" ] && break; sleep 0.1; done
SIP=$(sed -E 's/.*"sip":"([^"]+)".*/\1/' "$WORK/status.json")

rss() { awk '/^VmRSS/ {print $2}' "/proc/$GW_PID/status"; }
RSS_START=$(rss)
( while kill -0 "$GW_PID" 2>/dev/null; do rss; sleep 1; done ) >"$WORK/rss.txt" &
SAMPLER=$!

CALLS=$((RATE * SECONDS_RUN))
START=$(date +%s.%N)
set +e
sipp "$SIP" -sf "$ROOT/tests/scenarios/uac_not_found.xml" -s 999 -i 127.0.0.1 \
    -r "$RATE" -m "$CALLS" -l $((RATE * 40)) -nostdin -timeout $((SECONDS_RUN + 60)) \
    -trace_stat -stf "$WORK/stat.csv" -fd 1 -trace_err -error_file "$WORK/errors.log" \
    >"$WORK/sipp.out" 2>&1
CODE=$?
set -e
END=$(date +%s.%N)
RSS_END=$(rss)
kill "$SAMPLER" 2>/dev/null || true
RSS_PEAK=$(sort -n "$WORK/rss.txt" | tail -1)

# Last line of the statistics: cumulative successful and failed calls.
[ -s "$WORK/stat.csv" ] || { echo "sipp wrote no statistics:"; tail -20 "$WORK/sipp.out"; exit 1; }
HEADER=$(head -1 "$WORK/stat.csv")
LAST=$(tail -1 "$WORK/stat.csv")
col() { echo "$HEADER" | tr ';' '\n' | grep -n -x "$1" | cut -d: -f1; }
OK=$(echo "$LAST" | cut -d';' -f"$(col 'SuccessfulCall(C)')")
FAILED=$(echo "$LAST" | cut -d';' -f"$(col 'FailedCall(C)')")
UNEXPECTED=$(grep -c "SIP/2.0 503" "$WORK/errors.log" 2>/dev/null || true)
ELAPSED=$(echo "$END - $START" | bc)
ACHIEVED=$(echo "scale=1; $OK / $ELAPSED" | bc)

echo "offered:   $CALLS calls at $RATE/s for ${SECONDS_RUN} s (max_transactions $MAX_TX)"
echo "succeeded: $OK   failed: $FAILED   sipp exit: $CODE   503 answers: ${UNEXPECTED:-0}"
echo "achieved:  $ACHIEVED calls/s over ${ELAPSED} s"
echo "gateway RSS: start ${RSS_START} kB, peak ${RSS_PEAK} kB, end ${RSS_END} kB"
echo "gateway RSS every 10 s (kB): $(awk 'NR % 10 == 1' "$WORK/rss.txt" | tr '\n' ' ')"
echo "gateway CPU: $(awk '{print ($14+$15)/100 " s user+sys"}' "/proc/$GW_PID/stat")"
# The target docs/PERFORMANCE.md holds this to: at least 500 setups + teardowns
# per second with no failure (offered >= 500/s, every call succeeded, and the
# achieved rate within 1 % of the offered one: sipp's start and end are in the
# elapsed time).
if [ "$RATE" -ge 500 ] && [ "${FAILED:-1}" -eq 0 ] && [ "$OK" -eq "$CALLS" ] \
    && [ "$(echo "$ACHIEVED >= $RATE * 0.99" | bc)" -eq 1 ]; then
    VERDICT=met
else
    VERDICT="NOT met"
fi
echo "target (>= 500 calls/s, 0 failed): $VERDICT"

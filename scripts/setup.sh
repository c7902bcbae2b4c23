#!/usr/bin/env bash
# Install what building, running and testing the gateway needs on a fresh Debian
# machine (root or sudo). Idempotent: packages already present are not fetched.
#   scripts/setup.sh          build + run prerequisites
#   scripts/setup.sh --test   also the real protocol peers the tests use
set -euo pipefail

# libwebrtc-audio-processing-dev + libclang-dev: the gateway's acoustic echo
# control (webrtc-audio-processing 0.5, bindgen); see docs/PERFORMANCE.md "Media engine".
run_pkgs=(pkg-config ca-certificates libopus-dev libasound2-dev libwebrtc-audio-processing-dev libclang-dev)
# espeak-ng, unzip (with sox and ffmpeg): the DTMF talk-off corpus builder; valgrind:
# dtmf-compare's instruction counts (callgrind).
test_pkgs=(sip-tester baresip linphone-cli tshark ffmpeg sox picocom expect tmux iproute2 libspandsp-dev
  espeak-ng unzip valgrind)

want=("${run_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo_cmd debconf-set-selections || true
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found; install Rust with rustup (https://rustup.rs) first" >&2
  exit 1
fi
rustup component add clippy rustfmt >/dev/null 2>&1 || true

# The DTMF talk-off corpus (issue 13): Debian packages fetched with apt-get
# download, converted once to 8 kHz FLAC under /var/cache/gateway/talk-off
# (about 5 minutes on 2 cores, ~380 MB); a no-op once built.
if [[ "${1:-}" == "--test" ]]; then
  "$(dirname "$0")/talk-off-corpus.sh"
fi

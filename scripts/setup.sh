#!/usr/bin/env bash
# Install what building, running and testing the gateway needs on a fresh Debian
# machine (root or sudo). Idempotent: packages already present are not fetched.
#   scripts/setup.sh          build + run prerequisites
#   scripts/setup.sh --cross  also cross-compilation for the ARM boards (no container
#                             engine: rustup targets, Debian's cross gcc, multiarch
#                             -dev packages, qemu-user) and the firmware image tools
#   scripts/setup.sh --test   all of the above plus the real protocol peers the tests use
set -euo pipefail

# libwebrtc-audio-processing-dev + libclang-dev: the gateway's acoustic echo
# control (webrtc-audio-processing 0.5, bindgen); see docs/PERFORMANCE.md "Media engine".
run_pkgs=(pkg-config ca-certificates libopus-dev libasound2-dev libwebrtc-audio-processing-dev libclang-dev)
# espeak-ng, unzip (with sox and ffmpeg): the DTMF talk-off corpus builder; valgrind:
# dtmf-compare's instruction counts (callgrind).
test_pkgs=(sip-tester baresip linphone-cli tshark ffmpeg sox picocom expect tmux iproute2 libspandsp-dev
  espeak-ng unzip valgrind)
# Cross-compilation (docs/IMAGE.md "Cross-compiling"): Debian's cross gcc links, the
# target's libraries come from multiarch -dev packages, qemu-user runs the target's
# unit tests. The firmware image tools pack a GPT disk without loop mounts and sign
# RAUC bundles; qemu-system-arm + u-boot-qemu boot the image in the boot tests.
cross_pkgs=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf libc6-dev-armhf-cross
  qemu-user-static binfmt-support
  libopus-dev:arm64 libasound2-dev:arm64 libwebrtc-audio-processing-dev:arm64
  libopus-dev:armhf libasound2-dev:armhf libwebrtc-audio-processing-dev:armhf
  fdisk e2fsprogs mtools dosfstools u-boot-tools u-boot-qemu kmod rauc openssl
  squashfs-tools cpio)
# bookworm's qemu-system 7.2 conflicts with a newer qemu-utils; backports has 10.0.
backports_pkgs=(qemu-system-arm)

want=("${run_pkgs[@]}")
cross=0
case "${1:-}" in
  --test) want+=("${test_pkgs[@]}" "${cross_pkgs[@]}"); cross=1 ;;
  --cross) want+=("${cross_pkgs[@]}"); cross=1 ;;
esac

sudo_cmd=""
[[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive

if ((cross)); then
  for arch in arm64 armhf; do
    dpkg --print-foreign-architectures | grep -qx "$arch" || $sudo_cmd dpkg --add-architecture "$arch"
  done
  bp=/etc/apt/sources.list.d/bookworm-backports.sources
  if [[ ! -e $bp ]] && grep -q bookworm /etc/os-release; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
      $sudo_cmd tee "$bp" >/dev/null
  fi
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for p in "${want[@]}"; do
  installed "$p" || missing+=("$p")
done
missing_bp=()
if ((cross)); then
  for p in "${backports_pkgs[@]}"; do
    installed "$p" || missing_bp+=("$p")
  done
fi

if ((${#missing[@]} + ${#missing_bp[@]})); then
  echo "setup: installing ${missing[*]} ${missing_bp[*]}"
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo_cmd debconf-set-selections || true
  $sudo_cmd apt-get update -qq
  if ((${#missing[@]})); then
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ((${#missing_bp[@]})); then
    $sudo_cmd apt-get install -y -qq --no-install-recommends -t bookworm-backports "${missing_bp[@]}" >/dev/null
  fi
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found; install Rust with rustup (https://rustup.rs) first" >&2
  exit 1
fi
rustup component add clippy rustfmt >/dev/null 2>&1 || true
if ((cross)); then
  rustup target add aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf >/dev/null 2>&1
fi

# The DTMF talk-off corpus (issue 13): Debian packages fetched with apt-get
# download, converted once to 8 kHz FLAC under /var/cache/gateway/talk-off
# (about 5 minutes on 2 cores, ~380 MB); a no-op once built.
if [[ "${1:-}" == "--test" ]]; then
  "$(dirname "$0")/talk-off-corpus.sh"
fi

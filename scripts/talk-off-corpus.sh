#!/usr/bin/env bash
# Builds the DTMF talk-off corpus (issue 13): speech in many languages, music
# of several genres and noise, every file converted once to 8 kHz 16-bit mono
# FLAC and cached. `dsp/tests/conformance/talk_off.rs` reads the cache.
#
#   scripts/talk-off-corpus.sh            build it if it is not there yet
#   scripts/talk-off-corpus.sh --force    rebuild it
#
# Cache: $TALK_OFF_CORPUS, default /var/cache/gateway/talk-off, laid out as
# <kind>/<source>/<file>.flac with kind speech, music or noise. A finished
# build writes MANIFEST (hours per source); without it the tests skip.
#
# Sources are Debian packages fetched with `apt-get download` and unpacked in
# a scratch folder (nothing is installed but sox, ffmpeg and espeak-ng, which
# scripts/setup.sh --test installs). Speech: the Asterisk prompts (en, es, fr),
# the Hedgewars character voices (recorded, several languages, shouted), and
# espeak-ng reading the fortune packages in nine languages with varied pitch
# and speed. Music: orchestral, electronic, rock, ambient/piano, lounge, pop,
# chiptune and tracker music from game packages, each capped so that no one
# source dominates. Noise: game sound effects and white/pink/brown noise.
#
# HELD OUT: asterisk-core-sounds-it*, asterisk-core-sounds-ru*,
# asterisk-prompt-it-menardi*, asterisk-prompt-es-co,
# asterisk-prompt-fr-armelle and wesnoth-*-music are the lead's held-out check
# of the receiver: they must never be part of this corpus.
set -euo pipefail

VERSION=2
CACHE="${TALK_OFF_CORPUS:-/var/cache/gateway/talk-off}"
JOBS="$(nproc)"

if [[ "${1:-}" != "--force" && -f "$CACHE/MANIFEST" ]] && grep -q "^version $VERSION$" "$CACHE/MANIFEST"; then
  echo "talk-off corpus: present in $CACHE ($(awk '/^total/{print $2}' "$CACHE/MANIFEST") h)"
  exit 0
fi
for tool in sox ffmpeg espeak-ng apt-get dpkg-deb unzip; do
  command -v "$tool" >/dev/null || { echo "talk-off corpus: $tool missing (scripts/setup.sh --test)" >&2; exit 1; }
done

# source name | package | path glob inside the package | cap in minutes (0: all)
MUSIC=(
  "orchestral-ufoai|ufoai-music|*.pk3|60"
  "electronic-warzone2100|warzone2100-music|*.opus|30"
  "pop-planetblupi|planetblupi-music-ogg|*.ogg|45"
  "rock-nexuiz|nexuiz-music|*.pk3|45"
  "ambient-singularity|singularity-music|*.ogg|30"
  "adventure-drascula|drascula-music|*.ogg|30"
  "ambient-hyperrogue|hyperrogue-music|*.ogg|23"
  "soundtrack-colobot|colobot-common-sounds|*/music/*.ogg|30"
  "rock-asc|asc-music|*.mp3|0"
  "lounge-asterisk-moh|asterisk-moh-opsound-wav|*.wav|0"
  "chiptune-frozen-bubble|frozen-bubble-data|*.ogg|0"
  "tracker-fb-music-high|fb-music-high|*.xm|0"
  "city-lincity|lincity-ng-data|*/music/*.ogg|0"
  "game-hedgewars|hedgewars-data|*/Music/*.ogg|20"
)
SPEECH=(
  "asterisk-en|asterisk-core-sounds-en-wav|*.wav|0"
  "asterisk-es|asterisk-core-sounds-es-wav|*.wav|0"
  "asterisk-fr|asterisk-core-sounds-fr-wav|*.wav|0"
  "hedgewars-voices|hedgewars-data|*/voices/*.ogg|0"
)
NOISE=(
  "effects-hedgewars|hedgewars-data|*/Sounds/[!v]*.ogg|0"
  "effects-lincity|lincity-ng-data|*/sounds/*.wav|0"
  "effects-colobot|colobot-common-sounds|*/sounds/*.wav|0"
)
# espeak-ng voice | fortune package | minutes
ESPEAK=(
  "en-us|fortunes|25"
  "de|fortunes-de|25"
  "es-419|fortunes-es|25"
  "ru|fortunes-ru|25"
  "pl|fortunes-pl|25"
  "cs|fortunes-cs|25"
  "eo|fortunes-eo|25"
  "pt-br|fortunes-br|25"
  "cmn|fortunes-zh|25"
)
HELD_OUT='^(asterisk-core-sounds-(it|ru)|asterisk-prompt-it-menardi|asterisk-prompt-es-co$|asterisk-prompt-fr-armelle$|wesnoth-.*-music$)'

started=$(date +%s)
scratch="$(mktemp -d "${TMPDIR:-/tmp}/talk-off.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
new="$CACHE.new"
rm -rf "$new"
mkdir -p "$new" "$scratch/debs" "$scratch/pkg"

pkgs=()
for row in "${MUSIC[@]}" "${SPEECH[@]}" "${NOISE[@]}" "${ESPEAK[@]}"; do
  IFS='|' read -r _ pkg _ <<<"$row"
  pkgs+=("$pkg")
done
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
for p in "${pkgs[@]}"; do
  if [[ "$p" =~ $HELD_OUT ]]; then
    echo "talk-off corpus: $p is held out and must not be used" >&2
    exit 1
  fi
done

echo "talk-off corpus: downloading ${#pkgs[@]} packages"
download() { (cd "$scratch/debs" && apt-get download -q "${pkgs[@]}" >/dev/null 2>"$scratch/apt.log"); }
if ! download; then
  # Package lists missing or stale: refresh them once (as root) and retry.
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null 2>&1 || true
  download || failed=1
fi
if [[ -n "${failed:-}" ]]; then
  echo "talk-off corpus: apt-get download failed:" >&2
  cat "$scratch/apt.log" >&2
  exit 1
fi
for deb in "$scratch"/debs/*.deb; do
  p="$(basename "$deb")"
  p="${p%%_*}"
  mkdir -p "$scratch/pkg/$p"
  dpkg-deb -x "$deb" "$scratch/pkg/$p"
  # Quake-style .pk3 archives (zip) hold the music of some games.
  find "$scratch/pkg/$p" -name '*.pk3' -print0 | while IFS= read -r -d '' z; do
    unzip -qq -o "$z" '*.ogg' -d "${z%.pk3}" 2>/dev/null || true
    rm -f "$z"
  done
  rm -f "$deb"
done

# convert IN OUT: 8 kHz 16-bit mono FLAC (sox for what it reads, else ffmpeg).
convert() {
  mkdir -p "$(dirname "$2")"
  case "${1,,}" in
    *.wav | *.ogg | *.flac)
      sox -q -V1 -G "$1" -r 8000 -c 1 -b 16 "$2" 2>/dev/null ||
        ffmpeg -nostdin -v error -y -i "$1" -ac 1 -ar 8000 -sample_fmt s16 -c:a flac "$2" ;;
    *) ffmpeg -nostdin -v error -y -i "$1" -ac 1 -ar 8000 -sample_fmt s16 -c:a flac "$2" ;;
  esac
}

# take KIND SOURCE PACKAGE GLOB CAP_MIN: files of PACKAGE matching GLOB, in
# path order, until CAP_MIN minutes (0: all).
take() {
  local kind=$1 source=$2 pkg=$3 glob=$4 cap=$5 total=0 f rel out
  local root="$scratch/pkg/$pkg"
  [[ "$glob" == *.pk3 ]] && glob="*.ogg"
  while IFS= read -r -d '' f; do
    rel="${f#"$root"/}"
    rel="${rel//\//_}"
    out="$new/$kind/$source/${rel%.*}.flac"
    convert "$f" "$out" || { echo "talk-off corpus: cannot convert $f" >&2; continue; }
    if ((cap > 0)); then
      total=$(awk -v t="$total" -v d="$(soxi -D "$out")" 'BEGIN{print t + d}')
      awk -v t="$total" -v c="$cap" 'BEGIN{exit !(t >= c * 60)}' && break
    fi
  done < <(find "$root" -type f -ipath "$glob" -print0 | sort -z)
}
export -f convert take
export new scratch

# espeak KIND VOICE PACKAGE MINUTES: fortunes read aloud, ~90 s per file,
# pitch and speed varied from file to file.
speak() {
  local voice=$1 pkg=$2 minutes=$3 dir text chunk i=0 total=0
  set +f # the jobs run under `set -f`; the chunks are found by a glob
  dir="$new/speech/espeak-$voice"
  mkdir -p "$dir" "$scratch/text-$voice"
  text="$scratch/text-$voice/all.txt"
  find "$scratch/pkg/$pkg/usr/share/games/fortunes" -type f ! -name '*.dat' ! -name '*.u8' -print0 |
    sort -z | xargs -0 cat | iconv -f utf-8 -t utf-8 -c |
    sed -e 's/\x08.//g' -e 's/[[:cntrl:]]//g' >"$text"
  # Fortunes are separated by lines holding "%"; ~1500 characters per file.
  awk -v dir="$scratch/text-$voice" 'BEGIN{n=0; len=0; f=sprintf("%s/%03d.txt", dir, n)}
    /^%$/ { if (len > 1500) { close(f); n++; len=0; f=sprintf("%s/%03d.txt", dir, n) } next }
    { print > f; len += length($0) }' "$text"
  for chunk in "$scratch/text-$voice"/[0-9]*.txt; do
    local pitch=$((20 + (i * 17) % 60)) speed=$((130 + (i * 23) % 60))
    espeak-ng -v "$voice" -p "$pitch" -s "$speed" -w "$scratch/text-$voice/tmp.wav" -f "$chunk" 2>/dev/null || continue
    sox -q -V1 -G "$scratch/text-$voice/tmp.wav" -r 8000 -c 1 -b 16 "$dir/$(printf '%03d' "$i").flac"
    total=$(awk -v t="$total" -v d="$(soxi -D "$dir/$(printf '%03d' "$i").flac")" 'BEGIN{print t + d}')
    i=$((i + 1))
    awk -v t="$total" -v c="$minutes" 'BEGIN{exit !(t >= c * 60)}' && break
  done
}
export -f speak

jobs=()
for row in "${MUSIC[@]}"; do jobs+=("take music ${row//|/ }"); done
for row in "${SPEECH[@]}"; do jobs+=("take speech ${row//|/ }"); done
for row in "${NOISE[@]}"; do jobs+=("take noise ${row//|/ }"); done
for row in "${ESPEAK[@]}"; do jobs+=("speak ${row//|/ }"); done
echo "talk-off corpus: converting with $JOBS jobs"
printf '%s\n' "${jobs[@]}" | xargs -d '\n' -P "$JOBS" -I{} bash -c 'set -f; {}'

# Generated noise: white, pink and brown, two levels each, 2 minutes, fixed seed.
mkdir -p "$new/noise/generated"
for colour in whitenoise pinknoise brownnoise; do
  for level in 0.05 0.4; do
    sox -R -q -n -r 8000 -c 1 -b 16 "$new/noise/generated/$colour-$level.flac" synth 120 "$colour" vol "$level"
  done
done

{
  echo "version $VERSION"
  total=0
  for d in "$new"/*/*/; do
    s=$(find "$d" -name '*.flac' -print0 | xargs -0 soxi -D | awk '{s+=$1}END{print s}')
    n=$(find "$d" -name '*.flac' | wc -l)
    rel="${d#"$new"/}"
    printf '%s %.3f h %d files\n' "${rel%/}" "$(awk -v s="$s" 'BEGIN{print s/3600}')" "$n"
    total=$(awk -v t="$total" -v s="$s" 'BEGIN{print t + s}')
  done
  printf 'total %.2f h\n' "$(awk -v t="$total" 'BEGIN{print t/3600}')"
} >"$new/MANIFEST.tmp"
mv "$new/MANIFEST.tmp" "$new/MANIFEST"
rm -rf "$CACHE"
mv "$new" "$CACHE"
echo "talk-off corpus: $(awk '/^total/{print $2}' "$CACHE/MANIFEST") h in $CACHE, built in $(($(date +%s) - started)) s"

#!/usr/bin/env bash
# Makes the browser test's clip: a few seconds of ffmpeg's testsrc picture and a sine tone (H.264/AAC), encrypted
# with raw-key CENC under the KID and key given and packaged to DASH (a static MPD over numbered segments) by
# shaka-packager. ffmpeg's own CENC output lacks the per-fragment encryption data (senc/saiz/saio) Chromium needs.
#
#   make-clip.sh OUTPUT_DIR KID_HEX KEY_HEX     (KID and key: 32 hex digits each)
#
# Writes OUTPUT_DIR/manifest.mpd with video/ and audio/ segments beside it. Exits non-zero when a tool fails or
# leaves an output missing: the npm wrapper of shaka-packager exits 0 whatever the packager did, so the binary is
# called directly and its outputs are checked.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 OUTPUT_DIR KID_HEX KEY_HEX" >&2
  exit 2
fi
out=$1 kid=$2 key=$3
for hex in "$kid" "$key"; do
  [[ $hex =~ ^[0-9a-fA-F]{32}$ ]] || { echo "make-clip: '$hex' is not 32 hex digits" >&2; exit 2; }
done

here=$(cd "$(dirname "$0")" && pwd)
packager=$here/node_modules/shaka-packager/bin/packager-linux-x64
command -v ffmpeg >/dev/null || { echo "make-clip: ffmpeg is not installed" >&2; exit 1; }
[ -x "$packager" ] || { echo "make-clip: $packager is missing (npm ci in $here)" >&2; exit 1; }

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 4 s at 25 fps with a key frame every second, so the packager can cut 1 s segments.
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i testsrc=size=640x360:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 4 -map 0:v -map 1:a \
  -c:v libx264 -profile:v main -pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 \
  -c:a aac -b:a 64k \
  "$work/clear.mp4"

# --clear_lead 0: every segment encrypted (the default leaves the first 5 s, the whole clip, in the clear).
# --protection_systems CommonSystem: a PSSH with the KID in the init segments, the init data Clear Key asks with.
"$packager" \
  "in=$work/clear.mp4,stream=video,init_segment=$out/video/init.mp4,segment_template=$out/video/\$Number\$.m4s" \
  "in=$work/clear.mp4,stream=audio,init_segment=$out/audio/init.mp4,segment_template=$out/audio/\$Number\$.m4s" \
  --enable_raw_key_encryption --keys "label=:key_id=$kid:key=$key" \
  --protection_scheme cenc --protection_systems CommonSystem --clear_lead 0 \
  --segment_duration 1 --generate_static_live_mpd --mpd_output "$out/manifest.mpd" \
  >"$work/packager.log" 2>&1 || { cat "$work/packager.log" >&2; echo "make-clip: shaka-packager failed" >&2; exit 1; }

for file in manifest.mpd video/init.mp4 video/1.m4s audio/init.mp4 audio/1.m4s; do
  [ -s "$out/$file" ] || { cat "$work/packager.log" >&2; echo "make-clip: shaka-packager left no $out/$file" >&2; exit 1; }
done
grep -qi "default_KID=\"${kid:0:8}" "$out/manifest.mpd" \
  || { echo "make-clip: $out/manifest.mpd names no default_KID $kid" >&2; exit 1; }

#!/usr/bin/env bash
# Runs the real window under Xvfb, plays the demo, moves a fader and opens an
# EQ editor with xdotool, and writes PNG screenshots; fails if the window did
# not appear or nothing changed between screenshots. Also prints the time to
# the first window and the app's CPU use idle and while playing (software
# renderer).
#
#   packaging/screenshot.sh [OUT_DIR]      (default: target/screenshots)
#   MIXDESK_BIN=target/debug/mixdesk packaging/screenshot.sh   (default: target/release/mixdesk)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/screenshots}
BIN=${MIXDESK_BIN:-target/release/mixdesk}
mkdir -p "$OUT"
for tool in Xvfb xdotool import compare; do
  command -v "$tool" >/dev/null || { echo "screenshot: $tool is missing; run packaging/setup.sh --test" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "screenshot: $BIN is missing; build it with cargo build --release -p mixdesk" >&2; exit 1; }

export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/xdg-$(id -u)}
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
DISPLAY_NUM=:97
Xvfb $DISPLAY_NUM -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
APP=
cleanup() { [ -n "$APP" ] && kill "$APP" 2>/dev/null; kill "$XVFB" 2>/dev/null || true; }
trap cleanup EXIT
export DISPLAY=$DISPLAY_NUM ICED_BACKEND=tiny-skia MIXDESK_NULL_AUDIO=1
for _ in $(seq 50); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done

# The demo's media is generated on first use; do that before timing the window.
"$BIN" info assets/demo/demo.mixdesk >/dev/null 2>&1 || true
start=$(date +%s.%N)
"$BIN" > "$OUT/app.log" 2>&1 &
APP=$!
W=$(timeout 60 xdotool search --sync --name 'Mixdesk' | head -1) || { echo "screenshot: the window did not appear" >&2; cat "$OUT/app.log" >&2; exit 1; }
shown=$(date +%s.%N)
sleep 2   # the first frames and the graph build
echo "time to window: $(echo "$shown - $start" | bc) s"

cpu() { awk '{print $14 + $15}' "/proc/$APP/stat"; }
hz=$(getconf CLK_TCK)
measure() { local a b; a=$(cpu); sleep 10; b=$(cpu); echo "scale=1; 100 * ($b - $a) / $hz / 10" | bc; }

import -window root "$OUT/1-opened.png"
echo "CPU idle: $(measure) % of one core"
xdotool windowactivate --sync "$W" 2>/dev/null || xdotool windowfocus "$W"
xdotool mousemove 700 20 click 1   # focus the window body (toolbar space), not a field
xdotool key space                  # play
sleep 2
echo "CPU playing with meters: $(measure) % of one core"
import -window root "$OUT/2-playing.png"
# Drag the first strip's fader down (a drag anywhere on the fader moves it relatively).
xdotool mousemove 48 600; sleep 0.2; xdotool mousedown 1
for y in 610 625 640; do sleep 0.1; xdotool mousemove 48 $y; done
sleep 0.1; xdotool mouseup 1
sleep 1
import -window root "$OUT/3-fader-moved.png"
# Open the first strip's first insert (the demo's EQ on the drums): its editor opens beside the mixer.
xdotool mousemove 40 135 click 1
sleep 2
import -window root "$OUT/4-eq-editor.png"
kill -0 "$APP" || { echo "screenshot: the app exited" >&2; cat "$OUT/app.log" >&2; exit 1; }

changed() { local n; n=$(compare -metric AE "$1" "$2" null: 2>&1 || true); n=${n%% *}; [ "${n%.*}" -gt 100 ]; }
changed "$OUT/1-opened.png" "$OUT/2-playing.png" || { echo "screenshot: playing changed nothing on screen" >&2; exit 1; }
# The first strip's value field and fader (the meters move on their own while playing).
convert "$OUT/2-playing.png" -crop 60x700+8+250 "$OUT/.a.png"; convert "$OUT/3-fader-moved.png" -crop 60x700+8+250 "$OUT/.b.png"
changed "$OUT/.a.png" "$OUT/.b.png" || { echo "screenshot: the fader drag changed nothing" >&2; exit 1; }
rm -f "$OUT/.a.png" "$OUT/.b.png"
changed "$OUT/3-fader-moved.png" "$OUT/4-eq-editor.png" || { echo "screenshot: the EQ editor did not open" >&2; exit 1; }
echo "screenshots in $OUT: $(ls "$OUT"/*.png | xargs -n1 basename | tr '\n' ' ')"

#!/usr/bin/env bash
# Runs the real window under Xvfb on a copy of the demo and, with xdotool:
# looks at the timeline (waveforms), opens the drums' fader lane and draws an
# automation curve on it with the pencil, plays the demo on the mixer page and
# checks the automation moves the drums fader, drags the bass fader and opens
# the drums EQ editor (the master stays in view beside it), then stops and
# checks that a note (Undo) moves nothing, looks at the analyzer when stopped,
# opens the fade-shape menu at the pointer, adds markers close together and
# opens the Open dialog (zenity, or the typed path where no dialog can open),
# then groups the drums and the bass and shows the Session tab.
# Writes PNG screenshots; fails if the window did not appear or a step changed
# nothing (or moved what it must not). Also prints the time to the first
# window and the app's CPU use idle and while playing (software renderer).
#
#   packaging/screenshot.sh [OUT_DIR]      (default: target/screenshots)
#   MIXDESK_BIN=target/debug/mixdesk packaging/screenshot.sh   (default: target/release/mixdesk)
#   MIXDESK_SCREENSHOT_DISPLAY=:91 packaging/screenshot.sh     (default :97)
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
DISPLAY_NUM=${MIXDESK_SCREENSHOT_DISPLAY:-:97}
Xvfb $DISPLAY_NUM -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
APP=
DEMO=
cleanup() { [ -n "$APP" ] && kill "$APP" 2>/dev/null; kill "$XVFB" 2>/dev/null; [ -n "$DEMO" ] && rm -rf "$DEMO"; true; }
trap cleanup EXIT
export DISPLAY=$DISPLAY_NUM ICED_BACKEND=tiny-skia MIXDESK_NULL_AUDIO=1
for _ in $(seq 50); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done

# A fresh copy of the demo (its audio is synthesised): the edits below, and
# their autosave, must not touch the repository.
DEMO=$(mktemp -d)
"$BIN" demo --out "$DEMO" >/dev/null
start=$(date +%s.%N)
"$BIN" "$DEMO/demo.mixdesk" > "$OUT/app.log" 2>&1 &
APP=$!
W=$(timeout 60 xdotool search --sync --name 'Mixdesk' | head -1) || { echo "screenshot: the window did not appear" >&2; cat "$OUT/app.log" >&2; exit 1; }
shown=$(date +%s.%N)
sleep 2   # the first frames and the graph build
echo "time to window: $(echo "$shown - $start" | bc) s"

cpu() { awk '{print $14 + $15}' "/proc/$APP/stat"; }
hz=$(getconf CLK_TCK)
measure() { local a b; a=$(cpu); sleep 10; b=$(cpu); echo "scale=1; 100 * ($b - $a) / $hz / 10" | bc; }

import -window root "$OUT/1-timeline.png"
echo "CPU idle: $(measure) % of one core"
xdotool windowactivate --sync "$W" 2>/dev/null || xdotool windowfocus "$W"
# Timeline (1600x1000): the rows start at y = 176, 72 px each; the drums' "A"
# button opens its fader lane under it (y 248-320); draw on it with the pencil.
xdotool mousemove 67 208 click 1; sleep 1
xdotool mousemove 335 109 click 1; sleep 0.5
xdotool mousemove 300 284; sleep 0.2; xdotool mousedown 1
for k in $(seq 0 60); do
  x=$((300 + k * 20)); y=$(echo "284 - 26 * s($k / 6)" | bc -l); xdotool mousemove "$x" "${y%.*}"; sleep 0.02
done
xdotool mouseup 1; sleep 1
import -window root "$OUT/2-automation-drawn.png"
# The mixer page: play; the drums fader follows the drawn curve.
xdotool mousemove 119 81 click 1; sleep 1
xdotool mousemove 1000 20 click 1   # focus the window body (toolbar space), not a field
xdotool key space                  # play
sleep 2
echo "CPU playing with meters: $(measure) % of one core"
import -window root "$OUT/3-playing.png"
sleep 1.5
import -window root "$OUT/4-automation-moved-fader.png"
# Drag the bass strip's fader down (a drag anywhere on the fader moves it relatively).
xdotool mousemove 164 634; sleep 0.2; xdotool mousedown 1
for y in 644 659 674; do sleep 0.1; xdotool mousemove 164 $y; done
sleep 0.1; xdotool mouseup 1
sleep 1
import -window root "$OUT/5-fader-moved.png"
# Open the first strip's first insert (the demo's EQ on the drums): its editor opens beside the mixer.
xdotool mousemove 40 186 click 1
# Move off the strip, so no hover tooltip covers it in the picture.
sleep 0.2; xdotool mousemove 1050 60
sleep 2
import -window root "$OUT/6-eq-editor.png"
# Stop, and let the meters fall.
xdotool mousemove 1000 20 click 1; xdotool key space; sleep 3
import -window root "$OUT/7-stopped.png"
# Undo shows a note over the window: nothing under it moves.
xdotool key ctrl+z; sleep 0.7
import -window root "$OUT/8-note-moves-nothing.png"
# The analyzer beside the timeline, stopped: dashes, not -222 LUFS.
xdotool mousemove 47 81 click 1; sleep 0.7
xdotool mousemove 780 109 click 1; sleep 1.5
import -window root "$OUT/9-analyzer-stopped.png"
xdotool mousemove 780 109 click 1; sleep 0.7
# The fade-in menu of the drums clip, at the pointer.
import -window root "$OUT/.before-menu.png"
xdotool mousemove 400 225 click 3; sleep 1
import -window root "$OUT/10-fade-menu-at-pointer.png"
xdotool mousemove 1000 900 click 1; sleep 0.5
# Three markers close together after "Verse": their labels must not overlap.
for x in 500 522 560; do
  xdotool mousemove $x 128 click 1; sleep 0.3; xdotool mousemove 706 109 click 1; sleep 0.4
done
xdotool mousemove 523 160; sleep 1
import -window root "$OUT/11-markers-close-together.png"
# Groups: on the mixer, click the drums' peak label, Ctrl-click the bass's, group them from
# the drums' ⋯ menu (its fourth entry), and show the Session tab listing the group.
xdotool mousemove 119 81 click 1; sleep 1
xdotool windowfocus --sync "$W" 2>/dev/null || true; sleep 0.5   # Ctrl must reach the window
import -window root "$OUT/.before-group.png"
xdotool mousemove 60 980 click 1; sleep 0.3
xdotool keydown ctrl; sleep 0.3; xdotool mousemove 176 980 click 1; sleep 0.3; xdotool keyup ctrl; sleep 0.3
xdotool mousemove 50 150 click 1; sleep 0.5
xdotool mousemove 60 218 click 1; sleep 0.5
xdotool mousemove 1382 16 click 1; sleep 1   # the toolbar's Session button
xdotool mousemove 1050 60; sleep 0.5
import -window root "$OUT/13-groups.png"
# Save As: a file dialog (zenity), or the typed path where none can open
# (prefilled with the session's own path: Enter saves it there).
xdotool mousemove 1000 20 click 1; xdotool mousemove 210 16 click 1
if command -v zenity >/dev/null; then
  timeout 20 xdotool search --sync --class zenity >/dev/null || { echo "screenshot: zenity did not open" >&2; exit 1; }
  sleep 1.5; import -window root "$OUT/12-save-as-dialog.png"
  echo "Save As opened zenity"; xdotool key Escape; sleep 1
else
  sleep 1.5; import -window root "$OUT/12-save-as-dialog.png"
  echo "Save As asked for a typed path"; xdotool key Return; sleep 1
fi
kill -0 "$APP" || { echo "screenshot: the app exited" >&2; cat "$OUT/app.log" >&2; exit 1; }

changed() { local n; n=$(compare -metric AE "$1" "$2" null: 2>&1 | awk '{print int($1)}' || true); [ "${n:-0}" -gt 100 ]; }
crop_changed() { # crop geometry, two shots: did that part of the window change?
  convert "$2" -crop "$1" "$OUT/.a.png"; convert "$3" -crop "$1" "$OUT/.b.png"
  local r=0; changed "$OUT/.a.png" "$OUT/.b.png" || r=1; rm -f "$OUT/.a.png" "$OUT/.b.png"; return $r
}
crop_moved() { # crop geometry, two shots: did something there move (more than redraw rounding)?
  convert "$2" -crop "$1" "$OUT/.a.png"; convert "$3" -crop "$1" "$OUT/.b.png"
  local n; n=$(compare -metric AE -fuzz 10% "$OUT/.a.png" "$OUT/.b.png" null: 2>&1 | awk '{print int($1)}' || true)
  rm -f "$OUT/.a.png" "$OUT/.b.png"; [ "${n:-0}" -gt 100 ]
}
# The lane under the drums (the meters and playhead are elsewhere).
crop_changed 1350x70+240+249 "$OUT/1-timeline.png" "$OUT/2-automation-drawn.png" \
  || { echo "screenshot: drawing automation changed nothing" >&2; exit 1; }
changed "$OUT/2-automation-drawn.png" "$OUT/3-playing.png" || { echo "screenshot: the mixer page did not open" >&2; exit 1; }
# The drums fader and its value field (not the meter beside it).
crop_changed 50x450+8+400 "$OUT/3-playing.png" "$OUT/4-automation-moved-fader.png" \
  || { echo "screenshot: the automation did not move the drums fader" >&2; exit 1; }
crop_changed 50x600+124+400 "$OUT/4-automation-moved-fader.png" "$OUT/5-fader-moved.png" \
  || { echo "screenshot: the fader drag changed nothing" >&2; exit 1; }
# The editor covers the empty space right of "+ track" (meters elsewhere change while playing).
crop_changed 200x450+1250+350 "$OUT/5-fader-moved.png" "$OUT/6-eq-editor.png" \
  || { echo "screenshot: the EQ editor did not open" >&2; exit 1; }
# The master strip (pinned at the right edge) is in view beside the editor.
crop_moved 100x200+1495+95 "$OUT/5-fader-moved.png" "$OUT/6-eq-editor.png" \
  && { echo "screenshot: the master strip moved or was covered when the editor opened" >&2; exit 1; }
# The note floats: the strips' names and inserts (and the tabs) stay put.
crop_moved 1000x230+0+60 "$OUT/7-stopped.png" "$OUT/8-note-moves-nothing.png" \
  && { echo "screenshot: the note moved the strips" >&2; exit 1; }
changed "$OUT/8-note-moves-nothing.png" "$OUT/9-analyzer-stopped.png" || { echo "screenshot: the analyzer did not open" >&2; exit 1; }
# The menu covers a little of the rows and moves nothing: the track headers stay put.
crop_changed 1000x400+0+100 "$OUT/.before-menu.png" "$OUT/10-fade-menu-at-pointer.png" \
  || { echo "screenshot: the fade menu did not open" >&2; exit 1; }
crop_moved 220x700+0+120 "$OUT/.before-menu.png" "$OUT/10-fade-menu-at-pointer.png" \
  && { echo "screenshot: the fade menu moved the rows" >&2; exit 1; }
rm -f "$OUT/.before-menu.png"
changed "$OUT/11-markers-close-together.png" "$OUT/12-save-as-dialog.png" || { echo "screenshot: Save As showed nothing" >&2; exit 1; }
# The group's name appears under both strips' names.
crop_changed 230x20+5+140 "$OUT/.before-group.png" "$OUT/13-groups.png" \
  || { echo "screenshot: grouping the drums and the bass showed nothing" >&2; exit 1; }
rm -f "$OUT/.before-group.png"
echo "screenshots in $OUT: $(ls "$OUT"/*.png | xargs -n1 basename | tr '\n' ' ')"

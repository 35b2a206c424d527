#!/usr/bin/env bash
# Builds the .deb, installs it into this machine with dpkg, checks what a user
# gets (the command, the demo, the desktop entry, the metainfo, the file
# association, the icon), then removes the package and checks its files are
# gone. Needs root (CI runs as root) and packaging/setup.sh --test.
#
#   packaging/test-deb.sh                         package a release build
#   packaging/test-deb.sh --binary target/debug/mixdesk   package that binary (what test.sh does)
#
# Arguments go to packaging/build-deb.sh. Every failed check stops the script
# with "test-deb: FAILED: ..." and a non-zero status; the package is removed
# on the way out whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID=org.mixdesk.Mixdesk
MIME=application/x-mixdesk-session
BIN=/usr/bin/mixdesk
step() { echo "-- test-deb: $*"; }
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root: the test installs the package into this machine with dpkg"
if dpkg-query -W -f='${Status}' mixdesk 2>/dev/null | grep -q "ok installed"; then
  fail "a mixdesk package is already installed here; the test would replace and remove it. Remove it first (sudo apt remove mixdesk)"
fi
for tool in desktop-file-validate appstreamcli update-mime-database xdg-mime mimetype convert jq; do
  command -v "$tool" >/dev/null || fail "$tool not found; run packaging/setup.sh --test"
done

tmp=$(mktemp -d)
installed=""
cleanup() {
  if [ -n "$installed" ]; then dpkg -r mixdesk >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

step "build the package"
bash packaging/build-deb.sh --out "$tmp/out" "$@"
debs=("$tmp"/out/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $tmp/out, found: ${debs[*]}"
deb="${debs[0]}"
pkgid=$(cargo pkgid -p mixdesk) || fail "cannot read the version from Cargo.toml (cargo pkgid -p mixdesk)"
version="${pkgid##*@}"
[ "$(dpkg-deb -f "$deb" Package)" = mixdesk ] || fail "$deb: Package is not mixdesk"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "$deb: Version is not $version (Cargo.toml)"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libasound2 libc6 libx11-6 libxkbcommon0 libwayland-client0; do
  [[ ", $depends," == *", $dep"[\ ,]* ]] || fail "$deb: Depends lacks $dep: $depends"
done
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/listing"
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|')
echo "$deb: $(du -h "$deb" | cut -f1), $(echo "$files" | wc -l) files:"
echo "$files" | sed 's/^/  /'
for f in $BIN /usr/share/mixdesk/demo/demo.mixdesk /usr/share/applications/$APP_ID.desktop \
  /usr/share/metainfo/$APP_ID.metainfo.xml /usr/share/mime/packages/$APP_ID.xml \
  /usr/share/icons/hicolor/scalable/apps/$APP_ID.svg /usr/share/icons/hicolor/48x48/apps/$APP_ID.png \
  /usr/share/icons/hicolor/256x256/apps/$APP_ID.png /usr/share/doc/mixdesk/copyright; do
  grep -Fqx "$f" "$tmp/listing" || fail "$deb does not hold $f"
done

step "the MIME type file parses (update-mime-database into a scratch folder)"
mkdir -p "$tmp/mime/packages"
cp packaging/linux/$APP_ID.mime.xml "$tmp/mime/packages/"
XDG_DATA_DIRS="$tmp" update-mime-database "$tmp/mime" 2>"$tmp/mime.err" || { cat "$tmp/mime.err" >&2; fail "update-mime-database refused packaging/linux/$APP_ID.mime.xml"; }
[ ! -s "$tmp/mime.err" ] || { cat "$tmp/mime.err" >&2; fail "update-mime-database warned about packaging/linux/$APP_ID.mime.xml"; }
grep -q "^50:$MIME:\*\.mixdesk$" "$tmp/mime/globs2" || fail "the scratch MIME database has no *.mixdesk glob for $MIME"

step "install with dpkg"
dpkg -i "$deb"
installed=yes
[ "$(command -v mixdesk)" = $BIN ] || echo "note: mixdesk on PATH is $(command -v mixdesk), not $BIN; the checks run $BIN"

step "mixdesk --version and --help"
[ "$($BIN --version)" = "mixdesk $version" ] || fail "$BIN --version printed '$($BIN --version)', not 'mixdesk $version'"
$BIN --help | grep -q "^Examples:" || fail "$BIN --help shows no examples"
$BIN render --help | grep -q "mixdesk render song.mixdesk -o mix.wav" || fail "$BIN render --help shows no examples"

step "every library the binary links comes from a package in Depends"
ldd $BIN | awk '/=> \// {print $3}' | while read -r lib; do
  pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib") || fail "no package owns $lib"
  pkg="${pkg%%:*}"
  [[ ", $depends," == *", $pkg"[\ ,]* ]] || fail "$BIN links $lib from $pkg, which Depends lacks: $depends"
done

step "desktop-file-validate"
desktop-file-validate /usr/share/applications/$APP_ID.desktop || fail "desktop-file-validate rejected the desktop entry"
grep -qx "Exec=mixdesk %f" /usr/share/applications/$APP_ID.desktop || fail "the desktop entry does not run 'mixdesk %f'"

step "appstreamcli validate --no-net"
appstreamcli validate --no-net /usr/share/metainfo/$APP_ID.metainfo.xml || fail "appstreamcli rejected the metainfo"

step "*.mixdesk files are sessions and open in Mixdesk (xdg-mime)"
echo "(version: 2)" >"$tmp/song.mixdesk"
type=$(xdg-mime query filetype "$tmp/song.mixdesk")
[ "$type" = "$MIME" ] || fail "xdg-mime says $tmp/song.mixdesk is '$type', not $MIME (did the shared-mime-info trigger run?)"
app=$(xdg-mime query default $MIME)
[ "$app" = "$APP_ID.desktop" ] || fail "xdg-mime opens $MIME with '$app', not $APP_ID.desktop (did the desktop-file-utils trigger run?)"

step "the icon is drawn (not blank) at every size"
for png in /usr/share/icons/hicolor/*/apps/$APP_ID.png; do
  size=$(basename "$(dirname "$(dirname "$png")")")
  read -r w h sd < <(convert "$png" -format '%w %h %[fx:standard_deviation]\n' info:)
  [ "${w}x${h}" = "$size" ] || fail "$png is ${w}x${h}, not $size"
  awk -v sd="$sd" 'BEGIN { exit !(sd > 0.1) }' || fail "$png looks blank (standard deviation $sd)"
done

step "the installed demo renders (generated into the user's folder, /usr untouched)"
export HOME="$tmp/home"
unset XDG_DATA_HOME MIXDESK_DEMO_DIR
mkdir -p "$HOME"
session=$(cd "$tmp" && $BIN demo)
[ "$session" = "$HOME/.local/share/mixdesk/demo/demo.mixdesk" ] || fail "mixdesk demo prepared '$session', not the user's copy in $HOME/.local/share/mixdesk/demo"
cmp -s "$session" /usr/share/mixdesk/demo/demo.mixdesk || fail "$session differs from the installed demo session"
$BIN render "$session" -o "$tmp/mix.wav"
$BIN analyze "$tmp/mix.wav" --json >"$tmp/mix.json"
jq -e '.seconds > 30 and .sample_peak_dbfs > -10 and .integrated_lufs > -30' "$tmp/mix.json" >/dev/null ||
  fail "the demo's mix is too short or too quiet: $(jq -c '{seconds, sample_peak_dbfs, integrated_lufs}' "$tmp/mix.json")"
echo "mix: $(jq -c '{seconds, sample_peak_dbfs, integrated_lufs}' "$tmp/mix.json")"
[ "$(find /usr/share/mixdesk -type f)" = /usr/share/mixdesk/demo/demo.mixdesk ] || fail "files appeared under /usr/share/mixdesk: $(find /usr/share/mixdesk -type f)"
dpkg --verify mixdesk || fail "dpkg --verify: installed files changed"

step "remove with dpkg -r"
dpkg -r mixdesk
installed=""
while read -r f; do
  [ "$f" = / ] || [ -d "$f" ] || [ ! -e "$f" ] || fail "$f is still there after dpkg -r mixdesk"
done <"$tmp/listing"
for d in /usr/share/mixdesk /usr/share/doc/mixdesk; do
  [ ! -e "$d" ] || fail "$d is still there after dpkg -r mixdesk"
done
[ "$(xdg-mime query filetype "$tmp/song.mixdesk")" != "$MIME" ] || fail "the MIME database still knows $MIME after removal"
step "passed in ${SECONDS} s"

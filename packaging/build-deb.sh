#!/usr/bin/env bash
# Builds the Debian package: target/debian/mixdesk_VERSION_ARCH.deb.
#
#   packaging/build-deb.sh                  build the release binary, then package it
#   packaging/build-deb.sh --binary PATH    package an already built binary instead
#   packaging/build-deb.sh --out DIR        write the .deb into DIR (default target/debian)
#
# Users build the release profile (the default). CI (packaging/test-deb.sh,
# from ./test.sh) passes --binary target/debug/mixdesk: test.sh has already
# built the debug profile (dependencies at opt-level 3), and a release build of
# the iced app from scratch takes about 8 minutes on the 2-core CI machine. The
# package's contents and metadata are the same either way.
#
# A plain dpkg-deb script rather than cargo-deb: nothing to install or compile
# first. The version is [workspace.package] version from Cargo.toml; the binary
# must report that version and the AppStream metainfo's newest release must be
# it, or nothing is built. The package holds the binary (stripped), the demo
# session (its audio is generated on first run into ~/.local/share/mixdesk/demo,
# see app/src/demo_files.rs), the desktop entry, the AppStream metainfo, the
# MIME type for *.mixdesk and the icon in the hicolor theme (PNG sizes rendered
# here from the SVG). The desktop database, MIME database and icon cache are
# updated by the dpkg triggers of desktop-file-utils, shared-mime-info and
# hicolor-icon-theme, so the package needs no maintainer scripts.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "build-deb: $*" >&2; exit 1; }

binary="" out="target/debian"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see packaging/build-deb.sh --help)" ;;
  esac
done

for tool in dpkg-deb dpkg-shlibdeps rsvg-convert strip; do
  command -v "$tool" >/dev/null || die "$tool not found; run packaging/setup.sh (it installs dpkg-dev and librsvg2-bin)"
done

APP_ID=org.mixdesk.Mixdesk
pkgid=$(cargo pkgid -p mixdesk) || die "cannot read the package version from Cargo.toml (cargo pkgid -p mixdesk failed)"
version="${pkgid##*@}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "unexpected version '$version' from '$pkgid'"
arch=$(dpkg --print-architecture)

metainfo="packaging/linux/$APP_ID.metainfo.xml"
newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -1 | cut -d'"' -f2)
[ "$newest" = "$version" ] || die "$metainfo: the newest <release> is '$newest' but Cargo.toml says $version; add a <release version=\"$version\" date=\"YYYY-MM-DD\"> entry at the top of <releases>"

if [ -z "$binary" ]; then
  echo "build-deb: building the release binary without the benchmarks (cargo build --release -p mixdesk --no-default-features)"
  cargo build --release --locked -p mixdesk --no-default-features
  binary="${CARGO_TARGET_DIR:-target}/release/mixdesk"
fi
[ -x "$binary" ] || die "$binary is not an executable; build it first (cargo build --release -p mixdesk) or pass --binary PATH"
reported=$("$binary" --version) || die "$binary --version failed"
[ "$reported" = "mixdesk $version" ] || die "$binary reports '$reported' but Cargo.toml says $version; rebuild it"

mkdir -p "$out" && out=$(cd "$out" && pwd)
name="mixdesk_${version}_${arch}"
stage="$out/$name"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
share="$stage/usr/share"

install -D -m 755 "$binary" "$stage/usr/bin/mixdesk"
strip --strip-unneeded "$stage/usr/bin/mixdesk"
install -D -m 644 assets/demo/demo.mixdesk "$share/mixdesk/demo/demo.mixdesk"
install -D -m 644 "packaging/linux/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
install -D -m 644 "$metainfo" "$share/metainfo/$APP_ID.metainfo.xml"
install -D -m 644 "packaging/linux/$APP_ID.mime.xml" "$share/mime/packages/$APP_ID.xml"
install -D -m 644 "packaging/icons/$APP_ID.svg" "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 16 24 32 48 64 128 256 512; do
  png="$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
  mkdir -p "$(dirname "$png")"
  rsvg-convert -w "$size" -h "$size" "packaging/icons/$APP_ID.svg" -o "$png"
  chmod 644 "$png"
done
# The DejaVu Sans font is built into the binary: its licence goes with ours.
mkdir -p "$share/doc/mixdesk"
{
  cat packaging/linux/copyright
  echo
  sed -n '/^Files: \*/,/^Files: debian/p' assets/fonts/DejaVu-LICENSE.txt | sed -e '$d' -e '1s|.*|Files: assets/fonts/DejaVuSans.ttf|'
} >"$share/doc/mixdesk/copyright"
chmod 644 "$share/doc/mixdesk/copyright"

# Runtime dependencies: what the binary links (dpkg-shlibdeps reads its
# NEEDED entries: ALSA, libc, libgcc), plus what winit opens with dlopen at
# run time and so no tool can see: X11 and Wayland client libraries and
# xkbcommon. The file dialogs go through the XDG desktop portal (or zenity).
shlibs_dir=$(mktemp -d)
trap 'rm -rf "$shlibs_dir"' EXIT
mkdir -p "$shlibs_dir/debian"
printf 'Source: mixdesk\n\nPackage: mixdesk\nArchitecture: any\n' >"$shlibs_dir/debian/control"
linked=$(cd "$shlibs_dir" && dpkg-shlibdeps -O -e"$stage/usr/bin/mixdesk" 2>"$shlibs_dir/err") ||
  { cat "$shlibs_dir/err" >&2; die "dpkg-shlibdeps failed on $stage/usr/bin/mixdesk"; }
linked="${linked#shlibs:Depends=}"
[ -n "$linked" ] || die "dpkg-shlibdeps found no libraries for $stage/usr/bin/mixdesk"
# Libraries loaded through another one (lilv loads serd, sord and sratom)
# are named too, so every library the binary ends up with comes from a
# package Depends lists (packaging/test-deb.sh checks exactly that).
for lib in $(ldd "$stage/usr/bin/mixdesk" | awk '/=> \// {print $3}'); do
  pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null) || continue
  pkg="${pkg%%:*}"
  [[ ", $linked," == *", $pkg"[\ ,]* ]] || linked="$linked, $pkg"
done
dlopened="libx11-6, libx11-xcb1, libxcursor1, libxrandr2, libxi6, libxkbcommon0, libxkbcommon-x11-0, libwayland-client0, libwayland-cursor0"

cat >"$stage/DEBIAN/control" <<EOF
Package: mixdesk
Version: $version
Architecture: $arch
Maintainer: The Mixdesk developers <mixdesk@example.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $linked, $dlopened
Recommends: zenity | xdg-desktop-portal-gtk | xdg-desktop-portal-backend
Section: sound
Priority: optional
Description: desktop mixer for multitrack sessions
 Mixdesk is a native desktop mixer in the style of a DAW's mix window: open
 a multitrack session, balance it on channel strips with EQ, dynamics and
 effects, and bounce a stereo mix and stems ready for mastering, with an
 EBU R 128 loudness report. Subcommands render, analyse and play sessions
 without a display.
EOF
(cd "$stage" && find usr -type f -exec md5sum {} + | sort -k2) >"$stage/DEBIAN/md5sums"

deb="$out/$name.deb"
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "build-deb: wrote $deb ($(du -h "$deb" | cut -f1))"

#!/usr/bin/env bash
# Installs the system packages Mixdesk needs to build, run and test on a fresh
# Debian or Ubuntu machine. Idempotent: packages already present are skipped.
# Rust itself (cargo, rustc) is expected to be installed already (rustup).
#
#   packaging/setup.sh          what building and running Mixdesk needs
#   packaging/setup.sh --test   also what the test suite needs (a JACK server
#                               with its dummy driver and the ALSA jack plugin,
#                               so real-time playback runs with no sound card,
#                               and the validators the .deb test runs)
set -euo pipefail

packages=(
  build-essential   # a C toolchain for crates that build C
  pkg-config        # finds system libraries for -sys crates
  libasound2-dev    # ALSA headers for audio output (cpal)
  # the window: winit loads these at run time (X11 and Wayland)
  libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon0 libxkbcommon-x11-0
  libwayland-client0 libwayland-cursor0
  # file dialogs (Open, Save As, Import, Export's Choose…): rfd asks an XDG
  # desktop portal first and falls back to zenity, which needs only X (no
  # D-Bus session, no desktop), so it works under Xvfb and bare window managers
  zenity
  # the .deb (packaging/build-deb.sh): dpkg-deb and dpkg-shlibdeps, the icon's PNG sizes
  dpkg-dev librsvg2-bin
  # hosted plugins (engine/src/plugins): lilv finds and loads LV2 plugins
  liblilv-dev
)
if [ "${1:-}" = "--test" ]; then
  packages+=(
    jackd2              # a paced audio server with no hardware (dummy driver)
    libasound2-plugins  # the ALSA jack plugin: cpal's ALSA output into JACK
    xvfb xauth          # a display for the window tests (packaging/screenshot.sh)
    libgl1-mesa-dri libglx-mesa0  # OpenGL under Xvfb: x42's plugin windows (app/src/gui/tests_plugin_ui.rs)
    xdotool imagemagick bc  # clicks and drags, screenshots and comparisons, timing sums
    # the installed package's checks (packaging/test-deb.sh): the validators,
    # the MIME database and its triggers, and xdg-mime with its generic lookup
    desktop-file-utils appstream shared-mime-info xdg-utils libfile-mimeinfo-perl jq
    flac                # the reference decoder: delivery tests verify FLAC files with `flac -t` and `flac -d`
    chromium            # a real browser for the review share page (tests/tests/review_page.rs)
    # real LV2 plugins for the hosting tests (tests/tests/plugins_lv2.rs): eg-amp,
    # LSP and x42 dynamics/EQ, and lv2file, an independent host to compare against
    lv2-examples lsp-plugins-lv2 x42-plugins lv2file
    # every plugin a user may have from Debian, each one played by
    # tests/tests/plugins_every_installed.rs; zam-plugins also ships CLAP
    # builds of the same plugins, compared there with their LV2 builds
    calf-plugins zam-plugins dragonfly-reverb-lv2
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all system packages present"
else
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust from https://rustup.rs" >&2; exit 1; }

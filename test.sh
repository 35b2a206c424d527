#!/usr/bin/env bash
# The whole test suite: system setup, formatting, lints, every test.
# Runs the same on a developer machine and in CI (.ci/run calls this).
set -euo pipefail
cd "$(dirname "$0")"

bash packaging/setup.sh --test
export CARGO_TERM_COLOR=never

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -D warnings"
cargo clippy -j2 --workspace --all-targets -- -D warnings
echo "== cargo test --workspace"
# The end-to-end tests drive the real `mixdesk` binary, which `cargo test`
# alone does not build for another package's tests.
cargo build -j2 -p mixdesk
cargo test -j2 --workspace

echo "== the allocation tests again in a release build (what users run)"
# assert_no_alloc counts in release builds too (its warn_release feature);
# only the engine and the tests crate are built, not the window.
cargo test -j2 --release -p mixdesk-tests --test realtime_alloc --test dsp_effects --test streaming

echo "== fuzz: a bounded randomised round (seeds printed; FUZZ_SEED=N packaging/fuzz.sh reproduces one)"
FUZZ_CASES=5000 bash packaging/fuzz.sh 60

echo "== the .deb: build, install, check, remove (packaging/test-deb.sh)"
# Packages the debug binary built above (dependencies optimised) instead of
# compiling iced a second time for a release build (about 8 minutes on the
# 2-core CI machine); run by hand, packaging/build-deb.sh builds the release
# profile. The test installs the package into this machine, so it runs as
# root (CI is root; elsewhere through sudo, with this user's cargo).
deb_test=(bash packaging/test-deb.sh --binary "${CARGO_TARGET_DIR:-target}/debug/mixdesk")
if [ "$(id -u)" -ne 0 ]; then
  deb_test=(sudo env "PATH=$PATH" "RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}" "CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}" "${deb_test[@]}")
fi
"${deb_test[@]}"

echo "== the real window under Xvfb (packaging/screenshot.sh)"
# The debug build (dependencies optimised) keeps CI from compiling iced twice;
# run the script without MIXDESK_BIN to use the release binary.
MIXDESK_BIN="${CARGO_TARGET_DIR:-target}/debug/mixdesk" bash packaging/screenshot.sh target/screenshots

# Tests must not leave new files in the tree (e.g. snapshot files written on a
# first run): on a clean clone, anything new is a test that could not fail.
if [ "${CI:-}" = "true" ] && [ -n "$(git status --porcelain)" ]; then
  echo "tests left changes in the tree:" >&2
  git status --porcelain >&2
  exit 1
fi
echo "== all checks passed"

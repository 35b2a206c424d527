//! The workspace's CLAP test plugin (`testplugins/clap-gain`), built for
//! the tests that host it: [`test_plugin_dir`] runs `cargo build` for it
//! (in the profile and target folder of the running test binary, so CI on a
//! clean clone needs nothing by hand), copies the library to a folder as a
//! `.clap` file and adds that folder to the engine's CLAP search path.
//! Call it before the first use of `plugins::list` / `plugins::hosted`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The test plugin's kind in session files.
pub const TEST_GAIN: &str = "clap:org.mixdesk.test.gain";

/// The folder holding `mixdesk-test-gain.clap`, built and on the engine's
/// search path. Panics with cargo's message if the plugin does not build.
pub fn test_plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = build();
        mixdesk_engine::plugins::clap_scan::add_search_path(dir.clone());
        dir
    })
}

fn build() -> PathBuf {
    // <target>/<profile>/deps/<test binary>
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("a test binary under target/<profile>/deps");
    let target = profile_dir.parent().expect("a target folder");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_owned(),
        Some(p) => p.to_owned(),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "-q", "-p", "mixdesk-clap-gain", "--profile", &profile])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "building the CLAP test plugin failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lib = profile_dir.join("libmixdesk_clap_gain.so");
    let bytes = std::fs::read(&lib).unwrap_or_else(|e| panic!("{}: {e}", lib.display()));
    let dir = target.join("clap-test-plugins");
    std::fs::create_dir_all(&dir).expect("a folder for the test plugin");
    let file = dir.join("mixdesk-test-gain.clap");
    // Replaced only when it changed (the scan cache is keyed by its
    // modification time), through a rename so a test binary running
    // alongside never loads half a file.
    if std::fs::read(&file).ok().as_ref() != Some(&bytes) {
        let tmp = dir.join(format!(".mixdesk-test-gain.{}.tmp", std::process::id()));
        std::fs::write(&tmp, &bytes).expect("write the test plugin");
        std::fs::rename(&tmp, &file).expect("install the test plugin");
    }
    dir
}

//! `mixdesk plugin-ui`, the child process that shows an LV2 plugin's own
//! window, refusing what it cannot show with a message naming the plugin or
//! the file: a plugin without a UI, a GTK UI, a UI that needs the plugin
//! instance (out of process it cannot have it), a UI library that is
//! missing or is not a library, and no display. Each case is a copy of the
//! `eg-amp` bundle on its own `LV2_PATH` with a UI description added. The
//! window itself, opened from the editor on a display, is tested in
//! app/src/gui/tests_plugin_ui.rs. Needs `lv2-examples` and `x42-plugins`
//! (packaging/setup.sh --test).

use std::path::Path;

use mixdesk_tests::mixdesk;

const EG_AMP: &str = "lv2:http://lv2plug.in/plugins/eg-amp";

/// A copy of eg-amp's bundle in `dir/lv2`, its manifest followed by `ui_ttl`.
fn bundle(dir: &Path, ui_ttl: &str) -> std::path::PathBuf {
    let lv2 = dir.join("lv2");
    let b = lv2.join("eg-amp.lv2");
    std::fs::create_dir_all(&b).unwrap();
    for f in ["amp.so", "amp.ttl", "manifest.ttl"] {
        std::fs::copy(Path::new("/usr/lib/lv2/eg-amp.lv2").join(f), b.join(f)).unwrap();
    }
    let manifest = std::fs::read_to_string(b.join("manifest.ttl")).unwrap();
    let head = "@prefix ui: <http://lv2plug.in/ns/extensions/ui#> .\n";
    std::fs::write(b.join("manifest.ttl"), format!("{manifest}\n{head}{ui_ttl}\n")).unwrap();
    lv2
}

/// Runs `mixdesk plugin-ui KIND` on `lv2` (or the system's path) with no
/// display; returns (success, stdout, stderr).
fn plugin_ui(dir: &Path, lv2: Option<&Path>, kind: &str) -> (bool, String, String) {
    let mut cmd = mixdesk();
    cmd.args(["plugin-ui", kind, "--title", "test"])
        .env("CLAP_PATH", dir.join("no-clap"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env_remove("DISPLAY")
        .stdin(std::process::Stdio::null());
    if let Some(lv2) = lv2 {
        cmd.env("LV2_PATH", lv2);
    }
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

fn refused(dir: &Path, lv2: Option<&Path>, kind: &str, wants: &[&str]) {
    let (ok, stdout, stderr) = plugin_ui(dir, lv2, kind);
    assert!(!ok, "{kind} is refused: {stdout}{stderr}");
    let line = stdout.lines().next().unwrap_or_default();
    assert!(line.starts_with("error "), "the app is told on stdout: {stdout:?}");
    for w in wants {
        assert!(line.contains(w), "{line:?} says {w:?}");
        assert!(stderr.contains(w), "stderr {stderr:?} says {w:?}");
    }
}

#[test]
fn plugin_windows_that_cannot_be_shown_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    refused(d, None, EG_AMP, &["Simple Amplifier has no window of its own"]);
    refused(d, None, "lv2:http://lv2plug.in/plugins/eg-scope#Stereo", &["Example Scope (Stereo)", "GtkUI"]);
    refused(d, None, "lv2:urn:not:installed", &["urn:not:installed", "not installed"]);
    refused(d, None, "clap:org.example.gain", &["clap:org.example.gain", "not installed"]);
    // x42's dpl has a real X11 UI: without a display it says so.
    refused(d, None, "lv2:http://gareus.org/oss/lv2/dpl#mono", &["cannot reach the X display"]);
}

#[test]
fn broken_ui_descriptions_and_libraries_are_refused_naming_the_file() {
    let ui = "<http://lv2plug.in/plugins/eg-amp> ui:ui <urn:mixdesk:test-ui> .\n\
              <urn:mixdesk:test-ui> a ui:X11UI ; ui:binary <ui.so>";
    // The library the description names is not there.
    let dir = tempfile::tempdir().unwrap();
    let lv2 = bundle(dir.path(), &format!("{ui} ."));
    refused(dir.path(), Some(&lv2), EG_AMP, &["Simple Amplifier", "ui.so is missing"]);
    // It is there but is not a library.
    std::fs::write(lv2.join("eg-amp.lv2/ui.so"), "not a library").unwrap();
    refused(dir.path(), Some(&lv2), EG_AMP, &["cannot load", "eg-amp.lv2/ui.so"]);
    // A real library that holds no LV2 UI (the plugin's own binary).
    std::fs::copy(lv2.join("eg-amp.lv2/amp.so"), lv2.join("eg-amp.lv2/ui.so")).unwrap();
    refused(dir.path(), Some(&lv2), EG_AMP, &["ui.so is not an LV2 UI library"]);
    // A UI that needs the plugin instance cannot work out of process.
    let dir = tempfile::tempdir().unwrap();
    let needs = format!(
        "{ui} ; <http://lv2plug.in/ns/lv2core#requiredFeature> <http://lv2plug.in/ns/ext/instance-access> ."
    );
    let lv2 = bundle(dir.path(), &needs);
    std::fs::copy("/usr/lib/lv2/eg-amp.lv2/amp.so", lv2.join("eg-amp.lv2/ui.so")).unwrap();
    refused(dir.path(), Some(&lv2), EG_AMP, &["Simple Amplifier", "requires instance-access"]);
}

#[test]
fn a_clap_plugin_without_a_gui_is_refused_by_name() {
    // The workspace's test plugin has no GUI: the child makes an instance,
    // finds no gui extension and says so (no display needed to get there).
    let dir = tempfile::tempdir().unwrap();
    let out = mixdesk()
        .args(["plugin-ui", "clap:org.mixdesk.test.gain", "--title", "test"])
        .env("CLAP_PATH", mixdesk_tests::clap_plugin::test_plugin_dir())
        .env("LV2_PATH", dir.path().join("no-lv2"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env_remove("DISPLAY")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert_eq!(
        stdout.lines().next(),
        Some("error Mixdesk Test Gain has no window of its own (no CLAP gui extension)"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

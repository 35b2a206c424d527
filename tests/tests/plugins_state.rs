//! A hosted plugin's state in the session: saved and restored bit for bit, a
//! missing plugin that passes audio through and keeps what was saved, and a
//! plugin that will not start refused with its name.

use std::path::Path;

use mixdesk_engine::plugins;
use mixdesk_engine::session::{self, Session, StripRef, TrackId};
use mixdesk_tests::chain_render::{Placement, RATE, Rig};
use mixdesk_tests::{mixdesk, noise, track, write_wav_f32};

const LSP_COMP: &str = "lv2:http://lsp-plug.in/plugins/lv2/compressor_mono";

#[test]
fn plugin_state_round_trips_through_save_and_load_bit_exactly() {
    assert!(plugins::hosted(LSP_COMP).is_some(), "{LSP_COMP}: run packaging/setup.sh --test");
    let settings: &[(&str, f64)] = &[("al", 0.05), ("cr", 6.0), ("at", 3.0), ("rt", 80.0), ("cm", 0.0)];
    let mut rig = Rig::new(LSP_COMP, Placement::Track, settings, noise(3, RATE, 0.5));
    let id = rig.processor.unwrap();
    let first = plugins::capture_state(RATE as u32, rig.session.processor(id).unwrap())
        .unwrap()
        .expect("an LV2 state");
    assert!(first.contains("compressor_mono"), "the state names its plugin:\n{first}");
    rig.session.processor_mut(id).unwrap().state = Some(first.clone());
    let before = rig.bounce();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.mixdesk");
    session::save(&rig.session, &file).unwrap();
    let loaded = session::load(&file).unwrap();
    let p = loaded.processor(id).unwrap();
    assert_eq!(p.state.as_deref(), Some(first.as_str()), "the saved state comes back byte for byte");
    let again = plugins::capture_state(RATE as u32, p).unwrap().expect("an LV2 state");
    assert_eq!(again, first, "the plugin restored from the saved state saves the same state");
    let after = Rig { session: loaded, ..rig.clone() }.bounce();
    assert!(before == after, "the reloaded session renders bit for bit as before");
}

#[test]
fn a_missing_plugin_passes_audio_through_keeps_its_settings_and_is_listed() {
    let kind = "lv2:urn:mixdesk:test:not-installed";
    let state = "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n<urn:s> state:state [ <urn:k> 1 ] .\n";
    let signal = noise(4, RATE / 2, 0.5);
    let dry = Rig::dry(Placement::Track, signal.clone());
    let mut rig = dry.clone();
    let mut p = rig.session.new_processor("eq").unwrap();
    p.kind = kind.to_owned();
    p.params.insert("gain".into(), 3.0);
    p.state = Some(state.to_owned());
    let id = p.id;
    rig.session.tracks[0].strip.processors.push(p.clone());
    session::validate(&rig.session).expect("a session with a missing plugin is valid");
    assert!(rig.bounce() == dry.bounce(), "the missing plugin's insert passes audio through");
    let param = session::ParamId::Processor(id, 0);
    assert!(rig.session.param_info(param).is_none(), "a missing plugin offers no parameters");
    assert!(!rig.session.set_param(param, 9.0), "a missing plugin's parameters cannot be changed");

    let dir = tempfile::tempdir().unwrap();
    write_wav_f32(&dir.path().join("in.wav"), RATE as u32, &[signal]);
    let file = dir.path().join("missing.mixdesk");
    session::save(&rig.session, &file).unwrap();
    let loaded = session::load(&file).unwrap();
    assert_eq!(loaded.processor(id), Some(&p), "kind, parameters and state are kept untouched");

    let out = mixdesk().args(["info", "--json"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["missing_plugins"], serde_json::json!([kind]));
    let text = mixdesk().arg("info").arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("plugins not installed (1") && text.contains(kind), "{text}");
}

/// A bundle whose plugin's binary is not a library: lilv lists it, but it
/// cannot be instantiated.
fn broken_bundle(dir: &Path) {
    let b = dir.join("broken.lv2");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(b.join("broken.so"), b"not a shared object").unwrap();
    std::fs::write(
        b.join("manifest.ttl"),
        "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n\
         @prefix doap: <http://usefulinc.com/ns/doap#> .\n\
         <urn:mixdesk:test:broken> a lv2:Plugin ; lv2:binary <broken.so> ;\n\
           doap:name \"Broken Test Plugin\" ;\n\
           lv2:port [ a lv2:AudioPort, lv2:InputPort ; lv2:index 0 ; lv2:symbol \"in\" ; lv2:name \"In\" ] ,\n\
                    [ a lv2:AudioPort, lv2:OutputPort ; lv2:index 1 ; lv2:symbol \"out\" ; lv2:name \"Out\" ] .\n",
    )
    .unwrap();
}

#[test]
fn a_plugin_that_fails_to_start_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let lv2 = dir.path().join("lv2");
    broken_bundle(&lv2);
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "in.wav", 0, 4800));
    s.add_processor(StripRef::Track(TrackId(1)), "eq", 0).unwrap();
    s.tracks[0].strip.processors[0].kind = "lv2:urn:mixdesk:test:broken".into();
    write_wav_f32(&dir.path().join("in.wav"), RATE as u32, &[vec![0.1; 4800]]);
    let file = dir.path().join("broken.mixdesk");
    session::save(&s, &file).unwrap();
    let listed = mixdesk()
        .args(["plugins", "--json"])
        .env("LV2_PATH", &lv2)
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("Broken Test Plugin"), "the scan lists it: {listed}");
    let out = mixdesk()
        .arg("render")
        .arg(&file)
        .arg("-o")
        .arg(dir.path().join("out.wav"))
        .env("LV2_PATH", &lv2)
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    eprintln!("render said: {err}");
    assert!(!out.status.success(), "the render is refused");
    assert!(
        err.contains("Broken Test Plugin") && err.contains("failed to start") && err.contains("track"),
        "the error names the plugin and where it is: {err}"
    );
    assert!(!err.contains("panicked"), "no panic: {err}");
}

#[test]
fn the_demo_with_debian_plugins_opens_with_every_plugin_and_renders() {
    let dir = tempfile::tempdir().unwrap();
    let out = mixdesk().args(["demo", "--plugins", "--out"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = dir.path().join("demo.mixdesk");
    let s = session::load(&file).unwrap();
    let hosted: Vec<&str> = s
        .strips()
        .flat_map(|(_, st)| st.processors.iter().map(|p| p.kind.as_str()))
        .filter(|k| plugins::is_hosted(k))
        .collect();
    assert_eq!(hosted.len(), 4, "four plugin inserts: {hosted:?}");
    let info = mixdesk().args(["info", "--json"]).arg(&file).output().unwrap();
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["missing_plugins"], serde_json::json!([]), "every plugin is installed");
    let wav = dir.path().join("mix.wav");
    let r = mixdesk().arg("render").arg(&file).arg("-o").arg(&wav).args(["--end", "4"]).output().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
}

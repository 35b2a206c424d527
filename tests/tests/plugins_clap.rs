//! Hosted CLAP plugins through the whole product, with the workspace's own
//! test plugin (`testplugins/clap-gain`, built by the test helper): the scan
//! and `mixdesk plugins`, its gain in the bounce and the live callback, its
//! latency compensated, its state saved and restored bit for bit, its gain
//! automated, its NaN/Inf fault silenced and reported, a session whose CLAP
//! plugin is missing, and a plugin refused with its name.

use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::plugins;
use mixdesk_engine::realtime::{Engine, EngineEvent};
use mixdesk_engine::session::{self, ClipId, ParamId, StripRef, TrackId};
use mixdesk_engine::units::SampleTime;
use mixdesk_tests::chain_render::{DECLICK, Placement, RATE, Rig};
use mixdesk_tests::clap_plugin::{TEST_GAIN, test_plugin_dir};
use mixdesk_tests::{compile_with, media, mixdesk, noise, read_wav, run_callback, sine_wave, write_wav_f32};

/// Parameter keys: the plugin's CLAP parameter ids.
const GAIN: &str = "1";
const DELAY: &str = "2";
const FAULT: &str = "3";

fn six_db() -> f64 {
    20.0 * 2f64.log10()
}

fn require() -> &'static plugins::Hosted {
    test_plugin_dir();
    plugins::hosted(TEST_GAIN).expect("the test plugin is found on the search path")
}

/// The largest |a - k b| over `range` of both channels.
fn worst(out: &[Vec<f32>; 2], dry: &[f32], k: f64, range: std::ops::Range<usize>) -> f64 {
    (0..2)
        .flat_map(|c| out[c][range.clone()].iter().zip(&dry[range.clone()]))
        .map(|(o, d)| (f64::from(*o) - k * f64::from(*d)).abs())
        .fold(0.0, f64::max)
}

#[test]
fn the_scan_finds_the_test_plugin_and_mixdesk_plugins_lists_it() {
    let h = require();
    let info = &h.info;
    assert_eq!(
        (info.format.as_str(), info.name.as_str(), info.author.as_str()),
        ("clap", "Mixdesk Test Gain", "Mixdesk")
    );
    // Two main inputs and two sidechain inputs (its second input port).
    assert_eq!((info.audio_inputs, info.audio_outputs, info.reports_latency), (4, 2, true));
    assert_eq!(info.sidechain_inputs, [2, 3]);
    assert_eq!(info.category, "Utility");
    let keys: Vec<&str> = h.spec.params.iter().map(|p| p.key).collect();
    assert_eq!(keys, [GAIN, DELAY, FAULT], "parameters by their CLAP ids");
    let gain = &h.spec.params[0];
    assert_eq!((gain.name, gain.min, gain.max, gain.default), ("Gain", -60.0, 24.0, 0.0));
    assert_eq!(gain.unit, session::Unit::Decibels, "the unit read from the plugin's value text");
    assert_eq!(
        info.params[2].choices.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
        ["Off", "NaN", "Inf"]
    );
    assert!(h.spec.description.starts_with("CLAP Utility by Mixdesk"), "{}", h.spec.description);

    // The CLI with only the test plugin's folder on CLAP_PATH, no LV2
    // plugins and a fresh cache lists it alone, then from the cache.
    let tmp = tempfile::tempdir().unwrap();
    let list = || -> serde_json::Value {
        let out = mixdesk()
            .args(["plugins", "--json"])
            .env("CLAP_PATH", test_plugin_dir())
            .env("LV2_PATH", tmp.path().join("no-lv2"))
            .env("XDG_CACHE_HOME", tmp.path().join("cache"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let first = list();
    let plugins = first["plugins"].as_array().unwrap();
    assert_eq!(plugins.len(), 1, "{first:#}");
    assert_eq!((plugins[0]["kind"].as_str(), plugins[0]["format"].as_str()), (Some(TEST_GAIN), Some("clap")));
    assert_eq!(plugins[0]["params"][0]["unit"], "dB");
    assert_eq!(first["cached"], false);
    let second = list();
    assert_eq!(second["cached"], true, "the second listing reads the caches");
    assert_eq!(second["plugins"], first["plugins"]);
}

#[test]
fn the_test_plugin_at_plus_6_db_doubles_the_signal_in_the_bounce_and_live() {
    require();
    let signal = sine_wave(441.0, 0.4, RATE);
    // A track is mono (the stereo plugin hears it on both inputs, its
    // outputs averaged); a bus and the master are stereo.
    for placement in Placement::ALL {
        let rig = Rig::new(TEST_GAIN, placement, &[(GAIN, six_db())], signal.clone());
        let b = worst(&rig.bounce(), &signal, 2.0, 0..RATE);
        let l = worst(&rig.live(256, &[]), &signal, 2.0, DECLICK..RATE);
        eprintln!("{placement:?}: bounce off 2x by {b:.2e}, live by {l:.2e}");
        assert!(b <= 1e-6, "{placement:?} bounce: off twice the input by {b:.2e}");
        assert!(l <= 1e-6, "{placement:?} live: off twice the input by {l:.2e}");
    }
}

#[test]
fn its_latency_is_compensated_a_null_against_a_dry_track() {
    require();
    let signal = noise(7, RATE, 0.5);
    for delay in [64.0, 1000.0] {
        let mut rig = Rig::new(TEST_GAIN, Placement::Track, &[(DELAY, delay)], signal.clone());
        let mut dry = rig.session.tracks[0].clone();
        dry.id = TrackId(2);
        dry.strip.processors.clear();
        dry.strip.polarity_inverted = true;
        dry.clips.iter_mut().for_each(|c| c.id = ClipId(c.id.0 + 100));
        rig.session.tracks.push(dry);
        session::validate(&rig.session).unwrap();
        for (what, out) in [("bounce", rig.bounce()), ("live", rig.live(256, &[]))] {
            let from = if what == "live" { DECLICK + delay as usize } else { 0 };
            let residue = out[0][from..].iter().fold(0f32, |m, v| m.max(v.abs()));
            let db = 20.0 * (f64::from(residue) / 0.5).max(1e-12).log10();
            eprintln!("delay {delay}: {what} null {db:.1} dB");
            assert!(db <= -120.0, "delay {delay}, {what}: the null is only {db:.1} dB");
        }
    }
}

#[test]
fn its_state_round_trips_through_save_and_load_bit_exactly() {
    require();
    let mut rig = Rig::new(TEST_GAIN, Placement::Track, &[(GAIN, -3.25), (DELAY, 17.0)], noise(3, RATE, 0.5));
    let id = rig.processor.unwrap();
    let first = plugins::capture_state(RATE as u32, rig.session.processor(id).unwrap())
        .unwrap()
        .expect("its state extension's bytes");
    // The plugin's bytes: its tag and the three values.
    let mut expected = b"MXCG".to_vec();
    for v in [-3.25f64, 17.0, 0.0] {
        expected.extend(v.to_le_bytes());
    }
    let b64 = |b: &[u8]| {
        use std::fmt::Write as _;
        // Independent of the engine's encoder: compare decoded bytes.
        b.iter().fold(String::new(), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
    };
    let decoded = decode_base64(&first);
    assert_eq!(b64(&decoded), b64(&expected), "the state is the plugin's own bytes");
    rig.session.processor_mut(id).unwrap().state = Some(first.clone());
    let before = rig.bounce();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.mixdesk");
    session::save(&rig.session, &file).unwrap();
    let loaded = session::load(&file).unwrap();
    let p = loaded.processor(id).unwrap();
    assert_eq!(p.state.as_deref(), Some(first.as_str()), "the saved state comes back byte for byte");
    assert_eq!(
        plugins::capture_state(RATE as u32, p).unwrap().expect("its state extension's bytes"),
        first,
        "restored, the plugin saves the same state"
    );
    let after = Rig { session: loaded, ..rig.clone() }.bounce();
    assert!(before == after, "the reloaded session renders bit for bit as before");
}

/// A plain base64 decoder (standard alphabet, padding), so the test does not
/// trust the engine's encoder to check it.
fn decode_base64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = A.iter().position(|a| *a == c).expect("base64") as u32;
        bits = bits << 6 | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

#[test]
fn automation_of_its_gain_is_heard_in_the_bounce() {
    require();
    let signal = sine_wave(441.0, 0.4, RATE);
    let at = RATE / 2;
    let rig =
        Rig::new(TEST_GAIN, Placement::Track, &[], signal.clone()).automated(GAIN, 0.0, six_db(), at as u64);
    let out = rig.bounce();
    let before = worst(&out, &signal, 1.0, 0..at);
    let after = worst(&out, &signal, 2.0, at..RATE);
    eprintln!("automated gain: before the step off 1x by {before:.2e}, after off 2x by {after:.2e}");
    assert!(before <= 1e-6, "before the step the gain is 0 dB: off by {before:.2e}");
    assert!(after <= 1e-6, "from the step the gain is +6 dB, to the sample: off by {after:.2e}");
}

/// Bounces `rig` and returns the mix and the NaN/Inf count the bounce reports.
fn bounce_counting(rig: &Rig) -> ([Vec<f32>; 2], u64) {
    let dir = tempfile::tempdir().unwrap();
    write_wav_f32(&dir.path().join("in.wav"), RATE as u32, std::slice::from_ref(&rig.signal));
    let out = dir.path().join("mix.wav");
    let opts = BounceOptions {
        depth: BitDepth::Float32,
        report: false,
        end: Some(SampleTime(rig.signal.len() as u64)),
        ..BounceOptions::default()
    };
    let summary = bounce(&rig.session, dir.path(), &MediaPool::new(), &out, &opts, &mut |_| true).unwrap();
    let (_, mut ch) = read_wav(&out);
    let r = ch.pop().unwrap();
    ([ch.pop().unwrap(), r], summary.non_finite_samples)
}

#[test]
fn a_plugin_that_emits_nan_or_inf_is_silenced_and_reported_live_and_in_the_bounce() {
    require();
    let signal = sine_wave(441.0, 0.4, RATE / 4);
    let cases =
        [(1.0, "NaN", Placement::Track), (2.0, "Inf", Placement::Track), (1.0, "NaN", Placement::Bus)];
    for (fault, what, placement) in cases {
        // The guard after the track (or bus) silences it and reports it;
        // the dry track beside it, straight to the master, is still heard.
        let mut rig = Rig::new(TEST_GAIN, placement, &[(FAULT, fault)], signal.clone());
        let mut dry = rig.session.tracks[0].clone();
        dry.id = TrackId(2);
        dry.output = session::Output::Master;
        dry.strip.processors.clear();
        dry.clips.iter_mut().for_each(|c| c.id = ClipId(c.id.0 + 100));
        rig.session.tracks.push(dry);
        session::validate(&rig.session).unwrap();
        let strip = match placement {
            Placement::Bus => StripRef::Bus(session::BusId(10)),
            _ => StripRef::Track(TrackId(1)),
        };
        let what = format!("{what} on the {placement:?}");

        let (mix, count) = bounce_counting(&rig);
        let off = worst(&mix, &signal, 1.0, 0..signal.len());
        eprintln!("{what}: the bounce replaced {count} samples; the mix is off the dry track by {off:.2e}");
        assert!(count > 0, "{what}: the bounce reports the replaced samples");
        assert!(off <= 1e-6, "{what}: the faulty strip is silent, the dry track heard (off by {off:.2e})");

        let sources = [("in.wav", media(vec![signal.clone()]))];
        let (mut handle, mut core) = Engine::manual(RATE as u32, 4096);
        handle.swap_graph(compile_with(&rig.session, &sources)).unwrap();
        handle.play();
        let live = run_callback(&mut core, signal.len(), 256);
        let mut reported = Vec::new();
        handle.poll(|e| {
            if let EngineEvent::NonFinite { strip, samples } = e {
                reported.push((strip, samples));
            }
        });
        let off = worst(&live, &signal, 1.0, DECLICK..signal.len());
        let total: u64 = reported.iter().map(|(_, n)| n).sum();
        eprintln!(
            "{what}: live reports {total} samples from {:?}; off the dry track by {off:.2e}",
            reported.first()
        );
        assert!(off <= 1e-6, "{what} live: the faulty strip is silent (off by {off:.2e})");
        assert!(
            reported.iter().any(|(s, n)| *s == strip && *n > 0),
            "{what} live: the faulty strip is reported: {reported:?}"
        );
    }
}

#[test]
fn a_missing_clap_plugin_passes_audio_through_and_keeps_its_state() {
    // Before anything asks for the plugin registry (built once per process).
    test_plugin_dir();
    let kind = "clap:org.mixdesk.test.not-installed";
    let signal = noise(4, RATE / 2, 0.5);
    let dry = Rig::dry(Placement::Track, signal.clone());
    let mut rig = dry.clone();
    let mut p = rig.session.new_processor("eq").unwrap();
    p.kind = kind.to_owned();
    p.params.insert(GAIN.into(), 3.0);
    p.state = Some("TVhDRwAAAAAAAAAA".to_owned());
    let id = p.id;
    rig.session.tracks[0].strip.processors.push(p.clone());
    session::validate(&rig.session).expect("a session with a missing plugin is valid");
    assert!(rig.bounce() == dry.bounce(), "the missing plugin's insert passes audio through");
    assert!(rig.session.param_info(ParamId::Processor(id, 0)).is_none(), "it offers no parameters");
    assert_eq!(plugins::missing_in(&rig.session), [kind]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("missing.mixdesk");
    session::save(&rig.session, &file).unwrap();
    assert_eq!(session::load(&file).unwrap().processor(id), Some(&p), "kind, parameters and state kept");
}

#[test]
fn a_plugin_that_refuses_its_saved_state_is_refused_with_its_name() {
    require();
    let mut rig = Rig::new(TEST_GAIN, Placement::Track, &[], noise(5, 4800, 0.5));
    let id = rig.processor.unwrap();
    // Valid base64 of bytes that are not this plugin's state.
    rig.session.processor_mut(id).unwrap().state = Some("bm90IGEgc3RhdGU=".into());
    let p = rig.session.processor(id).unwrap();
    let ctx = mixdesk_engine::dsp::DspContext { sample_rate: RATE as u32, max_block: 256, bpm: 120.0 };
    let err = mixdesk_engine::dsp::kind(TEST_GAIN).unwrap().instantiate(&ctx, p).unwrap_err().to_string();
    eprintln!("{err}");
    assert!(err.contains("Mixdesk Test Gain") && err.contains("saved state"), "{err}");
}

//! Hosted LV2 plugins through the whole product: the scan and
//! `mixdesk plugins`, real Debian plugins as inserts in the bounce and the
//! live callback, compared with closed forms and with an independent host
//! (`lv2file`), their latency compensated, their state saved and restored,
//! and a session whose plugin is missing.
//!
//! These need the plugin packages `packaging/setup.sh --test` installs
//! (`lv2-examples`, `lsp-plugins-lv2`, `x42-plugins`, `lv2file`); without
//! them the tests fail and say so.

use std::path::Path;

use mixdesk_engine::plugins;
use mixdesk_tests::chain_render::{DECLICK, Placement, RATE, Rig};
use mixdesk_tests::{mixdesk, noise, read_wav, sine_wave, write_wav_f32};

const EG_AMP: &str = "lv2:http://lv2plug.in/plugins/eg-amp";
const LSP_COMP: &str = "lv2:http://lsp-plug.in/plugins/lv2/compressor_mono";
const X42_COMP: &str = "lv2:http://gareus.org/oss/lv2/darc#mono";
const NODELAY: &str = "lv2:http://gareus.org/oss/lv2/nodelay";

fn require(kind: &str) {
    assert!(
        plugins::hosted(kind).is_some(),
        "{kind} is not installed: run packaging/setup.sh --test (lv2-examples, lsp-plugins-lv2, x42-plugins)"
    );
}

/// The largest |a - k b| over `range` of both channels.
fn worst(out: &[Vec<f32>; 2], dry: &[f32], k: f64, range: std::ops::Range<usize>) -> f64 {
    (0..2)
        .flat_map(|c| out[c][range.clone()].iter().zip(&dry[range.clone()]))
        .map(|(o, d)| (f64::from(*o) - k * f64::from(*d)).abs())
        .fold(0.0, f64::max)
}

#[test]
fn the_scan_finds_the_installed_plugins_and_honours_lv2_path() {
    for kind in [EG_AMP, LSP_COMP, NODELAY] {
        require(kind);
    }
    let amp = plugins::hosted(EG_AMP).unwrap();
    assert_eq!(amp.info.params.len(), 1, "eg-amp has one control: {:?}", amp.info.params);
    let gain = &amp.spec.params[0];
    assert_eq!((gain.key, gain.min, gain.max, gain.default), ("gain", -90.0, 24.0, 0.0));
    assert_eq!(gain.unit, mixdesk_engine::session::Unit::Decibels);
    assert!(plugins::hosted(NODELAY).unwrap().info.reports_latency);

    // A path holding only the eg-amp bundle, a fresh cache: the CLI lists
    // that plugin alone, then reads it from the cache.
    let dir = tempfile::tempdir().unwrap();
    let lv2 = dir.path().join("lv2");
    std::fs::create_dir(&lv2).unwrap();
    std::os::unix::fs::symlink("/usr/lib/lv2/eg-amp.lv2", lv2.join("eg-amp.lv2")).unwrap();
    let list = |what: &str| -> serde_json::Value {
        let out = mixdesk()
            .args(["plugins", "--json"])
            .args((what == "rescan").then_some("--rescan"))
            .env("LV2_PATH", &lv2)
            // No CLAP plugins either, whatever this machine has in ~/.clap.
            .env("CLAP_PATH", dir.path().join("no-clap"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let first = list("scan");
    let kinds: Vec<&str> =
        first["plugins"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, [EG_AMP], "only the bundle on LV2_PATH");
    assert_eq!(first["cached"], false);
    assert_eq!(first["plugins"][0]["params"][0]["symbol"], "gain");
    assert_eq!(first["plugins"][0]["params"][0]["unit"], "dB");
    let second = list("cached");
    assert_eq!(second["cached"], true, "the second listing reads the cache");
    assert_eq!(second["plugins"], first["plugins"]);
    assert_eq!(list("rescan")["cached"], false, "--rescan scans");
    assert_eq!(list("after the rescan")["cached"], true, "and caches what it found");
}

#[test]
fn eg_amp_at_plus_6_db_doubles_the_signal_in_the_bounce_and_live() {
    require(EG_AMP);
    let six = 20.0 * 2f64.log10();
    let signal = sine_wave(441.0, 0.4, RATE);
    // A track is mono (one instance), a bus and the master stereo (one
    // instance per channel of the mono plugin).
    for placement in Placement::ALL {
        let rig = Rig::new(EG_AMP, placement, &[("gain", six)], signal.clone());
        let bounce = rig.bounce();
        let live = rig.live(256, &[]);
        let b = worst(&bounce, &signal, 2.0, 0..RATE);
        let l = worst(&live, &signal, 2.0, DECLICK..RATE);
        eprintln!("{placement:?}: bounce off 2x by {b:.2e}, live by {l:.2e}");
        assert!(b <= 1e-6, "{placement:?} bounce: off twice the input by {b:.2e}");
        assert!(l <= 1e-6, "{placement:?} live: off twice the input by {l:.2e}");
    }
}

/// Runs `lv2file` (an independent LV2 host) on `input` with `params`.
fn lv2file(uri: &str, input: &[f32], params: &[(&str, f64)], dir: &Path) -> Vec<f32> {
    let inp = dir.join("ref-in.wav");
    let out = dir.join("ref-out.wav");
    write_wav_f32(&inp, RATE as u32, &[input.to_vec()]);
    let mut cmd = std::process::Command::new("lv2file");
    cmd.arg("-i").arg(&inp).arg("-o").arg(&out);
    for (k, v) in params {
        cmd.arg("-p").arg(format!("{k}:{v}"));
    }
    let o = cmd.arg(uri).output().expect("lv2file runs (packaging/setup.sh --test installs it)");
    assert!(o.status.success(), "lv2file: {}", String::from_utf8_lossy(&o.stderr));
    read_wav(&out).1.remove(0)
}

#[test]
fn an_lsp_compressor_compresses_as_its_parameters_say_live_and_in_the_bounce() {
    require(LSP_COMP);
    // -6 dBFS steady sine, threshold -20 dB (0.1), ratio 4, hard knee, fast attack.
    let settings: &[(&str, f64)] =
        &[("al", 0.1), ("cr", 4.0), ("kn", 1.0), ("at", 1.0), ("rt", 50.0), ("scm", 0.0)];
    let signal = sine_wave(1000.0, 0.5, 2 * RATE);
    let rig = Rig::new(LSP_COMP, Placement::Track, settings, signal.clone());
    let bounce = rig.bounce();
    let live = rig.live(256, &[]);
    let settled = RATE..2 * RATE;
    let peak = |x: &[f32]| x.iter().fold(0f32, |m, v| m.max(v.abs()));
    let out_db = 20.0 * f64::from(peak(&bounce[0][settled.clone()])).log10();
    // Static curve: -6 dB in, threshold -20, ratio 4 -> -20 + 14/4 = -16.5 dB
    // (peak detection on a sine settles close to its peak).
    eprintln!("LSP compressor: -6.0 dBFS in, {out_db:.2} dBFS out (curve -16.5)");
    assert!((out_db + 16.5).abs() < 1.0, "{out_db:.2} dBFS out, the curve says -16.5");
    // Live starts with the transport's fade-in, which the envelope hears:
    // compare once both have settled.
    let live_off = settled.clone().map(|i| (bounce[0][i] - live[0][i]).abs()).fold(0f32, f32::max);
    assert!(live_off <= 1e-6, "the live callback differs from the bounce by {live_off:.2e}");
}

#[test]
fn an_x42_compressor_sounds_as_lv2file_hosts_it() {
    require(X42_COMP);
    // lv2file (another host) crashes on LSP plugins; x42's compressor runs in both.
    let settings: &[(&str, f64)] =
        &[("threshold", -30.0), ("Ratio", 0.75), ("attack", 0.001), ("release", 0.1)];
    let signal = sine_wave(1000.0, 0.5, 2 * RATE);
    let rig = Rig::new(X42_COMP, Placement::Track, settings, signal.clone());
    let bounce = rig.bounce();
    let dir = tempfile::tempdir().unwrap();
    let reference = lv2file(X42_COMP.trim_start_matches("lv2:"), &signal, settings, dir.path());
    let dry_db = 20.0 * 0.5f64.log10();
    let level = |x: &[f32]| 20.0 * f64::from(x[RATE..].iter().fold(0f32, |m, v| m.max(v.abs()))).log10();
    let (ours, theirs) = (level(&bounce[0]), level(&reference));
    let off = bounce[0][RATE..2 * RATE]
        .iter()
        .zip(&reference[RATE..2 * RATE])
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    eprintln!(
        "x42 compressor: {dry_db:.2} dBFS in, Mixdesk {ours:.2} dBFS, lv2file {theirs:.2} dBFS, largest difference {off:.2e}"
    );
    assert!(ours < dry_db - 3.0, "the compressor took only {:.2} dB off", dry_db - ours);
    assert!(off <= 1e-4, "Mixdesk and lv2file disagree by {off:.2e}");
}

#[test]
fn a_latency_reporting_plugin_is_compensated_a_null_against_a_dry_track() {
    require(NODELAY);
    let signal = noise(7, RATE, 0.5);
    for delay in [64.0, 1000.0] {
        // Track 1: the plugin delays by `delay` samples and reports it; track 2:
        // the same media, polarity inverted. Compensated, they cancel.
        let mut rig =
            Rig::new(NODELAY, Placement::Track, &[("delay", delay), ("report_latency", 1.0)], signal.clone());
        let mut dry = rig.session.tracks[0].clone();
        dry.id = mixdesk_engine::session::TrackId(2);
        dry.strip.processors.clear();
        dry.strip.polarity_inverted = true;
        dry.clips.iter_mut().for_each(|c| c.id = mixdesk_engine::session::ClipId(c.id.0 + 100));
        rig.session.tracks.push(dry);
        mixdesk_engine::session::validate(&rig.session).unwrap();
        for (what, out) in [("bounce", rig.bounce()), ("live", rig.live(256, &[]))] {
            // Live playback starts from silence in the plugin's delay line
            // and with the transport's fade-in (the bounce primes instead).
            let from = if what == "live" { DECLICK + delay as usize } else { 0 };
            let residue = out[0][from..].iter().fold(0f32, |m, v| m.max(v.abs()));
            let db = 20.0 * (f64::from(residue) / 0.5).max(1e-12).log10();
            eprintln!("delay {delay}: {what} null {db:.1} dB");
            assert!(db <= -120.0, "delay {delay}, {what}: the null is only {db:.1} dB");
        }
    }
}

#[test]
fn a_latency_reporting_plugin_reports_its_delay_once_built() {
    require(NODELAY);
    let mut s = mixdesk_engine::session::Session::new(RATE as u32);
    s.tracks.push(mixdesk_tests::track(1, "in.wav", 0, 10));
    let id = s
        .add_processor(
            mixdesk_engine::session::StripRef::Track(mixdesk_engine::session::TrackId(1)),
            NODELAY,
            0,
        )
        .unwrap();
    s.processor_mut(id).unwrap().params.insert("delay".into(), 1000.0);
    let p = s.processor(id).unwrap();
    let ctx = mixdesk_engine::dsp::DspContext { sample_rate: RATE as u32, max_block: 512, bpm: 120.0 };
    let mut dsp = mixdesk_engine::dsp::kind(NODELAY).unwrap().instantiate(&ctx, p).unwrap();
    assert_eq!(dsp.latency(), 1000, "reported latency");
    let mut x = vec![0f32; 2048];
    x[0] = 1.0;
    for b in x.chunks_mut(512) {
        dsp.process(&mut [b], None);
    }
    let at = x.iter().position(|v| v.abs() > 0.5);
    assert_eq!(at, Some(1000), "the impulse comes out {at:?}");
}

//! Hosted plugins with sidechain inputs (LSP's `sc_*` compressors) keyed by
//! another track through the whole product: the scan offers them as
//! inserts, the key named by the insert's sidechain route reaches their
//! sidechain inputs in the bounce and the live callback alike, and the
//! reduction is the one their parameters say.
//!
//! Track 1 is the key (silent, then `KEY` from `T`), muted so the mix is
//! track 2 alone (a muted track still keys: the key is taken pre-fader);
//! track 2 is a steady `LEVEL` through the plugin set to its external
//! sidechain, threshold -20 dB, ratio 4, hard knee, 1 ms attack, peak
//! detection. Under the key's -6 dBFS the curve takes 14 - 14/4 = 10.5 dB
//! off; with no key the sidechain hears silence and nothing comes off.
//!
//! The workspace's CLAP test plugin has a sidechain port too and a closed
//! form (its output times `1 - |key|`): keyed the same way, it must halve
//! the level from the key's first sample on, exactly.
//!
//! Needs `lsp-plugins-lv2` (`packaging/setup.sh --test`).

use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::realtime::Engine;
use mixdesk_engine::session::{Bus, BusId, Output, ProcessorId, Session, StripRef, TrackId};
use mixdesk_engine::{dsp, plugins};
use mixdesk_tests::{compile_with, media, mixdesk, read_wav, run_callback, track, write_wav_f32};

const MONO: &str = "lv2:http://lsp-plug.in/plugins/lv2/sc_compressor_mono";
const STEREO: &str = "lv2:http://lsp-plug.in/plugins/lv2/sc_compressor_stereo";
const RATE: u32 = 48_000;
const N: usize = 48_000;
/// Where the key steps up.
const T: usize = 24_000;
/// The key after its step: -6 dBFS.
const KEY: f32 = 0.5;
/// The level the compressor works on.
const LEVEL: f32 = 0.25;
/// A mono track at centre under the default -3 dB pan law.
const CENTRE: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// What the curve takes off under the key, in dB.
const REDUCTION_DB: f64 = 14.0 - 14.0 / 4.0;

fn require(kind: &str) -> &'static plugins::Hosted {
    // The CLAP test plugin's folder joins the search path before the
    // registry is first built, whichever test builds it.
    mixdesk_tests::clap_plugin::test_plugin_dir();
    plugins::hosted(kind).unwrap_or_else(|| {
        panic!("{kind} is not offered as an insert: run packaging/setup.sh --test (lsp-plugins-lv2) and build the workspace")
    })
}

/// The LSP plugin on `strip`, set as the module docs say, keyed by `key`.
fn keyed(s: &mut Session, kind: &str, strip: StripRef, key: Option<StripRef>) -> ProcessorId {
    let id = s.add_processor(strip, kind, usize::MAX).unwrap();
    let spec = dsp::kind(kind).unwrap();
    let choice = |key: &str, label: &str| {
        let info = spec.params[spec.param_index(key).unwrap()];
        info.choices.iter().position(|l| *l == label).unwrap_or_else(|| panic!("{key}: no {label}")) as f64
    };
    let settings = [
        ("sct", choice("sct", "External")),
        ("scm", choice("scm", "Peak")),
        ("al", 0.1),
        ("cr", 4.0),
        ("kn", 1.0),
        ("at", 1.0),
        ("rt", 50.0),
    ];
    let p = s.processor_mut(id).unwrap();
    for (k, v) in settings {
        p.params.insert(k.to_owned(), v);
    }
    s.set_sidechain(id, key).unwrap();
    id
}

/// Track 1 the key (muted), track 2 the level, into bus "Music" when
/// `on_a_bus`; returns the session and where the plugin goes.
fn two_tracks(on_a_bus: bool) -> (Session, StripRef) {
    let mut s = Session::new(RATE);
    s.tracks.push(track(1, "key.wav", 0, N as u64));
    s.tracks.push(track(2, "level.wav", 0, N as u64));
    s.tracks[0].strip.mute = true;
    if !on_a_bus {
        return (s, StripRef::Track(TrackId(2)));
    }
    s.buses.push(Bus { output: Output::Master, ..Bus::new(BusId(10), "Music") });
    s.tracks[1].output = Output::Bus(BusId(10));
    (s, StripRef::Bus(BusId(10)))
}

/// [`two_tracks`] with the LSP plugin keyed by track 1 (or by nothing).
fn session(kind: &str, on_a_bus: bool, key: bool) -> Session {
    let (mut s, at) = two_tracks(on_a_bus);
    keyed(&mut s, kind, at, key.then_some(StripRef::Track(TrackId(1))));
    s
}

fn sources() -> Vec<(&'static str, Vec<f32>)> {
    let key = (0..N).map(|i| if i < T { 0.0 } else { KEY }).collect();
    vec![("key.wav", key), ("level.wav", vec![LEVEL; N])]
}

/// The bounced mix, both channels.
fn bounced(s: &Session) -> [Vec<f32>; 2] {
    let dir = tempfile::tempdir().unwrap();
    for (name, x) in sources() {
        write_wav_f32(&dir.path().join(name), RATE, &[x]);
    }
    let out = dir.path().join("mix.wav");
    let opts = BounceOptions { depth: BitDepth::Float32, report: false, ..BounceOptions::default() };
    bounce(s, dir.path(), &MediaPool::new(), &out, &opts, &mut |_| true).unwrap();
    let mut ch = read_wav(&out).1;
    let r = ch.pop().unwrap();
    [ch.pop().unwrap(), r]
}

/// The mix through the live callback (256-frame buffers), its latency taken off.
fn live(s: &Session) -> [Vec<f32>; 2] {
    let src: Vec<_> = sources().into_iter().map(|(n, x)| (n, media(vec![x]))).collect();
    let graph = compile_with(s, &src);
    let latency = graph.latency();
    let (mut handle, mut core) = Engine::manual(RATE, 4096);
    handle.swap_graph(graph).expect("the graph is accepted");
    handle.play();
    let out = run_callback(&mut core, N + latency, 256);
    out.map(|c| c[latency..].to_vec())
}

fn db(x: f32) -> f64 {
    20.0 * f64::from(x).log10()
}

/// Checks one channel: steady at `level` before the key, `REDUCTION_DB`
/// lower once the reduction settles, the onset within the attack.
fn assert_keyed(what: &str, x: &[f32], level: f32) {
    let before = x[T - 100];
    assert!(
        (before - level).abs() < 1e-4,
        "{what}: {before} before the key, expected {level} (no reduction)"
    );
    let onset = x[T - 100..].iter().position(|v| *v < level * 0.9).expect("the key never reduced") + T - 100;
    assert!((T..T + 96).contains(&onset), "{what}: the reduction starts at {onset}, the key at {T}");
    let settled = x[T + 4800];
    let reduction = db(level) - db(settled);
    eprintln!("{what}: {reduction:.2} dB off under the key (the curve says {REDUCTION_DB})");
    assert!(
        (reduction - REDUCTION_DB).abs() < 0.5,
        "{what}: {reduction:.2} dB off, the curve says {REDUCTION_DB}"
    );
}

#[test]
fn lsp_sidechain_plugins_are_offered_as_keyed_inserts() {
    for kind in [MONO, STEREO] {
        let h = require(kind);
        assert!(h.spec.sidechain, "{kind}: the editor offers its key picker");
        assert_eq!(h.info.unsupported, None);
    }
    assert_eq!(require(MONO).info.sidechain_inputs, [1], "in, sc");
    assert_eq!(require(STEREO).info.sidechain_inputs, [2, 3], "in_l, in_r, sc_l, sc_r");
    let out = mixdesk().args(["plugins"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("LSP Sidechain Compressor Stereo ("));
    let line =
        line.unwrap_or_else(|| panic!("`mixdesk plugins` lists no stereo sidechain compressor:\n{text}"));
    assert!(line.contains("2 in/2 out + 2 sidechain in"), "{line}");
}

#[test]
fn a_mono_sidechain_plugin_on_a_track_is_keyed_by_another_track_in_the_bounce_and_live() {
    require(MONO);
    let s = session(MONO, false, true);
    let (b, l) = (bounced(&s), live(&s));
    for (what, out) in [("bounce", &b), ("live", &l)] {
        assert_keyed(&format!("{what} left"), &out[0], LEVEL * CENTRE);
        assert_keyed(&format!("{what} right"), &out[1], LEVEL * CENTRE);
    }
    // The transport's fade-in reaches the plugin live: compare once settled.
    let off =
        (N / 4..N).flat_map(|i| [(b[0][i] - l[0][i]).abs(), (b[1][i] - l[1][i]).abs()]).fold(0f32, f32::max);
    assert!(off <= 1e-6, "live differs from the bounce by {off:.2e}");
}

#[test]
fn a_stereo_sidechain_plugin_on_a_bus_hears_a_track_as_its_key() {
    require(STEREO);
    let s = session(STEREO, true, true);
    let (b, l) = (bounced(&s), live(&s));
    for (what, out) in [("bounce", &b), ("live", &l)] {
        // The bus hears the track panned to centre; the plugin links its
        // channels, so both come down alike.
        assert_keyed(&format!("{what} left"), &out[0], LEVEL * CENTRE);
        assert_keyed(&format!("{what} right"), &out[1], LEVEL * CENTRE);
    }
}

#[test]
fn without_a_key_the_sidechain_hears_silence_and_nothing_comes_off() {
    for kind in [MONO, STEREO] {
        require(kind);
        let s = session(kind, kind == STEREO, false);
        for (what, out) in [("bounce", bounced(&s)), ("live", live(&s))] {
            let worst = out
                .iter()
                .flat_map(|c| c[N / 4..].iter())
                .map(|v| (v - LEVEL * CENTRE).abs())
                .fold(0f32, f32::max);
            assert!(
                worst < 1e-4,
                "{kind} {what}: off the unkeyed level by {worst} (the key must come from the route)"
            );
        }
    }
}

#[test]
fn a_clap_plugins_sidechain_port_hears_the_key_sample_for_sample() {
    let kind = mixdesk_tests::clap_plugin::TEST_GAIN;
    let h = require(kind);
    assert!(h.spec.sidechain, "its second input port is offered as a sidechain");
    assert_eq!(h.info.sidechain_inputs, [2, 3], "main L/R, then the sidechain's two channels");
    for on_a_bus in [false, true] {
        let (mut s, at) = two_tracks(on_a_bus);
        let id = s.add_processor(at, kind, usize::MAX).unwrap();
        s.set_sidechain(id, Some(StripRef::Track(TrackId(1)))).unwrap();
        let (b, l) = (bounced(&s), live(&s));
        // 1 - |0.5| halves the level from the key's step on.
        let want = |i: usize| if i < T { LEVEL * CENTRE } else { LEVEL * CENTRE * 0.5 };
        for (what, out) in [("bounce", &b), ("live", &l)] {
            let off = (0..2)
                .flat_map(|c| out[c].iter().enumerate().skip(N / 4).map(move |(i, v)| (c, i, *v)))
                .map(|(_, i, v)| (v - want(i)).abs())
                .fold(0f32, f32::max);
            let place = if on_a_bus { "bus" } else { "track" };
            assert!(off < 1e-6, "{place} {what}: off the closed form by {off:.2e} (at T: {})", out[0][T]);
        }
    }
}

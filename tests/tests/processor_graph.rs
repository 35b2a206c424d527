//! Insert chains in the render graph: delay compensation, sidechain routing,
//! bypass, graph swaps, pre-fader sends after inserts, routing loops, and the
//! contract every processor kind keeps (no NaN/Inf for any parameters).

use std::collections::BTreeMap;
use std::sync::Arc;

use mixdesk_engine::dsp::{DspContext, kinds};
use mixdesk_engine::graph::{Rayon, Serial};
use mixdesk_engine::session::{
    Bus, BusId, Output, ProcessorId, Session, StripRef, TrackId, ValidationError, validate,
};
use mixdesk_tests::{compile_with, media, noise, track};

fn bus(id: u32, name: &str) -> Bus {
    Bus::new(BusId(id), name)
}

/// Sets processor `id`'s parameters by key.
fn set(s: &mut Session, id: ProcessorId, params: &[(&str, f64)]) {
    let p = s.processor_mut(id).unwrap();
    for (k, v) in params {
        p.params.insert((*k).to_owned(), *v);
    }
}

/// Renders `frames` through `session` and returns the master and every track's output.
fn render_all(
    session: &Session,
    sources: &[(&str, Arc<mixdesk_engine::media::Media>)],
    frames: usize,
    block: usize,
) -> ([Vec<f32>; 2], Vec<[Vec<f32>; 2]>) {
    let mut g = compile_with(session, sources);
    g.prime(0);
    let ids = g.track_ids();
    let mut master = [vec![0.0; frames], vec![0.0; frames]];
    let mut tracks = vec![[vec![0.0f32; frames], vec![0.0f32; frames]]; ids.len()];
    let mut pos = 0;
    while pos < frames {
        let n = block.min(frames - pos);
        let [l, r] = &mut master;
        g.process(pos as u64, &mut l[pos..pos + n], &mut r[pos..pos + n], &Serial);
        for (i, id) in ids.iter().enumerate() {
            let at = session.tracks.iter().position(|t| t.id == *id).unwrap();
            let [tl, tr] = g.track_output(i, n);
            tracks[at][0][pos..pos + n].copy_from_slice(tl);
            tracks[at][1][pos..pos + n].copy_from_slice(tr);
        }
        pos += n;
    }
    (master, tracks)
}

#[test]
fn a_track_with_a_lookahead_limiter_stays_aligned_with_the_others() {
    let n = 48_000;
    let x = noise(7, n, 0.2); // far under the ceiling: the limiter only delays
    let sources = [("x.wav", media(vec![x.clone()]))];
    let mut s = Session::new(48_000);
    s.tracks.push(track(1, "x.wav", 0, n as u64));
    s.tracks.push(track(2, "x.wav", 0, n as u64));
    let lim = s.add_processor(StripRef::Track(TrackId(2)), "limiter", 0).unwrap();
    set(&mut s, lim, &[("ceiling", 0.0), ("lookahead", 5.0)]);
    let g = compile_with(&s, &sources);
    assert_eq!(g.latency(), 0, "track latency is absorbed by reading ahead");
    let (master, tracks) = render_all(&s, &sources, n, 512);
    for i in 0..n {
        assert!(
            (tracks[0][0][i] - tracks[1][0][i]).abs() < 1e-6,
            "sample {i}: plain {} vs limited {}",
            tracks[0][0][i],
            tracks[1][0][i]
        );
        assert!((master[0][i] - 2.0 * tracks[0][0][i]).abs() < 1e-6, "mix sample {i}");
    }
}

#[test]
fn a_bus_with_latency_delays_the_other_inputs_of_the_master_to_match() {
    // Track 1 goes through a bus with a limiter (5 ms lookahead); track 2, the same
    // signal with its polarity inverted, goes straight to the master. Aligned, they
    // cancel exactly; 240 samples apart, they would not.
    let n = 24_000;
    let x = noise(3, n, 0.2);
    let sources = [("x.wav", media(vec![x]))];
    let mut s = Session::new(48_000);
    s.buses.push(bus(10, "Limited"));
    s.tracks.push(track(1, "x.wav", 0, n as u64));
    s.tracks[0].output = Output::Bus(BusId(10));
    s.tracks.push(track(2, "x.wav", 0, n as u64));
    s.tracks[1].strip.polarity_inverted = true;
    let lim = s.add_processor(StripRef::Bus(BusId(10)), "limiter", 0).unwrap();
    set(&mut s, lim, &[("ceiling", 0.0), ("lookahead", 5.0)]);
    let g = compile_with(&s, &sources);
    assert_eq!(g.latency(), 240, "the master output is late by the bus's lookahead");
    let (master, _) = render_all(&s, &sources, n, 333);
    let worst = master[0].iter().chain(&master[1]).fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(worst < 1e-6, "residual {worst}: the two paths are not aligned");
}

#[test]
fn the_bounce_trims_master_latency_so_the_mix_lines_up_with_the_timeline() {
    use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce};
    use mixdesk_engine::media::MediaPool;
    let dir = tempfile::tempdir().unwrap();
    let n = 4800;
    let mut clip = vec![0.0f32; n];
    clip[1000] = 0.5;
    mixdesk_tests::write_wav_f32(&dir.path().join("click.wav"), 48_000, &[clip]);
    let mut s = Session::new(48_000);
    s.tracks.push(track(1, "click.wav", 0, n as u64));
    let lim = s.add_processor(StripRef::Master, "limiter", 0).unwrap();
    set(&mut s, lim, &[("ceiling", 0.0), ("lookahead", 3.0)]);
    let out = dir.path().join("mix.wav");
    let opts = BounceOptions { depth: BitDepth::Float32, ..BounceOptions::default() };
    let summary = bounce(&s, dir.path(), &MediaPool::new(), &out, &opts, &mut |_| true).unwrap();
    assert_eq!(summary.frames, n as u64);
    let (_, ch) = mixdesk_tests::read_wav(&out);
    assert_eq!(ch[0].len(), n);
    let at = ch[0].iter().position(|v| v.abs() > 0.01).unwrap();
    assert_eq!(at, 1000, "the click moved by the limiter's lookahead");
    // Equal-power pan of a mono track at centre: 0.5 * cos(pi/4).
    assert!((ch[0][1000] - 0.5 * std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
}

#[test]
fn a_track_keys_a_compressor_on_another_track() {
    // Kick bursts key the bass's compressor: the bass ducks while the kick plays
    // and not otherwise; the kick itself is unaffected.
    let n = 48_000;
    let bass: Vec<f32> = (0..n).map(|i| if (i / 48) % 2 == 0 { 0.03 } else { -0.03 }).collect();
    let kick: Vec<f32> = (0..n)
        .map(|i| if (12_000..24_000).contains(&i) { if (i / 24) % 2 == 0 { 0.9 } else { -0.9 } } else { 0.0 })
        .collect();
    let sources = [("bass.wav", media(vec![bass])), ("kick.wav", media(vec![kick]))];
    let mut s = Session::new(48_000);
    s.tracks.push(track(1, "bass.wav", 0, n as u64));
    s.tracks.push(track(2, "kick.wav", 0, n as u64));
    let comp = s.add_processor(StripRef::Track(TrackId(1)), "compressor", 0).unwrap();
    set(
        &mut s,
        comp,
        &[("threshold", -30.0), ("ratio", 10.0), ("knee", 0.0), ("attack", 1.0), ("release", 30.0)],
    );
    s.set_sidechain(comp, Some(StripRef::Track(TrackId(2)))).unwrap();
    let (_, tracks) = render_all(&s, &sources, n, 256);
    let level = |from: usize, to: usize| {
        20.0 * (tracks[0][0][from..to].iter().map(|v| f64::from(v.abs())).sum::<f64>() / (to - from) as f64)
            .log10()
    };
    let centre = 0.03 * std::f64::consts::FRAC_1_SQRT_2;
    let open = 20.0 * centre.log10();
    // Key at 20*log10(0.9) = -0.9 dBFS: 29.1 dB over, 10:1 leaves 2.9 dB, reduction 26.2 dB.
    let ducked = open - (30.0 + 20.0 * 0.9f64.log10()) * 0.9;
    assert!((level(2000, 12_000) - open).abs() < 0.05, "before the kick {:.2} dB", level(2000, 12_000));
    assert!(
        (level(16_000, 24_000) - ducked).abs() < 0.3,
        "under the kick {:.2} dB, expected {ducked:.2}",
        level(16_000, 24_000)
    );
    assert!((level(40_000, 48_000) - open).abs() < 0.05, "after release {:.2} dB", level(40_000, 48_000));
}

#[test]
fn a_sidechain_that_closes_a_loop_is_refused_with_the_path_named() {
    let mut s = Session::new(48_000);
    s.buses.push(bus(10, "Drums"));
    s.tracks.push(track(1, "k.wav", 0, 100));
    s.tracks[0].name = "Kick".into();
    s.tracks[0].output = Output::Bus(BusId(10));
    let comp = s.add_processor(StripRef::Track(TrackId(1)), "compressor", 0).unwrap();
    let err = s.set_sidechain(comp, Some(StripRef::Bus(BusId(10)))).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("routing loop") && msg.contains("track 'Kick'") && msg.contains("bus 'Drums'"),
        "{msg}"
    );
    assert_eq!(s.processor(comp).unwrap().sidechain, None, "the refused edit left the session unchanged");
    // A sidechain on a processor that takes none, in a file, is refused too.
    let eq = s.add_processor(StripRef::Track(TrackId(1)), "eq", 0).unwrap();
    s.processor_mut(eq).unwrap().sidechain = Some(StripRef::Bus(BusId(10)));
    assert!(matches!(validate(&s), Err(ValidationError::Processor { .. })));
    // And an unknown parameter key names the ones there are.
    s.processor_mut(eq).unwrap().sidechain = None;
    s.processor_mut(eq).unwrap().params.insert("hp_frequency".into(), 80.0);
    let msg = validate(&s).unwrap_err().to_string();
    assert!(msg.contains("'hp_frequency'") && msg.contains("hp_freq"), "{msg}");
}

#[test]
fn chains_can_be_added_to_reordered_moved_and_removed() {
    let mut s = Session::new(48_000);
    s.tracks.push(track(1, "a.wav", 0, 100));
    s.buses.push(bus(10, "B"));
    let t = StripRef::Track(TrackId(1));
    let a = s.add_processor(t, "eq", usize::MAX).unwrap();
    let b = s.add_processor(t, "compressor", usize::MAX).unwrap();
    let c = s.add_processor(t, "gate", 0).unwrap();
    let order = |s: &Session| s.tracks[0].strip.processors.iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(order(&s), [c, a, b]);
    s.move_processor(b, t, 0).unwrap();
    assert_eq!(order(&s), [b, c, a]);
    s.move_processor(c, StripRef::Bus(BusId(10)), 0).unwrap();
    assert_eq!(order(&s), [b, a]);
    assert_eq!(s.find_processor(c), Some((StripRef::Bus(BusId(10)), 0)));
    assert_eq!(s.remove_processor(a).unwrap().kind, "eq");
    assert_eq!(order(&s), [b]);
    assert!(s.add_processor(t, "fuzz", 0).unwrap_err().to_string().contains("mixdesk processors"));
    // Processor parameters are addressable like any other.
    let ratio = s.processor_param(b, "ratio").unwrap();
    assert!(s.set_param(ratio, 100.0));
    assert_eq!(s.param_value(ratio), Some(20.0), "clamped to the range");
    assert_eq!(s.param_info(ratio).unwrap().format(20.0), "20.0:1");
    validate(&s).unwrap();
}

#[test]
fn bypass_crossfades_and_lands_exactly() {
    let n = 9600;
    let x = vec![0.5f32; n];
    let sources = [("x.wav", media(vec![x]))];
    let mut s = Session::new(48_000);
    s.tracks.push(track(1, "x.wav", 0, n as u64));
    s.tracks[0].strip.pan = mixdesk_engine::session::Pan(-1.0); // all left, gain 1 for every law
    let u = s.add_processor(StripRef::Track(TrackId(1)), "utility", 0).unwrap();
    set(&mut s, u, &[("gain", -20.0)]);
    let mut g = compile_with(&s, &sources);
    let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
    g.process(0, &mut l[..4000], &mut r[..4000], &Serial);
    g.process(4000, &mut l[4000..4800], &mut r[4000..4800], &Serial);
    assert!(g.set_bypass(u, true));
    g.process(4800, &mut l[4800..8800], &mut r[4800..8800], &Serial);
    g.process(8800, &mut l[8800..], &mut r[8800..], &Serial);
    assert!((l[4799] - 0.05).abs() < 1e-6 && (l[n - 1] - 0.5).abs() < 1e-6, "{} {}", l[4799], l[n - 1]);
    let steps = l.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0f32, f32::max);
    // 0.45 spread over the 5 ms (240-sample) declick.
    assert!(steps < 0.45 / 200.0, "largest step {steps}: bypass clicked");
    assert!(!g.set_bypass(ProcessorId(999), true));
}

#[test]
fn a_pre_fader_send_carries_the_signal_after_the_inserts() {
    let n = 1024;
    let sources = [("x.wav", media(vec![vec![0.5f32; n]]))];
    let mut s = Session::new(48_000);
    s.buses.push(bus(10, "Cue"));
    s.tracks.push(track(1, "x.wav", 0, n as u64));
    s.tracks[0].strip.fader_db = mixdesk_engine::session::Decibels(-144.0);
    s.tracks[0].strip.sends.push(mixdesk_engine::session::Send {
        id: mixdesk_engine::session::SendId(50),
        target: BusId(10),
        level_db: mixdesk_engine::session::Decibels(0.0),
        pan: mixdesk_engine::session::Pan(-1.0),
        pre_fader: true,
    });
    let u = s.add_processor(StripRef::Track(TrackId(1)), "utility", 0).unwrap();
    set(&mut s, u, &[("gain", -20.0)]);
    let mut g = compile_with(&s, &sources);
    let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
    g.process(0, &mut l, &mut r, &Serial);
    let [bl, _] = g.bus_output(0, n);
    assert!((bl[n - 1] - 0.05).abs() < 1e-6, "bus got {}", bl[n - 1]);
}

/// A session with every kind of processor on tracks, buses and the master.
pub fn every_kind_session(n: usize) -> (Session, Vec<(&'static str, Arc<mixdesk_engine::media::Media>)>) {
    let sources = vec![
        ("a.wav", media(vec![noise(1, n, 0.3), noise(2, n, 0.3)])),
        ("b.wav", media(vec![noise(3, n, 0.5)])),
    ];
    let mut s = Session::new(48_000);
    s.buses.push(bus(10, "Verb"));
    s.buses.push(bus(11, "Echo"));
    s.tracks.push(track(1, "a.wav", 0, n as u64));
    s.tracks.push(track(2, "b.wav", 0, n as u64));
    for (i, t) in s.tracks.iter_mut().enumerate() {
        for (k, target) in [BusId(10), BusId(11)].into_iter().enumerate() {
            t.strip.sends.push(mixdesk_engine::session::Send {
                id: mixdesk_engine::session::SendId(500 + 10 * i as u32 + k as u32),
                target,
                level_db: mixdesk_engine::session::Decibels(-6.0),
                pan: mixdesk_engine::session::Pan(0.0),
                pre_fader: k == 1,
            });
        }
    }
    let (t1, t2) = (StripRef::Track(TrackId(1)), StripRef::Track(TrackId(2)));
    for kind in ["eq", "compressor", "gate", "chorus", "utility"] {
        s.add_processor(t1, kind, usize::MAX).unwrap();
    }
    let eq = s.add_processor(t2, "eq", usize::MAX).unwrap();
    set(&mut s, eq, &[("hp_on", 1.0), ("p2_gain", 4.0)]);
    let comp = s.add_processor(t2, "compressor", usize::MAX).unwrap();
    s.set_sidechain(comp, Some(t1)).unwrap();
    s.add_processor(t2, "limiter", usize::MAX).unwrap();
    s.add_processor(StripRef::Bus(BusId(10)), "reverb", 0).unwrap();
    s.add_processor(StripRef::Bus(BusId(11)), "delay", 0).unwrap();
    s.add_processor(StripRef::Master, "utility", 0).unwrap();
    s.add_processor(StripRef::Master, "limiter", usize::MAX).unwrap();
    validate(&s).unwrap();
    (s, sources)
}

#[test]
fn the_parallel_bounce_and_the_serial_live_path_agree_bit_for_bit_with_processors() {
    let n = 20_000;
    let (s, sources) = every_kind_session(n);
    let mut a = compile_with(&s, &sources);
    let mut b = compile_with(&s, &sources);
    let mut pos = 0;
    while pos < n {
        let m = 4096.min(n - pos);
        let (mut al, mut ar, mut bl, mut br) = (vec![0.0; m], vec![0.0; m], vec![0.0; m], vec![0.0; m]);
        a.process(pos as u64, &mut al, &mut ar, &Serial);
        b.process(pos as u64, &mut bl, &mut br, &Rayon);
        assert!(al == bl && ar == br, "block at {pos} differs");
        assert!(al.iter().any(|v| *v != 0.0));
        pos += m;
    }
}

#[test]
fn swapping_in_an_equal_graph_keeps_processors_running_seamlessly() {
    // Reverb and delay tails, compressor envelopes and limiter lookahead carry
    // across swaps: a render with a swap every 7 blocks equals one without.
    let n = 48_000;
    let (s, sources) = every_kind_session(n);
    let block = 512;
    let mut plain = compile_with(&s, &sources);
    let mut swapped = compile_with(&s, &sources);
    let mut worst = 0.0f32;
    let mut pos = 0;
    let mut k = 0;
    while pos < n {
        let m = block.min(n - pos);
        if k % 7 == 6 {
            let mut next = compile_with(&s, &sources);
            next.inherit(&mut swapped);
            swapped = next;
        }
        let (mut al, mut ar, mut bl, mut br) = (vec![0.0; m], vec![0.0; m], vec![0.0; m], vec![0.0; m]);
        plain.process(pos as u64, &mut al, &mut ar, &Serial);
        swapped.process(pos as u64, &mut bl, &mut br, &Serial);
        for (x, y) in al.iter().chain(&ar).zip(bl.iter().chain(&br)) {
            worst = worst.max((x - y).abs());
        }
        pos += m;
        k += 1;
    }
    assert!(worst < 1e-6, "swaps changed the output by up to {worst}");
}

/// A small deterministic generator for the property test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn no_processor_emits_nan_or_inf_for_any_parameters_in_range() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for spec in kinds() {
        for trial in 0..30 {
            let rate = [44_100, 48_000, 96_000][trial % 3];
            let value = |rng: &mut Rng, p: &mixdesk_engine::session::ParamInfo| {
                // Often the extremes, otherwise anywhere in the range.
                match (rng.next() * 4.0) as u32 {
                    0 => p.min,
                    1 => p.max,
                    _ => p.clamp(p.min + rng.next() * (p.max - p.min)),
                }
            };
            let values: Vec<f64> = spec.params.iter().map(|p| value(&mut rng, p)).collect();
            let ctx = DspContext { sample_rate: rate, max_block: 1024, bpm: 40.0 + rng.next() * 200.0 };
            let mut dsp = (spec.build)(&ctx, &values);
            let stereo = trial % 2 == 0;
            for block in 0..24 {
                let n = 1 + (rng.next() * 1023.0) as usize;
                let kind = (block + trial) % 6;
                let sig = |i: usize, rng: &mut Rng| -> f32 {
                    match kind {
                        0 => (rng.next() * 2.0 - 1.0) as f32 * 4.0, // hot noise
                        1 => {
                            if i.is_multiple_of(2) {
                                1.0
                            } else {
                                -1.0
                            }
                        } // Nyquist
                        2 => 0.0,                                   // silence
                        3 => 1.0,                                   // DC
                        4 => {
                            if i == 0 {
                                8.0
                            } else {
                                0.0
                            }
                        } // impulse
                        _ => 1e-30,                                 // denormal territory
                    }
                };
                let mut l: Vec<f32> = (0..n).map(|i| sig(i, &mut rng)).collect();
                let mut r: Vec<f32> = (0..n).map(|i| sig(i, &mut rng)).collect();
                let key: Vec<f32> = (0..n).map(|i| sig(i, &mut rng)).collect();
                if rng.next() < 0.5 {
                    let i = (rng.next() * spec.params.len() as f64) as usize % spec.params.len();
                    dsp.set_param(i, value(&mut rng, &spec.params[i]));
                }
                let key = if spec.sidechain && rng.next() < 0.5 { Some([&key[..], &key[..]]) } else { None };
                if stereo {
                    dsp.process(&mut [&mut l, &mut r], key);
                } else {
                    dsp.process(&mut [&mut l], key);
                }
                let bad = l.iter().chain(if stereo { r.iter() } else { [].iter() }).find(|v| !v.is_finite());
                assert!(bad.is_none(), "{} with {:?} at {rate} Hz produced {bad:?}", spec.kind, values);
            }
        }
    }
}

#[test]
fn mixdesk_processors_json_lists_every_kind_and_parameter() {
    let (ok, out, err) = mixdesk_tests::run(&["processors", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|k| k["kind"].as_str().unwrap()).collect();
    for want in ["eq", "compressor", "gate", "limiter", "reverb", "delay", "chorus", "utility"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let mut keys = BTreeMap::new();
    for k in list {
        for (i, p) in k["params"].as_array().unwrap().iter().enumerate() {
            assert_eq!(p["index"].as_u64(), Some(i as u64));
            let (min, max, def) =
                (p["min"].as_f64().unwrap(), p["max"].as_f64().unwrap(), p["default"].as_f64().unwrap());
            assert!(min <= def && def <= max, "{}.{}", k["kind"], p["key"]);
            assert!(
                !p["name"].as_str().unwrap().is_empty() && !p["default_display"].as_str().unwrap().is_empty()
            );
            assert!(keys.insert(format!("{}.{}", k["kind"], p["key"]), ()).is_none(), "duplicate key");
        }
    }
    let comp = list.iter().find(|k| k["kind"] == "compressor").unwrap();
    assert_eq!(comp["sidechain"], true);
    let lim = list.iter().find(|k| k["kind"] == "limiter").unwrap();
    let lookahead = lim["params"].as_array().unwrap().iter().find(|p| p["key"] == "lookahead").unwrap();
    assert_eq!(lookahead["live"], false, "lookahead changes latency: applied on rebuild");
}

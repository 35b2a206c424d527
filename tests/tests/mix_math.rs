//! The mix against closed forms: pan laws, balance, width, polarity, gains,
//! fades and sample-accurate clip boundaries, solo and sends. Expected values
//! are computed here from the formulas, never taken from the engine.

use std::f64::consts::FRAC_PI_4;

use mixdesk_engine::session::{
    Bus, BusId, Decibels, Fade, FadeShape, Output, Pan, PanLaw, SampleTime, Send, SendId, Session,
};
use mixdesk_tests::{media, render, track};

fn db(x: f64) -> f64 {
    10f64.powf(x / 20.0)
}

/// The pan laws as written in DESIGN.md, for a mono source at pan p.
fn law_gains(law: PanLaw, p: f64) -> (f64, f64) {
    let t = (p + 1.0) * FRAC_PI_4;
    match law {
        PanLaw::ZeroDb => ((1.0 - p).min(1.0), (1.0 + p).min(1.0)),
        PanLaw::Minus3Db => (t.cos(), t.sin()),
        PanLaw::Minus4_5Db => ((t.cos() * (1.0 - p) / 2.0).sqrt(), (t.sin() * (1.0 + p) / 2.0).sqrt()),
        PanLaw::Minus6Db => ((1.0 - p) / 2.0, (1.0 + p) / 2.0),
    }
}

const LAWS: [PanLaw; 4] = [PanLaw::ZeroDb, PanLaw::Minus3Db, PanLaw::Minus4_5Db, PanLaw::Minus6Db];

fn sine(n: usize) -> Vec<f32> {
    (0..n).map(|i| (0.8 * (i as f64 * 0.01).sin()) as f32).collect()
}

#[test]
fn mono_track_follows_every_pan_law_at_every_position_and_fader() {
    let x = sine(4096);
    let m = media(vec![x.clone()]);
    for law in LAWS {
        for p in [-1.0, -0.6, -0.25, 0.0, 0.3, 0.75, 1.0] {
            for fader in [0.0, -6.0, 3.5] {
                let mut s = Session::new(48_000);
                s.pan_law = law;
                let mut t = track(1, "m", 0, 4096);
                t.strip.pan = Pan(p);
                t.strip.fader_db = Decibels(fader);
                s.tracks.push(t);
                let [l, r] = render(&s, &[("m", m.clone())], 4096, 512);
                let (gl, gr) = law_gains(law, p);
                for i in 0..4096 {
                    let xi = f64::from(x[i]);
                    assert!(
                        (f64::from(l[i]) - xi * gl * db(fader)).abs() < 1e-6,
                        "{law:?} p={p} fader={fader} L[{i}]"
                    );
                    assert!(
                        (f64::from(r[i]) - xi * gr * db(fader)).abs() < 1e-6,
                        "{law:?} p={p} fader={fader} R[{i}]"
                    );
                }
            }
        }
    }
}

#[test]
fn stereo_track_balance_width_and_polarity_follow_their_formulas() {
    let (a, b) = (sine(2048), mixdesk_tests::noise(3, 2048, 0.5));
    let m = media(vec![a.clone(), b.clone()]);
    for law in LAWS {
        for p in [-0.7, 0.0, 0.4] {
            for width in [0.0, 0.5, 1.0, 2.0] {
                for inverted in [false, true] {
                    let mut s = Session::new(48_000);
                    s.pan_law = law;
                    let mut t = track(1, "st", 0, 2048);
                    t.strip.pan = Pan(p);
                    t.strip.width = width;
                    t.strip.polarity_inverted = inverted;
                    t.strip.trim_db = Decibels(-2.0);
                    s.tracks.push(t);
                    let [l, r] = render(&s, &[("st", m.clone())], 2048, 300);
                    // Balance: the favoured side at unity, the other normalised to centre.
                    let (cl, cr) = law_gains(law, 0.0);
                    let (pl, pr) = law_gains(law, p);
                    let (bl, br) = if p <= 0.0 { (1.0, pr / cr) } else { (pl / cl, 1.0) };
                    let sign = if inverted { -1.0 } else { 1.0 };
                    for i in 0..2048 {
                        let (x, y) = (f64::from(a[i]), f64::from(b[i]));
                        let (mid, side) = ((x + y) / 2.0, width * (x - y) / 2.0);
                        let want_l = sign * db(-2.0) * bl * (mid + side);
                        let want_r = sign * db(-2.0) * br * (mid - side);
                        assert!(
                            (f64::from(l[i]) - want_l).abs() < 1e-6,
                            "{law:?} p={p} w={width} inv={inverted} L[{i}]"
                        );
                        assert!(
                            (f64::from(r[i]) - want_r).abs() < 1e-6,
                            "{law:?} p={p} w={width} inv={inverted} R[{i}]"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn clips_start_and_end_on_the_exact_sample_with_clip_gain() {
    let m = media(vec![vec![1.0; 10_000]]);
    let mut s = Session::new(48_000);
    s.pan_law = PanLaw::ZeroDb;
    let mut t = track(1, "dc", 1000, 777);
    t.clips[0].gain_db = Decibels(-6.0);
    s.tracks.push(t);
    let [l, _] = render(&s, &[("dc", m)], 4000, 256);
    let g = db(-6.0) as f32;
    assert_eq!(l[999], 0.0);
    assert!((l[1000] - g).abs() < 1e-7);
    assert!((l[1776] - g).abs() < 1e-7);
    assert_eq!(l[1777], 0.0);
    assert!(l[..1000].iter().chain(&l[1777..]).all(|v| *v == 0.0));
}

/// The fade formulas of DESIGN.md, written out independently.
fn shape(s: FadeShape, x: f64) -> f64 {
    match s {
        FadeShape::Linear => x,
        FadeShape::EqualPower => (x * std::f64::consts::FRAC_PI_2).sin(),
        FadeShape::Exponential => (10f64.powf(3.0 * (x - 1.0)) - 1e-3) / (1.0 - 1e-3),
        FadeShape::SCurve => 0.5 - 0.5 * (x * std::f64::consts::PI).cos(),
    }
}

#[test]
fn every_fade_shape_matches_its_formula_sample_by_sample() {
    let m = media(vec![vec![1.0; 20_000]]);
    for sh in [FadeShape::Linear, FadeShape::EqualPower, FadeShape::Exponential, FadeShape::SCurve] {
        let (start, len, fi, fo) = (500u64, 6000u64, 1500u64, 2500u64);
        let mut s = Session::new(48_000);
        s.pan_law = PanLaw::ZeroDb;
        let mut t = track(1, "dc", start, len);
        t.clips[0].fade_in = Fade { length: SampleTime(fi), shape: sh };
        t.clips[0].fade_out = Fade { length: SampleTime(fo), shape: sh };
        s.tracks.push(t);
        let [l, _] = render(&s, &[("dc", m.clone())], 8000, 1024);
        let end = start + len;
        for (i, v) in l.iter().enumerate() {
            let t = i as u64;
            let want = if t < start || t >= end {
                0.0
            } else {
                let mut g = 1.0;
                if t - start < fi {
                    g *= shape(sh, (t - start) as f64 / fi as f64);
                }
                if end - t <= fo {
                    g *= shape(sh, (end - t) as f64 / fo as f64);
                }
                g
            };
            assert!((f64::from(*v) - want).abs() < 1e-6, "{sh:?} at {i}: {v} vs {want}");
        }
    }
}

#[test]
fn mute_and_solo_in_place_with_solo_safe() {
    let m = media(vec![vec![0.5; 512]]);
    let render_with = |f: &dyn Fn(&mut Session)| {
        let mut s = Session::new(48_000);
        s.pan_law = PanLaw::ZeroDb;
        for id in 1..=3 {
            s.tracks.push(track(id, "dc", 0, 512));
        }
        f(&mut s);
        render(&s, &[("dc", m.clone())], 512, 512)[0][100]
    };
    assert_eq!(render_with(&|_| {}), 1.5);
    assert_eq!(render_with(&|s| s.tracks[0].strip.mute = true), 1.0);
    assert_eq!(render_with(&|s| s.tracks[1].strip.solo = true), 0.5);
    assert_eq!(
        render_with(&|s| {
            s.tracks[1].strip.solo = true;
            s.tracks[2].strip.solo_safe = true;
        }),
        1.0
    );
}

#[test]
fn sends_pre_and_post_fader_and_group_buses_sum_as_expected() {
    let m = media(vec![vec![0.25; 256]]);
    let mut s = Session::new(48_000);
    s.pan_law = PanLaw::ZeroDb;
    let bus = |id: u32, name: &str| Bus {
        id: BusId(id),
        name: name.into(),
        colour: Default::default(),
        comment: String::new(),
        strip: Default::default(),
        output: Output::Master,
        vca: None,
    };
    s.buses.push(bus(50, "Group"));
    s.buses.push(bus(60, "FX"));
    s.buses[0].strip.fader_db = Decibels(-6.0);
    let mut a = track(1, "dc", 0, 256);
    a.output = Output::Bus(BusId(50));
    a.strip.fader_db = Decibels(-20.0);
    a.strip.sends.push(Send {
        id: SendId(70),
        target: BusId(60),
        level_db: Decibels(0.0),
        pan: Pan(0.0),
        pre_fader: true,
    });
    let mut b = track(2, "dc", 0, 256);
    b.strip.mute = true;
    b.strip.sends.push(Send {
        id: SendId(71),
        target: BusId(60),
        level_db: Decibels(-6.0),
        pan: Pan(0.0),
        pre_fader: false,
    });
    s.tracks.extend([a, b]);
    let out = render(&s, &[("dc", m)], 256, 256)[0][10];
    // Track a: through the group (-20 dB, then -6 dB) plus a pre-fader send at 0 dB.
    // Track b is muted: its post-fader send is silent too.
    let want = 0.25 * db(-20.0) * db(-6.0) + 0.25;
    assert!((f64::from(out) - want).abs() < 1e-6, "{out} vs {want}");
}

#[test]
fn the_parallel_bounce_path_and_the_serial_live_path_render_identical_samples() {
    use mixdesk_engine::graph::{Rayon, compile};
    use mixdesk_engine::media::AudioSource;
    use std::sync::Arc;
    let sources: Vec<(String, Arc<mixdesk_engine::media::Media>)> = (0..12)
        .map(|i| {
            (
                format!("m{i}"),
                media(vec![mixdesk_tests::noise(i, 9000, 0.2), mixdesk_tests::noise(i + 50, 9000, 0.2)]),
            )
        })
        .collect();
    let mut s = Session::new(48_000);
    for i in 0..12u32 {
        let mut t = track(i + 1, &format!("m{i}"), u64::from(i) * 97, 8000);
        t.strip.pan = Pan(f64::from(i) / 12.0 - 0.5);
        t.clips[0].fade_in = Fade { length: SampleTime(300), shape: FadeShape::SCurve };
        s.tracks.push(t);
    }
    let named: Vec<(&str, _)> = sources.iter().map(|(n, m)| (n.as_str(), m.clone())).collect();
    let serial = render(&s, &named, 9500, 256);
    let lookup = |c: &mixdesk_engine::session::Clip| -> Option<Arc<dyn AudioSource>> {
        sources
            .iter()
            .find(|(n, _)| std::path::Path::new(n) == c.media)
            .map(|(_, m)| m.clone() as Arc<dyn AudioSource>)
    };
    let mut g = compile(&s, &lookup, 4096).unwrap();
    let (mut l, mut r) = (vec![0.0; 9500], vec![0.0; 9500]);
    let mut pos = 0;
    while pos < 9500 {
        let n = (9500 - pos).min(4096);
        g.process(pos as u64, &mut l[pos..pos + n], &mut r[pos..pos + n], &Rayon);
        pos += n;
    }
    assert!(serial[0] == l && serial[1] == r, "bit-identical whatever the block size and parallelism");
}

//! A track's layout through the graph: a mono track folds a stereo clip to
//! `(L + R) / 2` and pans it; a stereo track plays a mono clip on both
//! channels exactly as the same audio in a stereo file would play.

use mixdesk_engine::session::{Layout, Pan, Session};
use mixdesk_tests::{media, render, sine_wave, track};

const N: usize = 9_600;

fn session(layout: Layout, pan: f64, media_name: &str) -> Session {
    let mut s = Session::new(48_000);
    let mut t = track(1, media_name, 0, N as u64);
    t.layout = layout;
    t.strip.pan = Pan(pan);
    s.tracks.push(t);
    s
}

#[test]
fn a_mono_track_folds_a_stereo_clip_and_pans_it() {
    let (l, r) = (sine_wave(440.0, 0.3, N), sine_wave(1000.0, 0.2, N));
    let stereo = media(vec![l.clone(), r.clone()]);
    // Centred with the -3 dB law: both sides cos(pi/4) of the fold.
    let out = render(&session(Layout::Mono, 0.0, "st.wav"), &[("st.wav", stereo.clone())], N, 512);
    let c = std::f64::consts::FRAC_PI_4.cos();
    let mut worst = 0.0f64;
    for n in 0..N {
        let want = c * 0.5 * (f64::from(l[n]) + f64::from(r[n]));
        worst = worst.max((f64::from(out[0][n]) - want).abs()).max((f64::from(out[1][n]) - want).abs());
    }
    assert!(worst < 1e-6, "the mono track is off (L + R) / 2 by {worst}");
    // Panned hard left, the fold is all on the left.
    let left = render(&session(Layout::Mono, -1.0, "st.wav"), &[("st.wav", stereo.clone())], N, 512);
    let right_peak = left[1].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(right_peak < 1e-6, "a mono track panned left leaks {right_peak} to the right");
    // The same clip on a track that follows its clips stays stereo (not folded).
    let auto = render(&session(Layout::Auto, 0.0, "st.wav"), &[("st.wav", stereo)], N, 512);
    let diff = (0..N).map(|n| (auto[0][n] - auto[1][n]).abs()).fold(0.0f32, f32::max);
    assert!(diff > 0.1, "a stereo clip on an automatic track keeps its two channels");
}

#[test]
fn a_stereo_track_plays_a_mono_clip_as_the_same_audio_in_stereo_would() {
    let x = sine_wave(300.0, 0.4, N);
    let mono = media(vec![x.clone()]);
    let dual = media(vec![x.clone(), x]);
    let a = render(&session(Layout::Stereo, 0.3, "m.wav"), &[("m.wav", mono.clone())], N, 512);
    let b = render(&session(Layout::Auto, 0.3, "d.wav"), &[("d.wav", dual)], N, 512);
    let worst =
        (0..2).flat_map(|c| a[c].iter().zip(&b[c]).map(|(p, q)| (p - q).abs())).fold(0.0f32, f32::max);
    assert!(worst < 1e-7, "stereo layout vs a dual-mono file: {worst}");
    // As its clips are, the mono clip pans as a mono source (not a balance).
    let m = render(&session(Layout::Auto, 0.3, "m.wav"), &[("m.wav", mono)], N, 512);
    let moved = (0..N).map(|n| (m[0][n] - a[0][n]).abs()).fold(0.0f32, f32::max);
    assert!(moved > 1e-3, "the layout changes how the pan acts");
}

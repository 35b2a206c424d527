//! The correlation meter and goniometer on the master, through the live
//! callback and the analysis taps as the window reads them: L = R reads +1,
//! L = -R reads -1, independent noise reads about 0; the goniometer points of
//! a mono signal lie on the vertical axis, of L = -R on the horizontal one.

use mixdesk_engine::realtime::Engine;
use mixdesk_engine::session::Session;
use mixdesk_tests::{compile_with, media, noise, run_callback, track};

const RATE: usize = 48_000;
const BUFFER: usize = 256;

/// Plays a session of `l`/`r` for a second through the live callback and
/// returns the master's correlation and goniometer points.
fn play(l: Vec<f32>, r: Vec<f32>) -> (Option<f64>, Vec<[f32; 2]>) {
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "m", 0, l.len() as u64));
    let (mut h, mut core) = Engine::manual(RATE as u32, BUFFER as u32);
    h.swap_graph(compile_with(&s, &[("m", media(vec![l, r]))])).unwrap();
    h.play();
    for _ in 0..10 {
        run_callback(&mut core, RATE / 10, BUFFER);
        h.poll(|_| {});
    }
    let a = h.analysis();
    (a.correlation(), a.goniometer().points().collect())
}

#[test]
fn correlation_reads_plus_one_minus_one_and_zero() {
    let n = 2 * RATE;
    let x = noise(1, n, 0.5);
    let minus: Vec<f32> = x.iter().map(|v| -v).collect();
    let cases = [
        ("L = R", x.clone(), x.clone(), 1.0, 1e-6),
        ("L = -R", x.clone(), minus, -1.0, 1e-6),
        ("independent noise", x.clone(), noise(2, n, 0.5), 0.0, 0.05),
    ];
    for (what, l, r, want, tol) in cases {
        let (c, points) = play(l, r);
        let c = c.expect("measured");
        println!("{what}: correlation {c:+.5} ({} goniometer points)", points.len());
        assert!((c - want).abs() <= tol, "{what}: {c} vs {want}");
    }
}

#[test]
fn the_goniometer_draws_mono_vertical_and_out_of_phase_horizontal() {
    let n = 2 * RATE;
    let x = noise(3, n, 0.5);
    let (_, mono) = play(x.clone(), x.clone());
    assert_eq!(mono.len(), mixdesk_engine::analysis::SCOPE_POINTS);
    let widest = mono.iter().map(|p| p[0].abs()).fold(0.0, f32::max);
    let tallest = mono.iter().map(|p| p[1].abs()).fold(0.0, f32::max);
    println!("mono: largest |x| {widest:e}, largest |y| {tallest}");
    assert!(widest < 1e-6 && tallest > 0.1, "on the vertical axis");

    let minus: Vec<f32> = x.iter().map(|v| -v).collect();
    let (_, anti) = play(x, minus);
    let tallest = anti.iter().map(|p| p[1].abs()).fold(0.0, f32::max);
    let widest = anti.iter().map(|p| p[0].abs()).fold(0.0, f32::max);
    println!("L = -R: largest |y| {tallest:e}, largest |x| {widest}");
    assert!(tallest < 1e-6 && widest > 0.1, "on the horizontal axis");
}

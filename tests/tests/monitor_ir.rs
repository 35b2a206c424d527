//! A user impulse response as the monitor's system (`monitor::IrConvolver`),
//! through the live callback: a delayed unit impulse reproduces the input
//! delayed; the two-tap FIR [0.5, 0.5] has the closed-form response
//! |cos(pi f / fs)|; switching it on and off is ramped, never a step; the
//! convolution allocates nothing on the audio thread.

use mixdesk_engine::monitor::{IrConvolver, MonitorSettings};
use mixdesk_engine::realtime::{AudioCore, Engine, EngineHandle};
use mixdesk_engine::session::Session;
use mixdesk_tests::{compile_with, media, noise, run_callback, sine_wave, track, write_wav_f32};

#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

const RATE: usize = 48_000;
const BUFFER: usize = 256;

fn engine(l: Vec<f32>, r: Vec<f32>, ir: &[f32]) -> (EngineHandle, AudioCore) {
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "m", 0, l.len() as u64));
    let (mut h, core) = Engine::manual(RATE as u32, BUFFER as u32);
    h.swap_graph(compile_with(&s, &[("m", media(vec![l, r]))])).unwrap();
    assert!(h.set_monitor_ir(Some(IrConvolver::new(&[ir], 4096, "ir.wav".into()))));
    let settings = MonitorSettings { ir: Some("ir.wav".into()), ..Default::default() };
    assert!(h.set_monitor(settings.program(RATE as u32, None)));
    h.play();
    (h, core)
}

#[test]
fn a_delayed_unit_impulse_delays_the_input() {
    let n = RATE;
    let (x, y) = (noise(1, n, 0.5), noise(2, n, 0.5));
    let delay = 1000;
    let mut ir = vec![0.0; delay + 1];
    ir[delay] = 1.0;
    let (_h, mut core) = engine(x.clone(), y.clone(), &ir);
    let out = run_callback(&mut core, n, BUFFER);
    // After the 10 ms ramp in, the output is the input 1000 samples late.
    let worst = (2 * delay..n)
        .map(|i| (out[0][i] - x[i - delay]).abs().max((out[1][i] - y[i - delay]).abs()))
        .fold(0.0f32, f32::max);
    println!("largest difference from the input delayed {delay} samples: {worst:e}");
    assert!(worst < 1e-5, "{worst}");
}

#[test]
fn a_two_tap_average_matches_its_closed_form() {
    for hz in [1000.0, 6000.0, 12_000.0, 18_000.0] {
        let x = sine_wave(hz, 0.5, RATE);
        let (_h, mut core) = engine(x.clone(), x, &[0.5, 0.5]);
        let out = run_callback(&mut core, RATE, BUFFER);
        let rms = |v: &[f32]| (v.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        let got = 20.0 * (rms(&out[0][RATE / 2..]) / (0.5 / 2f64.sqrt())).log10();
        let want = 20.0 * (std::f64::consts::PI * hz / RATE as f64).cos().abs().log10();
        println!("{hz} Hz: {got:.3} dB (closed form {want:.3} dB)");
        assert!((got - want).abs() < 0.05, "{hz} Hz: {got} vs {want}");
    }
}

#[test]
fn switching_the_response_ramps_and_allocates_nothing() {
    let n = RATE;
    // 441 Hz: the switch comes mid-cycle, not at a zero crossing.
    let x = sine_wave(441.0, 0.5, n);
    // A polarity flip: the worst case for a switch (a step of twice the signal if not ramped).
    let (mut h, mut core) = engine(x.clone(), x, &[-1.0]);
    // 0.1 s with the response on, then switched off, recorded without a gap.
    let mut buf = vec![0.0f32; RATE / 5 * 2];
    let (on, off) = buf.split_at_mut(RATE / 10 * 2);
    for block in on.chunks_mut(2 * BUFFER) {
        core.render(block, 2);
    }
    assert!(h.set_monitor(MonitorSettings::default().program(RATE as u32, None)));
    let before = assert_no_alloc::violation_count();
    assert_no_alloc::assert_no_alloc(|| {
        for block in off.chunks_mut(2 * BUFFER) {
            core.render(block, 2);
        }
    });
    assert_eq!(assert_no_alloc::violation_count(), before, "the convolution allocated");
    let out: Vec<f32> = buf.iter().step_by(2).copied().collect();
    let step = out.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0f32, f32::max);
    // A 441 Hz sine at 0.5 moves at most 0.5 * 2 pi 441 / 48000 = 0.029 per sample.
    println!("largest step while the response ramps out: {step}");
    assert!(step < 0.05, "{step}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("ir.wav");
    write_wav_f32(&bad, RATE as u32, &[vec![]]);
    let e = IrConvolver::load(&bad, RATE as u32, 4096).unwrap_err().to_string();
    println!("{e}");
    assert!(e.contains(&bad.display().to_string()));
}

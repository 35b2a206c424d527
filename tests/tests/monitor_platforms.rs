//! Platform preview through the live callback: the mix's integrated loudness
//! comes from the engine's running analysis of the master, the monitor
//! applies each service's normalisation gain, and what the device receives
//! measures at the service's target (within 0.2 LU) for a loud -8 LUFS mix;
//! a quiet mix is turned up only by the services that do, and only as far as
//! their peak limit allows.

use mixdesk_engine::analysis::LoudnessMeter;
use mixdesk_engine::monitor::{Measured, MonitorSettings, Platform};
use mixdesk_engine::realtime::Engine;
use mixdesk_engine::session::Session;
use mixdesk_tests::{compile_with, media, noise, run_callback, track};

const RATE: usize = 48_000;
const BUFFER: usize = 256;
const SECONDS: usize = 8;

fn lufs(l: &[f32], r: &[f32]) -> f64 {
    let mut m = LoudnessMeter::new(RATE as u32);
    m.add(l, r);
    m.reading().integrated.expect("signal")
}

/// Stereo noise scaled to `target` LUFS (measured by the project's meter).
fn noise_at(target: f64) -> (Vec<f32>, Vec<f32>) {
    let n = SECONDS * RATE;
    let (l, r) = (noise(7, n, 0.5), noise(8, n, 0.5));
    let g = 10f64.powf((target - lufs(&l, &r)) / 20.0) as f32;
    (l.iter().map(|x| x * g).collect(), r.iter().map(|x| x * g).collect())
}

/// Plays the mix once with the monitor off (the running analysis measures
/// it), then once per platform with its preview on; returns the measurement
/// and each platform's played loudness and gain.
fn preview(l: Vec<f32>, r: Vec<f32>) -> (Measured, Vec<(Platform, f64, f64)>) {
    let n = l.len();
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "m", 0, n as u64));
    let (mut h, mut core) = Engine::manual(RATE as u32, BUFFER as u32);
    h.swap_graph(compile_with(&s, &[("m", media(vec![l, r]))])).unwrap();
    h.play();
    // Polled as the window would: the analysis taps hold about a second.
    for _ in 0..n / (RATE / 10) {
        run_callback(&mut core, RATE / 10, BUFFER);
        h.poll(|_| {});
    }
    let measured =
        Measured::from_reading(&h.analysis().loudness().reading()).expect("the analysis measured it");
    let mut rows = Vec::new();
    for p in Platform::ALL {
        let settings = MonitorSettings { platform: Some(p), ..MonitorSettings::default() };
        let gain = settings.platform_gain_db(Some(measured)).unwrap();
        assert!(h.set_monitor(settings.program(RATE as u32, Some(measured))));
        h.seek(0);
        let out = run_callback(&mut core, n, BUFFER);
        // Skip the seek's fade and the monitor's crossfade.
        let skip = RATE / 10;
        rows.push((p, lufs(&out[0][skip..], &out[1][skip..]), gain));
    }
    assert_eq!(h.counters().alloc_violations, 0);
    (measured, rows)
}

#[test]
fn a_loud_mix_plays_at_each_platforms_target() {
    let (l, r) = noise_at(-8.0);
    let (measured, rows) = preview(l, r);
    assert!((measured.integrated_lufs + 8.0).abs() < 0.1, "measured {:.2} LUFS", measured.integrated_lufs);
    for (p, played, gain) in rows {
        let target = p.service().target_lufs;
        eprintln!("{:<13} gain {gain:+.2} dB, plays at {played:.2} LUFS (target {target})", p.label());
        assert!((played - target).abs() <= 0.2, "{} plays at {played:.2} LUFS, target {target}", p.label());
    }
}

#[test]
fn a_quiet_mix_is_turned_up_only_within_the_peak_limit_and_only_where_published() {
    let (l, r) = noise_at(-20.0);
    let (measured, rows) = preview(l, r);
    let tp = measured.true_peak_dbtp.expect("a true peak");
    for (p, played, gain) in rows {
        let s = p.service();
        let want = if s.turns_up { (s.target_lufs + 20.0).min(s.peak_limit_dbtp - tp) } else { 0.0 };
        assert!(
            (gain - want).abs() < 0.15,
            "{}: gain {gain:.2}, want {want:.2} (true peak {tp:.2})",
            p.label()
        );
        assert!((played - (-20.0 + want)).abs() <= 0.2, "{} plays at {played:.2} LUFS", p.label());
    }
}

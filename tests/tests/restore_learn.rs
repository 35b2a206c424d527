//! Learning a de-noiser's profile from a range of a session: it hears the
//! noise at its own input (after the inserts before it, whatever the fader,
//! on a track, a bus or the master), only inside the range, and the CLI
//! saves it into the session, which then plays de-noised.

use mixdesk_engine::dsp::denoise::profile::centre;
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::restore::{LearnError, learn_noise, profile_of, set_profile};
use mixdesk_engine::session::{self, Bus, BusId, Decibels, Output, ProcessorId, Session, StripRef, TrackId};
use mixdesk_tests::{noise, run, sine_wave, track, write_wav_f32};

const RATE: usize = 48_000;

/// Two seconds: white noise at -40 dBFS RMS throughout, and a loud 1 kHz
/// tone from 1 s (the noise alone before it).
fn noisy_media() -> Vec<f32> {
    let n = 2 * RATE;
    let hiss = noise(31, n, 0.01 * 3f32.sqrt());
    let tone = sine_wave(1000.0, 0.5, n);
    (0..n).map(|i| hiss[i] + if i >= RATE { tone[i] } else { 0.0 }).collect()
}

/// A session in `dir` with one track playing `in.wav`, a utility at -6 dB
/// then a de-noiser on `at`, and the track's fader at -10 dB.
fn session_in(dir: &std::path::Path, at: StripRef) -> (Session, ProcessorId) {
    write_wav_f32(&dir.join("in.wav"), RATE as u32, &[noisy_media()]);
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "in.wav", 0, 2 * RATE as u64));
    s.tracks[0].strip.fader_db = Decibels(-10.0);
    if at == StripRef::Bus(BusId(10)) {
        s.buses.push(Bus::new(BusId(10), "Bus"));
        s.tracks[0].output = Output::Bus(BusId(10));
    }
    let u = s.add_processor(at, "utility", usize::MAX).expect("utility");
    s.processor_mut(u).expect("added").params.insert("gain".into(), -6.0);
    let id = s.add_processor(at, "denoise", usize::MAX).expect("denoise");
    s.add_processor(at, "eq", usize::MAX).expect("eq after it");
    session::validate(&s).expect("valid");
    (s, id)
}

#[test]
fn the_profile_is_the_noise_at_the_de_noisers_input_on_a_track_a_bus_and_the_master() {
    // On the track the fader comes after the de-noiser: -40 - 6 dB. On the
    // bus and the master the track's fader is before it: -40 - 10 - 6 dB
    // (a mono track centred with the -3 dB pan law: -3 dB more per side).
    for (at, want) in
        [(StripRef::Track(TrackId(1)), -46.0), (StripRef::Bus(BusId(10)), -59.0), (StripRef::Master, -59.0)]
    {
        let dir = tempfile::tempdir().expect("temp dir");
        let (s, id) = session_in(dir.path(), at);
        let p = learn_noise(&s, dir.path(), &MediaPool::new(), id, 4_800, 43_200).expect("learned");
        let mut worst = 0.0f64;
        for (i, v) in p.0.iter().enumerate().filter(|(i, _)| centre(*i) > 300.0) {
            let off = v - want;
            if off.abs() > worst.abs() {
                worst = off;
            }
            // 0.8 s of noise: bands of a few bins scatter more than wide ones.
            let tolerance = if centre(i) > 1000.0 { 0.5 } else { 2.0 };
            assert!(
                off.abs() < tolerance,
                "{at:?}: band {i} ({:.0} Hz) reads {v:.2} dB, the noise is {want} dB",
                centre(i)
            );
        }
        eprintln!("{at:?}: every band above 300 Hz within {worst:+.2} dB of {want} dB");
    }
}

#[test]
fn only_the_range_is_heard() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (s, id) = session_in(dir.path(), StripRef::Track(TrackId(1)));
    // Ending 10 ms into the tone: the 1 kHz band jumps.
    let band =
        (0..32).min_by(|a, b| (centre(*a) - 1000.0).abs().total_cmp(&(centre(*b) - 1000.0).abs())).unwrap();
    let quiet = learn_noise(&s, dir.path(), &MediaPool::new(), id, 4_800, RATE as u64).expect("learned");
    let late = learn_noise(&s, dir.path(), &MediaPool::new(), id, 4_800, RATE as u64 + 480).expect("learned");
    eprintln!("1 kHz band: {:.1} dB up to the tone, {:.1} dB with 10 ms of it", quiet.0[band], late.0[band]);
    assert!((quiet.0[band] + 46.0).abs() < 0.5, "up to the tone the band reads {:.1} dB", quiet.0[band]);
    assert!(late.0[band] > quiet.0[band] + 10.0, "10 ms of the tone did not show");
}

#[test]
fn refusals_say_what_to_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (s, id) = session_in(dir.path(), StripRef::Track(TrackId(1)));
    let pool = MediaPool::new();
    let short = learn_noise(&s, dir.path(), &pool, id, 0, 1000).unwrap_err();
    assert!(matches!(short, LearnError::TooShort { .. }), "{short}");
    assert!(short.to_string().contains("select at least"), "{short}");
    let eq = s.tracks[0].strip.processors[2].id;
    assert!(matches!(
        learn_noise(&s, dir.path(), &pool, eq, 0, 48_000),
        Err(LearnError::NotADenoiser { .. })
    ));
    assert!(matches!(
        learn_noise(&s, dir.path(), &pool, ProcessorId(999), 0, 48_000),
        Err(LearnError::NoProcessor(_))
    ));
    // Past the end of the media: silence.
    let silent = learn_noise(&s, dir.path(), &pool, id, 200_000, 250_000).unwrap_err();
    assert!(matches!(silent, LearnError::Silent), "{silent}");
}

#[test]
fn the_cli_learns_saves_and_the_session_renders_de_noised() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut s, id) = session_in(dir.path(), StripRef::Track(TrackId(1)));
    s.processor_mut(id).expect("there").params.insert("reduction".into(), 20.0);
    let path = dir.path().join("s.mixdesk");
    session::save(&s, &path).expect("saved");
    let p = path.to_str().unwrap();
    let (ok, out, err) = run(&["learn-noise", p, "--start", "0.1", "--end", "0.9"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("learned the noise profile of de-noiser") && out.contains("saved"), "{out}");
    let saved = session::load(&path).expect("loads");
    let profile = profile_of(&saved, id).expect("a de-noiser");
    assert!((profile.at(2000.0) + 46.0).abs() < 0.5, "saved profile at 2 kHz: {:.2} dB", profile.at(2000.0));
    // In words, learning is one change, not one per band.
    let changes: Vec<String> = mixdesk_engine::diff::diff(&s, &saved).into_iter().map(|c| c.text).collect();
    assert_eq!(changes, ["T1 De-noise learned profile changed (32 of 32 bands)"], "{changes:?}");
    // The saved profile is the one learned in the engine.
    let mut again = s.clone();
    let learned = learn_noise(&s, dir.path(), &MediaPool::new(), id, 4_800, 43_200).expect("learned");
    set_profile(&mut again, id, &learned);
    assert_eq!(profile_of(&again, id), Some(profile));
    // A render now has its noise floor 20 dB down before the tone.
    let mix = dir.path().join("mix.wav");
    mixdesk_tests::render_cli(&path, &mix, &["--bits", "32f", "--no-report"]);
    let (_, ch) = mixdesk_tests::read_wav(&mix);
    let energy = |x: &[f32]| x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>();
    let before = energy(&ch[0][RATE / 5..4 * RATE / 5]);
    let dry = 10f64.powf(-(40.0 + 6.0 + 10.0 + 3.0) / 10.0) * (3 * RATE / 5) as f64;
    let cut = 10.0 * (dry / before).log10();
    eprintln!("rendered: the noise floor is {cut:.1} dB down");
    assert!(cut > 15.0, "rendered: the noise floor is only {cut:.1} dB down");
    // Several de-noisers need --processor; an unknown one is named.
    let mut two = saved.clone();
    two.add_processor(StripRef::Master, "denoise", usize::MAX).expect("second");
    session::save(&two, &path).expect("saved");
    let (ok, _, err) = run(&["learn-noise", p, "--start", "0.1", "--end", "0.9"]);
    assert!(!ok && err.contains("several de-noisers") && err.contains("--processor"), "{err}");
    let (ok, _, err) = run(&["learn-noise", p, "--start", "0.1", "--end", "0.9", "--processor", "999"]);
    assert!(!ok && err.contains("no processor 999"), "{err}");
}

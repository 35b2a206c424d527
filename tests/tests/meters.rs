//! Strip meters, the live loudness meter and the spectrum analyzer, through
//! the real callback path (driven by hand) and against closed forms.

use std::sync::Arc;

use mixdesk_engine::analysis::{Averaging, MeterDisplay, MeterReading, Spectrum};
use mixdesk_engine::media::Media;
use mixdesk_engine::realtime::{AudioCore, Engine, EngineEvent, EngineHandle};
use mixdesk_engine::session::{
    Decibels, MeterOptions, MeterPoint, Processor, ProcessorId, Session, StripRef, TrackId,
};
use mixdesk_tests::{compile_with, media, noise, run_callback, sine_wave, track};

const RATE: usize = 48_000;
const BUFFER: usize = 256;
/// IEC 60268-18's fall-back: 20 dB in 1.7 s.
const FALL_DB_PER_S: f32 = 20.0 / 1.7;

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// A stereo track per signal pair, each starting at `start` samples.
fn session(tracks: &[(Vec<f32>, u64)]) -> (Session, Vec<(String, Arc<Media>)>) {
    let mut s = Session::new(48_000);
    let mut sources = Vec::new();
    for (i, (signal, start)) in tracks.iter().enumerate() {
        let name = format!("m{i}");
        s.tracks.push(track(i as u32 + 1, &name, *start, signal.len() as u64));
        sources.push((name, media(vec![signal.clone(), signal.clone()])));
    }
    (s, sources)
}

fn start(s: &Session, sources: &[(String, Arc<Media>)]) -> (EngineHandle, AudioCore) {
    let refs: Vec<(&str, Arc<Media>)> = sources.iter().map(|(n, m)| (n.as_str(), m.clone())).collect();
    let (mut handle, core) = Engine::manual(48_000, BUFFER as u32);
    handle.swap_graph(compile_with(s, &refs)).unwrap();
    handle.play();
    (handle, core)
}

/// Plays `seconds` and feeds every strip meter reading into `displays`.
fn play(
    handle: &mut EngineHandle,
    core: &mut AudioCore,
    seconds: f64,
    displays: &mut Vec<(StripRef, MeterDisplay)>,
) {
    let frames = (seconds * RATE as f64) as usize;
    // Poll every 100 ms like a GUI would (the taps hold 2 s).
    for _ in 0..frames.div_ceil(4800) {
        run_callback(core, 4800, BUFFER);
        handle.poll(|e| {
            if let EngineEvent::Meter { strip, reading } = e {
                match displays.iter_mut().find(|(s, _)| *s == strip) {
                    Some((_, d)) => d.update(&reading),
                    None => {
                        let mut d = MeterDisplay::new(48_000);
                        d.update(&reading);
                        displays.push((strip, d));
                    }
                }
            }
        });
    }
}

fn display(displays: &[(StripRef, MeterDisplay)], s: StripRef) -> &MeterDisplay {
    &displays.iter().find(|(r, _)| *r == s).expect("meter readings for the strip").1
}

#[test]
fn a_full_scale_sine_reads_0_dbfs_peak_and_minus_3_01_db_rms() {
    let (s, sources) = session(&[(sine_wave(1000.0, 1.0, RATE * 2), 0)]);
    let (mut handle, mut core) = start(&s, &sources);
    let mut displays = Vec::new();
    play(&mut handle, &mut core, 1.0, &mut displays);
    for strip in [StripRef::Track(TrackId(1)), StripRef::Master] {
        let d = display(&displays, strip);
        for c in 0..2 {
            assert!(d.peak_db()[c].abs() < 0.01, "{strip:?} peak {}", d.peak_db()[c]);
            assert!((d.rms_db()[c] + 3.0103).abs() < 0.01, "{strip:?} rms {}", d.rms_db()[c]);
        }
        // Samples reach exactly full scale (1.0) but never beyond: no clip.
        assert!(!d.clipped(), "{strip:?} latched a clip");
    }
    // The master reads true peak (BS.1770-4: +0.2/-0.4 dB); tracks only when asked.
    let tp = display(&displays, StripRef::Master).true_peak_db().expect("master true peak");
    assert!(tp.iter().all(|t| (-0.4..=0.2).contains(t)), "master true peak {tp:?}");
    assert!(display(&displays, StripRef::Track(TrackId(1))).true_peak_db().is_none());
}

#[test]
fn the_meter_point_moves_the_reading_before_or_after_the_fader() {
    // A 0.5 sine (-6.02 dBFS) with +3 dB trim and -9 dB fader: pre-fader -3.02, post -12.02.
    let amp = 0.5;
    let (mut s, sources) = session(&[(sine_wave(1000.0, amp, RATE * 4), 0)]);
    s.tracks[0].strip.trim_db = Decibels(3.0);
    s.tracks[0].strip.fader_db = Decibels(-9.0);
    let id = StripRef::Track(TrackId(1));
    for with_insert in [false, true] {
        let mut s = s.clone();
        if with_insert {
            // Inserts move trim to an input stage before them: the reading must not change.
            s.tracks[0].strip.processors.push(Processor {
                id: ProcessorId(7),
                kind: "utility".into(),
                bypassed: false,
                params: Default::default(),
                sidechain: None,
                sidechain_post_fader: false,
                state: None,
            });
        }
        let (mut handle, mut core) = start(&s, &sources);
        let mut post = Vec::new();
        play(&mut handle, &mut core, 0.5, &mut post);
        let expect_post = db(amp) + 3.0 - 9.0;
        let p = display(&post, id).peak_db()[0] as f64;
        assert!((p - expect_post).abs() < 0.02, "post-fader {p} vs {expect_post} (insert {with_insert})");

        handle.set_meter(id, MeterOptions { point: MeterPoint::PreFader, true_peak: true });
        play(&mut handle, &mut core, 0.1, &mut Vec::new());
        let mut pre = Vec::new();
        play(&mut handle, &mut core, 0.5, &mut pre);
        let d = display(&pre, id);
        let expect_pre = db(amp) + 3.0;
        let p = d.peak_db()[0] as f64;
        assert!((p - expect_pre).abs() < 0.02, "pre-fader {p} vs {expect_pre} (insert {with_insert})");
        let tp = d.true_peak_db().expect("true peak once asked for")[0] as f64;
        assert!(tp - expect_pre <= 0.2 && expect_pre - tp <= 0.4, "pre-fader true peak {tp}");
    }
}

/// Readings of 20 ms at a constant peak level.
fn readings(db_level: Option<f32>, seconds: f32) -> Vec<MeterReading> {
    let amp = db_level.map_or(0.0, |d| 10f32.powf(d / 20.0));
    let n = (seconds / 0.02).round() as usize;
    vec![MeterReading { peak: [amp; 2], mean_square: [amp * amp / 2.0; 2], frames: 960, true_peak: None }; n]
}

#[test]
fn peak_hold_and_fall_back_follow_the_documented_ballistics() {
    let mut d = MeterDisplay::new(48_000);
    for r in readings(Some(-6.0), 0.1) {
        d.update(&r);
    }
    assert!((d.peak_db()[0] + 6.0).abs() < 1e-4);
    let mut t = 0.0f32;
    for r in readings(None, 3.0) {
        d.update(&r);
        t += 0.02;
        // The bar falls at 20 dB per 1.7 s from the last peak.
        let bar = (-6.0 - FALL_DB_PER_S * t).max(mixdesk_engine::analysis::ballistics::FLOOR_DB);
        assert!((d.peak_db()[0] - bar).abs() < 0.01, "bar at {t:.2} s: {} vs {bar}", d.peak_db()[0]);
        // The hold marker stays 2 s, then falls at the same rate.
        let hold = if t <= 2.0 + 1e-4 { -6.0 } else { (-6.0 - FALL_DB_PER_S * (t - 2.0)).max(bar) };
        assert!((d.hold_db()[0] - hold).abs() < 0.01, "hold at {t:.2} s: {} vs {hold}", d.hold_db()[0]);
    }
    // RMS integrates 300 ms: after 0.3 s of silence it reads silence.
    assert_eq!(d.rms_db()[0], mixdesk_engine::analysis::ballistics::FLOOR_DB);
}

#[test]
fn rms_integrates_over_300_ms() {
    let mut d = MeterDisplay::new(48_000);
    for r in readings(Some(0.0), 1.0) {
        d.update(&r);
    }
    for r in readings(None, 0.1) {
        d.update(&r);
    }
    // 200 ms of a full-scale sine in a 300 ms window: -3.01 + 10 log10(2/3).
    let want = -3.0103 + 10.0 * (2.0f32 / 3.0).log10();
    assert!((d.rms_db()[0] - want).abs() < 0.01, "{} vs {want}", d.rms_db()[0]);
}

#[test]
fn the_clip_indicator_latches_until_it_is_reset() {
    let mut d = MeterDisplay::new(48_000);
    for r in readings(Some(0.0), 0.2) {
        d.update(&r);
    }
    assert!(!d.clipped(), "exactly full scale is not a clip");
    d.update(&MeterReading { peak: [1.001, 0.0], mean_square: [0.5, 0.0], frames: 960, true_peak: None });
    for r in readings(None, 5.0) {
        d.update(&r);
    }
    assert!(d.clipped(), "the clip latch let go by itself");
    d.reset_clip();
    assert!(!d.clipped());
}

#[test]
fn live_loudness_and_overlaid_spectra_come_from_the_taps() {
    // Track 1: -23 dBFS 1 kHz for 4 s. Track 2: -30 dBFS 5 kHz from 4 s to 8 s.
    let four = RATE * 4;
    let (s, sources) = session(&[
        (sine_wave(1000.0, 10f64.powf(-23.0 / 20.0), four), 0),
        (sine_wave(5000.0, 10f64.powf(-30.0 / 20.0), four), four as u64),
    ]);
    let (mut handle, mut core) = start(&s, &sources);
    assert!(handle.set_tap(0, Some(StripRef::Track(TrackId(1)))));
    assert!(handle.set_tap(1, Some(StripRef::Track(TrackId(2)))));
    assert!(!handle.set_tap(99, None), "a slot out of range is refused");
    play(&mut handle, &mut core, 4.0, &mut Vec::new());
    let r = handle.analysis().loudness().reading();
    for (what, v) in [("M", r.momentary), ("S", r.short_term), ("I", r.integrated)] {
        let v = v.expect("a loudness reading");
        assert!((v + 23.0).abs() < 0.1, "live {what} {v}");
    }
    assert!((r.correlation.unwrap() - 1.0).abs() < 1e-3, "a centred sine is mono");
    let a = handle.analysis();
    let master_1k = a.spectrum().level_at(1000.0);
    let (_, strip, t1) = a.strip_spectra().find(|(slot, _, _)| *slot == 0).unwrap();
    assert_eq!(strip, StripRef::Track(TrackId(1)));
    for (what, v) in [("master", master_1k), ("track 1", t1.level_at(1000.0))] {
        assert!((v + 23.0).abs() < 0.2, "{what} spectrum at 1 kHz: {v}");
    }
    drop(a); // (the analysis is locked while it is read)
    play(&mut handle, &mut core, 4.0, &mut Vec::new());
    let a = handle.analysis();
    let (_, _, t2) = a.strip_spectra().find(|(slot, _, _)| *slot == 1).unwrap();
    assert!((t2.level_at(5000.0) + 30.0).abs() < 0.2, "track 2 at 5 kHz: {}", t2.level_at(5000.0));
    assert!(t2.level_at(1000.0) < -80.0, "track 2 never played 1 kHz: {}", t2.level_at(1000.0));
    // The master's 1 kHz has gone, but its peak hold remembers it.
    let p = a
        .spectrum()
        .points()
        .into_iter()
        .min_by(|x, y| (x.hz - 1000.0).abs().total_cmp(&(y.hz - 1000.0).abs()));
    let p = p.unwrap();
    assert!(p.db < -60.0 && (p.peak_db + 23.0).abs() < 0.2, "master 1 kHz now {} held {}", p.db, p.peak_db);
    // Integrated loudness of the whole: both halves gated in, energy mean of -23
    // and the 5 kHz tone's K-weighted level; it sits between them and over -30.
    let i = a.loudness().reading().integrated.unwrap();
    assert!(i > -30.0 && i < -23.0 + 3.0, "integrated {i}");
}

/// The display point `level_at(hz)` reads: 24 per octave from 20 Hz.
fn centre(hz: f64) -> f64 {
    20.0 * 2f64.powf(((hz / 20.0).log2() * 24.0).round() / 24.0)
}

#[test]
fn a_sine_reads_its_peak_level_in_every_smoothing_width() {
    for fraction in [1u32, 3, 6, 12] {
        for hz in [100.0, 250.0, 1000.0, 4000.0, 12_000.0] {
            // Where a band is narrower than the window's main lobe (6 bins of
            // 5.9 Hz) a sine spreads past it; that is the analyzer's resolution.
            let half = 1.0 / (2.0 * f64::from(fraction));
            if centre(hz) * (2f64.powf(half) - 2f64.powf(-half)) < 6.0 * 48_000.0 / 8192.0 {
                continue;
            }
            let amp = 0.25;
            let mut sp = Spectrum::new(48_000, 8192, Averaging::LongTerm, fraction);
            let x = sine_wave(hz, amp, RATE);
            sp.add(&x, &x);
            let got = f64::from(sp.level_at(hz));
            assert!(
                (got - db(amp)).abs() < 0.1,
                "1/{fraction} octave at {hz} Hz: {got:.2} vs {:.2}",
                db(amp)
            );
        }
    }
}

#[test]
fn white_noise_reads_its_band_energy() {
    // Uniform noise in [-a, a] has variance a^2 / 3; a band of width B holds
    // 4 var B / fs on this scale (a sine's amplitude squared).
    let a = 0.5f32;
    let x = noise(7, RATE * 20, a);
    let y = noise(8, RATE * 20, a);
    let mut sp = Spectrum::new(48_000, 8192, Averaging::LongTerm, 3);
    sp.add(&x, &y);
    let var = f64::from(a * a) / 3.0;
    for hz in [500.0, 2000.0, 8000.0] {
        let c = centre(hz);
        let width = c * (2f64.powf(1.0 / 6.0) - 2f64.powf(-1.0 / 6.0));
        let want = 10.0 * (4.0 * var * width / 48_000.0).log10();
        let got = f64::from(sp.level_at(hz));
        assert!((got - want).abs() < 0.5, "noise at {hz} Hz: {got:.2} vs {want:.2}");
    }
}

/// The live analysis runs on the engine's own thread, not the app's: with a
/// clock-driven engine playing a -23 dBFS sine, the loudness reads -23 LUFS
/// and the spectrum -23 dB at 1 kHz though nothing calls `poll` (the GUI's
/// thread used to run the loudness meter and the FFTs inside it).
#[test]
fn the_live_analysis_runs_without_the_app_polling() {
    use mixdesk_engine::realtime::EngineConfig;
    let (s, sources) = session(&[(sine_wave(1000.0, 10f64.powf(-23.0 / 20.0), RATE * 10), 0)]);
    let refs: Vec<(&str, Arc<Media>)> = sources.iter().map(|(n, m)| (n.as_str(), m.clone())).collect();
    let config = EngineConfig { buffer_frames: BUFFER as u32, null_output: true, ..EngineConfig::default() };
    let mut engine = Engine::start(config).expect("the clock-driven engine");
    assert_eq!(engine.status().sample_rate, RATE as u32);
    engine.swap_graph(compile_with(&s, &refs)).expect("swapped");
    engine.play();
    // A second played (the audio thread publishes where it is), and two of
    // the analysis thread's 20 ms passes over it.
    let clock = engine.transport_clock();
    let t = std::time::Instant::now();
    while clock.position() < RATE as u64 && t.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(clock.position() >= RATE as u64, "the engine played {} samples in 10 s", clock.position());
    std::thread::sleep(std::time::Duration::from_millis(60));
    let reading = engine.analysis().loudness().reading();
    let m = reading.momentary.expect("a momentary loudness without polling");
    assert!((m + 23.0).abs() < 0.1, "momentary {m}");
    let at_1k = engine.analysis().spectrum().level_at(1000.0);
    assert!((at_1k + 23.0).abs() < 0.2, "spectrum at 1 kHz: {at_1k}");
}

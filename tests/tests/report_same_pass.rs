//! The bounce's report is measured on the blocks of the mix as they are
//! written (on the writer thread), not by reading the file back afterwards.
//! It must still be exactly `analyze_file` of the written file: every
//! measurement and both curves, for each format and dither (the quantised,
//! dithered samples, not the float mix), for a length that is no multiple of
//! any block, for a mix that clips, and for a normalised (two-pass) bounce.

use std::path::Path;

use mixdesk_engine::analysis::analyze_file;
use mixdesk_engine::bounce::{BitDepth, BounceOptions, Dither, NormalizeTarget, bounce};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::session::Session;
use mixdesk_tests::{noise, sine_wave, track, write_wav_f32};

/// Frames of the mix: past 3 s (so short-term loudness and the loudness
/// range are measured), and a multiple of neither the render block nor the
/// analysis block.
const FRAMES: usize = 200_001;

/// A stereo session whose mix peaks at about `peak` (above 1.0 it clips).
fn session(dir: &Path, peak: f32) -> Session {
    let tone = sine_wave(997.0, 0.7, FRAMES);
    let hiss = noise(7, FRAMES, 0.3);
    let l: Vec<f32> = tone.iter().zip(&hiss).map(|(t, h)| peak * (t + h)).collect();
    let r: Vec<f32> = tone.iter().zip(noise(8, FRAMES, 0.3)).map(|(t, h)| peak * (0.5 * t + h)).collect();
    write_wav_f32(&dir.join("a.wav"), 48_000, &[l, r]);
    let mut s = Session::new(48_000);
    s.tracks.push(track(1, "a.wav", 0, FRAMES as u64));
    s
}

fn check(dir: &Path, s: &Session, name: &str, opts: BounceOptions) {
    let out = dir.join(name);
    let summary = bounce(s, dir, &MediaPool::new(), &out, &opts, &mut |_| true).unwrap();
    assert!(summary.report_error.is_none(), "{name}: {:?}", summary.report_error);
    let report = summary.report.expect("a report");
    let (analysis, curves) = analyze_file(&out).unwrap();
    assert_eq!(report.analysis, analysis, "{name}: the report is not analyze of the file");
    assert_eq!(report.curves, curves, "{name}: the curves differ");
    assert_eq!(analysis.frames, FRAMES as u64);
}

#[test]
fn the_report_equals_analyze_of_the_file_for_every_format_and_dither() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path(), 1.2);
    for (name, depth, dither) in [
        ("16.wav", BitDepth::Int16, Dither::Auto),
        ("24.wav", BitDepth::Int24, Dither::Auto),
        ("24tpdf.wav", BitDepth::Int24, Dither::Tpdf),
        ("32f.wav", BitDepth::Float32, Dither::Auto),
    ] {
        // A block that divides neither the length nor the analysis block.
        let opts = BounceOptions { depth, dither, block: 1000, ..BounceOptions::default() };
        check(dir.path(), &s, name, opts);
    }
    let (a, _) = analyze_file(&dir.path().join("24.wav")).unwrap();
    assert!(a.clipped_samples > 100, "the mix clips in the integer file: {}", a.clipped_samples);
}

#[test]
fn a_normalised_bounce_reports_its_second_pass_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path(), 0.1);
    let normalize = Some(NormalizeTarget { lufs: -16.0, ceiling_dbtp: Some(-1.0) });
    let opts = BounceOptions { depth: BitDepth::Int16, normalize, ..BounceOptions::default() };
    check(dir.path(), &s, "n.wav", opts);
}

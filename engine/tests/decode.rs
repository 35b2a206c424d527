//! Decoding every supported format, and resampling quality.
//!
//! The sox-made fixtures (tests/fixtures/media, see make.sh there) hold a 1 kHz
//! sine at -6 dBFS on the left and -12 dBFS on the right, 0.25 s at 44.1 kHz.
//! WAV variants are written here with hound.

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};

use mixdesk_engine::media::{MediaError, MediaPool, decode_file, resample};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/media").join(name)
}

/// Least-squares amplitude of a `hz` sine in `x` (rate `rate`), and the RMS of
/// what is left after subtracting it, relative to that amplitude, in dB.
fn fit_sine(x: &[f32], hz: f64, rate: f64) -> (f64, f64) {
    let (mut ss, mut sc, mut cc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (n, v) in x.iter().enumerate() {
        let w = TAU * hz * n as f64 / rate;
        let (s, c) = w.sin_cos();
        let v = f64::from(*v);
        ss += s * s;
        sc += s * c;
        cc += c * c;
        xs += v * s;
        xc += v * c;
    }
    let det = ss * cc - sc * sc;
    let a = (xs * cc - xc * sc) / det;
    let b = (xc * ss - xs * sc) / det;
    let amp = (a * a + b * b).sqrt();
    let resid: f64 = x
        .iter()
        .enumerate()
        .map(|(n, v)| {
            let w = TAU * hz * n as f64 / rate;
            (f64::from(*v) - a * w.sin() - b * w.cos()).powi(2)
        })
        .sum::<f64>()
        / x.len() as f64;
    (amp, 10.0 * (resid / (amp * amp / 2.0)).log10())
}

/// Checks a decoded file: its rate, channels, length, and the sine on each channel.
fn check(path: &Path, channels: usize, exact_len: bool, amps: &[f64], amp_tol_db: f64, max_resid_db: f64) {
    let d = decode_file(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.format.sample_rate, 44_100, "{}", path.display());
    assert_eq!(d.channels.len(), channels, "{}", path.display());
    let len = d.channels[0].len();
    if exact_len {
        assert_eq!(len, 11_025, "{}", path.display());
    } else {
        assert!((10_000..=13_000).contains(&len), "{}: {len} frames", path.display());
    }
    for (ch, want) in d.channels.iter().zip(amps) {
        let mid = &ch[2048..len - 2048];
        let (amp, resid) = fit_sine(mid, 1000.0, 44_100.0);
        let err_db = 20.0 * (amp / want).log10();
        assert!(err_db.abs() < amp_tol_db, "{}: amplitude {amp} vs {want}", path.display());
        assert!(resid < max_resid_db, "{}: residual {resid:.1} dB", path.display());
    }
}

#[test]
fn flac_aiff_and_lossy_formats_decode_to_the_expected_sine() {
    check(&fixture("stereo.flac"), 2, true, &[0.5, 0.25], 0.01, -80.0);
    check(&fixture("mono24.flac"), 1, true, &[0.5], 0.01, -100.0);
    check(&fixture("stereo.aiff"), 2, true, &[0.5, 0.25], 0.01, -70.0);
    check(&fixture("stereo.mp3"), 2, false, &[0.5, 0.25], 0.5, -30.0);
    check(&fixture("stereo.ogg"), 2, false, &[0.5, 0.25], 0.5, -30.0);
}

fn sine_stereo(frames: usize) -> [Vec<f64>; 2] {
    let s: Vec<f64> = (0..frames).map(|n| (TAU * 1000.0 * n as f64 / 44_100.0).sin()).collect();
    [s.iter().map(|v| 0.5 * v).collect(), s.iter().map(|v| 0.25 * v).collect()]
}

fn write_wav(path: &Path, bits: u16, float: bool, channels: &[Vec<f64>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: 44_100,
        bits_per_sample: bits,
        sample_format: if float { hound::SampleFormat::Float } else { hound::SampleFormat::Int },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let full = f64::from(1u32 << (bits - 1)) - 1.0;
    for i in 0..channels[0].len() {
        for ch in channels {
            if float {
                w.write_sample(ch[i] as f32).unwrap();
            } else {
                w.write_sample((ch[i] * full).round() as i32).unwrap();
            }
        }
    }
    w.finalize().unwrap();
}

#[test]
fn wav_at_every_bit_depth_and_bwf_decode_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let sig = sine_stereo(11_025);
    for (bits, float, resid) in
        [(16, false, -85.0), (24, false, -130.0), (32, false, -130.0), (32, true, -130.0)]
    {
        let p = dir.path().join(format!("s{bits}{}.wav", if float { "f" } else { "" }));
        write_wav(&p, bits, float, &sig);
        check(&p, 2, true, &[0.5, 0.25], 0.001, resid);
    }
    // BWF: the same WAV with a `bext` chunk between `fmt ` and `data`.
    let plain = dir.path().join("s24.wav");
    let bytes = std::fs::read(&plain).unwrap();
    let data_at = bytes.windows(4).position(|w| w == b"data").unwrap();
    let mut bext = b"bext".to_vec();
    bext.extend_from_slice(&602u32.to_le_bytes());
    bext.extend(std::iter::repeat_n(0u8, 602));
    let mut bwf = bytes[..data_at].to_vec();
    bwf.extend_from_slice(&bext);
    bwf.extend_from_slice(&bytes[data_at..]);
    let riff_len = (bwf.len() - 8) as u32;
    bwf[4..8].copy_from_slice(&riff_len.to_le_bytes());
    let p = dir.path().join("broadcast.wav");
    std::fs::write(&p, bwf).unwrap();
    check(&p, 2, true, &[0.5, 0.25], 0.001, -130.0);
}

#[test]
fn six_channels_fold_down_to_stereo_by_the_documented_rule() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("surround.wav");
    // L, R, C, LFE, Ls, Rs as constants 0.1 .. 0.6.
    let chans: Vec<Vec<f64>> = (1..=6).map(|i| vec![f64::from(i) * 0.1; 1000]).collect();
    write_wav(&p, 32, true, &chans);
    let d = decode_file(&p).unwrap();
    assert_eq!(d.format.channels, 6);
    let h = std::f64::consts::FRAC_1_SQRT_2;
    let (l, r) = (0.1 + h * 0.3 + h * 0.5, 0.2 + h * 0.3 + h * 0.6);
    assert!((f64::from(d.channels[0][500]) - l).abs() < 1e-6);
    assert!((f64::from(d.channels[1][500]) - r).abs() < 1e-6);
}

/// Magnitude spectrum (dB relative to a full-scale sine) with a 7-term
/// Blackman-Harris window, whose sidelobes sit below -180 dB.
fn spectrum_db(x: &[f32]) -> Vec<f64> {
    const A: [f64; 7] = [
        0.271_051_400_693_424,
        -0.433_297_939_234_485,
        0.218_122_999_543_11,
        -0.065_925_446_388_031,
        0.010_811_742_098_371,
        -0.000_776_584_825_226,
        0.000_013_887_217_352,
    ];
    let n = x.len();
    let w: Vec<f64> = (0..n)
        .map(|i| A.iter().enumerate().map(|(k, a)| a * (TAU * k as f64 * i as f64 / n as f64).cos()).sum())
        .collect();
    let gain: f64 = w.iter().sum::<f64>() / 2.0;
    let mut planner = realfft::RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(n);
    let mut input: Vec<f64> = x.iter().zip(&w).map(|(v, w)| f64::from(*v) * w).collect();
    let mut out = fft.make_output_vec();
    fft.process(&mut input, &mut out).unwrap();
    out.iter().map(|c| 20.0 * (c.norm() / gain).max(1e-20).log10()).collect()
}

#[test]
fn resampling_a_1khz_sine_from_44k1_to_48k_keeps_spurs_below_minus_100_dbfs() {
    let frames = 44_100 * 2;
    let amp = 0.9;
    let x: Vec<f32> =
        (0..frames).map(|n| (amp * (TAU * 1000.0 * n as f64 / 44_100.0).sin()) as f32).collect();
    let out = resample(vec![x], 44_100, 48_000).unwrap();
    let y = &out[0];
    assert_eq!(y.len(), 96_000, "exactly ceil(frames * 48000 / 44100) frames");
    // No delay: the output lines up with the ideal 48 kHz sine.
    let worst = (4800..91_200)
        .map(|n| (f64::from(y[n]) - amp * (TAU * 1000.0 * n as f64 / 48_000.0).sin()).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-4, "aligned within 1e-4, worst {worst}");
    // 48000 points: 1 Hz bins, so the tone sits exactly on a bin (no scalloping).
    let seg = &y[24_000..72_000];
    let spec = spectrum_db(seg);
    let bin_hz: f64 = 1.0;
    let tone_bin = (1000.0 / bin_hz).round() as usize;
    let peak = spec[tone_bin - 3..=tone_bin + 3].iter().copied().fold(f64::MIN, f64::max);
    assert!((peak - 20.0 * amp.log10()).abs() < 0.1, "tone at {peak:.2} dBFS");
    let (worst_bin, spur) = spec
        .iter()
        .enumerate()
        .filter(|(i, _)| i.abs_diff(tone_bin) > 8)
        .fold((0, f64::MIN), |(bi, b), (i, v)| if *v > b { (i, *v) } else { (bi, b) });
    assert!(spur < -100.0, "largest spur {spur:.1} dBFS at {:.0} Hz", worst_bin as f64 * bin_hz);
}

#[test]
fn damaged_and_missing_files_are_errors_that_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("cut.wav");
    write_wav(&wav, 16, false, &sine_stereo(44_100));
    let bytes = std::fs::read(&wav).unwrap();
    std::fs::write(&wav, &bytes[..bytes.len() / 2]).unwrap();
    let junk = dir.path().join("noise.flac");
    std::fs::write(
        &junk,
        (0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    let empty = dir.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("gone.wav");
    for (path, expect) in [
        (&wav, "cut short"),
        (&junk, "not a recognised audio format"),
        (&empty, "empty"),
        (&missing, "not found"),
    ] {
        let Err(err) = decode_file(path) else { panic!("{} must fail to decode", path.display()) };
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains(expect), "{msg}");
    }
    assert!(matches!(decode_file(&missing), Err(MediaError::Missing { .. })));
}

#[test]
fn the_pool_decodes_each_file_once_and_keeps_memory_near_raw_size() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.wav");
    write_wav(&a, 24, false, &sine_stereo(44_100));
    let pool = MediaPool::new();
    let loaded = pool.load_all(&[a.clone(), a.clone(), a.clone()], 48_000);
    assert_eq!(pool.len(), 1);
    let m = loaded[0].as_ref().unwrap();
    assert!(std::sync::Arc::ptr_eq(m, loaded[2].as_ref().unwrap()));
    assert_eq!(m.frames(), 48_000);
    assert_eq!(m.sample_bytes(), 2 * 48_000 * 4);
    for ch in &m.channels {
        assert_eq!(ch.len(), 48_000, "boxed slices hold exactly the frames, no spare capacity");
    }
}

//! The codec preview (`monitor::codec`): the mix through LAME at 128 kbit/s
//! and back. LAME low-passes at that rate (about 17 kHz), so above 17.5 kHz
//! the preview has lost most of the mix's energy; below 15 kHz, aligned to
//! the mix, it nulls against it to well under the mix's level.

use mixdesk_engine::media::decode_file;
use mixdesk_engine::monitor::codec::{codec_preview, preview_path};
use mixdesk_engine::monitor::load_reference;
use mixdesk_engine::session::{Session, Track};
use mixdesk_engine::units::SampleTime;
use mixdesk_tests::{noise, sine_wave, write_wav_f32};
use realfft::RealFftPlanner;

const RATE: u32 = 48_000;
const FFT: usize = 8192;

/// Power below `split` Hz and above `above` Hz of `x` (Hann frames, summed).
fn split_power(x: &[f32], split: f64, above: f64) -> (f64, f64) {
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FFT);
    let (mut input, mut out) = (fft.make_input_vec(), fft.make_output_vec());
    let (mut lo, mut hi) = (0.0, 0.0);
    for frame in x.chunks_exact(FFT) {
        for (i, (o, v)) in input.iter_mut().zip(frame).enumerate() {
            *o = v * (0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / FFT as f32).cos());
        }
        fft.process(&mut input, &mut out).unwrap();
        for (k, c) in out.iter().enumerate() {
            let hz = k as f64 * f64::from(RATE) / FFT as f64;
            let p = f64::from(c.norm_sqr());
            if hz < split {
                lo += p;
            } else if hz > above {
                hi += p;
            }
        }
    }
    (lo, hi)
}

fn db(x: f64) -> f64 {
    10.0 * x.log10()
}

#[test]
fn the_128k_preview_loses_the_top_octave_and_nulls_below() {
    let dir = tempfile::tempdir().unwrap();
    let n = 4 * RATE as usize;
    let mut x = noise(7, n, 0.05);
    for (hz, amp) in [(110.0, 0.2), (440.0, 0.15), (1250.0, 0.1), (3300.0, 0.05), (7000.0, 0.03)] {
        x.iter_mut().zip(sine_wave(hz, amp, n)).for_each(|(o, v)| *o += v);
    }
    write_wav_f32(&dir.path().join("mix.wav"), RATE, &[x.clone(), x.clone()]);
    let mut s = Session::new(RATE);
    s.tracks.push(Track::with_one_clip(1, "mix", "mix.wav".into(), SampleTime(n as u64)));
    let out = preview_path(dir.path(), "song", 128);
    let written = codec_preview(&s, dir.path(), 128, &out).unwrap();
    assert_eq!(written, out);
    let y = decode_file(&out).unwrap().channels.swap_remove(0);
    println!("mix {} samples, preview decoded {} samples", x.len(), y.len());

    // Align by the cross-correlation's peak (a decoder may keep the encoder delay).
    let span = RATE as usize..2 * RATE as usize;
    let lag = (-3000i64..3000)
        .max_by(|a, b| {
            let c = |l: i64| -> f64 {
                span.clone().map(|i| f64::from(x[i]) * f64::from(y[(i as i64 + l) as usize])).sum()
            };
            c(*a).total_cmp(&c(*b))
        })
        .unwrap();
    let (a, b) = (RATE as usize / 2, 3 * RATE as usize);
    let mix = &x[a..b];
    let preview: Vec<f32> = (a..b).map(|i| y[(i as i64 + lag) as usize]).collect();
    let diff: Vec<f32> = mix.iter().zip(&preview).map(|(m, p)| m - p).collect();
    let (mix_lo, mix_hi) = split_power(mix, 15_000.0, 17_500.0);
    let (_, pre_hi) = split_power(&preview, 15_000.0, 17_500.0);
    let (diff_lo, _) = split_power(&diff, 15_000.0, 17_500.0);
    let top = db(pre_hi / mix_hi);
    let null = db(diff_lo / mix_lo);
    println!(
        "lag {lag} samples; above 17.5 kHz the preview keeps {top:.1} dB; below 15 kHz the null is {null:.1} dB"
    );
    assert!(top < -20.0, "LAME low-passes at 128 kbit/s: {top:.1} dB");
    assert!(null < -15.0, "below 15 kHz the preview is the mix: {null:.1} dB");

    // The preview becomes a reference slot like any file.
    let (slot, _) = load_reference(&out, RATE).unwrap();
    assert!(slot.integrated_lufs.is_some());
}

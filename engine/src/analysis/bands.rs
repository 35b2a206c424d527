//! Octave-band levels of the mid and side signals of a whole programme: the
//! long-term tonal balance and the stereo width per band that
//! `mixdesk compare` and the bounce report's per-system section read.
//!
//! Hann-windowed FFTs of [`FFT`] points without overlap; each band sums the
//! power of the bins whose centre lies within it (`[f / sqrt 2, f * sqrt 2)`),
//! scaled so that a band's level is the mean power per sample of the signal
//! within it (Parseval), whatever the sample rate.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use serde::{Deserialize, Serialize};

/// FFT size (5.9 Hz bins at 48 kHz: four bins in the 31.5 Hz octave).
pub const FFT: usize = 8192;

/// Octave band centres, Hz.
pub const BAND_HZ: [f64; 10] = [31.5, 63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0];

/// One band's long-term levels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BandLevel {
    /// Band centre, Hz.
    pub hz: f64,
    /// Mean power of the mid signal `(L + R) / 2` in the band, dB (`None`: silent).
    pub mid_db: Option<f64>,
    /// Mean power of the side signal `(L - R) / 2` in the band, dB (`None`: silent).
    pub side_db: Option<f64>,
}

impl BandLevel {
    /// Mean power of the stereo signal in the band (per channel), dB:
    /// `(L² + R²) / 2 = M² + S²`.
    pub fn total_db(&self) -> Option<f64> {
        let p = |d: Option<f64>| d.map_or(0.0, |d| 10f64.powf(d / 10.0));
        let e = p(self.mid_db) + p(self.side_db);
        (e > 0.0).then(|| 10.0 * e.log10())
    }

    /// Side over mid, dB: the band's stereo width (`None` for mono or silence).
    pub fn width_db(&self) -> Option<f64> {
        Some(self.side_db? - self.mid_db?)
    }
}

/// Measures [`BandLevel`]s block by block.
pub struct BandMeter {
    rate: u32,
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    /// Mid and side samples waiting for a full frame.
    held: [Vec<f32>; 2],
    input: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    /// Summed power per band, mid and side.
    power: [[f64; 10]; 2],
    frames: u64,
    /// Which band each bin adds to.
    band_of: Vec<Option<usize>>,
}

impl std::fmt::Debug for BandMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BandMeter").field("rate", &self.rate).field("frames", &self.frames).finish()
    }
}

impl BandMeter {
    /// A meter for a programme at `rate` Hz.
    pub fn new(rate: u32) -> BandMeter {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FFT);
        let window = (0..FFT)
            .map(|i| (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / FFT as f64).cos()) as f32)
            .collect();
        let band_of = (0..=FFT / 2)
            .map(|k| {
                let f = k as f64 * f64::from(rate) / FFT as f64;
                BAND_HZ
                    .iter()
                    .position(|c| f >= c / std::f64::consts::SQRT_2 && f < c * std::f64::consts::SQRT_2)
            })
            .collect();
        BandMeter {
            rate,
            input: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            fft,
            window,
            held: [Vec::with_capacity(FFT), Vec::with_capacity(FFT)],
            power: [[0.0; 10]; 2],
            frames: 0,
            band_of,
        }
    }

    /// Takes in a stereo block.
    pub fn add(&mut self, l: &[f32], r: &[f32]) {
        for (a, b) in l.iter().zip(r) {
            self.held[0].push(0.5 * (a + b));
            self.held[1].push(0.5 * (a - b));
            if self.held[0].len() == FFT {
                self.frame();
            }
        }
    }

    fn frame(&mut self) {
        for c in 0..2 {
            for ((x, s), w) in self.input.iter_mut().zip(&self.held[c]).zip(&self.window) {
                *x = s * w;
            }
            if self.fft.process(&mut self.input, &mut self.spectrum).is_err() {
                continue;
            }
            for (k, z) in self.spectrum.iter().enumerate() {
                if let Some(b) = self.band_of[k] {
                    // Bins other than DC and Nyquist stand for two (the
                    // negative frequency too).
                    let twice = if k == 0 || k == FFT / 2 { 1.0 } else { 2.0 };
                    self.power[c][b] += twice * f64::from(z.norm_sqr());
                }
            }
            self.held[c].clear();
        }
        self.frames += 1;
    }

    /// The levels (a last partial frame is left out unless it is the only one).
    pub fn finish(mut self) -> Vec<BandLevel> {
        if self.frames == 0 && !self.held[0].is_empty() {
            self.held[0].resize(FFT, 0.0);
            self.held[1].resize(FFT, 0.0);
            self.frame();
        }
        let w2: f64 = self.window.iter().map(|w| f64::from(*w).powi(2)).sum();
        let scale = 1.0 / (FFT as f64 * w2 * self.frames.max(1) as f64);
        let db = |p: f64| (p > 0.0).then(|| 10.0 * (p * scale).log10());
        BAND_HZ
            .iter()
            .enumerate()
            .filter(|(_, hz)| **hz < f64::from(self.rate) / 2.0)
            .map(|(b, hz)| BandLevel { hz: *hz, mid_db: db(self.power[0][b]), side_db: db(self.power[1][b]) })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sine_lands_in_its_band_at_its_power_and_width_reads_side_over_mid() {
        let n = 48_000 * 2;
        let s = |f: f64, a: f64| -> Vec<f32> {
            (0..n).map(|i| (a * (std::f64::consts::TAU * f * i as f64 / 48e3).sin()) as f32).collect()
        };
        // L = 1 kHz at 0.5 plus 250 Hz at 0.2; R = 1 kHz at 0.5 minus 250 Hz at 0.2:
        // mid holds the 1 kHz, side the 250 Hz.
        let (a, b) = (s(1000.0, 0.5), s(250.0, 0.2));
        let l: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        let r: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
        let mut m = BandMeter::new(48_000);
        m.add(&l, &r);
        let bands = m.finish();
        let at = |hz: f64| bands.iter().find(|x| x.hz == hz).unwrap();
        let want_mid = 10.0 * (0.25f64 / 2.0).log10();
        let want_side = 10.0 * (0.04f64 / 2.0).log10();
        assert!((at(1000.0).mid_db.unwrap() - want_mid).abs() < 0.1, "{:?}", at(1000.0));
        assert!((at(250.0).side_db.unwrap() - want_side).abs() < 0.1, "{:?}", at(250.0));
        assert!(at(1000.0).width_db().unwrap() < -60.0 && at(250.0).width_db().unwrap() > 60.0);
    }
}

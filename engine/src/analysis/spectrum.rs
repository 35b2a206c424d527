//! A real-time analyzer: Hann-windowed FFTs (realfft) with 50 % overlap,
//! averaged in power, read out as fractional-octave band levels on a
//! logarithmic frequency axis, with a peak hold.
//!
//! Levels are band energies scaled so that a sine reads its peak level in
//! dBFS (a full-scale sine reads 0 dB in the band that holds it) and pink noise
//! reads flat. Both channels count (their powers are averaged), so a signal
//! cancelling between the channels is not hidden.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use serde::{Deserialize, Serialize};

use super::ballistics::FLOOR_DB;

/// The lowest and highest centre frequencies shown.
pub const RANGE_HZ: (f64, f64) = (20.0, 20_000.0);

/// Display points per octave.
pub const POINTS_PER_OCTAVE: f64 = 24.0;

/// How spectra are averaged over time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Averaging {
    /// Exponential, with this time constant in seconds (live display).
    Exponential(f64),
    /// The mean of everything so far (a long-term spectrum).
    LongTerm,
}

/// One display point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpectrumPoint {
    /// Centre frequency in Hz.
    pub hz: f64,
    /// Band level in dB (a sine reads its peak level).
    pub db: f32,
    /// Highest level since the last peak reset.
    pub peak_db: f32,
}

/// A running spectrum of a stereo signal.
pub struct Spectrum {
    fft: Arc<dyn RealToComplex<f32>>,
    size: usize,
    hop: usize,
    sample_rate: u32,
    window: Vec<f32>,
    /// The last `size` frames per channel, oldest first once full.
    ring: [Vec<f32>; 2],
    at: usize,
    since_hop: usize,
    frames_in: usize,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Averaged power per bin (scaled as band energy).
    power: Vec<f64>,
    /// This transform's power per bin.
    fresh: Vec<f64>,
    /// |X|^2 to band energy: a sine's main lobe sums to its amplitude squared.
    scale: f64,
    transforms: u64,
    averaging: Averaging,
    /// Smoothing width in octaves (1/3, 1/6, ...).
    width: f64,
    centres: Vec<f64>,
    levels: Vec<f32>,
    peaks: Vec<f32>,
    prefix: Vec<f64>,
}

impl std::fmt::Debug for Spectrum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spectrum").field("size", &self.size).field("averaging", &self.averaging).finish()
    }
}

impl Spectrum {
    /// An analyzer at `sample_rate` with an FFT of `size` frames (a power of two
    /// such as 8192), averaging as said, smoothing over `1 / fraction` octave.
    pub fn new(sample_rate: u32, size: usize, averaging: Averaging, fraction: u32) -> Spectrum {
        let size = size.max(64).next_power_of_two();
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(size);
        let window: Vec<f32> = (0..size)
            .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / size as f64).cos()) as f32)
            .collect();
        let nyquist = f64::from(sample_rate) / 2.0;
        let octaves = (RANGE_HZ.1.min(nyquist) / RANGE_HZ.0).log2();
        let points = (octaves * POINTS_PER_OCTAVE).floor() as usize + 1;
        let centres = (0..points).map(|i| RANGE_HZ.0 * 2f64.powf(i as f64 / POINTS_PER_OCTAVE)).collect();
        let bins = size / 2 + 1;
        let sum_w2: f64 = window.iter().map(|w| f64::from(w * w)).sum();
        Spectrum {
            fresh: vec![0.0; bins],
            // Both channels are summed, hence the half.
            scale: 2.0 / sum_w2,
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            size,
            hop: size / 2,
            sample_rate,
            window,
            ring: [vec![0.0; size], vec![0.0; size]],
            at: 0,
            since_hop: 0,
            frames_in: 0,
            power: vec![0.0; bins],
            transforms: 0,
            averaging,
            width: 1.0 / f64::from(fraction.max(1)),
            levels: vec![FLOOR_DB; points],
            peaks: vec![FLOOR_DB; points],
            centres,
            prefix: vec![0.0; bins + 1],
        }
    }

    /// Changes the smoothing to `1 / fraction` octave (1 = octave bands).
    pub fn set_fraction(&mut self, fraction: u32) {
        self.width = 1.0 / f64::from(fraction.max(1));
        self.update_levels();
        self.peaks.copy_from_slice(&self.levels);
    }

    /// Takes in a block of frames; a new transform runs every half FFT.
    pub fn add(&mut self, l: &[f32], r: &[f32]) {
        let n = l.len().min(r.len());
        let mut i = 0;
        while i < n {
            // Up to the next hop or the end of the ring, whichever comes first.
            let take = (self.hop - self.since_hop).min(self.size - self.at).min(n - i);
            self.ring[0][self.at..self.at + take].copy_from_slice(&l[i..i + take]);
            self.ring[1][self.at..self.at + take].copy_from_slice(&r[i..i + take]);
            self.at = (self.at + take) % self.size;
            self.frames_in += take;
            self.since_hop += take;
            i += take;
            if self.since_hop == self.hop {
                self.since_hop = 0;
                if self.frames_in >= self.size {
                    self.transform();
                }
            }
        }
    }

    fn transform(&mut self) {
        let n = self.size;
        self.fresh.fill(0.0);
        for c in 0..2 {
            // The ring oldest first: from `at` to the end, then from the start.
            let (newer, older) = self.ring[c].split_at(self.at);
            let samples = older.iter().chain(newer);
            for ((x, s), w) in self.input.iter_mut().zip(samples).zip(&self.window[..n]) {
                *x = s * w;
            }
            if self.fft.process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch).is_err() {
                return;
            }
            for (p, x) in self.fresh.iter_mut().zip(&self.output) {
                *p += f64::from(x.norm_sqr()) * self.scale;
            }
        }
        self.transforms += 1;
        let k = match self.averaging {
            Averaging::LongTerm => 1.0 / self.transforms as f64,
            Averaging::Exponential(tau) => {
                let hop_s = self.hop as f64 / f64::from(self.sample_rate);
                if self.transforms == 1 { 1.0 } else { 1.0 - (-hop_s / tau.max(1e-3)).exp() }
            }
        };
        for (p, f) in self.power.iter_mut().zip(&self.fresh) {
            *p += k * (f - *p);
        }
        self.update_levels();
        for (pk, l) in self.peaks.iter_mut().zip(&self.levels) {
            *pk = pk.max(*l);
        }
    }

    /// Band energies from the averaged bin powers, with fractional bins at the band edges.
    fn update_levels(&mut self) {
        let n = self.size as f64;
        let bin_hz = f64::from(self.sample_rate) / n;
        self.prefix[0] = 0.0;
        for (i, p) in self.power.iter().enumerate() {
            self.prefix[i + 1] = self.prefix[i] + p / n;
        }
        let last = self.power.len() as f64;
        // Cumulative energy up to frequency f, bins centred on their frequency.
        let cum = |f: f64| -> f64 {
            let x = (f / bin_hz + 0.5).clamp(0.0, last);
            let i = x.floor() as usize;
            let frac = x - i as f64;
            let base = self.prefix[i.min(self.power.len())];
            if i < self.power.len() { base + frac * self.power[i] / n } else { base }
        };
        let half = self.width / 2.0;
        for (lv, &c) in self.levels.iter_mut().zip(&self.centres) {
            let e = cum(c * 2f64.powf(half)) - cum(c * 2f64.powf(-half));
            *lv = if e > 0.0 { ((10.0 * e.log10()) as f32).max(FLOOR_DB) } else { FLOOR_DB };
        }
    }

    /// The display points, 24 per octave from 20 Hz to 20 kHz (or Nyquist).
    pub fn points(&self) -> Vec<SpectrumPoint> {
        self.centres
            .iter()
            .zip(self.levels.iter().zip(&self.peaks))
            .map(|(&hz, (&db, &peak_db))| SpectrumPoint { hz, db, peak_db })
            .collect()
    }

    /// The level of the band centred nearest to `hz`, in dB.
    pub fn level_at(&self, hz: f64) -> f32 {
        let i = ((hz / RANGE_HZ.0).log2() * POINTS_PER_OCTAVE).round().max(0.0) as usize;
        self.levels[i.min(self.levels.len() - 1)]
    }

    /// Transforms run so far.
    pub fn transforms(&self) -> u64 {
        self.transforms
    }

    /// Clears the peak hold.
    pub fn reset_peaks(&mut self) {
        self.peaks.copy_from_slice(&self.levels);
    }
}

//! The measurement behind loudness (ITU-R BS.1770-4): K-weighting, the
//! energy of 10 ms steps, the windows read from them, and the gated
//! integration.
//!
//! K-weighting is two sections per channel, in f64: the pre-filter (a high
//! shelf of about +4 dB above 1.7 kHz, the head's effect) and the RLB
//! high-pass (about 38 Hz). The standard gives their coefficients at 48 kHz;
//! at any rate they are designed by the bilinear transform from the analog
//! prototypes that reproduce those coefficients (the ones libebur128 and the
//! `ebur128` crate use), so the 48 kHz sections are the standard's (tested).
//!
//! The filtered energy is kept per 10 ms step in a ring of 3 s, so the
//! momentary (400 ms) and short-term (3 s) windows are sums of 40 and 300
//! steps, however often they are read. (The `ebur128` crate, used before,
//! re-summed every filtered sample of the window at each reading: read every
//! 10 ms and 50 ms, as Tech 3341's maxima need, that was two thirds of the
//! time of `mixdesk analyze`.)

use std::f64::consts::PI;

/// The shelf's analog prototype: centre frequency (Hz), gain (dB), Q, and
/// the exponent giving the gain at the band edge.
const SHELF: (f64, f64, f64, f64) =
    (1681.974450955533, 3.999843853973347, 0.7071752369554196, 0.4996667741545416);
/// The high-pass's analog prototype: corner (Hz) and Q.
const HIGH_PASS: (f64, f64) = (38.13547087602444, 0.5003270373238773);

/// Loudness of a mean square, LUFS (BS.1770: -0.691 + 10 log10).
pub(crate) fn loudness(energy: f64) -> f64 {
    -0.691 + 10.0 * energy.log10()
}

/// Steps in the longest window (short-term, 3 s).
pub(crate) const RING: usize = 300;

/// One channel's two sections (transposed direct form II state).
#[derive(Debug, Clone, Copy, Default)]
struct State {
    s: [[f64; 2]; 2],
}

/// K-weighting of up to two channels and the energy of the last 3 s in 10 ms steps.
#[derive(Debug, Clone)]
pub(crate) struct KWeighted {
    /// `[section]`: (b0, b1, b2, a1, a2).
    coeffs: [[f64; 5]; 2],
    state: [State; 2],
    /// Sum over the channels of the squared filtered samples of each step, oldest first once full.
    ring: Box<[f64; RING]>,
    at: usize,
    /// The step being filled.
    current: f64,
}

impl KWeighted {
    pub fn new(rate: u32) -> KWeighted {
        KWeighted {
            coeffs: coefficients(f64::from(rate)),
            state: [State::default(); 2],
            ring: Box::new([0.0; RING]),
            at: 0,
            current: 0.0,
        }
    }

    /// Filters one block of each channel (`io.len()` of them, 1 or 2) and
    /// adds their energy to the current step. The channels run in one loop,
    /// so their recursions overlap in the CPU.
    pub fn add(&mut self, io: &[&[f32]]) {
        let [[b0, b1, b2, a1, a2], [d0, d1, d2, e1, e2]] = self.coeffs;
        let section = |v: f64, s: &mut [[f64; 2]; 2]| {
            let y = b0 * v + s[0][0];
            s[0][0] = b1 * v - a1 * y + s[0][1];
            s[0][1] = b2 * v - a2 * y;
            let z = d0 * y + s[1][0];
            s[1][0] = d1 * y - e1 * z + s[1][1];
            s[1][1] = d2 * y - e2 * z;
            z
        };
        match io {
            [m] => {
                let s = &mut self.state[0].s;
                let mut sum = 0.0;
                for &v in *m {
                    let z = section(f64::from(v), s);
                    sum += z * z;
                }
                self.current += sum;
            }
            [l, r] => {
                let [sl, sr] = &mut self.state;
                let (mut a, mut b) = (0.0, 0.0);
                for (&x, &y) in l.iter().zip(r.iter()) {
                    let u = section(f64::from(x), &mut sl.s);
                    let v = section(f64::from(y), &mut sr.s);
                    a += u * u;
                    b += v * v;
                }
                self.current += a + b;
            }
            _ => {}
        }
    }

    /// Ends the current step.
    pub fn close_step(&mut self) {
        self.ring[self.at] = std::mem::take(&mut self.current);
        self.at = (self.at + 1) % RING;
    }

    /// The summed energy of the last `steps` closed steps (at most [`RING`]).
    pub fn sum(&self, steps: usize) -> f64 {
        (1..=steps.min(RING)).map(|i| self.ring[(self.at + RING - i) % RING]).sum()
    }
}

/// The pre-filter's and the high-pass's coefficients at `rate`.
fn coefficients(rate: f64) -> [[f64; 5]; 2] {
    let (f0, gain, q, edge) = SHELF;
    let k = (PI * f0 / rate).tan();
    let vh = 10f64.powf(gain / 20.0);
    let vb = vh.powf(edge);
    let a0 = 1.0 + k / q + k * k;
    let shelf = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ];
    let (f0, q) = HIGH_PASS;
    let k = (PI * f0 / rate).tan();
    let a0 = 1.0 + k / q + k * k;
    let high_pass = [1.0, -2.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0];
    [shelf, high_pass]
}

/// Integrated loudness (BS.1770-4 gating): 400 ms blocks every 100 ms; those
/// under -70 LUFS are dropped, then those more than 10 LU under the mean of
/// the rest; the integrated loudness is the mean of what is left.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gating {
    /// The energies of the blocks over the absolute gate.
    blocks: Vec<f64>,
    /// Their sum.
    total: f64,
}

impl Gating {
    /// Takes in one block's mean square.
    pub fn add(&mut self, energy: f64) {
        if loudness(energy) >= -70.0 {
            self.blocks.push(energy);
            self.total += energy;
        }
    }

    /// LUFS, or minus infinity before a block passed the absolute gate.
    pub fn integrated(&self) -> f64 {
        if self.blocks.is_empty() {
            return f64::NEG_INFINITY;
        }
        let threshold = self.total / self.blocks.len() as f64 * 0.1;
        let (sum, n) =
            self.blocks.iter().filter(|e| **e >= threshold).fold((0.0, 0usize), |(s, n), e| (s + e, n + 1));
        if n == 0 { f64::NEG_INFINITY } else { loudness(sum / n as f64) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At 48 kHz the sections are the ones ITU-R BS.1770-4 tabulates.
    #[test]
    fn the_48k_sections_are_the_standards() {
        let [shelf, hp] = coefficients(48_000.0);
        let want_shelf =
            [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585];
        let want_hp = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];
        for (got, want) in shelf.iter().chain(&hp).zip(want_shelf.iter().chain(&want_hp)) {
            assert!((got - want).abs() < 1e-8, "{got} vs {want}");
        }
    }

    /// A 997 Hz sine at -20 dBFS in one channel reads -20 + 3.01 - 3.01 + K-weighting
    /// (+0.003 dB at 1 kHz): a mono full-scale sine is -3.01 LUFS.
    #[test]
    fn a_full_scale_sine_in_one_channel_reads_minus_three_lufs() {
        let mut k = KWeighted::new(48_000);
        let x: Vec<f32> =
            (0..48_000 * 4).map(|i| (2.0 * PI * 997.0 * i as f64 / 48_000.0).sin() as f32).collect();
        for step in x.chunks(480) {
            k.add(&[step]);
            k.close_step();
        }
        let m = loudness(k.sum(40) / (40.0 * 480.0));
        assert!((m + 3.01).abs() < 0.02, "{m}");
    }

    /// The meter reads what the `ebur128` crate (libebur128's algorithm)
    /// reads on the same programme: a stereo signal whose level moves in
    /// steps, with silences (so both gates act).
    #[test]
    fn momentary_short_term_and_integrated_agree_with_the_ebur128_crate() {
        use crate::analysis::LoudnessMeter;
        let rate = 48_000;
        let mut seed = 5u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 40) as f64 / (1u64 << 24) as f64 - 0.5
        };
        let n = rate as usize * 20;
        let level = |i: usize| [0.5, 0.05, 0.0, 0.3, 0.001, 0.8, 0.2][(i / (rate as usize * 3)) % 7];
        let l: Vec<f32> = (0..n).map(|i| (level(i) * (next() + (i as f64 * 0.05).sin())) as f32).collect();
        let r: Vec<f32> = (0..n).map(|i| (level(i) * (next() - (i as f64 * 0.031).sin())) as f32).collect();
        let mut meter = LoudnessMeter::new(rate);
        let mut ebu =
            ebur128::EbuR128::new(2, rate, ebur128::Mode::M | ebur128::Mode::S | ebur128::Mode::I).unwrap();
        for (a, b) in l.chunks(4800).zip(r.chunks(4800)) {
            meter.add(a, b);
            ebu.add_frames_planar_f32(&[a, b]).unwrap();
        }
        let got = meter.reading();
        let close = |what: &str, a: Option<f64>, b: f64| {
            let a = a.unwrap_or_else(|| panic!("{what}: no reading"));
            assert!((a - b).abs() < 1e-6, "{what}: {a} vs {b}");
        };
        close("momentary", got.momentary, ebu.loudness_momentary().unwrap());
        close("short-term", got.short_term, ebu.loudness_shortterm().unwrap());
        close("integrated", got.integrated, ebu.loudness_global().unwrap());
    }
}

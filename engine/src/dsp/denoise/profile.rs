//! The de-noiser's noise profile: the noise's power spectrum in [`BANDS`]
//! bands, learned from a stretch of noise alone and saved in the session as
//! the processor's learned parameters `noise_01` to `noise_32`.
//!
//! Band `i` is centred at `40 Hz * 500^(i/31)` (40 Hz to 20 kHz, about a
//! third of an octave apart) and reaches half way (geometrically) to its
//! neighbours. Its value is the mean power per analysis bin of the noise in
//! the band, in dB, scaled so that white noise of RMS level `L` dBFS reads
//! `L` in every band (the power `|X_k|^2` of the windowed FFT divided by
//! the window's energy). A band the analysis has no bin in (the lowest ones)
//! takes the bin nearest its centre. Between centres the profile is
//! interpolated in dB on a log-frequency scale, flat beyond the ends.
//! [`FLOOR_DB`] everywhere means nothing has been learned.

use super::stft::Analysis;

/// Bands in a profile.
pub const BANDS: usize = 32;

/// The value of a band with nothing learned (and the lowest a band holds), dB.
pub const FLOOR_DB: f64 = -160.0;

/// The centre of band `i`, Hz.
pub fn centre(i: usize) -> f64 {
    40.0 * 500f64.powf(i as f64 / (BANDS - 1) as f64)
}

/// A learned profile: dB per band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseProfile(pub [f64; BANDS]);

impl NoiseProfile {
    /// Nothing learned.
    pub const EMPTY: NoiseProfile = NoiseProfile([FLOOR_DB; BANDS]);

    /// Whether anything has been learned.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|v| *v <= FLOOR_DB)
    }

    /// The profile's value (dB) at `freq` Hz.
    pub fn at(&self, freq: f64) -> f64 {
        if freq <= centre(0) {
            return self.0[0];
        }
        let pos = (freq / centre(0)).ln() / 500f64.ln() * (BANDS - 1) as f64;
        if pos >= (BANDS - 1) as f64 {
            return self.0[BANDS - 1];
        }
        let i = pos as usize;
        let t = pos - i as f64;
        self.0[i] + t * (self.0[i + 1] - self.0[i])
    }

    /// The profile of the mean power spectrum `power` (per bin, already
    /// divided by the window's energy) of an analysis at `rate` with bins
    /// `rate / size` apart.
    pub fn from_power(power: &[f64], rate: f64, size: usize) -> NoiseProfile {
        let df = rate / size as f64;
        let mut out = [FLOOR_DB; BANDS];
        for (i, v) in out.iter_mut().enumerate() {
            let lo = if i == 0 { 0.0 } else { (centre(i - 1) * centre(i)).sqrt() };
            let hi = if i + 1 == BANDS { rate } else { (centre(i) * centre(i + 1)).sqrt() };
            let bins = power.iter().enumerate().filter(|(k, _)| {
                let f = *k as f64 * df;
                f >= lo && f < hi
            });
            let (sum, n) = bins.fold((0.0, 0usize), |(s, n), (_, p)| (s + p, n + 1));
            let mean = if n > 0 {
                sum / n as f64
            } else {
                let k = ((centre(i) / df).round() as usize).min(power.len().saturating_sub(1));
                power.get(k).copied().unwrap_or(0.0)
            };
            *v = (10.0 * mean.max(1e-30).log10()).clamp(FLOOR_DB, 0.0);
        }
        NoiseProfile(out)
    }
}

/// Learns the profile of the noise in `channels` (1 or 2 channels of equal
/// length, at `rate`): the mean power spectrum of every analysis frame that
/// fits (the channels' powers averaged), as the de-noiser analyses it.
/// `None` when the audio is shorter than one frame or silent.
pub fn learn(channels: &[&[f32]], rate: u32) -> Option<NoiseProfile> {
    let mut analysis = Analysis::new();
    let size = analysis.size();
    let len = channels.iter().map(|c| c.len()).min()?;
    let mut power = vec![0.0f64; size / 2 + 1];
    let mut frames = 0usize;
    let mut start = 0;
    while start + size <= len {
        for c in channels {
            analysis.add_power(&c[start..start + size], 1.0 / channels.len() as f64, &mut power);
        }
        frames += 1;
        start += analysis.hop();
    }
    if frames == 0 {
        return None;
    }
    power.iter_mut().for_each(|p| *p /= frames as f64);
    if power.iter().all(|p| *p == 0.0) {
        return None;
    }
    Some(NoiseProfile::from_power(&power, f64::from(rate), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_run_from_40_hz_to_20_khz() {
        assert!((centre(0) - 40.0).abs() < 1e-9);
        assert!((centre(BANDS - 1) - 20_000.0).abs() < 1e-6);
    }

    #[test]
    fn white_noise_reads_its_level_in_every_band() {
        // Uniform noise in [-a, a] has RMS a / sqrt 3.
        let mut x = 0x1234_5678u32;
        let a = 0.1f32;
        let noise: Vec<f32> = (0..48_000 * 4)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x as f32 / u32::MAX as f32 * 2.0 - 1.0) * a
            })
            .collect();
        let level = 20.0 * (f64::from(a) / 3f64.sqrt()).log10();
        let p = learn(&[&noise], 48_000).expect("a profile");
        // Bands with few bins scatter more: within 1.5 dB (one bin) to 0.3 dB (many).
        for (i, v) in p.0.iter().enumerate() {
            let tolerance = if centre(i) < 300.0 { 1.5 } else { 0.3 };
            assert!(
                (v - level).abs() < tolerance,
                "band {i} ({:.0} Hz): {v:.2} dB, want {level:.2}",
                centre(i)
            );
        }
        assert!((p.at(1000.0) - level).abs() < 0.3);
        assert!(learn(&[&noise[..100]], 48_000).is_none());
    }
}

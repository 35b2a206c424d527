//! Loudness of a stereo programme as EBU R 128 defines it (ITU-R BS.1770-4
//! K-weighting and gating): momentary (400 ms), short-term (3 s) and
//! integrated loudness from the K-weighted energy of 10 ms steps
//! ([`super::kweight`]); the loudness range (EBU Tech 3342) from short-term
//! values taken ten times a second ([`super::range`]); the maximum true peak
//! by the project's one true-peak measure ([`super::true_peak`]); phase
//! correlation, balance and a history of momentary and short-term loudness
//! every 100 ms.
//!
//! The meter steps in hundredths of a second (rounded down to whole samples at
//! rates that are not a multiple of 100 Hz).

use serde::{Deserialize, Serialize};

use super::kweight::{Gating, KWeighted, loudness};
use super::range::LoudnessRange;
use super::stereo::StereoMeter;
use super::true_peak::TruePeak;

/// One point of the loudness history: the highest readings of its 100 ms, so a
/// burst shorter than the spacing is not missed (momentary is read every 10 ms,
/// short-term every 50 ms).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoudnessPoint {
    /// Seconds since the meter started (or was reset).
    pub seconds: f64,
    /// Momentary loudness in LUFS (`None` in silence).
    pub momentary: Option<f64>,
    /// Short-term loudness in LUFS (`None` in silence).
    pub short_term: Option<f64>,
}

/// The meter's readings now.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LoudnessReading {
    /// Momentary loudness (last 400 ms), LUFS.
    pub momentary: Option<f64>,
    /// Short-term loudness (last 3 s), LUFS.
    pub short_term: Option<f64>,
    /// Integrated (gated) loudness so far, LUFS.
    pub integrated: Option<f64>,
    /// Loudness range so far, LU.
    pub range: Option<f64>,
    /// Highest momentary loudness so far, LUFS.
    pub max_momentary: Option<f64>,
    /// Highest short-term loudness so far, LUFS.
    pub max_short_term: Option<f64>,
    /// Highest true peak so far over both channels, dBTP.
    pub true_peak: Option<f64>,
    /// Correlation over the last 400 ms.
    pub correlation: Option<f64>,
    /// Balance over the last 400 ms in dB (positive leans left).
    pub balance_db: Option<f64>,
}

/// `Some(x)` for finite `x`, `None` for silence's minus infinity (or any NaN).
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A running EBU R 128 meter for a stereo signal.
#[derive(Debug)]
pub struct LoudnessMeter {
    channels: usize,
    weighted: KWeighted,
    gating: Gating,
    sample_rate: u32,
    step: usize,
    filled: usize,
    steps: u64,
    history: Vec<LoudnessPoint>,
    max_momentary: f64,
    max_short_term: f64,
    /// The highest momentary and short-term readings since the last history point.
    point_max: (f64, f64),
    stereo: StereoMeter,
    range: LoudnessRange,
    true_peak: [TruePeak; 2],
    /// Highest true peak so far over the channels (linear).
    true_peak_max: f32,
}

impl LoudnessMeter {
    /// A meter for stereo audio at `sample_rate` (8 kHz to 384 kHz).
    pub fn new(sample_rate: u32) -> LoudnessMeter {
        LoudnessMeter::with_channels(sample_rate, 2)
    }

    /// A meter for mono (1) or stereo (2) audio. A mono programme is measured
    /// as one channel (BS.1770), not as the same signal in two.
    pub fn with_channels(sample_rate: u32, channels: usize) -> LoudnessMeter {
        let channels = channels.clamp(1, 2);
        LoudnessMeter {
            channels,
            weighted: KWeighted::new(sample_rate),
            gating: Gating::default(),
            sample_rate,
            step: (sample_rate / 100).max(1) as usize,
            filled: 0,
            steps: 0,
            history: Vec::new(),
            max_momentary: f64::NEG_INFINITY,
            max_short_term: f64::NEG_INFINITY,
            point_max: (f64::NEG_INFINITY, f64::NEG_INFINITY),
            stereo: StereoMeter::new(sample_rate),
            range: LoudnessRange::new(),
            true_peak: [TruePeak::new(), TruePeak::new()],
            true_peak_max: 0.0,
        }
    }

    /// The rate the meter measures at.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Takes in a block of frames (any length). A mono meter reads only `l`.
    ///
    /// The maxima are sampled finely enough for EBU Tech 3341's file-based
    /// cases (momentary every 10 ms, short-term every 50 ms, so a misaligned
    /// window costs at most 0.06 dB); the history keeps a point every 100 ms.
    pub fn add(&mut self, l: &[f32], r: &[f32]) {
        let n = l.len().min(r.len());
        self.stereo.add(&l[..n], &r[..n]);
        for (tp, x) in self.true_peak.iter_mut().zip([&l[..n], &r[..n]]).take(self.channels) {
            self.true_peak_max = self.true_peak_max.max(tp.process(x));
        }
        crate::denormal::without_denormals(|| {
            let mut at = 0;
            while at < n {
                let take = (self.step - self.filled).min(n - at);
                let block = [&l[at..at + take], &r[at..at + take]];
                self.weighted.add(&block[..self.channels]);
                self.filled += take;
                at += take;
                if self.filled == self.step {
                    self.filled = 0;
                    self.close_step();
                }
            }
        });
    }

    /// The loudness of the last `steps` 10 ms steps, LUFS (minus infinity in silence).
    fn window(&self, steps: usize) -> f64 {
        loudness(self.weighted.sum(steps) / (steps * self.step) as f64)
    }

    /// Every 10 ms: update the maxima; every 100 ms record the history and
    /// feed the loudness range a short-term value (once 3 s have passed).
    fn close_step(&mut self) {
        self.weighted.close_step();
        self.steps += 1;
        // Momentary needs 400 ms and short-term 3 s of signal before they mean anything.
        let m = if self.steps >= 40 { self.window(40) } else { f64::NEG_INFINITY };
        self.max_momentary = self.max_momentary.max(m);
        self.point_max.0 = self.point_max.0.max(m);
        if self.steps.is_multiple_of(10) && self.steps >= 40 {
            // A gating block: the 400 ms just ended, every 100 ms.
            self.gating.add(self.weighted.sum(40) / (40 * self.step) as f64);
        }
        if self.steps.is_multiple_of(5) && self.steps >= 300 {
            let s = self.window(300);
            self.max_short_term = self.max_short_term.max(s);
            self.point_max.1 = self.point_max.1.max(s);
        }
        if self.steps.is_multiple_of(10) && self.steps >= 300 {
            self.range.add(self.window(300));
        }
        if self.steps.is_multiple_of(10) {
            let (m, s) = std::mem::replace(&mut self.point_max, (f64::NEG_INFINITY, f64::NEG_INFINITY));
            self.history.push(LoudnessPoint {
                seconds: self.steps as f64 * 0.01,
                momentary: finite(m),
                short_term: finite(s),
            });
        }
    }

    /// The readings now.
    pub fn reading(&self) -> LoudnessReading {
        let tp = f64::from(self.true_peak_max);
        LoudnessReading {
            momentary: finite(self.window(40)),
            short_term: finite(self.window(300)),
            integrated: finite(self.gating.integrated()),
            range: self.range.range(),
            max_momentary: finite(self.max_momentary),
            max_short_term: finite(self.max_short_term),
            true_peak: (tp > 0.0).then(|| 20.0 * tp.log10()),
            correlation: self.stereo.correlation(),
            balance_db: self.stereo.balance_db(),
        }
    }

    /// Momentary and short-term loudness every 100 ms since the start or the last reset.
    pub fn history(&self) -> &[LoudnessPoint] {
        &self.history
    }

    /// The correlation and balance meter.
    pub fn stereo(&self) -> &StereoMeter {
        &self.stereo
    }

    /// Starts measuring afresh (integrated, range, maxima and history).
    pub fn reset(&mut self) {
        *self = LoudnessMeter::with_channels(self.sample_rate, self.channels);
    }
}

//! Strip meters on the audio thread: per-channel sample peak and sum of
//! squares (cheap), and true peak where the strip asks for it, measured
//! pre- or post-fader. The GUI finishes them ([`crate::analysis::MeterDisplay`]).

use crate::analysis::MeterReading;
use crate::analysis::true_peak::TruePeak;
use crate::session::{MeterOptions, MeterPoint};

/// The level of a strip over some blocks: per channel peak and mean square.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Meter {
    /// Largest absolute sample per channel.
    pub peak: [f32; 2],
    /// Sum of squared samples per channel.
    pub sum_sq: [f32; 2],
    /// Frames measured.
    pub frames: u32,
    /// Largest true peak per channel, where the strip measures it.
    pub true_peak: Option<[f32; 2]>,
}

impl Meter {
    /// The reading to send to the GUI.
    pub fn reading(&self) -> MeterReading {
        let n = self.frames.max(1) as f32;
        MeterReading {
            peak: self.peak,
            mean_square: [self.sum_sq[0] / n, self.sum_sq[1] / n],
            frames: self.frames,
            true_peak: self.true_peak,
        }
    }
}

/// One strip's meter: its options, the true-peak detectors' state and the reading so far.
#[derive(Debug, Clone)]
pub(crate) struct StripMeter {
    point: MeterPoint,
    true_peak: bool,
    detectors: [TruePeak; 2],
    acc: Meter,
}

impl StripMeter {
    /// A meter with `options`; `always_true_peak` for the master.
    pub fn new(options: MeterOptions, always_true_peak: bool) -> StripMeter {
        StripMeter {
            point: options.point,
            true_peak: options.true_peak || always_true_peak,
            detectors: [TruePeak::new(), TruePeak::new()],
            acc: Meter::default(),
        }
    }

    /// Changes the options. Realtime-safe.
    pub fn set_options(&mut self, options: MeterOptions, always_true_peak: bool) {
        if self.point != options.point {
            for d in &mut self.detectors {
                d.reset();
            }
        }
        self.point = options.point;
        self.true_peak = options.true_peak || always_true_peak;
        self.acc = Meter::default();
    }

    /// Measures a block: `pre` is the signal before the fader, still to be
    /// multiplied by `pre_gain`; `out` is the strip's output. Returns whether
    /// `out` is free of NaN and infinities. Realtime-safe.
    pub fn measure(&mut self, pre: [&[f32]; 2], pre_gain: f32, out: [&[f32]; 2]) -> bool {
        let (bufs, g) = match self.point {
            MeterPoint::PostFader => (out, 1.0),
            MeterPoint::PreFader => (pre, pre_gain.abs()),
        };
        let mut finite = true;
        let mut tp = [0.0f32; 2];
        for (c, buf) in bufs.into_iter().enumerate() {
            let (mut peak, mut sq) = (0.0f32, 0.0f32);
            for &x in buf {
                peak = peak.max(x.abs());
                sq += x * x;
            }
            finite &= sq.is_finite();
            self.acc.peak[c] = self.acc.peak[c].max(peak * g);
            self.acc.sum_sq[c] += sq * g * g;
            if self.true_peak {
                tp[c] = self.detectors[c].process(buf) * g;
            }
        }
        if self.true_peak {
            let old = self.acc.true_peak.unwrap_or([0.0; 2]);
            self.acc.true_peak = Some([old[0].max(tp[0]), old[1].max(tp[1])]);
        }
        self.acc.frames += out[0].len() as u32;
        if self.point == MeterPoint::PreFader {
            finite = out.iter().all(|b| all_finite(b));
        }
        finite
    }

    /// Hands over the reading so far and starts afresh. Realtime-safe.
    pub fn take(&mut self) -> Meter {
        std::mem::take(&mut self.acc)
    }
}

/// Whether every sample is finite (x * 0 is NaN exactly for NaN and infinities).
fn all_finite(buf: &[f32]) -> bool {
    buf.iter().fold(0.0f32, |a, x| a + x * 0.0) == 0.0
}

//! The display side of a strip meter: peak fall-back, peak hold, a windowed
//! RMS and the clip latch, finished on the GUI's side from the cheap per-period
//! readings the audio thread sends ([`MeterReading`]).
//!
//! The documented behaviour (defaults of [`Ballistics`]):
//! - The peak bar rises at once and falls back at 20 dB per 1.7 s (IEC 60268-18's
//!   return time for digital peak meters, 11.76 dB/s).
//! - The hold marker shows the highest peak for 2 s, then falls at the same rate
//!   (never below the bar).
//! - RMS is the root mean square over the last 300 ms of readings.
//! - The clip indicator latches when a sample exceeds full scale (above 0 dBFS,
//!   the level an integer file cannot hold) and stays lit until
//!   [`MeterDisplay::reset_clip`] (a click on it).
//! - The true peak, where the strip measures it, is the highest since the last reset.

use std::collections::VecDeque;

/// The lowest level a meter shows, in dB (silence reads this).
pub const FLOOR_DB: f32 = -120.0;

/// One metering period's measurement of a strip, as the audio thread sends it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MeterReading {
    /// Largest absolute sample per channel.
    pub peak: [f32; 2],
    /// Mean of the squared samples per channel.
    pub mean_square: [f32; 2],
    /// Frames the reading covers.
    pub frames: u32,
    /// True peak per channel (4x oversampled, BS.1770-4), where the strip measures it.
    pub true_peak: Option<[f32; 2]>,
}

/// How a meter's display moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ballistics {
    /// Seconds the hold marker stays at a peak.
    pub hold_seconds: f32,
    /// How fast the bar and the expired hold marker fall, in dB per second.
    pub fall_db_per_second: f32,
    /// The RMS integration window in seconds.
    pub rms_seconds: f32,
}

impl Default for Ballistics {
    fn default() -> Ballistics {
        Ballistics { hold_seconds: 2.0, fall_db_per_second: 20.0 / 1.7, rms_seconds: 0.3 }
    }
}

/// Linear amplitude to dB, [`FLOOR_DB`] for silence.
pub fn amp_db(x: f32) -> f32 {
    if x > 0.0 { (20.0 * x.log10()).max(FLOOR_DB) } else { FLOOR_DB }
}

/// What a stereo strip meter shows, updated from readings.
#[derive(Debug, Clone)]
pub struct MeterDisplay {
    ballistics: Ballistics,
    sample_rate: u32,
    peak_db: [f32; 2],
    hold_db: [f32; 2],
    hold_left: [f32; 2],
    /// Recent readings for the RMS window: (frames, sum of squares per channel).
    window: VecDeque<(u32, [f64; 2])>,
    window_frames: u64,
    true_peak_db: Option<[f32; 2]>,
    clipped: bool,
}

impl MeterDisplay {
    /// A silent meter at the engine's `sample_rate` with the default ballistics.
    pub fn new(sample_rate: u32) -> MeterDisplay {
        MeterDisplay::with_ballistics(sample_rate, Ballistics::default())
    }

    /// A silent meter with chosen ballistics.
    pub fn with_ballistics(sample_rate: u32, ballistics: Ballistics) -> MeterDisplay {
        MeterDisplay {
            ballistics,
            sample_rate: sample_rate.max(1),
            peak_db: [FLOOR_DB; 2],
            hold_db: [FLOOR_DB; 2],
            hold_left: [0.0; 2],
            window: VecDeque::new(),
            window_frames: 0,
            true_peak_db: None,
            clipped: false,
        }
    }

    /// Takes in the next reading; time advances by its length.
    pub fn update(&mut self, r: &MeterReading) {
        let dt = r.frames as f32 / self.sample_rate as f32;
        let b = self.ballistics;
        let fall = b.fall_db_per_second * dt;
        for c in 0..2 {
            let p = amp_db(r.peak[c]);
            self.peak_db[c] = p.max(self.peak_db[c] - fall).max(FLOOR_DB);
            if p >= self.hold_db[c] {
                self.hold_db[c] = p;
                self.hold_left[c] = b.hold_seconds;
            } else if self.hold_left[c] > dt {
                self.hold_left[c] -= dt;
            } else {
                // The hold ran out during this reading: fall for the rest of it.
                let falling = dt - self.hold_left[c].max(0.0);
                self.hold_left[c] = 0.0;
                self.hold_db[c] = (self.hold_db[c] - b.fall_db_per_second * falling).max(self.peak_db[c]);
            }
            if r.peak[c] > 1.0 {
                self.clipped = true;
            }
        }
        let n = f64::from(r.frames);
        self.window.push_back((r.frames, [f64::from(r.mean_square[0]) * n, f64::from(r.mean_square[1]) * n]));
        self.window_frames += u64::from(r.frames);
        let keep = (f64::from(b.rms_seconds) * f64::from(self.sample_rate)).round() as u64;
        while let Some(&(f, _)) = self.window.front() {
            if self.window_frames - u64::from(f) >= keep.max(1) {
                self.window_frames -= u64::from(f);
                self.window.pop_front();
            } else {
                break;
            }
        }
        if let Some(tp) = r.true_peak {
            let old = self.true_peak_db.unwrap_or([FLOOR_DB; 2]);
            self.true_peak_db = Some([old[0].max(amp_db(tp[0])), old[1].max(amp_db(tp[1]))]);
        }
    }

    /// The peak bar per channel, in dBFS.
    pub fn peak_db(&self) -> [f32; 2] {
        self.peak_db
    }

    /// The hold marker per channel, in dBFS.
    pub fn hold_db(&self) -> [f32; 2] {
        self.hold_db
    }

    /// RMS over the window per channel, in dBFS (a full-scale sine reads -3.01).
    pub fn rms_db(&self) -> [f32; 2] {
        let n = self.window_frames.max(1) as f64;
        let mut out = [FLOOR_DB; 2];
        for (c, o) in out.iter_mut().enumerate() {
            let ms = self.window.iter().map(|(_, s)| s[c]).sum::<f64>() / n;
            *o = if ms > 0.0 { ((10.0 * ms.log10()) as f32).max(FLOOR_DB) } else { FLOOR_DB };
        }
        out
    }

    /// The highest true peak per channel since the last reset, if the strip measures it.
    pub fn true_peak_db(&self) -> Option<[f32; 2]> {
        self.true_peak_db
    }

    /// Whether a sample has exceeded full scale since the last reset.
    pub fn clipped(&self) -> bool {
        self.clipped
    }

    /// Clears the clip latch and the true-peak maximum (a click on the indicator).
    pub fn reset_clip(&mut self) {
        self.clipped = false;
        self.true_peak_db = self.true_peak_db.map(|_| [FLOOR_DB; 2]);
    }
}

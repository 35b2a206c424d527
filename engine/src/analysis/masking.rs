//! Masking hints: where two tracks compete in the same band at the same time.
//!
//! The rule, per 1/3-octave band ([`THIRD_OCTAVE_HZ`], 25 Hz to 16 kHz) and
//! per short window (a Hann-windowed frame of [`FRAME`] samples, 171 ms at
//! 48 kHz, without overlap), on each track's mid signal `(L + R) / 2` after
//! its fader:
//!
//! - a band is **strong** in a track when its level is within
//!   [`STRONG_DB`] of that track's loudest band in the same window and above
//!   [`FLOOR_DB`];
//! - the two tracks **collide** in the band in that window when it is strong
//!   in both and their levels are within [`CLOSE_DB`] of each other;
//! - the band is **flagged** when they collide in at least [`MIN_SHARE`] of
//!   the windows in which both tracks play (each above [`FLOOR_DB`] overall).
//!
//! The window's live overlay judges the instant (the live spectra's last
//! 0.3 s) with the same strong/close rule ([`collisions`]).

use std::path::Path;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use serde::Serialize;

use crate::bounce::{BounceError, prepare};
use crate::graph::Serial;
use crate::media::MediaPool;
use crate::session::{Session, TrackId};

/// 1/3-octave band centres (ISO nominal), Hz; the bands' edges are the exact
/// centres `1000 * 2^(k/3)` times `2^(±1/6)`.
pub const THIRD_OCTAVE_HZ: [f64; 29] = [
    25.0, 31.5, 40.0, 50.0, 63.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0, 315.0, 400.0, 500.0, 630.0, 800.0,
    1000.0, 1250.0, 1600.0, 2000.0, 2500.0, 3150.0, 4000.0, 5000.0, 6300.0, 8000.0, 10000.0, 12500.0,
    16000.0,
];
/// Bands.
pub const BANDS: usize = THIRD_OCTAVE_HZ.len();
/// Samples per window.
pub const FRAME: usize = 8192;
/// A band is strong within this many dB of the track's loudest band.
pub const STRONG_DB: f64 = 10.0;
/// Two strong bands collide within this many dB of each other.
pub const CLOSE_DB: f64 = 6.0;
/// Below this (mean power per sample in the band, dBFS) a band is silence.
pub const FLOOR_DB: f64 = -70.0;
/// A band is flagged when the tracks collide in this share of the windows
/// in which both play.
pub const MIN_SHARE: f64 = 0.25;

/// The exact centre of band `k`, Hz.
fn centre(k: usize) -> f64 {
    1000.0 * 2f64.powf((k as f64 - 16.0) / 3.0)
}

/// Which bands collide, given two tracks' band levels in dB (`None`: silent).
pub fn collisions(a: &[Option<f64>; BANDS], b: &[Option<f64>; BANDS]) -> [bool; BANDS] {
    let top = |x: &[Option<f64>; BANDS]| x.iter().flatten().copied().fold(f64::NEG_INFINITY, f64::max);
    let (ta, tb) = (top(a), top(b));
    let mut out = [false; BANDS];
    for k in 0..BANDS {
        if let (Some(x), Some(y)) = (a[k], b[k]) {
            out[k] = x >= ta - STRONG_DB && y >= tb - STRONG_DB && (x - y).abs() <= CLOSE_DB;
        }
    }
    out
}

/// The edges of band `k`, Hz.
pub fn band_edges(k: usize) -> (f64, f64) {
    let edge = 2f64.powf(1.0 / 6.0);
    (centre(k) / edge, centre(k) * edge)
}

/// A live spectrum's points (Hz, dB) summed into 1/3-octave bands, dB
/// (`None` where every point is under `floor_db`): for the window's overlay,
/// which judges the instant with [`collisions`].
pub fn band_levels(points: impl IntoIterator<Item = (f64, f32)>, floor_db: f32) -> [Option<f64>; BANDS] {
    let mut power = [0.0f64; BANDS];
    for (hz, db) in points.into_iter().filter(|(_, db)| *db > floor_db) {
        if let Some(k) = (0..BANDS).find(|&k| {
            let (lo, hi) = band_edges(k);
            hz >= lo && hz < hi
        }) {
            power[k] += 10f64.powf(f64::from(db) / 10.0);
        }
    }
    power.map(|p| (p > 0.0).then(|| 10.0 * p.log10()))
}

/// One flagged band of a pair of tracks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MaskingHint {
    /// Band centre (nominal), Hz.
    pub hz: f64,
    /// Share of the windows in which both play where they collide there.
    pub share: f64,
}

/// Judges two tracks window by window.
pub struct MaskingMeter {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    held: [Vec<f32>; 2],
    input: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    band_of: Vec<Option<usize>>,
    collided: [u32; BANDS],
    both: u32,
}

impl std::fmt::Debug for MaskingMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaskingMeter").field("both", &self.both).finish()
    }
}

impl MaskingMeter {
    /// A meter for two tracks at `rate` Hz.
    pub fn new(rate: u32) -> MaskingMeter {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FRAME);
        let window = (0..FRAME)
            .map(|i| (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / FRAME as f64).cos()) as f32)
            .collect();
        let band_of = (0..=FRAME / 2)
            .map(|i| {
                let f = i as f64 * f64::from(rate) / FRAME as f64;
                (0..BANDS).find(|&k| {
                    let (lo, hi) = band_edges(k);
                    f >= lo && f < hi
                })
            })
            .collect();
        MaskingMeter {
            input: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            fft,
            window,
            held: [Vec::with_capacity(FRAME), Vec::with_capacity(FRAME)],
            band_of,
            collided: [0; BANDS],
            both: 0,
        }
    }

    /// Takes in a block of each track's stereo output (equal lengths).
    pub fn add(&mut self, a: [&[f32]; 2], b: [&[f32]; 2]) {
        let n = a[0].len();
        let mut done = 0;
        while done < n {
            let k = (FRAME - self.held[0].len()).min(n - done);
            for (held, [l, r]) in self.held.iter_mut().zip([a, b]) {
                held.extend(l[done..done + k].iter().zip(&r[done..done + k]).map(|(x, y)| 0.5 * (x + y)));
            }
            done += k;
            if self.held[0].len() == FRAME {
                self.judge();
            }
        }
    }

    /// Band levels of one held frame, dB (`None` under the floor), and
    /// whether the frame as a whole is above the floor.
    fn levels(&mut self, which: usize) -> ([Option<f64>; BANDS], bool) {
        for ((i, x), w) in self.input.iter_mut().zip(&self.held[which]).zip(&self.window) {
            *i = x * w;
        }
        let _ = self.fft.process(&mut self.input, &mut self.spectrum);
        // Parseval with the Hann window's mean square (3/8): mean power per sample.
        let scale = 2.0 / (FRAME as f64 * FRAME as f64 * 0.375);
        let mut power = [0.0f64; BANDS];
        let mut total = 0.0;
        for (c, band) in self.spectrum.iter().zip(&self.band_of) {
            let p = f64::from(c.norm_sqr()) * scale;
            total += p;
            if let Some(k) = band {
                power[*k] += p;
            }
        }
        let db = |p: f64| (p > 0.0).then(|| 10.0 * p.log10()).filter(|d| *d > FLOOR_DB);
        (power.map(db), db(total).is_some())
    }

    fn judge(&mut self) {
        let (a, loud_a) = self.levels(0);
        let (b, loud_b) = self.levels(1);
        self.held.iter_mut().for_each(Vec::clear);
        if !(loud_a && loud_b) {
            return;
        }
        self.both += 1;
        for (n, hit) in self.collided.iter_mut().zip(collisions(&a, &b)) {
            *n += u32::from(hit);
        }
    }

    /// The flagged bands, low to high.
    pub fn hints(&self) -> Vec<MaskingHint> {
        if self.both == 0 {
            return Vec::new();
        }
        let both = f64::from(self.both);
        THIRD_OCTAVE_HZ
            .iter()
            .zip(self.collided)
            .map(|(hz, n)| MaskingHint { hz: *hz, share: f64::from(n) / both })
            .filter(|h| h.share >= MIN_SHARE)
            .collect()
    }
}

/// Renders `session` (media relative to `dir`) from the start to the end of
/// its last clip and judges tracks `a` and `b` after their faders.
pub fn session_masking(
    session: &Session,
    dir: &Path,
    a: TrackId,
    b: TrackId,
) -> Result<Vec<MaskingHint>, BounceError> {
    let pool = MediaPool::new();
    let mut graph = prepare(session, dir, &pool, 4096)?;
    let ids = graph.track_ids();
    let index = |t: TrackId| ids.iter().position(|x| *x == t);
    let (Some(ia), Some(ib)) = (index(a), index(b)) else { return Ok(Vec::new()) };
    graph.set_track_outputs(true);
    let mut meter = MaskingMeter::new(session.sample_rate);
    let end = session.content_end().0;
    let (mut l, mut r) = (vec![0.0; 4096], vec![0.0; 4096]);
    graph.prime(0);
    let mut pos = 0;
    while pos < end {
        let n = (end - pos).min(4096) as usize;
        graph.process(pos, &mut l[..n], &mut r[..n], &Serial);
        meter.add(graph.track_output(ia, n), graph.track_output(ib, n));
        pos += n as u64;
    }
    Ok(meter.hints())
}

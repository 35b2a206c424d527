//! Live analysis fed from the audio thread: the audio thread copies the master
//! output (always) and up to [`TAP_SLOTS`] strips' outputs into lock-free rtrb
//! rings ([`TapWriter`]); the engine's analysis thread drains them into the
//! loudness meter (with the correlation), the goniometer and the spectra
//! ([`LiveAnalysis`]), which the app reads.
//! When a ring is full (nothing drained it) the audio thread drops the block
//! and counts it.

use rtrb::{Consumer, Producer, RingBuffer};

use super::loudness::LoudnessMeter;
use super::scope::Goniometer;
use super::spectrum::{Averaging, Spectrum};
use crate::graph::Graph;
use crate::session::StripRef;

/// Strip taps besides the master's.
pub const TAP_SLOTS: usize = 4;

/// Seconds of audio each ring holds.
const RING_SECONDS: u32 = 2;

/// FFT size of the live spectra.
const LIVE_FFT: usize = 8192;

/// Time constant of the live spectra's averaging, seconds.
const LIVE_AVERAGING: f64 = 0.3;

/// The audio thread's end of the taps.
#[derive(Debug)]
pub(crate) struct TapWriter {
    master: Producer<f32>,
    strips: [Producer<f32>; TAP_SLOTS],
    sources: [Option<StripRef>; TAP_SLOTS],
    /// Blocks dropped because a ring was full.
    pub dropped: u64,
}

impl TapWriter {
    /// Points tap `slot` at a strip (or stops it). False for a slot out of range. Realtime-safe.
    pub fn set(&mut self, slot: usize, strip: Option<StripRef>) -> bool {
        match self.sources.get_mut(slot) {
            Some(s) => {
                *s = strip;
                true
            }
            None => false,
        }
    }

    /// Copies the master block `l`/`r` and every tapped strip's last block. Realtime-safe.
    pub fn write(&mut self, graph: &Graph, l: &[f32], r: &[f32]) {
        self.dropped += u64::from(!push(&mut self.master, l, r));
        for (src, p) in self.sources.iter().zip(&mut self.strips) {
            match src {
                Some(StripRef::Master) => self.dropped += u64::from(!push(p, l, r)),
                Some(s) => {
                    if let Some([sl, sr]) = graph.strip_block(*s, l.len()) {
                        self.dropped += u64::from(!push(p, sl, sr));
                    }
                }
                None => {}
            }
        }
    }
}

/// Pushes a block interleaved, whole or not at all. Realtime-safe.
fn push(p: &mut Producer<f32>, l: &[f32], r: &[f32]) -> bool {
    match p.write_chunk_uninit(2 * l.len()) {
        Ok(chunk) => {
            chunk.fill_from_iter(l.iter().zip(r).flat_map(|(a, b)| [*a, *b]));
            true
        }
        Err(_) => false,
    }
}

/// The app's end: the master's loudness and spectrum, and the tapped strips' spectra.
#[derive(Debug)]
pub struct LiveAnalysis {
    master: Consumer<f32>,
    strips: [Consumer<f32>; TAP_SLOTS],
    sources: [Option<StripRef>; TAP_SLOTS],
    loudness: LoudnessMeter,
    spectrum: Spectrum,
    scope: Goniometer,
    strip_spectra: Vec<Spectrum>,
    scratch: [Vec<f32>; 2],
    sample_rate: u32,
}

/// Both ends of the taps for an engine at `sample_rate`.
pub(crate) fn taps(sample_rate: u32) -> (TapWriter, LiveAnalysis) {
    let cap = 2 * (sample_rate * RING_SECONDS) as usize;
    let (master_tx, master_rx) = RingBuffer::new(cap);
    let mut txs = Vec::new();
    let mut rxs = Vec::new();
    for _ in 0..TAP_SLOTS {
        let (t, r) = RingBuffer::new(cap);
        txs.push(t);
        rxs.push(r);
    }
    let writer = TapWriter {
        master: master_tx,
        strips: txs.try_into().unwrap_or_else(|_| unreachable!("TAP_SLOTS producers")),
        sources: [None; TAP_SLOTS],
        dropped: 0,
    };
    let analysis = LiveAnalysis {
        master: master_rx,
        strips: rxs.try_into().unwrap_or_else(|_| unreachable!("TAP_SLOTS consumers")),
        sources: [None; TAP_SLOTS],
        loudness: LoudnessMeter::new(sample_rate),
        spectrum: live_spectrum(sample_rate),
        scope: Goniometer::new(),
        strip_spectra: (0..TAP_SLOTS).map(|_| live_spectrum(sample_rate)).collect(),
        scratch: [Vec::new(), Vec::new()],
        sample_rate,
    };
    (writer, analysis)
}

/// A spectrum as the live analyzer shows it (1/6 octave until changed).
fn live_spectrum(sample_rate: u32) -> Spectrum {
    Spectrum::new(sample_rate, LIVE_FFT, Averaging::Exponential(LIVE_AVERAGING), 6)
}

/// Reads everything waiting in `c` and hands it to `f` as planar stereo.
fn drain_into(c: &mut Consumer<f32>, scratch: &mut [Vec<f32>; 2], mut f: impl FnMut(&[f32], &[f32])) {
    let n = c.slots() & !1;
    if n == 0 {
        return;
    }
    let Ok(chunk) = c.read_chunk(n) else { return };
    let (a, b) = chunk.as_slices();
    let [l, r] = scratch;
    l.clear();
    r.clear();
    let mut it = a.iter().chain(b);
    while let (Some(x), Some(y)) = (it.next(), it.next()) {
        l.push(*x);
        r.push(*y);
    }
    chunk.commit_all();
    f(l, r);
}

impl LiveAnalysis {
    /// Takes in everything the audio thread has tapped since the last call.
    pub fn drain(&mut self) {
        let Self { master, loudness, spectrum, scope, scratch, .. } = self;
        drain_into(master, scratch, |l, r| {
            loudness.add(l, r);
            spectrum.add(l, r);
            scope.add(l, r);
        });
        for (i, c) in self.strips.iter_mut().enumerate() {
            let s = &mut self.strip_spectra[i];
            drain_into(c, &mut self.scratch, |l, r| s.add(l, r));
        }
    }

    /// The master's loudness meter (momentary, short-term, integrated, LRA,
    /// true peak, correlation, balance, history).
    pub fn loudness(&self) -> &LoudnessMeter {
        &self.loudness
    }

    /// The master's correlation over the last 400 ms: +1 mono, 0 unrelated,
    /// -1 one channel inverted (`None` in silence).
    pub fn correlation(&self) -> Option<f64> {
        self.loudness.stereo().correlation()
    }

    /// The master's goniometer: its last frames as points.
    pub fn goniometer(&self) -> &Goniometer {
        &self.scope
    }

    /// Starts the integrated loudness, range, maxima and history afresh.
    pub fn reset_loudness(&mut self) {
        self.loudness.reset();
    }

    /// The master's spectrum.
    pub fn spectrum(&self) -> &Spectrum {
        &self.spectrum
    }

    /// The master's spectrum, to change its smoothing or reset its peaks.
    pub fn spectrum_mut(&mut self) -> &mut Spectrum {
        &mut self.spectrum
    }

    /// The tapped strips and their spectra, in slot order.
    pub fn strip_spectra(&self) -> impl Iterator<Item = (usize, StripRef, &Spectrum)> {
        self.sources
            .iter()
            .zip(&self.strip_spectra)
            .enumerate()
            .filter_map(|(i, (s, sp))| s.map(|s| (i, s, sp)))
    }

    /// Records what tap `slot` now analyses and starts its spectrum afresh
    /// (the handle calls this when it sends the command).
    pub(crate) fn set_source(&mut self, slot: usize, strip: Option<StripRef>) {
        if slot < TAP_SLOTS {
            self.sources[slot] = strip;
            self.strip_spectra[slot] = live_spectrum(self.sample_rate);
        }
    }
}

//! The mix's own thread: it takes each rendered block of the mix, applies the
//! bounce's gain, quantises and writes it, and measures what it wrote for the
//! report, while the render goes on with the next blocks.
//!
//! The report must equal `mixdesk analyze` of the written file, so the
//! analyzer is fed the samples as a decoder reads them back from the file
//! (the quantised, dithered integers scaled by a power of two; floats as
//! written), in blocks of the length `analyze_file` uses, so every sum is
//! made in the same order. Rendering never waits for the writer unless it
//! is [`QUEUE`] blocks behind.

use std::path::{Path, PathBuf};

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::wav::WavSink;
use crate::analysis::file::ANALYSIS_BLOCK;
use crate::analysis::{Analysis, AnalysisCurves, ClipLevels, MixAnalyzer};

/// Blocks the render may be ahead of the writer.
const QUEUE: usize = 16;

/// What the thread measures.
pub(crate) enum Measure {
    /// Nothing.
    Nothing,
    /// The samples as written to the file (the report).
    Written,
    /// The samples before quantisation (the first pass of a normalisation).
    Mix,
}

/// What the thread did.
pub(crate) struct Written {
    /// The mix's file, written but not yet put in place (`None` when there is none).
    pub sink: Option<WavSink>,
    /// The largest absolute sample after the gain, before quantisation.
    pub peak: f32,
    /// The measurements, if asked for.
    pub analysis: Option<(Analysis, AnalysisCurves)>,
}

/// Why the thread stopped: the file that could not be written and why.
pub(crate) type WriteError = (PathBuf, std::io::Error);

/// A stereo block on its way to the thread (its buffers come back to be reused).
struct Block {
    l: Vec<f32>,
    r: Vec<f32>,
}

/// The sending end, held by the render loop.
pub(crate) struct MixWriter {
    blocks: Option<SyncSender<Block>>,
    spare: Receiver<Block>,
    thread: JoinHandle<Result<Written, WriteError>>,
}

impl MixWriter {
    /// Starts the thread: it scales each block by `gain`, writes it to `sink`
    /// (if any) and measures what `measure` says at `rate`.
    pub fn start(
        sink: Option<WavSink>,
        gain: f32,
        measure: Measure,
        rate: u32,
    ) -> std::io::Result<MixWriter> {
        let (blocks, incoming) = sync_channel::<Block>(QUEUE);
        let (give_back, spare) = sync_channel::<Block>(QUEUE + 2);
        let thread = std::thread::Builder::new()
            .name("mixdesk-bounce-writer".into())
            .spawn(move || run(sink, gain, measure, rate, &incoming, &give_back))?;
        Ok(MixWriter { blocks: Some(blocks), spare, thread })
    }

    /// Hands the thread a copy of one block. `false` if the thread has
    /// stopped (a write failed: [`MixWriter::finish`] says why).
    pub fn send(&mut self, l: &[f32], r: &[f32]) -> bool {
        let Some(blocks) = &self.blocks else { return false };
        let mut b = self.spare.try_recv().unwrap_or_else(|_| Block { l: Vec::new(), r: Vec::new() });
        b.l.clear();
        b.l.extend_from_slice(l);
        b.r.clear();
        b.r.extend_from_slice(r);
        blocks.send(b).is_ok()
    }

    /// Waits for the thread to write and measure everything sent.
    pub fn finish(mut self) -> Result<Written, WriteError> {
        drop(self.blocks.take());
        match self.thread.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

fn run(
    mut sink: Option<WavSink>,
    gain: f32,
    measure: Measure,
    rate: u32,
    incoming: &Receiver<Block>,
    give_back: &SyncSender<Block>,
) -> Result<Written, WriteError> {
    let (bits, float) = match &sink {
        Some(s) => (s.depth().bits(), s.depth().bits() == 32),
        None => (32, true),
    };
    let clip = match measure {
        Measure::Written => ClipLevels::for_format(Some(bits), float),
        _ => ClipLevels::for_format(None, true),
    };
    let mut analyzer = match measure {
        Measure::Nothing => None,
        _ => Some((MixAnalyzer::new(rate, 2, clip), Staging::default())),
    };
    let mut peak = 0.0f32;
    let fail = |sink: &WavSink, e| (sink.path().to_owned(), e);
    for mut b in incoming.iter() {
        if gain != 1.0 {
            for x in b.l.iter_mut().chain(b.r.iter_mut()) {
                *x *= gain;
            }
        }
        peak = b.l.iter().chain(&b.r).fold(peak, |p, x| p.max(x.abs()));
        match (&mut sink, &mut analyzer, &measure) {
            (Some(s), Some((a, staging)), Measure::Written) => {
                s.write_read_back(&b.l, &b.r, &mut staging.buf).map_err(|e| fail(s, e))?;
                staging.feed(a);
            }
            (s, a, _) => {
                if let Some(s) = s {
                    s.write(&b.l, &b.r).map_err(|e| fail(s, e))?;
                }
                if let Some((a, staging)) = a {
                    staging.buf[0].extend_from_slice(&b.l);
                    staging.buf[1].extend_from_slice(&b.r);
                    staging.feed(a);
                }
            }
        }
        // The render makes a new buffer if none is back yet.
        let _ = give_back.try_send(b);
    }
    let analysis = analyzer.map(|(mut a, mut staging)| {
        staging.flush(&mut a);
        a.finish()
    });
    Ok(Written { sink, peak, analysis })
}

/// Samples waiting to reach the analyzer in blocks of [`ANALYSIS_BLOCK`] frames.
#[derive(Default)]
struct Staging {
    buf: [Vec<f32>; 2],
}

impl Staging {
    /// Feeds every whole block held.
    fn feed(&mut self, a: &mut MixAnalyzer) {
        let whole = self.buf[0].len() / ANALYSIS_BLOCK * ANALYSIS_BLOCK;
        for at in (0..whole).step_by(ANALYSIS_BLOCK) {
            a.add(&self.buf[0][at..at + ANALYSIS_BLOCK], &self.buf[1][at..at + ANALYSIS_BLOCK]);
        }
        for b in &mut self.buf {
            b.drain(..whole);
        }
    }

    /// Feeds what is left.
    fn flush(&mut self, a: &mut MixAnalyzer) {
        self.feed(a);
        a.add(&self.buf[0], &self.buf[1]);
    }
}

/// The report's analysis of the file at `path`, as `analyze_file` labels it.
pub(crate) fn label(mut analysis: Analysis, path: &Path, bits: u32, float: bool) -> Analysis {
    analysis.file = Some(path.to_owned());
    analysis.bit_depth = Some(bits);
    analysis.float = float;
    analysis
}

//! The offline bounce: render a session's range to a stereo WAV, and
//! optionally one stem per track and bus, all starting at the same sample.
//!
//! It renders with the same [`Graph::process`] the live callback uses, spread
//! over rayon's pool. Files are written atomically; on any error every file of
//! the bounce that was started is removed and existing files are untouched.

mod dither;
mod wav;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

pub use dither::Quantizer;
pub use wav::BitDepth;

use crate::graph::{Graph, GraphError, Rayon, compile};
use crate::media::{AudioSource, MediaError, MediaPool};
use crate::session::{Session, TrackId};
use crate::units::SampleTime;
use wav::WavSink;

/// Whether to dither when reducing word length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dither {
    /// TPDF at 16 bit, none at 24 bit or float (the usual delivery choice).
    #[default]
    Auto,
    /// TPDF at any integer depth.
    Tpdf,
    /// Never.
    None,
}

/// What to bounce and how.
#[derive(Debug, Clone)]
pub struct BounceOptions {
    /// First sample rendered.
    pub start: SampleTime,
    /// First sample not rendered; `None` is the end of the last clip.
    pub end: Option<SampleTime>,
    /// Extra time rendered after `end` (for effect tails).
    pub tail: SampleTime,
    /// Output sample format.
    pub depth: BitDepth,
    /// Dither policy.
    pub dither: Dither,
    /// Where to write one file per track and bus, if anywhere.
    pub stems_dir: Option<PathBuf>,
    /// Frames per rendered block.
    pub block: usize,
}

impl Default for BounceOptions {
    fn default() -> BounceOptions {
        BounceOptions {
            start: SampleTime::ZERO,
            end: None,
            tail: SampleTime::ZERO,
            depth: BitDepth::default(),
            dither: Dither::default(),
            stems_dir: None,
            block: 4096,
        }
    }
}

/// What a finished bounce wrote.
#[derive(Debug, Clone)]
pub struct BounceSummary {
    /// The mix file.
    pub output: PathBuf,
    /// Stem files, tracks first then buses.
    pub stems: Vec<PathBuf>,
    /// Frames written to each file.
    pub frames: u64,
    /// Sample rate of the files.
    pub sample_rate: u32,
    /// Largest absolute sample of the mix before quantisation.
    pub peak: f32,
    /// Whether dither was applied.
    pub dithered: bool,
    /// NaN/Inf samples replaced by silence on the master.
    pub non_finite_samples: u64,
}

/// Why a bounce failed.
#[derive(Debug, Error)]
pub enum BounceError {
    /// Some media could not be loaded.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Media(Vec<MediaError>),
    /// The session cannot be rendered.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// The range holds nothing.
    #[error("the range to bounce is empty ({start} to {end} samples); choose an end after the start")]
    EmptyRange {
        /// First sample.
        start: u64,
        /// End sample.
        end: u64,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}. Check free disk space and that the folder is writable; nothing was left half-written.", path = .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Stopped by the caller.
    #[error("the bounce was cancelled; no files were written")]
    Cancelled,
}

/// Loads every clip's media (in parallel, through `pool`) and compiles the graph.
/// All missing or unreadable files are reported together.
pub fn prepare(
    session: &Session,
    session_dir: &Path,
    pool: &MediaPool,
    block: usize,
) -> Result<Graph, BounceError> {
    let paths: Vec<PathBuf> =
        session.tracks.iter().flat_map(|t| t.clips.iter().map(|c| session_dir.join(&c.media))).collect();
    let loaded = pool.load_all(&paths, session.sample_rate);
    let mut errors: Vec<MediaError> = Vec::new();
    let mut sources = std::collections::HashMap::new();
    for (path, result) in paths.iter().zip(loaded) {
        match result {
            Ok(m) => {
                sources.insert(path.clone(), m as Arc<dyn AudioSource>);
            }
            Err(e) => {
                if !errors.iter().any(|x| x.path() == e.path()) {
                    errors.push(e);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(BounceError::Media(errors));
    }
    let source = |c: &crate::session::Clip| sources.get(&session_dir.join(&c.media)).cloned();
    Ok(compile(session, &source, block)?)
}

/// Bounces `session` (whose media paths are relative to `session_dir`) to `output`.
/// `progress` receives the fraction done and returns `false` to cancel.
pub fn bounce(
    session: &Session,
    session_dir: &Path,
    pool: &MediaPool,
    output: &Path,
    opts: &BounceOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<BounceSummary, BounceError> {
    let block = opts.block.max(1);
    let mut graph = prepare(session, session_dir, pool, block)?;
    let start = opts.start.0;
    let end = opts.end.unwrap_or(session.content_end()).0 + opts.tail.0;
    if end <= start {
        return Err(BounceError::EmptyRange { start, end });
    }
    let rate = session.sample_rate;
    let dithered = match opts.dither {
        Dither::Auto => opts.depth == BitDepth::Int16,
        Dither::Tpdf => opts.depth != BitDepth::Float32,
        Dither::None => false,
    };
    let create = |path: &Path, seed: u64| {
        WavSink::create(path, rate, opts.depth, dithered, seed)
            .map_err(|source| BounceError::Write { path: path.to_owned(), source })
    };
    let mut master = create(output, 1)?;
    let mut stems: Vec<WavSink> = Vec::new();
    if let Some(dir) = &opts.stems_dir {
        std::fs::create_dir_all(dir).map_err(|source| BounceError::Write { path: dir.clone(), source })?;
        for (i, path) in stem_paths(session, &graph, dir).iter().enumerate() {
            stems.push(create(path, 2 + i as u64)?);
        }
    }
    let (mut left, mut right) = (vec![0.0f32; block], vec![0.0f32; block]);
    let mut peak = 0.0f32;
    let n_tracks = graph.track_ids().len();
    // Inserts on buses and the master delay what they output: render that much
    // further and drop each output's first `latency` frames, so the files line
    // up with the timeline (tracks read ahead and need no trimming).
    let latency = graph.latency() as u64;
    let total = end - start;
    let mut master_trim = Trim { skip: latency, left: total };
    let mut stem_trim: Vec<Trim> = (0..stems.len())
        .map(|i| {
            let skip = if i < n_tracks { 0 } else { graph.bus_latency(i - n_tracks) as u64 };
            Trim { skip, left: total }
        })
        .collect();
    let last = end + stem_trim.iter().map(|t| t.skip).max().unwrap_or(0).max(latency);
    graph.prime(start);
    let mut pos = start;
    while pos < last {
        let n = ((last - pos) as usize).min(block);
        let (l, r) = (&mut left[..n], &mut right[..n]);
        graph.process(pos, l, r, &Rayon);
        let write_err = |sink: &WavSink, source| BounceError::Write { path: sink.path().to_owned(), source };
        if let Some((a, b)) = master_trim.window(n) {
            peak = l[a..b].iter().chain(r[a..b].iter()).fold(peak, |p, x| p.max(x.abs()));
            master.write(&l[a..b], &r[a..b]).map_err(|e| write_err(&master, e))?;
        }
        for (i, sink) in stems.iter_mut().enumerate() {
            let [sl, sr] =
                if i < n_tracks { graph.track_output(i, n) } else { graph.bus_output(i - n_tracks, n) };
            if let Some((a, b)) = stem_trim[i].window(n) {
                sink.write(&sl[a..b], &sr[a..b]).map_err(|e| write_err(sink, e))?;
            }
        }
        pos += n as u64;
        if !progress((pos - start) as f64 / (last - start) as f64) {
            return Err(BounceError::Cancelled);
        }
    }
    let finish = |sink: WavSink| {
        let path = sink.path().to_owned();
        sink.finish().map_err(|source| BounceError::Write { path, source })
    };
    let stem_files = stems.into_iter().map(finish).collect::<Result<Vec<_>, _>>()?;
    let output = finish(master)?;
    Ok(BounceSummary {
        output,
        stems: stem_files,
        frames: end - start,
        sample_rate: rate,
        peak,
        dithered,
        non_finite_samples: graph.non_finite_samples(),
    })
}

/// `01 Drums.wav`, `02 Bass.wav`, ... then `Bus 01 Reverb.wav`, in graph order.
/// Which frames of each rendered block one output writes: it skips its
/// latency, then writes exactly the bounce's length.
#[derive(Debug, Clone, Copy)]
struct Trim {
    skip: u64,
    left: u64,
}

impl Trim {
    /// The range of a block of `n` frames to write, if any.
    fn window(&mut self, n: usize) -> Option<(usize, usize)> {
        let a = self.skip.min(n as u64);
        self.skip -= a;
        let len = self.left.min(n as u64 - a);
        self.left -= len;
        (len > 0).then_some((a as usize, (a + len) as usize))
    }
}

fn stem_paths(session: &Session, graph: &Graph, dir: &Path) -> Vec<PathBuf> {
    let name_of = |id: TrackId| session.track(id).map_or_else(String::new, |t| t.name.clone());
    // Numbered by the session's track order (the graph may run tracks in another order).
    let number = |i: usize, id: TrackId| session.tracks.iter().position(|t| t.id == id).unwrap_or(i) + 1;
    let mut v: Vec<PathBuf> = graph
        .track_ids()
        .into_iter()
        .enumerate()
        .map(|(i, id)| dir.join(format!("{:02} {}.wav", number(i, id), file_safe(&name_of(id)))))
        .collect();
    for (i, id) in graph.bus_ids().into_iter().enumerate() {
        let name = session.bus(id).map_or_else(String::new, |b| b.name.clone());
        v.push(dir.join(format!("Bus {:02} {}.wav", i + 1, file_safe(&name))));
    }
    v
}

/// A name with path separators and control characters replaced.
fn file_safe(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect();
    let s = s.trim().to_owned();
    if s.is_empty() { "untitled".into() } else { s }
}

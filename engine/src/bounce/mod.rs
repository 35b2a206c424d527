//! The offline bounce: render a session's range to a stereo WAV, and
//! optionally one stem per track and bus, all starting at the same sample.
//!
//! It renders with the same [`Graph::process`] the live callback uses, spread
//! over rayon's pool. Files are written atomically; on any error every file of
//! the bounce that was started is removed and existing files are untouched.

mod dither;
mod outputs;
mod pass;
mod wav;
mod writer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thiserror::Error;

pub(crate) use crate::graph::{Graph, GraphError, compile};
use crate::media::{AudioSource, MediaError, MediaPool, StreamedWav};
use crate::report::{Normalization, Production, Report, ReportPaths};
use crate::session::{Session, TrackId};
use crate::units::SampleTime;
pub use dither::Quantizer;
pub use wav::BitDepth;
pub(crate) use wav::{WavSink, fmt_chunk};
use writer::{Measure, MixWriter};

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
    /// Gain applied to the mix (not the stems) before it is written, in dB.
    pub gain_db: f64,
    /// Normalise the mix's loudness in two passes (measure, then render with gain).
    pub normalize: Option<NormalizeTarget>,
    /// Write `OUT.report.json`, `.txt` and `.png` beside the mix.
    pub report: bool,
    /// The session's name for the report (usually its file name).
    pub session_name: Option<String>,
    /// Render clips whose media cannot be loaded as silence instead of
    /// failing (they are listed in [`BounceSummary::silent_media`]).
    pub allow_missing: bool,
    /// The session's own file, if it has one: like the media, never an output.
    pub session_file: Option<PathBuf>,
}

/// A loudness to normalise a bounce to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormalizeTarget {
    /// Integrated loudness wanted, LUFS.
    pub lufs: f64,
    /// The true peak the gain may not push the mix above, dBTP.
    pub ceiling_dbtp: Option<f64>,
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
            gain_db: 0.0,
            normalize: None,
            report: true,
            session_name: None,
            allow_missing: false,
            session_file: None,
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
    /// The normalisation applied, if one was asked for.
    pub normalization: Option<Normalization>,
    /// The report on the written mix (when asked for and it could be made).
    pub report: Option<Report>,
    /// Where the report was written.
    pub report_paths: Option<ReportPaths>,
    /// Why the report is missing, if it is (the mix itself is complete).
    pub report_error: Option<String>,
    /// Media rendered as silence because it could not be loaded (only with
    /// [`BounceOptions::allow_missing`]).
    pub silent_media: Vec<MediaError>,
    /// Where the time went: each phase of the bounce, in order, and its wall time.
    pub timings: Vec<(&'static str, Duration)>,
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
    #[error("cannot write {path}: {source}. {advice}", path = .path.display(), advice = write_advice(.source))]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An output is a file the bounce reads (checked before rendering).
    #[error(
        "refusing to write {output}: {what}, so nothing was written. Choose another output file.",
        output = .output.display(), what = outputs::what_it_is(.output, .input)
    )]
    OutputIsInput {
        /// The output as given.
        output: PathBuf,
        /// The session file or media file it is.
        input: PathBuf,
    },
    /// Two outputs are the same file (the mix and a stem, say).
    #[error(
        "refusing to write {second}: it is the same file as {first}, also written by this render, so \
         nothing was written. Choose another output file or stems folder.",
        first = .first.display(), second = .second.display()
    )]
    OutputTwice {
        /// The output that names it first.
        first: PathBuf,
        /// The output that names it again.
        second: PathBuf,
    },
    /// Stopped by the caller.
    #[error("the bounce was cancelled; no files were written")]
    Cancelled,
    /// A plugin's latency changed during the render (an automated parameter
    /// sets its lookahead): the graph is compensated for the latency it had
    /// when compiled, so the render would drift out of time from there.
    #[error(
        "{plugin} changed its latency from {compiled} samples by sample {at} of the render (an automated \
         parameter sets its lookahead), so the mix would drift out of time there and nothing was \
         written. Set that parameter without automation (its latency is then compensated) or automate \
         another one.",
        compiled = .change.compiled
    )]
    LatencyChanged {
        /// The insert and the latency the graph compensates.
        change: crate::graph::LatencyChange,
        /// The timeline sample the render had reached.
        at: u64,
        /// The plugin and its strip, in words.
        plugin: String,
    },
    /// Normalisation was asked for but the mix has no measurable loudness.
    #[error(
        "the mix is silent (no loudness above the -70 LUFS gate), so it cannot be normalized; check the range and the mutes"
    )]
    SilentMix,
}

/// Names the plugin (and its strip) of a [`BounceError::LatencyChanged`].
fn name_plugin(session: &Session, e: BounceError) -> BounceError {
    match e {
        BounceError::LatencyChanged { change, at, .. } => {
            let name = session.processor(change.processor).map_or_else(
                || change.processor.0.to_string(),
                |p| crate::dsp::kind_or_missing(&p.kind).map_or(p.kind.clone(), |k| k.name.to_owned()),
            );
            let strip = session
                .find_processor(change.processor)
                .map_or_else(String::new, |(r, _)| format!(" on {}", crate::diff::strip_label(session, r)));
            BounceError::LatencyChanged { change, at, plugin: format!("'{name}'{strip}") }
        }
        other => other,
    }
}

/// What to do about a file that could not be written.
fn write_advice(e: &std::io::Error) -> &'static str {
    if matches!(e.kind(), std::io::ErrorKind::InvalidInput | std::io::ErrorKind::NotADirectory) {
        // Not a regular file, a link to nowhere (see `atomic`), a file where a folder should be.
        "Nothing was written; choose another path."
    } else {
        "Check free disk space and that the folder is writable; nothing was left half-written."
    }
}

/// Loads every clip's media (in parallel, through `pool`) and compiles the graph.
/// All missing or unreadable files are reported together.
pub fn prepare(
    session: &Session,
    session_dir: &Path,
    pool: &MediaPool,
    block: usize,
) -> Result<Graph, BounceError> {
    let (graph, errors) = prepare_allowing_missing(session, session_dir, pool, block)?;
    if errors.is_empty() { Ok(graph) } else { Err(BounceError::Media(errors)) }
}

/// Like [`prepare`], but a clip whose media cannot be loaded (missing, damaged)
/// plays as silence instead of failing: the graph comes back with one error
/// per such file, for the caller to show or mark.
pub fn prepare_allowing_missing(
    session: &Session,
    session_dir: &Path,
    pool: &MediaPool,
    block: usize,
) -> Result<(Graph, Vec<MediaError>), BounceError> {
    let Prepared { graph, silent, .. } = load_sources(session, session_dir, pool, block, false)?;
    Ok((graph, silent))
}

/// Loads every clip's media (each file once, missing or damaged ones
/// reported in `silent`) and compiles the graph. With `stream` (the bounce),
/// files the pool does not already hold are streamed from disk when they are
/// uncompressed WAV at the session rate ([`StreamedWav`]) instead of decoded
/// into memory; the streams are kept to check for read failures after
/// rendering. Without it (the live engine) everything is in memory.
pub(crate) fn load_sources(
    session: &Session,
    session_dir: &Path,
    pool: &MediaPool,
    block: usize,
    stream: bool,
) -> Result<Prepared, BounceError> {
    let mut paths: Vec<PathBuf> =
        session.tracks.iter().flat_map(|t| t.clips.iter().map(|c| session_dir.join(&c.media))).collect();
    paths.sort();
    paths.dedup();
    let rate = session.sample_rate;
    let mut sources: HashMap<PathBuf, Arc<dyn AudioSource>> = HashMap::new();
    let mut streams = Vec::new();
    let mut to_load = Vec::new();
    for path in paths {
        if stream {
            if let Some(media) = pool.cached(&path, rate) {
                sources.insert(path, media);
                continue;
            }
            // A file converted earlier for live streaming is read from its copy.
            let copy = crate::streaming::existing_copy(&path, rate, session_dir);
            if streams.len() < MAX_STREAMED_FILES
                && let Some(s) =
                    StreamedWav::open(&path, rate).or_else(|| StreamedWav::open(copy.as_ref()?, rate))
            {
                let s = Arc::new(s);
                streams.push(Arc::clone(&s));
                sources.insert(path, s);
                continue;
            }
        }
        to_load.push(path);
    }
    let mut silent: Vec<MediaError> = Vec::new();
    for (path, result) in to_load.iter().zip(pool.load_all(&to_load, rate)) {
        match result {
            Ok(media) => {
                sources.insert(path.clone(), media);
            }
            Err(e) => silent.push(e),
        }
    }
    let source = |c: &crate::session::Clip| sources.get(&session_dir.join(&c.media)).cloned();
    Ok(Prepared { graph: compile(session, &source, block)?, silent, streams })
}

/// A bounce's graph, the media it renders as silence, and its streamed files.
pub(crate) struct Prepared {
    pub graph: Graph,
    pub silent: Vec<MediaError>,
    pub streams: Vec<Arc<StreamedWav>>,
}

/// At most this many files are streamed (each holds a file descriptor open
/// for the whole bounce; the usual limit is 1024 a process); the rest are
/// decoded into memory.
const MAX_STREAMED_FILES: usize = 512;

/// A read from a streamed file that failed during the pass just rendered.
pub(crate) fn stream_failures(streams: &[Arc<StreamedWav>]) -> Result<(), BounceError> {
    let failed: Vec<MediaError> = streams.iter().filter_map(|s| s.failure()).collect();
    if failed.is_empty() { Ok(()) } else { Err(BounceError::Media(failed)) }
}

/// Bounces `session` (whose media paths are relative to `session_dir`) to `output`,
/// then measures the written file and writes its report beside it.
/// `progress` receives the fraction done and returns `false` to cancel.
/// Media the pool already holds is read from it; uncompressed WAV files at the
/// session rate are otherwise streamed from disk, everything else decoded
/// through the pool.
pub fn bounce(
    session: &Session,
    session_dir: &Path,
    pool: &MediaPool,
    output: &Path,
    opts: &BounceOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<BounceSummary, BounceError> {
    let block = opts.block.max(1);
    let mut laps = Laps::start();
    let load = || {
        let prepared = load_sources(session, session_dir, pool, block, true)?;
        if !prepared.silent.is_empty() && !opts.allow_missing {
            return Err(BounceError::Media(prepared.silent));
        }
        Ok(prepared)
    };
    let Prepared { mut graph, silent: silent_media, mut streams } = load()?;
    let stem_files = opts.stems_dir.as_ref().map(|dir| stem_paths(session, &graph, dir)).unwrap_or_default();
    let mut written = vec![output.to_owned()];
    written.extend(stem_files.iter().cloned());
    if opts.report {
        let r = ReportPaths::beside(output);
        written.extend([r.json, r.text, r.png]);
    }
    let mut read: Vec<PathBuf> =
        session.tracks.iter().flat_map(|t| t.clips.iter().map(|c| session_dir.join(&c.media))).collect();
    read.extend(opts.session_file.iter().cloned());
    outputs::check(&written, &read)?;
    laps.lap("open the media, compile the graph");
    let start = opts.start.0;
    let end = opts.end.unwrap_or(session.content_end()).0 + opts.tail.0;
    if end <= start {
        return Err(BounceError::EmptyRange { start, end });
    }
    let rate = session.sample_rate;
    let normalization = match opts.normalize {
        None => None,
        Some(target) => {
            // Pass 1 measures the mix as it would be written (with the plain gain).
            let pre = db_to_gain(opts.gain_db);
            let writer =
                MixWriter::start(None, pre, Measure::Mix, rate).map_err(|e| write_error(output, e))?;
            graph.set_track_outputs(false);
            let done = pass::run(&mut graph, start, end, block, &mut [], writer, &mut |f| progress(0.5 * f))
                .map_err(|e| name_plugin(session, e))?;
            stream_failures(&streams)?;
            let (a, _) = done.analysis.expect("pass 1 measures");
            let lufs = a.integrated_lufs.ok_or(BounceError::SilentMix)?;
            laps.lap("normalize: render and measure the first pass");
            // A fresh graph, so pass 2 starts with empty reverb tails and compressor state.
            Prepared { graph, streams, .. } = load()?;
            Some(Normalization::plan(target.lufs, target.ceiling_dbtp, lufs, a.true_peak_dbtp))
        }
    };
    let (from, span) = if normalization.is_some() { (0.5, 0.5) } else { (0.0, 1.0) };
    let gain = db_to_gain(opts.gain_db + normalization.map_or(0.0, |n| n.gain_db));
    let dithered = match opts.dither {
        Dither::Auto => opts.depth == BitDepth::Int16,
        Dither::Tpdf => opts.depth != BitDepth::Float32,
        Dither::None => false,
    };
    let create = |path: &Path, seed: u64| {
        WavSink::create(path, rate, opts.depth, dithered, seed).map_err(|e| write_error(path, e))
    };
    let master = create(output, 1)?;
    let mut stems: Vec<WavSink> = Vec::new();
    if let Some(dir) = &opts.stems_dir {
        std::fs::create_dir_all(dir).map_err(|source| BounceError::Write { path: dir.clone(), source })?;
        for (i, path) in stem_files.iter().enumerate() {
            stems.push(create(path, 2 + i as u64)?);
        }
    }
    // Track outputs are only needed for stems (a mix alone sums tracks as it goes).
    graph.set_track_outputs(!stems.is_empty());
    // The mix is written and measured on its own thread while the render goes on.
    let measure = if opts.report { Measure::Written } else { Measure::Nothing };
    let writer = MixWriter::start(Some(master), gain, measure, rate).map_err(|e| write_error(output, e))?;
    let done =
        pass::run(&mut graph, start, end, block, &mut stems, writer, &mut |f| progress(from + span * f))
            .map_err(|e| name_plugin(session, e))?;
    stream_failures(&streams)?;
    laps.lap(if opts.report { "render, write and measure the mix" } else { "render and write the mix" });
    let finish = |sink: WavSink| {
        let path = sink.path().to_owned();
        sink.finish().map_err(|source| BounceError::Write { path, source })
    };
    let stems_written = stems.into_iter().map(finish).collect::<Result<Vec<_>, _>>()?;
    let output = finish(done.sink.expect("pass 2 writes the mix"))?;
    let peak = done.peak;
    laps.lap("put the files in place (fsync, rename)");
    let mut summary = BounceSummary {
        output,
        stems: stems_written,
        frames: end - start,
        sample_rate: rate,
        peak,
        dithered,
        non_finite_samples: graph.non_finite_samples(),
        normalization,
        report: None,
        report_paths: None,
        report_error: None,
        silent_media,
        timings: Vec::new(),
    };
    if opts.report {
        let production = production(session, opts.depth, dithered);
        let float = opts.depth == BitDepth::Float32;
        let (analysis, curves) = done.analysis.expect("the mix was measured as written");
        let analysis = writer::label(analysis, &summary.output, opts.depth.bits(), float);
        let report = Report::new(opts.session_name.clone(), analysis, curves, production, normalization);
        let written = report.files().and_then(|files| {
            laps.lap("report: JSON, text and picture");
            files.write_beside(&summary.output)
        });
        match written {
            Ok(paths) => summary.report_paths = Some(paths),
            Err(e) => {
                summary.report_error = Some(format!(
                    "cannot write the report beside {}: {e}; the mix itself is complete",
                    summary.output.display()
                ));
            }
        }
        laps.lap("report: put its files in place");
        summary.report = Some(report);
    }
    summary.timings = laps.laps;
    Ok(summary)
}

/// The wall time of each phase of a bounce.
struct Laps {
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Laps {
    fn start() -> Laps {
        Laps { last: Instant::now(), laps: Vec::new() }
    }

    /// Ends the phase `what`.
    fn lap(&mut self, what: &'static str) {
        let now = Instant::now();
        self.laps.push((what, now - self.last));
        self.last = now;
    }
}

/// Checks a render's outputs against each other and its inputs (see [`outputs`]).
pub(crate) fn check_outputs(written: &[PathBuf], read: &[PathBuf]) -> Result<(), BounceError> {
    outputs::check(written, read)
}

/// The error for a file that could not be written.
fn write_error(path: &Path, source: std::io::Error) -> BounceError {
    BounceError::Write { path: path.to_owned(), source }
}

/// How the bounce was made, for the preflight: format, dither, and the
/// limiting processors active on the master (limiters, and compressors at 10:1 or more).
pub(crate) fn production(session: &Session, depth: BitDepth, dithered: bool) -> Production {
    let mut limiters = Vec::new();
    for p in session.master.processors.iter().filter(|p| !p.bypassed) {
        let param = |key: &str| session.processor_param(p.id, key).and_then(|id| session.param_value(id));
        match p.kind.as_str() {
            "limiter" => limiters.push("a limiter".to_string()),
            "compressor" if param("ratio").is_some_and(|r| r >= 10.0) => {
                limiters.push(format!("a compressor at {:.0}:1", param("ratio").unwrap_or(0.0)));
            }
            _ => {}
        }
    }
    Production {
        session_rate: session.sample_rate,
        bits: match depth {
            BitDepth::Int16 => Some(16),
            BitDepth::Int24 => Some(24),
            BitDepth::Float32 => None,
        },
        float: depth == BitDepth::Float32,
        dithered,
        master_limiters: limiters,
    }
}

fn db_to_gain(db: f64) -> f32 {
    crate::units::Decibels(db).to_gain().0 as f32
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

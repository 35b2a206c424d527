//! Delivery: the bounce in the format, at the rate and with the metadata a
//! mastering engineer, a streaming service or an artist's phone wants.
//!
//! Pipeline (all offline, nothing on the audio thread): the session is
//! bounced once, in 32-bit float at the session rate, into a temporary
//! folder beside the output (with the bounce's gain, normalisation and
//! stems); then each rendered file is *converted*: read a block at a time,
//! rate-converted ([`rate`]), quantised with TPDF dither after the
//! conversion (the last step before the word is cut), encoded ([`format`]:
//! WAV, FLAC or MP3) and written atomically. The report is measured on the
//! delivered samples: for WAV and FLAC on the integers as a decoder reads
//! them back, for MP3 by decoding the written file.
//!
//! Metadata ([`metadata`], [`bwf`]): WAV is Broadcast WAV with the `bext`
//! chunk (origination, and the R 128 loudness of the delivered samples),
//! the tags in `LIST`/`INFO` and the session's markers in the range as `cue `
//! points (the mix only), RF64 past 4 GiB; FLAC carries the tags as Vorbis
//! comments, MP3 as an ID3v2.4 tag.

pub mod album;
pub mod batch;
mod bwf;
mod flac;
pub mod format;
pub mod metadata;
mod mp3;
pub mod preset;
mod rate;
pub mod sheet;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use bwf::BEXT_LOUDNESS_AT;
pub use format::{FlacBits, Format, Mp3Mode, WavBits};
pub use metadata::Tags;

use crate::analysis::file::{ANALYSIS_BLOCK, analyze_file};
use crate::analysis::{Analysis, AnalysisCurves, ClipLevels, MixAnalyzer};
use crate::bounce::{BitDepth, BounceError, BounceOptions, BounceSummary, Dither};
use crate::media::MediaPool;
use crate::report::{Report, ReportPaths};
use crate::session::Session;
use bwf::{BwfSink, Origination};
use flac::FlacSink;
// Also the monitor's codec preview's encoder.
pub(crate) use mp3::Mp3Sink;
use rate::RateConverter;

/// What to deliver, beyond what the bounce renders.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliverOptions {
    /// The file format (the mix's and the stems').
    pub format: Format,
    /// The delivered sample rate; `None` keeps the session's.
    pub rate: Option<u32>,
    /// Tags for the mix (stems get their own name as the title).
    pub tags: Tags,
    /// Lower every file by the same gain so the mix's sample peak is at most
    /// this (dBFS); never raises.
    pub peak_headroom_dbfs: Option<f64>,
}

/// One delivered file.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveredFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Its sample rate.
    pub rate: u32,
    /// Frames written (the decoded length for WAV and FLAC).
    pub frames: u64,
    /// Whether TPDF dither was applied.
    pub dithered: bool,
    /// Gain applied in the conversion (the peak headroom), dB.
    pub gain_db: f64,
    /// The delivered file measured (on its samples as decoded).
    pub analysis: Option<Analysis>,
}

/// What a delivery wrote.
#[derive(Debug, Clone)]
pub struct DeliverySummary {
    /// The mix.
    pub mix: DeliveredFile,
    /// The stems, in the bounce's order.
    pub stems: Vec<DeliveredFile>,
    /// The render behind them (its peak, normalisation, timings, silent media).
    pub bounce: BounceSummary,
    /// The report on the delivered mix, when asked for.
    pub report: Option<Report>,
    /// Where the report was written.
    pub report_paths: Option<ReportPaths>,
    /// Why the report is missing, if it is (the files themselves are complete).
    pub report_error: Option<String>,
}

/// Why a delivery failed.
#[derive(Debug, Error)]
pub enum DeliverError {
    /// The render failed.
    #[error(transparent)]
    Bounce(#[from] BounceError),
    /// A delivered file could not be made.
    #[error(
        "cannot write {path}: {source}. Nothing was left half-written; check free disk space and that the folder is writable."
    , path = .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The options cannot be delivered.
    #[error("{0}")]
    Invalid(String),
}

/// Rates a delivery may be converted to.
pub const RATES: [u32; 6] = [44_100, 48_000, 88_200, 96_000, 176_400, 192_000];

/// Bounces `session` and delivers the mix (and the stems, when
/// `bounce.stems_dir` is set) as `opts` says; see the module notes. The
/// bounce's `depth` and `dither` apply to the delivered files where the
/// format has a word length.
pub fn deliver(
    session: &Session,
    session_dir: &Path,
    pool: &MediaPool,
    output: &Path,
    bounce: &BounceOptions,
    opts: &DeliverOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DeliverySummary, DeliverError> {
    let rate = opts.rate.unwrap_or(session.sample_rate);
    if opts.rate.is_some() && !RATES.contains(&rate) {
        return Err(DeliverError::Invalid(format!(
            "cannot deliver at {rate} Hz: choose 44100, 48000, 88200, 96000, 176400 or 192000"
        )));
    }
    if let Format::Mp3(_) = opts.format
        && rate > 48_000
    {
        return Err(DeliverError::Invalid(format!(
            "MP3 holds at most 48 kHz, not {rate} Hz: deliver the MP3 with --rate 44100 or 48000"
        )));
    }
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".mixdesk-deliver-")
        .tempdir_in(&parent)
        .map_err(|source| DeliverError::Write { path: parent.clone(), source })?;
    let rendered = temp.path().join("mix.wav");
    let inner = BounceOptions {
        depth: BitDepth::Float32,
        dither: Dither::None,
        report: false,
        stems_dir: bounce.stems_dir.as_ref().map(|_| temp.path().join("stems")),
        ..bounce.clone()
    };
    // The delivered files are checked against the inputs before anything is rendered.
    let stems_final = |s: &Path| {
        let dir = bounce.stems_dir.clone().unwrap_or_default();
        dir.join(s.file_name().unwrap_or_default()).with_extension(opts.format.extension())
    };
    let mut read: Vec<PathBuf> =
        session.tracks.iter().flat_map(|t| t.clips.iter().map(|c| session_dir.join(&c.media))).collect();
    read.extend(bounce.session_file.iter().cloned());
    let mut outputs = vec![output.to_owned()];
    if bounce.report {
        let r = ReportPaths::beside(output);
        outputs.extend([r.json, r.text, r.png]);
    }
    // The mix and its report before rendering; the stems once their names are known.
    crate::bounce::check_outputs(&outputs, &read)?;
    let mut summary =
        crate::bounce::bounce(session, session_dir, pool, &rendered, &inner, &mut |f| progress(0.7 * f))?;
    outputs.extend(summary.stems.iter().map(|s| stems_final(s)));
    crate::bounce::check_outputs(&outputs, &read)?;
    let tags = opts.tags.clone().checked().map_err(DeliverError::Invalid)?;
    let start = bounce.start.0;
    let end = bounce.end.unwrap_or(session.content_end()).0 + bounce.tail.0;
    let at_rate =
        |frames: u64| (u128::from(frames) * u128::from(rate) / u128::from(session.sample_rate)) as u64;
    let markers: Vec<(String, u64)> = session
        .markers
        .iter()
        .filter(|m| (start..end).contains(&m.position.0))
        .map(|m| (m.name.clone(), at_rate(m.position.0 - start)))
        .collect();
    let name = bounce.session_name.clone().unwrap_or_default();
    let peak_db = 20.0 * f64::from(summary.peak.max(1e-30)).log10();
    let gain_db = opts.peak_headroom_dbfs.map_or(0.0, |h| (h - peak_db).min(0.0));
    let spec = |seed: u64, measure: bool, tags: Tags, markers: Vec<(String, u64)>, what: &str| Convert {
        format: opts.format,
        from: session.sample_rate,
        rate,
        dither: opts.format.dithers(bounce.dither),
        seed,
        measure,
        gain_db,
        tags,
        markers,
        origination: Origination {
            description: format!("{what} of {name}, delivered by Mixdesk as {}", opts.format.describe()),
            time_reference: at_rate(start),
        },
        tracks: Vec::new(),
    };
    let mut stems = Vec::new();
    if let Some(dir) = bounce.stems_dir.as_ref().filter(|_| !summary.stems.is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DeliverError::Write { path: dir.clone(), source })?;
    }
    let n = summary.stems.len();
    for (i, s) in summary.stems.iter().enumerate() {
        let title = s.file_stem().map(|t| t.to_string_lossy().into_owned());
        let stem_tags = Tags { title, isrc: None, track: None, ..tags.clone() };
        let (file, _) =
            convert(s, &stems_final(s), &spec(2 + i as u64, true, stem_tags, Vec::new(), "A stem"))?;
        stems.push(file);
        if !progress(0.7 + 0.15 * (i + 1) as f64 / n as f64) {
            return Err(BounceError::Cancelled.into());
        }
    }
    let (mix, measured) = convert(&rendered, output, &spec(1, bounce.report, tags, markers, "The mix"))?;
    progress(1.0);
    let mut report = None;
    let (mut report_paths, mut report_error) = (None, None);
    if let Some((analysis, curves)) = measured {
        let mut production = crate::bounce::production(session, BitDepth::Float32, mix.dithered);
        // A rate asked for is a delivery choice, not the mistake the preflight looks for.
        production.session_rate = rate;
        production.bits = opts.format.bits();
        production.float = opts.format.is_float();
        let r = Report::new(bounce.session_name.clone(), analysis, curves, production, summary.normalization);
        match r.write_beside(output) {
            Ok(p) => report_paths = Some(p),
            Err(e) => {
                report_error = Some(format!(
                    "cannot write the report beside {}: {e}; the files themselves are complete",
                    output.display()
                ));
            }
        }
        report = Some(r);
    }
    summary.report = None;
    Ok(DeliverySummary { mix, stems, bounce: summary, report, report_paths, report_error })
}

/// How one rendered file is converted.
#[derive(Debug, Clone)]
pub(crate) struct Convert {
    pub format: Format,
    /// The rendered file's rate.
    pub from: u32,
    /// The delivered rate.
    pub rate: u32,
    pub dither: bool,
    /// Picks the dither's noise sequence.
    pub seed: u64,
    /// Whether to measure the delivered file for a report.
    pub measure: bool,
    /// Gain applied before quantising, dB.
    pub gain_db: f64,
    /// The tags written into the file.
    pub tags: Tags,
    /// Cue points (name, frame at the delivered rate), WAV only.
    pub markers: Vec<(String, u64)>,
    /// The `bext` origination, WAV only.
    pub origination: Origination,
    /// Album tracks (start frame at the delivered rate, ISRC), written as a
    /// FLAC `CUESHEET` block; in an MP3 the markers become ID3 chapters when
    /// this is set (WAV has the markers as cue points).
    pub tracks: Vec<(u64, Option<String>)>,
}

/// Frames read from the rendered file at a time.
const READ_BLOCK: usize = 8192;

/// Converts the rendered float WAV `input` into `output` (see the module notes).
pub(crate) fn convert(
    input: &Path,
    output: &Path,
    spec: &Convert,
) -> Result<(DeliveredFile, Option<(Analysis, AnalysisCurves)>), DeliverError> {
    let read_err = |e: hound::Error| DeliverError::Write {
        path: output.to_owned(),
        source: std::io::Error::other(format!("reading the render {}: {e}", input.display())),
    };
    let write_err = |source| DeliverError::Write { path: output.to_owned(), source };
    let mut reader = hound::WavReader::open(input).map_err(read_err)?;
    let frames_in = u64::from(reader.duration());
    let frames_out =
        (u128::from(frames_in) * u128::from(spec.rate)).div_ceil(u128::from(spec.from.max(1))) as u64;
    let mut sink = Sink::create(output, spec, frames_out).map_err(write_err)?;
    let mut converter = if spec.from == spec.rate {
        None
    } else {
        Some(RateConverter::new(spec.from, spec.rate, frames_in).map_err(DeliverError::Invalid)?)
    };
    let bits = spec.format.bits();
    // WAV is always measured: its `bext` holds the loudness.
    let wav = matches!(spec.format, Format::Wav(_));
    let mut measure = ((spec.measure || wav) && spec.format.is_pcm()).then(|| {
        let clip = ClipLevels::for_format(bits, spec.format.is_float());
        (MixAnalyzer::new(spec.rate, 2, clip), [Vec::new(), Vec::new()])
    });
    let mut samples = reader.samples::<f32>();
    let (mut l, mut r) = (Vec::with_capacity(READ_BLOCK), Vec::with_capacity(READ_BLOCK));
    let mut out: [Vec<f32>; 2] = [Vec::new(), Vec::new()];
    let mut gained: [Vec<f32>; 2] = [Vec::new(), Vec::new()];
    let mut frames = 0u64;
    loop {
        l.clear();
        r.clear();
        while l.len() < READ_BLOCK {
            match (samples.next(), samples.next()) {
                (Some(a), Some(b)) => {
                    l.push(a.map_err(read_err)?);
                    r.push(b.map_err(read_err)?);
                }
                _ => break,
            }
        }
        let last = l.len() < READ_BLOCK;
        let (bl, br): (&[f32], &[f32]) = match &mut converter {
            None => (&l, &r),
            Some(c) => {
                out[0].clear();
                out[1].clear();
                c.push(&l, &r, &mut out).map_err(DeliverError::Invalid)?;
                if last {
                    c.finish(&mut out).map_err(DeliverError::Invalid)?;
                }
                (&out[0], &out[1])
            }
        };
        frames += bl.len() as u64;
        let (bl, br) = if spec.gain_db == 0.0 {
            (bl, br)
        } else {
            let g = 10f64.powf(spec.gain_db / 20.0) as f32;
            gained[0].clear();
            gained[1].clear();
            gained[0].extend(bl.iter().map(|x| x * g));
            gained[1].extend(br.iter().map(|x| x * g));
            (&gained[0][..], &gained[1][..])
        };
        sink.write(bl, br, measure.as_mut().map(|(_, back)| back)).map_err(write_err)?;
        if let Some((a, back)) = &mut measure {
            feed_whole_blocks(a, back);
        }
        if last {
            break;
        }
    }
    let measured = measure.map(|(a, back)| {
        let (mut analysis, curves) = finish_measure(a, back);
        analysis.file = Some(output.to_owned());
        analysis.bit_depth = bits.or(spec.format.is_float().then_some(32));
        analysis.float = spec.format.is_float();
        (analysis, curves)
    });
    let path = sink.finish(measured.as_ref().map(|(a, _)| a)).map_err(write_err)?;
    let measured = match measured {
        Some(m) => spec.measure.then_some(m),
        None if spec.measure => Some(analyze_file(&path).map_err(|e| DeliverError::Write {
            path: path.clone(),
            source: std::io::Error::other(format!("the written file does not decode back: {e}")),
        })?),
        None => None,
    };
    let file = DeliveredFile {
        path,
        format: spec.format,
        rate: spec.rate,
        frames,
        dithered: spec.dither,
        gain_db: spec.gain_db,
        analysis: measured.as_ref().map(|(a, _)| a.clone()),
    };
    Ok((file, measured))
}

/// Feeds the analyzer every whole [`ANALYSIS_BLOCK`] held (the blocks
/// `analyze_file` uses, so the sums are made in its order).
fn feed_whole_blocks(a: &mut MixAnalyzer, back: &mut [Vec<f32>; 2]) {
    let whole = back[0].len() / ANALYSIS_BLOCK * ANALYSIS_BLOCK;
    for at in (0..whole).step_by(ANALYSIS_BLOCK) {
        a.add(&back[0][at..at + ANALYSIS_BLOCK], &back[1][at..at + ANALYSIS_BLOCK]);
    }
    for b in back.iter_mut() {
        b.drain(..whole);
    }
}

/// Feeds what is left and finishes.
fn finish_measure(mut a: MixAnalyzer, mut back: [Vec<f32>; 2]) -> (Analysis, AnalysisCurves) {
    feed_whole_blocks(&mut a, &mut back);
    a.add(&back[0], &back[1]);
    a.finish()
}

/// The file being written, whatever its format.
enum Sink {
    Wav(BwfSink),
    Flac(FlacSink),
    Mp3(Mp3Sink),
}

impl Sink {
    /// Starts `path` for a file of `frames` frames at the delivered rate.
    fn create(path: &Path, spec: &Convert, frames: u64) -> std::io::Result<Sink> {
        Ok(match spec.format {
            Format::Wav(bits) => {
                let depth = match bits {
                    WavBits::Int16 => BitDepth::Int16,
                    WavBits::Int24 => BitDepth::Int24,
                    WavBits::Float32 => BitDepth::Float32,
                };
                Sink::Wav(BwfSink::create(
                    path,
                    spec.rate,
                    depth,
                    spec.dither,
                    spec.seed,
                    &spec.origination,
                    &spec.tags,
                    spec.markers.clone(),
                )?)
            }
            Format::Flac(_) => Sink::Flac(FlacSink::create(
                path,
                spec.rate,
                spec.format.bits().unwrap_or(24),
                spec.dither,
                spec.seed,
                vec![(4, spec.tags.vorbis_comment())],
                spec.tracks.clone(),
            )?),
            Format::Mp3(mode) => {
                // An album: one chapter per track (the markers hold the titles and starts).
                let ms = |f: u64| {
                    (u128::from(f) * 1000 / u128::from(spec.rate.max(1))).min(u128::from(u32::MAX)) as u32
                };
                let chapters: Vec<(String, u32, u32)> = if spec.tracks.is_empty() {
                    Vec::new()
                } else {
                    let ends = spec.markers.iter().skip(1).map(|m| m.1).chain([frames]);
                    spec.markers.iter().zip(ends).map(|((t, s), e)| (t.clone(), ms(*s), ms(e))).collect()
                };
                Sink::Mp3(Mp3Sink::create(path, spec.rate, mode, &spec.tags.id3_with_chapters(&chapters)?)?)
            }
        })
    }

    fn write(&mut self, l: &[f32], r: &[f32], back: Option<&mut [Vec<f32>; 2]>) -> std::io::Result<()> {
        match self {
            Sink::Wav(s) => s.write(l, r, back),
            Sink::Flac(s) => {
                s.write(l, r, back);
                Ok(())
            }
            Sink::Mp3(s) => s.write(l, r),
        }
    }

    fn finish(self, measured: Option<&Analysis>) -> std::io::Result<PathBuf> {
        match self {
            Sink::Wav(s) => s.finish(measured),
            Sink::Flac(s) => s.finish(),
            Sink::Mp3(s) => s.finish(),
        }
    }
}

//! The share page: one self-contained HTML file beside a bounce
//! (`mix.wav` -> `mix.review.html`) that an artist opens in any browser. It
//! plays the bounce (an `<audio>` element pointing at the file beside it),
//! draws its waveform from peaks embedded in the page, shows each note as a
//! pin at its time (a band for a range) and in a list, and lets the listener
//! add notes and replies and save them as a small `.notes.json` file (see
//! [`super::import::NotesFile`]) that `mixdesk notes import` reads. No
//! network, no installation: the page's script and styles are inline.
//!
//! Everything from the session reaches the page as JSON inside a
//! `<script type="application/json">` element (with `<`, `>` and `&`
//! escaped), and the script puts text into the page with `textContent`, so a
//! note cannot inject markup.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::import::{FILE_VERSION, FORMAT};
use crate::atomic::write_atomically;
use crate::session::{Note, NoteStatus, Session};

/// Pairs of (min, max) drawn across the page's waveform.
pub const PEAK_COLUMNS: usize = 1200;

const TEMPLATE: &str = include_str!("page.html");

/// Which notes go out with the bounce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Which {
    /// Every note.
    #[default]
    All,
    /// Open notes only.
    Open,
}

impl Which {
    fn keeps(self, n: &Note) -> bool {
        self == Which::All || n.status == NoteStatus::Open
    }
}

/// The page's data: what the script reads.
#[derive(Debug, Serialize)]
struct Data<'a> {
    format: &'a str,
    version: u32,
    session: String,
    bounce: String,
    /// Seconds on the timeline of the bounce's first sample.
    start: f64,
    /// The bounce's length in seconds.
    duration: f64,
    /// Per column: minimum and maximum of both channels, in hundredths of full scale.
    peaks: Vec<[i8; 2]>,
    notes: Vec<PageNote>,
    /// Notes left out because they lie outside the bounce.
    outside: usize,
}

#[derive(Debug, Serialize)]
struct PageNote {
    id: u32,
    /// Seconds into the bounce.
    at: f64,
    end: Option<f64>,
    track: Option<String>,
    author: String,
    text: String,
    status: &'static str,
    replies: Vec<PageReply>,
}

#[derive(Debug, Serialize)]
struct PageReply {
    author: String,
    text: String,
}

/// Where the page for `bounce` goes: `mix.wav` -> `mix.review.html`.
pub fn page_path(bounce: &Path) -> PathBuf {
    with_suffix(bounce, ".review.html")
}

/// Where the page suggests saving the listener's notes: `mix.notes.json`.
pub fn notes_file_name(bounce: &Path) -> String {
    with_suffix(bounce, ".notes.json")
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn with_suffix(bounce: &Path, suffix: &str) -> PathBuf {
    let mut name = bounce.file_stem().unwrap_or_default().to_os_string();
    name.push(suffix);
    bounce.with_file_name(name)
}

/// What a written page holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The page.
    pub path: PathBuf,
    /// Notes on it.
    pub notes: usize,
    /// Notes left out because they lie outside the bounce's range.
    pub outside: usize,
}

/// Writes the share page for the bounce at `bounce` (a WAV file), which
/// starts at `start` seconds on `session`'s timeline, atomically beside it.
pub fn write(
    session: &Session,
    session_name: &str,
    bounce: &Path,
    start: f64,
    which: Which,
) -> std::io::Result<Written> {
    let (peaks, duration) = wav_peaks(bounce, PEAK_COLUMNS)?;
    let html = render(session, session_name, bounce, start, duration, peaks, which)?;
    let path = page_path(bounce);
    write_atomically(&path, false, |w| w.write_all(html.page.as_bytes()))?;
    Ok(Written { path, notes: html.notes, outside: html.outside })
}

struct Rendered {
    page: String,
    notes: usize,
    outside: usize,
}

fn render(
    s: &Session,
    session_name: &str,
    bounce: &Path,
    start: f64,
    duration: f64,
    peaks: Vec<[i8; 2]>,
    which: Which,
) -> std::io::Result<Rendered> {
    let rate = s.sample_rate;
    let (mut notes, mut outside) = (Vec::new(), 0);
    for n in s.notes.iter().filter(|n| which.keeps(n)) {
        let at = n.at.to_seconds(rate) - start;
        let end = n.end.map(|e| e.to_seconds(rate) - start);
        if end.unwrap_or(at) < 0.0 || at > duration {
            outside += 1;
            continue;
        }
        notes.push(PageNote {
            id: n.id.0,
            at: at.max(0.0),
            end: end.map(|e| e.min(duration)),
            track: n
                .track
                .map(|t| s.track(t).map_or_else(|| format!("removed track {t}"), |t| t.name.clone())),
            author: n.author.clone(),
            text: n.text.clone(),
            status: n.status.label(),
            replies: n
                .replies
                .iter()
                .map(|r| PageReply { author: r.author.clone(), text: r.text.clone() })
                .collect(),
        });
    }
    let bounce_name = bounce.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let count = notes.len();
    let data = Data {
        format: FORMAT,
        version: FILE_VERSION,
        session: session_name.to_owned(),
        bounce: bounce_name.clone(),
        start,
        duration,
        peaks,
        notes,
        outside,
    };
    let json = serde_json::to_string(&data).map_err(std::io::Error::other)?;
    let page = TEMPLATE
        .replace("{{TITLE}}", &html_escape(&format!("{bounce_name}: review notes")))
        .replace("{{AUDIO}}", &html_escape(&url_path(&bounce_name)))
        .replace("{{SAVE_AS}}", &html_escape(&notes_file_name(bounce)))
        .replace("{{DATA}}", &script_json(&json));
    Ok(Rendered { page, notes: count, outside })
}

/// JSON safe inside `<script>`: no `<`, `>` or `&` that could end the element.
fn script_json(json: &str) -> String {
    json.replace('&', "\\u0026").replace('<', "\\u003c").replace('>', "\\u003e")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A file name as a relative URL: every byte outside the unreserved set percent-encoded.
fn url_path(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `columns` (min, max) pairs over both channels of the WAV at `path`, in
/// hundredths of full scale, and its length in seconds.
pub fn wav_peaks(path: &Path, columns: usize) -> std::io::Result<(Vec<[i8; 2]>, f64)> {
    let mut reader = hound::WavReader::open(path)
        .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let frames = u64::from(reader.duration());
    let duration = frames as f64 / f64::from(spec.sample_rate.max(1));
    let columns = columns.max(1);
    let mut out = vec![[0i8; 2]; columns];
    let column_of = |i: u64| ((i as u128 * columns as u128) / u128::from(frames.max(1))) as usize;
    let mut put = |index: u64, v: f32| {
        let c = &mut out[column_of(index / channels as u64).min(columns - 1)];
        let v = (v.clamp(-1.0, 1.0) * 100.0).round() as i8;
        c[0] = c[0].min(v);
        c[1] = c[1].max(v);
    };
    let bad = |e: hound::Error| std::io::Error::other(format!("{}: {e}", path.display()));
    match spec.sample_format {
        hound::SampleFormat::Float => {
            for (i, v) in reader.samples::<f32>().enumerate() {
                put(i as u64, v.map_err(bad)?);
            }
        }
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            for (i, v) in reader.samples::<i32>().enumerate() {
                put(i as u64, v.map_err(bad)? as f32 * scale);
            }
        }
    }
    Ok((out, duration))
}

/// The notes of `s` that lie in the bounce from `start` for `duration`
/// seconds, as lines for the report's text ("1:23  open  [Vocal] Ann: vocal
/// too quiet", times on the session's timeline) and as JSON for its `.json`.
pub fn report_section(s: &Session, start: f64, duration: f64, which: Which) -> (String, serde_json::Value) {
    let rate = s.sample_rate;
    let mut text = String::new();
    let mut items = Vec::new();
    let inside = |n: &&Note| {
        let (at, last) = (n.at.to_seconds(rate), n.last().to_seconds(rate));
        last >= start && at <= start + duration
    };
    for n in s.notes.iter().filter(|n| which.keeps(n)).filter(inside) {
        let at = super::format_clock(n.at.to_seconds(rate));
        let when = n.end.map_or(at.clone(), |e| format!("{at}-{}", super::format_clock(e.to_seconds(rate))));
        let track =
            n.track.map(|t| s.track(t).map_or_else(|| format!("removed track {t}"), |t| t.name.clone()));
        let mut line = format!("  {when:<17} {:<8}", n.status.label());
        if let Some(t) = &track {
            line.push_str(&format!(" [{t}]"));
        }
        if !n.author.is_empty() {
            line.push_str(&format!(" {}:", n.author));
        }
        text.push_str(&format!("{line} {}\n", n.text));
        for r in &n.replies {
            let who = if r.author.is_empty() { "reply" } else { r.author.as_str() };
            text.push_str(&format!("{:>30}{who}: {}\n", "", r.text));
        }
        items.push(serde_json::json!({
            "id": n.id.0,
            "at_seconds": n.at.to_seconds(rate),
            "end_seconds": n.end.map(|e| e.to_seconds(rate)),
            "track": track,
            "author": n.author,
            "text": n.text,
            "status": n.status.label(),
            "replies": n.replies.iter().map(|r| serde_json::json!({"author": r.author, "text": r.text})).collect::<Vec<_>>(),
        }));
    }
    let heading = match which {
        Which::All => "Review notes",
        Which::Open => "Open review notes",
    };
    let text = if items.is_empty() {
        format!("\n{heading}: none in this bounce\n")
    } else {
        format!("\n{heading} ({}; times on the session's timeline)\n{text}", items.len())
    };
    (text, serde_json::Value::Array(items))
}

/// Adds [`report_section`] to a written report: appended to its `.txt`, as
/// `notes` in its `.json`; each file rewritten atomically.
pub fn add_to_report(
    paths: &crate::report::ReportPaths,
    s: &Session,
    start: f64,
    duration: f64,
    which: Which,
) -> std::io::Result<()> {
    let (text, json) = report_section(s, start, duration, which);
    let mut report: serde_json::Value = serde_json::from_slice(&std::fs::read(&paths.json)?)
        .map_err(|e| std::io::Error::other(format!("{}: {e}", paths.json.display())))?;
    if let Some(map) = report.as_object_mut() {
        map.insert("notes".into(), json);
    }
    let bytes = serde_json::to_vec_pretty(&report).map_err(std::io::Error::other)?;
    write_atomically(&paths.json, false, |w| w.write_all(&bytes))?;
    let mut txt = std::fs::read(&paths.text)?;
    txt.extend_from_slice(text.as_bytes());
    write_atomically(&paths.text, false, |w| w.write_all(&txt))
}

/// After a bounce: the share page beside it and the notes in its report (when
/// one was written), for the notes `which` keeps. Nothing when the session has
/// no notes. The error names the file.
pub fn with_the_bounce(
    s: &Session,
    summary: &crate::bounce::BounceSummary,
    opts: &crate::bounce::BounceOptions,
    which: Which,
) -> Result<Option<Written>, String> {
    if s.notes.is_empty() {
        return Ok(None);
    }
    let start = opts.start.to_seconds(s.sample_rate);
    let seconds = summary.frames as f64 / f64::from(summary.sample_rate.max(1));
    let name = opts.session_name.clone().unwrap_or_default();
    let written = write(s, &name, &summary.output, start, which)
        .map_err(|e| format!("cannot write the review page beside {}: {e}", summary.output.display()))?;
    if let Some(paths) = &summary.report_paths {
        add_to_report(paths, s, start, seconds, which)
            .map_err(|e| format!("cannot add the notes to the report {}: {e}", paths.text.display()))?;
    }
    Ok(Some(written))
}

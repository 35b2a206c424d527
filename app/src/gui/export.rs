//! The export dialog: range, format (WAV, FLAC, MP3), sample rate, dither,
//! stems, loudness normalisation and the file; the bounce runs on a worker
//! thread with a progress bar and a cancel button, and ends with the
//! report's summary and preflight warnings. WAV at the session rate takes
//! the one-pass bounce; any other format or rate goes through
//! `mixdesk_engine::deliver` (stems in the same format).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use iced::widget::{
    Column, button, checkbox, column, container, pick_list, progress_bar, row, text, text_input,
};
use iced::{Alignment, Element, Length, Task};
use mixdesk_engine::bounce::{BitDepth, BounceOptions, Dither, NormalizeTarget, bounce};
use mixdesk_engine::deliver::{DeliverOptions, FlacBits, Format, Mp3Mode, Tags, WavBits, deliver};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::session::Session;
use mixdesk_engine::units::SampleTime;

use super::theme::{self, Tone};

/// What to bounce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// From the start to the end of the last clip.
    Session,
    /// The loop range.
    Loop,
    /// Typed start and end.
    Custom,
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Range::Session => "Whole session",
            Range::Loop => "Loop range",
            Range::Custom => "Custom",
        })
    }
}

/// The file format offered: WAV at three depths, FLAC at two, MP3 CBR 320 and VBR V0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Depth(pub Format);

impl Depth {
    /// Every format the dialog offers.
    pub const ALL: [Depth; 7] = [
        Depth(Format::Wav(WavBits::Int16)),
        Depth(Format::Wav(WavBits::Int24)),
        Depth(Format::Wav(WavBits::Float32)),
        Depth(Format::Flac(FlacBits::Int16)),
        Depth(Format::Flac(FlacBits::Int24)),
        Depth(Format::Mp3(Mp3Mode::Cbr(320))),
        Depth(Format::Mp3(Mp3Mode::Vbr(0))),
    ];

    /// The bounce's word length for this format (24 bit for MP3, unused).
    fn bit_depth(self) -> BitDepth {
        match self.0.bits() {
            Some(16) => BitDepth::Int16,
            None if self.0.is_float() => BitDepth::Float32,
            _ => BitDepth::Int24,
        }
    }
}

impl std::fmt::Display for Depth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.describe())
    }
}

/// The sample rate the file is delivered at (`None`: the session's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateChoice(pub Option<u32>);

impl RateChoice {
    /// Every rate the dialog offers.
    pub const ALL: [RateChoice; 5] = [
        RateChoice(None),
        RateChoice(Some(44_100)),
        RateChoice(Some(48_000)),
        RateChoice(Some(88_200)),
        RateChoice(Some(96_000)),
    ];
}

impl std::fmt::Display for RateChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("Session rate"),
            Some(r) => write!(f, "{:.1} kHz", f64::from(r) / 1000.0),
        }
    }
}

/// Dither choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DitherChoice(pub Dither);

impl std::fmt::Display for DitherChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Dither::Auto => "Auto (TPDF at 16-bit)",
            Dither::Tpdf => "TPDF",
            Dither::None => "None",
        })
    }
}

/// The id of the output file's field.
pub const OUTPUT_FIELD: &str = "export-output";

/// What the user did in the dialog.
#[derive(Debug, Clone)]
pub enum Message {
    /// Range chosen.
    RangeChosen(Range),
    /// Custom start typed (seconds).
    StartTyped(String),
    /// Custom end typed (seconds).
    EndTyped(String),
    /// Tail typed (seconds).
    TailTyped(String),
    /// Format chosen (the file's extension follows it).
    DepthChosen(Depth),
    /// Sample rate chosen.
    RateChosen(RateChoice),
    /// Dither chosen.
    DitherChosen(DitherChoice),
    /// Stems switched.
    StemsToggled(bool),
    /// Normalisation switched.
    NormalizeToggled(bool),
    /// Target loudness typed.
    LufsTyped(String),
    /// True-peak ceiling typed.
    CeilingTyped(String),
    /// Output path typed.
    OutputTyped(String),
    /// "Choose…" pressed.
    Browse,
    /// The save dialog answered.
    Browsed(Option<PathBuf>),
    /// No save dialog could open: the path is typed in its field.
    NoDialog,
    /// "Export" pressed.
    Start,
    /// "Cancel" pressed while running.
    Cancel,
    /// The bounce ended.
    Finished(Result<Vec<String>, String>),
    /// The dialog was closed.
    Closed,
}

/// A bounce in progress.
#[derive(Debug, Clone)]
struct Running {
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct Export {
    range: Range,
    start: String,
    end: String,
    tail: String,
    depth: Depth,
    rate: RateChoice,
    dither: DitherChoice,
    stems: bool,
    normalize: bool,
    lufs: String,
    ceiling: String,
    /// The mix file to write.
    pub output: String,
    running: Option<Running>,
    /// "Choose…" found no file dialog: the dialog says to type the path.
    pub no_dialog: bool,
    /// The last result: summary lines, or the error.
    pub result: Option<Result<Vec<String>, String>>,
}

impl Export {
    /// A dialog with delivery defaults, writing `NAME-mix.wav` beside the session.
    pub fn new(dir: &Path, name: &str) -> Export {
        Export {
            range: Range::Session,
            start: "0".into(),
            end: String::new(),
            tail: "2".into(),
            depth: Depth(Format::Wav(WavBits::Int24)),
            rate: RateChoice(None),
            dither: DitherChoice(Dither::Auto),
            stems: false,
            normalize: false,
            lufs: "-14".into(),
            ceiling: "-1".into(),
            output: dir.join("exports").join(format!("{name}-mix.wav")).display().to_string(),
            running: None,
            no_dialog: false,
            result: None,
        }
    }

    /// Whether a bounce runs.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Fraction done of the running bounce.
    pub fn progress(&self) -> f32 {
        self.running.as_ref().map_or(0.0, |r| r.progress.load(Ordering::Relaxed) as f32 / 1e6)
    }

    /// Applies a message; returns a task (the bounce, or the file dialog) and whether to close.
    pub fn update(
        &mut self,
        message: Message,
        session: &Session,
        dir: &Path,
        name: &str,
    ) -> (Task<Message>, bool) {
        match message {
            Message::RangeChosen(r) => self.range = r,
            Message::StartTyped(s) => self.start = s,
            Message::EndTyped(s) => self.end = s,
            Message::TailTyped(s) => self.tail = s,
            Message::DepthChosen(d) => {
                self.depth = d;
                let path = PathBuf::from(self.output.trim());
                if !self.output.trim().is_empty() {
                    self.output = path.with_extension(d.0.extension()).display().to_string();
                }
            }
            Message::RateChosen(r) => self.rate = r,
            Message::DitherChosen(d) => self.dither = d,
            Message::StemsToggled(b) => self.stems = b,
            Message::NormalizeToggled(b) => self.normalize = b,
            Message::LufsTyped(s) => self.lufs = s,
            Message::CeilingTyped(s) => self.ceiling = s,
            Message::OutputTyped(s) => self.output = s,
            Message::Browse => {
                let file = Path::new(&self.output).file_name().map(|f| f.to_string_lossy().into_owned());
                return (
                    super::files::ask(
                        async move {
                            let mut d =
                                rfd::AsyncFileDialog::new().add_filter("Audio", &["wav", "flac", "mp3"]);
                            if let Some(f) = file {
                                d = d.set_file_name(f);
                            }
                            d.save_file().await.map(|h| h.path().to_owned())
                        },
                        Message::Browsed,
                        Message::NoDialog,
                    ),
                    false,
                );
            }
            Message::NoDialog => {
                self.no_dialog = true;
                return (iced::widget::operation::focus(iced::widget::Id::new(OUTPUT_FIELD)), false);
            }
            Message::Browsed(p) => {
                if let Some(p) = p {
                    self.output = p.display().to_string();
                }
            }
            Message::Start => match self.options(session, name) {
                Ok(opts) => return (self.start(session.clone(), dir.to_owned(), opts), false),
                Err(e) => self.result = Some(Err(e)),
            },
            Message::Cancel => {
                if let Some(r) = &self.running {
                    r.cancel.store(true, Ordering::Relaxed);
                }
            }
            Message::Finished(r) => {
                self.running = None;
                self.result = Some(r);
            }
            Message::Closed => {
                if let Some(r) = &self.running {
                    r.cancel.store(true, Ordering::Relaxed);
                }
                return (Task::none(), true);
            }
        }
        (Task::none(), false)
    }

    /// The bounce options from the fields, or what is wrong with them.
    pub fn options(&self, session: &Session, name: &str) -> Result<BounceOptions, String> {
        let rate = session.sample_rate;
        let secs = |what: &str, s: &str| -> Result<f64, String> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("{what} \"{s}\" is not a time; type seconds such as 12.5"))
        };
        let (start, end) = match self.range {
            Range::Session => (SampleTime::ZERO, None),
            Range::Loop => {
                let l = session
                    .loop_range
                    .ok_or("there is no loop range; set one on the timeline or choose another range")?;
                (l.start, Some(l.end))
            }
            Range::Custom => {
                let s = secs("The start", &self.start)?;
                let e = secs("The end", &self.end)?;
                if e <= s {
                    return Err("the end must come after the start".into());
                }
                (SampleTime::from_seconds(s, rate), Some(SampleTime::from_seconds(e, rate)))
            }
        };
        let normalize = if self.normalize {
            let lufs = self.lufs.trim().parse::<f64>().ok().filter(|v| (-70.0..=0.0).contains(v));
            let ceiling = self.ceiling.trim().parse::<f64>().ok().filter(|v| (-70.0..=0.0).contains(v));
            let lufs = lufs.ok_or("the target loudness must be a number of LUFS between -70 and 0")?;
            Some(NormalizeTarget { lufs, ceiling_dbtp: ceiling })
        } else {
            None
        };
        if self.output.trim().is_empty() {
            return Err("choose a file to write".into());
        }
        let output = PathBuf::from(self.output.trim());
        Ok(BounceOptions {
            start,
            end,
            tail: SampleTime::from_seconds(secs("The tail", &self.tail)?, rate),
            depth: self.depth.bit_depth(),
            dither: self.dither.0,
            stems_dir: self.stems.then(|| stems_dir(&output)),
            normalize,
            report: true,
            session_name: Some(name.to_owned()),
            ..BounceOptions::default()
        })
    }

    /// The delivery this dialog asks for beyond a plain bounce, if any: a
    /// format other than WAV, or another rate than the session's.
    pub fn delivery(&self, session: &Session) -> Option<DeliverOptions> {
        let plain =
            matches!(self.depth.0, Format::Wav(_)) && self.rate.0.is_none_or(|r| r == session.sample_rate);
        (!plain).then(|| DeliverOptions {
            format: self.depth.0,
            rate: self.rate.0,
            tags: Tags::default(),
            peak_headroom_dbfs: None,
        })
    }

    fn start(&mut self, session: Session, dir: PathBuf, opts: BounceOptions) -> Task<Message> {
        let delivery = self.delivery(&session);
        let running =
            Running { progress: Arc::new(AtomicU32::new(0)), cancel: Arc::new(AtomicBool::new(false)) };
        self.running = Some(running.clone());
        self.result = None;
        let output = PathBuf::from(self.output.trim());
        let (tx, rx) = iced::futures::channel::oneshot::channel();
        std::thread::spawn(move || {
            let _ = tx.send(match &delivery {
                None => run(&session, &dir, &output, &opts, &running),
                Some(d) => run_delivery(&session, &dir, &output, &opts, d, &running),
            });
        });
        Task::perform(
            async move { rx.await.unwrap_or_else(|_| Err("the export stopped unexpectedly".into())) },
            Message::Finished,
        )
    }

    /// The dialog.
    pub fn view(&self) -> Element<'_, Message> {
        let label = |s: &'static str| text(s).size(13).width(Length::Fixed(150.0));
        let field = |v: &str, f: fn(String) -> Message| {
            text_input("", v).size(13).padding(4).width(Length::Fixed(90.0)).style(theme::input).on_input(f)
        };
        let mut range = row![
            label("Range"),
            pick_list([Range::Session, Range::Loop, Range::Custom], Some(self.range), Message::RangeChosen)
                .text_size(13)
                .style(theme::pick),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        if self.range == Range::Custom {
            range = range.push(text("from").size(12)).push(field(&self.start, Message::StartTyped));
            range = range
                .push(text("to").size(12))
                .push(field(&self.end, Message::EndTyped))
                .push(text("s").size(12));
        }
        let mut body = Column::new().spacing(10).push(text("Export").size(18)).push(range);
        body = body.push(
            row![
                label("Tail"),
                field(&self.tail, Message::TailTyped),
                text("s after the end, for reverb and delay tails").size(12)
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
        body = body.push(
            row![
                label("Format"),
                pick_list(Depth::ALL, Some(self.depth), Message::DepthChosen)
                    .text_size(13)
                    .style(theme::pick),
                pick_list(RateChoice::ALL, Some(self.rate), Message::RateChosen)
                    .text_size(13)
                    .style(theme::pick),
                text("Dither").size(13),
                pick_list(
                    [DitherChoice(Dither::Auto), DitherChoice(Dither::Tpdf), DitherChoice(Dither::None)],
                    Some(self.dither),
                    Message::DitherChosen
                )
                .text_size(13)
                .style(theme::pick),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
        body = body.push(
            row![
                label("Stems"),
                checkbox(self.stems)
                    .label("one file per track and bus, in a folder beside the mix")
                    .on_toggle(Message::StemsToggled)
                    .text_size(13)
            ]
            .spacing(8),
        );
        let mut norm = row![
            label("Normalize"),
            checkbox(self.normalize).label("to").on_toggle(Message::NormalizeToggled).text_size(13)
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        if self.normalize {
            norm = norm
                .push(field(&self.lufs, Message::LufsTyped))
                .push(text("LUFS, true peak at most").size(12))
                .push(field(&self.ceiling, Message::CeilingTyped))
                .push(text("dBTP").size(12));
        }
        body = body.push(norm);
        body = body.push(
            row![
                label("File"),
                text_input("mix.wav", &self.output)
                    .id(iced::widget::Id::new(OUTPUT_FIELD))
                    .size(13)
                    .padding(4)
                    .style(theme::input)
                    .on_input(Message::OutputTyped),
                button(text("Choose…").size(13))
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::Browse),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
        if self.no_dialog {
            body = body.push(
                text(format!("{} {}", super::path_prompt::NO_DIALOG, super::path_prompt::INSTALL_HINT))
                    .size(12)
                    .style(theme::warning_text),
            );
        }
        if self.is_running() {
            body = body.push(
                row![
                    progress_bar(0.0..=1.0, self.progress()).girth(14).style(theme::progress),
                    text(format!("{:.0} %", 100.0 * self.progress())).size(13),
                    button(text("Cancel").size(13))
                        .style(theme::button(Tone::Danger, true))
                        .on_press(Message::Cancel),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        } else {
            body = body.push(
                row![
                    button(text("Export").size(14))
                        .padding([6, 18])
                        .style(theme::button(Tone::Accent, true))
                        .on_press(Message::Start),
                    button(text("Close").size(14))
                        .padding([6, 18])
                        .style(theme::button(Tone::Plain, false))
                        .on_press(Message::Closed),
                ]
                .spacing(8),
            );
        }
        match &self.result {
            Some(Ok(lines)) => {
                body = body.push(column(lines.iter().map(|l| text(l.clone()).size(12).into())).spacing(2));
            }
            Some(Err(e)) => {
                body = body.push(
                    container(text(e.clone()).size(13))
                        .padding(6)
                        .width(Length::Fill)
                        .style(theme::error_banner),
                );
            }
            None => {}
        }
        container(body).padding(16).width(Length::Fixed(720.0)).style(theme::dialog).into()
    }
}

/// The stems folder for a mix file: `NAME-stems` beside it.
pub fn stems_dir(output: &Path) -> PathBuf {
    let stem = output.file_stem().map_or_else(|| "mix".into(), |s| s.to_string_lossy().into_owned());
    output.with_file_name(format!("{stem}-stems"))
}

/// Runs a delivery (another format or rate) and describes it for the dialog.
fn run_delivery(
    session: &Session,
    dir: &Path,
    output: &Path,
    opts: &BounceOptions,
    delivery: &DeliverOptions,
    running: &Running,
) -> Result<Vec<String>, String> {
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            format!("cannot create the folder {}: {e}. Choose another place for the mix.", parent.display())
        })?;
    }
    let done = deliver(session, dir, &MediaPool::new(), output, opts, delivery, &mut |f| {
        running.progress.store((f.clamp(0.0, 1.0) * 1e6) as u32, Ordering::Relaxed);
        !running.cancel.load(Ordering::Relaxed)
    })
    .map_err(|e| e.to_string())?;
    let mut lines = vec![format!(
        "Wrote {} ({:.1} s, {} Hz, {}){}",
        done.mix.path.display(),
        done.mix.frames as f64 / f64::from(done.mix.rate.max(1)),
        done.mix.rate,
        done.mix.format.describe(),
        if done.stems.is_empty() { String::new() } else { format!(" and {} stems", done.stems.len()) }
    )];
    if let Some(n) = &done.bounce.normalization {
        lines.push(n.describe());
    }
    if let Some(report) = &done.report {
        report_lines(report, &mut lines);
    }
    if let Some(p) = &done.report_paths {
        lines.push(format!("Report: {}", p.text.display()));
    }
    if let Some(e) = &done.report_error {
        lines.push(format!("The report could not be written: {e}"));
    }
    Ok(lines)
}

/// The report's loudness and preflight lines.
fn report_lines(report: &mixdesk_engine::report::Report, lines: &mut Vec<String>) {
    let a = &report.analysis;
    let num = |x: Option<f64>| x.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
    lines.push(format!(
        "Loudness {} LUFS integrated, LRA {} LU, true peak {} dBTP",
        num(a.integrated_lufs),
        num(a.loudness_range_lu),
        num(a.true_peak_dbtp)
    ));
    let warnings: Vec<_> = report.warnings().collect();
    if warnings.is_empty() {
        lines.push(format!("Mastering preflight: all {} checks pass", report.preflight.len()));
    }
    for w in warnings {
        lines.push(format!("⚠ {}: {}", w.key, w.detail));
    }
}

/// Runs a bounce and describes the result in lines for the dialog.
fn run(
    session: &Session,
    dir: &Path,
    output: &Path,
    opts: &BounceOptions,
    running: &Running,
) -> Result<Vec<String>, String> {
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            format!("cannot create the folder {}: {e}. Choose another place for the mix.", parent.display())
        })?;
    }
    let summary = bounce(session, dir, &MediaPool::new(), output, opts, &mut |f| {
        running.progress.store((f.clamp(0.0, 1.0) * 1e6) as u32, Ordering::Relaxed);
        !running.cancel.load(Ordering::Relaxed)
    })
    .map_err(|e| e.to_string())?;
    let mut lines = vec![format!(
        "Wrote {} ({:.1} s, {} Hz){}",
        summary.output.display(),
        summary.frames as f64 / f64::from(summary.sample_rate.max(1)),
        summary.sample_rate,
        if summary.stems.is_empty() { String::new() } else { format!(" and {} stems", summary.stems.len()) }
    )];
    if let Some(n) = &summary.normalization {
        lines.push(n.describe());
    }
    if let Some(report) = &summary.report {
        report_lines(report, &mut lines);
    }
    if let Some(p) = &summary.report_paths {
        lines.push(format!("Report: {}", p.text.display()));
    }
    if let Some(e) = &summary.report_error {
        lines.push(format!("The report could not be written: {e}"));
    }
    // The session's review notes go out with the bounce: a page to share and a section of the report.
    match mixdesk_engine::review::page::with_the_bounce(session, &summary, opts, Default::default()) {
        Ok(Some(w)) => lines.push(format!("Review page with {} notes: {}", w.notes, w.path.display())),
        Ok(None) => {}
        Err(e) => lines.push(e),
    }
    Ok(lines)
}

//! The export dialog's delivery presets: tick several of the session's
//! presets, edit one (format, rate, loudness target, true-peak ceiling,
//! peak headroom), write notes for the mastering engineer, and run them all
//! in one export that writes the delivery sheet
//! (`mixdesk_engine::deliver::batch::run_presets`, on a worker, with
//! progress). A preset edit is one undo step ([`Edit::Delivery`], typing
//! in a field merges into one), saved in the session: the first edit copies
//! the five defaults into the session.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use iced::widget::{
    Column, button, checkbox, column, container, pick_list, progress_bar, row, text, text_input,
};
use iced::{Alignment, Element, Length, Task};
use mixdesk_engine::deliver::Tags;
use mixdesk_engine::deliver::batch::{BatchSummary, run_presets};
use mixdesk_engine::deliver::preset::{self, DeliveryPreset};
use mixdesk_engine::edit::Edit;
use mixdesk_engine::session::Session;

use super::document::Document;
use super::export::{Depth, RateChoice};
use super::theme::{self, Tone};

/// The id of the notes field.
pub const NOTES_FIELD: &str = "delivery-notes";
/// The id of the output folder's field.
pub const FOLDER_FIELD: &str = "delivery-folder";

/// A number of the preset being edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    /// Normalise to this loudness, LUFS (empty: no normalisation).
    Lufs,
    /// The true-peak ceiling of the normalisation, dBTP.
    Ceiling,
    /// The sample-peak headroom, dBFS.
    Headroom,
}

impl Number {
    /// The field's id.
    pub fn id(self) -> iced::widget::Id {
        iced::widget::Id::new(match self {
            Number::Lufs => "delivery-lufs",
            Number::Ceiling => "delivery-ceiling",
            Number::Headroom => "delivery-headroom",
        })
    }

    fn get(self, p: &DeliveryPreset) -> Option<f64> {
        match self {
            Number::Lufs => p.normalize_lufs,
            Number::Ceiling => p.true_peak_ceiling,
            Number::Headroom => p.peak_headroom_dbfs,
        }
    }

    fn set(self, p: &mut DeliveryPreset, v: Option<f64>) {
        *match self {
            Number::Lufs => &mut p.normalize_lufs,
            Number::Ceiling => &mut p.true_peak_ceiling,
            Number::Headroom => &mut p.peak_headroom_dbfs,
        } = v;
    }

    fn word(self) -> &'static str {
        match self {
            Number::Lufs => "loudness target",
            Number::Ceiling => "true-peak ceiling",
            Number::Headroom => "peak headroom",
        }
    }
}

/// A preset's name in the "edit" list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named(pub usize, pub String);

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

/// What the user did with the presets.
#[derive(Debug, Clone)]
pub enum Message {
    /// Preset `i` ticked or unticked for the export.
    Ticked(usize, bool),
    /// The preset to edit chosen.
    Chosen(Named),
    /// Its format chosen.
    FormatChosen(Depth),
    /// Its rate chosen.
    RateChosen(RateChoice),
    /// One of its numbers typed.
    NumberTyped(Number, String),
    /// The notes for the mastering engineer typed.
    NotesTyped(String),
    /// The output folder typed.
    FolderTyped(String),
    /// "Export presets" pressed.
    Start,
    /// The export ended.
    Finished(Result<Vec<String>, String>),
}

/// The presets part of the export dialog.
#[derive(Debug, Clone)]
pub struct Presets {
    /// Ticked presets, by index.
    pub ticked: Vec<bool>,
    /// The preset being edited.
    pub editing: usize,
    /// A number being typed that is not (yet) a valid value.
    typing: Option<(Number, String)>,
    /// Notes for the mastering engineer.
    pub notes: String,
    /// The folder the files and the sheet go to.
    pub folder: String,
    running: Option<Arc<AtomicU32>>,
    /// The last run: what it wrote, or the error.
    pub result: Option<Result<Vec<String>, String>>,
}

impl Presets {
    /// Every preset ticked; writing into `exports/delivery` beside the session.
    pub fn new(dir: &Path, session: &Session) -> Presets {
        Presets {
            ticked: vec![true; preset::of_session(session).len()],
            editing: 0,
            typing: None,
            notes: String::new(),
            folder: dir.join("exports").join("delivery").display().to_string(),
            running: None,
            result: None,
        }
    }

    /// Whether the export runs.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Applies a message: preset edits go into `doc` as undo steps; running
    /// returns the export's task.
    pub fn update(&mut self, m: Message, doc: &mut Document) -> Task<Message> {
        let mut presets = preset::of_session(&doc.session);
        self.ticked.resize(presets.len(), true);
        let i = self.editing.min(presets.len().saturating_sub(1));
        match m {
            Message::Ticked(k, on) => {
                if let Some(t) = self.ticked.get_mut(k) {
                    *t = on;
                }
            }
            Message::Chosen(Named(k, _)) => {
                self.editing = k;
                self.typing = None;
            }
            Message::FormatChosen(d) => {
                presets[i].format = d.0;
                commit(doc, presets, i, "format");
            }
            Message::RateChosen(r) => {
                presets[i].rate = r.0;
                commit(doc, presets, i, "rate");
            }
            Message::NumberTyped(n, s) => {
                let t = s.trim();
                let v = if t.is_empty() { Some(None) } else { t.parse::<f64>().ok().map(Some) };
                self.typing = Some((n, s.clone()));
                if let Some(v) = v {
                    n.set(&mut presets[i], v);
                    if presets[i].check().is_ok() {
                        commit(doc, presets, i, n.word());
                    }
                }
            }
            Message::NotesTyped(s) => self.notes = s,
            Message::FolderTyped(s) => self.folder = s,
            Message::Start => return self.start(doc, presets),
            Message::Finished(r) => {
                self.running = None;
                self.result = Some(r);
            }
        }
        Task::none()
    }

    fn start(&mut self, doc: &Document, presets: Vec<DeliveryPreset>) -> Task<Message> {
        let chosen: Vec<DeliveryPreset> =
            presets.into_iter().zip(&self.ticked).filter(|(_, t)| **t).map(|(p, _)| p).collect();
        if chosen.is_empty() {
            self.result = Some(Err("tick at least one preset to export".into()));
            return Task::none();
        }
        if self.folder.trim().is_empty() {
            self.result = Some(Err("type the folder to deliver into".into()));
            return Task::none();
        }
        let session = doc.session.clone();
        // Unsaved: the files are named after the session all the same.
        let file = doc.path.clone().unwrap_or_else(|| doc.dir().join(format!("{}.mixdesk", doc.name())));
        let (dir, notes) = (PathBuf::from(self.folder.trim()), self.notes.clone());
        let progress = Arc::new(AtomicU32::new(0));
        self.running = Some(Arc::clone(&progress));
        self.result = None;
        let (tx, rx) = iced::futures::channel::oneshot::channel();
        std::thread::spawn(move || {
            let done = run_presets(&session, &file, &dir, &chosen, &Tags::default(), &notes, &mut |f| {
                progress.store((f.clamp(0.0, 1.0) * 1e6) as u32, Ordering::Relaxed);
                true
            });
            let _ = tx.send(done.map(|d| describe(&d)).map_err(|e| e.to_string()));
        });
        Task::perform(
            async move { rx.await.unwrap_or_else(|_| Err("the delivery stopped unexpectedly".into())) },
            Message::Finished,
        )
    }

    /// The presets card.
    pub fn view<'a>(&'a self, session: &'a Session) -> Element<'a, Message> {
        let presets = preset::of_session(session);
        let mut body = Column::new().spacing(8).push(text("Delivery presets").size(18));
        for (k, p) in presets.iter().enumerate() {
            let on = self.ticked.get(k).copied().unwrap_or(true);
            body = body.push(
                checkbox(on).label(p.name.clone()).on_toggle(move |b| Message::Ticked(k, b)).text_size(13),
            );
        }
        let i = self.editing.min(presets.len().saturating_sub(1));
        if let Some(p) = presets.get(i) {
            let names: Vec<Named> =
                presets.iter().enumerate().map(|(k, p)| Named(k, p.name.clone())).collect();
            body = body.push(
                row![
                    text("Edit").size(13),
                    pick_list(names, Some(Named(i, p.name.clone())), Message::Chosen)
                        .text_size(13)
                        .style(theme::pick),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
            body = body.push(
                row![
                    pick_list(Depth::ALL, Some(Depth(p.format)), Message::FormatChosen)
                        .text_size(12)
                        .style(theme::pick),
                    pick_list(RateChoice::ALL, Some(RateChoice(p.rate)), Message::RateChosen)
                        .text_size(12)
                        .style(theme::pick),
                ]
                .spacing(8),
            );
            for (n, unit) in
                [(Number::Lufs, "LUFS"), (Number::Ceiling, "dBTP"), (Number::Headroom, "dBFS peak")]
            {
                body = body.push(
                    row![
                        text(capital(n.word())).size(12).width(Length::Fixed(120.0)),
                        text_input("none", &self.shown(n, p))
                            .id(n.id())
                            .size(12)
                            .padding(3)
                            .width(Length::Fixed(70.0))
                            .style(theme::input)
                            .on_input(move |s| Message::NumberTyped(n, s)),
                        text(unit).size(12),
                    ]
                    .spacing(8)
                    .align_y(Alignment::Center),
                );
            }
            if let Some((n, s)) = &self.typing
                && !valid(s, *n, p)
            {
                body = body.push(
                    text(format!(
                        "The {} \"{}\" is not used: type a number from -70 to 0, or nothing",
                        n.word(),
                        s.trim()
                    ))
                    .size(12)
                    .style(theme::warning_text),
                );
            }
        }
        body = body.push(text("Notes for the mastering engineer").size(13));
        body = body.push(
            text_input("printed on the delivery sheet", &self.notes)
                .id(iced::widget::Id::new(NOTES_FIELD))
                .size(12)
                .padding(4)
                .style(theme::input)
                .on_input(Message::NotesTyped),
        );
        body = body.push(
            row![
                text("Folder").size(12),
                text_input("", &self.folder)
                    .id(iced::widget::Id::new(FOLDER_FIELD))
                    .size(12)
                    .padding(3)
                    .style(theme::input)
                    .on_input(Message::FolderTyped),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
        if let Some(p) = &self.running {
            let f = p.load(Ordering::Relaxed) as f32 / 1e6;
            body = body.push(progress_bar(0.0..=1.0, f).girth(14).style(theme::progress));
        } else {
            body = body.push(
                button(text("Export presets").size(14))
                    .padding([6, 18])
                    .style(theme::button(Tone::Accent, true))
                    .on_press(Message::Start),
            );
        }
        match &self.result {
            Some(Ok(lines)) => {
                body = body.push(column(lines.iter().map(|l| text(l.clone()).size(11).into())).spacing(2));
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
        container(body).padding(16).width(Length::Fixed(460.0)).style(theme::dialog).into()
    }

    /// What a number's field shows: what is being typed, unless the session
    /// has since changed under it (an undo), else the preset's value.
    fn shown(&self, n: Number, p: &DeliveryPreset) -> String {
        match &self.typing {
            Some((m, s)) if *m == n && (!valid(s, n, p) || parsed(s) == Some(n.get(p))) => s.clone(),
            _ => n.get(p).map_or_else(String::new, |v| format!("{v}")),
        }
    }
}

fn parsed(s: &str) -> Option<Option<f64>> {
    let t = s.trim();
    if t.is_empty() { Some(None) } else { t.parse::<f64>().ok().map(Some) }
}

/// Whether `s` is a value `n` may take in `p`.
fn valid(s: &str, n: Number, p: &DeliveryPreset) -> bool {
    parsed(s).is_some_and(|v| {
        let mut q = p.clone();
        n.set(&mut q, v);
        q.check().is_ok()
    })
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// Puts `presets` into the session as one undo step (typing into one field merges).
fn commit(doc: &mut Document, presets: Vec<DeliveryPreset>, i: usize, what: &str) {
    let label = format!("Delivery preset \"{}\": {what}", presets[i].name);
    doc.apply_merging(&format!("delivery-{i}-{what}"), label, Edit::Delivery(presets));
}

/// The run's result in lines: the sheet, then one line per file.
fn describe(d: &BatchSummary) -> Vec<String> {
    let num = |x: Option<f64>| x.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
    let mut lines = vec![format!("Delivery sheet: {}", d.sheet_paths[1].display())];
    for r in &d.sheet.rows {
        lines.push(format!(
            "{}: {} ({}, {} Hz, {} LUFS, {} dBTP)",
            r.preset,
            r.file,
            r.format,
            r.rate,
            num(r.integrated_lufs),
            num(r.true_peak_dbtp)
        ));
    }
    if let Some(w) = &d.review_page {
        lines.push(format!("Review page with {} open notes: {}", w.notes, w.path.display()));
    }
    lines.extend(d.review_error.clone());
    lines
}

//! The notes tab of the side panel: the session's review notes in time
//! order, filtered by status; a note's time jumps the playhead there, "Mark
//! done" / "Reopen" change its status as one undo step (a typed edit, like
//! every other change). "Import notes" reads the share
//! page's `.notes.json` or timestamped text (a typed path, or Choose… where a
//! file dialog opens) and adds every note in it as one undo step. The same
//! notes are pinned on the timeline's ruler (`timeline/note_pins.rs`).

use std::path::PathBuf;

use iced::widget::{button, column, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length, Task};
use mixdesk_engine::edit::Edit;
use mixdesk_engine::review::{self, format_clock};
use mixdesk_engine::session::{Note, NoteId, NoteStatus};

use super::document::Document;
use super::theme::{self, Tone};

/// What the user did in the tab.
#[derive(Debug, Clone)]
pub enum Message {
    /// Show only notes with this status (None: all).
    Filter(Option<NoteStatus>),
    /// Move the playhead to the note.
    Jump(NoteId),
    /// Set a note's status.
    Status(NoteId, NoteStatus),
    /// The path of a notes file was typed.
    PathTyped(String),
    /// Import the notes file at the typed path.
    Import,
    /// Choose the notes file in a dialog.
    Choose,
    /// The dialog answered.
    Chosen(Option<PathBuf>),
}

/// The id of the notes file's path field.
pub const PATH_FIELD: &str = "notes-import-path";

/// The tab's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// The status shown (None: all).
    pub filter: Option<NoteStatus>,
    /// The notes file to import, as typed.
    pub path: String,
}

/// What the tab asks of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Move the playhead to this session sample.
    Seek(u64),
    /// Say this in the note.
    Said(String),
    /// Show this error.
    Error(String),
}

impl Notes {
    /// Applies a message to the tab and, for status changes and imports, to
    /// the document (typed edits, one undo step each).
    pub fn update(&mut self, m: Message, doc: &mut Document) -> (Task<Message>, Option<Event>) {
        let event = match m {
            Message::Filter(f) => {
                self.filter = f;
                None
            }
            Message::Jump(id) => doc.session.note(id).map(|n| Event::Seek(n.at.0)),
            Message::Status(id, status) => {
                set_status(doc, id, status);
                None
            }
            Message::PathTyped(p) => {
                self.path = p;
                None
            }
            Message::Import => Some(self.import(doc)),
            Message::Choose => {
                let dialog = async {
                    rfd::AsyncFileDialog::new()
                        .add_filter("Notes", &["json", "txt"])
                        .pick_file()
                        .await
                        .map(|h| h.path().to_owned())
                };
                return (Task::perform(dialog, Message::Chosen), None);
            }
            Message::Chosen(Some(p)) => {
                self.path = p.display().to_string();
                Some(self.import(doc))
            }
            Message::Chosen(None) => None,
        };
        (Task::none(), event)
    }

    /// Reads the typed notes file (relative paths from the session's folder)
    /// and adds its notes as one undo step; says what was left out.
    fn import(&self, doc: &mut Document) -> Event {
        let typed = self.path.trim();
        if typed.is_empty() {
            return Event::Error("Type the path of the notes file (.notes.json or text) first.".into());
        }
        let path = doc.dir().join(typed);
        let incoming = match review::read(&path, &doc.session, "") {
            Ok(i) => i,
            Err(e) => return Event::Error(e.to_string()),
        };
        let name = path.file_name().map_or_else(|| typed.to_owned(), |n| n.to_string_lossy().into_owned());
        // The notes as they will be, worked out on a copy (one per import).
        let mut with = doc.session.clone();
        let added = review::add(&mut with, &incoming);
        doc.apply("notes-import", format!("Import notes from {name}"), Edit::Notes(with.notes));
        let mut said =
            format!("Imported {} note(s) and {} reply(ies) from {name}", added.notes, added.replies);
        if added.duplicates > 0 {
            said.push_str(&format!("; {} already there", added.duplicates));
        }
        if !incoming.skipped.is_empty() {
            let lines: Vec<String> = incoming.skipped.iter().map(|k| k.line.to_string()).collect();
            said.push_str(&format!("; left out line(s) {} (no time at the start)", lines.join(", ")));
        }
        Event::Said(said)
    }
}

fn set_status(doc: &mut Document, id: NoteId, status: NoteStatus) {
    if doc.session.note(id).is_none_or(|n| n.status == status) {
        return;
    }
    let label = match status {
        NoteStatus::Open => "Reopen note",
        NoteStatus::Done => "Mark note done",
        NoteStatus::WontDo => "Mark note won't do",
    };
    let mut notes = doc.session.notes.clone();
    if let Some(n) = notes.iter_mut().find(|n| n.id == id) {
        n.status = status;
    }
    doc.apply("note-status", label, Edit::Notes(notes));
}

/// The time of a note as the list shows it: `1:23` or `2:05-2:20`.
pub fn when(n: &Note, rate: u32) -> String {
    let at = format_clock(n.at.to_seconds(rate));
    match n.end {
        Some(e) => format!("{at}-{}", format_clock(e.to_seconds(rate))),
        None => at,
    }
}

/// The tab.
pub fn view<'a>(doc: &'a Document, state: &'a Notes, dialogs: bool) -> Element<'a, Message> {
    let s = &doc.session;
    // With counts: "Open (2)"; also keeps the labels apart from the toolbar's "Open".
    let filter_button = |label: &'static str, f: Option<NoteStatus>| {
        let count = s.notes.iter().filter(|n| f.is_none_or(|f| n.status == f)).count();
        button(text(format!("{label} ({count})")).size(12))
            .padding([2, 8])
            .style(theme::button(Tone::Accent, state.filter == f))
            .on_press(Message::Filter(f))
    };
    let filters = row![
        filter_button("All", None),
        filter_button("Open", Some(NoteStatus::Open)),
        filter_button("Done", Some(NoteStatus::Done)),
        filter_button("Won't do", Some(NoteStatus::WontDo)),
    ]
    .spacing(4);
    let mut list = column![].spacing(6);
    let mut shown = 0;
    for n in s.notes.iter().filter(|n| state.filter.is_none_or(|f| n.status == f)) {
        shown += 1;
        let time = button(text(when(n, s.sample_rate)).size(12))
            .padding([1, 6])
            .style(theme::button(Tone::Plain, false))
            .on_press(Message::Jump(n.id));
        let mut who = Vec::new();
        if let Some(t) = n.track {
            who.push(s.track(t).map_or_else(|| format!("removed track {t}"), |t| t.name.clone()));
        }
        if !n.author.is_empty() {
            who.push(n.author.clone());
        }
        who.push(n.status.label().to_owned());
        let action = match n.status {
            NoteStatus::Open => {
                button(text("Mark done").size(12)).on_press(Message::Status(n.id, NoteStatus::Done))
            }
            _ => button(text("Reopen").size(12)).on_press(Message::Status(n.id, NoteStatus::Open)),
        };
        let head = row![time, text(who.join(" · ")).size(11).style(theme::dim_text)]
            .spacing(6)
            .align_y(Alignment::Center);
        let mut body = column![head, text(n.text.clone()).size(13)].spacing(2);
        for r in &n.replies {
            let who = if r.author.is_empty() { String::new() } else { format!("{}: ", r.author) };
            body = body.push(text(format!("  {who}{}", r.text)).size(11).style(theme::dim_text));
        }
        let action = action.padding([1, 6]).style(theme::button(Tone::Plain, false));
        list = list.push(row![body.width(Length::Fill), action].spacing(6).align_y(Alignment::Start));
    }
    let summary = match (s.notes.len(), shown) {
        (0, _) => "No review notes. `mixdesk notes import` reads the artist's.".to_owned(),
        (n, k) if k == n => format!("{n} note(s). Click a time to go there."),
        (n, k) => format!("{k} of {n} notes shown."),
    };
    let mut import = row![
        text_input("mix.notes.json or feedback.txt", &state.path)
            .id(PATH_FIELD)
            .size(12)
            .padding(4)
            .style(theme::input)
            .on_input(Message::PathTyped)
            .on_submit(Message::Import),
        button(text("Import notes").size(12))
            .padding([3, 8])
            .style(theme::button(Tone::Plain, false))
            .on_press(Message::Import),
    ]
    .spacing(4)
    .align_y(Alignment::Center);
    if dialogs {
        import = import.push(
            button(text("Choose…").size(12))
                .padding([3, 8])
                .style(theme::button(Tone::Plain, false))
                .on_press(Message::Choose),
        );
    }
    column![
        filters,
        text(summary).size(12).style(theme::dim_text),
        scrollable(list).height(Length::Fill),
        import
    ]
    .spacing(6)
    .into()
}

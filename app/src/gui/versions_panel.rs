//! The versions panel: "Save version" under a typed name, the list of saved
//! versions (name and time), and two ways to use them: pick two entries (a
//! version or the current session) and Compare shows the difference in words;
//! Switch to replaces the session with a version as one undoable step.
//!
//! Versions are ordinary session files in `NAME.versions/` beside the session
//! (see `mixdesk_engine::versions`), so an untitled session must be saved first.

use std::path::Path;

use iced::widget::{button, column, container, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};
use mixdesk_engine::diff::diff;
use mixdesk_engine::edit::Edit;
use mixdesk_engine::session::Session;
use mixdesk_engine::versions::{self, Version};

use super::document::Document;
use super::recovery::ago;
use super::theme::{self, Tone};

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The session as it is in the window.
    Current,
    /// The version with this number.
    Version(u32),
}

/// What the user did in the panel.
#[derive(Debug, Clone)]
pub enum Message {
    /// The new version's name was edited.
    NameTyped(String),
    /// Save the session as a new version.
    Save,
    /// An entry was picked or unpicked for comparison.
    Picked(Pick),
    /// Compare the two picked entries.
    Compare,
    /// Replace the session with this version (one undo step).
    SwitchTo(u32),
}

/// A comparison's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// "rough mix -> current session".
    pub title: String,
    /// The changes in words.
    pub changes: Vec<String>,
}

/// The panel's state.
#[derive(Debug, Default)]
pub struct Versions {
    /// The name typed for the next version.
    pub name: String,
    /// The saved versions, oldest first.
    pub list: Vec<Version>,
    /// Up to two picked entries, in the order picked.
    pub picked: Vec<Pick>,
    /// The last comparison.
    pub comparison: Option<Comparison>,
    /// What went wrong last, or what happened.
    pub status: Option<String>,
}

impl Versions {
    /// Reads the list of versions of the session at `path`.
    pub fn refresh(&mut self, path: Option<&Path>) {
        self.list = match path.map(versions::list) {
            Some(Ok(list)) => list,
            Some(Err(e)) => {
                self.status = Some(e.to_string());
                Vec::new()
            }
            None => Vec::new(),
        };
        self.picked.retain(|p| match p {
            Pick::Current => true,
            Pick::Version(n) => self.list.iter().any(|v| v.number == *n),
        });
    }

    fn name_of(&self, p: Pick) -> String {
        match p {
            Pick::Current => "current session".into(),
            Pick::Version(n) => self
                .list
                .iter()
                .find(|v| v.number == n)
                .map_or_else(|| format!("version {n}"), |v| v.name.clone()),
        }
    }

    fn session_of(&self, doc: &Document, p: Pick) -> Result<Session, String> {
        let path = doc.path.as_deref().ok_or("save the session first")?;
        match p {
            Pick::Current => Ok(doc.session.clone()),
            Pick::Version(n) => {
                let v = self.list.iter().find(|v| v.number == n).ok_or("that version is gone")?;
                versions::load(path, v).map_err(|e| e.to_string())
            }
        }
    }

    /// Applies `m`; the document changes only on `SwitchTo`.
    pub fn update(&mut self, doc: &mut Document, m: Message) {
        match m {
            Message::NameTyped(s) => self.name = s,
            Message::Save => self.save(doc),
            Message::Picked(p) => {
                if let Some(i) = self.picked.iter().position(|x| *x == p) {
                    self.picked.remove(i);
                } else {
                    self.picked.push(p);
                    if self.picked.len() > 2 {
                        self.picked.remove(0);
                    }
                }
            }
            Message::Compare => self.compare(doc),
            Message::SwitchTo(n) => self.switch_to(doc, n),
        }
    }

    fn save(&mut self, doc: &Document) {
        let Some(path) = doc.path.clone() else {
            self.status = Some("Save the session first: versions are kept beside it.".into());
            return;
        };
        match versions::save(&path, &doc.session, &self.name) {
            Ok(v) => {
                self.status = Some(format!("Saved version {} \"{}\"", v.number, v.name));
                self.name.clear();
                self.refresh(Some(&path));
            }
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    fn compare(&mut self, doc: &Document) {
        let [a, b] = self.picked[..] else {
            self.status = Some("Pick two entries to compare.".into());
            return;
        };
        // Older first: versions by number, the current session last.
        let order = |p: Pick| match p {
            Pick::Version(n) => n,
            Pick::Current => u32::MAX,
        };
        let (a, b) = if order(a) <= order(b) { (a, b) } else { (b, a) };
        match (self.session_of(doc, a), self.session_of(doc, b)) {
            (Ok(x), Ok(y)) => {
                let changes: Vec<String> = diff(&x, &y).into_iter().map(|c| c.text).collect();
                let title = format!("{} -> {}", self.name_of(a), self.name_of(b));
                self.status = None;
                self.comparison = Some(Comparison { title, changes });
            }
            (Err(e), _) | (_, Err(e)) => self.status = Some(format!("Cannot compare: {e}")),
        }
    }

    fn switch_to(&mut self, doc: &mut Document, n: u32) {
        let (Some(path), Some(v)) = (doc.path.clone(), self.list.iter().find(|v| v.number == n)) else {
            return;
        };
        match versions::load(&path, v) {
            Ok(loaded) => {
                let label = format!("Switch to version \"{}\"", v.name);
                doc.apply("version", label, Edit::Session(Box::new(loaded)));
                self.status = Some(format!("Switched to \"{}\" (Undo returns)", v.name));
            }
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    /// The panel; `saved` says whether the session has a file.
    pub fn view(&self, saved: bool) -> Element<'_, Message> {
        let mut save = row![
            text_input("version name", &self.name)
                .id("version-name")
                .size(12)
                .padding(4)
                .style(theme::input)
                .on_input(Message::NameTyped)
                .on_submit(Message::Save),
            button(text("Save version").size(12))
                .padding([4, 8])
                .style(theme::button(Tone::Plain, false))
                .on_press_maybe((saved && !self.name.trim().is_empty()).then_some(Message::Save)),
        ]
        .spacing(4)
        .align_y(Alignment::Center);
        if !saved {
            save = save.push(text("(save first)").size(11));
        }
        let entry = |p: Pick, label: String, when: String| {
            let picked = self.picked.contains(&p);
            let mut r = row![
                button(column![
                    text(label).size(12),
                    if picked { text(when).size(10) } else { text(when).size(10).style(theme::dim_text) }
                ])
                .width(Length::Fill)
                .padding([3, 6])
                .style(theme::row_button(picked))
                .on_press(Message::Picked(p)),
            ]
            .spacing(4)
            .align_y(Alignment::Center);
            if let Pick::Version(n) = p {
                r = r.push(
                    button(text("Switch to").size(11))
                        .padding([3, 6])
                        .style(theme::button(Tone::Plain, false))
                        .on_press(Message::SwitchTo(n)),
                );
            }
            r
        };
        let mut list = column![].spacing(2);
        for v in self.list.iter().rev() {
            list = list.push(entry(
                Pick::Version(v.number),
                format!("{}. {}", v.number, v.name),
                ago(v.saved_at),
            ));
        }
        list = list.push(entry(Pick::Current, "Current session".into(), "as in the window".into()));
        let compare = row![
            text("Pick two entries, then").size(11).style(theme::dim_text),
            button(text("Compare").size(12))
                .padding([3, 10])
                .style(theme::button(Tone::Plain, false))
                .on_press_maybe((self.picked.len() == 2).then_some(Message::Compare)),
        ]
        .spacing(6)
        .align_y(Alignment::Center);
        let mut col = column![save, compare, scrollable(list).height(Length::FillPortion(2))].spacing(6);
        if let Some(s) = &self.status {
            col = col.push(text(s.clone()).size(12));
        }
        if let Some(c) = &self.comparison {
            let mut lines = column![text(c.title.clone()).size(13)].spacing(2);
            if c.changes.is_empty() {
                lines = lines.push(text("No differences.").size(12));
            }
            for change in &c.changes {
                lines = lines.push(text(format!("• {change}")).size(12));
            }
            col = col.push(container(scrollable(lines).height(Length::FillPortion(3))).width(Length::Fill));
        }
        col.into()
    }
}

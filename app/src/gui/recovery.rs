//! The recovery prompt: opening a session (at launch or with Open) whose
//! autosave sidecar is newer than the file and holds something different asks
//! what to do, listing the difference in words (the engine's `diff`):
//!
//! - **Recover** makes the autosave the document, marked unsaved, so the user
//!   saves it (the sidecar stays until then);
//! - **Discard** removes the sidecar and keeps the saved session;
//! - **Later** keeps both: the saved session is open, and the sidecar is
//!   offered again on the next open, unless new edits are autosaved over it.

use std::path::PathBuf;
use std::time::SystemTime;

use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Length};
use mixdesk_engine::autosave::{Recovery, find_recovery};

use super::autosave::untitled_path;
use super::document::Document;
use super::theme::{self, Tone};

/// Changes listed in the prompt; the rest are counted.
const SHOWN: usize = 14;

/// What the user answered.
#[derive(Debug, Clone)]
pub enum Message {
    /// Open the autosave instead of the saved file.
    Recover,
    /// Delete the autosave.
    Discard,
    /// Decide another time.
    Later,
}

/// An autosave on offer, for the session at `path` (`None`: untitled).
#[derive(Debug)]
pub struct Prompt {
    /// What was found.
    pub recovery: Recovery,
    /// The session it belongs to.
    pub path: Option<PathBuf>,
}

/// "3 minutes ago".
pub fn ago(at: Option<SystemTime>) -> String {
    let Some(secs) = at.and_then(|t| SystemTime::now().duration_since(t).ok()).map(|d| d.as_secs()) else {
        return "an unknown time".into();
    };
    let plural = |n: u64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match secs {
        0..60 => "just now".into(),
        60..3600 => plural(secs / 60, "minute"),
        3600..86_400 => plural(secs / 3600, "hour"),
        _ => plural(secs / 86_400, "day"),
    }
}

impl Prompt {
    /// The dialog.
    pub fn view(&self) -> Element<'_, Message> {
        let what = match &self.path {
            Some(p) => p.file_name().unwrap_or_default().to_string_lossy().into_owned(),
            None => "an untitled session".into(),
        };
        let r = &self.recovery;
        let mut lines = column![].spacing(2);
        for c in r.changes.iter().take(SHOWN) {
            lines = lines.push(text(format!("• {c}")).size(13));
        }
        if r.changes.len() > SHOWN {
            lines = lines.push(text(format!("… and {} more", r.changes.len() - SHOWN)).size(13));
        }
        if r.saved.is_none() {
            lines = lines.push(text("There is no saved file to compare it with.").size(13));
        }
        let answer = |label: &'static str, tone: Tone, m: Message| {
            button(text(label).size(14))
                .padding([6, 18])
                .style(theme::button(tone, tone != Tone::Plain))
                .on_press(m)
        };
        container(
            column![
                text(format!("Mixdesk found unsaved changes to {what} from {}", ago(r.autosaved_at))).size(18),
                text("Mixdesk was closed before they were saved. The autosave differs from the saved session in:")
                    .size(13),
                scrollable(lines).height(Length::Shrink).width(Length::Fill),
                row![
                    answer("Recover", Tone::Accent, Message::Recover),
                    answer("Discard", Tone::Danger, Message::Discard),
                    answer("Later", Tone::Plain, Message::Later),
                ]
                .spacing(8),
                text("Recover opens the autosave, unsaved: save it to keep it. Discard deletes it. Later opens the saved session and asks again next time.")
                    .size(12)
                    .style(theme::dim_text),
            ]
            .spacing(12),
        )
        .padding(16)
        .max_height(640)
        .width(Length::Fixed(620.0))
        .style(theme::dialog)
        .into()
    }
}

/// The autosave of `file` (or of the untitled session) to offer, if there
/// is one worth offering; an error to show if it could not be read.
pub fn offer(path: Option<&std::path::Path>) -> Result<Option<Prompt>, String> {
    let path = path.map(std::path::Path::to_owned);
    let Some(file) = path.clone().or_else(untitled_path) else { return Ok(None) };
    match find_recovery(&file) {
        Ok(found) => Ok(found.map(|recovery| Prompt { recovery, path })),
        Err(e) => Err(format!("{e}")),
    }
}

/// What the prompt's answer asks of the app.
#[derive(Debug)]
pub enum Event {
    /// Open the recovered session (unsaved) in place of the saved one.
    Recover(Box<Document>),
    /// Keep the saved session; the autosave was deleted (or could not be: the error).
    Discarded(Option<String>),
    /// Keep the saved session and the autosave, for next time.
    Later,
}

impl Prompt {
    /// Answers the prompt.
    pub fn answer(self, m: Message) -> Event {
        match m {
            Message::Recover => {
                Event::Recover(Box::new(Document::recovered(self.recovery.session, self.path)))
            }
            Message::Discard => Event::Discarded(self.recovery.discard().err().map(|e| format!("{e}"))),
            Message::Later => Event::Later,
        }
    }
}

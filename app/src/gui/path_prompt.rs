//! The typed path, for when no file dialog can open: rfd asks the XDG desktop
//! portal and falls back to zenity; with neither (a bare X server, a minimal
//! install) it answers "nothing chosen" at once, which would look like a
//! button that does nothing. The window says so instead and offers a field
//! for the path, for New, Open, Save As and Import (the export and relink
//! dialogs have their own path fields and say it there).

use std::path::{Path, PathBuf};

use iced::widget::{button, column, container, row, text, text_input};
use iced::{Element, Length, Task};

use super::theme::{self, Tone};

/// What the path is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Where to create a new session.
    New,
    /// The session to open.
    Open,
    /// Where to save the session.
    SaveAs,
    /// The audio files to import.
    Import,
    /// The DAWproject to make a session of.
    ImportDawproject,
    /// Where to write the session as a DAWproject.
    ExportDawproject,
}

/// What the window says when no file dialog opened.
pub const NO_DIALOG: &str = "No file dialog is available: type a path.";
/// How to get dialogs.
pub const INSTALL_HINT: &str =
    "File dialogs need zenity or an XDG desktop portal (packaging/setup.sh installs zenity).";
/// The id of the path field.
pub const FIELD: &str = "typed-path";

/// What the user did in the prompt.
#[derive(Debug, Clone)]
pub enum Message {
    /// The path was edited.
    Typed(String),
    /// OK or Enter.
    Submitted,
    /// Cancel.
    Cancelled,
}

/// The prompt's state.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// What the path is for.
    pub ask: Ask,
    /// The path typed so far.
    pub text: String,
    /// Why the last path was refused.
    pub error: Option<String>,
}

impl Prompt {
    /// A prompt for `ask`, with a path to start from in the session's folder `dir`.
    pub fn new(ask: Ask, dir: &Path, name: &str) -> Prompt {
        let start = match ask {
            Ask::New => dir.join("untitled.mixdesk"),
            Ask::SaveAs => dir.join(format!("{name}.mixdesk")),
            Ask::ExportDawproject => dir.join(format!("{name}.dawproject")),
            Ask::Open | Ask::Import | Ask::ImportDawproject => dir.to_path_buf(),
        };
        let mut text = start.display().to_string();
        if matches!(ask, Ask::Open | Ask::Import | Ask::ImportDawproject) && !text.ends_with('/') {
            text.push('/');
        }
        Prompt { ask, text, error: None }
    }

    /// The typed path checked for its purpose: a file that exists to open, an
    /// audio file or a folder of them to import, a file in an existing folder
    /// to create or save (".mixdesk" is added when there is no extension).
    pub fn paths(&self) -> Result<Vec<PathBuf>, String> {
        let typed = self.text.trim();
        if typed.is_empty() {
            return Err("type a path".into());
        }
        let path = PathBuf::from(typed);
        match self.ask {
            Ask::Open => {
                if path.is_file() {
                    Ok(vec![path])
                } else {
                    Err(format!("{} is not a file: type the path of a .mixdesk session", path.display()))
                }
            }
            Ask::ImportDawproject => {
                if path.is_file() {
                    Ok(vec![path])
                } else {
                    Err(format!("{} is not a file: type the path of a .dawproject file", path.display()))
                }
            }
            Ask::ExportDawproject => {
                let path = if path.extension().is_none() { path.with_extension("dawproject") } else { path };
                let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
                if path.is_dir() || typed.ends_with('/') {
                    Err(format!("{typed} is a folder: add a file name, e.g. {typed}song.dawproject"))
                } else if !parent.is_dir() {
                    Err(format!("the folder {} does not exist", parent.display()))
                } else {
                    Ok(vec![path])
                }
            }
            Ask::Import => {
                if path.is_file() {
                    return Ok(vec![path]);
                }
                if !path.is_dir() {
                    return Err(format!("{} does not exist: type an audio file or a folder", path.display()));
                }
                let exts = mixdesk_engine::stems::AUDIO_EXTENSIONS;
                let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.is_file()
                            && p.extension()
                                .and_then(|e| e.to_str())
                                .is_some_and(|e| exts.contains(&e.to_ascii_lowercase().as_str()))
                    })
                    .collect();
                files.sort();
                if files.is_empty() {
                    Err(format!("{} holds no audio files ({})", path.display(), exts.join(", ")))
                } else {
                    Ok(files)
                }
            }
            Ask::New | Ask::SaveAs => {
                let path = if path.extension().is_none() { path.with_extension("mixdesk") } else { path };
                let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
                if path.is_dir() || typed.ends_with('/') {
                    Err(format!("{typed} is a folder: add a file name, e.g. {typed}song.mixdesk"))
                } else if !parent.is_dir() {
                    Err(format!("the folder {} does not exist: create it first", parent.display()))
                } else {
                    Ok(vec![path])
                }
            }
        }
    }

    /// The prompt.
    pub fn view(&self) -> Element<'_, Message> {
        let title = match self.ask {
            Ask::New => "Create a session",
            Ask::Open => "Open a session",
            Ask::SaveAs => "Save the session as",
            Ask::Import => "Import audio (a file, or a folder of files)",
            Ask::ImportDawproject => "Open a DAWproject as a new session",
            Ask::ExportDawproject => "Export the session as a DAWproject",
        };
        container(
            column![
                text(title).size(18),
                text(NO_DIALOG).size(13),
                text(INSTALL_HINT).size(11).style(theme::dim_text),
                text_input("/path/to/file", &self.text)
                    .id(iced::widget::Id::new(FIELD))
                    .on_input(Message::Typed)
                    .on_submit(Message::Submitted)
                    .size(14)
                    .padding(6)
                    .style(theme::input),
                self.error.as_ref().map(|e| text(e.clone()).size(12).style(theme::warning_text)),
                row![
                    button(text("OK").size(14))
                        .padding([6, 18])
                        .style(theme::button(Tone::Accent, true))
                        .on_press(Message::Submitted),
                    button(text("Cancel").size(14))
                        .padding([6, 18])
                        .style(theme::button(Tone::Plain, false))
                        .on_press(Message::Cancelled),
                ]
                .spacing(8),
            ]
            .spacing(10),
        )
        .padding(16)
        .width(Length::Fixed(620.0))
        .style(theme::dialog)
        .into()
    }
}

/// What the prompt asks of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Close the prompt.
    Cancelled,
    /// The paths typed for `ask`, checked.
    Chosen(Ask, Vec<std::path::PathBuf>),
}

impl Prompt {
    /// Applies a message; the event says what the app must do.
    pub fn update(&mut self, m: Message) -> Option<Event> {
        match m {
            Message::Typed(s) => {
                self.text = s;
                self.error = None;
                None
            }
            Message::Cancelled => Some(Event::Cancelled),
            Message::Submitted => match self.paths() {
                Err(e) => {
                    self.error = Some(e);
                    None
                }
                Ok(paths) => Some(Event::Chosen(self.ask, paths)),
            },
        }
    }

    /// The task that puts the cursor in the prompt's field.
    pub fn focus<T: Send + 'static>() -> Task<T> {
        iced::widget::operation::focus(iced::widget::Id::new(FIELD))
    }
}

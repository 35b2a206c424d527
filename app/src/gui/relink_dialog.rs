//! The relink dialog, for media that moved: pick (or type) a folder, Search
//! shows what the engine's `relink::plan` found for each missing file (by
//! name, or by size and content hash when renamed, or nothing), Apply points
//! the clips at the found files as one undo step, and the graph is rebuilt.
//!
//! Also the strip's missing-media mark: a track whose clips' files are
//! missing shows a warning under its name, with the files in a tooltip.

use std::path::PathBuf;

use iced::widget::{button, column, container, row, scrollable, text, text_input, tooltip};
use iced::{Alignment, Element, Length, Task};
use mixdesk_engine::relink::{self, How, Plan};
use mixdesk_engine::session::{Session, TrackId};

use super::audio::Audio;
use super::theme::{self, Tone};

/// The id of the folder field.
pub const FOLDER_FIELD: &str = "relink-folder";

/// What the user did in the dialog.
#[derive(Debug, Clone)]
pub enum Message {
    /// The folder path was edited.
    FolderTyped(String),
    /// Open the folder picker.
    Browse,
    /// The folder picker answered.
    Browsed(Option<PathBuf>),
    /// No folder picker could open: the folder is typed in its field.
    NoDialog,
    /// Search the folder.
    Search,
    /// The search finished.
    Searched(Result<Plan, String>),
    /// Relink what was found.
    Apply,
    /// Close without relinking.
    Close,
}

/// The dialog's state.
#[derive(Debug, Clone, Default)]
pub struct Dialog {
    /// The folder to search.
    pub folder: String,
    /// What the last search found.
    pub plan: Option<Plan>,
    /// Why the last search failed.
    pub error: Option<String>,
    /// A search is running.
    pub searching: bool,
    /// "Browse…" found no file dialog: the dialog says to type the folder.
    pub no_dialog: bool,
}

/// Searches `folder` on a worker for the missing media of `session`.
pub fn search(session: Session, dir: PathBuf, folder: PathBuf) -> Task<Message> {
    Task::perform(
        async move { relink::plan(&session, &dir, &folder).map_err(|e| e.to_string()) },
        Message::Searched,
    )
}

/// What the dialog asks of the app.
#[derive(Debug, Clone)]
pub enum Event {
    /// Close the dialog.
    Closed,
    /// Relink by this plan (as one undo step), then close.
    Relink(Plan),
}

impl Dialog {
    /// Applies a message. `session` and `dir` are the open document's (the
    /// search runs on a copy); `dialogs` whether a folder dialog can open.
    pub fn update(
        &mut self,
        m: Message,
        session: &Session,
        dir: PathBuf,
        dialogs: bool,
    ) -> (Task<Message>, Option<Event>) {
        let task = match m {
            Message::FolderTyped(s) => {
                self.folder = s;
                Task::none()
            }
            Message::Browse if !dialogs => Task::done(Message::NoDialog),
            Message::Browse => super::files::ask(
                async { rfd::AsyncFileDialog::new().pick_folder().await.map(|h| h.path().to_owned()) },
                Message::Browsed,
                Message::NoDialog,
            ),
            Message::NoDialog => {
                self.no_dialog = true;
                iced::widget::operation::focus(iced::widget::Id::new(FOLDER_FIELD))
            }
            Message::Browsed(None) => Task::none(),
            Message::Browsed(Some(p)) => {
                self.folder = p.display().to_string();
                Task::done(Message::Search)
            }
            Message::Search => {
                self.searching = true;
                self.error = None;
                search(session.clone(), dir, PathBuf::from(self.folder.trim()))
            }
            Message::Searched(result) => {
                self.searching = false;
                match result {
                    Ok(plan) => self.plan = Some(plan),
                    Err(e) => self.error = Some(e),
                }
                Task::none()
            }
            Message::Apply => return (Task::none(), self.plan.take().map(Event::Relink)),
            Message::Close => return (Task::none(), Some(Event::Closed)),
        };
        (task, None)
    }
}

impl Dialog {
    /// The dialog.
    pub fn view(&self) -> Element<'_, Message> {
        let mut col = column![
            text("Relink missing media").size(18),
            text("Pick or type a folder to search. Files are matched by name, then by size and content.")
                .size(13),
            row![
                text_input("folder to search", &self.folder)
                    .id(FOLDER_FIELD)
                    .size(13)
                    .padding(5)
                    .style(theme::input)
                    .on_input(Message::FolderTyped)
                    .on_submit(Message::Search),
                button(text("Browse…").size(13))
                    .padding([5, 10])
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::Browse),
                button(text(if self.searching { "Searching…" } else { "Search" }).size(13))
                    .padding([5, 10])
                    .style(theme::button(Tone::Accent, true))
                    .on_press_maybe(
                        (!self.folder.trim().is_empty() && !self.searching).then_some(Message::Search)
                    ),
            ]
            .spacing(6)
            .align_y(Alignment::Center),
        ]
        .spacing(12);
        if self.no_dialog {
            col = col.push(
                text(format!("{} {}", super::path_prompt::NO_DIALOG, super::path_prompt::INSTALL_HINT))
                    .size(12)
                    .style(theme::warning_text),
            );
        }
        if let Some(e) = &self.error {
            col = col.push(text(e.clone()).size(13));
        }
        if let Some(plan) = &self.plan {
            col = col.push(plan_view(plan));
        }
        let can_apply = self.plan.as_ref().is_some_and(|p| !p.found.is_empty());
        col = col.push(
            row![
                button(text("Apply").size(14))
                    .padding([6, 18])
                    .style(theme::button(Tone::Accent, true))
                    .on_press_maybe(can_apply.then_some(Message::Apply)),
                button(text("Close").size(14))
                    .padding([6, 18])
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::Close),
            ]
            .spacing(8),
        );
        container(col).padding(16).width(Length::Fixed(720.0)).max_height(640).style(theme::dialog).into()
    }
}

fn plan_view(plan: &Plan) -> Element<'_, Message> {
    let mut lines = column![
        text(format!(
            "{} missing, {} found, {} files searched",
            plan.missing,
            plan.found.len(),
            plan.searched
        ))
        .size(13)
    ]
    .spacing(3);
    for f in &plan.found {
        let how = match f.how {
            How::Name if f.content_differs => "by name (content differs from when it was linked)",
            How::Name => "by name",
            How::Content => "by size and content (renamed)",
        };
        lines = lines.push(text(format!("{} -> {} ({how})", f.media.display(), f.file.display())).size(12));
    }
    for (media, candidates) in &plan.ambiguous {
        lines = lines.push(
            text(format!("{}: {} equally good candidates, left alone", media.display(), candidates.len()))
                .size(12)
                .style(theme::warning_text),
        );
    }
    for media in &plan.not_found {
        lines =
            lines.push(text(format!("{}: not found", media.display())).size(12).style(theme::warning_text));
    }
    scrollable(lines).height(Length::Shrink).into()
}

/// A warning under a track's name when some of its clips' files are missing
/// (the files in a tooltip), or `None`.
pub fn strip_mark<'a, M: 'a>(session: &Session, track: TrackId, audio: &Audio) -> Option<Element<'a, M>> {
    let t = session.track(track)?;
    let files: Vec<String> = audio
        .missing_media()
        .iter()
        .filter(|m| t.clips.iter().any(|c| m.clips.contains(&c.id)))
        .map(|m| m.media.display().to_string())
        .collect();
    if files.is_empty() {
        return None;
    }
    let mark = text(format!("⚠ {} missing", files.len())).size(11).style(theme::warning_text);
    let tip = container(text(format!("Missing media (plays silent):\n{}", files.join("\n"))).size(12))
        .padding(4)
        .style(theme::panel);
    Some(tooltip(mark, tip, tooltip::Position::Bottom).into())
}

//! The Session tab of the side panel: session-wide settings (the pan law),
//! the groups (each group's name, what it links: gain, mute, solo,
//! selection; suspend; dissolve; groups are made from the mixer's selection
//! in a strip's "⋯" menu), the markers (rename, jump to, delete) and the
//! session templates (save this session's setup as one; start a new session
//! from one). Every change to the session here is one undo step.

use iced::widget::{Column, button, column, pick_list, row, text, text_input};
use iced::{Alignment, Element, Length};
use mixdesk_engine::edit::Edit;
use mixdesk_engine::session::{Group, GroupId, Marker, MarkerId, PanLaw, Shares};

use super::document::Document;
use super::theme::{self, Tone};

/// What the user did in the tab.
#[derive(Debug, Clone)]
pub enum Message {
    /// A pan law was chosen.
    PanLaw(LawChoice),
    /// A group was renamed.
    Renamed(GroupId, String),
    /// What a group links was changed.
    Shares(GroupId, Shares),
    /// A group was suspended or resumed.
    Suspended(GroupId, bool),
    /// A group was dissolved (its members stay where they are).
    Dissolved(GroupId),
    /// A marker was renamed.
    MarkerRenamed(MarkerId, String),
    /// A marker's time was clicked: move the playhead there.
    MarkerJump(u64),
    /// A marker's × was clicked.
    MarkerDeleted(MarkerId),
    /// "Save as session template".
    SaveTemplate,
    /// A template was chosen in "New from template".
    NewFrom(TemplatePick),
}

/// A session template in the "New from template" list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePick(pub String, pub std::path::PathBuf);

impl std::fmt::Display for TemplatePick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The session templates: where they are kept, which there are, and the one
/// a "New from template" waits to start from (once a file is chosen).
#[derive(Debug, Default)]
pub struct Templates {
    /// Their folder (none: templates cannot be saved).
    pub dir: Option<std::path::PathBuf>,
    /// The templates found there.
    pub list: Vec<TemplatePick>,
    /// The template the next New starts from.
    pub pending: Option<std::path::PathBuf>,
}

impl Templates {
    /// The templates kept in `dir` (listed now).
    pub fn in_dir(dir: Option<std::path::PathBuf>) -> Templates {
        let mut t = Templates { dir, ..Templates::default() };
        t.refresh();
        t
    }

    fn refresh(&mut self) {
        let found = self.dir.as_deref().map(mixdesk_engine::session_templates::list).unwrap_or_default();
        self.list = found.into_iter().map(|(n, p)| TemplatePick(n, p)).collect();
    }

    /// Saves the session's setup as a template named after the session.
    pub fn save(&mut self, doc: &Document) -> Result<String, String> {
        let dir = self.dir.clone().ok_or("There is no folder for session templates")?;
        let name = doc
            .path
            .as_deref()
            .and_then(|p| p.file_stem())
            .map_or_else(|| "Untitled".to_owned(), |s| s.to_string_lossy().into_owned());
        let path = mixdesk_engine::session_templates::save(&dir, &name, &doc.session)
            .map_err(|e| format!("The session template was not saved: {e}"))?;
        self.refresh();
        Ok(format!("Saved the session template {}", path.display()))
    }
}

/// The id of the "New from template" list (tests find it by this).
pub const NEW_FROM: &str = "session-new-from-template";

/// The id of "Save as session template" (tests find it by this).
pub const SAVE_TEMPLATE: &str = "session-save-template";

/// What the tab asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Move the playhead to this sample.
    Seek(u64),
    /// Save the session's setup as a template.
    SaveTemplate,
    /// Start a new session (asking where) from this template.
    NewFrom(std::path::PathBuf),
}

/// A pan law in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LawChoice(pub PanLaw);

impl std::fmt::Display for LawChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            PanLaw::ZeroDb => "0 dB (balance)",
            PanLaw::Minus3Db => "-3 dB (equal power)",
            PanLaw::Minus4_5Db => "-4.5 dB",
            PanLaw::Minus6Db => "-6 dB (linear)",
        })
    }
}

const LAWS: [LawChoice; 4] = [
    LawChoice(PanLaw::ZeroDb),
    LawChoice(PanLaw::Minus3Db),
    LawChoice(PanLaw::Minus4_5Db),
    LawChoice(PanLaw::Minus6Db),
];

/// The id of the pan-law list (tests find it by this).
pub const PAN_LAW: &str = "session-pan-law";

/// Applies `m` to the document as one undo step; the event says what the app must do.
pub fn update(doc: &mut Document, m: Message) -> Option<Event> {
    let group = |doc: &Document, id: GroupId| doc.session.group(id).cloned();
    match m {
        Message::PanLaw(law) => doc.apply("pan law", format!("Pan law {law}"), Edit::PanLaw(law.0)),
        Message::Renamed(id, name) => {
            if let Some(g) = group(doc, id) {
                let label = format!("Renamed group {} to {name}", g.name);
                doc.apply_merging(
                    &format!("group {id} name"),
                    label,
                    Edit::Group(id, Some(Group { name, ..g })),
                );
            }
        }
        Message::Shares(id, shares) => {
            if let Some(g) = group(doc, id) {
                let label = format!("Group {} links changed", g.name);
                doc.apply("group shares", label, Edit::Group(id, Some(Group { shares, ..g })));
            }
        }
        Message::Suspended(id, suspended) => {
            if let Some(g) = group(doc, id) {
                let label = format!("Group {} {}", g.name, if suspended { "suspended" } else { "resumed" });
                doc.apply("group suspend", label, Edit::Group(id, Some(Group { suspended, ..g })));
            }
        }
        Message::Dissolved(id) => {
            if let Some(g) = group(doc, id) {
                doc.apply("group remove", format!("Dissolved group {}", g.name), Edit::Group(id, None));
            }
        }
        Message::MarkerRenamed(id, name) => {
            if let Some(m) = doc.session.markers.iter().find(|m| m.id == id).cloned() {
                let label = format!("Renamed marker {} to {name}", m.name);
                doc.apply_merging(
                    &format!("marker {id} name"),
                    label,
                    Edit::Marker(id, Some(Marker { name, ..m })),
                );
            }
        }
        Message::MarkerJump(at) => return Some(Event::Seek(at)),
        Message::SaveTemplate => return Some(Event::SaveTemplate),
        Message::NewFrom(t) => return Some(Event::NewFrom(t.1)),
        Message::MarkerDeleted(id) => {
            if let Some(m) = doc.session.markers.iter().find(|m| m.id == id) {
                let label = format!("Deleted marker {}", m.name);
                doc.apply("marker delete", label, Edit::Marker(id, None));
            }
        }
    }
    None
}

/// The tab.
pub fn view<'a>(doc: &'a Document, templates: &'a Templates) -> Element<'a, Message> {
    let s = &doc.session;
    let law = pick_list(LAWS, Some(LawChoice(s.pan_law)), Message::PanLaw).text_size(12).style(theme::pick);
    let mut col = Column::new().spacing(8).width(Length::Fill);
    col = col.push(text("Session").size(14));
    col = col.push(
        row![text("Pan law").size(12).width(80), iced::widget::container(law).id(PAN_LAW)]
            .spacing(6)
            .align_y(Alignment::Center),
    );
    col = col.push(text("Groups").size(14));
    if s.groups.is_empty() {
        col = col.push(
            text("No groups. Select strips (Ctrl- or Shift-click) and choose \"Group the selected strips\" in a strip's ⋯ menu.")
                .size(11)
                .style(theme::dim_text),
        );
    }
    for g in &s.groups {
        col = col.push(group_view(doc, g));
    }
    col = col.push(text("Markers").size(14));
    let mut markers: Vec<&Marker> = s.markers.iter().collect();
    markers.sort_by_key(|m| (m.position, m.id));
    if markers.is_empty() {
        col = col.push(
            text("No markers. \"+ Marker\" on the timeline (or Insert) adds one at the playhead.")
                .size(11)
                .style(theme::dim_text),
        );
    }
    let rate = f64::from(s.sample_rate);
    for m in markers {
        let id = m.id;
        col = col.push(
            row![
                button(text(super::transport::min_sec(m.position.0 as f64 / rate)).size(11))
                    .padding([2, 6])
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::MarkerJump(m.position.0)),
                text_input("name", &m.name)
                    .size(12)
                    .padding(3)
                    .style(theme::input)
                    .on_input(move |n| Message::MarkerRenamed(id, n)),
                button(text("×").size(11))
                    .padding([2, 6])
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::MarkerDeleted(id)),
            ]
            .spacing(4)
            .align_y(Alignment::Center),
        );
    }
    col = col.push(text("Session templates").size(14));
    let save = button(text("Save as session template").size(11))
        .padding([2, 6])
        .style(theme::button(Tone::Plain, false))
        .on_press_maybe(templates.dir.is_some().then_some(Message::SaveTemplate));
    col = col.push(iced::widget::container(save).id(SAVE_TEMPLATE));
    col = col.push(
        text(
            "A template keeps the tracks (empty), buses, VCAs, folders, groups, master and delivery presets.",
        )
        .size(11)
        .style(theme::dim_text),
    );
    if !templates.list.is_empty() {
        let pick = pick_list(templates.list.clone(), None::<TemplatePick>, Message::NewFrom)
            .placeholder("New session from template…")
            .text_size(12)
            .style(theme::pick);
        col = col.push(iced::widget::container(pick).id(NEW_FROM));
    }
    iced::widget::scrollable(col).height(Length::Fill).into()
}

fn group_view<'a>(doc: &'a Document, g: &'a Group) -> Element<'a, Message> {
    let id = g.id;
    let sh = g.shares;
    let link = |label: &'static str, on: bool, with: Shares| {
        button(text(label).size(11))
            .padding([2, 6])
            .style(theme::button(Tone::Accent, on))
            .on_press(Message::Shares(id, with))
    };
    let members: Vec<String> = g.members.iter().map(|m| super::mixer::strip_name(&doc.session, *m)).collect();
    column![
        row![
            text_input("name", &g.name)
                .size(12)
                .padding(3)
                .style(theme::input)
                .on_input(move |n| Message::Renamed(id, n)),
            button(text(if g.suspended { "Resume" } else { "Suspend" }).size(11))
                .padding([2, 6])
                .style(theme::button(Tone::Plain, g.suspended))
                .on_press(Message::Suspended(id, !g.suspended)),
            button(text("Dissolve").size(11))
                .padding([2, 6])
                .style(theme::button(Tone::Plain, false))
                .on_press(Message::Dissolved(id)),
        ]
        .spacing(4)
        .align_y(Alignment::Center),
        row![
            text("Links").size(11).width(40),
            link("gain", sh.gain, Shares { gain: !sh.gain, ..sh }),
            link("mute", sh.mute, Shares { mute: !sh.mute, ..sh }),
            link("solo", sh.solo, Shares { solo: !sh.solo, ..sh }),
            link("select", sh.selection, Shares { selection: !sh.selection, ..sh }),
            link("arm", sh.automation, Shares { automation: !sh.automation, ..sh }),
        ]
        .spacing(3)
        .align_y(Alignment::Center),
        text(members.join(", ")).size(11).style(theme::dim_text),
    ]
    .spacing(4)
    .into()
}

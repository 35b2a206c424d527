//! The right-hand side panel: tabs for the undo history, the mix versions,
//! the review notes, the session's settings and groups, and the monitor
//! section, toggled from the toolbar (History: Ctrl+H).

use iced::widget::{button, column, container, row, text};
use iced::{Element, Length};

use super::theme::{self, Tone};
use super::widget::scope::Scope;
use super::{App, Message, history_panel, notes_panel, session_panel};

/// Width of the panel, px.
pub const WIDTH: f32 = 340.0;

/// Which tab the side panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The undo history.
    History,
    /// Mix versions.
    Versions,
    /// Review notes.
    Notes,
    /// Session settings and groups.
    Session,
    /// The monitor section.
    Monitor,
}

/// The tab shown after a click on `tab`: it, or none if it was shown.
pub fn toggled(shown: Option<Tab>, tab: Tab) -> Option<Tab> {
    if shown == Some(tab) { None } else { Some(tab) }
}

/// The panel showing `tab`.
pub fn view(
    tab: Tab,
    app: &App,
    measured: Option<mixdesk_engine::monitor::Measured>,
) -> Element<'_, Message> {
    let (doc, versions, notes, dialogs) = (&app.doc, &app.versions, &app.notes, app.dialogs);
    let tab_button = |label: &'static str, t: Tab| {
        // Five tabs fit the panel's width at this size.
        button(text(label).size(12))
            .padding([4, 7])
            .style(theme::button(Tone::Accent, tab == t))
            .on_press(Message::PanelToggled(t))
    };
    let body = match tab {
        Tab::History => history_panel::view(doc).map(Message::History),
        Tab::Versions => versions.view(doc.path.is_some()).map(Message::Versions),
        Tab::Notes => notes_panel::view(doc, notes, dialogs).map(Message::Notes),
        Tab::Session => session_panel::view(doc, &app.templates).map(Message::SessionPanel),
        Tab::Monitor => {
            let scope = app.audio.analysis().map_or_else(Default::default, |a| Scope {
                points: a.goniometer().points().collect(),
                correlation: a.correlation(),
            });
            let m = &doc.session.monitor;
            super::monitor_panel::view(m, &app.monitor, &versions.list, dialogs, measured, scope)
                .map(Message::Monitor)
        }
    };
    container(
        column![
            row![
                tab_button("History", Tab::History),
                tab_button("Versions", Tab::Versions),
                tab_button("Notes", Tab::Notes),
                tab_button("Session", Tab::Session),
                tab_button("Monitor", Tab::Monitor)
            ]
            .spacing(4),
            body
        ]
        .spacing(8),
    )
    .padding(8)
    .width(Length::Fixed(WIDTH))
    .height(Length::Fill)
    .style(theme::panel)
    .into()
}

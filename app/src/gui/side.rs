//! The right-hand side panel: tabs for the undo history, the mix versions
//! and the review notes, toggled from the toolbar (History: Ctrl+H).

use iced::widget::{button, column, container, row, text};
use iced::{Element, Length};

use super::theme::{self, Tone};
use super::{App, Message, history_panel, notes_panel};

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
}

impl App {
    /// Shows `tab`, or hides the panel if it already shows it.
    pub(super) fn toggle_panel(&mut self, tab: Tab) -> iced::Task<Message> {
        self.side = if self.side == Some(tab) { None } else { Some(tab) };
        if self.side == Some(Tab::Versions) {
            self.versions.refresh(self.doc.path.as_deref());
        }
        iced::Task::none()
    }

    /// The panel, when one is shown.
    pub(super) fn side_view(&self) -> Option<Element<'_, Message>> {
        let tab = self.side?;
        let tab_button = |label: &'static str, t: Tab| {
            button(text(label).size(13))
                .padding([4, 12])
                .style(theme::button(Tone::Accent, tab == t))
                .on_press(Message::PanelToggled(t))
        };
        let body = match tab {
            Tab::History => history_panel::view(&self.doc).map(Message::History),
            Tab::Versions => self.versions.view(self.doc.path.is_some()).map(Message::Versions),
            Tab::Notes => notes_panel::view(&self.doc, &self.notes, self.dialogs).map(Message::Notes),
        };
        Some(
            container(
                column![
                    row![
                        tab_button("History", Tab::History),
                        tab_button("Versions", Tab::Versions),
                        tab_button("Notes", Tab::Notes)
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
            .into(),
        )
    }
}

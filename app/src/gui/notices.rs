//! What the window tells the user without moving anything: the short note
//! ("Saved demo.mixdesk", "Undid: ...") that goes away by itself after
//! [`NOTE_LIFETIME`], and the error card that stays until it is closed. Both
//! float over the top right corner of the window, under the transport bar, on
//! a layer of their own (iced's `stack`), so a message appearing never shifts
//! a control under the pointer; each has a close button.

use std::time::{Duration, Instant};

use iced::widget::{Space, button, column, container, row, text};
use iced::{Alignment, Element, Length, Padding};

use super::Message;
use super::theme::{self, Tone};

/// How long a note stays before it goes by itself.
pub const NOTE_LIFETIME: Duration = Duration::from_secs(4);
/// How far below the window's top the messages float: under the toolbar and
/// the transport bar, on the right-hand end of the page tabs' row (empty on
/// both pages), clear of the editor's and the analyzer's buttons.
pub const TOP: f32 = 68.0;
/// The messages' width.
pub const WIDTH: f32 = 520.0;

/// A short note that expires.
#[derive(Debug, Default)]
pub struct Note {
    shown: Option<(String, Instant)>,
}

impl Note {
    /// Shows `text` from now on, replacing the note shown.
    pub fn set(&mut self, text: impl Into<String>) {
        self.shown = Some((text.into(), Instant::now()));
    }

    /// The note shown, if any.
    pub fn text(&self) -> Option<&str> {
        self.shown.as_ref().map(|(t, _)| t.as_str())
    }

    /// Closes the note.
    pub fn clear(&mut self) {
        self.shown = None;
    }

    /// Closes the note once it has been shown for [`NOTE_LIFETIME`] at `now`.
    pub fn expire(&mut self, now: Instant) {
        if self.shown.as_ref().is_some_and(|(_, at)| now.saturating_duration_since(*at) >= NOTE_LIFETIME) {
            self.shown = None;
        }
    }
}

fn close(msg: Message) -> Element<'static, Message> {
    button(text("×").size(14)).padding([0, 8]).style(theme::button(Tone::Plain, false)).on_press(msg).into()
}

/// The layer of messages over the window, or `None` when there is nothing to say.
pub fn layer<'a>(note: Option<&'a str>, errors: &[&'a str], relink: bool) -> Option<Element<'a, Message>> {
    if note.is_none() && errors.is_empty() {
        return None;
    }
    let mut cards = column![].spacing(6).width(WIDTH).align_x(Alignment::End);
    if !errors.is_empty() {
        cards = cards.push(
            container(
                row![
                    text(errors.join("\n")).size(13).width(Length::Fill),
                    relink.then(|| {
                        button(text("Relink…").size(12))
                            .style(theme::button(Tone::Plain, false))
                            .on_press(Message::RelinkOpened)
                    }),
                    close(Message::ErrorDismissed),
                ]
                .spacing(8)
                .align_y(Alignment::Start),
            )
            .padding(8)
            .width(Length::Fill)
            .style(theme::error_banner),
        );
    }
    if let Some(note) = note {
        cards = cards.push(
            container(
                row![text(note).size(12), close(Message::NoteDismissed)]
                    .spacing(8)
                    .align_y(Alignment::Center),
            )
            .padding([3, 6])
            .style(theme::dialog),
        );
    }
    Some(
        container(row![Space::new().width(Length::Fill), cards])
            .padding(Padding { top: TOP, right: 8.0, bottom: 0.0, left: 0.0 })
            .width(Length::Fill)
            .height(Length::Fill)
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_goes_after_its_lifetime_and_not_before() {
        let mut note = Note::default();
        note.set("Saved x");
        let shown = Instant::now();
        note.expire(shown + NOTE_LIFETIME - Duration::from_millis(500));
        assert_eq!(note.text(), Some("Saved x"));
        note.expire(shown + NOTE_LIFETIME + Duration::from_millis(50));
        assert_eq!(note.text(), None);
    }
}

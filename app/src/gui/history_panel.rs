//! The history panel: every undo step in words, oldest first, with the
//! current position highlighted; steps after it (undone, redoable) are dimmed.
//! Clicking a step undoes or redoes up to it (the engine's `History::go_to`);
//! the app then syncs the engine as for undo.

use iced::widget::{button, column, scrollable, text};
use iced::{Element, Length};

use super::document::Document;
use super::theme;

/// What the user did in the panel.
#[derive(Debug, Clone)]
pub enum Message {
    /// A step was clicked: go to the state after it (0: as opened).
    StepClicked(usize),
}

/// Applies `m` to the document.
pub fn update(doc: &mut Document, m: Message) {
    match m {
        Message::StepClicked(position) => doc.go_to(position),
    }
}

/// The list.
pub fn view(doc: &Document) -> Element<'_, Message> {
    let position = doc.position();
    let entry = |label: String, at: usize| {
        let current = at == position;
        let mut t = text(label).size(12);
        if at > position {
            t = t.style(theme::dim_text);
        }
        button(t)
            .width(Length::Fill)
            .padding([3, 6])
            .style(theme::row_button(current))
            .on_press(Message::StepClicked(at))
    };
    let mut list = column![entry("Session as opened".into(), 0)].spacing(2);
    for (i, step) in doc.steps().iter().enumerate() {
        list = list.push(entry(format!("{}. {step}", i + 1), i + 1));
    }
    let summary = match (doc.steps().len(), position) {
        (0, _) => "No edits yet.".to_owned(),
        (n, p) if p == n => format!("{n} step(s). Click one to go back to it."),
        (n, p) => format!("{p} of {n} steps done; the dimmed ones can be redone."),
    };
    column![text(summary).size(12).style(theme::dim_text), scrollable(list).height(Length::Fill)]
        .spacing(6)
        .into()
}

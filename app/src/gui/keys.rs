//! Keyboard shortcuts, as one pure function so the table can be tested.

use iced::keyboard::{Key, Modifiers, key::Named};

use super::Message;
use super::timeline::Message as Timeline;

/// The command a key press stands for, if any. Text fields get keys first, so
/// Space and letters typed into a name never reach here.
pub fn shortcut(key: &Key, m: Modifiers) -> Option<Message> {
    let ctrl = m.command();
    match key.as_ref() {
        Key::Named(Named::Space) if !ctrl => Some(Message::PlayToggled),
        Key::Named(Named::Home) => Some(Message::Home),
        Key::Named(Named::Delete | Named::Backspace) => Some(Message::Timeline(Timeline::Delete)),
        Key::Named(Named::Insert) => Some(Message::Timeline(Timeline::MarkerAdded)),
        Key::Named(Named::ArrowLeft) if ctrl => Some(Message::Timeline(Timeline::Nudge(-1, m.shift()))),
        Key::Named(Named::ArrowRight) if ctrl => Some(Message::Timeline(Timeline::Nudge(1, m.shift()))),
        Key::Named(Named::ArrowLeft | Named::ArrowUp) => Some(Message::SelectStep(-1)),
        Key::Named(Named::ArrowRight | Named::ArrowDown) => Some(Message::SelectStep(1)),
        Key::Character(c) => {
            let c = c.to_ascii_lowercase();
            match (c.as_str(), ctrl, m.shift()) {
                ("s", true, true) => Some(Message::SaveAs),
                ("s", true, false) => Some(Message::Save),
                ("o", true, _) => Some(Message::Open),
                ("n", true, _) => Some(Message::New),
                ("z", true, true) => Some(Message::Redo),
                ("z", true, false) => Some(Message::Undo),
                ("y", true, _) => Some(Message::Redo),
                ("e", true, _) => Some(Message::ExportOpened),
                ("h", true, _) => Some(Message::PanelToggled(super::side::Tab::History)),
                ("l", false, _) => Some(Message::LoopToggled),
                ("x", false, _) => Some(Message::PageToggled),
                ("d", true, _) => Some(Message::Timeline(Timeline::Duplicate)),
                ("t", true, _) => Some(Message::Timeline(Timeline::Split)),
                ("0", true, _) => Some(Message::Timeline(Timeline::ZoomFit)),
                ("=" | "+", true, _) => Some(Message::Timeline(Timeline::Zoom(2.0, 0.0))),
                ("-", true, _) => Some(Message::Timeline(Timeline::Zoom(0.5, 0.0))),
                ("m", false, _) => Some(Message::MuteSelected),
                ("s", false, _) => Some(Message::SoloSelected),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: &str) -> Key {
        Key::Character(c.into())
    }

    #[test]
    fn the_documented_shortcuts_map_to_their_commands() {
        let none = Modifiers::empty();
        let ctrl = Modifiers::CTRL;
        let ctrl_shift = Modifiers::CTRL | Modifiers::SHIFT;
        let shift_ctrl = Modifiers::CTRL | Modifiers::SHIFT;
        let cases: [(Key, Modifiers, &str); 17] = [
            (Key::Named(Named::ArrowRight), none, "SelectStep(1)"),
            (Key::Named(Named::ArrowUp), none, "SelectStep(-1)"),
            (Key::Named(Named::ArrowLeft), ctrl, "Timeline(Nudge(-1, false))"),
            (Key::Named(Named::ArrowRight), shift_ctrl, "Timeline(Nudge(1, true))"),
            (Key::Named(Named::Space), none, "PlayToggled"),
            (Key::Named(Named::Home), none, "Home"),
            (key("l"), none, "LoopToggled"),
            (key("s"), ctrl, "Save"),
            (key("S"), ctrl_shift, "SaveAs"),
            (key("o"), ctrl, "Open"),
            (key("n"), ctrl, "New"),
            (key("z"), ctrl, "Undo"),
            (key("Z"), ctrl_shift, "Redo"),
            (key("e"), ctrl, "ExportOpened"),
            (key("h"), ctrl, "PanelToggled(History)"),
            (key("m"), none, "MuteSelected"),
            (key("s"), none, "SoloSelected"),
        ];
        for (k, m, want) in cases {
            let got = shortcut(&k, m).map(|msg| format!("{msg:?}"));
            assert_eq!(got.as_deref(), Some(want), "{k:?} {m:?}");
        }
        assert!(shortcut(&key("q"), none).is_none());
    }
}

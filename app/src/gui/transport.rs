//! The toolbar and the transport bar: file and edit commands, play/stop/return,
//! loop, the position in min:sec and bars:beats, DSP load, xruns and the device.

use iced::widget::{Space, button, container, row, text, tooltip};
use iced::{Alignment, Element, Length};
use mixdesk_engine::session::Tempo;

use super::audio::Audio;
use super::side::Tab;
use super::theme::{self, Tone};
use super::{Message, Page};

fn command<'a>(label: &'static str, hint: &'static str, msg: Option<Message>) -> Element<'a, Message> {
    tooltip(
        button(text(label).size(13))
            .padding([4, 10])
            .style(theme::button(Tone::Plain, false))
            .on_press_maybe(msg),
        container(text(hint).size(12)).padding(4).style(theme::panel),
        tooltip::Position::Bottom,
    )
    .into()
}

/// File, edit and app commands.
pub fn toolbar<'a>(can_undo: Option<&str>, can_redo: Option<&str>) -> Element<'a, Message> {
    let _ = (can_undo, can_redo);
    container(
        row![
            command("New", "New session (Ctrl+N)", Some(Message::New)),
            command("Open", "Open a session (Ctrl+O)", Some(Message::Open)),
            command("Save", "Save (Ctrl+S)", Some(Message::Save)),
            command("Save As", "Save under another name (Ctrl+Shift+S)", Some(Message::SaveAs)),
            command(
                "Import",
                "Import audio files as tracks (or drop files on the window)",
                Some(Message::Import)
            ),
            command("Export", "Bounce the mix and stems (Ctrl+E)", Some(Message::ExportOpened)),
            command(
                "Album",
                "Sequence songs into an album, hear the transitions, export it",
                Some(Message::AlbumOpened)
            ),
            command(
                "Import DAWproject",
                "Open a DAWproject (Bitwig, Studio One, Cubase) as a new session",
                Some(Message::DawprojectImport)
            ),
            command(
                "Export DAWproject",
                "Export the session as a DAWproject",
                Some(Message::DawprojectExport)
            ),
            Space::new().width(16),
            command("Undo", "Undo (Ctrl+Z)", can_undo.map(|_| Message::Undo)),
            command("Redo", "Redo (Ctrl+Shift+Z)", can_redo.map(|_| Message::Redo)),
            Space::new().width(Length::Fill),
            command(
                "History",
                "The undo history in words (Ctrl+H)",
                Some(Message::PanelToggled(Tab::History))
            ),
            command(
                "Versions",
                "Save, compare and switch mix versions",
                Some(Message::PanelToggled(Tab::Versions))
            ),
            command("Notes", "Review notes pinned to times", Some(Message::PanelToggled(Tab::Notes))),
            command("Session", "Pan law and groups", Some(Message::PanelToggled(Tab::Session))),
            command(
                "Monitor",
                "Listening checks, systems, platforms, references",
                Some(Message::PanelToggled(Tab::Monitor))
            ),
            command("Preferences", "Audio device, buffer size, theme", Some(Message::PreferencesOpened)),
        ]
        .spacing(4)
        .align_y(Alignment::Center),
    )
    .padding([4, 8])
    .width(Length::Fill)
    .style(theme::panel)
    .into()
}

/// Play, stop, return, loop, and what the engine reports.
pub fn bar<'a>(audio: &Audio, tempo: Tempo, looping: bool, undo: Option<&str>) -> Element<'a, Message> {
    let secs = audio.position as f64 / f64::from(audio.rate.max(1));
    let load = (audio.load * 100.0).clamp(0.0, 999.0);
    row![
        button(text("|◀").size(14))
            .padding([4, 10])
            .style(theme::button(Tone::Plain, false))
            .on_press(Message::Home),
        button(text(if audio.playing { "■ Stop" } else { "▶ Play" }).size(14))
            .padding([4, 12])
            .style(theme::button(Tone::Solo, audio.playing))
            .on_press(Message::PlayToggled),
        button(text("Loop").size(13))
            .padding([4, 10])
            .style(theme::button(Tone::Accent, looping))
            .on_press(Message::LoopToggled),
        container(text(min_sec(secs)).size(20).font(theme::FONT)).padding([0, 8]),
        container(text(bars_beats(secs, tempo)).size(20)).padding([0, 8]),
        text(format!("{:.0} bpm {}/{}", tempo.bpm, tempo.beats_per_bar, tempo.beat_unit)).size(12),
        Space::new().width(Length::Fill),
        text(undo.map_or_else(String::new, |u| format!("last edit: {u}"))).size(11),
        Space::new().width(12),
        opening(audio),
        text(format!("DSP {load:.0} %")).size(12),
        text(format!("xruns {}", audio.xruns)).size(12),
        underfed(audio),
        text(audio.device.clone()).size(12),
    ]
    .spacing(10)
    .padding([4, 8])
    .align_y(Alignment::Center)
    .into()
}

/// "Preparing media 12/64" and a bar while a build or an import opens files
/// (nothing otherwise).
fn opening<'a>(audio: &Audio) -> Element<'a, Message> {
    match audio.opening.progress() {
        Some((done, total)) => row![
            text(format!("preparing media {done}/{total}")).size(12),
            iced::widget::progress_bar(0.0..=total as f32, done as f32)
                .length(80)
                .girth(8)
                .style(theme::progress),
        ]
        .spacing(6)
        .align_y(Alignment::Center)
        .into(),
        None => Space::new().width(0).into(),
    }
}

/// How much audio played as silence because the disk did not keep up (only
/// when some did).
fn underfed<'a>(audio: &Audio) -> Element<'a, Message> {
    if audio.underfed == 0 {
        return Space::new().width(0).into();
    }
    let ms = audio.underfed as f64 * 1000.0 / f64::from(audio.rate.max(1));
    text(format!("disk late {ms:.0} ms")).size(12).into()
}

/// "1:23.456".
pub fn min_sec(secs: f64) -> String {
    let secs = secs.max(0.0);
    format!("{}:{:06.3}", (secs / 60.0).floor() as u64, secs % 60.0)
}

/// "5.2.480": bar, beat (both from 1) and ticks (960 per beat); the tempo
/// counts beats of the time signature's beat unit.
pub fn bars_beats(secs: f64, tempo: Tempo) -> String {
    let beats = secs.max(0.0) * tempo.bpm / 60.0;
    let per_bar = f64::from(tempo.beats_per_bar.max(1));
    let bar = (beats / per_bar).floor();
    let beat = (beats - bar * per_bar).floor();
    let ticks = ((beats - beats.floor()) * 960.0).floor();
    format!("{}.{}.{:03}", bar as u64 + 1, beat as u64 + 1, ticks as u64)
}

/// The Timeline and Mixer tabs; on the mixer, the narrow/wide strips switch
/// at the right (always in view, however many strips scroll).
pub fn tabs<'a>(page: Page, narrow: bool) -> Element<'a, Message> {
    let tab = |label: &'static str, p: Page| {
        button(text(label).size(13))
            .padding([4, 12])
            .style(theme::button(Tone::Accent, page == p))
            .on_press(Message::PageChosen(p))
    };
    let mut tabs = row![tab("Timeline", Page::Timeline), tab("Mixer", Page::Mixer)].spacing(2);
    if page == Page::Mixer {
        let switch = button(text(if narrow { "Wide strips" } else { "Narrow strips" }).size(12))
            .padding([4, 10])
            .style(theme::button(Tone::Accent, narrow))
            .on_press(Message::Mixer(super::mixer::Message::NarrowToggled));
        tabs = tabs
            .push(Space::new().width(Length::Fill))
            .push(container(switch).id(super::mixer::strip::NARROW_ID));
    }
    container(tabs.align_y(Alignment::Center)).padding([2, 8]).width(Length::Fill).style(theme::panel).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_read_in_minutes_and_in_bars() {
        assert_eq!(min_sec(83.5), "1:23.500");
        let t = Tempo { bpm: 120.0, beats_per_bar: 4, beat_unit: 4 };
        // 120 bpm: a beat is 0.5 s, a bar 2 s.
        assert_eq!(bars_beats(0.0, t), "1.1.000");
        assert_eq!(bars_beats(2.75, t), "2.2.480");
        let six_eight = Tempo { bpm: 120.0, beats_per_bar: 6, beat_unit: 8 };
        // The tempo counts the time signature's beats: six of 0.5 s make a 3 s bar.
        assert_eq!(bars_beats(3.0, six_eight), "2.1.000");
    }
}

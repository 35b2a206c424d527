//! Narrow strips, for seeing a 40-track session at once (as Ardour's and
//! REAPER's narrow mixer strips): the colour bar (drag to move), the name
//! (the full name and the comment in a tooltip), the "⋯" menu, mute and solo,
//! the fader beside its meter (no scales), the typed value and the peak.
//! Inserts, sends, routing, trim, width and pan are in the wide strip.

use iced::widget::{Column, container, row, text, tooltip};
use iced::{Alignment, Element, Length};
use mixdesk_engine::session::{Session, Strip, StripRef};

use super::strip::{comment_of, fader_section, handle, small, toggle};
use super::{Message, MixerUi, strip_name};
use crate::gui::audio::Audio;
use crate::gui::theme::{self, Tone};

/// Width of a narrow strip.
pub const WIDTH: f32 = 60.0;

/// Strip `r` drawn narrow.
pub fn view<'a>(
    session: &'a Session,
    r: StripRef,
    strip: &'a Strip,
    tint: iced::Color,
    ui: &'a MixerUi,
    audio: &'a Audio,
) -> Element<'a, Message> {
    let name = strip_name(session, r);
    let tip = match comment_of(session, r) {
        "" => name.clone(),
        c => format!("{name}\n{c}"),
    };
    let label = container(text(name).size(10).wrapping(text::Wrapping::None)).width(Length::Fill).clip(true);
    let solo = match r {
        StripRef::Bus(b) => match session.bus(b).filter(|b| b.is_vca()) {
            Some(v) => super::vca::soloed(session, v),
            None => strip.solo,
        },
        _ => strip.solo,
    };
    let col = Column::new()
        .spacing(4)
        .padding(3)
        .width(WIDTH)
        .align_x(Alignment::Center)
        .push(handle(r, tint))
        .push(tooltip(label, container(small(tip)).padding(4).style(theme::panel), tooltip::Position::Bottom))
        .push(super::tracks::header(session, ui, r))
        .push(
            row![
                toggle("M", strip.mute, Tone::Mute, Message::MuteToggled(r)),
                toggle("S", solo, Tone::Solo, Message::SoloToggled(r)),
            ]
            .spacing(2),
        );
    fader_section(col, r, strip, tint, ui, audio)
}

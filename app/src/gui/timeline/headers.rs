//! Row headers left of the timeline: a track's colour bar (drag it onto
//! another header to move the track), name, the strip's ⋯ menu (duplicate,
//! comment, group) and ✕ (delete), mute, solo and the automation toggle;
//! under it, each lane's parameter, mode, "+" (another lane) and "×" (close
//! the lane). The strip controls are the mixer's messages, handled as there.

use iced::widget::{Column, Space, button, column, container, mouse_area, pick_list, row, text};
use iced::{Alignment, Element, Length};
use std::collections::HashSet;

use mixdesk_engine::session::{AutoMode, ClipId, ParamId, Session, StripRef};

use super::geometry::{HEADER_WIDTH, Row, RowKind};
use super::{Message, TimelineUi, lane_picker};
use crate::gui::mixer::strip::control_id;
use crate::gui::mixer::{Message as Strip, MixerUi};
use crate::gui::theme::{self, Tone, track_colour};

/// An automation mode as the selector lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode(pub AutoMode);

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            AutoMode::Off => "Off",
            AutoMode::Read => "Read",
            AutoMode::Touch => "Touch",
            AutoMode::Latch => "Latch",
            AutoMode::Write => "Write",
            AutoMode::Trim => "Trim",
        })
    }
}

fn small_button<'a>(label: &'a str, tone: Tone, on: bool, msg: Message) -> Element<'a, Message> {
    button(text(label).size(11)).padding([1, 6]).style(theme::button(tone, on)).on_press(msg).into()
}

fn track_header<'a>(
    session: &'a Session,
    ui: &'a TimelineUi,
    mixer: &'a MixerUi,
    i: usize,
    height: f32,
    missing: &HashSet<ClipId>,
) -> Element<'a, Message> {
    let t = &session.tracks[i];
    let lost = t.clips.iter().filter(|c| missing.contains(&c.id)).count();
    let count = if lost > 0 { format!("⚠ {lost} missing") } else { format!("{} clip(s)", t.clips.len()) };
    let id = t.id;
    let open = ui.lanes.contains_key(&id);
    let has_automation = session.automation.iter().any(|l| super::track_of(session, l.param) == Some(id));
    let lanes_label = if has_automation { "A•" } else { "A" };
    let r = StripRef::Track(id);
    let menu = crate::gui::mixer::tracks::header(session, mixer, r).map(Message::Strip);
    let body = column![
        row![
            text(t.name.clone()).size(13).width(Length::Fill),
            container(menu).width(90),
            container(small_button("✕", Tone::Plain, false, Message::Strip(Strip::StripDeleted(r))))
                .id(control_id("header-delete", r)),
        ]
        .spacing(4)
        .align_y(Alignment::Center),
        row![
            small_button("M", Tone::Mute, t.strip.mute, Message::MuteToggled(id)),
            small_button("S", Tone::Solo, t.strip.solo, Message::SoloToggled(id)),
            button(text(lanes_label).size(11))
                .padding([1, 6])
                .style(theme::button(Tone::Accent, open))
                .on_press(Message::LanesToggled(id)),
            text(count).size(10),
        ]
        .spacing(4)
        .align_y(Alignment::Center),
    ]
    .spacing(4);
    // The colour bar is the handle: drag it onto another track's header to move the track there.
    let handle = mouse_area(
        container(Space::new().width(6).height(Length::Fill))
            .style(theme::colour_bar(track_colour(t.colour))),
    )
    .on_press(Message::Strip(Strip::StripGrabbed(r)))
    .interaction(iced::mouse::Interaction::Grab);
    let header = row![
        container(handle).id(control_id("header-handle", r)),
        container(body).padding([4, 6]).width(Length::Fill),
    ]
    .height(height);
    mouse_area(header)
        .on_enter(Message::Strip(Strip::StripHovered(r)))
        .on_release(Message::Strip(Strip::StripDropped))
        .into()
}

fn lane_header<'a>(
    session: &'a Session,
    ui: &'a TimelineUi,
    i: usize,
    param: ParamId,
    height: f32,
) -> Element<'a, Message> {
    let track = session.tracks[i].id;
    let index = ui.lanes_of(track).iter().position(|p| *p == param).unwrap_or(0);
    let (choices, now) = lane_picker(session, track, param);
    let mode = session.lane(param).map_or(AutoMode::Read, |l| l.mode);
    let modes: Vec<Mode> = super::MODES.iter().copied().map(Mode).collect();
    let body = column![
        pick_list(choices, now, move |c| Message::LaneParamChosen(track, index, c))
            .text_size(11)
            .padding([1, 4])
            .width(Length::Fill)
            .style(theme::pick),
        row![
            pick_list(modes, Some(Mode(mode)), move |m: Mode| Message::LaneModeChosen(param, m.0))
                .text_size(11)
                .padding([1, 4])
                .style(theme::pick),
            small_button("+", Tone::Plain, false, Message::LaneAdded(track)),
            small_button("×", Tone::Plain, false, Message::LaneClosed(track, index)),
        ]
        .spacing(4)
        .align_y(Alignment::Center),
    ]
    .spacing(3);
    container(body)
        .padding([3, 6])
        .padding(iced::Padding { left: 16.0, ..iced::Padding::new(3.0) })
        .height(height)
        .into()
}

/// One header per row, stacked to match the rows canvas.
pub fn view<'a>(
    session: &'a Session,
    ui: &'a TimelineUi,
    mixer: &'a MixerUi,
    rows: &[Row],
    missing: &HashSet<ClipId>,
) -> Element<'a, Message> {
    let mut col = Column::new().width(HEADER_WIDTH);
    for r in rows {
        let header = match r.kind {
            RowKind::Track(i) => track_header(session, ui, mixer, i, r.height, missing),
            RowKind::Lane(i, p) => lane_header(session, ui, i, p, r.height),
            RowKind::Folder(f) => {
                crate::gui::mixer::folders::header(session, &session.folders[f]).map(Message::Strip)
            }
        };
        let style = if matches!(r.kind, RowKind::Track(_)) { theme::panel } else { theme::lane_header };
        col = col.push(container(header).width(HEADER_WIDTH).height(r.height).style(style));
    }
    col.into()
}

//! One channel strip, top to bottom: colour and name, inserts, sends, output,
//! polarity and width, pan, mute/solo/solo-safe, fader beside its meter, and
//! the fader's value field.

use iced::widget::{
    Column, Space, button, canvas, column, container, mouse_area, pick_list, responsive, row, scrollable,
    text, text_input, tooltip,
};
use iced::{Alignment, Element, Length, mouse};
use mixdesk_engine::session::{Layout, Output, Session, StripRef};

use super::{BusChoice, Kind, Message, MixerUi, OutputChoice, strip_name};
use crate::gui::audio::Audio;
use crate::gui::theme::{self, Tone};
use crate::gui::widget::fader::{self, Fader};
use crate::gui::widget::{knob::Knob, meter};

/// Height of the inserts, sends and output area.
const ROUTING_HEIGHT: f32 = 200.0;

/// Width of a strip.
pub const WIDTH: f32 = 112.0;

/// Colours offered under a strip's name.
const PALETTE: [(u8, u8, u8); 10] = [
    (0xd0, 0x5c, 0x5c),
    (0xe0, 0x9b, 0x3d),
    (0xd8, 0xc8, 0x4c),
    (0x7f, 0xbf, 0x5a),
    (0x4c, 0xb0, 0x9c),
    (0x4f, 0x9d, 0xde),
    (0x6a, 0x8c, 0xaf),
    (0x9a, 0x78, 0xd8),
    (0xc8, 0x6f, 0xb4),
    (0x8c, 0x93, 0x9d),
];

pub(super) fn small<'a>(s: impl text::IntoFragment<'a>) -> iced::widget::Text<'a> {
    text(s).size(11)
}

pub(super) fn toggle<'a>(label: &'static str, on: bool, tone: Tone, msg: Message) -> Element<'a, Message> {
    button(small(label).align_x(Alignment::Center).width(Length::Fill))
        .padding([2, 0])
        .width(Length::Fill)
        .style(theme::button(tone, on))
        .on_press(msg)
        .into()
}

/// The strip of `r`.
pub fn view<'a>(
    session: &'a Session,
    r: StripRef,
    ui: &'a MixerUi,
    audio: &'a Audio,
) -> Element<'a, Message> {
    let Some(strip) = session.strip(r) else { return Space::new().into() };
    let colour = match r {
        StripRef::Track(id) => session.track(id).map(|t| t.colour),
        StripRef::Bus(id) => session.bus(id).map(|b| b.colour),
        StripRef::Master => None,
    };
    let tint = colour.map_or_else(|| theme::Colors::of_look(theme::Look::Dark).accent, theme::track_colour);
    let name = strip_name(session, r);
    if ui.narrow && r != StripRef::Master {
        return super::narrow::view(session, r, strip, tint, ui, audio);
    }
    let mut col = Column::new().spacing(4).padding(5).width(WIDTH).align_x(Alignment::Center);
    col = col.push(if r == StripRef::Master {
        container(Space::new().height(6).width(Length::Fill)).style(theme::colour_bar(tint)).into()
    } else {
        handle(r, tint)
    });
    if r == StripRef::Master {
        col = col.push(text("Master").size(13).width(Length::Fill).align_x(Alignment::Center));
    } else {
        col = col.push(
            row![
                name_field(session, r, name),
                button(Space::new().width(10).height(10))
                    .padding(3)
                    .style(move |t, s| {
                        let mut st = theme::button(Tone::Plain, false)(t, s);
                        st.background = Some(tint.into());
                        st
                    })
                    .on_press(Message::ColoursToggled(r)),
                // ✕ (not the × of inserts, sends and messages): delete the strip.
                container(
                    button(small("✕"))
                        .padding([1, 4])
                        .style(theme::button(Tone::Plain, false))
                        .on_press(Message::StripDeleted(r)),
                )
                .id(control_id("delete", r)),
            ]
            .spacing(2)
            .align_y(Alignment::Center),
        );
        col = col.push(super::tracks::header(session, ui, r));
        if ui.commenting == Some(r) {
            col = col.push(
                text_input("comment", comment_of(session, r))
                    .id(control_id("comment", r))
                    .size(11)
                    .padding(3)
                    .style(theme::input)
                    .on_input(move |s| Message::Commented(r, s))
                    .on_submit(Message::CommentClosed),
            );
        }
        if let StripRef::Track(id) = r
            && let Some(mark) = crate::gui::relink_dialog::strip_mark(session, id, audio)
        {
            col = col.push(mark);
        }
        if ui.colours_open == Some(r) {
            let swatches = PALETTE.iter().map(|&(a, b, c)| {
                let col = mixdesk_engine::session::Colour(a, b, c);
                button(Space::new().width(12).height(12))
                    .padding(2)
                    .style(move |t, s| {
                        let mut st = theme::button(Tone::Plain, false)(t, s);
                        st.background = Some(theme::track_colour(col).into());
                        st
                    })
                    .on_press(Message::ColourPicked(r, col))
                    .into()
            });
            col = col.push(iced::widget::Row::with_children(swatches).spacing(1).wrap());
        }
    }

    let vca = match r {
        StripRef::Bus(id) => session.bus(id).filter(|b| b.is_vca()),
        _ => None,
    };
    if let Some(b) = vca {
        return vca_strip(col, session, b, tint, ui, audio);
    }

    // Inserts.
    let mut inserts = Column::new().spacing(2);
    for p in &strip.processors {
        // The slot shows a short name that fits the strip; the full one on hover.
        let spec = mixdesk_engine::dsp::kind(&p.kind);
        let name = spec.map_or(p.kind.as_str(), |k| k.short);
        let full = spec.map_or(p.kind.as_str(), |k| k.name);
        let opened = ui.editor == Some(p.id);
        let grabbed = ui.grabbed == Some(p.id);
        let slot_button = mouse_area(
            button(small(name.to_owned()).width(Length::Fill))
                .padding([2, 4])
                .width(Length::Fill)
                .style(theme::row_button(opened || grabbed))
                .on_press(Message::InsertOpened(p.id)),
        )
        .on_press(Message::InsertGrabbed(p.id))
        .on_enter(Message::InsertHovered(p.id))
        .on_release(Message::InsertDropped);
        let slot_button: Element<'_, Message> = if name == full {
            slot_button.into()
        } else {
            let tip = container(text(full.to_owned()).size(12)).padding(4).style(theme::panel);
            tooltip(slot_button, tip, tooltip::Position::Top)
                .delay(std::time::Duration::from_millis(500))
                .into()
        };
        let slot = row![
            slot_button,
            button(small(if p.bypassed { "off" } else { "on" }))
                .padding([2, 3])
                .style(theme::button(Tone::Accent, !p.bypassed))
                .on_press(Message::InsertBypassToggled(p.id)),
            button(small("×"))
                .padding([2, 4])
                .style(theme::button(Tone::Plain, false))
                .on_press(Message::InsertRemoved(p.id)),
        ]
        .spacing(1);
        inserts = inserts.push(slot);
    }
    let hosted = super::plugins::kinds().iter().copied();
    let kinds: Vec<Kind> = mixdesk_engine::dsp::kinds().iter().chain(hosted).map(Kind).collect();
    inserts = inserts.push(
        container(
            pick_list(kinds, None::<Kind>, move |k| Message::InsertAdded(r, k))
                .placeholder("+ insert")
                .text_size(11)
                .padding([2, 4])
                .width(Length::Fill)
                .style(theme::pick),
        )
        .id(control_id("insert-add", r)),
    );
    let mut routing = Column::new().spacing(4).push(section("Inserts", inserts));

    // Sends.
    let mut sends = Column::new().spacing(2);
    for s in &strip.sends {
        let bus = session.bus(s.target).map_or_else(|| format!("bus {}", s.target), |b| b.name.clone());
        let id = s.id;
        sends = sends.push(
            row![
                canvas(Knob::new(s.level_db.0.max(-60.0), -60.0, 12.0, -60.0, move |e| Message::SendLevel(
                    id, e
                )))
                .width(22)
                .height(22),
                column![small(bus), small(format!("{:.1} dB", s.level_db.0)),].width(Length::Fill),
                column![
                    button(small(if s.pre_fader { "pre" } else { "post" }))
                        .padding([1, 2])
                        .style(theme::button(Tone::Accent, s.pre_fader))
                        .on_press(Message::SendPreToggled(id)),
                    button(small("×"))
                        .padding([1, 4])
                        .style(theme::button(Tone::Plain, false))
                        .on_press(Message::SendRemoved(id)),
                ]
                .spacing(1),
            ]
            .spacing(2)
            .align_y(Alignment::Center),
        );
    }
    let buses: Vec<BusChoice> = session
        .buses
        .iter()
        .filter(|b| StripRef::Bus(b.id) != r && !b.is_vca())
        .map(|b| BusChoice { id: b.id, name: super::folders::routing_name(session, b) })
        .collect();
    if r != StripRef::Master && !buses.is_empty() {
        sends = sends.push(
            pick_list(buses, None::<BusChoice>, move |b| Message::SendAdded(r, b))
                .placeholder("+ send")
                .text_size(11)
                .padding([2, 4])
                .width(Length::Fill)
                .style(theme::pick),
        );
    }
    if r != StripRef::Master {
        routing = routing.push(section("Sends", sends));
        let output = match r {
            StripRef::Track(id) => session.track(id).map(|t| t.output),
            StripRef::Bus(id) => session.bus(id).map(|b| b.output),
            StripRef::Master => None,
        }
        .unwrap_or_default();
        let mut outputs = vec![OutputChoice { output: Output::Master, name: "Master".into() }];
        outputs.extend(session.buses.iter().filter(|b| StripRef::Bus(b.id) != r && !b.is_vca()).map(|b| {
            OutputChoice { output: Output::Bus(b.id), name: super::folders::routing_name(session, b) }
        }));
        let current = outputs.iter().find(|o| o.output == output).cloned();
        routing = routing.push(
            pick_list(outputs, current, move |o| Message::OutputChosen(r, o))
                .text_size(11)
                .padding([2, 4])
                .width(Length::Fill)
                .style(theme::pick),
        );
    }

    // Inserts, sends and output scroll inside a fixed height, so that every
    // strip's controls and fader line up across the mixer.
    col = col.push(
        scrollable(routing)
            .direction(scrollable::Direction::Vertical(
                scrollable::Scrollbar::new().width(3).scroller_width(3),
            ))
            .height(ROUTING_HEIGHT),
    );

    // Polarity, input trim and width, pan.
    col = col.push(
        row![
            column![
                toggle("Ø", strip.polarity_inverted, Tone::Accent, Message::PolarityToggled(r)),
                small(format!("{:+.1}", strip.trim_db.0)),
            ]
            .width(Length::Fill)
            .spacing(2),
            small_knob(
                r,
                Knob::new(strip.trim_db.0, -24.0, 24.0, 0.0, move |e| Message::Trim(r, e)),
                "trim",
                format!("Input trim {:+.1} dB", strip.trim_db.0)
            ),
            small_knob(
                r,
                Knob::new(strip.width, 0.0, 2.0, 1.0, move |e| Message::Width(r, e)),
                "width",
                format!("Width {:.0}%", strip.width * 100.0)
            ),
        ]
        .spacing(3)
        .align_y(Alignment::Center),
    );
    col = col.push(
        row![
            container(
                canvas(Knob::new(strip.pan.0, -1.0, 1.0, 0.0, move |e| Message::Pan(r, e)).colour(tint))
                    .width(36)
                    .height(36)
            )
            .id(control_id("pan", r)),
            text_input(
                "C",
                &match &ui.typing_pan {
                    Some((t, s)) if *t == r => s.clone(),
                    _ => pan_label(strip.pan.0),
                }
            )
            .id(control_id("pan-value", r))
            .size(11)
            .padding(2)
            .align_x(Alignment::Center)
            .style(theme::input)
            .on_input(move |s| Message::PanTyped(r, s))
            .on_submit(Message::PanSubmitted(r)),
        ]
        .align_y(Alignment::Center),
    );
    let mut buttons = row![toggle("M", strip.mute, Tone::Mute, Message::MuteToggled(r))].spacing(2);
    if r != StripRef::Master {
        buttons = buttons.push(toggle("S", strip.solo, Tone::Solo, Message::SoloToggled(r))).push(toggle(
            "safe",
            strip.solo_safe,
            Tone::Accent,
            Message::SoloSafeToggled(r),
        ));
    }
    col = col.push(buttons);
    fader_section(col, r, strip, tint, ui, audio)
}

/// VCA `b`'s strip: its members where others have routing, no trim, width
/// or pan (it has no audio), its mute, the solo of its members (lit when all
/// are soloed) and its fader.
fn vca_strip<'a>(
    col: Column<'a, Message>,
    session: &'a Session,
    b: &'a mixdesk_engine::session::Bus,
    tint: iced::Color,
    ui: &'a MixerUi,
    audio: &'a Audio,
) -> Element<'a, Message> {
    let (r, strip) = (StripRef::Bus(b.id), &b.strip);
    let solo = super::vca::soloed(session, b);
    let col = col
        .push(scrollable(super::vca::members(session, ui, b)).height(ROUTING_HEIGHT))
        // Where other strips have polarity, trim, width and pan: the faders line up.
        .push(Space::new().height(VCA_GAP))
        .push(
            row![
                toggle("M", strip.mute, Tone::Mute, Message::MuteToggled(r)),
                container(toggle("S", solo, Tone::Solo, Message::SoloToggled(r))).id(control_id("solo", r)),
            ]
            .spacing(2),
        );
    fader_section(col, r, strip, tint, ui, audio)
}

/// The height of the polarity/trim/width and pan rows a VCA strip leaves out.
const VCA_GAP: f32 = 74.0;

/// The fader beside its meter, the value field and the peak, ending a strip.
pub(super) fn fader_section<'a>(
    mut col: Column<'a, Message>,
    r: StripRef,
    strip: &'a mixdesk_engine::session::Strip,
    tint: iced::Color,
    ui: &'a MixerUi,
    audio: &'a Audio,
) -> Element<'a, Message> {
    // Fader and meter, with their scales.
    let reading = meter::Reading::of(audio.meters.get(&r));
    let db = strip.fader_db.0;
    let narrow = ui.narrow && r != StripRef::Master;
    col = col.push(
        responsive(move |size| fader_and_meter(r, db, tint, reading, size, narrow)).height(Length::Fill),
    );
    let value = match &ui.typing {
        Some((t, s)) if *t == r => s.clone(),
        _ => fader_label(strip.fader_db.0),
    };
    col = col.push(
        text_input("dB", &value)
            .id(control_id("fader-value", r))
            .size(12)
            .padding(3)
            .align_x(Alignment::Center)
            .style(theme::input)
            .on_input(move |s| Message::FaderTyped(r, s))
            .on_submit(Message::FaderSubmitted(r)),
    );
    col = col.push(
        container(small(format!(
            "{}{}",
            if narrow { "" } else { "peak " },
            peak_label(reading.hold[0].max(reading.hold[1]))
        )))
        .id(control_id("peak", r)),
    );

    let selected = ui.is_selected(r);
    mouse_area(container(col).height(Length::Fill).style(theme::strip(selected)))
        .on_press(Message::Selected(r))
        .on_enter(Message::StripHovered(r))
        .on_release(Message::StripDropped)
        .into()
}

/// The colour bar, the strip's handle: drag it onto another strip to move it there.
pub(super) fn handle<'a>(r: StripRef, tint: iced::Color) -> Element<'a, Message> {
    let bar = container(Space::new().height(6).width(Length::Fill)).style(theme::colour_bar(tint));
    let handle = mouse_area(bar).on_press(Message::StripGrabbed(r)).interaction(mouse::Interaction::Grab);
    tooltip(container(handle).id(control_id("handle", r)), small("Drag to move"), tooltip::Position::Top)
        .into()
}

/// A small knob with its value in a tooltip, findable by `control_id(what, r)`.
fn small_knob<'a, F: Fn(crate::gui::widget::ControlEvent) -> Message + 'static>(
    r: StripRef,
    k: Knob<F>,
    what: &'static str,
    value: String,
) -> Element<'a, Message> {
    tooltip(
        container(canvas(k).width(28).height(28)).id(control_id(what, r)),
        small(value),
        tooltip::Position::Top,
    )
    .into()
}

/// The name field; its tooltip shows the strip's comment, if it has one.
fn name_field<'a>(session: &'a Session, r: StripRef, name: String) -> Element<'a, Message> {
    let field = text_input("name", &name)
        .size(12)
        .padding(3)
        .style(theme::input)
        .on_input(move |s| Message::Renamed(r, s));
    match comment_of(session, r) {
        "" => field.into(),
        c => tooltip(
            field,
            container(small(c.to_owned())).padding(4).style(theme::panel),
            tooltip::Position::Bottom,
        )
        .into(),
    }
}

/// A track's or bus's comment ("" for none and for the master).
pub(super) fn comment_of(session: &Session, r: StripRef) -> &str {
    match r {
        StripRef::Track(id) => session.track(id).map_or("", |t| t.comment.as_str()),
        StripRef::Bus(id) => session.bus(id).map_or("", |b| b.comment.as_str()),
        StripRef::Master => "",
    }
}

/// The widget id of a strip's control, e.g. `fader-Track(TrackId(1))`, for tests and focus.
pub fn control_id(what: &str, r: StripRef) -> String {
    format!("{what}-{r:?}")
}

/// The fader and the meter side by side, each with its dB scale: labels in a
/// column of text widgets spaced to the marks (no stacked layers: each layer
/// costs a full-window clip mask in the software renderer).
fn fader_and_meter<'a>(
    r: StripRef,
    db: f64,
    tint: iced::Color,
    reading: meter::Reading,
    size: iced::Size,
    narrow: bool,
) -> Element<'a, Message> {
    // Narrow strips leave the scales out (the fader's value is under it).
    let scale_w: f32 = if narrow { 0.0 } else { 22.0 };
    let fader_w = (size.width * 0.45).floor();
    let meter_w = size.width - fader_w - 2.0 * scale_w;
    let travel = size.height - 2.0 * fader::PAD;
    let fader_marks: Vec<(f32, String)> = fader::MARKS
        .iter()
        .copied()
        .chain([f64::NEG_INFINITY])
        .map(|m| {
            let y = fader::PAD + travel * (1.0 - fader::position(m) as f32);
            let s = if m == f64::NEG_INFINITY {
                "-∞".into()
            } else if m > 0.0 {
                format!("+{m:.0}")
            } else {
                format!("{m:.0}")
            };
            (y, s)
        })
        .collect();
    let top = meter::CLIP_H + 2.0;
    let h = size.height - top - meter::PAD;
    let meter_marks: Vec<(f32, String)> =
        meter::MARKS.iter().map(|m| (top + h * (1.0 - meter::fraction(*m)), format!("{m:.0}"))).collect();
    let fader_scale: Element<'a, Message> =
        if narrow { Space::new().into() } else { scale_column(fader_marks, scale_w) };
    let meter_scale: Element<'a, Message> =
        if narrow { Space::new().into() } else { scale_column(meter_marks, scale_w) };
    row![
        fader_scale,
        container(
            canvas(Fader::new(db, -144.0, tint, move |e| Message::Fader(r, e)))
                .width(Length::Fill)
                .height(Length::Fill)
        )
        .id(control_id("fader", r))
        .width(fader_w)
        .height(Length::Fill),
        canvas(meter::Meter::new(reading, Message::ClipReset(r))).width(meter_w).height(Length::Fill),
        meter_scale,
    ]
    .into()
}

/// Labels centred on the given heights (top to bottom), right-aligned.
fn scale_column<'a>(marks: Vec<(f32, String)>, width: f32) -> Element<'a, Message> {
    const LINE: f32 = 12.0;
    let mut col = Column::new().width(width);
    let mut y = 0.0;
    for (at, label) in marks {
        let gap = (at - LINE / 2.0 - y).max(0.0);
        col = col.push(Space::new().height(gap));
        col = col.push(
            text(label)
                .size(9)
                .line_height(iced::Pixels(LINE))
                .width(Length::Fill)
                .align_x(Alignment::End)
                .style(|t: &iced::Theme| text::Style { color: Some(theme::Colors::of(t).dim) }),
        );
        y += gap + LINE;
    }
    col.into()
}

fn section<'a>(title: &'static str, body: Column<'a, Message>) -> Element<'a, Message> {
    column![text(title).size(10), body].spacing(2).width(Length::Fill).into()
}

/// The "+ track" and "+ bus" buttons after the last strip.
pub fn add_strips<'a>(templates: &[mixdesk_engine::templates::TrackTemplate]) -> Element<'a, Message> {
    let add = |label: &'static str, msg: Message| {
        button(small(label)).padding([3, 8]).style(theme::button(Tone::Plain, false)).on_press(msg)
    };
    let mut col = column![
        add("+ track", Message::TrackAdded),
        row![
            container(add("mono", Message::TrackAddedAs(Layout::Mono))).id(MONO_ADD_ID),
            add("stereo", Message::TrackAddedAs(Layout::Stereo)),
        ]
        .spacing(2),
        add("+ bus", Message::BusAdded),
        container(add("+ VCA", Message::VcaAdded)).id(VCA_ADD_ID),
    ]
    .spacing(4);
    if !templates.is_empty() {
        let choices: Vec<super::TemplateChoice> =
            templates.iter().cloned().map(super::TemplateChoice).collect();
        col = col.push(
            container(
                pick_list(choices, None::<super::TemplateChoice>, Message::TrackFromTemplate)
                    .placeholder("+ from template")
                    .text_size(11)
                    .padding([3, 8])
                    .style(theme::pick),
            )
            .id(TEMPLATES_ID),
        );
    }
    container(col).padding(6).into()
}

/// The id of the "+ mono" track button (tests find it by this).
pub const MONO_ADD_ID: &str = "track-add-mono";

/// The id of the narrow/wide strips switch (tests find it by this).
pub const NARROW_ID: &str = "strips-narrow";

/// The id of the "+ VCA" button (tests find it by this).
pub const VCA_ADD_ID: &str = "vca-add";

/// The id of the "+ from template" list (tests find it by this).
pub const TEMPLATES_ID: &str = "track-templates";

/// A fader level as shown under the fader.
pub fn fader_label(db: f64) -> String {
    if db <= -144.0 { "-inf".to_owned() } else { format!("{db:.1}") }
}

fn peak_label(db: f32) -> String {
    if db <= meter::FLOOR { "-inf".to_owned() } else { format!("{db:.1}") }
}

/// Pan as shown beside the knob: C, L40, R100.
pub fn pan_label(pan: f64) -> String {
    let pct = (pan * 100.0).round();
    if pct == 0.0 {
        "C".to_owned()
    } else if pct < 0.0 {
        format!("L{:.0}", -pct)
    } else {
        format!("R{pct:.0}")
    }
}

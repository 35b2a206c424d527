//! Typed values in the timeline's toolbar: the gain of the selected clips
//! (dB) and the value of one selected automation point (in its parameter's
//! unit). Enter applies the value as one undo step; a value that is not a
//! number is refused with what to type.

use iced::Element;
use iced::widget::{row, text, text_input};
use mixdesk_engine::edit::{ClipAt, Edit};
use mixdesk_engine::session::{Clip, Decibels, Session};

use super::edit::Effect;
use super::{Message, TimelineUi};
use crate::gui::document::Document;
use crate::gui::theme;

/// The id of the clip gain field (tests find it by this).
pub const CLIP_GAIN: &str = "clip-gain";
/// The id of the point value field.
pub const POINT_VALUE: &str = "point-value";

/// The fields for what is selected: clip gain when clips are, a value when one point is.
pub fn view<'a>(s: &Session, ui: &'a TimelineUi) -> Option<Element<'a, Message>> {
    if let Some((param, indices)) = ui.points.as_ref().filter(|(_, i)| i.len() == 1) {
        let point = s.lane(*param).and_then(|l| l.points.get(indices[0]))?;
        let shown = ui.typed_value.clone().unwrap_or_else(|| format!("{:.2}", point.value));
        let now = s.param_info(*param).map_or_else(String::new, |i| format!("now {}", i.format(point.value)));
        return Some(field("Value", POINT_VALUE, shown, now, Message::PointValueSubmitted));
    }
    let gains: Vec<f64> = s
        .tracks
        .iter()
        .flat_map(|t| &t.clips)
        .filter(|c| ui.selected.contains(&c.id))
        .map(|c| c.gain_db.0)
        .collect();
    let first = *gains.first()?;
    let same = gains.iter().all(|g| *g == first);
    let shown =
        ui.typed_value.clone().unwrap_or_else(|| if same { format!("{first:+.1}") } else { String::new() });
    Some(field("Clip gain", CLIP_GAIN, shown, "dB".to_owned(), Message::ClipGainSubmitted))
}

/// "LABEL [value] AFTER", the field `id`, Enter sending `submit`.
fn field<'a>(
    label: &'a str,
    id: &'static str,
    shown: String,
    after: String,
    submit: Message,
) -> Element<'a, Message> {
    row![
        text(label).size(12),
        text_input("", &shown)
            .id(id)
            .on_input(Message::ValueTyped)
            .on_submit(submit)
            .size(12)
            .width(70)
            .style(theme::input),
        text(after).size(12),
    ]
    .spacing(4)
    .align_y(iced::Alignment::Center)
    .into()
}

/// The number typed, or the error that says what to type.
fn number(text: &str, what: &str) -> Result<f64, String> {
    crate::gui::mixer::parse_db(text).ok_or_else(|| format!("\"{text}\" is not a number; type {what}"))
}

/// Enter in the clip gain field: every selected clip at the typed gain.
pub fn clip_gain(doc: &mut Document, ui: &mut TimelineUi) -> Effect {
    let Some(typed) = ui.typed_value.take() else { return Effect::None };
    let db = match number(&typed, "a gain in dB such as -3 or +1.5") {
        Ok(db) => db.clamp(-96.0, 24.0),
        Err(e) => return Effect::Error(e),
    };
    let mut edits = Vec::new();
    for t in &doc.session.tracks {
        for (index, c) in t.clips.iter().enumerate().filter(|(_, c)| ui.selected.contains(&c.id)) {
            let clip = Clip { gain_db: Decibels(db), ..c.clone() };
            edits.push(Edit::Clip(c.id, Some(ClipAt { track: t.id, index, clip })));
        }
    }
    let label = format!("Clip gain {db:+.1} dB on {} clip(s)", edits.len());
    doc.apply_all("clip gain", label, edits);
    Effect::None
}

/// Enter in the point value field: the one selected point at the typed value.
pub fn point_value(doc: &mut Document, ui: &mut TimelineUi) -> Effect {
    let Some(typed) = ui.typed_value.take() else { return Effect::None };
    let Some((param, indices)) = ui.points.clone().filter(|(_, i)| i.len() == 1) else { return Effect::None };
    let Some(info) = doc.session.param_info(param) else { return Effect::None };
    let v = match number(&typed, "a value in the parameter's unit") {
        Ok(v) => info.clamp(v),
        Err(e) => return Effect::Error(e),
    };
    let Some(mut lane) = doc.session.lane(param).cloned() else { return Effect::None };
    let Some(p) = lane.points.get_mut(indices[0]) else { return Effect::None };
    p.value = v;
    let label = format!("{} point {}", super::edit::param_name(&doc.session, param), info.format(v));
    doc.apply("point value", label, Edit::Lane(param, Some(lane)));
    Effect::None
}

//! Strips that move together: the selection (click, Ctrl-click, Shift-click)
//! and groups. A fader moved on one of them moves the others by the same
//! number of dB, each from where it was; a mute or solo sets them all to the
//! new state; a colour colours them all. Always one undo step.

use mixdesk_engine::edit::{Edit, Switch};
use mixdesk_engine::session::{Linked, ParamId, Session, StripParam, StripRef};

use super::tracks::selected;
use super::{Effect, MixerUi, strip_name};
use crate::gui::document::Document;
use crate::gui::widget::ControlEvent;

/// Every track and bus in display order.
fn order(s: &Session) -> Vec<StripRef> {
    s.tracks
        .iter()
        .map(|t| StripRef::Track(t.id))
        .chain(s.buses.iter().map(|b| StripRef::Bus(b.id)))
        .collect()
}

/// A click on strip `r`: Ctrl adds or removes it, Shift selects the range
/// from the focused strip, a plain click selects it (and its group, when
/// the group links selection).
pub fn select(s: &Session, ui: &mut MixerUi, r: StripRef) {
    let m = ui.modifiers;
    if m.command() && r != StripRef::Master {
        let mut all = selected(ui);
        if let Some(i) = all.iter().position(|x| *x == r) {
            all.remove(i);
            ui.selected = all.first().copied();
        } else {
            all.push(r);
            ui.selected = Some(r);
        }
        ui.selection = all;
    } else if m.shift()
        && let Some(from) = ui.selected
    {
        let order = order(s);
        let (Some(a), Some(b)) = (order.iter().position(|x| *x == from), order.iter().position(|x| *x == r))
        else {
            return;
        };
        ui.selection = order[a.min(b)..=a.max(b)].to_vec();
        ui.selected = Some(r);
    } else {
        ui.selected = Some(r);
        let group = s.linked(r, Linked::Selection);
        ui.selection = if group.len() > 1 { group } else { Vec::new() };
    }
}

/// Arrow keys: the previous (`by` < 0) or next strip becomes the only one
/// selected (the first one when none is).
pub fn select_step(s: &Session, ui: &mut MixerUi, by: i32) {
    let order: Vec<StripRef> = s.strips().map(|(r, _)| r).collect();
    let at = ui.selected.and_then(|r| order.iter().position(|x| *x == r));
    let next = match at {
        Some(i) => i.saturating_add_signed(by as isize).min(order.len().saturating_sub(1)),
        None => 0,
    };
    if let Some(r) = order.get(next) {
        ui.selected = Some(*r);
        ui.selection.clear();
    }
}

/// The strips that move with `r` for `what`: `r`, its group's members when
/// the group links `what`, and the selection when `r` is part of it.
pub fn together(s: &Session, ui: &MixerUi, r: StripRef, what: Linked) -> Vec<StripRef> {
    let mut out = s.linked(r, what);
    if ui.is_selected(r) {
        for m in selected(ui) {
            if !out.contains(&m) && s.strip(m).is_some() {
                out.push(m);
            }
        }
    }
    out
}

/// A fader dragged, released or reset on `r` (a drag is one gesture):
/// every linked fader moves by the same number of dB.
pub fn fader(doc: &mut Document, ui: &MixerUi, r: StripRef, e: ControlEvent) -> Effect {
    match e {
        ControlEvent::Released => doc.end_gesture(),
        ControlEvent::Moved(v) => {
            let (key, label, edits) = fader_edits(doc, ui, r, v);
            doc.gesture_edits(&key, label, edits);
        }
        ControlEvent::Reset => fader_to(doc, ui, r, StripParam::Fader.info().default),
    }
    Effect::None
}

/// `r`'s fader set to `db` (typed, or reset) as one step, linked faders with it.
pub fn fader_to(doc: &mut Document, ui: &MixerUi, r: StripRef, db: f64) {
    let (key, label, edits) = fader_edits(doc, ui, r, db);
    doc.apply_all(&key, label, edits);
}

/// The gesture key, the words and the edits of `r`'s fader going to `to`
/// with every fader linked to it.
fn fader_edits(doc: &Document, ui: &MixerUi, r: StripRef, to: f64) -> (String, String, Vec<Edit>) {
    let param = ParamId::Strip(r, StripParam::Fader);
    let info = StripParam::Fader.info();
    let key = format!("{param:?}");
    let to = info.clamp(to);
    let start =
        |p: ParamId| doc.gesture_from(&key, p).or_else(|| doc.session.param_value(p)).unwrap_or(info.default);
    let from = start(param);
    let delta = to - from;
    let members = together(&doc.session, ui, r, Linked::Gain);
    let edits: Vec<Edit> = members
        .iter()
        .map(|m| {
            let p = ParamId::Strip(*m, StripParam::Fader);
            let v = if *m == r { to } else { info.clamp(start(p) + delta) };
            Edit::Param(p, v)
        })
        .collect();
    let others = match members.len() {
        1 => String::new(),
        2 => " and 1 linked strip".to_owned(),
        n => format!(" and {} linked strips", n - 1),
    };
    let label =
        format!("{} fader {} -> {}{others}", strip_name(&doc.session, r), info.format(from), info.format(to));
    (key, label, edits)
}

/// Mute or solo pressed on `r`: every linked strip takes `r`'s new state.
pub fn switch(doc: &mut Document, ui: &MixerUi, r: StripRef, which: Switch) -> Effect {
    let (what, field): (Linked, fn(&mixdesk_engine::session::Strip) -> bool) = match which {
        Switch::Mute => (Linked::Mute, |st| st.mute),
        Switch::Solo => (Linked::Solo, |st| st.solo),
        Switch::SoloSafe | Switch::Polarity => return Effect::None,
    };
    let Some(now) = doc.session.strip(r).map(|st| !field(st)) else { return Effect::None };
    let members = together(&doc.session, ui, r, what);
    let name = strip_name(&doc.session, r);
    let word = if which == Switch::Mute { "mute" } else { "solo" };
    let others = if members.len() > 1 { format!(" and {} more", members.len() - 1) } else { String::new() };
    let label = format!("{name}{others} {word} {}", if now { "on" } else { "off" });
    let edits = members.iter().map(|m| Edit::Switch(*m, which, now)).collect();
    doc.apply_all(&format!("{r} {word}"), label, edits);
    Effect::None
}

/// A colour picked on `r`: the selection takes it when `r` is part of it.
pub fn colour(doc: &mut Document, ui: &MixerUi, r: StripRef, c: mixdesk_engine::session::Colour) -> Effect {
    let mut members = vec![r];
    if ui.is_selected(r) {
        members.extend(selected(ui).into_iter().filter(|m| *m != r && *m != StripRef::Master));
    }
    let name = strip_name(&doc.session, r);
    let others = if members.len() > 1 { format!(" and {} more", members.len() - 1) } else { String::new() };
    let edits = members.iter().map(|m| Edit::Colour(*m, c)).collect();
    doc.apply_all(&format!("{r} colour"), format!("{name}{others} colour"), edits);
    Effect::None
}

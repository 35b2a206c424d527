//! What each mixer message does to the document: one small function per kind
//! of change, each one undo step (or one gesture) with a label in words.

use mixdesk_engine::session::{
    Bus, BusId, Output, ParamId, ProcessorId, Send, SendId, SendParam, Session, Strip, StripParam, StripRef,
};

use mixdesk_engine::edit::{Edit, Switch};

use super::{Message, MixerUi, strip_name};
use crate::gui::document::Document;
use crate::gui::widget::ControlEvent;

/// What the app must do after a mixer message, beyond syncing the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Nothing more.
    None,
    /// Clear a strip's clip light.
    ClipReset(StripRef),
    /// Show this message in the error banner.
    Error(String),
}

/// Applies one mixer message.
pub fn update(doc: &mut Document, ui: &mut MixerUi, message: Message) -> Effect {
    match message {
        Message::Fader(r, e) => strip_control(doc, r, StripParam::Fader, e),
        Message::Pan(r, e) => strip_control(doc, r, StripParam::Pan, e),
        Message::Width(r, e) => strip_control(doc, r, StripParam::Width, e),
        Message::FaderTyped(r, s) => {
            ui.typing = Some((r, s));
            Effect::None
        }
        Message::FaderSubmitted(r) => fader_typed(doc, ui, r),
        Message::PanTyped(r, s) => {
            ui.typing_pan = Some((r, s));
            Effect::None
        }
        Message::PanSubmitted(r) => pan_typed(doc, ui, r),
        Message::Renamed(r, name) => {
            let old = strip_name(&doc.session, r);
            doc.apply_merging(&format!("{r} name"), format!("Renamed {old} to {name}"), Edit::Name(r, name));
            Effect::None
        }
        Message::ColoursToggled(r) => {
            ui.colours_open = if ui.colours_open == Some(r) { None } else { Some(r) };
            Effect::None
        }
        Message::ColourPicked(r, c) => {
            ui.colours_open = None;
            let name = strip_name(&doc.session, r);
            doc.apply(&format!("{r} colour"), format!("{name} colour"), Edit::Colour(r, c));
            Effect::None
        }
        Message::MuteToggled(r) => toggle(doc, r, Switch::Mute, |st| st.mute),
        Message::SoloToggled(r) => toggle(doc, r, Switch::Solo, |st| st.solo),
        Message::SoloSafeToggled(r) => toggle(doc, r, Switch::SoloSafe, |st| st.solo_safe),
        Message::PolarityToggled(r) => toggle(doc, r, Switch::Polarity, |st| st.polarity_inverted),
        Message::ClipReset(r) => Effect::ClipReset(r),
        Message::Selected(r) => {
            ui.selected = Some(r);
            Effect::None
        }
        Message::InsertAdded(r, kind) => {
            let name = strip_name(&doc.session, r);
            let mut added = None;
            doc.edit("insert add", format!("Added {} to {name}", kind.0.name), |s| {
                added = s.add_processor(r, kind.0.kind, usize::MAX).ok();
            });
            ui.editor = added.or(ui.editor);
            Effect::None
        }
        Message::InsertRemoved(id) => {
            let label = processor_label(&doc.session, id);
            doc.edit("insert remove", format!("Removed {label}"), |s| {
                let _ = s.remove_processor(id);
            });
            if ui.editor == Some(id) {
                ui.editor = None;
            }
            Effect::None
        }
        Message::InsertBypassToggled(id) => {
            let Some(on) = doc.session.processor(id).map(|p| !p.bypassed) else { return Effect::None };
            let label = processor_label(&doc.session, id);
            doc.apply(
                "bypass",
                format!("{} {label}", if on { "Bypassed" } else { "Enabled" }),
                Edit::Bypass(id, on),
            );
            Effect::None
        }
        Message::InsertOpened(id) => {
            ui.editor = if ui.editor == Some(id) { None } else { Some(id) };
            Effect::None
        }
        Message::InsertGrabbed(id) => {
            ui.grabbed = Some(id);
            Effect::None
        }
        Message::InsertHovered(target) => {
            if let Some(id) = ui.grabbed.filter(|g| *g != target) {
                reorder(doc, id, target);
            }
            Effect::None
        }
        Message::InsertDropped => {
            ui.grabbed = None;
            doc.end_gesture();
            Effect::None
        }
        Message::SendAdded(r, bus) => {
            let name = strip_name(&doc.session, r);
            checked_edit(doc, "send add", format!("{name} send to {}", bus.name), |s| {
                let id = SendId(s.next_id());
                if let Some(st) = s.strip_mut(r) {
                    st.sends.push(Send {
                        id,
                        target: bus.id,
                        level_db: mixdesk_engine::session::Decibels(-10.0),
                        pan: Default::default(),
                        pre_fader: false,
                    });
                }
            })
        }
        Message::SendRemoved(id) => {
            doc.edit("send remove", "Removed a send", |s| {
                for st in strips_mut(s) {
                    st.sends.retain(|x| x.id != id);
                }
            });
            Effect::None
        }
        Message::SendLevel(id, e) => {
            let param = ParamId::Send(id, SendParam::Level);
            control(doc, param, "Send level", e, SendParam::Level.info().default)
        }
        Message::SendPreToggled(id) => {
            doc.edit("send pre", "Send pre/post fader", |s| {
                for st in strips_mut(s) {
                    st.sends.iter_mut().filter(|x| x.id == id).for_each(|x| x.pre_fader = !x.pre_fader);
                }
            });
            Effect::None
        }
        Message::OutputChosen(r, o) => {
            let name = strip_name(&doc.session, r);
            checked_edit(doc, "output", format!("{name} output to {}", o.name), |s| {
                set_output(s, r, o.output)
            })
        }
        Message::BusAdded => {
            doc.edit("bus add", "Added a bus", |s| {
                let id = BusId(s.next_id());
                let n = s.buses.len() + 1;
                let colour =
                    mixdesk_engine::stems::least_used_colour(mixdesk_engine::stems::strip_colours(s));
                s.buses.push(Bus {
                    id,
                    name: format!("Bus {n}"),
                    colour,
                    comment: String::new(),
                    strip: Strip::default(),
                    output: Output::Master,
                });
            });
            Effect::None
        }
    }
}

/// A change to a strip's fader, pan or width from a control.
fn strip_control(doc: &mut Document, r: StripRef, p: StripParam, e: ControlEvent) -> Effect {
    let name = strip_name(&doc.session, r);
    control(
        doc,
        ParamId::Strip(r, p),
        &format!("{name} {}", p.info().name.to_lowercase()),
        e,
        p.info().default,
    )
}

/// Moves, releases or resets any parameter: a drag is one gesture, a reset one step.
fn control(doc: &mut Document, param: ParamId, what: &str, e: ControlEvent, default: f64) -> Effect {
    let Some(info) = doc.session.param_info(param) else { return Effect::None };
    let key = format!("{param:?}");
    match e {
        ControlEvent::Moved(v) => {
            let v = info.clamp(v);
            let before =
                doc.gesture_from(&key, param).or_else(|| doc.session.param_value(param)).unwrap_or(default);
            let label = format!("{what} {} -> {}", info.format(before), info.format(v));
            doc.gesture_edits(&key, label, vec![Edit::Param(param, v)]);
        }
        ControlEvent::Released => doc.end_gesture(),
        ControlEvent::Reset => {
            let before = doc.session.param_value(param).unwrap_or(default);
            let label = format!("{what} {} -> {}", info.format(before), info.format(default));
            doc.apply(&key, label, Edit::Param(param, default));
        }
    }
    Effect::None
}

/// Applies a typed fader level ("-4.5", "+3 dB", "-inf").
fn fader_typed(doc: &mut Document, ui: &mut MixerUi, r: StripRef) -> Effect {
    let Some((_, text)) = ui.typing.take().filter(|(t, _)| *t == r) else { return Effect::None };
    match parse_db(&text) {
        Some(db) => set_typed(doc, r, StripParam::Fader, db),
        None => Effect::Error(format!("\"{text}\" is not a level; type a number of dB such as -4.5 or -inf")),
    }
}

/// Applies a typed pan ("L40", "R100", "C", "-25").
fn pan_typed(doc: &mut Document, ui: &mut MixerUi, r: StripRef) -> Effect {
    let Some((_, text)) = ui.typing_pan.take().filter(|(t, _)| *t == r) else { return Effect::None };
    match parse_pan(&text) {
        Some(pan) => set_typed(doc, r, StripParam::Pan, pan),
        None => Effect::Error(format!(
            "\"{text}\" is not a pan position; type C, L40, R100 or a number from -100 to 100"
        )),
    }
}

/// Sets a strip parameter to a typed value as one step labelled "Bass fader -3.0 dB -> -4.5 dB".
fn set_typed(doc: &mut Document, r: StripRef, p: StripParam, v: f64) -> Effect {
    let param = ParamId::Strip(r, p);
    let info = p.info();
    let v = info.clamp(v);
    let before = doc.session.param_value(param).unwrap_or(info.default);
    let label = format!(
        "{} {} {} -> {}",
        strip_name(&doc.session, r),
        info.name.to_lowercase(),
        info.format(before),
        info.format(v)
    );
    doc.apply(&format!("{param:?}"), label, Edit::Param(param, v));
    Effect::None
}

/// A pan position typed by a person: C, L40, R100, or -100..100 (percent, left negative).
pub fn parse_pan(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_uppercase();
    let pct = if t == "C" || t == "0" {
        0.0
    } else if let Some(n) = t.strip_prefix('L') {
        -n.trim().parse::<f64>().ok()?
    } else if let Some(n) = t.strip_prefix('R') {
        n.trim().parse::<f64>().ok()?
    } else {
        t.trim_end_matches('%').parse::<f64>().ok()?
    };
    (pct.is_finite() && pct.abs() <= 100.0).then_some(pct / 100.0)
}

/// A level typed by a person: a number with an optional "dB", or "-inf".
pub fn parse_db(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches("dB").trim_end_matches("db").trim();
    if t.eq_ignore_ascii_case("-inf") || t == "-∞" {
        return Some(-144.0);
    }
    t.trim_start_matches('+').parse::<f64>().ok().filter(|v| v.is_finite())
}

fn toggle(doc: &mut Document, r: StripRef, which: Switch, field: fn(&Strip) -> bool) -> Effect {
    let name = strip_name(&doc.session, r);
    let Some(now) = doc.session.strip(r).map(|st| !field(st)) else { return Effect::None };
    let what = match which {
        Switch::Mute => "mute",
        Switch::Solo => "solo",
        Switch::SoloSafe => "solo safe",
        Switch::Polarity => "polarity",
    };
    let label = format!("{name} {what} {}", if now { "on" } else { "off" });
    doc.apply(&format!("{r} {what}"), label, Edit::Switch(r, which, now));
    Effect::None
}

/// Moves processor `id` to where `target` is in the same chain (part of one drag gesture).
fn reorder(doc: &mut Document, id: ProcessorId, target: ProcessorId) {
    let (Some((ra, _)), Some((rb, to))) =
        (doc.session.find_processor(id), doc.session.find_processor(target))
    else {
        return;
    };
    if ra != rb {
        return;
    }
    let label = format!("Moved {}", processor_label(&doc.session, id));
    doc.gesture("insert move", label, |s| {
        let _ = s.move_processor(id, ra, to);
    });
}

/// "EQ on Bass".
pub fn processor_label(s: &Session, id: ProcessorId) -> String {
    let kind =
        s.processor(id).and_then(|p| mixdesk_engine::dsp::kind(&p.kind)).map_or("processor", |k| k.name);
    match s.find_processor(id) {
        Some((r, _)) => format!("{kind} on {}", strip_name(s, r)),
        None => kind.to_owned(),
    }
}

fn set_output(s: &mut Session, r: StripRef, o: Output) {
    match r {
        StripRef::Track(id) => s.tracks.iter_mut().filter(|t| t.id == id).for_each(|t| t.output = o),
        StripRef::Bus(id) => s.buses.iter_mut().filter(|b| b.id == id).for_each(|b| b.output = o),
        StripRef::Master => {}
    }
}

/// Every strip of the session, mutably.
pub fn strips_mut(s: &mut Session) -> impl Iterator<Item = &mut Strip> {
    s.tracks
        .iter_mut()
        .map(|t| &mut t.strip)
        .chain(s.buses.iter_mut().map(|b| &mut b.strip))
        .chain(std::iter::once(&mut s.master))
}

/// An edit that could make the session invalid (a routing loop): tried on a
/// copy first, and refused with the reason if the result does not validate.
fn checked_edit(doc: &mut Document, key: &str, label: String, f: impl FnOnce(&mut Session)) -> Effect {
    let mut trial = doc.session.clone();
    f(&mut trial);
    if let Err(e) = mixdesk_engine::session::validate(&trial) {
        return Effect::Error(format!("{e}. The change was not made."));
    }
    doc.edit(key, label, |s| *s = trial);
    Effect::None
}

#[cfg(test)]
mod tests {
    use super::{parse_db, parse_pan};

    #[test]
    fn typed_levels_parse_like_a_person_writes_them() {
        assert_eq!(parse_db("-4.5"), Some(-4.5));
        assert_eq!(parse_db(" +3 dB"), Some(3.0));
        assert_eq!(parse_db("-inf"), Some(-144.0));
        assert_eq!(parse_db("loud"), None);
        assert_eq!(parse_db("NaN"), None);
        assert_eq!(parse_pan("l40"), Some(-0.4));
        assert_eq!(parse_pan("R100"), Some(1.0));
        assert_eq!(parse_pan("C"), Some(0.0));
        assert_eq!(parse_pan("-25"), Some(-0.25));
        assert_eq!(parse_pan("R140"), None);
    }
}

//! What each mixer message does to the document: one small function per kind
//! of change, each one undo step (or one gesture) with a label in words.

use mixdesk_engine::session::{
    Bus, BusId, Layout, Output, ParamId, ProcessorId, Send, SendId, SendParam, Session, Strip, StripParam,
    StripRef, Track, TrackId,
};

use mixdesk_engine::edit::{BusAt, Edit, ProcessorAt, SendAt, Switch, TrackAt};

use super::{Message, MixerUi, folders, links, strip_name, tracks, vca};
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
    /// Show this note (it goes by itself).
    Note(String),
}

/// Applies one mixer message.
pub fn update(doc: &mut Document, ui: &mut MixerUi, message: Message) -> Effect {
    match message {
        Message::Fader(r, e) => links::fader(doc, ui, r, e),
        Message::Trim(r, e) => strip_control(doc, r, StripParam::Trim, e),
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
            links::colour(doc, ui, r, c)
        }
        Message::MuteToggled(r) => links::switch(doc, ui, r, Switch::Mute),
        Message::SoloToggled(StripRef::Bus(b)) if doc.session.bus(b).is_some_and(|x| x.is_vca()) => {
            super::vca::solo(doc, b)
        }
        Message::SoloToggled(r) => links::switch(doc, ui, r, Switch::Solo),
        Message::SoloSafeToggled(r) => toggle(doc, r, Switch::SoloSafe, |st| st.solo_safe),
        Message::PolarityToggled(r) => toggle(doc, r, Switch::Polarity, |st| st.polarity_inverted),
        Message::ClipReset(r) => Effect::ClipReset(r),
        Message::Selected(r) => {
            if ui.grabbed_strip.take().is_some() {
                doc.end_gesture();
            }
            links::select(&doc.session, ui, r);
            Effect::None
        }
        Message::StripMenu(r, action) => tracks::menu(doc, ui, r, action),
        Message::TrackFromTemplate(t) => {
            let track = t.0.track(&doc.session);
            ui.selected = Some(StripRef::Track(track.id));
            ui.selection.clear();
            let label = format!("Added track {} from its template", track.name);
            doc.apply("track add", label, Edit::Track(track.id, Some(TrackAt { index: usize::MAX, track })));
            Effect::None
        }
        Message::StripGrabbed(r) => {
            ui.grabbed_strip = Some(r);
            Effect::None
        }
        Message::StripHovered(r) => {
            tracks::reorder(doc, ui, r);
            Effect::None
        }
        Message::StripDropped => {
            if ui.grabbed_strip.take().is_some() {
                doc.end_gesture();
            }
            Effect::None
        }
        Message::Commented(r, text) => {
            let name = strip_name(&doc.session, r);
            doc.apply_merging(&format!("{r} comment"), format!("{name} comment"), Edit::Comment(r, text));
            Effect::None
        }
        Message::CommentClosed => {
            ui.commenting = None;
            Effect::None
        }
        Message::InsertAdded(r, kind) => {
            let name = strip_name(&doc.session, r);
            let Ok(processor) = doc.session.new_processor(kind.0.kind) else { return Effect::None };
            let id = processor.id;
            let at = ProcessorAt { strip: r, index: usize::MAX, processor };
            doc.apply(
                "insert add",
                format!("Added {} to {name}", kind.0.name),
                Edit::Processor(id, Some(at)),
            );
            ui.editor = Some(id);
            Effect::None
        }
        Message::InsertRemoved(id) => {
            let label = processor_label(&doc.session, id);
            doc.apply("insert remove", format!("Removed {label}"), Edit::Processor(id, None));
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
            let send = Send {
                id: SendId(doc.session.next_id()),
                target: bus.id,
                level_db: mixdesk_engine::session::Decibels(-10.0),
                pan: Default::default(),
                pre_fader: false,
            };
            let edit = Edit::Send(send.id, Some(SendAt { strip: r, index: usize::MAX, send }));
            checked(doc, "send add", format!("{name} send to {}", bus.name), edit)
        }
        Message::SendRemoved(id) => {
            doc.apply("send remove", "Removed a send", Edit::Send(id, None));
            Effect::None
        }
        Message::SendLevel(id, e) => {
            let param = ParamId::Send(id, SendParam::Level);
            control(doc, param, "Send level", e, SendParam::Level.info().default)
        }
        Message::SendPreToggled(id) => {
            let Some(mut at) = send_at(&doc.session, id) else { return Effect::None };
            at.send.pre_fader = !at.send.pre_fader;
            doc.apply("send pre", "Send pre/post fader", Edit::Send(id, Some(at)));
            Effect::None
        }
        Message::OutputChosen(r, o) => {
            let name = strip_name(&doc.session, r);
            checked(doc, "output", format!("{name} output to {}", o.name), Edit::Output(r, o.output))
        }
        Message::TrackAdded => update(doc, ui, Message::TrackAddedAs(Layout::Auto)),
        Message::TrackAddedAs(layout) => {
            let s = &doc.session;
            let track = Track {
                id: TrackId(s.next_id()),
                name: format!("Track {}", s.tracks.len() + 1),
                colour: mixdesk_engine::stems::least_used_colour(mixdesk_engine::stems::strip_colours(s)),
                comment: String::new(),
                clips: Vec::new(),
                strip: Strip::default(),
                output: Output::Master,
                layout,
            };
            let kind = match layout {
                Layout::Auto => "track",
                Layout::Mono => "mono track",
                Layout::Stereo => "stereo track",
            };
            let label = format!("Added {kind} {}", track.name);
            ui.selected = Some(StripRef::Track(track.id));
            doc.apply("track add", label, Edit::Track(track.id, Some(TrackAt { index: usize::MAX, track })));
            Effect::None
        }
        Message::StripDeleted(r) => {
            let label = format!("Deleted {}", strip_name(&doc.session, r));
            let edits = tracks::deletion(&doc.session, r);
            if ui.editor.is_some_and(|p| doc.session.find_processor(p).is_some_and(|(x, _)| x == r)) {
                ui.editor = None;
            }
            if ui.selected == Some(r) {
                ui.selected = None;
            }
            ui.selection.retain(|x| *x != r);
            doc.apply_all("strip delete", label, edits);
            Effect::None
        }
        Message::VcaAdded => vca::add(doc, ui),
        Message::NarrowToggled => {
            ui.narrow = !ui.narrow;
            Effect::None
        }
        Message::FolderToggled(id) => folders::toggle(doc, id),
        Message::FolderDissolved(id) => folders::dissolve(doc, id),
        Message::VcaSpilled(id) => {
            ui.spill = if ui.spill == Some(id) { None } else { Some(id) };
            Effect::None
        }
        Message::BusAdded => {
            let s = &doc.session;
            let bus = Bus {
                id: BusId(s.next_id()),
                name: format!("Bus {}", s.buses.len() + 1),
                colour: mixdesk_engine::stems::least_used_colour(mixdesk_engine::stems::strip_colours(s)),
                comment: String::new(),
                strip: Strip::default(),
                output: Output::Master,
                vca: None,
            };
            doc.apply("bus add", "Added a bus", Edit::Bus(bus.id, Some(BusAt { index: usize::MAX, bus })));
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
        Some(db) => {
            links::fader_to(doc, ui, r, db);
            Effect::None
        }
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
    let Some(processor) = doc.session.processor(id).cloned() else { return };
    doc.gesture_edits(
        "insert move",
        label,
        vec![Edit::Processor(id, Some(ProcessorAt { strip: ra, index: to, processor }))],
    );
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

/// An edit that could make the session invalid (a routing loop): tried on a
/// copy first (one click, one copy), and refused with the reason if the
/// result does not validate.
fn checked(doc: &mut Document, key: &str, label: String, edit: Edit) -> Effect {
    let mut trial = doc.session.clone();
    edit.apply(&mut trial);
    if let Err(e) = mixdesk_engine::session::validate(&trial) {
        return Effect::Error(format!("{e}. The change was not made."));
    }
    doc.apply(key, label, edit);
    Effect::None
}

/// Where send `id` is and what it is.
fn send_at(s: &Session, id: SendId) -> Option<SendAt> {
    for (strip, st) in s.strips() {
        if let Some(index) = st.sends.iter().position(|x| x.id == id) {
            return Some(SendAt { strip, index, send: st.sends[index].clone() });
        }
    }
    None
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

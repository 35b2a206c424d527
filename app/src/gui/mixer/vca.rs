//! VCA strips in the mixer: "+ VCA" makes one of the selected strips, a VCA's
//! menu assigns the selection to it, a member's menu lets it go, "Spill"
//! shows only a VCA's members, and a VCA's S solos its members (a VCA has no
//! audio to solo). Each change is one undo step.

use iced::widget::{Column, button, column, text};
use iced::{Element, Length};
use mixdesk_engine::edit::Switch;
use mixdesk_engine::edit::{BusAt, Edit};
use mixdesk_engine::session::{Bus, BusId, Session, StripRef, Vca};

use super::{Effect, Message, MixerUi, strip_name};
use crate::gui::document::Document;
use crate::gui::theme::{self, Tone};

/// The strips of `rs` a VCA can control: tracks and audio buses.
fn controllable(s: &Session, rs: &[StripRef]) -> Vec<StripRef> {
    s.strips()
        .map(|(r, _)| r)
        .filter(|r| rs.contains(r))
        .filter(|r| match r {
            StripRef::Track(_) => true,
            StripRef::Bus(id) => !s.is_vca(*id),
            StripRef::Master => false,
        })
        .collect()
}

/// The edits that take `rs` away from the VCAs they answer to (other than `keep`).
pub(super) fn releasing(s: &Session, rs: &[StripRef], keep: Option<BusId>) -> Vec<Edit> {
    s.buses
        .iter()
        .enumerate()
        .filter(|(_, b)| Some(b.id) != keep)
        .filter_map(|(index, b)| {
            let v = b.vca.as_ref()?;
            v.members.iter().any(|m| rs.contains(m)).then(|| {
                let members = v.members.iter().copied().filter(|m| !rs.contains(m)).collect();
                Edit::Bus(b.id, Some(BusAt { index, bus: Bus { vca: Some(Vca { members }), ..b.clone() } }))
            })
        })
        .collect()
}

/// "+ VCA": a new VCA at the end whose members are the selected tracks and
/// buses (taken from any VCA they answered to).
pub fn add(doc: &mut Document, ui: &mut MixerUi) -> Effect {
    let s = &doc.session;
    let members = controllable(s, &super::tracks::selected(ui));
    let n = s.buses.iter().filter(|b| b.is_vca()).count() + 1;
    let mut bus = Bus::new(BusId(s.next_id()), format!("VCA {n}"));
    bus.colour = mixdesk_engine::stems::least_used_colour(mixdesk_engine::stems::strip_colours(s));
    bus.vca = Some(Vca { members: members.clone() });
    let label = if members.is_empty() {
        format!("Added {}", bus.name)
    } else {
        format!("Added {} over {}", bus.name, names(s, &members))
    };
    let id = bus.id;
    let mut edits = releasing(s, &members, None);
    edits.push(Edit::Bus(id, Some(BusAt { index: usize::MAX, bus })));
    doc.apply_all("vca add", label, edits);
    ui.selected = Some(StripRef::Bus(id));
    ui.selection.clear();
    Effect::None
}

/// Puts the selected strips under VCA `vca` (one step).
pub fn assign_selected(doc: &mut Document, ui: &MixerUi, vca: BusId) -> Effect {
    let s = &doc.session;
    let (Some(index), Some(b)) = (s.buses.iter().position(|b| b.id == vca), s.bus(vca)) else {
        return Effect::None;
    };
    let Some(v) = &b.vca else { return Effect::None };
    let chosen: Vec<StripRef> = controllable(s, &super::tracks::selected(ui))
        .into_iter()
        .filter(|r| !v.members.contains(r))
        .collect();
    if chosen.is_empty() {
        return Effect::Note("Select the tracks or buses to put under this VCA first".into());
    }
    let mut members = v.members.clone();
    members.extend(&chosen);
    let label = format!("Put {} under {}", names(s, &chosen), b.name);
    let mut edits = releasing(s, &chosen, Some(vca));
    edits.push(Edit::Bus(vca, Some(BusAt { index, bus: Bus { vca: Some(Vca { members }), ..b.clone() } })));
    doc.apply_all("vca assign", label, edits);
    Effect::None
}

/// Whether every member of VCA `b` is soloed (its S is lit).
pub fn soloed(s: &Session, b: &Bus) -> bool {
    let members = b.vca.as_ref().map_or(&[][..], |v| &v.members[..]);
    !members.is_empty() && members.iter().all(|m| s.strip(*m).is_some_and(|st| st.solo))
}

/// Solos VCA `vca`'s members, or unsolos them when all are soloed (one step).
pub fn solo(doc: &mut Document, vca: BusId) -> Effect {
    let s = &doc.session;
    let Some(b) = s.bus(vca).filter(|b| b.is_vca()) else { return Effect::None };
    let on = !soloed(s, b);
    let members = b.vca.as_ref().map_or(Vec::new(), |v| v.members.clone());
    let label = format!("{} members solo {}", b.name, if on { "on" } else { "off" });
    let edits = members.iter().map(|m| Edit::Switch(*m, Switch::Solo, on)).collect();
    doc.apply_all("vca solo", label, edits);
    Effect::None
}

/// Takes `r` away from its VCA (one step).
pub fn leave(doc: &mut Document, r: StripRef) -> Effect {
    let s = &doc.session;
    let Some(v) = s.vca_of(r) else { return Effect::None };
    let label = format!("{} left {}", strip_name(s, r), v.name);
    let edits = releasing(s, &[r], None);
    doc.apply_all("vca leave", label, edits);
    Effect::None
}

/// The edit that keeps a new copy of `r` under `r`'s VCA, if it has one.
pub fn joining(s: &Session, r: StripRef, copy: StripRef) -> Option<Edit> {
    let b = s.vca_of(r)?;
    let index = s.buses.iter().position(|x| x.id == b.id)?;
    let mut members = b.vca.as_ref()?.members.clone();
    members.push(copy);
    Some(Edit::Bus(b.id, Some(BusAt { index, bus: Bus { vca: Some(Vca { members }), ..b.clone() } })))
}

/// Whether the mixer shows `r` now: everything, or while a VCA is spilled
/// only it and its members.
pub fn shown(s: &Session, ui: &MixerUi, r: StripRef) -> bool {
    match ui.spill.and_then(|id| s.bus(id)).and_then(|b| b.vca.as_ref().map(|v| (b.id, v))) {
        Some((id, v)) => r == StripRef::Bus(id) || v.members.contains(&r),
        None => true,
    }
}

/// What a VCA strip shows where other strips have inserts, sends and the
/// output: its members, and the button that spills them.
pub fn members<'a>(s: &'a Session, ui: &MixerUi, b: &'a Bus) -> Column<'a, Message> {
    let r = StripRef::Bus(b.id);
    let spilled = ui.spill == Some(b.id);
    let mut col = column![text("VCA · no audio").size(10)].spacing(2).width(Length::Fill);
    let members = b.vca.as_ref().map_or(&[][..], |v| &v.members[..]);
    if members.is_empty() {
        col = col.push(text("No members: select strips, then ⋯ → Assign").size(10));
    }
    for m in members {
        col = col.push(text(strip_name(s, *m)).size(11));
    }
    let spill = button(text(if spilled { "Show all" } else { "Spill" }).size(11))
        .padding([2, 6])
        .style(theme::button(Tone::Accent, spilled))
        .on_press(Message::VcaSpilled(b.id));
    col.push(iced::widget::container(spill).id(super::strip::control_id("spill", r)))
}

/// The note above the strips while a VCA is spilled.
pub fn spill_banner<'a>(s: &'a Session, ui: &MixerUi) -> Option<Element<'a, Message>> {
    let b = s.bus(ui.spill?)?;
    Some(
        iced::widget::row![
            text(format!("Showing the members of {}", b.name)).size(12),
            button(text("Show all").size(11))
                .padding([2, 6])
                .style(theme::button(Tone::Plain, false))
                .on_press(Message::VcaSpilled(b.id)),
        ]
        .spacing(8)
        .padding([4, 8])
        .into(),
    )
}

fn names(s: &Session, rs: &[StripRef]) -> String {
    rs.iter().map(|r| strip_name(s, *r)).collect::<Vec<_>>().join(", ")
}

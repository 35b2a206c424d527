//! Managing the strips themselves: the "⋯" menu (duplicate, comment, group,
//! leave the group), reordering by dragging the colour bar, and deleting a
//! strip with everything that names it. Each is one undo step.

use std::collections::HashMap;

use mixdesk_engine::edit::{BusAt, Edit, ProcessorAt, TrackAt};
use mixdesk_engine::session::{
    Bus, BusId, ClipId, Group, GroupId, Output, ParamId, ProcessorId, SendId, Session, Shares, Strip,
    StripRef, Track, TrackId,
};

use super::{Effect, MixerUi, strip_name};
use crate::gui::document::Document;

/// An entry of a strip's "⋯" menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StripAction {
    /// A copy after it: inserts, sends, settings, lanes, and a track's clips.
    Duplicate,
    /// A copy without the clips (a track only).
    DuplicateEmpty,
    /// Open the comment field under the name.
    Comment,
    /// Make a group of the selected strips.
    GroupSelected,
    /// Leave the group it is in.
    LeaveGroup,
    /// Save its settings as a track template under its name.
    SaveTemplate,
    /// Put the selected strips under this VCA.
    AssignToVca,
    /// Stop answering to its VCA.
    LeaveVca,
    /// Put the selected tracks in a folder.
    FolderSelected,
    /// Put the selected tracks in a summing folder (a new bus they play into).
    SumSelected,
    /// Take the track out of its folder.
    LeaveFolder,
}

impl std::fmt::Display for StripAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StripAction::Duplicate => "Duplicate",
            StripAction::DuplicateEmpty => "Duplicate without clips",
            StripAction::Comment => "Comment…",
            StripAction::GroupSelected => "Group the selected strips",
            StripAction::LeaveGroup => "Leave the group",
            StripAction::SaveTemplate => "Save as track template",
            StripAction::AssignToVca => "Assign the selected strips",
            StripAction::LeaveVca => "Leave the VCA",
            StripAction::FolderSelected => "Put the selected tracks in a folder",
            StripAction::SumSelected => "… in a summing folder",
            StripAction::LeaveFolder => "Leave the folder",
        })
    }
}

/// The menu entries that apply to `r` now.
pub fn actions(s: &Session, ui: &MixerUi, r: StripRef) -> Vec<StripAction> {
    let mut out = vec![StripAction::Duplicate];
    if matches!(r, StripRef::Track(_)) {
        out.push(StripAction::DuplicateEmpty);
    }
    out.push(StripAction::Comment);
    if ui.is_selected(r) && selected(ui).len() > 1 {
        out.push(StripAction::GroupSelected);
    }
    if s.group_of(r).is_some() {
        out.push(StripAction::LeaveGroup);
    }
    let vca = matches!(r, StripRef::Bus(id) if s.is_vca(id));
    if vca && selected(ui).iter().any(|x| *x != r) {
        out.push(StripAction::AssignToVca);
    }
    if s.vca_of(r).is_some() {
        out.push(StripAction::LeaveVca);
    }
    if let StripRef::Track(t) = r {
        if ui.is_selected(r) {
            out.extend([StripAction::FolderSelected, StripAction::SumSelected]);
        }
        if s.folder_of(t).is_some() {
            out.push(StripAction::LeaveFolder);
        }
    }
    if ui.templates_dir.is_some() && !vca {
        out.push(StripAction::SaveTemplate);
    }
    out
}

/// Every selected strip: the focused one first, then the others in the order chosen.
pub fn selected(ui: &MixerUi) -> Vec<StripRef> {
    let mut out: Vec<StripRef> = ui.selected.into_iter().collect();
    out.extend(ui.selection.iter().copied().filter(|r| Some(*r) != ui.selected));
    out
}

/// Runs a menu entry.
pub fn menu(doc: &mut Document, ui: &mut MixerUi, r: StripRef, action: StripAction) -> Effect {
    match action {
        StripAction::Duplicate | StripAction::DuplicateEmpty => {
            let with_clips = action == StripAction::Duplicate;
            let name = strip_name(&doc.session, r);
            let (new, edits) = duplicate(&doc.session, r, with_clips);
            if edits.is_empty() {
                return Effect::None;
            }
            doc.apply_all("strip duplicate", format!("Duplicated {name}"), edits);
            ui.selected = Some(new);
            ui.selection.clear();
        }
        StripAction::Comment => ui.commenting = Some(r),
        StripAction::GroupSelected => {
            let s = &doc.session;
            let chosen = selected(ui);
            // In the mixer's order, as the strips stand.
            let members: Vec<StripRef> =
                s.strips().map(|(r, _)| r).filter(|r| chosen.contains(r) && *r != StripRef::Master).collect();
            let group = Group {
                id: GroupId(s.next_id()),
                name: format!("Group {}", s.groups.len() + 1),
                colour: mixdesk_engine::stems::least_used_colour(mixdesk_engine::stems::strip_colours(s)),
                members: members.clone(),
                shares: Shares::default(),
                suspended: false,
            };
            let label = format!("Grouped {}", names(s, &members));
            let mut edits = leaving(s, &members);
            edits.push(Edit::Group(group.id, Some(group)));
            doc.apply_all("group add", label, edits);
        }
        StripAction::LeaveGroup => {
            let label = format!("{} left its group", strip_name(&doc.session, r));
            let edits = leaving(&doc.session, &[r]);
            doc.apply_all("group leave", label, edits);
        }
        StripAction::SaveTemplate => return save_template(&doc.session, ui, r),
        StripAction::AssignToVca => {
            if let StripRef::Bus(id) = r {
                return super::vca::assign_selected(doc, ui, id);
            }
        }
        StripAction::LeaveVca => return super::vca::leave(doc, r),
        StripAction::FolderSelected | StripAction::SumSelected => {
            let summing = action == StripAction::SumSelected;
            if !ui.is_selected(r) {
                ui.selected = Some(r);
            }
            return super::folders::create(doc, ui, summing);
        }
        StripAction::LeaveFolder => {
            if let StripRef::Track(t) = r {
                return super::folders::leave(doc, t);
            }
        }
    }
    Effect::None
}

/// Saves `r`'s settings as a track template named after it, and lists it.
fn save_template(s: &Session, ui: &mut MixerUi, r: StripRef) -> Effect {
    let (Some(dir), Some(t)) =
        (ui.templates_dir.clone(), mixdesk_engine::templates::TrackTemplate::of(s, r, &strip_name(s, r)))
    else {
        return Effect::None;
    };
    match t.save(&dir) {
        Ok(path) => {
            ui.templates.retain(|x| x.name != t.name);
            ui.templates.push(t);
            ui.templates.sort_by(|a, b| a.name.cmp(&b.name));
            Effect::Note(format!("Saved the track template {}", path.display()))
        }
        Err(e) => Effect::Error(format!("The template was not saved: {e}")),
    }
}

fn names(s: &Session, rs: &[StripRef]) -> String {
    rs.iter().map(|r| strip_name(s, *r)).collect::<Vec<_>>().join(", ")
}

/// The edits that take `rs` out of their groups; a group left with fewer
/// than two members is dissolved.
fn leaving(s: &Session, rs: &[StripRef]) -> Vec<Edit> {
    s.groups
        .iter()
        .filter(|g| g.members.iter().any(|m| rs.contains(m)))
        .map(|g| {
            let members: Vec<StripRef> = g.members.iter().copied().filter(|m| !rs.contains(m)).collect();
            let keep = members.len() >= 2;
            Edit::Group(g.id, keep.then(|| Group { members, ..g.clone() }))
        })
        .collect()
}

/// The edits that put a copy of `r` right after it: the strip (fresh ids for
/// it, its clips, inserts and sends), its lanes re-addressed to the copy, and
/// its group membership. Returns the copy's strip too.
pub fn duplicate(s: &Session, r: StripRef, with_clips: bool) -> (StripRef, Vec<Edit>) {
    let mut next = s.next_id();
    let mut fresh = || {
        next += 1;
        next - 1
    };
    let Some(strip) = s.strip(r) else { return (r, Vec::new()) };
    let mut strip: Strip = strip.clone();
    let mut processors: HashMap<ProcessorId, ProcessorId> = HashMap::new();
    let mut sends: HashMap<SendId, SendId> = HashMap::new();
    let copy_ref;
    let mut edits = Vec::new();
    let new_id = fresh();
    for p in &mut strip.processors {
        let id = ProcessorId(fresh());
        processors.insert(p.id, id);
        p.id = id;
    }
    for x in &mut strip.sends {
        let id = SendId(fresh());
        sends.insert(x.id, id);
        x.id = id;
    }
    match r {
        StripRef::Track(id) => {
            let Some(index) = s.tracks.iter().position(|t| t.id == id) else { return (r, Vec::new()) };
            let t = &s.tracks[index];
            let clips = if with_clips {
                t.clips
                    .iter()
                    .map(|c| mixdesk_engine::session::Clip { id: ClipId(fresh()), ..c.clone() })
                    .collect()
            } else {
                Vec::new()
            };
            let name = format!("{} copy", t.name);
            let track = Track { id: TrackId(new_id), name, clips, strip, ..t.clone() };
            copy_ref = StripRef::Track(track.id);
            edits.push(Edit::Track(track.id, Some(TrackAt { index: index + 1, track })));
        }
        StripRef::Bus(id) => {
            let Some(index) = s.buses.iter().position(|b| b.id == id) else { return (r, Vec::new()) };
            let b = &s.buses[index];
            // A VCA's copy starts without members (a strip answers to one VCA).
            let vca = b.vca.as_ref().map(|_| mixdesk_engine::session::Vca::default());
            let bus = Bus { id: BusId(new_id), name: format!("{} copy", b.name), strip, vca, ..b.clone() };
            copy_ref = StripRef::Bus(bus.id);
            edits.push(Edit::Bus(bus.id, Some(BusAt { index: index + 1, bus })));
        }
        StripRef::Master => return (r, Vec::new()),
    }
    for lane in &s.automation {
        let param = match lane.param {
            ParamId::Strip(x, p) if x == r => Some(ParamId::Strip(copy_ref, p)),
            ParamId::Send(id, p) => sends.get(&id).map(|n| ParamId::Send(*n, p)),
            ParamId::Processor(id, i) => processors.get(&id).map(|n| ParamId::Processor(*n, i)),
            ParamId::Strip(..) => None,
        };
        if let Some(param) = param {
            edits.push(Edit::Lane(param, Some(mixdesk_engine::session::Lane { param, ..lane.clone() })));
        }
    }
    if let Some(g) = s.group_of(r) {
        let mut members = g.members.clone();
        members.push(copy_ref);
        edits.push(Edit::Group(g.id, Some(Group { members, ..g.clone() })));
    }
    edits.extend(super::vca::joining(s, r, copy_ref));
    if let (StripRef::Track(t), StripRef::Track(c)) = (r, copy_ref)
        && let Some(f) = s.folder_of(t)
    {
        let mut tracks = f.tracks.clone();
        tracks.push(c);
        edits.push(Edit::Folder(f.id, Some(mixdesk_engine::session::Folder { tracks, ..f.clone() })));
    }
    (copy_ref, edits)
}

/// Moves the grabbed strip to where `target` is (tracks among tracks, buses
/// among buses), as part of one drag gesture.
pub fn reorder(doc: &mut Document, ui: &MixerUi, target: StripRef) {
    let Some(grabbed) = ui.grabbed_strip.filter(|g| *g != target) else { return };
    let s = &doc.session;
    let edit = match (grabbed, target) {
        (StripRef::Track(a), StripRef::Track(b)) => {
            let (Some(track), Some(index)) = (s.track(a).cloned(), s.tracks.iter().position(|t| t.id == b))
            else {
                return;
            };
            Edit::Track(a, Some(TrackAt { index, track }))
        }
        (StripRef::Bus(a), StripRef::Bus(b)) => {
            let (Some(bus), Some(index)) = (s.bus(a).cloned(), s.buses.iter().position(|x| x.id == b)) else {
                return;
            };
            Edit::Bus(a, Some(BusAt { index, bus }))
        }
        _ => return,
    };
    let label = format!("Moved {}", strip_name(s, grabbed));
    doc.gesture_edits("strip move", label, vec![edit]);
}

/// The edits that delete track or bus `r` as one step: its automation
/// lanes, the sends to it, the outputs and sidechain keys that name it (they
/// go to the master, or unkeyed), its group membership, then the strip
/// itself with its clips.
pub fn deletion(s: &Session, r: StripRef) -> Vec<Edit> {
    let strip = s.strip(r);
    let owned = |p: ParamId| match p {
        ParamId::Strip(x, _) => x == r,
        ParamId::Send(id, _) => strip.is_some_and(|st| st.sends.iter().any(|x| x.id == id)),
        ParamId::Processor(id, _) => s.find_processor(id).is_some_and(|(x, _)| x == r),
    };
    let mut edits: Vec<Edit> =
        s.automation.iter().filter(|l| owned(l.param)).map(|l| Edit::Lane(l.param, None)).collect();
    let all = s
        .tracks
        .iter()
        .map(|t| (StripRef::Track(t.id), &t.strip, Some(t.output)))
        .chain(s.buses.iter().map(|b| (StripRef::Bus(b.id), &b.strip, Some(b.output))))
        .chain([(StripRef::Master, &s.master, None)]);
    for (owner, st, output) in all.filter(|(x, _, _)| *x != r) {
        if let StripRef::Bus(bus) = r {
            edits.extend(st.sends.iter().filter(|x| x.target == bus).map(|x| Edit::Send(x.id, None)));
            if output == Some(Output::Bus(bus)) {
                edits.push(Edit::Output(owner, Output::Master));
            }
        }
        for (index, p) in st.processors.iter().enumerate().filter(|(_, p)| p.sidechain == Some(r)) {
            let processor = mixdesk_engine::session::Processor {
                sidechain: None,
                sidechain_post_fader: false,
                ..p.clone()
            };
            edits.push(Edit::Processor(p.id, Some(ProcessorAt { strip: owner, index, processor })));
        }
    }
    edits.extend(leaving(s, &[r]));
    edits.extend(super::vca::releasing(s, &[r], None));
    if let StripRef::Track(t) = r {
        edits.extend(super::folders::releasing(s, &[t]));
    }
    // A summing folder whose bus goes stops summing.
    if let StripRef::Bus(b) = r {
        edits.extend(
            s.folders.iter().filter(|f| f.bus == Some(b)).map(|f| {
                Edit::Folder(f.id, Some(mixdesk_engine::session::Folder { bus: None, ..f.clone() }))
            }),
        );
    }
    edits.push(match r {
        StripRef::Track(id) => Edit::Track(id, None),
        StripRef::Bus(id) => Edit::Bus(id, None),
        StripRef::Master => return Vec::new(),
    });
    edits
}

/// The row under a strip's name: its "⋯" menu, which also names the group
/// the strip is in.
pub fn header<'a>(s: &'a Session, ui: &MixerUi, r: StripRef) -> iced::Element<'a, super::Message> {
    use iced::widget::{container, pick_list};
    let mut label = match s.group_of(r) {
        Some(g) if g.suspended => format!("⋯ {} (off)", g.name),
        Some(g) => format!("⋯ {}", g.name),
        None => "⋯".to_owned(),
    };
    // The VCA it answers to, and how far that VCA moves it.
    if let Some(v) = s.vca_of(r) {
        label.push_str(&format!(" · {}", v.name));
        if v.strip.fader_db.0 != 0.0 {
            label.push_str(&format!(" {:+.1}", v.strip.fader_db.0));
        }
    }
    let menu = pick_list(actions(s, ui, r), None::<StripAction>, move |a| super::Message::StripMenu(r, a))
        .placeholder(label)
        .width(iced::Length::Fill)
        .text_size(11)
        .padding([1, 4])
        .style(crate::gui::theme::pick);
    container(menu).id(super::strip::control_id("menu", r)).into()
}

//! Folders in the mixer and the timeline headers: "Put the selected tracks
//! in a folder" (optionally a summing folder: a new bus they play into),
//! the folder's tab with its collapse toggle, leaving and dissolving. Each
//! change, collapsing included, is one undo step.

use iced::widget::{Column, button, column, container, row, text};
use iced::{Alignment, Element, Length};
use mixdesk_engine::edit::{BusAt, Edit, TrackAt};
use mixdesk_engine::session::{Bus, BusId, Folder, FolderId, Output, Session, StripRef, TrackId};

use super::{Effect, Message, MixerUi, strip_name};
use crate::gui::document::Document;
use crate::gui::theme::{self, Tone};

/// How the output and send lists name bus `b`: a summing folder's bus says
/// so, "Drums (folder)" or "Drum bus (folder Drums)".
pub fn routing_name(s: &Session, b: &Bus) -> String {
    match s.folders.iter().find(|f| f.bus == Some(b.id)) {
        Some(f) if f.name == b.name => format!("{} (folder)", b.name),
        Some(f) => format!("{} (folder {})", b.name, f.name),
        None => b.name.clone(),
    }
}

/// The selected tracks, in the session's order.
fn selected_tracks(s: &Session, ui: &MixerUi) -> Vec<TrackId> {
    let chosen = super::tracks::selected(ui);
    s.tracks.iter().map(|t| t.id).filter(|id| chosen.contains(&StripRef::Track(*id))).collect()
}

/// The edits that take `tracks` out of their folders; an emptied folder goes.
pub(super) fn releasing(s: &Session, tracks: &[TrackId]) -> Vec<Edit> {
    s.folders
        .iter()
        .filter(|f| f.tracks.iter().any(|t| tracks.contains(t)))
        .map(|f| {
            let rest: Vec<TrackId> = f.tracks.iter().copied().filter(|t| !tracks.contains(t)).collect();
            Edit::Folder(f.id, (!rest.is_empty()).then(|| Folder { tracks: rest, ..f.clone() }))
        })
        .collect()
}

/// Puts the selected tracks in a new folder, moved together to where the
/// first of them is; `summing` also adds a bus named after the folder and
/// routes them into it. One step.
pub fn create(doc: &mut Document, ui: &MixerUi, summing: bool) -> Effect {
    let s = &doc.session;
    let tracks = selected_tracks(s, ui);
    if tracks.is_empty() {
        return Effect::Note("Select the tracks to put in a folder first".into());
    }
    let n = s.folders.len() + 1;
    let name = format!("Folder {n}");
    let mut edits = releasing(s, &tracks);
    // Gather them after the first, in their order.
    let first = s.tracks.iter().position(|t| t.id == tracks[0]).unwrap_or(0);
    let mut order: Vec<TrackId> = s.tracks.iter().map(|t| t.id).filter(|id| !tracks.contains(id)).collect();
    let at = order.iter().take_while(|id| s.tracks.iter().position(|t| t.id == **id) < Some(first)).count();
    for (k, id) in tracks.iter().enumerate() {
        order.insert(at + k, *id);
    }
    // Each puts one track at its index (one already there changes nothing).
    for (index, id) in order.iter().enumerate() {
        if let Some(track) = s.track(*id).cloned() {
            edits.push(Edit::Track(*id, Some(TrackAt { index, track })));
        }
    }
    let mut next = s.next_id();
    let bus = summing.then(|| {
        let mut b = Bus::new(BusId(next), name.clone());
        b.colour = mixdesk_engine::stems::least_used_colour(mixdesk_engine::stems::strip_colours(s));
        next += 1;
        b
    });
    let colour = bus.as_ref().map_or_else(
        || mixdesk_engine::stems::least_used_colour(mixdesk_engine::stems::strip_colours(s)),
        |b| b.colour,
    );
    let folder = Folder {
        id: FolderId(next),
        name: name.clone(),
        colour,
        tracks: tracks.clone(),
        collapsed: false,
        bus: bus.as_ref().map(|b| b.id),
    };
    if let Some(b) = bus {
        let id = b.id;
        edits.push(Edit::Bus(id, Some(BusAt { index: usize::MAX, bus: b })));
        edits.extend(tracks.iter().map(|t| Edit::Output(StripRef::Track(*t), Output::Bus(id))));
    }
    let names: Vec<String> = tracks.iter().map(|t| strip_name(s, StripRef::Track(*t))).collect();
    let what = if summing { "summing folder" } else { "folder" };
    let label = format!("Put {} in a {what}", names.join(", "));
    edits.push(Edit::Folder(folder.id, Some(folder)));
    doc.apply_all("folder add", label, edits);
    Effect::None
}

/// Collapses or opens folder `id` (one step).
pub fn toggle(doc: &mut Document, id: FolderId) -> Effect {
    let Some(f) = doc.session.folder(id).cloned() else { return Effect::None };
    let label = format!("{} {}", if f.collapsed { "Opened" } else { "Collapsed" }, f.name);
    doc.apply("folder collapse", label, Edit::Folder(id, Some(Folder { collapsed: !f.collapsed, ..f })));
    Effect::None
}

/// Dissolves folder `id`: its tracks stay where they are, routed as they are.
pub fn dissolve(doc: &mut Document, id: FolderId) -> Effect {
    let Some(f) = doc.session.folder(id) else { return Effect::None };
    let label = format!("Dissolved {}", f.name);
    doc.apply("folder dissolve", label, Edit::Folder(id, None));
    Effect::None
}

/// Takes track `t` out of its folder (one step).
pub fn leave(doc: &mut Document, t: TrackId) -> Effect {
    let s = &doc.session;
    let Some(f) = s.folder_of(t) else { return Effect::None };
    let label = format!("{} left {}", strip_name(s, StripRef::Track(t)), f.name);
    let edits = releasing(s, &[t]);
    doc.apply_all("folder leave", label, edits);
    Effect::None
}

/// The folder whose tab goes before track `t`: the one `t` is the first
/// track of, in the session's order.
pub fn starting_at(s: &Session, t: TrackId) -> Option<&Folder> {
    let f = s.folder_of(t)?;
    let first = s.tracks.iter().find(|x| f.tracks.contains(&x.id))?;
    (first.id == t).then_some(f)
}

/// The widget id of a folder's control (tests find them by it).
pub fn folder_id(what: &str, id: FolderId) -> String {
    format!("folder-{what}-{id}")
}

fn toggle_button<'a>(f: &Folder) -> Element<'a, Message> {
    container(
        button(text(if f.collapsed { "▸" } else { "▾" }).size(12))
            .padding([1, 5])
            .style(theme::button(Tone::Accent, !f.collapsed))
            .on_press(Message::FolderToggled(f.id)),
    )
    .id(folder_id("toggle", f.id))
    .into()
}

fn dissolve_button<'a>(f: &Folder) -> Element<'a, Message> {
    container(
        button(text("✕").size(11))
            .padding([1, 4])
            .style(theme::button(Tone::Plain, false))
            .on_press(Message::FolderDissolved(f.id)),
    )
    .id(folder_id("dissolve", f.id))
    .into()
}

fn summary(s: &Session, f: &Folder) -> String {
    let n = f.tracks.len();
    let tracks = if n == 1 { "1 track".to_owned() } else { format!("{n} tracks") };
    match f.bus.and_then(|b| s.bus(b)) {
        Some(b) => format!("{tracks} → {}", b.name),
        None => tracks,
    }
}

/// The folder's tab in the mixer, before its first track: a narrow strip
/// with its colour, the collapse toggle, its name and what it holds.
pub fn tab<'a>(s: &'a Session, f: &'a Folder) -> Element<'a, Message> {
    let tint = theme::track_colour(f.colour);
    let bar =
        container(iced::widget::Space::new().height(6).width(Length::Fill)).style(theme::colour_bar(tint));
    let body: Column<'a, Message> = column![
        bar,
        toggle_button(f),
        text(f.name.clone()).size(11),
        text(summary(s, f)).size(10),
        dissolve_button(f),
    ]
    .spacing(4)
    .padding(4)
    .width(58)
    .align_x(Alignment::Center);
    container(body).height(Length::Fill).style(theme::strip(false)).into()
}

/// The folder's row header in the timeline.
pub fn header<'a>(s: &'a Session, f: &'a Folder) -> Element<'a, Message> {
    row![
        toggle_button(f),
        text(f.name.clone()).size(13).width(Length::Fill),
        text(summary(s, f)).size(11),
        dissolve_button(f),
    ]
    .spacing(6)
    .padding([2, 6])
    .align_y(Alignment::Center)
    .into()
}

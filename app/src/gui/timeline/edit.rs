//! What each timeline message does to the document: one undo step per click
//! or typed value, one per drag (a gesture recomputed from the session as it
//! was when the drag began, so rounding never accumulates).

use mixdesk_engine::edit::{ClipAt, Edit};
use mixdesk_engine::session::pass::tolerance;
use mixdesk_engine::session::{
    Clip, ClipId, Fade, Lane, LoopRange, Marker, MarkerId, ParamId, Point, Session, Shape, StripRef, TrackId,
};
use mixdesk_engine::units::{Decibels, SampleTime};

use super::clip_drag::{self, DragBase};
use super::geometry;
use super::rows::{Grab, PX_PER_DB};
use super::{Message, TimelineUi, track_of};
use crate::gui::document::Document;
use crate::gui::transport::min_sec;

/// What the app must do after a timeline message, beyond the document edit.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Nothing.
    None,
    /// Move the playhead.
    Seek(u64),
    /// A track's mute or solo (handled like the mixer's buttons).
    Strip(crate::gui::mixer::Message),
    /// Something could not be done.
    Error(String),
}

/// The shortest clip a trim leaves, in samples.
const MIN_CLIP: u64 = 64;

fn clip(s: &Session, id: ClipId) -> Option<&Clip> {
    s.tracks.iter().flat_map(|t| t.clips.iter()).find(|c| c.id == id)
}

/// The name a clip goes by in undo labels.
pub fn clip_name(c: &Clip) -> String {
    c.media.file_stem().map_or_else(|| format!("clip {}", c.id.0), |s| s.to_string_lossy().into_owned())
}

fn seconds(s: &Session, t: u64) -> String {
    min_sec(t as f64 / f64::from(s.sample_rate.max(1)))
}

/// Clip edges, markers and the playhead a move or trim may snap to.
fn snap_targets(s: &Session, moving: &[ClipId], playhead: u64) -> Vec<u64> {
    let mut out: Vec<u64> = s
        .tracks
        .iter()
        .flat_map(|t| &t.clips)
        .filter(|c| !moving.contains(&c.id))
        .flat_map(|c| [c.start.0, c.end().0])
        .collect();
    out.extend(s.markers.iter().map(|m| m.position.0));
    out.push(playhead);
    out
}

/// Where a dragged edge at raw sample `t` lands.
fn place(s: &Session, ui: &TimelineUi, t: f64, free: bool, moving: &[ClipId], playhead: u64) -> u64 {
    if !ui.snap || free {
        return t.round().max(0.0) as u64;
    }
    let step = geometry::grid_step(s.tempo, s.sample_rate, ui.span.spp, 12.0);
    geometry::snap(t, ui.span, step, &snap_targets(s, moving, playhead))
}

/// How many tracks down (positive) or up a clip dragged `dy` pixels moves:
/// the track whose row (or lane) is under the dragged clip's row centre
/// moved by `dy`, limited so that every moving clip stays on a track. `from`
/// is the dragged clip's track index, `indices` those of every moving clip.
fn track_shift(s: &Session, ui: &TimelineUi, from: usize, dy: f32, indices: &[usize]) -> isize {
    let rows = ui.rows(s);
    let Some(row) = rows.iter().find(|r| r.kind == geometry::RowKind::Track(from)) else { return 0 };
    let y = row.y + row.height / 2.0 + dy;
    let to = match rows.iter().find(|r| r.contains(y)) {
        Some(r) => match r.kind {
            geometry::RowKind::Track(i) | geometry::RowKind::Lane(i, _) => i,
            geometry::RowKind::Folder(_) => from,
        },
        None if y < 0.0 => 0,
        None => s.tracks.len().saturating_sub(1),
    };
    let (lowest, highest) =
        (indices.iter().min().copied().unwrap_or(from), indices.iter().max().copied().unwrap_or(from));
    let want = to as isize - from as isize;
    want.clamp(-(lowest as isize), (s.tracks.len() - 1 - highest) as isize)
}

/// Applies one timeline message. `playhead` is the transport position in session samples.
pub fn update(
    doc: &mut Document,
    ui: &mut TimelineUi,
    media_frames: &dyn Fn(&Clip) -> Option<u64>,
    playhead: u64,
    message: Message,
) -> Effect {
    // A value typed but not applied is dropped once anything else happens (the selection may change).
    if matches!(message, Message::ClipPressed(..) | Message::Deselected | Message::ClipsBanded(..))
        || matches!(message, Message::PointsBanded(..))
    {
        ui.typed_value = None;
    }
    match message {
        Message::Zoom(factor, x) => ui.zoom(factor, x),
        Message::ZoomFit => ui.fit(&doc.session),
        Message::ScrollX(dx) => ui.scroll_by(dx),
        Message::ScrolledY(y, h) => {
            ui.scroll_y = y;
            ui.height = h;
        }
        Message::TrackHeight(taller) => {
            ui.track_height = (ui.track_height * if taller { 1.25 } else { 0.8 }).clamp(40.0, 240.0);
        }
        Message::ToolChosen(t) => ui.tool = t,
        Message::SnapToggled => ui.snap = !ui.snap,
        Message::FollowToggled => ui.follow = !ui.follow,
        Message::AnalyzerToggled => {
            ui.analyzer = !ui.analyzer;
            let panel = super::analyzer::WIDTH;
            ui.width = (ui.width + if ui.analyzer { -panel } else { panel }).max(100.0);
        }
        Message::OverlayToggled(t) => {
            if let Some(i) = ui.overlay.iter().position(|x| *x == t) {
                ui.overlay.remove(i);
            } else {
                // Full: the oldest choice makes room.
                if ui.overlay.len() == super::analyzer::OVERLAYS {
                    ui.overlay.remove(0);
                }
                ui.overlay.push(t);
            }
        }
        Message::Seek(t) => return Effect::Seek(t),
        Message::LoopDragged(a, b, done) => {
            let label = format!("Loop {} - {}", seconds(&doc.session, a), seconds(&doc.session, b));
            let range = LoopRange { start: SampleTime(a), end: SampleTime(b), enabled: true };
            doc.gesture_edits("loop-range", label, vec![Edit::Loop(Some(range))]);
            if done {
                doc.end_gesture();
            }
        }
        Message::MarkerAdded => {
            let n = doc.session.markers.len() + 1;
            let label = format!("Add marker at {}", seconds(&doc.session, playhead));
            let id = MarkerId(doc.session.next_id());
            let m = Marker { id, name: format!("Marker {n}"), position: SampleTime(playhead) };
            doc.apply("marker-add", label, Edit::Marker(id, Some(m)));
        }
        Message::MarkerJump(id) => {
            if let Some(m) = doc.session.markers.iter().find(|m| m.id == id) {
                return Effect::Seek(m.position.0);
            }
        }
        Message::MarkerMoved(id, t, done) => {
            let name =
                doc.session.markers.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_default();
            let label = format!("Move marker {name} to {}", seconds(&doc.session, t));
            if let Some(m) = doc.session.markers.iter().find(|m| m.id == id) {
                let m = Marker { position: SampleTime(t), ..m.clone() };
                doc.gesture_edits(&format!("marker-{}", id.0), label, vec![Edit::Marker(id, Some(m))]);
            }
            if done {
                doc.end_gesture();
            }
        }
        Message::MarkerRenameStarted(id) => {
            let name = doc.session.markers.iter().find(|m| m.id == id).map(|m| m.name.clone());
            ui.renaming = name.map(|n| (id, n));
        }
        Message::MarkerNameTyped(t) => {
            if let Some((_, name)) = ui.renaming.as_mut() {
                *name = t;
            }
        }
        Message::MarkerRenamed => {
            if let Some((id, name)) = ui.renaming.take() {
                let label = format!("Rename marker to {name}");
                if let Some(m) = doc.session.markers.iter().find(|m| m.id == id) {
                    let m = Marker { name, ..m.clone() };
                    doc.apply("marker-rename", label, Edit::Marker(id, Some(m)));
                }
            }
        }
        Message::MarkerRemoved => {
            if let Some((id, name)) = ui.renaming.take() {
                doc.apply("marker-remove", format!("Delete marker {name}"), Edit::Marker(id, None));
            }
        }
        Message::Strip(m) => return Effect::Strip(m),
        Message::ValueTyped(t) => ui.typed_value = Some(t),
        Message::ClipGainSubmitted => return super::numeric::clip_gain(doc, ui),
        Message::PointValueSubmitted => return super::numeric::point_value(doc, ui),
        Message::MuteToggled(t) => {
            return Effect::Strip(crate::gui::mixer::Message::MuteToggled(StripRef::Track(t)));
        }
        Message::SoloToggled(t) => {
            return Effect::Strip(crate::gui::mixer::Message::SoloToggled(StripRef::Track(t)));
        }
        Message::LanesToggled(t) => {
            if ui.lanes.remove(&t).is_none() {
                let existing: Vec<ParamId> = doc
                    .session
                    .automation
                    .iter()
                    .map(|l| l.param)
                    .filter(|p| track_of(&doc.session, *p) == Some(t))
                    .collect();
                let open = if existing.is_empty() {
                    vec![ParamId::Strip(StripRef::Track(t), super::default_lane())]
                } else {
                    existing
                };
                ui.lanes.insert(t, open);
            }
        }
        Message::LaneAdded(t) => {
            if let Some(p) = super::next_lane_param(&doc.session, ui, t) {
                ui.lanes.entry(t).or_default().push(p);
            }
        }
        Message::LaneClosed(t, i) => {
            if let Some(l) = ui.lanes.get_mut(&t) {
                if i < l.len() {
                    l.remove(i);
                }
                if l.is_empty() {
                    ui.lanes.remove(&t);
                }
            }
        }
        Message::LaneParamChosen(t, i, choice) => {
            if let Some(slot) = ui.lanes.get_mut(&t).and_then(|l| l.get_mut(i)) {
                *slot = choice.param;
            }
        }
        Message::LaneModeChosen(param, mode) => {
            let name = param_name(&doc.session, param);
            // A strip lane arms the same lane of every member of a group that links automation.
            let params: Vec<ParamId> = match param {
                ParamId::Strip(r, p) => doc
                    .session
                    .linked(r, mixdesk_engine::session::Linked::Automation)
                    .into_iter()
                    .map(|m| ParamId::Strip(m, p))
                    .collect(),
                _ => vec![param],
            };
            let others =
                if params.len() > 1 { format!(" and {} more", params.len() - 1) } else { String::new() };
            let edits = params
                .into_iter()
                .map(|q| Edit::Lane(q, Some(Lane { mode, ..lane_now(&doc.session, q) })))
                .collect();
            doc.apply_all("lane-mode", format!("{name}{others} automation: {mode:?}"), edits);
        }
        Message::ClipPressed(id, add) => {
            ui.points = None;
            if add {
                if !ui.selected.remove(&id) {
                    ui.selected.insert(id);
                }
            } else {
                ui.selected = [id].into();
            }
        }
        Message::ClipsBanded(ids, add) => {
            ui.points = None;
            if !add {
                ui.selected.clear();
            }
            ui.selected.extend(ids);
        }
        Message::Deselected => {
            ui.selected.clear();
            ui.points = None;
        }
        Message::ClipDragged(grab, id, dt, dy, free) => {
            clip_drag(doc, ui, media_frames, playhead, grab, id, dt, dy, free)
        }
        Message::DragEnded => {
            ui.drag = None;
            ui.lane_drag = None;
            doc.end_gesture();
        }
        Message::Split => split(doc, ui, playhead),
        Message::Duplicate => duplicate(doc, ui),
        Message::Nudge(steps, fine) => super::nudge::nudge(doc, ui, steps, fine),
        Message::Delete => delete(doc, ui),
        Message::MenuOpened(m, at) => {
            ui.menu = Some(m);
            ui.menu_at = at;
        }
        Message::MenuClosed => ui.menu = None,
        Message::FadeShapeChosen(id, fade_in, shape) => {
            let name = clip(&doc.session, id).map(clip_name).unwrap_or_default();
            let which = if fade_in { "in" } else { "out" };
            if let Some(mut c) = clip(&doc.session, id).cloned() {
                if fade_in {
                    c.fade_in.shape = shape
                } else {
                    c.fade_out.shape = shape
                }
                if let Some(e) = put_clip(&doc.session, c) {
                    doc.apply("fade-shape", format!("Fade-{which} shape of {name}: {shape:?}"), e);
                }
            }
            ui.menu = None;
        }
        Message::SegmentShapeChosen(param, index, shape) => {
            let name = param_name(&doc.session, param);
            let mut lane = lane_now(&doc.session, param);
            if let Some(p) = lane.points.get_mut(index) {
                p.shape = shape;
            }
            doc.apply(
                "segment-shape",
                format!("{name} segment shape: {shape:?}"),
                Edit::Lane(param, Some(lane)),
            );
            ui.menu = None;
        }
        Message::PointAdded(param, t, v) => {
            let Some(info) = doc.session.param_info(param) else { return Effect::None };
            let name = param_name(&doc.session, param);
            let label = format!("Add {name} point {} at {}", info.format(v), seconds(&doc.session, t));
            let mut lane = lane_now(&doc.session, param);
            lane.add_point(Point { time: t, value: info.clamp(v), shape: Shape::Linear });
            doc.apply("lane-point", label, Edit::Lane(param, Some(lane)));
            ui.points = None;
        }
        Message::PointDragged(param, index, t, v) => {
            let Some(info) = doc.session.param_info(param) else { return Effect::None };
            let name = param_name(&doc.session, param);
            let label = format!("Move {name} point to {} at {}", info.format(v), seconds(&doc.session, t));
            lane_drag(doc, ui, &format!("point-{param:?}-{index}"), param, label, |lane| {
                lane.move_point(index, t, info.clamp(v));
            });
        }
        Message::SegmentDragged(param, index, frac) => {
            let Some(info) = doc.session.param_info(param) else { return Effect::None };
            let name = param_name(&doc.session, param);
            lane_drag(
                doc,
                ui,
                &format!("segment-{param:?}-{index}"),
                param,
                format!("Move {name} segment"),
                |lane| {
                    for i in [index, index + 1] {
                        if let Some(p) = lane.points.get_mut(i) {
                            p.value =
                                geometry::lane_value(&info, geometry::lane_position(&info, p.value) + frac);
                        }
                    }
                },
            );
        }
        Message::Stroke(param, stroke) => draw_stroke(doc, param, stroke),
        Message::PointsBanded(param, a, b) => {
            let picked =
                doc.session.lane(param).map(|l| l.select_range(a, b.saturating_add(1))).unwrap_or_default();
            ui.selected.clear();
            ui.points = Some((param, picked));
        }
        Message::ScaleTyped(t) => ui.scale_text = t,
        Message::OffsetTyped(t) => ui.offset_text = t,
        Message::ScaleOffsetApplied => {
            let Some((param, indices)) = ui.points.clone() else { return Effect::None };
            let (Ok(scale), Ok(offset)) = (
                ui.scale_text.trim().trim_end_matches('%').parse::<f64>(),
                ui.offset_text.trim().parse::<f64>(),
            ) else {
                return Effect::Error(format!(
                    "\"{}\" % and \"{}\" are not numbers; type a scale in percent and an offset in the parameter's unit",
                    ui.scale_text, ui.offset_text
                ));
            };
            let Some(info) = doc.session.param_info(param) else { return Effect::None };
            let name = param_name(&doc.session, param);
            let label = format!("Scale {} {name} points by {scale}% and offset {offset:+}", indices.len());
            let mut lane = lane_now(&doc.session, param);
            lane.scale_offset(&indices, scale / 100.0, offset, &info);
            doc.apply("lane-scale", label, Edit::Lane(param, Some(lane)));
        }
    }
    Effect::None
}

/// "Bass fader", "EQ on Drums: Band 1 gain".
pub fn param_name(s: &Session, param: ParamId) -> String {
    let track = track_of(s, param).and_then(|t| s.tracks.iter().find(|x| x.id == t)).map(|t| t.name.clone());
    let what = match param {
        ParamId::Strip(_, p) => p.info().name.to_lowercase(),
        _ => s.param_info(param).map_or_else(|| "parameter".into(), |i| i.name.to_owned()),
    };
    match track {
        Some(t) => format!("{t} {what}"),
        None => what,
    }
}

#[allow(clippy::too_many_arguments)]
fn clip_drag(
    doc: &mut Document,
    ui: &mut TimelineUi,
    media_frames: &dyn Fn(&Clip) -> Option<u64>,
    playhead: u64,
    grab: Grab,
    id: ClipId,
    dt: f64,
    dy: f32,
    free: bool,
) {
    let key = format!("clip-{grab:?}");
    let mut base = match ui.drag.take() {
        Some(b) if b.key == key => b,
        _ => DragBase::take(&doc.session, &key),
    };
    let label = clip_move(doc, ui, &mut base, media_frames, playhead, (grab, id, dt, dy, free));
    if let Some((label, edits)) = label {
        doc.gesture_edits(&key, label, edits);
    }
    ui.drag = Some(base);
}

/// One move of a clip drag, from the clips as the drag began: its label and
/// the edits that put every clip of the tracks it touches where it now is.
fn clip_move(
    doc: &Document,
    ui: &TimelineUi,
    base: &mut DragBase,
    media_frames: &dyn Fn(&Clip) -> Option<u64>,
    playhead: u64,
    (grab, id, dt, dy, free): (Grab, ClipId, f64, f32, bool),
) -> Option<(String, Vec<Edit>)> {
    let s = &doc.session;
    let (from, orig) = base.clip(id).map(|(i, c)| (i, c.clone()))?;
    let name = clip_name(&orig);
    let moving: Vec<ClipId> =
        if ui.selected.contains(&id) { ui.selected.iter().copied().collect() } else { vec![id] };
    let sr = s.sample_rate;
    let at = |t: u64| min_sec(t as f64 / f64::from(sr.max(1)));
    let edge = |t: f64, ids: &[ClipId]| place(s, ui, t, free, ids, playhead);
    match grab {
        Grab::Move => {
            let target = edge(orig.start.0 as f64 + dt, &moving);
            let starts: Vec<(usize, u64)> =
                moving.iter().filter_map(|m| base.clip(*m)).map(|(i, c)| (i, c.start.0)).collect();
            // Never move any selected clip before zero.
            let earliest = starts.iter().map(|(_, t)| *t).min().unwrap_or(0);
            let delta = (target as i64 - orig.start.0 as i64).max(-(earliest as i64));
            let indices: Vec<usize> = starts.iter().map(|(i, _)| *i).collect();
            let shift = track_shift(s, ui, from, dy, &indices);
            let to_index = |i: usize| (i as isize + shift) as usize;
            let to_track = s.tracks.get(to_index(from)).map(|t| t.name.clone());
            let label = match (moving.len() > 1, shift != 0) {
                (true, _) => format!("Move {} clips by {:+.3} s", moving.len(), delta as f64 / f64::from(sr)),
                (false, true) => format!(
                    "Move {name} to {} at {}",
                    to_track.unwrap_or_default(),
                    at((orig.start.0 as i64 + delta) as u64)
                ),
                (false, false) => {
                    format!(
                        "Move {name} {} -> {}",
                        at(orig.start.0),
                        at((orig.start.0 as i64 + delta) as u64)
                    )
                }
            };
            let mut scratch =
                base.scratch(indices.iter().copied().chain(indices.iter().map(|i| to_index(*i))));
            for m in &moving {
                if let Some(c) = clip_drag::clip_mut(&mut scratch, *m) {
                    c.start = SampleTime((c.start.0 as i64 + delta) as u64);
                }
            }
            if shift != 0 {
                let index_of = |t: TrackId| s.tracks.iter().position(|x| x.id == t);
                clip_drag::move_to_tracks(&mut scratch, &moving, |t| {
                    index_of(t).and_then(|i| base.track_id(to_index(i)))
                });
            }
            clip_drag::crossfade(&mut scratch, &moving);
            Some((label, clip_drag::edits(scratch)))
        }
        Grab::TrimStart => {
            let lowest = orig.start.0.saturating_sub(orig.source_offset.0);
            let highest = orig.end().0.saturating_sub(MIN_CLIP);
            let t = edge(orig.start.0 as f64 + dt, &[id]).clamp(lowest, highest);
            let mut scratch = base.scratch([from]);
            let c = clip_drag::clip_mut(&mut scratch, id)?;
            let end = c.end().0;
            c.source_offset = SampleTime((c.source_offset.0 + t).saturating_sub(c.start.0));
            c.start = SampleTime(t);
            c.length = SampleTime(end - t);
            c.fade_in.length = SampleTime(c.fade_in.length.0.min(c.length.0));
            c.fade_out.length = SampleTime(c.fade_out.length.0.min(c.length.0 - c.fade_in.length.0));
            clip_drag::crossfade(&mut scratch, &[id]);
            Some((format!("Trim start of {name} to {}", at(t)), clip_drag::edits(scratch)))
        }
        Grab::TrimEnd => {
            let limit = media_frames(&orig)
                .map_or(orig.end().0, |f| orig.start.0 + f.saturating_sub(orig.source_offset.0))
                .max(orig.end().0);
            let t = edge(orig.end().0 as f64 + dt, &[id]).clamp(orig.start.0 + MIN_CLIP, limit);
            let mut scratch = base.scratch([from]);
            let c = clip_drag::clip_mut(&mut scratch, id)?;
            c.length = SampleTime(t - c.start.0);
            c.fade_out.length = SampleTime(c.fade_out.length.0.min(c.length.0));
            c.fade_in.length = SampleTime(c.fade_in.length.0.min(c.length.0 - c.fade_out.length.0));
            clip_drag::crossfade(&mut scratch, &[id]);
            Some((format!("Trim end of {name} to {}", at(t)), clip_drag::edits(scratch)))
        }
        Grab::FadeIn | Grab::FadeOut => {
            let fade_in = grab == Grab::FadeIn;
            let (now, other) = if fade_in {
                (orig.fade_in.length.0, orig.fade_out.length.0)
            } else {
                (orig.fade_out.length.0, orig.fade_in.length.0)
            };
            let raw = if fade_in { now as f64 + dt } else { now as f64 - dt };
            let len = (raw.round().max(0.0) as u64).min(orig.length.0.saturating_sub(other));
            let which = if fade_in { "in" } else { "out" };
            let ms = len as f64 * 1000.0 / f64::from(sr);
            let mut c = orig.clone();
            let f = if fade_in { &mut c.fade_in } else { &mut c.fade_out };
            f.length = SampleTime(len);
            Some((format!("Fade-{which} of {name} {ms:.0} ms"), vec![put_clip(s, c)?]))
        }
        Grab::Gain => {
            let g = (orig.gain_db.0 - f64::from(dy / PX_PER_DB)).clamp(-48.0, 24.0);
            let g = (g * 10.0).round() / 10.0;
            let label = format!("Gain of {name} {:+.1} dB -> {g:+.1} dB", orig.gain_db.0);
            Some((label, vec![put_clip(s, Clip { gain_db: Decibels(g), ..orig })?]))
        }
    }
}

/// The edit that puts `c` where its clip is now.
fn put_clip(s: &Session, c: Clip) -> Option<Edit> {
    let (track, index) =
        s.tracks.iter().find_map(|t| t.clips.iter().position(|x| x.id == c.id).map(|i| (t.id, i)))?;
    Some(Edit::Clip(c.id, Some(ClipAt { track, index, clip: c })))
}

fn split(doc: &mut Document, ui: &mut TimelineUi, t: u64) {
    let under: Vec<ClipId> = doc
        .session
        .tracks
        .iter()
        .flat_map(|tr| &tr.clips)
        .filter(|c| c.start.0 < t && t < c.end().0)
        .filter(|c| ui.selected.is_empty() || ui.selected.contains(&c.id))
        .map(|c| c.id)
        .collect();
    if under.is_empty() {
        return;
    }
    let label = format!("Split {} clip(s) at {}", under.len(), seconds(&doc.session, t));
    let mut next = doc.session.next_id();
    let mut edits = Vec::new();
    for track in &doc.session.tracks {
        for (i, c) in track.clips.iter().enumerate().filter(|(_, c)| under.contains(&c.id)) {
            let cut = t - c.start.0;
            let mut right = c.clone();
            right.id = ClipId(next);
            next += 1;
            right.start = SampleTime(t);
            right.source_offset = SampleTime(c.source_offset.0 + cut);
            right.length = SampleTime(c.length.0 - cut);
            right.fade_in = Fade::default();
            right.fade_out.length = SampleTime(c.fade_out.length.0.min(right.length.0));
            let mut left = c.clone();
            left.length = SampleTime(cut);
            left.fade_out = Fade::default();
            left.fade_in.length = SampleTime(left.fade_in.length.0.min(cut));
            ui.selected.insert(right.id);
            edits.push(Edit::Clip(left.id, Some(ClipAt { track: track.id, index: i, clip: left })));
            edits
                .push(Edit::Clip(right.id, Some(ClipAt { track: track.id, index: usize::MAX, clip: right })));
        }
    }
    doc.apply_all("split", label, edits);
}

fn duplicate(doc: &mut Document, ui: &mut TimelineUi) {
    let picked: Vec<Clip> = doc
        .session
        .tracks
        .iter()
        .flat_map(|t| &t.clips)
        .filter(|c| ui.selected.contains(&c.id))
        .cloned()
        .collect();
    let (Some(first), Some(last)) =
        (picked.iter().map(|c| c.start.0).min(), picked.iter().map(|c| c.end().0).max())
    else {
        return;
    };
    let shift = last - first;
    let mut next = doc.session.next_id();
    let mut edits = Vec::new();
    let mut copies = Vec::new();
    for track in &doc.session.tracks {
        for c in track.clips.iter().filter(|c| picked.iter().any(|p| p.id == c.id)) {
            let copy = Clip { id: ClipId(next), start: SampleTime(c.start.0 + shift), ..c.clone() };
            next += 1;
            copies.push(copy.id);
            edits.push(Edit::Clip(copy.id, Some(ClipAt { track: track.id, index: usize::MAX, clip: copy })));
        }
    }
    doc.apply_all("duplicate", format!("Duplicate {} clip(s)", picked.len()), edits);
    ui.selected = copies.into_iter().collect();
}

fn delete(doc: &mut Document, ui: &mut TimelineUi) {
    if let Some((param, indices)) = ui.points.take().filter(|(_, i)| !i.is_empty()) {
        let name = param_name(&doc.session, param);
        let mut lane = lane_now(&doc.session, param);
        lane.delete_points(&indices);
        doc.apply(
            "lane-delete",
            format!("Delete {} {name} point(s)", indices.len()),
            Edit::Lane(param, Some(lane)),
        );
        return;
    }
    if ui.selected.is_empty() {
        return;
    }
    let ids = std::mem::take(&mut ui.selected);
    let edits = ids.iter().map(|id| Edit::Clip(*id, None)).collect();
    doc.apply_all("clip-delete", format!("Delete {} clip(s)", ids.len()), edits);
}

/// Puts a freehand stroke into the lane: the stroke, thinned to the
/// parameter's tolerance, replaces the points under it; the lane before and
/// after keeps its values.
fn draw_stroke(doc: &mut Document, param: ParamId, stroke: Vec<(u64, f64)>) {
    let Some(info) = doc.session.param_info(param) else { return };
    let mut pts: Vec<(u64, f64)> = stroke;
    // Keep the last value drawn at each sample, in time order.
    pts.sort_by_key(|p| p.0);
    pts.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 = b.1;
            true
        } else {
            false
        }
    });
    if pts.len() < 2 {
        if let Some(&(t, v)) = pts.first() {
            let mut lane = lane_now(&doc.session, param);
            lane.add_point(Point { time: t, value: info.clamp(v), shape: Shape::Linear });
            doc.apply(
                "lane-point",
                format!("Add {} point", param_name(&doc.session, param)),
                Edit::Lane(param, Some(lane)),
            );
        }
        return;
    }
    let (t0, t1) = (pts[0].0, pts[pts.len() - 1].0);
    let mut drawn = Lane::new(param);
    drawn.points =
        pts.iter().map(|&(time, v)| Point { time, value: info.clamp(v), shape: Shape::Linear }).collect();
    drawn.thin(tolerance(&info));
    let name = param_name(&doc.session, param);
    let label = format!("Draw {name} ({} points)", drawn.points.len());
    let mut lane = lane_now(&doc.session, param);
    {
        let lane = &mut lane;
        let before =
            (t0 > 0 && lane.points.iter().any(|p| p.time < t0)).then(|| lane.value_at(t0 - 1)).flatten();
        let after = lane.points.iter().any(|p| p.time > t1).then(|| lane.value_at(t1 + 1)).flatten();
        lane.points.retain(|p| p.time < t0.saturating_sub(1) || p.time > t1 + 1);
        if let Some(v) = before {
            lane.add_point(Point { time: t0 - 1, value: v, shape: Shape::Linear });
        }
        for p in &drawn.points {
            lane.add_point(*p);
        }
        if let Some(v) = after {
            lane.add_point(Point { time: t1 + 1, value: v, shape: Shape::Linear });
        }
    }
    doc.apply("lane-stroke", label, Edit::Lane(param, Some(lane)));
}

/// `param`'s lane as it is now (an empty one in Read mode if it has none).
fn lane_now(s: &Session, param: ParamId) -> Lane {
    s.lane(param).cloned().unwrap_or_else(|| Lane::new(param))
}

/// One move of a drag on a lane's points: `f` changes the lane as it was
/// when the drag began (kept by the timeline), so rounding never accumulates.
fn lane_drag(
    doc: &mut Document,
    ui: &mut TimelineUi,
    key: &str,
    param: ParamId,
    label: String,
    f: impl FnOnce(&mut Lane),
) {
    let base = match ui.lane_drag.take() {
        Some((k, lane)) if k == key => lane,
        _ => doc.session.lane(param).cloned(),
    };
    let mut lane = base.clone().unwrap_or_else(|| Lane::new(param));
    f(&mut lane);
    doc.gesture_edits(key, label, vec![Edit::Lane(param, Some(lane))]);
    ui.lane_drag = Some((key.to_owned(), base));
}

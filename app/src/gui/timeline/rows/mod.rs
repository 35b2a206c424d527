//! The rows canvas: clips with their waveforms, fades and gain on the track
//! rows, automation curves and points on the lanes, and what the mouse does
//! on them. Only the visible rows and columns are drawn; the drawing is
//! cached until the session, the view or the selection changes, and the
//! playhead, rubber band and pencil stroke are drawn over it each frame.

use std::cell::RefCell;
use std::path::PathBuf;

use iced::mouse::{self, Button, ScrollDelta};
use iced::widget::canvas::{self, Action, Cache, Event, Frame, Geometry};
use iced::{Point, Rectangle, Renderer, Size, Theme, keyboard};
use mixdesk_engine::session::{Clip, ClipId, Lane, ParamId, ParamInfo, Session};

mod draw;

use super::geometry::{self, Row, RowKind, Span};
use super::waveforms::Waveforms;
use super::{Message, TimelineUi, Tool};
use crate::gui::theme::Colors;

/// Height of a clip's title bar (name, fade and gain handles).
pub const TITLE: f32 = 15.0;
/// How close (pixels) the mouse must be to grab an edge, a handle or a point.
pub const GRAB: f32 = 6.0;
/// Pixels of clip gain change per dB when dragging the gain handle.
pub const PX_PER_DB: f32 = 4.0;
/// Pixels between the waveform outline's vertices.
const WAVE_STEP: usize = 2;
/// A press that moves less than this is a click.
const CLICK_SLOP: f32 = 3.0;

/// What part of a clip is dragged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grab {
    /// The body: move the clip.
    Move,
    /// The left edge: trim the start.
    TrimStart,
    /// The right edge: trim the end.
    TrimEnd,
    /// The fade-in handle.
    FadeIn,
    /// The fade-out handle.
    FadeOut,
    /// The gain handle.
    Gain,
}

/// What is under the mouse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Hit {
    /// A part of a clip.
    Clip(ClipId, Grab),
    /// Empty space on a track row.
    Track(usize),
    /// A lane's point.
    Point(ParamId, usize),
    /// A lane's segment from point `index` to the next.
    Segment(ParamId, usize),
    /// Empty space on a lane.
    Lane(ParamId),
    /// Nothing.
    Nothing,
}

/// A drag in progress.
#[derive(Debug, Clone)]
enum Drag {
    Clip { grab: Grab, clip: ClipId, origin: Point, moved: bool },
    Point { param: ParamId, index: usize, row: Row, moved: bool },
    Segment { param: ParamId, index: usize, origin: Point, row: Row, moved: bool },
    LaneEmpty { param: ParamId, origin: Point, now: Point, row: Row },
    Pencil { param: ParamId, row: Row, stroke: Vec<(u64, f64)>, marks: Vec<Point> },
    Band { origin: Point, now: Point },
}

/// What the cached drawing was made from.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    revision: u64,
    span: Span,
    scroll_y: f32,
    height: f32,
    size: Size,
    track_height: f32,
    lanes: Vec<(mixdesk_engine::session::TrackId, Vec<ParamId>)>,
    selected: Vec<ClipId>,
    points: Option<(ParamId, Vec<usize>)>,
    waves: usize,
    missing: usize,
    dark: bool,
}

/// The canvas's own state: the drag, the modifiers and the cache.
#[derive(Default)]
pub struct State {
    drag: Option<Drag>,
    modifiers: keyboard::Modifiers,
    last_move: Option<Point>,
    cache: Cache,
    key: RefCell<Option<Key>>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").field("drag", &self.drag).finish()
    }
}

/// The rows of the timeline, for one frame.
#[derive(Debug)]
pub struct Rows<'a> {
    /// The session drawn.
    pub session: &'a Session,
    /// The view state.
    pub ui: &'a TimelineUi,
    /// Waveform overviews.
    pub waves: &'a Waveforms,
    /// The session's folder (media paths are relative to it).
    pub dir: PathBuf,
    /// The playhead, in session samples.
    pub position: f64,
    /// Whether the transport is rolling.
    pub playing: bool,
    /// The document's revision (any edit redraws).
    pub revision: u64,
    /// Clips whose media is missing (they play silent).
    pub missing: &'a std::collections::HashSet<ClipId>,
}

/// The clip's end, as drawn.
fn clip_x(span: Span, c: &Clip) -> (f32, f32) {
    (span.x(c.start.0 as f64), span.x(c.end().0 as f64))
}

/// The lane's value at `t`, as played (switches hold, the rest interpolate).
pub fn lane_value(lane: &Lane, info: &ParamInfo, t: u64) -> Option<f64> {
    if info.is_stepped() { lane.held_value_at(t) } else { lane.value_at(t) }
}

impl Rows<'_> {
    fn rows(&self) -> Vec<Row> {
        self.ui.rows(self.session)
    }

    fn row_at(&self, y: f32) -> Option<Row> {
        self.rows().into_iter().find(|r| r.contains(y))
    }

    fn info(&self, param: ParamId) -> Option<ParamInfo> {
        self.session.param_info(param)
    }

    /// What is at `p` (canvas coordinates).
    pub fn hit(&self, p: Point) -> Hit {
        let Some(row) = self.row_at(p.y) else { return Hit::Nothing };
        let span = self.ui.span;
        match row.kind {
            RowKind::Track(i) => {
                let track = &self.session.tracks[i];
                // Topmost (last drawn) clip first.
                for c in track.clips.iter().rev() {
                    let (x0, x1) = clip_x(span, c);
                    if p.x < x0 - 1.0 || p.x > x1 + 1.0 {
                        continue;
                    }
                    let y = p.y - row.y;
                    let fin = x0 + (c.fade_in.length.0 as f64 / span.spp) as f32;
                    let fout = x1 - (c.fade_out.length.0 as f64 / span.spp) as f32;
                    let mid = (x0 + x1) / 2.0;
                    let grab = if y < TITLE && (p.x - fin).abs() <= GRAB {
                        Grab::FadeIn
                    } else if y < TITLE && (p.x - fout).abs() <= GRAB {
                        Grab::FadeOut
                    } else if y < TITLE && (p.x - mid).abs() <= GRAB {
                        Grab::Gain
                    } else if p.x - x0 <= GRAB && x1 - x0 > 3.0 * GRAB {
                        Grab::TrimStart
                    } else if x1 - p.x <= GRAB && x1 - x0 > 3.0 * GRAB {
                        Grab::TrimEnd
                    } else {
                        Grab::Move
                    };
                    return Hit::Clip(c.id, grab);
                }
                Hit::Track(i)
            }
            RowKind::Lane(_, param) => {
                let Some(info) = self.info(param) else { return Hit::Nothing };
                let Some(lane) = self.session.lane(param) else { return Hit::Lane(param) };
                for (i, pt) in lane.points.iter().enumerate() {
                    let x = span.x(pt.time as f64);
                    let y = row.y + geometry::lane_y(&info, pt.value, row.height);
                    if (p.x - x).abs() <= GRAB && (p.y - y).abs() <= GRAB {
                        return Hit::Point(param, i);
                    }
                }
                let t = span.sample(p.x);
                if let Some(i) = lane.points.windows(2).position(|w| w[0].time <= t && t < w[1].time)
                    && let Some(v) = lane_value(lane, &info, t)
                {
                    let y = row.y + geometry::lane_y(&info, v, row.height);
                    if (p.y - y).abs() <= GRAB - 1.0 {
                        return Hit::Segment(param, i);
                    }
                }
                Hit::Lane(param)
            }
            RowKind::Folder(_) => Hit::Nothing,
        }
    }

    /// The clips a rubber band from `a` to `b` touches.
    fn banded(&self, a: Point, b: Point) -> Vec<ClipId> {
        let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
        let (y0, y1) = (a.y.min(b.y), a.y.max(b.y));
        let mut out = Vec::new();
        for row in self.rows() {
            let RowKind::Track(i) = row.kind else { continue };
            if row.y + row.height < y0 || row.y > y1 {
                continue;
            }
            for c in &self.session.tracks[i].clips {
                let (cx0, cx1) = clip_x(self.ui.span, c);
                if cx1 >= x0 && cx0 <= x1 {
                    out.push(c.id);
                }
            }
        }
        out
    }

    fn lane_point(&self, param: ParamId, row: &Row, p: Point) -> Option<(u64, f64)> {
        let info = self.info(param)?;
        Some((self.ui.span.sample(p.x), geometry::lane_value_at(&info, p.y - row.y, row.height)))
    }

    fn press(&self, state: &mut State, p: Point) -> Option<Action<Message>> {
        let shift = state.modifiers.shift();
        let hit = self.hit(p);
        let row = self.row_at(p.y);
        match (hit, self.ui.tool, row) {
            (Hit::Clip(clip, grab), _, _) => {
                state.drag = Some(Drag::Clip { grab, clip, origin: p, moved: false });
                let keep = self.ui.selected.contains(&clip) && !shift;
                let msg = (!keep).then_some(Message::ClipPressed(clip, shift));
                Some(publish(msg))
            }
            (Hit::Point(param, _) | Hit::Segment(param, _) | Hit::Lane(param), Tool::Pencil, Some(row)) => {
                let first = self.lane_point(param, &row, p)?;
                state.drag = Some(Drag::Pencil { param, row, stroke: vec![first], marks: vec![p] });
                Some(Action::request_redraw().and_capture())
            }
            (Hit::Point(param, index), Tool::Pointer, Some(row)) => {
                state.drag = Some(Drag::Point { param, index, row, moved: false });
                Some(Action::capture())
            }
            (Hit::Segment(param, index), Tool::Pointer, Some(row)) => {
                state.drag = Some(Drag::Segment { param, index, origin: p, row, moved: false });
                Some(Action::capture())
            }
            (Hit::Lane(param), Tool::Pointer, Some(row)) => {
                state.drag = Some(Drag::LaneEmpty { param, origin: p, now: p, row });
                Some(Action::capture())
            }
            (Hit::Track(_), _, _) => {
                state.drag = Some(Drag::Band { origin: p, now: p });
                Some(Action::capture())
            }
            _ => None,
        }
    }

    fn moved(&self, state: &mut State, p: Point) -> Option<Action<Message>> {
        let free = state.modifiers.alt() || state.modifiers.command();
        let spp = self.ui.span.spp;
        match state.drag.as_mut()? {
            Drag::Clip { grab, clip, origin, moved } => {
                if !*moved && origin.distance(p) < CLICK_SLOP {
                    return Some(Action::capture());
                }
                *moved = true;
                let dt = f64::from(p.x - origin.x) * spp;
                Some(
                    Action::publish(Message::ClipDragged(*grab, *clip, dt, p.y - origin.y, free))
                        .and_capture(),
                )
            }
            Drag::Point { param, index, row, moved } => {
                *moved = true;
                let (param, index, row) = (*param, *index, *row);
                let (t, v) = self.lane_point(param, &row, p)?;
                Some(Action::publish(Message::PointDragged(param, index, t, v)).and_capture())
            }
            Drag::Segment { param, index, origin, row, moved } => {
                *moved = true;
                let usable = (row.height - 2.0 * geometry::LANE_PAD).max(1.0);
                let frac = f64::from((origin.y - p.y) / usable);
                Some(Action::publish(Message::SegmentDragged(*param, *index, frac)).and_capture())
            }
            Drag::LaneEmpty { now, .. } | Drag::Band { now, .. } => {
                *now = p;
                Some(Action::request_redraw().and_capture())
            }
            Drag::Pencil { param, row, .. } => {
                let (param, row) = (*param, *row);
                let point =
                    self.lane_point(param, &row, Point::new(p.x, p.y.clamp(row.y, row.y + row.height)))?;
                if let Some(Drag::Pencil { stroke, marks, .. }) = state.drag.as_mut() {
                    stroke.push(point);
                    marks.push(p);
                }
                Some(Action::request_redraw().and_capture())
            }
        }
    }

    fn released(&self, state: &mut State) -> Option<Action<Message>> {
        let shift = state.modifiers.shift();
        let msg = match state.drag.take()? {
            Drag::Clip { moved, .. } | Drag::Point { moved, .. } | Drag::Segment { moved, .. } => {
                moved.then_some(Message::DragEnded)
            }
            Drag::Pencil { param, stroke, .. } => Some(Message::Stroke(param, stroke)),
            Drag::LaneEmpty { param, origin, now, row } => {
                if origin.distance(now) < CLICK_SLOP {
                    self.lane_point(param, &row, origin).map(|(t, v)| Message::PointAdded(param, t, v))
                } else {
                    let (a, b) = (self.ui.span.sample(origin.x), self.ui.span.sample(now.x));
                    Some(Message::PointsBanded(param, a.min(b), a.max(b)))
                }
            }
            Drag::Band { origin, now } => {
                if origin.distance(now) < CLICK_SLOP {
                    Some(Message::Deselected)
                } else {
                    Some(Message::ClipsBanded(self.banded(origin, now), shift))
                }
            }
        };
        Some(publish(msg))
    }

    /// The menu for what is under `p` (canvas coordinates), opened at `at`
    /// (the pointer in window coordinates).
    fn right_click(&self, p: Point, at: Point) -> Option<Action<Message>> {
        let menu = match self.hit(p) {
            Hit::Segment(param, index) => super::Menu::Segment { param, index },
            Hit::Point(param, index) => super::Menu::Segment { param, index },
            Hit::Clip(clip, _) => {
                let c = self.session.tracks.iter().flat_map(|t| &t.clips).find(|c| c.id == clip)?;
                let (x0, x1) = clip_x(self.ui.span, c);
                super::Menu::Fade { clip, fade_in: p.x < (x0 + x1) / 2.0 }
            }
            _ => return None,
        };
        Some(Action::publish(Message::MenuOpened(menu, at)).and_capture())
    }
}

fn publish(msg: Option<Message>) -> Action<Message> {
    match msg {
        Some(m) => Action::publish(m).and_capture(),
        None => Action::capture(),
    }
}

impl canvas::Program<Message> for Rows<'_> {
    type State = State;

    fn update(
        &self,
        state: &mut State,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<Message>> {
        let local = |at: Point| Point::new(at.x - bounds.x, at.y - bounds.y);
        match event {
            Event::Keyboard(keyboard::Event::ModifiersChanged(m)) => {
                state.modifiers = *m;
                None
            }
            Event::Mouse(mouse::Event::CursorMoved { position }) => {
                state.last_move = Some(*position);
                let p = local(*position);
                state.drag.is_some().then(|| self.moved(state, p)).flatten()
            }
            Event::Mouse(mouse::Event::ButtonPressed(Button::Left)) => {
                let at = state.last_move.or(cursor.position())?;
                if !bounds.contains(at) {
                    return None;
                }
                self.press(state, local(at))
            }
            Event::Mouse(mouse::Event::ButtonReleased(Button::Left)) => self.released(state),
            Event::Mouse(mouse::Event::ButtonPressed(Button::Right)) => {
                let at = state.last_move.or(cursor.position())?;
                // The rows scroll vertically: the window sees the pointer `scroll_y` higher.
                let window = Point::new(at.x, at.y - self.ui.scroll_y);
                bounds.contains(at).then(|| self.right_click(local(at), window)).flatten()
            }
            Event::Mouse(mouse::Event::WheelScrolled { delta }) => {
                let at = cursor.position_in(bounds)?;
                let (dx, dy) = match delta {
                    ScrollDelta::Lines { x, y } => (*x * 40.0, *y * 40.0),
                    ScrollDelta::Pixels { x, y } => (*x, *y),
                };
                if state.modifiers.command() {
                    let factor = if dy > 0.0 { 1.25 } else { 0.8 };
                    Some(Action::publish(Message::Zoom(factor, at.x)).and_capture())
                } else if state.modifiers.shift() || dx.abs() > dy.abs() {
                    let d = if dx != 0.0 { dx } else { dy };
                    Some(Action::publish(Message::ScrollX(-d)).and_capture())
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn draw(
        &self,
        state: &State,
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let c = Colors::of(theme);
        let key = Key {
            revision: self.revision,
            span: self.ui.span,
            scroll_y: self.ui.scroll_y,
            height: self.ui.height,
            size: bounds.size(),
            track_height: self.ui.track_height,
            lanes: self.ui.lanes.iter().map(|(k, v)| (*k, v.clone())).collect(),
            selected: self.ui.selected.iter().copied().collect(),
            points: self.ui.points.clone(),
            waves: self.waves.ready_count(),
            missing: self.missing.len(),
            dark: c.window.r < 0.5,
        };
        if state.key.borrow().as_ref() != Some(&key) {
            state.cache.clear();
            *state.key.borrow_mut() = Some(key);
        }
        let content =
            state.cache.draw(renderer, bounds.size(), |frame| self.draw_rows(frame, c, bounds.size()));
        let mut overlay = Frame::new(renderer, bounds.size());
        self.draw_overlay(&mut overlay, state, c, bounds.size());
        vec![content, overlay.into_geometry()]
    }

    fn mouse_interaction(
        &self,
        state: &State,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> mouse::Interaction {
        if let Some(Drag::Clip { grab, .. }) = &state.drag {
            return interaction(*grab);
        }
        let Some(p) = cursor.position_in(bounds) else { return mouse::Interaction::default() };
        match (self.hit(p), self.ui.tool) {
            (Hit::Clip(_, g), _) => interaction(g),
            (Hit::Point(..) | Hit::Segment(..) | Hit::Lane(_), Tool::Pencil) => mouse::Interaction::Crosshair,
            (Hit::Point(..), _) => mouse::Interaction::Grab,
            (Hit::Segment(..), _) => mouse::Interaction::ResizingVertically,
            (Hit::Lane(_), _) => mouse::Interaction::Crosshair,
            _ => mouse::Interaction::default(),
        }
    }
}

fn interaction(g: Grab) -> mouse::Interaction {
    match g {
        Grab::Move => mouse::Interaction::Grab,
        Grab::TrimStart | Grab::TrimEnd | Grab::FadeIn | Grab::FadeOut => {
            mouse::Interaction::ResizingHorizontally
        }
        Grab::Gain => mouse::Interaction::ResizingVertically,
    }
}

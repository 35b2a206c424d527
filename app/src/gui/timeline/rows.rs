//! The rows canvas: clips with their waveforms, fades and gain on the track
//! rows, automation curves and points on the lanes, and what the mouse does
//! on them. Only the visible rows and columns are drawn; the drawing is
//! cached until the session, the view or the selection changes, and the
//! playhead, rubber band and pencil stroke are drawn over it each frame.

use std::cell::RefCell;
use std::path::PathBuf;

use iced::mouse::{self, Button, ScrollDelta};
use iced::widget::canvas::{self, Action, Cache, Event, Frame, Geometry, LineDash, Path as CPath, Stroke};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme, keyboard};
use mixdesk_engine::session::{Clip, ClipId, Lane, ParamId, ParamInfo, Session, Track};

use super::geometry::{self, Row, RowKind, Span};
use super::label;
use super::waveforms::Waveforms;
use super::{Message, TimelineUi, Tool};
use crate::gui::theme::{Colors, track_colour};

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

    fn right_click(&self, p: Point) -> Option<Action<Message>> {
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
        Some(Action::publish(Message::MenuOpened(menu)).and_capture())
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
                bounds.contains(at).then(|| self.right_click(local(at))).flatten()
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

fn alpha(c: Color, a: f32) -> Color {
    Color { a, ..c }
}

/// `a` over `b` at opacity `t`, as an opaque colour. Thin lines are drawn
/// opaque: the software renderer fills opaque spans with a plain memory
/// fill, but runs its blending pipeline once per row for a translucent
/// one-pixel line (a hundred grid lines cost more than everything else).
fn mix(a: Color, b: Color, t: f32) -> Color {
    Color::from_rgb(b.r + (a.r - b.r) * t, b.g + (a.g - b.g) * t, b.b + (a.b - b.b) * t)
}

impl Rows<'_> {
    fn visible(&self, row: &Row) -> bool {
        row.y + row.height >= self.ui.scroll_y - 1.0 && row.y <= self.ui.scroll_y + self.ui.height + 1.0
    }

    fn draw_rows(&self, frame: &mut Frame<Renderer>, c: &Colors, size: Size) {
        let span = self.ui.span;
        let (top, bottom) = (self.ui.scroll_y, (self.ui.scroll_y + self.ui.height).min(size.height));
        // The window's own background shows between clips; rows are told
        // apart by a hairline (large fills are what the software renderer
        // is slowest at).
        let rows = self.rows();
        for row in rows.iter().filter(|r| self.visible(r)) {
            let line =
                if matches!(row.kind, RowKind::Track(_)) { c.border } else { mix(c.border, c.window, 0.5) };
            frame.fill_rectangle(Point::new(0.0, row.y + row.height - 1.0), Size::new(size.width, 1.0), line);
        }
        // Grid: bars strong, finer steps faint.
        let rate = self.session.sample_rate;
        let step = geometry::grid_step(self.session.tempo, rate, span.spp, 12.0);
        let bar = geometry::beat_samples(self.session.tempo, rate)
            * f64::from(self.session.tempo.beats_per_bar.max(1));
        let first = (span.scroll / step).floor() as i64;
        let last = (span.t(size.width) / step).ceil() as i64;
        for k in first.max(0)..=last {
            let t = k as f64 * step;
            let x = span.x(t).round() + 0.5;
            let on_bar = (t / bar - (t / bar).round()).abs() < 1e-6;
            let colour = if on_bar { mix(c.border, c.window, 0.9) } else { mix(c.border, c.window, 0.45) };
            frame.fill_rectangle(Point::new(x, top), Size::new(1.0, bottom - top), colour);
        }
        for row in rows.iter().filter(|r| self.visible(r)) {
            match row.kind {
                RowKind::Track(i) => self.draw_track(frame, c, &self.session.tracks[i], row, size.width),
                RowKind::Lane(_, param) => self.draw_lane(frame, c, param, row, size.width),
            }
        }
        // The loop range, tinting everything under it (clips are opaque).
        if let Some(l) = self.session.loop_range {
            let (x0, x1) = (span.x(l.start.0 as f64), span.x(l.end.0 as f64));
            let a = if l.enabled { 0.10 } else { 0.04 };
            frame.fill_rectangle(Point::new(x0, top), Size::new(x1 - x0, bottom - top), alpha(c.accent, a));
        }
        for m in &self.session.markers {
            let x = span.x(m.position.0 as f64);
            frame.fill_rectangle(
                Point::new(x, top),
                Size::new(1.0, bottom - top),
                mix(c.mute, c.window, 0.5),
            );
        }
    }

    fn draw_track(&self, frame: &mut Frame<Renderer>, c: &Colors, track: &Track, row: &Row, width: f32) {
        let span = self.ui.span;
        let tint = track_colour(track.colour);
        for clip in &track.clips {
            let (x0, x1) = clip_x(span, clip);
            if x1 < 0.0 || x0 > width {
                continue;
            }
            let selected = self.ui.selected.contains(&clip.id);
            let y = row.y + 1.0;
            let h = row.height - 3.0;
            let body = Rectangle::new(Point::new(x0, y), Size::new((x1 - x0).max(1.0), h));
            // Opaque fills: plain rectangle blits for the renderer, no blending.
            frame.fill_rectangle(body.position(), body.size(), mix(tint, c.window, 0.22));
            frame.fill_rectangle(body.position(), Size::new(body.width, TITLE), mix(tint, c.window, 0.55));
            let media = self.dir.join(&clip.media);
            let wave_top = y + TITLE;
            let wave_h = h - TITLE;
            if let Some(peaks) = self.waves.get(&media) {
                self.draw_wave(frame, clip, peaks, tint, c.window, wave_top, wave_h, width);
            } else if self.missing.contains(&clip.id) || self.waves.failure(&media).is_some() {
                let mut x = x0.max(-wave_h);
                while x < x1.min(width) {
                    let line =
                        CPath::line(Point::new(x, wave_top + wave_h), Point::new(x + wave_h, wave_top));
                    frame.stroke(&line, Stroke::default().with_color(alpha(c.danger, 0.5)).with_width(1.0));
                    x += 12.0;
                }
                label::draw(
                    frame,
                    &format!("missing: {}", clip.media.display()),
                    Point::new(x0.max(0.0) + 4.0, wave_top + 3.0),
                    11.0,
                    c.danger,
                    (x1 - x0.max(0.0) - 8.0).max(0.0),
                );
            }
            self.draw_fades(frame, c, clip, x0, x1, y, h);
            // Name and gain.
            let name = clip.media.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            let visible_x0 = x0.max(0.0);
            label::draw(
                frame,
                &name,
                Point::new(visible_x0 + 4.0, y + 1.5),
                11.0,
                c.text,
                (x1 - visible_x0) / 2.0 - 14.0,
            );
            let mid = (x0 + x1) / 2.0;
            if x1 - x0 > 40.0 {
                let handle = CPath::circle(Point::new(mid, y + TITLE / 2.0), 3.5);
                frame.fill(&handle, c.text);
                if clip.gain_db.0 != 0.0 {
                    label::draw(
                        frame,
                        &format!("{:+.1} dB", clip.gain_db.0),
                        Point::new(mid + 7.0, y + 1.5),
                        10.0,
                        c.text,
                        (x1 - mid - 20.0).max(0.0),
                    );
                }
            }
            let outline = CPath::rectangle(body.position(), body.size());
            let (colour, w) = if selected { (c.accent, 2.0) } else { (alpha(tint, 0.9), 1.0) };
            frame.stroke(&outline, Stroke::default().with_color(colour).with_width(w));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_wave(
        &self,
        frame: &mut Frame<Renderer>,
        clip: &Clip,
        peaks: &mixdesk_engine::media::peaks::Peaks,
        tint: Color,
        window: Color,
        top: f32,
        h: f32,
        width: f32,
    ) {
        let span = self.ui.span;
        let (x0, x1) = clip_x(span, clip);
        let (from, to) = (x0.max(0.0).floor() as i32, x1.min(width).ceil() as i32);
        if to <= from || h < 4.0 {
            return;
        }
        let gain = 10f64.powf(clip.gain_db.0 / 20.0) as f32;
        let mid = top + h / 2.0;
        let half = h / 2.0 - 1.0;
        let mut upper = Vec::with_capacity((to - from) as usize + 1);
        let mut lower = Vec::with_capacity((to - from) as usize + 1);
        // A vertex every WAVE_STEP pixels (the extremes of those columns):
        // the renderer's cost is in the polygon's edges, and halving them
        // halves the waveforms' share of a frame.
        for px in (from..to).step_by(WAVE_STEP) {
            let t0 = span.t(px as f32) - clip.start.0 as f64;
            let t1 = t0 + span.spp * WAVE_STEP as f64;
            let a = (t0.max(0.0) as u64) + clip.source_offset.0;
            let b = (t1.min(clip.length.0 as f64).max(0.0) as u64 + clip.source_offset.0).max(a + 1);
            let (mut lo, mut hi) = (0.0f32, 0.0f32);
            for ch in 0..peaks.channels() {
                if let Some((l, u)) = peaks.range(ch, a, b) {
                    lo = lo.min(l);
                    hi = hi.max(u);
                }
            }
            let x = (px as f32 + WAVE_STEP as f32 / 2.0).min(to as f32);
            upper.push(Point::new(x, mid - (hi * gain).clamp(-1.0, 1.0) * half - 0.5));
            lower.push(Point::new(x, mid - (lo * gain).clamp(-1.0, 1.0) * half + 0.5));
        }
        let path = CPath::new(|b| {
            b.move_to(upper[0]);
            for p in &upper[1..] {
                b.line_to(*p);
            }
            for p in lower.iter().rev() {
                b.line_to(*p);
            }
            b.close();
        });
        // Opaque: the renderer skips blending for opaque fills.
        frame.fill(&path, mix(tint, mix(tint, window, 0.22), 0.85));
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_fades(
        &self,
        frame: &mut Frame<Renderer>,
        c: &Colors,
        clip: &Clip,
        x0: f32,
        x1: f32,
        y: f32,
        h: f32,
    ) {
        let spp = self.ui.span.spp;
        let fin = (clip.fade_in.length.0 as f64 / spp) as f32;
        let fout = (clip.fade_out.length.0 as f64 / spp) as f32;
        let shade = alpha(c.border, 0.55);
        let line = Stroke::default().with_color(c.text).with_width(1.0);
        let curve = |x_from: f32, w: f32, rising: bool, shape| {
            CPath::new(|b| {
                let n = (w / 3.0).clamp(2.0, 48.0) as usize;
                for k in 0..=n {
                    let f = k as f64 / n as f64;
                    let g = mixdesk_engine::graph::fade::fade_gain(shape, if rising { f } else { 1.0 - f })
                        as f32;
                    let p = Point::new(x_from + w * f as f32, y + TITLE + (h - TITLE) * (1.0 - g));
                    if k == 0 { b.move_to(p) } else { b.line_to(p) }
                }
            })
        };
        if fin > 0.5 {
            let shadow = CPath::new(|b| {
                b.move_to(Point::new(x0, y + TITLE));
                b.line_to(Point::new(x0 + fin, y + TITLE));
                b.line_to(Point::new(x0, y + h));
                b.close();
            });
            frame.fill(&shadow, shade);
            frame.stroke(&curve(x0, fin, true, clip.fade_in.shape), line);
        }
        if fout > 0.5 {
            let shadow = CPath::new(|b| {
                b.move_to(Point::new(x1 - fout, y + TITLE));
                b.line_to(Point::new(x1, y + TITLE));
                b.line_to(Point::new(x1, y + h));
                b.close();
            });
            frame.fill(&shadow, shade);
            frame.stroke(&curve(x1 - fout, fout, false, clip.fade_out.shape), line);
        }
        for x in [x0 + fin, x1 - fout] {
            let handle = CPath::rectangle(Point::new(x - 3.5, y + 2.0), Size::new(7.0, 7.0));
            frame.fill(&handle, c.text);
        }
    }

    fn draw_lane(&self, frame: &mut Frame<Renderer>, c: &Colors, param: ParamId, row: &Row, width: f32) {
        let Some(info) = self.info(param) else { return };
        let span = self.ui.span;
        let colour = self
            .session
            .tracks
            .iter()
            .find(|t| Some(t.id) == super::track_of(self.session, param))
            .map_or(c.accent, |t| track_colour(t.colour));
        // Unity / centre guide.
        let guide = match info.unit {
            mixdesk_engine::session::Unit::Decibels => Some(0.0),
            mixdesk_engine::session::Unit::Pan => Some(0.0),
            _ => None,
        };
        if let Some(g) = guide.filter(|g| *g >= info.min && *g <= info.max) {
            let y = row.y + geometry::lane_y(&info, g, row.height);
            frame.fill_rectangle(Point::new(0.0, y), Size::new(width, 1.0), alpha(c.dim, 0.35));
        }
        let lane = self.session.lane(param).filter(|l| !l.points.is_empty());
        let Some(lane) = lane else {
            // No automation: the control's fixed value, dashed.
            if let Some(v) = self.session.param_value(param) {
                let y = row.y + geometry::lane_y(&info, v, row.height);
                let dash = Stroke {
                    line_dash: LineDash { segments: &[4.0, 4.0], offset: 0 },
                    ..Stroke::default().with_color(alpha(colour, 0.6)).with_width(1.0)
                };
                frame.stroke(&CPath::line(Point::new(0.0, y), Point::new(width, y)), dash);
            }
            label::draw(
                frame,
                "click to add points, or pick the pencil and draw",
                Point::new(8.0, row.y + 4.0),
                10.0,
                c.dim,
                320.0,
            );
            return;
        };
        let off = lane.mode == mixdesk_engine::session::AutoMode::Off;
        let line_colour = if off { c.dim } else { colour };
        let curve = CPath::new(|b| {
            let mut x = 0.0f32;
            let mut first = true;
            while x <= width + 2.0 {
                let t = span.sample(x);
                if let Some(v) = lane_value(lane, &info, t) {
                    let p = Point::new(x, row.y + geometry::lane_y(&info, v, row.height));
                    if first {
                        b.move_to(p);
                        first = false;
                    } else {
                        b.line_to(p);
                    }
                }
                x += 2.0;
            }
        });
        frame.stroke(&curve, Stroke::default().with_color(line_colour).with_width(1.6));
        let selected: &[usize] = match &self.ui.points {
            Some((p, idx)) if *p == param => idx,
            _ => &[],
        };
        for (i, pt) in lane.points.iter().enumerate() {
            let x = span.x(pt.time as f64);
            if !(-GRAB..=width + GRAB).contains(&x) {
                continue;
            }
            let y = row.y + geometry::lane_y(&info, pt.value, row.height);
            let dot = CPath::circle(Point::new(x, y), 3.5);
            if selected.contains(&i) {
                frame.fill(&dot, c.accent);
                frame.stroke(&dot, Stroke::default().with_color(c.text).with_width(1.0));
            } else {
                frame.fill(&dot, c.window);
                frame.stroke(&dot, Stroke::default().with_color(line_colour).with_width(1.5));
            }
        }
    }

    fn draw_overlay(&self, frame: &mut Frame<Renderer>, state: &State, c: &Colors, size: Size) {
        let span = self.ui.span;
        let (top, bottom) = (self.ui.scroll_y, (self.ui.scroll_y + self.ui.height).min(size.height));
        let x = span.x(self.position);
        if (0.0..=size.width).contains(&x) {
            frame.fill_rectangle(Point::new(x.round(), top), Size::new(1.5, bottom - top), c.danger);
            // The value each lane plays now.
            for row in self.rows().iter().filter(|r| self.visible(r)) {
                let RowKind::Lane(_, param) = row.kind else { continue };
                let (Some(lane), Some(info)) = (self.session.lane(param), self.info(param)) else { continue };
                if lane.points.is_empty() || lane.mode == mixdesk_engine::session::AutoMode::Off {
                    continue;
                }
                if let Some(v) = lane_value(lane, &info, self.position.max(0.0) as u64) {
                    let y = row.y + geometry::lane_y(&info, v, row.height);
                    frame.fill(&CPath::circle(Point::new(x, y), 4.5), c.danger);
                    if self.playing {
                        label::draw(
                            frame,
                            &info.format(v),
                            Point::new(x + 7.0, y - 13.0),
                            11.0,
                            c.text,
                            90.0,
                        );
                    }
                }
            }
        }
        match &state.drag {
            Some(Drag::Band { origin, now }) | Some(Drag::LaneEmpty { origin, now, .. }) => {
                let r = Rectangle::new(
                    Point::new(origin.x.min(now.x), origin.y.min(now.y)),
                    Size::new((origin.x - now.x).abs(), (origin.y - now.y).abs()),
                );
                frame.fill_rectangle(r.position(), r.size(), alpha(c.accent, 0.15));
                frame.stroke(
                    &CPath::rectangle(r.position(), r.size()),
                    Stroke::default().with_color(c.accent).with_width(1.0),
                );
            }
            Some(Drag::Pencil { marks, .. }) if marks.len() > 1 => {
                let path = CPath::new(|b| {
                    b.move_to(marks[0]);
                    for p in &marks[1..] {
                        b.line_to(*p);
                    }
                });
                frame.stroke(&path, Stroke::default().with_color(c.mute).with_width(2.0));
            }
            _ => {}
        }
    }
}

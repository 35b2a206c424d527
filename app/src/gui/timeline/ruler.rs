//! The ruler over the rows: bars and beats above, minutes and seconds below,
//! markers, the loop range and the playhead. Click or drag the upper part to
//! move the playhead; markers sit in the strip under the times: drag one to
//! move it, click it to jump there, double-click to rename; drag in the loop
//! strip at the bottom to set the loop.

use std::time::{Duration, Instant};

use iced::mouse::{self, Button};
use iced::widget::canvas::{self, Action, Event, Frame, Geometry, Path, Stroke};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme};
use mixdesk_engine::session::{MarkerId, Session};

use super::geometry::{self, Span};
use super::label;
use super::{Message, TimelineUi};
use crate::gui::theme::Colors;

/// Where the marker strip starts (pixels from the ruler's top).
pub const MARKER_STRIP: f32 = 25.0;
/// Where the loop strip starts.
pub const LOOP_STRIP: f32 = 39.0;

/// How far right of its flag a marker's label starts.
const LABEL_GAP: f32 = 10.0;
/// The most a marker label may take.
const LABEL_MAX: f32 = 110.0;
/// A label with less room than this (about three letters) is not drawn; its
/// flag stays, and hovering it shows the name.
pub const LABEL_MIN: f32 = 24.0;

/// The room (pixels) each marker's label may take, for flags at `xs` (any
/// order) on a ruler `width` wide: up to 4 px before the next flag to the
/// right, so labels never overlap each other or a flag; 0 hides a label.
pub fn marker_label_room(xs: &[f32], width: f32) -> Vec<f32> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(a.cmp(&b)));
    let mut room = vec![0.0; xs.len()];
    for (k, &i) in order.iter().enumerate() {
        let next = order.get(k + 1).map_or(width + LABEL_MAX, |&j| xs[j] - 4.0);
        let r = (next - xs[i] - LABEL_GAP).min(LABEL_MAX);
        room[i] = if r >= LABEL_MIN { r } else { 0.0 };
    }
    room
}

/// The ruler for one frame.
#[derive(Debug)]
pub struct Ruler<'a> {
    /// The session (tempo, markers, loop).
    pub session: &'a Session,
    /// The view (zoom and scroll).
    pub ui: &'a TimelineUi,
    /// The playhead in session samples.
    pub position: f64,
}

#[derive(Debug, Clone, Copy)]
enum Drag {
    Seek,
    Loop(u64),
    Marker { id: MarkerId, from: f32, moved: bool },
}

/// The ruler's gesture.
#[derive(Debug, Default)]
pub struct State {
    drag: Option<Drag>,
    last_move: Option<Point>,
    last_marker_click: Option<(MarkerId, Instant)>,
    /// The marker under the pointer: its full name is shown over the others.
    hover: Option<MarkerId>,
}

impl Ruler<'_> {
    fn marker_at(&self, x: f32) -> Option<MarkerId> {
        self.session
            .markers
            .iter()
            .map(|m| (m.id, (self.ui.span.x(m.position.0 as f64) - x).abs()))
            .filter(|(_, d)| *d <= 6.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(id, _)| id)
    }
}

impl canvas::Program<Message> for Ruler<'_> {
    type State = State;

    fn update(
        &self,
        state: &mut State,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<Message>> {
        let span = self.ui.span;
        match event {
            Event::Mouse(mouse::Event::CursorMoved { position }) => {
                state.last_move = Some(*position);
                let x = position.x - bounds.x;
                let t = span.sample(x);
                let over = bounds.contains(*position)
                    && (MARKER_STRIP..LOOP_STRIP).contains(&(position.y - bounds.y));
                let hover = over.then(|| self.marker_at(x)).flatten();
                if state.drag.is_none() && hover != state.hover {
                    state.hover = hover;
                    return Some(Action::request_redraw());
                }
                match state.drag.as_mut()? {
                    Drag::Seek => Some(Action::publish(Message::Seek(t)).and_capture()),
                    Drag::Loop(a) => {
                        let a = *a;
                        Some(Action::publish(Message::LoopDragged(a.min(t), a.max(t), false)).and_capture())
                    }
                    Drag::Marker { id, from, moved } => {
                        if !*moved && (x - *from).abs() < 3.0 {
                            return Some(Action::capture());
                        }
                        *moved = true;
                        Some(Action::publish(Message::MarkerMoved(*id, t, false)).and_capture())
                    }
                }
            }
            Event::Mouse(mouse::Event::ButtonPressed(Button::Left)) => {
                let at = state.last_move.or(cursor.position())?;
                if !bounds.contains(at) {
                    return None;
                }
                let (x, y) = (at.x - bounds.x, at.y - bounds.y);
                let t = span.sample(x);
                if y >= LOOP_STRIP {
                    state.drag = Some(Drag::Loop(t));
                    return Some(Action::capture());
                }
                if let Some(id) = self.marker_at(x).filter(|_| y >= MARKER_STRIP) {
                    let now = Instant::now();
                    let double = state.last_marker_click.is_some_and(|(m, when)| {
                        m == id && now.duration_since(when) < Duration::from_millis(400)
                    });
                    state.last_marker_click = Some((id, now));
                    if double {
                        return Some(Action::publish(Message::MarkerRenameStarted(id)).and_capture());
                    }
                    state.drag = Some(Drag::Marker { id, from: x, moved: false });
                    return Some(Action::capture());
                }
                state.drag = Some(Drag::Seek);
                Some(Action::publish(Message::Seek(t)).and_capture())
            }
            Event::Mouse(mouse::Event::ButtonReleased(Button::Left)) => {
                let x = state.last_move.map_or(0.0, |p| p.x - bounds.x);
                let t = span.sample(x);
                match state.drag.take()? {
                    Drag::Seek => Some(Action::capture()),
                    Drag::Loop(a) if a.abs_diff(t) as f64 > 2.0 * span.spp => {
                        Some(Action::publish(Message::LoopDragged(a.min(t), a.max(t), true)).and_capture())
                    }
                    Drag::Loop(_) => Some(Action::capture()),
                    Drag::Marker { id, moved: true, .. } => {
                        Some(Action::publish(Message::MarkerMoved(id, t, true)).and_capture())
                    }
                    Drag::Marker { id, moved: false, .. } => {
                        Some(Action::publish(Message::MarkerJump(id)).and_capture())
                    }
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
        let mut frame = Frame::new(renderer, bounds.size());
        let (w, h) = (bounds.width, bounds.height);
        frame.fill_rectangle(Point::ORIGIN, bounds.size(), c.panel);
        frame.fill_rectangle(Point::new(0.0, LOOP_STRIP), Size::new(w, h - LOOP_STRIP), c.window);
        let span = self.ui.span;
        let s = self.session;
        if let Some(l) = s.loop_range {
            let (x0, x1) = (span.x(l.start.0 as f64), span.x(l.end.0 as f64));
            let colour = if l.enabled { c.accent } else { c.dim };
            frame.fill_rectangle(Point::new(x0, LOOP_STRIP), Size::new(x1 - x0, h - LOOP_STRIP), colour);
        }
        draw_bars(&mut frame, s, span, c, w);
        draw_seconds(&mut frame, s, span, c, w);
        let xs: Vec<f32> = s.markers.iter().map(|m| span.x(m.position.0 as f64)).collect();
        let room = marker_label_room(&xs, w);
        for ((m, &x), &room) in s.markers.iter().zip(&xs).zip(&room) {
            if !(-LABEL_MAX..=w).contains(&x) {
                continue;
            }
            let flag = Path::new(|b| {
                b.move_to(Point::new(x, MARKER_STRIP));
                b.line_to(Point::new(x + 8.0, MARKER_STRIP + 5.0));
                b.line_to(Point::new(x, MARKER_STRIP + 10.0));
                b.close();
            });
            frame.fill(&flag, c.mute);
            frame.fill_rectangle(
                Point::new(x, MARKER_STRIP),
                Size::new(1.0, LOOP_STRIP - MARKER_STRIP),
                c.mute,
            );
            if room > 0.0 {
                label::draw(
                    &mut frame,
                    &m.name,
                    Point::new(x + LABEL_GAP, MARKER_STRIP + 0.5),
                    10.0,
                    c.mute,
                    room,
                );
            }
        }
        super::note_pins::draw(&mut frame, s, span, c, w);
        // The hovered marker's whole name, over its neighbours.
        if let Some((m, x)) = state.hover.and_then(|id| s.markers.iter().zip(&xs).find(|(m, _)| m.id == id)) {
            let full = m.name.chars().count() as f32 * 6.5 + 8.0;
            frame.fill_rectangle(
                Point::new(x + LABEL_GAP - 3.0, MARKER_STRIP - 1.0),
                Size::new(full, LOOP_STRIP - MARKER_STRIP + 1.0),
                c.raised,
            );
            label::draw(
                &mut frame,
                &m.name,
                Point::new(x + LABEL_GAP, MARKER_STRIP + 0.5),
                10.0,
                c.text,
                400.0,
            );
        }
        let x = span.x(self.position);
        if (0.0..=w).contains(&x) {
            let head = Path::new(|b| {
                b.move_to(Point::new(x - 6.0, 0.0));
                b.line_to(Point::new(x + 6.0, 0.0));
                b.line_to(Point::new(x, 9.0));
                b.close();
            });
            frame.fill(&head, c.danger);
            frame.fill_rectangle(Point::new(x, 0.0), Size::new(1.5, h), c.danger);
        }
        frame.stroke(
            &Path::line(Point::new(0.0, h - 0.5), Point::new(w, h - 0.5)),
            Stroke::default().with_color(c.border).with_width(1.0),
        );
        vec![frame.into_geometry()]
    }

    fn mouse_interaction(
        &self,
        _state: &State,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> mouse::Interaction {
        match cursor.position_in(bounds) {
            Some(p) if (MARKER_STRIP..LOOP_STRIP).contains(&p.y) && self.marker_at(p.x).is_some() => {
                mouse::Interaction::Grab
            }
            Some(_) => mouse::Interaction::Pointer,
            None => mouse::Interaction::default(),
        }
    }
}

fn draw_bars(frame: &mut Frame<Renderer>, s: &Session, span: Span, c: &Colors, w: f32) {
    let beat = geometry::beat_samples(s.tempo, s.sample_rate);
    let per_bar = f64::from(s.tempo.beats_per_bar.max(1));
    let bar = beat * per_bar;
    // Label every n-th bar so labels stay 60 px apart.
    let every =
        (1..).map(|k: u32| 1u64 << k.min(20)).find(|&n| n as f64 * bar / span.spp >= 60.0).unwrap_or(1);
    let every = if bar / span.spp >= 60.0 { 1 } else { every };
    let step = geometry::grid_step(s.tempo, s.sample_rate, span.spp, 8.0);
    let first = (span.scroll / step).floor().max(0.0) as u64;
    let last = (span.t(w) / step).ceil().max(0.0) as u64;
    for k in first..=last {
        let t = k as f64 * step;
        let x = span.x(t).round() + 0.5;
        let bar_no = (t / bar).round();
        let on_bar = (t / bar - bar_no).abs() < 1e-6;
        let tick = if on_bar { 9.0 } else { 4.0 };
        frame.fill_rectangle(
            Point::new(x, 13.0 - tick),
            Size::new(1.0, tick),
            if on_bar { c.text } else { c.dim },
        );
        if on_bar && (bar_no as u64).is_multiple_of(every) {
            label::draw(
                frame,
                &format!("{}", bar_no as u64 + 1),
                Point::new(x + 3.0, 0.5),
                10.0,
                c.text,
                50.0,
            );
        }
    }
}

fn draw_seconds(frame: &mut Frame<Renderer>, s: &Session, span: Span, c: &Colors, w: f32) {
    let rate = f64::from(s.sample_rate.max(1));
    let steps = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0];
    let step = steps.iter().copied().find(|st| st * rate / span.spp >= 70.0).unwrap_or(1200.0);
    let first = (span.scroll / rate / step).floor().max(0.0) as u64;
    let last = (span.t(w) / rate / step).ceil().max(0.0) as u64;
    for k in first..=last {
        let secs = k as f64 * step;
        let x = span.x(secs * rate).round() + 0.5;
        frame.fill_rectangle(Point::new(x, 14.0), Size::new(1.0, 5.0), c.dim);
        let text = if step < 1.0 {
            format!("{}:{:04.1}", (secs / 60.0).floor(), secs % 60.0)
        } else {
            format!("{}:{:02}", (secs / 60.0).floor(), (secs % 60.0).round() as u64)
        };
        label::draw(frame, &text, Point::new(x + 3.0, 14.0), 9.5, Color { a: 0.9, ..c.dim }, 60.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The span of the label of each marker, as drawn (None: hidden).
    fn spans(xs: &[f32], width: f32) -> Vec<Option<(f32, f32)>> {
        let room = marker_label_room(xs, width);
        xs.iter().zip(room).map(|(&x, r)| (r > 0.0).then_some((x + LABEL_GAP, x + LABEL_GAP + r))).collect()
    }

    #[test]
    fn marker_labels_never_overlap_a_label_or_a_flag() {
        // Verse and chorus 40 px apart, a fill 12 px after the chorus, an end far off, out of order.
        let xs = [300.0, 100.0, 140.0, 152.0, 900.0];
        let room = marker_label_room(&xs, 1000.0);
        assert_eq!(room, [110.0, 26.0, 0.0, 110.0, 110.0]);
        let s = spans(&xs, 1000.0);
        for (i, a) in s.iter().enumerate() {
            let Some((a0, a1)) = *a else { continue };
            for (j, &x) in xs.iter().enumerate() {
                if i != j {
                    assert!(!(a0..a1).contains(&x), "label {i} runs over flag {j}");
                }
                if let (true, Some((b0, b1))) = (i != j, s[j]) {
                    assert!(a1 <= b0 || b1 <= a0, "labels {i} and {j} overlap");
                }
            }
        }
        // Two markers at one place: one label.
        assert_eq!(marker_label_room(&[50.0, 50.0], 1000.0), [0.0, 110.0]);
    }
}

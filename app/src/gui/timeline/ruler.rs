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
        _state: &State,
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
        for m in &s.markers {
            let x = span.x(m.position.0 as f64);
            if !(-80.0..=w).contains(&x) {
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
            label::draw(&mut frame, &m.name, Point::new(x + 10.0, MARKER_STRIP + 0.5), 10.0, c.mute, 110.0);
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

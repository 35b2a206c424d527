//! A rotary knob for pan, width and send levels: the arc shows the value from
//! its centre (pan) or from its minimum (levels).

use std::f32::consts::PI;

use iced::widget::canvas::{self, Action, Event, Frame, Geometry, Path, Stroke, path::Arc};
use iced::{Color, Point, Rectangle, Renderer, Theme, mouse};

use super::ControlEvent;
use super::drag::{DragState, Mapping};
use crate::gui::theme::Colors;

/// The knob's sweep: 135° left of straight up to 135° right.
const SWEEP: f32 = 1.5 * PI;

/// A knob over `min..=max` showing `value`, with the arc drawn from `origin`.
pub struct Knob<F> {
    value: f64,
    min: f64,
    max: f64,
    origin: f64,
    colour: Option<Color>,
    on_event: F,
}

impl<F> std::fmt::Debug for Knob<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knob").field("value", &self.value).finish()
    }
}

impl<F> Knob<F> {
    /// A knob; the arc starts at `origin` (the centre for pan, the minimum for levels).
    pub fn new(value: f64, min: f64, max: f64, origin: f64, on_event: F) -> Knob<F> {
        Knob { value, min, max, origin, colour: None, on_event }
    }

    /// Draws the arc in this colour instead of the accent.
    pub fn colour(mut self, c: Color) -> Knob<F> {
        self.colour = Some(c);
        self
    }

    fn fraction(&self, v: f64) -> f64 {
        ((v - self.min) / (self.max - self.min)).clamp(0.0, 1.0)
    }
}

impl<M, F: Fn(ControlEvent) -> M> canvas::Program<M> for Knob<F> {
    type State = DragState;

    fn update(
        &self,
        state: &mut DragState,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<M>> {
        let map = Mapping { travel: 150.0, position: self.fraction(self.value), step: 0.02 };
        let (min, max) = (self.min, self.max);
        state.update(event, bounds, cursor, map, |p| min + p * (max - min), &self.on_event)
    }

    fn draw(
        &self,
        state: &DragState,
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let c = Colors::of(theme);
        let mut frame = Frame::new(renderer, bounds.size());
        let centre = frame.center();
        let r = (bounds.width.min(bounds.height) / 2.0 - 3.0).max(4.0);
        let angle = |f: f64| -PI / 2.0 - SWEEP / 2.0 + SWEEP * f as f32;
        let track = Path::new(|b| {
            b.arc(Arc {
                center: centre,
                radius: r,
                start_angle: angle(0.0).into(),
                end_angle: angle(1.0).into(),
            })
        });
        frame.stroke(&track, Stroke::default().with_color(c.border).with_width(3.0));
        let (a, b) = {
            let (x, y) = (self.fraction(self.origin), self.fraction(self.value));
            if x <= y { (x, y) } else { (y, x) }
        };
        let value_arc = Path::new(|p| {
            p.arc(Arc { center: centre, radius: r, start_angle: angle(a).into(), end_angle: angle(b).into() })
        });
        frame.stroke(
            &value_arc,
            Stroke::default().with_color(self.colour.unwrap_or(c.accent)).with_width(3.0),
        );
        let hovered = cursor.is_over(bounds) || state.dragging();
        frame.fill(&Path::circle(centre, r - 4.0), if hovered { c.hover } else { c.raised });
        let t = angle(self.fraction(self.value));
        let tip = Point::new(centre.x + (r - 5.0) * t.cos(), centre.y + (r - 5.0) * t.sin());
        frame.stroke(&Path::line(centre, tip), Stroke::default().with_color(c.text).with_width(2.0));
        vec![frame.into_geometry()]
    }

    fn mouse_interaction(
        &self,
        state: &DragState,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> mouse::Interaction {
        if state.dragging() || cursor.is_over(bounds) {
            mouse::Interaction::ResizingVertically
        } else {
            mouse::Interaction::default()
        }
    }
}

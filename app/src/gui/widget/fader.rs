//! A console fader: the groove and the cap you drag, and the value's taper.
//! The dB scale beside it is drawn with text widgets by the strip (canvas
//! text forces a full-window clip mask per label in the software renderer).
//!
//! The taper is the engine's (`session::taper`), the one every control and
//! automation lane of a gain uses.

use iced::widget::canvas::{self, Action, Event, Frame, Geometry, Path, Stroke};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme, mouse};

/// Where the groove sits across the fader's width (the scale is to its left).
pub const GROOVE: f32 = 0.5;

use super::ControlEvent;
use super::drag::{DragState, Mapping};
use crate::gui::theme::Colors;

/// Scale marks drawn beside the fader.
pub const MARKS: [f64; 9] = [12.0, 6.0, 0.0, -6.0, -12.0, -20.0, -30.0, -40.0, -60.0];

/// Space above and below the cap's travel.
pub const PAD: f32 = 10.0;

pub use mixdesk_engine::session::taper::{fader_db as db_at, fader_position as position};

/// A fader showing `db`, publishing through `on_event`.
pub struct Fader<F> {
    db: f64,
    min_db: f64,
    colour: Color,
    on_event: F,
}

impl<F> std::fmt::Debug for Fader<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fader").field("db", &self.db).finish()
    }
}

impl<F> Fader<F> {
    /// A fader at `db` whose bottom is `min_db`, with a cap stripe in `colour`.
    pub fn new(db: f64, min_db: f64, colour: Color, on_event: F) -> Fader<F> {
        Fader { db, min_db, colour, on_event }
    }
}

impl<M, F: Fn(ControlEvent) -> M> canvas::Program<M> for Fader<F> {
    type State = DragState;

    fn update(
        &self,
        state: &mut DragState,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<M>> {
        let map = Mapping { travel: bounds.height - 2.0 * PAD, position: position(self.db), step: 0.01 };
        let min = self.min_db;
        state.update(event, bounds, cursor, map, |p| db_at(p, min), &self.on_event)
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
        let travel = bounds.height - 2.0 * PAD;
        let y_of = |db: f64| PAD + travel * (1.0 - position(db) as f32);
        let groove_x = bounds.width * GROOVE;
        // Ticks at the scale's marks (the labels are beside the canvas).
        for m in MARKS {
            let y = y_of(m);
            let tick = if m == 0.0 { c.text } else { c.dim };
            frame.stroke(
                &Path::line(Point::new(2.0, y), Point::new(groove_x - 8.0, y)),
                Stroke::default().with_color(tick).with_width(1.0),
            );
        }
        // Groove.
        frame.fill_rectangle(Point::new(groove_x - 2.0, PAD), Size::new(4.0, travel), c.border);
        // Cap.
        let y = y_of(self.db);
        let hovered = cursor.is_over(bounds) || state.dragging();
        let cap =
            Path::rounded_rectangle(Point::new(groove_x - 11.0, y - 14.0), Size::new(22.0, 28.0), 3.0.into());
        frame.fill(&cap, if hovered { c.hover } else { c.raised });
        frame.stroke(&cap, Stroke::default().with_color(c.border).with_width(1.0));
        frame.fill_rectangle(Point::new(groove_x - 9.0, y - 1.0), Size::new(18.0, 2.0), self.colour);
        vec![frame.into_geometry()]
    }

    fn mouse_interaction(
        &self,
        state: &DragState,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> mouse::Interaction {
        if state.dragging() {
            mouse::Interaction::Grabbing
        } else if cursor.is_over(bounds) {
            mouse::Interaction::Grab
        } else {
            mouse::Interaction::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taper_round_trips_and_puts_unity_at_four_fifths() {
        assert_eq!(position(0.0), 0.8);
        assert_eq!(position(12.0), 1.0);
        assert_eq!(position(-200.0), 0.0);
        for db in [-80.0, -40.0, -23.5, -10.0, -3.0, 0.0, 4.5, 12.0] {
            assert!((db_at(position(db), -144.0) - db).abs() < 1e-9, "{db}");
        }
        assert_eq!(db_at(0.0, -144.0), -144.0);
    }
}

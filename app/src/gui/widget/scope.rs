//! The master's correlation meter and goniometer, drawn in the Monitor tab:
//! a bar from -1 to +1 with the reading marked (red below 0: the mono sum
//! loses level), and a square goniometer with its mono axis (vertical), the
//! left and right diagonals, and the last frames as dots (scaled so a
//! full-scale mono peak reaches the top).

use iced::mouse;
use iced::widget::canvas::{self, Frame, Geometry, Path, Stroke};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme};

use crate::gui::theme::Colors;

/// The goniometer and correlation bar, as last read from the analysis.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Goniometer points (side across, mid up), oldest first.
    pub points: Vec<[f32; 2]>,
    /// Correlation over the last 400 ms (`None` in silence).
    pub correlation: Option<f64>,
}

/// Height of the correlation bar under the square, px.
const BAR: f32 = 14.0;

impl<M> canvas::Program<M> for Scope {
    type State = ();

    fn draw(
        &self,
        _: &(),
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _: mouse::Cursor,
    ) -> Vec<Geometry> {
        let c = Colors::of(theme);
        let mut frame = Frame::new(renderer, bounds.size());
        let side = bounds.width.min(bounds.height - BAR - 4.0).max(10.0);
        let (cx, half) = (side / 2.0, side / 2.0);
        frame.fill_rectangle(Point::ORIGIN, Size::new(side, side), c.window);
        let faint = Stroke::default().with_color(Color { a: 0.6, ..c.border }).with_width(1.0);
        frame.stroke(&Path::line(Point::new(cx, 0.0), Point::new(cx, side)), faint);
        frame.stroke(&Path::line(Point::new(0.0, half), Point::new(side, half)), faint);
        frame.stroke(&Path::line(Point::new(0.0, 0.0), Point::new(side, side)), faint);
        frame.stroke(&Path::line(Point::new(side, 0.0), Point::new(0.0, side)), faint);
        // Full-scale mono (L = R = 1) is 1.414 up: the square's half-side.
        let k = half / std::f32::consts::SQRT_2;
        let dot = Color { a: 0.7, ..c.accent };
        for p in &self.points {
            let (x, y) = (cx + p[0] * k, half - p[1] * k);
            if (0.0..side).contains(&x) && (0.0..side).contains(&y) {
                frame.fill_rectangle(Point::new(x, y), Size::new(1.5, 1.5), dot);
            }
        }
        let top = side + 4.0;
        frame.fill_rectangle(Point::new(0.0, top), Size::new(side, BAR), c.raised);
        frame.fill_rectangle(Point::new(cx, top), Size::new(1.0, BAR), c.border);
        if let Some(r) = self.correlation {
            let x = cx + r as f32 * (half - 2.0);
            let colour = if r < 0.0 { c.danger } else { c.accent };
            let (from, to) = if x < cx { (x, cx) } else { (cx, x) };
            frame.fill_rectangle(
                Point::new(from, top + 3.0),
                Size::new((to - from).max(2.0), BAR - 6.0),
                colour,
            );
        }
        vec![frame.into_geometry()]
    }
}

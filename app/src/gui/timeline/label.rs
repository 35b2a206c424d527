//! Text on the timeline's canvases, filled as glyph outlines.
//!
//! The software renderer rebuilds a full-window clip mask for every canvas
//! text it draws (canvas text has no bounds of its own), which costs more
//! than the whole waveform of a clip. Glyph outlines are ordinary paths: no
//! mask, and they are cached with the rest of the geometry.

use iced::alignment::Vertical;
use iced::widget::canvas::{Frame, Text};
use iced::{Color, Pixels, Point, Renderer};

use crate::gui::theme::FONT;

/// Draws `content` with its top-left at `at`, `size` pixels high, cut off at `max_width`.
pub fn draw(frame: &mut Frame<Renderer>, content: &str, at: Point, size: f32, color: Color, max_width: f32) {
    if content.is_empty() || max_width < size {
        return;
    }
    // Shaping is per call; keep labels short (cut to what fits, roughly).
    let fits = ((max_width / (size * 0.6)) as usize).max(1);
    let shown: String = if content.chars().count() > fits {
        content.chars().take(fits.saturating_sub(1)).chain(['…']).collect()
    } else {
        content.to_owned()
    };
    let text = Text {
        content: shown,
        position: at,
        max_width,
        color,
        size: Pixels(size),
        font: FONT,
        align_y: Vertical::Top,
        ..Text::default()
    };
    text.draw_with(|path, color| frame.fill(&path, color));
}

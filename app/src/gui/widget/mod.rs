//! Canvas controls a mixing console needs and iced does not have: a fader with
//! a dB scale, a knob, and a peak/RMS meter. They share one drag model
//! ([`drag`]): vertical drag, Shift for fine, double-click to reset, wheel steps.

pub mod drag;
pub mod fader;
pub mod knob;
pub mod meter;

pub use drag::ControlEvent;

use iced::widget::canvas;
use iced::{Color, Font, Pixels, Point};

/// A small label drawn on a canvas in the bundled font.
pub fn label(
    frame: &mut canvas::Frame,
    text: &str,
    at: Point,
    size: f32,
    color: Color,
    align: iced::alignment::Horizontal,
) {
    frame.fill_text(canvas::Text {
        content: text.to_owned(),
        position: at,
        color,
        size: Pixels(size),
        font: Font::with_name("DejaVu Sans"),
        align_x: align.into(),
        align_y: iced::alignment::Vertical::Center,
        ..canvas::Text::default()
    });
}

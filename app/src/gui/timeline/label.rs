//! Text on the timeline's canvases, filled as glyph outlines.
//!
//! The software renderer draws canvas text through its full-window clip mask
//! (canvas text has no bounds of its own, so it always crosses its clip),
//! and upstream rebuilt that mask for every such text. Glyph outlines are
//! ordinary paths: no mask. Shaping and hinting a label costs more than filling it, so each
//! label's outlines are made once and kept (per thread, at most
//! [`CACHE_LIMIT`] labels), then moved to where they are drawn.

use std::cell::RefCell;
use std::collections::HashMap;

use iced::alignment::Vertical;
use iced::widget::canvas::path::lyon_path::math::Transform;
use iced::widget::canvas::{Frame, Path, Text};
use iced::{Color, Pixels, Point, Renderer};

use crate::gui::theme::FONT;

/// Labels kept; the cache starts over when it holds more.
pub const CACHE_LIMIT: usize = 4096;

thread_local! {
    static OUTLINES: RefCell<HashMap<(String, u32), Vec<Path>>> = RefCell::new(HashMap::new());
}

/// Draws `content` with its top-left at `at`, `size` pixels high, cut off at `max_width`.
pub fn draw(frame: &mut Frame<Renderer>, content: &str, at: Point, size: f32, color: Color, max_width: f32) {
    if content.is_empty() || max_width < size {
        return;
    }
    // Cut to what fits, roughly (an average glyph is 0.6 em wide).
    let fits = ((max_width / (size * 0.6)) as usize).max(1);
    let shown: String = if content.chars().count() > fits {
        content.chars().take(fits.saturating_sub(1)).chain(['…']).collect()
    } else {
        content.to_owned()
    };
    let at = Transform::translation(at.x.round(), at.y.round());
    OUTLINES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() > CACHE_LIMIT {
            cache.clear();
        }
        let paths = cache.entry((shown, size.to_bits())).or_insert_with_key(|(text, _)| outline(text, size));
        for p in paths.iter() {
            frame.fill(&p.transform(&at), color);
        }
    });
}

/// The glyph outlines of `content` at the origin.
fn outline(content: &str, size: f32) -> Vec<Path> {
    let text = Text {
        content: content.to_owned(),
        position: Point::ORIGIN,
        max_width: f32::INFINITY,
        color: Color::BLACK,
        size: Pixels(size),
        font: FONT,
        align_y: Vertical::Top,
        ..Text::default()
    };
    let mut paths = Vec::new();
    text.draw_with(|path, _| paths.push(path));
    paths
}

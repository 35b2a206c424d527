//! Review notes on the ruler, beside the markers: a small diamond at each
//! note's time in the marker strip (accent for open notes, dim for done and
//! won't do) and, for a range, a thin bar under the strip to its end. The
//! notes list is the side panel's Notes tab (`gui/notes_panel.rs`).

use iced::widget::canvas::{Frame, Path};
use iced::{Point, Renderer, Size};
use mixdesk_engine::session::{NoteStatus, Session};

use super::geometry::Span;
use super::ruler::{LOOP_STRIP, MARKER_STRIP};
use crate::gui::theme::Colors;

/// Half the diamond's width, px.
const HALF: f32 = 4.0;

/// One note as drawn: its x, the x of its range's end, and whether it is open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pin {
    /// x of the note's time.
    pub x: f32,
    /// x of its range's end, for a range.
    pub end: Option<f32>,
    /// Open (drawn in the accent colour).
    pub open: bool,
}

/// The pins of `s` visible in a ruler `width` px wide at `span`.
pub fn pins(s: &Session, span: Span, width: f32) -> Vec<Pin> {
    s.notes
        .iter()
        .map(|n| Pin {
            x: span.x(n.at.0 as f64),
            end: n.end.map(|e| span.x(e.0 as f64)),
            open: n.status == NoteStatus::Open,
        })
        .filter(|p| p.end.unwrap_or(p.x) >= -HALF && p.x <= width + HALF)
        .collect()
}

/// Draws the pins into the ruler's frame.
pub fn draw(frame: &mut Frame<Renderer>, s: &Session, span: Span, c: &Colors, width: f32) {
    let y = MARKER_STRIP + (LOOP_STRIP - MARKER_STRIP) / 2.0;
    for p in pins(s, span, width) {
        let colour = if p.open { c.solo } else { c.dim };
        if let Some(end) = p.end {
            frame.fill_rectangle(
                Point::new(p.x, LOOP_STRIP - 2.0),
                Size::new((end - p.x).max(1.0), 2.0),
                colour,
            );
        }
        let diamond = Path::new(|b| {
            b.move_to(Point::new(p.x, y - HALF));
            b.line_to(Point::new(p.x + HALF, y));
            b.line_to(Point::new(p.x, y + HALF));
            b.line_to(Point::new(p.x - HALF, y));
            b.close();
        });
        frame.fill(&diamond, colour);
    }
}

#[cfg(test)]
mod tests {
    use mixdesk_engine::session::{Note, NoteId, SampleTime};

    use super::*;

    #[test]
    fn pins_sit_at_their_notes_times_and_only_visible_ones_are_drawn() {
        let mut s = Session::new(48_000);
        let mut range = Note::new(NoteId(1), SampleTime(96_000), "", "range");
        range.end = Some(SampleTime(144_000));
        range.status = NoteStatus::Done;
        s.add_note(range);
        s.add_note(Note::new(NoteId(2), SampleTime(48_000), "", "point"));
        s.add_note(Note::new(NoteId(3), SampleTime(48_000 * 100), "", "far right"));
        // 100 samples per pixel, scrolled to 0.5 s: 1 s is at x 240.
        let span = Span { spp: 100.0, scroll: 24_000.0 };
        assert_eq!(
            pins(&s, span, 1000.0),
            [Pin { x: 240.0, end: None, open: true }, Pin { x: 720.0, end: Some(1200.0), open: false }]
        );
        // Scrolled past the range's start, its bar still shows.
        let later = Span { spp: 100.0, scroll: 120_000.0 };
        assert_eq!(pins(&s, later, 1000.0), [Pin { x: -240.0, end: Some(240.0), open: false }]);
    }
}

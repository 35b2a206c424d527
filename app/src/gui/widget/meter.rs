//! A stereo strip meter: peak bars coloured by level, an RMS line, the peak
//! hold, a dB scale, and a clip light that resets on click.

use iced::widget::canvas::{self, Action, Event, Frame, Geometry, Path, Stroke};
use iced::{Point, Rectangle, Renderer, Size, Theme, mouse};
use mixdesk_engine::analysis::MeterDisplay;

use crate::gui::theme::Colors;

/// Scale marks, dBFS.
pub const MARKS: [f32; 7] = [0.0, -6.0, -12.0, -18.0, -24.0, -36.0, -48.0];
/// The meter's bottom, dBFS.
pub const FLOOR: f32 = -60.0;
/// Height of the clip light.
pub const CLIP_H: f32 = 8.0;
/// Space below the bars (matches the fader's padding so the scales line up roughly).
pub const PAD: f32 = 10.0;

/// What one meter shows, copied out of the strip's [`MeterDisplay`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading {
    /// Peak bars, dBFS.
    pub peak: [f32; 2],
    /// RMS, dBFS.
    pub rms: [f32; 2],
    /// Held peaks, dBFS.
    pub hold: [f32; 2],
    /// The clip latch.
    pub clipped: bool,
}

impl Reading {
    /// The reading of a meter display (silence when there is none yet).
    pub fn of(m: Option<&MeterDisplay>) -> Reading {
        m.map_or(Reading { peak: [-120.0; 2], rms: [-120.0; 2], hold: [-120.0; 2], clipped: false }, |m| {
            Reading { peak: m.peak_db(), rms: m.rms_db(), hold: m.hold_db(), clipped: m.clipped() }
        })
    }
}

/// The fraction of the bar's height at `db`: linear in dB down to [`FLOOR`].
pub fn fraction(db: f32) -> f32 {
    ((db - FLOOR) / -FLOOR).clamp(0.0, 1.0)
}

/// A meter publishing `on_clip_reset` when its clip light is clicked.
#[derive(Debug)]
pub struct Meter<M> {
    reading: Reading,
    on_clip_reset: M,
}

impl<M> Meter<M> {
    /// A meter showing `reading`.
    pub fn new(reading: Reading, on_clip_reset: M) -> Meter<M> {
        Meter { reading, on_clip_reset }
    }
}

impl<M: Clone> canvas::Program<M> for Meter<M> {
    type State = ();

    fn update(
        &self,
        _: &mut (),
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<M>> {
        match event {
            Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left)) if cursor.is_over(bounds) => {
                Some(Action::publish(self.on_clip_reset.clone()).and_capture())
            }
            _ => None,
        }
    }

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
        let r = self.reading;
        let top = CLIP_H + 2.0;
        let h = bounds.height - top - PAD;
        let scale_w = 0.0;
        let bar_w = ((bounds.width - scale_w - 3.0) / 2.0).max(2.0);
        frame.fill_rectangle(
            Point::ORIGIN,
            Size::new(bounds.width - scale_w, CLIP_H),
            if r.clipped { c.danger } else { c.border },
        );
        for ch in 0..2 {
            let x = ch as f32 * (bar_w + 1.0);
            frame.fill_rectangle(Point::new(x, top), Size::new(bar_w, h), c.border);
            let f = fraction(r.peak[ch]);
            // Coloured zones, drawn up to the peak.
            for (from, to, colour) in
                [(FLOOR, -18.0, c.meter_low), (-18.0, -6.0, c.meter_mid), (-6.0, 0.0, c.meter_high)]
            {
                let (a, b) = (fraction(from), fraction(to).min(f));
                if b > a {
                    frame.fill_rectangle(
                        Point::new(x, top + h * (1.0 - b)),
                        Size::new(bar_w, h * (b - a)),
                        colour,
                    );
                }
            }
            let rms_y = top + h * (1.0 - fraction(r.rms[ch]));
            if r.rms[ch] > FLOOR {
                frame.stroke(
                    &Path::line(Point::new(x, rms_y), Point::new(x + bar_w, rms_y)),
                    Stroke::default().with_color(c.text).with_width(2.0),
                );
            }
            if r.hold[ch] > FLOOR {
                let y = top + h * (1.0 - fraction(r.hold[ch]));
                frame.fill_rectangle(
                    Point::new(x, y - 1.0),
                    Size::new(bar_w, 2.0),
                    if r.hold[ch] > 0.0 { c.danger } else { c.text },
                );
            }
        }
        vec![frame.into_geometry()]
    }
}

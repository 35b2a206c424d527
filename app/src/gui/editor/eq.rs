//! The EQ editor: the response curve of the sections the processor runs
//! (`dsp::eq::magnitude_db`, the same function the tests measure against),
//! drawn with plotters on a log-frequency axis, and one handle per band that
//! you drag: sideways for frequency, up and down for gain (shelves and peaks);
//! the wheel over a handle changes its Q. Dragging a band that is off turns it on.

use iced::event::Status;
use iced::mouse::{self, Cursor};
use iced::widget::canvas::Event;
use iced::{Element, Length, Point, Rectangle, Size};
use mixdesk_engine::edit::Edit;
use mixdesk_engine::session::{ParamId, ProcessorId};
use plotters::prelude::*;
use plotters_iced2::{Chart, ChartWidget};

pub use mixdesk_engine::dsp::eq::Band;

use super::Message;
use super::plot::{CURVE, GRID, LABEL, hz_label};

/// Lowest and highest frequency on the plot.
const F_MIN: f64 = 20.0;
const F_MAX: f64 = 20_000.0;
/// Gain range on the plot.
const DB: f64 = 24.0;
/// Plot margins in pixels (the same numbers build the chart and map the mouse).
const MARGIN: f32 = 10.0;
const Y_LABELS: f32 = 40.0;
const X_LABELS: f32 = 24.0;
/// Height of the plot.
pub const HEIGHT: f32 = 260.0;
/// How near (pixels) a press must be to grab a handle.
const GRAB: f32 = 14.0;

/// The rectangle of the plot inside a chart of `size`.
pub fn plot_area(size: Size) -> Rectangle {
    let x = MARGIN + Y_LABELS;
    let y = MARGIN;
    Rectangle {
        x,
        y,
        width: (size.width - x - MARGIN).max(1.0),
        height: (size.height - y - MARGIN - X_LABELS).max(1.0),
    }
}

fn x_of(area: Rectangle, f: f64) -> f32 {
    area.x + area.width * ((f / F_MIN).log10() / (F_MAX / F_MIN).log10()) as f32
}

fn y_of(area: Rectangle, db: f64) -> f32 {
    area.y + area.height * (0.5 - (db / (2.0 * DB)) as f32)
}

fn freq_at(area: Rectangle, x: f32) -> f64 {
    F_MIN * (F_MAX / F_MIN).powf(f64::from((x - area.x) / area.width).clamp(0.0, 1.0))
}

fn db_at(area: Rectangle, y: f32) -> f64 {
    ((0.5 - f64::from((y - area.y) / area.height)) * 2.0 * DB).clamp(-DB, DB)
}

/// Whether a band has gain (shelves and peaks) rather than only a cutoff.
fn has_gain(b: Band) -> bool {
    !matches!(b, Band::HighPass | Band::LowPass)
}

/// Where band `b`'s handle sits in a chart of `size`: its frequency, and its
/// gain (shelves, peaks) or the 0 dB line (pass filters).
pub fn handle_position(values: &[f64], b: Band, size: Size) -> Point {
    let area = plot_area(size);
    let base = b.base();
    let gain = if has_gain(b) { values[base + 2] } else { 0.0 };
    Point::new(x_of(area, values[base + 1]), y_of(area, gain))
}

/// The edits that move a band to `freq` and `gain` (and switch it on).
pub fn band_edits(id: ProcessorId, b: Band, freq: f64, gain: f64) -> Vec<Edit> {
    let base = b.base() as u16;
    let p = |i: u16| ParamId::Processor(id, base + i);
    let mut out = vec![Edit::Param(p(0), 1.0), Edit::Param(p(1), freq)];
    if has_gain(b) {
        out.push(Edit::Param(p(2), gain));
    }
    out
}

/// The edit that sets a band's Q (bands without gain have none).
pub fn q_edit(id: ProcessorId, b: Band, q: f64) -> Option<Edit> {
    has_gain(b).then(|| Edit::Param(ParamId::Processor(id, b.base() as u16 + 3), q))
}

/// Display names of the bands.
pub trait BandName {
    /// "Band 2", "Low shelf".
    fn name(self) -> String;
}

impl BandName for Band {
    fn name(self) -> String {
        match self {
            Band::HighPass => "high-pass".into(),
            Band::LowPass => "low-pass".into(),
            Band::LowShelf => "low shelf".into(),
            Band::Peak(i) => format!("band {}", i + 1),
            Band::HighShelf => "high shelf".into(),
        }
    }
}

/// The chart: the processor, its parameter values and the session rate.
#[derive(Debug)]
struct EqChart {
    id: ProcessorId,
    values: Vec<f64>,
    rate: f64,
}

/// A drag in progress.
#[derive(Debug, Default)]
pub struct DragState {
    band: Option<Band>,
    size: Size,
}

impl Chart<Message> for EqChart {
    type State = DragState;

    fn build_chart<DB: DrawingBackend>(&self, _: &DragState, mut builder: ChartBuilder<DB>) {
        let (grid, label) = (GRID, LABEL);
        let curve = CURVE;
        let Ok(mut chart) = builder
            .margin(MARGIN as i32)
            .x_label_area_size(X_LABELS as i32)
            .y_label_area_size(Y_LABELS as i32)
            .build_cartesian_2d((F_MIN..F_MAX).log_scale(), -DB..DB)
        else {
            return;
        };
        let _ = chart
            .configure_mesh()
            .bold_line_style(grid)
            .light_line_style(grid.mix(0.4))
            .axis_style(label)
            .label_style(("sans-serif", 12).into_font().color(&label))
            .x_labels(10)
            .y_labels(9)
            .x_label_formatter(&hz_label)
            .y_label_formatter(&|d| format!("{d:+.0}"))
            .draw();
        let n = 400;
        let points = (0..=n).map(|i| {
            let f = F_MIN * (F_MAX / F_MIN).powf(f64::from(i) / f64::from(n));
            (f, mixdesk_engine::dsp::eq::magnitude_db(&self.values, self.rate, f).clamp(-DB, DB))
        });
        let _ = chart.draw_series(LineSeries::new(points, curve.stroke_width(2)));
        for b in Band::ALL {
            let base = b.base();
            let on = self.values[base] >= 0.5;
            let gain = if has_gain(b) { self.values[base + 2] } else { 0.0 };
            let colour = if on { RGBColor(0xe0, 0xb0, 0x3c) } else { label };
            let style = if on { colour.filled() } else { colour.stroke_width(1) };
            let _ = chart.draw_series(std::iter::once(Circle::new((self.values[base + 1], gain), 6, style)));
        }
    }

    fn update(
        &self,
        state: &mut DragState,
        event: &Event,
        bounds: Rectangle,
        cursor: Cursor,
    ) -> (Status, Option<Message>) {
        state.size = bounds.size();
        let area = plot_area(bounds.size());
        match event {
            Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left)) => {
                let Some(p) = cursor.position_in(bounds) else { return (Status::Ignored, None) };
                state.band = nearest(&self.values, bounds.size(), p);
                (if state.band.is_some() { Status::Captured } else { Status::Ignored }, None)
            }
            Event::Mouse(mouse::Event::CursorMoved { position }) => {
                let Some(b) = state.band else { return (Status::Ignored, None) };
                let p = Point::new(position.x - bounds.x, position.y - bounds.y);
                let gain = if has_gain(b) { db_at(area, p.y) } else { 0.0 };
                (Status::Captured, Some(Message::BandDragged(self.id, b, freq_at(area, p.x), gain)))
            }
            Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left))
                if state.band.take().is_some() =>
            {
                (Status::Captured, Some(Message::BandReleased))
            }
            Event::Mouse(mouse::Event::WheelScrolled { delta }) => {
                let Some(p) = cursor.position_in(bounds) else { return (Status::Ignored, None) };
                let Some(b) = nearest(&self.values, bounds.size(), p).filter(|b| has_gain(*b)) else {
                    return (Status::Ignored, None);
                };
                let lines = match delta {
                    mouse::ScrollDelta::Lines { y, .. } => *y,
                    mouse::ScrollDelta::Pixels { y, .. } => *y / 20.0,
                };
                let q = (self.values[b.base() + 3] * 1.1f64.powf(f64::from(lines))).clamp(0.1, 18.0);
                (Status::Captured, Some(Message::BandQ(self.id, b, q)))
            }
            _ => (Status::Ignored, None),
        }
    }

    fn mouse_interaction(&self, state: &DragState, bounds: Rectangle, cursor: Cursor) -> mouse::Interaction {
        if state.band.is_some() {
            return mouse::Interaction::Grabbing;
        }
        match cursor.position_in(bounds) {
            Some(p) if nearest(&self.values, bounds.size(), p).is_some() => mouse::Interaction::Grab,
            _ => mouse::Interaction::Idle,
        }
    }
}

/// The band whose handle is nearest `p`, if one is within reach.
fn nearest(values: &[f64], size: Size, p: Point) -> Option<Band> {
    Band::ALL
        .into_iter()
        .map(|b| (b, handle_position(values, b, size).distance(p)))
        .filter(|(_, d)| *d <= GRAB)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(b, _)| b)
}

/// The EQ curve with its handles.
pub fn view<'a>(id: ProcessorId, values: Vec<f64>, rate: f64) -> Element<'a, Message> {
    iced::widget::container(
        ChartWidget::new(EqChart { id, values, rate }).width(Length::Fill).height(Length::Fixed(HEIGHT)),
    )
    .id("eq-curve")
    .into()
}

//! The compressor editor: its static curve (`dsp::compressor::static_curve`,
//! the function the tests check the processor against) with the threshold
//! marked, and a gain-reduction meter fed by the engine.

use iced::widget::{column, progress_bar, row, text};
use iced::{Alignment, Element, Length};
use mixdesk_engine::session::ProcessorId;
use plotters::prelude::*;
use plotters_iced2::{Chart, ChartWidget};

use super::Message;
use super::plot::{CURVE, GRID, LABEL};
use crate::gui::theme;

/// Input range of the plot, dBFS.
const LO: f64 = -60.0;

#[derive(Debug)]
struct Curve {
    threshold: f64,
    ratio: f64,
    knee: f64,
    makeup: f64,
}

impl Chart<Message> for Curve {
    type State = ();

    fn build_chart<DB: DrawingBackend>(&self, _: &(), mut builder: ChartBuilder<DB>) {
        let (grid, label) = (GRID, LABEL);
        let Ok(mut chart) = builder
            .margin(10)
            .x_label_area_size(22)
            .y_label_area_size(44)
            .build_cartesian_2d(LO..0.0, LO..0.0 + 24.0)
        else {
            return;
        };
        let _ = chart
            .configure_mesh()
            .bold_line_style(grid)
            .light_line_style(grid.mix(0.3))
            .axis_style(label)
            .label_style(("sans-serif", 11).into_font().color(&label))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw();
        let _ = chart.draw_series(LineSeries::new([(LO, LO), (0.0, 0.0)], label.stroke_width(1)));
        let _ = chart.draw_series(LineSeries::new(
            [(self.threshold, LO), (self.threshold, 24.0)],
            RGBColor(0xe0, 0xb0, 0x3c).stroke_width(1),
        ));
        let points = (0..=240).map(|i| {
            let x = LO + f64::from(i) * (-LO) / 240.0;
            (
                x,
                mixdesk_engine::dsp::compressor::static_curve(x, self.threshold, self.ratio, self.knee)
                    + self.makeup,
            )
        });
        let _ = chart.draw_series(LineSeries::new(points, CURVE.stroke_width(2)));
    }
}

/// The curve for the compressor's `values`, and its gain reduction now.
pub fn view<'a>(_id: ProcessorId, values: &[f64], gain_reduction_db: f32) -> Element<'a, Message> {
    let curve = Curve { threshold: values[0], ratio: values[1], knee: values[2], makeup: values[5] };
    column![
        ChartWidget::new(curve).width(Length::Fill).height(Length::Fixed(220.0)),
        reduction_meter(gain_reduction_db),
    ]
    .spacing(6)
    .into()
}

/// A gain-reduction meter (0 to 24 dB) fed by the engine; the de-esser shows it too.
pub fn reduction_meter<'a>(gain_reduction_db: f32) -> Element<'a, Message> {
    let gr = gain_reduction_db.clamp(0.0, 24.0);
    row![
        text("Gain reduction").size(12).width(Length::Fixed(110.0)),
        progress_bar(0.0..=24.0, gr).girth(10).style(theme::progress),
        text(format!("-{gr:.1} dB")).size(12).width(Length::Fixed(70.0)),
    ]
    .spacing(8)
    .align_y(Alignment::Center)
    .into()
}

//! The de-noiser editor: the learned noise profile as a curve over
//! frequency, and Learn, which learns it from the loop range (a stretch of
//! noise alone chosen on the timeline's ruler) on a worker thread, as one
//! undoable edit (see `restore::learn_noise`: it hears the noise at the
//! de-noiser's own input).

use iced::widget::{button, column, row, text};
use iced::{Alignment, Element, Length, Task};
use mixdesk_engine::dsp::denoise::p;
use mixdesk_engine::dsp::denoise::profile::{BANDS, NoiseProfile, centre};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::restore::{learn_noise, min_learn_samples};
use mixdesk_engine::session::{ProcessorId, Session};
use plotters::prelude::*;
use plotters_iced2::{Chart, ChartWidget};

use super::Message;
use super::plot::{CURVE, GRID, LABEL, hz_label};
use crate::gui::theme::{self, Tone};

/// The plot's level range, dB.
const LO: f64 = -120.0;

#[derive(Debug)]
struct Curve(NoiseProfile);

impl Chart<Message> for Curve {
    type State = ();

    fn build_chart<DB: DrawingBackend>(&self, _: &(), mut builder: ChartBuilder<DB>) {
        let (grid, label) = (GRID, LABEL);
        let Ok(mut chart) = builder
            .margin(10)
            .x_label_area_size(22)
            .y_label_area_size(44)
            .build_cartesian_2d((20.0f64..20_000.0).log_scale(), LO..0.0)
        else {
            return;
        };
        let _ = chart
            .configure_mesh()
            .bold_line_style(grid)
            .light_line_style(grid.mix(0.3))
            .axis_style(label)
            .label_style(("sans-serif", 11).into_font().color(&label))
            .x_label_formatter(&hz_label)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw();
        if self.0.is_empty() {
            return;
        }
        let points = (0..BANDS).map(|i| (centre(i), self.0.0[i].max(LO)));
        let _ = chart.draw_series(LineSeries::new(points, CURVE.stroke_width(2)));
    }
}

/// The profile stored in `values` (the processor's parameters by index).
pub fn profile(values: &[f64]) -> NoiseProfile {
    let mut out = NoiseProfile::EMPTY;
    out.0.copy_from_slice(&values[p::PROFILE..p::PROFILE + BANDS]);
    out
}

/// `m:ss.s` for a sample position.
fn clock(samples: u64, rate: u32) -> String {
    let s = samples as f64 / f64::from(rate.max(1));
    format!("{}:{:04.1}", (s / 60.0).floor(), s % 60.0)
}

/// The loop range, if it is long enough to learn from.
fn learn_range(session: &Session) -> Option<(u64, u64)> {
    let l = session.loop_range?;
    let (a, b) = (l.start.0, l.end.0);
    (b.saturating_sub(a) >= min_learn_samples(session.sample_rate)).then_some((a, b))
}

/// The profile curve, Learn and what it will do.
pub fn view<'a>(id: ProcessorId, values: &[f64], session: &Session, learning: bool) -> Element<'a, Message> {
    let learned = profile(values);
    let rate = session.sample_rate;
    let range = learn_range(session);
    let label = match (learning, range) {
        (true, _) => "Learning…".to_owned(),
        (false, Some((a, b))) => {
            format!("Learn noise from the loop range {}–{}", clock(a, rate), clock(b, rate))
        }
        (false, None) => "Learn noise from the loop range".to_owned(),
    };
    let learn = button(text(label).size(12))
        .style(theme::button(Tone::Accent, false))
        .on_press_maybe((range.is_some() && !learning).then_some(Message::LearnNoise(id)));
    let hint = if range.is_none() {
        "Drag a loop range over noise alone (a pause, room tone) on the ruler's lower strip, then Learn."
    } else if learned.is_empty() {
        "Nothing learned yet: the de-noiser passes the audio through (unless it adapts to the noise floor)."
    } else {
        "The noise profile it removes, per band (dB). Learn again to replace it; Undo brings the old one back."
    };
    column![
        ChartWidget::new(Curve(learned)).width(Length::Fill).height(Length::Fixed(200.0)),
        row![learn, text(hint).size(11).width(Length::Fill)].spacing(8).align_y(Alignment::Center),
    ]
    .spacing(6)
    .into()
}

/// Learns de-noiser `id`'s profile from the loop range on a worker thread.
pub fn learn(session: Session, dir: std::path::PathBuf, id: ProcessorId) -> Task<Message> {
    Task::perform(
        async move {
            let (tx, rx) = iced::futures::channel::oneshot::channel();
            std::thread::spawn(move || {
                let _ = tx.send(learn_now(&session, &dir, id));
            });
            rx.await.unwrap_or_else(|_| {
                Message::NoiseLearned(id, 0, 0, Err("learning stopped unexpectedly".into()))
            })
        },
        |m| m,
    )
}

/// What the worker does: learns from the loop range and says so.
pub fn learn_now(session: &Session, dir: &std::path::Path, id: ProcessorId) -> Message {
    let Some((start, end)) = learn_range(session) else {
        return Message::NoiseLearned(id, 0, 0, Err("set a loop range over noise alone first".into()));
    };
    let got =
        learn_noise(session, dir, &MediaPool::new(), id, start, end).map(Box::new).map_err(|e| e.to_string());
    Message::NoiseLearned(id, start, end, got)
}

/// The edit's label: `Vox De-noise learned noise 0:01.2–0:02.0`.
pub fn label(owner: &str, start: u64, end: u64, rate: u32) -> String {
    format!("{owner} learned noise {}–{}", clock(start, rate), clock(end, rate))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mixdesk_engine::dsp::denoise::profile::FLOOR_DB;

    #[test]
    fn clock_reads_minutes_and_tenths() {
        assert_eq!(clock(48_000 * 61 + 4_800, 48_000), "1:01.1");
        assert_eq!(clock(0, 48_000), "0:00.0");
        const { assert!(FLOOR_DB < LO) };
    }
}

//! Generic controls for any processor: one row per parameter with its name, a
//! control (slider on the parameter's own scale, switch, or list) and its
//! value in its unit.

use iced::widget::{Column, checkbox, pick_list, row, slider, text};
use iced::{Alignment, Element, Length};
use mixdesk_engine::dsp::KindSpec;
use mixdesk_engine::session::{ParamId, ParamInfo, ProcessorId, Unit};

use super::Message;
use crate::gui::theme;

/// A parameter value on a slider's 0..1 scale: the parameter's taper
/// (logarithmic for frequencies and times, a fader's for wide gains).
pub fn to_norm(info: &ParamInfo, v: f64) -> f64 {
    info.position(v)
}

/// The parameter value at a slider position (0..1).
pub fn from_norm(info: &ParamInfo, n: f64) -> f64 {
    info.at_position(n)
}

/// Every parameter of processor `id` (whose values are `values`).
pub fn view<'a>(id: ProcessorId, spec: &'static KindSpec, values: &[f64]) -> Element<'a, Message> {
    let mut col = Column::new().spacing(4).padding([0, 12]);
    for (i, info) in spec.params.iter().enumerate().filter(|(_, p)| !p.hidden) {
        let param = ParamId::Processor(id, i as u16);
        let v = values[i];
        let name = text(info.name).size(12).width(Length::Fixed(190.0));
        let control: Element<'a, Message> = match info.unit {
            Unit::Toggle => checkbox(v >= 0.5)
                .on_toggle(move |on| Message::ParamChanged(param, if on { 1.0 } else { 0.0 }))
                .size(14)
                .into(),
            Unit::Choice => {
                let choices: Vec<&'static str> = info.choices.to_vec();
                let current = choices.get(v.round() as usize).copied();
                pick_list(choices.clone(), current, move |c: &'static str| {
                    Message::ParamChanged(param, choices.iter().position(|x| *x == c).unwrap_or(0) as f64)
                })
                .text_size(12)
                .padding([2, 6])
                .style(theme::pick)
                .into()
            }
            _ => {
                let info = *info;
                slider(0.0..=1.0, to_norm(&info, v), move |n| {
                    Message::ParamChanged(param, from_norm(&info, n))
                })
                .step(0.0005)
                .on_release(Message::ParamReleased)
                .style(theme::slider)
                .width(Length::Fill)
                .into()
            }
        };
        let value = text(if matches!(info.unit, Unit::Toggle | Unit::Choice) {
            String::new()
        } else {
            info.format(v)
        })
        .size(12)
        .width(Length::Fixed(80.0))
        .align_x(Alignment::End);
        col = col.push(row![name, control, value].spacing(8).align_y(Alignment::Center));
    }
    col.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_scale_is_logarithmic_for_frequencies_and_round_trips() {
        let info = ParamInfo::new("f", "Frequency", Unit::Hertz, 20.0, 20000.0, 1000.0);
        // 20 Hz to 20 kHz is three decades: 632 Hz sits exactly half way.
        assert!((from_norm(&info, 0.5) - 632.455_532).abs() < 1e-3);
        for v in [20.0, 100.0, 1234.5, 20000.0] {
            assert!((from_norm(&info, to_norm(&info, v)) - v).abs() < 1e-9);
        }
        let lin = ParamInfo::new("g", "Gain", Unit::Decibels, -24.0, 24.0, 0.0);
        assert_eq!(to_norm(&lin, 0.0), 0.5);
    }
}

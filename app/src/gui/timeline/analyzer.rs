//! The analyzer panel beside the timeline: the master's loudness (momentary,
//! short-term, integrated, range, true peak) with its short-term history, and
//! the spectrum of the master with the selected strip's overlaid.

use iced::mouse;
use iced::widget::canvas::{self, Frame, Geometry, Path, Stroke};
use iced::widget::{button, canvas as canvas_widget, column, container, row, text};
use iced::{Color, Element, Length, Point, Rectangle, Renderer, Size, Theme};
use mixdesk_engine::analysis::{LoudnessPoint, SpectrumPoint};
use mixdesk_engine::session::Session;

use super::Message;
use super::label;
use crate::gui::audio::Audio;
use crate::gui::theme::{self, Colors, Tone};

/// Width of the panel.
pub const WIDTH: f32 = 420.0;

fn lufs(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite()).map_or_else(|| "–".to_owned(), |x| format!("{x:.1}"))
}

/// The panel.
pub fn view<'a>(_session: &'a Session, audio: &'a Audio) -> Element<'a, Message> {
    let Some(a) = audio.analysis() else {
        return container(text("No audio engine: nothing to analyse.").size(12))
            .padding(10)
            .width(WIDTH)
            .into();
    };
    let r = a.loudness().reading();
    let figure = |name: &'static str, value: String, unit: &'static str| {
        column![text(name).size(10), text(value).size(20), text(unit).size(10)].spacing(1).width(Length::Fill)
    };
    let numbers = row![
        figure("Momentary", lufs(r.momentary), "LUFS"),
        figure("Short-term", lufs(r.short_term), "LUFS"),
        figure("Integrated", lufs(r.integrated), "LUFS"),
        figure("Range", lufs(r.range), "LU"),
        figure("True peak", lufs(r.true_peak), "dBTP"),
    ]
    .spacing(6);
    let history: Vec<LoudnessPoint> = a.loudness().history().iter().rev().take(600).rev().cloned().collect();
    let master = a.spectrum().points();
    let strips: Vec<(String, Vec<SpectrumPoint>)> =
        a.strip_spectra().map(|(_, r, s)| (strip_name(_session, r), s.points())).collect();
    container(
        column![
            row![
                text("Analyzer").size(14).width(Length::Fill),
                button(text("Close").size(11))
                    .padding([2, 8])
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::AnalyzerToggled),
            ],
            numbers,
            text("Short-term loudness, last minute").size(11),
            canvas_widget(History { points: history }).width(Length::Fill).height(150),
            text("Spectrum: master, and the selected strip").size(11),
            canvas_widget(Spectrum { master, strips }).width(Length::Fill).height(Length::Fill),
        ]
        .spacing(8),
    )
    .padding(10)
    .width(WIDTH)
    .height(Length::Fill)
    .style(theme::panel)
    .into()
}

fn strip_name(s: &Session, r: mixdesk_engine::session::StripRef) -> String {
    use mixdesk_engine::session::StripRef;
    match r {
        StripRef::Track(t) => {
            s.tracks.iter().find(|x| x.id == t).map_or_else(|| "track".into(), |t| t.name.clone())
        }
        StripRef::Bus(b) => {
            s.buses.iter().find(|x| x.id == b).map_or_else(|| "bus".into(), |b| b.name.clone())
        }
        StripRef::Master => "Master".into(),
    }
}

#[derive(Debug)]
struct History {
    points: Vec<LoudnessPoint>,
}

/// A plot's frame: the background and a line with its label every 10 dB from `lo` to `hi`.
fn plot(
    renderer: &Renderer,
    theme: &Theme,
    bounds: Rectangle,
    lo: f32,
    hi: f32,
    unit: &str,
) -> (Frame<Renderer>, &'static Colors) {
    let c = Colors::of(theme);
    let mut frame = Frame::new(renderer, bounds.size());
    frame.fill_rectangle(Point::ORIGIN, bounds.size(), c.window);
    grid(&mut frame, c, bounds.size(), lo, hi, 10.0, unit);
    (frame, c)
}

fn grid(frame: &mut Frame<Renderer>, c: &Colors, size: Size, lo: f32, hi: f32, step: f32, unit: &str) {
    let mut v = (lo / step).ceil() * step;
    while v <= hi {
        let y = size.height * (1.0 - (v - lo) / (hi - lo));
        frame.fill_rectangle(Point::new(0.0, y), Size::new(size.width, 1.0), Color { a: 0.5, ..c.border });
        label::draw(frame, &format!("{v:.0}{unit}"), Point::new(2.0, y - 11.0), 9.0, c.dim, 60.0);
        v += step;
    }
}

impl canvas::Program<Message> for History {
    type State = ();

    fn draw(
        &self,
        _: &(),
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _: mouse::Cursor,
    ) -> Vec<Geometry> {
        let (lo, hi) = (-50.0f32, 0.0f32);
        let (mut frame, c) = plot(renderer, theme, bounds, lo, hi, "");
        let size = bounds.size();
        if let Some(last) = self.points.last() {
            let t0 = last.seconds.max(60.0) - 60.0;
            let x = |s: f64| ((s - t0) / 60.0) as f32 * size.width;
            let y = |db: f64| size.height * (1.0 - ((db as f32).clamp(lo, hi) - lo) / (hi - lo));
            for (pick, colour) in [(0, Color { a: 0.6, ..c.dim }), (1, c.accent)] {
                let path = Path::new(|b| {
                    let mut started = false;
                    for p in &self.points {
                        let v = if pick == 0 { p.momentary } else { p.short_term };
                        let Some(v) = v.filter(|v| v.is_finite()) else { continue };
                        let pt = Point::new(x(p.seconds), y(v));
                        if started {
                            b.line_to(pt)
                        } else {
                            b.move_to(pt);
                            started = true;
                        }
                    }
                });
                frame.stroke(&path, Stroke::default().with_color(colour).with_width(1.5));
            }
        }
        vec![frame.into_geometry()]
    }
}

#[derive(Debug)]
struct Spectrum {
    master: Vec<SpectrumPoint>,
    strips: Vec<(String, Vec<SpectrumPoint>)>,
}

impl canvas::Program<Message> for Spectrum {
    type State = ();

    fn draw(
        &self,
        _: &(),
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _: mouse::Cursor,
    ) -> Vec<Geometry> {
        let (lo, hi) = (-90.0f32, 0.0f32);
        let (mut frame, c) = plot(renderer, theme, bounds, lo, hi, " dB");
        let size = bounds.size();
        let x = |hz: f64| ((hz.max(20.0) / 20.0).log10() / 3.0) as f32 * size.width;
        for (hz, name) in [(100.0, "100"), (1000.0, "1k"), (10_000.0, "10k")] {
            let px = x(hz);
            frame.fill_rectangle(
                Point::new(px, 0.0),
                Size::new(1.0, size.height),
                Color { a: 0.5, ..c.border },
            );
            label::draw(&mut frame, name, Point::new(px + 2.0, size.height - 12.0), 9.0, c.dim, 40.0);
        }
        let y = |db: f32| size.height * (1.0 - (db.clamp(lo, hi) - lo) / (hi - lo));
        let curve = |pts: &[SpectrumPoint], peak: bool| {
            Path::new(|b| {
                for (i, p) in pts.iter().filter(|p| p.hz >= 20.0 && p.hz <= 20_000.0).enumerate() {
                    let pt = Point::new(x(p.hz), y(if peak { p.peak_db } else { p.db }));
                    if i == 0 { b.move_to(pt) } else { b.line_to(pt) }
                }
            })
        };
        frame.stroke(
            &curve(&self.master, true),
            Stroke::default().with_color(Color { a: 0.4, ..c.text }).with_width(1.0),
        );
        frame.stroke(&curve(&self.master, false), Stroke::default().with_color(c.accent).with_width(1.8));
        let colours = [c.mute, c.solo, c.danger, c.meter_mid];
        for (k, (name, pts)) in self.strips.iter().enumerate() {
            let colour = colours[k % colours.len()];
            frame.stroke(&curve(pts, false), Stroke::default().with_color(colour).with_width(1.4));
            label::draw(
                &mut frame,
                name,
                Point::new(size.width - 110.0, 4.0 + 14.0 * k as f32),
                10.0,
                colour,
                100.0,
            );
        }
        vec![frame.into_geometry()]
    }
}

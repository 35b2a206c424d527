//! The analyzer panel beside the timeline: the master's loudness (momentary,
//! short-term, integrated, range, true peak) with its short-term history, and
//! the spectrum of the master with the selected strip's and up to
//! [`OVERLAYS`] chosen tracks' overlaid, and masking hints where two of them
//! compete in the same 1/3-octave band now (the rule:
//! `mixdesk_engine::analysis::masking`), shaded on the spectrum and named.

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

/// Tracks the analyzer overlays besides the selected strip (the engine's
/// tap slots after the first).
pub const OVERLAYS: usize = mixdesk_engine::analysis::tap::TAP_SLOTS - 1;

/// The id of the overlay button of track `t`.
pub fn overlay_id(t: mixdesk_engine::session::TrackId) -> iced::widget::Id {
    iced::widget::Id::from(format!("overlay-{}", t.0))
}

/// Live spectrum points under this are silence for the masking hints, dB.
const HINT_FLOOR_DB: f32 = -90.0;

/// The masking hints between the overlaid strips: for each band where two
/// compete, its edges in Hz and the two names.
pub fn live_hints(strips: &[(String, Vec<SpectrumPoint>)]) -> Vec<(f64, f64, String)> {
    use mixdesk_engine::analysis::masking::{THIRD_OCTAVE_HZ, band_edges, band_levels, collisions};
    let levels: Vec<_> =
        strips.iter().map(|(_, pts)| band_levels(pts.iter().map(|p| (p.hz, p.db)), HINT_FLOOR_DB)).collect();
    let mut out = Vec::new();
    for i in 0..strips.len() {
        for j in i + 1..strips.len() {
            for (k, hit) in collisions(&levels[i], &levels[j]).into_iter().enumerate() {
                if hit {
                    let (lo, hi) = band_edges(k);
                    let hz = THIRD_OCTAVE_HZ[k];
                    let hz = if hz >= 1000.0 { format!("{} kHz", hz / 1000.0) } else { format!("{hz} Hz") };
                    out.push((lo, hi, format!("{} × {} at {hz}", strips[i].0, strips[j].0)));
                }
            }
        }
    }
    out
}

/// Loudness under this is silence: BS.1770's absolute gate.
pub const SILENCE_LUFS: f64 = -70.0;
/// A true peak under this is silence (a 24-bit file's smallest step is -144 dBFS).
pub const SILENCE_DBTP: f64 = -150.0;
/// What the panel shows for no value: nothing measured, or silence.
pub const NO_VALUE: &str = "–";

fn figure_text(v: Option<f64>, floor: f64) -> String {
    v.filter(|x| x.is_finite() && *x >= floor).map_or_else(|| NO_VALUE.to_owned(), |x| format!("{x:.1}"))
}

/// The five figures as shown: momentary, short-term, integrated, range, true
/// peak. Momentary and short-term measure what plays now, so they read "–"
/// while the transport is stopped (the meter holds its last, decayed reading);
/// a loudness under the -70 LUFS gate or a true peak under -150 dBTP is
/// silence, also "–", never "-222.1".
pub fn figures(r: &mixdesk_engine::analysis::LoudnessReading, playing: bool) -> [String; 5] {
    let now = |v: Option<f64>| if playing { figure_text(v, SILENCE_LUFS) } else { NO_VALUE.to_owned() };
    [
        now(r.momentary),
        now(r.short_term),
        figure_text(r.integrated, SILENCE_LUFS),
        r.range.filter(|_| r.integrated.is_some_and(|i| i >= SILENCE_LUFS)).map_or_else(
            || NO_VALUE.to_owned(),
            |x| if x.is_finite() { format!("{x:.1}") } else { NO_VALUE.to_owned() },
        ),
        figure_text(r.true_peak, SILENCE_DBTP),
    ]
}

/// The history's lines: one run of (seconds, LUFS) per stretch that was
/// measured without a break. A point of silence (or none) ends a run, and so
/// does a stop of the transport (`breaks`: the history's time when playback
/// started again), so no line joins what played before a gap to what played
/// after it.
pub fn runs(
    points: &[LoudnessPoint],
    pick: impl Fn(&LoudnessPoint) -> Option<f64>,
    breaks: &[f64],
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut last: Option<f64> = None;
    for p in points {
        let broken = last.is_some_and(|t| breaks.iter().any(|&b| t <= b && b < p.seconds));
        if broken && !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
        last = Some(p.seconds);
        match pick(p).filter(|v| v.is_finite() && *v >= SILENCE_LUFS) {
            Some(v) => run.push((p.seconds, v)),
            None => {
                if !run.is_empty() {
                    out.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// The panel.
pub fn view<'a>(
    _session: &'a Session,
    audio: &'a Audio,
    overlay: &[mixdesk_engine::session::TrackId],
) -> Element<'a, Message> {
    let Some(a) = audio.analysis() else {
        return container(text("No audio engine: nothing to analyse.").size(12))
            .padding(10)
            .width(WIDTH)
            .into();
    };
    let [momentary, short_term, integrated, range, true_peak] =
        figures(&a.loudness().reading(), audio.playing);
    let figure = |name: &'static str, value: String, unit: &'static str| {
        column![text(name).size(10), text(value).size(20), text(unit).size(10)].spacing(1).width(Length::Fill)
    };
    let numbers = row![
        figure("Momentary", momentary, "LUFS"),
        figure("Short-term", short_term, "LUFS"),
        figure("Integrated", integrated, "LUFS"),
        figure("Range", range, "LU"),
        figure("True peak", true_peak, "dBTP"),
    ]
    .spacing(6);
    let history = a.loudness().history();
    let history = &history[history.len().saturating_sub(600)..];
    let lines = [
        runs(history, |p| p.momentary, audio.history_breaks()),
        runs(history, |p| p.short_term, audio.history_breaks()),
    ];
    let end = history.last().map(|p| p.seconds);
    let master = a.spectrum().points();
    let strips: Vec<(String, Vec<SpectrumPoint>)> =
        a.strip_spectra().map(|(_, r, s)| (strip_name(_session, r), s.points())).collect();
    let hints = if audio.playing { live_hints(&strips) } else { Vec::new() };
    let mut choose = row![text("Overlay:").size(11)].spacing(3);
    for t in &_session.tracks {
        choose = choose.push(
            container(
                button(text(t.name.clone()).size(11))
                    .padding([2, 6])
                    .style(theme::button(Tone::Accent, overlay.contains(&t.id)))
                    .on_press(Message::OverlayToggled(t.id)),
            )
            .id(overlay_id(t.id)),
        );
    }
    let said = if hints.is_empty() {
        "Masking: none now (two overlaid tracks strong in the same band within 6 dB)".to_owned()
    } else {
        let mut names: Vec<&str> = hints.iter().map(|h| h.2.as_str()).collect();
        names.dedup();
        format!("Masking: {}", names.join(", "))
    };
    let bands = hints.iter().map(|h| (h.0, h.1)).collect();
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
            canvas_widget(History { lines, end }).width(Length::Fill).height(150),
            text("Spectrum: master, the selected strip and the overlaid tracks").size(11),
            choose.wrap(),
            text(said).size(11).style(if hints.is_empty() { theme::dim_text } else { theme::warning_text }),
            canvas_widget(Spectrum { master, strips, bands }).width(Length::Fill).height(Length::Fill),
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
    /// Momentary and short-term runs.
    lines: [Vec<Vec<(f64, f64)>>; 2],
    /// The history's last time.
    end: Option<f64>,
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
        if let Some(end) = self.end {
            let t0 = end.max(60.0) - 60.0;
            let x = |s: f64| ((s - t0) / 60.0) as f32 * size.width;
            let y = |db: f64| size.height * (1.0 - ((db as f32).clamp(lo, hi) - lo) / (hi - lo));
            for (runs, colour) in self.lines.iter().zip([Color { a: 0.6, ..c.dim }, c.accent]) {
                let path = Path::new(|b| {
                    for run in runs {
                        for (i, &(t, v)) in run.iter().enumerate() {
                            let pt = Point::new(x(t), y(v));
                            if i == 0 { b.move_to(pt) } else { b.line_to(pt) }
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
    /// Bands (Hz edges) where two overlaid strips compete now.
    bands: Vec<(f64, f64)>,
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
        for (a, b) in &self.bands {
            let (xa, xb) = (x(*a), x(*b));
            frame.fill_rectangle(
                Point::new(xa, 0.0),
                Size::new((xb - xa).max(2.0), size.height),
                Color { a: 0.25, ..c.danger },
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use mixdesk_engine::analysis::LoudnessReading;

    #[test]
    fn silence_and_a_stopped_transport_read_as_a_dash_not_minus_222() {
        // What the meter held after a stop: the decayed tail of the last block.
        let r = LoudnessReading {
            momentary: Some(-222.1),
            short_term: Some(-14.2),
            integrated: Some(-16.04),
            range: Some(6.0),
            true_peak: Some(-1.26),
            ..LoudnessReading::default()
        };
        assert_eq!(figures(&r, false), ["–", "–", "-16.0", "6.0", "-1.3"]);
        assert_eq!(figures(&r, true), ["–", "-14.2", "-16.0", "6.0", "-1.3"]);
        let silent = LoudnessReading {
            momentary: Some(-222.1),
            integrated: Some(-180.0),
            range: Some(0.0),
            true_peak: Some(-300.0),
            ..LoudnessReading::default()
        };
        assert_eq!(figures(&silent, true), ["–"; 5]);
    }

    #[test]
    fn the_history_breaks_at_silence_and_where_playback_stopped() {
        let p = |seconds: f64, v: Option<f64>| LoudnessPoint { seconds, momentary: v, short_term: v };
        let points = [
            p(0.1, Some(-20.0)),
            p(0.2, Some(-19.0)),
            p(0.3, Some(-222.0)),
            p(0.4, Some(-18.0)),
            p(0.5, Some(-17.0)),
            // Stopped after 0.5 s of audio, played again from elsewhere.
            p(0.6, Some(-30.0)),
            p(0.7, None),
            p(0.8, Some(-31.0)),
        ];
        let lines = runs(&points, |p| p.short_term, &[0.5]);
        assert_eq!(
            lines,
            vec![
                vec![(0.1, -20.0), (0.2, -19.0)],
                vec![(0.4, -18.0), (0.5, -17.0)],
                vec![(0.6, -30.0)],
                vec![(0.8, -31.0)],
            ]
        );
    }
}

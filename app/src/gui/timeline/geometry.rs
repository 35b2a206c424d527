//! Where things are on the timeline: samples to pixels and back, the bar and
//! beat grid, snapping, the rows (tracks and their automation lanes), and how
//! a lane maps a parameter's value onto its height. Pure functions, so the
//! tests can compute where a click lands without a window.

use mixdesk_engine::session::{ParamId, ParamInfo, Session, StripParam, Tempo, TrackId, Unit};

/// Height of the ruler above the rows.
pub const RULER_HEIGHT: f32 = 52.0;
/// Width of the track headers left of the rows.
pub const HEADER_WIDTH: f32 = 230.0;
/// Snapping to a clip edge wins over the grid within this many pixels.
pub const EDGE_SNAP_PX: f32 = 8.0;
/// Lanes draw values inside this margin from their top and bottom.
pub const LANE_PAD: f32 = 6.0;

/// The horizontal mapping: `spp` samples per pixel, `scroll` samples left of x = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// Samples per pixel (zoom).
    pub spp: f64,
    /// The sample at x = 0.
    pub scroll: f64,
}

impl Span {
    /// The x of sample `t`.
    pub fn x(&self, t: f64) -> f32 {
        ((t - self.scroll) / self.spp) as f32
    }

    /// The sample at `x` (not clamped).
    pub fn t(&self, x: f32) -> f64 {
        self.scroll + f64::from(x) * self.spp
    }

    /// The sample at `x`, never before the timeline's start.
    pub fn sample(&self, x: f32) -> u64 {
        self.t(x).round().max(0.0) as u64
    }
}

/// Samples in one beat of `tempo` at `rate`.
pub fn beat_samples(tempo: Tempo, rate: u32) -> f64 {
    f64::from(rate) * 60.0 / tempo.bpm.max(1.0)
}

/// The grid step in samples at this zoom: the finest of a sixteenth, a beat,
/// a bar or a power of two of bars that is at least `min_px` wide.
pub fn grid_step(tempo: Tempo, rate: u32, spp: f64, min_px: f64) -> f64 {
    let beat = beat_samples(tempo, rate);
    let bar = beat * f64::from(tempo.beats_per_bar.max(1));
    let mut candidates = vec![beat / 4.0, beat / 2.0, beat];
    candidates.extend((0..12).map(|k| bar * f64::from(1u32 << k)));
    candidates.into_iter().find(|&s| s / spp >= min_px).unwrap_or(bar * 4096.0)
}

/// The nearest grid line to `t`.
pub fn snap_to_grid(t: f64, step: f64) -> f64 {
    ((t / step).round() * step).max(0.0)
}

/// `t` snapped: to the nearest of `edges` within [`EDGE_SNAP_PX`], else to
/// the grid.
pub fn snap(t: f64, span: Span, step: f64, edges: &[u64]) -> u64 {
    let near = edges
        .iter()
        .map(|&e| (e, ((e as f64 - t) / span.spp).abs()))
        .filter(|&(_, px)| px <= f64::from(EDGE_SNAP_PX))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match near {
        Some((e, _)) => e,
        None => snap_to_grid(t, step).round() as u64,
    }
}

/// One row of the timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RowKind {
    /// A track's clips (index into `session.tracks`).
    Track(usize),
    /// An automation lane under the track with this index.
    Lane(usize, ParamId),
    /// A folder's header row (index into `session.folders`), above its tracks.
    Folder(usize),
}

/// A row and where it is, from the top of the rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// What it shows.
    pub kind: RowKind,
    /// Top edge.
    pub y: f32,
    /// Height.
    pub height: f32,
}

impl Row {
    /// Whether `y` is inside the row.
    pub fn contains(&self, y: f32) -> bool {
        y >= self.y && y < self.y + self.height
    }
}

/// Height of a folder's row.
pub const FOLDER_HEIGHT: f32 = 30.0;

/// The lane height for a track height.
pub fn lane_height(track_height: f32) -> f32 {
    track_height.max(56.0)
}

/// The rows for `session`: each track, then its open lanes (`lanes_of`).
pub fn rows(session: &Session, track_height: f32, lanes_of: impl Fn(TrackId) -> Vec<ParamId>) -> Vec<Row> {
    let mut y = 0.0;
    let mut out = Vec::new();
    // Each folder's row goes above the first of its tracks in the session's order.
    let first: Vec<Option<TrackId>> = session
        .folders
        .iter()
        .map(|f| session.tracks.iter().find(|x| f.tracks.contains(&x.id)).map(|x| x.id))
        .collect();
    for (i, t) in session.tracks.iter().enumerate() {
        if let Some(f) = first.iter().position(|x| *x == Some(t.id)) {
            out.push(Row { kind: RowKind::Folder(f), y, height: FOLDER_HEIGHT });
            y += FOLDER_HEIGHT;
        }
        if session.folded(t.id) {
            continue;
        }
        out.push(Row { kind: RowKind::Track(i), y, height: track_height });
        y += track_height;
        for p in lanes_of(t.id) {
            let h = lane_height(track_height);
            out.push(Row { kind: RowKind::Lane(i, p), y, height: h });
            y += h;
        }
    }
    out
}

/// Where `value` sits in a lane, 0 (bottom) to 1 (top): the parameter's
/// taper (`ParamInfo::position`), as on its control.
pub fn lane_position(info: &ParamInfo, value: f64) -> f64 {
    info.position(value)
}

/// The value at position `p` (0 bottom, 1 top) of a lane; the inverse of
/// [`lane_position`], clamped and rounded as the parameter requires.
pub fn lane_value(info: &ParamInfo, p: f64) -> f64 {
    info.at_position(p)
}

/// The y (from the lane's top) of `value` in a lane `height` tall.
pub fn lane_y(info: &ParamInfo, value: f64, height: f32) -> f32 {
    let usable = (height - 2.0 * LANE_PAD).max(1.0);
    LANE_PAD + usable * (1.0 - lane_position(info, value) as f32)
}

/// The value at `y` (from the lane's top) of a lane `height` tall.
pub fn lane_value_at(info: &ParamInfo, y: f32, height: f32) -> f64 {
    let usable = (height - 2.0 * LANE_PAD).max(1.0);
    lane_value(info, f64::from(1.0 - (y - LANE_PAD) / usable))
}

/// Labels of a lane's value scale are at least this far apart (pixels).
pub const SCALE_GAP: f32 = 11.0;

/// A lane's value scale: (y from the lane's top, label), top to bottom, as
/// many as fit `height` at [`SCALE_GAP`] apart, the most telling first: dB
/// marks for gains (0 dB and -inf always), L / C / R for pan, per cent for
/// width, decades for frequencies, On / Off and the choices' names for
/// switches, and the range's ends in the parameter's unit otherwise.
pub fn lane_scale(info: &ParamInfo, height: f32) -> Vec<(f32, String)> {
    let fader = info.taper() == mixdesk_engine::session::taper::Taper::Fader;
    let marks: Vec<(f64, String)> = match info.unit {
        Unit::Decibels if fader => [0.0, info.min, 6.0, -10.0, -20.0, -40.0, 12.0, -6.0, -30.0, -3.0, 3.0]
            .into_iter()
            .filter(|v| *v >= info.min && *v <= info.max)
            .map(|v| {
                let text = if v <= info.min {
                    "-inf".to_owned()
                } else if v == 0.0 {
                    "0 dB".to_owned()
                } else {
                    format!("{v:+.0}")
                };
                (v, text)
            })
            .collect(),
        Unit::Decibels => {
            let mut marks =
                vec![(info.max, format!("{:+.0} dB", info.max)), (info.min, format!("{:+.0}", info.min))];
            if info.min < 0.0 && info.max > 0.0 {
                marks.insert(0, (0.0, "0 dB".to_owned()));
            }
            let step = [1.0, 3.0, 6.0, 12.0, 24.0]
                .into_iter()
                .find(|s| (info.max - info.min) / s <= 8.0)
                .unwrap_or(24.0);
            let mut v = (info.min / step).ceil() * step;
            while v < info.max {
                marks.push((v, format!("{v:+.0}")));
                v += step;
            }
            marks
        }
        Unit::Pan => [(0.0, "C"), (1.0, "R"), (-1.0, "L"), (0.5, "R50"), (-0.5, "L50")]
            .into_iter()
            .map(|(v, t)| (v, t.to_owned()))
            .collect(),
        Unit::Hertz => [100.0, 1000.0, 10_000.0, 20.0, 20_000.0, 50.0, 200.0, 500.0, 2000.0, 5000.0]
            .into_iter()
            .filter(|v| *v >= info.min && *v <= info.max)
            .map(|v| (v, if v >= 1000.0 { format!("{:.0}k", v / 1000.0) } else { format!("{v:.0}") }))
            .collect(),
        Unit::Toggle => vec![(1.0, "On".to_owned()), (0.0, "Off".to_owned())],
        Unit::Choice => {
            let n = info.choices.len();
            let mut order: Vec<usize> = (0..n).collect();
            // The ends first, then the middle ones.
            order.sort_by_key(|&i| if i == 0 || i + 1 == n { 0 } else { 1 });
            order.into_iter().map(|i| (i as f64, info.choices[i].to_owned())).collect()
        }
        Unit::Ratio if info.key == "width" => [1.0, 0.0, 2.0, 0.5, 1.5]
            .into_iter()
            .filter(|v| *v >= info.min && *v <= info.max)
            .map(|v| (v, format!("{:.0}%", v * 100.0)))
            .collect(),
        _ => {
            let mid = lane_value(info, 0.5);
            [info.max, info.min, mid].into_iter().map(|v| (v, info.format(v))).collect()
        }
    };
    let mut out: Vec<(f32, String)> = Vec::new();
    for (v, text) in marks {
        let y = lane_y(info, v, height);
        if out.iter().all(|(other, _)| (other - y).abs() >= SCALE_GAP) {
            out.push((y, text));
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// The parameters a track's lanes can show: its strip controls, then every
/// parameter of its inserts (named "EQ: Band 1 gain").
pub fn automatable(session: &Session, track: TrackId) -> Vec<(ParamId, String)> {
    use mixdesk_engine::session::StripRef;
    let r = StripRef::Track(track);
    let mut out: Vec<(ParamId, String)> =
        [StripParam::Fader, StripParam::Pan, StripParam::Width, StripParam::Trim, StripParam::Mute]
            .into_iter()
            .map(|p| (ParamId::Strip(r, p), p.info().name.to_owned()))
            .collect();
    // The lanes of the VCA the track answers to show under its members.
    if let Some(v) = session.vca_of(r) {
        for p in [StripParam::Fader, StripParam::Mute] {
            let param = ParamId::Strip(StripRef::Bus(v.id), p);
            out.push((param, format!("{}: {}", v.name, p.info().name)));
        }
    }
    if let Some(strip) = session.strip(r) {
        for proc in &strip.processors {
            let Some(kind) = mixdesk_engine::dsp::kind(&proc.kind) else { continue };
            for (i, info) in kind.params.iter().enumerate().filter(|(_, p)| !p.hidden) {
                out.push((ParamId::Processor(proc.id, i as u16), format!("{}: {}", kind.name, info.name)));
            }
        }
        for send in &strip.sends {
            let bus = session.buses.iter().find(|b| b.id == send.target).map_or("bus", |b| b.name.as_str());
            out.push((
                ParamId::Send(send.id, mixdesk_engine::session::SendParam::Level),
                format!("Send to {bus}"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_and_samples_round_trip() {
        let s = Span { spp: 100.0, scroll: 48_000.0 };
        assert_eq!(s.x(48_000.0), 0.0);
        assert_eq!(s.x(58_000.0), 100.0);
        assert_eq!(s.sample(250.0), 73_000);
        assert_eq!(s.sample(-1000.0), 0);
    }

    #[test]
    fn the_grid_follows_the_zoom_and_snapping_prefers_near_clip_edges() {
        let t = Tempo { bpm: 120.0, beats_per_bar: 4, beat_unit: 4 };
        // 120 bpm at 48 kHz: a beat is 24,000 samples, a bar 96,000.
        assert_eq!(beat_samples(t, 48_000), 24_000.0);
        assert_eq!(grid_step(t, 48_000, 100.0, 12.0), 6_000.0); // sixteenths are 60 px
        assert_eq!(grid_step(t, 48_000, 1000.0, 12.0), 12_000.0); // an eighth is 12 px
        assert_eq!(grid_step(t, 48_000, 1500.0, 12.0), 24_000.0); // a beat is 16 px
        assert_eq!(grid_step(t, 48_000, 10_000.0, 12.0), 192_000.0); // two bars
        let span = Span { spp: 100.0, scroll: 0.0 };
        assert_eq!(snap(50_100.0, span, 24_000.0, &[]), 48_000);
        // A clip edge 5 px away wins over the grid; 10 px away does not.
        assert_eq!(snap(50_100.0, span, 24_000.0, &[50_600]), 50_600);
        assert_eq!(snap(50_100.0, span, 24_000.0, &[51_100]), 48_000);
    }

    #[test]
    fn lane_values_map_onto_the_height_and_back() {
        let fader = StripParam::Fader.info();
        assert!((lane_value(&fader, lane_position(&fader, -6.0)) + 6.0).abs() < 1e-9);
        assert_eq!(lane_position(&fader, 0.0), 0.8);
        let pan = StripParam::Pan.info();
        assert_eq!(lane_y(&pan, 1.0, 112.0), LANE_PAD);
        assert_eq!(lane_y(&pan, -1.0, 112.0), 112.0 - LANE_PAD);
        assert!((lane_value_at(&pan, 56.0, 112.0)).abs() < 1e-9);
        let mute = StripParam::Mute.info();
        assert_eq!(lane_value_at(&mute, 30.0, 112.0), 1.0);
        assert_eq!(lane_value_at(&mute, 90.0, 112.0), 0.0);
    }

    #[test]
    fn lanes_have_a_value_scale_in_the_parameters_unit_that_fits_their_height() {
        let texts =
            |info: &ParamInfo, h: f32| lane_scale(info, h).into_iter().map(|(_, t)| t).collect::<Vec<_>>();
        let fader = StripParam::Fader.info();
        let scale = lane_scale(&fader, 72.0);
        // 0 dB sits where the lane draws 0 dB, -inf at the bottom.
        assert!(scale.contains(&(lane_y(&fader, 0.0, 72.0), "0 dB".to_owned())), "{scale:?}");
        assert!(scale.contains(&(lane_y(&fader, fader.min, 72.0), "-inf".to_owned())), "{scale:?}");
        for h in [40.0, 72.0, 200.0] {
            let s = lane_scale(&fader, h);
            assert!(s.windows(2).all(|w| w[1].0 - w[0].0 >= SCALE_GAP), "{h}: {s:?}");
            assert!(s.iter().all(|(y, _)| (0.0..=h).contains(y)));
        }
        assert!(lane_scale(&fader, 200.0).len() > lane_scale(&fader, 40.0).len(), "taller lanes show more");
        assert_eq!(texts(&StripParam::Pan.info(), 72.0), ["R", "R50", "C", "L50", "L"]);
        assert_eq!(texts(&StripParam::Width.info(), 72.0), ["200%", "150%", "100%", "50%", "0%"]);
        assert_eq!(texts(&StripParam::Mute.info(), 72.0), ["On", "Off"]);
        // An insert's frequency: decades on its log scale, in its unit.
        let eq = mixdesk_engine::dsp::kind("eq").unwrap();
        let freq = eq.params.iter().find(|p| p.unit == Unit::Hertz).unwrap();
        let f = texts(freq, 72.0);
        assert!(f.contains(&"1k".to_owned()) && f.contains(&"100".to_owned()), "{f:?}");
    }
}

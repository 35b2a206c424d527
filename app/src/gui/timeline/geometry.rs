//! Where things are on the timeline: samples to pixels and back, the bar and
//! beat grid, snapping, the rows (tracks and their automation lanes), and how
//! a lane maps a parameter's value onto its height. Pure functions, so the
//! tests can compute where a click lands without a window.

use mixdesk_engine::session::{ParamId, ParamInfo, Session, StripParam, Tempo, TrackId, Unit};

use crate::gui::widget::fader;

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

/// The lane height for a track height.
pub fn lane_height(track_height: f32) -> f32 {
    track_height.max(56.0)
}

/// The rows for `session`: each track, then its open lanes (`lanes_of`).
pub fn rows(session: &Session, track_height: f32, lanes_of: impl Fn(TrackId) -> Vec<ParamId>) -> Vec<Row> {
    let mut y = 0.0;
    let mut out = Vec::new();
    for (i, t) in session.tracks.iter().enumerate() {
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

/// Where `value` sits in a lane, 0 (bottom) to 1 (top). Gains use the
/// fader's taper (what a mixer expects: 0 dB high up, -inf at the bottom),
/// frequencies a log scale, everything else its range linearly.
pub fn lane_position(info: &ParamInfo, value: f64) -> f64 {
    if info.unit == Unit::Decibels && info.max >= 6.0 && info.min <= -60.0 {
        return fader::position(value);
    }
    if info.is_log_scale() && info.min > 0.0 {
        return ((value.max(info.min) / info.min).ln() / (info.max / info.min).ln()).clamp(0.0, 1.0);
    }
    let span = info.max - info.min;
    if span <= 0.0 { 0.5 } else { ((value - info.min) / span).clamp(0.0, 1.0) }
}

/// The value at position `p` (0 bottom, 1 top) of a lane; the inverse of
/// [`lane_position`], clamped and rounded as the parameter requires.
pub fn lane_value(info: &ParamInfo, p: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    let v = if info.unit == Unit::Decibels && info.max >= 6.0 && info.min <= -60.0 {
        fader::db_at(p, info.min)
    } else if info.is_log_scale() && info.min > 0.0 {
        info.min * (info.max / info.min).powf(p)
    } else {
        info.min + p * (info.max - info.min)
    };
    info.clamp(v)
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
    if let Some(strip) = session.strip(r) {
        for proc in &strip.processors {
            let Some(kind) = mixdesk_engine::dsp::kind(&proc.kind) else { continue };
            for (i, info) in kind.params.iter().enumerate() {
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
}

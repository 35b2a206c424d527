//! Automation lanes: breakpoints over time for one parameter, each segment
//! with a shape, and the editing operations the GUI and the recorder use.
//!
//! [`Lane::value_at`] is the one evaluation function: live playback, the
//! bounce and the GUI's drawing all call it, so what is drawn is what is heard.
//! Values are in the parameter's unit (dB for gains, -1..1 for pan, ...), and
//! interpolation happens in that unit. Lanes of switches and choices (mute,
//! on/off, modes) hold each point's value until the next point instead
//! ([`Lane::held_value_at`]).

use serde::{Deserialize, Serialize};

use super::param::{ParamId, ParamInfo};

/// How a lane takes part in playback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AutoMode {
    /// Ignored: the control keeps its manual value.
    Off,
    /// Played back.
    #[default]
    Read,
    /// Played back; while the control is held, what it does is written, and on
    /// release the value glides back to the lane.
    Touch,
    /// Played back until the control is first touched; from then on its value
    /// is written until the transport stops.
    Latch,
    /// Overwrites the lane with the control's value for as long as the
    /// transport plays; afterwards the lane falls back to Touch.
    Write,
    /// The lane plays back with the control's offset (relative) on top.
    Trim,
}

/// The shape of the segment from a point to the next.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Shape {
    /// A straight line.
    #[default]
    Linear,
    /// Hold the value until the next point, then change at its exact sample.
    Step,
    /// Slow start, fast finish: `(2^(4x) - 1) / 15`.
    Exponential,
    /// Fast start, slow finish (the mirror of exponential).
    Logarithmic,
    /// Slow at both ends: `(1 - cos(pi x)) / 2`.
    SCurve,
    /// A cubic Bezier with a tension from -1 (convex, like x^3) through 0
    /// (linear) to 1 (concave, like 1 - (1 - x)^3).
    Bezier(f64),
}

impl Shape {
    /// The fraction of the way from the segment's start value to its end value
    /// at `x` (0 to 1) of the way through it in time.
    pub fn curve(self, x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        match self {
            Shape::Linear => x,
            Shape::Step => {
                if x >= 1.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Shape::Exponential => (2f64.powf(4.0 * x) - 1.0) / 15.0,
            Shape::Logarithmic => 1.0 - (2f64.powf(4.0 * (1.0 - x)) - 1.0) / 15.0,
            Shape::SCurve => 0.5 - 0.5 * (std::f64::consts::PI * x).cos(),
            Shape::Bezier(tension) => {
                let t = tension.clamp(-1.0, 1.0);
                let (c1, c2) = bezier_controls(t);
                let u = 1.0 - x;
                3.0 * u * u * x * c1 + 3.0 * u * x * x * c2 + x * x * x
            }
        }
    }
}

/// The two inner control values of the tension Bezier (end values 0 and 1).
fn bezier_controls(t: f64) -> (f64, f64) {
    if t >= 0.0 {
        (1.0 / 3.0 + t * 2.0 / 3.0, 2.0 / 3.0 + t / 3.0)
    } else {
        (1.0 / 3.0 + t / 3.0, 2.0 / 3.0 + t * 2.0 / 3.0)
    }
}

/// One breakpoint.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Timeline sample.
    pub time: u64,
    /// Value in the parameter's unit.
    pub value: f64,
    /// Shape of the segment from this point to the next.
    #[serde(default, skip_serializing_if = "is_linear")]
    pub shape: Shape,
}

fn is_linear(s: &Shape) -> bool {
    *s == Shape::Linear
}

/// An automation lane: one parameter's curve and its mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lane {
    /// The parameter it drives.
    pub param: ParamId,
    /// How it plays.
    #[serde(default)]
    pub mode: AutoMode,
    /// Breakpoints, sorted by time, at most one per sample.
    #[serde(default)]
    pub points: Vec<Point>,
}

/// Points copied out of a lane, with times relative to the copied range's start.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LaneClip {
    /// Length of the copied range in samples.
    pub length: u64,
    /// The points, time 0 being the range's start.
    pub points: Vec<Point>,
}

impl Lane {
    /// An empty lane in Read mode.
    pub fn new(param: ParamId) -> Lane {
        Lane { param, mode: AutoMode::Read, points: Vec::new() }
    }

    /// The value at timeline sample `t`: the first point's value before it,
    /// the last one's after it, and the segment's shape in between. `None`
    /// for a lane without points.
    pub fn value_at(&self, t: u64) -> Option<f64> {
        let p = &self.points;
        let first = p.first()?;
        if t <= first.time {
            return Some(first.value);
        }
        // The segment holding t: the last point at or before it.
        let i = p.partition_point(|q| q.time <= t) - 1;
        Some(self.segment_value(i, t))
    }

    /// The value at `t` of a lane for a switch or a choice (mute, on/off,
    /// modes): each point's value holds until the next point, whatever the
    /// segment's shape says. `None` for a lane without points.
    pub fn held_value_at(&self, t: u64) -> Option<f64> {
        let p = &self.points;
        let i = p.partition_point(|q| q.time <= t).saturating_sub(1);
        p.get(i).map(|q| q.value)
    }

    /// The value at `t` on the segment starting at point `i` (`t` at or after
    /// that point; the last point holds its value). The one formula every
    /// reader of automation uses.
    pub fn segment_value(&self, i: usize, t: u64) -> f64 {
        let p = &self.points;
        let a = p[i];
        let Some(b) = p.get(i + 1) else { return a.value };
        let span = (b.time - a.time) as f64;
        let x = t.saturating_sub(a.time) as f64 / span;
        a.value + (b.value - a.value) * a.shape.curve(x)
    }

    /// The index of the point at or before `t`, starting the search from
    /// `hint` (playback moves forward, so this is usually O(1)).
    pub fn segment_from(&self, hint: usize, t: u64) -> usize {
        let p = &self.points;
        let mut i = hint.min(p.len().saturating_sub(1));
        if p.get(i).is_some_and(|q| q.time > t) {
            return p.partition_point(|q| q.time <= t).saturating_sub(1);
        }
        while i + 1 < p.len() && p[i + 1].time <= t {
            i += 1;
        }
        i
    }

    /// Adds a point (replacing one at the same sample); returns its index.
    pub fn add_point(&mut self, point: Point) -> usize {
        match self.points.binary_search_by(|q| q.time.cmp(&point.time)) {
            Ok(i) => {
                self.points[i] = point;
                i
            }
            Err(i) => {
                self.points.insert(i, point);
                i
            }
        }
    }

    /// Moves point `index` to a new time and value (it may pass its
    /// neighbours; a point already at the new time is replaced). Returns its new index.
    pub fn move_point(&mut self, index: usize, time: u64, value: f64) -> Option<usize> {
        let mut p = *self.points.get(index)?;
        self.points.remove(index);
        p.time = time;
        p.value = value;
        Some(self.add_point(p))
    }

    /// Deletes the points at `indices` (any order, duplicates ignored).
    pub fn delete_points(&mut self, indices: &[usize]) {
        let mut keep = vec![true; self.points.len()];
        for &i in indices {
            if let Some(k) = keep.get_mut(i) {
                *k = false;
            }
        }
        let mut it = keep.into_iter();
        self.points.retain(|_| it.next().unwrap_or(true));
    }

    /// Indices of the points in `[start, end)` (a rubber-band selection).
    pub fn select_range(&self, start: u64, end: u64) -> Vec<usize> {
        (0..self.points.len()).filter(|&i| (start..end).contains(&self.points[i].time)).collect()
    }

    /// Copies the points in `[start, end)`.
    pub fn copy(&self, start: u64, end: u64) -> LaneClip {
        let points = self
            .points
            .iter()
            .filter(|p| (start..end).contains(&p.time))
            .map(|p| Point { time: p.time - start, ..*p })
            .collect();
        LaneClip { length: end.saturating_sub(start), points }
    }

    /// Pastes `clip` at `at`, replacing the points in `[at, at + clip.length)`.
    pub fn paste(&mut self, at: u64, clip: &LaneClip) {
        let end = at + clip.length;
        self.points.retain(|p| !(at..end).contains(&p.time));
        for p in &clip.points {
            self.add_point(Point { time: p.time + at, ..*p });
        }
    }

    /// Multiplies then offsets the values of the points at `indices`
    /// (`v * scale + offset`), clamped to the parameter's range.
    pub fn scale_offset(&mut self, indices: &[usize], scale: f64, offset: f64, info: &ParamInfo) {
        for &i in indices {
            if let Some(p) = self.points.get_mut(i) {
                p.value = info.clamp(p.value * scale + offset);
            }
        }
    }

    /// Removes points that a straight line between their neighbours already
    /// follows within `tolerance` (in the parameter's unit), by
    /// Ramer-Douglas-Peucker on the linear stretches (points starting a
    /// non-linear segment are always kept). Returns how many were removed.
    pub fn thin(&mut self, tolerance: f64) -> usize {
        let n = self.points.len();
        if n < 3 {
            return 0;
        }
        let mut keep = vec![false; n];
        keep[0] = true;
        keep[n - 1] = true;
        for (i, p) in self.points.iter().enumerate() {
            if p.shape != Shape::Linear {
                keep[i] = true;
                if i + 1 < n {
                    keep[i + 1] = true;
                }
            }
        }
        // Thin each run between kept anchors.
        let anchors: Vec<usize> = (0..n).filter(|&i| keep[i]).collect();
        for w in anchors.windows(2) {
            rdp(&self.points, w[0], w[1], tolerance, &mut keep);
        }
        let before = self.points.len();
        let mut it = keep.into_iter();
        self.points.retain(|_| it.next().unwrap_or(true));
        before - self.points.len()
    }
}

/// Ramer-Douglas-Peucker between `lo` and `hi` (both kept), measuring each
/// point's vertical distance from the straight line in value units.
fn rdp(p: &[Point], lo: usize, hi: usize, tol: f64, keep: &mut [bool]) {
    if hi <= lo + 1 {
        return;
    }
    let (a, b) = (p[lo], p[hi]);
    let span = (b.time - a.time) as f64;
    let mut worst = (0.0, lo);
    for (i, q) in p.iter().enumerate().take(hi).skip(lo + 1) {
        let line = a.value + (b.value - a.value) * (q.time - a.time) as f64 / span;
        let d = (q.value - line).abs();
        if d > worst.0 {
            worst = (d, i);
        }
    }
    if worst.0 > tol {
        keep[worst.1] = true;
        rdp(p, lo, worst.1, tol, keep);
        rdp(p, worst.1, hi, tol, keep);
    }
}

/// Session helpers for lanes.
impl super::Session {
    /// The lane for `param`, if there is one.
    pub fn lane(&self, param: ParamId) -> Option<&Lane> {
        self.automation.iter().find(|l| l.param == param)
    }

    /// The lane for `param`, created empty (in Read mode) if there is none.
    pub fn lane_mut(&mut self, param: ParamId) -> &mut Lane {
        match self.automation.iter().position(|l| l.param == param) {
            Some(i) => &mut self.automation[i],
            None => {
                self.automation.push(Lane::new(param));
                self.automation.last_mut().expect("just pushed")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_runs_from_0_to_1_and_bezier_zero_is_linear() {
        for s in [
            Shape::Linear,
            Shape::Exponential,
            Shape::Logarithmic,
            Shape::SCurve,
            Shape::Bezier(-1.0),
            Shape::Bezier(0.4),
            Shape::Bezier(1.0),
        ] {
            assert!(s.curve(0.0).abs() < 1e-12 && (s.curve(1.0) - 1.0).abs() < 1e-12, "{s:?}");
            let mut last = 0.0;
            for i in 1..=100 {
                let v = s.curve(f64::from(i) / 100.0);
                assert!(v >= last - 1e-12, "{s:?} is not monotonic");
                last = v;
            }
        }
        for i in 0..=100 {
            let x = f64::from(i) / 100.0;
            assert!((Shape::Bezier(0.0).curve(x) - x).abs() < 1e-12);
        }
    }
}

//! Recording passes: what the live engine wrote on a lane in Touch, Latch,
//! Write or Trim mode, and [`merge_pass`], the one pure function that turns a
//! pass into a [`LaneEdit`] (one undoable edit: the lane before and after).
//!
//! Rules (also in docs/engine.md, "Automation"):
//! - A pass is everything one parameter wrote from play to stop. It holds
//!   runs: stretches written without a break in the timeline (a touch and its
//!   glide back; a seek or a loop wrap starts a new run). Runs are merged in
//!   the order they were written, so on a loop the last cycle wins.
//! - Touch, Latch and Write replace: within a run's range `[a, b]` the lane
//!   becomes the recorded values, thinned by Ramer-Douglas-Peucker at
//!   [`tolerance`]. Trim adds: within `[a, b]` the lane becomes its old value
//!   plus the recorded offset (shapes inside the range become straight lines
//!   at the recording resolution, steps stay steps).
//! - Outside `[a - GUARD, b + GUARD]` the lane is untouched: exactly for
//!   straight and stepped segments; a curved segment cut by a boundary is
//!   followed by straight points within [`tolerance`]. The [`GUARD`] samples
//!   either side join the old lane and the new values with a straight ramp
//!   (a declick, as for steps).
//! - Switches and choices (mute, on/off) are written as Step points, one where
//!   the value changes, at the first sample the new value was heard.
//! - A lane recorded in Write mode is in Touch mode afterwards.

use super::Session;
use super::automation::{AutoMode, Lane, Point, Shape};
use super::param::{ParamId, ParamInfo, Unit};

/// How long a released control in Touch (or Trim) mode takes to glide back to
/// the lane (or to no offset), linearly in the parameter's unit. Pro Tools
/// calls this AutoMatch time; 250 ms is its default.
pub const TOUCH_GLIDE_SECONDS: f64 = 0.25;

/// Samples of the straight ramp that joins a written range to the old lane at
/// each end (the same as a step's declick).
pub const GUARD: u64 = 16;

/// Samples between the points that follow a curved segment where it has to be
/// cut or offset (the recording resolution of insert parameters).
const FOLLOW_STEP: u64 = 32;

/// One value the engine played while writing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// The timeline sample it was heard at.
    pub time: u64,
    /// The value played, in the parameter's unit.
    pub value: f64,
    /// In Trim mode, the offset the control added to the lane; 0 otherwise.
    pub offset: f64,
}

/// What one parameter wrote from play to stop.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    /// The parameter.
    pub param: ParamId,
    /// The lane's mode while it was written (decides how the pass merges).
    pub mode: AutoMode,
    /// Stretches written without a break, in the order they were written;
    /// each is sorted by time.
    pub runs: Vec<Vec<Sample>>,
}

impl Pass {
    /// How many samples the pass holds.
    pub fn len(&self) -> usize {
        self.runs.iter().map(Vec::len).sum()
    }

    /// Whether the pass holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One undoable change of one lane: the whole lane before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneEdit {
    /// The parameter whose lane changes.
    pub param: ParamId,
    /// The lane as it was.
    pub before: Lane,
    /// The lane as it becomes.
    pub after: Lane,
}

impl LaneEdit {
    /// Puts `after` in the session in place of the lane; false if the
    /// session has no lane for the parameter (nothing changes then).
    pub fn apply(&self, session: &mut Session) -> bool {
        self.put(session, &self.after)
    }

    /// Puts `before` back; false if the session has no lane for the parameter.
    pub fn revert(&self, session: &mut Session) -> bool {
        self.put(session, &self.before)
    }

    fn put(&self, session: &mut Session, lane: &Lane) -> bool {
        match session.automation.iter_mut().find(|l| l.param == self.param) {
            Some(l) => {
                l.clone_from(lane);
                true
            }
            None => false,
        }
    }
}

/// The thinning tolerance for a recorded parameter, in its unit: 0.1 dB for
/// gains, 1 % of the lowest frequency for frequencies, 0.1 % of the range
/// for anything else (switches and choices are not thinned but deduplicated).
pub fn tolerance(info: &ParamInfo) -> f64 {
    match info.unit {
        Unit::Decibels => 0.1,
        Unit::Hertz => (info.min * 0.01).max(0.01),
        Unit::Choice | Unit::Toggle => 0.0,
        _ => (info.max - info.min) * 0.001,
    }
}

/// Merges `pass` into `lane` (the lane of the same parameter as it is now;
/// `info` describes the parameter). Pure: the result is the edit to apply.
pub fn merge_pass(lane: &Lane, pass: &Pass, info: &ParamInfo) -> LaneEdit {
    let mut after = lane.clone();
    for run in pass.runs.iter().filter(|r| !r.is_empty()) {
        after.points = merge_run(&after, run, pass.mode, info);
    }
    if pass.mode == AutoMode::Write {
        after.mode = AutoMode::Touch;
    }
    LaneEdit { param: lane.param, before: lane.clone(), after }
}

/// The lane's points with one run merged in.
fn merge_run(lane: &Lane, run: &[Sample], mode: AutoMode, info: &ParamInfo) -> Vec<Point> {
    let tol = tolerance(info);
    let held = info.is_stepped();
    let (a, b) = (run[0].time, run[run.len() - 1].time);
    let join = if held { Shape::Step } else { Shape::Linear };
    let mut written = if mode == AutoMode::Trim && !lane.points.is_empty() {
        offset_lane(lane, run, info)
    } else {
        run.iter().map(|s| Point { time: s.time, value: info.clamp(s.value), shape: join }).collect()
    };
    written = if held { changes_only(written) } else { thinned(written, tol) };
    if let Some(last) = written.last_mut() {
        last.shape = join;
    }
    if lane.points.is_empty() {
        return written;
    }
    let (first, last) = (lane.points[0].time, lane.points[lane.points.len() - 1].time);
    let mut out = Vec::with_capacity(lane.points.len() + written.len() + 4);
    if a >= GUARD {
        let head = a - GUARD;
        out.extend(piece(lane, first.min(head), head, tol, held));
        if let Some(p) = out.last_mut() {
            p.shape = join;
        }
    }
    out.extend(written);
    let tail = b + GUARD;
    out.extend(piece(lane, tail, last.max(tail), tol, held));
    out
}

/// The lane's value at `t` as the engine plays it (held for switches).
fn eval(lane: &Lane, t: u64, held: bool) -> f64 {
    let v = if held { lane.held_value_at(t) } else { lane.value_at(t) };
    v.unwrap_or(0.0)
}

/// The shape of the segment holding `t` (Linear before the first point).
fn shape_at(lane: &Lane, t: u64) -> Shape {
    let i = lane.points.partition_point(|q| q.time <= t);
    if i == 0 { Shape::Linear } else { lane.points[i - 1].shape }
}

/// Whether `t` lies strictly inside a curved segment (one a cut cannot keep).
fn inside_curve(lane: &Lane, t: u64, held: bool) -> bool {
    let p = &lane.points;
    let i = p.partition_point(|q| q.time <= t);
    !held
        && i >= 1
        && i < p.len()
        && p[i - 1].time < t
        && !matches!(p[i - 1].shape, Shape::Linear | Shape::Step)
}

/// Points that play the lane over `[lo, hi]`, starting at `lo` and ending at
/// `hi`: the lane's own points between, and straight points following any
/// curved segment cut at either end.
fn piece(lane: &Lane, lo: u64, hi: u64, tol: f64, held: bool) -> Vec<Point> {
    let cut = |t: u64| Point { time: t, value: eval(lane, t, held), shape: shape_at(lane, t) };
    let mut pts = vec![cut(lo)];
    pts.extend(lane.points.iter().filter(|q| lo < q.time && q.time < hi));
    if hi > lo {
        pts.push(cut(hi));
    }
    let n = pts.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let cut_curve = i + 1 < n
            && ((i == 0 && inside_curve(lane, lo, held)) || (i + 2 == n && inside_curve(lane, hi, held)));
        if cut_curve {
            out.extend(follow(lane, pts[i].time, pts[i + 1].time, tol));
        } else {
            out.push(pts[i]);
        }
    }
    out
}

/// Straight points following the lane from `from` (included) to `to`
/// (excluded) every [`FOLLOW_STEP`] samples, thinned to `tol`.
fn follow(lane: &Lane, from: u64, to: u64, tol: f64) -> Vec<Point> {
    let mut t = from;
    let mut pts = Vec::new();
    while t < to {
        pts.push(Point { time: t, value: eval(lane, t, false), shape: Shape::Linear });
        t += FOLLOW_STEP;
    }
    pts.push(Point { time: to, value: eval(lane, to, false), shape: Shape::Linear });
    let mut pts = thinned(pts, tol);
    pts.pop();
    pts
}

/// The old lane plus a Trim run's offsets over the run's range: points at
/// every recorded sample, every old point inside and along old curves; a
/// point inside an old Step segment holds (Step), every other is straight.
fn offset_lane(lane: &Lane, run: &[Sample], info: &ParamInfo) -> Vec<Point> {
    let held = info.is_stepped();
    let (a, b) = (run[0].time, run[run.len() - 1].time);
    let mut times: Vec<u64> = run.iter().map(|s| s.time).collect();
    let p = &lane.points;
    for (i, q) in p.iter().enumerate() {
        if (a..=b).contains(&q.time) {
            times.push(q.time);
        }
        let end = p.get(i + 1).map_or(q.time, |n| n.time);
        if !held && !matches!(q.shape, Shape::Linear | Shape::Step) && end > a && q.time < b {
            let mut t = q.time.max(a);
            while t < end.min(b) {
                times.push(t);
                t += FOLLOW_STEP;
            }
        }
    }
    times.sort_unstable();
    times.dedup();
    let offset_at = |t: u64| -> f64 {
        let i = run.partition_point(|s| s.time <= t);
        match (i.checked_sub(1).map(|k| run[k]), run.get(i)) {
            (Some(x), Some(y)) => {
                x.offset + (y.offset - x.offset) * (t - x.time) as f64 / (y.time - x.time) as f64
            }
            (Some(x), None) => x.offset,
            (None, Some(y)) => y.offset,
            (None, None) => 0.0,
        }
    };
    times
        .into_iter()
        .map(|t| {
            let shape = if shape_at(lane, t) == Shape::Step { Shape::Step } else { Shape::Linear };
            Point { time: t, value: info.clamp(eval(lane, t, held) + offset_at(t)), shape }
        })
        .collect()
}

/// Points thinned by Ramer-Douglas-Peucker to `tol` (points starting a
/// curved segment stay; a step point repeating the hold before it goes).
fn thinned(mut points: Vec<Point>, tol: f64) -> Vec<Point> {
    let mut last: Option<Point> = None;
    points.retain(|p| {
        let repeat =
            last.is_some_and(|q| q.shape == Shape::Step && p.shape == Shape::Step && q.value == p.value);
        if !repeat {
            last = Some(*p);
        }
        !repeat
    });
    let mut tmp = Lane { param: ParamId::Processor(super::ProcessorId(0), 0), mode: AutoMode::Read, points };
    tmp.thin(tol);
    tmp.points
}

/// Step points only where the value changes.
fn changes_only(points: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        if out.last().is_none_or(|q| q.value != p.value) {
            out.push(Point { shape: Shape::Step, ..p });
        }
    }
    out
}

//! Structural checks run on every loaded session: a session that passes can be
//! compiled into a render graph without surprises.

use std::collections::{HashMap, HashSet};

use thiserror::Error;

use super::{BusId, Output, Session, Strip, StripRef, TrackId};

/// The first structural problem found in a session.
#[derive(Debug, Error, PartialEq)]
pub enum ValidationError {
    /// Two objects of one kind share an id.
    #[error("two {kind}s have the id {id}; every {kind} needs its own id")]
    DuplicateId {
        /// "track", "bus", ...
        kind: &'static str,
        /// The shared id.
        id: u32,
    },
    /// A route names a bus that does not exist.
    #[error("{from} sends to bus {bus}, which does not exist")]
    UnknownBus {
        /// The strip with the route.
        from: String,
        /// The missing bus.
        bus: BusId,
    },
    /// Routing goes round in a circle.
    #[error(
        "routing loop: {path}; a strip cannot feed itself, directly or through other buses and sidechains"
    )]
    RoutingLoop {
        /// The strips on the loop, e.g. "bus 'A' -> bus 'B' -> bus 'A'".
        path: String,
    },
    /// A processor is set up in a way its kind does not allow.
    #[error("{who}: {what}")]
    Processor {
        /// The processor, in words ("track 'Bass' compressor 12").
        who: String,
        /// What is wrong, in words.
        what: String,
    },
    /// A number is out of its range or not a number at all.
    #[error("{field} is {shown}, outside {range}", shown = show_number(*.value))]
    OutOfRange {
        /// Which value, e.g. "track 'Bass' fader_db".
        field: String,
        /// The value as written.
        value: f64,
        /// The allowed range, in words.
        range: &'static str,
    },
    /// More of something than a session may hold (see [`LIMITS`]).
    #[error("{holder} has {count} {things}; {per} may have at most {max}")]
    TooMany {
        /// What holds them: "the session", "track 'Bass'", "the automation lane for ...".
        holder: String,
        /// How many it has.
        count: usize,
        /// What they are: "tracks", "inserts", "points"...
        things: &'static str,
        /// The holder's kind, for the rule: "a session", "a strip", "a lane".
        per: &'static str,
        /// The limit.
        max: usize,
    },
    /// A clip or range that cannot exist.
    #[error("{what}")]
    Impossible {
        /// What is wrong, in words.
        what: String,
    },
}

/// A number as written in a message: plain, or in exponent form when it is
/// very large or very small (1e308 would otherwise print 309 digits).
fn show_number(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-4..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// The largest id an object may have: ids share one number space and a new
/// object takes one past the largest, so this leaves room for two billion more.
pub const MAX_ID: u32 = i32::MAX as u32;

/// Hours of timeline a session may span: every clip, marker, loop and
/// automation point lies within this many hours of the start. Far beyond any
/// mix, and small enough that positions never overflow when added.
pub const MAX_TIMELINE_HOURS: u64 = 48;

/// [`MAX_TIMELINE_HOURS`] in samples at `rate`.
pub fn max_timeline(rate: u32) -> u64 {
    MAX_TIMELINE_HOURS * 3600 * u64::from(rate)
}

/// How much a session may hold. Far beyond any real mix (a large film mix
/// has a few hundred tracks, a strip rarely ten inserts), and low enough that
/// a hostile or broken file cannot make loading, compiling or bouncing take
/// minutes (2000 limiters on one strip took over a minute for 3 s of audio)
/// or exhaust memory. Checked first, before anything costlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Tracks in a session.
    pub tracks: usize,
    /// Buses in a session.
    pub buses: usize,
    /// Insert processors on one strip.
    pub inserts: usize,
    /// Sends on one strip.
    pub sends: usize,
    /// Clips on one track.
    pub clips: usize,
    /// Automation lanes in a session.
    pub lanes: usize,
    /// Points in one automation lane.
    pub points: usize,
    /// Markers in a session.
    pub markers: usize,
}

/// The limits [`validate`] enforces.
pub const LIMITS: Limits = Limits {
    tracks: 4096,
    buses: 1024,
    inserts: 64,
    sends: 64,
    clips: 100_000,
    lanes: 65_536,
    points: 1_000_000,
    markers: 100_000,
};

fn check_count(
    holder: impl FnOnce() -> String,
    count: usize,
    things: &'static str,
    per: &'static str,
    max: usize,
) -> Result<(), ValidationError> {
    if count <= max {
        Ok(())
    } else {
        Err(ValidationError::TooMany { holder: holder(), count, things, per, max })
    }
}

/// Every count within [`LIMITS`].
fn check_limits(s: &Session) -> Result<(), ValidationError> {
    let l = LIMITS;
    let session = || "the session".to_owned();
    check_count(session, s.tracks.len(), "tracks", "a session", l.tracks)?;
    check_count(session, s.buses.len(), "buses", "a session", l.buses)?;
    check_count(session, s.automation.len(), "automation lanes", "a session", l.lanes)?;
    check_count(session, s.markers.len(), "markers", "a session", l.markers)?;
    let strips = s
        .tracks
        .iter()
        .map(|t| (format!("track '{}'", t.name), &t.strip))
        .chain(s.buses.iter().map(|b| (format!("bus '{}'", b.name), &b.strip)))
        .chain([("the master".to_owned(), &s.master)]);
    for (who, strip) in strips {
        check_count(|| who.clone(), strip.processors.len(), "inserts", "a strip", l.inserts)?;
        check_count(|| who.clone(), strip.sends.len(), "sends", "a strip", l.sends)?;
    }
    for t in &s.tracks {
        check_count(|| format!("track '{}'", t.name), t.clips.len(), "clips", "a track", l.clips)?;
    }
    for lane in &s.automation {
        let holder = || format!("the automation lane for {:?}", lane.param);
        check_count(holder, lane.points.len(), "points", "a lane", l.points)?;
    }
    Ok(())
}

/// Checks counts, ids, routes, ranges and clip geometry.
pub fn validate(s: &Session) -> Result<(), ValidationError> {
    check_limits(s)?;
    check_range("sample_rate", f64::from(s.sample_rate), 8_000.0, 384_000.0, "8000 to 384000 Hz")?;
    check_range("tempo bpm", s.tempo.bpm, 1.0, 999.0, "1 to 999")?;
    check_range("tempo beats_per_bar", f64::from(s.tempo.beats_per_bar), 1.0, 64.0, "1 to 64")?;
    if ![1, 2, 4, 8, 16, 32].contains(&s.tempo.beat_unit) {
        return Err(ValidationError::OutOfRange {
            field: "tempo beat_unit".into(),
            value: f64::from(s.tempo.beat_unit),
            range: "1, 2, 4, 8, 16 or 32",
        });
    }
    check_ids(s)?;
    check_times(s)?;
    super::notes::check(s)?;
    super::groups::check(s)?;
    super::vca::check(s)?;
    super::folders::check(s)?;
    let buses: HashSet<BusId> = s.buses.iter().map(|b| b.id).collect();
    let tracks: HashSet<TrackId> = s.tracks.iter().map(|t| t.id).collect();
    for t in &s.tracks {
        let who = format!("track '{}'", t.name);
        check_strip(&who, &t.strip, &buses, &tracks)?;
        check_output(&who, t.output, &buses)?;
        for c in &t.clips {
            let clip = format!("{who} clip {}", c.id);
            if c.length.0 == 0 {
                return Err(ValidationError::Impossible { what: format!("{clip} has zero length") });
            }
            if c.media.as_os_str().is_empty() {
                return Err(ValidationError::Impossible { what: format!("{clip} names no media file") });
            }
            if c.media.as_os_str().as_encoded_bytes().contains(&0) {
                return Err(ValidationError::Impossible {
                    what: format!("{clip}'s media path contains a NUL character"),
                });
            }
            if c.fade_in.length.0.saturating_add(c.fade_out.length.0) > c.length.0 {
                return Err(ValidationError::Impossible {
                    what: format!("{clip}: its fade-in and fade-out together are longer than the clip"),
                });
            }
            check_range(&format!("{clip} gain_db"), c.gain_db.0, -144.0, 24.0, "-144 to +24 dB")?;
        }
    }
    for b in &s.buses {
        let who = format!("bus '{}'", b.name);
        check_strip(&who, &b.strip, &buses, &tracks)?;
        check_output(&who, b.output, &buses)?;
    }
    check_strip("master", &s.master, &buses, &tracks)?;
    if let Some(l) = s.loop_range
        && l.end <= l.start
    {
        return Err(ValidationError::Impossible { what: "the loop range ends before it starts".into() });
    }
    check_automation(s)?;
    check_routing_loops(s)
}

/// Lanes name parameters that exist, one lane per parameter, with points in
/// strictly increasing time and finite values inside the parameter's range.
fn check_automation(s: &Session) -> Result<(), ValidationError> {
    let mut seen = HashSet::new();
    for lane in &s.automation {
        let who = format!("automation lane for {:?}", lane.param);
        let Some(info) = s.param_info(lane.param) else {
            return Err(ValidationError::Impossible { what: format!("{who}: the parameter does not exist") });
        };
        if !seen.insert(lane.param) {
            return Err(ValidationError::Impossible { what: format!("{who}: there are two lanes for it") });
        }
        for (i, p) in lane.points.iter().enumerate() {
            if i > 0 && p.time <= lane.points[i - 1].time {
                return Err(ValidationError::Impossible {
                    what: format!("{who}: point {i} at sample {} is not after the point before it", p.time),
                });
            }
            check_range(&format!("{who} point {i}"), p.value, info.min, info.max, "the parameter's range")?;
            if let super::Shape::Bezier(t) = p.shape {
                check_range(&format!("{who} point {i} tension"), t, -1.0, 1.0, "-1 to 1")?;
            }
        }
    }
    Ok(())
}

fn check_range(
    field: &str,
    value: f64,
    lo: f64,
    hi: f64,
    range: &'static str,
) -> Result<(), ValidationError> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::OutOfRange { field: field.to_owned(), value, range })
    }
}

fn check_strip(
    who: &str,
    strip: &Strip,
    buses: &HashSet<BusId>,
    tracks: &HashSet<TrackId>,
) -> Result<(), ValidationError> {
    check_range(&format!("{who} trim_db"), strip.trim_db.0, -144.0, 48.0, "-144 to +48 dB")?;
    check_range(&format!("{who} fader_db"), strip.fader_db.0, -1e9, 24.0, "-inf to +24 dB")?;
    check_range(&format!("{who} pan"), strip.pan.0, -1.0, 1.0, "-1 to 1")?;
    check_range(&format!("{who} width"), strip.width, 0.0, 2.0, "0 to 2")?;
    for send in &strip.sends {
        if !buses.contains(&send.target) {
            return Err(ValidationError::UnknownBus { from: who.to_owned(), bus: send.target });
        }
        check_range(
            &format!("{who} send {} level_db", send.id),
            send.level_db.0,
            -1e9,
            24.0,
            "-inf to +24 dB",
        )?;
        check_range(&format!("{who} send {} pan", send.id), send.pan.0, -1.0, 1.0, "-1 to 1")?;
    }
    for p in &strip.processors {
        let what = format!("{who} {} {}", p.kind, p.id);
        if let Some(spec) = crate::dsp::kind(&p.kind) {
            if let Some(key) = p.params.keys().find(|k| spec.param_index(k).is_none()) {
                let known = spec.params.iter().map(|i| i.key).collect::<Vec<_>>().join(", ");
                return Err(ValidationError::Processor {
                    who: what,
                    what: format!("it has no parameter '{key}' (its parameters are {known})"),
                });
            }
            if p.sidechain.is_some() && !spec.sidechain {
                return Err(ValidationError::Processor {
                    who: what,
                    what: format!("a {} takes no sidechain; remove the sidechain route", spec.name),
                });
            }
        }
        match p.sidechain {
            Some(StripRef::Master) => {
                return Err(ValidationError::Processor {
                    who: what,
                    what: "the master cannot key a sidechain; key it from a track or bus".into(),
                });
            }
            Some(StripRef::Bus(b)) if !buses.contains(&b) => {
                return Err(ValidationError::UnknownBus { from: format!("{what} sidechain"), bus: b });
            }
            Some(StripRef::Track(t)) if !tracks.contains(&t) => {
                return Err(ValidationError::Processor {
                    who: what,
                    what: format!("its sidechain comes from track {t}, which does not exist"),
                });
            }
            _ => {}
        }
        for (name, v) in &p.params {
            if !v.is_finite() {
                return Err(ValidationError::OutOfRange {
                    field: format!("{who} processor {} parameter '{name}'", p.id),
                    value: *v,
                    range: "finite numbers",
                });
            }
        }
    }
    Ok(())
}

fn check_output(who: &str, output: Output, buses: &HashSet<BusId>) -> Result<(), ValidationError> {
    match output {
        Output::Bus(bus) if !buses.contains(&bus) => {
            Err(ValidationError::UnknownBus { from: who.to_owned(), bus })
        }
        _ => Ok(()),
    }
}

/// Every position and length lies within [`max_timeline`], so sums of them
/// cannot overflow.
fn check_times(s: &Session) -> Result<(), ValidationError> {
    let max = max_timeline(s.sample_rate);
    let check = |what: String, v: u64| {
        if v <= max {
            Ok(())
        } else {
            Err(ValidationError::Impossible {
                what: format!(
                    "{what} is at sample {v}, past the {MAX_TIMELINE_HOURS}-hour limit of a session"
                ),
            })
        }
    };
    for t in &s.tracks {
        for c in &t.clips {
            let clip = format!("track '{}' clip {}", t.name, c.id);
            check(format!("{clip}'s start"), c.start.0)?;
            check(format!("{clip}'s end"), c.start.0.saturating_add(c.length.0))?;
            check(format!("{clip}'s source offset"), c.source_offset.0)?;
        }
    }
    for m in &s.markers {
        check(format!("marker '{}'", m.name), m.position.0)?;
    }
    if let Some(l) = s.loop_range {
        check("the loop range's end".into(), l.end.0)?;
    }
    for lane in &s.automation {
        if let Some(latest) = lane.points.iter().map(|p| p.time).max() {
            check(format!("a point of the automation lane for {:?}", lane.param), latest)?;
        }
    }
    Ok(())
}

fn check_ids(s: &Session) -> Result<(), ValidationError> {
    fn unique(kind: &'static str, ids: impl Iterator<Item = u32>) -> Result<(), ValidationError> {
        let mut seen = HashSet::new();
        for id in ids {
            if id > MAX_ID {
                return Err(ValidationError::Impossible {
                    what: format!("{kind} id {id} is too large (ids go up to {MAX_ID})"),
                });
            }
            if !seen.insert(id) {
                return Err(ValidationError::DuplicateId { kind, id });
            }
        }
        Ok(())
    }
    let strips =
        || s.tracks.iter().map(|t| &t.strip).chain(s.buses.iter().map(|b| &b.strip)).chain([&s.master]);
    unique("track", s.tracks.iter().map(|t| t.id.0))?;
    unique("bus", s.buses.iter().map(|b| b.id.0))?;
    unique("clip", s.tracks.iter().flat_map(|t| t.clips.iter().map(|c| c.id.0)))?;
    unique("send", strips().flat_map(|st| st.sends.iter().map(|x| x.id.0)))?;
    unique("processor", strips().flat_map(|st| st.processors.iter().map(|x| x.id.0)))?;
    unique("marker", s.markers.iter().map(|m| m.id.0))?;
    unique("group", s.groups.iter().map(|g| g.id.0))
}

/// The strips `from` feeds directly: its output bus, its sends' buses, and the
/// strips with a processor keyed by it (the master is a sink and never on a loop).
pub(crate) fn feeds(s: &Session, from: StripRef) -> Vec<StripRef> {
    let (strip, output) = match from {
        StripRef::Track(id) => match s.track(id) {
            Some(t) => (&t.strip, t.output),
            None => return Vec::new(),
        },
        StripRef::Bus(id) => match s.bus(id) {
            Some(b) => (&b.strip, b.output),
            None => return Vec::new(),
        },
        StripRef::Master => return Vec::new(),
    };
    let mut out = Vec::new();
    if let Output::Bus(b) = output {
        out.push(StripRef::Bus(b));
    }
    out.extend(strip.sends.iter().map(|x| StripRef::Bus(x.target)));
    let keyed = s
        .tracks
        .iter()
        .map(|t| (StripRef::Track(t.id), &t.strip))
        .chain(s.buses.iter().map(|b| (StripRef::Bus(b.id), &b.strip)));
    for (to, st) in keyed {
        if st.processors.iter().any(|p| p.sidechain == Some(from)) && !out.contains(&to) {
            out.push(to);
        }
    }
    out
}

/// The name of a strip for messages: "track 'Kick'", "bus 'Drums'".
pub(crate) fn strip_name(s: &Session, r: StripRef) -> String {
    match r {
        StripRef::Track(id) => {
            s.track(id).map_or_else(|| format!("track {id}"), |t| format!("track '{}'", t.name))
        }
        StripRef::Bus(id) => s.bus(id).map_or_else(|| id.to_string(), |b| format!("bus '{}'", b.name)),
        StripRef::Master => "the master".to_owned(),
    }
}

/// Depth-first search over strip -> strip edges (outputs, sends and sidechains).
fn check_routing_loops(s: &Session) -> Result<(), ValidationError> {
    let nodes: Vec<StripRef> = s
        .tracks
        .iter()
        .map(|t| StripRef::Track(t.id))
        .chain(s.buses.iter().map(|b| StripRef::Bus(b.id)))
        .collect();
    let edges: HashMap<StripRef, Vec<StripRef>> = nodes.iter().map(|n| (*n, feeds(s, *n))).collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit(
        id: StripRef,
        edges: &HashMap<StripRef, Vec<StripRef>>,
        marks: &mut HashMap<StripRef, Mark>,
        stack: &mut Vec<StripRef>,
    ) -> Option<Vec<StripRef>> {
        match marks.get(&id) {
            Some(Mark::Done) => return None,
            Some(Mark::Visiting) => {
                let from = stack.iter().position(|b| *b == id).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(id);
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(id, Mark::Visiting);
        stack.push(id);
        for next in edges.get(&id).into_iter().flatten() {
            if let Some(c) = visit(*next, edges, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(id, Mark::Done);
        None
    }
    let mut marks = HashMap::new();
    for n in &nodes {
        if let Some(cycle) = visit(*n, &edges, &mut marks, &mut Vec::new()) {
            let path = cycle.into_iter().map(|r| strip_name(s, r)).collect::<Vec<_>>().join(" -> ");
            return Err(ValidationError::RoutingLoop { path });
        }
    }
    Ok(())
}

//! Automation lanes as DAWproject `Points`: one per lane, in a `Lanes` of the
//! arrangement (seconds), its `Target` the id of the parameter element it
//! drives (a channel's `Volume`, `Pan` or `Mute`, a send's `Volume` or
//! `Pan`, a device's `RealParameter`). Values are in that element's unit:
//! fader and send levels linear, pans normalized, mute as `BoolPoint`s,
//! processor parameters as they are. A segment shape is linear or hold
//! (step); other shapes become linear and are listed, as is a lane's mode.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::write::{channel_id, linear};
use super::xml::Element;
use crate::session::{AutoMode, Lane, ParamId, Point, SendParam, Session, Shape, StripParam};

/// The id of the XML element that holds `p` in a written project.
fn target(s: &Session, p: ParamId) -> Option<String> {
    Some(match p {
        ParamId::Strip(r, StripParam::Fader) => format!("{}-volume", channel_id(r)),
        ParamId::Strip(r, StripParam::Pan) => format!("{}-pan", channel_id(r)),
        ParamId::Strip(r, StripParam::Mute) => format!("{}-mute", channel_id(r)),
        ParamId::Strip(..) => return None,
        ParamId::Send(id, SendParam::Level) => format!("send{id}-volume"),
        ParamId::Send(id, SendParam::Pan) => format!("send{id}-pan"),
        ParamId::Processor(pid, index) => {
            let (r, i) = s.find_processor(pid)?;
            let p = &s.strip(r)?.processors[i];
            let key = crate::dsp::kind(&p.kind)?.params.get(usize::from(index))?.key;
            format!("{}-p{pid}-{key}", channel_id(r))
        }
    })
}

/// Writes every lane as `Points` (inside the arrangement's `Lanes`).
pub(super) fn write(x: &mut String, s: &Session, lost: &mut Vec<String>) {
    if s.automation.is_empty() {
        return;
    }
    let _ = writeln!(x, "      <Lanes id=\"automation\">");
    for (n, lane) in s.automation.iter().enumerate() {
        let label = crate::diff::param_label(s, lane.param).unwrap_or_else(|| format!("{:?}", lane.param));
        let Some(t) = target(s, lane.param) else {
            lost.push(format!("{label} automation"));
            continue;
        };
        let (unit, value): (&str, fn(f64) -> f64) = match lane.param {
            ParamId::Strip(_, StripParam::Fader) | ParamId::Send(_, SendParam::Level) => ("linear", linear),
            ParamId::Strip(_, StripParam::Pan) | ParamId::Send(_, SendParam::Pan) => {
                ("normalized", |v| (v + 1.0) / 2.0)
            }
            _ => ("linear", |v| v),
        };
        let mute = matches!(lane.param, ParamId::Strip(_, StripParam::Mute));
        let _ = writeln!(x, "        <Points unit=\"{unit}\" id=\"points{n}\">");
        let _ = writeln!(x, "          <Target parameter=\"{t}\"/>");
        let rate = f64::from(s.sample_rate);
        for p in &lane.points {
            let time = p.time as f64 / rate;
            if mute {
                let _ = writeln!(x, "          <BoolPoint time=\"{time}\" value=\"{}\"/>", p.value >= 0.5);
            } else {
                let hold = if p.shape == Shape::Step { "hold" } else { "linear" };
                let _ = writeln!(
                    x,
                    "          <RealPoint time=\"{time}\" value=\"{}\" interpolation=\"{hold}\"/>",
                    value(p.value)
                );
            }
        }
        let _ = writeln!(x, "        </Points>");
        if lane.points.iter().any(|p| !matches!(p.shape, Shape::Linear | Shape::Step)) {
            lost.push(format!("{label} automation curve shapes (written as straight lines)"));
        }
        if lane.mode != AutoMode::Read {
            lost.push(format!("{label} automation mode {:?}", lane.mode));
        }
    }
    let _ = writeln!(x, "      </Lanes>");
}

/// The lane of a `Points` element whose target is in `targets`, times in `unit` at `bpm`.
pub(super) fn read(
    points: &Element,
    unit: &str,
    s: &Session,
    targets: &HashMap<String, ParamId>,
) -> Option<Lane> {
    let param = *targets.get(points.child("Target")?.attr("parameter")?)?;
    let unit = points.attr("timeUnit").unwrap_or(unit);
    let linear_to_db = |v: f64| if v <= 0.0 { -144.0 } else { (20.0 * v.log10() * 1e9).round() / 1e9 };
    let decibels = points.attr("unit") == Some("decibel");
    let mut lane = Lane::new(param);
    for p in &points.children {
        let Some(t) = p.num("time") else { continue };
        let seconds = if unit == "beats" { t * 60.0 / s.tempo.bpm.max(1.0) } else { t };
        let time = crate::units::SampleTime::from_seconds(seconds, s.sample_rate).0;
        let value = match (p.name.as_str(), param) {
            ("BoolPoint", _) => f64::from(u8::from(p.attr("value") == Some("true"))),
            (_, ParamId::Strip(_, StripParam::Fader) | ParamId::Send(_, SendParam::Level)) if !decibels => {
                linear_to_db(p.num("value")?)
            }
            (_, ParamId::Strip(_, StripParam::Pan) | ParamId::Send(_, SendParam::Pan)) => {
                ((p.num("value")? * 2.0 - 1.0).clamp(-1.0, 1.0) * 1e9).round() / 1e9
            }
            _ => p.num("value")?,
        };
        // A mute lane steps whatever its points say (it is a switch).
        let shape = if p.attr("interpolation") == Some("hold") { Shape::Step } else { Shape::Linear };
        match lane.points.last_mut() {
            Some(last) if last.time >= time => {}
            _ => lane.points.push(Point { time, value, shape }),
        }
    }
    Some(lane)
}

//! Differences inside a channel strip: controls, switches, meter, sends and
//! the insert chain.

use std::collections::HashMap;

use super::{Differ, Kind, Place, mid_sentence, strip_label};
use crate::session::{
    BusId, MeterPoint, ParamInfo, Processor, ProcessorId, SendId, SendParam, Session, Strip, StripParam,
    StripRef,
};

/// Every difference between `sa` (strip `r` in the first session) and `sb`.
pub(super) fn strip(d: &mut Differ, r: StripRef, sa: &Strip, sb: &Strip) {
    let name = strip_label(d.b, r);
    let place = Place::Strip(r);
    for p in [StripParam::Trim, StripParam::Fader, StripParam::Pan, StripParam::Width] {
        let info = p.info();
        d.value(place, &format!("{name} {}", mid_sentence(info.name)), &info, p.get(sa), p.get(sb));
    }
    let on = |b: bool| if b { "on" } else { "off" };
    for (what, x, y) in
        [("mute", sa.mute, sb.mute), ("solo", sa.solo, sb.solo), ("solo safe", sa.solo_safe, sb.solo_safe)]
    {
        d.words(place, &format!("{name} {what}"), on(x), on(y));
    }
    let polarity = |b: bool| if b { "inverted" } else { "normal" };
    d.words(
        place,
        &format!("{name} polarity"),
        polarity(sa.polarity_inverted),
        polarity(sb.polarity_inverted),
    );
    let point = |p: MeterPoint| match p {
        MeterPoint::PreFader => "pre-fader",
        MeterPoint::PostFader => "post-fader",
    };
    d.words(place, &format!("{name} meter"), point(sa.meter.point), point(sb.meter.point));
    d.words(place, &format!("{name} meter true peak"), on(sa.meter.true_peak), on(sb.meter.true_peak));
    sends(d, r, sa, sb);
    processors(d, r, sa, sb);
}

/// The strip holding send `id` and the bus it feeds.
pub(super) fn find_send(s: &Session, id: SendId) -> Option<(StripRef, BusId)> {
    s.strips().find_map(|(r, st)| st.sends.iter().find(|x| x.id == id).map(|x| (r, x.target)))
}

fn sends(d: &mut Differ, r: StripRef, sa: &Strip, sb: &Strip) {
    let name = strip_label(d.b, r);
    let bus = |s: &Session, id: BusId| strip_label(s, StripRef::Bus(id));
    for x in sa.sends.iter().filter(|x| !sb.sends.iter().any(|y| y.id == x.id)) {
        let text = format!("{name} send to {} removed", bus(d.a, x.target));
        d.push(Place::Send(x.id), Kind::Removed, text);
    }
    for y in &sb.sends {
        let place = Place::Send(y.id);
        let level = SendParam::Level.info();
        let Some(x) = sa.sends.iter().find(|x| x.id == y.id) else {
            let text =
                format!("{name} send to {} added at {}", bus(d.b, y.target), level.format(y.level_db.0));
            d.push(place, Kind::Added, text);
            continue;
        };
        let subject = format!("{name} send to {}", bus(d.b, y.target));
        if x.target != y.target {
            d.push(
                place,
                Kind::Changed,
                format!("{name} send target {} -> {}", bus(d.a, x.target), bus(d.b, y.target)),
            );
        }
        d.value(place, &subject, &level, x.level_db.0, y.level_db.0);
        d.value(place, &format!("{subject} pan"), &SendParam::Pan.info(), x.pan.0, y.pan.0);
        let tap = |pre: bool| if pre { "pre-fader" } else { "post-fader" };
        d.words(place, &subject, tap(x.pre_fader), tap(y.pre_fader));
    }
}

/// A processor by its kind's display name ("EQ"), numbered when the strip has
/// more than one of its kind ("EQ 2").
pub(crate) fn processor_label(strip: &Strip, p: &Processor) -> String {
    let kind = crate::dsp::kind(&p.kind).map_or(p.kind.as_str(), |k| k.name);
    let same: Vec<ProcessorId> = strip.processors.iter().filter(|q| q.kind == p.kind).map(|q| q.id).collect();
    match same.iter().position(|id| *id == p.id) {
        Some(i) if same.len() > 1 => format!("{kind} {}", i + 1),
        _ => kind.to_owned(),
    }
}

fn processors(d: &mut Differ, r: StripRef, sa: &Strip, sb: &Strip) {
    let name = strip_label(d.b, r);
    let where_a: HashMap<ProcessorId, StripRef> =
        d.a.strips().flat_map(|(r, s)| s.processors.iter().map(move |p| (p.id, r))).collect();
    let where_b: HashMap<ProcessorId, StripRef> =
        d.b.strips().flat_map(|(r, s)| s.processors.iter().map(move |p| (p.id, r))).collect();
    for p in sa.processors.iter().filter(|p| !where_b.contains_key(&p.id)) {
        let text = format!("{name} {} removed", processor_label(sa, p));
        d.push(Place::Processor(p.id), Kind::Removed, text);
    }
    for q in &sb.processors {
        let label = format!("{name} {}", processor_label(sb, q));
        let place = Place::Processor(q.id);
        let before = match where_a.get(&q.id) {
            None => {
                d.push(place, Kind::Added, format!("{label} added"));
                continue;
            }
            Some(&from) if from != r => {
                let old = strip_label(d.a, from);
                d.push(place, Kind::Changed, format!("{label} moved here from {old}"));
                d.a.processor(q.id)
            }
            Some(_) => sa.processors.iter().find(|p| p.id == q.id),
        };
        if let Some(p) = before {
            processor(d, &label, p, q);
        }
    }
    let common = |x: &Strip, y: &Strip| -> Vec<ProcessorId> {
        x.processors.iter().filter(|p| y.processors.iter().any(|q| q.id == p.id)).map(|p| p.id).collect()
    };
    if common(sa, sb) != common(sb, sa) {
        let names = |s: &Strip, other: &Strip| -> String {
            let ids = common(s, other);
            let n: Vec<String> =
                s.processors.iter().filter(|p| ids.contains(&p.id)).map(|p| processor_label(s, p)).collect();
            n.join(", ")
        };
        let text = format!("{name} insert order {} -> {}", names(sa, sb), names(sb, sa));
        d.push(Place::Strip(r), Kind::Changed, text);
    }
}

/// Bypass, sidechain and parameters of one processor present in both sessions.
fn processor(d: &mut Differ, label: &str, p: &Processor, q: &Processor) {
    let place = Place::Processor(q.id);
    if p.kind != q.kind {
        d.push(place, Kind::Changed, format!("{label} kind {} -> {}", p.kind, q.kind));
        return;
    }
    let state = |b: bool| if b { "bypassed" } else { "active" };
    d.words(place, label, state(p.bypassed), state(q.bypassed));
    let key =
        |s: &Session, k: Option<StripRef>| k.map_or_else(|| "own input".to_owned(), |r| strip_label(s, r));
    d.words(place, &format!("{label} sidechain"), &key(d.a, p.sidechain), &key(d.b, q.sidechain));
    let tap = |post: bool| if post { "post-fader" } else { "pre-fader" };
    d.words(place, &format!("{label} key"), tap(p.sidechain_post_fader), tap(q.sidechain_post_fader));
    match crate::dsp::kind(&q.kind) {
        Some(spec) => {
            let value = |x: &Processor, info: &ParamInfo| {
                x.params.get(info.key).map_or(info.default, |v| info.clamp(*v))
            };
            for info in spec.params.iter().filter(|i| !i.hidden) {
                let subject = format!("{label} {}", mid_sentence(info.name));
                d.value(place, &subject, info, value(p, info), value(q, info));
            }
            // Learned data (a noise profile) is one change, not one line per band.
            let learned = spec.params.iter().filter(|i| i.hidden);
            let changed = learned.clone().filter(|i| value(p, i) != value(q, i)).count();
            if changed > 0 {
                let all = learned.count();
                d.push(
                    place,
                    Kind::Changed,
                    format!("{label} learned profile changed ({changed} of {all} bands)"),
                );
            }
        }
        None => {
            // A kind this build does not know: compare the raw values by key.
            let raw = ParamInfo::new("", "", crate::session::Unit::Ratio, f64::MIN, f64::MAX, 0.0);
            let keys: std::collections::BTreeSet<&String> = p.params.keys().chain(q.params.keys()).collect();
            for k in keys {
                let (x, y) = (p.params.get(k).copied(), q.params.get(k).copied());
                if x != y {
                    let v = |v: Option<f64>| v.map_or(f64::NAN, |v| v);
                    d.value(place, &format!("{label} {k}"), &raw, v(x), v(y));
                }
            }
        }
    }
}

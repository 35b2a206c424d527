//! Differences on the timeline: clips, markers, the loop range and automation.

use super::{Differ, Kind, Place, param_label, seconds, strip_label};
use crate::session::{Clip, Fade, FadeShape, ParamId, Session, StripRef, Track};

/// A clip by its media file's name ("bass.wav"), with its start when the track
/// has another clip of the same file.
fn clip_label(track: &Track, c: &Clip, rate: u32) -> String {
    let file =
        c.media.file_name().map_or_else(|| c.media.display().to_string(), |n| n.to_string_lossy().into());
    let same = track.clips.iter().filter(|x| x.media.file_name() == c.media.file_name()).count();
    if same > 1 { format!("{file} at {}", seconds(c.start.0, rate)) } else { file }
}

fn find_clip(s: &Session, id: crate::session::ClipId) -> Option<(&Track, &Clip)> {
    s.tracks.iter().find_map(|t| t.clips.iter().find(|c| c.id == id).map(|c| (t, c)))
}

/// Clips of a track present in both sessions (`ta` in the first, `tb` in the second).
pub(super) fn clips(d: &mut Differ, ta: &Track, tb: &Track) {
    let (ra, rb) = (d.a.sample_rate, d.b.sample_rate);
    let name = strip_label(d.b, StripRef::Track(tb.id));
    for c in ta.clips.iter().filter(|c| find_clip(d.b, c.id).is_none()) {
        let text = format!("{name} clip {} removed", clip_label(ta, c, ra));
        d.push(Place::Clip(c.id), Kind::Removed, text);
    }
    for c in &tb.clips {
        let label = format!("{name} clip {}", clip_label(tb, c, rb));
        let place = Place::Clip(c.id);
        let Some((from_track, old)) = find_clip(d.a, c.id) else {
            d.push(place, Kind::Added, format!("{label} added at {}", seconds(c.start.0, rb)));
            continue;
        };
        if from_track.id != tb.id {
            let from = strip_label(d.a, StripRef::Track(from_track.id));
            d.push(place, Kind::Changed, format!("{label} moved here from {from}"));
        }
        clip(d, &label, old, c);
    }
}

fn clip(d: &mut Differ, label: &str, a: &Clip, b: &Clip) {
    let place = Place::Clip(b.id);
    let (ra, rb) = (d.a.sample_rate, d.b.sample_rate);
    if a.media != b.media {
        let text = format!("{label} media {} -> {}", a.media.display(), b.media.display());
        d.push(place, Kind::Changed, text);
    }
    for (what, x, y) in [
        ("start", a.start.0, b.start.0),
        ("length", a.length.0, b.length.0),
        ("source offset", a.source_offset.0, b.source_offset.0),
    ] {
        d.words(place, &format!("{label} {what}"), &seconds(x, ra), &seconds(y, rb));
    }
    let gain = crate::session::StripParam::Fader.info();
    d.value(place, &format!("{label} gain"), &gain, a.gain_db.0, b.gain_db.0);
    fade(d, &format!("{label} fade-in"), place, a.fade_in, b.fade_in);
    fade(d, &format!("{label} fade-out"), place, a.fade_out, b.fade_out);
    match (a.fingerprint, b.fingerprint) {
        (x, y) if x == y => {}
        (None, Some(_)) => d.push(place, Kind::Changed, format!("{label} content fingerprint recorded")),
        (Some(_), None) => d.push(place, Kind::Changed, format!("{label} content fingerprint dropped")),
        _ => d.push(place, Kind::Changed, format!("{label} content fingerprint updated")),
    }
}

fn fade(d: &mut Differ, subject: &str, place: Place, a: Fade, b: Fade) {
    d.words(place, subject, &seconds(a.length.0, d.a.sample_rate), &seconds(b.length.0, d.b.sample_rate));
    let shape = |s: FadeShape| match s {
        FadeShape::Linear => "linear",
        FadeShape::EqualPower => "equal power",
        FadeShape::Exponential => "exponential",
        FadeShape::SCurve => "S-curve",
    };
    d.words(place, &format!("{subject} shape"), shape(a.shape), shape(b.shape));
}

pub(super) fn markers(d: &mut Differ) {
    let (a, b) = (d.a, d.b);
    for m in a.markers.iter().filter(|m| !b.markers.iter().any(|x| x.id == m.id)) {
        d.push(Place::Marker(m.id), Kind::Removed, format!("Marker \"{}\" removed", m.name));
    }
    for m in &b.markers {
        let place = Place::Marker(m.id);
        let Some(old) = a.markers.iter().find(|x| x.id == m.id) else {
            let text = format!("Marker \"{}\" added at {}", m.name, seconds(m.position.0, b.sample_rate));
            d.push(place, Kind::Added, text);
            continue;
        };
        if old.name != m.name {
            d.push(place, Kind::Changed, format!("Marker \"{}\" renamed to \"{}\"", old.name, m.name));
        }
        let (f, t) = (seconds(old.position.0, a.sample_rate), seconds(m.position.0, b.sample_rate));
        d.words(place, &format!("Marker \"{}\" moved", m.name), &f, &t);
    }
}

pub(super) fn loop_range(d: &mut Differ) {
    let range = |s: &Session| {
        s.loop_range.map(|l| {
            (
                format!("{} - {}", seconds(l.start.0, s.sample_rate), seconds(l.end.0, s.sample_rate)),
                l.enabled,
            )
        })
    };
    let on = |b: bool| if b { "on" } else { "off" };
    match (range(d.a), range(d.b)) {
        (None, None) => {}
        (None, Some((r, _))) => d.push(Place::Loop, Kind::Added, format!("Loop range set to {r}")),
        (Some((r, _)), None) => d.push(Place::Loop, Kind::Removed, format!("Loop range {r} removed")),
        (Some((ra, ea)), Some((rb, eb))) => {
            d.words(Place::Loop, "Loop range", &ra, &rb);
            d.words(Place::Loop, "Looping", on(ea), on(eb));
        }
    }
}

/// Lanes by parameter; lanes of strips, sends or processors that were added or
/// removed are left out (the owner's line says it).
pub(super) fn automation(d: &mut Differ) {
    let (a, b) = (d.a, d.b);
    let points = |n: usize| if n == 1 { "1 point".to_owned() } else { format!("{n} points") };
    let label = |s: &Session, p: ParamId| param_label(s, p).unwrap_or_else(|| format!("{p:?}"));
    for lane in a.automation.iter().filter(|l| !b.automation.iter().any(|x| x.param == l.param)) {
        if b.param_info(lane.param).is_some() {
            let text = format!("{} automation removed ({})", label(a, lane.param), points(lane.points.len()));
            d.push(Place::Automation(lane.param), Kind::Removed, text);
        }
    }
    for lane in &b.automation {
        let place = Place::Automation(lane.param);
        let name = label(b, lane.param);
        let Some(old) = a.automation.iter().find(|x| x.param == lane.param) else {
            if a.param_info(lane.param).is_some() {
                let text = format!("{name} automation added ({})", points(lane.points.len()));
                d.push(place, Kind::Added, text);
            }
            continue;
        };
        if old.points != lane.points {
            let (n, m) = (old.points.len(), lane.points.len());
            let text = if n == m {
                format!("{name} automation changed ({})", points(m))
            } else {
                format!("{name} automation changed ({n} -> {})", points(m))
            };
            d.push(place, Kind::Changed, text);
        }
        d.words(
            place,
            &format!("{name} automation mode"),
            &format!("{:?}", old.mode),
            &format!("{:?}", lane.mode),
        );
    }
}

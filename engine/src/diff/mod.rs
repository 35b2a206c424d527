//! The semantic difference between two sessions, in words: what the history
//! panel calls each undo step, what a recovered autosave and a mix version are
//! compared by, and what `mixdesk diff` prints.
//!
//! [`diff`] walks both documents by stable id and reports each change once, in
//! a fixed order (session settings, tracks, buses, master, groups, markers, loop,
//! automation, review notes). Strips are named by their name ("Bass", "Master"), levels in
//! dB with one decimal, pans as `C`/`L30`/`R30`, processor parameters by the
//! processor's display name and the parameter's name and format from the
//! registry, times in seconds with three decimals. Two sessions are equal
//! exactly when the list is empty: a difference that reads the same in words
//! (a processor parameter written out at its default, say) is still reported,
//! as "Other changes".

mod folders;
mod groups;
mod notes;
mod strip;
mod timeline;

use std::fmt;

use crate::session::{
    BusId, ClipId, MarkerId, NoteId, Output, PanLaw, ParamId, ParamInfo, ProcessorId, SendId, Session,
    StripRef,
};

/// What a [`Change`] is about, for the GUI to select or highlight it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// A session-wide setting (rate, pan law, tempo, track order).
    Session,
    /// A track's, bus's or the master's strip, or the track or bus itself.
    Strip(StripRef),
    /// A send.
    Send(SendId),
    /// An insert processor.
    Processor(ProcessorId),
    /// A clip.
    Clip(ClipId),
    /// The automation lane of a parameter.
    Automation(ParamId),
    /// A marker.
    Marker(MarkerId),
    /// The loop range.
    Loop,
    /// A review note.
    Note(NoteId),
}

/// Whether something appeared, disappeared or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// In the second session only.
    Added,
    /// In the first session only.
    Removed,
    /// In both, different.
    Changed,
}

/// One difference, with its wording (`Display`), e.g.
/// `Bass fader -3.0 dB -> -4.5 dB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What it is about.
    pub place: Place,
    /// Added, removed or changed.
    pub kind: Kind,
    /// The change in words.
    pub text: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Every difference from `a` to `b`, in words. Empty exactly when the two
/// sessions are equal (the format `version` field aside).
pub fn diff(a: &Session, b: &Session) -> Vec<Change> {
    let mut d = Differ { a, b, out: Vec::new() };
    d.settings();
    d.tracks();
    d.buses();
    strip::strip(&mut d, StripRef::Master, &a.master, &b.master);
    groups::groups(&mut d);
    folders::folders(&mut d);
    timeline::markers(&mut d);
    timeline::loop_range(&mut d);
    timeline::automation(&mut d);
    notes::notes(&mut d);
    if d.out.is_empty() && !same_but_version(a, b) {
        d.push(Place::Session, Kind::Changed, "Other changes (values that read the same in words)".into());
    }
    d.out
}

fn same_but_version(a: &Session, b: &Session) -> bool {
    if a.version == b.version {
        return a == b;
    }
    let mut a = a.clone();
    a.version = b.version;
    a == *b
}

/// The walk over two sessions and the list it builds.
pub(crate) struct Differ<'a> {
    a: &'a Session,
    b: &'a Session,
    out: Vec<Change>,
}

impl Differ<'_> {
    fn push(&mut self, place: Place, kind: Kind, text: String) {
        self.out.push(Change { place, kind, text });
    }

    /// `SUBJECT FROM -> TO` when the values differ, each shown by `info`.
    fn value(&mut self, place: Place, subject: &str, info: &ParamInfo, from: f64, to: f64) {
        if from.to_bits() == to.to_bits() || from == to {
            return;
        }
        let (f, t) = shown_pair(|v| info.format(v), from, to);
        self.push(place, Kind::Changed, format!("{subject} {f} -> {t}"));
    }

    /// `SUBJECT FROM -> TO` for values already in words, when they differ.
    fn words(&mut self, place: Place, subject: &str, from: &str, to: &str) {
        if from != to {
            self.push(place, Kind::Changed, format!("{subject} {from} -> {to}"));
        }
    }

    fn settings(&mut self) {
        let (a, b) = (self.a, self.b);
        let rate = |r: u32| format!("{r} Hz");
        self.words(Place::Session, "Sample rate", &rate(a.sample_rate), &rate(b.sample_rate));
        self.words(Place::Session, "Pan law", pan_law(a.pan_law), pan_law(b.pan_law));
        if a.tempo.bpm != b.tempo.bpm {
            let (f, t) = shown_pair(|v| format!("{v:.1} BPM"), a.tempo.bpm, b.tempo.bpm);
            self.push(Place::Session, Kind::Changed, format!("Tempo {f} -> {t}"));
        }
        let sig = |s: &Session| format!("{}/{}", s.tempo.beats_per_bar, s.tempo.beat_unit);
        self.words(Place::Session, "Time signature", &sig(a), &sig(b));
    }

    fn tracks(&mut self) {
        let (a, b) = (self.a, self.b);
        for ta in a.tracks.iter().filter(|t| b.track(t.id).is_none()) {
            let place = Place::Strip(StripRef::Track(ta.id));
            self.push(place, Kind::Removed, format!("Track \"{}\" removed", ta.name));
        }
        for tb in &b.tracks {
            let r = StripRef::Track(tb.id);
            let Some(ta) = a.track(tb.id) else {
                self.push(Place::Strip(r), Kind::Added, format!("Track \"{}\" added", tb.name));
                continue;
            };
            self.renamed(r, "Track", &ta.name, &tb.name);
            self.looks(r, (ta.colour, &ta.comment), (tb.colour, &tb.comment));
            self.output(r, ta.output, tb.output);
            if ta.layout != tb.layout {
                let text = format!("Track \"{}\" layout {:?} -> {:?}", tb.name, ta.layout, tb.layout);
                self.push(Place::Strip(r), Kind::Changed, text);
            }
            strip::strip(self, r, &ta.strip, &tb.strip);
            timeline::clips(self, ta, tb);
        }
        let order = |s: &Session, other: &Session| -> Vec<String> {
            s.tracks.iter().filter(|t| other.track(t.id).is_some()).map(|t| t.name.clone()).collect()
        };
        let ids = |s: &Session, other: &Session| -> Vec<_> {
            s.tracks.iter().filter(|t| other.track(t.id).is_some()).map(|t| t.id).collect()
        };
        if ids(a, b) != ids(b, a) {
            let (f, t) = (order(a, b).join(", "), order(b, a).join(", "));
            self.push(Place::Session, Kind::Changed, format!("Track order {f} -> {t}"));
        }
    }

    fn buses(&mut self) {
        let (a, b) = (self.a, self.b);
        for ba in a.buses.iter().filter(|x| b.bus(x.id).is_none()) {
            let place = Place::Strip(StripRef::Bus(ba.id));
            self.push(place, Kind::Removed, format!("{} \"{}\" removed", bus_word(ba), ba.name));
        }
        for bb in &b.buses {
            let r = StripRef::Bus(bb.id);
            let Some(ba) = a.bus(bb.id) else {
                self.push(Place::Strip(r), Kind::Added, format!("{} \"{}\" added", bus_word(bb), bb.name));
                continue;
            };
            self.renamed(r, bus_word(bb), &ba.name, &bb.name);
            let members = |s: &Session, x: &crate::session::Bus| -> String {
                let v = x.vca.as_ref().map_or(&[][..], |v| &v.members[..]);
                let n: Vec<String> = v.iter().map(|m| strip_label(s, *m)).collect();
                if n.is_empty() { "none".to_owned() } else { n.join(", ") }
            };
            if ba.vca != bb.vca {
                let text = format!("VCA \"{}\" members {} -> {}", bb.name, members(a, ba), members(b, bb));
                self.push(Place::Strip(r), Kind::Changed, text);
            }
            self.looks(r, (ba.colour, &ba.comment), (bb.colour, &bb.comment));
            self.output(r, ba.output, bb.output);
            strip::strip(self, r, &ba.strip, &bb.strip);
        }
        let ids = |s: &Session, other: &Session| -> Vec<BusId> {
            s.buses.iter().filter(|x| other.bus(x.id).is_some()).map(|x| x.id).collect()
        };
        if ids(a, b) != ids(b, a) {
            let names = |s: &Session, other: &Session| -> String {
                let n: Vec<&str> =
                    s.buses.iter().filter(|x| other.bus(x.id).is_some()).map(|x| x.name.as_str()).collect();
                n.join(", ")
            };
            let text = format!("Bus order {} -> {}", names(a, b), names(b, a));
            self.push(Place::Session, Kind::Changed, text);
        }
    }

    fn renamed(&mut self, r: StripRef, what: &str, from: &str, to: &str) {
        if from != to {
            self.push(Place::Strip(r), Kind::Changed, format!("{what} \"{from}\" renamed to \"{to}\""));
        }
    }

    fn looks(
        &mut self,
        r: StripRef,
        a: (crate::session::Colour, &String),
        b: (crate::session::Colour, &String),
    ) {
        let name = strip_label(self.b, r);
        if a.0 != b.0 {
            self.push(Place::Strip(r), Kind::Changed, format!("{name} colour changed"));
        }
        if a.1 != b.1 {
            self.push(Place::Strip(r), Kind::Changed, format!("{name} comment changed"));
        }
    }

    fn output(&mut self, r: StripRef, from: Output, to: Output) {
        if from != to {
            let name = strip_label(self.b, r);
            let (f, t) = (output_label(self.a, from), output_label(self.b, to));
            self.push(Place::Strip(r), Kind::Changed, format!("{name} output {f} -> {t}"));
        }
    }
}

/// A strip's name for messages: the track's or bus's name, or "Master"; with
/// its id when another strip has the same name.
pub(crate) fn strip_label(s: &Session, r: StripRef) -> String {
    let name = match r {
        StripRef::Track(id) => s.track(id).map(|t| t.name.as_str()),
        StripRef::Bus(id) => s.bus(id).map(|b| b.name.as_str()),
        StripRef::Master => return "Master".to_owned(),
    };
    let Some(name) = name else { return r.to_string() };
    let same = s.tracks.iter().filter(|t| t.name == name).count()
        + s.buses.iter().filter(|b| b.name == name).count();
    if same > 1 || name == "Master" { format!("{name} ({r})") } else { name.to_owned() }
}

fn output_label(s: &Session, o: Output) -> String {
    match o {
        Output::Master => "Master".to_owned(),
        Output::Bus(b) => strip_label(s, StripRef::Bus(b)),
    }
}

fn pan_law(l: PanLaw) -> &'static str {
    match l {
        PanLaw::ZeroDb => "0 dB",
        PanLaw::Minus3Db => "-3 dB",
        PanLaw::Minus4_5Db => "-4.5 dB",
        PanLaw::Minus6Db => "-6 dB",
    }
}

/// Both values in words; when they read the same although they differ, with
/// the exact numbers after them so the change is visible.
fn shown_pair(show: impl Fn(f64) -> String, from: f64, to: f64) -> (String, String) {
    let (f, t) = (show(from), show(to));
    if f == t { (format!("{f} ({from})"), format!("{t} ({to})")) } else { (f, t) }
}

/// A parameter's display name as it reads mid-sentence: "High-pass frequency"
/// becomes "high-pass frequency"; names starting with an acronym keep it.
pub(crate) fn mid_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_owned(),
    }
}

/// A time on the timeline in seconds, three decimals: "1.500 s".
fn seconds(samples: u64, rate: u32) -> String {
    format!("{:.3} s", samples as f64 / f64::from(rate.max(1)))
}

/// A parameter by name: "Bass fader", "Bass send to Reverb level",
/// "Bass EQ high-pass frequency".
pub(crate) fn param_label(s: &Session, id: ParamId) -> Option<String> {
    match id {
        ParamId::Strip(r, p) => {
            s.strip(r)?;
            Some(format!("{} {}", strip_label(s, r), mid_sentence(p.info().name)))
        }
        ParamId::Send(send, p) => {
            let (owner, target) = strip::find_send(s, send)?;
            let what = match p {
                crate::session::SendParam::Level => "level",
                crate::session::SendParam::Pan => "pan",
            };
            Some(format!(
                "{} send to {} {what}",
                strip_label(s, owner),
                strip_label(s, StripRef::Bus(target))
            ))
        }
        ParamId::Processor(pid, index) => {
            let (r, i) = s.find_processor(pid)?;
            let strip = s.strip(r)?;
            let p = &strip.processors[i];
            let info = crate::dsp::kind(&p.kind)?.params.get(usize::from(index))?;
            Some(format!(
                "{} {} {}",
                strip_label(s, r),
                strip::processor_label(strip, p),
                mid_sentence(info.name)
            ))
        }
    }
}

/// "VCA" for a VCA bus, "Bus" for the others.
fn bus_word(b: &crate::session::Bus) -> &'static str {
    if b.is_vca() { "VCA" } else { "Bus" }
}

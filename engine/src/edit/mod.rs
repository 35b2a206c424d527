//! Typed edits: a change to the document as a value.
//!
//! An [`Edit`] names what it changes (a parameter, a switch, a name), so
//! whoever applies it knows what changed without comparing sessions:
//! [`Edit::apply`] changes the session and returns the edit that undoes it,
//! and [`Edit::effect`] says what the engine must do (send the value on the
//! control plane, rebuild the graph, or nothing). The undo history keeps the
//! edits of each step ([`StepEdits`]) so undo and redo reach the engine the
//! same way.
//!
//! Things with an identity (clips, lanes, markers, inserts, sends, buses,
//! tracks) are edited by putting them whole where they belong, or removing
//! them: `Edit::Clip(id, Some(ClipAt { track, index, clip }))` adds, moves or
//! changes a clip, `Edit::Clip(id, None)` removes it, and the inverse is the
//! clip as it was where it was (`place.rs`). A whole new session (a mix
//! version switched to, media relinked) is [`Edit::Session`].

mod place;

pub use place::{BusAt, ClipAt, ProcessorAt, SendAt, TrackAt};

use crate::dsp;
use crate::session::{
    BusId, ClipId, Colour, Folder, FolderId, Group, GroupId, Lane, LoopRange, Marker, MarkerId, Note, Output,
    PanLaw, ParamId, ProcessorId, SendId, Session, StripRef, TrackId,
};

/// A switch on a strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Switch {
    /// Mute.
    Mute,
    /// Solo (in place).
    Solo,
    /// Solo safe: never muted by others' solo.
    SoloSafe,
    /// Polarity inverted.
    Polarity,
}

/// One change to the session. See the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A continuous parameter (strip control, send, processor parameter) to a
    /// value in its unit (clamped to its range).
    Param(ParamId, f64),
    /// A strip switch on or off.
    Switch(StripRef, Switch, bool),
    /// An insert out of circuit (true) or in.
    Bypass(ProcessorId, bool),
    /// The loop range.
    Loop(Option<LoopRange>),
    /// The session's pan law.
    PanLaw(PanLaw),
    /// A track's or bus's name.
    Name(StripRef, String),
    /// A track's or bus's colour.
    Colour(StripRef, Colour),
    /// A track's or bus's comment.
    Comment(StripRef, String),
    /// Put a clip on a track at an index (adding, moving or changing it), or remove it.
    Clip(ClipId, Option<ClipAt>),
    /// Set a parameter's automation lane (points, mode), or remove it.
    Lane(ParamId, Option<Lane>),
    /// Set a marker, or remove it.
    Marker(MarkerId, Option<Marker>),
    /// Put an insert on a strip at an index (adding, moving or changing it), or remove it.
    Processor(ProcessorId, Option<ProcessorAt>),
    /// Put a send on a strip at an index (adding or changing it), or remove it.
    Send(SendId, Option<SendAt>),
    /// Where a track or bus sends its output.
    Output(StripRef, Output),
    /// Put a bus at an index of the bus list, or remove it.
    Bus(BusId, Option<BusAt>),
    /// Put a track at an index of the track list, or remove it.
    Track(TrackId, Option<TrackAt>),
    /// Set a group (members, what it links, suspended), or remove it.
    Group(GroupId, Option<Group>),
    /// Set a folder (tracks, collapsed, summing bus), or remove it.
    Folder(FolderId, Option<Folder>),
    /// Replace the review notes (a status changed, notes imported).
    Notes(Vec<Note>),
    /// Replace the session's delivery presets (edited in the export dialog).
    Delivery(Vec<crate::deliver::preset::DeliveryPreset>),
    /// Replace the whole session (a mix version, relinked media).
    Session(Box<Session>),
}

/// What an applied edit asks of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing: the engine does not hear it (names, colours, comments).
    None,
    /// The edit itself, live: a value on the control plane or a switch.
    Live,
    /// The loop range changed.
    Loop,
    /// The graph's shape changed: compile a new one.
    Rebuild,
}

impl Edit {
    /// Applies the edit to `s`; returns the edit that undoes it, or `None`
    /// when it changed nothing (the same value, or no such strip/processor).
    pub fn apply(&self, s: &mut Session) -> Option<Edit> {
        let inverse = match self {
            Edit::Param(id, v) => {
                let before = s.param_value(*id)?;
                s.set_param(*id, *v);
                let after = s.param_value(*id)?;
                (after != before).then_some(Edit::Param(*id, before))?
            }
            Edit::Switch(r, which, on) => {
                let st = s.strip_mut(*r)?;
                let field = match which {
                    Switch::Mute => &mut st.mute,
                    Switch::Solo => &mut st.solo,
                    Switch::SoloSafe => &mut st.solo_safe,
                    Switch::Polarity => &mut st.polarity_inverted,
                };
                let before = std::mem::replace(field, *on);
                (before != *on).then_some(Edit::Switch(*r, *which, before))?
            }
            Edit::Bypass(id, on) => {
                let before = s.processor(*id)?.bypassed;
                s.set_bypass(*id, *on).ok()?;
                (before != *on).then_some(Edit::Bypass(*id, before))?
            }
            Edit::Loop(range) => {
                let before = std::mem::replace(&mut s.loop_range, *range);
                (before != *range).then_some(Edit::Loop(before))?
            }
            Edit::PanLaw(law) => {
                let before = std::mem::replace(&mut s.pan_law, *law);
                (before != *law).then_some(Edit::PanLaw(before))?
            }
            Edit::Name(r, name) => {
                let field = head(s, *r)?.0;
                let before = std::mem::replace(field, name.clone());
                (before != *name).then_some(Edit::Name(*r, before))?
            }
            Edit::Colour(r, c) => {
                let field = head(s, *r)?.1;
                let before = std::mem::replace(field, *c);
                (before != *c).then_some(Edit::Colour(*r, before))?
            }
            Edit::Comment(r, text) => {
                let field = head(s, *r)?.2;
                let before = std::mem::replace(field, text.clone());
                (before != *text).then_some(Edit::Comment(*r, before))?
            }
            Edit::Clip(id, at) => Edit::Clip(*id, place::clip(s, *id, at.as_ref())?),
            Edit::Lane(param, lane) => Edit::Lane(*param, place::lane(s, *param, lane.as_ref())?),
            Edit::Marker(id, m) => Edit::Marker(*id, place::marker(s, *id, m.as_ref())?),
            Edit::Group(id, g) => Edit::Group(*id, place::group(s, *id, g.as_ref())?),
            Edit::Folder(id, f) => Edit::Folder(*id, place::folder(s, *id, f.as_ref())?),
            Edit::Processor(id, at) => Edit::Processor(*id, place::processor(s, *id, at.as_ref())?),
            Edit::Send(id, at) => Edit::Send(*id, place::send(s, *id, at.as_ref())?),
            Edit::Output(r, o) => Edit::Output(*r, place::output(s, *r, *o)?),
            Edit::Bus(id, at) => Edit::Bus(*id, place::bus(s, *id, at.as_ref())?),
            Edit::Track(id, at) => Edit::Track(*id, place::track(s, *id, at.as_ref())?),
            Edit::Notes(notes) => {
                let before = std::mem::replace(&mut s.notes, notes.clone());
                (before != *notes).then_some(Edit::Notes(before))?
            }
            Edit::Delivery(presets) => {
                let before = std::mem::replace(&mut s.delivery, presets.clone());
                (before != *presets).then_some(Edit::Delivery(before))?
            }
            Edit::Session(new) => {
                if **new == *s {
                    return None;
                }
                Edit::Session(Box::new(std::mem::replace(s, (**new).clone())))
            }
        };
        Some(inverse)
    }

    /// What the engine must do once the edit is applied to `s`: a structural
    /// parameter of a processor (one that sizes buffers or changes latency)
    /// rebuilds the graph; every other value goes out live.
    pub fn effect(&self, s: &Session) -> Effect {
        match self {
            Edit::Param(ParamId::Processor(id, index), _) => {
                let structural = s
                    .processor(*id)
                    .and_then(|p| dsp::kind(&p.kind))
                    .is_some_and(|k| k.structural.contains(&usize::from(*index)));
                if structural { Effect::Rebuild } else { Effect::Live }
            }
            // Solo safe decides which strips a solo silences: compiled into the graph.
            Edit::Switch(_, Switch::SoloSafe, _) => Effect::Rebuild,
            Edit::Param(..) | Edit::Switch(..) | Edit::Bypass(..) => Effect::Live,
            Edit::Loop(_) => Effect::Loop,
            // A group only links editing: its members' own values are what plays.
            Edit::Name(..)
            | Edit::Colour(..)
            | Edit::Comment(..)
            | Edit::Marker(..)
            | Edit::Group(..)
            | Edit::Folder(..)
            | Edit::Notes(_)
            | Edit::Delivery(_) => Effect::None,
            Edit::Clip(..)
            | Edit::Lane(..)
            | Edit::Processor(..)
            | Edit::Send(..)
            | Edit::Output(..)
            | Edit::Bus(..)
            | Edit::Track(..)
            | Edit::PanLaw(_)
            | Edit::Session(_) => Effect::Rebuild,
        }
    }

    /// Whether `other` changes the same thing (so the later one supersedes it).
    pub fn same_target(&self, other: &Edit) -> bool {
        match (self, other) {
            (Edit::Param(a, _), Edit::Param(b, _)) => a == b,
            (Edit::Switch(a, x, _), Edit::Switch(b, y, _)) => a == b && x == y,
            (Edit::Bypass(a, _), Edit::Bypass(b, _)) => a == b,
            (Edit::Loop(_), Edit::Loop(_)) | (Edit::PanLaw(_), Edit::PanLaw(_)) => true,
            (Edit::Name(a, _), Edit::Name(b, _))
            | (Edit::Colour(a, _), Edit::Colour(b, _))
            | (Edit::Comment(a, _), Edit::Comment(b, _))
            | (Edit::Output(a, _), Edit::Output(b, _)) => a == b,
            (Edit::Clip(a, _), Edit::Clip(b, _)) => a == b,
            (Edit::Lane(a, _), Edit::Lane(b, _)) => a == b,
            (Edit::Marker(a, _), Edit::Marker(b, _)) => a == b,
            (Edit::Group(a, _), Edit::Group(b, _)) => a == b,
            (Edit::Folder(a, _), Edit::Folder(b, _)) => a == b,
            (Edit::Processor(a, _), Edit::Processor(b, _)) => a == b,
            (Edit::Send(a, _), Edit::Send(b, _)) => a == b,
            (Edit::Bus(a, _), Edit::Bus(b, _)) => a == b,
            (Edit::Track(a, _), Edit::Track(b, _)) => a == b,
            (Edit::Session(_), Edit::Session(_))
            | (Edit::Notes(_), Edit::Notes(_))
            | (Edit::Delivery(_), Edit::Delivery(_)) => true,
            _ => false,
        }
    }
}

/// The name, colour and comment of a track or bus (the master has none).
fn head(s: &mut Session, r: StripRef) -> Option<(&mut String, &mut Colour, &mut String)> {
    match r {
        StripRef::Track(id) => {
            s.tracks.iter_mut().find(|t| t.id == id).map(|t| (&mut t.name, &mut t.colour, &mut t.comment))
        }
        StripRef::Bus(id) => {
            s.buses.iter_mut().find(|b| b.id == id).map(|b| (&mut b.name, &mut b.colour, &mut b.comment))
        }
        StripRef::Master => None,
    }
}

/// What one undo step did, for replaying it to the engine on undo and redo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepEdits {
    /// The typed edits, oldest first, one per target (the last value).
    pub forward: Vec<Edit>,
    /// Their inverses, newest first, one per target (the value before the step).
    pub inverse: Vec<Edit>,
    /// Whether the step also changed the graph's shape (an untyped change):
    /// undo and redo rebuild the graph.
    pub rebuild: bool,
}

impl StepEdits {
    /// A step made of untyped changes: `rebuild` says whether the engine hears them.
    pub fn untyped(rebuild: bool) -> StepEdits {
        StepEdits { rebuild, ..StepEdits::default() }
    }

    /// Adds an applied edit and its inverse: a later edit of the same target
    /// replaces the earlier forward one, and the earliest inverse is kept.
    pub fn push(&mut self, edit: Edit, inverse: Edit) {
        match self.forward.iter_mut().find(|e| e.same_target(&edit)) {
            Some(e) => *e = edit,
            None => {
                self.forward.push(edit);
                self.inverse.insert(0, inverse);
            }
        }
    }

    /// This step followed by `later` (two steps merged into one).
    pub fn then(mut self, later: StepEdits) -> StepEdits {
        for (e, i) in later.forward.into_iter().zip(later.inverse.into_iter().rev()) {
            self.push(e, i);
        }
        self.rebuild |= later.rebuild;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Clip, StripParam, Track, TrackId};

    fn session() -> Session {
        let mut s = Session::new(48_000);
        s.tracks.push(Track::with_one_clip(1, "Bass", "bass.wav".into(), crate::units::SampleTime(48_000)));
        s
    }

    #[test]
    fn apply_returns_the_inverse_and_nothing_for_no_change() {
        let mut s = session();
        let fader = ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader);
        let undo = Edit::Param(fader, -6.0).apply(&mut s).unwrap();
        assert_eq!(undo, Edit::Param(fader, 0.0));
        assert_eq!(s.param_value(fader), Some(-6.0));
        assert_eq!(Edit::Param(fader, -6.0).apply(&mut s), None);
        undo.apply(&mut s);
        assert_eq!(s, session());
        let r = StripRef::Track(TrackId(1));
        let undo = Edit::Name(r, "Bass DI".into()).apply(&mut s).unwrap();
        assert_eq!(s.tracks[0].name, "Bass DI");
        undo.apply(&mut s);
        assert_eq!(s, session());
        assert_eq!(Edit::Switch(StripRef::Track(TrackId(9)), Switch::Mute, true).apply(&mut s), None);
    }

    /// Applies `e`, checks the session changed, applies the inverse, checks it is back.
    fn round_trip(s: &mut Session, e: Edit) -> Session {
        let before = s.clone();
        let undo = e.apply(s).unwrap_or_else(|| panic!("{e:?} changed nothing"));
        let after = s.clone();
        assert_ne!(after, before, "{e:?}");
        assert_eq!(e.apply(s), None, "applying {e:?} again changes nothing");
        undo.apply(s).unwrap();
        assert_eq!(*s, before, "the inverse of {e:?} restores the session");
        e.apply(s);
        after
    }

    #[test]
    fn every_structural_edit_is_undone_by_its_inverse() {
        use crate::session::{Bus, BusId, Lane, Marker, MarkerId, Output, Send, SendId};
        let mut s = session();
        s.tracks.push(Track::with_one_clip(2, "Kick", "kick.wav".into(), crate::units::SampleTime(96_000)));
        let clip = s.tracks[0].clips[0].clone();
        let (t1, t2) = (TrackId(1), TrackId(2));
        // Move a clip later on its track, then onto the other track first, then remove it.
        let moved = Clip { start: crate::units::SampleTime(4_800), ..clip.clone() };
        round_trip(&mut s, Edit::Clip(clip.id, Some(ClipAt { track: t1, index: 0, clip: moved.clone() })));
        let after =
            round_trip(&mut s, Edit::Clip(clip.id, Some(ClipAt { track: t2, index: 0, clip: moved })));
        assert_eq!(after.tracks[1].clips.len(), 2);
        assert_eq!(after.tracks[1].clips[0].id, clip.id);
        round_trip(&mut s, Edit::Clip(clip.id, None));
        assert_eq!(
            Edit::Clip(clip.id, Some(ClipAt { track: TrackId(99), index: 0, clip })).apply(&mut s),
            None
        );
        let fader = ParamId::Strip(StripRef::Track(t1), crate::session::StripParam::Fader);
        round_trip(&mut s, Edit::Lane(fader, Some(Lane::new(fader))));
        round_trip(&mut s, Edit::Lane(fader, None));
        let m = Marker { id: MarkerId(50), name: "Chorus".into(), position: crate::units::SampleTime(10) };
        round_trip(&mut s, Edit::Marker(m.id, Some(m)));
        let group = crate::session::Group {
            id: crate::session::GroupId(55),
            name: "Drums".into(),
            colour: Default::default(),
            members: vec![StripRef::Track(t1), StripRef::Track(t2)],
            shares: Default::default(),
            suspended: false,
        };
        round_trip(&mut s, Edit::Group(group.id, Some(group.clone())));
        round_trip(&mut s, Edit::PanLaw(crate::session::PanLaw::Minus6Db));
        round_trip(&mut s, Edit::Delivery(crate::deliver::preset::defaults()));
        round_trip(&mut s, Edit::Group(group.id, Some(crate::session::Group { suspended: true, ..group })));
        let bus = Bus {
            id: BusId(60),
            name: "Verb".into(),
            colour: Default::default(),
            comment: String::new(),
            strip: Default::default(),
            output: Output::Master,
            vca: None,
        };
        round_trip(&mut s, Edit::Bus(bus.id, Some(BusAt { index: 0, bus })));
        round_trip(&mut s, Edit::Output(StripRef::Track(t1), Output::Bus(BusId(60))));
        let send = Send {
            id: SendId(70),
            target: BusId(60),
            level_db: crate::session::Decibels(-10.0),
            pan: Default::default(),
            pre_fader: false,
        };
        round_trip(&mut s, Edit::Send(send.id, Some(SendAt { strip: StripRef::Track(t2), index: 0, send })));
        let eq = s.new_processor("eq").unwrap();
        let id = eq.id;
        round_trip(
            &mut s,
            Edit::Processor(
                id,
                Some(ProcessorAt { strip: StripRef::Track(t1), index: 0, processor: eq.clone() }),
            ),
        );
        let comp = s.new_processor("compressor").unwrap();
        round_trip(
            &mut s,
            Edit::Processor(
                comp.id,
                Some(ProcessorAt { strip: StripRef::Track(t1), index: 9, processor: comp }),
            ),
        );
        // Reorder: the EQ after the compressor.
        let after = round_trip(
            &mut s,
            Edit::Processor(id, Some(ProcessorAt { strip: StripRef::Track(t1), index: 1, processor: eq })),
        );
        assert_eq!(after.tracks[0].strip.processors[1].id, id);
        let kick = s.tracks[1].clone();
        round_trip(&mut s, Edit::Track(t2, None));
        round_trip(&mut s, Edit::Track(TrackId(80), Some(TrackAt { index: 0, track: kick })));
        let note = crate::session::Note::new(
            crate::session::NoteId(90),
            crate::units::SampleTime(48_000),
            "Ana",
            "vocal too quiet",
        );
        round_trip(&mut s, Edit::Notes(vec![note]));
        let mut other = s.clone();
        other.tempo.bpm = 96.0;
        round_trip(&mut s, Edit::Session(Box::new(other)));
    }

    #[test]
    fn a_step_keeps_the_last_value_and_the_first_inverse() {
        let fader = ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader);
        let pan = ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Pan);
        let mut step = StepEdits::default();
        step.push(Edit::Param(fader, -1.0), Edit::Param(fader, 0.0));
        step.push(Edit::Param(fader, -2.0), Edit::Param(fader, -1.0));
        let later = {
            let mut l = StepEdits::default();
            l.push(Edit::Param(pan, 0.5), Edit::Param(pan, 0.0));
            l.push(Edit::Param(fader, -3.0), Edit::Param(fader, -2.0));
            l
        };
        let step = step.then(later);
        assert_eq!(step.forward, vec![Edit::Param(fader, -3.0), Edit::Param(pan, 0.5)]);
        assert_eq!(step.inverse, vec![Edit::Param(pan, 0.0), Edit::Param(fader, 0.0)]);
    }
}

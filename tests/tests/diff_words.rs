//! The wording of the semantic diff, kind by kind, against sentences written
//! by hand: what the history panel, the recovery prompt and `mixdesk diff` show.

use std::path::PathBuf;

use mixdesk_engine::diff::{Kind, Place, diff};
use mixdesk_engine::session::{
    AutoMode, Bus, BusId, Decibels, Lane, LoopRange, Marker, MarkerId, Output, ParamId, Point, ProcessorId,
    SampleTime, Send, SendId, Session, StripParam, StripRef, Track, TrackId,
};

fn words(a: &Session, b: &Session) -> Vec<String> {
    diff(a, b).iter().map(ToString::to_string).collect()
}

const COMPRESSOR: ProcessorId = ProcessorId(13);

fn base() -> Session {
    let mut s = Session::new(48_000);
    s.tracks.push(Track::with_one_clip(1, "Kick", PathBuf::from("media/kick.wav"), SampleTime(4_800)));
    s.tracks.push(Track::with_one_clip(3, "Bass", PathBuf::from("media/bass.wav"), SampleTime(4_800)));
    for (id, name) in [(10, "Reverb"), (11, "Delay")] {
        s.buses.push(Bus {
            id: BusId(id),
            name: name.into(),
            colour: Default::default(),
            comment: String::new(),
            strip: Default::default(),
            output: Output::Master,
            vca: None,
        });
    }
    let kick = StripRef::Track(TrackId(1));
    assert_eq!(s.add_processor(kick, "eq", usize::MAX).unwrap(), ProcessorId(12));
    assert_eq!(s.add_processor(kick, "compressor", usize::MAX).unwrap(), COMPRESSOR);
    s.tracks[0].strip.sends.push(Send {
        id: SendId(22),
        target: BusId(10),
        level_db: Decibels(-10.0),
        pan: Default::default(),
        pre_fader: false,
    });
    s.loop_range = Some(LoopRange { start: SampleTime(48_000), end: SampleTime(96_000), enabled: false });
    let mut lane = Lane::new(ParamId::Strip(kick, StripParam::Fader));
    lane.add_point(Point { time: 0, value: -6.0, shape: Default::default() });
    lane.add_point(Point { time: 48_000, value: 0.0, shape: Default::default() });
    s.automation.push(lane);
    s.markers.push(Marker { id: MarkerId(30), name: "Intro".into(), position: SampleTime(0) });
    s.markers.push(Marker { id: MarkerId(31), name: "Verse".into(), position: SampleTime(240_000) });
    s
}

#[test]
fn every_kind_of_change_reads_as_written() {
    let a = base();
    let mut b = a.clone();
    b.tempo.bpm = 96.0;
    (b.tempo.beats_per_bar, b.tempo.beat_unit) = (6, 8);
    b.tracks[1].name = "Bass DI".into();
    b.tracks[1].output = Output::Bus(BusId(11));
    b.set_bypass(COMPRESSOR, true).unwrap();
    b.tracks[0].strip.processors.swap(0, 1);
    b.tracks[0].strip.sends[0].pre_fader = true;
    b.tracks[1].strip.sends.push(Send {
        id: SendId(40),
        target: BusId(10),
        level_db: Decibels(-6.0),
        pan: Default::default(),
        pre_fader: false,
    });
    b.tracks[0].clips[0].start = SampleTime(24_000);
    b.tracks[0].clips[0].fade_in.length = SampleTime(4_800);
    b.tracks[1].clips[0].gain_db = Decibels(-3.0);
    b.buses[0].name = "Plate".into();
    b.buses[0].strip.fader_db = Decibels(-2.0);
    b.master.fader_db = Decibels(-1.0);
    b.add_processor(StripRef::Master, "limiter", usize::MAX).unwrap();
    b.markers.remove(0);
    b.markers[0].name = "Verse 1".into();
    b.loop_range.as_mut().unwrap().enabled = true;
    b.automation[0].add_point(Point { time: 96_000, value: -3.0, shape: Default::default() });
    b.automation[0].mode = AutoMode::Touch;
    assert_eq!(
        words(&a, &b),
        [
            "Tempo 120.0 BPM -> 96.0 BPM",
            "Time signature 4/4 -> 6/8",
            "Kick send to Plate post-fader -> pre-fader",
            "Kick Compressor active -> bypassed",
            "Kick insert order EQ, Compressor -> Compressor, EQ",
            "Kick clip kick.wav start 0.000 s -> 0.500 s",
            "Kick clip kick.wav fade-in 0.000 s -> 0.100 s",
            "Track \"Bass\" renamed to \"Bass DI\"",
            "Bass DI output Master -> Delay",
            "Bass DI send to Plate added at -6.0 dB",
            "Bass DI clip bass.wav gain +0.0 dB -> -3.0 dB",
            "Bus \"Reverb\" renamed to \"Plate\"",
            "Plate fader +0.0 dB -> -2.0 dB",
            "Master fader +0.0 dB -> -1.0 dB",
            "Master Limiter added",
            "Marker \"Intro\" removed",
            "Marker \"Verse\" renamed to \"Verse 1\"",
            "Looping off -> on",
            "Kick fader automation changed (2 -> 3 points)",
            "Kick fader automation mode Read -> Touch",
        ]
    );
    assert!(words(&a, &a).is_empty() && words(&b, &b).is_empty());
}

#[test]
fn moves_between_strips_removals_and_places() {
    let a = base();
    let mut b = a.clone();
    let clip = b.tracks[0].clips.remove(0);
    b.tracks[1].clips.push(clip);
    let comp = b.tracks[0].strip.processors.remove(1);
    b.tracks[1].strip.processors.push(comp);
    b.tracks[0].strip.sends.clear();
    b.automation.clear();
    b.loop_range = None;
    b.buses.remove(1);
    let changes = diff(&a, &b);
    let text: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "Kick send to Reverb removed",
            "Bass Compressor moved here from Kick",
            "Bass clip kick.wav moved here from Kick",
            "Bus \"Delay\" removed",
            "Loop range 1.000 s - 2.000 s removed",
            "Kick fader automation removed (2 points)",
        ]
    );
    assert_eq!((changes[0].place, changes[0].kind), (Place::Send(SendId(22)), Kind::Removed));
    assert_eq!(changes[1].place, Place::Processor(COMPRESSOR));
    assert_eq!(changes[3].place, Place::Strip(StripRef::Bus(BusId(11))));
    // Removing a track says so once; its lanes go with it unmentioned.
    let mut c = a.clone();
    c.tracks.remove(0);
    c.automation.clear();
    assert_eq!(words(&a, &c), ["Track \"Kick\" removed"]);
}

#[test]
fn differences_that_read_the_same_still_show() {
    let mut a = base();
    a.tracks[1].strip.fader_db = Decibels(-3.0);
    let mut b = a.clone();
    b.tracks[1].strip.fader_db = Decibels(-3.01);
    assert_eq!(words(&a, &b), ["Bass fader -3.0 dB (-3) -> -3.0 dB (-3.01)"]);
    let mut c = a.clone();
    c.tracks[0].strip.processors[0].params.insert("hp_freq".into(), 80.0);
    assert_eq!(words(&a, &c), ["Other changes (values that read the same in words)"]);
    let mut d = a.clone();
    d.tracks[1].name = "Kick".into();
    d.tracks[1].strip.mute = true;
    assert_eq!(
        words(&a, &d),
        ["Track \"Bass\" renamed to \"Kick\"", "Kick (track 3) mute off -> on"],
        "two strips of one name are told apart by id"
    );
}

#[test]
fn groups_read_by_name_members_links_and_state() {
    use mixdesk_engine::session::{Group, GroupId, Shares};
    let a = base();
    let kick = StripRef::Track(TrackId(1));
    let bass = StripRef::Track(TrackId(3));
    let group = Group {
        id: GroupId(60),
        name: "Rhythm".into(),
        colour: Default::default(),
        members: vec![kick, bass],
        shares: Shares::default(),
        suspended: false,
    };
    let mut b = a.clone();
    b.groups.push(group.clone());
    assert_eq!(words(&a, &b), ["Group \"Rhythm\" added (Kick, Bass)"]);
    let mut c = b.clone();
    c.groups[0] = Group {
        members: vec![kick],
        shares: Shares { mute: false, ..Shares::default() },
        suspended: true,
        ..group
    };
    assert_eq!(
        words(&b, &c),
        [
            "Group \"Rhythm\" members Kick, Bass -> Kick",
            "Group \"Rhythm\" links gain, mute, solo, selection, automation -> gain, solo, selection, automation",
            "Group \"Rhythm\" active -> suspended",
        ]
    );
    assert_eq!(words(&c, &a), ["Group \"Rhythm\" removed"]);
}

#[test]
fn vcas_read_as_vcas_with_their_members() {
    use mixdesk_engine::session::Vca;
    let a = base();
    let kick = StripRef::Track(TrackId(1));
    let bass = StripRef::Track(TrackId(3));
    let mut b = a.clone();
    let mut vca = Bus::new(BusId(70), "Band");
    vca.vca = Some(Vca { members: vec![kick] });
    b.buses.push(vca);
    assert_eq!(words(&a, &b), ["VCA \"Band\" added"]);
    let mut c = b.clone();
    c.buses.last_mut().unwrap().vca = Some(Vca { members: vec![kick, bass] });
    assert_eq!(words(&b, &c), ["VCA \"Band\" members Kick -> Kick, Bass"]);
    assert_eq!(words(&c, &a), ["VCA \"Band\" removed"]);
}

#[test]
fn folders_read_by_name_tracks_collapse_and_bus() {
    use mixdesk_engine::session::{Folder, FolderId};
    let a = base();
    let mut b = a.clone();
    let f = Folder {
        id: FolderId(80),
        name: "Rhythm".into(),
        colour: Default::default(),
        tracks: vec![TrackId(1), TrackId(3)],
        collapsed: false,
        bus: None,
    };
    b.folders.push(f.clone());
    assert_eq!(words(&a, &b), ["Folder \"Rhythm\" added (Kick, Bass)"]);
    let mut c = b.clone();
    c.folders[0] = Folder { collapsed: true, tracks: vec![TrackId(1)], ..f };
    assert_eq!(
        words(&b, &c),
        ["Folder \"Rhythm\" tracks Kick, Bass -> Kick", "Folder \"Rhythm\" open -> collapsed"]
    );
}

#[test]
fn a_track_set_mono_reads_as_its_layout() {
    use mixdesk_engine::session::Layout;
    let a = base();
    let mut b = a.clone();
    b.tracks[0].layout = Layout::Mono;
    assert_eq!(words(&a, &b), ["Track \"Kick\" layout Auto -> Mono"]);
}

#[test]
fn a_sidechain_key_reads_by_its_source_and_tap() {
    let mut a = base();
    a.set_sidechain(COMPRESSOR, Some(StripRef::Track(a.tracks[1].id))).unwrap();
    let mut b = a.clone();
    b.set_sidechain_post_fader(COMPRESSOR, true).unwrap();
    assert_eq!(words(&a, &b), ["Kick Compressor key pre-fader -> post-fader"]);
    assert_eq!(words(&base(), &a), ["Kick Compressor sidechain own input -> Bass"]);
}

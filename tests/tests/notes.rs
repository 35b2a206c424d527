//! Review notes: saved and loaded, refused when impossible, compared by
//! `diff`, kept in mix versions, undone as one step; times people write read
//! by a table of formats; notes imported from text and from the share page's
//! file; the `mixdesk notes` commands end to end.

use std::path::Path;

use mixdesk_engine::diff::{Kind, Place, diff};
use mixdesk_engine::history::History;
use mixdesk_engine::review::{self, NotesFile, parse_line};
use mixdesk_engine::session::{
    self, Note, NoteId, NoteStatus, Reply, SampleTime, Session, SessionError, Tempo, TrackId,
};
use mixdesk_engine::versions;
use mixdesk_tests::{run, track};

const RATE: u32 = 48_000;

fn s_at(seconds: f64) -> SampleTime {
    SampleTime::from_seconds(seconds, RATE)
}

/// Two tracks ("Vocal" 1, "Guitar" 3) and two notes.
fn session_with_notes() -> Session {
    let mut s = Session::new(RATE);
    let mut vocal = track(1, "media/vocal.wav", 0, 10 * RATE as u64);
    vocal.name = "Vocal".into();
    let mut guitar = track(3, "media/guitar.wav", 0, 10 * RATE as u64);
    guitar.name = "Lead Guitar".into();
    s.tracks = vec![vocal, guitar];
    let mut a = Note::new(NoteId(10), s_at(83.0), "Ann", "vocal too quiet");
    a.track = Some(TrackId(1));
    let mut b = Note::new(NoteId(11), s_at(125.0), "Ann", "guitar too loud");
    b.end = Some(s_at(140.0));
    b.status = NoteStatus::Done;
    b.replies.push(Reply { author: "Sam".into(), text: "-2 dB".into() });
    s.add_note(b);
    s.add_note(a);
    s
}

#[test]
fn notes_round_trip_through_save_and_load_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("song.mixdesk");
    let s = session_with_notes();
    assert_eq!(s.notes.iter().map(|n| n.id.0).collect::<Vec<_>>(), [10, 11], "kept in time order");
    session::save(&s, &p).unwrap();
    let back = session::load(&p).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.notes[1].replies[0].text, "-2 dB");
    let mut only_notes = Session::new(RATE);
    only_notes.add_note(Note::new(NoteId(40), s_at(1.0), "", "x"));
    assert_eq!(only_notes.next_id(), 41, "notes take part in the id space");
}

#[test]
fn impossible_notes_are_refused_with_the_note_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("backwards", "(id: 4, at: 96000, end: Some(48000), text: \"x\")", "ends before it starts"),
        ("empty-range", "(id: 4, at: 96000, end: Some(96000), text: \"x\")", "ends before it starts"),
        ("far", "(id: 4, at: 99999999999999, text: \"x\")", "past the end"),
        ("twice", "(id: 4, at: 0, text: \"x\"), (id: 4, at: 1, text: \"y\")", "two notes have the id 4"),
        ("status", "(id: 4, at: 0, text: \"x\", status: Maybe)", "Maybe"),
    ];
    for (name, notes, want) in cases {
        let p = dir.path().join(format!("{name}.mixdesk"));
        std::fs::write(&p, format!("(version: 3, sample_rate: 48000, notes: [{notes}])")).unwrap();
        let e = session::load(&p).expect_err(name);
        let text = e.to_string();
        assert!(text.contains(want) && text.contains(&format!("{name}.mixdesk")), "{name}: {text}");
        assert!(matches!(e, SessionError::Invalid { .. } | SessionError::Parse { .. }), "{name}: {e:?}");
    }
}

#[test]
fn diff_words_every_change_to_a_note() {
    let a = session_with_notes();
    let mut b = a.clone();
    b.note_mut(NoteId(10)).unwrap().status = NoteStatus::Done;
    b.note_mut(NoteId(10)).unwrap().replies.push(Reply { author: "Sam".into(), text: "+1.5 dB".into() });
    b.note_mut(NoteId(11)).unwrap().at = s_at(126.0);
    b.note_mut(NoteId(11)).unwrap().text = "guitar much too loud".into();
    b.add_note(Note::new(NoteId(12), s_at(3.0), "", "intro: less reverb"));
    let words: Vec<String> = diff(&a, &b).iter().map(ToString::to_string).collect();
    assert_eq!(
        words,
        [
            "Note \"intro: less reverb\" added at 3.000 s",
            "Note \"vocal too quiet\" status open -> done",
            "Note \"vocal too quiet\" reply from Sam added: \"+1.5 dB\"",
            "Note \"guitar too loud\" reworded to \"guitar much too loud\"",
            "Note \"guitar much too loud\" moved 125.000 s - 140.000 s -> 126.000 s - 140.000 s",
        ]
    );
    let removed = diff(&b, &a);
    assert!(
        removed.iter().any(|c| c.kind == Kind::Removed
            && c.place == Place::Note(NoteId(12))
            && c.text == "Note \"intro: less reverb\" removed"),
        "{removed:?}"
    );
    let mut c = a.clone();
    c.note_mut(NoteId(10)).unwrap().track = Some(TrackId(3));
    let words: Vec<String> = diff(&a, &c).iter().map(ToString::to_string).collect();
    assert_eq!(words, ["Note \"vocal too quiet\" track Vocal -> Lead Guitar"]);
}

#[test]
fn a_note_edit_is_one_undo_step_named_in_words() {
    let mut s = session_with_notes();
    let mut h = History::new(&s);
    h.edit(&mut s, "Mark note done", |s| s.note_mut(NoteId(10)).unwrap().status = NoteStatus::Done);
    assert_eq!(h.undo_description().unwrap(), "Note \"vocal too quiet\" status open -> done");
    h.undo(&mut s);
    assert_eq!(s.note(NoteId(10)).unwrap().status, NoteStatus::Open);
    h.redo(&mut s);
    assert_eq!(s.note(NoteId(10)).unwrap().status, NoteStatus::Done);
}

#[test]
fn mix_versions_keep_the_notes_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("song.mixdesk");
    let mut s = session_with_notes();
    session::save(&s, &p).unwrap();
    let v = versions::save(&p, &s, "for Ann").unwrap();
    let mut h = History::new(&s);
    h.edit(&mut s, "Mark note done", |s| s.note_mut(NoteId(10)).unwrap().status = NoteStatus::Done);
    let old = versions::load(&p, &v).unwrap();
    assert_eq!(old.note(NoteId(10)).unwrap().status, NoteStatus::Open);
    assert_eq!(old.notes, session_with_notes().notes);
    let words: Vec<String> = diff(&old, &s).iter().map(ToString::to_string).collect();
    assert_eq!(words, ["Note \"vocal too quiet\" status open -> done"]);
    versions::switch_to(&p, &v, &mut s, &mut h).unwrap();
    assert_eq!(s.note(NoteId(10)).unwrap().status, NoteStatus::Open);
    h.undo(&mut s);
    assert_eq!(s.note(NoteId(10)).unwrap().status, NoteStatus::Done, "switching was one undo step");
}

/// A line read: at, end, words.
type Read = (f64, Option<f64>, &'static str);

/// Every format of time the importer reads, and lines it must not read as times.
#[test]
fn times_people_write_are_read_by_a_table_of_formats() {
    // 90 BPM in 3/4: a bar is 2 s.
    let tempo = Tempo { bpm: 90.0, beats_per_bar: 3, beat_unit: 4 };
    #[rustfmt::skip]
    let table: &[(&str, Option<Read>)] = &[
        ("1:23 vocal too quiet",          Some((83.0, None, "vocal too quiet"))),
        ("01:23.5 snare flam",            Some((83.5, None, "snare flam"))),
        ("0:05 intro hiss",               Some((5.0, None, "intro hiss"))),
        ("1:02:03 fade ends early",       Some((3723.0, None, "fade ends early"))),
        ("1:02:03.25 click",              Some((3723.25, None, "click"))),
        ("125:00 long take",              Some((7500.0, None, "long take"))),
        ("2:05-2:20 guitar too loud",     Some((125.0, Some(140.0), "guitar too loud"))),
        ("2:05 - 2:20 guitar too loud",   Some((125.0, Some(140.0), "guitar too loud"))),
        ("2:05–2:20 en dash",             Some((125.0, Some(140.0), "en dash"))),
        ("2:05 to 2:20 words",            Some((125.0, Some(140.0), "words"))),
        ("@1:23 vocal",                   Some((83.0, None, "vocal"))),
        ("@1:23-@1:30 vocal",             Some((83.0, Some(90.0), "vocal"))),
        ("[1:23] vocal",                  Some((83.0, None, "vocal"))),
        ("(2:05-2:20) guitar",            Some((125.0, Some(140.0), "guitar"))),
        ("1:23: vocal",                   Some((83.0, None, "vocal"))),
        ("1:23 - vocal",                  Some((83.0, None, "vocal"))),
        ("- 1:23 bullet",                 Some((83.0, None, "bullet"))),
        ("* 1:23 bullet",                 Some((83.0, None, "bullet"))),
        ("bar 17 more reverb",            Some((32.0, None, "more reverb"))),
        ("Bars 17-20 more reverb",        Some((32.0, Some(40.0), "more reverb"))),
        ("bars 17-20: more reverb",       Some((32.0, Some(40.0), "more reverb"))),
        ("bar 1.5 half a bar",            None),
        ("b1:23 not a bar",               None),
        ("b1 count-in",                   Some((0.0, None, "count-in"))),
        ("1:75 not a time",               None),
        ("1:5 one digit seconds",         None),
        ("1:60:00 sixty minutes",         None),
        ("1:2:03 one digit minutes",      None),
        ("2:20-2:05 backwards",           None),
        ("[1:23 unclosed",                None),
        ("bar 0 no such bar",             None),
        ("bars 20-17 backwards",          None),
        ("b52s the band",                 None),
        ("123 plain number",              None),
        ("thanks, sounds great!",         None),
        ("vocal at 1:23 too quiet",       None),
    ];
    for (line, want) in table {
        let got = parse_line(line, tempo);
        match (got, want) {
            (Some((at, end, text)), Some((w_at, w_end, w_text))) => {
                assert!((at - w_at).abs() < 1e-9, "{line:?}: at {at}, want {w_at}");
                assert_eq!(end.is_some(), w_end.is_some(), "{line:?}: end {end:?}, want {w_end:?}");
                if let (Some(e), Some(w)) = (end, w_end) {
                    assert!((e - w).abs() < 1e-9, "{line:?}: end {e}, want {w}");
                }
                assert_eq!(text, *w_text, "{line:?}");
            }
            (None, None) => {}
            (got, want) => panic!("{line:?}: read as {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn plain_text_notes_import_as_one_undo_step_with_their_tracks_and_the_rest_listed() {
    let mut s = session_with_notes();
    s.notes.clear();
    let text = "Hi Sam, notes on v2:\n\n1:23 vocal too quiet\n2:05-2:20 lead guitar too loud\n\
                3:00 both vocal and lead guitar clash\n4:10\nthanks!\n";
    let incoming = review::from_text(text, &s, "Ann");
    assert_eq!(
        incoming.skipped.iter().map(|k| (k.line, k.text.as_str())).collect::<Vec<_>>(),
        [(1, "Hi Sam, notes on v2:"), (6, "4:10"), (7, "thanks!")]
    );
    let mut h = History::new(&s);
    let added = review::add_undoably(&mut s, &mut h, "Import notes from feedback.txt", &incoming);
    assert_eq!((added.notes, added.duplicates), (3, 0));
    let got: Vec<_> = s
        .notes
        .iter()
        .map(|n| (n.at.0, n.end.map(|e| e.0), n.track, n.author.as_str(), n.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (83 * 48_000, None, Some(TrackId(1)), "Ann", "vocal too quiet"),
            (125 * 48_000, Some(140 * 48_000), Some(TrackId(3)), "Ann", "lead guitar too loud"),
            (180 * 48_000, None, None, "Ann", "both vocal and lead guitar clash"),
        ],
        "a note names a track when exactly one track's name is in it"
    );
    assert_eq!(h.position(), 1);
    assert_eq!(h.undo_description().unwrap(), "Import notes from feedback.txt (3 changes)");
    let again = review::add(&mut s, &incoming);
    assert_eq!((again.notes, again.duplicates), (0, 3), "importing the same text again adds nothing");
    h.undo(&mut s);
    assert!(s.notes.is_empty());
}

#[test]
fn the_share_pages_file_imports_at_the_bounce_offset_with_replies() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session_with_notes();
    let file = NotesFile {
        format: review::import::FORMAT.into(),
        version: 1,
        bounce: "chorus.wav".into(),
        start: 60.0,
        notes: vec![
            review::import::FileNote { at: 1.5, end: None, author: "".into(), text: "vocal harsh".into() },
            review::import::FileNote { at: 2.0, end: Some(4.0), author: "Bo".into(), text: "nice".into() },
            review::import::FileNote { at: 1e12, end: None, author: "".into(), text: "days later".into() },
        ],
        replies: vec![
            review::import::FileReply { note: 10, author: "Ann".into(), text: "better now".into() },
            review::import::FileReply { note: 99, author: "Ann".into(), text: "to nothing".into() },
        ],
    };
    let p = dir.path().join("chorus.notes.json");
    std::fs::write(&p, serde_json::to_string(&file).unwrap()).unwrap();
    let incoming = review::read(&p, &s, "Artist").unwrap();
    assert_eq!(incoming.skipped.len(), 1, "{:?}", incoming.skipped);
    assert!(incoming.skipped[0].why.contains("not on the timeline"));
    let added = review::add(&mut s, &incoming);
    assert_eq!((added.notes, added.replies, added.orphans), (2, 1, 1));
    let harsh = s.notes.iter().find(|n| n.text == "vocal harsh").unwrap();
    assert_eq!((harsh.at, harsh.author.as_str(), harsh.track), (s_at(61.5), "Artist", Some(TrackId(1))));
    let nice = s.notes.iter().find(|n| n.text == "nice").unwrap();
    assert_eq!((nice.at, nice.end), (s_at(62.0), Some(s_at(64.0))));
    assert_eq!(
        s.note(NoteId(10)).unwrap().replies,
        [Reply { author: "Ann".into(), text: "better now".into() }]
    );

    for (name, body, want) in [
        ("other.json", "{\"format\": \"something\", \"version\": 1}", "format is \"something\""),
        ("future.json", "{\"format\": \"mixdesk-notes\", \"version\": 9}", "update Mixdesk"),
        ("broken.json", "{\"format\": ", "EOF"),
        ("binary.txt", "\u{0}\u{ff}", "no note"),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        match review::read(&p, &s, "") {
            Err(e) => assert!(e.to_string().contains(want) && e.to_string().contains(name), "{name}: {e}"),
            Ok(i) => assert!(i.notes.is_empty() && want == "no note", "{name}: {i:?}"),
        }
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_notes_commands_add_list_mark_done_reply_and_import() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("song.mixdesk");
    let mut s = session_with_notes();
    s.notes.clear();
    session::save(&s, &p).unwrap();
    let sp = path_str(&p);
    let (ok, out, err) = run(&[
        "notes",
        "add",
        sp,
        "--at",
        "2:05-2:20",
        "--track",
        "lead guitar",
        "--author",
        "Ann",
        "too",
        "loud",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out, "added note 1004 at 2:05-2:20\n");
    let (ok, out, err) = run(&["notes", "add", sp, "--at", "1:23.5", "vocal too quiet"]);
    assert!(ok, "{err}");
    assert_eq!(out, "added note 1005 at 1:23.5\n");
    let (ok, _, err) = run(&["notes", "add", sp, "--at", "1:75", "x"]);
    assert!(!ok && err.contains("--at 1:75: not a time"), "{err}");
    let (ok, _, err) = run(&["notes", "add", sp, "--at", "1:00", "--track", "Drums", "x"]);
    assert!(!ok && err.contains("Vocal, Lead Guitar"), "{err}");
    let (ok, out, err) = run(&["notes", "done", sp, "1004"]);
    assert!(ok && out == "1 note marked done\n", "{out}{err}");
    let (ok, _, err) = run(&["notes", "done", sp, "77"]);
    assert!(!ok && err.contains("has no note 77"), "{err}");
    let (ok, _, err) = run(&["notes", "reply", sp, "1004", "--author", "Sam", "-2", "dB"]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&["notes", "list", sp]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with(" 1005  1:23.5") && lines[0].ends_with("open     vocal too quiet"), "{out}");
    assert!(
        lines[1].contains("2:05-2:20") && lines[1].ends_with("done     [Lead Guitar] Ann: too loud"),
        "{out}"
    );
    assert!(lines[2].ends_with("Sam: -2 dB"), "{out}");
    let (ok, out, _) = run(&["notes", "list", sp, "--status", "open", "--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!((v[0]["id"].as_u64(), v[0]["at_seconds"].as_f64()), (Some(1005), Some(83.5)));

    let txt = dir.path().join("feedback.txt");
    std::fs::write(&txt, "3:00 vocal sibilant\nlove it\n").unwrap();
    let (ok, out, err) = run(&["notes", "import", sp, path_str(&txt), "--author", "Bo"]);
    assert!(ok, "{err}");
    assert_eq!(out, "1 note and 0 replies added\n");
    assert!(err.contains("entry 2 left out") && err.contains("love it"), "{err}");
    let (ok, out, _) = run(&["notes", "import", sp, path_str(&txt), "--author", "Bo"]);
    assert_eq!(
        (ok, out.as_str()),
        (true, "0 notes and 0 replies added\n1 already in the session, not added again\n")
    );
    let after = session::load(&p).unwrap();
    assert_eq!(after.notes.len(), 3);
    let sib = after.notes.iter().find(|n| n.text == "vocal sibilant").unwrap();
    assert_eq!((sib.author.as_str(), sib.track), ("Bo", Some(TrackId(1))));

    let before = dir.path().join("before.mixdesk");
    session::save(&s, &before).unwrap();
    let (ok, out, err) = run(&["diff", path_str(&before), sp]);
    assert!(ok, "{err}");
    assert!(out.contains("Note \"too loud\" by Ann added at 125.000 s - 140.000 s"), "{out}");
}

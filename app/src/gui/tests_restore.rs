//! The de-noiser's editor in the window: Learn is offered only with a loop
//! range to learn from, a click learns the noise at the de-noiser's input on
//! a worker and writes the profile as one undo step, and its curve is drawn.

use mixdesk_engine::dsp::denoise::profile::FLOOR_DB;
use mixdesk_engine::restore::profile_of;
use mixdesk_engine::session::{LoopRange, SampleTime, StripRef};

use super::editor;
use mixdesk_engine::edit::{Edit, ProcessorAt};

use super::tests::{KICK, fixture, interact, simulator};
use super::{App, Message};

/// Adds a de-noiser to the kick and opens its editor.
fn with_denoiser() -> (tempfile::TempDir, App, mixdesk_engine::session::ProcessorId) {
    let (dir, mut app) = fixture();
    let processor = app.doc.session.new_processor("denoise").unwrap();
    let at = ProcessorAt { strip: KICK, index: 0, processor };
    app.doc.apply("add", "add de-noise", Edit::Processor(at.processor.id, Some(at)));
    let pid = app.doc.session.tracks[0].strip.processors[0].id;
    app.mixer.editor = Some(pid);
    (dir, app, pid)
}

#[test]
fn learn_needs_a_loop_range_then_learns_it_as_one_undo_step() {
    let (dir, mut app, pid) = with_denoiser();
    // No loop range: the button is there but does nothing.
    let sent = interact(&mut app, |ui| {
        let _ = ui.click("Learn noise from the loop range");
    });
    assert_eq!(sent, 0, "Learn is disabled without a loop range");
    assert!(simulator(&app).find("Drag a loop range over noise alone (a pause, room tone) on the ruler's lower strip, then Learn.").is_ok());

    // A loop range over 0.1-0.9 s (the ruler's lower strip sets it; here directly).
    let range = LoopRange { start: SampleTime(4_800), end: SampleTime(43_200), enabled: false };
    app.doc.apply("loop", "loop", Edit::Loop(Some(range)));
    let mut clicked = Vec::new();
    {
        let mut ui = simulator(&app);
        let _ =
            ui.click("Learn noise from the loop range 0:00.1–0:00.9").expect("the button names the range");
        clicked.extend(ui.into_messages());
    }
    assert!(
        matches!(clicked.as_slice(), [Message::Editor(editor::Message::LearnNoise(p))] if *p == pid),
        "{clicked:?}"
    );
    for m in clicked {
        let _ = app.update(m);
    }
    assert_eq!(app.mixer.learning, Some(pid), "learning on a worker");
    assert!(simulator(&app).find("Learning…").is_ok(), "the button says it is learning");
    // What the worker does, fed back as the task would.
    let learned = editor::denoise::learn_now(&app.doc.session, dir.path(), pid);
    let _ = app.update(Message::Editor(learned));
    assert_eq!(app.mixer.learning, None);
    let profile = profile_of(&app.doc.session, pid).expect("a de-noiser");
    assert!(!profile.is_empty(), "a profile was learned");
    let last = app.doc.history().last().map(str::to_owned);
    assert_eq!(last.as_deref(), Some("kick De-noise learned profile changed (32 of 32 bands)"), "{last:?}");
    let _ = app.update(Message::Undo);
    let undone = profile_of(&app.doc.session, pid).expect("a de-noiser");
    assert!(undone.0.iter().all(|v| *v == FLOOR_DB), "undo forgets the profile");
    assert!(app.doc.session.strip(StripRef::Master).is_some());
}

#[test]
fn a_failed_learn_is_an_error_that_says_what_to_do() {
    let (_dir, mut app, pid) = with_denoiser();
    let _ = app.update(Message::Editor(editor::Message::NoiseLearned(
        pid,
        0,
        10,
        Err("the range is silent".into()),
    )));
    assert!(
        app.errors.iter().any(|e| e.contains("Learning the noise failed: the range is silent")),
        "{:?}",
        app.errors
    );
    assert!(profile_of(&app.doc.session, pid).expect("there").is_empty());
}

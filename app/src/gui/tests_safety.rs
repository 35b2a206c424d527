//! Simulator tests for "never lose work" in the window: the history panel,
//! autosave, the recovery prompt, mix versions and the relink dialog. Like
//! `tests.rs`, they click and type on the real view and feed the messages back
//! into `App::update`; here the tasks those messages return (graph builds,
//! folder searches) are run too, so the engine side is what the user would get.

use std::time::Duration;

use iced::futures::StreamExt;
use iced::{Point, Task};
use iced_test::Simulator;
use iced_test::selector::id;
use mixdesk_engine::autosave::sidecar_path;
use mixdesk_engine::session::{self, ClipId, StripRef};

use super::tests::{KICK, fader_cap, fader_db, fixture, move_to, press, release, simulator};
use super::{App, Launch, Message, Modal, prefs::Preferences};

/// Runs `task` and every task its messages lead to, feeding each message to the app.
pub(super) fn run(app: &mut App, task: Task<Message>) {
    use iced::executor::Executor;
    let executor = iced::executor::Default::new().unwrap();
    let mut queue = vec![task];
    while let Some(t) = queue.pop() {
        let Some(stream) = iced_test::runtime::task::into_stream(t) else { continue };
        for action in executor.block_on(stream.collect::<Vec<_>>()) {
            if let iced_test::runtime::Action::Output(m) = action {
                queue.push(app.update(m));
            }
        }
    }
}

/// Like `tests::interact`, but runs the tasks the messages return.
pub(super) fn act(app: &mut App, gesture: impl FnOnce(&mut Simulator<'_, Message>)) {
    let messages: Vec<Message> = {
        let mut ui = simulator(app);
        gesture(&mut ui);
        ui.into_messages().collect()
    };
    for m in messages {
        let task = app.update(m);
        run(app, task);
    }
}

/// Every live parameter of the session is what the engine was last given
/// (the value written into its slot, or the one its graph was compiled with).
pub(super) fn assert_engine_follows(app: &App) {
    let s = &app.doc.session;
    let ids = app.audio.param_ids();
    assert!(!ids.is_empty(), "the engine has a graph of the session");
    for id in ids {
        assert_eq!(app.audio.heard(id), s.param_value(id), "{id:?}: the engine plays what the session says");
    }
}

/// Whether the current view shows `text` somewhere.
pub(super) fn shows(app: &App, text: &str) -> bool {
    simulator(app).find(text).is_ok()
}

pub(super) fn boot(path: &std::path::Path) -> App {
    let launch =
        Launch { session: Some(path.to_owned()), null_output: true, prefs: Some(Preferences::default()) };
    let (mut app, task) = App::boot(launch);
    run(&mut app, task);
    // The marks and panels checked here are the mixer's.
    app.page = super::Page::Mixer;
    app
}

/// Drags the kick fader up by a tenth of its travel (+4 dB from -6 dB).
fn drag_kick_fader(app: &mut App) {
    let (cap, b) = fader_cap(app, KICK);
    act(app, |ui| {
        press(ui, cap);
        move_to(ui, Point::new(cap.x, cap.y - (b.height - 20.0) * 0.05));
        move_to(ui, Point::new(cap.x, cap.y - (b.height - 20.0) * 0.1));
        release(ui);
    });
}

#[test]
fn the_history_panel_names_a_fader_drag_in_words_and_clicking_a_step_goes_to_it() {
    let (_dir, mut app) = fixture();
    drag_kick_fader(&mut app);
    let dragged = fader_db(&app, KICK);
    assert!((dragged - -2.0).abs() < 0.1, "{dragged}");
    let _ = app.update(Message::Mixer(super::mixer::Message::MuteToggled(KICK)));
    act(&mut app, |ui| {
        let _ = ui.click("History").unwrap();
    });
    assert_eq!(app.side, Some(super::side::Tab::History));
    let first = format!("1. kick fader -6.0 dB -> {dragged:.1} dB");
    assert!(shows(&app, &first), "the panel lists {first:?}; steps: {:?}", app.doc.steps());
    assert!(shows(&app, "2. kick mute off -> on"));
    // Click the first step: the mute is undone, the fader move stays, and the engine hears it.
    let sent = app.audio.commands_sent;
    act(&mut app, |ui| {
        let _ = ui.click(first.as_str()).unwrap();
    });
    assert_eq!(app.doc.position(), 1);
    assert!(!app.doc.session.tracks[0].strip.mute);
    assert_eq!(fader_db(&app, KICK), dragged);
    assert_engine_follows(&app);
    assert!(app.audio.commands_sent > sent, "the unmute was sent to the engine");
    // Still listed (redoable), and the start of the list goes back to the session as opened.
    assert!(shows(&app, "2. kick mute off -> on"));
    act(&mut app, |ui| {
        let _ = ui.click("Session as opened").unwrap();
    });
    assert_eq!(fader_db(&app, KICK), -6.0);
    assert_eq!(app.doc.position(), 0);
    assert!(!app.doc.is_dirty(), "back at the saved state");
    assert_engine_follows(&app);
}

#[test]
fn autosave_writes_the_sidecar_after_the_interval_and_save_removes_it() {
    let (dir, mut app) = fixture();
    let path = dir.path().join("song.mixdesk");
    let sidecar = sidecar_path(&path);
    assert_eq!(app.autosave.sidecar().as_deref(), Some(sidecar.as_path()));
    let _ = app.update(Message::Mixer(super::mixer::Message::MuteToggled(KICK)));
    let _ = app.update(Message::Tick);
    assert!(!sidecar.exists(), "not before the interval");
    app.autosave.skew = Duration::from_secs(29);
    let _ = app.update(Message::Tick);
    assert!(!sidecar.exists(), "not at 29 s");
    app.autosave.skew = Duration::from_secs(31);
    let _ = app.update(Message::Tick);
    assert!(sidecar.exists(), "written after 30 s");
    assert_eq!(session::load(&sidecar).unwrap(), app.doc.session, "it holds the edit");
    assert!(!session::load(&path).unwrap().tracks[0].strip.mute, "the session file is untouched");
    let _ = app.update(Message::Save);
    assert!(!sidecar.exists(), "a save removes it");
    // Off in Preferences: nothing is written however long it waits.
    app.autosave.set_interval(None);
    let _ = app.update(Message::Mixer(super::mixer::Message::SoloToggled(KICK)));
    app.autosave.skew = Duration::from_secs(3600);
    let _ = app.update(Message::Tick);
    assert!(!sidecar.exists(), "autosave off");
    // On again: written; then "Don't save" on close removes it.
    app.autosave.set_interval(Some(Duration::from_secs(30)));
    app.autosave.skew = Duration::from_secs(7200);
    let _ = app.update(Message::Mixer(super::mixer::Message::MuteToggled(KICK)));
    let _ = app.update(Message::Tick);
    assert!(sidecar.exists());
    let _ = app.update(Message::CloseRequested(iced::window::Id::unique()));
    act(&mut app, |ui| {
        let _ = ui.click("Don't save").unwrap();
    });
    assert!(!sidecar.exists(), "the user chose to lose the changes");
}

#[test]
fn opening_a_session_after_a_crash_offers_the_autosave_listing_the_change_and_recover_loads_it() {
    let (dir, mut app) = fixture();
    let path = dir.path().join("song.mixdesk");
    drag_kick_fader(&mut app);
    let dragged = fader_db(&app, KICK);
    app.autosave.skew = Duration::from_secs(31);
    let _ = app.update(Message::Tick);
    let edited = app.doc.session.clone();
    drop(app); // Killed: no save, no "Don't save".
    assert!(sidecar_path(&path).exists());

    // At launch.
    let mut app = boot(&path);
    assert!(matches!(app.modal, Some(Modal::Recovery(_))), "the prompt is shown");
    assert!(shows(&app, "Mixdesk found unsaved changes to song.mixdesk from just now"));
    let change = format!("• kick fader -6.0 dB -> {dragged:.1} dB");
    assert!(shows(&app, &change), "the prompt lists {change:?}");
    assert_eq!(fader_db(&app, KICK), -6.0, "the saved session is open behind it");
    act(&mut app, |ui| {
        let _ = ui.click("Recover").unwrap();
    });
    assert!(app.modal.is_none());
    assert_eq!(app.doc.session, edited, "the autosave is the document");
    assert!(app.doc.is_dirty() && app.title().starts_with('*'), "marked unsaved: {}", app.title());
    assert_engine_follows(&app);
    assert!(sidecar_path(&path).exists(), "kept until the user saves");
    let _ = app.update(Message::Save);
    assert!(!sidecar_path(&path).exists());
    assert_eq!(session::load(&path).unwrap(), edited);

    // Via Open, answering Discard: the sidecar goes and the saved file stays open.
    let mut other = edited.clone();
    other.tracks[1].strip.mute = true;
    mixdesk_engine::autosave::write_autosave(&path, &other).unwrap();
    run(&mut app, Task::done(Message::OpenChosen(Some(path.clone()))));
    assert!(shows(&app, "• bass mute off -> on"));
    act(&mut app, |ui| {
        let _ = ui.click("Discard").unwrap();
    });
    assert!(!sidecar_path(&path).exists());
    assert_eq!(app.doc.session, edited);
    assert!(!app.doc.is_dirty());
}

#[test]
fn versions_are_saved_listed_compared_in_words_and_switching_is_one_undo_step() {
    let (_dir, mut app) = fixture();
    act(&mut app, |ui| {
        let _ = ui.click("Versions").unwrap();
    });
    let save_version = |app: &mut App, name: &str| {
        act(app, |ui| {
            let _ = ui.click(id("version-name")).unwrap();
            let _ = ui.typewrite(name);
        });
        // The button is enabled once the view shows a name.
        act(app, |ui| {
            let _ = ui.click("Save version").unwrap();
        });
    };
    save_version(&mut app, "rough");
    let _ = app.update(Message::Mixer(super::mixer::Message::MuteToggled(KICK)));
    save_version(&mut app, "kick muted");
    let names: Vec<_> = app.versions.list.iter().map(|v| (v.number, v.name.as_str())).collect();
    assert_eq!(names, [(1, "rough"), (2, "kick muted")]);
    assert!(shows(&app, "1. rough") && shows(&app, "2. kick muted"));
    // Compare the two versions.
    act(&mut app, |ui| {
        let _ = ui.click("1. rough").unwrap();
        let _ = ui.click("2. kick muted").unwrap();
    });
    act(&mut app, |ui| {
        let _ = ui.click("Compare").unwrap();
    });
    let c = app.versions.comparison.clone().expect("a comparison");
    assert_eq!(c.title, "rough -> kick muted");
    assert_eq!(c.changes, ["kick mute off -> on"]);
    assert!(shows(&app, "• kick mute off -> on"));
    // Switch to "kick muted" (the newest, listed first) after another edit: one step, undoable.
    let _ = app.update(Message::Mixer(super::mixer::Message::SoloToggled(KICK)));
    let steps = app.doc.history().count();
    act(&mut app, |ui| {
        let _ = ui.click("Switch to").unwrap();
    });
    let kick = |app: &App| (app.doc.session.tracks[0].strip.mute, app.doc.session.tracks[0].strip.solo);
    assert_eq!(kick(&app), (true, false));
    assert_eq!(app.doc.history().count(), steps + 1, "one step");
    assert_engine_follows(&app);
    let _ = app.update(Message::Undo);
    assert_eq!(kick(&app), (true, true), "Undo returns");
    // The current session against version 1.
    act(&mut app, |ui| {
        let _ = ui.click("2. kick muted").unwrap(); // unpick
        let _ = ui.click("Current session").unwrap();
    });
    act(&mut app, |ui| {
        let _ = ui.click("Compare").unwrap();
    });
    let c = app.versions.comparison.clone().unwrap();
    assert_eq!(c.title, "rough -> current session");
    assert_eq!(c.changes, ["kick mute off -> on", "kick solo off -> on"]);
}

#[test]
fn the_relink_dialog_finds_a_moved_file_in_a_typed_folder_and_apply_makes_the_clip_play() {
    let (dir, app) = fixture();
    drop(app);
    let path = dir.path().join("song.mixdesk");
    let moved = dir.path().join("elsewhere").join("drums");
    std::fs::create_dir_all(&moved).unwrap();
    std::fs::rename(dir.path().join("media/kick.wav"), moved.join("kick.wav")).unwrap();
    let mut app = boot(&path);
    let kick_clip = ClipId(2);
    assert!(app.missing_clips().contains(&kick_clip), "{:?}", app.missing_clips());
    assert!(app.audio.graph_error.as_deref().is_some_and(|e| e.contains("kick.wav")));
    assert!(shows(&app, "⚠ 1 missing"), "the kick strip is marked");
    act(&mut app, |ui| {
        let _ = ui.click("Relink…").unwrap();
    });
    assert!(matches!(app.modal, Some(Modal::Relink(_))));
    let folder = dir.path().join("elsewhere");
    act(&mut app, |ui| {
        let _ = ui.click(id("relink-folder")).unwrap();
        let _ = ui.typewrite(&folder.display().to_string());
    });
    act(&mut app, |ui| {
        let _ = ui.click("Search").unwrap();
    });
    let found = format!("media/kick.wav -> {} (by name)", moved.join("kick.wav").display());
    assert!(shows(&app, &found), "the plan shows {found:?}");
    assert!(shows(&app, "1 missing, 1 found, 1 files searched"));
    let steps = app.doc.history().count();
    act(&mut app, |ui| {
        let _ = ui.click("Apply").unwrap();
    });
    assert!(app.modal.is_none());
    assert_eq!(app.doc.history().count(), steps + 1, "one undo step");
    assert_eq!(app.doc.session.tracks[0].clips[0].media, std::path::Path::new("elsewhere/drums/kick.wav"));
    assert!(app.missing_clips().is_empty(), "the graph was rebuilt with the file");
    assert!(app.audio.graph_error.is_none(), "{:?}", app.audio.graph_error);
    assert!(!shows(&app, "Relink…") && !shows(&app, "⚠ 1 missing"), "banner and mark are gone");
    // The clip plays: the kick's meter moves.
    app.audio.play();
    let mut peak = f32::NEG_INFINITY;
    for _ in 0..40 {
        std::thread::sleep(Duration::from_millis(25));
        app.audio.poll();
        if let Some(m) = app.audio.meters.get(&KICK) {
            peak = peak.max(m.peak_db().iter().copied().fold(f32::NEG_INFINITY, f32::max));
        }
    }
    app.audio.stop();
    assert!(peak > -30.0, "the relinked kick is heard: peak {peak} dB");
    let _ = StripRef::Master;
}

/// Issue 20: relinking to a file in a folder whose name is not UTF-8 made the
/// autosave and Ctrl+S panic (the window vanished, the edits were lost). Now
/// both write the path exactly and it loads back.
#[test]
fn relinking_to_a_folder_whose_name_is_not_utf8_autosaves_and_saves() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, app) = fixture();
    drop(app);
    let path = dir.path().join("song.mixdesk");
    let odd = std::ffi::OsStr::from_bytes(b"dr\xffms");
    let moved = dir.path().join("elsewhere").join(odd);
    std::fs::create_dir_all(&moved).unwrap();
    std::fs::rename(dir.path().join("media/kick.wav"), moved.join("kick.wav")).unwrap();
    let mut app = boot(&path);
    act(&mut app, |ui| {
        let _ = ui.click("Relink…").unwrap();
    });
    let folder = dir.path().join("elsewhere");
    act(&mut app, |ui| {
        let _ = ui.click(id("relink-folder")).unwrap();
        let _ = ui.typewrite(&folder.display().to_string());
    });
    act(&mut app, |ui| {
        let _ = ui.click("Search").unwrap();
    });
    act(&mut app, |ui| {
        let _ = ui.click("Apply").unwrap();
    });
    let want = std::path::Path::new("elsewhere").join(odd).join("kick.wav");
    assert_eq!(app.doc.session.tracks[0].clips[0].media, want);
    assert!(app.missing_clips().is_empty(), "the clip found its file");
    app.autosave.skew = Duration::from_secs(31);
    let _ = app.update(Message::Tick);
    let sidecar = sidecar_path(&path);
    assert_eq!(session::load(&sidecar).unwrap(), app.doc.session, "the autosave holds the relink");
    let _ = app.update(Message::Save);
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    assert_eq!(session::load(&path).unwrap().tracks[0].clips[0].media, want, "saved exactly");
}

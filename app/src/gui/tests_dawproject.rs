//! DAWproject from the window's toolbar, with real clicks and a typed path
//! (no file dialog here): the session goes out as a .dawproject and comes
//! back as a new session beside it, opened, with its tracks, faders and bus.

use super::path_prompt::Ask;
use super::tests::{KICK, fader_db, fixture};
use super::tests_layout::type_path;
use super::tests_safety::act;
use super::{Modal, dawproject_io};

#[test]
fn export_then_import_a_dawproject_from_the_toolbar() {
    let (dir, mut app) = fixture();
    app.dialogs = false;
    act(&mut app, |ui| {
        let _ = ui.click("Export DAWproject").unwrap();
    });
    assert!(matches!(&app.modal, Some(Modal::Path(p)) if p.ask == Ask::ExportDawproject), "{:?}", app.modal);
    let out = dir.path().join("song.dawproject");
    type_path(&mut app, &out.display().to_string());
    assert!(out.is_file(), "written where typed");
    assert!(
        app.note.text().is_some_and(|t| t.starts_with("Exported song.dawproject (2 tracks, 1 buses)")),
        "{:?}",
        app.note.text()
    );

    act(&mut app, |ui| {
        let _ = ui.click("Import DAWproject").unwrap();
    });
    assert!(matches!(&app.modal, Some(Modal::Path(p)) if p.ask == Ask::ImportDawproject), "{:?}", app.modal);
    // song.mixdesk is there already: the new session takes the next free name.
    assert_eq!(dawproject_io::session_beside(&out), dir.path().join("song-2.mixdesk"));
    type_path(&mut app, &out.display().to_string());
    assert_eq!(
        app.doc.path.as_deref(),
        Some(dir.path().join("song-2.mixdesk").as_path()),
        "{:?}",
        app.errors
    );
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let names: Vec<&str> = app.doc.session.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["kick", "bass"]);
    assert_eq!(app.doc.session.buses.len(), 1);
    // Ids are new on import: the kick is the first track.
    let kick = mixdesk_engine::session::StripRef::Track(app.doc.session.tracks[0].id);
    assert_eq!(fader_db(&app, kick), -6.0);
    let _ = KICK;
    assert!(
        app.note.text().is_some_and(|t| t.starts_with("Opened song.dawproject as song-2.mixdesk")),
        "{:?}",
        app.note.text()
    );
}

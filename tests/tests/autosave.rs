//! Autosave: the sidecar rule, when it writes, what a normal save removes, and
//! when a recovery is offered after a crash (newer and different only), with
//! the difference in words.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use mixdesk_engine::autosave::{Autosaver, DEFAULT_INTERVAL, find_recovery, sidecar_path, write_autosave};
use mixdesk_engine::session::{self, Decibels, SampleTime, Session, Track};

fn mix() -> Session {
    let mut s = Session::new(48_000);
    s.tracks.push(Track::with_one_clip(1, "Bass", PathBuf::from("media/bass.wav"), SampleTime(48_000)));
    s
}

fn saved_mix(dir: &Path) -> PathBuf {
    let path = dir.join("song.mixdesk");
    session::save(&mix(), &path).unwrap();
    path
}

#[test]
fn the_sidecar_is_a_hidden_file_beside_the_session() {
    assert_eq!(sidecar_path(Path::new("/music/song.mixdesk")), Path::new("/music/.song.mixdesk.autosave"));
    assert_eq!(sidecar_path(Path::new("song.mixdesk")), Path::new(".song.mixdesk.autosave"));
    assert_eq!(DEFAULT_INTERVAL, Duration::from_secs(30));
}

#[test]
fn it_writes_dirty_changes_once_per_interval_and_a_save_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved_mix(dir.path());
    let t0 = Instant::now();
    let at = |s: u64| t0 + Duration::from_secs(s);
    let mut a = Autosaver::new(&path, DEFAULT_INTERVAL, t0);
    let mut s = mix();
    assert!(!a.tick(&s, at(31)).unwrap(), "nothing to save while clean");
    s.tracks[0].strip.fader_db = Decibels(-6.0);
    a.mark_dirty();
    assert!(!a.tick(&s, at(29)).unwrap() && !a.sidecar().exists(), "not before the interval");
    assert!(a.tick(&s, at(31)).unwrap());
    assert_eq!(session::load(&a.sidecar()).unwrap(), s);
    assert!(!a.is_dirty() && !a.tick(&s, at(70)).unwrap());
    s.tracks[0].strip.mute = true;
    a.mark_dirty();
    assert!(!a.tick(&s, at(45)).unwrap(), "the interval counts from the last write");
    assert!(a.tick(&s, at(61)).unwrap());
    assert_eq!(session::load(&a.sidecar()).unwrap(), s);
    session::save(&s, &path).unwrap();
    a.saved(at(62)).unwrap();
    assert!(!a.sidecar().exists() && !a.is_dirty());
    a.mark_dirty();
    assert!(!a.tick(&s, at(91)).unwrap() && a.tick(&s, at(92)).unwrap(), "a save restarts the clock");
    a.discard().unwrap();
    assert!(!sidecar_path(&path).exists(), "closing without saving removes it");
}

#[test]
fn a_newer_different_autosave_is_offered_with_the_difference_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved_mix(dir.path());
    assert!(find_recovery(&path).unwrap().is_none(), "no autosave, nothing to offer");
    let mut edited = mix();
    edited.tracks[0].strip.fader_db = Decibels(-4.5);
    write_autosave(&path, &edited).unwrap();
    let r = find_recovery(&path).unwrap().expect("offered");
    assert_eq!(r.session, edited);
    assert_eq!(r.saved, Some(mix()));
    let words: Vec<String> = r.changes.iter().map(ToString::to_string).collect();
    assert_eq!(words, ["Bass fader +0.0 dB -> -4.5 dB"]);
    assert_eq!(r.autosave, sidecar_path(&path));
    r.discard().unwrap();
    assert!(find_recovery(&path).unwrap().is_none() && !sidecar_path(&path).exists());

    // The same content as the saved file: nothing to recover.
    write_autosave(&path, &mix()).unwrap();
    assert!(find_recovery(&path).unwrap().is_none());
    // Older than the session file (saved after it; the removal was interrupted): stale.
    write_autosave(&path, &edited).unwrap();
    let old = SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options().write(true).open(sidecar_path(&path)).unwrap().set_modified(old).unwrap();
    assert!(find_recovery(&path).unwrap().is_none());
    // A session never saved (the crash came first) still recovers.
    std::fs::remove_file(&path).unwrap();
    let r = find_recovery(&path).unwrap().expect("offered without a session file");
    assert_eq!((r.session, r.saved, r.changes.len()), (edited, None, 0));
}

#[test]
fn a_damaged_autosave_is_an_error_naming_it_and_leftovers_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved_mix(dir.path());
    std::fs::write(sidecar_path(&path), "(version: 2, sample_rate: 480").unwrap();
    let err = find_recovery(&path).unwrap_err().to_string();
    assert!(err.contains(".song.mixdesk.autosave") && err.contains("fix the file"), "{err}");
    std::fs::remove_file(sidecar_path(&path)).unwrap();

    // Temporaries (`.NAME.tmp-PID-XXXXXX`) of a process that is gone go; this process's stay.
    let of_pid = |target: &Path, pid: &str| {
        let name = target.file_name().unwrap().to_string_lossy();
        target.with_file_name(format!(".{name}.tmp-{pid}-a1B2c3"))
    };
    let gone = of_pid(&path, "999999999");
    let gone_autosave = of_pid(&sidecar_path(&path), "999999998");
    let ours = of_pid(&path, &std::process::id().to_string());
    for p in [&gone, &gone_autosave, &ours] {
        std::fs::write(p, "partial").unwrap();
    }
    assert!(find_recovery(&path).unwrap().is_none());
    if cfg!(target_os = "linux") {
        assert!(!gone.exists() && !gone_autosave.exists());
    }
    assert!(ours.exists());
}

#[test]
fn a_failed_autosave_keeps_the_previous_one_and_stays_dirty() {
    // The session's folder is reached through a link, which is pointed at
    // /proc (where no one, root included, may create a file) to make the
    // write fail, and back.
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let path = saved_mix(&link);
    let t0 = Instant::now();
    let mut a = Autosaver::new(&path, Duration::from_secs(1), t0);
    let mut s = mix();
    s.tracks[0].strip.solo = true;
    a.mark_dirty();
    a.tick(&s, t0 + Duration::from_secs(2)).unwrap();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("/proc", &link).unwrap();
    let mut later = s.clone();
    later.tracks[0].strip.mute = true;
    a.mark_dirty();
    let err = a.tick(&later, t0 + Duration::from_secs(4)).unwrap_err().to_string();
    assert!(err.contains(".song.mixdesk.autosave") && err.contains("free space"), "{err}");
    assert!(a.is_dirty());
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert_eq!(session::load(&sidecar_path(&path)).unwrap(), s, "the previous autosave is intact");
    assert!(!a.tick(&later, t0 + Duration::from_millis(4500)).unwrap(), "it waits an interval to retry");
    assert!(a.tick(&later, t0 + Duration::from_secs(5)).unwrap());
}

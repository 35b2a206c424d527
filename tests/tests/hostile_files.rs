//! Hostile file names, paths and file types (issue 20), through the real
//! `mixdesk` binary and the engine's save path: names that are not UTF-8,
//! outputs that are inputs (also through links), outputs that are FIFOs,
//! devices or symbolic links, planted temporaries, permission bits, FIFOs
//! and folders where media or sessions should be, media that will not
//! decode, and sessions past the validator's limits.
//!
//! Every case asserts the exit status, the phrases of the message (the file
//! and what it is) and that nothing was lost: inputs keep their bytes,
//! special files stay what they were. A command that does not end within
//! [`PATIENCE`] is killed and fails its case (a FIFO used to hang `render`
//! and `info` forever).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mixdesk_engine::session::{self, Session, Track};
use mixdesk_engine::units::SampleTime;
use mixdesk_tests::{mixdesk, write_wav_f32};

/// How long any command here may take (they take well under a second each).
const PATIENCE: Duration = Duration::from_secs(30);

/// What a run of `mixdesk` did.
#[derive(Debug)]
struct Run {
    /// The exit status, `None` if it was killed after [`PATIENCE`].
    code: Option<i32>,
    /// Stdout and stderr together.
    text: String,
}

impl Run {
    /// Asserts the exit status and that every phrase appears, and no panic.
    fn expect(&self, what: &str, code: i32, phrases: &[&str]) {
        let missing: Vec<&&str> = phrases.iter().filter(|p| !self.text.contains(**p)).collect();
        assert!(
            self.code == Some(code) && missing.is_empty() && !self.text.contains("panicked"),
            "{what}: exit {:?} (want {code}), missing {missing:?} in:\n{}",
            self.code,
            self.text
        );
    }
}

/// Runs `mixdesk` with `args`, killing it after [`PATIENCE`].
fn run<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let mut child = mixdesk()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mixdesk starts");
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            let out = child.wait_with_output().unwrap();
            return Run {
                code: None,
                text: format!(
                    "(killed after {PATIENCE:?}: it hung)\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            };
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Run { code, text }
}

/// A folder with `song.mixdesk` playing `media/a.wav` (0.1 s of stereo noise).
fn song() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("media")).unwrap();
    write_wav_f32(&dir.path().join("media/a.wav"), 48_000, &[vec![0.25; 4800], vec![-0.25; 4800]]);
    let path = dir.path().join("song.mixdesk");
    session_playing(&path, "media/a.wav");
    (dir, path)
}

/// Saves a session at `path` with one track named "T" playing `media` for 0.1 s.
fn session_playing(path: &Path, media: impl Into<PathBuf>) {
    let mut s = Session::new(48_000);
    s.tracks.push(Track::with_one_clip(1, "T", media.into(), SampleTime(4800)));
    session::save(&s, path).unwrap();
    let _ = fs::remove_file(mixdesk_engine::atomic::backup_path(path));
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A file name with the byte 0xFF, which is not UTF-8.
fn not_utf8(prefix: &str) -> PathBuf {
    let mut name = prefix.as_bytes().to_vec();
    name.extend_from_slice(b"\xff name.wav");
    PathBuf::from(OsStr::from_bytes(&name))
}

#[test]
fn a_media_file_whose_name_is_not_utf8_imports_saves_renders_and_reloads_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let stems = dir.path().join("stems");
    fs::create_dir(&stems).unwrap();
    let odd = not_utf8("bass");
    write_wav_f32(&stems.join(&odd), 48_000, &[vec![0.5; 4800]]);
    write_wav_f32(&stems.join("drums.wav"), 48_000, &[vec![0.25; 4800]]);
    let path = dir.path().join("song.mixdesk");
    run(&[OsStr::new("new"), "--from-stems".as_ref(), stems.as_os_str(), "-o".as_ref(), path.as_os_str()])
        .expect("new --from-stems", 0, &["wrote", "with 2 tracks"]);
    let s = session::load(&path).unwrap();
    assert_eq!(s.tracks[0].clips[0].media, Path::new("stems").join(&odd), "the name's bytes are kept");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(r#"media: b"stems/bass\xff name.wav""#), "{text}");
    run(&[OsStr::new("info"), path.as_os_str()]).expect("info", 0, &["2 tracks", "all media present"]);
    let mix = dir.path().join("mix.wav");
    run(&[OsStr::new("render"), path.as_os_str(), "-o".as_ref(), mix.as_os_str(), "--no-report".as_ref()])
        .expect("render", 0, &["wrote"]);
    let (_, mixed) = mixdesk_tests::read_wav(&mix);
    // Both tracks are heard: 0.5 and 0.25, mono at -3 dB to each side.
    let want = 0.75 * std::f32::consts::FRAC_1_SQRT_2;
    assert!((mixed[0][100] - want).abs() < 1e-6, "{} != {want}", mixed[0][100]);
    // The autosave, a version and a copy saved again keep it too.
    mixdesk_engine::autosave::write_autosave(&path, &s).unwrap();
    let sidecar = mixdesk_engine::autosave::sidecar_path(&path);
    assert_eq!(session::load(&sidecar).unwrap(), s);
    let version = mixdesk_engine::versions::save(&path, &s, "odd names").unwrap();
    assert_eq!(mixdesk_engine::versions::load(&path, &version).unwrap(), s);
}

#[test]
fn relinking_to_a_file_whose_name_is_not_utf8_saves() {
    let dir = tempfile::tempdir().unwrap();
    let stems = dir.path().join("stems");
    fs::create_dir(&stems).unwrap();
    write_wav_f32(&stems.join("bass.wav"), 48_000, &[vec![0.5; 4800]]);
    let path = dir.path().join("song.mixdesk");
    run(&[OsStr::new("new"), "--from-stems".as_ref(), stems.as_os_str(), "-o".as_ref(), path.as_os_str()])
        .expect("new", 0, &["wrote"]);
    // Renamed to a name that is not UTF-8, in another folder: found by content.
    let moved = dir.path().join("moved");
    fs::create_dir(&moved).unwrap();
    fs::rename(stems.join("bass.wav"), moved.join(not_utf8("renamed"))).unwrap();
    let before = fs::read(&path).unwrap();
    run(&[OsStr::new("relink"), path.as_os_str(), "--search".as_ref(), moved.as_os_str()]).expect(
        "relink",
        0,
        &["found by content", "saved"],
    );
    let s = session::load(&path).unwrap();
    assert_eq!(s.tracks[0].clips[0].media, Path::new("moved").join(not_utf8("renamed")));
    assert_eq!(fs::read(mixdesk_engine::atomic::backup_path(&path)).unwrap(), before, "the .bak");
}

#[test]
fn render_refuses_an_output_that_is_one_of_its_inputs_naming_both() {
    let (dir, path) = song();
    let d = dir.path();
    let media = d.join("media/a.wav");
    let media_bytes = fs::read(&media).unwrap();
    let session_bytes = fs::read(&path).unwrap();
    std::os::unix::fs::symlink(&media, d.join("link.wav")).unwrap();
    fs::hard_link(&media, d.join("hard.wav")).unwrap();
    // A stem whose name is a media file's: track "T" writes "01 T.wav".
    let stems = d.join("stems");
    fs::create_dir(&stems).unwrap();
    write_wav_f32(&stems.join("01 T.wav"), 48_000, &[vec![0.1; 4800]]);
    let stem_song = d.join("stem-song.mixdesk");
    session_playing(&stem_song, "stems/01 T.wav");
    let stem_bytes = fs::read(stems.join("01 T.wav")).unwrap();

    let render = |session: &Path, out: &Path, extra: &[&str]| {
        let mut args = vec![OsStr::new("render"), session.as_os_str(), "-o".as_ref(), out.as_os_str()];
        args.extend(extra.iter().map(OsStr::new));
        run(&args)
    };
    render(&path, &media, &[]).expect("onto its media", 1, &["media/a.wav", "the render reads", "nothing"]);
    render(&path, &path, &[]).expect("onto its session", 1, &["song.mixdesk", "the render reads"]);
    render(&path, &d.join("link.wav"), &[]).expect(
        "through a symbolic link",
        1,
        &["link.wav", "media/a.wav", "the render reads"],
    );
    render(&path, &d.join("hard.wav"), &[]).expect(
        "through a hard link",
        1,
        &["hard.wav", "media/a.wav", "the render reads"],
    );
    render(&stem_song, &d.join("mix.wav"), &["--stems", stems.to_str().unwrap()]).expect(
        "a stem onto its media",
        1,
        &["01 T.wav", "the render reads"],
    );
    assert_eq!(fs::read(&media).unwrap(), media_bytes, "the media is intact");
    assert_eq!(fs::read(&path).unwrap(), session_bytes, "the session is intact");
    assert_eq!(fs::read(stems.join("01 T.wav")).unwrap(), stem_bytes, "the stem's source is intact");
    assert!(fs::symlink_metadata(d.join("link.wav")).unwrap().file_type().is_symlink());
    assert!(!d.join("mix.wav").exists(), "nothing half-done");
}

#[test]
fn render_never_replaces_a_fifo_a_device_or_a_symbolic_link() {
    let (dir, path) = song();
    let d = dir.path();
    let render = |out: &Path| {
        run(&[OsStr::new("render"), path.as_os_str(), "-o".as_ref(), out.as_os_str(), "--no-report".as_ref()])
    };
    let fifo = d.join("fifo.wav");
    mkfifo(&fifo);
    render(&fifo).expect("onto a FIFO", 1, &["fifo.wav", "FIFO", "not a regular file"]);
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO is still a FIFO");

    if running_as_root() {
        // A device node of our own, the same device as /dev/null (never the real one).
        let node = d.join("null-device");
        let ok = Command::new("mknod").arg(&node).args(["c", "1", "3"]).status().unwrap().success();
        assert!(ok, "mknod");
        render(&node).expect("onto a device", 1, &["null-device", "character device", "not a regular file"]);
        assert!(fs::symlink_metadata(&node).unwrap().file_type().is_char_device(), "still a device");
    } else {
        eprintln!("not root: the device-node case is skipped (mknod needs root)");
    }

    // A symbolic link to a file: written through, the link stays a link.
    fs::create_dir(d.join("mixes")).unwrap();
    fs::write(d.join("mixes/final.wav"), b"an old mix").unwrap();
    fs::set_permissions(d.join("mixes/final.wav"), fs::Permissions::from_mode(0o640)).unwrap();
    let link = d.join("out.wav");
    std::os::unix::fs::symlink("mixes/final.wav", &link).unwrap();
    render(&link).expect("through a symbolic link", 0, &["wrote"]);
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is still a link");
    let (_, mixed) = mixdesk_tests::read_wav(&d.join("mixes/final.wav"));
    assert_eq!(mixed[0].len(), 4800, "the mix went to the link's target");
    let mode = fs::metadata(d.join("mixes/final.wav")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the target keeps its permission bits");

    // A dangling link is refused, not replaced and not followed into a new file.
    let dangling = d.join("dangling.wav");
    std::os::unix::fs::symlink("nowhere/x.wav", &dangling).unwrap();
    render(&dangling).expect("onto a dangling link", 1, &["dangling.wav", "nowhere/x.wav", "does not exist"]);
    assert!(fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink());
    assert!(!d.join("nowhere").exists());
}

#[test]
fn fifos_where_media_or_sessions_should_be_are_refused_without_hanging() {
    let (dir, _) = song();
    let d = dir.path();
    mkfifo(&d.join("media/pipe.wav"));
    let piped = d.join("piped.mixdesk");
    session_playing(&piped, "media/pipe.wav");
    let out = d.join("out.wav");
    run(&[OsStr::new("render"), piped.as_os_str(), "-o".as_ref(), out.as_os_str()]).expect(
        "render with FIFO media",
        1,
        &["pipe.wav", "FIFO", "not an audio file"],
    );
    run(&[OsStr::new("play"), piped.as_os_str(), "--seconds".as_ref(), "0.1".as_ref()]).expect(
        "play with FIFO media",
        0,
        &["pipe.wav", "FIFO", "play as silence"],
    );
    let fifo_session = d.join("fifo.mixdesk");
    mkfifo(&fifo_session);
    run(&[OsStr::new("info"), fifo_session.as_os_str()]).expect(
        "info on a FIFO session",
        1,
        &["fifo.mixdesk", "FIFO", "not a Mixdesk session"],
    );
    run(&[OsStr::new("analyze"), d.join("media/pipe.wav").as_os_str()]).expect(
        "analyze a FIFO",
        1,
        &["pipe.wav", "FIFO", "not an audio file"],
    );
    run(&[OsStr::new("info"), piped.as_os_str()]).expect("info with FIFO media", 0, &["pipe.wav", "FIFO"]);
    assert!(!out.exists());
}

#[test]
fn a_folder_given_as_media_is_called_a_folder_not_a_missing_file() {
    let (dir, _) = song();
    let d = dir.path();
    fs::create_dir(d.join("media/folder.wav")).unwrap();
    let s = d.join("folder.mixdesk");
    session_playing(&s, "media/folder.wav");
    let out = d.join("out.wav");
    run(&[OsStr::new("render"), s.as_os_str(), "-o".as_ref(), out.as_os_str()]).expect(
        "render",
        1,
        &["folder.wav", "is a directory", "not an audio file"],
    );
    run(&[OsStr::new("analyze"), d.join("media/folder.wav").as_os_str()]).expect(
        "analyze",
        1,
        &["folder.wav", "is a directory"],
    );
    let info = run(&[OsStr::new("info"), s.as_os_str()]);
    info.expect("info", 0, &["folder.wav", "is a directory"]);
    assert!(!info.text.contains("no such file") && !info.text.contains("all media present"), "{}", info.text);
}

#[test]
fn info_says_what_is_wrong_with_each_media_file() {
    let (dir, _) = song();
    let d = dir.path();
    write_wav_f32(&d.join("media/cut.wav"), 48_000, &[vec![0.1; 48_000]]);
    let bytes = fs::read(d.join("media/cut.wav")).unwrap();
    fs::write(d.join("media/cut.wav"), &bytes[..bytes.len() / 2]).unwrap();
    fs::write(d.join("media/text.wav"), "this is not audio, only text that says it is").unwrap();
    let s = d.join("mixed.mixdesk");
    let mut session = Session::new(48_000);
    for (i, media) in ["media/a.wav", "media/cut.wav", "media/text.wav", "media/gone.wav"].iter().enumerate()
    {
        let id = 1 + 2 * i as u32;
        session.tracks.push(Track::with_one_clip(id, format!("T{i}"), media.into(), SampleTime(4800)));
    }
    session::save(&session, &s).unwrap();
    let info = run(&[OsStr::new("info"), s.as_os_str()]);
    info.expect(
        "info",
        0,
        &["cut.wav", "damaged", "text.wav", "not a recognised audio format", "missing media (1)", "gone.wav"],
    );
    assert!(!info.text.contains("all media present"), "{}", info.text);
    assert!(!info.text.contains("media/a.wav:"), "the good file is not listed: {}", info.text);
    let json = run(&[OsStr::new("info"), s.as_os_str(), "--json".as_ref()]);
    json.expect("info --json", 0, &["unreadable_media"]);
    let v: serde_json::Value = serde_json::from_str(&json.text).unwrap();
    assert_eq!(v["unreadable_media"].as_array().unwrap().len(), 2, "{}", json.text);
    assert_eq!(v["missing_media"].as_array().unwrap().len(), 1, "{}", json.text);
}

#[test]
fn sessions_past_the_limits_are_refused_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: String| {
        let p = d.join(name);
        fs::write(&p, text).unwrap();
        p
    };
    let inserts = |n: u32| {
        let list: Vec<String> = (0..n).map(|i| format!("(id: {}, kind: \"limiter\")", 10 + i)).collect();
        format!(
            "(version: 2, sample_rate: 48000, tracks: [(id: 1, name: \"T\", strip: (processors: [{}]))])",
            list.join(", ")
        )
    };
    let many = write("limiters.mixdesk", inserts(2000));
    run(&["info", many.to_str().unwrap()]).expect(
        "2000 limiters",
        1,
        &["limiters.mixdesk", "track 'T' has 2000 inserts", "at most 64"],
    );
    let ok = write("sixty-four.mixdesk", inserts(64));
    run(&["info", ok.to_str().unwrap()]).expect("64 inserts", 0, &["1 tracks"]);
    let tracks: Vec<String> = (1..=5000).map(|i| format!("(id: {i}, name: \"T{i}\")")).collect();
    let wide =
        write("tracks.mixdesk", format!("(version: 2, sample_rate: 48000, tracks: [{}])", tracks.join(", ")));
    run(&["info", wide.to_str().unwrap()]).expect("5000 tracks", 1, &["5000 tracks", "at most 4096"]);
    let points: Vec<String> = (0..1_000_001).map(|i| format!("(time: {i}, value: 0.0)")).collect();
    let dense = write(
        "points.mixdesk",
        format!(
            "(version: 2, sample_rate: 48000, tracks: [(id: 1, name: \"T\")], automation: [(param: Strip(Track(1), Fader), mode: Read, points: [{}])])",
            points.join(", ")
        ),
    );
    run(&["info", dense.to_str().unwrap()]).expect(
        "a million and one points",
        1,
        &["1000001 points", "at most 1000000"],
    );
}

/// The engine's save (what Ctrl+S, autosave, `relink` and `new` use).
mod saving {
    use super::*;

    fn a_session() -> Session {
        let mut s = Session::new(48_000);
        s.tracks.push(Track::with_one_clip(1, "T", "a.wav".into(), SampleTime(4800)));
        s
    }

    #[test]
    fn a_planted_symlink_at_the_old_temporary_name_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("song.mixdesk");
        session::save(&a_session(), &path).unwrap();
        let victim = dir.path().join("victim.txt");
        fs::write(&victim, b"precious").unwrap();
        // The name the temporary used to have: `.NAME.tmp-PID`, predictable.
        let planted = dir.path().join(format!(".song.mixdesk.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let mut s = a_session();
        s.tracks[0].strip.fader_db.0 = -6.0;
        session::save(&s, &path).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious", "the symlink's target is untouched");
        assert!(fs::symlink_metadata(&path).unwrap().file_type().is_file(), "the session is a file");
        assert_eq!(session::load(&path).unwrap(), s);
        assert!(fs::symlink_metadata(&planted).unwrap().file_type().is_symlink(), "left alone");
    }

    #[test]
    fn a_save_keeps_the_permission_bits_and_a_new_file_follows_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("song.mixdesk");
        session::save(&a_session(), &path).unwrap();
        let fresh = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(fresh & 0o600, 0o600, "a new session is readable and writable by its owner: {fresh:o}");
        for mode in [0o600, 0o640, 0o664] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            session::save(&a_session(), &path).unwrap();
            let now = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(now, mode, "saved over a {mode:o} file");
        }
    }

    #[test]
    fn a_save_through_a_symlink_writes_its_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real_dir = dir.path().join("real");
        fs::create_dir(&real_dir).unwrap();
        let real = real_dir.join("song.mixdesk");
        session::save(&a_session(), &real).unwrap();
        let link = dir.path().join("song.mixdesk");
        std::os::unix::fs::symlink("real/song.mixdesk", &link).unwrap();
        let mut s = a_session();
        s.tracks[0].name = "Through the link".into();
        session::save(&s, &link).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is still a link");
        assert_eq!(session::load(&real).unwrap(), s, "the target was saved");
        assert!(mixdesk_engine::atomic::backup_path(&real).is_file(), "the .bak is beside the target");
        assert_eq!(mixdesk_engine::atomic::target_of(&link), real_dir.join("song.mixdesk"));
        let stray: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(stray.len(), 2, "nothing else beside the link: {stray:?}");
    }

    #[test]
    fn a_save_onto_a_fifo_or_a_folder_is_refused_and_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.mixdesk");
        mkfifo(&fifo);
        // On a thread, so a save that blocks on the FIFO fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        let at = fifo.clone();
        std::thread::spawn(move || tx.send(session::save(&a_session(), &at).map_err(|e| e.to_string())));
        let result = rx.recv_timeout(PATIENCE).expect("the save onto a FIFO hung");
        let e = result.unwrap_err();
        assert!(e.contains("fifo.mixdesk") && e.contains("FIFO") && e.contains("not a regular file"), "{e}");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        let folder = dir.path().join("folder.mixdesk");
        fs::create_dir(&folder).unwrap();
        let e = session::save(&a_session(), &folder).unwrap_err().to_string();
        assert!(e.contains("folder.mixdesk") && e.contains("directory"), "{e}");
        assert!(folder.is_dir());
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no temporaries left: {names:?}");
    }
}

//! Relinking moved media: by name (the folders of the stored path break ties,
//! then the recorded content), by size and content hash when renamed, never
//! by guesswork; through `mixdesk relink` with its dry run and atomic save,
//! and through the engine for sessions without fingerprints.

use std::fs;
use std::path::{Path, PathBuf};

use mixdesk_engine::relink::{self, How};
use mixdesk_engine::session::{self, SampleTime, Session, Track};
use mixdesk_tests::{noise, run, write_wav_f32};

fn wav(path: &Path, seed: u64) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    write_wav_f32(path, 48_000, &[noise(seed, 4_800, 0.2)]);
}

/// `song/song.mixdesk` made by `mixdesk new` from four stems in `song/media`
/// (so every clip has its fingerprint), then the media scattered: bass moved,
/// keys moved and renamed, vox gone, gtr moved beside another file of its name.
fn scattered(root: &Path) -> PathBuf {
    let song = root.join("song");
    for (i, name) in ["bass", "gtr", "keys", "vox"].iter().enumerate() {
        wav(&song.join(format!("media/{name}.wav")), i as u64 + 1);
    }
    let path = song.join("song.mixdesk");
    let (ok, out, err) =
        run(&["new", "--from-stems", song.join("media").to_str().unwrap(), "-o", path.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let away = root.join("elsewhere");
    fs::create_dir_all(away.join("sub")).unwrap();
    fs::create_dir_all(away.join("a")).unwrap();
    fs::rename(song.join("media/bass.wav"), away.join("sub/bass.wav")).unwrap();
    fs::rename(song.join("media/keys.wav"), away.join("keys-final.wav")).unwrap();
    fs::remove_file(song.join("media/vox.wav")).unwrap();
    fs::rename(song.join("media/gtr.wav"), away.join("a/gtr.wav")).unwrap();
    wav(&away.join("b/gtr.wav"), 99);
    path
}

#[test]
fn mixdesk_relink_finds_moved_files_by_name_and_renamed_ones_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = scattered(dir.path());
    let away = dir.path().join("elsewhere");
    let (ok, info, _) = run(&["info", path.to_str().unwrap()]);
    assert!(ok && info.contains("missing media (4)"), "{info}");

    let before = fs::read(&path).unwrap();
    let args = ["relink", path.to_str().unwrap(), "--search", away.to_str().unwrap()];
    let (ok, out, err) = run(&[&args[..], &["--dry-run"]].concat());
    assert!(ok, "{err}");
    let expected = [
        format!("4 media files missing; searched 4 files in {}", away.display()),
        "found by name: media/bass.wav -> ../elsewhere/sub/bass.wav".to_owned(),
        "found by name: media/gtr.wav -> ../elsewhere/a/gtr.wav".to_owned(),
        "found by content: media/keys.wav -> ../elsewhere/keys-final.wav (renamed)".to_owned(),
        "not found: media/vox.wav".to_owned(),
        format!("dry run: {} was not changed", path.display()),
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
    assert_eq!(fs::read(&path).unwrap(), before, "a dry run writes nothing");

    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    assert!(out.contains("relinked 3 of 4 missing files") && out.contains("saved"), "{out}");
    assert_eq!(
        fs::read(mixdesk_engine::atomic::backup_path(&path)).unwrap(),
        before,
        "the previous file is kept"
    );
    let s = session::load(&path).unwrap();
    let media: Vec<&Path> = s.tracks.iter().map(|t| t.clips[0].media.as_path()).collect();
    assert_eq!(
        media,
        [
            Path::new("../elsewhere/sub/bass.wav"),
            Path::new("../elsewhere/a/gtr.wav"),
            Path::new("../elsewhere/keys-final.wav"),
            Path::new("media/vox.wav"),
        ]
    );
    let (_, info, _) = run(&["info", path.to_str().unwrap()]);
    assert!(info.contains("missing media (1)") && info.contains("vox.wav"), "{info}");
    // The one still missing is refused by a bounce unless it may be silent.
    let mix = dir.path().join("mix.wav");
    let (ok, _, err) = run(&["render", path.to_str().unwrap(), "-o", mix.to_str().unwrap(), "--no-report"]);
    assert!(!ok && err.contains("vox.wav") && err.contains("mixdesk relink"), "{err}");
    let (ok, _, err) = run(&[
        "render",
        path.to_str().unwrap(),
        "-o",
        mix.to_str().unwrap(),
        "--no-report",
        "--allow-missing",
    ]);
    assert!(ok && err.contains("vox.wav") && err.contains("rendered as silence"), "{err}");
}

fn old_session(dir: &Path, media: &[&str]) -> Session {
    let mut s = Session::new(48_000);
    for (i, m) in media.iter().enumerate() {
        s.tracks.push(Track::with_one_clip(
            1 + 2 * i as u32,
            format!("T{i}"),
            PathBuf::from(m),
            SampleTime(4_800),
        ));
    }
    session::save(&s, &dir.join("old.mixdesk")).unwrap();
    s
}

#[test]
fn without_fingerprints_names_and_folders_decide_and_ties_are_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = old_session(d, &["media/drums/kick.wav", "media/snare.wav", "media/renamed.wav"]);
    let search = d.join("search");
    wav(&search.join("x/drums/kick.wav"), 1);
    wav(&search.join("y/kick.wav"), 2);
    wav(&search.join("p/snare.wav"), 3);
    wav(&search.join("q/snare.wav"), 4);
    wav(&search.join("other-name.wav"), 5);
    let plan = relink::plan(&s, d, &search).unwrap();
    assert_eq!(plan.missing, 3);
    assert_eq!(plan.found.len(), 1);
    assert_eq!(plan.found[0].file, search.join("x/drums/kick.wav"), "its folder matches the stored path's");
    assert_eq!(plan.found[0].how, How::Name);
    assert_eq!(
        plan.ambiguous,
        [(PathBuf::from("media/snare.wav"), vec![search.join("p/snare.wav"), search.join("q/snare.wav")])]
    );
    assert_eq!(plan.not_found, [PathBuf::from("media/renamed.wav")], "no fingerprint, no match by content");

    // Case differs only: still a match by name.
    let s = old_session(d, &["media/Bass.WAV"]);
    wav(&search.join("deep/er/bass.wav"), 6);
    let plan = relink::plan(&s, d, &search).unwrap();
    assert_eq!(plan.found[0].file, search.join("deep/er/bass.wav"));
}

#[test]
fn recorded_fingerprints_find_a_renamed_file_and_break_name_ties() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    wav(&d.join("media/take.wav"), 7);
    wav(&d.join("media/loop.wav"), 8);
    let mut s = old_session(d, &["media/take.wav", "media/loop.wav"]);
    assert_eq!(relink::record_fingerprints(&mut s, d), 2);
    assert_eq!(relink::record_fingerprints(&mut s, d), 0, "each clip once");
    let fp = s.tracks[0].clips[0].fingerprint.unwrap();
    assert_eq!(fp.bytes, fs::metadata(d.join("media/take.wav")).unwrap().len());
    let search = d.join("found");
    fs::create_dir_all(search.join("1")).unwrap();
    fs::rename(d.join("media/take.wav"), search.join("take (final).wav")).unwrap();
    fs::rename(d.join("media/loop.wav"), search.join("1/loop.wav")).unwrap();
    wav(&search.join("2/loop.wav"), 9);
    let plan = relink::plan(&s, d, &search).unwrap();
    let found: Vec<(&Path, How)> = plan.found.iter().map(|f| (f.file.as_path(), f.how)).collect();
    assert_eq!(
        found,
        [
            (search.join("take (final).wav").as_path(), How::Content),
            (search.join("1/loop.wav").as_path(), How::Name)
        ]
    );
    assert_eq!(relink::apply(&mut s, &plan), 2);
    assert_eq!(s.tracks[0].clips[0].media, Path::new("found/take (final).wav"));
    assert!(relink::missing_media(&s, d).is_empty());

    // A search folder that does not exist says so.
    let err = relink::plan(&s, d, &d.join("nope")).unwrap_err().to_string();
    assert!(err.contains("nope") && err.contains("Check that the folder exists"), "{err}");
}

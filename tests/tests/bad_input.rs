//! Bad input through the real CLI: each case exits non-zero with a message that
//! names the file and what went wrong, and nothing panics.

use std::path::Path;

use mixdesk_tests::{run, write_wav_f32};

fn session_with_media(dir: &Path, media: &str) -> std::path::PathBuf {
    let p = dir.join("s.mixdesk");
    let text = format!(
        "(version: 1, sample_rate: 48000, tracks: [(id: 1, name: \"T\", clips: [(id: 2, media: \"{media}\", start: 0, length: 1000)])])"
    );
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_bad_input_gets_its_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A WAV cut in half.
    write_wav_f32(&d.join("cut.wav"), 48_000, &[vec![0.1; 48_000]]);
    let bytes = std::fs::read(d.join("cut.wav")).unwrap();
    std::fs::write(d.join("cut.wav"), &bytes[..bytes.len() / 2]).unwrap();
    // Random bytes named .flac.
    std::fs::write(
        d.join("noise.flac"),
        mixdesk_tests::noise(5, 4000, 1.0).iter().map(|v| v.to_bits() as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    let sub = |name: &str| {
        let s = d.join(name);
        std::fs::create_dir(&s).unwrap();
        s
    };
    let truncated = session_with_media(&sub("a"), "../cut.wav");
    let junk = session_with_media(&sub("b"), "../noise.flac");
    let missing = session_with_media(&sub("c"), "../nowhere.wav");
    let syntax = d.join("syntax.mixdesk");
    std::fs::write(&syntax, "(version: 1,\n sample_rate: 48000\n tracks: [])").unwrap();
    let future = d.join("future.mixdesk");
    std::fs::write(&future, "(version: 99, sample_rate: 48000)").unwrap();
    let absent = d.join("absent.mixdesk");
    let out = d.join("out.wav");
    let cases: [(&Path, &[&str]); 6] = [
        (&truncated, &["cut.wav", "damaged", "cut short"]),
        (&junk, &["noise.flac", "not a recognised audio format", "convert"]),
        (&missing, &["nowhere.wav", "not found", "relink"]),
        (&syntax, &["syntax.mixdesk:3:", "fix the file"]),
        (&future, &["future.mixdesk", "version 99", "newer Mixdesk"]),
        (&absent, &["absent.mixdesk", "cannot read"]),
    ];
    for (session, expect) in cases {
        let (ok, stdout, stderr) = run(&["render", session.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert!(!ok, "{}: must fail\n{stdout}", session.display());
        assert!(!stderr.contains("panicked"), "{stderr}");
        for e in expect {
            assert!(stderr.contains(e), "{}: expected '{e}' in: {stderr}", session.display());
        }
        assert!(!out.exists(), "no partial output is left behind");
    }
    // info still reports a session whose media is missing, and lists it.
    let (ok, stdout, _) = run(&["info", missing.to_str().unwrap()]);
    assert!(ok);
    assert!(stdout.contains("missing media (1)") && stdout.contains("nowhere.wav"), "{stdout}");
}

#[test]
fn new_from_an_empty_folder_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(&["new", "--from-stems", dir.path().to_str().unwrap(), "-o", "x.mixdesk"]);
    assert!(!ok);
    assert!(err.contains("holds no audio files"), "{err}");
}

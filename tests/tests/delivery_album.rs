//! The album: three songs, a 2 s gap into the second and a 1 s equal-power
//! crossfade into the third, rendered by `mixdesk album render`; every
//! sample of the album file against the closed form, the cue sheet's and
//! the WAV's track positions, the per-song files split at the starts, the
//! per-song gain, and one album gain for every file when normalised.

use std::f64::consts::{FRAC_PI_2, TAU};
use std::path::Path;

use mixdesk_tests::{read_wav, run, write_wav_f32};

const RATE: f64 = 48_000.0;
/// (amplitude, frequency, seconds) of each song.
const SONGS: [(f64, f64, f64); 3] = [(0.1, 100.0, 3.0), (0.2, 200.0, 3.0), (0.3, 300.0, 2.0)];

fn song(k: usize, i: usize) -> f64 {
    let (a, f, _) = SONGS[i];
    a * (TAU * f * k as f64 / RATE).sin()
}

/// Writes the songs and the album file; `gain1` is the first song's gain.
fn album(dir: &Path, gain1: f64) -> std::path::PathBuf {
    for (i, (_, _, secs)) in SONGS.iter().enumerate() {
        let x: Vec<f32> = (0..(secs * RATE) as usize).map(|k| song(k, i) as f32).collect();
        write_wav_f32(&dir.join(format!("s{i}.wav")), 48_000, &[x.clone(), x]);
    }
    let text = format!(
        "Album(title: \"EP\", artist: Some(\"Band\"), songs: [
            Song(source: \"s0.wav\", title: Some(\"One\"), gain_db: {gain1:.1}),
            Song(source: \"s1.wav\", title: Some(\"Two\"), gap: 2.0, isrc: Some(\"GB-AYE-24-00002\")),
            Song(source: \"s2.wav\", title: Some(\"Three\"), crossfade: 1.0),
        ])"
    );
    let path = dir.join("ep.album.ron");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn three_songs_with_a_gap_and_a_crossfade_land_at_the_closed_form_positions() {
    let dir = tempfile::tempdir().unwrap();
    let g1 = 10f64.powf(-6.0 / 20.0);
    let a = album(dir.path(), -6.0);
    let out = dir.path().join("out");
    let (ok, printed, err) =
        run(&["album", "render", a.to_str().unwrap(), "--out", out.to_str().unwrap(), "--format", "wav32f"]);
    assert!(ok, "{printed}{err}");
    // Song 2 starts 2 s after song 1 ends (3 s + 2 s); song 3 crossfades 1 s
    // into song 2's end (8 s - 1 s); the album ends with song 3 at 9 s.
    let (s2, s3, end) = (240_000usize, 336_000usize, 432_000usize);
    let (_, whole) = read_wav(&out.join("EP.wav"));
    assert_eq!(whole[0].len(), end);
    let want = |j: usize| -> f64 {
        if j < 144_000 {
            g1 * song(j, 0)
        } else if j < s2 {
            0.0
        } else if j < s3 {
            song(j - s2, 1)
        } else if j < s3 + 48_000 {
            let k = j - s3;
            let t = FRAC_PI_2 * k as f64 / 48_000.0;
            song(j - s2, 1) * t.cos() + song(k, 2) * t.sin()
        } else {
            song(j - s3, 2)
        }
    };
    let mut worst = (0usize, 0.0f64);
    for j in 0..end {
        let e = (f64::from(whole[0][j]) - want(j)).abs();
        if e > worst.1 {
            worst = (j, e);
        }
    }
    assert!(worst.1 < 1e-6, "sample {} is off by {:e}", worst.0, worst.1);
    assert!(whole[1] == whole[0]);

    // Track positions: the cue sheet (75 CD frames a second) and the WAV's cue points.
    let cue = std::fs::read_to_string(out.join("EP.cue")).unwrap();
    let index: Vec<&str> = cue.lines().filter_map(|l| l.trim().strip_prefix("INDEX 01 ")).collect();
    assert_eq!(index, ["00:00:00", "00:05:00", "00:07:00"], "{cue}");
    assert!(cue.contains("FILE \"EP.wav\" WAVE") && cue.contains("ISRC GBAYE2400002"), "{cue}");
    let bytes = std::fs::read(out.join("EP.wav")).unwrap();
    let at = bytes.windows(4).position(|w| w == b"cue ").unwrap() + 8;
    let n = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let points: Vec<u32> = (0..n)
        .map(|i| u32::from_le_bytes(bytes[at + 4 + 24 * i + 20..at + 4 + 24 * i + 24].try_into().unwrap()))
        .collect();
    assert_eq!(points, [0, s2 as u32, s3 as u32]);

    // Per-song files split the album at the starts: in order they are the album.
    let mut joined: Vec<f32> = Vec::new();
    for name in ["01 One.wav", "02 Two.wav", "03 Three.wav"] {
        joined.extend(read_wav(&out.join(name)).1[0].iter());
    }
    assert!(joined == whole[0], "the song files played in order are the album");
    assert!(std::fs::read_to_string(out.join("album-sheet.txt")).unwrap().contains("whole album"));
}

#[test]
fn album_normalisation_is_one_gain_for_every_file_and_transitions_are_previewed() {
    let dir = tempfile::tempdir().unwrap();
    let a = album(dir.path(), 0.0);
    let (plain, norm) = (dir.path().join("plain"), dir.path().join("norm"));
    let base = ["album", "render", a.to_str().unwrap(), "--format", "wav32f", "--out"];
    let mut args = base.to_vec();
    args.push(plain.to_str().unwrap());
    assert!(run(&args).0);
    let mut args = base.to_vec();
    args.extend([norm.to_str().unwrap(), "--normalize-lufs", "-20", "--transitions", "1"]);
    let (ok, printed, err) = run(&args);
    assert!(ok, "{printed}{err}");
    let mut gains = Vec::new();
    for name in ["01 One.wav", "02 Two.wav", "03 Three.wav"] {
        let (p, n) = (read_wav(&plain.join(name)).1, read_wav(&norm.join(name)).1);
        let (i, x) = p[0].iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).unwrap();
        gains.push(f64::from(n[0][i]) / f64::from(*x));
    }
    assert!(gains.iter().all(|g| (g / gains[0] - 1.0).abs() < 1e-5), "one album gain: {gains:?}");
    let (ok, analyzed, _) = run(&["analyze", norm.join("EP.wav").to_str().unwrap(), "--json"]);
    assert!(ok);
    let lufs =
        serde_json::from_str::<serde_json::Value>(&analyzed).unwrap()["integrated_lufs"].as_f64().unwrap();
    assert!((lufs + 20.0).abs() < 0.05, "the album reads {lufs:.2} LUFS");
    for name in ["transition 01-02.wav", "transition 02-03.wav"] {
        let (_, t) = read_wav(&norm.join(name));
        assert_eq!(t[0].len(), 96_000, "{name}: 1 s either side of the start");
    }
}

#[test]
fn a_flac_album_carries_its_tracks_as_a_cuesheet_block() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let a = album(dir.path(), 0.0);
    let out = dir.path().join("out");
    let (ok, printed, err) = run(&[
        "album",
        "render",
        a.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "flac24",
        "--rate",
        "44100",
    ]);
    assert!(ok, "{printed}{err}");
    let flac = out.join("EP.flac");
    // The track starts at the delivered rate: 0, 5 s and 7 s; the lead-out at 9 s.
    let bytes = std::fs::read(&flac).unwrap();
    let mut at = 4;
    let mut cuesheet = None;
    loop {
        let (last, kind) = (bytes[at] & 0x80 != 0, bytes[at] & 0x7f);
        let len = u32::from_be_bytes([0, bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        if kind == 5 {
            cuesheet = Some(bytes[at + 4..at + 4 + len].to_vec());
        }
        at += 4 + len;
        if last {
            break;
        }
    }
    let c = cuesheet.expect("a CUESHEET block");
    let u64_at = |i: usize| u64::from_be_bytes(c[i..i + 8].try_into().unwrap());
    assert_eq!(c[128 + 8] & 0x80, 0, "not a CD");
    assert_eq!(c[395], 4, "three tracks and the lead-out");
    let mut tracks = Vec::new();
    let mut i = 396;
    for _ in 0..4 {
        let (offset, number, isrc) =
            (u64_at(i), c[i + 8], String::from_utf8_lossy(&c[i + 9..i + 21]).into_owned());
        let points = c[i + 35];
        tracks.push((offset, number, isrc.trim_end_matches('\0').to_owned(), points));
        i += 36 + 12 * points as usize;
    }
    assert_eq!(
        tracks,
        [
            (0, 1, String::new(), 1),
            (220_500, 2, "GBAYE2400002".into(), 1),
            (308_700, 3, String::new(), 1),
            (396_900, 255, String::new(), 0)
        ]
    );
    // The reference tools read the stream and the block.
    if Command::new("flac").arg("--version").output().is_ok_and(|o| o.status.success()) {
        let t = Command::new("flac").args(["-t", "-s"]).arg(&flac).output().unwrap();
        assert!(t.status.success(), "flac -t: {}", String::from_utf8_lossy(&t.stderr));
        let m = Command::new("metaflac").arg("--export-cuesheet-to=-").arg(&flac).output().unwrap();
        let cue = String::from_utf8_lossy(&m.stdout);
        assert!(m.status.success(), "metaflac: {}", String::from_utf8_lossy(&m.stderr));
        assert!(cue.contains("TRACK 02 AUDIO") && cue.contains("ISRC GBAYE2400002"), "{cue}");
    }
}

#[test]
fn an_mp3_album_carries_its_tracks_as_id3_chapters() {
    let dir = tempfile::tempdir().unwrap();
    let a = album(dir.path(), 0.0);
    let out = dir.path().join("out");
    let (ok, printed, err) =
        run(&["album", "render", a.to_str().unwrap(), "--out", out.to_str().unwrap(), "--format", "mp3"]);
    assert!(ok, "{printed}{err}");
    let tag = id3::Tag::read_from_path(out.join("EP.mp3")).unwrap();
    let chapters: Vec<(String, u32, u32, Option<String>)> = tag
        .chapters()
        .map(|c| {
            let title = c
                .frames
                .iter()
                .find(|f| f.id() == "TIT2")
                .and_then(|f| f.content().text())
                .map(str::to_owned);
            (c.element_id.clone(), c.start_time, c.end_time, title)
        })
        .collect();
    // Starts at 0, 5 s and 7 s; the album ends at 9 s.
    assert_eq!(
        chapters,
        [
            ("chp1".into(), 0, 5_000, Some("One".into())),
            ("chp2".into(), 5_000, 7_000, Some("Two".into())),
            ("chp3".into(), 7_000, 9_000, Some("Three".into()))
        ]
    );
    let toc = tag.tables_of_contents().next().expect("a CTOC");
    assert!(toc.top_level && toc.ordered);
    assert_eq!(toc.elements, ["chp1", "chp2", "chp3"]);
}

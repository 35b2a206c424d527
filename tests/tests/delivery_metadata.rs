//! Metadata in delivered files, read back with parsers independent of the
//! writers: the BWF `bext` loudness fields equal the report's figures, the
//! session's markers are `cue ` points at the delivered rate with their
//! names, and the tags are Vorbis comments (FLAC), ID3 frames (MP3) and
//! `LIST`/`INFO` (WAV).

use std::path::{Path, PathBuf};

use mixdesk_engine::session::{Marker, MarkerId, SampleTime};
use mixdesk_tests::{noise, read_wav, render_cli, run, write_wav_f32};

/// A one-track session (5 s of noise) with markers at 0.5 s, 0.75 s and 1.9 s.
fn session(dir: &Path) -> PathBuf {
    let stems = dir.join("in");
    std::fs::create_dir_all(&stems).unwrap();
    write_wav_f32(&stems.join("n.wav"), 48_000, &[noise(3, 240_000, 0.3), noise(4, 240_000, 0.3)]);
    let s = dir.join("song.mixdesk");
    let (ok, out, err) = run(&["new", "--from-stems", stems.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let mut session = mixdesk_engine::session::load(&s).unwrap();
    for (i, (name, at)) in [("Verse", 24_000), ("Chorus", 36_000), ("Outro", 91_200)].into_iter().enumerate()
    {
        session.markers.push(Marker {
            id: MarkerId(900 + i as u32),
            name: name.into(),
            position: SampleTime(at),
        });
    }
    mixdesk_engine::session::save(&session, &s).unwrap();
    s
}

/// The RIFF chunks of a WAV file: (id, body).
fn chunks(bytes: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    assert_eq!(&bytes[8..12], b"WAVE");
    let mut at = 12;
    let mut v = Vec::new();
    while at + 8 <= bytes.len() {
        let id: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        v.push((id, bytes[at + 8..at + 8 + len].to_vec()));
        at += 8 + len + len % 2;
    }
    v
}

fn body<'a>(chunks: &'a [([u8; 4], Vec<u8>)], id: &[u8; 4]) -> &'a [u8] {
    &chunks.iter().find(|(i, _)| i == id).unwrap_or_else(|| panic!("no {:?} chunk", id)).1
}

fn report_of(out: &Path) -> serde_json::Value {
    let name = format!("{}.report.json", out.file_stem().unwrap().to_string_lossy());
    serde_json::from_str(&std::fs::read_to_string(out.with_file_name(name)).unwrap()).unwrap()
}

#[test]
fn bext_loudness_reads_back_equal_to_the_report_and_markers_are_cue_points() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let out = dir.path().join("master.wav");
    render_cli(&s, &out, &["--format", "wav24", "--rate", "44100", "--start", "0.25", "--title", "Song"]);
    let (spec, pcm) = read_wav(&out);
    assert_eq!((spec.sample_rate, spec.bits_per_sample), (44_100, 24));
    assert_eq!(pcm[0].len(), (228_000u64 * 44_100).div_ceil(48_000) as usize);
    let a = &report_of(&out)["analysis"];
    assert!(a["max_short_term_lufs"].is_number() && a["integrated_lufs"].is_number(), "{a}");
    let bytes = std::fs::read(&out).unwrap();
    let c = chunks(&bytes);
    let ids: Vec<String> = c.iter().map(|(id, _)| String::from_utf8_lossy(id).into_owned()).collect();
    assert_eq!(ids, ["JUNK", "fmt ", "bext", "LIST", "data", "cue ", "LIST"]);

    let bext = body(&c, b"bext");
    let at = mixdesk_engine::deliver::BEXT_LOUDNESS_AT;
    let field = |i: usize| i16::from_le_bytes([bext[at + 2 * i], bext[at + 2 * i + 1]]);
    let keys = [
        "integrated_lufs",
        "loudness_range_lu",
        "true_peak_dbtp",
        "max_momentary_lufs",
        "max_short_term_lufs",
    ];
    for (i, key) in keys.into_iter().enumerate() {
        // 0x7fff: not measured (EBU Tech 3285), e.g. no LRA in a short file.
        let want = a[key].as_f64().map_or(0x7fff, |v| (v * 100.0).round() as i16);
        assert_eq!(field(i), want, "bext {key}: {} vs the report's {}", field(i), a[key]);
    }
    assert_eq!(u16::from_le_bytes([bext[346], bext[347]]), 2, "bext version 2");
    let date = String::from_utf8_lossy(&bext[320..330]).into_owned();
    assert!(date.len() == 10 && date.as_bytes()[4] == b'-', "origination date {date:?}");
    let time_reference = u64::from(u32::from_le_bytes(bext[338..342].try_into().unwrap()));
    assert_eq!(time_reference, 11_025, "the range starts 0.25 s after the session's zero");
    let history = String::from_utf8_lossy(&bext[602..]).into_owned();
    assert!(history.starts_with("A=PCM,F=44100,W=24,M=stereo,T=Mixdesk"), "{history:?}");

    // Markers within the range, at the delivered rate, relative to its start.
    let cue = body(&c, b"cue ");
    let n = u32::from_le_bytes(cue[0..4].try_into().unwrap()) as usize;
    let points: Vec<u32> = (0..n)
        .map(|i| u32::from_le_bytes(cue[4 + 24 * i + 20..4 + 24 * i + 24].try_into().unwrap()))
        .collect();
    assert_eq!(
        points,
        [11_025, 22_050, 72_765],
        "(0.5 - 0.25) s, (0.75 - 0.25) s, (1.9 - 0.25) s at 44.1 kHz"
    );
    let adtl = String::from_utf8_lossy(body(&c[6..], b"LIST")).into_owned();
    assert!(adtl.starts_with("adtl") && adtl.contains("Verse") && adtl.contains("Outro"), "{adtl:?}");
    let info = String::from_utf8_lossy(body(&c, b"LIST")).into_owned();
    assert!(info.starts_with("INFOINAM") && info.contains("Song"), "{info:?}");
}

#[test]
fn tags_are_vorbis_comments_in_flac_and_id3_in_mp3() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let tags =
        ["--title", "Song", "--artist", "Band", "--album", "EP", "--isrc", "gb-aye-24-00001", "--track", "3"];
    let flac = dir.path().join("m.flac");
    render_cli(&s, &flac, &tags);
    // FLAC: walk the metadata blocks to the VORBIS_COMMENT (type 4).
    let b = std::fs::read(&flac).unwrap();
    assert_eq!(&b[..4], b"fLaC");
    let mut at = 4;
    let mut comments = Vec::new();
    loop {
        let (last, kind) = (b[at] & 0x80 != 0, b[at] & 0x7f);
        let len = u32::from_be_bytes([0, b[at + 1], b[at + 2], b[at + 3]]) as usize;
        let body = &b[at + 4..at + 4 + len];
        if kind == 4 {
            let u = |i: usize| u32::from_le_bytes(body[i..i + 4].try_into().unwrap()) as usize;
            let mut p = 4 + u(0);
            let count = u(p);
            p += 4;
            for _ in 0..count {
                let l = u(p);
                comments.push(String::from_utf8(body[p + 4..p + 4 + l].to_vec()).unwrap());
                p += 4 + l;
            }
        }
        at += 4 + len;
        if last {
            break;
        }
    }
    assert_eq!(comments, ["TITLE=Song", "ARTIST=Band", "ALBUM=EP", "ISRC=GBAYE2400001", "TRACKNUMBER=3"]);
    if std::process::Command::new("flac").arg("--version").output().is_ok() {
        let t = std::process::Command::new("flac").args(["-t", "-s"]).arg(&flac).status().unwrap();
        assert!(t.success(), "flac -t with the comment block");
    }

    let mp3 = dir.path().join("m.mp3");
    render_cli(&s, &mp3, &tags);
    use id3::TagLike;
    let tag = id3::Tag::read_from_path(&mp3).unwrap();
    assert_eq!(
        (tag.title(), tag.artist(), tag.album(), tag.track()),
        (Some("Song"), Some("Band"), Some("EP"), Some(3))
    );
    assert_eq!(tag.get("TSRC").and_then(|f| f.content().text()), Some("GBAYE2400001"));

    let (ok, _, err) = run(&["render", s.to_str().unwrap(), "-o", mp3.to_str().unwrap(), "--isrc", "12345"]);
    assert!(!ok && err.contains("\"12345\" is not an ISRC"), "{err}");
}

//! Hostile input everywhere, as one table through the real `mixdesk` binary:
//! session files (malformed, truncated, empty, binary, huge, NaN, negative,
//! past the timeline, duplicate ids, unknown buses, loops, paths outside the
//! folder), media files (truncated, wrong extension, empty, absurd rates and
//! channel counts) and the environment (read-only folder, disk full on export
//! and on save, a full stdout). Each case asserts the exit status and the key
//! phrases of its message (the file and the advice), and that nothing panics.
//!
//! Disk full is simulated with a file-size limit (`ulimit -f`, SIGXFSZ
//! ignored), which holds for root too. A read-only folder is `chmod 555` when
//! not root; root writes anyway, so as root the export goes to `/proc`, which
//! refuses new files for everyone, and the read-only session-folder case is
//! skipped (the disk-full save case covers a failed save).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mixdesk_tests::{mixdesk, noise, write_wav_f32};

/// A WAV header and data with any field values, as a damaged file could have.
fn raw_wav(path: &Path, rate: u32, channels: u16, bits: u16, data: &[u8]) {
    let block = u32::from(channels) * u32::from(bits) / 8;
    let mut fmt = Vec::new();
    fmt.extend(1u16.to_le_bytes());
    fmt.extend(channels.to_le_bytes());
    fmt.extend(rate.to_le_bytes());
    fmt.extend(rate.wrapping_mul(block).to_le_bytes());
    fmt.extend((block as u16).to_le_bytes());
    fmt.extend(bits.to_le_bytes());
    let mut body = b"WAVEfmt ".to_vec();
    body.extend((fmt.len() as u32).to_le_bytes());
    body.extend(fmt);
    body.extend(b"data");
    body.extend((data.len() as u32).to_le_bytes());
    body.extend(data);
    let mut file = b"RIFF".to_vec();
    file.extend((body.len() as u32).to_le_bytes());
    file.extend(body);
    fs::write(path, file).unwrap();
}

fn one_clip_session(dir: &Path, name: &str, media: &str) -> PathBuf {
    let p = dir.join(name);
    let media = media.replace('\\', "\\\\").replace('"', "\\\"");
    fs::write(
        &p,
        format!(
            "(version: 2, sample_rate: 48000, tracks: [(id: 1, name: \"T\", clips: [(id: 2, media: \"{media}\", start: 0, length: 4800)])])"
        ),
    )
    .unwrap();
    p
}

fn running_as_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// How a case runs the binary.
enum Env {
    Plain,
    /// Under a file-size limit of this many 512-byte blocks (a full disk).
    FileSizeLimit(u32),
    /// With stdout going to /dev/full.
    FullStdout,
}

struct Case {
    what: &'static str,
    args: Vec<String>,
    env: Env,
    exit: i32,
    phrases: Vec<String>,
}

fn case(what: &'static str, args: &[&str], exit: i32, phrases: &[&str]) -> Case {
    Case {
        what,
        args: args.iter().map(|s| s.to_string()).collect(),
        env: Env::Plain,
        exit,
        phrases: phrases.iter().map(|s| s.to_string()).collect(),
    }
}

fn run_case(c: &Case) -> (i32, String) {
    let mut cmd = match c.env {
        Env::FileSizeLimit(blocks) => {
            let mut sh = Command::new("sh");
            sh.arg("-c")
                .arg(format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""))
                .arg(mixdesk().get_program());
            sh
        }
        _ => mixdesk(),
    };
    cmd.args(&c.args);
    if let Env::FullStdout = c.env {
        cmd.stdout(fs::File::create("/dev/full").unwrap());
    } else {
        cmd.stdout(Stdio::piped());
    }
    let out = cmd.stderr(Stdio::piped()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn every_hostile_input_fails_clearly_and_nothing_panics() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = |name: &str, text: &str| -> String {
        let p = d.join(name);
        fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let good = "(version: 2, sample_rate: 48000, tracks: [(id: 1, name: \"Bass\", clips: [(id: 2, media: \"m.wav\", start: 0, length: 4800)], strip: (fader_db: -3.0))])";
    let track =
        |fields: &str| format!("(version: 2, sample_rate: 48000, tracks: [(id: 1, name: \"T\"{fields})])");
    let clip = |fields: &str| track(&format!(", clips: [(id: 2, media: \"m.wav\"{fields})]"));

    let malformed = s("malformed.mixdesk", "(version: 2,\n sample_rate: 48000\n tracks: [])");
    let truncated = s("truncated.mixdesk", &good[..good.len() / 2]);
    let empty = s("empty.mixdesk", "");
    let binary = d.join("binary.mixdesk");
    fs::write(&binary, [0x52u8, 0x49, 0xff, 0xfe, 0x00, 0x01]).unwrap();
    let huge_int = s("huge-rate.mixdesk", "(version: 2, sample_rate: 99999999999999999999)");
    let huge_float = s("huge-fader.mixdesk", &track(", strip: (fader_db: 1e308)"));
    let nan = s("nan.mixdesk", &track(", strip: (pan: NaN)"));
    let negative = s("negative.mixdesk", &clip(", start: 0, length: -480"));
    let past_end = s("past-end.mixdesk", &clip(", start: 18446744073709551615, length: 480"));
    let huge_id =
        s("huge-id.mixdesk", "(version: 2, sample_rate: 48000, tracks: [(id: 4294967295, name: \"T\")])");
    let dup = s(
        "dup.mixdesk",
        "(version: 2, sample_rate: 48000, tracks: [(id: 1, name: \"a\"), (id: 1, name: \"b\")])",
    );
    let unknown_bus = s("bus.mixdesk", &track(", output: Bus(9)"));
    let looped = s(
        "loop.mixdesk",
        "(version: 2, sample_rate: 48000, buses: [(id: 1, name: \"A\", output: Bus(2)), (id: 2, name: \"B\", output: Bus(1))])",
    );
    let deep = s("deep.mixdesk", &format!("(version: 2, sample_rate: 48000, tracks: {}", "[".repeat(50_000)));
    let future = s("future.mixdesk", "(version: 99, sample_rate: 48000)");
    let too_big = d.join("too-big.mixdesk");
    fs::File::create(&too_big).unwrap().set_len((256 << 20) + 1).unwrap(); // sparse: costs no disk
    let absent = d.join("absent.mixdesk").to_string_lossy().into_owned();
    let outside = one_clip_session(d, "outside.mixdesk", "../elsewhere/x.wav");

    // Media.
    let media = d.join("media");
    fs::create_dir(&media).unwrap();
    let m = |name: &str| media.join(name).to_string_lossy().into_owned();
    write_wav_f32(&media.join("cut.wav"), 48_000, &[vec![0.1; 48_000]]);
    let bytes = fs::read(media.join("cut.wav")).unwrap();
    fs::write(media.join("cut.wav"), &bytes[..bytes.len() / 2]).unwrap();
    fs::write(
        media.join("noise.wav"),
        noise(3, 3000, 1.0).iter().map(|v| v.to_bits() as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    write_wav_f32(&media.join("really-a-wav.mp3"), 48_000, &[vec![0.1; 4800]]);
    fs::write(media.join("zero.wav"), b"").unwrap();
    raw_wav(&media.join("rate0.wav"), 0, 1, 16, &[0; 960]);
    raw_wav(&media.join("rate4g.wav"), 4_000_000_000, 1, 16, &[0; 960]);
    raw_wav(&media.join("channels0.wav"), 48_000, 0, 16, &[]);
    let session_for = |file: &str| {
        one_clip_session(d, &format!("uses-{file}.mixdesk"), &format!("media/{file}"))
            .to_string_lossy()
            .into_owned()
    };
    let out = d.join("out.wav").to_string_lossy().into_owned();
    let render = |session: &str| {
        vec!["render".to_owned(), session.to_owned(), "-o".into(), out.clone(), "--no-report".into()]
    };

    // The environment: a session with real media to export and to save.
    let song_dir = d.join("song");
    fs::create_dir(&song_dir).unwrap();
    write_wav_f32(&song_dir.join("a.wav"), 48_000, &[vec![0.1; 48_000], vec![0.1; 48_000]]);
    let song = one_clip_session(&song_dir, "song.mixdesk", "a.wav");
    let song_s = song.to_string_lossy().into_owned();
    let previous_mix = d.join("previous.wav");
    fs::write(&previous_mix, b"the previous mix").unwrap();
    let root = running_as_root();
    use std::os::unix::fs::PermissionsExt;
    let read_only = |p: &Path| fs::set_permissions(p, fs::Permissions::from_mode(0o555)).unwrap();
    let read_only_out = if root {
        "/proc/mixdesk-hostile-test.wav".to_owned()
    } else {
        let ro = d.join("ro");
        fs::create_dir(&ro).unwrap();
        read_only(&ro);
        ro.join("mixdesk-hostile-test.wav").to_string_lossy().into_owned()
    };
    // A session in a read-only folder (not for root, see the module documentation).
    let ro_song = d.join("ro-song");
    fs::create_dir(&ro_song).unwrap();
    fs::copy(song_dir.join("a.wav"), ro_song.join("a.wav")).unwrap();
    let ro_session = one_clip_session(&ro_song, "locked.mixdesk", "a.wav");
    read_only(&ro_song);
    let song_before = fs::read(&song).unwrap();

    let mut cases = vec![
        case(
            "malformed",
            &["info", &malformed],
            1,
            &["malformed.mixdesk:3:", "fix the file at that position"],
        ),
        case("truncated", &["info", &truncated], 1, &["truncated.mixdesk:1:", "fix the file"]),
        case("empty", &["info", &empty], 1, &["empty.mixdesk is empty", "picked the right file"]),
        case(
            "binary",
            &["info", binary.to_str().unwrap()],
            1,
            &["binary.mixdesk is not UTF-8", "right file"],
        ),
        case(
            "huge integer",
            &["info", &huge_int],
            1,
            &["huge-rate.mixdesk:1:", "too large for its field", "fix the file"],
        ),
        case(
            "huge float",
            &["info", &huge_float],
            1,
            &["huge-fader.mixdesk", "fader_db is 1e308", "fix the file"],
        ),
        case("NaN", &["info", &nan], 1, &["nan.mixdesk", "pan is NaN", "fix the file"]),
        case(
            "negative length",
            &["info", &negative],
            1,
            &["negative.mixdesk:1:", "negative", "fix the file"],
        ),
        case(
            "past the timeline",
            &["info", &past_end],
            1,
            &["past-end.mixdesk", "48-hour limit", "fix the file"],
        ),
        case(
            "huge id",
            &["info", &huge_id],
            1,
            &["huge-id.mixdesk", "id 4294967295 is too large", "fix the file"],
        ),
        case(
            "duplicate ids",
            &["info", &dup],
            1,
            &["dup.mixdesk", "two tracks have the id 1", "fix the file"],
        ),
        case(
            "unknown bus",
            &["info", &unknown_bus],
            1,
            &["bus.mixdesk", "bus 9, which does not exist", "fix the file"],
        ),
        case(
            "routing loop",
            &["info", &looped],
            1,
            &["loop.mixdesk", "routing loop: bus 'A' -> bus 'B' -> bus 'A'", "fix the file"],
        ),
        case("nested too deep", &["info", &deep], 1, &["deep.mixdesk:1:", "nest too deeply", "fix the file"]),
        case("newer format", &["info", &future], 1, &["future.mixdesk", "version 99", "newer Mixdesk"]),
        case(
            "far too large",
            &["info", too_big.to_str().unwrap()],
            1,
            &["too-big.mixdesk is 256 MB", "right file"],
        ),
        case("absent", &["info", &absent], 1, &["absent.mixdesk", "Check that the file exists"]),
        case(
            "a folder",
            &["info", d.to_str().unwrap()],
            1,
            &["is a directory, not a regular file", "picked the right file"],
        ),
        // Allowed with a warning: media outside the session folder (it does not move with it).
        case(
            "outside the folder",
            &["info", outside.to_str().unwrap()],
            0,
            &["outside the session folder", "../elsewhere/x.wav"],
        ),
    ];
    for (what, file, exit, phrases) in [
        ("truncated media", "cut.wav", 1, vec!["cut.wav", "damaged", "Re-export"]),
        ("not audio", "noise.wav", 1, vec!["noise.wav", "not a recognised audio format", "convert"]),
        ("wrong extension", "really-a-wav.mp3", 0, vec!["wrote"]),
        ("zero length", "zero.wav", 1, vec!["zero.wav", "the file is empty", "Re-export"]),
        ("rate 0 Hz", "rate0.wav", 1, vec!["rate0.wav", "0 Hz, outside the 1000 to 768000 Hz", "Re-export"]),
        ("rate 4 GHz", "rate4g.wav", 1, vec!["rate4g.wav", "4000000000 Hz", "Re-export"]),
        ("no channels", "channels0.wav", 1, vec!["channels0.wav", "damaged", "Re-export"]),
        ("missing media", "gone.wav", 1, vec!["gone.wav", "not found", "mixdesk relink", "--allow-missing"]),
    ] {
        let session = session_for(file);
        cases.push(Case {
            what,
            args: render(&session),
            env: Env::Plain,
            exit,
            phrases: phrases.into_iter().map(str::to_owned).collect(),
        });
    }
    cases.push(case(
        "analyze a damaged file",
        &["analyze", &m("rate4g.wav")],
        1,
        &["rate4g.wav", "Re-export"],
    ));
    cases.push(case(
        "read-only folder",
        &["render", &song_s, "-o", &read_only_out, "--no-report"],
        1,
        &["mixdesk-hostile-test.wav", "folder is writable", "nothing was left half-written"],
    ));
    if !root {
        cases.push(case(
            "read-only session folder",
            &["relink", ro_session.to_str().unwrap(), "--search", ro_song.to_str().unwrap()],
            1,
            &["locked.mixdesk", "may write to its folder", "unchanged"],
        ));
    }
    cases.push(Case {
        env: Env::FileSizeLimit(40),
        ..case(
            "disk full on export",
            &["render", &song_s, "-o", previous_mix.to_str().unwrap(), "--no-report"],
            1,
            &["previous.wav", "Check free disk space", "nothing was left half-written"],
        )
    });
    cases.push(Case {
        env: Env::FileSizeLimit(1),
        ..case(
            "disk full on save",
            &["relink", &song_s, "--search", song_dir.to_str().unwrap()],
            1,
            &["song.mixdesk", "free space", "the file there before is unchanged"],
        )
    });
    cases.push(Case {
        env: Env::FullStdout,
        ..case(
            "stdout full",
            &["diff", &song_s, &outside.to_string_lossy()],
            1,
            &["cannot write to standard output", "full disk"],
        )
    });
    cases.push(case(
        "relink a missing folder",
        &["relink", &song_s, "--search", &absent],
        1,
        &["absent.mixdesk", "Check that the folder exists"],
    ));

    let mut failures = Vec::new();
    for c in &cases {
        let (code, text) = run_case(c);
        let missing: Vec<&String> = c.phrases.iter().filter(|p| !text.contains(p.as_str())).collect();
        if text.contains("panicked") || code != c.exit || !missing.is_empty() {
            failures
                .push(format!("{}: exit {code} (want {}), missing {missing:?} in:\n{text}", c.what, c.exit));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // Nothing half-written: the previous mix and session are intact, no temporaries left.
    assert_eq!(fs::read(&previous_mix).unwrap(), b"the previous mix");
    assert_eq!(fs::read(&song).unwrap(), song_before);
    for folder in [d, song_dir.as_path()] {
        let leftovers: Vec<_> = fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
    fs::set_permissions(&ro_song, fs::Permissions::from_mode(0o755)).unwrap();
    if root {
        eprintln!(
            "running as root: the read-only session folder case is skipped (root writes through chmod 555)"
        );
    }
}

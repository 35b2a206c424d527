//! The share page written beside a bounce, opened in a real headless browser
//! (Chromium): each note sits at its time on the waveform, text from the
//! session cannot inject markup, the status filter hides what it should, and
//! a note and a reply typed into the page's forms come back into the session
//! through `mixdesk notes import`.
//!
//! Chromium is installed by `packaging/setup.sh --test`; without it these
//! tests are skipped loudly on a developer machine and fail in CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mixdesk_engine::session::{self, Note, NoteId, NoteStatus, Reply, SampleTime, Session, TrackId};
use mixdesk_tests::{run, track, write_wav_f32};

const RATE: u32 = 48_000;
/// The bounce's length: 10 s of audio.
const SECONDS: f64 = 10.0;

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        let ok = Command::new("sh").args(["-c", &format!("command -v {name}")]).output().ok()?;
        ok.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&ok.stdout).trim()))
    });
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "chromium is missing in CI: packaging/setup.sh --test installs it"
        );
        eprintln!(
            "\n*** SKIPPED share page test: chromium is not installed (run packaging/setup.sh --test) ***\n"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `what` (`--dump-dom`, `--screenshot=...`); returns stdout.
/// A page that never finishes loading (Chromium then waits forever) fails after a minute.
fn browse(browser: &Path, page: &Path, what: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let stdout = profile.path().join("stdout");
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,900"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(what)
        .arg(format!("file://{}", page.display()))
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {what} did not finish within 60 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "chromium {what} on {}: {status}", page.display());
    std::fs::read_to_string(&stdout).unwrap()
}

/// A 10 s bounce (silent first half, a half-scale square second half) of a
/// session with notes at 1 s, 2.5-4 s (done, with markup in its text),
/// 7.25 s (won't do) and 30 s (outside the bounce).
fn rendered(dir: &Path) -> (PathBuf, PathBuf) {
    let n = (SECONDS * f64::from(RATE)) as usize;
    let half: Vec<f32> = (0..n)
        .map(|i| {
            if i < n / 2 {
                0.0
            } else if i % 96 < 48 {
                0.5
            } else {
                -0.5
            }
        })
        .collect();
    std::fs::create_dir_all(dir.join("media")).unwrap();
    write_wav_f32(&dir.join("media/vocal.wav"), RATE, &[half.clone(), half]);
    let mut s = Session::new(RATE);
    let mut vocal = track(1, "media/vocal.wav", 0, n as u64);
    vocal.name = "Vocal".into();
    s.tracks.push(vocal);
    let at = |sec: f64| SampleTime::from_seconds(sec, RATE);
    let mut a = Note::new(NoteId(50), at(1.0), "Ann", "vocal too quiet");
    a.track = Some(TrackId(1));
    let mut b = Note::new(
        NoteId(51),
        at(2.5),
        "Mastering",
        "guitar </script><b id=\"injected\">loud</b> & \"harsh\"",
    );
    b.end = Some(at(4.0));
    b.status = NoteStatus::Done;
    b.replies.push(Reply { author: "Sam".into(), text: "-2 dB".into() });
    let mut c = Note::new(NoteId(52), at(7.25), "Ann", "more reverb");
    c.status = NoteStatus::WontDo;
    let d = Note::new(NoteId(53), at(30.0), "Ann", "after the end");
    for note in [a, b, c, d] {
        s.add_note(note);
    }
    let session_path = dir.join("song.mixdesk");
    session::save(&s, &session_path).unwrap();
    let mix = dir.join("mix.wav");
    let (ok, out, err) = run(&["render", session_path.to_str().unwrap(), "-o", mix.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("review page: ") && out.contains("(3 notes, 1 outside the bounce left out)"),
        "{out}"
    );
    (session_path, dir.join("mix.review.html"))
}

/// The opening tag of the element with `attr` in `dom`.
fn tag_with<'a>(dom: &'a str, attr: &str) -> &'a str {
    let at = dom.find(attr).unwrap_or_else(|| panic!("no element with {attr} in the page"));
    let start = dom[..at].rfind('<').unwrap();
    &dom[start..at + dom[at..].find('>').unwrap()]
}

fn percent(tag: &str, property: &str) -> f64 {
    let key = format!("{property}: ");
    let from = tag.find(&key).unwrap_or_else(|| panic!("no {property} in {tag}")) + key.len();
    tag[from..from + tag[from..].find('%').unwrap()].parse().unwrap()
}

#[test]
fn the_page_shows_each_note_at_its_time_and_the_report_lists_them() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, page) = rendered(dir.path());
    let dom = browse(&browser, &page, "--dump-dom");
    for (id, at, width) in [(50, 1.0, None), (51, 2.5, Some(1.5)), (52, 7.25, None)] {
        let pin = tag_with(&dom, &format!("data-id=\"{id}\""));
        assert!(pin.contains("class=\"pin"), "{pin}");
        assert_eq!(
            percent(pin, "left"),
            (at / SECONDS * 100.0 * 1000.0).round() / 1000.0,
            "note {id}: {pin}"
        );
        if let Some(w) = width {
            assert_eq!(percent(pin, "width"), w / SECONDS * 100.0, "note {id}: {pin}");
        }
    }
    assert!(!dom.contains("data-id=\"53\""), "a note after the bounce's end is not on the page");
    assert!(!dom.contains("<b id=\"injected\""), "a note's text never becomes markup");
    assert!(
        dom.contains("guitar &lt;/script&gt;&lt;b id=\"injected\"&gt;loud&lt;/b&gt; &amp; \"harsh\""),
        "the text shows as written"
    );
    assert!(dom.contains("Sam: -2 dB") && dom.contains(">won't do<") && dom.contains(">Vocal<"));
    assert!(dom.contains("<audio id=\"audio\" controls=\"\" preload=\"metadata\" src=\"mix.wav\">"));

    let report = std::fs::read_to_string(dir.path().join("mix.report.txt")).unwrap();
    assert!(report.contains("Review notes (3; times on the session's timeline)"), "{report}");
    assert!(report.contains("0:01              open     [Vocal] Ann: vocal too quiet"), "{report}");
    assert!(report.contains("0:02.5-0:04       done     Mastering: guitar"), "{report}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("mix.report.json")).unwrap()).unwrap();
    let notes = json["notes"].as_array().unwrap();
    assert_eq!(notes.iter().map(|n| n["id"].as_u64().unwrap()).collect::<Vec<_>>(), [50, 51, 52]);
    assert_eq!(notes[1]["end_seconds"].as_f64(), Some(4.0));
    assert!(json["analysis"].is_object(), "the rest of the report is kept");

    // The waveform is the bounce's: silent, then the square at half scale.
    let html = std::fs::read_to_string(&page).unwrap();
    let data_at = html.find("id=\"data\">").unwrap() + "id=\"data\">".len();
    let data: serde_json::Value =
        serde_json::from_str(&html[data_at..data_at + html[data_at..].find("</script>").unwrap()]).unwrap();
    let peaks = data["peaks"].as_array().unwrap();
    assert_eq!(peaks.len(), 1200);
    assert_eq!((peaks[10][0].as_i64(), peaks[10][1].as_i64()), (Some(0), Some(0)));
    assert_eq!((peaks[1000][0].as_i64(), peaks[1000][1].as_i64()), (Some(-50), Some(50)));
    assert_eq!(data["duration"].as_f64(), Some(SECONDS));

    let shot = dir.path().join("page.png");
    browse(&browser, &page, &format!("--screenshot={}", shot.display()));
    if let Ok(keep) = std::env::var("MIXDESK_REVIEW_SHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "a screenshot of the page");
}

/// What the harness script appended to the page measures and does.
const HARNESS: &str = r##"<script>
(function () {
  const $ = (id) => document.getElementById(id);
  const out = {};
  const wave = $("wave").getBoundingClientRect();
  const pins = () => Array.from(document.querySelectorAll("#pins .pin")).map(function (p) {
    const r = p.getBoundingClientRect();
    const range = p.classList.contains("range");
    return { id: p.dataset.id ? +p.dataset.id : null, at: (r.left + (range ? 0 : r.width / 2) - wave.left) / wave.width,
             width: range ? r.width / wave.width : 0, shown: getComputedStyle(p).display !== "none" };
  });
  out.before = pins();
  $("add-at").value = "0:10.5";
  $("add-text").value = "too late";
  $("add").requestSubmit();
  out.tooLate = $("add-error").textContent;
  $("add-at").value = "0:05.5-0:06";
  $("add-author").value = "Bo";
  $("add-text").value = "more <i>air</i>";
  $("add").requestSubmit();
  const reply = document.querySelector('#notes li[data-id="50"] .reply-form');
  reply.querySelector("input").value = "better now";
  reply.requestSubmit();
  document.querySelector('#filter button[data-filter="open"]').click();
  out.openList = Array.from(document.querySelectorAll("#notes > li")).map(function (li) { return +li.dataset.id; });
  out.after = pins();
  out.file = window.mixdeskNotesFile();
  const pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
})();
</script>"##;

#[test]
fn notes_and_replies_typed_into_the_page_import_into_the_session() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (session_path, page) = rendered(dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    let harness = dir.path().join("harness.html");
    std::fs::write(&harness, html.replace("</body>", &format!("{HARNESS}</body>"))).unwrap();
    let dom = browse(&browser, &harness, "--dump-dom");
    let start = dom.find("<pre id=\"result\">").expect("the harness ran") + "<pre id=\"result\">".len();
    let text = dom[start..start + dom[start..].find("</pre>").unwrap()]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let out: serde_json::Value = serde_json::from_str(&text).unwrap();

    // Laid out: each pin's centre (a range's left edge) at its time, to a pixel.
    let px = 1.0 / 1200.0;
    for (i, (id, at, width)) in [(50, 1.0, 0.0), (51, 2.5, 1.5), (52, 7.25, 0.0)].into_iter().enumerate() {
        let pin = &out["before"][i];
        assert_eq!(pin["id"].as_u64(), Some(id));
        let x = pin["at"].as_f64().unwrap();
        assert!(
            (x - at / SECONDS).abs() < px,
            "note {id} drawn at {:.4} of the width, want {:.4}",
            x,
            at / SECONDS
        );
        let w = pin["width"].as_f64().unwrap();
        assert!(
            (w - width / SECONDS).abs() < 2.0 * px,
            "note {id} is {w:.4} wide, want {:.4}",
            width / SECONDS
        );
    }
    assert!(out["tooLate"].as_str().unwrap().contains("within 0:10"), "{}", out["tooLate"]);
    assert_eq!(out["openList"], serde_json::json!([50]), "the Open filter lists open notes only");
    let after: Vec<(Option<u64>, bool)> = out["after"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_u64(), p["shown"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        after,
        [(Some(50), true), (Some(51), false), (Some(52), false), (None, true)],
        "the listener's note is a pin too"
    );

    let file = dir.path().join("mix.notes.json");
    std::fs::write(&file, serde_json::to_string_pretty(&out["file"]).unwrap()).unwrap();
    let (ok, stdout, err) = run(&["notes", "import", session_path.to_str().unwrap(), file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(stdout, "1 note and 1 reply added\n");
    let s = session::load(&session_path).unwrap();
    let air = s.notes.iter().find(|n| n.author == "Bo").expect("the page's note");
    assert_eq!(
        (air.at, air.end, air.text.as_str()),
        (SampleTime(264_000), Some(SampleTime(288_000)), "more <i>air</i>")
    );
    assert_eq!(
        s.note(NoteId(50)).unwrap().replies,
        [Reply { author: "Bo".into(), text: "better now".into() }]
    );
}

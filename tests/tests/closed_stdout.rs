//! No subcommand panics on a closed stdout (`mixdesk analyze X --json | head`
//! used to print a backtrace). Every subcommand that prints runs with its
//! stdout the write end of a pipe whose read end is already closed, so its
//! first write fails with EPIPE (Rust ignores SIGPIPE, so the process is not
//! killed): it must end quietly with exit status 0 (see the README: a reader
//! that stopped early is not an error), print no panic, and for the ones
//! that write files, leave them complete.

use std::fs;
use std::path::Path;
use std::process::Stdio;

use mixdesk_tests::{demo_in_tempdir, mixdesk, write_wav_f32};

/// Runs `mixdesk args` with stdout a pipe nobody reads; returns (exit code, stderr).
fn with_closed_stdout(args: &[&str], env: &[(&str, &Path)]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut cmd = mixdesk();
    cmd.args(args).stdin(Stdio::null()).stdout(writer).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("mixdesk runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn every_subcommand_that_prints_ends_quietly_when_stdout_is_closed() {
    let (dir, session) = demo_in_tempdir();
    let d = dir.path();
    let s = session.to_str().unwrap();
    let stems = d.join("stems-in");
    fs::create_dir(&stems).unwrap();
    write_wav_f32(&stems.join("a.wav"), 48_000, &[vec![0.1; 4800]]);
    let p = |name: &str| d.join(name).to_string_lossy().into_owned();
    let short = p("short.mixdesk");
    let (ok, _, err) = mixdesk_tests::run(&["new", "--from-stems", &p("stems-in"), "-o", &short]);
    assert!(ok, "{err}");
    let mix = p("mix.wav");
    let media = p("media/bass.wav");
    let no_device = d.join("no-device.conf");
    fs::write(&no_device, "# no devices\n").unwrap();
    let data_home = d.join("data-home");
    fs::create_dir(&data_home).unwrap();

    let cases: Vec<Vec<String>> = [
        vec!["--help"],
        vec!["--version"],
        vec!["render", "--help"],
        vec!["render", &short, "-o", &mix],
        vec!["render", &short, "-o", &p("mix2.wav"), "--no-report", "--stems", &p("stems-out")],
        vec!["analyze", &media],
        vec!["analyze", &media, "--json"],
        vec!["info", s],
        vec!["info", s, "--json"],
        vec!["processors"],
        vec!["processors", "--json"],
        vec!["devices"],
        vec!["new", "--from-stems", &p("stems-in"), "-o", &p("new.mixdesk")],
        vec!["diff", s, &short],
        vec!["relink", s, "--search", &p("media"), "--dry-run"],
        vec!["relink", &short, "--search", &p("stems-in")],
        vec!["play", &short, "--seconds", "1.5"],
        vec!["demo"],
        vec!["demo", "--out", &p("demo-copy")],
        vec!["bench", "render", "--tracks", "1", "--seconds", "1"],
        vec!["bench", "realtime", "--tracks", "1", "--seconds", "1"],
        vec!["bench", "chain", "--tracks", "1", "--seconds", "1", "--no-ffmpeg"],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();
    let mut failures = Vec::new();
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stderr) =
            with_closed_stdout(&args, &[("ALSA_CONFIG_PATH", &no_device), ("XDG_DATA_HOME", &data_home)]);
        if code != Some(0) || stderr.contains("panicked") || stderr.contains("Broken pipe") {
            failures.push(format!("mixdesk {}: exit {code:?}\n{stderr}", args.join(" ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    // What was written before the output closed is complete.
    let (_, mixed) = mixdesk_tests::read_wav(Path::new(&mix));
    assert_eq!(mixed[0].len(), 4800);
    assert!(d.join("mix.report.txt").is_file());
    assert!(mixdesk_engine::session::load(&d.join("new.mixdesk")).is_ok());
}

//! The audio device on its own terms (issue 20 item 6, issue 19): a device
//! whose smallest buffer is above `--buffer`, one that comes back with another
//! period and rate after its server restarted, one that never comes back, an
//! output that does not keep time (ALSA's null PCM), and `mixdesk devices`
//! listing what `play` uses. Through the real `mixdesk play`, cpal's ALSA
//! backend and a JACK server on its dummy driver (see `mixdesk_tests::jack`).

use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mixdesk_tests::jack::{alsa_config, jack_available, null_alsa_config, read_f32_stereo, start_jack};
use mixdesk_tests::{demo_in_tempdir, mixdesk};

/// One at a time: each needs a real-time paced server and both cores.
static SERIAL: Mutex<()> = Mutex::new(());

/// The `played ...` summary line of `mixdesk play`.
fn summary(stdout: &str) -> &str {
    stdout.lines().find(|l| l.starts_with("played")).unwrap_or_else(|| panic!("no summary in:\n{stdout}"))
}

#[test]
fn a_device_whose_smallest_buffer_is_above_the_request_plays_with_its_own() {
    if !jack_available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (dir, session) = demo_in_tempdir();
    let jack = start_jack("mixdesk-device-a", 48_000, 1024);
    let tap = dir.path().join("tap.raw");
    let conf = alsa_config(dir.path(), &tap);
    let started = Instant::now();
    let out = mixdesk()
        .args(["play", session.to_str().unwrap(), "--start", "10", "--seconds", "2", "--buffer", "256"])
        .env("ALSA_CONFIG_PATH", &conf)
        .env("JACK_DEFAULT_SERVER", &jack.server)
        .output()
        .unwrap();
    let took = started.elapsed();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("cannot use 256-frame buffers"), "{stderr}");
    assert!(stderr.contains("using 1024-frame buffers"), "{stderr}");
    assert!(stderr.contains("playing through"), "{stderr}");
    assert!(!stderr.contains("no audio device"), "{stderr}");
    assert!(took >= Duration::from_millis(1900), "paced by the device: {took:?}");
    let [l, r] = read_f32_stereo(&tap);
    let sounding = l.iter().chain(&r).filter(|x| x.abs() > 1e-3).count();
    assert!(sounding > 48_000, "the device played the demo: {sounding} samples above -60 dBFS");
}

#[test]
fn a_device_that_comes_back_with_another_period_and_rate_is_reopened_with_them() {
    if !jack_available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (dir, session) = demo_in_tempdir();
    let server = "mixdesk-device-b";
    let jack = start_jack(server, 48_000, 256);
    let tap = dir.path().join("tap.raw");
    let conf = alsa_config(dir.path(), &tap);
    let child = mixdesk()
        .args(["play", session.to_str().unwrap(), "--start", "10", "--seconds", "6", "--buffer", "256"])
        // The tap itself, without the `plug` in front of it that would convert the rate.
        .args(["--device", "tap"])
        .env("ALSA_CONFIG_PATH", &conf)
        .env("JACK_DEFAULT_SERVER", server)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    drop(jack); // the server stops...
    std::thread::sleep(Duration::from_millis(800));
    let _jack = start_jack(server, 44_100, 512); // ...and comes back with other settings
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let lost = stderr.find("stopped").unwrap_or_else(|| panic!("the loss was not reported:\n{stderr}"));
    let after = &stderr[lost..];
    assert!(after.contains("playing through"), "not reopened:\n{stderr}");
    assert!(after.contains("44100 Hz"), "not at the new rate:\n{stderr}");
    assert!(after.contains("using 512-frame buffers"), "not with the new period:\n{stderr}");
    assert!(summary(&stdout).contains("played 6.000 s from 10.000 s"), "{stdout}");
    // What the tap holds after the reopen (it starts a new file when the device
    // is opened again) is the demo, heard.
    let [l, _] = read_f32_stereo(&tap);
    let sounding = l.iter().filter(|x| x.abs() > 1e-3).count();
    assert!(sounding > 44_100, "sound after the reopen: {sounding} samples");
}

#[test]
fn a_device_lost_for_good_fails_play_after_it_has_played_to_the_end() {
    if !jack_available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (dir, session) = demo_in_tempdir();
    let server = "mixdesk-device-c";
    let jack = start_jack(server, 48_000, 256);
    let conf = alsa_config(dir.path(), &dir.path().join("tap.raw"));
    let child = mixdesk()
        .args(["play", session.to_str().unwrap(), "--seconds", "4"])
        .env("ALSA_CONFIG_PATH", &conf)
        .env("JACK_DEFAULT_SERVER", server)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    drop(jack);
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("did not come back"), "{stderr}");
    assert!(summary(&stdout).contains("played 4.000 s"), "{stdout}");
}

#[test]
fn an_output_that_does_not_keep_time_is_paced_by_the_clock_and_listed() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (dir, session) = demo_in_tempdir();
    let conf = null_alsa_config(dir.path());
    let out = mixdesk().arg("devices").env("ALSA_CONFIG_PATH", &conf).output().unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(listed.lines().any(|l| l.starts_with("default")), "devices lists what play uses:\n{listed}");

    let started = Instant::now();
    let out = mixdesk()
        .args(["play", session.to_str().unwrap(), "--start", "5", "--seconds", "2"])
        .env("ALSA_CONFIG_PATH", &conf)
        .output()
        .unwrap();
    let took = started.elapsed();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("does not keep time"), "{stderr}");
    assert!(stderr.contains("internal clock"), "{stderr}");
    // Paced (the device's first 50 ms or so may have gone by before it was caught).
    assert!(took >= Duration::from_millis(1800), "2 s of audio took {took:?}: not paced");
    let line = summary(&stdout);
    assert!(line.contains("played 2.000 s from 5.000 s"), "{line}");
    assert!(line.contains("xruns: 0 steady-state"), "{line}");
}

#[test]
fn devices_lists_the_default_device_of_a_configuration_without_hints() {
    if !jack_available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let jack = start_jack("mixdesk-device-d", 48_000, 256);
    let dir = tempfile::tempdir().unwrap();
    let conf = alsa_config(dir.path(), &dir.path().join("tap.raw"));
    let out = mixdesk()
        .arg("devices")
        .env("ALSA_CONFIG_PATH", &conf)
        .env("JACK_DEFAULT_SERVER", &jack.server)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(listed.lines().any(|l| l.starts_with("default")), "{listed}");
}

//! A hosted plugin whose latency changes with a parameter, played live
//! across the graph rebuild that the change causes: afterwards the plugin in
//! circuit and the plugin bypassed (its dry path delayed by the latency)
//! must both stay in time with a dry track (a null against it). The
//! parameter moved live through the control plane (no rebuild asked for):
//! the engine reports the new latency (LV2 latency port, CLAP restart
//! request), the app compiles a new graph, and the track is back in time.
//! The bounce, which cannot rebuild mid-render, refuses an automated change.
//!
//! LV2: x42's `nodelay` (`x42-plugins`, see `packaging/setup.sh --test`);
//! CLAP: the workspace's test plugin (built by the test helper).

use mixdesk_engine::plugins;
use mixdesk_engine::realtime::{Engine, EngineEvent};
use mixdesk_engine::session::{self, ClipId, Session, TrackId};
use mixdesk_tests::chain_render::{Placement, RATE, Rig};
use mixdesk_tests::clap_plugin::{TEST_GAIN, test_plugin_dir};
use mixdesk_tests::{compile_with, media, noise, run_callback};

const NODELAY: &str = "lv2:http://gareus.org/oss/lv2/nodelay";

/// The plugin at `delay` samples of latency on track 1, the same media
/// polarity-inverted on track 2.
fn nulling_session(kind: &str, key: &str, delay: f64, extra: &[(&str, f64)], signal: &[f32]) -> Rig {
    let mut settings = vec![(key, delay)];
    settings.extend_from_slice(extra);
    let mut rig = Rig::new(kind, Placement::Track, &settings, signal.to_vec());
    let mut dry = rig.session.tracks[0].clone();
    dry.id = TrackId(2);
    dry.strip.processors.clear();
    dry.strip.polarity_inverted = true;
    dry.clips.iter_mut().for_each(|c| c.id = ClipId(c.id.0 + 100));
    rig.session.tracks.push(dry);
    session::validate(&rig.session).unwrap();
    rig
}

/// The null in dB (re the signal's 0.5 peak) over `frames` frames of live output.
fn null_db(core: &mut mixdesk_engine::realtime::AudioCore, frames: usize) -> f64 {
    let out = run_callback(core, frames, 256);
    let residue = out[0].iter().chain(&out[1]).fold(0f32, |m, v| m.max(v.abs()));
    20.0 * (f64::from(residue) / 0.5).max(1e-12).log10()
}

/// A nulling session playing live past its start.
struct Playing {
    rig: Rig,
    id: session::ProcessorId,
    sources: [(&'static str, std::sync::Arc<mixdesk_engine::media::Media>); 1],
    handle: mixdesk_engine::realtime::EngineHandle,
    core: mixdesk_engine::realtime::AudioCore,
    /// The null before any change, in dB.
    before: f64,
}

/// `kind` at `from` samples of latency against its dry track (noise of
/// `seed`), played live past the transport's fade-in and the plugin's line
/// filling; the null there must already be ≤ -120 dB.
fn play_nulled(kind: &str, key: &str, extra: &[(&str, f64)], from: f64, seed: u64) -> Playing {
    let signal = noise(seed, 3 * RATE, 0.5);
    let rig = nulling_session(kind, key, from, extra, &signal);
    let id = rig.processor.unwrap();
    let sources = [("in.wav", media(vec![signal]))];
    let (mut handle, mut core) = Engine::manual(RATE as u32, 4096);
    handle.swap_graph(compile_with(&rig.session, &sources)).unwrap();
    handle.play();
    run_callback(&mut core, RATE / 4, 256);
    let before = null_db(&mut core, RATE / 4);
    assert!(before <= -120.0, "{kind} at {from} samples: the null before any change is only {before:.1} dB");
    Playing { rig, id, sources, handle, core, before }
}

/// Plays `kind` at `from` samples of latency, rebuilds the graph with `to`
/// (as an edit of the parameter does), then bypasses it; returns the nulls
/// (in circuit after the rebuild, bypassed after it).
fn play_across_a_latency_change(
    kind: &str,
    key: &str,
    extra: &[(&str, f64)],
    from: f64,
    to: f64,
) -> (f64, f64) {
    let Playing { rig, id, sources, mut handle, mut core, before } = play_nulled(kind, key, extra, from, 11);
    let mut s: Session = rig.session.clone();
    s.processor_mut(id).unwrap().params.insert(key.to_owned(), to);
    handle.swap_graph(compile_with(&s, &sources)).unwrap();
    // The swap's own transition (compensation delays refilling) first.
    run_callback(&mut core, RATE / 4, 256);
    let in_circuit = null_db(&mut core, RATE / 4);
    handle.set_bypass(id, true);
    run_callback(&mut core, RATE / 10, 256);
    let bypassed = null_db(&mut core, RATE / 4);
    handle.poll(|_| {});
    eprintln!(
        "{kind}: {from} -> {to} samples: null {before:.1} dB before, {in_circuit:.1} dB in circuit after the rebuild, {bypassed:.1} dB bypassed"
    );
    (in_circuit, bypassed)
}

#[test]
fn an_lv2_plugin_bypassed_after_its_latency_changed_stays_in_time() {
    // Before anything builds the plugin registry (once per process).
    test_plugin_dir();
    assert!(plugins::hosted(NODELAY).is_some(), "{NODELAY}: run packaging/setup.sh --test (x42-plugins)");
    for (from, to) in [(64.0, 1000.0), (1000.0, 64.0)] {
        let (in_circuit, bypassed) =
            play_across_a_latency_change(NODELAY, "delay", &[("report_latency", 1.0)], from, to);
        assert!(in_circuit <= -120.0, "{from} -> {to}: in circuit the null is only {in_circuit:.1} dB");
        assert!(bypassed <= -120.0, "{from} -> {to}: bypassed the null is only {bypassed:.1} dB");
    }
}

#[test]
fn a_clap_plugin_whose_latency_changed_stays_in_time_in_circuit_and_bypassed() {
    test_plugin_dir();
    assert!(plugins::hosted(TEST_GAIN).is_some());
    for (from, to) in [(64.0, 1000.0), (1000.0, 64.0)] {
        let (in_circuit, bypassed) = play_across_a_latency_change(TEST_GAIN, "2", &[], from, to);
        assert!(in_circuit <= -120.0, "{from} -> {to}: in circuit the null is only {in_circuit:.1} dB");
        assert!(bypassed <= -120.0, "{from} -> {to}: bypassed the null is only {bypassed:.1} dB");
    }
}

/// Plays `kind` at `from` samples of latency, moves its parameter `key` to
/// `to` live through the control plane while playing (as a fader in the
/// editor does: the document takes the value, the engine hears it; nothing
/// rebuilds the graph for a plugin parameter), and answers the engine as the
/// app does: when it reports a changed latency, the session (with the new
/// value) is compiled and swapped in. Returns the null (in circuit) once the
/// change has settled and how many graphs were compiled for it.
fn move_latency_live(kind: &str, key: &str, extra: &[(&str, f64)], from: f64, to: f64) -> (f64, usize) {
    let Playing { rig, id, sources, mut handle, mut core, before } = play_nulled(kind, key, extra, from, 12);
    let mut doc: Session = rig.session.clone();
    let param = doc.processor_param(id, key).unwrap();
    doc.processor_mut(id).unwrap().params.insert(key.to_owned(), to);
    assert!(handle.set_param(param, to), "{kind}: the parameter has a slot on the control plane");
    // A quarter second in callbacks of 256 frames, the app's tick after each.
    let mut rebuilds = 0;
    for _ in 0..RATE / 4 / 256 {
        run_callback(&mut core, 256, 256);
        let mut changed = false;
        handle.poll(|e| changed |= matches!(e, EngineEvent::LatencyChanged(_)));
        if changed {
            rebuilds += 1;
            handle.swap_graph(compile_with(&doc, &sources)).unwrap();
        }
    }
    let after = null_db(&mut core, RATE / 4);
    handle.poll(|_| {});
    eprintln!(
        "{kind}: {from} -> {to} samples moved live: null {before:.1} dB before, {after:.1} dB after \
         ({rebuilds} graphs compiled for it)"
    );
    (after, rebuilds)
}

#[test]
fn an_lv2_plugin_whose_latency_follows_a_parameter_moved_live_stays_in_time() {
    test_plugin_dir();
    assert!(plugins::hosted(NODELAY).is_some(), "{NODELAY}: run packaging/setup.sh --test (x42-plugins)");
    for (from, to) in [(64.0, 1000.0), (1000.0, 64.0)] {
        let (after, rebuilds) = move_latency_live(NODELAY, "delay", &[("report_latency", 1.0)], from, to);
        assert!(after <= -120.0, "{from} -> {to} live: the null is only {after:.1} dB");
        assert_eq!(rebuilds, 1, "{from} -> {to} live: one graph compiled for the change");
    }
}

#[test]
fn a_clap_plugin_that_asks_for_a_restart_for_a_new_latency_stays_in_time() {
    test_plugin_dir();
    assert!(plugins::hosted(TEST_GAIN).is_some());
    for (from, to) in [(64.0, 1000.0), (1000.0, 64.0)] {
        let (after, rebuilds) = move_latency_live(TEST_GAIN, "2", &[], from, to);
        assert!(after <= -120.0, "{from} -> {to} live: the null is only {after:.1} dB");
        assert_eq!(rebuilds, 1, "{from} -> {to} live: one graph compiled for the change");
    }
}

#[test]
fn a_bounce_refuses_a_latency_that_automation_changes_midway() {
    test_plugin_dir();
    assert!(plugins::hosted(NODELAY).is_some(), "{NODELAY}: run packaging/setup.sh --test (x42-plugins)");
    let signal = noise(13, RATE, 0.5);
    let mut rig = nulling_session(NODELAY, "delay", 64.0, &[("report_latency", 1.0)], &signal);
    rig = rig.automated("delay", 64.0, 1000.0, RATE as u64 / 2);
    match rig.try_bounce() {
        Err(e) => {
            let said = e.to_string();
            eprintln!("{said}");
            let name = plugins::hosted(NODELAY).unwrap().info.name.clone();
            assert!(said.contains(&name) && said.contains("latency"), "the refusal names the plugin: {said}");
        }
        Ok(mix) => {
            let residue = mix[0][RATE * 3 / 4..].iter().fold(0f32, |m, v| m.max(v.abs()));
            let db = 20.0 * (f64::from(residue) / 0.5).max(1e-12).log10();
            panic!("the bounce rendered through the change: the null after it is {db:.1} dB");
        }
    }
}

#[test]
fn a_clap_restart_asked_and_then_not_needed_is_honoured_once() {
    test_plugin_dir();
    assert!(plugins::hosted(TEST_GAIN).is_some());
    // The delay moved to 1000 (the plugin asks for a restart) and back to 64
    // before the app answered: the graph it compiles has the latency the
    // old instance has, but the request still stands.
    let signal = noise(14, 2 * RATE, 0.5);
    let rig = nulling_session(TEST_GAIN, "2", 64.0, &[], &signal);
    let id = rig.processor.unwrap();
    let sources = [("in.wav", media(vec![signal.clone()]))];
    let (mut handle, mut core) = Engine::manual(RATE as u32, 4096);
    handle.swap_graph(compile_with(&rig.session, &sources)).unwrap();
    handle.play();
    run_callback(&mut core, RATE / 10, 256);
    let param = rig.session.processor_param(id, "2").unwrap();
    handle.set_param(param, 1000.0);
    run_callback(&mut core, 256, 256);
    handle.set_param(param, 64.0);
    let mut rebuilds = 0;
    for _ in 0..RATE / 4 / 256 {
        run_callback(&mut core, 256, 256);
        let mut changed = false;
        handle.poll(|e| changed |= matches!(e, EngineEvent::LatencyChanged(_)));
        if changed {
            rebuilds += 1;
            handle.swap_graph(compile_with(&rig.session, &sources)).unwrap();
        }
    }
    let after = null_db(&mut core, RATE / 4);
    eprintln!("64 -> 1000 -> 64 before the answer: {rebuilds} graphs compiled, null {after:.1} dB");
    assert_eq!(rebuilds, 1, "the restart is honoured once, not asked again and again");
    assert!(after <= -120.0, "the null is only {after:.1} dB");
}

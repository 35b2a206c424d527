//! `mixdesk bench monitor --tracks N`: what the monitor section costs per
//! audio callback on a synthetic session of N stereo tracks (the one `bench
//! realtime` plays), for a few profiles and for a reference A/B (the
//! reference is the same session again, so that its graph costs as much as
//! the mix's), through the real callback (`AudioCore::render`). Wall time
//! per callback (median of timed callbacks) beside the process's CPU time.

use std::time::Instant;

use mixdesk_engine::monitor::{MonitorSettings, ReferenceSlot};
use mixdesk_engine::realtime::Engine;

use super::bench_realtime::graph;
use super::cpu_time::cpu_seconds;
use super::out::{CliError, outln};

const RATE: u32 = 48_000;

pub fn run(tracks: usize, seconds: f64, buffer: u32) -> Result<(), CliError> {
    let frames = (seconds * f64::from(RATE)) as usize;
    outln!(
        "bench monitor: {tracks} stereo tracks, {RATE} Hz, {buffer}-frame buffers, {seconds} s per profile"
    );
    outln!("  {:<26} {:>12} {:>12} {:>14}", "monitor", "wall/callb.", "CPU/callb.", "monitor (wall)");
    let slot = ReferenceSlot { path: "ref".into(), integrated_lufs: Some(-20.0), max_short_term_lufs: None };
    let profiles: [(&str, MonitorSettings); 5] = [
        ("off", MonitorSettings::default()),
        ("mono", MonitorSettings::from_profile("mono")?),
        ("phone", MonitorSettings::from_profile("phone")?),
        ("club,side,dim", MonitorSettings::from_profile("club,side,dim")?),
        (
            "reference (A/B), phone",
            MonitorSettings {
                references: vec![slot],
                reference: Some(0),
                ..MonitorSettings::from_profile("phone")?
            },
        ),
    ];
    let mut off = None;
    for (name, settings) in profiles {
        let (mut h, mut core) = Engine::manual(RATE, buffer);
        h.swap_graph(graph(tracks, 0, false, frames)?).map_err(|e| e.to_string())?;
        if settings.reference.is_some() {
            h.set_reference(Some(graph(tracks, 0, false, frames)?)).map_err(|e| e.to_string())?;
        }
        let _ = h.set_monitor(settings.program(RATE, None));
        h.play();
        let mut buf = vec![0.0f32; buffer as usize * 2];
        let callbacks = frames / buffer as usize;
        let mut walls = Vec::with_capacity(callbacks);
        let cpu0 = cpu_seconds();
        for _ in 0..callbacks {
            let t = Instant::now();
            core.render(&mut buf, 2);
            walls.push(t.elapsed().as_secs_f64());
            h.poll(|_| {});
        }
        let cpu = (cpu_seconds() - cpu0) / callbacks as f64;
        walls.sort_by(f64::total_cmp);
        let wall = walls[walls.len() / 2];
        let base = *off.get_or_insert(wall);
        outln!("  {name:<26} {:>9.1} µs {:>9.1} µs {:>+11.1} µs", wall * 1e6, cpu * 1e6, (wall - base) * 1e6);
    }
    outln!(
        "  (CPU time is the whole process's, from /proc in 10 ms ticks, so only a rough check on the wall time)"
    );
    Ok(())
}

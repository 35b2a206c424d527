//! `mixdesk bench plugins`: what hosting costs. The LV2 scan cold (every
//! bundle's Turtle read) and the scan of both formats from their caches,
//! then the time per callback of hosted plugins beside the built-in utility
//! (a gain), each run on its own for many stereo 256-frame callbacks, with
//! CPU time beside wall time. The CLAP test plugin is measured when it is on
//! the CLAP path (`CLAP_PATH=target/clap-test-plugins`, which the tests
//! fill); ZAM's CLAP limiter when zam-plugins is installed. A keyed plugin
//! is handed its input as its key.

use std::time::Instant;

use mixdesk_engine::dsp::{self, DspContext};
use mixdesk_engine::plugins::scan;
use mixdesk_engine::session::Session;

use super::cpu_time::cpu_seconds;
use super::out::{CliError, outln};

const KINDS: [&str; 9] = [
    "utility",
    "clap:org.mixdesk.test.gain",
    // A real CLAP plugin (Debian's zam-plugins), a lookahead limiter, and
    // its LV2 build: the same DSP through the two hosts.
    "clap:com.zamaudio.ZaMaximX2",
    "lv2:urn:zamaudio:ZaMaximX2",
    "lv2:http://lv2plug.in/plugins/eg-amp",
    "lv2:http://gareus.org/oss/lv2/fil4#stereo",
    "lv2:http://lsp-plug.in/plugins/lv2/compressor_stereo",
    "lv2:http://lsp-plug.in/plugins/lv2/limiter_stereo",
    // Keyed: the key (the input itself here) copied to its sidechain ports.
    "lv2:http://lsp-plug.in/plugins/lv2/sc_compressor_stereo",
];

/// Runs the measurements.
pub fn run(callbacks: usize) -> Result<(), CliError> {
    let (w, c) = (Instant::now(), cpu_seconds());
    let found = scan::scan();
    outln!(
        "scan, cold: {} plugins in {:.2} s wall, {:.2} s CPU",
        found.len(),
        w.elapsed().as_secs_f64(),
        cpu_seconds() - c
    );
    let _ = scan::scan_cached();
    let (w, c) = (Instant::now(), cpu_seconds());
    let cached = scan::scan_cached();
    outln!(
        "scan, cached: {} plugins in {:.3} s wall, {:.2} s CPU (from the cache: {})",
        cached.plugins.len(),
        w.elapsed().as_secs_f64(),
        cpu_seconds() - c,
        cached.cached
    );
    let block = 256;
    let ctx = DspContext { sample_rate: 48_000, max_block: block, bpm: 120.0 };
    let mut s = Session::new(48_000);
    let noise: Vec<f32> = (0..block).map(|i| ((i * 7919 % 256) as f32 / 128.0 - 1.0) * 0.3).collect();
    outln!("per stereo callback of {block} frames ({callbacks} callbacks each):");
    for kind in KINDS {
        let Some(spec) = dsp::kind(kind) else {
            outln!("  {kind}: not installed");
            continue;
        };
        let mut p = s.new_processor(kind).map_err(|e| e.to_string())?;
        // A gain of -6 dB where there is one: a neutral utility skips its work.
        if spec.param_index("gain").is_some() {
            p.params.insert("gain".into(), -6.0);
        }
        let mut d = spec.instantiate(&ctx, &p).map_err(|e| e.to_string())?;
        let (mut l, mut r) = (noise.clone(), noise.clone());
        let (w, c) = (Instant::now(), cpu_seconds());
        for _ in 0..callbacks {
            l.copy_from_slice(&noise);
            r.copy_from_slice(&noise);
            let key = spec.sidechain.then_some([&noise[..], &noise[..]]);
            d.process(&mut [&mut l, &mut r], key);
        }
        let (wall, cpu) = (w.elapsed().as_secs_f64(), cpu_seconds() - c);
        let per = |t: f64| t / callbacks as f64 * 1e6;
        let name = match kind.split_once(':') {
            Some((format, _)) => format!("{} ({})", spec.name, format.to_uppercase()),
            None => spec.name.to_owned(),
        };
        outln!("  {name:<52} {:>7.2} us wall {:>7.2} us CPU", per(wall), per(cpu));
        s = Session::new(48_000);
    }
    Ok(())
}

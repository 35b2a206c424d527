//! `mixdesk bench chain --tracks N --seconds S`: the bounce of a session whose
//! every track runs the mixing chain (high-pass, three EQ bands, a
//! compressor, fader and pan) on stereo 24-bit stems: the demo's instruments
//! (`demo::LongSession`, written once into a folder that later runs reuse),
//! or a folder of the user's own stems (`--stems DIR`). It times, with CPU
//! time beside wall time:
//!
//! 1. `mixdesk render` as a fresh process, with and without its report: what
//!    a user waits for, start-up included;
//! 2. the stages, in this process, each run adding one to the one before:
//!    reading the files, mixing them (fader, pan, sum, writing the file), the
//!    EQ, the compressor, the report; a stage costs the difference;
//! 3. ffmpeg running the equivalent graph on the same files, when installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use mixdesk_engine::bounce::{BounceOptions, bounce};
use mixdesk_engine::media::{AudioSource, MediaPool, StreamedWav};
use mixdesk_engine::session::{Session, StripRef};
use rayon::prelude::*;

use super::bench::{Cleanup, child_cpu_seconds, cpu_seconds};
use super::bench_chain_stems::{self as stems, Inserts, Stems};
use super::out::{CliError, errln, outln};

/// The per-track EQ: (band, frequency, gain dB, Q) for three peaking bands.
const BANDS: [(&str, f64, f64, f64); 3] =
    [("p1", 250.0, 3.0, 1.0), ("p2", 1200.0, -4.0, 1.4), ("p3", 5000.0, 2.0, 0.8)];
const HPF: f64 = 80.0;
const THRESHOLD_DB: f64 = -24.0;
const RATIO: f64 = 3.0;
const ATTACK_MS: f64 = 10.0;
const RELEASE_MS: f64 = 120.0;
const KNEE_DB: f64 = 6.0;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Setup {
    pub tracks: usize,
    pub seconds: f64,
    pub block: usize,
    pub ffmpeg: bool,
    /// The user's stems instead of generated ones.
    pub stems: Option<PathBuf>,
    /// Where generated stems are kept (default: under the system's temporary folder).
    pub dir: Option<PathBuf>,
    /// Runs of each measurement; the fastest is shown.
    pub runs: usize,
    /// Two post-fader sends per track to a reverb bus and a delay bus.
    pub sends: bool,
}

/// Wall and CPU seconds of one measurement (the fastest of its runs).
#[derive(Debug, Clone, Copy)]
struct Time {
    wall: f64,
    cpu: f64,
}

impl Time {
    fn best(runs: usize, mut f: impl FnMut() -> Result<Time, String>) -> Result<Time, String> {
        let mut best = Time { wall: f64::INFINITY, cpu: f64::INFINITY };
        for _ in 0..runs.max(1) {
            let t = f()?;
            best = Time { wall: best.wall.min(t.wall), cpu: best.cpu.min(t.cpu) };
        }
        Ok(best)
    }
}

pub fn run(setup: Setup) -> Result<(), CliError> {
    let scratch = std::env::temp_dir().join(format!("mixdesk-bench-chain-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let _cleanup = Cleanup(scratch.clone());
    let stems = match &setup.stems {
        Some(dir) => stems::from_folder(dir)?,
        None => {
            let dir = setup.dir.clone().unwrap_or_else(|| {
                std::env::temp_dir()
                    .join("mixdesk-bench-chain")
                    .join(format!("{}x{}s", setup.tracks, setup.seconds))
            });
            errln!("stems in {} (made once, reused by later runs) ...", dir.display());
            stems::generated(&dir, setup.tracks, setup.seconds)?
        }
    };
    let ts = stems.track_seconds();
    let rate = stems.session.sample_rate;
    outln!(
        "bench chain: {} stereo stems, {:.1} s mix at {rate} Hz ({ts:.0} track-seconds; high-pass + 3 EQ bands + \
         compressor + fader + pan{}), 24-bit out, block {}, {} threads, best of {}",
        stems.session.tracks.len(),
        stems.seconds(),
        if setup.sends { " + 2 sends to reverb and delay buses" } else { "" },
        setup.block,
        rayon::current_num_threads(),
        setup.runs.max(1)
    );
    outln!("                                       wall        CPU   CPU ms/track-s   x realtime");
    let row = |label: &str, t: Time| -> Result<(), CliError> {
        outln!(
            "  {label:<32} {:>8.3} s {:>8.2} s {:>12.3} {:>12.1}",
            t.wall,
            t.cpu,
            1000.0 * t.cpu / ts,
            stems.seconds() / t.wall
        );
        Ok(())
    };
    let full = stems::session(&stems, Inserts::Full, setup.sends)?;
    // Kept beside generated stems (`mixdesk render` of it repeats the first
    // row); the user's folder is left as it was.
    let session_file = match &setup.stems {
        None => stems.dir.join(if setup.sends { "chain-sends.mixdesk" } else { "chain.mixdesk" }),
        Some(_) => scratch.join("chain.mixdesk"),
    };
    let full_abs = with_absolute_media(&full, &stems.dir);
    mixdesk_engine::session::save(&full_abs, &session_file).map_err(|e| e.to_string())?;

    if setup.stems.is_none() {
        errln!("the session: {}", session_file.display());
    }
    // 1. `mixdesk render` as a user runs it.
    let render = Time::best(setup.runs, || render_child(&session_file, &scratch.join("mix.wav"), &[]))?;
    row("mixdesk render (a process)", render)?;
    let no_report =
        Time::best(setup.runs, || render_child(&session_file, &scratch.join("mix.wav"), &["--no-report"]))?;
    row("  ... --no-report", no_report)?;

    // 2. The stages, in this process.
    outln!("  stages (this process; each adds one to the row above it):");
    let read = Time::best(setup.runs, || read_all(&stems, setup.block))?;
    row(if stems.all_streamed { "  read the files" } else { "  read and decode the files" }, read)?;
    let mut before = read;
    let mut stages = Vec::new();
    for (label, inserts, report) in [
        ("  + fader, pan, sum, write", Inserts::None, false),
        ("  + EQ (high-pass, 3 bands)", Inserts::Eq, false),
        ("  + compressor", Inserts::Full, false),
        ("  + report (same pass)", Inserts::Full, true),
    ] {
        let s = stems::session(&stems, inserts, setup.sends)?;
        let t = Time::best(setup.runs, || bounce_in_process(&s, &stems.dir, &scratch, setup.block, report))?;
        row(label, t)?;
        stages.push((
            label.trim_start_matches("  + "),
            Time { wall: t.wall - before.wall, cpu: t.cpu - before.cpu },
        ));
        before = t;
    }
    let per = |t: Time| {
        format!("{:.3} CPU ms/track-s ({:.0} % of the CPU)", 1000.0 * t.cpu / ts, 100.0 * t.cpu / before.cpu)
    };
    outln!("  by stage: read {}", per(read));
    for (label, t) in &stages {
        outln!("            {label}: {}", per(*t));
    }
    outln!(
        "  start-up and what a process adds: {:.0} ms wall, {:.2} CPU-s",
        1000.0 * (render.wall - before.wall),
        render.cpu - before.cpu
    );

    // 3. ffmpeg.
    if !setup.ffmpeg {
        return Ok(());
    }
    match Time::best(setup.runs, || run_ffmpeg(&scratch, &stems)) {
        Ok(t) => {
            row("ffmpeg (a process)", t)?;
            outln!(
                "  Mixdesk is faster by {:.1}x in wall time, {:.1}x in CPU time (mixdesk render with its report)",
                t.wall / render.wall,
                t.cpu / render.cpu
            );
        }
        Err(e) => outln!("  ffmpeg: not measured: {e}"),
    }
    Ok(())
}

/// The session with every media path absolute (it is saved elsewhere).
fn with_absolute_media(s: &Session, dir: &Path) -> Session {
    let mut s = s.clone();
    for c in s.tracks.iter_mut().flat_map(|t| t.clips.iter_mut()) {
        let p = dir.join(&c.media);
        c.media = std::path::absolute(&p).unwrap_or(p);
    }
    s
}

/// `mixdesk render SESSION -o OUT EXTRA..` as a child process.
fn render_child(session: &Path, out: &Path, extra: &[&str]) -> Result<Time, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("render").arg(session).arg("-o").arg(out).args(extra);
    timed_child(&mut cmd, "mixdesk render")
}

/// Runs `cmd` to its end; its wall time and the CPU time it used.
fn timed_child(cmd: &mut Command, what: &str) -> Result<Time, String> {
    let (t, cpu) = (Instant::now(), child_cpu_seconds());
    let out = cmd.output().map_err(|e| format!("cannot run {what}: {e}"))?;
    let wall = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(Time { wall, cpu: child_cpu_seconds() - cpu })
}

/// Reads every stem as the bounce does: WAV files streamed from disk (both
/// channels, `block` frames at a time, the files in parallel), the others
/// decoded into memory.
fn read_all(stems: &Stems, block: usize) -> Result<Time, String> {
    let rate = stems.session.sample_rate;
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let pool = MediaPool::new();
    let sum: f64 = stems
        .files
        .par_iter()
        .map(|path| match StreamedWav::open(path, rate) {
            Some(s) => {
                let mut buf = vec![0.0f32; block];
                let mut acc = 0.0f64;
                let mut pos = 0;
                while pos < s.frames() {
                    for c in 0..s.channel_count() {
                        s.read(c, pos, &mut buf);
                        acc += f64::from(buf[0]);
                    }
                    pos += block as u64;
                }
                acc
            }
            None => pool.load(path, rate).map_or(0.0, |m| f64::from(m.channels[0][0])),
        })
        .sum();
    if sum.is_nan() {
        errln!("(NaN)");
    }
    Ok(Time { wall: t.elapsed().as_secs_f64(), cpu: cpu_seconds() - cpu })
}

/// One bounce in this process, as `mixdesk render` makes it (24-bit).
fn bounce_in_process(
    s: &Session,
    dir: &Path,
    scratch: &Path,
    block: usize,
    report: bool,
) -> Result<Time, String> {
    let opts = BounceOptions { block, report, ..BounceOptions::default() };
    let (t, cpu) = (Instant::now(), cpu_seconds());
    bounce(s, dir, &MediaPool::new(), &scratch.join("stage.wav"), &opts, &mut |_| true)
        .map_err(|e| e.to_string())?;
    Ok(Time { wall: t.elapsed().as_secs_f64(), cpu: cpu_seconds() - cpu })
}

/// The chain's track inserts: an EQ (high-pass and three peaking bands) and a
/// compressor, at the end of `strip`'s chain. Also used by `bench realtime --chain`.
pub fn add_track_inserts(s: &mut Session, strip: StripRef) -> Result<(), String> {
    let eq = s.add_processor(strip, "eq", usize::MAX).map_err(|e| e.to_string())?;
    let p = &mut s.processor_mut(eq).unwrap().params;
    p.insert("hp_on".into(), 1.0);
    p.insert("hp_freq".into(), HPF);
    for (band, f, g, q) in BANDS {
        p.insert(format!("{band}_freq"), f);
        p.insert(format!("{band}_gain"), g);
        p.insert(format!("{band}_q"), q);
    }
    let comp = s.add_processor(strip, "compressor", usize::MAX).map_err(|e| e.to_string())?;
    let p = &mut s.processor_mut(comp).unwrap().params;
    for (k, v) in [
        ("threshold", THRESHOLD_DB),
        ("ratio", RATIO),
        ("attack", ATTACK_MS),
        ("release", RELEASE_MS),
        ("knee", KNEE_DB),
    ] {
        p.insert(k.into(), v);
    }
    Ok(())
}

/// ffmpeg on the same files with the equivalent graph (each track's fader,
/// and its pan as -3 dB equal-power gains per side), writing 24-bit.
fn run_ffmpeg(scratch: &Path, stems: &Stems) -> Result<Time, String> {
    let files = &stems.files;
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-hide_banner", "-loglevel", "error", "-y"]);
    for f in files {
        cmd.arg("-i").arg(f);
    }
    let mut graph = String::new();
    for (i, track) in stems.session.tracks.iter().enumerate() {
        let pan = track.strip.pan.0;
        let fader = 10f64.powf(track.strip.fader_db.0 / 20.0);
        let angle = (pan + 1.0) * std::f64::consts::FRAC_PI_4;
        let (gl, gr) = (angle.cos() * fader, angle.sin() * fader);
        let eq: String =
            BANDS.iter().map(|(_, f, g, q)| format!("equalizer=f={f}:t=q:w={q}:g={g},")).collect();
        graph += &format!(
            "[{i}:a]aformat=channel_layouts=stereo,highpass=f={HPF}:p=2,{eq}acompressor=threshold={:.6}:ratio={RATIO}:\
             attack={ATTACK_MS}:release={RELEASE_MS}:knee={:.4}:link=maximum,pan=stereo|c0={gl:.6}*c0|c1={gr:.6}*c1[t{i}];",
            10f64.powf(THRESHOLD_DB / 20.0),
            10f64.powf(KNEE_DB / 20.0),
        );
    }
    for i in 0..files.len() {
        graph += &format!("[t{i}]");
    }
    graph += &format!("amix=inputs={}:normalize=0[out]", files.len());
    let script = scratch.join("graph.txt");
    std::fs::write(&script, &graph).map_err(|e| e.to_string())?;
    cmd.arg("-filter_complex_script")
        .arg(&script)
        .args(["-map", "[out]", "-c:a", "pcm_s24le"])
        .arg(scratch.join("ffmpeg.wav"));
    timed_child(&mut cmd, "ffmpeg").map_err(|e| {
        if e.contains("cannot run") { format!("{e}; install it with `apt-get install ffmpeg`") } else { e }
    })
}

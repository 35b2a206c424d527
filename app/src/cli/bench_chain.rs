//! `mixdesk bench chain --tracks N --seconds S`: the full mixing chain bounced
//! offline (each track: high-pass, three EQ bands, a compressor, pan, and two
//! post-fader sends to a reverb bus and a delay bus), timed side by side with
//! ffmpeg running the equivalent filter graph (highpass, 3 x equalizer,
//! acompressor, pan, amix with normalize=0) on the same files. Both read the
//! files and write a mix: Mixdesk's figure is `mixdesk render`'s path (WAV
//! streamed from disk); a second bounce from media decoded into memory
//! beforehand gives the processing alone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce, prepare};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::session::{Bus, BusId, Decibels, Pan, Send, SendId, Session, StripRef, Track};
use mixdesk_engine::units::SampleTime;
use rayon::prelude::*;

use super::bench::{Cleanup, cpu_seconds};
use super::out::{CliError, errln, outln};

const RATE: u32 = 48_000;

/// The per-track EQ: (band, frequency, gain dB, Q) for three peaking bands.
const BANDS: [(&str, f64, f64, f64); 3] =
    [("p1", 250.0, 3.0, 1.0), ("p2", 1200.0, -4.0, 1.4), ("p3", 5000.0, 2.0, 0.8)];
const HPF: f64 = 80.0;
const THRESHOLD_DB: f64 = -24.0;
const RATIO: f64 = 3.0;
const ATTACK_MS: f64 = 10.0;
const RELEASE_MS: f64 = 120.0;
const KNEE_DB: f64 = 6.0;

pub fn run(tracks: usize, seconds: f64, block: usize, ffmpeg: bool) -> Result<(), CliError> {
    let frames = (seconds * f64::from(RATE)) as usize;
    let dir = std::env::temp_dir().join(format!("mixdesk-bench-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let _cleanup = Cleanup(dir.clone());
    errln!("writing {tracks} mono 24-bit WAV files of {seconds} s into {} ...", dir.display());
    let files: Vec<PathBuf> =
        (0..tracks).into_par_iter().map(|i| write_track(&dir, i, frames)).collect::<Result<_, _>>()?;
    let session = session(&files, frames)?;

    // The report is measured separately (`mixdesk bench analyze`-style figures are in the README).
    let opts = BounceOptions { depth: BitDepth::Float32, block, report: false, ..BounceOptions::default() };
    let ts = tracks as f64 * seconds;
    outln!(
        "bench chain: {tracks} mono tracks x {seconds} s at {RATE} Hz (HPF + 3 EQ bands + compressor + pan + 2 sends; \
         reverb and delay buses), block {block}, {} threads",
        rayon::current_num_threads()
    );
    // 1. What `mixdesk render` does: a fresh pool, the WAV files streamed from disk.
    let out = dir.join("mix.wav");
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let summary =
        bounce(&session, &dir, &MediaPool::new(), &out, &opts, &mut |_| true).map_err(|e| e.to_string())?;
    let render = t.elapsed().as_secs_f64();
    let render_cpu = cpu_seconds() - cpu;
    outln!(
        "  render       {render:>8.3} s  ({:.1} x realtime; {:.0} track-seconds/s; {render_cpu:.2} CPU-s; mix peak {:.2} dBFS) \
         from the files, as `mixdesk render` does",
        seconds / render,
        ts / render,
        20.0 * f64::from(summary.peak).log10()
    );
    // 2. The media decoded into memory first (as the window holds it), then bounced.
    let pool = MediaPool::new();
    let t = Instant::now();
    prepare(&session, &dir, &pool, block).map_err(|e| e.to_string())?;
    let decode = t.elapsed().as_secs_f64();
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let again = bounce(&session, &dir, &pool, &dir.join("mix2.wav"), &opts, &mut |_| true)
        .map_err(|e| e.to_string())?;
    let in_memory = t.elapsed().as_secs_f64();
    outln!(
        "  in memory    {in_memory:>8.3} s  ({:.0} track-seconds/s; {:.2} CPU-s) bouncing media decoded beforehand \
         ({decode:.3} s to decode)",
        ts / in_memory,
        cpu_seconds() - cpu
    );
    if again.peak != summary.peak {
        return Err(format!("the two bounces differ (peaks {} and {})", summary.peak, again.peak).into());
    }
    if !ffmpeg {
        return Ok(());
    }
    match run_ffmpeg(&dir, &files) {
        Ok(secs) => {
            outln!(
                "  ffmpeg       {secs:>8.3} s  ({:.1} x realtime) for the equivalent graph from the same files",
                seconds / secs
            );
            outln!("  speed-up     {:>8.1} x  (ffmpeg time / Mixdesk render time)", secs / render);
        }
        Err(e) => outln!("  ffmpeg       not measured: {e}"),
    }
    Ok(())
}

fn session(files: &[PathBuf], frames: usize) -> Result<Session, String> {
    let mut s = Session::new(RATE);
    s.tempo.bpm = 110.0;
    for (id, name) in [(1, "Reverb"), (2, "Delay")] {
        s.buses.push(Bus::new(BusId(id), name));
    }
    let verb = s.add_processor(StripRef::Bus(BusId(1)), "reverb", 0).map_err(|e| e.to_string())?;
    s.processor_mut(verb).unwrap().params.insert("mix".into(), 100.0);
    let echo = s.add_processor(StripRef::Bus(BusId(2)), "delay", 0).map_err(|e| e.to_string())?;
    let p = &mut s.processor_mut(echo).unwrap().params;
    p.insert("mix".into(), 100.0);
    p.insert("sync".into(), 7.0); // 1/8 dotted
    for (i, f) in files.iter().enumerate() {
        let id = 100 + 10 * i as u32;
        let media = f.file_name().map(PathBuf::from).unwrap_or_default();
        let mut t = Track::with_one_clip(id, format!("Track {}", i + 1), media, SampleTime(frames as u64));
        t.strip.fader_db = Decibels(-12.0);
        t.strip.pan = Pan(((i % 9) as f64 - 4.0) / 5.0);
        for (k, bus) in [BusId(1), BusId(2)].into_iter().enumerate() {
            t.strip.sends.push(Send {
                id: SendId(id + 2 + k as u32),
                target: bus,
                level_db: Decibels(-15.0),
                pan: Pan(0.0),
                pre_fader: false,
            });
        }
        s.tracks.push(t);
        add_track_inserts(&mut s, StripRef::Track(mixdesk_engine::session::TrackId(id)))?;
    }
    mixdesk_engine::session::validate(&s).map_err(|e| e.to_string())?;
    Ok(s)
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

/// Runs ffmpeg on the same files with the equivalent graph; its wall time in seconds.
fn run_ffmpeg(dir: &Path, files: &[PathBuf]) -> Result<f64, String> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-hide_banner", "-loglevel", "error", "-y"]);
    for f in files {
        cmd.arg("-i").arg(f);
    }
    let mut graph = String::new();
    for i in 0..files.len() {
        let pan = ((i % 9) as f64 - 4.0) / 5.0;
        // Equal-power pan (the session's -3 dB law) and the -12 dB fader.
        let fader = 10f64.powf(-12.0 / 20.0);
        let angle = (pan + 1.0) * std::f64::consts::FRAC_PI_4;
        let (gl, gr) = (angle.cos() * fader, angle.sin() * fader);
        let eq: String =
            BANDS.iter().map(|(_, f, g, q)| format!("equalizer=f={f}:t=q:w={q}:g={g},")).collect();
        graph += &format!(
            "[{i}:a]highpass=f={HPF}:p=2,{eq}acompressor=threshold={:.6}:ratio={RATIO}:attack={ATTACK_MS}:release={RELEASE_MS}:knee={:.4},\
             pan=stereo|c0={gl:.6}*c0|c1={gr:.6}*c0[t{i}];",
            10f64.powf(THRESHOLD_DB / 20.0),
            10f64.powf(KNEE_DB / 20.0),
        );
    }
    for i in 0..files.len() {
        graph += &format!("[t{i}]");
    }
    graph += &format!("amix=inputs={}:normalize=0[out]", files.len());
    let script = dir.join("graph.txt");
    std::fs::write(&script, &graph).map_err(|e| e.to_string())?;
    cmd.arg("-filter_complex_script")
        .arg(&script)
        .args(["-map", "[out]", "-c:a", "pcm_f32le"])
        .arg(dir.join("ffmpeg.wav"));
    let t = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run ffmpeg ({e}); install it with `apt-get install ffmpeg`"))?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("ffmpeg failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(secs)
}

/// A mono 24-bit file: a chord with a slow swell (so the compressor works) and
/// a little noise, distinct per track.
fn write_track(dir: &Path, i: usize, frames: usize) -> Result<PathBuf, String> {
    let path = dir.join(format!("track{i:03}.wav"));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let err = |e: hound::Error| format!("{}: {e}", path.display());
    let mut w = hound::WavWriter::create(&path, spec).map_err(err)?;
    let f = 110.0 * (1.0 + i as f64 * 0.07);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1) | 1;
    for n in 0..frames {
        let t = n as f64 / f64::from(RATE);
        let swell = 0.25 + 0.2 * (std::f64::consts::TAU * 0.5 * t + i as f64).sin();
        let tone = (std::f64::consts::TAU * f * t).sin() + 0.5 * (std::f64::consts::TAU * f * 1.5 * t).sin();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed >> 40) as f64 / (1u64 << 24) as f64 - 0.5;
        let x = swell * tone * 0.6 + 0.02 * noise;
        w.write_sample((x * 8_388_607.0) as i32).map_err(err)?;
    }
    w.finalize().map_err(err)?;
    Ok(path)
}

//! `mixdesk render SESSION --monitor PROFILE -o OUT.wav`: what the monitor
//! section would play, for checking by ear and for tests. The mix is bounced
//! as usual (into a temporary file beside OUT), measured (the platform
//! preview's gain follows from its integrated loudness), and run through the
//! same [`MonitorVoice`] the live callback runs, into a 32-bit float WAV.

use std::path::Path;

use mixdesk_engine::analysis::analyze_file;
use mixdesk_engine::bounce::{BitDepth, BounceOptions, Dither, bounce};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::monitor::{Measured, MonitorSettings, MonitorVoice};
use mixdesk_engine::session::Session;

use super::out::{CliError, outln};
use super::progress::Progress;
use super::render::{Args, Bits, bounce_error};

/// Frames read, processed and written at once.
const BLOCK: usize = 4096;

pub fn run(args: &Args, session: &Session, mut opts: BounceOptions, profile: &str) -> Result<(), CliError> {
    let settings = MonitorSettings::from_profile(profile)?;
    let wav = args.output.extension().is_some_and(|e| e.eq_ignore_ascii_case("wav"));
    if !wav
        || args.format.is_some()
        || args.rate.is_some()
        || args.stems.is_some()
        || args.normalize_lufs.is_some()
        || args.bits.is_some_and(|b| !matches!(b, Bits::F32))
    {
        return Err("--monitor writes what the monitor plays as a 32-bit float WAV at the session's rate: \
                    name the output .wav and drop --format, --rate, --bits, --stems and --normalize-lufs"
            .into());
    }
    let mix = args.output.with_extension("monitor-mix.wav");
    opts.depth = BitDepth::Float32;
    opts.dither = Dither::None;
    opts.report = false;
    opts.stems_dir = None;
    let mut bar = Progress::new("rendering");
    let result =
        bounce(session, &super::session_dir(&args.session), &MediaPool::new(), &mix, &opts, &mut |f| {
            bar.update(f);
            true
        });
    bar.finish();
    let written = result.map_err(|e| bounce_error(&args.session, &e)).and_then(|_| {
        let measured = measure(&mix)?;
        monitor_file(&mix, &args.output, &settings, session.sample_rate, measured)?;
        Ok(measured)
    });
    let _ = std::fs::remove_file(&mix);
    let measured = written?;
    outln!("wrote {} as the monitor plays it: {}", args.output.display(), settings.to_profile());
    if let (Some(p), Some(gain)) = (settings.platform, settings.platform_gain_db(measured)) {
        let lufs = measured.map_or(f64::NAN, |m| m.integrated_lufs);
        outln!(
            "{} plays this {lufs:.1} LUFS mix at {gain:+.1} dB ({:.1} LUFS)",
            p.service().name,
            lufs + gain
        );
    }
    Ok(())
}

fn measure(mix: &Path) -> Result<Option<Measured>, String> {
    let (a, _) = analyze_file(mix).map_err(|e| format!("cannot measure the mix: {e}"))?;
    Ok(a.integrated_lufs.map(|integrated_lufs| Measured {
        integrated_lufs,
        true_peak_dbtp: a.true_peak_dbtp,
        max_short_term_lufs: a.max_short_term_lufs,
    }))
}

fn monitor_file(
    mix: &Path,
    out: &Path,
    settings: &MonitorSettings,
    rate: u32,
    measured: Option<Measured>,
) -> Result<(), String> {
    let read_err = |e: hound::Error| format!("cannot read back the mix {}: {e}", mix.display());
    let write_err = |e: hound::Error| format!("cannot write {}: {e}", out.display());
    let mut reader = hound::WavReader::open(mix).map_err(read_err)?;
    let spec = reader.spec();
    let mut writer = hound::WavWriter::create(out, spec).map_err(write_err)?;
    let mut voice = MonitorVoice::new(settings.program(rate, measured));
    let mut samples = reader.samples::<f32>();
    let (mut l, mut r) = (Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK));
    loop {
        l.clear();
        r.clear();
        while l.len() < BLOCK {
            let Some(a) = samples.next() else { break };
            let b = samples.next().ok_or_else(|| format!("{} ends mid-frame", mix.display()))?;
            l.push(a.map_err(read_err)?);
            r.push(b.map_err(read_err)?);
        }
        if l.is_empty() {
            break;
        }
        voice.process(&mut l, &mut r);
        for (a, b) in l.iter().zip(&r) {
            writer.write_sample(*a).map_err(write_err)?;
            writer.write_sample(*b).map_err(write_err)?;
        }
    }
    writer.finalize().map_err(write_err)
}

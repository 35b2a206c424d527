//! `mixdesk info SESSION [--json]`.

use std::path::PathBuf;

use mixdesk_engine::info::session_info;

use super::out::{CliError, outln};

/// Arguments of `mixdesk info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let session = super::load(&args.session)?;
    let info = session_info(&session, &super::session_dir(&args.session));
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&info).map_err(|e| e.to_string())?);
        return Ok(());
    }
    outln!("{}", args.session.display());
    outln!(
        "  {} Hz, {:.3} s ({} samples), {} BPM {}",
        info.sample_rate,
        info.length_seconds,
        info.length_samples,
        info.bpm,
        info.time_signature
    );
    outln!(
        "  {} tracks, {} bus{}, {} VCA{}, {} folder{}",
        info.tracks.len(),
        info.buses.len(),
        if info.buses.len() == 1 { "" } else { "es" },
        info.vcas.len(),
        if info.vcas.len() == 1 { "" } else { "s" },
        info.folders.len(),
        if info.folders.len() == 1 { "" } else { "s" }
    );
    for t in &info.tracks {
        let pan = if t.pan == 0.0 {
            "C".to_owned()
        } else {
            format!("{}{:.0}", if t.pan < 0.0 { "L" } else { "R" }, t.pan.abs() * 100.0)
        };
        outln!(
            "  {:>3}  {:<20} {:>2} clip{}  {:>+6.1} dB  {:>4}  -> {}",
            t.id,
            t.name,
            t.clips,
            if t.clips == 1 { " " } else { "s" },
            t.fader_db,
            pan,
            t.output
        );
    }
    for v in &info.vcas {
        outln!("  VCA {} {:+.1} dB over {}", v.name, v.fader_db, v.members.join(", "));
    }
    for f in &info.folders {
        let bus = f.bus.as_ref().map_or_else(String::new, |b| format!(", summing into {b}"));
        let shut = if f.collapsed { ", collapsed" } else { "" };
        outln!("  folder {}: {}{bus}{shut}", f.name, f.tracks.join(", "));
    }
    if info.missing_media.is_empty() && info.unreadable_media.is_empty() {
        outln!("  all media present and readable");
    }
    if !info.missing_media.is_empty() {
        outln!("  missing media ({}):", info.missing_media.len());
        for m in &info.missing_media {
            outln!("    {}", m.display());
        }
    }
    if !info.unreadable_media.is_empty() {
        outln!("  media that cannot be played ({}):", info.unreadable_media.len());
        for m in &info.unreadable_media {
            outln!("    {}", m.problem);
        }
    }
    if !info.missing_plugins.is_empty() {
        outln!(
            "  plugins not installed ({}; their inserts pass audio through and keep their settings):",
            info.missing_plugins.len()
        );
        for k in &info.missing_plugins {
            outln!("    {k}");
        }
    }
    if !info.media_outside_folder.is_empty() {
        outln!(
            "  warning: {} media path(s) outside the session folder (moving the folder will not take them along):",
            info.media_outside_folder.len()
        );
        for m in &info.media_outside_folder {
            outln!("    {}", m.display());
        }
    }
    Ok(())
}

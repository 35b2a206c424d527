//! `mixdesk info SESSION [--json]`.

use std::path::PathBuf;

use mixdesk_engine::info::session_info;

/// Arguments of `mixdesk info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<(), String> {
    let session = super::load(&args.session)?;
    let info = session_info(&session, &super::session_dir(&args.session));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info).map_err(|e| e.to_string())?);
        return Ok(());
    }
    println!("{}", args.session.display());
    println!(
        "  {} Hz, {:.3} s ({} samples), {} BPM {}",
        info.sample_rate, info.length_seconds, info.length_samples, info.bpm, info.time_signature
    );
    println!("  {} tracks, {} buses", info.tracks.len(), info.buses.len());
    for t in &info.tracks {
        let pan = if t.pan == 0.0 {
            "C".to_owned()
        } else {
            format!("{}{:.0}", if t.pan < 0.0 { "L" } else { "R" }, t.pan.abs() * 100.0)
        };
        println!(
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
    if info.missing_media.is_empty() {
        println!("  all media present");
    } else {
        println!("  missing media ({}):", info.missing_media.len());
        for m in &info.missing_media {
            println!("    {}", m.display());
        }
    }
    if !info.media_outside_folder.is_empty() {
        println!(
            "  warning: {} media path(s) outside the session folder (moving the folder will not take them along):",
            info.media_outside_folder.len()
        );
        for m in &info.media_outside_folder {
            println!("    {}", m.display());
        }
    }
    Ok(())
}

//! `mixdesk export-dawproject SESSION -o OUT.dawproject` and `mixdesk
//! import-dawproject IN.dawproject -o SESSION.mixdesk`: the session to and
//! from DAWproject (see `engine/src/dawproject`). What the format or this
//! version cannot carry is listed on stderr.

use std::path::PathBuf;

use mixdesk_engine::{dawproject, session};

use super::out::{CliError, errln, outln};

/// Arguments of `mixdesk export-dawproject`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The session file.
    pub session: PathBuf,
    /// The .dawproject file to write.
    #[arg(short, long, value_name = "OUT.dawproject")]
    pub output: PathBuf,
}

/// Arguments of `mixdesk import-dawproject`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The .dawproject file.
    pub project: PathBuf,
    /// The session file to write (its media go into `media/` beside it).
    #[arg(short, long, value_name = "SESSION.mixdesk")]
    pub output: PathBuf,
}

pub fn export(args: ExportArgs) -> Result<(), CliError> {
    let s = super::load(&args.session)?;
    let lost = dawproject::export(&s, &super::session_dir(&args.session), &args.output)
        .map_err(|e| e.to_string())?;
    for l in &lost {
        errln!("mixdesk: not carried into DAWproject: {l}");
    }
    outln!("wrote {} ({} tracks, {} buses)", args.output.display(), s.tracks.len(), s.buses.len());
    Ok(())
}

pub fn import(args: ImportArgs) -> Result<(), CliError> {
    if args.output.exists() {
        return Err(format!("{} exists; choose a new session file name", args.output.display()).into());
    }
    let (s, lost) = dawproject::import(&args.project, &args.output).map_err(|e| e.to_string())?;
    for l in &lost {
        errln!("mixdesk: not imported: {l}");
    }
    session::save(&s, &args.output).map_err(|e| e.to_string())?;
    let clips: usize = s.tracks.iter().map(|t| t.clips.len()).sum();
    outln!(
        "wrote {} ({} tracks, {} clips, {} buses)",
        args.output.display(),
        s.tracks.len(),
        clips,
        s.buses.len()
    );
    Ok(())
}

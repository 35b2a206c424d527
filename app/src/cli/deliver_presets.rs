//! `mixdesk deliver SESSION --out DIR [--preset NAME]...`: one export running
//! several delivery presets, and the delivery sheet.

use std::path::PathBuf;

use mixdesk_engine::deliver::batch::run_presets;
use mixdesk_engine::deliver::preset::{self, DeliveryPreset};

use super::out::{CliError, outln};
use super::progress::Progress;

/// Arguments of `mixdesk deliver`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// The folder to deliver into (created if missing).
    #[arg(short, long, value_name = "DIR", required_unless_present_any = ["list", "save_presets"])]
    pub out: Option<PathBuf>,
    /// Run this preset (by name; repeat for several). Default: every preset of the session.
    #[arg(long, value_name = "NAME")]
    pub preset: Vec<String>,
    /// Print the session's presets and stop.
    #[arg(long)]
    pub list: bool,
    /// Write the presets into the session file (the five defaults when it has
    /// none), to edit them there, and stop.
    #[arg(long)]
    pub save_presets: bool,
    /// Notes for the mastering engineer, printed on the delivery sheet.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub notes: String,
    #[command(flatten)]
    pub tags: super::deliver::TagArgs,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let mut session = super::load(&args.session)?;
    let all = preset::of_session(&session);
    if args.list {
        for p in &all {
            outln!(
                "{:<24} {}{}",
                p.name,
                p.format.describe(),
                p.rate.map_or(String::new(), |r| format!(", {r} Hz"))
            );
        }
        return Ok(());
    }
    if args.save_presets {
        session.delivery = all;
        mixdesk_engine::session::save(&session, &args.session).map_err(|e| e.to_string())?;
        outln!("saved {} delivery presets in {}", session.delivery.len(), args.session.display());
        return Ok(());
    }
    let chosen: Vec<DeliveryPreset> = if args.preset.is_empty() {
        all
    } else {
        let mut v = Vec::new();
        for name in &args.preset {
            let p = all.iter().find(|p| p.name.eq_ignore_ascii_case(name)).ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
                format!(
                    "{}: no delivery preset {name:?}; the session has: {}",
                    args.session.display(),
                    names.join(", ")
                )
            })?;
            v.push(p.clone());
        }
        v
    };
    let out = args.out.clone().unwrap_or_default();
    let mut bar = Progress::new("delivering");
    let started = std::time::Instant::now();
    let result =
        run_presets(&session, &args.session, &out, &chosen, &args.tags.tags(), &args.notes, &mut |f| {
            bar.update(f);
            true
        });
    bar.finish();
    let done = result.map_err(|e| format!("{}: {e}", args.session.display()))?;
    for r in &done.sheet.rows {
        outln!(
            "{:<24} {}  {}, {} Hz, {} LUFS, {} dBTP",
            r.preset,
            r.file,
            r.format,
            r.rate,
            num(r.integrated_lufs),
            num(r.true_peak_dbtp)
        );
    }
    outln!(
        "delivery sheet: {} (.html), {} files in {:.2} s",
        done.sheet_paths[0].display(),
        done.sheet.rows.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(w) = &done.review_page {
        outln!("review page with {} open notes: {}", w.notes, w.path.display());
    }
    if let Some(e) = &done.review_error {
        super::out::errln!("mixdesk: warning: {e}");
    }
    Ok(())
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.1}"))
}

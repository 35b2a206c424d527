//! `mixdesk relink SESSION --search DIR [--dry-run]`: find moved or renamed
//! media (by name, then by size and content hash), point the clips at it and
//! save the session atomically (the previous file stays as `SESSION.bak`).
//! Exit status 0 when the search ran, whether or not everything was found;
//! what was not is listed.

use std::fmt::Write;
use std::path::PathBuf;

use mixdesk_engine::relink::{self, How};
use mixdesk_engine::session;

use super::out::CliError;

/// Arguments of `mixdesk relink`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// The folder to search (with its subfolders).
    #[arg(long, value_name = "DIR")]
    pub search: PathBuf,
    /// Show what would change without saving.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let mut s = super::load(&args.session)?;
    let dir = super::session_dir(&args.session);
    let plan = relink::plan(&s, &dir, &args.search).map_err(|e| e.to_string())?;
    let mut out = String::new();
    let p = |p: &std::path::Path| p.display().to_string();
    if plan.missing == 0 {
        let _ = writeln!(out, "no missing media in {}", p(&args.session));
    } else {
        let _ = writeln!(
            out,
            "{} media file{} missing; searched {} files in {}",
            plan.missing,
            if plan.missing == 1 { "" } else { "s" },
            plan.searched,
            p(&args.search)
        );
    }
    for f in &plan.found {
        let (how, note) = match f.how {
            How::Name if f.content_differs => ("name", " (its content differs from when it was imported)"),
            How::Name => ("name", ""),
            How::Content => ("content", " (renamed)"),
        };
        let _ = writeln!(out, "found by {how}: {} -> {}{note}", p(&f.media), p(&f.new_media));
    }
    for (media, files) in &plan.ambiguous {
        let list: Vec<String> = files.iter().map(|f| p(f)).collect();
        let _ = writeln!(
            out,
            "ambiguous: {}: {} equally good files ({}); move the wrong ones out of {} or search a narrower folder",
            p(media),
            files.len(),
            list.join(", "),
            p(&args.search)
        );
    }
    for media in &plan.not_found {
        let _ = writeln!(out, "not found: {}", p(media));
    }
    let relinked = relink::apply(&mut s, &plan);
    let fingerprinted = relink::record_fingerprints(&mut s, &dir);
    if args.dry_run {
        let _ = writeln!(out, "dry run: {} was not changed", p(&args.session));
        return super::print_out(&out);
    }
    if relinked + fingerprinted == 0 {
        let _ = writeln!(out, "nothing to change; {} was not changed", p(&args.session));
        return super::print_out(&out);
    }
    session::save(&s, &args.session).map_err(|e| e.to_string())?;
    if plan.missing > 0 {
        let _ = writeln!(out, "relinked {} of {} missing files", plan.found.len(), plan.missing);
    }
    if fingerprinted > 0 {
        let _ = writeln!(
            out,
            "recorded content fingerprints for {fingerprinted} clips (so renamed files can be found)"
        );
    }
    let bak = mixdesk_engine::atomic::backup_path(&mixdesk_engine::atomic::target_of(&args.session));
    let _ = writeln!(out, "saved {} (the previous version is {})", p(&args.session), p(&bak));
    super::print_out(&out)
}

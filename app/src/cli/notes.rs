//! `mixdesk notes list|add|done|reply|import SESSION ...`: the review notes of
//! a session from the command line. Every command that changes the session
//! saves it atomically (the previous file stays as `SESSION.bak`).

use std::fmt::Write;
use std::path::PathBuf;

use clap::Subcommand;
use mixdesk_engine::review::{self, format_clock, parse_span};
use mixdesk_engine::session::{self, Note, NoteId, NoteStatus, Reply, SampleTime, Session, TrackId};

use super::examples;
use super::out::{CliError, errln};

/// `mixdesk notes ...`.
#[derive(Debug, Subcommand)]
pub enum Notes {
    /// List the notes in time order.
    #[command(after_help = examples::NOTES_LIST)]
    List {
        /// The session file.
        session: PathBuf,
        /// Only notes with this status: open, done, wont-do or all.
        #[arg(long, default_value = "all")]
        status: String,
        /// Machine-readable output (the notes as the session holds them, times in samples and seconds).
        #[arg(long)]
        json: bool,
    },
    /// Add a note at a time or range ("1:23", "2:05-2:20", "bar 17").
    #[command(after_help = examples::NOTES_ADD)]
    Add {
        /// The session file.
        session: PathBuf,
        /// Where: 1:23, 01:23.5, 1:02:03, 2:05-2:20, bar 17, bars 17-20.
        #[arg(long, value_name = "TIME")]
        at: String,
        /// The track it is about, by name.
        #[arg(long)]
        track: Option<String>,
        /// Who says it.
        #[arg(long, default_value = "")]
        author: String,
        /// What it says (the words are joined with spaces, so quotes are optional).
        #[arg(required = true, allow_hyphen_values = true)]
        text: Vec<String>,
    },
    /// Mark notes done (or won't do, or open again).
    #[command(after_help = examples::NOTES_DONE)]
    Done {
        /// The session file.
        session: PathBuf,
        /// The notes' ids (as `notes list` shows them).
        #[arg(required = true)]
        ids: Vec<u32>,
        /// Mark them "won't do" instead.
        #[arg(long, conflicts_with = "reopen")]
        wont_do: bool,
        /// Mark them open again.
        #[arg(long)]
        reopen: bool,
    },
    /// Reply to a note.
    #[command(after_help = examples::NOTES_REPLY)]
    Reply {
        /// The session file.
        session: PathBuf,
        /// The note's id.
        id: u32,
        /// Who replies.
        #[arg(long, default_value = "")]
        author: String,
        /// The reply (the words are joined with spaces).
        #[arg(required = true, allow_hyphen_values = true)]
        text: Vec<String>,
    },
    /// Import notes from the share page's .notes.json file or from plain text
    /// with one "1:23 words" line per note.
    #[command(after_help = examples::NOTES_IMPORT)]
    Import {
        /// The session file.
        session: PathBuf,
        /// The notes file.
        file: PathBuf,
        /// The author of notes that name none (plain text never does).
        #[arg(long, default_value = "")]
        author: String,
        /// Show what would be imported without saving.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run(cmd: Notes) -> Result<(), CliError> {
    match cmd {
        Notes::List { session, status, json } => list(&session, &status, json),
        Notes::Add { session, at, track, author, text } => {
            let mut s = super::load(&session)?;
            let (start, end, _) = parse_span(at.trim(), s.tempo)
                .filter(|(_, _, rest)| rest.trim().is_empty())
                .ok_or_else(|| format!("--at {at}: not a time; write 1:23, 1:02:03, 2:05-2:20 or bar 17"))?;
            let text = text.join(" ");
            let rate = s.sample_rate;
            let mut note =
                Note::new(NoteId(s.next_id()), SampleTime::from_seconds(start, rate), author, text);
            note.end = end.map(|e| SampleTime::from_seconds(e, rate));
            note.track = track.map(|name| track_named(&s, &name)).transpose()?;
            let id = s.add_note(note);
            save(&s, &session)?;
            super::print_out(&format!("added note {id} at {}\n", span(s.note(id).expect("just added"), rate)))
        }
        Notes::Done { session, ids, wont_do, reopen } => {
            let status = match (wont_do, reopen) {
                (true, _) => NoteStatus::WontDo,
                (_, true) => NoteStatus::Open,
                _ => NoteStatus::Done,
            };
            let mut s = super::load(&session)?;
            for id in &ids {
                s.note_mut(NoteId(*id)).ok_or_else(|| no_note(&session, *id))?.status = status;
            }
            save(&s, &session)?;
            let n = ids.len();
            super::print_out(&format!(
                "{n} note{} marked {}\n",
                if n == 1 { "" } else { "s" },
                status.label()
            ))
        }
        Notes::Reply { session, id, author, text } => {
            let mut s = super::load(&session)?;
            let note = s.note_mut(NoteId(id)).ok_or_else(|| no_note(&session, id))?;
            note.replies.push(Reply { author, text: text.join(" ") });
            save(&s, &session)?;
            super::print_out(&format!("replied to note {id}\n"))
        }
        Notes::Import { session, file, author, dry_run } => import(&session, &file, &author, dry_run),
    }
}

fn import(
    path: &std::path::Path,
    file: &std::path::Path,
    author: &str,
    dry_run: bool,
) -> Result<(), CliError> {
    let mut s = super::load(path)?;
    let incoming = review::read(file, &s, author).map_err(|e| e.to_string())?;
    for k in &incoming.skipped {
        errln!("{}: entry {} left out ({}): {}", file.display(), k.line, k.why, k.text);
    }
    let added = review::add(&mut s, &incoming);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} note{} and {} repl{} added",
        added.notes,
        if added.notes == 1 { "" } else { "s" },
        added.replies,
        if added.replies == 1 { "y" } else { "ies" }
    );
    if added.duplicates > 0 {
        let _ = writeln!(out, "{} already in the session, not added again", added.duplicates);
    }
    if added.orphans > 0 {
        let _ = writeln!(
            out,
            "{} repl{} to notes this session does not have, left out",
            added.orphans,
            if added.orphans == 1 { "y" } else { "ies" }
        );
    }
    if dry_run {
        let _ = writeln!(out, "dry run: {} was not changed", path.display());
    } else if added.notes + added.replies > 0 {
        save(&s, path)?;
    }
    super::print_out(&out)
}

fn list(path: &std::path::Path, status: &str, json: bool) -> Result<(), CliError> {
    let s = super::load(path)?;
    let filter: Vec<NoteStatus> = if status.eq_ignore_ascii_case("all") {
        NoteStatus::ALL.to_vec()
    } else {
        vec![
            NoteStatus::parse(status)
                .ok_or_else(|| format!("--status {status}: use open, done, wont-do or all"))?,
        ]
    };
    let notes: Vec<&Note> = s.notes_with(&filter).collect();
    if json {
        let rate = s.sample_rate;
        let items: Vec<serde_json::Value> = notes
            .iter()
            .map(|n| {
                serde_json::json!({
                    "id": n.id.0,
                    "at": n.at.0,
                    "at_seconds": n.at.to_seconds(rate),
                    "end": n.end.map(|e| e.0),
                    "end_seconds": n.end.map(|e| e.to_seconds(rate)),
                    "track": n.track.map(|t| t.0),
                    "track_name": n.track.and_then(|t| s.track(t)).map(|t| t.name.clone()),
                    "author": n.author,
                    "text": n.text,
                    "status": n.status.label(),
                    "replies": n.replies.iter().map(|r| serde_json::json!({"author": r.author, "text": r.text})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&items).map_err(|e| e.to_string())?;
        return super::print_out(&format!("{text}\n"));
    }
    if notes.is_empty() {
        errln!(
            "no {}notes in {}",
            if filter.len() == 1 { format!("{} ", filter[0].label()) } else { String::new() },
            path.display()
        );
        return Ok(());
    }
    let mut out = String::new();
    for n in notes {
        let _ = write!(out, "{:>5}  {:<17} {:<8}", n.id.0, span(n, s.sample_rate), n.status.label());
        if let Some(t) = n.track {
            let name = s.track(t).map_or_else(|| format!("removed track {t}"), |track| track.name.clone());
            let _ = write!(out, " [{name}]");
        }
        if !n.author.is_empty() {
            let _ = write!(out, " {}:", n.author);
        }
        let _ = writeln!(out, " {}", n.text);
        for r in &n.replies {
            let who = if r.author.is_empty() { "reply" } else { r.author.as_str() };
            let _ = writeln!(out, "{:>34} {who}: {}", "", r.text);
        }
    }
    super::print_out(&out)
}

/// `1:23` or `2:05-2:20`.
fn span(n: &Note, rate: u32) -> String {
    let at = format_clock(n.at.to_seconds(rate));
    match n.end {
        Some(e) => format!("{at}-{}", format_clock(e.to_seconds(rate))),
        None => at,
    }
}

fn track_named(s: &Session, name: &str) -> Result<TrackId, String> {
    let found: Vec<_> = s.tracks.iter().filter(|t| t.name.eq_ignore_ascii_case(name)).collect();
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => {
            let names: Vec<&str> = s.tracks.iter().map(|t| t.name.as_str()).collect();
            Err(format!("--track {name}: no track of that name; the tracks are: {}", names.join(", ")))
        }
        _ => Err(format!("--track {name}: {} tracks have that name; rename one first", found.len())),
    }
}

fn no_note(path: &std::path::Path, id: u32) -> String {
    format!("{} has no note {id}; `mixdesk notes list {}` shows the ids", path.display(), path.display())
}

fn save(s: &Session, path: &std::path::Path) -> Result<(), String> {
    session::save(s, path).map_err(|e| e.to_string())
}

/// After `mixdesk render`: the notes into the report and the share page
/// beside the bounce (see `render --notes`).
pub(super) fn with_the_bounce(
    s: &Session,
    which: Option<super::render::NotesArg>,
    summary: &mixdesk_engine::bounce::BounceSummary,
    opts: &mixdesk_engine::bounce::BounceOptions,
) -> Result<(), CliError> {
    use super::render::NotesArg;
    use mixdesk_engine::review::page::{self, Which};
    let which = match which {
        None | Some(NotesArg::All) => Which::All,
        Some(NotesArg::Open) => Which::Open,
        Some(NotesArg::None) => return Ok(()),
    };
    if let Some(w) = page::with_the_bounce(s, summary, opts, which)? {
        let outside = if w.outside > 0 {
            format!(", {} outside the bounce left out", w.outside)
        } else {
            String::new()
        };
        let plural = if w.notes == 1 { "" } else { "s" };
        super::out::outln!("review page: {} ({} note{plural}{outside})", w.path.display(), w.notes);
    }
    Ok(())
}

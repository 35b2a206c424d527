//! A headless session editor for the crash test (`tests/tests/crash_recovery.rs`):
//! it opens a session the way the app does (offering the autosave after a
//! crash, and taking it), then edits it on a timer through `History`,
//! autosaves through `Autosaver` and saves now and then, until it is killed.
//!
//! `edit_loop SESSION AUTOSAVE_MS SAVE_MS EDIT_MS`
//!
//! Stdout, one line each, flushed: `ready K` (K edits in the opened state),
//! `e K T` after edit K at the loop time T (microseconds since start, taken
//! before this turn's autosave check), `saving` and `saved K` around a save.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use mixdesk_engine::autosave::{Autosaver, find_recovery};
use mixdesk_engine::history::History;
use mixdesk_engine::session;
use mixdesk_tests::edit_script;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, autosave_ms, save_ms, edit_ms] = args.as_slice() else {
        eprintln!("usage: edit_loop SESSION AUTOSAVE_MS SAVE_MS EDIT_MS");
        std::process::exit(2);
    };
    let ms = |s: &String| Duration::from_millis(s.parse().expect("milliseconds"));
    let (path, interval, save_every, edit_every) =
        (PathBuf::from(path), ms(autosave_ms), ms(save_ms), ms(edit_ms));
    let start = Instant::now();
    let recovery = find_recovery(&path).unwrap_or_else(|e| fail(&e.to_string()));
    let recovered = recovery.is_some();
    let mut s = match recovery {
        Some(r) => r.session,
        None => session::load(&path).unwrap_or_else(|e| fail(&e.to_string())),
    };
    let mut k = edit_script::count(&s);
    let mut history = History::new(&s);
    let mut autosaver = Autosaver::new(&path, interval, start);
    if recovered {
        autosaver.mark_dirty();
    }
    let out = std::io::stdout();
    let say = |line: String| {
        let mut o = out.lock();
        let _ = writeln!(o, "{line}");
        let _ = o.flush();
    };
    say(format!("ready {k}"));
    let (mut next_save, mut next_edit) = (start + save_every, start);
    loop {
        let now = Instant::now();
        autosaver.tick(&s, now).unwrap_or_else(|e| fail(&e.to_string()));
        if now >= next_save {
            say("saving".into());
            session::save(&s, &path).unwrap_or_else(|e| fail(&e.to_string()));
            autosaver.saved(now).unwrap_or_else(|e| fail(&e.to_string()));
            history.mark_saved(&s);
            say(format!("saved {k}"));
            next_save = now + save_every;
        }
        if now >= next_edit {
            k += 1;
            history.edit(&mut s, "Scripted edit", |s| edit_script::apply(s, k));
            autosaver.mark_dirty();
            say(format!("e {k} {}", now.duration_since(start).as_micros()));
            next_edit = now + edit_every;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("edit_loop: {message}");
    std::process::exit(1);
}

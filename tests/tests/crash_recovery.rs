//! Never lose work: a session editor (`edit_loop`, the engine's History,
//! Autosaver and atomic save driven on a timer) is killed with SIGKILL at
//! random moments, half of them right as a save begins. After every kill the
//! session file loads and holds exactly the state after some number of the
//! scripted edits, and the state offered for recovery (the autosave when it is
//! newer and different, else the session file) holds every edit older than
//! the autosave interval, and nothing that was never made. The next run
//! recovers it and goes on editing.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mixdesk_engine::autosave::find_recovery;
use mixdesk_engine::session;
use mixdesk_tests::edit_script::{count, initial, state_after};

const KILLS: usize = 60;
const AUTOSAVE_MS: u64 = 100;
const SAVE_MS: u64 = 230;
const EDIT_MS: u64 = 2;
const SEED: u64 = 0x5EED_0009;

/// What one run of the editor printed before it was killed.
#[derive(Debug, Default)]
struct Run {
    ready: u64,
    /// (edit number, loop time in microseconds)
    edits: Vec<(u64, u64)>,
    last_line: String,
}

impl Run {
    fn read(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["ready", k] => self.ready = k.parse().unwrap(),
            ["e", k, t] => self.edits.push((k.parse().unwrap(), t.parse().unwrap())),
            _ => {}
        }
        self.last_line = line.to_owned();
    }

    /// The newest edit made at least one autosave interval before the last
    /// moment the editor was seen running: it must be recoverable.
    fn must_keep(&self) -> u64 {
        let Some(&(_, seen)) = self.edits.last() else { return self.ready };
        let horizon = seen.saturating_sub(AUTOSAVE_MS * 1000);
        self.edits.iter().filter(|(_, t)| *t <= horizon).map(|(k, _)| *k).max().unwrap_or(0).max(self.ready)
    }

    fn newest(&self) -> u64 {
        self.edits.last().map_or(self.ready, |e| e.0)
    }
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

#[test]
fn killed_at_random_moments_the_session_loads_and_the_autosave_keeps_older_edits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("song.mixdesk");
    session::save(&initial(), &path).unwrap();
    let mut rng = Rng(SEED);
    let started = Instant::now();
    let (mut during_save, mut offered) = (0, 0);
    let mut newest_recovered = 0;
    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_edit_loop"))
            .args([
                path.to_str().unwrap(),
                &AUTOSAVE_MS.to_string(),
                &SAVE_MS.to_string(),
                &EDIT_MS.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("edit_loop starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut run = Run::default();
        let at_save = round % 2 == 1;
        let delay = Duration::from_millis(30 + rng.below(420));
        let t0 = Instant::now();
        loop {
            let Some(Ok(line)) = lines.next() else {
                let out = child.wait_with_output().unwrap();
                panic!("round {round}: edit_loop stopped: {}", String::from_utf8_lossy(&out.stderr));
            };
            run.read(&line);
            // A kill aimed at a save waits for the next one to begin after the delay.
            let due = t0.elapsed() >= delay && (!at_save || line == "saving");
            if due || t0.elapsed() > delay * 4 {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        for line in lines.map_while(Result::ok) {
            run.read(&line);
        }
        during_save += usize::from(run.last_line == "saving");

        let saved =
            session::load(&path).unwrap_or_else(|e| panic!("round {round}: the session must load: {e}"));
        assert_eq!(
            saved,
            state_after(count(&saved)),
            "round {round}: the saved file is a state the editor had"
        );
        let bak = mixdesk_engine::atomic::backup_path(&path);
        if bak.exists() {
            let b = session::load(&bak).unwrap_or_else(|e| panic!("round {round}: the .bak must load: {e}"));
            assert!(count(&b) <= count(&saved), "round {round}: the .bak is the older one");
        }
        let recovery = find_recovery(&path).unwrap_or_else(|e| panic!("round {round}: {e}"));
        offered += usize::from(recovery.is_some());
        let recovered = recovery.map_or(saved, |r| r.session);
        let k = count(&recovered);
        assert_eq!(recovered, state_after(k), "round {round}: the recovered state is one the editor had");
        assert!(
            k >= run.must_keep(),
            "round {round}: recovered {k} edits, but edit {} was older than the autosave interval \
             (last line {:?})",
            run.must_keep(),
            run.last_line
        );
        assert!(k <= run.newest(), "round {round}: recovered edit {k}, never made (newest {})", run.newest());
        assert!(temporaries(dir.path()).is_empty(), "round {round}: leftovers {:?}", temporaries(dir.path()));
        newest_recovered = k;
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{KILLS} kills in {secs:.1} s ({during_save} during a save), autosave offered {offered} times, \
         {newest_recovered} edits recovered in the end"
    );
    assert!(during_save >= 1, "at least one kill landed inside a save");
    assert!(newest_recovered > 1000, "the editor made progress across the kills: {newest_recovered}");
}

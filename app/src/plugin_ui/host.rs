//! The app's side of plugin windows: one `mixdesk plugin-ui` child process
//! per open window, its lines read on a thread of its own, values sent only
//! when they changed.
//!
//! The engine's parameter values and the plugin's port values differ only
//! for enumerations (the session stores the index of a scale point, the
//! port its value): [`to_port`] and [`from_port`] convert.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use mixdesk_engine::plugins::{self, PluginParam};
use mixdesk_engine::session::{ProcessorId, Session};

use super::protocol::{self, FromUi};

/// What happened in a window since the last [`Windows::poll`].
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// The window is shown.
    Ready(ProcessorId),
    /// The user set parameter `index` (of the processor's kind) to an engine value in the UI.
    Param(ProcessorId, usize, f64),
    /// The window closed (by the user or the UI).
    Closed(ProcessorId),
    /// The window's process failed: the message for the status line.
    Failed(ProcessorId, String),
}

struct Open {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<FromUi>,
    kind: String,
    params: &'static [PluginParam],
    /// The port values the UI was last told or last said.
    sent: HashMap<u32, f32>,
    name: String,
    ready: bool,
}

/// The open plugin windows, by processor.
#[derive(Default)]
pub struct Windows {
    open: HashMap<ProcessorId, Open>,
    /// The program run as the child (default: this executable).
    pub exe: Option<PathBuf>,
    /// The X display the windows open on (default: the app's).
    pub display: Option<String>,
}

impl std::fmt::Debug for Windows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Windows").field("open", &self.open.keys().collect::<Vec<_>>()).finish()
    }
}

/// The port value of engine value `v` of `p`.
pub fn to_port(p: &PluginParam, v: f64) -> f32 {
    p.port_value(v)
}

/// The engine value of port value `v` of `p` (an enumeration's nearest
/// scale point's index; others clamped to the port's range).
pub fn from_port(p: &PluginParam, v: f32) -> f64 {
    if p.choices.is_empty() {
        return f64::from(v.clamp(p.min, p.max));
    }
    let nearest = p.choices.iter().enumerate().min_by(|a, b| (a.1.1 - v).abs().total_cmp(&(b.1.1 - v).abs()));
    nearest.map_or(0.0, |(i, _)| i as f64)
}

impl Windows {
    /// Whether processor `id`'s window said it is shown.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn is_ready(&self, id: ProcessorId) -> bool {
        self.open.get(&id).is_some_and(|o| o.ready)
    }

    /// Whether any window is open (the app then ticks at the UI rate).
    pub fn any(&self) -> bool {
        !self.open.is_empty()
    }

    /// Opens processor `id`'s plugin window titled `title`, showing the
    /// session's current values; a window already open is brought to the front.
    pub fn open(&mut self, session: &Session, id: ProcessorId, title: &str) -> Result<(), String> {
        if let Some(o) = self.open.get_mut(&id) {
            o.say("raise");
            return Ok(());
        }
        let p = session.processor(id).ok_or("the insert is gone")?;
        let h = plugins::hosted(&p.kind).ok_or_else(|| format!("plugin '{}' is not installed", p.kind))?;
        if !p.kind.starts_with(plugins::CLAP_PREFIX) {
            plugins::ui::find(&p.kind)?;
        }
        let exe = match &self.exe {
            Some(e) => e.clone(),
            None => std::env::current_exe().map_err(|e| format!("cannot find the mixdesk program: {e}"))?,
        };
        let mut cmd = Command::new(&exe);
        cmd.args(["plugin-ui", &p.kind, "--title", title])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(d) = &self.display {
            cmd.env("DISPLAY", d);
        }
        let mut child =
            cmd.spawn().map_err(|e| format!("cannot start {} for {}: {e}", exe.display(), h.info.name))?;
        let stdout = child.stdout.take().ok_or("no pipe from the plugin window")?;
        let (tx, lines) = mpsc::channel();
        std::thread::Builder::new()
            .name("plugin window".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(m) = protocol::parse_from_ui(&line)
                        && tx.send(m).is_err()
                    {
                        break;
                    }
                }
            })
            .map_err(|e| format!("cannot read the plugin window: {e}"))?;
        let mut open = Open {
            stdin: child.stdin.take(),
            child,
            lines,
            kind: p.kind.clone(),
            params: &h.info.params,
            sent: HashMap::new(),
            name: h.info.name.clone(),
            ready: false,
        };
        open.push(&h.spec.values(p), None);
        self.open.insert(id, open);
        Ok(())
    }

    /// Closes processor `id`'s window (asks the child, then ends it).
    pub fn close(&mut self, id: ProcessorId) {
        if let Some(o) = self.open.remove(&id) {
            o.end();
        }
    }

    /// Closes every window.
    pub fn close_all(&mut self) {
        for (_, o) in self.open.drain() {
            o.end();
        }
    }

    /// Sends each window the values of `session` that changed since it was
    /// last told, but `held` (a control the user is moving in a window: its
    /// hand wins), and closes windows whose insert is gone or changed kind.
    pub fn push(&mut self, session: &Session, held: Option<(ProcessorId, usize)>) {
        let mut gone = Vec::new();
        for (&id, o) in &mut self.open {
            let same = session.processor(id).filter(|p| p.kind == o.kind);
            match same.and_then(|p| plugins::spec(&p.kind).map(|s| s.values(p))) {
                Some(values) => o.push(&values, held.filter(|h| h.0 == id).map(|h| h.1)),
                None => gone.push(id),
            }
        }
        for id in gone {
            self.close(id);
        }
    }

    /// What the windows said since the last call.
    pub fn poll(&mut self) -> Vec<Report> {
        let mut out = Vec::new();
        let mut ended = Vec::new();
        for (&id, o) in &mut self.open {
            loop {
                match o.lines.try_recv() {
                    Ok(FromUi::Ready) => {
                        o.ready = true;
                        out.push(Report::Ready(id));
                    }
                    Ok(FromUi::Port(port, v)) => {
                        let Some(i) = o.params.iter().position(|p| p.port == port as usize) else { continue };
                        if o.sent.get(&port) == Some(&v) {
                            // Not a change: some UIs (x42 fil4) write every band's value when one moves.
                            continue;
                        }
                        o.sent.insert(port, v);
                        out.push(Report::Param(id, i, from_port(&o.params[i], v)));
                    }
                    Ok(FromUi::Closed) => {
                        ended.push(id);
                        out.push(Report::Closed(id));
                        break;
                    }
                    Ok(FromUi::Error(e)) => {
                        ended.push(id);
                        let e = if e.starts_with(&o.name) { e } else { format!("{}'s window: {e}", o.name) };
                        out.push(Report::Failed(id, e));
                        break;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        // The process ended without saying why: it crashed.
                        let status = o.child.try_wait().ok().flatten();
                        let how = status.map_or_else(|| "stopped".to_owned(), |s| s.to_string());
                        ended.push(id);
                        out.push(Report::Failed(
                            id,
                            format!("{}'s window crashed ({how}); the mix plays on", o.name),
                        ));
                        break;
                    }
                }
            }
        }
        for id in ended {
            self.close(id);
        }
        out
    }
}

impl Open {
    /// Sends the engine values `values` whose port values differ from the last sent.
    fn push(&mut self, values: &[f64], held: Option<usize>) {
        let Some(stdin) = self.stdin.as_mut() else { return };
        let mut text = String::new();
        for (i, (p, &v)) in self.params.iter().zip(values).enumerate() {
            if held == Some(i) {
                continue;
            }
            let port_value = to_port(p, v);
            let port = p.port as u32;
            if self.sent.get(&port) != Some(&port_value) {
                self.sent.insert(port, port_value);
                text.push_str(&protocol::port_line(port, port_value));
                text.push('\n');
            }
        }
        if !text.is_empty() && (stdin.write_all(text.as_bytes()).is_err() || stdin.flush().is_err()) {
            // The child is gone; `poll` reports it.
            self.stdin = None;
        }
    }

    /// One line to the child (a gone child is reported by `poll`).
    fn say(&mut self, line: &str) {
        if let Some(stdin) = self.stdin.as_mut()
            && (writeln!(stdin, "{line}").is_err() || stdin.flush().is_err())
        {
            self.stdin = None;
        }
    }

    /// Asks the child to close, waits a moment for it, then ends it.
    fn end(mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"close\n");
        }
        let deadline = Instant::now() + Duration::from_millis(500);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use mixdesk_engine::session::{StripRef, Track, TrackId};
    use mixdesk_engine::units::SampleTime;

    use super::*;

    const DPL: &str = "lv2:http://gareus.org/oss/lv2/dpl#mono";

    /// A session with one track holding x42 dpl, and the insert's id.
    fn session() -> (Session, ProcessorId) {
        let mut s = Session::new(48_000);
        s.tracks.push(Track::with_one_clip(1, "kick", PathBuf::from("kick.wav"), SampleTime(48_000)));
        let id = s.add_processor(StripRef::Track(TrackId(1)), DPL, 0).expect("x42-plugins is installed");
        (s, id)
    }

    /// A stand-in for `mixdesk plugin-ui`: a shell script.
    fn child(dir: &std::path::Path, script: &str) -> PathBuf {
        let exe = dir.join("plugin-ui");
        std::fs::write(&exe, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        exe
    }

    fn poll_until(w: &mut Windows, mut done: impl FnMut(&[Report]) -> bool) -> Vec<Report> {
        let mut all = Vec::new();
        for _ in 0..500 {
            all.extend(w.poll());
            if done(&all) {
                return all;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no such report: {all:?}");
    }

    #[test]
    fn a_window_that_crashes_is_reported_by_name_and_the_app_carries_on() {
        let dir = tempfile::tempdir().unwrap();
        let (s, id) = session();
        let mut w =
            Windows { exe: Some(child(dir.path(), "echo ready\nkill -SEGV $$")), ..Windows::default() };
        w.open(&s, id, "dpl").unwrap();
        let reports = poll_until(&mut w, |r| r.iter().any(|r| matches!(r, Report::Failed(..))));
        let Some(Report::Failed(_, message)) = reports.last() else { panic!("{reports:?}") };
        assert!(message.contains("Digital Peak Limiter Mono's window crashed"), "{message}");
        assert!(message.contains("SIGSEGV"), "the signal is named: {message}");
        assert!(!w.any(), "the crashed window is forgotten");
    }

    #[test]
    fn a_window_that_cannot_load_its_ui_says_why_with_the_plugins_name() {
        let dir = tempfile::tempdir().unwrap();
        let (s, id) = session();
        let script = "echo 'error cannot load /usr/lib/lv2/dpl.lv2/dplUI_gl.so: invalid ELF header'\nexit 1";
        let mut w = Windows { exe: Some(child(dir.path(), script)), ..Windows::default() };
        w.open(&s, id, "dpl").unwrap();
        let reports = poll_until(&mut w, |r| r.iter().any(|r| matches!(r, Report::Failed(..))));
        assert_eq!(
            reports,
            [Report::Failed(
                id,
                "x42-dpl - Digital Peak Limiter Mono's window: cannot load /usr/lib/lv2/dpl.lv2/dplUI_gl.so: invalid ELF header".into()
            )]
        );
        assert!(!w.any());
    }

    #[test]
    fn values_go_out_once_as_port_values_and_ui_writes_come_back_as_parameters() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, id) = session();
        let log = dir.path().join("heard");
        // Writes what the app sends to a file; says the UI wrote "gain" (port 3) unchanged, then moved it to -4.5 dB.
        let script = format!("echo ready\necho 'port 3 0'\necho 'port 3 -4.5'\ncat > {}", log.display());
        let mut w = Windows { exe: Some(child(dir.path(), &script)), ..Windows::default() };
        w.open(&s, id, "dpl").unwrap();
        let reports = poll_until(&mut w, |r| r.iter().any(|r| matches!(r, Report::Param(..))));
        let gain = plugins::spec(DPL).unwrap().params.iter().position(|p| p.key == "gain").unwrap();
        let params: Vec<&Report> = reports.iter().filter(|r| matches!(r, Report::Param(..))).collect();
        assert_eq!(params, [&Report::Param(id, gain, -4.5)], "an unchanged value is no edit: {reports:?}");
        // Unchanged values are not sent again; a changed one is, as its port value.
        w.push(&s, None);
        mixdesk_engine::edit::Edit::Param(mixdesk_engine::session::ParamId::Processor(id, gain as u16), 12.0)
            .apply(&mut s);
        w.push(&s, None);
        w.push(&s, None);
        w.open(&s, id, "dpl").unwrap();
        w.close(id);
        let heard = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = heard.lines().collect();
        assert_eq!(lines.first(), Some(&"port 2 1"), "every control first, in port order: {heard}");
        let gains: Vec<&str> = lines.iter().filter(|l| l.starts_with("port 3 ")).copied().collect();
        // The first value; the session's again after the UI's (the app had not taken it); the change.
        assert_eq!(gains, ["port 3 0", "port 3 0", "port 3 12"], "{heard}");
        assert_eq!(
            lines[lines.len() - 2..],
            ["raise", "close"],
            "opening again raises it; closing asks it first: {heard}"
        );
        assert_eq!(lines.len(), 5 + 2 + 2, "five controls, two changes, raise, close: {heard}");
    }

    #[test]
    fn enumerations_convert_between_index_and_scale_point() {
        let p = PluginParam {
            symbol: "mode".into(),
            name: "Mode".into(),
            port: 4,
            min: 0.0,
            max: 10.0,
            default: 0.0,
            unit: String::new(),
            toggle: false,
            integer: true,
            choices: vec![("Off".into(), 0.0), ("Soft".into(), 5.0), ("Hard".into(), 10.0)],
        };
        assert_eq!(to_port(&p, 1.0), 5.0);
        assert_eq!(from_port(&p, 10.0), 2.0);
        assert_eq!(from_port(&p, 6.0), 1.0, "the nearest scale point");
        let plain = PluginParam { choices: Vec::new(), ..p };
        assert_eq!(from_port(&plain, 99.0), 10.0, "clamped to the port's range");
    }
}

//! A one-line progress bar on stderr, shown only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use super::out::errln;

/// Draws `[#####.....]  42%` at most 10 times a second.
#[derive(Debug)]
pub struct Progress {
    label: String,
    enabled: bool,
    last: Option<Instant>,
}

impl Progress {
    pub fn new(label: &str) -> Progress {
        Progress { label: label.to_owned(), enabled: std::io::stderr().is_terminal(), last: None }
    }

    pub fn update(&mut self, fraction: f64) {
        if !self.enabled
            || self.last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) && fraction < 1.0
        {
            return;
        }
        self.last = Some(Instant::now());
        let width = 30;
        let filled = ((fraction * width as f64) as usize).min(width);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {:>3.0}%",
            self.label,
            "#".repeat(filled),
            ".".repeat(width - filled),
            fraction * 100.0
        );
        let _ = err.flush();
    }

    pub fn finish(&mut self) {
        if self.enabled && self.last.is_some() {
            errln!();
        }
    }
}

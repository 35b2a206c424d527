//! Times written by people: `1:23`, `01:23.5`, `1:02:03`, ranges `2:05-2:20`,
//! `@1:23`, `[1:23]`, bars `bar 17` / `bars 17-20`, at the start of a line of
//! feedback ("1:23 vocal too quiet"). See the table in `tests/tests/notes.rs`.

use crate::session::Tempo;

/// One line of feedback read as a note: a time or range (seconds from the
/// start of the timeline) and the words after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    /// 1-based line number in the text.
    pub line: usize,
    /// Where it is pinned, in seconds.
    pub at: f64,
    /// The end of the range, in seconds, if it is a range.
    pub end: Option<f64>,
    /// The words after the time.
    pub text: String,
}

/// A line that could not be read as a note, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based line number.
    pub line: usize,
    /// The line as written.
    pub text: String,
    /// Why, in words.
    pub why: String,
}

/// Reads every non-blank line of `text` as "TIME[-TIME] words". Bars count
/// from bar 1 at the timeline's start in `tempo`.
pub fn parse_lines(text: &str, tempo: Tempo) -> (Vec<Timed>, Vec<Skipped>) {
    let (mut notes, mut skipped) = (Vec::new(), Vec::new());
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let skip = |why: &str| Skipped { line: i + 1, text: raw.to_owned(), why: why.to_owned() };
        match parse_line(line, tempo) {
            Some((_, _, "")) => skipped.push(skip("there are no words after the time")),
            Some((at, end, words)) => notes.push(Timed { line: i + 1, at, end, text: words.to_owned() }),
            None => {
                skipped.push(skip("it does not start with a time like 1:23, 1:02:03, 2:05-2:20 or bar 17"))
            }
        }
    }
    (notes, skipped)
}

/// One line: its time or range in seconds and the rest, trimmed of the
/// separators people put between time and words (`-`, `:`, `–`).
pub fn parse_line(line: &str, tempo: Tempo) -> Option<(f64, Option<f64>, &str)> {
    let line = line.trim_start_matches(['-', '*', '•', ' ', '\t']);
    let (at, end, rest) = parse_span(line, tempo)?;
    let rest = rest.trim_start_matches([' ', '\t', '-', '–', '—', ':', ',', '|']).trim_end();
    Some((at, end, rest))
}

/// A time or range at the start of `s`, and what follows it.
pub fn parse_span(s: &str, tempo: Tempo) -> Option<(f64, Option<f64>, &str)> {
    if let Some(r) = bars(s, tempo) {
        return Some(r);
    }
    let (open, close) = match s.as_bytes().first() {
        Some(b'[') => (1, Some(']')),
        Some(b'(') => (1, Some(')')),
        Some(b'@') => (1, None),
        _ => (0, None),
    };
    let s = &s[open..];
    let (at, mut rest) = clock(s)?;
    let mut end = None;
    if let Some((e, after)) = range_end(rest) {
        if e <= at {
            return None;
        }
        end = Some(e);
        rest = after;
    }
    if let Some(c) = close {
        rest = rest.strip_prefix(c)?;
    }
    Some((at, end, rest))
}

/// `-2:20`, ` - 2:20`, `–2:20`, ` to 2:20` at the start of `s`.
fn range_end(s: &str) -> Option<(f64, &str)> {
    let t = s.trim_start();
    let t = ["-", "–", "—", "to "].iter().find_map(|sep| t.strip_prefix(sep))?;
    let t = t.trim_start().trim_start_matches('@');
    clock(t)
}

/// `[[H:]M]M:SS[.f]` at the start of `s`, in seconds, and what follows.
pub fn clock(s: &str) -> Option<(f64, &str)> {
    let len = s.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.')).unwrap_or(s.len());
    // "1:23: too loud": a trailing colon or dot is punctuation, not part of the time.
    let token = s[..len].trim_end_matches([':', '.']);
    let rest = &s[token.len()..];
    let parts: Vec<&str> = token.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let (whole, last) = parts.split_at(parts.len() - 1);
    let secs: f64 = {
        let l = last[0];
        let (int, frac) = l.split_once('.').unwrap_or((l, ""));
        if int.len() != 2
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        l.parse().ok()?
    };
    if secs >= 60.0 {
        return None;
    }
    let mut total = secs;
    for (i, p) in whole.iter().enumerate() {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: f64 = p.parse().ok()?;
        let is_minutes_after_hours = whole.len() == 2 && i == 1;
        if is_minutes_after_hours && (v >= 60.0 || p.len() != 2) {
            return None;
        }
        let scale = if whole.len() == 2 && i == 0 { 3600.0 } else { 60.0 };
        total += v * scale;
    }
    Some((total, rest))
}

/// `bar 17`, `bars 17-20`, `b17`, `b17-20` at the start of `s`: seconds of the
/// bar's start; a range ends where the last bar named ends.
fn bars(s: &str, tempo: Tempo) -> Option<(f64, Option<f64>, &str)> {
    let lower = s.to_ascii_lowercase();
    let skip = ["bars ", "bar ", "b"].iter().find(|p| lower.starts_with(*p))?.len();
    let t = &s[skip..];
    let (first, rest) = number(t)?;
    let bar = 60.0 / tempo.bpm.max(1.0) * f64::from(tempo.beats_per_bar.max(1));
    let start = |n: u64| (n.saturating_sub(1)) as f64 * bar;
    if first == 0 {
        return None;
    }
    let r = rest.trim_start();
    if let Some(after) = ["-", "–", "to "].iter().find_map(|sep| r.strip_prefix(sep)) {
        let (last, rest) = number(after.trim_start())?;
        if last < first {
            return None;
        }
        return Some((start(first), Some(start(last + 1)), rest));
    }
    Some((start(first), None, rest))
}

fn number(s: &str) -> Option<(u64, &str)> {
    let len = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if len == 0 || len > 6 {
        return None;
    }
    // A bar number is followed by a space, a separator or the end, never by a
    // letter ("b52s") or by more of a number ("b1:23", "bar 1.5").
    let after = &s[len..];
    let more_number = (after.starts_with(':') || after.starts_with('.'))
        && after[1..].starts_with(|c: char| c.is_ascii_digit());
    if after.starts_with(char::is_alphanumeric) || more_number {
        return None;
    }
    Some((s[..len].parse().ok()?, &s[len..]))
}

/// A time in seconds as people write it: `1:23`, `1:23.5`, `1:02:03`.
pub fn format_clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    let (h, m, s, t) = (tenths / 36_000, tenths / 600 % 60, tenths / 10 % 60, tenths % 10);
    let frac = if t == 0 { String::new() } else { format!(".{t}") };
    if h > 0 { format!("{h}:{m:02}:{s:02}{frac}") } else { format!("{m}:{s:02}{frac}") }
}

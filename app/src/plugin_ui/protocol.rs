//! The lines the app and a `plugin-ui` child exchange over the child's
//! standard input and output, one message a line:
//!
//! - app to child: `port INDEX VALUE` (a control port's value, for the UI to
//!   show), `raise` (bring the window to the front), `close`;
//! - child to app: `ready` (the window is up), `port INDEX VALUE` (the user
//!   moved a control in the UI), `closed` (the window was closed), `error
//!   MESSAGE` (the UI could not be shown).

/// What the app tells the child.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ToUi {
    /// Show this value of control port `INDEX`.
    Port(u32, f32),
    /// Bring the window to the front ("Plugin window" pressed again).
    Raise,
    /// Close the window.
    Close,
}

/// What the child tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum FromUi {
    /// The window is shown.
    Ready,
    /// The user set control port `INDEX` to a value in the UI.
    Port(u32, f32),
    /// The window was closed.
    Closed,
    /// The UI could not be shown, and why.
    Error(String),
}

/// The `port INDEX VALUE` line (a value round-trips exactly through its
/// shortest decimal form).
pub fn port_line(index: u32, value: f32) -> String {
    format!("port {index} {value}")
}

fn parse_port(rest: &str) -> Option<(u32, f32)> {
    let mut it = rest.split_whitespace();
    let index = it.next()?.parse().ok()?;
    let value: f32 = it.next()?.parse().ok()?;
    (it.next().is_none() && value.is_finite()).then_some((index, value))
}

/// Reads one of the app's lines (`None`: not a message; ignored).
pub fn parse_to_ui(line: &str) -> Option<ToUi> {
    let line = line.trim();
    match line {
        "close" => return Some(ToUi::Close),
        "raise" => return Some(ToUi::Raise),
        _ => {}
    }
    let (i, v) = parse_port(line.strip_prefix("port ")?)?;
    Some(ToUi::Port(i, v))
}

/// Reads one of the child's lines (`None`: not a message, e.g. a UI's own
/// printing on stdout; ignored).
pub fn parse_from_ui(line: &str) -> Option<FromUi> {
    let line = line.trim_end();
    match line {
        "ready" => return Some(FromUi::Ready),
        "closed" => return Some(FromUi::Closed),
        _ => {}
    }
    if let Some(e) = line.strip_prefix("error ") {
        return Some(FromUi::Error(e.to_owned()));
    }
    let (i, v) = parse_port(line.strip_prefix("port ")?)?;
    Some(FromUi::Port(i, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_garbage_is_ignored() {
        for v in [0.0f32, -3.25, 1e-7, 12345.678, f32::MAX] {
            assert_eq!(parse_to_ui(&port_line(7, v)), Some(ToUi::Port(7, v)));
            assert_eq!(parse_from_ui(&port_line(7, v)), Some(FromUi::Port(7, v)));
        }
        assert_eq!(parse_to_ui("close"), Some(ToUi::Close));
        assert_eq!(parse_to_ui("raise"), Some(ToUi::Raise));
        assert_eq!(parse_from_ui("error no such UI"), Some(FromUi::Error("no such UI".into())));
        for bad in ["port", "port 1", "port x 1", "port 1 NaN", "port 1 inf", "port 1 2 3", "robtk: GL ok"] {
            assert_eq!(parse_to_ui(bad), None, "{bad}");
            assert_eq!(parse_from_ui(bad), None, "{bad}");
        }
    }
}

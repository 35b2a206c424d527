//! The Monitor tab of the side panel: the listening checks, dim and mute,
//! the system simulated (with its documented curve), the streaming platform
//! previewed (with the gain it applies) and the reference slots (mix <->
//! reference). What it sets is what the engineer hears, never the bounce.

use iced::widget::{Space, button, column, container, row, text};
use iced::{Element, Length};
use mixdesk_engine::monitor::systems::CURVE_HZ;
use mixdesk_engine::monitor::{Check, Measured, MonitorSettings, Platform, System};

use super::theme::{self, Tone};

/// What the user did in the tab.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A listening check was chosen.
    CheckChosen(Check),
    /// Dim was switched.
    DimToggled,
    /// Mute was switched.
    MuteToggled,
    /// A system was chosen (or none: the speakers as they are).
    SystemChosen(Option<System>),
    /// A platform was chosen (or none).
    PlatformChosen(Option<Platform>),
    /// Listen to a reference slot, or to the mix.
    ReferenceChosen(Option<usize>),
}

/// Applies a message to the settings.
pub fn update(settings: &mut MonitorSettings, m: Message) {
    match m {
        Message::CheckChosen(c) => settings.check = c,
        Message::DimToggled => settings.dim = !settings.dim,
        Message::MuteToggled => settings.mute = !settings.mute,
        Message::SystemChosen(s) => settings.system = s,
        Message::PlatformChosen(p) => settings.platform = p,
        Message::ReferenceChosen(r) => settings.reference = r.filter(|i| *i < settings.references.len()),
    }
}

fn pick<'a>(label: String, on: bool, m: Message) -> Element<'a, Message> {
    button(text(label).size(12)).padding([3, 8]).style(theme::button(Tone::Accent, on)).on_press(m).into()
}

/// The tab, with the mix as last measured (for the platform's gain).
pub fn view(s: &MonitorSettings, measured: Option<Measured>) -> Element<'_, Message> {
    let checks =
        row(Check::ALL.iter().map(|c| pick(label(*c).into(), s.check == *c, Message::CheckChosen(*c))))
            .spacing(3);
    let switches = row![
        pick("Dim -20 dB".into(), s.dim, Message::DimToggled),
        pick("Mute".into(), s.mute, Message::MuteToggled)
    ]
    .spacing(3);
    let mut systems =
        column![pick("Speakers as they are".into(), s.system.is_none(), Message::SystemChosen(None))];
    for x in System::ALL {
        systems = systems.push(pick(x.label().into(), s.system == Some(x), Message::SystemChosen(Some(x))));
    }
    // The documented curve, one row per octave with a bar to its level
    // (0 dB at the middle; 1 px per 0.5 dB, clipped at -40 dB).
    let mut curve = column![].spacing(1).width(Length::Fill);
    for (f, d) in CURVE_HZ.iter().zip(s.system.map_or([0.0; 10], System::documented_db)) {
        let bar = container(Space::new().height(8))
            .width(Length::Fixed((2.0 * (d.clamp(-40.0, 10.0) + 40.0)) as f32 + 1.0))
            .style(theme::curve_bar);
        curve = curve.push(row![text(format!("{}: {d:+.1}", hz(*f))).size(11).width(78), bar].spacing(4));
    }
    let mut platforms =
        column![pick("No platform".into(), s.platform.is_none(), Message::PlatformChosen(None))];
    for p in Platform::ALL {
        platforms =
            platforms.push(pick(p.label().into(), s.platform == Some(p), Message::PlatformChosen(Some(p))));
    }
    let gain = match (s.platform, s.platform_gain_db(measured)) {
        (None, _) => String::new(),
        (Some(p), Some(g)) => format!("{} applies {g:+.1} dB", p.label()),
        (Some(p), None) => format!("{}: play the mix to measure its loudness", p.label()),
    };
    let mut refs = column![pick("Mix".into(), s.reference.is_none(), Message::ReferenceChosen(None))];
    for (i, r) in s.references.iter().enumerate() {
        let name =
            r.path.file_name().map_or_else(|| r.path.display().to_string(), |n| n.to_string_lossy().into());
        refs = refs.push(pick(
            format!("Ref {}: {name}", i + 1),
            s.reference == Some(i),
            Message::ReferenceChosen(Some(i)),
        ));
    }
    column![
        text("Listening check").size(13),
        checks,
        switches,
        text("System").size(13),
        row![systems.spacing(3), curve].spacing(8),
        text("Platform preview").size(13),
        platforms.spacing(3),
        text(gain).size(12),
        text("A/B").size(13),
        refs.spacing(3),
        text("The monitor is what you hear; it never reaches a bounce.").size(11),
    ]
    .spacing(6)
    .into()
}

fn label(c: Check) -> &'static str {
    match c {
        Check::Stereo => "Stereo",
        Check::Mono => "Mono",
        Check::Side => "Side",
        Check::Left => "L",
        Check::Right => "R",
        Check::Swap => "Swap",
    }
}

fn hz(f: f64) -> String {
    if f >= 1000.0 { format!("{}k", f / 1000.0) } else { format!("{f}") }
}

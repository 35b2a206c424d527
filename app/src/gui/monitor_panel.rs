//! The Monitor tab of the side panel: the listening checks, dim and mute,
//! the system simulated (with its documented curve), the streaming platform
//! previewed (with the gain it applies) and the reference slots (mix <->
//! reference, loudness-matched; adding and removing them is
//! [`super::monitor_refs`]). What it sets is what the engineer hears, never
//! the bounce.

use iced::widget::{Space, button, canvas, column, container, row, scrollable, text, text_input};
use iced::{Element, Length, Task};
use mixdesk_engine::monitor::codec::PREVIEW_KBPS;
use mixdesk_engine::monitor::systems::CURVE_HZ;
use mixdesk_engine::monitor::{Check, Matching, Measured, MonitorSettings, Platform, System};
use mixdesk_engine::versions::Version;

use super::monitor_refs::{self, Context, References};
use super::theme::{self, Tone};
use super::widget::scope::Scope;

/// What the user did in the tab.
#[derive(Debug, Clone)]
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
    /// How the reference is matched to the mix's loudness was chosen.
    MatchingChosen(Matching),
    /// The reference follows the playhead, or runs free.
    FreeRunningToggled,
    /// Adding or removing reference slots.
    Refs(monitor_refs::Message),
}

/// Applies a message to the settings; the task loads what the chosen
/// reference needs.
pub fn update(
    refs: &mut References,
    settings: &mut MonitorSettings,
    m: Message,
    cx: Context<'_>,
) -> Task<Message> {
    match m {
        Message::CheckChosen(c) => settings.check = c,
        Message::DimToggled => settings.dim = !settings.dim,
        Message::MuteToggled => settings.mute = !settings.mute,
        Message::SystemChosen(s) => settings.system = s,
        Message::PlatformChosen(p) => settings.platform = p,
        Message::ReferenceChosen(r) => {
            settings.reference = r.filter(|i| *i < settings.references.len());
            return refs.follow(settings, cx.audio, &cx.dir).map(Message::Refs);
        }
        Message::MatchingChosen(m) => settings.matching = m,
        Message::FreeRunningToggled => settings.free_running = !settings.free_running,
        Message::Refs(m) => return refs.update(settings, m, cx).map(Message::Refs),
    }
    Task::none()
}

fn pick<'a>(label: String, on: bool, m: Message) -> Element<'a, Message> {
    button(text(label).size(12)).padding([3, 8]).style(theme::button(Tone::Accent, on)).on_press(m).into()
}

/// The tab, with the mix as last measured (for the platform's and the
/// reference's gain) and the saved versions (to A/B against).
pub fn view<'a>(
    s: &'a MonitorSettings,
    refs: &'a References,
    versions: &'a [Version],
    dialogs: bool,
    measured: Option<Measured>,
    scope: Scope,
) -> Element<'a, Message> {
    let correlation = scope.correlation.map_or_else(|| "–".into(), |r| format!("{r:+.2}"));
    let stereo = row![
        canvas(scope).width(150).height(168),
        column![
            text(format!("Correlation {correlation}")).size(12),
            text("+1 mono, 0 wide, below 0 the mono sum loses level").size(11).style(theme::dim_text),
        ]
        .spacing(4)
        .width(Length::Fill),
    ]
    .spacing(8);
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
    let ir = row![
        text_input("/path/to/impulse-response.wav", &refs.ir_typed)
            .id(iced::widget::Id::new(monitor_refs::IR_FIELD))
            .on_input(|t| Message::Refs(monitor_refs::Message::IrTyped(t)))
            .on_submit(Message::Refs(monitor_refs::Message::IrLoad))
            .size(12)
            .padding(4)
            .style(theme::input),
        pick("Load IR".into(), false, Message::Refs(monitor_refs::Message::IrLoad)),
        pick("IR off".into(), s.ir.is_none(), Message::Refs(monitor_refs::Message::IrOff)),
    ]
    .spacing(3);
    let ir_now = s.ir.as_ref().map_or_else(
        || "Impulse response: none (a WAV of a speaker or room, applied after the system)".to_owned(),
        |p| format!("Impulse response: {}", p.display()),
    );
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
    let ab = ab_view(s, refs, versions, dialogs, measured);
    scrollable(
        column![
            text("Listening check").size(13),
            checks,
            switches,
            text("System").size(13),
            row![systems.spacing(3), curve].spacing(8),
            text(ir_now).size(11),
            ir,
            text("Platform preview").size(13),
            platforms.spacing(3),
            text(gain).size(12),
            ab,
            text("Master: correlation and goniometer").size(13),
            stereo,
            text("The monitor is what you hear; it never reaches a bounce.").size(11),
        ]
        .spacing(6)
        .padding(iced::Padding { right: 12.0, ..Default::default() }),
    )
    .height(Length::Fill)
    .into()
}

/// The A/B section: the mix and each slot (with Remove), how the reference
/// is matched and played, adding a file or a saved version.
fn ab_view<'a>(
    s: &'a MonitorSettings,
    refs: &'a References,
    versions: &'a [Version],
    dialogs: bool,
    measured: Option<Measured>,
) -> Element<'a, Message> {
    let mut slots =
        column![pick("Mix".into(), s.reference.is_none(), Message::ReferenceChosen(None))].spacing(3);
    for (i, r) in s.references.iter().enumerate() {
        let name =
            r.path.file_name().map_or_else(|| r.path.display().to_string(), |n| n.to_string_lossy().into());
        let lufs = r.integrated_lufs.map_or_else(|| "not measured".into(), |l| format!("{l:.1} LUFS"));
        slots = slots.push(
            row![
                pick(
                    format!("Ref {}: {name}", i + 1),
                    s.reference == Some(i),
                    Message::ReferenceChosen(Some(i))
                ),
                text(lufs).size(11),
                button(text("Remove").size(11))
                    .padding([2, 6])
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::Refs(monitor_refs::Message::Removed(i))),
            ]
            .spacing(6)
            .align_y(iced::Alignment::Center),
        );
    }
    let matched = match (s.reference, s.reference_gain_db(measured)) {
        (None, _) => String::new(),
        (Some(i), Some(g)) => format!("Ref {} plays at {g:+.1} dB to match the mix", i + 1),
        (Some(i), None) => format!("Ref {}: play the mix to measure its loudness", i + 1),
    };
    let matching = row![
        pick(
            "Integrated".into(),
            s.matching == Matching::Integrated,
            Message::MatchingChosen(Matching::Integrated)
        ),
        pick(
            "Short-term".into(),
            s.matching == Matching::ShortTerm,
            Message::MatchingChosen(Matching::ShortTerm)
        ),
        pick("At playhead".into(), !s.free_running, Message::FreeRunningToggled),
        pick("Free-running".into(), s.free_running, Message::FreeRunningToggled),
    ]
    .spacing(3);
    let typed = |m| Message::Refs(monitor_refs::Message::PathTyped(m));
    let add = monitor_refs::Message::AddTyped;
    let mut adding = row![
        text_input("/path/to/reference.wav", &refs.typed)
            .id(iced::widget::Id::new(monitor_refs::FIELD))
            .on_input(typed)
            .on_submit(Message::Refs(add.clone()))
            .size(12)
            .padding(4)
            .style(theme::input),
        pick("Add".into(), false, Message::Refs(add)),
    ]
    .spacing(3);
    if dialogs {
        adding = adding.push(pick("Browse…".into(), false, Message::Refs(monitor_refs::Message::Browse)));
    }
    let mut column = column![
        text("A/B").size(13),
        slots,
        text(matched).size(12),
        matching,
        text("Add reference… (an audio file, an earlier bounce or a .mixdesk mix)").size(11),
        adding,
    ]
    .spacing(4);
    let mut codec = row![text("MP3 preview:").size(11)].spacing(3).align_y(iced::Alignment::Center);
    for k in PREVIEW_KBPS {
        codec =
            codec.push(pick(format!("{k}k"), false, Message::Refs(monitor_refs::Message::CodecPreview(k))));
    }
    column = column.push(codec);
    if let Some(st) = &refs.status {
        column = column.push(text(st.clone()).size(11).style(theme::warning_text));
    }
    if !versions.is_empty() {
        let mut row = row![text("Versions:").size(11)].spacing(3);
        for v in versions {
            let m = Message::Refs(monitor_refs::Message::VersionChosen(v.number));
            row = row.push(pick(format!("A/B {}", v.name), false, m));
        }
        column = column.push(row.wrap());
    }
    column.into()
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

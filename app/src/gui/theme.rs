//! The app's look in one place: two palettes (a dark one for long sessions and
//! a high-contrast variant), the bundled font, and one style function per kind
//! of widget. Views never name a colour; they ask for a style here.

use iced::widget::{button as btn, container, pick_list, progress_bar, slider as sl, text, text_input};
use iced::{Background, Border, Color, Font, Shadow, Theme};

/// The bundled font (DejaVu Sans), used for every piece of text so that the
/// window looks the same on every machine, and in plots and screenshots.
pub const FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// The bundled font by name.
pub const FONT: Font = Font::with_name("DejaVu Sans");

/// The two looks offered in Preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Look {
    /// Dark grey, muted accents: easy on the eyes for a whole evening.
    #[default]
    Dark,
    /// Black panels and brighter text, for bright rooms and small screens.
    HighContrast,
}

impl Look {
    /// Both looks, in menu order.
    pub const ALL: [Look; 2] = [Look::Dark, Look::HighContrast];

    /// The iced theme for this look.
    pub fn theme(self) -> Theme {
        let c = Colors::of_look(self);
        Theme::custom(
            self.to_string(),
            iced::theme::Palette {
                background: c.window,
                text: c.text,
                primary: c.accent,
                success: c.solo,
                warning: c.mute,
                danger: c.danger,
            },
        )
    }
}

impl std::fmt::Display for Look {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Look::Dark => "Mixdesk dark",
            Look::HighContrast => "Mixdesk high contrast",
        })
    }
}

/// Every colour the views use.
#[derive(Debug, Clone, Copy)]
pub struct Colors {
    /// Behind everything.
    pub window: Color,
    /// Toolbar, transport and side panels.
    pub panel: Color,
    /// A channel strip's body.
    pub strip: Color,
    /// Buttons and fields at rest.
    pub raised: Color,
    /// Hover.
    pub hover: Color,
    /// Hairlines and outlines.
    pub border: Color,
    /// Values and labels.
    pub text: Color,
    /// Secondary labels and scales.
    pub dim: Color,
    /// Selection and focus.
    pub accent: Color,
    /// Mute on.
    pub mute: Color,
    /// Solo on.
    pub solo: Color,
    /// Errors and clips.
    pub danger: Color,
    /// Meter below -18 dBFS.
    pub meter_low: Color,
    /// Meter from -18 to -6 dBFS.
    pub meter_mid: Color,
    /// Meter above -6 dBFS.
    pub meter_high: Color,
}

const fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color::from_rgb8(r, g, b)
}

const DARK: Colors = Colors {
    window: rgb(0x1b, 0x1d, 0x21),
    panel: rgb(0x23, 0x26, 0x2b),
    strip: rgb(0x2a, 0x2e, 0x34),
    raised: rgb(0x36, 0x3b, 0x43),
    hover: rgb(0x44, 0x4a, 0x54),
    border: rgb(0x12, 0x14, 0x17),
    text: rgb(0xdc, 0xdf, 0xe4),
    dim: rgb(0x8c, 0x93, 0x9d),
    accent: rgb(0x4f, 0x9d, 0xde),
    mute: rgb(0xe0, 0xb0, 0x3c),
    solo: rgb(0x5c, 0xc0, 0x6b),
    danger: rgb(0xe0, 0x4f, 0x4f),
    meter_low: rgb(0x3f, 0xb9, 0x5f),
    meter_mid: rgb(0xd8, 0xc8, 0x3a),
    meter_high: rgb(0xe8, 0x7a, 0x2e),
};

const HIGH_CONTRAST: Colors = Colors {
    window: rgb(0x00, 0x00, 0x00),
    panel: rgb(0x10, 0x10, 0x10),
    strip: rgb(0x18, 0x18, 0x1a),
    raised: rgb(0x30, 0x30, 0x34),
    hover: rgb(0x50, 0x50, 0x58),
    border: rgb(0x70, 0x70, 0x78),
    text: rgb(0xff, 0xff, 0xff),
    dim: rgb(0xc0, 0xc4, 0xcc),
    accent: rgb(0x4d, 0xb8, 0xff),
    mute: rgb(0xff, 0xc8, 0x30),
    solo: rgb(0x40, 0xe0, 0x60),
    danger: rgb(0xff, 0x50, 0x50),
    meter_low: rgb(0x30, 0xe0, 0x60),
    meter_mid: rgb(0xff, 0xee, 0x30),
    meter_high: rgb(0xff, 0x80, 0x20),
};

impl Colors {
    /// The colours of a look.
    pub fn of_look(look: Look) -> &'static Colors {
        match look {
            Look::Dark => &DARK,
            Look::HighContrast => &HIGH_CONTRAST,
        }
    }

    /// The colours of the theme a style function is given.
    pub fn of(theme: &Theme) -> &'static Colors {
        if theme.to_string() == Look::HighContrast.to_string() { &HIGH_CONTRAST } else { &DARK }
    }
}

/// A session colour as an iced colour.
pub fn track_colour(c: mixdesk_engine::session::Colour) -> Color {
    rgb(c.0, c.1, c.2)
}

fn border(color: Color, radius: f32) -> Border {
    Border { color, width: 1.0, radius: radius.into() }
}

/// The toolbar, transport and side panels.
pub fn panel(theme: &Theme) -> container::Style {
    let c = Colors::of(theme);
    container::Style {
        text_color: Some(c.text),
        background: Some(Background::Color(c.panel)),
        border: border(c.border, 0.0),
        shadow: Shadow::default(),
        snap: true,
    }
}

/// An automation lane's header on the timeline: darker than a track's.
pub fn lane_header(theme: &Theme) -> container::Style {
    let c = Colors::of(theme);
    container::Style { background: Some(Background::Color(c.window)), ..panel(theme) }
}

/// A channel strip's body; the selected strip is outlined in the accent colour.
pub fn strip(selected: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let c = Colors::of(theme);
        container::Style {
            text_color: Some(c.text),
            background: Some(Background::Color(c.strip)),
            border: border(if selected { c.accent } else { c.border }, 3.0),
            shadow: Shadow::default(),
            snap: true,
        }
    }
}

/// A thin bar in a strip's colour.
pub fn colour_bar(colour: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(colour)),
        border: Border { radius: 2.0.into(), ..Border::default() },
        ..container::Style::default()
    }
}

/// A bar of the monitor's system curve, in the accent colour.
pub fn curve_bar(theme: &Theme) -> container::Style {
    colour_bar(Colors::of(theme).accent)(theme)
}

/// A modal dialog's card.
pub fn dialog(theme: &Theme) -> container::Style {
    let c = Colors::of(theme);
    container::Style {
        text_color: Some(c.text),
        background: Some(Background::Color(c.panel)),
        border: border(c.accent, 6.0),
        shadow: Shadow::default(),
        snap: true,
    }
}

/// The dimmed backdrop behind a dialog.
pub fn backdrop(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(Color { a: 0.6, ..Color::BLACK })),
        ..container::Style::default()
    }
}

/// The error banner.
pub fn error_banner(theme: &Theme) -> container::Style {
    let c = Colors::of(theme);
    container::Style {
        text_color: Some(Color::WHITE),
        background: Some(Background::Color(Color { a: 0.9, ..c.danger })),
        border: border(c.border, 3.0),
        ..container::Style::default()
    }
}

/// Secondary text: undone history steps, times, hints.
pub fn dim_text(theme: &Theme) -> text::Style {
    text::Style { color: Some(Colors::of(theme).dim) }
}

/// A warning mark's text (missing media on a strip).
pub fn warning_text(theme: &Theme) -> text::Style {
    text::Style { color: Some(Colors::of(theme).mute) }
}

/// What a button means, which decides its colour when it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// A plain command.
    Plain,
    /// Mute.
    Mute,
    /// Solo.
    Solo,
    /// Something switched on (loop, polarity, bypass shown as "off").
    Accent,
    /// Stop/danger.
    Danger,
}

/// A button; `on` lights it in its tone's colour.
pub fn button(tone: Tone, on: bool) -> impl Fn(&Theme, btn::Status) -> btn::Style {
    move |theme, status| {
        let c = Colors::of(theme);
        let lit = match tone {
            Tone::Plain => c.raised,
            Tone::Mute => c.mute,
            Tone::Solo => c.solo,
            Tone::Accent => c.accent,
            Tone::Danger => c.danger,
        };
        let base = if on { lit } else { c.raised };
        let background = match status {
            btn::Status::Hovered if !on => c.hover,
            btn::Status::Pressed => c.accent,
            btn::Status::Disabled => c.strip,
            _ => base,
        };
        let text_color = if on && tone != Tone::Plain {
            Color::BLACK
        } else if status == btn::Status::Disabled {
            c.dim
        } else {
            c.text
        };
        btn::Style {
            background: Some(Background::Color(background)),
            text_color,
            border: border(c.border, 3.0),
            shadow: Shadow::default(),
            snap: true,
        }
    }
}

/// A flat button that looks like a list row (insert slots, menu entries).
pub fn row_button(selected: bool) -> impl Fn(&Theme, btn::Status) -> btn::Style {
    move |theme, status| {
        let c = Colors::of(theme);
        let background = match status {
            _ if selected => c.accent,
            btn::Status::Hovered | btn::Status::Pressed => c.hover,
            _ => c.window,
        };
        btn::Style {
            background: Some(Background::Color(background)),
            text_color: if selected { Color::BLACK } else { c.text },
            border: border(c.border, 2.0),
            shadow: Shadow::default(),
            snap: true,
        }
    }
}

/// Text fields.
pub fn input(theme: &Theme, status: text_input::Status) -> text_input::Style {
    let c = Colors::of(theme);
    let edge = match status {
        text_input::Status::Focused { .. } => c.accent,
        text_input::Status::Hovered => c.hover,
        _ => c.border,
    };
    text_input::Style {
        background: Background::Color(c.window),
        border: border(edge, 2.0),
        icon: c.dim,
        placeholder: c.dim,
        value: c.text,
        selection: Color { a: 0.5, ..c.accent },
    }
}

/// Drop-down lists.
pub fn pick(theme: &Theme, status: pick_list::Status) -> pick_list::Style {
    let c = Colors::of(theme);
    pick_list::Style {
        text_color: c.text,
        placeholder_color: c.dim,
        handle_color: c.dim,
        background: Background::Color(match status {
            pick_list::Status::Hovered => c.hover,
            _ => c.raised,
        }),
        border: border(c.border, 2.0),
    }
}

/// Sliders in the generic editors.
pub fn slider(theme: &Theme, status: sl::Status) -> sl::Style {
    let c = Colors::of(theme);
    let mut style = sl::default(theme, status);
    style.rail.backgrounds = (Background::Color(c.accent), Background::Color(c.raised));
    style.handle.background =
        Background::Color(if status == sl::Status::Dragged { c.accent } else { c.text });
    style
}

/// The export progress bar.
pub fn progress(theme: &Theme) -> progress_bar::Style {
    let c = Colors::of(theme);
    progress_bar::Style {
        background: Background::Color(c.window),
        bar: Background::Color(c.accent),
        border: border(c.border, 3.0),
    }
}

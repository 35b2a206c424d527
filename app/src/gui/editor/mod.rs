//! The editor panel for the processor opened from a strip: a header (name,
//! strip, bypass, close), then the kind's own view: the EQ's response curve
//! with band handles, the compressor's static curve with its gain-reduction
//! meter, the de-noiser's learned noise profile with Learn, the de-esser's
//! gain-reduction meter, or generic controls for every other kind. All kinds
//! also list every parameter (but learned data) as a control with its value
//! and unit.

mod compressor;
pub mod denoise;
pub mod eq;
mod generic;
mod plot;
pub mod sidechain;

use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Length};
use mixdesk_engine::edit::{Edit, ProcessorAt};
use mixdesk_engine::session::{ParamId, ProcessorId, Session};

use super::audio::Audio;
use super::document::Document;
use super::mixer::processor_label;
use super::theme::{self, Tone};

pub use eq::{Band, BandName};

/// What the user did in an editor.
#[derive(Debug, Clone)]
pub enum Message {
    /// A control moved a parameter (part of a gesture until released).
    ParamChanged(ParamId, f64),
    /// A slider was released: the gesture ends.
    ParamReleased,
    /// An EQ band handle was dragged to a frequency and gain (the band is switched on).
    BandDragged(ProcessorId, Band, f64, f64),
    /// An EQ band's Q was changed with the wheel over its handle.
    BandQ(ProcessorId, Band, f64),
    /// The EQ handle was released.
    BandReleased,
    /// The editor's bypass button.
    BypassToggled(ProcessorId),
    /// Learn: the de-noiser learns its noise profile from the loop range.
    LearnNoise(ProcessorId),
    /// A de-noiser's profile was learned from a range (start, end samples), or why not.
    NoiseLearned(
        ProcessorId,
        u64,
        u64,
        Result<Box<mixdesk_engine::dsp::denoise::profile::NoiseProfile>, String>,
    ),
    /// A key (sidechain) source was chosen, or none.
    KeyChosen(ProcessorId, Option<mixdesk_engine::session::StripRef>),
    /// The key's tap was switched: after the source's fader (`true`) or before it.
    KeyTapped(ProcessorId, bool),
    /// "Plugin window": open the plugin's own UI in a window of its own.
    PluginWindow(ProcessorId),
    /// The close button.
    Closed,
}

/// Width of the editor panel.
pub const WIDTH: f32 = 560.0;

/// The panel for processor `id`.
pub fn view<'a>(
    session: &'a Session,
    id: ProcessorId,
    audio: &'a Audio,
    learning: bool,
) -> Element<'a, Message> {
    let Some(p) = session.processor(id) else { return column![].into() };
    let Some(spec) = mixdesk_engine::dsp::kind(&p.kind) else { return column![].into() };
    let values = spec.values(p);
    let header = row![
        text(processor_label(session, id)).size(15).width(Length::Fill),
        own_window(&p.kind, id),
        button(text(if p.bypassed { "Bypassed" } else { "Active" }).size(12))
            .style(theme::button(Tone::Accent, !p.bypassed))
            .on_press(Message::BypassToggled(id)),
        button(text("Close").size(12)).style(theme::button(Tone::Plain, false)).on_press(Message::Closed),
    ]
    .spacing(6)
    .align_y(iced::Alignment::Center);
    let rate = f64::from(session.sample_rate);
    let special: Element<'a, Message> = match spec.kind {
        "eq" => eq::view(id, values.clone(), rate),
        "compressor" => compressor::view(id, &values, audio.gain_reduction.get(&id).copied().unwrap_or(0.0)),
        "denoise" => denoise::view(id, &values, session, learning),
        "deesser" => compressor::reduction_meter(audio.gain_reduction.get(&id).copied().unwrap_or(0.0)),
        _ => column![].into(),
    };
    let controls = generic::view(id, spec, &values);
    let key: Element<'a, Message> = match session.find_processor(id) {
        Some((owner, _)) if spec.sidechain => sidechain::view(session, id, owner, p),
        _ => column![].into(),
    };
    container(
        column![
            header,
            text(spec.description).size(11),
            key,
            special,
            scrollable(controls).height(Length::Fill)
        ]
        .spacing(8)
        .padding(10),
    )
    .width(WIDTH)
    .height(Length::Fill)
    .style(theme::panel)
    .into()
}

/// "Plugin window", for an LV2 plugin with a UI Mixdesk can show (see
/// `mixdesk_engine::plugins::ui`) and for every CLAP plugin (whether it has
/// a GUI is known only from an instance: the window says if not).
fn own_window<'a>(kind: &str, id: ProcessorId) -> Element<'a, Message> {
    use mixdesk_engine::plugins;
    let clap = kind.starts_with(plugins::CLAP_PREFIX) && plugins::hosted(kind).is_some();
    if !clap && (!plugins::is_hosted(kind) || plugins::ui::find(kind).is_err()) {
        return row![].into();
    }
    button(text("Plugin window").size(12))
        .style(theme::button(Tone::Plain, false))
        .on_press(Message::PluginWindow(id))
        .into()
}

/// What the editor asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Close the editor.
    Closed,
    /// Open this plugin's own window.
    PluginWindow(ProcessorId),
    /// Show this in the error banner.
    Error(String),
}

/// Applies one editor message to the document (typed edits); the event says
/// what the app must do.
pub fn update(doc: &mut Document, message: Message) -> Option<Event> {
    match message {
        Message::ParamChanged(param, v) => {
            let info = doc.session.param_info(param)?;
            let key = format!("{param:?}");
            let before = doc
                .gesture_from(&key, param)
                .or_else(|| doc.session.param_value(param))
                .unwrap_or(info.default);
            let owner = match param {
                ParamId::Processor(id, _) => processor_label(&doc.session, id),
                _ => String::new(),
            };
            let label =
                format!("{owner} {} {} -> {}", info.name.to_lowercase(), info.format(before), info.format(v));
            let stepped = info.is_stepped();
            if stepped {
                doc.apply(&key, label, Edit::Param(param, v));
            } else {
                doc.gesture_edits(&key, label, vec![Edit::Param(param, v)]);
            }
        }
        Message::ParamReleased | Message::BandReleased => doc.end_gesture(),
        Message::BandDragged(id, band, freq, gain) => {
            let label = format!(
                "{} {} {:.0} Hz {:+.1} dB",
                processor_label(&doc.session, id),
                band.name(),
                freq,
                gain
            );
            doc.gesture_edits(&format!("band {id:?} {band:?}"), label, eq::band_edits(id, band, freq, gain));
        }
        Message::BandQ(id, band, q) => {
            let label = format!("{} {} Q {q:.2}", processor_label(&doc.session, id), band.name());
            if let Some(e) = eq::q_edit(id, band, q) {
                doc.apply_merging(&format!("bandq {id:?} {band:?}"), label, e);
            }
        }
        Message::BypassToggled(id) => {
            let on = doc.session.processor(id).map(|p| !p.bypassed)?;
            let label =
                format!("{} {}", if on { "Bypassed" } else { "Enabled" }, processor_label(&doc.session, id));
            doc.apply("bypass", label, Edit::Bypass(id, on));
        }
        Message::Closed => return Some(Event::Closed),
        Message::PluginWindow(id) => return Some(Event::PluginWindow(id)),
        Message::KeyChosen(id, source) => return sidechain::choose(doc, id, source),
        Message::KeyTapped(id, post) => sidechain::tap(doc, id, post),
        // Handled by the app (a worker task), not here.
        Message::LearnNoise(_) | Message::NoiseLearned(..) => {}
    }
    None
}

/// Writes a learned noise profile into de-noiser `id` as one undoable edit.
pub fn apply_learned(
    doc: &mut Document,
    id: ProcessorId,
    start: u64,
    end: u64,
    profile: &mixdesk_engine::dsp::denoise::profile::NoiseProfile,
) {
    if doc.session.processor(id).is_none() {
        return;
    }
    let label = denoise::label(&processor_label(&doc.session, id), start, end, doc.session.sample_rate);
    let Some((strip, index)) = doc.session.find_processor(id) else { return };
    let Some(mut processor) = doc.session.processor(id).cloned() else { return };
    processor.params.extend(mixdesk_engine::restore::profile_params(profile));
    doc.apply(
        &format!("learn {id:?}"),
        label,
        Edit::Processor(id, Some(ProcessorAt { strip, index, processor })),
    );
}

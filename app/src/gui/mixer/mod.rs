//! The mixer: one strip per track, then the buses, then the master, scrolling
//! sideways. [`update`] turns what the user did on a strip into one document
//! edit (or one gesture) with its undo label; the app then syncs the engine.

pub mod folders;
mod links;
mod narrow;
pub mod plugins;
pub mod strip;
pub mod tracks;
mod update;
pub mod vca;

pub use links::select_step;
pub use tracks::StripAction;
pub use update::{Effect, parse_db, processor_label, update};

use iced::widget::{Row, container, scrollable};
use iced::{Element, Length};
use mixdesk_engine::session::{BusId, Colour, Output};
use mixdesk_engine::session::{ProcessorId, SendId, StripRef};

use super::audio::Audio;
use super::widget::ControlEvent;
use mixdesk_engine::session::Session;

/// What the user did in the mixer.
#[derive(Debug, Clone)]
pub enum Message {
    /// The fader was dragged, scrolled, released or reset.
    Fader(StripRef, ControlEvent),
    /// The fader's value field was edited (not yet applied).
    FaderTyped(StripRef, String),
    /// The fader's value field was confirmed with Enter.
    FaderSubmitted(StripRef),
    /// The pan value field was edited (not yet applied).
    PanTyped(StripRef, String),
    /// The pan value field was confirmed with Enter.
    PanSubmitted(StripRef),
    /// The pan knob moved.
    Pan(StripRef, ControlEvent),
    /// The width knob moved.
    Width(StripRef, ControlEvent),
    /// The strip was renamed.
    Renamed(StripRef, String),
    /// The colour palette under the name was opened or closed.
    ColoursToggled(StripRef),
    /// A colour was picked.
    ColourPicked(StripRef, Colour),
    /// Mute pressed.
    MuteToggled(StripRef),
    /// Solo pressed.
    SoloToggled(StripRef),
    /// Solo-safe pressed.
    SoloSafeToggled(StripRef),
    /// Polarity pressed.
    PolarityToggled(StripRef),
    /// The meter's clip light was clicked.
    ClipReset(StripRef),
    /// The strip was clicked (selects it for M/S shortcuts and the editor).
    Selected(StripRef),
    /// A processor was chosen in the "+ insert" list.
    InsertAdded(StripRef, Kind),
    /// An insert's remove button.
    InsertRemoved(ProcessorId),
    /// An insert's bypass button.
    InsertBypassToggled(ProcessorId),
    /// An insert's name was clicked: open its editor.
    InsertOpened(ProcessorId),
    /// The mouse went down on an insert (start of a reorder drag).
    InsertGrabbed(ProcessorId),
    /// The mouse moved over an insert while one is grabbed.
    InsertHovered(ProcessorId),
    /// The mouse was released: end of a reorder drag.
    InsertDropped,
    /// A bus was chosen in the "+ send" list.
    SendAdded(StripRef, BusChoice),
    /// A send's remove button.
    SendRemoved(SendId),
    /// A send's level knob.
    SendLevel(SendId, ControlEvent),
    /// A send's pre/post button.
    SendPreToggled(SendId),
    /// A new output was chosen.
    OutputChosen(StripRef, OutputChoice),
    /// "+ bus" pressed.
    BusAdded,
    /// "+ track" pressed: an empty audio track at the end.
    TrackAdded,
    /// "+ mono" or "+ stereo" pressed: an empty track of that layout at the end.
    TrackAddedAs(mixdesk_engine::session::Layout),
    /// A track's or bus's delete button: it goes with its lanes, and sends,
    /// outputs and sidechain keys that name it (one undo step).
    StripDeleted(StripRef),
    /// An entry of a strip's "⋯" menu.
    StripMenu(StripRef, StripAction),
    /// The mouse went down on a strip's colour bar (start of a reorder drag).
    StripGrabbed(StripRef),
    /// The mouse entered a strip (while one is grabbed: move it there).
    StripHovered(StripRef),
    /// The mouse was released over a strip: end of a reorder drag.
    StripDropped,
    /// The comment field under a strip's name was edited.
    Commented(StripRef, String),
    /// The comment field was closed (Enter or "done").
    CommentClosed,
    /// The input trim knob moved.
    Trim(StripRef, ControlEvent),
    /// A track template was chosen in "+ from template".
    TrackFromTemplate(TemplateChoice),
    /// "narrow strips" / "wide strips" pressed.
    NarrowToggled,
    /// "+ VCA": a VCA over the selected strips.
    VcaAdded,
    /// A VCA's "Spill" (show only its members) or "Show all".
    VcaSpilled(BusId),
    /// A folder's collapse toggle.
    FolderToggled(mixdesk_engine::session::FolderId),
    /// A folder's ✕: its tracks stay, the folder goes.
    FolderDissolved(mixdesk_engine::session::FolderId),
}

/// A track template in the "+ from template" list.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateChoice(pub mixdesk_engine::templates::TrackTemplate);

impl std::fmt::Display for TemplateChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.name)
    }
}

/// A processor kind in the "+ insert" list.
#[derive(Debug, Clone, Copy)]
pub struct Kind(pub &'static mixdesk_engine::dsp::KindSpec);

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.0.kind == other.0.kind
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&plugins::label(self.0))
    }
}

/// A bus in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusChoice {
    /// The bus.
    pub id: BusId,
    /// Its name.
    pub name: String,
}

impl std::fmt::Display for BusChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// An output in the output list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputChoice {
    /// Where.
    pub output: Output,
    /// Its name.
    pub name: String,
}

impl std::fmt::Display for OutputChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// View state of the mixer that is not part of the session.
#[derive(Debug, Default)]
pub struct MixerUi {
    /// The selected strip.
    pub selected: Option<StripRef>,
    /// A fader value being typed.
    pub typing: Option<(StripRef, String)>,
    /// A pan value being typed.
    pub typing_pan: Option<(StripRef, String)>,
    /// The strip whose colour palette is open.
    pub colours_open: Option<StripRef>,
    /// The insert being dragged to a new place.
    pub grabbed: Option<ProcessorId>,
    /// The processor whose editor is open.
    pub editor: Option<ProcessorId>,
    /// The de-noiser learning its noise profile on a worker.
    pub learning: Option<ProcessorId>,
    /// Every selected strip (the focused one, `selected`, among them):
    /// Ctrl-click adds or removes one, Shift-click selects a range.
    pub selection: Vec<StripRef>,
    /// The keyboard modifiers held now (Ctrl/Shift change what a click selects).
    pub modifiers: iced::keyboard::Modifiers,
    /// The strip being dragged to a new place.
    pub grabbed_strip: Option<StripRef>,
    /// The strip whose comment field is open.
    pub commenting: Option<StripRef>,
    /// Where track templates are kept (none: templates cannot be saved).
    pub templates_dir: Option<std::path::PathBuf>,
    /// The track templates found there.
    pub templates: Vec<mixdesk_engine::templates::TrackTemplate>,
    /// The VCA whose members alone are shown ("Spill").
    pub spill: Option<BusId>,
    /// Narrow strips (name, M/S, fader and meter), to see 40+ at once.
    pub narrow: bool,
}

impl MixerUi {
    /// A mixer whose track templates live in `dir` (loaded now).
    pub fn with_templates(dir: Option<std::path::PathBuf>) -> MixerUi {
        let templates = dir.as_deref().map(|d| mixdesk_engine::templates::load_all(d).0).unwrap_or_default();
        MixerUi { templates_dir: dir, templates, ..MixerUi::default() }
    }

    /// Whether `r` is selected.
    pub fn is_selected(&self, r: StripRef) -> bool {
        self.selected == Some(r) || self.selection.contains(&r)
    }
}

/// The track and bus strips, scrolling horizontally. The master is not among
/// them: [`master`] is pinned at the right-hand edge of the window, so it stays
/// in view however far the strips scroll and whatever opens beside them.
pub fn view<'a>(session: &'a Session, ui: &'a MixerUi, audio: &'a Audio) -> Element<'a, Message> {
    let mut row = Row::new().spacing(4).padding(6).height(Length::Fill);
    let strips = session.tracks.iter().map(|t| StripRef::Track(t.id));
    for r in strips.chain(session.buses.iter().map(|b| StripRef::Bus(b.id))) {
        if let StripRef::Track(t) = r
            && ui.spill.is_none()
        {
            if let Some(f) = folders::starting_at(session, t) {
                row = row.push(folders::tab(session, f));
            }
            if session.folded(t) {
                continue;
            }
        }
        if vca::shown(session, ui, r) {
            row = row.push(strip::view(session, r, ui, audio));
        }
    }
    row = row.push(strip::add_strips(&ui.templates));
    let strips = scrollable(row)
        .direction(scrollable::Direction::Horizontal(scrollable::Scrollbar::new()))
        .id(iced::widget::Id::new(STRIPS_ID))
        .width(Length::Fill)
        .height(Length::Fill);
    let body: Element<'a, Message> = match vca::spill_banner(session, ui) {
        Some(banner) => iced::widget::column![banner, strips].into(),
        None => strips.into(),
    };
    container(body).width(Length::Fill).height(Length::Fill).into()
}

/// The id of the strips' scrollable (tests find it by this).
pub const STRIPS_ID: &str = "mixer-strips";

/// The master strip, pinned at the right-hand edge.
pub fn master<'a>(session: &'a Session, ui: &'a MixerUi, audio: &'a Audio) -> Element<'a, Message> {
    container(strip::view(session, StripRef::Master, ui, audio)).padding(6).height(Length::Fill).into()
}

/// A strip's display name.
pub fn strip_name(session: &Session, r: StripRef) -> String {
    match r {
        StripRef::Track(id) => session.track(id).map_or_else(|| format!("Track {id}"), |t| t.name.clone()),
        StripRef::Bus(id) => session.bus(id).map_or_else(|| format!("Bus {id}"), |b| b.name.clone()),
        StripRef::Master => "Master".to_owned(),
    }
}

//! The arrangement timeline: a ruler in min:sec and bars:beats, a row per
//! track with its clips drawn over their waveforms, and automation lanes under
//! the tracks that are drawn and edited with the mouse.
//!
//! [`TimelineUi`] is the view state (zoom, scroll, open lanes, selection,
//! tool); [`Message`] is what the user did; [`update`] turns it into document
//! edits (one undo step per click, one per drag) exactly like the mixer does.
//! Drawing and hit-testing live in `rows.rs` (clips and lanes, one canvas) and
//! `ruler.rs`; where things are is `geometry.rs`.

pub mod analyzer;
pub mod clip_drag;
pub mod edit;
pub mod geometry;
pub mod headers;
pub mod label;
pub mod note_pins;
pub mod nudge;
pub mod numeric;
pub mod rows;
pub mod ruler;
pub mod waveforms;

use std::collections::{BTreeMap, BTreeSet};

use iced::widget::{Space, button, column, container, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};
use mixdesk_engine::session::{
    AutoMode, ClipId, FadeShape, MarkerId, ParamId, Session, Shape, StripParam, StripRef, TrackId,
};

use super::audio::Audio;
use super::theme::{self, Tone};
use geometry::{HEADER_WIDTH, RULER_HEIGHT, Span};
use waveforms::Waveforms;

pub use edit::update;

/// The window's height above the rows (toolbar, transport, tabs, the
/// timeline's own toolbar and the ruler), to size the rows before they have
/// been scrolled.
pub const CHROME_HEIGHT: f32 = 196.0;

/// How the mouse draws in automation lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tool {
    /// Click adds a point, drag moves points and segments, a drag on empty
    /// space selects a range.
    #[default]
    Pointer,
    /// Dragging draws freehand; the stroke is thinned on release.
    Pencil,
}

/// A menu opened with the right mouse button.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Menu {
    /// The shape of a clip's fade.
    Fade {
        /// The clip.
        clip: ClipId,
        /// Fade-in (true) or fade-out.
        fade_in: bool,
    },
    /// The shape of a lane segment (from point `index` to the next).
    Segment {
        /// The lane's parameter.
        param: ParamId,
        /// The segment's first point.
        index: usize,
    },
}

/// The timeline's view state.
#[derive(Debug, Clone)]
pub struct TimelineUi {
    /// Zoom and horizontal scroll.
    pub span: Span,
    /// The rows' visible width in pixels (the window's width less the headers).
    pub width: f32,
    /// The rows' visible height in pixels.
    pub height: f32,
    /// Vertical scroll of the rows, pixels.
    pub scroll_y: f32,
    /// Height of a track row.
    pub track_height: f32,
    /// Open automation lanes per track, top to bottom.
    pub lanes: BTreeMap<TrackId, Vec<ParamId>>,
    /// Selected clips.
    pub selected: BTreeSet<ClipId>,
    /// Selected points of one lane (indices).
    pub points: Option<(ParamId, Vec<usize>)>,
    /// The lane tool.
    pub tool: Tool,
    /// Snap moves and trims to the grid and to clip edges.
    pub snap: bool,
    /// Keep the playhead in view while playing.
    pub follow: bool,
    /// The open context menu.
    pub menu: Option<Menu>,
    /// Where the context menu opens: the pointer when it was opened, in window coordinates.
    pub menu_at: iced::Point,
    /// A marker being renamed, and the name typed so far.
    pub renaming: Option<(MarkerId, String)>,
    /// Scale (percent) typed for the selected lane points.
    pub scale_text: String,
    /// Offset typed for the selected lane points.
    pub offset_text: String,
    /// The analyzer panel is open.
    pub analyzer: bool,
    /// Tracks whose spectra the analyzer overlays (besides the selected
    /// strip's), with masking hints between them; at most [`analyzer::OVERLAYS`].
    pub overlay: Vec<mixdesk_engine::session::TrackId>,
    /// The overlay tracks the engine taps, by tap slot after the first.
    pub overlay_tapped: [Option<mixdesk_engine::session::StripRef>; analyzer::OVERLAYS],
    /// The clips as the clip drag in progress began.
    pub drag: Option<clip_drag::DragBase>,
    /// The lane as the point or segment drag in progress began (its key and lane).
    pub lane_drag: Option<(String, Option<mixdesk_engine::session::Lane>)>,
    /// A clip gain or point value being typed (none: the field shows the value).
    pub typed_value: Option<String>,
}

impl Default for TimelineUi {
    fn default() -> TimelineUi {
        TimelineUi {
            span: Span { spp: 1000.0, scroll: 0.0 },
            width: 1600.0 - HEADER_WIDTH - 14.0,
            height: 1000.0 - CHROME_HEIGHT,
            scroll_y: 0.0,
            track_height: 72.0,
            lanes: BTreeMap::new(),
            selected: BTreeSet::new(),
            points: None,
            typed_value: None,
            tool: Tool::Pointer,
            snap: true,
            follow: true,
            menu: None,
            menu_at: iced::Point::ORIGIN,
            renaming: None,
            scale_text: "100".into(),
            offset_text: "0".into(),
            analyzer: false,
            overlay: Vec::new(),
            overlay_tapped: [None; analyzer::OVERLAYS],
            drag: None,
            lane_drag: None,
        }
    }
}

impl TimelineUi {
    /// A view of `session` zoomed to fit, with the lanes that hold automation open.
    pub fn for_session(session: &Session) -> TimelineUi {
        let mut ui = TimelineUi::default();
        for lane in &session.automation {
            if let Some(track) = track_of(session, lane.param) {
                ui.lanes.entry(track).or_default().push(lane.param);
            }
        }
        ui.fit(session);
        ui
    }

    /// Zooms so the whole session (or ten seconds, if shorter) fills the width.
    pub fn fit(&mut self, session: &Session) {
        let end = session.content_end().0.max(u64::from(session.sample_rate) * 10) as f64;
        self.span = Span { spp: end * 1.05 / f64::from(self.width.max(100.0)), scroll: 0.0 };
    }

    /// Zooms by `factor` (>1 zooms in) keeping the sample under `x` in place.
    pub fn zoom(&mut self, factor: f64, x: f32) {
        let t = self.span.t(x);
        let spp = (self.span.spp / factor).clamp(1.0 / 16.0, 1.0e6);
        self.span = Span { spp, scroll: (t - f64::from(x) * spp).max(0.0) };
    }

    /// Scrolls by `dx` pixels.
    pub fn scroll_by(&mut self, dx: f32) {
        self.span.scroll = (self.span.scroll + f64::from(dx) * self.span.spp).max(0.0);
    }

    /// Pages the view so the playhead stays visible while playing.
    pub fn follow_playhead(&mut self, position: f64) {
        let x = self.span.x(position);
        if self.follow && (x < 0.0 || x > self.width * 0.92) {
            self.span.scroll = (position - f64::from(self.width) * 0.08 * self.span.spp).max(0.0);
        }
    }

    /// The open lanes of `track`.
    pub fn lanes_of(&self, track: TrackId) -> Vec<ParamId> {
        self.lanes.get(&track).cloned().unwrap_or_default()
    }

    /// The rows as laid out now.
    pub fn rows(&self, session: &Session) -> Vec<geometry::Row> {
        geometry::rows(session, self.track_height, |t| self.lanes_of(t))
    }
}

/// The track whose strip (or insert, or send) a parameter belongs to.
pub fn track_of(session: &Session, param: ParamId) -> Option<TrackId> {
    let strip = match param {
        ParamId::Strip(r, _) => Some(r),
        ParamId::Processor(p, _) => session.find_processor(p).map(|(r, _)| r),
        ParamId::Send(s, _) => session
            .tracks
            .iter()
            .find(|t| t.strip.sends.iter().any(|x| x.id == s))
            .map(|t| StripRef::Track(t.id)),
    };
    match strip {
        Some(StripRef::Track(t)) => Some(t),
        // A VCA's lanes show under its first member track.
        Some(StripRef::Bus(b)) => session.bus(b)?.vca.as_ref()?.members.iter().find_map(|m| match m {
            StripRef::Track(t) => Some(*t),
            _ => None,
        }),
        _ => None,
    }
}

/// What the user did on the timeline.
#[derive(Debug, Clone)]
pub enum Message {
    /// Zoom by a factor around an x in the rows.
    Zoom(f64, f32),
    /// Zoom so the session fills the width.
    ZoomFit,
    /// Scroll sideways by pixels.
    ScrollX(f32),
    /// The rows scrolled vertically.
    ScrolledY(f32, f32),
    /// Make track rows taller (true) or shorter.
    TrackHeight(bool),
    /// The lane tool.
    ToolChosen(Tool),
    /// Snapping on or off.
    SnapToggled,
    /// Follow the playhead on or off.
    FollowToggled,
    /// The analyzer panel on or off.
    AnalyzerToggled,
    /// A track's spectrum was added to or taken from the analyzer's overlay.
    OverlayToggled(mixdesk_engine::session::TrackId),
    /// Click on the ruler: move the playhead there.
    Seek(u64),
    /// A loop range was dragged on the ruler (start, end, finished).
    LoopDragged(u64, u64, bool),
    /// Add a marker at the playhead.
    MarkerAdded,
    /// A marker was clicked: jump there.
    MarkerJump(MarkerId),
    /// A marker was dragged (finished?).
    MarkerMoved(MarkerId, u64, bool),
    /// A marker was double-clicked: rename it.
    MarkerRenameStarted(MarkerId),
    /// The new name typed so far.
    MarkerNameTyped(String),
    /// The rename was confirmed.
    MarkerRenamed,
    /// Delete the marker being renamed.
    MarkerRemoved,
    /// A strip control in a track header that the mixer owns (the ⋯ menu,
    /// the reorder drag, delete), handled exactly as on the mixer strip.
    Strip(crate::gui::mixer::Message),
    /// A track's mute button in its header.
    MuteToggled(TrackId),
    /// A track's solo button in its header.
    SoloToggled(TrackId),
    /// Show or hide a track's automation lanes.
    LanesToggled(TrackId),
    /// Add another lane under the track.
    LaneAdded(TrackId),
    /// Close a lane (its automation stays).
    LaneClosed(TrackId, usize),
    /// Show another parameter in a lane.
    LaneParamChosen(TrackId, usize, ParamChoice),
    /// The lane's automation mode.
    LaneModeChosen(ParamId, AutoMode),
    /// A clip was clicked (shift: add to the selection).
    ClipPressed(ClipId, bool),
    /// A clip handle or body is being dragged by `dt` samples / `dy` pixels.
    ClipDragged(rows::Grab, ClipId, f64, f32, bool),
    /// The drag ended.
    DragEnded,
    /// A rubber band over track rows selected these clips (shift: add).
    ClipsBanded(Vec<ClipId>, bool),
    /// Empty space clicked: clear the selection.
    Deselected,
    /// Split the selected clips (or all under the playhead) at the playhead.
    Split,
    /// Duplicate the selected clips after themselves.
    Duplicate,
    /// The clip gain or point value field was edited.
    ValueTyped(String),
    /// Enter in the clip gain field.
    ClipGainSubmitted,
    /// Enter in the point value field.
    PointValueSubmitted,
    /// Move the selected clips by grid steps (negative: earlier; `true`: a tenth of a step).
    Nudge(i64, bool),
    /// Delete the selected clips or lane points.
    Delete,
    /// A context menu was opened at a point of the window.
    MenuOpened(Menu, iced::Point),
    /// The context menu was closed.
    MenuClosed,
    /// A fade shape was chosen in the menu.
    FadeShapeChosen(ClipId, bool, FadeShape),
    /// A segment shape was chosen in the menu.
    SegmentShapeChosen(ParamId, usize, Shape),
    /// A click on a lane where there is no point: add one.
    PointAdded(ParamId, u64, f64),
    /// A point is being dragged to (time, value).
    PointDragged(ParamId, usize, u64, f64),
    /// A segment is being dragged up or down by a fraction of the lane height.
    SegmentDragged(ParamId, usize, f64),
    /// A freehand stroke was drawn (time, value pairs in drawing order).
    Stroke(ParamId, Vec<(u64, f64)>),
    /// A range of a lane was selected (start, end samples).
    PointsBanded(ParamId, u64, u64),
    /// Scale percentage typed for the selected points.
    ScaleTyped(String),
    /// Offset typed for the selected points.
    OffsetTyped(String),
    /// Apply the typed scale and offset to the selected points.
    ScaleOffsetApplied,
}

/// A parameter in a lane's picker.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamChoice {
    /// The parameter.
    pub param: ParamId,
    /// Its name, as listed.
    pub name: String,
}

impl std::fmt::Display for ParamChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// The default parameter of a new lane: the first the track does not show yet.
pub fn next_lane_param(session: &Session, ui: &TimelineUi, track: TrackId) -> Option<ParamId> {
    let open = ui.lanes_of(track);
    geometry::automatable(session, track).into_iter().map(|(p, _)| p).find(|p| !open.contains(p))
}

fn small<'a>(s: impl text::IntoFragment<'a>) -> text::Text<'a> {
    text(s).size(12)
}

fn tool_button<'a>(label: &'a str, on: bool, msg: Message) -> Element<'a, Message> {
    button(small(label)).padding([3, 8]).style(theme::button(Tone::Accent, on)).on_press(msg).into()
}

/// The strip of buttons above the ruler.
fn toolbar<'a>(session: &Session, ui: &'a TimelineUi) -> Element<'a, Message> {
    let mut bar = row![
        tool_button("−", false, Message::Zoom(0.5, ui.width / 2.0)),
        tool_button("+", false, Message::Zoom(2.0, ui.width / 2.0)),
        tool_button("Fit", false, Message::ZoomFit),
        tool_button("Rows −", false, Message::TrackHeight(false)),
        tool_button("Rows +", false, Message::TrackHeight(true)),
        Space::new().width(10),
        tool_button("Pointer", ui.tool == Tool::Pointer, Message::ToolChosen(Tool::Pointer)),
        tool_button("Pencil", ui.tool == Tool::Pencil, Message::ToolChosen(Tool::Pencil)),
        tool_button("Snap", ui.snap, Message::SnapToggled),
        tool_button("Follow", ui.follow, Message::FollowToggled),
        Space::new().width(10),
        tool_button("Split", false, Message::Split),
        tool_button("Duplicate", false, Message::Duplicate),
        tool_button("Delete", false, Message::Delete),
        tool_button("+ Marker", false, Message::MarkerAdded),
        tool_button("Analyzer", ui.analyzer, Message::AnalyzerToggled),
        Space::new().width(10),
    ]
    .spacing(4)
    .align_y(Alignment::Center);
    if let Some(fields) = numeric::view(session, ui) {
        bar = bar.push(fields).push(Space::new().width(10));
    }
    if let Some((_, indices)) = ui.points.as_ref().filter(|(_, i)| !i.is_empty()) {
        bar = bar.push(small(format!("{} points:", indices.len())));
        bar = bar.push(
            text_input("100", &ui.scale_text)
                .on_input(Message::ScaleTyped)
                .size(12)
                .width(50)
                .style(theme::input),
        );
        bar = bar.push(small("% +"));
        bar = bar.push(
            text_input("0", &ui.offset_text)
                .on_input(Message::OffsetTyped)
                .on_submit(Message::ScaleOffsetApplied)
                .size(12)
                .width(50)
                .style(theme::input),
        );
        bar = bar.push(tool_button("Apply", false, Message::ScaleOffsetApplied));
    }
    if let Some((id, name)) = &ui.renaming {
        let _ = id;
        bar = bar.push(small("Marker:"));
        bar = bar.push(
            text_input("name", name)
                .id(iced::widget::Id::new("marker-name"))
                .on_input(Message::MarkerNameTyped)
                .on_submit(Message::MarkerRenamed)
                .size(12)
                .width(140)
                .style(theme::input),
        );
        bar = bar.push(tool_button("OK", false, Message::MarkerRenamed));
        bar = bar.push(tool_button("Delete marker", false, Message::MarkerRemoved));
    }
    container(bar).padding([3, 8]).width(Length::Fill).style(theme::panel).into()
}

/// Width of the context menu.
pub const MENU_WIDTH: f32 = 170.0;
/// Height of one entry of the context menu.
const MENU_ITEM: f32 = 26.0;

/// The context menu's title and choices.
fn menu_items(m: Menu, session: &Session) -> (&'static str, Vec<(&'static str, bool, Message)>) {
    match m {
        Menu::Fade { clip, fade_in } => {
            let now = session
                .tracks
                .iter()
                .flat_map(|t| &t.clips)
                .find(|c| c.id == clip)
                .map(|c| if fade_in { c.fade_in.shape } else { c.fade_out.shape });
            let items = [
                ("Linear", FadeShape::Linear),
                ("Equal power", FadeShape::EqualPower),
                ("Exponential", FadeShape::Exponential),
                ("S-curve", FadeShape::SCurve),
            ]
            .into_iter()
            .map(|(label, shape)| (label, now == Some(shape), Message::FadeShapeChosen(clip, fade_in, shape)))
            .collect();
            (if fade_in { "Fade-in shape" } else { "Fade-out shape" }, items)
        }
        Menu::Segment { param, index } => {
            let now = session.lane(param).and_then(|l| l.points.get(index)).map(|p| p.shape);
            let items = [
                ("Linear", Shape::Linear),
                ("Step", Shape::Step),
                ("Exponential", Shape::Exponential),
                ("Logarithmic", Shape::Logarithmic),
                ("S-curve", Shape::SCurve),
                ("Bezier +", Shape::Bezier(0.5)),
                ("Bezier −", Shape::Bezier(-0.5)),
            ]
            .into_iter()
            .map(|(label, shape)| {
                (label, now == Some(shape), Message::SegmentShapeChosen(param, index, shape))
            })
            .collect();
            ("Segment shape", items)
        }
    }
}

/// The open context menu as a popup at the pointer, kept inside a window of
/// `window`'s size, over everything else: nothing under it moves. A click
/// anywhere outside it closes it.
pub fn popup<'a>(
    session: &'a Session,
    ui: &'a TimelineUi,
    window: iced::Size,
) -> Option<Element<'a, Message>> {
    let m = ui.menu?;
    let (title, items) = menu_items(m, session);
    let height = MENU_ITEM * (items.len() + 2) as f32 + 12.0;
    let mut card = column![small(title)].spacing(2).width(MENU_WIDTH);
    for (label, on, msg) in items {
        card = card.push(
            button(small(label))
                .padding([4, 8])
                .width(Length::Fill)
                .style(theme::button(Tone::Accent, on))
                .on_press(msg),
        );
    }
    card = card.push(
        button(small("Close"))
            .padding([4, 8])
            .width(Length::Fill)
            .style(theme::button(Tone::Plain, false))
            .on_press(Message::MenuClosed),
    );
    let x = ui.menu_at.x.min(window.width - MENU_WIDTH - 16.0).max(0.0);
    let y = ui.menu_at.y.min(window.height - height - 4.0).max(0.0);
    let outside = iced::widget::mouse_area(Space::new().width(Length::Fill).height(Length::Fill))
        .on_press(Message::MenuClosed);
    Some(
        iced::widget::stack![
            outside,
            iced::widget::pin(container(card).padding(6).style(theme::dialog)).x(x).y(y),
        ]
        .into(),
    )
}

/// The timeline: toolbar, ruler, then the scrolling rows with their headers.
pub fn view<'a>(
    session: &'a Session,
    ui: &'a TimelineUi,
    mixer: &'a crate::gui::mixer::MixerUi,
    audio: &'a Audio,
    waves: &'a Waveforms,
    dir: std::path::PathBuf,
    revision: u64,
) -> Element<'a, Message> {
    let position = audio.position as f64 * f64::from(session.sample_rate) / f64::from(audio.rate.max(1));
    let rows_layout = ui.rows(session);
    let total: f32 = rows_layout.last().map_or(0.0, |r| r.y + r.height);
    let ruler = row![
        container(
            column![
                small(super::transport::min_sec(position / f64::from(session.sample_rate.max(1)))),
                small("bars · time · markers · loop").size(10),
            ]
            .spacing(2)
        )
        .padding([4, 8])
        .width(HEADER_WIDTH)
        .height(RULER_HEIGHT)
        .style(theme::panel),
        iced::widget::canvas(ruler::Ruler { session, ui, position }).width(Length::Fill).height(RULER_HEIGHT),
    ];
    let body = scrollable(
        row![
            headers::view(session, ui, mixer, &rows_layout, audio.missing_clips()),
            iced::widget::canvas(rows::Rows {
                session,
                ui,
                waves,
                dir,
                position,
                playing: audio.playing,
                revision,
                missing: audio.missing_clips(),
            })
            .width(Length::Fill)
            .height(total.max(ui.height)),
        ]
        .height(total.max(ui.height)),
    )
    .id(iced::widget::Id::new("timeline-rows"))
    .on_scroll(|v| Message::ScrolledY(v.absolute_offset().y, v.bounds().height))
    .height(Length::Fill);
    let col = column![toolbar(session, ui), ruler, body];
    let main: Element<'a, Message> = col.width(Length::Fill).height(Length::Fill).into();
    if ui.analyzer {
        row![main, analyzer::view(session, audio, &ui.overlay)].height(Length::Fill).into()
    } else {
        main
    }
}

/// The lane mode choices, in the order the selector lists them.
pub const MODES: [AutoMode; 6] =
    [AutoMode::Off, AutoMode::Read, AutoMode::Touch, AutoMode::Latch, AutoMode::Write, AutoMode::Trim];

/// The name of a strip parameter a lane shows by default.
pub fn default_lane() -> StripParam {
    StripParam::Fader
}

/// Where the pick list of a lane's parameter sits (for tests).
pub fn lane_picker(
    session: &Session,
    track: TrackId,
    param: ParamId,
) -> (Vec<ParamChoice>, Option<ParamChoice>) {
    let all: Vec<ParamChoice> = geometry::automatable(session, track)
        .into_iter()
        .map(|(param, name)| ParamChoice { param, name })
        .collect();
    let now = all.iter().find(|c| c.param == param).cloned();
    (all, now)
}

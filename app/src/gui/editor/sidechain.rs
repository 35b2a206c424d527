//! The key (external sidechain) picker of a processor that takes one
//! (compressor, gate, de-esser, a hosted plugin with sidechain inputs): none, or any other track or bus, and where
//! the key is taken: pre-fader (the source's signal after its trim and
//! inserts) or post-fader (also after its fader, mute, VCA and pan: what it
//! plays, solo aside). A choice that would make a routing loop is refused
//! with the reason.

use iced::widget::{button, container, pick_list, row, text};
use iced::{Alignment, Element};
use mixdesk_engine::edit::{Edit, ProcessorAt};
use mixdesk_engine::session::{Processor, ProcessorId, Session, StripRef};

use super::{Event, Message};
use crate::gui::document::Document;
use crate::gui::mixer::strip_name;
use crate::gui::theme::{self, Tone};

/// A key source in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The strip, or none.
    pub source: Option<StripRef>,
    /// Its name.
    pub name: String,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// The id of the picker (tests find it by this).
pub const PICKER: &str = "sidechain-key";

/// The picker for processor `p` (id `id`) on strip `owner`, and the
/// pre/post-fader switch once it has a key.
pub fn view<'a>(s: &Session, id: ProcessorId, owner: StripRef, p: &Processor) -> Element<'a, Message> {
    let current = p.sidechain;
    let key = |source: Option<StripRef>| Key {
        source,
        name: source.map_or_else(|| "none (its own input)".to_owned(), |r| strip_name(s, r)),
    };
    let choices: Vec<Key> = std::iter::once(key(None))
        .chain(
            s.tracks
                .iter()
                .map(|t| StripRef::Track(t.id))
                .chain(s.buses.iter().filter(|b| !b.is_vca()).map(|b| StripRef::Bus(b.id)))
                .filter(|r| *r != owner)
                .map(|r| key(Some(r))),
        )
        .collect();
    let list = pick_list(choices, Some(key(current)), move |k: Key| Message::KeyChosen(id, k.source))
        .text_size(12)
        .padding(4)
        .style(theme::pick);
    let post = p.sidechain_post_fader;
    let tap = current.map(|_| {
        button(text(if post { "post-fader" } else { "pre-fader" }).size(12))
            .style(theme::button(Tone::Accent, post))
            .on_press(Message::KeyTapped(id, !post))
    });
    row![text("Key").size(12), container(list).id(PICKER)]
        .push(tap)
        .spacing(6)
        .align_y(Alignment::Center)
        .into()
}

/// Takes processor `id`'s key after its source's fader (`post`) or before
/// it, as one undo step.
pub fn tap(doc: &mut Document, id: ProcessorId, post: bool) {
    let Some((strip, index)) = doc.session.find_processor(id) else { return };
    let Some(processor) = doc.session.processor(id).cloned() else { return };
    if processor.sidechain_post_fader == post {
        return;
    }
    let label = format!(
        "{} keyed {}",
        crate::gui::mixer::processor_label(&doc.session, id),
        if post { "post-fader" } else { "pre-fader" }
    );
    let processor = Processor { sidechain_post_fader: post, ..processor };
    doc.apply("sidechain", label, Edit::Processor(id, Some(ProcessorAt { strip, index, processor })));
}

/// Keys processor `id` from `source` as one undo step, unless that makes a loop.
pub fn choose(doc: &mut Document, id: ProcessorId, source: Option<StripRef>) -> Option<Event> {
    let (strip, index) = doc.session.find_processor(id)?;
    let processor = doc.session.processor(id)?.clone();
    if processor.sidechain == source {
        return None;
    }
    let label = format!(
        "{} keyed by {}",
        crate::gui::mixer::processor_label(&doc.session, id),
        source.map_or_else(|| "its own input".to_owned(), |r| strip_name(&doc.session, r))
    );
    let processor = Processor { sidechain: source, ..processor };
    let edit = Edit::Processor(id, Some(ProcessorAt { strip, index, processor }));
    let mut trial = doc.session.clone();
    edit.apply(&mut trial);
    if let Err(e) = mixdesk_engine::session::validate(&trial) {
        return Some(Event::Error(format!("{e}. The key was not changed.")));
    }
    doc.apply("sidechain", label, edit);
    None
}

//! Differences in the review notes: added, removed, status, text, author,
//! time, range, track and replies, each note named by the start of its text.
//! (Notes are kept in time order, so a note's place in the list changes only
//! when it moves, and the move is what is reported.)

use super::{Differ, Kind, Place, seconds, strip_label};
use crate::session::notes::short;
use crate::session::{Note, Session, StripRef};

fn when(n: &Note, rate: u32) -> String {
    match n.end {
        Some(end) => format!("{} - {}", seconds(n.at.0, rate), seconds(end.0, rate)),
        None => seconds(n.at.0, rate),
    }
}

fn track(s: &Session, n: &Note) -> String {
    match n.track {
        None => "no track".to_owned(),
        Some(id) if s.track(id).is_some() => strip_label(s, StripRef::Track(id)),
        Some(id) => format!("removed track {id}"),
    }
}

pub(super) fn notes(d: &mut Differ) {
    let (a, b) = (d.a, d.b);
    for n in a.notes.iter().filter(|n| b.note(n.id).is_none()) {
        d.push(Place::Note(n.id), Kind::Removed, format!("Note \"{}\" removed", short(&n.text)));
    }
    for n in &b.notes {
        let place = Place::Note(n.id);
        let Some(old) = a.note(n.id) else {
            let by = if n.author.is_empty() { String::new() } else { format!(" by {}", n.author) };
            let text = format!("Note \"{}\"{by} added at {}", short(&n.text), when(n, b.sample_rate));
            d.push(place, Kind::Added, text);
            continue;
        };
        let name = format!("Note \"{}\"", short(&n.text));
        if old.text != n.text {
            d.push(
                place,
                Kind::Changed,
                format!("Note \"{}\" reworded to \"{}\"", short(&old.text), short(&n.text)),
            );
        }
        d.words(place, &format!("{name} status"), old.status.label(), n.status.label());
        d.words(place, &format!("{name} author"), &old.author, &n.author);
        d.words(place, &format!("{name} moved"), &when(old, a.sample_rate), &when(n, b.sample_rate));
        d.words(place, &format!("{name} track"), &track(a, old), &track(b, n));
        let (ra, rb) = (&old.replies, &n.replies);
        let kept = ra.iter().zip(rb).take_while(|(x, y)| x == y).count();
        if ra.len() == kept && rb.len() > kept {
            for r in &rb[kept..] {
                let by = if r.author.is_empty() { String::new() } else { format!(" from {}", r.author) };
                d.push(place, Kind::Changed, format!("{name} reply{by} added: \"{}\"", short(&r.text)));
            }
        } else if ra != rb {
            d.push(place, Kind::Changed, format!("{name} replies changed ({} -> {})", ra.len(), rb.len()));
        }
    }
}

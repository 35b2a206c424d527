//! Differences in the folders: added, removed, renamed, tracks, collapsed,
//! summing bus; each folder named by its name.

use super::{Differ, Kind, Place, strip_label};
use crate::session::{Folder, Session, StripRef};

fn tracks(s: &Session, f: &Folder) -> String {
    let names: Vec<String> = f.tracks.iter().map(|t| strip_label(s, StripRef::Track(*t))).collect();
    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
}

fn sums(s: &Session, f: &Folder) -> String {
    f.bus.map_or_else(|| "no bus".to_owned(), |b| strip_label(s, StripRef::Bus(b)))
}

pub(super) fn folders(d: &mut Differ) {
    let (a, b) = (d.a, d.b);
    for f in a.folders.iter().filter(|f| b.folder(f.id).is_none()) {
        d.push(Place::Session, Kind::Removed, format!("Folder \"{}\" removed", f.name));
    }
    for fb in &b.folders {
        let Some(fa) = a.folder(fb.id) else {
            let text = format!("Folder \"{}\" added ({})", fb.name, tracks(b, fb));
            d.push(Place::Session, Kind::Added, text);
            continue;
        };
        let subject = format!("Folder \"{}\"", fb.name);
        d.words(Place::Session, &format!("Folder \"{}\" name", fa.name), &fa.name, &fb.name);
        d.words(Place::Session, &format!("{subject} tracks"), &tracks(a, fa), &tracks(b, fb));
        d.words(Place::Session, &format!("{subject} sums into"), &sums(a, fa), &sums(b, fb));
        let state = |f: &Folder| if f.collapsed { "collapsed" } else { "open" };
        d.words(Place::Session, &subject, state(fa), state(fb));
    }
}

//! Differences in the groups: added, removed, renamed, members, what they
//! link, suspended; each group named by its name.

use super::{Differ, Kind, Place, strip_label};
use crate::session::{Group, Session};

fn members(s: &Session, g: &Group) -> String {
    let names: Vec<String> = g.members.iter().map(|m| strip_label(s, *m)).collect();
    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
}

fn shares(g: &Group) -> String {
    let s = g.shares;
    let on: Vec<&str> = [
        (s.gain, "gain"),
        (s.mute, "mute"),
        (s.solo, "solo"),
        (s.selection, "selection"),
        (s.automation, "automation"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    if on.is_empty() { "nothing".to_owned() } else { on.join(", ") }
}

pub(super) fn groups(d: &mut Differ) {
    let (a, b) = (d.a, d.b);
    for g in a.groups.iter().filter(|g| b.group(g.id).is_none()) {
        d.push(Place::Session, Kind::Removed, format!("Group \"{}\" removed", g.name));
    }
    for gb in &b.groups {
        let Some(ga) = a.group(gb.id) else {
            let text = format!("Group \"{}\" added ({})", gb.name, members(b, gb));
            d.push(Place::Session, Kind::Added, text);
            continue;
        };
        let subject = format!("Group \"{}\"", gb.name);
        d.words(Place::Session, &format!("Group \"{}\" name", ga.name), &ga.name, &gb.name);
        d.words(Place::Session, &format!("{subject} members"), &members(a, ga), &members(b, gb));
        d.words(Place::Session, &format!("{subject} links"), &shares(ga), &shares(gb));
        let state = |g: &Group| if g.suspended { "suspended" } else { "active" };
        d.words(Place::Session, &subject, state(ga), state(gb));
    }
}

//! Host timers for the CLAP window (the `timer-support` extension): a
//! plugin's GUI registers a period and the child's loop calls the plugin's
//! `on_timer` when each one is due. GUIs built with DPF (ZAM's CLAP
//! plugins) refuse to open without them, and most Linux CLAP GUIs redraw on
//! them.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use clack_extensions::timer::TimerId;

/// The shortest period honoured (CLAP lets a host raise a period it finds
/// too short); the child's loop ticks about this often.
pub const SHORTEST: Duration = Duration::from_millis(15);

/// The timers a plugin registered, on the child's main thread.
#[derive(Debug, Default)]
pub struct Timers {
    list: RefCell<Vec<(TimerId, Duration, Instant)>>,
    next: Cell<u32>,
}

impl Timers {
    /// A new timer every `period_ms`, first due one period from now.
    pub fn register(&self, period_ms: u32) -> TimerId {
        let id = TimerId(self.next.get());
        self.next.set(self.next.get().wrapping_add(1));
        let period = Duration::from_millis(u64::from(period_ms)).max(SHORTEST);
        self.list.borrow_mut().push((id, period, Instant::now() + period));
        id
    }

    /// Forgets timer `id`; whether it was registered.
    pub fn unregister(&self, id: TimerId) -> bool {
        let mut list = self.list.borrow_mut();
        let before = list.len();
        list.retain(|t| t.0 != id);
        list.len() < before
    }

    /// The timers due at `now`, each moved on by its period (a timer that
    /// fell several periods behind fires once, not once per period).
    pub fn due(&self, now: Instant) -> Vec<TimerId> {
        let mut due = Vec::new();
        for (id, period, at) in self.list.borrow_mut().iter_mut() {
            if *at <= now {
                due.push(*id);
                *at = (*at + *period).max(now);
            }
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_when_due_once_each_and_not_after_unregistering() {
        let t = Timers::default();
        let a = t.register(20);
        let b = t.register(1); // raised to the shortest period
        assert_ne!(a, b);
        let start = Instant::now();
        assert!(t.due(start).is_empty(), "nothing is due at once");
        assert_eq!(t.due(start + SHORTEST), [b]);
        assert_eq!(t.due(start + Duration::from_millis(25)), [a], "b's next is 15 ms after its first");
        assert_eq!(t.due(start + Duration::from_secs(5)), [a, b], "late timers fire once");
        assert!(t.unregister(a));
        assert!(!t.unregister(a), "already gone");
        assert_eq!(t.due(start + Duration::from_secs(10)), [b]);
    }
}

//! The interaction every continuous control shares, kept apart from drawing so
//! it can be tested without a window: press and drag vertically to change the
//! value (Shift: ten times finer), double-click to reset, scroll to step.

use std::time::{Duration, Instant};

use iced::mouse::{self, ScrollDelta};
use iced::widget::canvas::{Action, Event};
use iced::{Rectangle, keyboard};

/// What a control tells its owner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ControlEvent {
    /// The value moved to this (while dragging, or one scroll step).
    Moved(f64),
    /// The drag ended (one undo step for the whole drag).
    Released,
    /// Double-clicked: back to the default value.
    Reset,
}

/// Two presses closer than this are a double-click.
const DOUBLE_CLICK: Duration = Duration::from_millis(400);

/// The state of one control's gesture.
#[derive(Debug, Default)]
pub struct DragState {
    /// Where the drag started: cursor y and the normalised position then.
    start: Option<(f32, f64)>,
    last_press: Option<Instant>,
    shift: bool,
    /// The cursor as of the last move event: events can arrive in batches
    /// that all see the batch's final cursor, so a press uses this instead.
    last_move: Option<iced::Point>,
}

/// How a control maps the mouse onto its value.
#[derive(Debug, Clone, Copy)]
pub struct Mapping {
    /// Pixels of vertical travel for the full range.
    pub travel: f32,
    /// The value now, normalised to 0..=1.
    pub position: f64,
    /// One scroll notch, normalised.
    pub step: f64,
}

impl DragState {
    /// Handles one event; `to_value` turns a normalised position into the control's value.
    pub fn update<M>(
        &mut self,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
        map: Mapping,
        to_value: impl Fn(f64) -> f64,
        publish: impl Fn(ControlEvent) -> M,
    ) -> Option<Action<M>> {
        match event {
            Event::Keyboard(keyboard::Event::ModifiersChanged(m)) => {
                self.shift = m.shift();
                None
            }
            Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left)) => {
                let at = self.last_move.or(cursor.position())?;
                if !bounds.contains(at) {
                    return None;
                }
                let p = iced::Point::new(at.x - bounds.x, at.y - bounds.y);
                let now = Instant::now();
                if self.last_press.is_some_and(|t| now.duration_since(t) < DOUBLE_CLICK) {
                    self.last_press = None;
                    self.start = None;
                    return Some(Action::publish(publish(ControlEvent::Reset)).and_capture());
                }
                self.last_press = Some(now);
                self.start = Some((p.y, map.position));
                Some(Action::capture())
            }
            Event::Mouse(mouse::Event::CursorMoved { position }) => {
                self.last_move = Some(*position);
                let (y0, p0) = self.start?;
                let y = position.y - bounds.y;
                Some(
                    Action::publish(publish(ControlEvent::Moved(to_value(self.dragged(y0, p0, y, map)))))
                        .and_capture(),
                )
            }
            Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left)) => {
                self.start.take()?;
                Some(Action::publish(publish(ControlEvent::Released)).and_capture())
            }
            Event::Mouse(mouse::Event::WheelScrolled { delta }) => {
                cursor.position_in(bounds)?;
                let notches = match delta {
                    ScrollDelta::Lines { y, .. } => f64::from(*y),
                    ScrollDelta::Pixels { y, .. } => f64::from(*y) / 20.0,
                };
                let fine = if self.shift { 0.1 } else { 1.0 };
                let p = (map.position + notches * map.step * fine).clamp(0.0, 1.0);
                Some(Action::publish(publish(ControlEvent::Moved(to_value(p)))).and_capture())
            }
            _ => None,
        }
    }

    /// The normalised position after dragging from `y0` (where it was `p0`) to `y`.
    pub fn dragged(&self, y0: f32, p0: f64, y: f32, map: Mapping) -> f64 {
        let fine = if self.shift { 0.1 } else { 1.0 };
        (p0 + f64::from(y0 - y) / f64::from(map.travel.max(1.0)) * fine).clamp(0.0, 1.0)
    }

    /// Whether a drag is in progress.
    pub fn dragging(&self) -> bool {
        self.start.is_some()
    }
}

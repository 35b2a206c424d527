//! The window rasterised by the software renderer the app uses, the way its
//! compositor does it: the first frame whole, then only the rectangles that
//! changed (the damage). A frame redrawn from the damage must equal the same
//! frame drawn whole; where it does not, the window shows ghosts of what was
//! there before (the ruler kept fragments of old playheads).

use std::future::Future;

use iced::advanced::Renderer as _;
use iced::advanced::graphics::{Viewport, damage};
use iced::advanced::layout::{Layout, Limits};
use iced::advanced::renderer::{Headless, Style};
use iced::advanced::widget::Tree;
use iced::{Pixels, Rectangle, Size, mouse};
use iced_tiny_skia::Layer;

use super::tests::fixture;
use super::{App, Page, theme};

const W: u32 = 1600;
const H: u32 = 1000;

/// A software renderer and the window's pixels, kept between frames.
struct Raster {
    renderer: iced::Renderer,
    pixels: Vec<u8>,
    mask: tiny_skia::Mask,
    previous: Option<Vec<Layer>>,
    tree: Option<Tree>,
}

impl Raster {
    fn new() -> Raster {
        iced::advanced::graphics::text::font_system().write().unwrap().load_font(theme::FONT_BYTES.into());
        let mut making = std::pin::pin!(<iced::Renderer as Headless>::new(theme::FONT, Pixels(16.0), None));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let std::task::Poll::Ready(Some(renderer)) = making.as_mut().poll(&mut cx) else {
            panic!("no software renderer")
        };
        Raster {
            renderer,
            pixels: vec![0; 4 * (W * H) as usize],
            mask: tiny_skia::Mask::new(W, H).unwrap(),
            previous: None,
            tree: None,
        }
    }

    /// Lays out and draws `app`'s view, then rasterises all of it (`whole`) or
    /// only what changed since the last frame.
    fn frame(&mut self, app: &App, whole: bool) {
        let size = Size::new(W as f32, H as f32);
        let window = Rectangle::with_size(size);
        let theme = app.theme();
        let style = Style { text_color: theme.palette().text };
        let mut element = app.view();
        // The widget tree lives on between frames, as in the window.
        let tree = match self.tree.as_mut() {
            Some(t) => {
                t.diff(&element);
                t
            }
            None => self.tree.insert(Tree::new(&element)),
        };
        let node = element.as_widget_mut().layout(tree, &self.renderer, &Limits::new(Size::ZERO, size));
        self.renderer.reset(window);
        element.as_widget().draw(
            tree,
            &mut self.renderer,
            &theme,
            &style,
            Layout::new(&node),
            mouse::Cursor::Unavailable,
            &window,
        );
        let layers = self.renderer.layers().to_vec();
        let damage = match (&self.previous, whole) {
            (Some(last), false) => {
                damage::group(damage::diff(last, &layers, |l| vec![l.bounds], Layer::damage), window)
            }
            _ => vec![window],
        };
        let viewport = Viewport::with_physical_size(iced::Size::new(W, H), 1.0);
        let mut target = tiny_skia::PixmapMut::from_bytes(&mut self.pixels, W, H).unwrap();
        self.renderer.draw(&mut target, &mut self.mask, &viewport, &damage, iced::Color::BLACK);
        self.previous = Some(layers);
    }
}

/// Where two frames differ by more than `tolerance` in a channel: (x, y, the difference).
///
/// A shape cut by a damage rectangle is drawn through the clip mask, which
/// tiny-skia blends at a lower precision: its edge pixels may differ by a few
/// levels from a whole redraw (at most 9 seen). A ghost is a shape's edge
/// blended in again: tens of levels.
fn differences(a: &[u8], b: &[u8], tolerance: u8) -> Vec<(u32, u32, u8)> {
    a.chunks(4)
        .zip(b.chunks(4))
        .enumerate()
        .filter_map(|(i, (p, q))| {
            let d = p.iter().zip(q).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0);
            (d > tolerance).then_some((i as u32 % W, i as u32 / W, d))
        })
        .collect()
}

#[test]
fn the_playhead_leaves_no_ghost_when_only_the_damage_is_redrawn() {
    let (_dir, mut app) = fixture();
    app.page = Page::Timeline;
    app.timeline.span.spp = 100.0;
    let mut live = Raster::new();
    app.audio.position = 3_000;
    live.frame(&app, true);
    // The playhead moves on, as while playing, and jumps back, as a seek does.
    for position in [7_777, 12_345, 20_011, 5_555] {
        app.audio.position = position;
        live.frame(&app, false);
    }
    let mut whole = Raster::new();
    whole.frame(&app, true);
    let diff = differences(&live.pixels, &whole.pixels, 12);
    assert!(
        diff.is_empty(),
        "{} pixels differ from a whole redraw, first {:?}",
        diff.len(),
        &diff[..diff.len().min(8)]
    );
}

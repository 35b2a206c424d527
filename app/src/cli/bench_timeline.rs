//! `mixdesk bench timeline`: how long the window takes to redraw the timeline
//! while it scrolls, with the software renderer the app uses (tiny-skia), on a
//! synthetic session of N tracks x M clips with waveforms. Each frame is the
//! whole window as the app builds it: view, layout, draw and rasterise
//! (1600x1000 at scale 1), with the timeline scrolled 20 px further each time,
//! so the rows canvas redraws every frame as it does while scrolling.
//!
//! Rasterising is what the window's compositor does when it presents a frame
//! (`iced_tiny_skia::window::compositor::present`): the renderer draws into a
//! pixel buffer and clip mask kept from frame to frame. The main figure
//! redraws the whole window; the second redraws only what changed since the
//! previous frame, found the way the compositor finds it, which is what a
//! window whose buffer is kept between frames does.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use iced::advanced::Renderer as _;
use iced::advanced::graphics::{Viewport, damage};
use iced::advanced::layout::{Layout, Limits};
use iced::advanced::renderer::{Headless, Style};
use iced::advanced::widget::Tree;
use iced::{Pixels, Size, mouse};
use iced_tiny_skia::Layer;
use mixdesk_engine::media::peaks::Peaks;
use mixdesk_engine::session::{Clip, ClipId, Fade, Session, Track};
use mixdesk_engine::units::{Decibels, SampleTime};
use std::future::Future;

use crate::gui::document::Document;
use crate::gui::prefs::Preferences;
use crate::gui::{App, Launch, theme, timeline};

use super::out::{CliError, outln};

const RATE: u32 = 48_000;
const TAKES: usize = 8;

/// A session of `tracks` tracks with `clips` clips each (6 s clips, 1 s apart),
/// drawing from eight media files, and their overviews.
fn session(tracks: usize, clips: usize) -> (Session, Vec<(PathBuf, Arc<Peaks>)>) {
    let mut s = Session::new(RATE);
    let clip_len = 6 * u64::from(RATE);
    for t in 0..tracks {
        let mut track = Track::with_one_clip(
            1000 + 100 * t as u32,
            format!("Track {}", t + 1),
            PathBuf::new(),
            SampleTime(1),
        );
        track.clips = (0..clips)
            .map(|k| Clip {
                id: ClipId(1001 + 100 * t as u32 + k as u32),
                media: PathBuf::from(format!("media/take{}.wav", (t + k) % TAKES)),
                start: SampleTime(k as u64 * (clip_len + u64::from(RATE))),
                source_offset: SampleTime(0),
                length: SampleTime(clip_len),
                gain_db: Decibels(0.0),
                fade_in: Fade { length: SampleTime(4800), ..Fade::default() },
                fade_out: Fade { length: SampleTime(9600), ..Fade::default() },
                fingerprint: None,
            })
            .collect();
        s.tracks.push(track);
    }
    let waves = (0..TAKES)
        .map(|k| {
            let n = clip_len as usize;
            let x: Vec<f32> = (0..n)
                .map(|i| {
                    let env = ((i as f32 / 12_000.0 + k as f32).sin() * 0.5 + 0.5).powi(2);
                    env * ((i as f32 * (0.01 + 0.003 * k as f32)).sin() * 0.9)
                })
                .collect();
            (PathBuf::from(format!("media/take{k}.wav")), Arc::new(Peaks::compute(&[&x])))
        })
        .collect();
    (s, waves)
}

/// Runs the benchmark and prints per-frame times.
pub fn run(tracks: usize, clips: usize, frames: usize) -> Result<(), CliError> {
    let size = Size::new(1600.0f32, 1000.0);
    let (mut app, _) =
        App::boot(Launch { session: None, null_output: true, prefs: Some(Preferences::default()) });
    let (s, waves) = session(tracks, clips);
    let dir = std::env::temp_dir().join("mixdesk-bench-timeline");
    app.doc = Document::new(s, Some(dir.join("bench.mixdesk")));
    for (media, peaks) in waves {
        app.waves.insert(dir.join(media), peaks);
    }
    app.timeline = timeline::TimelineUi::for_session(&app.doc.session);
    // About 40 seconds across the width: several clips per row, all with waveforms.
    app.timeline.span.spp = 40.0 * f64::from(RATE) / f64::from(app.timeline.width);

    iced::advanced::graphics::text::font_system()
        .write()
        .map_err(|_| "the font system is poisoned".to_owned())?
        .load_font(theme::FONT_BYTES.into());
    // The software renderer is ready at once: poll its constructor once.
    let mut making = std::pin::pin!(<iced::Renderer as Headless>::new(theme::FONT, Pixels(16.0), None));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut renderer = match making.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(Some(r)) => r,
        _ => return Err("no software renderer available".into()),
    };
    let theme = app.theme();
    let style = Style { text_color: timeline_text(&theme) };

    let (width, height) = (size.width as u32, size.height as u32);
    let viewport = Viewport::with_physical_size(iced::Size::new(width, height), 1.0);
    let window = iced::Rectangle::with_size(size);
    let mut pixels = vec![0u8; 4 * (width * height) as usize];
    let mut mask = tiny_skia::Mask::new(width, height).ok_or("no clip mask")?;
    let mut previous: Option<Vec<Layer>> = None;

    let mut tree: Option<Tree> = None;
    let mut times = Vec::with_capacity(frames);
    let mut raster = Vec::with_capacity(frames);
    let mut damaged = Vec::with_capacity(frames);
    let mut damaged_area = 0.0;
    for frame in 0..frames + 5 {
        let start = Instant::now();
        let mut element = app.view();
        let tree = match tree.as_mut() {
            Some(t) => {
                t.diff(&element);
                t
            }
            None => tree.insert(Tree::new(&element)),
        };
        let node = element.as_widget_mut().layout(tree, &renderer, &Limits::new(Size::ZERO, size));
        // As iced's `UserInterface::draw` does: start from empty layers
        // (without this every frame also draws all the frames before it).
        renderer.reset(window);
        element.as_widget().draw(
            tree,
            &mut renderer,
            &theme,
            &style,
            Layout::new(&node),
            mouse::Cursor::Unavailable,
            &window,
        );
        let drawn = Instant::now();
        let mut target =
            tiny_skia::PixmapMut::from_bytes(&mut pixels, width, height).ok_or("no pixel buffer")?;
        renderer.draw(&mut target, &mut mask, &viewport, &[window], iced::Color::BLACK);
        let done = Instant::now();
        std::hint::black_box(&pixels);
        // What changed since the previous frame, as the compositor works it out.
        let layers = renderer.layers().to_vec();
        let damage = previous
            .as_ref()
            .map(|last| damage::diff(last, &layers, |l| vec![l.bounds], Layer::damage))
            .map_or_else(|| vec![window], |d| damage::group(d, window));
        let partial = Instant::now();
        let mut target =
            tiny_skia::PixmapMut::from_bytes(&mut pixels, width, height).ok_or("no pixel buffer")?;
        renderer.draw(&mut target, &mut mask, &viewport, &damage, iced::Color::BLACK);
        let partial_done = Instant::now();
        previous = Some(layers);
        drop(element);
        if frame >= 5 {
            times.push((done - start).as_secs_f64() * 1000.0);
            raster.push((done - drawn).as_secs_f64() * 1000.0);
            damaged.push(((drawn - start) + (partial_done - partial)).as_secs_f64() * 1000.0);
            damaged_area += damage.iter().map(|r| r.area()).sum::<f32>() / window.area() / frames as f32;
        }
        app.timeline.scroll_by(20.0);
    }
    times.sort_by(f64::total_cmp);
    raster.sort_by(f64::total_cmp);
    damaged.sort_by(f64::total_cmp);
    let pct = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    outln!(
        "timeline redraw while scrolling: {tracks} tracks x {clips} clips with waveforms, 1600x1000, tiny-skia, {frames} frames"
    );
    outln!(
        "  per frame (view + layout + draw + rasterise): median {:.1} ms, 95th percentile {:.1} ms, max {:.1} ms (target <= 16 ms)",
        pct(&times, 0.5),
        pct(&times, 0.95),
        times[times.len() - 1]
    );
    outln!("  of which rasterising: median {:.1} ms", pct(&raster, 0.5));
    outln!(
        "  redrawing only what changed ({:.0} % of the window): median {:.1} ms, 95th percentile {:.1} ms",
        damaged_area * 100.0,
        pct(&damaged, 0.5),
        pct(&damaged, 0.95)
    );
    Ok(())
}

fn timeline_text(theme: &iced::Theme) -> iced::Color {
    theme.palette().text
}

//! Drawing the rows: clips with waveforms, fades, names and gain; lanes with
//! their curves and points; and the overlay (playhead, values at the
//! playhead, rubber band, pencil stroke).

use iced::widget::canvas::{Frame, LineDash, Path as CPath, Stroke};
use iced::{Color, Point, Rectangle, Renderer, Size};
use mixdesk_engine::session::{Clip, ParamId, Track};

use super::super::geometry::{self, Row, RowKind};
use super::super::label;
use super::{Drag, GRAB, Rows, State, TITLE, WAVE_STEP, clip_x, lane_value};
use crate::gui::theme::{Colors, track_colour};

pub(super) fn alpha(c: Color, a: f32) -> Color {
    Color { a, ..c }
}

/// `a` over `b` at opacity `t`, as an opaque colour. Thin lines are drawn
/// opaque: the software renderer fills opaque spans with a plain memory
/// fill, but runs its blending pipeline once per row for a translucent
/// one-pixel line (a hundred grid lines cost more than everything else).
pub(super) fn mix(a: Color, b: Color, t: f32) -> Color {
    Color::from_rgb(b.r + (a.r - b.r) * t, b.g + (a.g - b.g) * t, b.b + (a.b - b.b) * t)
}

impl Rows<'_> {
    pub(super) fn visible(&self, row: &Row) -> bool {
        row.y + row.height >= self.ui.scroll_y - 1.0 && row.y <= self.ui.scroll_y + self.ui.height + 1.0
    }

    pub(super) fn draw_rows(&self, frame: &mut Frame<Renderer>, c: &Colors, size: Size) {
        let span = self.ui.span;
        let (top, bottom) = (self.ui.scroll_y, (self.ui.scroll_y + self.ui.height).min(size.height));
        // The window's own background shows between clips; rows are told
        // apart by a hairline (large fills are what the software renderer
        // is slowest at).
        let rows = self.rows();
        for row in rows.iter().filter(|r| self.visible(r)) {
            let line =
                if matches!(row.kind, RowKind::Track(_)) { c.border } else { mix(c.border, c.window, 0.5) };
            frame.fill_rectangle(Point::new(0.0, row.y + row.height - 1.0), Size::new(size.width, 1.0), line);
        }
        // Grid: bars strong, finer steps faint.
        let rate = self.session.sample_rate;
        let step = geometry::grid_step(self.session.tempo, rate, span.spp, 12.0);
        let bar = geometry::beat_samples(self.session.tempo, rate)
            * f64::from(self.session.tempo.beats_per_bar.max(1));
        let first = (span.scroll / step).floor() as i64;
        let last = (span.t(size.width) / step).ceil() as i64;
        for k in first.max(0)..=last {
            let t = k as f64 * step;
            let x = span.x(t).round() + 0.5;
            let on_bar = (t / bar - (t / bar).round()).abs() < 1e-6;
            let colour = if on_bar { mix(c.border, c.window, 0.9) } else { mix(c.border, c.window, 0.45) };
            frame.fill_rectangle(Point::new(x, top), Size::new(1.0, bottom - top), colour);
        }
        for row in rows.iter().filter(|r| self.visible(r)) {
            match row.kind {
                RowKind::Track(i) => self.draw_track(frame, c, &self.session.tracks[i], row, size.width),
                RowKind::Lane(_, param) => self.draw_lane(frame, c, param, row, size.width),
                RowKind::Folder(f) => self.draw_folder(frame, &self.session.folders[f], row, size.width),
            }
        }
        // The loop range, tinting everything under it (clips are opaque).
        if let Some(l) = self.session.loop_range {
            let (x0, x1) = (span.x(l.start.0 as f64), span.x(l.end.0 as f64));
            let a = if l.enabled { 0.10 } else { 0.04 };
            frame.fill_rectangle(Point::new(x0, top), Size::new(x1 - x0, bottom - top), alpha(c.accent, a));
        }
        for m in &self.session.markers {
            let x = span.x(m.position.0 as f64);
            frame.fill_rectangle(
                Point::new(x, top),
                Size::new(1.0, bottom - top),
                mix(c.mute, c.window, 0.5),
            );
        }
    }

    /// A folder's row: where its tracks have clips, in the folder's colour
    /// (one band per stretch, so a collapsed folder still shows its shape).
    fn draw_folder(
        &self,
        frame: &mut Frame<Renderer>,
        f: &mixdesk_engine::session::Folder,
        row: &Row,
        width: f32,
    ) {
        let span = self.ui.span;
        let tint = track_colour(f.colour);
        let clips = self.session.tracks.iter().filter(|t| f.tracks.contains(&t.id)).flat_map(|t| &t.clips);
        for clip in clips {
            let (x0, x1) = clip_x(span, clip);
            if x1 < 0.0 || x0 > width {
                continue;
            }
            let (y, h) = (row.y + 6.0, row.height - 12.0);
            frame.fill_rectangle(Point::new(x0, y), Size::new((x1 - x0).max(1.0), h), tint);
        }
    }

    fn draw_track(&self, frame: &mut Frame<Renderer>, c: &Colors, track: &Track, row: &Row, width: f32) {
        let span = self.ui.span;
        let tint = track_colour(track.colour);
        for clip in &track.clips {
            let (x0, x1) = clip_x(span, clip);
            if x1 < 0.0 || x0 > width {
                continue;
            }
            let selected = self.ui.selected.contains(&clip.id);
            let y = row.y + 1.0;
            let h = row.height - 3.0;
            let body = Rectangle::new(Point::new(x0, y), Size::new((x1 - x0).max(1.0), h));
            // Opaque fills: plain rectangle blits for the renderer, no blending.
            frame.fill_rectangle(body.position(), body.size(), mix(tint, c.window, 0.22));
            frame.fill_rectangle(body.position(), Size::new(body.width, TITLE), mix(tint, c.window, 0.55));
            let media = self.dir.join(&clip.media);
            let wave_top = y + TITLE;
            let wave_h = h - TITLE;
            if let Some(peaks) = self.waves.get(&media) {
                self.draw_wave(frame, clip, peaks, tint, c.window, wave_top, wave_h, width);
            } else if self.missing.contains(&clip.id) || self.waves.failure(&media).is_some() {
                let mut x = x0.max(-wave_h);
                while x < x1.min(width) {
                    let line =
                        CPath::line(Point::new(x, wave_top + wave_h), Point::new(x + wave_h, wave_top));
                    frame.stroke(&line, Stroke::default().with_color(alpha(c.danger, 0.5)).with_width(1.0));
                    x += 12.0;
                }
                label::draw(
                    frame,
                    &format!("missing: {}", clip.media.display()),
                    Point::new(x0.max(0.0) + 4.0, wave_top + 3.0),
                    11.0,
                    c.danger,
                    (x1 - x0.max(0.0) - 8.0).max(0.0),
                );
            }
            self.draw_fades(frame, c, clip, x0, x1, y, h);
            // Name and gain.
            let name = clip.media.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            let visible_x0 = x0.max(0.0);
            label::draw(
                frame,
                &name,
                Point::new(visible_x0 + 4.0, y + 1.5),
                11.0,
                c.text,
                (x1 - visible_x0) / 2.0 - 14.0,
            );
            let mid = (x0 + x1) / 2.0;
            if x1 - x0 > 40.0 {
                let handle = CPath::circle(Point::new(mid, y + TITLE / 2.0), 3.5);
                frame.fill(&handle, c.text);
                if clip.gain_db.0 != 0.0 {
                    label::draw(
                        frame,
                        &format!("{:+.1} dB", clip.gain_db.0),
                        Point::new(mid + 7.0, y + 1.5),
                        10.0,
                        c.text,
                        (x1 - mid - 20.0).max(0.0),
                    );
                }
            }
            let outline = CPath::rectangle(body.position(), body.size());
            let (colour, w) = if selected { (c.accent, 2.0) } else { (alpha(tint, 0.9), 1.0) };
            frame.stroke(&outline, Stroke::default().with_color(colour).with_width(w));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_wave(
        &self,
        frame: &mut Frame<Renderer>,
        clip: &Clip,
        peaks: &mixdesk_engine::media::peaks::Peaks,
        tint: Color,
        window: Color,
        top: f32,
        h: f32,
        width: f32,
    ) {
        let span = self.ui.span;
        let (x0, x1) = clip_x(span, clip);
        let (from, to) = (x0.max(0.0).floor() as i32, x1.min(width).ceil() as i32);
        if to <= from || h < 4.0 {
            return;
        }
        let gain = 10f64.powf(clip.gain_db.0 / 20.0) as f32;
        let mid = top + h / 2.0;
        let half = h / 2.0 - 1.0;
        let mut upper = Vec::with_capacity((to - from) as usize + 1);
        let mut lower = Vec::with_capacity((to - from) as usize + 1);
        // A vertex every WAVE_STEP pixels (the extremes of those columns):
        // the renderer's cost is in the polygon's edges, and halving them
        // halves the waveforms' share of a frame.
        for px in (from..to).step_by(WAVE_STEP) {
            let t0 = span.t(px as f32) - clip.start.0 as f64;
            let t1 = t0 + span.spp * WAVE_STEP as f64;
            let a = (t0.max(0.0) as u64) + clip.source_offset.0;
            let b = (t1.min(clip.length.0 as f64).max(0.0) as u64 + clip.source_offset.0).max(a + 1);
            let (mut lo, mut hi) = (0.0f32, 0.0f32);
            for ch in 0..peaks.channels() {
                if let Some((l, u)) = peaks.range(ch, a, b) {
                    lo = lo.min(l);
                    hi = hi.max(u);
                }
            }
            let x = (px as f32 + WAVE_STEP as f32 / 2.0).min(to as f32);
            upper.push(Point::new(x, mid - (hi * gain).clamp(-1.0, 1.0) * half - 0.5));
            lower.push(Point::new(x, mid - (lo * gain).clamp(-1.0, 1.0) * half + 0.5));
        }
        let path = CPath::new(|b| {
            b.move_to(upper[0]);
            for p in &upper[1..] {
                b.line_to(*p);
            }
            for p in lower.iter().rev() {
                b.line_to(*p);
            }
            b.close();
        });
        // Opaque: the renderer skips blending for opaque fills.
        frame.fill(&path, mix(tint, mix(tint, window, 0.22), 0.85));
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_fades(
        &self,
        frame: &mut Frame<Renderer>,
        c: &Colors,
        clip: &Clip,
        x0: f32,
        x1: f32,
        y: f32,
        h: f32,
    ) {
        let spp = self.ui.span.spp;
        let fin = (clip.fade_in.length.0 as f64 / spp) as f32;
        let fout = (clip.fade_out.length.0 as f64 / spp) as f32;
        let shade = alpha(c.border, 0.55);
        let line = Stroke::default().with_color(c.text).with_width(1.0);
        let curve = |x_from: f32, w: f32, rising: bool, shape| {
            CPath::new(|b| {
                let n = (w / 3.0).clamp(2.0, 48.0) as usize;
                for k in 0..=n {
                    let f = k as f64 / n as f64;
                    let g = mixdesk_engine::graph::fade::fade_gain(shape, if rising { f } else { 1.0 - f })
                        as f32;
                    let p = Point::new(x_from + w * f as f32, y + TITLE + (h - TITLE) * (1.0 - g));
                    if k == 0 { b.move_to(p) } else { b.line_to(p) }
                }
            })
        };
        if fin > 0.5 {
            let shadow = CPath::new(|b| {
                b.move_to(Point::new(x0, y + TITLE));
                b.line_to(Point::new(x0 + fin, y + TITLE));
                b.line_to(Point::new(x0, y + h));
                b.close();
            });
            frame.fill(&shadow, shade);
            frame.stroke(&curve(x0, fin, true, clip.fade_in.shape), line);
        }
        if fout > 0.5 {
            let shadow = CPath::new(|b| {
                b.move_to(Point::new(x1 - fout, y + TITLE));
                b.line_to(Point::new(x1, y + TITLE));
                b.line_to(Point::new(x1, y + h));
                b.close();
            });
            frame.fill(&shadow, shade);
            frame.stroke(&curve(x1 - fout, fout, false, clip.fade_out.shape), line);
        }
        for x in [x0 + fin, x1 - fout] {
            let handle = CPath::rectangle(Point::new(x - 3.5, y + 2.0), Size::new(7.0, 7.0));
            frame.fill(&handle, c.text);
        }
    }

    fn draw_lane(&self, frame: &mut Frame<Renderer>, c: &Colors, param: ParamId, row: &Row, width: f32) {
        let Some(info) = self.info(param) else { return };
        let span = self.ui.span;
        let colour = self
            .session
            .tracks
            .iter()
            .find(|t| Some(t.id) == super::super::track_of(self.session, param))
            .map_or(c.accent, |t| track_colour(t.colour));
        // Unity / centre guide.
        let guide = match info.unit {
            mixdesk_engine::session::Unit::Decibels => Some(0.0),
            mixdesk_engine::session::Unit::Pan => Some(0.0),
            _ => None,
        };
        if let Some(g) = guide.filter(|g| *g >= info.min && *g <= info.max) {
            let y = row.y + geometry::lane_y(&info, g, row.height);
            frame.fill_rectangle(Point::new(0.0, y), Size::new(width, 1.0), alpha(c.dim, 0.35));
        }
        // The value scale at the lane's left edge.
        for (y, text) in geometry::lane_scale(&info, row.height) {
            let y = row.y + y;
            frame.fill_rectangle(Point::new(0.0, y.round()), Size::new(4.0, 1.0), c.dim);
            label::draw(frame, &text, Point::new(6.0, y - 5.5), 9.0, c.dim, 48.0);
        }
        let lane = self.session.lane(param).filter(|l| !l.points.is_empty());
        let Some(lane) = lane else {
            // No automation: the control's fixed value, dashed.
            if let Some(v) = self.session.param_value(param) {
                let y = row.y + geometry::lane_y(&info, v, row.height);
                let dash = Stroke {
                    line_dash: LineDash { segments: &[4.0, 4.0], offset: 0 },
                    ..Stroke::default().with_color(alpha(colour, 0.6)).with_width(1.0)
                };
                frame.stroke(&CPath::line(Point::new(0.0, y), Point::new(width, y)), dash);
            }
            label::draw(
                frame,
                "click to add points, or pick the pencil and draw",
                Point::new(56.0, row.y + 4.0),
                10.0,
                c.dim,
                320.0,
            );
            return;
        };
        let off = lane.mode == mixdesk_engine::session::AutoMode::Off;
        let line_colour = if off { c.dim } else { colour };
        let curve = CPath::new(|b| {
            let mut x = 0.0f32;
            let mut first = true;
            while x <= width + 2.0 {
                let t = span.sample(x);
                if let Some(v) = lane_value(lane, &info, t) {
                    let p = Point::new(x, row.y + geometry::lane_y(&info, v, row.height));
                    if first {
                        b.move_to(p);
                        first = false;
                    } else {
                        b.line_to(p);
                    }
                }
                x += 2.0;
            }
        });
        frame.stroke(&curve, Stroke::default().with_color(line_colour).with_width(1.6));
        let selected: &[usize] = match &self.ui.points {
            Some((p, idx)) if *p == param => idx,
            _ => &[],
        };
        for (i, pt) in lane.points.iter().enumerate() {
            let x = span.x(pt.time as f64);
            if !(-GRAB..=width + GRAB).contains(&x) {
                continue;
            }
            let y = row.y + geometry::lane_y(&info, pt.value, row.height);
            let dot = CPath::circle(Point::new(x, y), 3.5);
            if selected.contains(&i) {
                frame.fill(&dot, c.accent);
                frame.stroke(&dot, Stroke::default().with_color(c.text).with_width(1.0));
            } else {
                frame.fill(&dot, c.window);
                frame.stroke(&dot, Stroke::default().with_color(line_colour).with_width(1.5));
            }
        }
    }

    pub(super) fn draw_overlay(&self, frame: &mut Frame<Renderer>, state: &State, c: &Colors, size: Size) {
        let span = self.ui.span;
        let (top, bottom) = (self.ui.scroll_y, (self.ui.scroll_y + self.ui.height).min(size.height));
        let x = span.x(self.position);
        if (0.0..=size.width).contains(&x) {
            frame.fill_rectangle(Point::new(x.round(), top), Size::new(1.5, bottom - top), c.danger);
            // The value each lane plays now.
            for row in self.rows().iter().filter(|r| self.visible(r)) {
                let RowKind::Lane(_, param) = row.kind else { continue };
                let (Some(lane), Some(info)) = (self.session.lane(param), self.info(param)) else { continue };
                if lane.points.is_empty() || lane.mode == mixdesk_engine::session::AutoMode::Off {
                    continue;
                }
                if let Some(v) = lane_value(lane, &info, self.position.max(0.0) as u64) {
                    let y = row.y + geometry::lane_y(&info, v, row.height);
                    frame.fill(&CPath::circle(Point::new(x, y), 4.5), c.danger);
                    if self.playing {
                        label::draw(
                            frame,
                            &info.format(v),
                            Point::new(x + 7.0, y - 13.0),
                            11.0,
                            c.text,
                            90.0,
                        );
                    }
                }
            }
        }
        match &state.drag {
            Some(Drag::Band { origin, now }) | Some(Drag::LaneEmpty { origin, now, .. }) => {
                let r = Rectangle::new(
                    Point::new(origin.x.min(now.x), origin.y.min(now.y)),
                    Size::new((origin.x - now.x).abs(), (origin.y - now.y).abs()),
                );
                frame.fill_rectangle(r.position(), r.size(), alpha(c.accent, 0.15));
                frame.stroke(
                    &CPath::rectangle(r.position(), r.size()),
                    Stroke::default().with_color(c.accent).with_width(1.0),
                );
            }
            Some(Drag::Pencil { marks, .. }) if marks.len() > 1 => {
                let path = CPath::new(|b| {
                    b.move_to(marks[0]);
                    for p in &marks[1..] {
                        b.line_to(*p);
                    }
                });
                frame.stroke(&path, Stroke::default().with_color(c.mute).with_width(2.0));
            }
            _ => {}
        }
    }
}

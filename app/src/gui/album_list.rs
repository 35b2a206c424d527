//! The album view's layout: the file and the album's names, one row per
//! song (title, file, gap, crossfade, gain, ISRC, move, remove, play the
//! transition into it), adding a song, the previews and the export.

use iced::widget::{
    Column, button, checkbox, column, container, pick_list, progress_bar, row, scrollable, text, text_input,
};
use iced::{Alignment, Element, Length};

use super::album_view::{ADD_FIELD, AlbumView, FILE_FIELD, Field, Message, OUT_FIELD};
use super::export::{Depth, RateChoice};
use super::theme::{self, Tone};

fn small(label: String, on: Option<Message>) -> Element<'static, Message> {
    let b = button(text(label).size(12)).padding([3, 6]).style(theme::button(Tone::Plain, false));
    match on {
        Some(m) => b.on_press(m).into(),
        None => b.into(),
    }
}

fn input<'a>(
    id: iced::widget::Id,
    placeholder: &'a str,
    value: &'a str,
    width: f32,
    on: impl Fn(String) -> Message + 'a,
) -> Element<'a, Message> {
    text_input(placeholder, value)
        .id(id)
        .size(12)
        .padding(3)
        .width(Length::Fixed(width))
        .style(theme::input)
        .on_input(on)
        .into()
}

impl AlbumView {
    /// The view (a dialog over the window).
    pub fn view(&self, previewing: bool) -> Element<'_, Message> {
        let label = |s: &'static str| text(s).size(13).width(Length::Fixed(70.0));
        let mut body = Column::new().spacing(10).push(text("Album").size(18));
        body = body.push(
            row![
                label("File"),
                text_input("ep.album.ron", &self.file)
                    .id(iced::widget::Id::new(FILE_FIELD))
                    .size(13)
                    .padding(4)
                    .style(theme::input)
                    .on_input(Message::FileTyped),
                small("Open album".into(), Some(Message::Load)),
                small("Save album".into(), Some(Message::Save)),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
        body = body.push(
            row![
                label("Title"),
                input("album-title".into(), "", &self.title, 260.0, Message::TitleTyped),
                text("Artist").size(13),
                input("album-artist".into(), "", &self.artist, 260.0, Message::ArtistTyped),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
        body = body.push(self.songs());
        body = body.push(
            row![
                label("New song"),
                text_input("a session (.mixdesk) or an audio file", &self.add)
                    .id(iced::widget::Id::new(ADD_FIELD))
                    .size(13)
                    .padding(4)
                    .style(theme::input)
                    .on_input(Message::AddTyped)
                    .on_submit(Message::Add),
                small("Add".into(), Some(Message::Add)),
                small("Choose…".into(), Some(Message::Browse)),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
        if self.no_dialog {
            body = body.push(
                text(format!("{} {}", super::path_prompt::NO_DIALOG, super::path_prompt::INSTALL_HINT))
                    .size(12)
                    .style(theme::warning_text),
            );
        }
        let busy = self.rendering || self.is_running();
        body = body.push(
            row![
                label("Listen"),
                small("Play album".into(), (!busy).then_some(Message::PlayAlbum)),
                text("at one level:").size(12),
                input("album-lufs".into(), "", &self.lufs, 50.0, Message::LufsTyped),
                text("LUFS").size(12),
                small("Stop preview".into(), previewing.then_some(Message::Stop)),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
        body = body.push(self.export_row(busy));
        match &self.said {
            Some(Ok(s)) => body = body.push(text(s.clone()).size(12)),
            Some(Err(e)) => body = body.push(banner(e)),
            None => {}
        }
        if self.is_running() {
            body = body.push(
                row![
                    progress_bar(0.0..=1.0, self.progress()).girth(14).style(theme::progress),
                    text(format!("{:.0} %", 100.0 * self.progress())).size(13),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
        match &self.result {
            Some(Ok(lines)) => {
                let lines = lines.iter().map(|l| text(l.clone()).size(12).font(iced::Font::MONOSPACE).into());
                body = body.push(scrollable(column(lines).spacing(2)).height(Length::Shrink));
            }
            Some(Err(e)) => body = body.push(banner(e)),
            None => {}
        }
        body = body.push(
            button(text("Close").size(14))
                .padding([6, 18])
                .style(theme::button(Tone::Plain, false))
                .on_press(Message::Closed),
        );
        container(scrollable(body)).padding(16).width(Length::Fixed(1100.0)).style(theme::dialog).into()
    }

    fn songs<'a>(&'a self) -> Element<'a, Message> {
        let head = |s: &'static str, w: f32| text(s).size(12).width(Length::Fixed(w)).style(theme::dim_text);
        let mut list = Column::new().spacing(4).push(
            row![
                head("#", 24.0),
                head("Title", 170.0),
                head("File", 240.0),
                head("Gap s", 56.0),
                head("Xfade s", 56.0),
                head("Gain dB", 56.0),
                head("ISRC", 120.0),
            ]
            .spacing(6),
        );
        if self.rows.is_empty() {
            list = list.push(text("No songs yet: add sessions or bounced files below.").size(12));
        }
        let n = self.rows.len();
        for (i, r) in self.rows.iter().enumerate() {
            let file = r.source.file_name().map_or_else(String::new, |f| f.to_string_lossy().into_owned());
            let field = |f: Field, v: &'static str, value: &'a str, w: f32| {
                input(f.id(i), v, value, w, move |s| Message::Typed(i, f, s))
            };
            let mut line = row![
                text(format!("{}", i + 1)).size(12).width(Length::Fixed(24.0)),
                field(Field::Title, "title", &r.title, 170.0),
                text(file).size(12).width(Length::Fixed(240.0)),
                field(Field::Gap, "0", &r.gap, 56.0),
                field(Field::Crossfade, "0", &r.crossfade, 56.0),
                field(Field::Gain, "0", &r.gain, 56.0),
                field(Field::Isrc, "", &r.isrc, 120.0),
                small(format!("Up {}", i + 1), (i > 0).then_some(Message::Moved(i, -1))),
                small(format!("Down {}", i + 1), (i + 1 < n).then_some(Message::Moved(i, 1))),
                small(format!("Remove {}", i + 1), Some(Message::Removed(i))),
            ]
            .spacing(6)
            .align_y(Alignment::Center);
            if i > 0 {
                let play = (!self.rendering).then_some(Message::PlayTransition(i));
                line = line.push(small(format!("Play {}-{}", i, i + 1), play));
            }
            list = list.push(line);
        }
        list.into()
    }

    fn export_row(&self, busy: bool) -> Element<'_, Message> {
        row![
            text("Export").size(13).width(Length::Fixed(70.0)),
            pick_list(Depth::ALL, Some(self.format), Message::FormatChosen).text_size(12).style(theme::pick),
            pick_list(RateChoice::ALL, Some(self.rate), Message::RateChosen).text_size(12).style(theme::pick),
            checkbox(self.normalize)
                .label("album-normalised")
                .on_toggle(Message::NormalizeToggled)
                .text_size(12),
            text("into").size(12),
            text_input("folder", &self.out)
                .id(iced::widget::Id::new(OUT_FIELD))
                .size(12)
                .padding(3)
                .style(theme::input)
                .on_input(Message::OutTyped),
            button(text("Export album").size(13))
                .padding([4, 12])
                .style(theme::button(Tone::Accent, true))
                .on_press_maybe((!busy).then_some(Message::Export)),
        ]
        .spacing(8)
        .align_y(Alignment::Center)
        .into()
    }
}

fn banner(e: &str) -> Element<'_, Message> {
    container(text(e.to_owned()).size(13)).padding(6).width(Length::Fill).style(theme::error_banner).into()
}

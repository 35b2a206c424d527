//! The export dialog's delivery choices: a format and a rate from their
//! lists (sent as the messages the pick lists emit: iced_test's selectors
//! cannot reach a pick list's menu overlay), then the export writes that
//! file, stems in the same format.

use mixdesk_engine::media::decode_file;

use super::Message;
use super::export;
use super::tests::fixture;
use super::tests_safety::run;

#[test]
fn flac_at_44k1_chosen_in_the_dialog_is_what_the_export_writes() {
    let (_dir, mut app) = fixture();
    let _ = app.update(Message::ExportOpened);
    let pick = |m| Message::Export(m);
    let _ = app.update(pick(export::Message::DepthChosen(export::Depth::ALL[3])));
    let output = app.export.as_ref().unwrap().output.clone();
    assert!(output.ends_with("-mix.flac"), "the file's extension follows the format: {output}");
    let _ = app.update(pick(export::Message::RateChosen(export::RateChoice::ALL[1])));
    let _ = app.update(Message::Export(export::Message::StemsToggled(true)));
    let task = app.update(Message::Export(export::Message::Start));
    run(&mut app, task);
    let result = app.export.as_ref().unwrap().result.clone();
    let lines = match result {
        Some(Ok(lines)) => lines,
        other => panic!("{other:?}"),
    };
    assert!(lines[0].contains("44100 Hz, FLAC 16-bit") && lines[0].contains("stems"), "{lines:?}");
    let decoded = decode_file(std::path::Path::new(&output)).unwrap();
    assert_eq!((decoded.format.sample_rate, decoded.format.bits_per_sample), (44_100, Some(16)));
    let stems = export::stems_dir(std::path::Path::new(&output));
    let names: Vec<String> = std::fs::read_dir(&stems)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.ends_with(".flac")), "{names:?}");
}

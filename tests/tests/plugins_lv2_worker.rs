//! An LV2 plugin that needs the worker extension and bounded blocks: x42's
//! convolver (`convoLV2`, in `x42-plugins`) loads the impulse response its
//! state names in its worker (its restore schedules the work from `run`),
//! and it asks for blocks of at least 64 samples (`bufsz:minBlockLength`),
//! re-partitioning its convolution whenever the length changes. Restored
//! from a state naming an impulse file, it must convolve with that file
//! (the host runs the work the plugin scheduled) over the whole render,
//! however the bounce or the callback cut their blocks: Mixdesk runs it
//! through a fixed-block adapter (`plugins::reblock`) and compensates the
//! block it adds, so the output stays on the timeline.

use mixdesk_engine::plugins;
use mixdesk_tests::chain_render::{DECLICK, Placement, RATE, Rig};
use mixdesk_tests::{noise, write_wav_f32};

const CONVO: &str = "lv2:http://gareus.org/oss/lv2/convoLV2#Mono";

/// A convoLV2 state (Turtle, as `Processor.state` holds it) naming `ir`.
fn convo_state(ir: &std::path::Path) -> String {
    let config = "convolution.ir.channel.0=1\\nconvolution.ir.gain.0=1.000000e+00\\nconvolution.ir.delay.0=0\\n\
                  convolution.source.0=1\\nconvolution.output.0=1\\nconvolution.maxsize=1048576\\n";
    format!(
        "@prefix atom: <http://lv2plug.in/ns/ext/atom#> .\n\
         @prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n\
         @prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n\
         @prefix state: <http://lv2plug.in/ns/ext/state#> .\n\
         @prefix clv2: <http://gareus.org/oss/lv2/convoLV2#> .\n\
         <urn:mixdesk:state> a pset:Preset ; lv2:appliesTo clv2:Mono ;\n\
           lv2:port [ lv2:symbol \"gain\" ; pset:value 0.0 ] ;\n\
           state:state [ clv2:impulse \"{}\"^^atom:Path ; clv2:state \"{config}\" ] .\n",
        ir.display()
    )
}

/// An impulse response that halves and delays by 100 samples.
const IR_DELAY: usize = 100;
const IR_GAIN: f32 = 0.5;

/// A rig playing `signal` through convoLV2 restored to convolve with
/// [`IR_DELAY`]/[`IR_GAIN`] (its impulse file in `dir`).
fn convolving(dir: &std::path::Path, signal: &[f32]) -> Rig {
    let ir_path = dir.join("ir.wav");
    let mut ir = vec![0f32; 256];
    ir[IR_DELAY] = IR_GAIN;
    write_wav_f32(&ir_path, RATE as u32, &[ir]);
    let mut rig = Rig::new(CONVO, Placement::Track, &[], signal.to_vec());
    let id = rig.processor.unwrap();
    rig.session.processor_mut(id).unwrap().state = Some(convo_state(&ir_path));
    rig
}

/// The largest difference from the closed-form convolution of `input` (the
/// signal as the track plays it) over `out[from..]`, and how many samples
/// are off by more than `tol`.
fn off_convolution(out: &[f32], input: &[f32], from: usize, tol: f32) -> (f32, usize) {
    let expected = |i: usize| if i >= IR_DELAY { IR_GAIN * input[i - IR_DELAY] } else { 0.0 };
    let diffs = (from..out.len().min(input.len())).map(|i| (out[i] - expected(i)).abs());
    diffs.fold((0f32, 0), |(m, n), d| (m.max(d), n + usize::from(d > tol)))
}

#[test]
fn the_convolver_is_exact_over_a_whole_bounce_cut_into_short_automation_strides() {
    assert!(plugins::hosted(CONVO).is_some(), "{CONVO}: run packaging/setup.sh --test (x42-plugins)");
    let dir = tempfile::tempdir().unwrap();
    let signal = noise(2, RATE, 0.5);
    // A lane on its output gain (0 dB throughout) makes the chain run in
    // 32-sample automation strides, below the plugin's 64-sample minimum.
    let rig = convolving(dir.path(), &signal).automated("gain", 0.0, 0.0, RATE as u64 / 3);
    let bounce = rig.bounce();
    let (off, wrong) = off_convolution(&bounce[0], &signal, 0, 1e-6);
    let heard = bounce[0].iter().fold(0f32, |m, v| m.max(v.abs()));
    eprintln!("bounce in strides: off the convolution by {off:.2e} ({wrong} samples wrong), peak {heard:.3}");
    assert!(off <= 1e-6, "the bounce is off the closed-form convolution by {off:.2e} ({wrong} samples)");
    assert!(heard > 0.1, "the convolution is heard (peak {heard})");
    assert_eq!(bounce[0].len(), signal.len(), "the render is on the timeline, not a block late");
    // Bypassed, its dry path is delayed by the block it adds: still in time.
    let dry = rig.bypassed().bounce();
    let off = dry[0].iter().zip(&signal).fold(0f32, |m, (y, x)| m.max((y - x).abs()));
    eprintln!("bypassed: off the dry signal by {off:.2e}");
    assert!(off <= 1e-6, "bypassed, the bounce is off the dry signal by {off:.2e}");
}

#[test]
fn the_convolver_is_exact_live_at_odd_callback_sizes() {
    assert!(plugins::hosted(CONVO).is_some(), "{CONVO}: run packaging/setup.sh --test (x42-plugins)");
    let dir = tempfile::tempdir().unwrap();
    let signal = noise(3, RATE / 2, 0.5);
    let rig = convolving(dir.path(), &signal);
    // The scan read its needs; it runs in blocks of 64, one block late.
    let needs = plugins::hosted(CONVO).unwrap().info.block;
    assert_eq!((needs.min, needs.max, needs.fixed_block()), (64, 8192, Some(64)), "{needs:?}");
    let block = 64;
    for buffer in [37, 100, 256, 1000] {
        let live = rig.live(buffer, &[]);
        // The transport's fade-in shapes the first DECLICK samples the track
        // reads (read ahead by the block); from there the output is the
        // convolution on the timeline.
        let (off, wrong) = off_convolution(&live[0], &signal, DECLICK + block + IR_DELAY, 1e-6);
        eprintln!("live in callbacks of {buffer}: off the convolution by {off:.2e} ({wrong} samples wrong)");
        assert!(off <= 1e-6, "callbacks of {buffer}: off the convolution by {off:.2e} ({wrong} samples)");
    }
}

#[test]
fn a_plugin_that_loads_its_impulse_in_its_worker_convolves_with_it() {
    assert!(plugins::hosted(CONVO).is_some(), "{CONVO}: run packaging/setup.sh --test (x42-plugins)");
    let dir = tempfile::tempdir().unwrap();
    let signal = noise(1, RATE / 2, 0.5);
    // The bounce's own blocks (4096, and a short last one): the work its
    // restore scheduled (loading the impulse) was done before it played.
    let bounce = convolving(dir.path(), &signal).bounce();
    let (off, wrong) = off_convolution(&bounce[0], &signal, 0, 1e-6);
    let heard = bounce[0].iter().fold(0f32, |m, v| m.max(v.abs()));
    eprintln!("the whole bounce: off the convolution by {off:.2e} ({wrong} samples wrong), peak {heard:.3}");
    assert!(off <= 1e-6, "the bounce is off the convolution by {off:.2e}: the impulse was not loaded");
    assert!(heard > 0.1, "the convolution is heard (peak {heard})");
}

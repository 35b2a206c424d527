//! An LV2 plugin that needs the worker extension: x42's convolver
//! (`convoLV2`, in `x42-plugins`) loads the impulse response its state names
//! in its worker (its restore schedules the work from `run`). Restored from
//! a state naming an impulse file, it must convolve with that file, which
//! only happens when the host runs the work the plugin scheduled.

use mixdesk_engine::plugins;
use mixdesk_tests::chain_render::{Placement, RATE, Rig};
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

#[test]
fn a_plugin_that_loads_its_impulse_in_its_worker_convolves_with_it() {
    assert!(plugins::hosted(CONVO).is_some(), "{CONVO}: run packaging/setup.sh --test (x42-plugins)");
    let dir = tempfile::tempdir().unwrap();
    let ir_path = dir.path().join("ir.wav");
    // An impulse response that halves and delays by 100 samples.
    let (delay, gain) = (100, 0.5f32);
    let mut ir = vec![0f32; 256];
    ir[delay] = gain;
    write_wav_f32(&ir_path, RATE as u32, &[ir]);
    let signal = noise(1, RATE / 2, 0.5);
    let mut rig = Rig::new(CONVO, Placement::Track, &[], signal.clone());
    let id = rig.processor.unwrap();
    rig.session.processor_mut(id).unwrap().state = Some(convo_state(&ir_path));
    let expected = |i: usize| if i >= delay { gain * signal[i - delay] } else { 0.0 };
    let bounce = rig.bounce();
    // convoLV2 convolves in partitions of the block size it last saw and
    // re-partitions (in its worker) when the host's block size changes,
    // passing wrong audio meanwhile; Mixdesk's blocks vary (priming, the
    // bounce's blocks, automation strides), so only the first bounce block
    // is the plugin's steady answer. That block is enough to show the work
    // scheduled by its restore (loading the impulse) was done.
    let first = 4096.min(signal.len());
    let wrong: Vec<usize> = (0..first).filter(|&i| (bounce[0][i] - expected(i)).abs() > 1e-5).collect();
    let off = (0..first).map(|i| (bounce[0][i] - expected(i)).abs()).fold(0f32, f32::max);
    let heard = bounce[0][..first].iter().fold(0f32, |m, v| m.max(v.abs()));
    eprintln!(
        "the first {first} samples: off the convolution by {off:.2e} ({} samples wrong), peak {heard:.3}",
        wrong.len()
    );
    assert!(off <= 1e-5, "the bounce is off the convolution by {off:.2e}: the impulse was not loaded");
    assert!(heard > 0.1, "the convolution is heard (peak {heard})");
}

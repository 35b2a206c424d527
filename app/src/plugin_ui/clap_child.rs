//! `mixdesk plugin-ui clap:<id>`: a CLAP plugin's own GUI (the gui
//! extension, embedded X11) in the child's window.
//!
//! A CLAP GUI belongs to a plugin instance, so the child makes an instance
//! of its own that is never activated (the mix plays the engine's): the app's
//! `port ID VALUE` lines reach it as parameter-value events through the
//! params extension's `flush`, and the values its GUI sets come back from
//! the same `flush`'s output events. The window closes when the plugin says
//! its GUI closed, when the window manager asks, or when the app does.
//!
//! Host timers (`timer-support`, see [`super::clap_timers`]) are given:
//! GUIs built with DPF (ZAM's CLAP plugins, which Debian's zam-plugins
//! ships) refuse to open without them. File-descriptor callbacks
//! (`posix-fd-support`) are not provided.

// Handing the plugin the window is an unchecked promise that it outlives the GUI.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use clack_extensions::gui::{GuiApiType, GuiConfiguration, GuiSize, HostGui, HostGuiImpl, PluginGui, Window};
use clack_extensions::params::{
    HostParams, HostParamsImplMainThread, HostParamsImplShared, ParamClearFlags, ParamRescanFlags,
    PluginParams,
};
use clack_extensions::timer::{HostTimer, HostTimerImpl, PluginTimer, TimerId};
use clack_host::events::event_types::ParamValueEvent;
use clack_host::prelude::*;
use mixdesk_engine::plugins::{self, PluginInfo};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{ConfigureWindowAux, ConnectionExt as _, StackMode};

use super::protocol::{self, ToUi};

struct GuiHost;

/// What the plugin may tell the host from any thread.
#[derive(Default)]
struct Shared {
    closed: AtomicBool,
    resize: Mutex<Option<GuiSize>>,
}

impl SharedHandler<'_> for Shared {
    fn request_restart(&self) {}
    fn request_process(&self) {}
    fn request_callback(&self) {}
}

impl HostGuiImpl for Shared {
    fn resize_hints_changed(&self) {}
    fn request_resize(&self, new_size: GuiSize) -> Result<(), HostError> {
        *self.resize.lock().unwrap_or_else(|e| e.into_inner()) = Some(new_size);
        Ok(())
    }
    fn request_show(&self) -> Result<(), HostError> {
        Ok(())
    }
    fn request_hide(&self) -> Result<(), HostError> {
        Ok(())
    }
    fn closed(&self, _was_destroyed: bool) {
        self.closed.store(true, Ordering::Relaxed);
    }
}

/// The child flushes parameters every tick, so a request needs no action.
impl HostParamsImplShared for Shared {
    fn request_flush(&self) {}
}

#[derive(Default)]
struct Main {
    timers: super::clap_timers::Timers,
}

impl MainThreadHandler<'_> for Main {}

impl HostTimerImpl for Main {
    fn register_timer(&self, period_ms: u32) -> Result<TimerId, HostError> {
        Ok(self.timers.register(period_ms))
    }
    fn unregister_timer(&self, timer_id: TimerId) -> Result<(), HostError> {
        if self.timers.unregister(timer_id) { Ok(()) } else { Err(HostError::Message("no such timer")) }
    }
}

impl HostParamsImplMainThread for Main {
    fn rescan(&self, _flags: ParamRescanFlags) {}
    fn clear(&self, _param_id: ClapId, _flags: ParamClearFlags) {}
}

/// Plugins built with DPF (ZAM's) tell the host of a new latency without
/// checking it offers the extension; this instance never plays, so there is
/// nothing to do.
impl clack_extensions::latency::HostLatencyImpl for Main {
    fn changed(&self) {}
}

impl HostHandlers for GuiHost {
    type Shared<'a> = Shared;
    type MainThread<'a> = Main;
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder
            .register::<HostGui>()
            .register::<HostParams>()
            .register::<clack_extensions::latency::HostLatency>()
            .register::<HostTimer>();
    }
}

/// Shows CLAP plugin `info`'s GUI in a window titled `title` until it closes.
pub fn run(info: &PluginInfo, title: &str) -> Result<(), String> {
    let name = &info.name;
    let entry = plugins::clap::entry(&info.bundle)?;
    let host =
        HostInfo::new("Mixdesk", "Mixdesk", "https://example.invalid/mixdesk", env!("CARGO_PKG_VERSION"))
            .map_err(|e| e.to_string())?;
    let id = CString::new(info.id.as_str()).map_err(|e| e.to_string())?;
    let mut instance =
        PluginInstance::<GuiHost>::new(|_| Shared::default(), |_| Main::default(), &entry, &id, &host)
            .map_err(|e| format!("{name} failed to start: {e}"))?;
    let gui = instance
        .plugin_handle()
        .get_extension::<PluginGui>()
        .ok_or_else(|| format!("{name} has no window of its own (no CLAP gui extension)"))?;
    let config = GuiConfiguration { api_type: GuiApiType::X11, is_floating: false };
    if !gui.is_api_supported(&instance.plugin_handle(), config) {
        return Err(format!("{name}'s window is not an embeddable X11 window"));
    }
    let (conn, screen) = x11rb::connect(None).map_err(|e| format!("cannot reach the X display: {e}"))?;
    let window = super::child::create_window(&conn, screen, title)
        .map_err(|e| format!("cannot create the window: {e}"))?;
    gui.create(&instance.plugin_handle(), config).map_err(|e| format!("{name}'s window: {e}"))?;
    if let Some(size) = gui.get_size(&instance.plugin_handle()) {
        let aux = ConfigureWindowAux::new().width(size.width.max(1)).height(size.height.max(1));
        let _ = conn.configure_window(window, &aux);
    }
    // SAFETY: the window lives until after the GUI is destroyed below.
    let parented = unsafe {
        gui.set_parent(&instance.plugin_handle(), Window::from_x11_handle(std::ffi::c_ulong::from(window)))
    };
    let shown = parented.and_then(|()| gui.show(&instance.plugin_handle()));
    if let Err(e) = shown {
        gui.destroy(&instance.plugin_handle());
        return Err(format!("{name}'s window: {e}"));
    }
    let _ = conn.map_window(window);
    let _ = conn.flush();
    super::child::say("ready");
    let lines = super::child::read_stdin();
    let delete =
        conn.intern_atom(false, b"WM_DELETE_WINDOW").ok().and_then(|c| c.reply().ok()).map(|r| r.atom);
    let params = instance.plugin_handle().get_extension::<PluginParams>();
    let timer = instance.plugin_handle().get_extension::<PluginTimer>();
    let mut events = EventBuffer::with_capacity(info.params.len());
    let mut written = EventBuffer::with_capacity(info.params.len());
    // The values last shown or said, by parameter id: a GUI that sets a
    // value without an output event (DPF's, while the instance is inactive)
    // is heard by reading the values back each tick.
    let mut known: Vec<(u32, Option<f64>)> = info.params.iter().map(|p| (p.port as u32, None)).collect();
    // GUIs built with DPF (ZAM's) hand their edits to the plugin only in
    // `process`: the instance is activated (it plays no audio; the mix is
    // the engine's) and runs an empty block each tick, which carries the
    // app's values in and brings the GUI's out. A plugin that will not
    // activate is flushed while inactive instead.
    let config =
        PluginAudioConfiguration { sample_rate: 48_000.0, min_frames_count: 1, max_frames_count: 64 };
    let mut processor = instance.activate(|_, _| (), config).ok().and_then(|p| p.start_processing().ok());
    'run: loop {
        events.clear();
        while let Ok(line) = lines.try_recv() {
            match line {
                ToUi::Port(id, v) => {
                    events.push(&ParamValueEvent::new(0, ClapId::new(id), Pckn::match_all(), f64::from(v)));
                    if let Some(k) = known.iter_mut().find(|k| k.0 == id) {
                        k.1 = Some(f64::from(v));
                    }
                }
                ToUi::Raise => {
                    let _ = conn.map_window(window);
                    let _ = conn
                        .configure_window(window, &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE));
                    let _ = conn.flush();
                }
                ToUi::Close => break 'run,
            }
        }
        written.clear();
        if let Some(p) = processor.as_mut() {
            let (input, mut output) = (InputAudioBuffers::empty(), OutputAudioBuffers::empty());
            let _ = p.process(&input, &mut output, &events.as_input(), &mut written.as_output(), None, None);
        } else if let (Some(params), Some(mut h)) = (params, instance.inactive_plugin_handle()) {
            params.flush(&mut h, &events.as_input(), &mut written.as_output());
        }
        {
            for e in written.iter() {
                if let Some(v) = e.as_event::<ParamValueEvent>()
                    && let Some(id) = v.param_id()
                {
                    super::child::say(&protocol::port_line(id.get(), v.value() as f32));
                    if let Some(k) = known.iter_mut().find(|k| k.0 == id.get()) {
                        k.1 = Some(v.value());
                    }
                }
            }
        }
        if let Some(params) = params {
            for (id, last) in &mut known {
                let Some(now) = params.get_value(&instance.plugin_handle(), ClapId::new(*id)) else {
                    continue;
                };
                if last.is_some_and(|l| l != now) {
                    super::child::say(&protocol::port_line(*id, now as f32));
                }
                *last = Some(now);
            }
        }
        while let Ok(Some(event)) = conn.poll_for_event() {
            match event {
                Event::ClientMessage(m) if Some(m.data.as_data32()[0]) == delete => break 'run,
                Event::DestroyNotify(d) if d.window == window => break 'run,
                _ => {}
            }
        }
        let shared = instance.access_shared_handler(|s: &Shared| {
            (s.closed.load(Ordering::Relaxed), s.resize.lock().unwrap_or_else(|e| e.into_inner()).take())
        });
        if shared.0 {
            break;
        }
        if let Some(size) = shared.1 {
            let aux = ConfigureWindowAux::new().width(size.width.max(1)).height(size.height.max(1));
            let _ = conn.configure_window(window, &aux);
            let _ = conn.flush();
        }
        if let Some(timer) = timer {
            for id in instance.access_handler(|m: &Main| m.timers.due(std::time::Instant::now())) {
                timer.on_timer(&instance.plugin_handle(), id);
            }
        }
        std::thread::sleep(super::clap_timers::SHORTEST);
    }
    super::child::closing(&conn, window);
    gui.destroy(&instance.plugin_handle());
    if let Some(p) = processor {
        instance.deactivate(p.stop_processing());
    }
    let _ = conn.destroy_window(window);
    let _ = conn.flush();
    Ok(())
}

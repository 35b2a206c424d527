//! `mixdesk plugin-ui KIND --title TITLE`: the process that shows one LV2
//! plugin's own X11 UI in a top-level window of its own.
//!
//! It creates the window with x11rb, loads the UI's library and asks its
//! `lv2ui_descriptor` for the UI, and instantiates it with the window as
//! `ui:parent`, a URID map, `ui:resize` (the UI sizes the window) and
//! `ui:idleInterface` (idled about 30 times a second). It talks to the app
//! over its standard streams, one line each (see [`super::protocol`]): the
//! app's `port INDEX VALUE` lines reach the UI as port events, and each
//! value the UI writes to a control port goes back the same way. A UI that
//! crashes takes down only this process.

// Loading a C library and calling the LV2 UI ABI is foreign code by nature;
// every pointer handed over lives until the UI is cleaned up (see `run`).
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::io::{BufRead, Write};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use lv2_sys::{
    LV2_Feature, LV2_Options_Option, LV2_URID, LV2_URID_Map, LV2_URID_Unmap, LV2UI_Controller,
    LV2UI_Descriptor, LV2UI_Feature_Handle, LV2UI_Handle, LV2UI_Idle_Interface, LV2UI_Resize, LV2UI_Widget,
};
use mixdesk_engine::plugins::ui::{self, UiInfo};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ConfigureWindowAux, ConnectionExt as _, CreateWindowAux, EventMask, PropMode, StackMode,
    WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

use super::protocol::{self, ToUi};

/// How often the UI is idled and the app's lines are read.
const IDLE: Duration = Duration::from_millis(33);

/// Runs the window until it is closed; the error is printed by `main` (and
/// sent to the app as an `error` line first).
pub fn run(kind: &str, title: &str) -> Result<(), String> {
    match open_and_loop(kind, title) {
        Ok(()) => Ok(()),
        Err(e) => {
            say(&format!("error {e}"));
            Err(e)
        }
    }
}

/// One line to the app; a closed pipe (the app is gone) is ignored, the
/// stdin reader sees that too and the window closes.
pub(super) fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// What the UI's callbacks reach through their handles.
struct Host {
    conn: RustConnection,
    window: u32,
    uris: Mutex<Vec<CString>>,
}

fn open_and_loop(kind: &str, title: &str) -> Result<(), String> {
    if kind.starts_with(mixdesk_engine::plugins::CLAP_PREFIX) {
        let h = mixdesk_engine::plugins::hosted(kind)
            .ok_or_else(|| format!("plugin '{kind}' is not installed"))?;
        return super::clap_child::run(&h.info, title);
    }
    let info = ui::find(kind)?;
    // The library first: a broken one is refused before any window shows.
    let descriptor = load(&info)?;
    let (conn, screen) = x11rb::connect(None).map_err(|e| format!("cannot reach the X display: {e}"))?;
    let window = create_window(&conn, screen, title).map_err(|e| format!("cannot create the window: {e}"))?;
    let host = Box::new(Host { conn, window, uris: Mutex::new(Vec::new()) });
    let lines = read_stdin();
    // SAFETY: `host` outlives the UI: it is dropped after `cleanup` below.
    let result = unsafe { show(&info, descriptor, &host, &lines) };
    let _ = host.conn.destroy_window(window);
    let _ = host.conn.flush();
    result
}

pub(super) fn create_window(
    conn: &RustConnection,
    screen: usize,
    title: &str,
) -> Result<u32, Box<dyn std::error::Error>> {
    let root = &conn.setup().roots[screen];
    let window = conn.generate_id()?;
    let aux =
        CreateWindowAux::new().background_pixel(root.black_pixel).event_mask(EventMask::STRUCTURE_NOTIFY);
    conn.create_window(0, window, root.root, 0, 0, 480, 320, 0, WindowClass::INPUT_OUTPUT, 0, &aux)?;
    let atom = |name: &[u8]| -> Result<u32, Box<dyn std::error::Error>> {
        Ok(conn.intern_atom(false, name)?.reply()?.atom)
    };
    let (protocols, delete, utf8, net_name) =
        (atom(b"WM_PROTOCOLS")?, atom(b"WM_DELETE_WINDOW")?, atom(b"UTF8_STRING")?, atom(b"_NET_WM_NAME")?);
    conn.change_property8(PropMode::REPLACE, window, AtomEnum::WM_NAME, AtomEnum::STRING, title.as_bytes())?;
    conn.change_property8(PropMode::REPLACE, window, net_name, utf8, title.as_bytes())?;
    conn.change_property8(
        PropMode::REPLACE,
        window,
        AtomEnum::WM_CLASS,
        AtomEnum::STRING,
        b"mixdesk-plugin\0Mixdesk\0",
    )?;
    conn.change_property32(PropMode::REPLACE, window, protocols, AtomEnum::ATOM, &[delete])?;
    conn.flush()?;
    Ok(window)
}

/// The app's lines, read on a thread of their own; the end of input (the
/// app closed the pipe or exited) reads as `close`.
pub(super) fn read_stdin() -> Receiver<ToUi> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if let Some(m) = protocol::parse_to_ui(&line)
                && tx.send(m).is_err()
            {
                return;
            }
        }
        let _ = tx.send(ToUi::Close);
    });
    rx
}

/// Loads the UI's library and finds its descriptor.
fn load(info: &UiInfo) -> Result<&'static LV2UI_Descriptor, String> {
    let name = info.binary.display().to_string();
    // SAFETY: loading runs the library's initialisers; it is the UI the plugin names.
    let lib =
        unsafe { libloading::Library::new(&info.binary) }.map_err(|e| format!("cannot load {name}: {e}"))?;
    // The library stays loaded until the process exits: some UIs (GL, fonts)
    // register exit handlers that must not outlive their code.
    let lib: &'static libloading::Library = Box::leak(Box::new(lib));
    type DescriptorFn = unsafe extern "C" fn(u32) -> *const LV2UI_Descriptor;
    // SAFETY: the symbol has this type in the LV2 UI ABI.
    let entry = unsafe { lib.get::<DescriptorFn>(b"lv2ui_descriptor\0") }
        .map_err(|_| format!("{name} is not an LV2 UI library (no lv2ui_descriptor)"))?;
    let descriptor = (0..)
        .map_while(|i| {
            // SAFETY: the library returns null past its last descriptor.
            let d = unsafe { entry(i).as_ref() }?;
            Some(d)
        })
        .find(|d| !d.URI.is_null() && unsafe { CStr::from_ptr(d.URI) }.to_bytes() == info.uri.as_bytes())
        .ok_or_else(|| format!("{name} does not contain the UI {}", info.uri))?;
    Ok(descriptor)
}

/// Instantiates the UI in `host.window`, shows it and runs it until it or
/// the app closes it.
///
/// # Safety
/// `host` must outlive the call (the UI keeps pointers to it until `cleanup`).
unsafe fn show(
    info: &UiInfo,
    descriptor: &'static LV2UI_Descriptor,
    host: &Host,
    lines: &Receiver<ToUi>,
) -> Result<(), String> {
    let name = info.binary.display().to_string();
    let instantiate =
        descriptor.instantiate.ok_or_else(|| format!("the UI {} cannot be instantiated", info.uri))?;

    let handle = host as *const Host as *mut c_void;
    let map = LV2_URID_Map { handle, map: Some(map_uri) };
    let unmap = LV2_URID_Unmap { handle, unmap: Some(unmap_uri) };
    let resize = LV2UI_Resize { handle, ui_resize: Some(resize_window) };
    let options =
        [LV2_Options_Option { context: 0, subject: 0, key: 0, size: 0, type_: 0, value: std::ptr::null() }];
    let feature = |uri: &'static [u8], data: *mut c_void| LV2_Feature { URI: uri.as_ptr().cast(), data };
    let features = [
        feature(lv2_sys::LV2_UI__parent, host.window as usize as *mut c_void),
        feature(lv2_sys::LV2_UI__resize, (&raw const resize).cast_mut().cast()),
        feature(lv2_sys::LV2_UI__idleInterface, std::ptr::null_mut()),
        feature(lv2_sys::LV2_URID__map, (&raw const map).cast_mut().cast()),
        feature(lv2_sys::LV2_URID__unmap, (&raw const unmap).cast_mut().cast()),
        feature(lv2_sys::LV2_OPTIONS__options, options.as_ptr().cast_mut().cast()),
    ];
    let mut list: Vec<*const LV2_Feature> = features.iter().map(|f| f as *const LV2_Feature).collect();
    list.push(std::ptr::null());
    let plugin = CString::new(info.plugin.as_str()).map_err(|_| "plugin URI with a NUL".to_owned())?;
    let bundle = CString::new(info.bundle.as_str()).map_err(|_| "bundle path with a NUL".to_owned())?;
    let mut widget: LV2UI_Widget = std::ptr::null_mut();
    // SAFETY: every pointer passed lives until `cleanup` at the end of this function.
    let ui = unsafe {
        instantiate(
            descriptor,
            plugin.as_ptr(),
            bundle.as_ptr(),
            Some(write_port),
            handle as LV2UI_Controller,
            &mut widget,
            list.as_ptr(),
        )
    };
    if ui.is_null() {
        return Err(format!("the UI {} in {name} refused to start", info.uri));
    }
    fit_to_widget(host, widget as usize as u32);
    let _ = host.conn.map_window(host.window);
    let _ = host.conn.flush();
    let idle = descriptor.extension_data.and_then(|ext| {
        // SAFETY: the UI returns its idle interface or null.
        let p = unsafe { ext(lv2_sys::LV2_UI__idleInterface.as_ptr().cast()) } as *const LV2UI_Idle_Interface;
        unsafe { p.as_ref() }.and_then(|i| i.idle)
    });
    say("ready");
    // SAFETY: `ui` is live until `cleanup` below.
    unsafe { run_loop(host, descriptor, ui, idle, lines) };
    closing(&host.conn, host.window);
    if let Some(cleanup) = descriptor.cleanup {
        // SAFETY: the UI is cleaned up once, after its last call.
        unsafe { cleanup(ui) };
    }
    Ok(())
}

type IdleFn = unsafe extern "C" fn(LV2UI_Handle) -> c_int;

/// Idles the UI, hands it the app's values and watches for the window's
/// close button, until one of them ends it.
///
/// # Safety
/// `ui` must be a live instance of `descriptor`.
unsafe fn run_loop(
    host: &Host,
    descriptor: &LV2UI_Descriptor,
    ui: LV2UI_Handle,
    idle: Option<IdleFn>,
    lines: &Receiver<ToUi>,
) {
    let delete =
        host.conn.intern_atom(false, b"WM_DELETE_WINDOW").ok().and_then(|c| c.reply().ok()).map(|r| r.atom);
    loop {
        while let Ok(line) = lines.try_recv() {
            match line {
                ToUi::Port(index, value) => {
                    if let Some(port_event) = descriptor.port_event {
                        // SAFETY: a float control value, format 0, as the LV2 UI ABI defines it.
                        unsafe { port_event(ui, index, 4, 0, (&raw const value).cast()) };
                    }
                }
                ToUi::Raise => {
                    let aux = ConfigureWindowAux::new().stack_mode(StackMode::ABOVE);
                    let _ = host.conn.map_window(host.window);
                    let _ = host.conn.configure_window(host.window, &aux);
                    let _ = host.conn.flush();
                }
                ToUi::Close => return,
            }
        }
        while let Ok(Some(event)) = host.conn.poll_for_event() {
            match event {
                Event::ClientMessage(m) if Some(m.data.as_data32()[0]) == delete => return,
                Event::DestroyNotify(d) if d.window == host.window => return,
                _ => {}
            }
        }
        if let Some(idle) = idle
            // SAFETY: the UI is live; non-zero means it closed itself.
            && unsafe { idle(ui) } != 0
        {
            return;
        }
        std::thread::sleep(IDLE);
    }
}

/// The window is closing: it disappears and the app is told before the
/// UI's own cleanup runs, so a UI whose cleanup hangs cannot keep the app
/// waiting (the app ends the process if it does not exit).
pub(super) fn closing(conn: &RustConnection, window: u32) {
    let _ = conn.unmap_window(window);
    let _ = conn.flush();
    say("closed");
}

/// Sizes the window to the UI's own window when the UI did not ask (`ui:resize`).
fn fit_to_widget(host: &Host, widget: u32) {
    if widget == 0 {
        return;
    }
    if let Ok(c) = host.conn.get_geometry(widget)
        && let Ok(g) = c.reply()
        && g.width > 1
        && g.height > 1
    {
        let aux = ConfigureWindowAux::new().width(u32::from(g.width)).height(u32::from(g.height));
        let _ = host.conn.configure_window(host.window, &aux);
    }
}

/// `LV2UI_Write_Function`: a control the user moved in the UI.
unsafe extern "C" fn write_port(
    _: LV2UI_Controller,
    port: u32,
    size: u32,
    format: u32,
    buffer: *const c_void,
) {
    // Only float control values (format 0); atom messages have no parameter to become.
    if format == 0 && size == 4 && !buffer.is_null() {
        // SAFETY: format 0 is one float.
        let value = unsafe { buffer.cast::<f32>().read_unaligned() };
        say(&protocol::port_line(port, value));
    }
}

/// `ui:resize`: the UI asks for a window size.
unsafe extern "C" fn resize_window(handle: LV2UI_Feature_Handle, width: c_int, height: c_int) -> c_int {
    // SAFETY: the handle is the `Host` given at instantiation.
    let host = unsafe { &*(handle as *const Host) };
    let aux = ConfigureWindowAux::new().width(width.max(1) as u32).height(height.max(1) as u32);
    let ok = host.conn.configure_window(host.window, &aux).is_ok() && host.conn.flush().is_ok();
    if ok { 0 } else { 1 }
}

/// `urid:map`: numbers from 1, one per URI.
unsafe extern "C" fn map_uri(handle: *mut c_void, uri: *const c_char) -> LV2_URID {
    if uri.is_null() {
        return 0;
    }
    // SAFETY: the handle is the `Host`; `uri` is a C string by the ABI.
    let (host, uri) = unsafe { (&*(handle as *const Host), CStr::from_ptr(uri)) };
    let mut uris = host.uris.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = uris.iter().position(|u| u.as_c_str() == uri) {
        return i as u32 + 1;
    }
    uris.push(uri.to_owned());
    uris.len() as u32
}

/// `urid:unmap`: the URI of a number `map_uri` gave (its string lives as long as the host).
unsafe extern "C" fn unmap_uri(handle: *mut c_void, urid: LV2_URID) -> *const c_char {
    // SAFETY: the handle is the `Host`.
    let host = unsafe { &*(handle as *const Host) };
    let uris = host.uris.lock().unwrap_or_else(|e| e.into_inner());
    match (urid as usize).checked_sub(1).and_then(|i| uris.get(i)) {
        Some(u) => u.as_ptr(),
        None => std::ptr::null(),
    }
}

//! Colloquy's stand-in for `console_error_panic_hook`, the one crate Yew's renderer uses
//! it for: Yew installs its `hook` as the panic hook of every app it renders. The
//! original formats the panic's message and a JavaScript stack with `core::fmt`, and
//! that code was in the widget although it can never run there: the widget is built
//! with `-Cpanic=immediate-abort` (see `xtask/src/widget.rs`), where a panic traps at once
//! and no hook is called. So under that setting `hook` does nothing and weighs nothing
//! (521 bytes less of the gzipped widget); in every other build (the browser tests, the
//! native tests of the widget's reducers) it writes the message and where it was raised
//! to the console, as the original does, minus the stack (the browser's own error shows
//! one). Same name, version and functions as the original, so the workspace's
//! `[patch.crates-io]` puts it in the original's place.

use std::panic::PanicHookInfo;

/// The panic hook: the message and its place to the console (see the crate's doc).
pub fn hook(info: &PanicHookInfo) {
    #[cfg(not(panic = "immediate-abort"))]
    write(&message(info));
    #[cfg(panic = "immediate-abort")]
    let _ = info;
}

/// Makes [`hook`] the panic hook, once however often it is called.
pub fn set_once() {
    static SET: std::sync::Once = std::sync::Once::new();
    SET.call_once(|| std::panic::set_hook(Box::new(hook)));
}

/// "panicked at src/x.rs:12:5: the message", as Rust's own hook words it.
#[cfg(not(panic = "immediate-abort"))]
fn message(info: &PanicHookInfo) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("Box<dyn Any>");
    match info.location() {
        Some(at) => format!(
            "panicked at {}:{}:{}:\n{text}",
            at.file(),
            at.line(),
            at.column()
        ),
        None => format!("panicked:\n{text}"),
    }
}

#[cfg(all(target_arch = "wasm32", not(panic = "immediate-abort")))]
fn write(message: &str) {
    #[wasm_bindgen::prelude::wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = console)]
        fn error(message: &str);
    }
    error(message);
}

#[cfg(all(not(target_arch = "wasm32"), not(panic = "immediate-abort")))]
fn write(message: &str) {
    eprintln!("{message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_what_and_where() {
        let caught = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let previous = std::panic::take_hook();
        {
            let caught = caught.clone();
            std::panic::set_hook(Box::new(move |info| {
                *caught.lock().unwrap() = message(info);
            }));
        }
        let line = line!() + 1;
        let _ = std::panic::catch_unwind(|| panic!("the {} went wrong", "thing"));
        std::panic::set_hook(previous);
        let caught = caught.lock().unwrap().clone();
        let place = format!("panicked at {}:{line}:", file!());
        assert!(caught.starts_with(&place), "{caught}");
        assert!(caught.ends_with(":\nthe thing went wrong"), "{caught}");
    }
}

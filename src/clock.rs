//! The server's clock, as its answers' `Date` header tells it. "5 minutes ago" compares a
//! comment's time (the server's) with now: a reader whose own clock is an hour off would
//! otherwise read "in 55 minutes". Every answer updates the offset; until one arrives the
//! reader's clock is taken as it is.

use std::cell::Cell;

thread_local! {
    /// The server's clock minus the reader's, in milliseconds.
    static OFFSET_MS: Cell<f64> = const { Cell::new(0.0) };
}

/// Notes the `Date` of an answer that has just arrived.
pub fn heard_server_date(date: &str) {
    let server = js_sys::Date::parse(date);
    if server.is_finite() {
        // `Date` has whole seconds: half a second is the best guess of the rest. Within
        // that, answers only differ by rounding: the offset stays, so times do not flicker.
        let offset = server + 500.0 - js_sys::Date::now();
        OFFSET_MS.with(|cell| {
            if (cell.get() - offset).abs() > 1_500.0 {
                cell.set(offset);
            }
        });
    }
}

/// The server's clock minus the reader's, as last heard.
pub fn offset_ms() -> f64 {
    OFFSET_MS.with(Cell::get)
}

/// Now, by the server's clock, in Unix milliseconds.
pub fn server_now_ms() -> f64 {
    js_sys::Date::now() + offset_ms()
}

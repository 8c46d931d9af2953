//! The time, by the server's clock ([`crate::clock`]), refreshed every `every_ms` while the
//! component is shown: relative times ("5 minutes ago") and the edit countdown move on
//! without the reader reloading.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::use_effect_when;
use crate::clock::offset_ms;

/// Now (Unix milliseconds, the server's clock), redrawn every `every_ms`; for 0 it is not
/// redrawn (and no timer is made), so it keeps its last value. The reader's clock is read
/// at each tick and the server's offset at each render, so the first answer from the
/// server corrects the times at once rather than at the next tick.
#[hook]
pub fn use_now(every_ms: i32) -> f64 {
    let now = use_state(js_sys::Date::now);
    {
        let now = now.clone();
        use_effect_when(every_ms, move |&every_ms| {
            let running = web_sys::window().filter(|_| every_ms > 0).map(|window| {
                let tick = Closure::<dyn FnMut()>::new(move || now.set(js_sys::Date::now()));
                let id = window
                    .set_interval_with_callback_and_timeout_and_arguments_0(
                        tick.as_ref().unchecked_ref(),
                        every_ms,
                    )
                    .ok();
                (window, id, tick)
            });
            move || {
                if let Some((window, Some(id), _tick)) = running {
                    window.clear_interval_with_handle(id);
                }
            }
        });
    }
    *now + offset_ms()
}

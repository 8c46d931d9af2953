//! A Rust developer's own Yew app with a Colloquy thread in it: the component needs only
//! the thread key and the server's address. It brings its own shadow root and stylesheet,
//! so it looks as it does on any site owner's page and this app's CSS cannot reach into it;
//! theme it with `--colloquy-*` custom properties, or `.colloquy-host::part(form)` and the
//! other part names. Built for wasm32 by `cargo xtask test`.
//!
//! Run it in a page of your own with Trunk, pointing `api` at a running `colloquy-server`
//! that lists your page's origin with `--allowed-origin`. `cargo xtask test` bundles it
//! with wasm-bindgen and the journey `e2e/tests/yew_example.rs` looks at what a reader
//! sees; it names its server with `?api=` in the page's address, which is why this app
//! reads one (an app of your own would simply write its server's address).

use colloquy::{CommentThread, Sort, Theme};
use yew::prelude::*;

/// The comment server: `?api=` in the page's address, else a local one.
fn comment_server() -> AttrValue {
    web_sys::window()
        .and_then(|window| window.location().search().ok())
        .and_then(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .find_map(|pair| pair.strip_prefix("api="))
                .and_then(|value| js_sys::decode_uri_component(value).ok())
                .map(String::from)
        })
        .map_or_else(|| AttrValue::from("http://127.0.0.1:8080"), AttrValue::from)
}

#[component]
fn BlogPost() -> Html {
    let api = use_memo((), |()| comment_server());
    html! {
        <article>
            <h1>{"Release notes"}</h1>
            <p>{"Version 2 is out. Tell us what you think below."}</p>
            <CommentThread
                thread="/blog/release-notes"
                api={(*api).clone()}
                lang="en-GB"
                title={Some(AttrValue::from("Release notes"))}
                theme={Theme::Auto}
                sort={Sort::Newest}
            />
        </article>
    }
}

fn main() {
    yew::Renderer::<BlogPost>::new().render();
}

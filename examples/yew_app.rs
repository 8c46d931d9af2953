//! A Rust developer's own Yew app with a Colloquy thread in it: the component needs only
//! the thread key and the server's address. It brings its own shadow root and stylesheet,
//! so it looks as it does on any site owner's page and this app's CSS cannot reach into it;
//! theme it with `--colloquy-*` custom properties, or `.colloquy-host::part(form)` and the
//! other part names. Built for wasm32 by `cargo xtask test`.
//!
//! Run it in a page of your own with Trunk, pointing `api` at a running `colloquy-server`
//! that lists your page's origin with `--allowed-origin`.

use colloquy::{CommentThread, Sort, Theme};
use yew::prelude::*;

#[component]
fn BlogPost() -> Html {
    html! {
        <article>
            <h1>{"Release notes"}</h1>
            <p>{"Version 2 is out. Tell us what you think below."}</p>
            <CommentThread
                thread="/blog/release-notes"
                api="http://127.0.0.1:8080"
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

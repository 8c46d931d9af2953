use colloquy_core::tree::Sort;
use wasm_bindgen::JsValue;
use web_sys::Element;
use yew::prelude::*;

use super::thread_view::ThreadView;
use crate::hooks::use_effect_when;
use crate::shadow::isolated_root;

#[derive(Properties, PartialEq, Clone)]
pub struct CommentThreadProps {
    /// The thread key, for example the page's canonical path.
    pub thread: AttrValue,
    /// Where the Colloquy server answers: its origin, for example
    /// `https://comments.example.org`, with the path it is deployed under if any
    /// (`https://example.org/comments`). A trailing `/api/v1` is understood as the same.
    pub api: AttrValue,
    /// A BCP 47 language tag (`de`, `en-GB`) choosing the message catalog and the date
    /// format. Empty (the default) means English words and the browser's own date format.
    #[prop_or_default]
    pub lang: AttrValue,
    /// The thread's title, shown with the count (as text, whatever it contains).
    #[prop_or_default]
    pub title: Option<AttrValue>,
    #[prop_or_default]
    pub theme: Theme,
    /// The order of top-level comments; replies always follow their conversation.
    #[prop_or_default]
    pub sort: Sort,
}

/// The palette. `Inherit` (the default) takes the page's own text colour so the widget looks
/// native; the others bring their own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Inherit,
    Light,
    Dark,
    /// Light or dark, following the reader's `prefers-color-scheme`.
    Auto,
}

impl Theme {
    pub fn parse(value: &str) -> Option<Theme> {
        match value {
            "inherit" => Some(Theme::Inherit),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "auto" => Some(Theme::Auto),
            _ => None,
        }
    }

    pub(crate) fn class(self) -> &'static str {
        match self {
            Theme::Inherit => "theme-inherit",
            Theme::Light => "theme-light",
            Theme::Dark => "theme-dark",
            Theme::Auto => "theme-auto",
        }
    }
}

/// Where the thread is drawn once the host element is in the page.
#[derive(Clone, PartialEq)]
enum Placement {
    /// Before the first effect: the host element exists, its shadow root not yet.
    Pending,
    /// The `.colloquy-root` element inside the host's shadow root.
    Isolated(Element),
    /// No shadow root could be made (a very old browser): the thread is drawn in the host
    /// itself, unstyled but usable.
    Inline,
}

/// A page's whole comment section: the count, the thread with its replies, and the form,
/// for a Rust developer's own Yew app.
///
/// ```
/// use colloquy::CommentThread;
/// use yew::prelude::*;
///
/// let section = html! { <CommentThread thread="/blog/hello" api="https://comments.example.org" /> };
/// # drop(section);
/// ```
///
/// It is self-contained, as the loader's widget is (ARCHITECTURE.md, rule 3): it renders one host
/// `<div class="colloquy-host">`, gives it an open shadow root holding the widget's
/// stylesheet (adopted the way [`mount`](crate::mount::mount) adopts it, through the same
/// function), and draws the thread into that root with [`yew::create_portal`]. So the
/// list, the form and the hidden honeypot field look the same as on a site owner's page,
/// the app's CSS cannot reach in, and ours cannot leak into the app. Theme it as a page
/// would: `--colloquy-*` custom properties and `::part()` on the host.
///
/// Why a portal rather than a second app: the thread stays a child of the caller's tree, so
/// it shares their render loop and their lifetime, and new props arrive as props. `mount`
/// keeps rendering the inner [`ThreadView`] as an app of its own inside the page's mount
/// element, whose DOM (`host.shadowRoot` › `.colloquy-root`) the loader and the end-to-end
/// journeys rely on; here the same structure hangs off the host `<div>` instead.
#[component]
pub fn CommentThread(props: &CommentThreadProps) -> Html {
    let host = use_node_ref();
    let placement = use_state(|| Placement::Pending);
    {
        let placement = placement.clone();
        use_effect_when(host.clone(), move |host| {
            let root = host
                .cast::<Element>()
                .ok_or_else(|| JsValue::from_str("the host element was not rendered"))
                .and_then(|host| isolated_root(&host));
            placement.set(match root {
                Ok(root) => Placement::Isolated(root),
                Err(error) => {
                    web_sys::console::warn_2(
                        &"Colloquy: no shadow root, so the thread is drawn without its styles:"
                            .into(),
                        &error,
                    );
                    Placement::Inline
                }
            });
        });
    }
    let thread = html! { <ThreadView ..props.clone() /> };
    let content = match &*placement {
        Placement::Pending => html! {},
        Placement::Isolated(root) => create_portal(thread, root.clone()),
        Placement::Inline => thread,
    };
    html! { <div class="colloquy-host" ref={host}>{content}</div> }
}

use colloquy_core::messages::for_lang;
use colloquy_core::model::Comment;
use colloquy_core::validation::is_web_url;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::markdown_view::{render_markdown, READER_LINK_REL};

/// Replies are indented up to this depth; deeper replies line up with it and name the
/// comment they answer, so a long back-and-forth stays readable on a phone.
pub const MAX_INDENT: usize = 4;

#[derive(Properties, PartialEq)]
pub struct CommentViewProps {
    pub comment: Comment,
    pub depth: usize,
    /// The author of the comment this one answers, when it is shown.
    pub parent_author: Option<AttrValue>,
    #[prop_or_default]
    pub lang: AttrValue,
    /// Whether this comment's reply form is open (it arrives as `children`).
    pub replying: bool,
    pub on_reply: Callback<i64>,
    #[prop_or_default]
    pub children: Html,
}

/// One comment: author, time, body, and its Reply button.
#[component]
pub fn CommentView(props: &CommentViewProps) -> Html {
    let messages = for_lang(&props.lang);
    let comment = &props.comment;
    let author = match comment.website.as_deref().filter(|url| is_web_url(url)) {
        Some(url) => html! {
            <a class="author" href={url.to_owned()} rel={READER_LINK_REL}>{comment.author.clone()}</a>
        },
        None => html! { <span class="author">{comment.author.clone()}</span> },
    };
    let reply_to = match &props.parent_author {
        Some(parent) if props.depth > MAX_INDENT => {
            html! { <span class="reply-to">{(messages.reply_to)(parent)}</span> }
        }
        _ => html! {},
    };
    let on_reply = {
        let (on_reply, id) = (props.on_reply.clone(), comment.id);
        Callback::from(move |_: MouseEvent| on_reply.emit(id))
    };
    html! {
        <li
            class={classes!("comment", format!("depth-{}", props.depth.min(MAX_INDENT)))}
            data-comment-id={comment.id.to_string()}
            data-parent-id={comment.parent_id.map(|id| id.to_string())}
            data-depth={props.depth.to_string()}
        >
            <article part="comment">
                <header class="meta">
                    {author}
                    {reply_to}
                    <time datetime={comment.created_at.clone()}>
                        {display_time(&comment.created_at, messages.lang)}
                    </time>
                </header>
                <div class="body">{render_markdown(&comment.body)}</div>
                if !props.replying {
                    <footer class="actions">
                        <button part="button" type="button" class="reply" onclick={on_reply}>{messages.reply}</button>
                    </footer>
                }
                {props.children.clone()}
            </article>
        </li>
    }
}

thread_local! {
    /// One formatter per language: building an `Intl.DateTimeFormat` is the costly part of
    /// formatting a date, and a long thread formats thousands.
    static FORMATTERS: std::cell::RefCell<Vec<(String, js_sys::Function)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The reader's local date and time in their language, e.g. "25 Nov 2026, 18:07".
fn display_time(rfc3339: &str, lang: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let format = FORMATTERS.with(|formatters| {
        let mut formatters = formatters.borrow_mut();
        if let Some((_, format)) = formatters.iter().find(|(l, _)| l == lang) {
            return format.clone();
        }
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
        let locales = js_sys::Array::of1(&JsValue::from_str(lang));
        let format = js_sys::Intl::DateTimeFormat::new(&locales, &options).format();
        formatters.push((lang.to_owned(), format.clone()));
        format
    });
    format
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| rfc3339.to_owned())
}

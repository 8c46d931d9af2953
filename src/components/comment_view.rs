use colloquy_core::model::Comment;
use colloquy_core::validation::is_web_url;
use yew::prelude::*;

use crate::context::use_thread_context;
use crate::local_time::local_time;
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
    /// Whether this comment's reply form is open (it arrives as `children`).
    pub replying: bool,
    pub on_reply: Callback<i64>,
    #[prop_or_default]
    pub children: Html,
}

/// One comment: author, time, body, and its Reply button.
#[component]
pub fn CommentView(props: &CommentViewProps) -> Html {
    let context = use_thread_context();
    let messages = context.messages;
    let comment = &props.comment;
    let author = match comment.website.as_deref().filter(|url| is_web_url(url)) {
        Some(url) => html! {
            <a class="author" href={url.to_owned()} rel={READER_LINK_REL}>{comment.author.clone()}</a>
        },
        None => html! { <span class="author">{comment.author.clone()}</span> },
    };
    let reply_to = match &props.parent_author {
        Some(parent) if props.depth > MAX_INDENT => {
            html! { <span class="reply-to">{messages.reply_to(parent)}</span> }
        }
        _ => html! {},
    };
    let id = comment.id;
    let on_reply = props.on_reply.reform(move |_: MouseEvent| id);
    // The date is in the thread's language, which may differ from the catalog's while a
    // language has no translation yet; `lang` on the element says which one it is.
    let time = local_time(&comment.created_at, &context.lang);
    let time_lang = (!time.lang.is_empty()).then_some(time.lang);
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
                    <time datetime={comment.created_at.clone()} lang={time_lang}>{time.text}</time>
                </header>
                <div class="body">{render_markdown(&comment.body)}</div>
                if !props.replying {
                    <footer class="actions">
                        <button part="button" type="button" class="reply" onclick={on_reply}>{messages.widget.reply.as_str()}</button>
                    </footer>
                }
                {props.children.clone()}
            </article>
        </li>
    }
}

use colloquy_core::model::{Comment, LikeState};
use colloquy_core::validation::is_web_url;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::avatar::avatar;
use crate::api::{read, ApiError};
use crate::context::ThreadContext;
use crate::hooks::use_now;
use crate::local_time::{local_time, relative_time, unix_ms};
use crate::markdown_view::{render_comment_body, READER_LINK_REL};
use crate::state::ThreadAction;
use crate::text::{class_list, decimal, when};
use crate::view::{button, button_with, paragraph, span};

/// Replies are indented up to this depth; deeper replies line up with it and name the
/// comment they answer, so a long back-and-forth stays readable on a phone.
pub const MAX_INDENT: usize = 4;

#[derive(Properties, PartialEq)]
pub struct CommentViewProps {
    pub comment: Comment,
    pub depth: usize,
    /// Where the comment stands among its siblings (the comments answering the same one,
    /// or the top-level ones), from 1.
    pub position: usize,
    /// How many siblings there are, the comment included.
    pub set_size: usize,
    /// The author of the comment this one answers, when it is shown.
    pub parent_author: Option<AttrValue>,
    /// Whether this comment's reply form is open (it arrives as `children`).
    pub replying: bool,
    /// Whether the comment can take the focus from a script (the reader's own new comment).
    #[prop_or_default]
    pub focusable: bool,
    #[prop_or_default]
    pub children: Html,
    /// Now, by the server's clock, for "5 minutes ago" (see `use_now`).
    #[prop_or_default]
    pub now_ms: f64,
    /// Whether the reader likes this comment.
    #[prop_or_default]
    pub liked: bool,
    /// The comment's edit token when the reader wrote it (kept in `localStorage`).
    #[prop_or_default]
    pub edit_token: Option<AttrValue>,
    /// Opened through its permalink: marked, and scrolled to.
    #[prop_or_default]
    pub highlighted: bool,
    /// For a conversation's first comment with replies: how many, and whether hidden.
    #[prop_or_default]
    pub replies: Option<(usize, bool)>,
    pub context: ThreadContext,
}

/// What the reader is doing to their own comment.
#[derive(Clone, PartialEq)]
enum Editing {
    None,
    /// Asking for the comment's source.
    Opening,
    /// Changing it, from this text.
    Text(String),
    Saving(String),
    /// Asked whether to delete it for good.
    Confirming,
}

/// What the reader asked of a comment, carried out by [`act`].
enum Request {
    Like,
    CopyLink,
    /// Open their own comment for editing (its source comes from the server).
    Open,
    Save(String),
    Delete,
}

/// Everything a request needs, taken from the comment's view when it is drawn.
#[derive(Clone)]
struct Acting {
    id: i64,
    liked: bool,
    /// The reader's edit token for their own comment (empty for another's).
    token: AttrValue,
    /// The thread's API client, words, key and actions.
    context: ThreadContext,
    status: UseStateHandle<Option<String>>,
    editing: UseStateHandle<Editing>,
}

/// Carries out one request and shows how it went: one future for every button, rather
/// than one per button (250 bytes less of the gzipped widget). Whatever fails leaves
/// the reader's text where it was and says why in the comment's status line.
async fn act(request: Request, acting: Acting) {
    let Acting {
        id,
        context,
        status,
        editing,
        ..
    } = &acting;
    let (id, api, words) = (*id, &context.api, &context.messages.widget);
    // Every request but the clipboard's goes to the server, through one `send`.
    let call = match &request {
        Request::CopyLink => {
            let permalink = permalink_of(id);
            let done = match clipboard_write(&permalink) {
                Some(promise) => JsFuture::from(promise).await.is_ok(),
                None => false,
            };
            return status.set(Some(if done {
                words.link_copied.clone()
            } else {
                context.messages.link_not_copied(&permalink)
            }));
        }
        Request::Like => api.like(id, &crate::reader::voter(), !acting.liked),
        Request::Open => api.own_comment(id, &acting.token),
        Request::Save(text) => api.edit(id, &acting.token, text),
        Request::Delete => api.delete(id, &acting.token),
    };
    let answer = api.send(call).await;
    match request {
        Request::Like => match answer.and_then(read::<LikeState>) {
            Ok(now) => {
                crate::reader::set_liked(api.base(), id, now.liked);
                status.set(None);
                context
                    .actions
                    .emit(ThreadAction::Liked(id, now.likes, now.liked));
            }
            Err(error) => status.set(Some(in_words(error, &words.like_failed))),
        },
        Request::Open => match answer.and_then(read::<Comment>) {
            Ok(own) => editing.set(Editing::Text(own.body)),
            Err(error) => {
                editing.set(Editing::None);
                status.set(Some(in_words(error, &words.edit_failed)));
            }
        },
        Request::Save(text) => match answer.and_then(read) {
            Ok(changed) => {
                editing.set(Editing::None);
                status.set(None);
                context.actions.emit(ThreadAction::Edited(changed));
            }
            // The text stays in the box, whatever went wrong.
            Err(error) => {
                editing.set(Editing::Text(text));
                status.set(Some(in_words(error, &words.edit_failed)));
            }
        },
        Request::Delete => match answer {
            Ok(_) => {
                crate::reader::forget_own(api.base(), &context.thread, id);
                editing.set(Editing::None);
                context.actions.emit(ThreadAction::Deleted(id));
            }
            Err(error) => {
                editing.set(Editing::None);
                status.set(Some(in_words(error, &words.delete_failed)));
            }
        },
        Request::CopyLink => {}
    }
}

/// One comment: author, time, body, and its Reply button.
///
/// What the server says of it shows as badges, each in the catalog's words: the site
/// owner's comments carry one right after the name (from the server's `by_owner` alone,
/// never from the name), pinned ones one in the header, and the reader's own comment held
/// for approval one beside its time (and takes no replies). A deleted comment with replies
/// is a tombstone: its `<li>` keeps its place and its ARIA attributes, so its replies keep
/// theirs, and holds only the words saying it was deleted.
///
/// How the conversation reaches assistive technology: the thread stays one flat `<ol>`
/// (ARCHITECTURE.md, "Replies are laid out flat"), and each `<li>` carries its place in
/// the tree as WAI-ARIA 1.2 allows on `listitem`: `aria-level` (depth + 1, uncapped, where
/// the indentation stops at [`MAX_INDENT`]), and `aria-posinset`/`aria-setsize` among its
/// siblings. The other patterns cost more than they give: `tree`/`treeitem` makes every
/// comment a widget that needs roving focus and arrow keys, and hides the links and
/// buttons inside; `feed` counts positions across the whole feed, not among siblings, and
/// has no level; nested lists would make a reply chain as deep in the DOM as it is long
/// and turn one keyed insertion into a walk down the tree. ARIA 1.3's `comment` role is
/// made for this, but would leave the `<ol>` without the list items it must own.
///
/// Inside, the `<article>` is named by its author and, for a reply, by whom it answers
/// ("Ben Reply to Ann"): the "Reply to …" words are shown past [`MAX_INDENT`], where the
/// indentation no longer tells, and are there for screen readers only above it. Names and
/// bodies are the readers' own words, in whatever direction they wrote them: `dir="auto"`
/// isolates each from the interface's direction.
#[component]
pub fn CommentView(props: &CommentViewProps) -> Html {
    let context = &props.context;
    // Hooks come first, before any early return (a comment may become a tombstone).
    // What the reader's last action on this comment came to, in words (a failure, a copy).
    let status = use_state(|| None::<String>);
    let editing = use_state(|| Editing::None);
    let messages = context.messages;
    let comment = &props.comment;
    // Edit and Delete show on the reader's own comment with the time left to use them,
    // and go when the site's window closes (the server would refuse them from then on).
    // Only then does the comment redraw every second, while the thread's own clock (every
    // 20 seconds) says its window is open; every other comment keeps no timer.
    let posted_ms = unix_ms(&comment.created_at);
    let window_ends = posted_ms.unwrap_or(0.0) + context.edit_window_secs as f64 * 1000.0;
    let own = props.edit_token.is_some() && !comment.pending;
    let now = use_now(if own && window_ends > props.now_ms {
        1000
    } else {
        0
    })
    .max(props.now_ms);
    const DEPTHS: [&str; MAX_INDENT + 1] = ["depth-0", "depth-1", "depth-2", "depth-3", "depth-4"];
    let item_class = [
        "comment",
        DEPTHS[props.depth.min(MAX_INDENT)],
        when(comment.deleted, "tombstone"),
        when(comment.pending, "pending"),
        // A tombstone is not marked: there is nothing of the comment left to point at.
        when(props.highlighted && !comment.deleted, "highlighted"),
    ];
    if comment.deleted {
        let deleted_id = own_id(props, "-deleted");
        return list_item(
            props,
            &item_class,
            html! {
                <article part="comment" aria-labelledby={deleted_id.clone()}>
                    <p class="deleted" id={deleted_id}>{messages.widget.deleted.as_str()}</p>
                </article>
            },
        );
    }
    let author_id = own_id(props, "-author");
    let author = match comment.website.as_deref().filter(|url| is_web_url(url)) {
        Some(url) => html! {
            <a class="author" id={author_id.clone()} dir="auto" href={url.to_owned()} rel={READER_LINK_REL}>{comment.author.clone()}</a>
        },
        None => {
            html! { <span class="author" id={author_id.clone()} dir="auto">{comment.author.clone()}</span> }
        }
    };
    let (reply_to, labelled_by) = match &props.parent_author {
        Some(parent) => {
            let reply_to_id = own_id(props, "-reply-to");
            let shown = props.depth > MAX_INDENT;
            let reply_to = html! {
                <span
                    Class={class_list(&["reply-to", when(!shown, "visually-hidden")])}
                    id={reply_to_id.clone()}
                >
                    {sentence_with(messages.reply_to(PLACE), parent)}
                </span>
            };
            (reply_to, [author_id.as_str(), " ", &reply_to_id].concat())
        }
        None => (html! {}, author_id),
    };
    let id = comment.id;
    let on_reply = context
        .actions
        .reform(move |_: MouseEvent| ThreadAction::OpenReply(id));
    // The date is in the thread's language, which may differ from the catalog's while a
    // language has no translation yet; `lang` on the element says which one it is. What
    // shows is how long ago, by the server's clock; the date and time are its title.
    let time = local_time(&comment.created_at, &context.lang);
    let time_lang = (!time.lang.is_empty()).then_some(time.lang);
    let ago = posted_ms
        .filter(|_| props.now_ms > 0.0)
        .and_then(|posted| relative_time(posted, props.now_ms, &context.lang));
    let (time_text, time_title) = match ago {
        Some(ago) => (ago, Some(time.text)),
        None => (time.text, None),
    };
    let owner = comment
        .by_owner
        .then(|| span("badge owner", messages.widget.owner_badge.as_str()));
    let pinned = comment
        .pinned
        .then(|| span("badge pinned", messages.widget.pinned.as_str()));
    let pending = comment
        .pending
        .then(|| span("badge pending", messages.widget.awaiting_approval.as_str()));
    let edited = comment
        .edited
        .then(|| span("edited", messages.widget.edited.as_str()));
    let can_reply = !context.locked && !props.replying && !comment.pending;

    // Every button that asks the server (or the clipboard) sends its request here, and one
    // future carries each out ([`act`]); the callbacks only name the request, so drawing a
    // long thread builds no strings for them.
    let request = {
        let acting = Acting {
            id,
            liked: props.liked,
            token: props.edit_token.clone().unwrap_or_default(),
            context: context.clone(),
            status: status.clone(),
            editing: editing.clone(),
        };
        Callback::from(move |request: Request| {
            // What the reader sees at once, before the answer.
            match &request {
                Request::Open => acting.editing.set(Editing::Opening),
                Request::Save(text) => acting.editing.set(Editing::Saving(text.clone())),
                _ => {}
            }
            spawn_local(act(request, acting.clone()));
        })
    };
    let like = request.reform(|_: MouseEvent| Request::Like);
    let copy_link = request.reform(|_: MouseEvent| Request::CopyLink);

    let own_controls = (own && window_ends - now >= 1000.0 && *editing == Editing::None).then(|| {
        let on_delete = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(Editing::Confirming))
        };
        let left = ((window_ends - now) / 1000.0) as u64;
        let seconds = (left % 60) as i64;
        let zero = if seconds < 10 { "0" } else { "" };
        let time = [&decimal((left / 60) as i64), ":", zero, &decimal(seconds)].concat();
        html! {
            <>
                {button("edit", messages.widget.edit.as_str(), request.reform(|_: MouseEvent| Request::Open))}
                {button("delete", messages.widget.delete.as_str(), on_delete)}
                <span class="time-left">{messages.time_left(&time)}</span>
            </>
        }
    });

    let body = match &*editing {
        Editing::Text(text) | Editing::Saving(text) => {
            let saving = matches!(&*editing, Editing::Saving(_));
            let on_input = {
                let editing = editing.clone();
                Callback::from(move |event: InputEvent| {
                    if let Some(area) = event.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                        editing.set(Editing::Text(area.value()));
                    }
                })
            };
            let on_save = {
                let text = text.clone();
                request.reform(move |_: MouseEvent| Request::Save(text.clone()))
            };
            let on_cancel = {
                let editing = editing.clone();
                Callback::from(move |_: MouseEvent| editing.set(Editing::None))
            };
            html! {
                <div class="edit-form">
                    <textarea part="input" class="edit-body" aria-label={messages.widget.body_label.clone()}
                        value={text.clone()} oninput={on_input} disabled={saving} dir="auto" />
                    <div class="edit-actions">
                        {button_with("save", messages.widget.save.as_str().into(), on_save, saving, None, None)}
                        {button("cancel", messages.widget.cancel.as_str(), on_cancel)}
                    </div>
                </div>
            }
        }
        _ => html! { <div class="body" dir="auto">{render_comment_body(comment)}</div> },
    };
    let confirm = (*editing == Editing::Confirming).then(|| {
        let on_yes = request.reform(|_: MouseEvent| Request::Delete);
        let on_no = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(Editing::None))
        };
        html! {
            <p class="confirm" role="group">
                {messages.widget.confirm_delete.as_str()}{" "}
                {button("delete-yes", messages.widget.delete.as_str(), on_yes)}
                {button("delete-no", messages.widget.cancel.as_str(), on_no)}
            </p>
        }
    });
    let toggle = props.replies.map(|(count, collapsed)| {
        let on_toggle = context
            .actions
            .reform(move |_: MouseEvent| ThreadAction::ToggleCollapsed(id));
        let label = if collapsed {
            messages.expand(count as u64)
        } else {
            messages.collapse(count as u64)
        };
        button_with(
            "toggle",
            label.into(),
            on_toggle,
            false,
            None,
            Some(!collapsed),
        )
    });
    let likes_label = messages.likes(comment.likes);
    list_item(
        props,
        &item_class,
        html! {
            <article
                part="comment"
                aria-labelledby={labelled_by}
                tabindex={(props.focusable || props.highlighted).then_some("-1")}
            >
                <header class="meta">
                    {avatar(&comment.avatar)}
                    {author}
                    {owner}
                    {reply_to}
                    <a class="permalink" href={["#comment-", &decimal(id)].concat()}>
                        <time datetime={comment.created_at.clone()} lang={time_lang} title={time_title}>{time_text}</time>
                    </a>
                    {edited}
                    {pinned}
                    {pending}
                </header>
                {body}
                if !comment.pending {
                    <footer class="actions">
                        if can_reply {
                            {button("reply", messages.widget.reply.as_str(), on_reply)}
                        }
                        // Its name is what it shows, then the count in words ("Like, 3 likes"),
                        // so speech input finds it by its visible text.
                        {button_with("like", html! {
                            <>
                                {messages.widget.like.as_str()}
                                <span class="like-count" aria-hidden="true">{decimal(comment.likes.min(i64::MAX as u64) as i64)}</span>
                                <span class="visually-hidden">{[", ", &likes_label].concat()}</span>
                            </>
                        }, like, false, Some(props.liked), None)}
                        {button("copy-link", messages.widget.copy_link.as_str(), copy_link)}
                        {own_controls}
                        {toggle}
                    </footer>
                }
                {confirm}
                if let Some(status) = &*status {
                    {paragraph("action-status", Some("status"), status.clone())}
                }
                {props.children.clone()}
            </article>
        },
    )
}

/// What a failed request tells the reader: the server's own sentence when it gave one
/// (in their language: "You cannot like your own comment."), else `otherwise`.
fn in_words(error: ApiError, otherwise: &str) -> String {
    match error {
        ApiError::Refused(_, body) if !body.message.is_empty() => body.message,
        _ => otherwise.to_owned(),
    }
}

/// The host page's address with the comment's fragment: what "Copy link" copies.
pub fn permalink_of(id: i64) -> String {
    let page = web_sys::window()
        .and_then(|window| window.location().href().ok())
        .unwrap_or_default();
    let page = colloquy_core::scan::before(&page, b'#');
    [page, "#comment-", &decimal(id)].concat()
}

/// Asks the page's `navigator.clipboard` to take `text`: the promise of its answer, or
/// `None` where there is no clipboard to ask (no permission, no secure context).
fn clipboard_write(text: &str) -> Option<js_sys::Promise> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).ok()?;
    let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()?
        .dyn_into()
        .ok()?;
    write
        .call1(&clipboard, &JsValue::from_str(text))
        .ok()?
        .dyn_into()
        .ok()
}

/// The `<li>` of a comment (or of its tombstone): its place in the conversation, as
/// assistive technology reads it, around `content`.
fn list_item(props: &CommentViewProps, class: &[&str], content: Html) -> Html {
    let comment = &props.comment;
    let id = decimal(comment.id);
    html! {
        <li
            Class={class_list(class)}
            id={["comment-", &id].concat()}
            data-comment-id={id}
            data-parent-id={comment.parent_id.map(decimal)}
            data-depth={decimal(props.depth as i64)}
            aria-level={decimal(props.depth as i64 + 1)}
            aria-posinset={decimal(props.position as i64)}
            aria-setsize={decimal(props.set_size as i64)}
        >
            {content}
        </li>
    }
}

/// The id of one of this comment's elements: the thread's prefix, the comment's id and
/// `suffix` (`"-author"`), so ids stay unique with two threads on one page.
fn own_id(props: &CommentViewProps, suffix: &str) -> String {
    [
        props.context.id_prefix.as_str(),
        "-c",
        &decimal(props.comment.id),
        suffix,
    ]
    .concat()
}

/// Where a reader's or a page's words go in a catalog sentence given to [`sentence_with`]:
/// a private-use character, which no catalog holds. It is put in, not the words, so
/// whatever the words contain cannot split the sentence in the wrong place.
pub const PLACE: &str = "\u{E000}";

/// [`PLACE`] as the `char` [`sentence_with`] splits at: a text pattern would bring a
/// substring search into the widget for this one call.
const PLACE_CHAR: char = '\u{E000}';
const _: () = assert!(PLACE.len() == PLACE_CHAR.len_utf8());

/// A catalog sentence with a reader's or a page's words in it (a name, a title):
/// `sentence` is the catalog's sentence filled in with [`PLACE`] where the words go. The
/// words come out in a `<span dir="auto">`, so an Arabic name in an English sentence (or a
/// Latin one in Arabic) keeps its own order and does not pull the punctuation around it
/// along; the sentence's text is unchanged. (A sentence without the place is the same
/// whatever its words, and shows as it is.)
pub fn sentence_with(sentence: String, words: &str) -> Html {
    // The place found by characters: a `char` pattern brings std's searcher into the wasm.
    let place = sentence.char_indices().find(|&(_, c)| c == PLACE_CHAR);
    let parts = place.map(|(at, _)| (&sentence[..at], &sentence[at + PLACE.len()..]));
    match parts {
        Some((before, after)) => html! {
            <>{before.to_owned()}<span dir="auto">{words.to_owned()}</span>{after.to_owned()}</>
        },
        None => html! { {sentence} },
    }
}

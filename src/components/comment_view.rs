use colloquy_core::model::Comment;
use colloquy_core::validation::is_web_url;
use yew::prelude::*;

use crate::context::use_thread_context;
use crate::local_time::local_time;
use crate::markdown_view::{render_comment_body, READER_LINK_REL};

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
    /// What this thread's ids start with (see `ThreadView`).
    pub id_prefix: AttrValue,
    /// The author of the comment this one answers, when it is shown.
    pub parent_author: Option<AttrValue>,
    /// Whether this comment's reply form is open (it arrives as `children`).
    pub replying: bool,
    /// Whether the thread takes replies (it is not closed): without, no Reply button.
    #[prop_or(true)]
    pub can_reply: bool,
    /// Whether the comment can take the focus from a script (the reader's own new comment).
    #[prop_or_default]
    pub focusable: bool,
    pub on_reply: Callback<i64>,
    #[prop_or_default]
    pub children: Html,
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
    let context = use_thread_context();
    let messages = context.messages;
    let comment = &props.comment;
    let item_class = classes!(
        "comment",
        format!("depth-{}", props.depth.min(MAX_INDENT)),
        comment.deleted.then_some("tombstone"),
        comment.pending.then_some("pending"),
    );
    if comment.deleted {
        let deleted_id = format!("{}-c{}-deleted", props.id_prefix, comment.id);
        return list_item(
            props,
            item_class,
            html! {
                <article part="comment" aria-labelledby={deleted_id.clone()}>
                    <p class="deleted" id={deleted_id}>{messages.widget.deleted.as_str()}</p>
                </article>
            },
        );
    }
    let author_id = format!("{}-c{}-author", props.id_prefix, comment.id);
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
            let reply_to_id = format!("{}-c{}-reply-to", props.id_prefix, comment.id);
            let shown = props.depth > MAX_INDENT;
            let reply_to = html! {
                <span
                    class={classes!("reply-to", (!shown).then_some("visually-hidden"))}
                    id={reply_to_id.clone()}
                >
                    {sentence_with(|author| messages.reply_to(author), parent)}
                </span>
            };
            (reply_to, format!("{author_id} {reply_to_id}"))
        }
        None => (html! {}, author_id),
    };
    let id = comment.id;
    let on_reply = props.on_reply.reform(move |_: MouseEvent| id);
    // The date is in the thread's language, which may differ from the catalog's while a
    // language has no translation yet; `lang` on the element says which one it is.
    let time = local_time(&comment.created_at, &context.lang);
    let time_lang = (!time.lang.is_empty()).then_some(time.lang);
    let owner = comment.by_owner.then(|| {
        html! { <span class="badge owner">{messages.widget.owner_badge.as_str()}</span> }
    });
    let pinned = comment
        .pinned
        .then(|| html! { <span class="badge pinned">{messages.widget.pinned.as_str()}</span> });
    let pending = comment.pending.then(|| {
        html! { <span class="badge pending">{messages.widget.awaiting_approval.as_str()}</span> }
    });
    let can_reply = props.can_reply && !props.replying && !comment.pending;
    list_item(
        props,
        item_class,
        html! {
            <article
                part="comment"
                aria-labelledby={labelled_by}
                tabindex={props.focusable.then_some("-1")}
            >
                <header class="meta">
                    {author}
                    {owner}
                    {reply_to}
                    <time datetime={comment.created_at.clone()} lang={time_lang}>{time.text}</time>
                    {pinned}
                    {pending}
                </header>
                <div class="body" dir="auto">{render_comment_body(comment)}</div>
                if can_reply {
                    <footer class="actions">
                        <button part="button" type="button" class="reply" onclick={on_reply}>{messages.widget.reply.as_str()}</button>
                    </footer>
                }
                {props.children.clone()}
            </article>
        },
    )
}

/// The `<li>` of a comment (or of its tombstone): its place in the conversation, as
/// assistive technology reads it, around `content`.
fn list_item(props: &CommentViewProps, class: Classes, content: Html) -> Html {
    let comment = &props.comment;
    html! {
        <li
            {class}
            data-comment-id={comment.id.to_string()}
            data-parent-id={comment.parent_id.map(|id| id.to_string())}
            data-depth={props.depth.to_string()}
            aria-level={(props.depth + 1).to_string()}
            aria-posinset={props.position.to_string()}
            aria-setsize={props.set_size.to_string()}
        >
            {content}
        </li>
    }
}

/// A catalog sentence with a reader's or a page's words in it (a name, a title): `fill`
/// puts its argument where the words go. The words come out in a `<span dir="auto">`, so
/// an Arabic name in an English sentence (or a Latin one in Arabic) keeps its own order
/// and does not pull the punctuation around it along; the sentence's text is unchanged.
pub fn sentence_with(fill: impl Fn(&str) -> String, words: &str) -> Html {
    // A private-use character: no catalog holds one, and it is put in, not the words, so
    // whatever the words contain cannot split the sentence in the wrong place.
    const PLACE: &str = "\u{E000}";
    match fill(PLACE).split_once(PLACE) {
        Some((before, after)) => html! {
            <>{before.to_owned()}<span dir="auto">{words.to_owned()}</span>{after.to_owned()}</>
        },
        None => html! { {fill(words)} },
    }
}

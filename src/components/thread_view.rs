use std::cell::Cell;

use colloquy_core::model::{PublicConfig, ThreadPage};
use colloquy_core::scan::parse_digits;
use colloquy_core::tree::{conversations, ThreadEntry};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::comment_form::{CommentForm, CommentFormProps};
use super::comment_thread::CommentThreadProps;
use super::comment_view::{sentence_with, CommentView, CommentViewProps, PLACE};
use super::news_announcer::{news_announcer, use_news_timer};
use crate::api::{read, Api, ApiError};
use crate::context::ThreadContext;
use crate::hooks::{use_effect_when, use_held_comments, use_live_updates, use_now};
use crate::state::{FocusTarget, Load, More, ThreadAction, ThreadState, FIRST_PAINT};
use crate::text::{class_list, decimal, when};
use crate::view::{button, button_with, paragraph};
use crate::words::{self, use_catalog};

thread_local! {
    static THREADS_MADE: Cell<u32> = const { Cell::new(0) };
}

/// A prefix for the ids inside one thread (the elements that name each comment), distinct
/// for every thread on the page, so that even threads drawn without a shadow root of their
/// own never point at each other's elements.
fn next_thread_id() -> String {
    THREADS_MADE.with(|count| {
        count.set(count.get() + 1);
        ["colloquy-thread-", &decimal(i64::from(count.get()))].concat()
    })
}

/// Each entry's place among its siblings, as (position from 1, number of siblings): the
/// comments shown at the same depth under the same parent, or at the top level. One pass
/// over the flat order, as everything else here: a group stays open while the entries
/// after it are deeper, and closes at the first one that is not.
pub(crate) fn positions_among_siblings(entries: &[ThreadEntry]) -> Vec<(usize, usize)> {
    let mut sizes: Vec<usize> = Vec::new();
    let mut group_of = Vec::with_capacity(entries.len());
    let mut positions = Vec::with_capacity(entries.len());
    // The open group at each depth, from the top level down to the entry's own.
    let mut open: Vec<usize> = Vec::new();
    for entry in entries {
        open.truncate(entry.depth + 1);
        while open.len() <= entry.depth {
            sizes.push(0);
            open.push(sizes.len() - 1);
        }
        let group = open[entry.depth];
        sizes[group] += 1;
        group_of.push(group);
        positions.push(sizes[group]);
    }
    positions
        .into_iter()
        .zip(group_of)
        .map(|(position, group)| (position, sizes[group]))
        .collect()
}

/// Whether the focus may be taken for the reader's new comment: only from the form that
/// posted it, or from nowhere (the reply form that had it has closed). A reader who went
/// elsewhere on the page while the post was on its way keeps their place.
fn focus_is_ours_to_move(section: &Element) -> bool {
    let Some(document) = section.owner_document() else {
        return false;
    };
    let mut focused = document.active_element();
    // Down through open shadow roots to the element that really holds the focus.
    while let Some(inner) = focused
        .as_ref()
        .and_then(Element::shadow_root)
        .and_then(|root| root.active_element())
    {
        focused = Some(inner);
    }
    match focused {
        None => true,
        Some(element)
            if document
                .body()
                .is_some_and(|body| body.is_same_node(Some(&element))) =>
        {
            true
        }
        Some(element) => {
            section.contains(Some(&element)) && element.closest("form").ok().flatten().is_some()
        }
    }
}

/// The selector of comment `id`'s `<li>`, then `then` (`" > article"`).
fn comment_selector(id: i64, then: &str) -> String {
    ["li[data-comment-id='", &decimal(id), "']", then].concat()
}

/// Carries out what the state asked for (see [`ThreadState::focus`]).
fn move_focus(section: &Element, target: FocusTarget) {
    let selector = match target {
        FocusTarget::Comment(id) => {
            if !focus_is_ours_to_move(section) {
                return;
            }
            comment_selector(id, " > article")
        }
        FocusTarget::ReplyButton(id) => comment_selector(id, " button.reply"),
    };
    if let Ok(Some(element)) = section.query_selector(&selector) {
        if let Some(element) = element.dyn_ref::<HtmlElement>() {
            let _ = element.focus();
        }
    }
}

/// The thread itself, drawn wherever its parent puts it: the count, the comments with their
/// replies, and the form. It takes the same props as [`CommentThread`](crate::CommentThread)
/// and gives its components the [`ThreadContext`] they read.
///
/// It brings no isolation of its own: [`mount`](crate::mount::mount) renders it as an app
/// inside the shadow root it made, and the public `CommentThread` portals it into one.
///
/// Once loaded, the thread follows the server's live events while it is on screen
/// ([`use_live_updates`]): new comments take the place the sort gives them, and screen
/// readers hear of them politely; the focus and the scroll position are left alone.
/// The reader's own comments held for approval are shown to them alone, again after a
/// reload ([`use_held_comments`]), and never counted; a thread the owner closed shows a
/// notice in place of the form, and no Reply buttons.
///
/// The focus moves only for what the reader did: Reply puts it in the reply form's first
/// field, closing that form (Cancel, Escape) puts it back on the Reply button, and the
/// reader's own new comment takes it (announced in the live region) when the focus was
/// still in the form that posted it.
#[component]
pub fn ThreadView(props: &CommentThreadProps) -> Html {
    let state = use_reducer(ThreadState::default);
    let section = use_node_ref();
    let ids = use_memo((), |()| AttrValue::from(next_thread_id()));
    // What the comments and the forms tell the thread: one callback, the same from one
    // render to the next, so a comment whose props did not change is not drawn again when
    // the thread is.
    let actions = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |()| dispatcher.to_callback())).clone()
    };
    let tag = words::language(&props.lang);
    let api = Api::new(&props.api).with_lang(tag);
    // While another language's words are on their way the thread loads all the same,
    // out of sight: no reader sees English flash before their own words.
    let catalog = use_catalog(&api, tag);
    let context = ThreadContext {
        id_prefix: (*ids).clone(),
        locked: state.locked,
        edit_window_secs: state.edit_window_secs,
        actions: actions.clone(),
        ..ThreadContext::new(
            catalog.unwrap_or_else(words::english),
            api,
            props.thread.clone(),
            props.lang.clone(),
            state.rules,
        )
        .with_title(props.title.clone())
    };
    let messages = context.messages;

    {
        // Asked again with every retry: the reason the thread failed may have gone.
        let dispatcher = state.dispatcher();
        use_effect_when((context.api.clone(), state.reloads), move |(api, _)| {
            let api = api.clone();
            spawn_local(async move {
                match api.send(api.config()).await.and_then(read::<PublicConfig>) {
                    Ok(config) => {
                        dispatcher.dispatch(ThreadAction::RulesLoaded(
                            config.rules,
                            config.edit_window_secs,
                        ));
                    }
                    // Only worth telling the reader if the thread fails as well (see the
                    // status below); until then the form keeps core's defaults, and the
                    // server still has the final word on every post.
                    Err(error) if error.means_no_server() => {
                        dispatcher.dispatch(ThreadAction::NoServer(api.config_url()));
                    }
                    Err(_) => {}
                }
            });
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_when(
            (
                props.thread.clone(),
                context.api.clone(),
                props.sort,
                state.reloads,
            ),
            move |(thread, api, sort, _)| {
                let (thread, api, sort) = (thread.as_str().to_owned(), api.clone(), *sort);
                dispatcher.dispatch(ThreadAction::Load(thread.clone()));
                spawn_local(async move {
                    // Ready for the thread: an answer the loader fetched ahead is decoded
                    // from here (the bench's "decode → render" starts no earlier).
                    mark("colloquy:ask");
                    // Opened from a permalink: every page through the one that holds it.
                    let mut around = permalink_target();
                    // One request, or two when the permalink's comment is gone.
                    let failed = loop {
                        let answer = api.send(api.thread(&thread, sort, None, around)).await;
                        break match answer.and_then(read::<ThreadPage>) {
                            Ok(page) if page.thread == thread => {
                                mark("colloquy:data");
                                return dispatcher.dispatch(ThreadAction::Loaded(page));
                            }
                            // Another thread's page: something between us and the server
                            // (a proxy decoding `%2F`, say) changed the key. Say so, rather
                            // than wait forever for the page asked for.
                            Ok(_) => messages.widget.load_failed.as_str(),
                            // The permalink's comment is gone: the thread from its start.
                            Err(ApiError::Refused(404, _)) if around.is_some() => {
                                dispatcher.dispatch(ThreadAction::Highlight(None));
                                around = None;
                                continue;
                            }
                            Err(ApiError::Refused(403, _)) => {
                                messages.widget.origin_refused.as_str()
                            }
                            Err(_) => messages.widget.load_failed.as_str(),
                        };
                    };
                    dispatcher.dispatch(ThreadAction::LoadFailed(thread, failed));
                });
            },
        );
    }

    use_live_updates(&section, &context.api, &state);
    use_held_comments(&context.api, &state);
    let now_ms = use_now(20_000);
    use_news_timer(
        &state.news,
        state.posted_news,
        actions.reform(|()| ThreadAction::NewsAnnounced),
    );
    {
        let dispatcher = state.dispatcher();
        use_effect_when(context.api.clone(), move |api| {
            dispatcher.dispatch(ThreadAction::LikedBefore(crate::reader::liked(api.base())));
        });
    }
    // The reader's own comments, read again only when they post one.
    let own = use_memo((context.api.clone(), state.last_posted), |(api, _)| {
        crate::reader::own(api.base())
    });

    {
        // A permalink's comment, once its page is shown: marked and scrolled to. A link
        // followed later (the page's fragment changes) does the same, loading its pages
        // first when they are not shown. One effect for both, run again as comments come
        // and go.
        let dispatcher = state.dispatcher();
        let ids: Vec<i64> = state.comments.iter().map(|c| c.id).collect();
        use_effect_when((state.load.clone(), ids), move |(load, ids)| {
            let ids = ids.clone();
            if *load == Load::Loaded {
                if let Some(id) = permalink_target().filter(|id| ids.contains(id)) {
                    dispatcher.dispatch(ThreadAction::Highlight(Some(id)));
                }
            }
            let listener = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                if let Some(id) = permalink_target() {
                    if ids.contains(&id) {
                        dispatcher.dispatch(ThreadAction::Highlight(Some(id)));
                    } else {
                        dispatcher.dispatch(ThreadAction::Reload);
                    }
                }
            });
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    {
        let (section, highlight) = (section.clone(), state.highlight);
        use_effect_when(highlight, move |highlight| {
            if let (Some(id), Some(section)) = (highlight, section.cast::<Element>()) {
                let selector = comment_selector(*id, " > article");
                if let Ok(Some(element)) = section.query_selector(&selector) {
                    element.scroll_into_view();
                    if let Some(element) = element.dyn_ref::<HtmlElement>() {
                        let _ = element.focus();
                    }
                }
            }
        });
    }

    {
        // A page that just arrived is drawn in part (see `ThreadState::first_paint`); once
        // the browser has painted that part, the rest.
        let dispatcher = state.dispatcher();
        use_effect_when(state.first_paint, move |&first_paint| {
            if first_paint {
                after_next_paint(move || dispatcher.dispatch(ThreadAction::Painted));
            }
        });
    }
    {
        // The reducer asks; the focus moves once per asking, after the render that drew
        // the element it goes to.
        let (section, focus) = (section.clone(), state.focus);
        use_effect_when(state.focus_requests, move |_| {
            if let (Some(target), Some(section)) = (focus, section.cast::<Element>()) {
                move_focus(&section, target);
            }
        });
    }

    // A thread that fails where no Colloquy server answered is most likely a wrong base
    // URL (`data-api`): say which URL was tried, in the widget and to the site owner's
    // console.
    let no_server = match (&state.load, &state.no_server_at) {
        (Load::Failed(_), Some(url)) => Some(messages.no_server_at(url)),
        _ => None,
    };
    use_effect_when(no_server.clone(), |no_server| {
        if let Some(message) = no_server {
            web_sys::console::error_1(&["Colloquy: ", message].concat().into());
        }
    });

    let retry = actions.reform(|_: MouseEvent| ThreadAction::Reload);

    let show_more = {
        let (dispatcher, api, thread, sort) = (
            state.dispatcher(),
            context.api.clone(),
            props.thread.as_str().to_owned(),
            props.sort,
        );
        let next = state.next.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(next) = next.clone() else {
                return;
            };
            let (dispatcher, api, thread) = (dispatcher.clone(), api.clone(), thread.clone());
            dispatcher.dispatch(ThreadAction::MoreLoading);
            spawn_local(async move {
                let answer = api.send(api.thread(&thread, sort, Some(&next), None)).await;
                match answer.and_then(read::<ThreadPage>) {
                    Ok(page) => dispatcher.dispatch(ThreadAction::MoreLoaded(page)),
                    Err(_) => dispatcher.dispatch(ThreadAction::MoreFailed),
                }
            });
        })
    };
    let status = match &state.load {
        Load::Loading => paragraph("status", Some("status"), messages.widget.loading.as_str()),
        Load::Failed(message) => html! {
            <div class="status failed" role="alert">
                <p>{no_server.unwrap_or_else(|| (*message).to_owned())}</p>
                {button("retry", messages.widget.retry.as_str(), retry)}
            </div>
        },
        // A closed thread asks nobody to be the first: the notice below says it is closed.
        Load::Loaded if state.comments.is_empty() && !state.locked => {
            paragraph("status empty", None, messages.widget.empty.as_str())
        }
        Load::Loaded => html! {},
    };

    // The conversations in the order asked for, each cut to what the reader opened: a
    // collapsed one shows its first comment, a long one its first replies and a button.
    let mut entries: Vec<ThreadEntry> = Vec::new();
    let mut more_after: Vec<(usize, i64, usize)> = Vec::new();
    // How many replies each shown entry's conversation has, for its first comment's
    // toggle (0 for the replies themselves).
    let mut replies_of: Vec<usize> = Vec::new();
    for conversation in conversations(&state.comments, props.sort) {
        let first = &conversation.entries[0];
        let root = state.comments[first.index].id;
        let replies = conversation.entries.len() - 1;
        let collapsed = state.collapsed.contains(&root);
        let shown = if collapsed {
            1
        } else if state.all_replies.contains(&root) {
            conversation.entries.len()
        } else {
            conversation.entries.len().min(1 + REPLIES_SHOWN)
        };
        entries.extend_from_slice(&conversation.entries[..shown]);
        replies_of.push(replies);
        replies_of.resize(entries.len(), 0);
        if !collapsed && shown < conversation.entries.len() {
            more_after.push((entries.len(), root, conversation.entries.len() - shown));
        }
    }
    // The first frame after a page arrives draws its first comments only, unless a
    // permalink is to be scrolled to (it may be further down).
    let partial = state.first_paint
        && entries.len() > FIRST_PAINT
        && state.highlight.is_none()
        && permalink_target().is_none();
    if partial {
        entries.truncate(FIRST_PAINT);
    }
    let positions = positions_among_siblings(&entries);
    let mut comments: Vec<Html> = Vec::with_capacity(entries.len() + more_after.len());
    let mut more = more_after.into_iter().peekable();
    for (number, (entry, (position, set_size))) in entries.iter().zip(positions).enumerate() {
        let comment = &state.comments[entry.index];
        // Who the comment answers, for "Reply to …" (a tombstone has no author to name).
        let parent_author = entry
            .parent
            .map(|index| &state.comments[index])
            .filter(|parent| !parent.deleted)
            .map(|parent| AttrValue::from(parent.author.clone()));
        let replying = !state.locked && state.replying_to == Some(comment.id);
        let edit_token = own
            .iter()
            .find(|own| own.id == comment.id)
            .map(|own| AttrValue::from(own.edit_token.clone()));
        // The props as a struct, not through `html!`'s builder: a builder for twenty
        // fields is a lot of code for one call.
        let props = CommentViewProps {
            comment: comment.clone(),
            depth: entry.depth,
            position,
            set_size,
            parent_author,
            replying,
            focusable: state.last_posted == Some(comment.id),
            children: if replying {
                let props = CommentFormProps {
                    context: context.clone(),
                    parent_id: Some(comment.id),
                    heading: sentence_with(messages.reply_heading(PLACE), &comment.author),
                    focus_first_field: true,
                };
                html! { <CommentForm ..props /> }
            } else {
                Html::default()
            },
            now_ms,
            liked: state.liked.contains(&comment.id),
            edit_token,
            highlighted: state.highlight == Some(comment.id),
            replies: (entry.depth == 0 && replies_of[number] > 0)
                .then(|| (replies_of[number], state.collapsed.contains(&comment.id))),
            context: context.clone(),
        };
        comments.push(html! { <CommentView key={decimal(comment.id)} ..props /> });
        while let Some(&(after, root, hidden)) = more.peek() {
            if after != number + 1 {
                break;
            }
            more.next();
            let onclick = actions.reform(move |_: MouseEvent| ThreadAction::AllReplies(root));
            comments.push(html! {
                <li class="more-replies" key={["more-", &crate::text::decimal(root)].concat()}>
                    {button("more-replies", messages.more_replies(hidden as u64), onclick)}
                </li>
            });
        }
    }

    // The title is the page's words: isolated, so a title in another direction than the
    // catalog's keeps its own order and leaves the sentence around it alone.
    // Until the server has said how many there are, the heading says only "Comments":
    // never "No comments" while they are loading, or failed to.
    let heading = match &props.title {
        // Only part is drawn yet: the count comes with the rest (a moment later), so a
        // count on screen always means every comment of the page is there.
        _ if state.load != Load::Loaded || partial => {
            html! { {messages.widget.heading.as_str()} }
        }
        Some(title) => sentence_with(messages.comment_count_on(state.total, PLACE), title),
        None => html! { {messages.comment_count(state.total)} },
    };
    let more_button = (state.next.is_some() && !partial).then(|| {
        let (label, class) = match state.more {
            More::Idle => (messages.widget.show_more.as_str(), "show-more"),
            More::Loading => (messages.widget.loading_more.as_str(), "show-more loading"),
            More::Failed => (messages.widget.retry.as_str(), "show-more failed"),
        };
        html! {
            <div class="more">
                if state.more == More::Failed {
                    {paragraph("status failed", Some("alert"), messages.widget.load_more_failed.as_str())}
                }
                {button_with(class, label.into(), show_more, state.more == More::Loading, None, None)}
            </div>
        }
    });
    html! {
        <section
            Class={class_list(&["colloquy", props.theme.class(), when(catalog.is_none(), "awaiting-words")])}
            part="thread"
            lang={messages.lang.clone()}
            dir={messages.dir.as_str()}
            aria-busy={(catalog.is_none() || partial).then_some("true")}
            ref={section}
        >
            <h2 class="count" part="count">{heading}</h2>
            {news_announcer(messages, &state.news, state.posted_news)}
            {status}
            if state.permalink_missing {
                {paragraph("status permalink-missing", Some("status"), messages.widget.permalink_missing.as_str())}
            }
            if !state.comments.is_empty() {
                <ol class="comments">{for comments}</ol>
            }
            {more_button}
            if state.locked {
                {paragraph("status closed", None, messages.widget.comments_closed.as_str())}
            } else if partial {
                // The form comes with the rest of the page, a frame later.
            } else if !state.rules_known || !state.answered {
                // Failed: the status above says why, and offers to try again.
                if !matches!(state.load, Load::Failed(_)) {
                    {paragraph("status waiting", Some("status"), messages.widget.waiting_for_server.as_str())}
                }
            } else {
                // Keyed by thread: after a route change the form starts over with that
                // thread's own draft instead of carrying the last one's.
                <CommentForm key={props.thread.as_str().to_owned()} ..CommentFormProps {
                    context,
                    parent_id: None,
                    heading: html! { {messages.widget.leave_comment.as_str()} },
                    focus_first_field: false,
                } />
            }
        </section>
    }
}

/// Replies shown under each conversation before "Show N more replies".
pub const REPLIES_SHOWN: usize = 10;

/// The comment the page's address points at (`#comment-<id>`, the permalink every comment
/// has), if any.
fn permalink_target() -> Option<i64> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let id = parse_digits(hash.strip_prefix("#comment-")?, 10)?;
    i64::try_from(id).ok()
}

/// Runs `then` once the browser has painted what the DOM holds now: in a task queued from
/// the next animation frame (a frame's callbacks run before its paint). A page in a tab
/// out of sight gets no frames, so a timer does it there (whichever comes first; `then`
/// must bear being called twice).
fn after_next_paint(then: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return then();
    };
    let then = std::rc::Rc::new(then);
    let task = {
        let then = then.clone();
        wasm_bindgen::closure::Closure::once_into_js(move || then())
    };
    let frame = {
        let window = window.clone();
        wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = window.set_timeout_with_callback(task.unchecked_ref());
        })
    };
    let _ = window.request_animation_frame(frame.unchecked_ref());
    let fallback = wasm_bindgen::closure::Closure::once_into_js(move || then());
    let _ =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(fallback.unchecked_ref(), 250);
}

/// A Performance API mark, so anyone (and `cargo xtask bench`) can time the widget from the
/// page's own timeline: `colloquy:data` when a thread's data has arrived and been parsed.
fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(depths: &[usize]) -> Vec<ThreadEntry> {
        depths
            .iter()
            .enumerate()
            .map(|(index, &depth)| ThreadEntry {
                index,
                depth,
                parent: None,
            })
            .collect()
    }

    #[test]
    fn siblings_are_counted_under_their_own_parent() {
        // 1, its replies 2 (with 3 under it) and 4, then 5; 6 under 5.
        let shown = entries(&[0, 1, 2, 1, 0, 1]);
        assert_eq!(
            positions_among_siblings(&shown),
            vec![(1, 2), (1, 2), (1, 1), (2, 2), (2, 2), (1, 1)]
        );
    }

    #[test]
    fn a_new_group_starts_under_every_parent() {
        // Two conversations, each with two replies: the second pair is not the first's.
        let shown = entries(&[0, 1, 1, 0, 1, 1, 1]);
        assert_eq!(
            positions_among_siblings(&shown),
            vec![(1, 2), (1, 2), (2, 2), (2, 2), (1, 3), (2, 3), (3, 3)]
        );
    }

    #[test]
    fn a_long_chain_costs_a_loop() {
        let depths: Vec<usize> = (0..10_000).collect();
        let positions = positions_among_siblings(&entries(&depths));
        assert!(positions.iter().all(|&p| p == (1, 1)));
        assert!(positions_among_siblings(&[]).is_empty());
    }
}

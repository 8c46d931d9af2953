use std::collections::HashMap;

use colloquy_core::tree::build_sorted_reply_tree;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::comment_form::CommentForm;
use super::comment_thread::CommentThreadProps;
use super::comment_view::CommentView;
use super::news_announcer::NewsAnnouncer;
use crate::api::{Api, ApiError};
use crate::context::ThreadContext;
use crate::hooks::use_live_updates;
use crate::state::{Load, ThreadAction, ThreadState};
use crate::words::{self, use_catalog};

/// The thread itself, drawn wherever its parent puts it: the count, the comments with their
/// replies, and the form. It takes the same props as [`CommentThread`](crate::CommentThread)
/// and provides the [`ThreadContext`] its components read.
///
/// It brings no isolation of its own: [`mount`](crate::mount::mount) renders it as an app
/// inside the shadow root it made, and the public `CommentThread` portals it into one.
///
/// Once loaded, the thread follows the server's live events while it is on screen
/// ([`use_live_updates`]): new comments take the place the sort gives them, and screen
/// readers hear of them politely; the focus and the scroll position are left alone.
#[component]
pub fn ThreadView(props: &CommentThreadProps) -> Html {
    let state = use_reducer(ThreadState::default);
    let reloads = use_state(|| 0u32);
    let section = use_node_ref();
    let tag = words::language(&props.lang);
    let api = Api::new(&props.api).with_lang(tag);
    // While another language's words are on their way the thread loads all the same,
    // out of sight: no reader sees English flash before their own words.
    let catalog = use_catalog(&api, tag);
    let context = ThreadContext::new(
        catalog.unwrap_or_else(words::english),
        api,
        props.thread.clone(),
        props.lang.clone(),
        state.rules,
    );
    let messages = context.messages;

    {
        // Asked again with every retry: the reason the thread failed may have gone.
        let dispatcher = state.dispatcher();
        use_effect_with((context.api.clone(), *reloads), move |(api, _)| {
            let api = api.clone();
            spawn_local(async move {
                match api.config().await {
                    Ok(config) => dispatcher.dispatch(ThreadAction::RulesLoaded(config.rules)),
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
        use_effect_with(
            (
                props.thread.clone(),
                context.api.clone(),
                props.sort,
                *reloads,
            ),
            move |(thread, api, sort, _)| {
                let (thread, api, sort) = (thread.to_string(), api.clone(), *sort);
                dispatcher.dispatch(ThreadAction::Load(thread.clone()));
                spawn_local(async move {
                    let failed = match api.thread(&thread, sort).await {
                        Ok(page) if page.thread == thread => {
                            mark("colloquy:data");
                            return dispatcher.dispatch(ThreadAction::Loaded(page));
                        }
                        // Another thread's page: something between us and the server
                        // (a proxy decoding `%2F`, say) changed the key. Say so, rather
                        // than wait forever for the page asked for.
                        Ok(_) => messages.widget.load_failed.as_str(),
                        Err(ApiError::Refused(403, _)) => messages.widget.origin_refused.as_str(),
                        Err(_) => messages.widget.load_failed.as_str(),
                    };
                    dispatcher.dispatch(ThreadAction::LoadFailed(thread, failed));
                });
            },
        );
    }

    use_live_updates(&section, &context.api, &state);

    // A thread that fails where no Colloquy server answered is most likely a wrong base
    // URL (`data-api`): say which URL was tried, in the widget and to the site owner's
    // console.
    let no_server = match (&state.load, &state.no_server_at) {
        (Load::Failed(_), Some(url)) => Some(messages.no_server_at(url)),
        _ => None,
    };
    use_effect_with(no_server.clone(), |no_server| {
        if let Some(message) = no_server {
            web_sys::console::error_1(&format!("Colloquy: {message}").into());
        }
    });

    let retry = {
        let reloads = reloads.clone();
        Callback::from(move |_: MouseEvent| reloads.set(*reloads + 1))
    };
    let actions = state.dispatcher().to_callback();
    let on_posted = actions.reform(ThreadAction::Posted);
    let on_reply = actions.reform(ThreadAction::OpenReply);
    let on_cancel_reply = actions.reform(|()| ThreadAction::CloseReply);
    let on_announced = actions.reform(|()| ThreadAction::NewsAnnounced);

    let status = match &state.load {
        Load::Loading => {
            html! { <p class="status" role="status">{messages.widget.loading.as_str()}</p> }
        }
        Load::Failed(message) => html! {
            <div class="status failed" role="alert">
                <p>{no_server.unwrap_or_else(|| (*message).to_owned())}</p>
                <button part="button" type="button" class="retry" onclick={retry}>{messages.widget.retry.as_str()}</button>
            </div>
        },
        Load::Loaded if state.comments.is_empty() => {
            html! { <p class="status empty">{messages.widget.empty.as_str()}</p> }
        }
        Load::Loaded => html! {},
    };

    let entries = build_sorted_reply_tree(&state.comments, props.sort);
    // Who wrote each comment, for "Reply to …" beyond the indentation cap: one map instead
    // of a search per comment, which would make a long thread quadratic.
    let authors: HashMap<i64, &str> = state
        .comments
        .iter()
        .map(|c| (c.id, c.author.as_str()))
        .collect();
    let comments = entries.iter().map(|entry| {
        let comment = &state.comments[entry.index];
        let parent_author = comment
            .parent_id
            .and_then(|parent| authors.get(&parent))
            .map(|author| AttrValue::from(author.to_string()));
        let replying = state.replying_to == Some(comment.id);
        html! {
            <CommentView
                key={comment.id}
                comment={comment.clone()}
                depth={entry.depth}
                {parent_author}
                {replying}
                on_reply={on_reply.clone()}
            >
                if replying {
                    <CommentForm
                        parent_id={Some(comment.id)}
                        heading={messages.reply_heading(&comment.author)}
                        on_posted={on_posted.clone()}
                        on_cancel={Some(on_cancel_reply.clone())}
                    />
                }
            </CommentView>
        }
    });

    let heading = match &props.title {
        Some(title) => messages.comment_count_on(state.total, title),
        None => messages.comment_count(state.total),
    };
    html! {
        <ContextProvider<ThreadContext> {context}>
            <section
                class={classes!("colloquy", props.theme.class(), catalog.is_none().then_some("awaiting-words"))}
                part="thread"
                lang={messages.lang.clone()}
                dir={messages.dir.as_str()}
                aria-busy={catalog.is_none().then_some("true")}
                ref={section}
            >
                <h2 class="count" part="count">{heading}</h2>
                <NewsAnnouncer news={state.news.clone()} {on_announced} />
                {status}
                if !state.comments.is_empty() {
                    <ol class="comments">{for comments}</ol>
                }
                // Keyed by thread: after a route change the form starts over with that
                // thread's own draft instead of carrying the last one's.
                <CommentForm
                    key={props.thread.to_string()}
                    parent_id={None}
                    heading={messages.widget.leave_comment.as_str()}
                    {on_posted}
                />
            </section>
        </ContextProvider<ThreadContext>>
    }
}

/// A Performance API mark, so anyone (and `cargo xtask bench`) can time the widget from the
/// page's own timeline: `colloquy:data` when a thread's data has arrived and been parsed.
fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(name);
    }
}

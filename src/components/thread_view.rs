use std::collections::HashMap;

use colloquy_core::tree::build_sorted_reply_tree;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::comment_form::CommentForm;
use super::comment_thread::CommentThreadProps;
use super::comment_view::CommentView;
use crate::api::{Api, ApiError};
use crate::context::ThreadContext;
use crate::state::{Load, ThreadAction, ThreadState};

/// The thread itself, drawn wherever its parent puts it: the count, the comments with their
/// replies, and the form. It takes the same props as [`CommentThread`](crate::CommentThread)
/// and provides the [`ThreadContext`] its components read.
///
/// It brings no isolation of its own: [`mount`](crate::mount::mount) renders it as an app
/// inside the shadow root it made, and the public `CommentThread` portals it into one.
#[component]
pub fn ThreadView(props: &CommentThreadProps) -> Html {
    let state = use_reducer(ThreadState::default);
    let reloads = use_state(|| 0u32);
    let context = ThreadContext::new(
        Api::new(&props.api),
        props.thread.clone(),
        props.lang.clone(),
        state.rules,
    );
    let messages = context.messages;

    {
        let dispatcher = state.dispatcher();
        use_effect_with(context.api.clone(), move |api| {
            let api = api.clone();
            spawn_local(async move {
                // Without the server's rules the form keeps core's defaults; the server
                // still has the final word on every post.
                if let Ok(config) = api.config().await {
                    dispatcher.dispatch(ThreadAction::RulesLoaded(config.rules));
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
                        Ok(page) => {
                            mark("colloquy:data");
                            return dispatcher.dispatch(ThreadAction::Loaded(page));
                        }
                        Err(ApiError::Refused(403, _)) => messages.origin_refused,
                        Err(_) => messages.load_failed,
                    };
                    dispatcher.dispatch(ThreadAction::LoadFailed(failed));
                });
            },
        );
    }

    let retry = {
        let reloads = reloads.clone();
        Callback::from(move |_: MouseEvent| reloads.set(*reloads + 1))
    };
    let actions = state.dispatcher().to_callback();
    let on_posted = actions.reform(ThreadAction::Posted);
    let on_reply = actions.reform(ThreadAction::OpenReply);
    let on_cancel_reply = actions.reform(|()| ThreadAction::CloseReply);

    let status = match &state.load {
        Load::Loading => html! { <p class="status" role="status">{messages.loading}</p> },
        Load::Failed(message) => html! {
            <div class="status failed" role="alert">
                <p>{*message}</p>
                <button part="button" type="button" class="retry" onclick={retry}>{messages.retry}</button>
            </div>
        },
        Load::Loaded if state.comments.is_empty() => {
            html! { <p class="status empty">{messages.empty}</p> }
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
                        heading={(messages.reply_heading)(&comment.author)}
                        on_posted={on_posted.clone()}
                        on_cancel={Some(on_cancel_reply.clone())}
                    />
                }
            </CommentView>
        }
    });

    let heading = match &props.title {
        Some(title) => (messages.comment_count_on)(state.total, title),
        None => (messages.comment_count)(state.total),
    };
    html! {
        <ContextProvider<ThreadContext> {context}>
            <section class={classes!("colloquy", props.theme.class())} part="thread" lang={messages.lang}>
                <h2 class="count" part="count">{heading}</h2>
                {status}
                if !state.comments.is_empty() {
                    <ol class="comments">{for comments}</ol>
                }
                // Keyed by thread: after a route change the form starts over with that
                // thread's own draft instead of carrying the last one's.
                <CommentForm
                    key={props.thread.to_string()}
                    parent_id={None}
                    heading={messages.leave_comment}
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

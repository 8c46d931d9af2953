use colloquy_core::messages::for_lang;
use colloquy_core::model::Comment;
use colloquy_core::tree::{build_sorted_reply_tree, Sort};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::comment_form::CommentForm;
use super::comment_view::CommentView;
use crate::api::{Api, ApiError};
use crate::state::{Load, ThreadAction, ThreadState};

#[derive(Properties, PartialEq, Clone)]
pub struct CommentThreadProps {
    /// The thread key, for example the page's canonical path.
    pub thread: AttrValue,
    /// The Colloquy server's origin, for example `https://comments.example.org`.
    pub api: AttrValue,
    /// A BCP 47 language tag choosing the message catalog; English by default.
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

    fn class(self) -> &'static str {
        match self {
            Theme::Inherit => "theme-inherit",
            Theme::Light => "theme-light",
            Theme::Dark => "theme-dark",
            Theme::Auto => "theme-auto",
        }
    }
}

/// A page's whole comment section: the count, the thread with its replies, and the form.
///
/// ```
/// use colloquy::CommentThread;
/// use yew::prelude::*;
///
/// let section = html! { <CommentThread thread="/blog/hello" api="https://comments.example.org" /> };
/// # drop(section);
/// ```
#[component]
pub fn CommentThread(props: &CommentThreadProps) -> Html {
    let state = use_reducer(ThreadState::default);
    let messages = for_lang(&props.lang);
    let reloads = use_state(|| 0u32);

    {
        let dispatcher = state.dispatcher();
        use_effect_with(props.api.clone(), move |api| {
            let api = Api::new(api);
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
                props.api.clone(),
                props.sort,
                *reloads,
            ),
            move |(thread, api, sort, _)| {
                let (thread, api, sort) = (thread.to_string(), Api::new(api), *sort);
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
    let on_posted = {
        let dispatcher = state.dispatcher();
        Callback::from(move |comment: Comment| dispatcher.dispatch(ThreadAction::Posted(comment)))
    };
    let on_reply = {
        let dispatcher = state.dispatcher();
        Callback::from(move |id: i64| dispatcher.dispatch(ThreadAction::OpenReply(id)))
    };
    let on_cancel_reply = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(ThreadAction::CloseReply))
    };

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

    let api = crate::api::Api::new(&props.api);
    let entries = build_sorted_reply_tree(&state.comments, props.sort);
    // Who wrote each comment, for "Reply to …" beyond the indentation cap: one map instead
    // of a search per comment, which would make a long thread quadratic.
    let authors: std::collections::HashMap<i64, &str> = state
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
        let reply_form = if replying {
            html! {
                <CommentForm
                    thread={props.thread.clone()}
                    api={api.clone()}
                    rules={state.rules}
                    lang={props.lang.clone()}
                    parent_id={Some(comment.id)}
                    heading={(messages.reply_heading)(&comment.author)}
                    on_posted={on_posted.clone()}
                    on_cancel={Some(on_cancel_reply.clone())}
                />
            }
        } else {
            html! {}
        };
        html! {
            <CommentView
                key={comment.id}
                comment={comment.clone()}
                depth={entry.depth}
                {parent_author}
                lang={props.lang.clone()}
                {replying}
                on_reply={on_reply.clone()}
            >
                {reply_form}
            </CommentView>
        }
    });

    let heading = match &props.title {
        Some(title) => (messages.comment_count_on)(state.total, title),
        None => (messages.comment_count)(state.total),
    };
    html! {
        <section class={classes!("colloquy", props.theme.class())} part="thread" lang={messages.lang}>
            <h2 class="count" part="count">{heading}</h2>
            {status}
            if !state.comments.is_empty() {
                <ol class="comments">{for comments}</ol>
            }
            // Keyed by thread: after a route change the form starts over with that thread's
            // own draft instead of carrying the last one's.
            <CommentForm
                key={props.thread.to_string()}
                thread={props.thread.clone()}
                {api}
                rules={state.rules}
                lang={props.lang.clone()}
                parent_id={None}
                heading={messages.leave_comment}
                {on_posted}
            />
        </section>
    }
}

/// A Performance API mark, so anyone (and `cargo xtask bench`) can time the widget from the
/// page's own timeline: `colloquy:data` when a thread's data has arrived and been parsed.
fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(name);
    }
}

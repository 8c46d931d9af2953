//! Carrying out the sends the form's reducer decides on.

use colloquy_core::model::CreatedComment;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_effect_when;
use super::use_held_comments::remember_held;
use crate::api::{new_idempotency_key, read};
use crate::context::ThreadContext;
use crate::form_state::{page_title, FormAction, FormState, Submission};
use crate::held::HeldComment;
use crate::state::ThreadAction;

/// Posts the comment each time `form` has decided on a send (see
/// [`FormAction::Submit`]), to the thread and server of `context`, and tells
/// the reducer how it went: `Sent` with a fresh idempotency key, or `Failed` with the
/// server's answer. The thread hears of every stored comment (`Posted`, through the
/// context's `actions`). A comment held for the site owner's approval is remembered with
/// its edit token (see [`remember_held`]), so its author sees it again after a reload.
///
/// Each post names its page for the emails about replies: the thread's title when the page
/// gave one, else the host document's `document.title` as it reads at the moment of sending
/// (see [`page_title`]).
///
/// The effect is keyed on [`FormState::sends`], which the reducer bumps once per decision,
/// so however many times the component renders, each decision is sent once.
///
/// ```
/// use colloquy::context::ThreadContext;
/// use colloquy::form_state::{FormAction, FormState};
/// use colloquy::hooks::use_post_comment;
/// use colloquy_core::rules::FormRules;
/// use yew::prelude::*;
///
/// #[derive(Properties, PartialEq)]
/// struct Props {
///     context: ThreadContext,
/// }
///
/// #[component]
/// fn OneButtonForm(props: &Props) -> Html {
///     let form = use_reducer(|| FormState::new(FormRules::default(), "key-1".into()));
///     let trap = use_node_ref();
///     use_post_comment(&props.context, &form, None, &trap);
///     let onclick = form.dispatcher().to_callback().reform(|_: MouseEvent| FormAction::Submit);
///     html! { <button {onclick}>{"Post"}</button> }
/// }
/// ```
#[hook]
pub fn use_post_comment(
    context: &ThreadContext,
    form: &UseReducerHandle<FormState>,
    parent_id: Option<i64>,
    honeypot: &NodeRef,
) {
    let context = context.clone();
    let form = form.clone();
    let honeypot = honeypot.clone();
    use_effect_when(form.sends, move |_| {
        if form.submission != Submission::Sending {
            return;
        }
        let trap = honeypot
            .cast::<HtmlInputElement>()
            .map(|input| input.value())
            .unwrap_or_default();
        let title = page_title(context.title.as_deref(), &document_title());
        let mut comment = form.new_comment(parent_id, trap, title);
        // So that the reader cannot like their own comment (see `crate::reader`).
        comment.voter = crate::reader::voter();
        let dispatcher = form.dispatcher();
        spawn_local(async move {
            let call = context.api.post_comment(&context.thread, &comment);
            match context
                .api
                .send(call)
                .await
                .and_then(read::<CreatedComment>)
            {
                Ok(created) => {
                    let held = created.comment.pending;
                    let own = HeldComment {
                        thread: context.thread.as_str().to_owned(),
                        id: created.comment.id,
                        edit_token: created.edit_token,
                    };
                    if held {
                        remember_held(&context.api, own);
                    } else {
                        // Its author may edit or delete it for a while.
                        crate::reader::remember_own(context.api.base(), own);
                    }
                    dispatcher.dispatch(FormAction::Sent {
                        next_key: new_idempotency_key(),
                        held,
                    });
                    context.actions.emit(ThreadAction::Posted(created.comment));
                }
                Err(error) => dispatcher.dispatch(FormAction::Failed(error)),
            }
        });
    });
}

/// The host page's `document.title` (the page's, not the shadow root's: a shadow root has
/// none); empty outside a browser.
fn document_title() -> String {
    web_sys::window()
        .and_then(|window| window.document())
        .map(|document| document.title())
        .unwrap_or_default()
}

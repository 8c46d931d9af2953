use std::cell::Cell;

use colloquy_core::messages::for_lang;
use colloquy_core::model::{Comment, NewComment};
use colloquy_core::rules::FormRules;
use colloquy_core::validation::Field;
use web_sys::HtmlElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form_field::FormField;
use crate::api::{new_idempotency_key, Api, ApiError};
use crate::drafts;
use crate::form_state::{Failure, FormAction, FormState, Submission, FORM_FIELDS};

#[derive(Properties, PartialEq)]
pub struct CommentFormProps {
    pub thread: AttrValue,
    pub api: Api,
    pub rules: FormRules,
    #[prop_or_default]
    pub lang: AttrValue,
    /// `Some` for a reply form.
    pub parent_id: Option<i64>,
    pub heading: AttrValue,
    pub on_posted: Callback<Comment>,
    /// Shown as a Cancel button when given (reply forms).
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
}

thread_local! {
    static FORMS_MADE: Cell<u32> = const { Cell::new(0) };
}

/// A prefix that keeps the ids of every form on the page distinct, so each label finds its
/// own input even with several threads and reply forms open.
fn next_form_id() -> String {
    FORMS_MADE.with(|count| {
        count.set(count.get() + 1);
        format!("colloquy-form-{}", count.get())
    })
}

/// The comment form: checked with core's rules as the reader leaves each field and on
/// submit, posted once, and never emptied by a failure.
#[component]
pub fn CommentForm(props: &CommentFormProps) -> Html {
    let messages = for_lang(&props.lang);
    let draft_key = drafts::key(props.api.base(), &props.thread, props.parent_id);
    let form = use_reducer(|| {
        let mut state = FormState::new(props.rules, new_idempotency_key());
        if let Some(draft) = drafts::load(&draft_key) {
            state.values = draft;
        }
        state
    });
    {
        // Every change is kept; a post the server accepted clears the draft.
        let sent = form.submission == Submission::Sent;
        use_effect_with(
            (form.values.clone(), sent, draft_key.clone()),
            |(values, sent, key)| {
                if *sent {
                    drafts::clear(key);
                } else {
                    drafts::save(key, values);
                }
            },
        );
    }
    let form_id = use_memo((), |()| next_form_id());
    // Set before the request starts and cleared when it ends: a second click that lands
    // before the button re-renders as disabled still finds it set.
    let in_flight = use_mut_ref(|| false);
    let refs = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];
    let honeypot = use_node_ref();

    {
        let dispatcher = form.dispatcher();
        use_effect_with(props.rules, move |rules| {
            dispatcher.dispatch(FormAction::Rules(*rules));
        });
    }

    let focus_first = {
        let refs = refs.clone();
        move |fields: &[Field]| {
            let first = FORM_FIELDS
                .iter()
                .position(|f| fields.contains(f))
                .and_then(|index| refs[index].cast::<HtmlElement>());
            if let Some(element) = first {
                let _ = element.focus();
            }
        }
    };

    let onsubmit = {
        let form = form.clone();
        let in_flight = in_flight.clone();
        let api = props.api.clone();
        let thread = props.thread.to_string();
        let parent_id = props.parent_id;
        let on_posted = props.on_posted.clone();
        let honeypot = honeypot.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if *in_flight.borrow() {
                return;
            }
            let errors = form.check_all();
            form.dispatch(FormAction::Attempt);
            if !errors.is_empty() {
                let fields: Vec<Field> = errors.iter().map(|(field, _)| *field).collect();
                focus_first(&fields);
                return;
            }
            *in_flight.borrow_mut() = true;
            let values = &form.values;
            let payload = NewComment {
                parent_id,
                name: values.name.clone(),
                email: values.email.clone(),
                website: values.website.clone(),
                body: values.body.clone(),
                idempotency_key: form.idempotency_key.clone(),
                honeypot: honeypot
                    .cast::<web_sys::HtmlInputElement>()
                    .map(|input| input.value())
                    .unwrap_or_default(),
            };
            let (api, thread, on_posted) = (api.clone(), thread.clone(), on_posted.clone());
            let (dispatcher, in_flight, focus_first) =
                (form.dispatcher(), in_flight.clone(), focus_first.clone());
            spawn_local(async move {
                let result = api.post_comment(&thread, &payload).await;
                *in_flight.borrow_mut() = false;
                match result {
                    Ok(created) => {
                        dispatcher.dispatch(FormAction::Sent {
                            next_key: new_idempotency_key(),
                        });
                        on_posted.emit(created.comment);
                    }
                    Err(ApiError::Refused(422, body)) if !body.errors.is_empty() => {
                        let fields: Vec<Field> = body.errors.iter().map(|e| e.field).collect();
                        dispatcher.dispatch(FormAction::Rejected(body.errors));
                        focus_first(&fields);
                    }
                    Err(ApiError::Refused(_, body)) => {
                        dispatcher.dispatch(FormAction::Failed(Failure::Refused(body.message)))
                    }
                    Err(ApiError::RateLimited(seconds)) => {
                        dispatcher.dispatch(FormAction::Failed(Failure::TooFast(seconds)))
                    }
                    Err(ApiError::Network) => {
                        dispatcher.dispatch(FormAction::Failed(Failure::Network))
                    }
                    Err(ApiError::Server) => {
                        dispatcher.dispatch(FormAction::Failed(Failure::Server))
                    }
                }
            });
        })
    };

    let on_input = {
        let dispatcher = form.dispatcher();
        Callback::from(move |(field, value): (Field, String)| {
            dispatcher.dispatch(FormAction::Edit(field, value))
        })
    };
    let on_blur = {
        let dispatcher = form.dispatcher();
        Callback::from(move |field: Field| dispatcher.dispatch(FormAction::Blur(field)))
    };

    let rules = form.rules;
    let sending = form.submission == Submission::Sending;
    let field = |index: usize,
                 label: &'static str,
                 kind: &'static str,
                 autocomplete: &'static str,
                 required: bool,
                 note: Option<&'static str>| {
        let field = FORM_FIELDS[index];
        let error = form
            .error_for(field)
            .map(|code| AttrValue::from((messages.field_error)(field, code, &rules)));
        html! {
            <FormField
                id={format!("{}-{}", form_id, field.as_str())}
                {field}
                label={label}
                {required}
                kind={kind}
                autocomplete={autocomplete}
                value={form.values.get(field).to_owned()}
                note={note.map(AttrValue::from)}
                {error}
                node_ref={refs[index].clone()}
                on_input={on_input.clone()}
                on_blur={on_blur.clone()}
            />
        }
    };

    let feedback = match &form.submission {
        Submission::Failed(failure) => {
            let text = match failure {
                Failure::Network => messages.network_failed.to_owned(),
                Failure::Server => messages.server_failed.to_owned(),
                Failure::Refused(message) => format!("{} {message}", messages.rejected),
                Failure::TooFast(seconds) => (messages.too_fast)(*seconds),
            };
            html! {
                <div class="feedback failed" role="alert">
                    <p>{text}</p>
                    <button part="button" type="submit" class="retry">{messages.retry}</button>
                </div>
            }
        }
        Submission::Sent => html! { <p class="feedback sent" role="status">{messages.posted}</p> },
        Submission::Editing if !form.errors.is_empty() || form.notice.is_some() => html! {
            <p class="feedback invalid" role="alert">
                {form.notice.clone().unwrap_or_else(|| messages.fix_fields.to_owned())}
            </p>
        },
        _ => html! {},
    };
    let heading_id = format!("{form_id}-heading");

    html! {
        <form
            class={classes!("comment-form", props.parent_id.map(|_| "reply-form"))}
            part="form"
            novalidate=true
            aria-labelledby={heading_id.clone()}
            aria-busy={sending.then_some("true")}
            {onsubmit}
        >
            <h3 id={heading_id}>{props.heading.clone()}</h3>
            <div class="identity">
                {field(0, messages.name_label, "text", "name", rules.name.required, None)}
                {field(1, messages.email_label, "email", "email", rules.email.required, Some(messages.email_note))}
                {field(2, messages.website_label, "url", "url", rules.website.required, None)}
            </div>
            {field(3, messages.body_label, "textarea", "off", rules.body.required, Some(messages.body_hint))}
            // Off-screen and out of the tab order: people never fill it, form-filling bots do.
            <div class="trap" aria-hidden="true">
                <label>
                    {messages.honeypot_label}
                    <input type="text" name="homepage" tabindex="-1" autocomplete="off" ref={honeypot.clone()} />
                </label>
            </div>
            {feedback}
            <div class="buttons">
                <button part="button" type="submit" class="submit" disabled={sending}>
                    {if sending { messages.submitting } else { messages.submit }}
                </button>
                if let Some(on_cancel) = props.on_cancel.clone() {
                    <button part="button" type="button" class="cancel" onclick={move |_| on_cancel.emit(())}>
                        {messages.cancel}
                    </button>
                }
            </div>
        </form>
    }
}

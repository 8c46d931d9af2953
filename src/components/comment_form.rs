use std::cell::Cell;

use colloquy_core::validation::Field;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::form_field::{form_field, FormFieldProps};
use crate::api::new_idempotency_key;
use crate::context::ThreadContext;
use crate::form_state::{Failure, FormAction, FormState, Submission, FORM_FIELDS};
use crate::hooks::{
    draft_key, use_draft, use_effect_when, use_post_comment, use_preview, PreviewView,
};
use crate::markdown_view::render_content;
use crate::state::ThreadAction;
use crate::text::{class_list, when};
use crate::view::{button, button_with, paragraph};

#[derive(Properties, PartialEq)]
pub struct CommentFormProps {
    pub context: ThreadContext,
    /// `Some` for a reply form, which has a Cancel button (Escape does the same): the
    /// form tells the thread (`CloseReply`), as it does of a comment posted (`Posted`).
    pub parent_id: Option<i64>,
    pub heading: Html,
    /// Whether the first field takes the focus when the form appears: a reply form opened
    /// with its comment's Reply button, which the form replaces.
    #[prop_or_default]
    pub focus_first_field: bool,
}

thread_local! {
    static FORMS_MADE: Cell<u32> = const { Cell::new(0) };
}

/// A prefix that keeps the ids of every form on the page distinct, so each label finds its
/// own input even with several threads and reply forms open.
fn next_form_id() -> String {
    FORMS_MADE.with(|count| {
        count.set(count.get() + 1);
        [
            "colloquy-form-",
            &crate::text::decimal(i64::from(count.get())),
        ]
        .concat()
    })
}

/// The comment form: checked with core's rules as the reader leaves each field and on
/// submit, posted once, and never emptied by a failure. While the email field holds an
/// address it offers an "Email me replies" box, off until ticked. What happens is decided
/// by [`FormState`]'s reducer; this component shows it, and its hooks keep the draft
/// ([`use_draft()`]) and carry out the sends ([`use_post_comment()`]).
#[component]
pub fn CommentForm(props: &CommentFormProps) -> Html {
    let context = &props.context;
    let messages = context.messages;
    let form = use_draft(
        draft_key(context.api.base(), &context.thread, props.parent_id),
        || FormState::new(context.rules, new_idempotency_key()),
    );
    let form_id = use_memo((), |()| next_form_id());
    let refs = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];
    let honeypot = use_node_ref();
    use_post_comment(context, &form, props.parent_id, &honeypot);
    let preview = use_preview(&context.api, &messages.widget.preview_failed);
    {
        let dispatcher = form.dispatcher();
        use_effect_when(context.rules, move |rules| {
            dispatcher.dispatch(FormAction::Rules(*rules));
        });
    }
    {
        let (first, wanted) = (refs[0].clone(), props.focus_first_field);
        use_effect_when((), move |()| {
            if let Some(input) = first.cast::<HtmlElement>().filter(|_| wanted) {
                let _ = input.focus();
            }
        });
    }
    {
        // The reducer asks; the focus moves once per asking (never on the first render).
        let (form, refs) = (form.clone(), refs.clone());
        use_effect_when(form.focus_requests, move |&requests| {
            if requests == 0 {
                return;
            }
            let field = form.first_invalid();
            let input = FORM_FIELDS
                .iter()
                .position(|&f| Some(f) == field)
                .and_then(|index| refs[index].cast::<HtmlElement>());
            if let Some(input) = input {
                let _ = input.focus();
            }
        });
    }

    let actions = form.dispatcher().to_callback();
    let onsubmit = {
        let write = preview.write.clone();
        actions.reform(move |event: SubmitEvent| {
            event.prevent_default();
            // Back to writing, so a field error can take the focus to the comment box.
            write.emit(());
            FormAction::Submit
        })
    };
    let on_write = preview.write.reform(|_: MouseEvent| ());
    let on_preview = {
        let body = form.values.body.clone();
        preview.show.reform(move |_: MouseEvent| body.clone())
    };
    let on_input = actions.reform(|(field, value): (Field, String)| FormAction::Edit(field, value));
    // Escape closes a reply form (its draft is kept), unless it is ending an IME
    // composition.
    let onkeydown = props.parent_id.map(|_| {
        let actions = context.actions.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && !event.is_composing() {
                event.prevent_default();
                actions.emit(ThreadAction::CloseReply);
            }
        })
    });
    let on_blur = actions.reform(FormAction::Blur);
    // The box's `change`: Space on the focused box, a click on it or on its label.
    let on_notify = actions.reform(|event: Event| {
        let ticked = event
            .target_dyn_into::<HtmlInputElement>()
            .is_some_and(|input| input.checked());
        FormAction::NotifyReplies(ticked)
    });

    let previewing = preview.view != PreviewView::Off;
    let rules = form.rules;
    let sending = form.submission == Submission::Sending;
    let field = |index: usize,
                 label: &'static str,
                 kind: &'static str,
                 autocomplete: &'static str,
                 required: bool,
                 note: Option<&'static str>| {
        let field = FORM_FIELDS[index];
        let hidden = field == Field::Body && previewing;
        let error = form
            .error_for(field)
            .map(|code| AttrValue::from(messages.field_error(field, code, &rules)));
        form_field(FormFieldProps {
            id: [form_id.as_str(), "-", field.as_str()].concat().into(),
            field,
            label,
            required,
            kind,
            autocomplete,
            value: form.values.get(field).to_owned().into(),
            note,
            error,
            node_ref: refs[index].clone(),
            hidden,
            on_input: on_input.clone(),
            on_blur: on_blur.clone(),
        })
    };

    let feedback = match &form.submission {
        Submission::Failed(failure) => {
            let text = match failure {
                Failure::Network => messages.widget.network_failed.clone(),
                Failure::Server => messages.widget.server_failed.clone(),
                Failure::Refused(message) => {
                    [messages.widget.rejected.as_str(), " ", message].concat()
                }
                Failure::TooManyRequests(seconds) => messages.too_many_requests(*seconds),
                Failure::Status(status) => [
                    messages.widget.rejected.as_str(),
                    " ",
                    &messages.server_answered(*status),
                ]
                .concat(),
            };
            html! {
                <div class="feedback failed" role="alert">
                    <p>{text}</p>
                    <button part="button" type="submit" class="retry">{messages.widget.retry.as_str()}</button>
                </div>
            }
        }
        // Not a live region: the thread's announcer says it (see `news_announcer`), once,
        // whether this form stays or closes.
        Submission::Sent { held } => {
            let words = if *held {
                &messages.widget.held_for_approval
            } else {
                &messages.widget.posted
            };
            paragraph("feedback sent", None, words.as_str())
        }
        Submission::Editing if !form.errors.is_empty() || form.notice.is_some() => paragraph(
            "feedback invalid",
            Some("alert"),
            form.notice
                .clone()
                .unwrap_or_else(|| messages.widget.fix_fields.clone()),
        ),
        _ => html! {},
    };
    let heading_id = [form_id.as_str(), "-heading"].concat();
    let preview_panel = match &preview.view {
        PreviewView::Off => html! {},
        PreviewView::Loading => paragraph(
            "preview-panel status",
            Some("status"),
            messages.widget.preview_loading.as_str(),
        ),
        PreviewView::Shown(nodes) if nodes.is_empty() => paragraph(
            "preview-panel status",
            Some("status"),
            messages.widget.preview_empty.as_str(),
        ),
        PreviewView::Shown(nodes) => html! {
            <div class="preview-panel body" dir="auto" aria-live="polite">{render_content(nodes)}</div>
        },
        PreviewView::Failed(text) => paragraph("preview-panel failed", Some("alert"), text.clone()),
    };
    // Only while there is an address to send replies to (the reducer unticks it when the
    // address goes). After the comment box, before the buttons: it appears without
    // pushing the comment box down while the reader types their address.
    let notify = form.notify_offered().then(|| {
        let id = [form_id.as_str(), "-notify_replies"].concat();
        let note_id = [id.as_str(), "-note"].concat();
        html! {
            <div class="field checkbox">
                <input
                    part="checkbox"
                    type="checkbox"
                    id={id.clone()}
                    name="notify_replies"
                    checked={form.values.notify_replies}
                    aria-describedby={note_id.clone()}
                    onchange={on_notify}
                />
                <label for={id}>{messages.widget.notify_replies.as_str()}</label>
                <p class="note" id={note_id}>{messages.widget.notify_note.as_str()}</p>
            </div>
        }
    });

    html! {
        <form
            Class={class_list(&["comment-form", when(props.parent_id.is_some(), "reply-form")])}
            part="form"
            novalidate=true
            aria-labelledby={heading_id.clone()}
            aria-busy={sending.then_some("true")}
            {onsubmit}
            {onkeydown}
        >
            <h3 id={heading_id}>{props.heading.clone()}</h3>
            <div class="identity">
                {field(0, messages.widget.name_label.as_str(), "text", "name", rules.name.required, None)}
                {field(1, messages.widget.email_label.as_str(), "email", "email", rules.email.required, Some(messages.widget.email_note.as_str()))}
                {field(2, messages.widget.website_label.as_str(), "url", "url", rules.website.required, None)}
            </div>
            <div class="write-preview" role="group" aria-label={messages.widget.body_label.clone()}>
                {button_with("write", messages.widget.write.as_str().into(), on_write, false, Some(!previewing), None)}
                {button_with("preview", messages.widget.preview.as_str().into(), on_preview, false, Some(previewing), None)}
            </div>
            {field(3, messages.widget.body_label.as_str(), "textarea", "off", rules.body.required, Some(messages.widget.body_hint.as_str()))}
            // Always there, like the slot below: only what is inside comes and goes.
            <div class="preview-slot">{preview_panel}</div>
            // Always there, so the box coming and going is a change inside it: Yew pairs
            // unkeyed siblings from the end, and a sibling appearing before the others
            // would make it rebuild the fields above, taking the focus from the email
            // field while the reader types.
            <div class="notify-slot">{notify}</div>
            // Off-screen and out of the tab order: people never fill it, form-filling bots do.
            <div class="trap" aria-hidden="true">
                <label>
                    {messages.widget.honeypot_label.as_str()}
                    <input type="text" name="homepage" tabindex="-1" autocomplete="off" ref={honeypot} />
                </label>
            </div>
            {feedback}
            <div class="buttons">
                <button part="button" type="submit" class="submit" disabled={sending}>
                    {if sending { messages.widget.submitting.as_str() } else { messages.widget.submit.as_str() }}
                </button>
                if props.parent_id.is_some() {
                    {button("cancel", messages.widget.cancel.as_str(), context.actions.reform(|_: MouseEvent| ThreadAction::CloseReply))}
                }
            </div>
        </form>
    }
}

use colloquy_core::validation::Field;
use yew::prelude::*;

use crate::text::{class_list, when};

/// What [`form_field`] draws.
pub struct FormFieldProps {
    /// The input's id; the label, the note and the error hang off it.
    pub id: AttrValue,
    pub field: Field,
    pub label: &'static str,
    pub required: bool,
    /// `text`, `email`, `url`, or `textarea` for the comment box.
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: AttrValue,
    pub note: Option<&'static str>,
    pub error: Option<AttrValue>,
    pub node_ref: NodeRef,
    /// Out of sight but kept (the comment box while the form shows its Preview).
    pub hidden: bool,
    pub on_input: Callback<(Field, String)>,
    pub on_blur: Callback<Field>,
}

/// A labelled input with its note and its error message, wired for screen readers:
/// `aria-invalid` while wrong, and `aria-describedby` naming the note and the message.
/// What the reader types takes the direction of its own first letters (`dir="auto"`),
/// whatever the interface's.
///
/// A function, not a component: it keeps no state, and the form draws its four fields
/// whenever it is drawn. A component type of its own cost about 1 KB of the gzipped widget
/// (Yew's lifecycle code is instantiated per component), and saved only the comparison of
/// four fields' props.
pub fn form_field(props: FormFieldProps) -> Html {
    let note_id = [props.id.as_str(), "-note"].concat();
    let error_id = [props.id.as_str(), "-error"].concat();
    let described_by: Vec<&str> = [
        props.note.as_ref().map(|_| note_id.as_str()),
        props.error.as_ref().map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
    let invalid = if props.error.is_some() {
        "true"
    } else {
        "false"
    };
    let field = props.field;
    let on_blur = props.on_blur.reform(move |_: FocusEvent| field);
    // Inputs and the textarea both carry `value`; read it without caring which it is.
    let oninput = props.on_input.reform(move |event: InputEvent| {
        let value = event
            .target()
            .and_then(|target| js_sys::Reflect::get(&target, &"value".into()).ok())
            .and_then(|value| value.as_string())
            .unwrap_or_default();
        (field, value)
    });

    let control = if props.kind == "textarea" {
        html! {
            <textarea
                part="input"
                id={props.id.clone()}
                name={field.as_str()}
                rows="5"
                dir="auto"
                value={props.value.clone()}
                required={props.required}
                aria-invalid={invalid}
                aria-describedby={described_by}
                ref={props.node_ref.clone()}
                {oninput}
                onblur={on_blur}
            />
        }
    } else {
        html! {
            <input
                part="input"
                id={props.id.clone()}
                name={field.as_str()}
                type={props.kind}
                autocomplete={props.autocomplete}
                dir="auto"
                value={props.value.clone()}
                required={props.required}
                aria-invalid={invalid}
                aria-describedby={described_by}
                ref={props.node_ref.clone()}
                {oninput}
                onblur={on_blur}
            />
        }
    };

    html! {
        <div Class={class_list(&["field", when(props.error.is_some(), "invalid")])} hidden={props.hidden}>
            <label for={props.id.clone()}>
                {props.label}
                if props.required {
                    <span class="required" aria-hidden="true">{" *"}</span>
                }
            </label>
            {control}
            if let Some(note) = &props.note {
                <p class="note" id={note_id.clone()}>{*note}</p>
            }
            if let Some(error) = &props.error {
                <p class="error" id={error_id.clone()}>{error.clone()}</p>
            }
        </div>
    }
}

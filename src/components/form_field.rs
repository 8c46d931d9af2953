use colloquy_core::validation::Field;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FormFieldProps {
    /// The input's id; the label, the note and the error hang off it.
    pub id: AttrValue,
    pub field: Field,
    pub label: AttrValue,
    pub required: bool,
    /// `text`, `email`, `url`, or `textarea` for the comment box.
    pub kind: AttrValue,
    pub autocomplete: AttrValue,
    pub value: AttrValue,
    #[prop_or_default]
    pub note: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    pub node_ref: NodeRef,
    /// Out of sight but kept (the comment box while the form shows its Preview).
    #[prop_or_default]
    pub hidden: bool,
    pub on_input: Callback<(Field, String)>,
    pub on_blur: Callback<Field>,
}

/// A labelled input with its note and its error message, wired for screen readers:
/// `aria-invalid` while wrong, and `aria-describedby` naming the note and the message.
/// What the reader types takes the direction of its own first letters (`dir="auto"`),
/// whatever the interface's.
#[component]
pub fn FormField(props: &FormFieldProps) -> Html {
    let note_id = format!("{}-note", props.id);
    let error_id = format!("{}-error", props.id);
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
                type={props.kind.clone()}
                autocomplete={props.autocomplete.clone()}
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
        <div class={classes!("field", props.error.is_some().then_some("invalid"))} hidden={props.hidden}>
            <label for={props.id.clone()}>
                {props.label.clone()}
                if props.required {
                    <span class="required" aria-hidden="true">{" *"}</span>
                }
            </label>
            {control}
            if let Some(note) = &props.note {
                <p class="note" id={note_id.clone()}>{note.clone()}</p>
            }
            if let Some(error) = &props.error {
                <p class="error" id={error_id.clone()}>{error.clone()}</p>
            }
        </div>
    }
}

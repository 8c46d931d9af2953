use colloquy_core::rules::FormRules;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

use crate::harness::*;

const BOX: &str = "input[name=notify_replies]";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Gives the host page `title` for as long as it lives, and its own title back after.
struct PageTitle(String);

impl PageTitle {
    fn set(title: &str) -> Self {
        let old = document().title();
        document().set_title(title);
        PageTitle(old)
    }
}

impl Drop for PageTitle {
    fn drop(&mut self) {
        document().set_title(&self.0);
    }
}

/// The "Email me replies" box inside `form`, if it is shown.
fn the_box(host: &Element, form: &str) -> Option<HtmlInputElement> {
    find(host, &format!("{form} {BOX}")).map(|element| element.unchecked_into())
}

fn ticked(host: &Element, form: &str) -> bool {
    the_box(host, form).is_some_and(|input| input.checked())
}

/// What the `n`th post sent, as JSON.
fn posted(n: usize) -> serde_json::Value {
    let bodies = stub_bodies("POST");
    let body = bodies
        .get(n)
        .unwrap_or_else(|| panic!("no post number {n}: {bodies:?}"));
    serde_json::from_str(body).unwrap()
}

/// As `serve`, with a server whose form does not ask for an email.
fn serve_without_required_email(thread: &str) {
    stub_fetch();
    let mut rules = FormRules::default();
    rules.email.required = false;
    let config = serde_json::json!({"rules": rules, "edit_window_secs": 900});
    stub_respond("GET", CONFIG_PATH, 200, &config.to_string());
    stub_respond("GET", &thread_path(thread), 200, &page_json(thread, vec![]));
}

#[wasm_bindgen_test]
async fn the_box_appears_with_an_email_is_ticked_from_the_keyboard_and_asks_for_replies() {
    let _title = PageTitle::set("  Notes from the garden  ");
    let words = &colloquy::words::english().widget;
    let form = "form.comment-form";
    let host = start("notify", vec![]);
    loaded(&host).await;
    assert!(the_box(&host, form).is_none(), "no box before an email");
    assert!(find(&host, "input[type=checkbox]").is_none());
    type_into(&host, &format!("{form} input[name=name]"), "Ada");
    next_task().await;
    assert!(the_box(&host, form).is_none(), "a name brings no box");

    type_into(
        &host,
        &format!("{form} input[name=email]"),
        "ada@example.org",
    );
    until("the box to appear", || the_box(&host, form).is_some()).await;
    let input = the_box(&host, form).unwrap();
    assert_eq!(input.type_(), "checkbox");
    assert!(!input.checked(), "off by default");
    assert!(!input.disabled());
    assert_eq!(input.tab_index(), 0, "in the tab order");
    assert_eq!(input.get_attribute("part").as_deref(), Some("checkbox"));
    // Its label names it, and its note describes it.
    let id = input.id();
    assert!(!id.is_empty());
    let label = find(&host, &format!("{form} label[for='{id}']")).expect("a label for the box");
    assert_eq!(label.text_content().unwrap(), words.notify_replies);
    assert_eq!(words.notify_replies, "Email me replies");
    let note_id = input.get_attribute("aria-describedby").unwrap_or_default();
    let note = find(&host, &format!("#{note_id}"))
        .unwrap_or_else(|| panic!("the box is described by a missing #{note_id}"));
    assert_eq!(note.text_content().unwrap(), words.notify_note);
    let class = note.get_attribute("class").unwrap_or_default();
    assert!(
        class.split(' ').any(|c| c == "note"),
        "small text, as notes are: {class}"
    );

    // From the keyboard: the box takes the focus, and Space does what a click does (a
    // dispatched key event is not trusted by the browser, so the test clicks).
    input.focus().unwrap();
    assert!(has_focus(&host, &format!("{form} {BOX}")));
    input.click();
    until("the box to be ticked", || ticked(&host, form)).await;
    assert!(
        has_focus(&host, &format!("{form} {BOX}")),
        "the focus stays"
    );
    // Its label toggles it too.
    label.unchecked_ref::<HtmlElement>().click();
    until("the box to be unticked by its label", || {
        !ticked(&host, form)
    })
    .await;
    label.unchecked_ref::<HtmlElement>().click();
    until("the box to be ticked again", || ticked(&host, form)).await;

    stub_respond(
        "POST",
        &thread_path("notify"),
        201,
        &created_json(comment_json(1, None, "Ada", "Hello", 5)),
    );
    type_into(&host, &format!("{form} textarea[name=body]"), "Hello");
    click(&host, &format!("{form} button.submit"));
    until("the post", || {
        find(&host, "li[data-comment-id='1']").is_some()
    })
    .await;
    let sent = posted(0);
    assert_eq!(sent["notify_replies"], true, "{sent}");
    assert_eq!(sent["email"], "ada@example.org", "{sent}");
    assert_eq!(
        sent["page_title"], "Notes from the garden",
        "the page's title, trimmed: {sent}"
    );
    // The choice stays for the next comment, with the name and the address.
    assert!(ticked(&host, form));
    finish(host);
}

#[wasm_bindgen_test]
async fn a_reply_form_has_its_own_box_and_names_the_page_by_the_threads_title() {
    let _title = PageTitle::set("The host page");
    serve("notify-reply", vec![comment_json(1, None, "Ann", "Top", 0)]);
    let host = mount_with(&[
        ("thread", "notify-reply"),
        ("api", API),
        ("lang", "en"),
        ("title", "Spring planting"),
    ]);
    loaded(&host).await;
    click(&host, "li[data-comment-id='1'] button.reply");
    let form = "form.reply-form";
    until("the reply form", || find(&host, form).is_some()).await;
    assert!(the_box(&host, form).is_none());
    fill_valid(&host, form);
    until("the reply form's box", || the_box(&host, form).is_some()).await;
    assert!(
        the_box(&host, "form.comment-form:not(.reply-form)").is_none(),
        "the thread's own form has no address, so no box"
    );
    let input = the_box(&host, form).unwrap();
    let label = find(&host, &format!("{form} label[for='{}']", input.id()));
    assert!(label.is_some(), "the reply form's box has its own label");
    input.focus().unwrap();
    input.click();
    until("the reply's box to be ticked", || ticked(&host, form)).await;

    stub_respond(
        "POST",
        &thread_path("notify-reply"),
        201,
        &created_json(comment_json(2, Some(1), "Ada", "Hello *there*", 5)),
    );
    click(&host, &format!("{form} button.submit"));
    until("the reply", || {
        find(&host, "li[data-comment-id='2']").is_some()
    })
    .await;
    let sent = posted(0);
    assert_eq!(sent["parent_id"], 1, "{sent}");
    assert_eq!(sent["notify_replies"], true, "{sent}");
    assert_eq!(
        sent["page_title"], "Spring planting",
        "the thread's title comes before the document's: {sent}"
    );
    finish(host);
}

#[wasm_bindgen_test]
async fn without_an_email_the_box_goes_and_the_post_asks_for_nothing() {
    // A page with no title of its own: the post names none.
    let _title = PageTitle::set("   ");
    serve_without_required_email("notify-none");
    let host = mount_widget("notify-none");
    loaded(&host).await;
    let form = "form.comment-form";
    let email = format!("{form} input[name=email]");
    until("the server's rules (an optional email)", || {
        find(&host, &email).is_some_and(|input| !input.has_attribute("required"))
    })
    .await;

    type_into(&host, &email, "ada@example.org");
    until("the box", || the_box(&host, form).is_some()).await;
    the_box(&host, form).unwrap().click();
    until("the box to be ticked", || ticked(&host, form)).await;
    type_into(&host, &email, "");
    until("the box to go with the address", || {
        the_box(&host, form).is_none()
    })
    .await;
    assert!(find(&host, "input[type=checkbox]").is_none());
    // An address typed again brings the box back, off: a new choice.
    type_into(&host, &email, "ada@example.org");
    until("the box again", || the_box(&host, form).is_some()).await;
    assert!(!ticked(&host, form), "it comes back unticked");
    the_box(&host, form).unwrap().click();
    until("ticked once more", || ticked(&host, form)).await;
    type_into(&host, &email, "  ");
    until("spaces alone are no address", || {
        the_box(&host, form).is_none()
    })
    .await;
    type_into(&host, &email, "");

    stub_respond(
        "POST",
        &thread_path("notify-none"),
        201,
        &created_json(comment_json(1, None, "Ada", "Hello", 5)),
    );
    type_into(&host, &format!("{form} input[name=name]"), "Ada");
    type_into(&host, &format!("{form} textarea[name=body]"), "Hello");
    click(&host, &format!("{form} button.submit"));
    until("the post", || {
        find(&host, "li[data-comment-id='1']").is_some()
    })
    .await;
    let sent = posted(0);
    assert_eq!(sent["body"], "Hello", "{sent}");
    assert!(
        sent.get("notify_replies").is_none(),
        "no replies asked for without an address: {sent}"
    );
    assert!(
        sent.get("page_title").is_none(),
        "a blank document title names no page: {sent}"
    );
    finish(host);
}

#[wasm_bindgen_test]
async fn an_unticked_box_sends_no_request_for_replies() {
    let _title = PageTitle::set("Plain page");
    let host = start("notify-off", vec![]);
    loaded(&host).await;
    stub_respond(
        "POST",
        &thread_path("notify-off"),
        201,
        &created_json(comment_json(1, None, "Ada", "Hello *there*", 5)),
    );
    fill_valid(&host, "form.comment-form");
    until("the box", || the_box(&host, "form.comment-form").is_some()).await;
    click(&host, "form.comment-form button.submit");
    until("the post", || {
        find(&host, "li[data-comment-id='1']").is_some()
    })
    .await;
    let sent = posted(0);
    assert!(sent.get("notify_replies").is_none(), "{sent}");
    assert_eq!(sent["page_title"], "Plain page", "{sent}");
    finish(host);
}

#[wasm_bindgen_test]
async fn a_ticked_box_is_kept_with_the_draft() {
    let host = start("notify-draft", vec![]);
    loaded(&host).await;
    let form = "form.comment-form";
    type_into(
        &host,
        &format!("{form} input[name=email]"),
        "ada@example.org",
    );
    until("the box", || the_box(&host, form).is_some()).await;
    the_box(&host, form).unwrap().click();
    let top = format!("colloquy:draft:{API}|notify-draft|top");
    until("the draft to keep the box", || {
        draft_of(&top).contains("\"notify_replies\":true")
    })
    .await;
    finish(host);

    // As after a reload.
    stub_respond(
        "GET",
        &thread_path("notify-draft"),
        200,
        &page_json("notify-draft", vec![]),
    );
    let host = mount_widget("notify-draft");
    loaded(&host).await;
    until("the box, ticked again", || ticked(&host, form)).await;
    finish(host);
}

/// The box's words keep AA contrast in every theme, the box keeps its own size beside
/// them (not a text field's width), and nothing reaches past a 320-pixel thread.
#[wasm_bindgen_test]
async fn the_box_is_legible_in_every_theme_and_fits_a_narrow_thread() {
    for theme in ["light", "dark", "auto", "inherit"] {
        serve("notify-theme", vec![]);
        let host = new_element_in_body();
        host.set_attribute("style", "width: 320px").unwrap();
        colloquy::mount(
            host.clone(),
            options(&[
                ("thread", "notify-theme"),
                ("api", API),
                ("lang", "en"),
                ("theme", theme),
            ]),
        )
        .unwrap();
        loaded(&host).await;
        let form = "form.comment-form";
        type_into(
            &host,
            &format!("{form} input[name=email]"),
            "ada@example.org",
        );
        until("the box", || the_box(&host, form).is_some()).await;
        for part in [".field.checkbox label", ".field.checkbox .note"] {
            let element = find(&host, part).unwrap_or_else(|| panic!("no {part}"));
            let ratio = contrast_of(&element);
            assert!(ratio >= 4.5, "{theme}: {part} has {ratio:.2}:1");
        }
        let input = the_box(&host, form).unwrap();
        let [left, top, right, bottom] = rect(&input)[..] else {
            panic!("no box")
        };
        let (width, height) = (right - left, bottom - top);
        assert!(
            (16.0..=32.0).contains(&width) && (16.0..=32.0).contains(&height),
            "{theme}: the box is {width}×{height}"
        );
        let label = rect(&find(&host, ".field.checkbox label").unwrap());
        assert!(label[0] >= right, "{theme}: the words follow the box");
        assert!(label[1] < bottom && top < label[3], "{theme}: side by side");
        let root = host.shadow_root().unwrap();
        let past = overflowing(&root, &host);
        assert!(past.is_empty(), "{theme}: wider than the thread: {past:?}");
        finish(host);
    }
}

/// The box coming is no reason for the field being typed in to be rebuilt: the reader
/// keeps typing their address into the same, focused field.
#[wasm_bindgen_test]
async fn the_box_appearing_leaves_the_email_field_and_its_focus_alone() {
    let form = "form.comment-form";
    let host = start("notify-focus", vec![]);
    loaded(&host).await;
    let selector = format!("{form} input[name=email]");
    let field: HtmlInputElement = find(&host, &selector).unwrap().unchecked_into();
    field.focus().unwrap();
    // The first character, as a keystroke delivers it: an input event, no blur.
    field.set_value("a");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    field
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    until("the box to appear", || the_box(&host, form).is_some()).await;
    let now = find(&host, &selector).unwrap();
    assert!(
        now.is_same_node(Some(&field)),
        "the email field was rebuilt"
    );
    let root = host.shadow_root().unwrap();
    let focused = root.active_element();
    assert!(
        focused.is_some_and(|f| f.is_same_node(Some(&field))),
        "the email field lost the focus"
    );
    finish(host);
}

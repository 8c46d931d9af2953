use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use crate::harness::*;

/// Ann's conversation three deep (Ben answers her, Cat answers Ben, Dan answers her too),
/// then Eve on her own.
fn three_deep() -> Vec<serde_json::Value> {
    vec![
        comment_json(1, None, "Ann", "Top", 0),
        comment_json(2, Some(1), "Ben", "Second level", 1),
        comment_json(3, Some(2), "Cat", "Third level", 2),
        comment_json(4, Some(1), "Dan", "Second level again", 3),
        comment_json(5, None, "Eve", "Another top", 4),
    ]
}

fn attribute(host: &Element, selector: &str, name: &str) -> String {
    find(host, selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .get_attribute(name)
        .unwrap_or_else(|| panic!("{selector} has no {name}"))
}

/// The accessible name `aria-labelledby` gives the element: its targets' text, in order.
fn labelled_name(host: &Element, selector: &str) -> String {
    attribute(host, selector, "aria-labelledby")
        .split_whitespace()
        .map(|id| {
            find(host, &format!("#{id}"))
                .unwrap_or_else(|| panic!("{selector} is labelled by a missing #{id}"))
                .text_content()
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn announced(host: &Element) -> String {
    text(host, ".news[role=status][aria-live=polite]")
        .trim()
        .to_owned()
}

#[wasm_bindgen_test]
async fn each_comment_carries_its_level_and_its_place_among_its_siblings() {
    let host = start("levels", three_deep());
    loaded(&host).await;
    assert_eq!(shown_ids(&host), vec!["1", "2", "3", "4", "5"]);
    // (level, position among siblings, siblings)
    let expected = [
        ("1", "1", "1", "2"),
        ("2", "2", "1", "2"),
        ("3", "3", "1", "1"),
        ("4", "2", "2", "2"),
        ("5", "1", "2", "2"),
    ];
    for (id, level, position, size) in expected {
        let li = format!("li[data-comment-id='{id}']");
        assert_eq!(attribute(&host, &li, "aria-level"), level, "{id}'s level");
        assert_eq!(
            attribute(&host, &li, "aria-posinset"),
            position,
            "{id}'s place"
        );
        assert_eq!(
            attribute(&host, &li, "aria-setsize"),
            size,
            "{id}'s siblings"
        );
    }
    // A reply is named by its author and whom it answers; a top-level comment by its author.
    assert_eq!(
        labelled_name(&host, "li[data-comment-id='3'] > article"),
        "Cat Reply to Ben"
    );
    assert_eq!(
        labelled_name(&host, "li[data-comment-id='4'] > article"),
        "Dan Reply to Ann"
    );
    assert_eq!(
        labelled_name(&host, "li[data-comment-id='1'] > article"),
        "Ann"
    );
    // Within the indentation, the words are for screen readers only.
    let reply_to = find(&host, "li[data-comment-id='3'] .reply-to").unwrap();
    let class = reply_to.get_attribute("class").unwrap_or_default();
    assert!(class.split(' ').any(|c| c == "visually-hidden"), "{class}");
    // The readers' words keep their own direction.
    for part in [".author", ".body", ".reply-to span"] {
        let selector = format!("li[data-comment-id='3'] {part}");
        assert_eq!(attribute(&host, &selector, "dir"), "auto", "{part}");
    }
    finish(host);
}

#[wasm_bindgen_test]
async fn reply_focuses_the_form_and_escape_returns_to_the_reply_button() {
    let host = start("keyboard", three_deep());
    loaded(&host).await;
    click(&host, "li[data-comment-id='2'] button.reply");
    let name = "li[data-comment-id='2'] form.reply-form input[name=name]";
    until("the focus in the reply form's first field", || {
        has_focus(&host, name)
    })
    .await;
    assert!(
        text(&host, "li[data-comment-id='2'] form.reply-form h3").contains("Ben"),
        "the form says whom it answers"
    );
    type_into(&host, name, "Ada");
    until("the draft to be kept", || !draft_keys().is_empty()).await;
    press_key(&find(&host, name).unwrap(), "Escape");
    until("the focus back on the Reply button", || {
        has_focus(&host, "li[data-comment-id='2'] button.reply")
    })
    .await;
    assert!(
        find(&host, "form.reply-form").is_none(),
        "Escape closed the form"
    );
    // What was typed is still there when the form comes back.
    click(&host, "li[data-comment-id='2'] button.reply");
    until("the reply form again", || has_focus(&host, name)).await;
    let kept = find(&host, name)
        .unwrap()
        .unchecked_into::<web_sys::HtmlInputElement>()
        .value();
    assert_eq!(kept, "Ada");
    // Cancel does the same as Escape.
    click(
        &host,
        "li[data-comment-id='2'] form.reply-form button.cancel",
    );
    until("the focus back on the Reply button after Cancel", || {
        has_focus(&host, "li[data-comment-id='2'] button.reply")
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn a_posted_reply_takes_the_focus_and_is_announced() {
    let host = start("posted-reply", three_deep());
    loaded(&host).await;
    click(&host, "li[data-comment-id='3'] button.reply");
    let form = "li[data-comment-id='3'] form.reply-form";
    until("the reply form", || find(&host, form).is_some()).await;
    stub_respond(
        "POST",
        &thread_path("posted-reply"),
        201,
        &created_json(comment_json(6, Some(3), "Ada", "Hello *there*", 9)),
    );
    fill_valid(&host, form);
    click(&host, &format!("{form} button.submit"));
    until("the new reply to take the focus", || {
        has_focus(&host, "li[data-comment-id='6'] > article")
    })
    .await;
    assert_eq!(
        attribute(&host, "li[data-comment-id='6'] > article", "tabindex"),
        "-1"
    );
    assert_eq!(
        attribute(&host, "li[data-comment-id='6']", "aria-level"),
        "4"
    );
    assert_eq!(announced(&host), "Your comment was posted.");
    assert!(
        find(&host, ".feedback.sent[role]").is_none(),
        "said once, by the thread's live region"
    );
    finish(host);
}

#[wasm_bindgen_test]
async fn a_posted_comment_takes_the_focus_only_from_its_form() {
    let host = start("posted-top", vec![comment_json(1, None, "Ann", "Top", 0)]);
    loaded(&host).await;
    stub_respond(
        "POST",
        &thread_path("posted-top"),
        201,
        &created_json(comment_json(2, None, "Ada", "Hello *there*", 5)),
    );
    stub_hold("POST", &thread_path("posted-top"));
    let submit = "form.comment-form:not(.reply-form) button.submit";
    fill_valid(&host, "form.comment-form");
    find(&host, submit)
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    click(&host, submit);
    until("the new comment to take the focus", || {
        has_focus(&host, "li[data-comment-id='2'] > article")
    })
    .await;

    // A reader who went elsewhere on the page while the post was on its way stays there.
    let elsewhere = new_element_in_body();
    elsewhere.set_inner_html("<input id=elsewhere>");
    type_into(&host, "textarea[name=body]", "Once more");
    click(&host, submit);
    elsewhere
        .first_element_child()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    until("the second post to be on its way", || {
        stub_bodies("POST").len() == 2
    })
    .await;
    stub_release(
        201,
        &created_json(comment_json(3, None, "Ada", "Once more", 6)),
    );
    until("the second comment", || {
        find(&host, "li[data-comment-id='3']").is_some()
    })
    .await;
    next_task().await;
    let page_focus = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .and_then(|element| element.get_attribute("id"));
    assert_eq!(page_focus.as_deref(), Some("elsewhere"));
    elsewhere.remove();
    finish(host);
}

#[wasm_bindgen_test]
async fn a_rejected_post_focuses_the_first_invalid_field_tied_to_its_message() {
    let host = start("rejected-fields", vec![]);
    loaded(&host).await;
    stub_respond(
        "POST",
        &thread_path("rejected-fields"),
        422,
        r#"{"message":"Some fields need attention.","errors":[
            {"field":"body","code":"too_long","message":"Comment is too long."},
            {"field":"website","code":"invalid_url","message":"Not a web address."}]}"#,
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the focus on the first invalid field", || {
        has_focus(&host, "input[name=website]")
    })
    .await;
    for (name, words) in [("website", "https://"), ("body", "at most 10,000")] {
        let field = find(&host, &format!("[name={name}]")).unwrap();
        assert_eq!(
            field.get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{name}"
        );
        let described = field.get_attribute("aria-describedby").unwrap_or_default();
        let error_id = described
            .split_whitespace()
            .find(|id| id.ends_with("-error"))
            .unwrap_or_else(|| panic!("{name}'s message is not tied to it: {described}"));
        let message = text(&host, &format!("#{error_id}"));
        assert!(message.contains(words), "{name}: {message}");
    }
    finish(host);
}

/// Text meets WCAG AA (4.5:1) in every theme: times, notes, errors, the buttons' words.
#[wasm_bindgen_test]
async fn text_keeps_its_contrast_in_every_theme() {
    let mut with_site = comment_json(1, None, "Ann", "Top", 0);
    with_site["website"] = "https://ann.example".into();
    for theme in ["light", "dark", "auto", "inherit"] {
        serve("contrast", vec![with_site.clone()]);
        let host = mount_with(&[
            ("thread", "contrast"),
            ("api", API),
            ("lang", "en"),
            ("theme", theme),
        ]);
        loaded(&host).await;
        click(&host, "form.comment-form button.submit");
        until("the field errors", || find(&host, ".error").is_some()).await;
        for selector in [
            "h2.count",
            "li.comment time",
            "li.comment a.author",
            "li.comment .body p",
            "li.comment button.reply",
            "form.comment-form label",
            "form.comment-form .note",
            "form.comment-form .error",
            "form.comment-form .feedback.invalid",
            "form.comment-form button.submit",
        ] {
            let element = find(&host, selector).unwrap_or_else(|| panic!("no {selector}"));
            let ratio = contrast_of(&element);
            assert!(ratio >= 4.5, "{theme}: {selector} has {ratio:.2}:1");
        }
        finish(host);
    }
}

/// At 320 CSS pixels (a phone, or 1280 at 400 %), long words, addresses and deep replies
/// with a form open wrap instead of making the reader scroll sideways.
#[wasm_bindgen_test]
async fn nothing_reaches_past_a_320_pixel_thread() {
    let long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(4);
    let long_url = format!("https://example.org/{}", "very-long-path/".repeat(12));
    let mut comments = vec![comment_json(
        1,
        None,
        &long_word,
        &format!("{long_word} <{long_url}> `{long_word}`\n\n```\n{long_word}\n```"),
        0,
    )];
    for id in 2..=7 {
        comments.push(comment_json(id, Some(id - 1), "Ben", &long_word, id as u32));
    }
    serve("narrow", comments);
    let host = new_element_in_body();
    host.set_attribute("style", "width: 320px").unwrap();
    colloquy::mount(
        host.clone(),
        options(&[("thread", "narrow"), ("api", API), ("lang", "en")]),
    )
    .unwrap();
    loaded(&host).await;
    click(&host, "li[data-comment-id='5'] button.reply");
    until("the reply form at the deepest indentation", || {
        find(&host, "li[data-comment-id='5'] form.reply-form").is_some()
    })
    .await;
    let root = host.shadow_root().unwrap();
    let past = overflowing(&root, &host);
    assert!(past.is_empty(), "wider than the thread: {past:?}");
    // The fields stack, each as wide as its form.
    let form = rect(&find(&host, "form.comment-form:not(.reply-form)").unwrap());
    let name = rect(&find(&host, "form.comment-form:not(.reply-form) input[name=name]").unwrap());
    let email = rect(
        &find(
            &host,
            "form.comment-form:not(.reply-form) input[name=email]",
        )
        .unwrap(),
    );
    assert!(
        email[1] >= name[3],
        "the email field is below the name field"
    );
    assert!(
        name[2] - name[0] > 0.8 * (form[2] - form[0]),
        "{name:?} in {form:?}"
    );
    finish(host);
}

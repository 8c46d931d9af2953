use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

use crate::harness::*;

#[wasm_bindgen_test]
async fn drafts_survive_a_remount_and_go_once_accepted() {
    let host = start("drafts", vec![comment_json(1, None, "Ann", "Top", 0)]);
    loaded(&host).await;
    assert!(draft_keys().is_empty(), "an untouched form keeps no draft");
    fill_valid(&host, "form.comment-form");
    let top = format!("colloquy:draft:{API}|drafts|top");
    until("the draft to be kept", || {
        draft_of(&top).contains("Hello *there*")
    })
    .await;
    assert_eq!(draft_keys(), vec![top.clone()]);

    // A reply draft is kept apart from the top-level one.
    click(&host, "li[data-comment-id='1'] button.reply");
    until("the reply form", || {
        find(&host, "form.reply-form").is_some()
    })
    .await;
    type_into(&host, "form.reply-form textarea[name=body]", "Half a reply");
    until("the reply draft", || draft_keys().len() == 2).await;
    finish(host);

    // As after a reload: a new instance on the same thread gets the text back.
    stub_respond(
        "GET",
        &thread_path("drafts"),
        200,
        &page_json("drafts", vec![comment_json(1, None, "Ann", "Top", 0)]),
    );
    let host = mount_widget("drafts");
    loaded(&host).await;
    assert_eq!(
        body_value(&host, "form.comment-form textarea[name=body]"),
        "Hello *there*"
    );
    let name = find(&host, "form.comment-form input[name=name]")
        .unwrap()
        .unchecked_into::<HtmlInputElement>();
    assert_eq!(name.value(), "Ada");

    // A failed post keeps it; the accepted one clears it.
    stub_fail("POST", &thread_path("drafts"));
    stub_respond(
        "POST",
        &thread_path("drafts"),
        201,
        &created_json(comment_json(2, None, "Ada", "Hello *there*", 5)),
    );
    click(&host, "form.comment-form button.submit");
    until("the failure", || find(&host, ".feedback.failed").is_some()).await;
    assert!(draft_of(&top).contains("Hello *there*"));
    click(&host, ".feedback.failed button.retry");
    until("the posted comment", || {
        find(&host, "li[data-comment-id='2']").is_some()
    })
    .await;
    until("the top-level draft to go", || {
        draft_keys() == vec![format!("colloquy:draft:{API}|drafts|1")]
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn a_draft_saved_before_the_email_box_existed_comes_back_with_the_box_off() {
    // Serving clears the page's storage, so the old draft goes in after it.
    serve("old-draft", vec![]);
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage
        .set_item(
            &format!("colloquy:draft:{API}|old-draft|top"),
            r#"{"name":"Ada","email":"ada@example.org","body":"Kept from before"}"#,
        )
        .unwrap();
    let host = mount_widget("old-draft");
    loaded(&host).await;
    assert_eq!(
        body_value(&host, "form.comment-form textarea[name=body]"),
        "Kept from before"
    );
    assert_eq!(
        body_value(&host, "form.comment-form input[name=email]"),
        "ada@example.org"
    );
    let notify = find(&host, "form.comment-form input[name=notify_replies]")
        .unwrap()
        .unchecked_into::<HtmlInputElement>();
    assert!(!notify.checked(), "the box comes back off");
    finish(host);
}

use wasm_bindgen_test::*;

use crate::harness::*;

#[wasm_bindgen_test]
async fn an_empty_submit_marks_each_required_field_and_sends_nothing() {
    let host = start("empty-submit", vec![]);
    loaded(&host).await;
    click(&host, "form.comment-form button.submit");
    until("the field errors", || {
        find_all(&host, ".field.invalid").len() == 3
    })
    .await;
    for name in ["name", "email", "body"] {
        let input = find(&host, &format!("[name={name}]")).unwrap();
        assert_eq!(
            input.get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{name}"
        );
        let described = input.get_attribute("aria-describedby").unwrap_or_default();
        let error_id = described
            .split_whitespace()
            .find(|id| id.ends_with("-error"))
            .unwrap_or_else(|| panic!("{name} has no error in aria-describedby: {described}"));
        let message = text(&host, &format!("#{error_id}"));
        assert!(message.contains("is required"), "{name}: {message}");
    }
    let website = find(&host, "[name=website]").unwrap();
    assert_eq!(
        website.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    // The first invalid field has the focus.
    until("the focus on the first invalid field", || {
        host.shadow_root()
            .and_then(|root| root.active_element())
            .and_then(|focused| focused.get_attribute("name"))
            .as_deref()
            == Some("name")
    })
    .await;
    assert!(
        stub_bodies("POST").is_empty(),
        "nothing may be sent while invalid"
    );
    // Every label is tied to its input.
    for label in find_all(&host, "form.comment-form .field label") {
        let target = label.get_attribute("for").unwrap();
        assert!(
            find(&host, &format!("#{target}")).is_some(),
            "label for {target}"
        );
    }
    finish(host);
}

#[wasm_bindgen_test]
async fn leaving_a_field_checks_it_with_the_shared_rules() {
    let host = start("blur", vec![]);
    loaded(&host).await;
    type_into(&host, "input[name=email]", "not-an-address");
    until("the email error", || {
        find(&host, ".field.invalid").is_some()
    })
    .await;
    let described = find(&host, "[name=email]")
        .unwrap()
        .get_attribute("aria-describedby")
        .unwrap();
    assert!(
        described.contains("-note"),
        "the privacy note stays described: {described}"
    );
    assert!(text(&host, ".field.invalid .error").contains("email address"));
    type_into(&host, "input[name=website]", "javascript:alert(1)");
    until("the website error", || {
        find_all(&host, ".field.invalid").len() == 2
    })
    .await;
    type_into(&host, "input[name=email]", "ada@example.org");
    until("the email error to clear", || {
        find_all(&host, ".field.invalid").len() == 1
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn server_field_errors_land_on_the_same_fields_and_take_the_focus() {
    let host = start("rejected", vec![]);
    loaded(&host).await;
    stub_respond(
        "POST",
        &thread_path("rejected"),
        422,
        r#"{"message":"Some fields need attention.","errors":[{"field":"body","code":"too_long","message":"Comment must be at most 10000 characters."}]}"#,
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    // In the widget's own words (and number format), for the same field and code.
    until("the server's error on the comment field", || {
        text(&host, ".field.invalid .error").contains("at most 10,000")
    })
    .await;
    assert_eq!(
        body_value(&host, "textarea[name=body]"),
        "Hello *there*",
        "the text is kept"
    );
    until("the focus on the comment field", || {
        host.shadow_root()
            .and_then(|root| root.active_element())
            .and_then(|focused| focused.get_attribute("name"))
            .as_deref()
            == Some("body")
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn a_network_failure_keeps_the_text_and_retry_posts_once() {
    let host = start("offline", vec![]);
    loaded(&host).await;
    stub_fail("POST", &thread_path("offline"));
    stub_respond(
        "POST",
        &thread_path("offline"),
        201,
        &created_json(comment_json(7, None, "Ada", "Hello *there*", 5)),
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the failure message", || {
        find(&host, ".feedback.failed").is_some()
    })
    .await;
    assert!(text(&host, ".feedback.failed").contains("Your text is kept"));
    assert_eq!(body_value(&host, "textarea[name=body]"), "Hello *there*");

    click(&host, ".feedback.failed button.retry");
    until("the posted comment", || {
        find(&host, "li[data-comment-id='7']").is_some()
    })
    .await;
    assert_eq!(text(&host, "h2.count"), "1 comment");
    let posts = stub_bodies("POST");
    assert_eq!(posts.len(), 2);
    let key = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["idempotency_key"].clone()
    };
    assert_eq!(
        key(&posts[0]),
        key(&posts[1]),
        "a retry reuses its idempotency key"
    );
    until("the form to empty", || {
        body_value(&host, "textarea[name=body]").is_empty()
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn a_second_click_while_posting_does_nothing() {
    let host = start("double", vec![]);
    loaded(&host).await;
    stub_hold("POST", &thread_path("double"));
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    click(&host, "form.comment-form button.submit");
    until("the button to show progress", || {
        find(&host, "form.comment-form button.submit").is_some_and(|b| b.has_attribute("disabled"))
    })
    .await;
    assert_eq!(text(&host, "form.comment-form button.submit"), "Posting…");
    click(&host, "form.comment-form button.submit");
    next_task().await;
    assert_eq!(stub_bodies("POST").len(), 1);
    stub_release(
        201,
        &created_json(comment_json(9, None, "Ada", "Hello *there*", 5)),
    );
    until("the posted comment", || {
        find(&host, "li[data-comment-id='9']").is_some()
    })
    .await;
    assert_eq!(stub_bodies("POST").len(), 1);
    finish(host);
}

#[wasm_bindgen_test]
async fn too_many_posts_say_when_to_try_again_and_keep_the_text() {
    let host = start("flood", vec![]);
    loaded(&host).await;
    stub_respond_with(
        "POST",
        &thread_path("flood"),
        429,
        r#"{"message":"You are posting too quickly. Try again in 42 seconds."}"#,
        "retry-after",
        "42",
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the wait", || find(&host, ".feedback.failed").is_some()).await;
    assert!(text(&host, ".feedback.failed").contains("Try again in 42 seconds"));
    assert_eq!(body_value(&host, "textarea[name=body]"), "Hello *there*");
    finish(host);
}

#[wasm_bindgen_test]
async fn the_honeypot_is_out_of_sight_and_empty_for_people() {
    let host = start("trap", vec![]);
    loaded(&host).await;
    stub_respond(
        "POST",
        &thread_path("trap"),
        201,
        &created_json(comment_json(3, None, "Ada", "Hello *there*", 5)),
    );
    let trap = find(&host, ".trap input").unwrap();
    assert_eq!(trap.get_attribute("tabindex").as_deref(), Some("-1"));
    let right = right_edge(&trap);
    assert!(right < 0.0, "it is off-screen ({right})");
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the post", || {
        find(&host, "li[data-comment-id='3']").is_some()
    })
    .await;
    let sent: serde_json::Value = serde_json::from_str(&stub_bodies("POST")[0]).unwrap();
    assert!(
        sent.get("honeypot").is_none(),
        "an empty honeypot is not even sent: {sent}"
    );
    finish(host);
}

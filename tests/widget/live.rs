use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use crate::harness::*;

/// Mounts `thread`, read when its latest event was `last_event_id`, and waits for the
/// widget to open its event stream.
async fn start_live(thread: &str, comments: Vec<serde_json::Value>, last_event_id: i64) -> Element {
    serve_at(thread, comments, last_event_id);
    let host = mount_widget(thread);
    loaded(&host).await;
    until("the event stream to open", || live_streams().len() == 1).await;
    host
}

fn events_url(thread: &str, after: i64) -> String {
    format!("{API}/api/v1/threads/{thread}/events?after={after}")
}

fn announced(host: &Element) -> String {
    text(host, "[role=status][aria-live=polite].news")
        .trim()
        .to_owned()
}

#[wasm_bindgen_test]
async fn events_appear_where_the_sort_puts_them_and_each_comment_once() {
    let host = start_live(
        "live",
        vec![
            comment_json(1, None, "Ann", "First", 0),
            comment_json(2, None, "Ben", "Second", 1),
        ],
        7,
    )
    .await;
    assert_eq!(
        live_streams(),
        vec![events_url("live", 7)],
        "subscribed after the page's last event"
    );

    live_send(
        8,
        &event_json("created", comment_json(3, Some(1), "Cat", "A reply", 2)),
    );
    until("the new reply", || {
        find(&host, "li[data-comment-id='3']").is_some()
    })
    .await;
    assert_eq!(shown_ids(&host), vec!["1", "3", "2"], "under its parent");
    assert_eq!(text(&host, "h2.count"), "3 comments");

    // The same event again (a replay), and the same comment under a newer id (as after a
    // reconnection that replays from further back), then an edit to know all were taken in.
    live_send(
        8,
        &event_json("created", comment_json(3, Some(1), "Cat", "A reply", 2)),
    );
    live_send(
        9,
        &event_json("created", comment_json(3, Some(1), "Cat", "A reply", 2)),
    );
    live_send(
        10,
        &event_json("edited", comment_json(1, None, "Ann", "First, *edited*", 0)),
    );
    until("the edit", || {
        text(&host, "li[data-comment-id='1'] .body em") == "edited"
    })
    .await;
    assert_eq!(shown_ids(&host), vec!["1", "3", "2"]);
    assert_eq!(text(&host, "h2.count"), "3 comments");

    finish(host);
    until("unmounting to close the stream", || {
        live_streams().is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_stream_closes_while_the_tab_is_hidden_and_resumes_after_the_last_event() {
    let host = start_live("tabs", vec![comment_json(1, None, "Ann", "Hi", 0)], 3).await;
    live_send(
        4,
        &event_json("created", comment_json(2, None, "Ben", "Seen", 1)),
    );
    until("the first event", || {
        find(&host, "li[data-comment-id='2']").is_some()
    })
    .await;

    set_visibility("hidden");
    until("the stream to close", || live_streams().is_empty()).await;
    assert_eq!(live_streams_opened(), 1);

    set_visibility("visible");
    until("the stream to reopen", || live_streams().len() == 1).await;
    assert_eq!(
        live_streams(),
        vec![events_url("tabs", 4)],
        "resumes after the last event seen"
    );
    live_send(
        5,
        &event_json("created", comment_json(3, None, "Cat", "Missed", 2)),
    );
    until("the event sent after reopening", || {
        find(&host, "li[data-comment-id='3']").is_some()
    })
    .await;
    assert_eq!(text(&host, "h2.count"), "3 comments");
    finish(host);
}

#[wasm_bindgen_test]
async fn the_stream_is_open_only_while_the_thread_is_near_the_screen() {
    let host = start_live("scrolled", vec![], 2).await;
    // Five screens of page above the thread put it far out of sight.
    let document = web_sys::window().unwrap().document().unwrap();
    let spacer = document.create_element("div").unwrap();
    spacer.set_attribute("style", "height: 500vh").unwrap();
    host.parent_node()
        .unwrap()
        .insert_before(&spacer, Some(&host))
        .unwrap();
    until("the stream to close", || live_streams().is_empty()).await;

    spacer.remove();
    until("the stream to reopen", || live_streams().len() == 1).await;
    assert_eq!(live_streams(), vec![events_url("scrolled", 2)]);
    assert_eq!(live_streams_opened(), 2);
    finish(host);
}

#[wasm_bindgen_test]
async fn a_stream_is_opened_once_and_again_after_the_server_refused_it() {
    let host = start_live("busy", vec![], 0).await;
    // Visibility events are handled as they are dispatched.
    set_visibility("visible");
    assert_eq!(
        live_streams_opened(),
        1,
        "an open stream is kept, not doubled"
    );
    // A 403 or 503: the EventSource gives up for good.
    live_refuse();
    assert!(live_streams().is_empty());
    set_visibility("hidden");
    set_visibility("visible");
    until("a new stream", || live_streams().len() == 1).await;
    assert_eq!(live_streams_opened(), 2);
    finish(host);
}

#[wasm_bindgen_test]
async fn new_comments_are_announced_politely_without_moving_the_focus() {
    let host = start_live("polite", vec![comment_json(1, None, "Ann", "Hi", 0)], 0).await;
    type_into(&host, "textarea[name=body]", "Half a thought");
    let textarea = find(&host, "textarea[name=body]").unwrap();
    textarea.unchecked_ref::<HtmlElement>().focus().unwrap();
    let region = find(&host, ".news").expect("the live region is there before any news");
    assert_eq!(region.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(region.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(announced(&host), "");

    live_send(
        1,
        &event_json("created", comment_json(2, None, "Ada", "Hello", 1)),
    );
    until("the announcement", || {
        announced(&host) == "New comment by Ada"
    })
    .await;
    let focused = host.shadow_root().unwrap().active_element();
    assert_eq!(focused.as_ref(), Some(&textarea), "the focus stays put");
    assert_eq!(body_value(&host, "textarea[name=body]"), "Half a thought");
    assert_eq!(computed_style(&region, "position"), "absolute");
    assert_eq!(computed_style(&region, "width"), "1px", "visually hidden");

    live_send(
        2,
        &event_json("created", comment_json(3, None, "Ben", "Me too", 2)),
    );
    until("news gathered", || announced(&host) == "2 new comments").await;
    assert_eq!(
        host.shadow_root().unwrap().active_element().as_ref(),
        Some(&textarea)
    );
    finish(host);
}

#[wasm_bindgen_test]
async fn the_readers_own_comment_is_shown_once_and_not_announced_as_news() {
    let host = start_live("own", vec![], 0).await;
    stub_respond(
        "POST",
        &thread_path("own"),
        201,
        &created_json(comment_json(5, None, "Ada", "Hello *there*", 3)),
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the posted comment", || {
        find(&host, "li[data-comment-id='5']").is_some()
    })
    .await;
    live_send(
        1,
        &event_json("created", comment_json(5, None, "Ada", "Hello *there*", 3)),
    );
    live_send(
        2,
        &event_json("created", comment_json(6, None, "Ben", "Welcome", 4)),
    );
    until("the next comment's announcement", || {
        announced(&host).contains("Ben")
    })
    .await;
    assert_eq!(
        announced(&host),
        "Your comment was posted. New comment by Ben",
        "only someone else's comment is news"
    );
    assert_eq!(shown_ids(&host), vec!["5", "6"]);
    assert_eq!(text(&host, "h2.count"), "2 comments");
    finish(host);
}

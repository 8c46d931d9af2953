//! A Rust developer writes `html! { <CommentThread thread=".." api=".." /> }` in their own
//! app, with their own CSS on the page: the thread must look and behave as it does on a
//! site owner's page, and keep the honeypot away from readers.

use colloquy::{CommentThread, CommentThreadProps, Sort, Theme};
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::AttrValue;

use crate::harness::*;

/// A page style that would number the list and put the honeypot in plain view, if it
/// could reach the thread.
const HOSTILE_PAGE_CSS: &str = "ol, li { list-style: decimal !important; } \
     .trap { position: static !important; width: auto !important; height: auto !important; }";

fn props(thread: &str) -> CommentThreadProps {
    CommentThreadProps {
        thread: AttrValue::from(thread.to_owned()),
        api: AttrValue::from(API),
        lang: AttrValue::from("en"),
        title: None,
        theme: Theme::default(),
        sort: Sort::default(),
    }
}

fn add_page_style(css: &str) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(css));
    document.head().unwrap().append_child(&style).unwrap();
    style
}

#[wasm_bindgen_test]
async fn the_public_component_brings_its_own_styles_and_hides_the_honeypot() {
    serve(
        "in-an-app",
        vec![
            comment_json(1, None, "Ann", "Top", 0),
            comment_json(2, Some(1), "Ben", "Reply", 1),
        ],
    );
    let page_style = add_page_style(HOSTILE_PAGE_CSS);
    let app_root = new_element_in_body();
    let app =
        yew::Renderer::<CommentThread>::with_root_and_props(app_root.clone(), props("in-an-app"))
            .render();

    until("the component's host with its shadow root", || {
        app_root
            .first_element_child()
            .is_some_and(|host| host.shadow_root().is_some())
    })
    .await;
    let host = app_root.first_element_child().unwrap();
    assert_eq!(host.class_name(), "colloquy-host");
    loaded(&host).await;
    assert_eq!(text(&host, "h2.count"), "2 comments");
    assert!(
        app_root.query_selector("li.comment").unwrap().is_none(),
        "nothing of the thread is in the app's own tree"
    );

    let shadow = host.shadow_root().unwrap();
    assert!(style_rules_in(&shadow) > 0, "the stylesheet is adopted");
    assert_eq!(computed_style(&host, "display"), "block");
    let list = find(&host, "ol.comments").unwrap();
    assert_eq!(
        computed_style(&list, "list-style-type"),
        "none",
        "readers see no numbers"
    );
    let form = find(&host, "form.comment-form").unwrap();
    assert_eq!(computed_style(&form, "display"), "grid");

    let trap = find(&host, ".trap").unwrap();
    assert_eq!(trap.get_attribute("aria-hidden").as_deref(), Some("true"));
    assert_eq!(computed_style(&trap, "position"), "absolute");
    let input = find(&host, ".trap input").unwrap();
    let right = right_edge(&input);
    assert!(right < 0.0, "the honeypot is off-screen ({right})");

    // Events reach the thread through the portal: a reader can post.
    stub_respond(
        "POST",
        &thread_path("in-an-app"),
        201,
        &created_json(comment_json(3, None, "Ada", "Hello *there*", 5)),
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the posted comment", || {
        find(&host, "li[data-comment-id='3']").is_some()
    })
    .await;
    let sent: serde_json::Value = serde_json::from_str(&stub_bodies("POST")[0]).unwrap();
    assert!(sent.get("honeypot").is_none(), "{sent}");

    app.destroy();
    until("destroying the app to remove the host", || {
        app_root.first_element_child().is_none()
    })
    .await;
    app_root.remove();
    page_style.remove();
}

#[wasm_bindgen_test]
async fn new_props_reach_the_thread_inside_the_shadow_root() {
    serve("one", vec![comment_json(1, None, "Ann", "In one", 0)]);
    stub_respond(
        "GET",
        &thread_path("two"),
        200,
        &page_json(
            "two",
            vec![
                comment_json(5, None, "Eve", "In two", 0),
                comment_json(6, None, "Fay", "Also two", 1),
            ],
        ),
    );
    let app_root = new_element_in_body();
    let mut app =
        yew::Renderer::<CommentThread>::with_root_and_props(app_root.clone(), props("one"))
            .render();
    until("the first thread", || {
        app_root
            .first_element_child()
            .is_some_and(|host| text(&host, "h2.count") == "1 comment")
    })
    .await;
    let host = app_root.first_element_child().unwrap();
    app.update(props("two"));
    until("the second thread", || {
        text(&host, "h2.count") == "2 comments"
    })
    .await;
    assert_eq!(shown_ids(&host), vec!["5", "6"]);
    assert_eq!(
        find_all(&host, ".colloquy-root").len(),
        1,
        "the same shadow root serves the new thread"
    );
    app.destroy();
    app_root.remove();
}

use wasm_bindgen_test::*;

use crate::harness::*;

#[wasm_bindgen_test]
async fn the_page_element_gets_a_styled_shadow_root_with_one_colloquy_root() {
    let host = start(
        "contract",
        vec![
            comment_json(1, None, "Ann", "Top", 0),
            comment_json(2, None, "Ben", "Also top", 1),
        ],
    );
    loaded(&host).await;
    let shadow = host
        .shadow_root()
        .expect("the mount element's own shadow root");
    let roots = find_all(&host, ".colloquy-root");
    assert_eq!(roots.len(), 1);
    let shadow_node: &web_sys::Node = shadow.as_ref();
    assert_eq!(
        roots[0].parent_node().as_ref(),
        Some(shadow_node),
        ".colloquy-root sits right in the shadow root"
    );
    assert!(style_rules_in(&shadow) > 0, "the stylesheet is in place");
    let list = find(&host, "ol.comments").unwrap();
    assert_eq!(computed_style(&list, "list-style-type"), "none");
    finish(host);
    assert_eq!(
        shadow.child_nodes().length(),
        0,
        "unmount empties the shadow root"
    );
}

#[wasm_bindgen_test]
async fn options_choose_title_theme_and_sort() {
    serve(
        "opts",
        vec![
            comment_json(1, None, "Ann", "Old", 0),
            comment_json(2, Some(1), "Ben", "Reply", 1),
            comment_json(3, None, "Cat", "New", 2),
        ],
    );
    let host = mount_with(&[
        ("thread", "opts"),
        ("api", API),
        ("title", "<b>Release</b> notes"),
        ("theme", "dark"),
        ("sort", "newest"),
    ]);
    loaded(&host).await;
    assert_eq!(
        text(&host, "h2.count"),
        "3 comments on “<b>Release</b> notes”"
    );
    assert!(find(&host, "h2.count b").is_none(), "the title is text");
    let class = find(&host, "section.colloquy")
        .unwrap()
        .get_attribute("class")
        .unwrap();
    assert!(class.contains("theme-dark"), "{class}");
    assert_eq!(
        shown_ids(&host),
        vec!["3", "1", "2"],
        "newest conversations first"
    );
    assert!(stub_bodies("GET")
        .iter()
        .any(|path| path.ends_with("/opts/comments")));
    finish(host);
}

#[wasm_bindgen_test]
async fn without_a_thread_the_normalised_page_path_is_used() {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path("%2Fpost"),
        200,
        &page_json("/post", vec![comment_json(1, None, "Ann", "Hi", 0)]),
    );
    let host = mount_with(&[("path", "/post/index.html"), ("api", API)]);
    until("the page's thread", || find(&host, "li.comment").is_some()).await;
    finish(host);
}

#[wasm_bindgen_test]
async fn update_switches_threads_in_place() {
    let host = start(
        "first",
        vec![comment_json(1, None, "Ann", "In the first", 0)],
    );
    loaded(&host).await;
    stub_respond(
        "GET",
        &thread_path("second"),
        200,
        &page_json(
            "second",
            vec![
                comment_json(5, None, "Eve", "In the second", 0),
                comment_json(6, None, "Fay", "Also second", 1),
            ],
        ),
    );
    assert!(colloquy::update(&host, options(&[("thread", "second")])));
    until("the second thread", || {
        text(&host, "h2.count") == "2 comments"
    })
    .await;
    assert!(find(&host, "li[data-comment-id='1']").is_none());
    assert_eq!(find_all(&host, ".colloquy-root").len(), 1);
    assert_eq!(colloquy::instances(), 1);
    finish(host);
    assert_eq!(colloquy::instances(), 0);
    let stranger = new_element_in_body();
    assert!(!colloquy::update(&stranger, options(&[])));
    stranger.remove();
}

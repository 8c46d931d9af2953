use wasm_bindgen_test::*;

use crate::harness::*;

const NOT_FOUND_PAGE: &str = "<!doctype html><title>404</title><h1>Not Found</h1>";

/// The stand-in server's answers for `thread` with everything under `prefix`.
fn serve_under(prefix: &str, thread: &str) {
    stub_fetch();
    let config = serde_json::json!({
        "rules": colloquy_core::rules::FormRules::default(),
        "edit_window_secs": 900
    });
    stub_respond(
        "GET",
        &format!("{prefix}{CONFIG_PATH}"),
        200,
        &config.to_string(),
    );
    stub_respond(
        "GET",
        &format!("{prefix}{}", thread_path(thread)),
        200,
        &page_json(thread, vec![comment_json(1, None, "Ann", "Hi", 0)]),
    );
}

fn html_answer(path: &str, status: u16) {
    stub_respond_with(
        "GET",
        path,
        status,
        NOT_FOUND_PAGE,
        "content-type",
        "text/html",
    );
}

#[wasm_bindgen_test]
async fn a_server_deployed_under_a_path_is_asked_there() {
    serve_under("/comments", "pathed");
    let host = mount_with(&[("thread", "pathed"), ("api", &format!("{API}/comments/"))]);
    until("the thread", || find(&host, "li.comment").is_some()).await;
    let asked = stub_bodies("GET");
    assert!(
        asked
            .iter()
            .all(|path| path.starts_with("/comments/api/v1/")),
        "{asked:?}"
    );
    until("the event stream", || live_streams().len() == 1).await;
    assert_eq!(
        live_streams(),
        vec![format!(
            "{API}/comments/api/v1/threads/pathed/events?after=0"
        )]
    );
    finish(host);
}

#[wasm_bindgen_test]
async fn a_base_given_with_the_api_path_is_understood() {
    for given in [format!("{API}/api/v1"), format!("{API}/api/v1/")] {
        serve_under("", "suffixed");
        let host = mount_with(&[("thread", "suffixed"), ("api", &given)]);
        until("the thread", || find(&host, "li.comment").is_some()).await;
        let asked = stub_bodies("GET");
        assert!(
            asked.iter().all(|path| !path.contains("/api/v1/api/v1")),
            "{given}: {asked:?}"
        );
        assert!(asked.iter().any(|path| path == CONFIG_PATH), "{asked:?}");
        finish(host);
    }
}

#[wasm_bindgen_test]
async fn a_base_where_no_colloquy_server_answers_says_which_url_it_tried() {
    stub_fetch();
    html_answer("/wrong/api/v1/config", 404);
    html_answer(&format!("/wrong{}", thread_path("lost")), 404);
    record_console_errors();
    let host = mount_with(&[("thread", "lost"), ("api", &format!("{API}/wrong"))]);
    until("the failure", || find(&host, ".status.failed").is_some()).await;
    let expected = format!("No Colloquy comment server answered at {API}/wrong/api/v1/config.");
    until("the reason", || text(&host, ".status.failed p") == expected).await;
    let logged = recorded_console_errors();
    assert!(
        logged.iter().any(|line| line.contains(&expected)),
        "the console names the URL too: {logged:?}"
    );
    // Nothing was counted: the heading does not claim there are no comments.
    assert_eq!(text(&host, "h2.count"), "Comments");

    // The site owner fixes the server: trying again asks both anew.
    serve_under("/wrong", "lost");
    click(&host, ".status.failed button.retry");
    until("the thread after retrying", || {
        find(&host, "li.comment").is_some()
    })
    .await;
    assert!(find(&host, ".status.failed").is_none());
    finish(host);
}

#[wasm_bindgen_test]
async fn a_web_page_where_the_server_should_be_is_no_server_either() {
    // A site that answers every path with its own page, as single-page apps do.
    stub_fetch();
    html_answer(CONFIG_PATH, 200);
    html_answer(&thread_path("spa"), 200);
    let host = mount_widget("spa");
    until("the failure", || find(&host, ".status.failed").is_some()).await;
    until("the reason", || {
        text(&host, ".status.failed p")
            == format!("No Colloquy comment server answered at {API}/api/v1/config.")
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn a_failing_configuration_alone_changes_nothing_a_reader_sees() {
    stub_fetch();
    html_answer(CONFIG_PATH, 404);
    stub_respond(
        "GET",
        &thread_path("configless"),
        200,
        &page_json("configless", vec![comment_json(1, None, "Ann", "Hi", 0)]),
    );
    let host = mount_widget("configless");
    until("the thread", || find(&host, "li.comment").is_some()).await;
    assert!(find(&host, ".status.failed").is_none());
    finish(host);

    // A Colloquy server that fails is told as before, not as a missing server.
    stub_fetch();
    stub_respond("GET", CONFIG_PATH, 500, r#"{"message":"internal"}"#);
    stub_respond("GET", &thread_path("broken"), 503, "{}");
    let host = mount_widget("broken");
    until("the failure", || find(&host, ".status.failed").is_some()).await;
    until("the configuration to be asked", || {
        stub_bodies("GET").iter().any(|path| path == CONFIG_PATH)
    })
    .await;
    assert_eq!(
        text(&host, ".status.failed p"),
        "The comments could not be loaded."
    );
    finish(host);
}

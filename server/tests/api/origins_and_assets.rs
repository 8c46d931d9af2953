//! Who may call the API from a browser, and how the widget's files are served.

use reqwest::{Method, StatusCode};

use crate::harness::{
    comment, error_body, fake_widget, on_both_engines, Engine, Place, TestServer,
};

async fn listed_and_own_origins_pass_and_others_are_refused_in_words(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.allowed_origins = vec!["http://blog.example".into()];
    let server = TestServer::start(config).await;
    let thread = server.url("/api/v1/threads/t/comments");
    let post_from = |origin: String, name: &str, key: &str| {
        server
            .client
            .post(&thread)
            .header("origin", origin)
            .json(&comment(name, &format!("hello from {name}"), key))
            .send()
    };

    let refused = post_from("http://evil.example".into(), "Eve", "k1")
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        refused.headers()["access-control-allow-origin"],
        "http://evil.example",
        "the widget must be able to read the refusal"
    );
    let body = error_body(refused).await;
    assert!(
        body.message.contains("http://evil.example") && body.message.contains("not allowed"),
        "{}",
        body.message
    );
    assert!(body.errors.is_empty(), "a refusal carries no data");

    let same = post_from(server.base.clone(), "Ada", "k2").await.unwrap();
    assert_eq!(same.status(), StatusCode::CREATED);
    let listed = post_from("http://blog.example".into(), "Bob", "k3")
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::CREATED);
    assert_eq!(
        listed.headers()["access-control-allow-origin"],
        "http://blog.example"
    );
    let page = server.thread("t").await;
    let authors: Vec<&str> = page.comments.iter().map(|c| c.author.as_str()).collect();
    assert_eq!(authors, vec!["Ada", "Bob"]);
    server.stop().await;
}

/// The preflight offers exactly the methods the API has: `DELETE` (a reader's own comment,
/// an unlike), and no `PUT`, which no route takes.
async fn the_preflight_offers_only_the_methods_that_exist(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.allowed_origins = vec!["http://blog.example".into()];
    let server = TestServer::start(config).await;
    let preflight = server
        .client
        .request(Method::OPTIONS, server.url("/api/v1/comments/1"))
        .header("origin", "http://blog.example")
        .header("access-control-request-method", "PATCH")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let methods = preflight.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        methods.contains("PATCH") && methods.contains("POST"),
        "{methods}"
    );
    assert!(methods.contains("DELETE"), "{methods}");
    assert!(!methods.contains("PUT"), "{methods}");
    server.stop().await;
}

async fn the_widget_is_served_typed_compressed_shared_and_cached_by_name(engine: Engine) {
    let place = Place::new(engine).await;
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .cycle()
        .take(8_000)
        .collect();
    fake_widget(place.folder(), &"/* loader */ ".repeat(200), &wasm);
    let server = TestServer::on(&place).await;
    for (path, expected) in [
        ("/", "text/html"),
        ("/embed.js", "text/javascript"),
        ("/colloquy_bg.wasm", "application/wasm"),
    ] {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(content_type.starts_with(expected), "{path}: {content_type}");
    }
    assert_eq!(server.get("/nope.js").await.status(), StatusCode::NOT_FOUND);

    let get = |path: &'static str| {
        server
            .client
            .get(server.url(path))
            .header("accept-encoding", "gzip")
            .header("origin", "http://elsewhere.example")
            .send()
    };
    let wasm_response = get("/colloquy_bg.wasm?v=abc123").await.unwrap();
    assert_eq!(wasm_response.headers()["content-type"], "application/wasm");
    assert_eq!(wasm_response.headers()["content-encoding"], "gzip");
    assert_eq!(wasm_response.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        wasm_response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let compressed = wasm_response.bytes().await.unwrap();
    assert!(
        compressed.len() < wasm.len() / 4,
        "{} bytes",
        compressed.len()
    );
    let loader = get("/embed.js").await.unwrap();
    assert_eq!(loader.headers()["cache-control"], "public, max-age=300");
    let page = get("/").await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-cache");
    server.stop().await;
}

async fn without_a_build_the_page_says_how_to_build_it(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let response = server.get("/").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("cargo xtask demo"));
    server.stop().await;
}

on_both_engines!(
    listed_and_own_origins_pass_and_others_are_refused_in_words,
    the_preflight_offers_only_the_methods_that_exist,
    the_widget_is_served_typed_compressed_shared_and_cached_by_name,
    without_a_build_the_page_says_how_to_build_it,
);

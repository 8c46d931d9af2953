//! The site owner's console over HTTP: moderation, sign-in and its limits, the admin API's
//! guards, locks, blocks, the owner's voice, deletion, settings and erasure.

use colloquy_core::model::{Comment, CreatedComment, ThreadPage};
use colloquy_server::admin::auth::hash_password;
use colloquy_server::settings::Moderation;
use colloquy_server::storage::{self, Database, DEFAULT_SITE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, Row};

use crate::harness::{comment, error_body, on_both_engines, Engine, Place, TestServer};

pub const OWNER_EMAIL: &str = "owner@blog.example";
pub const OWNER_PASSWORD: &str = "a long owner password";

/// Makes an owner of `site` on `database`, as `colloquy-server admin add` does.
pub async fn add_owner(database: &Database, site: i64, email: &str, name: &str) {
    let store = storage::open(database).await.unwrap();
    let hash = hash_password(OWNER_PASSWORD).unwrap();
    store.add_owner(site, email, name, &hash).await.unwrap();
}

/// Signs in through the API and answers the session cookie (`name=value`).
pub async fn sign_in(server: &TestServer, email: &str) -> String {
    let response = server
        .client
        .post(server.url("/api/v1/admin/session"))
        .header("origin", &server.base)
        .json(&json!({ "email": email, "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Secure"), "plain http is not https");
    cookie.split(';').next().unwrap().to_owned()
}

/// An admin request from the console's own page, signed in with `cookie`.
pub async fn admin(
    server: &TestServer,
    cookie: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = server
        .client
        .request(method, server.url(path))
        .header("cookie", cookie)
        .header("origin", &server.base);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn post_as(
    server: &TestServer,
    name: &str,
    email: &str,
    body: &str,
    key: &str,
) -> reqwest::Response {
    let mut posted = comment(name, body, key);
    posted["email"] = json!(email);
    server.post("t", posted).await
}

async fn first_time_commenters_wait_and_approved_ones_are_trusted(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.moderation = Moderation::FirstTime;
    add_owner(&place.database, DEFAULT_SITE, OWNER_EMAIL, "Olive").await;
    let server = TestServer::start(config).await;

    let held = post_as(&server, "Ada", "ada@private.example", "First words", "k1").await;
    assert_eq!(held.status(), StatusCode::ACCEPTED);
    let held: CreatedComment = held.json().await.unwrap();
    assert!(held.comment.pending);
    let page = server.thread("t").await;
    assert!(
        page.comments.is_empty() && page.total == 0,
        "nobody else sees it"
    );
    let feed = server
        .get("/api/v1/threads/t/feed.atom")
        .await
        .text()
        .await
        .unwrap();
    assert!(!feed.contains("First words"), "feeds leave it out");

    // Its author sees it with the edit token, and only with it.
    let own = |token: &'static str| {
        let url = server.url(&format!("/api/v1/comments/{}", held.comment.id));
        let client = server.client.clone();
        async move {
            client
                .get(url)
                .header("authorization", format!("Bearer {token}"))
                .send()
                .await
                .unwrap()
        }
    };
    let token: &'static str = Box::leak(held.edit_token.clone().into_boxed_str());
    let mine = own(token).await;
    assert_eq!(mine.status(), StatusCode::OK);
    let mine = mine.json::<Comment>().await.unwrap();
    assert!(mine.pending);
    // Its author gets both what readers would see and the source, to edit it.
    assert_eq!(mine.body, "First words");
    assert_eq!(
        colloquy_core::content::text_of(&mine.content),
        "First words"
    );
    assert_eq!(own("not-the-token").await.status(), StatusCode::FORBIDDEN);

    let cookie = sign_in(&server, OWNER_EMAIL).await;
    let queue: Vec<Value> = admin(
        &server,
        &cookie,
        Method::GET,
        "/api/v1/admin/comments?status=pending",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(
        queue[0]["email"], "ada@private.example",
        "owners see the address"
    );
    let approved = admin(
        &server,
        &cookie,
        Method::POST,
        &format!("/api/v1/admin/comments/{}/approve", held.comment.id),
        None,
    )
    .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let page = server.thread("t").await;
    assert_eq!(page.total, 1);
    assert!(!page.comments[0].pending);

    // Approved once: published at once from now on, by any case of the address.
    let again = post_as(&server, "Ada", " ADA@private.example", "More words", "k2").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let stranger = post_as(&server, "Bo", "bo@private.example", "Hello", "k3").await;
    assert_eq!(stranger.status(), StatusCode::ACCEPTED);
    // Approving twice finds nothing pending.
    let twice = admin(
        &server,
        &cookie,
        Method::POST,
        &format!("/api/v1/admin/comments/{}/approve", held.comment.id),
        None,
    )
    .await;
    assert_eq!(twice.status(), StatusCode::NOT_FOUND);

    // `all` holds even the trusted; `none` holds nobody (settings change at run time).
    let settings = |moderation: &str| json!({ "moderation": moderation, "posts_per_minute": 0, "edit_window_secs": 900 });
    let set = admin(
        &server,
        &cookie,
        Method::PUT,
        "/api/v1/admin/settings",
        Some(settings("all")),
    )
    .await;
    assert_eq!(set.status(), StatusCode::OK);
    let held = post_as(&server, "Ada", "ada@private.example", "Held again", "k4").await;
    assert_eq!(held.status(), StatusCode::ACCEPTED);
    admin(
        &server,
        &cookie,
        Method::PUT,
        "/api/v1/admin/settings",
        Some(settings("none")),
    )
    .await;
    let free = post_as(&server, "Cy", "cy@private.example", "Straight in", "k5").await;
    assert_eq!(free.status(), StatusCode::CREATED);
    server.stop().await;
}

/// Every admin endpoint, as (method, path, body).
fn admin_endpoints(id: i64) -> Vec<(Method, String, Option<Value>)> {
    let with = |method: Method, path: &str, body: Option<Value>| (method, path.to_owned(), body);
    vec![
        with(Method::GET, "/api/v1/admin/session", None),
        with(Method::DELETE, "/api/v1/admin/session", None),
        with(Method::GET, "/api/v1/admin/comments", None),
        with(Method::GET, &format!("/api/v1/admin/comments/{id}"), None),
        with(
            Method::PATCH,
            &format!("/api/v1/admin/comments/{id}"),
            Some(json!({ "body": "x" })),
        ),
        with(
            Method::DELETE,
            &format!("/api/v1/admin/comments/{id}"),
            None,
        ),
        with(
            Method::POST,
            &format!("/api/v1/admin/comments/{id}/approve"),
            None,
        ),
        with(
            Method::PUT,
            &format!("/api/v1/admin/comments/{id}/pin"),
            Some(json!({ "pinned": true })),
        ),
        with(
            Method::POST,
            &format!("/api/v1/admin/comments/{id}/reply"),
            Some(json!({ "body": "x" })),
        ),
        with(Method::GET, "/api/v1/admin/threads", None),
        with(
            Method::PUT,
            "/api/v1/admin/threads/t/lock",
            Some(json!({ "locked": true })),
        ),
        with(Method::GET, "/api/v1/admin/blocks", None),
        with(
            Method::POST,
            "/api/v1/admin/blocks",
            Some(json!({ "comment_id": id })),
        ),
        with(Method::DELETE, "/api/v1/admin/blocks/1", None),
        with(Method::GET, "/api/v1/admin/settings", None),
        with(
            Method::PUT,
            "/api/v1/admin/settings",
            Some(json!({ "moderation": "none", "posts_per_minute": 0, "edit_window_secs": 1 })),
        ),
        with(Method::GET, "/api/v1/admin/audit", None),
        with(Method::GET, "/api/v1/admin/deliveries", None),
        with(
            Method::GET,
            "/api/v1/admin/people?email=ada@private.example",
            None,
        ),
        with(
            Method::POST,
            "/api/v1/admin/people/erase",
            Some(json!({ "email": "ada@private.example" })),
        ),
    ]
}

async fn admin_endpoints_need_a_session_and_the_servers_own_pages(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.moderation = Moderation::All;
    config.allowed_origins = vec!["http://blog.example".into()];
    add_owner(&place.database, DEFAULT_SITE, OWNER_EMAIL, "Olive").await;
    let server = TestServer::start(config).await;
    let held: CreatedComment = post_as(&server, "Ada", "ada@private.example", "Wait", "k1")
        .await
        .json()
        .await
        .unwrap();
    let id = held.comment.id;
    let cookie = sign_in(&server, OWNER_EMAIL).await;
    for (method, path, body) in admin_endpoints(id) {
        // No session, no token.
        let mut request = server.client.request(method.clone(), server.url(&path));
        if let Some(body) = &body {
            request = request.json(body);
        }
        let anonymous = request.send().await.unwrap();
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert!(!error_body(anonymous).await.message.is_empty());
        // A signed-in owner's browser, but on a host page: refused before anything runs.
        let mut request = server
            .client
            .request(method.clone(), server.url(&path))
            .header("cookie", &cookie)
            .header("origin", "http://blog.example");
        if let Some(body) = &body {
            request = request.json(body);
        }
        let cross = request.send().await.unwrap();
        assert_eq!(cross.status(), StatusCode::FORBIDDEN, "{method} {path}");
        // A wrong token is no better than none.
        let wrong = server
            .client
            .request(method.clone(), server.url(&path))
            .header("authorization", "Bearer 0000")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    // A cross-site form post to the pages, with the owner's cookie: refused, nothing done.
    let form = server
        .client
        .post(server.url("/admin/act"))
        .header("cookie", &cookie)
        .header("origin", "http://blog.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("one=approve+{id}&return=.%2F"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
    // Without Origin (an old browser, a crafted request), a cookie alone acts on nothing.
    let bare = server
        .client
        .post(server.url("/api/v1/admin/comments/1/approve"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    assert!(server.thread("t").await.comments.is_empty(), "still held");

    // The pages may not be framed, and run only their own script.
    let page = server
        .client
        .get(server.url("/admin/"))
        .send()
        .await
        .unwrap();
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"));
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let text = page.text().await.unwrap();
    assert!(
        text.contains("Sign in"),
        "without a session the page asks to sign in"
    );

    // Sign out ends the session on the server: the old cookie opens nothing.
    let out = admin(
        &server,
        &cookie,
        Method::DELETE,
        "/api/v1/admin/session",
        None,
    )
    .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = admin(&server, &cookie, Method::GET, "/api/v1/admin/session", None).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}

async fn wrong_passwords_lock_the_account_and_say_so(engine: Engine) {
    let place = Place::new(engine).await;
    add_owner(&place.database, DEFAULT_SITE, OWNER_EMAIL, "Olive").await;
    let server = TestServer::on(&place).await;
    let attempt = |password: &'static str| {
        let client = server.client.clone();
        let url = server.url("/api/v1/admin/session");
        let origin = server.base.clone();
        async move {
            client
                .post(url)
                .header("origin", origin)
                .json(&json!({ "email": OWNER_EMAIL, "password": password }))
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..9 {
        let wrong = attempt("not it at all").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let tenth = attempt("not it at all").await;
    assert_eq!(tenth.status(), StatusCode::TOO_MANY_REQUESTS);
    let message = error_body(tenth).await.message;
    assert!(message.contains("locked"), "{message}");
    // Now even the right password is refused, in the same words.
    let right = attempt(OWNER_PASSWORD).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(error_body(right).await.message.contains("locked"));
    // `admin passwd` lifts the lock.
    let store = storage::open(&place.database).await.unwrap();
    store
        .set_password(OWNER_EMAIL, &hash_password(OWNER_PASSWORD).unwrap())
        .await
        .unwrap();
    assert_eq!(attempt(OWNER_PASSWORD).await.status(), StatusCode::OK);
    server.stop().await;
}

async fn locked_threads_and_blocked_authors_are_refused_in_words(engine: Engine) {
    let place = Place::new(engine).await;
    add_owner(&place.database, DEFAULT_SITE, OWNER_EMAIL, "Olive").await;
    let server = TestServer::on(&place).await;
    let cookie = sign_in(&server, OWNER_EMAIL).await;
    let first: CreatedComment = post_as(&server, "Ada", "ada@private.example", "Hi", "k1")
        .await
        .json()
        .await
        .unwrap();

    let lock = |locked: bool| {
        admin(
            &server,
            &cookie,
            Method::PUT,
            "/api/v1/admin/threads/t/lock",
            Some(json!({ "locked": locked })),
        )
    };
    assert_eq!(lock(true).await.status(), StatusCode::OK);
    assert!(server.thread("t").await.locked);
    let refused = post_as(&server, "Bo", "bo@private.example", "Late", "k2").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_body(refused).await.message,
        "Comments are closed on this page."
    );
    lock(false).await;
    assert!(!server.thread("t").await.locked);
    assert_eq!(
        post_as(&server, "Bo", "bo@private.example", "Late", "k2")
            .await
            .status(),
        StatusCode::CREATED
    );

    // Blocking the author of a comment refuses their next one (by email, and by address).
    let blocked = admin(
        &server,
        &cookie,
        Method::POST,
        "/api/v1/admin/blocks",
        Some(json!({ "comment_id": first.comment.id, "note": "spam" })),
    )
    .await;
    assert_eq!(blocked.status(), StatusCode::CREATED);
    let block_id = blocked.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let refused = post_as(&server, "Ada", "ada@private.example", "Again", "k3").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_body(refused).await.message,
        "You can no longer comment on this site."
    );
    let unblock = admin(
        &server,
        &cookie,
        Method::DELETE,
        &format!("/api/v1/admin/blocks/{block_id}"),
        None,
    )
    .await;
    assert_eq!(unblock.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        post_as(&server, "Ada", "ada@private.example", "Again", "k3")
            .await
            .status(),
        StatusCode::CREATED
    );
    // A block that ended is no block; one that names nobody is refused.
    admin(
        &server,
        &cookie,
        Method::POST,
        "/api/v1/admin/blocks",
        Some(json!({ "email": "ada@private.example", "until": "2001-01-01" })),
    )
    .await;
    assert_eq!(
        post_as(&server, "Ada", "ada@private.example", "Still here", "k4")
            .await
            .status(),
        StatusCode::CREATED
    );
    let nobody = admin(
        &server,
        &cookie,
        Method::POST,
        "/api/v1/admin/blocks",
        Some(json!({ "note": "?" })),
    )
    .await;
    assert_eq!(nobody.status(), StatusCode::BAD_REQUEST);
    server.stop().await;
}

async fn the_owner_speaks_as_the_owner_and_nobody_else_can(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.moderation = Moderation::All;
    add_owner(&place.database, DEFAULT_SITE, OWNER_EMAIL, "Olive Owner").await;
    let server = TestServer::start(config).await;
    let cookie = sign_in(&server, OWNER_EMAIL).await;

    // A reader typing the owner's name, in any case or spacing, is refused on that field.
    for name in ["Olive Owner", "olive  owner", "OLIVE-OWNER"] {
        let response = post_as(
            &server,
            name,
            "fake@private.example",
            "I am the owner",
            &format!("k-{}", name.len()),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        let body = error_body(response).await;
        assert_eq!(
            body.errors[0].code,
            colloquy_core::validation::ErrorCode::Reserved
        );
    }
    let reader: CreatedComment =
        post_as(&server, "Olive", "olive@private.example", "A reader", "k1")
            .await
            .json()
            .await
            .unwrap();
    assert!(!reader.comment.by_owner);
    admin(
        &server,
        &cookie,
        Method::POST,
        &format!("/api/v1/admin/comments/{}/approve", reader.comment.id),
        None,
    )
    .await;

    // The owner's reply from the console: published at once, with the badge.
    let reply = admin(
        &server,
        &cookie,
        Method::POST,
        &format!("/api/v1/admin/comments/{}/reply", reader.comment.id),
        Some(json!({ "body": "Thanks for reading" })),
    )
    .await;
    assert_eq!(reply.status(), StatusCode::CREATED);
    // The owner's comment from the widget on the server's own page: the same.
    let mut own = comment("anything", "From the page", "k2");
    own["email"] = json!("owner@blog.example");
    let from_page = server
        .client
        .post(server.url("/api/v1/threads/t/comments"))
        .header("cookie", &cookie)
        .header("origin", &server.base)
        .json(&own)
        .send()
        .await
        .unwrap();
    assert_eq!(from_page.status(), StatusCode::CREATED);
    let page: ThreadPage = server.thread("t").await;
    let badges: Vec<(&str, bool)> = page
        .comments
        .iter()
        .map(|c| (c.author.as_str(), c.by_owner))
        .collect();
    assert_eq!(
        badges,
        [("Olive", false), ("Olive Owner", true), ("anything", true)]
    );

    // Pinning puts a comment first for every reader.
    let pinned = admin(
        &server,
        &cookie,
        Method::PUT,
        &format!("/api/v1/admin/comments/{}/pin", reader.comment.id),
        Some(json!({ "pinned": true })),
    )
    .await;
    assert_eq!(pinned.status(), StatusCode::OK);
    assert!(server.thread("t").await.comments[0].pinned);
    server.stop().await;
}

async fn owner_edits_and_deletes_show_to_readers(engine: Engine) {
    let place = Place::new(engine).await;
    add_owner(&place.database, DEFAULT_SITE, OWNER_EMAIL, "Olive").await;
    let server = TestServer::on(&place).await;
    let cookie = sign_in(&server, OWNER_EMAIL).await;
    let parent = server.create("t", comment("Ada", "Parent", "k1")).await;
    let mut answer = comment("Bo", "Answer", "k2");
    answer["parent_id"] = json!(parent.comment.id);
    let answer = server.create("t", answer).await;
    let lone = server.create("t", comment("Cy", "Lone", "k3")).await;

    let edited = admin(
        &server,
        &cookie,
        Method::PATCH,
        &format!("/api/v1/admin/comments/{}", lone.comment.id),
        Some(json!({ "body": "Edited by the owner" })),
    )
    .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let too_long = admin(
        &server,
        &cookie,
        Method::PATCH,
        &format!("/api/v1/admin/comments/{}", lone.comment.id),
        Some(json!({ "body": "x".repeat(20_000) })),
    )
    .await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(server
        .thread("t")
        .await
        .comments
        .iter()
        .any(|c| c.text() == "Edited by the owner"));

    // Without replies a deleted comment disappears; with them it leaves a tombstone.
    for id in [lone.comment.id, parent.comment.id] {
        let deleted = admin(
            &server,
            &cookie,
            Method::DELETE,
            &format!("/api/v1/admin/comments/{id}"),
            None,
        )
        .await;
        assert_eq!(deleted.status(), StatusCode::OK);
    }
    let twice = admin(
        &server,
        &cookie,
        Method::DELETE,
        &format!("/api/v1/admin/comments/{}", lone.comment.id),
        None,
    )
    .await;
    assert_eq!(
        twice.status(),
        StatusCode::NOT_FOUND,
        "deleted once is deleted"
    );
    let page = server.thread("t").await;
    let texts: Vec<String> = page.comments.iter().map(|c| c.text()).collect();
    let shown: Vec<(i64, bool, &str, &str)> = page
        .comments
        .iter()
        .zip(&texts)
        .map(|(c, text)| (c.id, c.deleted, c.author.as_str(), text.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            (parent.comment.id, true, "", ""),
            (answer.comment.id, false, "Bo", "Answer")
        ]
    );
    assert_eq!(page.total, 1, "a tombstone is not a comment");
    // The tombstone's author can no longer edit it, nor see it.
    let gone = server
        .edit(&parent.comment.id.to_string(), &parent.edit_token, "back")
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    // Replying to a tombstone is refused like replying to nothing.
    let mut late = comment("Dee", "Late reply", "k4");
    late["parent_id"] = json!(parent.comment.id);
    assert_eq!(
        server.post("t", late).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Every action is in the audit log, newest first.
    let log: Vec<Value> = admin(&server, &cookie, Method::GET, "/api/v1/admin/audit", None)
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["delete", "delete", "edit"]);
    assert!(log.iter().all(|e| e["actor"] == OWNER_EMAIL));
    server.stop().await;
}

/// Every table's rows as text, to search for what must be gone.
async fn every_row(database: &Database) -> String {
    let mut all = String::new();
    match database {
        Database::Sqlite(path) => {
            let mut connection =
                sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                    .await
                    .unwrap();
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&mut connection)
                    .await
                    .unwrap();
            for table in tables {
                let columns: Vec<String> = sqlx::query(&format!("PRAGMA table_info({table})"))
                    .fetch_all(&mut connection)
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| row.get::<String, _>("name"))
                    .collect();
                let joined = columns
                    .iter()
                    .map(|c| format!("quote({c})"))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT {joined} FROM {table}"))
                        .fetch_all(&mut connection)
                        .await
                        .unwrap();
                all.push_str(&format!("{table}: {}\n", rows.join("\n")));
            }
        }
        Database::Postgres(url) => {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&mut connection)
            .await
            .unwrap();
            for table in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT row_to_json(t)::text FROM {table} t"))
                        .fetch_all(&mut connection)
                        .await
                        .unwrap();
                all.push_str(&format!("{table}: {}\n", rows.join("\n")));
            }
        }
    }
    all
}

async fn erasure_leaves_no_trace_of_the_address(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.moderation = Moderation::FirstTime;
    add_owner(&place.database, DEFAULT_SITE, OWNER_EMAIL, "Olive").await;
    let server = TestServer::start(config).await;
    let cookie = sign_in(&server, OWNER_EMAIL).await;
    let gone = "Leaving@Erase.example";
    let first: CreatedComment = post_as(&server, "Leaver", gone, "Mine, answered", "k1")
        .await
        .json()
        .await
        .unwrap();
    admin(
        &server,
        &cookie,
        Method::POST,
        &format!("/api/v1/admin/comments/{}/approve", first.comment.id),
        None,
    )
    .await;
    post_as(&server, "Leaver", gone, "Mine, alone", "k2").await;
    let mut answer = comment("Bo", "An answer", "k3");
    answer["parent_id"] = json!(first.comment.id);
    admin(
        &server,
        &cookie,
        Method::PUT,
        "/api/v1/admin/settings",
        Some(json!({ "moderation": "none", "posts_per_minute": 0, "edit_window_secs": 900 })),
    )
    .await;
    server.create("t", answer).await;
    admin(
        &server,
        &cookie,
        Method::POST,
        "/api/v1/admin/blocks",
        Some(json!({ "email": gone })),
    )
    .await;
    let before = every_row(&place.database).await;
    assert!(before.to_lowercase().contains(&gone.to_lowercase()));

    // Access: everything written with the address, as JSON.
    let found: Value = admin(
        &server,
        &cookie,
        Method::GET,
        "/api/v1/admin/people?email=leaving%40erase.example",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(found["comments"].as_array().unwrap().len(), 2);
    // Erasure, in one action.
    let erased = admin(
        &server,
        &cookie,
        Method::POST,
        "/api/v1/admin/people/erase",
        Some(json!({ "email": gone })),
    )
    .await;
    assert_eq!(erased.status(), StatusCode::OK);
    assert_eq!(erased.json::<Value>().await.unwrap()["comments"], 2);

    let after = every_row(&place.database).await.to_lowercase();
    let hash =
        colloquy_server::tokens::ServerSecret(secret(&place.database).await).email_hash(gone);
    for trace in [
        gone.to_lowercase(),
        hash,
        "leaver".to_owned(),
        "mine, a".to_owned(),
    ] {
        assert!(!after.contains(&trace), "{trace} is still stored:\n{after}");
    }
    let page = server.thread("t").await;
    let texts: Vec<String> = page.comments.iter().map(|c| c.text()).collect();
    let shown: Vec<(bool, &str)> = page
        .comments
        .iter()
        .zip(&texts)
        .map(|(c, text)| (c.deleted, text.as_str()))
        .collect();
    assert_eq!(
        shown,
        [(true, ""), (false, "An answer")],
        "the answered one is a tombstone"
    );
    // The address may comment again: its block went with it.
    assert_eq!(
        post_as(&server, "Back", gone, "New start", "k4")
            .await
            .status(),
        StatusCode::CREATED
    );
    server.stop().await;
}

async fn secret(database: &Database) -> [u8; 32] {
    let store = storage::open(database).await.unwrap();
    store.installation_secret().await.unwrap().0
}

/// An owner's sign-in and admin answers carry no password hash, and the session id only
/// in `Set-Cookie`.
async fn no_answer_carries_a_password_hash_or_a_session_id(engine: Engine) {
    let place = Place::new(engine).await;
    add_owner(&place.database, DEFAULT_SITE, OWNER_EMAIL, "Olive").await;
    let server = TestServer::on(&place).await;
    let cookie = sign_in(&server, OWNER_EMAIL).await;
    let session = cookie.split_once('=').unwrap().1.to_owned();
    let held = post_as(&server, "Ada", "ada@private.example", "Hi", "k1").await;
    let id = held.json::<CreatedComment>().await.unwrap().comment.id;
    for (method, path, body) in admin_endpoints(id) {
        if path.ends_with("/session") || path.ends_with("/erase") {
            continue;
        }
        let response = admin(&server, &cookie, method.clone(), &path, body).await;
        let headers = format!("{:?}", response.headers());
        let text = response.text().await.unwrap();
        for answer in [&headers, &text] {
            assert!(!answer.contains("$argon2"), "{method} {path}");
            assert!(!answer.contains(&session), "{method} {path}");
        }
    }
    for page in [
        "/admin/",
        "/admin/comments",
        "/admin/threads",
        "/admin/blocks",
        "/admin/people?email=ada%40private.example",
        "/admin/settings",
        "/admin/audit",
        &format!("/admin/comment?id={id}"),
    ] {
        let response = server
            .client
            .get(server.url(page))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        let text = response.text().await.unwrap();
        assert!(text.contains("Sign out"), "{page} is signed in");
        assert!(
            !text.contains("$argon2") && !text.contains(&session),
            "{page}"
        );
    }
    server.stop().await;
}

on_both_engines!(
    first_time_commenters_wait_and_approved_ones_are_trusted,
    admin_endpoints_need_a_session_and_the_servers_own_pages,
    wrong_passwords_lock_the_account_and_say_so,
    locked_threads_and_blocked_authors_are_refused_in_words,
    the_owner_speaks_as_the_owner_and_nobody_else_can,
    owner_edits_and_deletes_show_to_readers,
    erasure_leaves_no_trace_of_the_address,
    no_answer_carries_a_password_hash_or_a_session_id,
);

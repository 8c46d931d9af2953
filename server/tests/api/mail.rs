//! Replies reach people (issue 14), over real SMTP and real HTTP on loopback: a reader
//! opts in and confirms, hears of replies once (a burst in one email) with both
//! unsubscribe headers, and can leave with one click; an unconfirmed address hears
//! nothing but its confirmation; the owner hears of new and held comments and approves
//! from the email; nothing is lost while SMTP is down and the server restarts; webhooks
//! are signed, retried, and never hold up the email.

use colloquy_core::model::{CreatedComment, ThreadPage};
use colloquy_server::notify::sender::sign;
use colloquy_server::settings::Moderation;
use colloquy_server::storage::{self, Database};
use colloquy_server::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{comment, on_both_engines, Engine, Place, TestServer};
use crate::mail_peers::{mails_to, SmtpSink, WebhookReceiver, WAIT};

const OWNER: &str = "owner@blog.example";
/// `/post`: a path, so the emails can link to the page (the server's own, here).
const THREAD: &str = "%2Fpost";
const SECRET: &str = "the webhook secret";

fn mail_config(place: &Place, sink: &SmtpSink) -> Config {
    let mut config = place.config();
    config.smtp_url = Some(sink.url());
    config.mail_from = Some("Comments <comments@blog.example>".into());
    config.mail_burst_secs = 1;
    config.delivery_retry_secs = 1;
    config
}

/// A comment by `name` with `email`, asking for replies when `notify`.
fn by(name: &str, email: &str, body: &str, key: &str, parent: Option<i64>, notify: bool) -> Value {
    let mut posted = comment(name, body, key);
    posted["email"] = json!(email);
    posted["notify_replies"] = json!(notify);
    if let Some(parent) = parent {
        posted["parent_id"] = json!(parent);
    }
    posted
}

/// Waits until the outbox holds nothing undelivered: whatever was to be sent was sent.
async fn settled(database: &Database) {
    let store = storage::open(database).await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while store.undelivered().await.unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the outbox never emptied"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Follows an email's link as a person does: the GET shows a page with one button (and
/// changes nothing), the button's POST does it.
async fn follow(server: &TestServer, link: &str) -> (StatusCode, String) {
    let client = &server.client;
    let page = client.get(link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "{link}");
    let text = page.text().await.unwrap();
    assert!(text.contains("<form method=\"post\""), "{text}");
    let token = link.split("token=").nth(1).unwrap();
    let done = client
        .post(link.split('?').next().unwrap())
        .header("origin", &server.base)
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let status = done.status();
    (status, done.text().await.unwrap())
}

async fn a_reader_confirms_hears_of_replies_once_and_leaves_with_one_click(engine: Engine) {
    let place = Place::new(engine).await;
    let sink = SmtpSink::start();
    let server = TestServer::start(mail_config(&place, &sink)).await;
    let ann = "ann@private.example";

    let first: CreatedComment = server
        .post(
            THREAD,
            by("Ann", ann, "Tell me when someone answers", "k1", None, true),
        )
        .await
        .json()
        .await
        .unwrap();
    let confirmation = &mails_to(&sink, ann, 1).await[0];
    let link = confirmation
        .link("/email/confirm?token=")
        .expect("a confirmation link");
    assert!(link.starts_with(&server.base), "{link}");
    // The GET changes nothing: a reply now would still not be mailed.
    let (status, page) = follow(&server, &link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("confirmed"), "{page}");
    let again = server.client.get(&link).send().await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::GONE,
        "a confirmation link works once"
    );

    // A reply: one email, with both unsubscribe headers and the reply's permalink.
    let reply: CreatedComment = server
        .post(
            THREAD,
            by(
                "Ben",
                "ben@private.example",
                "An **answer**",
                "k2",
                Some(first.comment.id),
                false,
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    let mails = mails_to(&sink, ann, 2).await;
    let mail = &mails[1];
    assert!(
        mail.header("Subject").unwrap().contains("Ben"),
        "{}",
        mail.text
    );
    let unsubscribe = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let permalink = format!("{}/post#comment-{}", server.base, reply.comment.id);
    assert!(mail.text.contains(&permalink), "{}", mail.text);
    assert!(
        mail.text.contains("<strong>answer</strong>"),
        "the HTML part draws the markdown"
    );

    // A burst of replies is one email; the author's own reply is none.
    for (key, body) in [("k3", "Second answer"), ("k4", "Third answer")] {
        server
            .post(
                THREAD,
                by(
                    "Ben",
                    "ben@private.example",
                    body,
                    key,
                    Some(first.comment.id),
                    false,
                ),
            )
            .await;
    }
    server
        .post(
            THREAD,
            by(
                "Ann",
                ann,
                "Answering myself",
                "k5",
                Some(first.comment.id),
                false,
            ),
        )
        .await;
    let mails = mails_to(&sink, ann, 3).await;
    assert!(mails[2].text.contains("Second answer") && mails[2].text.contains("Third answer"));
    assert!(!mails[2].text.contains("Answering myself"));
    settled(&place.database).await;
    assert_eq!(
        sink.to(ann).len(),
        3,
        "exactly one email per burst, none for her own"
    );

    // One click in the mail program (RFC 8058) ends the conversation's emails.
    let url = unsubscribe.trim_start_matches('<').trim_end_matches('>');
    let peek = server.client.get(url).send().await.unwrap();
    assert!(
        peek.text().await.unwrap().contains("<form"),
        "a GET only asks"
    );
    let one_click = server
        .client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), StatusCode::OK);
    server
        .post(
            THREAD,
            by(
                "Ben",
                "ben@private.example",
                "Anyone there?",
                "k6",
                Some(first.comment.id),
                false,
            ),
        )
        .await;
    settled(&place.database).await;
    assert_eq!(sink.to(ann).len(), 3, "nothing after unsubscribing");
    server.stop().await;
}

async fn an_unconfirmed_address_hears_nothing_but_its_confirmation(engine: Engine) {
    let place = Place::new(engine).await;
    let sink = SmtpSink::start();
    let server = TestServer::start(mail_config(&place, &sink)).await;
    let stranger = "stranger@private.example";
    let first: CreatedComment = server
        .post(
            THREAD,
            by("Someone", stranger, "Using your address", "k1", None, true),
        )
        .await
        .json()
        .await
        .unwrap();
    server
        .post(
            THREAD,
            by("Someone", stranger, "And again", "k2", None, true),
        )
        .await;
    server
        .post(
            THREAD,
            by(
                "Ben",
                "ben@private.example",
                "A reply",
                "k3",
                Some(first.comment.id),
                false,
            ),
        )
        .await;
    settled(&place.database).await;
    let mails = sink.to(stranger);
    assert_eq!(mails.len(), 1, "one confirmation, and nothing else");
    assert!(mails[0].link("/email/confirm?token=").is_some());
    // Nobody asked for replies to Ben's comment: Ben gets nothing at all.
    assert!(sink.to("ben@private.example").is_empty());
    server.stop().await;
}

async fn the_owner_hears_of_comments_and_approves_from_the_email(engine: Engine) {
    let place = Place::new(engine).await;
    let sink = SmtpSink::start();
    let mut config = mail_config(&place, &sink);
    config.moderation = Moderation::All;
    config.notify_owner = Some(OWNER.into());
    let server = TestServer::start(config).await;
    let held: CreatedComment = server
        .post(
            THREAD,
            by(
                "Cy",
                "cy@private.example",
                "Please let me in",
                "k1",
                None,
                false,
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(held.comment.pending);
    let mail = &mails_to(&sink, OWNER, 1).await[0];
    assert!(mail
        .header("Subject")
        .unwrap()
        .contains("awaits your approval"));
    let approve = mail
        .link("/email/moderate?token=")
        .expect("an approve link");
    let page: ThreadPage = server.thread(THREAD).await;
    assert!(page.comments.is_empty(), "opening the mail changed nothing");
    let (status, _) = follow(&server, &approve).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        server.thread(THREAD).await.total,
        1,
        "approved from the email"
    );
    let used = server.client.get(&approve).send().await.unwrap();
    assert_eq!(used.status(), StatusCode::GONE, "single use");
    server.stop().await;
}

async fn nothing_is_lost_while_smtp_is_down_and_the_server_restarts(engine: Engine) {
    let place = Place::new(engine).await;
    let mut sink = SmtpSink::start();
    let config = mail_config(&place, &sink);
    sink.stop();
    let server = TestServer::start(config.clone()).await;
    server
        .post(
            THREAD,
            by(
                "Dee",
                "dee@private.example",
                "While the mail is down",
                "k1",
                None,
                true,
            ),
        )
        .await;
    // Let it try and fail at least once, then restart the server.
    let store = storage::open(&place.database).await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while store
        .deliveries(1, 10)
        .await
        .unwrap()
        .iter()
        .all(|d| d.attempts == 0)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no delivery was tried"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.stop().await;
    let server = TestServer::start(config).await;
    sink.restart();
    mails_to(&sink, "dee@private.example", 1).await;
    settled(&place.database).await;
    assert_eq!(sink.to("dee@private.example").len(), 1, "delivered once");
    server.stop().await;
}

async fn webhooks_are_signed_retried_and_never_hold_up_email(engine: Engine) {
    let place = Place::new(engine).await;
    let sink = SmtpSink::start();
    let mut receiver = WebhookReceiver::reserve().await;
    let mut config = mail_config(&place, &sink);
    config.webhooks = vec![receiver.url()];
    config.webhook_secret = Some(SECRET.into());
    let server = TestServer::start(config).await;
    // The webhook is down: the email still goes at once.
    let posted: CreatedComment = server
        .post(
            THREAD,
            by(
                "Eve",
                "eve@private.example",
                "Hello hooks",
                "k1",
                None,
                true,
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    mails_to(&sink, "eve@private.example", 1).await;
    assert!(receiver.calls().is_empty());
    receiver.start().await;
    let calls = receiver.wait_for(1).await;
    let call = &calls[0];
    let body: Value = serde_json::from_str(&call.body).unwrap();
    assert_eq!(body["event"], "created");
    assert_eq!(body["comment"]["id"], posted.comment.id);
    assert!(
        !call.body.contains("eve@private.example"),
        "no address in a webhook"
    );
    let header = |name: &str| call.headers[name].to_str().unwrap().to_owned();
    let timestamp = header("x-colloquy-timestamp");
    assert_eq!(
        header("x-colloquy-signature"),
        format!("sha256={}", sign(SECRET, &timestamp, &call.body))
    );
    let age = chrono_free_now() - timestamp.parse::<i64>().unwrap();
    assert!(
        (0..WAIT.as_secs() as i64 + 5).contains(&age),
        "timestamped now"
    );
    settled(&place.database).await;
    assert_eq!(receiver.calls().len(), 1, "each event once");
    server.stop().await;
}

fn chrono_free_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Without email, and for a site that is not there, the page says so in words.
async fn the_privacy_page_says_when_it_cannot_help(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let page = server
        .client
        .get(server.url("/privacy"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("sends no email"));
    let asked = server
        .client
        .post(server.url("/privacy"))
        .form(&[("email", "someone@private.example")])
        .send()
        .await
        .unwrap();
    assert!(asked.text().await.unwrap().contains("sends no email"));
    let nowhere = server
        .client
        .get(server.url("/privacy?site=nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
    assert!(nowhere
        .text()
        .await
        .unwrap()
        .contains("no site by that name"));
    server.stop().await;
}

on_both_engines!(
    a_reader_confirms_hears_of_replies_once_and_leaves_with_one_click,
    an_unconfirmed_address_hears_nothing_but_its_confirmation,
    the_owner_hears_of_comments_and_approves_from_the_email,
    nothing_is_lost_while_smtp_is_down_and_the_server_restarts,
    webhooks_are_signed_retried_and_never_hold_up_email,
    a_reader_sees_downloads_and_erases_their_own_comments,
    the_privacy_page_says_when_it_cannot_help,
);

async fn a_reader_sees_downloads_and_erases_their_own_comments(engine: Engine) {
    let place = Place::new(engine).await;
    let sink = SmtpSink::start();
    let server = TestServer::start(mail_config(&place, &sink)).await;
    let gone = "leaving@private.example";
    let first: CreatedComment = server
        .post(THREAD, by("Lee", gone, "Mine, answered", "k1", None, false))
        .await
        .json()
        .await
        .unwrap();
    server
        .post(THREAD, by("Lee", gone, "Mine, alone", "k2", None, false))
        .await;
    server
        .post(
            THREAD,
            by(
                "Ben",
                "ben@private.example",
                "An answer",
                "k3",
                Some(first.comment.id),
                false,
            ),
        )
        .await;

    let ask = server
        .client
        .get(server.url("/privacy"))
        .send()
        .await
        .unwrap();
    assert_eq!(ask.status(), StatusCode::OK);
    assert!(ask.text().await.unwrap().contains("name=\"email\""));
    for email in [gone, "nobody@private.example"] {
        let asked = server
            .client
            .post(server.url("/privacy"))
            .form(&[("email", email), ("site", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), StatusCode::OK);
        assert!(
            asked.text().await.unwrap().contains("on its way"),
            "the same words for both"
        );
    }
    let mail = &mails_to(&sink, gone, 1).await[0];
    let link = mail.link("/email/privacy?token=").expect("the link");
    let page = server
        .client
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("2 comments were written with this address"),
        "{page}"
    );
    let token = link.split("token=").nth(1).unwrap();
    let export: Value = server
        .client
        .get(server.url(&format!("/email/privacy/export?token={token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["comments"].as_array().unwrap().len(), 2);
    let (status, done) = follow(&server, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(done.contains("Erased: 2 comments."), "{done}");
    let shown: Vec<(bool, String)> = server
        .thread(THREAD)
        .await
        .comments
        .into_iter()
        .map(|c| (c.deleted, c.text()))
        .collect();
    assert_eq!(
        shown,
        [(true, String::new()), (false, "An answer".to_owned())]
    );
    assert_eq!(
        server.client.get(&link).send().await.unwrap().status(),
        StatusCode::GONE
    );
    settled(&place.database).await;
    assert!(
        sink.to("nobody@private.example").is_empty(),
        "a stranger's address is not mailed"
    );
    server.stop().await;
}

//! Replies reach people (issue 14), in Chromium, with a real SMTP server on loopback: a
//! reader ticks "Email me replies" in the widget on a host page; the owner, told of the
//! held comment by email, approves it from the email's link; the reader follows the
//! confirmation link and confirms; a second reader's reply, approved the same way, brings
//! exactly one email with both unsubscribe headers, whose permalink opens the host page
//! with the reply on it; and the email's unsubscribe link, followed, ends it. (Outages,
//! bursts, one-click unsubscribing and webhooks have HTTP tests in
//! `server/tests/api/mail.rs`.)

use colloquy_e2e::smtp::{Mail, SmtpSink};
use colloquy_e2e::stage::{js_string, Reader, Stage, MAIN_FORM, WAIT};
use colloquy_e2e::webdriver::Browser;

const HOST: &str = "[data-colloquy]";
const OWNER: &str = "owner@blog.example";
const ANN: &str = "ann@private.example";

/// Opens an email's `link` and presses the one button its page offers; answers what the
/// page says then.
fn follow(browser: &Browser, link: &str) -> String {
    browser.goto(link);
    browser.wait_for(
        "the link's page",
        "document.querySelector('form button') !== null",
        WAIT,
    );
    browser.click(&browser.find("form button"));
    browser
        .wait_for(
            "the page that says it is done",
            "!document.querySelector('form') && document.querySelector('[role=status]')?.textContent",
            WAIT,
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn approve_from_email(owner: &Browser, sink: &SmtpSink, count: usize) {
    let mails = sink.wait_for(OWNER, count, WAIT);
    let link = mails[count - 1]
        .link("/email/moderate?token=")
        .expect("an approve link");
    let done = follow(owner, &link);
    assert!(done.starts_with("Approved"), "{done}");
}

fn reply_email(sink: &SmtpSink, count: usize) -> Mail {
    sink.wait_for(ANN, count, WAIT).remove(count - 1)
}

#[test]
fn a_reader_opts_in_confirms_and_hears_of_a_reply() {
    let sink = SmtpSink::start();
    let stage = Stage::start_with(&[
        "--smtp-url",
        &sink.url(),
        "--mail-from",
        "Comments <comments@blog.example>",
        "--notify-owner",
        OWNER,
        "--moderation",
        "first-time",
        "--mail-burst-secs",
        "1",
    ]);
    let page = stage.site.page(
        "/post",
        stage.host_page(
            "",
            "<h1>A post</h1><div data-colloquy data-thread=\"/post\" data-title=\"A post about owls\" data-loading=\"eager\"></div>",
        ),
        None,
    );
    let ann = stage.reader();
    stage.browser.goto(&page);
    stage.wait_for_count(HOST, "No comments on “A post about owls”");

    // Ann asks for replies: the box appears once she has typed an email.
    ann.fill(
        HOST,
        MAIN_FORM,
        "Ann",
        ANN,
        "Do owls really turn their heads that far?",
    );
    let boxed = format!("{MAIN_FORM} input[name=notify_replies]");
    stage.browser.click(&ann.in_widget(HOST, &boxed));
    ann.submit(HOST, MAIN_FORM);
    ann.wait_in_root(
        HOST,
        "her held comment",
        "root.querySelector('.badge.pending') !== null",
    );

    // The owner approves it from the email that told them of it.
    let owner = Browser::start();
    approve_from_email(&owner, &sink, 1);

    // Ann confirms her address from hers.
    let confirmation = sink.wait_for(ANN, 1, WAIT).remove(0);
    assert!(
        confirmation.header("Subject").unwrap().contains("Confirm"),
        "{}",
        confirmation.text
    );
    let link = confirmation
        .link("/email/confirm?token=")
        .expect("the confirmation link");
    let done = follow(&stage.browser, &link);
    assert!(done.contains("confirmed"), "{done}");

    // Ben replies from his own browser; the owner approves that too.
    let other = Browser::start();
    let ben = Reader(&other);
    other.goto(&page);
    ben.wait_for_count(HOST, "1 comment on “A post about owls”");
    let first = ben.in_root(
        HOST,
        "Number(root.querySelector('li.comment').dataset.commentId)",
    );
    let first = first.as_i64().expect("Ann's comment");
    other.click(&ben.in_widget(HOST, &format!("li[data-comment-id='{first}'] button.reply")));
    ben.fill(
        HOST,
        "form.reply-form",
        "Ben",
        "ben@private.example",
        "Almost all the way round: 270 degrees.",
    );
    ben.submit(HOST, "form.reply-form");
    approve_from_email(&owner, &sink, 2);

    // Exactly one email tells Ann, with both unsubscribe headers and a permalink that
    // opens the page with the reply on it.
    let mail = reply_email(&sink, 2);
    assert!(
        mail.header("Subject").unwrap().contains("Ben"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("A post about owls"),
        "the page is named by its title"
    );
    assert!(mail
        .header("List-Unsubscribe")
        .is_some_and(|v| v.starts_with("<http")));
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let permalink = mail.link("#comment-").expect("a permalink");
    assert!(permalink.starts_with(&stage.site.origin), "{permalink}");
    stage.browser.goto(&permalink);
    stage.wait_for_count(HOST, "2 comments on “A post about owls”");
    ann.wait_in_root(
        HOST,
        "Ben's reply on the page the permalink opened",
        &format!(
            "[...root.querySelectorAll('li.comment')].some(li => li.textContent.includes({}))",
            js_string("270 degrees")
        ),
    );

    // The email's link to stop the conversation's emails asks, then stops them.
    let stop = mail
        .link("/email/unsubscribe?token=")
        .expect("an unsubscribe link");
    let done = follow(&stage.browser, &stop);
    assert!(done.contains("no more emails"), "{done}");
    assert_eq!(
        sink.to(ANN).len(),
        2,
        "a confirmation and one reply email, nothing else"
    );
}

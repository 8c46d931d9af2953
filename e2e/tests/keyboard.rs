//! The widget with the keyboard alone (issue 8): real key presses through WebDriver, on a
//! host page on another origin with a button before the widget and one after it. Tab
//! reaches every control in a sensible order and always shows where the focus is; Reply
//! opens with Enter or Space and takes the focus into its form, Escape closes it and gives
//! the focus back; a post made by keyboard puts the focus on the new comment and is
//! announced politely; a refused submit puts the focus on the first field at fault, whose
//! message is tied to it.
//!
//! The focus is read as a reader's assistive technology finds it: `document.activeElement`,
//! followed into shadow roots (`shadowRoot.activeElement`) down to the element itself.

use std::time::Duration;

use colloquy_e2e::catalog::{catalog, fill, words};
use colloquy_e2e::seeding::{post, Post};
use colloquy_e2e::stage::{js_string, Stage, WAIT};
use colloquy_e2e::webdriver::{Browser, Key};
use serde_json::{json, Value};

const HOST: &str = "#comments";

/// The element that has the focus, followed into shadow roots, described as the journeys
/// name it (`reply:12`, `form:email`, `reply-form:name`, `comment:13`, `#after`), with
/// whether a focus ring shows on it (a non-`none` outline of some width, or a box shadow).
const FOCUSED: &str = "(() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body || el === document.documentElement) return { what: 'body' };
  const form = el.closest('form');
  const where = form ? (form.classList.contains('reply-form') ? 'reply-form:' : 'form:') : '';
  const comment = el.closest('li.comment');
  let what;
  if (el.matches('button.reply')) what = 'reply:' + comment.dataset.commentId;
  else if (el.matches('button.like')) what = 'like:' + comment.dataset.commentId;
  else if (el.matches('button.copy-link')) what = 'copy:' + comment.dataset.commentId;
  else if (el.matches('button.toggle')) what = 'toggle:' + comment.dataset.commentId;
  else if (el.matches('a.permalink')) what = 'permalink:' + comment.dataset.commentId;
  else if (el.matches('input, textarea')) what = where + el.name;
  else if (el.matches('button.submit')) what = where + 'submit';
  else if (el.matches('button.cancel')) what = where + 'cancel';
  else if (el.matches('button.retry')) what = where + 'retry';
  else if (el.matches('a')) what = 'link:' + el.textContent.trim();
  else if (comment) what = 'comment:' + comment.dataset.commentId;
  else if (el.id && el.getRootNode() === document) what = '#' + el.id;
  else what = el.tagName.toLowerCase() + [...el.classList].map((c) => '.' + c).join('');
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = outline || (style.boxShadow && style.boxShadow !== 'none');
  return { what, ring: !!ring, outline: style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor,
           shadow: style.boxShadow, inWidget: el.getRootNode() !== document };
})()";

/// What [`FOCUSED`] says about the focus now.
fn focused(browser: &Browser) -> Value {
    browser.execute(&format!("return {FOCUSED};"), json!([]))
}

fn focused_name(browser: &Browser) -> String {
    focused(browser)["what"].as_str().unwrap_or("?").to_owned()
}

/// Waits until the focus is on the element [`FOCUSED`] names `what`.
fn wait_for_focus(browser: &Browser, what: &str, why: &str) {
    let condition = format!("{FOCUSED}.what === {}", js_string(what));
    if let Err(reason) = browser.try_wait_for(&condition, WAIT) {
        panic!(
            "{why}: the focus never reached {what} within {WAIT:?}{reason}; it is on {}",
            focused(browser)
        );
    }
}

/// How long the focus may take to move after a key press, or a form to close: it happens
/// in the same turn of the page's event loop, so this is only a deadline for a slow
/// machine, and shorter than [`WAIT`] so that one journey can report several faults.
const FOCUS_WITHIN: Duration = Duration::from_secs(10);

/// What a journey found wrong, kept so that one run names every fault, not only the
/// first.
#[derive(Default)]
struct Faults(Vec<String>);

impl Faults {
    fn check(&mut self, holds: bool, fault: String) -> bool {
        if !holds {
            self.0.push(fault);
        }
        holds
    }

    /// Waits until the focus is on what [`FOCUSED`] names `what` (or, for a `what` ending
    /// in `:`, on anything named so); notes `expectation` as a fault if it never is.
    fn wait_for_focus(&mut self, browser: &Browser, what: &str, expectation: &str) -> bool {
        let test = if what.ends_with(':') {
            format!("{FOCUSED}.what.startsWith({})", js_string(what))
        } else {
            format!("{FOCUSED}.what === {}", js_string(what))
        };
        let reached = browser.try_wait_for(&test, FOCUS_WITHIN).is_ok();
        let fault = || format!("{expectation}: the focus is on {}", focused(browser));
        let fault = if reached { String::new() } else { fault() };
        self.check(reached, fault)
    }

    /// Waits until `expression` (JS, with `root` the widget's shadow root) holds; notes
    /// `expectation` as a fault if it never does.
    fn wait_in_root(&mut self, browser: &Browser, expression: &str, expectation: &str) -> bool {
        let condition = format!(
            "(() => {{ const root = document.querySelector({host}).shadowRoot; return {expression}; }})()",
            host = js_string(HOST),
        );
        let held = browser.try_wait_for(&condition, FOCUS_WITHIN).is_ok();
        self.check(held, format!("{expectation} (not within {FOCUS_WITHIN:?})"))
    }

    fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} faults:\n- {}",
            self.0.len(),
            self.0.join("\n- ")
        );
    }
}

/// A page with a button before the widget and one after it.
fn open_page(stage: &Stage, thread: &str) {
    stage.open(
        &format!("/{thread}"),
        "",
        &format!(
            "<button id=\"before\">Before</button>\
             <div id=\"comments\" data-colloquy data-thread=\"{thread}\"></div>\
             <button id=\"after\">After</button>"
        ),
        None,
    );
}

/// Puts the focus on the button before the widget, where the journeys start tabbing.
fn start_before_the_widget(browser: &Browser) {
    browser.execute("document.getElementById('before').focus();", json!([]));
    assert_eq!(focused_name(browser), "#before");
}

/// Presses Tab until the focus is on `what`, at most `most` times.
fn tab_to(browser: &Browser, what: &str, most: usize) {
    for _ in 0..most {
        browser.tab();
        if focused_name(browser) == what {
            return;
        }
    }
    panic!(
        "{most} presses of Tab never reached {what}; the focus is on {}",
        focused(browser)
    );
}

/// Three comments (Ada, a reply to her, and Cy), in the thread's order.
fn seed_three(stage: &Stage, thread: &str) -> [i64; 3] {
    let ada = post(
        &stage.server,
        thread,
        &Post::new("Ada", "The first comment."),
    );
    let ben = post(
        &stage.server,
        thread,
        &Post::new("Ben", "A reply to Ada.").reply_to(ada),
    );
    let cy = post(&stage.server, thread, &Post::new("Cy", "Another comment."));
    [ada, ben, cy]
}

#[test]
fn tab_reaches_every_control_in_order_with_a_visible_focus() {
    let stage = Stage::start();
    let [ada, ben, cy] = seed_three(&stage, "keys");
    open_page(&stage, "keys");
    stage.wait_for_count(HOST, "3 comments");
    let browser = &stage.browser;

    // Each comment: its time (the permalink), Reply, Like, Copy link; Ada's conversation
    // also its collapse button.
    let expected: Vec<String> = [
        format!("permalink:{ada}"),
        format!("reply:{ada}"),
        format!("like:{ada}"),
        format!("copy:{ada}"),
        format!("toggle:{ada}"),
        format!("permalink:{ben}"),
        format!("reply:{ben}"),
        format!("like:{ben}"),
        format!("copy:{ben}"),
        format!("permalink:{cy}"),
        format!("reply:{cy}"),
        format!("like:{cy}"),
        format!("copy:{cy}"),
    ]
    .into_iter()
    .chain(
        [
            "form:name",
            "form:email",
            "form:website",
            "button.write",
            "button.preview",
            "form:body",
            "form:submit",
            "#after",
        ]
        .map(str::to_owned),
    )
    .collect();

    start_before_the_widget(browser);
    let mut forward = Vec::new();
    let mut no_ring = Vec::new();
    for _ in 0..expected.len() + 5 {
        browser.tab();
        let now = focused(browser);
        let what = now["what"].as_str().unwrap_or("?").to_owned();
        if now["inWidget"] == true && now["ring"] != true {
            no_ring.push(now.clone());
        }
        forward.push(what.clone());
        if what == "#after" {
            break;
        }
    }
    println!("Tab order: {}", forward.join(" → "));
    assert_eq!(
        forward, expected,
        "Tab goes through each comment's link and buttons in thread order, then the form's \
         fields (the Write / Preview switch above the comment box), then Post"
    );
    assert!(
        no_ring.is_empty(),
        "every control shows where the focus is (an outline or a box shadow); these show none: {no_ring:#?}"
    );

    // And back again with Shift+Tab, to the button before the widget.
    let mut backward = Vec::new();
    for _ in 0..expected.len() + 5 {
        browser.shift_tab();
        let what = focused_name(browser);
        backward.push(what.clone());
        if what == "#before" {
            break;
        }
    }
    let mut expected_back: Vec<String> = expected[..expected.len() - 1].to_vec();
    expected_back.reverse();
    expected_back.push("#before".to_owned());
    assert_eq!(backward, expected_back, "Shift+Tab goes back the same way");
}

#[test]
fn reply_opens_with_enter_or_space_and_escape_gives_the_focus_back() {
    let stage = Stage::start();
    let [ada, ben, _] = seed_three(&stage, "keys");
    open_page(&stage, "keys");
    stage.wait_for_count(HOST, "3 comments");
    let browser = &stage.browser;
    let mut faults = Faults::default();

    for (id, key, name) in [(ada, Key::Enter, "Enter"), (ben, Key::Space, "Space")] {
        let form = format!("li[data-comment-id='{id}'] form.reply-form");
        start_before_the_widget(browser);
        tab_to(browser, &format!("reply:{id}"), 12);
        browser.press(key);
        stage.wait_in_root(
            HOST,
            &format!("{name} on Reply to open the reply form of {id}"),
            &format!("root.querySelector(\"{form}\")"),
        );
        let inside = faults.wait_for_focus(
            browser,
            "reply-form:",
            &format!("{name} on Reply to {id} moves the focus into its reply form"),
        );
        if inside {
            println!(
                "{name} on Reply to {id}: the focus went to {}",
                focused_name(browser)
            );
        } else {
            // Into the form, to try Escape all the same: on its Cancel button, which
            // leaves no field to be checked on the way out.
            stage.in_root(
                HOST,
                &format!("root.querySelector(\"{form} button.cancel\").focus()"),
            );
        }
        browser.press(Key::Escape);
        let closed = faults.wait_in_root(
            browser,
            &format!("!root.querySelector(\"{form}\")"),
            &format!("Escape closes the reply form of {id}"),
        );
        if closed {
            faults.wait_for_focus(
                browser,
                &format!("reply:{id}"),
                &format!("Escape gives the focus back to the Reply button of {id}"),
            );
        } else {
            // Closed by its Cancel button instead, so that the next round starts clean.
            stage.in_root(
                HOST,
                &format!("root.querySelector(\"{form} button.cancel\").focus()"),
            );
            browser.press(Key::Enter);
            stage.wait_in_root(
                HOST,
                "the reply form to close by its Cancel button",
                &format!("!root.querySelector(\"{form}\")"),
            );
        }
    }
    faults.assert_none();
}

#[test]
fn a_post_made_by_keyboard_takes_the_focus_and_is_announced_politely() {
    let stage = Stage::start();
    seed_three(&stage, "keys");
    open_page(&stage, "keys");
    stage.wait_for_count(HOST, "3 comments");
    let browser = &stage.browser;
    let mut faults = Faults::default();

    start_before_the_widget(browser);
    tab_to(browser, "form:name", 30);
    browser.type_keys("Kay Board");
    browser.tab();
    assert_eq!(focused_name(browser), "form:email");
    browser.type_keys("kay@private.example");
    // Past the website field and the Write / Preview switch.
    tab_to(browser, "form:body", 4);
    browser.type_keys("Posted without a mouse.");
    // With an email typed, the "Email me replies" box is next, then the button.
    browser.tab();
    assert_eq!(focused_name(browser), "form:notify_replies");
    assert_eq!(
        focused(browser)["ring"],
        json!(true),
        "the box shows its focus"
    );
    browser.tab();
    assert_eq!(focused_name(browser), "form:submit");
    // The live regions before the post: screen readers announce changes to a region that
    // is already in the page, not a region that arrives with its words.
    stage.in_root(
        HOST,
        "(window.__regionsBefore = [...root.querySelectorAll('[aria-live], [role=status], [role=alert], [role=log]')]).length",
    );
    browser.press(Key::Enter);
    stage.wait_for_count(HOST, "4 comments");
    let new_id = stage.wait_in_root(
        HOST,
        "the new comment",
        "[...root.querySelectorAll('li.comment')].find((li) =>
           li.querySelector('.body').textContent.trim() === 'Posted without a mouse.')?.dataset.commentId",
    );
    let new_id = new_id.as_str().expect("a comment id").to_owned();
    faults.wait_for_focus(
        browser,
        &format!("comment:{new_id}"),
        "the new comment takes the focus once posted",
    );

    // A polite region says it was posted (the catalog's words, or the comment's author).
    let posted = words(&catalog("en"), "widget.posted");
    let announced = format!(
        "[...root.querySelectorAll('[aria-live], [role=status], [role=log]')].filter((region) => {{
           const live = region.getAttribute('aria-live');
           const polite = live ? live === 'polite' : region.matches('[role=status], [role=log]');
           const text = region.textContent.trim();
           return polite && text && (text.includes({posted}) || text.includes('Kay Board'));
         }}).map((region) => [region.outerHTML, window.__regionsBefore.includes(region)])",
        posted = js_string(&posted),
    );
    let announcing = faults.wait_in_root(
        browser,
        &format!("({announced}).length > 0"),
        "a polite live region (aria-live=polite or role=status) announces the post",
    );
    if announcing {
        let regions = stage.in_root(HOST, &announced);
        println!("announced in: {regions}");
        let regions = regions.as_array().cloned().unwrap_or_default();
        faults.check(
            regions.iter().any(|region| region[1] == true),
            format!(
                "the announcement is made in a live region that was in the page before the post \
                 (a region inserted together with its words is not reliably read out): {}",
                Value::Array(regions.clone())
            ),
        );
    }
    faults.assert_none();
}

#[test]
fn a_refused_submit_focuses_the_first_field_at_fault_with_its_message_tied_to_it() {
    let stage = Stage::start();
    open_page(&stage, "keys-refused");
    stage.wait_for_count(HOST, "No comments");
    let browser = &stage.browser;
    let english = catalog("en");

    start_before_the_widget(browser);
    tab_to(browser, "form:name", 5);
    browser.type_keys("Kay Board");
    tab_to(browser, "form:submit", 7);
    browser.press(Key::Enter);
    wait_for_focus(
        browser,
        "form:email",
        "a refused submit puts the focus on the first field at fault",
    );

    // Each field at fault says so, and names the element holding its message.
    let fields = stage.in_root(
        HOST,
        "[...root.querySelectorAll('form.comment-form:not(.reply-form) input:not([tabindex=\"-1\"]), form.comment-form:not(.reply-form) textarea')]
           .map((field) => [field.name, field.getAttribute('aria-invalid'),
             (field.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
               .map((id) => field.getRootNode().getElementById(id)?.textContent.trim() ?? ('no element #' + id))])",
    );
    println!("fields after the refused submit: {fields}");
    let fields = fields.as_array().expect("the form's fields").clone();
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f[0] == name)
            .unwrap_or_else(|| panic!("no {name} field in {fields:?}"))
            .clone()
    };
    for (name, label) in [("email", "fields.email"), ("body", "fields.body")] {
        let message = fill(
            &words(&english, "errors.required"),
            &[("field", &words(&english, label))],
        );
        let shown = field(name);
        assert_eq!(shown[1], "true", "{name} is marked aria-invalid: {shown}");
        assert!(
            shown[2]
                .as_array()
                .is_some_and(|texts| texts.iter().any(|t| t == message.as_str())),
            "{name}'s aria-describedby names an element reading {message:?}: {shown}"
        );
    }
    for name in ["name", "website"] {
        let shown = field(name);
        assert_ne!(shown[1], "true", "{name} is not at fault: {shown}");
    }
    // Nothing reached the server.
    assert_eq!(stage.total("keys-refused"), 0);
}

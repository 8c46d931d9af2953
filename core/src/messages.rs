//! The one message catalog. The widget takes every visible string from [`Messages`]; the
//! server words its error answers from [`ApiMessages`] and its field errors from the same
//! `field_error` the widget uses, so a reader sees the same words for the same fault
//! whichever side found it.
//!
//! English is the only language so far: [`for_lang`] answers every tag with [`ENGLISH`].
//! A new language will be one more `Messages` value and a line in [`for_lang`].

use crate::rules::FormRules;
use crate::thread_key::ThreadKeyError;
use crate::validation::{ErrorCode, Field};

pub struct Messages {
    /// The BCP 47 tag of this catalog.
    pub lang: &'static str,
    pub loading: &'static str,
    pub empty: &'static str,
    pub load_failed: &'static str,
    pub origin_refused: &'static str,
    pub retry: &'static str,
    pub leave_comment: &'static str,
    pub name_label: &'static str,
    pub email_label: &'static str,
    pub email_note: &'static str,
    pub website_label: &'static str,
    pub body_label: &'static str,
    pub body_hint: &'static str,
    /// Read out by screen readers for the star that marks a required field.
    pub required: &'static str,
    pub submit: &'static str,
    pub submitting: &'static str,
    pub reply: &'static str,
    pub cancel: &'static str,
    pub fix_fields: &'static str,
    pub network_failed: &'static str,
    pub server_failed: &'static str,
    pub rejected: &'static str,
    pub posted: &'static str,
    pub comment_count: fn(u64) -> String,
    /// After a 429: when to try again.
    pub too_many_requests: fn(u64) -> String,
    /// The label of the field people never see (only screen readers that ignore
    /// `aria-hidden` might): it tells them to leave it alone.
    pub honeypot_label: &'static str,
    /// The count with the thread's title, when the page gives one.
    pub comment_count_on: fn(u64, &str) -> String,
    pub reply_heading: fn(&str) -> String,
    pub reply_to: fn(&str) -> String,
    pub field_error: fn(Field, ErrorCode, &FormRules) -> String,
    /// Read out (politely, never moving the focus) when a comment by someone else arrives
    /// while the reader is on the page.
    pub new_comment_by: fn(&str) -> String,
    /// Read out instead when several have arrived together.
    pub new_comments: fn(u64) -> String,
    /// Shown, and logged, when the thread cannot be loaded and no Colloquy server answered
    /// at the base URL: names the URL that was tried.
    pub no_server_at: fn(&str) -> String,
    /// Something in front of the server (a proxy's error page, say) refused a post.
    pub server_answered: fn(u16) -> String,
}

pub static ENGLISH: Messages = Messages {
    lang: "en",
    loading: "Loading comments…",
    empty: "No comments yet. Be the first to comment.",
    load_failed: "The comments could not be loaded.",
    origin_refused: "This site is not allowed to use this comment server.",
    retry: "Try again",
    leave_comment: "Leave a comment",
    name_label: "Name",
    email_label: "Email",
    email_note: "Never published; only the site owner can see it.",
    website_label: "Website",
    body_label: "Comment",
    body_hint:
        "Markdown works: *emphasis*, **strong**, `code`, [links](https://example.org) and > quotes.",
    required: "required",
    submit: "Post comment",
    submitting: "Posting…",
    reply: "Reply",
    cancel: "Cancel",
    fix_fields: "Please correct the marked fields.",
    network_failed:
        "Your comment could not be sent: the connection failed. Your text is kept; try again.",
    server_failed:
        "The comment server had a problem and nothing was saved. Your text is kept; try again.",
    rejected: "The comment server refused this comment.",
    posted: "Your comment was posted.",
    comment_count: english_comment_count,
    too_many_requests: english_too_many_requests_kept,
    honeypot_label: "Leave this field empty",
    comment_count_on: english_comment_count_on,
    reply_heading: english_reply_heading,
    reply_to: english_reply_to,
    field_error: english_field_error,
    new_comment_by: english_new_comment_by,
    new_comments: english_new_comments,
    no_server_at: english_no_server_at,
    server_answered: english_server_answered,
};

fn english_new_comment_by(author: &str) -> String {
    format!("New comment by {author}")
}

fn english_new_comments(count: u64) -> String {
    format!("{count} new comments")
}

fn english_no_server_at(url: &str) -> String {
    format!("No Colloquy comment server answered at {url}.")
}

fn english_server_answered(status: u16) -> String {
    format!("The comment server answered {status}.")
}

/// The catalog for a language tag such as `en-GB`. Only English exists yet, so every tag
/// gets [`ENGLISH`] (and the widget's words say `lang="en"`); the tag still chooses how
/// the widget writes dates.
pub fn for_lang(_lang: &str) -> &'static Messages {
    &ENGLISH
}

/// The server's own sentences: what its error answers say. They live apart from
/// [`Messages`] because the widget never needs them (it shows the `message` an answer
/// carries), so its wasm does not carry them either.
pub struct ApiMessages {
    pub bad_query: &'static str,
    pub bad_sort: &'static str,
    pub bad_comment_id: &'static str,
    pub bad_event_id: &'static str,
    pub too_many_readers: &'static str,
    pub bad_json: fn(&str) -> String,
    pub body_too_large: &'static str,
    pub not_json: &'static str,
    pub thread_key_not_text: &'static str,
    pub thread_key: fn(ThreadKeyError) -> String,
    pub no_such_endpoint: &'static str,
    pub no_such_comment: &'static str,
    pub wrong_edit_token: &'static str,
    pub edit_window_closed: &'static str,
    pub duplicate: &'static str,
    pub too_many_requests: fn(u64) -> String,
    pub fields_need_attention: &'static str,
    pub origin_refused: fn(&str) -> String,
    pub internal: &'static str,
    /// A thread's feed, named after the thread (its title in quotes, or its key).
    pub feed_of_thread: fn(&str) -> String,
    /// The feed of every thread's recent comments.
    pub feed_of_recent: &'static str,
    /// One comment in a feed: its author on its thread.
    pub feed_entry: fn(&str, &str) -> String,
}

pub static API_ENGLISH: ApiMessages = ApiMessages {
    bad_query: "The query string could not be read.",
    bad_sort: "sort must be one of oldest, newest or top.",
    bad_comment_id: "The comment id must be a whole number.",
    bad_event_id: "after (or Last-Event-ID) must be an event id: a whole number from 0.",
    too_many_readers: "This comment server follows as many live threads as it can; the page still works, reload it to see new comments.",
    bad_json: english_bad_json,
    body_too_large: "The request body is too large.",
    not_json: "Send the comment as JSON with Content-Type: application/json.",
    thread_key_not_text: "The thread key is not valid UTF-8 text.",
    thread_key: english_thread_key,
    no_such_endpoint: "There is no such API endpoint.",
    no_such_comment: "There is no comment with this id.",
    wrong_edit_token: "This edit token does not belong to this comment.",
    edit_window_closed: "The edit window of this comment has closed.",
    duplicate: "This comment was already posted here a few minutes ago.",
    too_many_requests: english_too_many_requests,
    fields_need_attention: "Some fields need attention.",
    origin_refused: english_origin_refused,
    internal: "The comment server had a problem; nothing was changed. Please try again.",
    feed_of_thread: english_feed_of_thread,
    feed_of_recent: "Recent comments",
    feed_entry: english_feed_entry,
};

fn english_feed_of_thread(thread: &str) -> String {
    format!("Comments on {thread}")
}

fn english_feed_entry(author: &str, thread: &str) -> String {
    format!("{author} on {thread}")
}

fn english_bad_json(detail: &str) -> String {
    format!("The request body is not valid JSON for this endpoint: {detail}")
}

fn english_thread_key(error: ThreadKeyError) -> String {
    match error {
        ThreadKeyError::Empty => "The thread key is empty.".to_owned(),
        ThreadKeyError::TooLong => format!(
            "The thread key is longer than {} characters.",
            crate::thread_key::MAX_THREAD_KEY_LEN
        ),
        ThreadKeyError::InvalidCharacter => {
            "The thread key may only contain letters, digits and - . _ ~ / : @ ! $ & ' ( ) * + , ; = %"
                .to_owned()
        }
    }
}

fn english_too_many_requests(seconds: u64) -> String {
    let unit = if seconds == 1 { "second" } else { "seconds" };
    format!("You are posting too quickly. Try again in {seconds} {unit}.")
}

fn english_origin_refused(origin: &str) -> String {
    format!("This site ({origin}) is not allowed to use this comment server.")
}

fn english_comment_count(count: u64) -> String {
    match count {
        0 => "No comments".to_owned(),
        1 => "1 comment".to_owned(),
        n => format!("{n} comments"),
    }
}

fn english_too_many_requests_kept(seconds: u64) -> String {
    let unit = if seconds == 1 { "second" } else { "seconds" };
    format!("You are posting too quickly. Try again in {seconds} {unit}; your text is kept.")
}

fn english_comment_count_on(count: u64, title: &str) -> String {
    format!("{} on “{title}”", english_comment_count(count))
}

fn english_reply_heading(author: &str) -> String {
    format!("Reply to {author}")
}

fn english_reply_to(author: &str) -> String {
    format!("Reply to {author}")
}

fn english_field_error(field: Field, code: ErrorCode, rules: &FormRules) -> String {
    let label = match field {
        Field::Name => "Name",
        Field::Email => "Email",
        Field::Website => "Website",
        Field::Body => "Comment",
        Field::ParentId => "The comment you reply to",
        Field::IdempotencyKey => "The submission key",
    };
    let max = match field {
        Field::Name => rules.name.max_len,
        Field::Email => rules.email.max_len,
        Field::Website => rules.website.max_len,
        _ => rules.body.max_len,
    };
    match code {
        ErrorCode::Required => format!("{label} is required."),
        ErrorCode::TooLong => format!("{label} must be at most {max} characters."),
        ErrorCode::InvalidEmail => "Enter an email address like name@example.org.".to_owned(),
        ErrorCode::InvalidUrl => {
            "Enter a web address starting with https:// or http://.".to_owned()
        }
        ErrorCode::InvalidCharacters => {
            format!("{label} cannot contain line breaks or control characters.")
        }
        ErrorCode::UnknownParent => "The comment you are replying to no longer exists.".to_owned(),
        ErrorCode::InvalidKey => {
            "The submission key must be 1 to 64 letters, digits, '-' or '_'.".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_zero_singular_and_plural_forms() {
        assert_eq!((ENGLISH.comment_count)(0), "No comments");
        assert_eq!((ENGLISH.comment_count)(1), "1 comment");
        assert_eq!((ENGLISH.comment_count)(7), "7 comments");
        assert_eq!(
            (ENGLISH.comment_count_on)(1, "Hello"),
            "1 comment on “Hello”"
        );
    }

    #[test]
    fn length_errors_name_the_site_owners_limit() {
        let mut rules = FormRules::default();
        rules.website.max_len = 99;
        let text = (ENGLISH.field_error)(Field::Website, ErrorCode::TooLong, &rules);
        assert_eq!(text, "Website must be at most 99 characters.");
    }

    #[test]
    fn server_sentences_fill_in_their_details() {
        assert_eq!(
            (API_ENGLISH.too_many_requests)(1),
            "You are posting too quickly. Try again in 1 second."
        );
        assert!((API_ENGLISH.origin_refused)("https://a.example").contains("https://a.example"));
        assert!((API_ENGLISH.thread_key)(ThreadKeyError::TooLong).contains("256"));
    }
}

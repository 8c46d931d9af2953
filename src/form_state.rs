//! The comment form as a reducer. What the reader typed lives here and is only ever
//! replaced by the reader: no failure, rejection or retry clears it. Only a post the
//! server accepted empties the comment box.
//!
//! The reducer also makes every decision the form has: whether a submit sends (see
//! [`FormAction::Submit`](crate::form_state::FormAction::Submit)), what the server's answer
//! means for each field, and what is kept as a draft. The component only shows the state,
//! and its effects carry out what the state asks for (a send, a focus).

use std::rc::Rc;

use colloquy_core::model::NewComment;
use colloquy_core::rules::FormRules;
use colloquy_core::validation::{check_field, ErrorCode, Field};
use yew::Reducible;

use crate::api::ApiError;
use crate::hooks::use_draft::Drafted;
use crate::json::{FromJson, Json, ToJson, Writer};

/// The fields the reader fills in, in the order they appear (and are focused).
pub const FORM_FIELDS: [Field; 4] = [Field::Name, Field::Email, Field::Website, Field::Body];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormValues {
    pub name: String,
    pub email: String,
    pub website: String,
    pub body: String,
    /// The "Email me replies" box: off until the reader ticks it, and only ever on while
    /// the email field holds an address (see [`FormState::notify_offered`]). Emptying the
    /// email unticks it, so a box that comes back for another address starts off again.
    /// Kept in the draft with the rest (a draft from before the box restores it off).
    pub notify_replies: bool,
}

/// A draft is stored as `{"name", "email", "website", "body", "notify_replies"}`; what is
/// missing (a draft from before the box) reads as empty or off.
impl FromJson for FormValues {
    fn from_json(json: &Json) -> Option<Self> {
        let text = |name: &str| json.get(name).text().unwrap_or_default();
        Some(FormValues {
            name: text("name"),
            email: text("email"),
            website: text("website"),
            body: text("body"),
            notify_replies: json.get("notify_replies").flag(),
        })
    }
}

impl ToJson for FormValues {
    fn to_json(&self) -> wasm_bindgen::JsValue {
        Writer::new()
            .set("name", self.name.as_str())
            .set("email", self.email.as_str())
            .set("website", self.website.as_str())
            .set("body", self.body.as_str())
            .set("notify_replies", self.notify_replies)
            .finish()
    }
}

impl FormValues {
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Name => &self.name,
            Field::Email => &self.email,
            Field::Website => &self.website,
            Field::Body => &self.body,
            Field::ParentId | Field::IdempotencyKey => "",
        }
    }

    fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Name => self.name = value,
            Field::Email => self.email = value,
            Field::Website => self.website = value,
            Field::Body => self.body = value,
            Field::ParentId | Field::IdempotencyKey => {}
        }
    }
}

/// Why a post did not go through, when it is not the reader's input. The names are the
/// API client's (and the server's) for the same answers.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No answer at all: offline, DNS, CORS, a dropped connection.
    Network,
    /// A 5xx or an answer that could not be read.
    Server,
    /// A 4xx other than field errors; the server's own sentence.
    Refused(String),
    /// Over the server's posting limit: try again in this many seconds.
    TooManyRequests(u64),
    /// A refusal that did not come from a Colloquy server (a proxy's error page, say):
    /// only its status is known.
    Status(u16),
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Network => Failure::Network,
            ApiError::Server => Failure::Server,
            ApiError::TooManyRequests(seconds) => Failure::TooManyRequests(seconds),
            ApiError::Refused(_, body) => Failure::Refused(body.message),
            // Something in front of the server (a proxy's error page, say) said no.
            ApiError::Foreign(status @ 400..=499) => Failure::Status(status),
            ApiError::Foreign(_) => Failure::Server,
            // The form puts field errors on their fields (see `FormAction::Failed`); anyone
            // else gets the server's sentences in one line.
            ApiError::Validation(errors) => Failure::Refused(
                errors
                    .iter()
                    .map(|error| error.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Submission {
    Editing,
    /// A post is under way; the form accepts no other until it is answered.
    Sending,
    Failed(Failure),
    /// Stored; `held` when the site's owner must approve it before anyone else sees it.
    Sent {
        held: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct FormState {
    pub values: FormValues,
    /// At most one error per field, in field order.
    pub errors: Vec<(Field, ErrorCode)>,
    /// Fields the reader has left at least once; only these are checked while typing.
    pub touched: Vec<Field>,
    pub submission: Submission,
    /// A problem that belongs to no visible field (a vanished parent comment), as the
    /// server worded it.
    pub notice: Option<String>,
    pub rules: FormRules,
    /// Sent with the post; kept across retries so the server can recognise them.
    pub idempotency_key: String,
    /// How many posts this reducer has decided to send. Each decision bumps it exactly
    /// once, so an effect keyed on it performs each send exactly once.
    pub sends: u32,
    /// Bumped whenever the first invalid field should take the focus: after a submit the
    /// reducer refused and after the server's field errors.
    pub focus_requests: u32,
}

#[derive(Clone, Debug)]
pub enum FormAction {
    Rules(FormRules),
    Edit(Field, String),
    Blur(Field),
    /// The reader pressed submit (or Try again). The reducer alone decides: with every field
    /// valid and no post under way it moves to `Sending` and counts a send; otherwise
    /// nothing is sent. Yew runs the reducer as the action is dispatched, so a second click
    /// that lands before the button re-renders as disabled already finds `Sending`.
    Submit,
    /// The server did not store the comment: field errors go to their fields, anything
    /// else becomes a [`Failure`]. The text stays either way.
    Failed(ApiError),
    /// The server stored the comment (`held`: for the owner's approval); the next
    /// submission gets `next_key`.
    Sent {
        next_key: String,
        held: bool,
    },
    /// The reader ticked (`true`) or unticked the "Email me replies" box. Without an
    /// email the box is not shown, and ticking it changes nothing.
    NotifyReplies(bool),
}

impl FormState {
    pub fn new(rules: FormRules, idempotency_key: String) -> Self {
        Self {
            values: FormValues::default(),
            errors: Vec::new(),
            touched: Vec::new(),
            submission: Submission::Editing,
            notice: None,
            rules,
            idempotency_key,
            sends: 0,
            focus_requests: 0,
        }
    }

    pub fn error_for(&self, field: Field) -> Option<ErrorCode> {
        self.errors
            .iter()
            .find_map(|&(f, code)| (f == field).then_some(code))
    }

    /// The field that should have the focus when the reader is asked to fix something.
    pub fn first_invalid(&self) -> Option<Field> {
        self.errors.first().map(|&(field, _)| field)
    }

    /// Whether the form offers the "Email me replies" box: while the email field holds
    /// an address (spaces alone are no address, as core's checks trim them).
    pub fn notify_offered(&self) -> bool {
        !self.values.email.trim().is_empty()
    }

    /// What to post for the values now in the form: `parent_id` names the comment replied
    /// to, `honeypot` is whatever the hidden field holds (empty for people), `page_title`
    /// names the page in the emails the server sends (see [`page_title`]; the caller
    /// reads it, so the reducer stays free of the DOM). Replies are asked for only with
    /// an email to send them to.
    pub fn new_comment(
        &self,
        parent_id: Option<i64>,
        honeypot: String,
        page_title: String,
    ) -> NewComment {
        NewComment {
            parent_id,
            name: self.values.name.clone(),
            email: self.values.email.clone(),
            website: self.values.website.clone(),
            body: self.values.body.clone(),
            idempotency_key: self.idempotency_key.clone(),
            honeypot,
            notify_replies: self.values.notify_replies && self.notify_offered(),
            page_title,
            voter: String::new(),
        }
    }

    /// Every error the current values have, in field order.
    fn check_all(&self) -> Vec<(Field, ErrorCode)> {
        FORM_FIELDS
            .iter()
            .filter_map(|&field| {
                check_field(field, self.values.get(field), &self.rules).map(|code| (field, code))
            })
            .collect()
    }

    /// The reader changed something after a post went through: the next comment begins,
    /// and the last one's confirmation goes.
    fn editing(&mut self) {
        if matches!(self.submission, Submission::Sent { .. }) {
            self.submission = Submission::Editing;
        }
    }

    fn recheck(&mut self, field: Field) {
        self.errors.retain(|&(f, _)| f != field);
        if let Some(code) = check_field(field, self.values.get(field), &self.rules) {
            self.errors.push((field, code));
            self.errors
                .sort_by_key(|(f, _)| FORM_FIELDS.iter().position(|x| x == f));
        }
    }

    pub fn apply(mut self, action: FormAction) -> Self {
        match action {
            FormAction::Rules(rules) => {
                self.rules = rules;
                for field in self.touched.clone() {
                    self.recheck(field);
                }
            }
            FormAction::Edit(field, value) => {
                self.values.set(field, value);
                if !self.notify_offered() {
                    self.values.notify_replies = false;
                }
                self.editing();
                if self.touched.contains(&field) {
                    self.recheck(field);
                }
            }
            FormAction::NotifyReplies(wanted) => {
                self.values.notify_replies = wanted && self.notify_offered();
                self.editing();
            }
            FormAction::Blur(field) => {
                if !self.touched.contains(&field) {
                    self.touched.push(field);
                }
                self.recheck(field);
            }
            FormAction::Submit => {
                if self.submission == Submission::Sending {
                    return self;
                }
                self.touched = FORM_FIELDS.to_vec();
                self.errors = self.check_all();
                self.notice = None;
                if self.errors.is_empty() {
                    self.submission = Submission::Sending;
                    self.sends += 1;
                } else {
                    self.submission = Submission::Editing;
                    self.focus_requests += 1;
                }
            }
            FormAction::Failed(ApiError::Validation(errors)) => {
                self.submission = Submission::Editing;
                self.errors = errors
                    .iter()
                    .filter(|e| FORM_FIELDS.contains(&e.field))
                    .map(|e| (e.field, e.code))
                    .collect();
                self.errors
                    .sort_by_key(|(f, _)| FORM_FIELDS.iter().position(|x| x == f));
                self.notice = errors
                    .iter()
                    .find(|e| !FORM_FIELDS.contains(&e.field))
                    .map(|e| e.message.clone());
                if !self.errors.is_empty() {
                    self.focus_requests += 1;
                }
            }
            FormAction::Failed(error) => self.submission = Submission::Failed(error.into()),
            FormAction::Sent { next_key, held } => {
                self.values.body.clear();
                self.errors.clear();
                self.touched.clear();
                self.notice = None;
                self.submission = Submission::Sent { held };
                self.idempotency_key = next_key;
            }
        }
        self
    }
}

/// The page's title as a post names it (the emails about replies name the page by it):
/// the thread's own `title` (the `title` prop, `data-title`) when it has one, else the
/// host document's `document.title`, trimmed; empty when neither says anything.
pub fn page_title(thread_title: Option<&str>, document_title: &str) -> String {
    thread_title
        .map(str::trim)
        .filter(|title| !title.is_empty())
        .unwrap_or_else(|| document_title.trim())
        .to_owned()
}

/// What outlives a reload: the values, until the server has accepted them. An empty form
/// keeps nothing, so no draft is left behind for a form never used.
///
/// The "Email me replies" box is kept with them ([`FormValues::notify_replies`]): a reader
/// whose page reloaded finds the form as they left it, the box beside the address it was
/// ticked for, and sees it before anything is sent. A draft cannot tick it without an
/// address.
impl Drafted for FormState {
    type Draft = FormValues;

    fn draft(&self) -> Option<FormValues> {
        let worth_keeping = !matches!(self.submission, Submission::Sent { .. })
            && self.values != FormValues::default();
        worth_keeping.then(|| self.values.clone())
    }

    fn restore(&mut self, draft: FormValues) {
        self.values = draft;
        self.values.notify_replies &= self.notify_offered();
    }
}

impl Reducible for FormState {
    type Action = FormAction;

    fn reduce(self: Rc<Self>, action: FormAction) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

#[cfg(test)]
mod tests {
    use colloquy_core::model::ErrorBody;
    use colloquy_core::validation::FieldError;

    use super::*;

    fn filled() -> FormState {
        [
            (Field::Name, "Ada"),
            (Field::Email, "ada@example.org"),
            (Field::Body, "Hello"),
        ]
        .into_iter()
        .fold(
            FormState::new(FormRules::default(), "k1".into()),
            |s, (f, v)| s.apply(FormAction::Edit(f, v.into())),
        )
    }

    fn field_error(field: Field, code: ErrorCode, message: &str) -> FieldError {
        FieldError {
            field,
            code,
            message: message.into(),
        }
    }

    #[test]
    fn nothing_is_checked_before_the_reader_leaves_a_field() {
        let state = FormState::new(FormRules::default(), "k".into())
            .apply(FormAction::Edit(Field::Email, "a".into()));
        assert!(state.errors.is_empty());
        let state = state.apply(FormAction::Blur(Field::Email));
        assert_eq!(state.error_for(Field::Email), Some(ErrorCode::InvalidEmail));
        // Once touched, fixing the value clears the error as the reader types.
        let state = state.apply(FormAction::Edit(Field::Email, "a@b.org".into()));
        assert_eq!(state.error_for(Field::Email), None);
    }

    #[test]
    fn an_empty_submit_marks_every_required_field_sends_nothing_and_asks_for_focus() {
        let state = FormState::new(FormRules::default(), "k".into()).apply(FormAction::Submit);
        assert_eq!(state.submission, Submission::Editing);
        assert_eq!(state.sends, 0, "no send was decided");
        let fields: Vec<Field> = state.errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec![Field::Name, Field::Email, Field::Body]);
        assert_eq!(state.focus_requests, 1);
        assert_eq!(state.first_invalid(), Some(Field::Name));
        let again = state.apply(FormAction::Submit);
        assert_eq!(
            again.focus_requests, 2,
            "each refused submit moves the focus again"
        );
    }

    #[test]
    fn a_valid_submit_decides_one_send_and_a_second_click_none() {
        let state = filled().apply(FormAction::Submit);
        assert_eq!(state.submission, Submission::Sending);
        assert_eq!(state.sends, 1);
        assert_eq!(state.focus_requests, 0);
        let again = state.clone().apply(FormAction::Submit);
        assert_eq!(
            again, state,
            "a second submit while sending changes nothing"
        );
    }

    #[test]
    fn failures_keep_the_text_and_the_key_and_a_retry_sends_again() {
        let state = filled()
            .apply(FormAction::Submit)
            .apply(FormAction::Failed(ApiError::Network));
        assert_eq!(state.submission, Submission::Failed(Failure::Network));
        assert_eq!(state.values.body, "Hello");
        assert_eq!(state.idempotency_key, "k1");
        let retried = state.apply(FormAction::Submit);
        assert_eq!(retried.submission, Submission::Sending);
        assert_eq!(retried.sends, 2);
        assert_eq!(retried.idempotency_key, "k1");
    }

    #[test]
    fn too_many_requests_says_how_long_to_wait() {
        let state = filled()
            .apply(FormAction::Submit)
            .apply(FormAction::Failed(ApiError::TooManyRequests(42)));
        assert_eq!(
            state.submission,
            Submission::Failed(Failure::TooManyRequests(42))
        );
        assert_eq!(state.values.body, "Hello");
    }

    #[test]
    fn api_errors_become_failures_of_the_same_name() {
        let refused = ErrorBody {
            message: "Comments are closed.".into(),
            errors: Vec::new(),
        };
        let cases = [
            (ApiError::Network, Failure::Network),
            (ApiError::Server, Failure::Server),
            (ApiError::TooManyRequests(7), Failure::TooManyRequests(7)),
            (ApiError::Foreign(413), Failure::Status(413)),
            (ApiError::Foreign(200), Failure::Server),
            (
                ApiError::Refused(403, refused),
                Failure::Refused("Comments are closed.".into()),
            ),
            (
                ApiError::Validation(vec![
                    field_error(Field::Body, ErrorCode::TooLong, "Too long."),
                    field_error(Field::Name, ErrorCode::Required, "Name is required."),
                ]),
                Failure::Refused("Too long. Name is required.".into()),
            ),
        ];
        for (error, failure) in cases {
            assert_eq!(Failure::from(error), failure);
        }
    }

    #[test]
    fn server_field_errors_land_on_the_fields_in_field_order() {
        let state =
            filled()
                .apply(FormAction::Submit)
                .apply(FormAction::Failed(ApiError::Validation(vec![
                    field_error(Field::Body, ErrorCode::TooLong, "long"),
                    field_error(Field::ParentId, ErrorCode::UnknownParent, "gone"),
                    field_error(Field::Name, ErrorCode::TooLong, "name"),
                ])));
        assert_eq!(state.error_for(Field::Body), Some(ErrorCode::TooLong));
        assert_eq!(state.first_invalid(), Some(Field::Name));
        assert_eq!(state.focus_requests, 1);
        assert_eq!(state.notice.as_deref(), Some("gone"));
        assert_eq!(state.values.body, "Hello");
        assert_eq!(state.submission, Submission::Editing);
    }

    #[test]
    fn an_error_on_no_visible_field_is_a_notice_without_a_focus_change() {
        let state =
            filled()
                .apply(FormAction::Submit)
                .apply(FormAction::Failed(ApiError::Validation(vec![field_error(
                    Field::ParentId,
                    ErrorCode::UnknownParent,
                    "gone",
                )])));
        assert_eq!(state.notice.as_deref(), Some("gone"));
        assert_eq!(state.first_invalid(), None);
        assert_eq!(state.focus_requests, 0);
    }

    #[test]
    fn success_clears_only_the_comment_and_renews_the_key() {
        let state = filled().apply(FormAction::Submit).apply(FormAction::Sent {
            next_key: "k2".into(),
            held: false,
        });
        assert_eq!(state.values.body, "");
        assert_eq!(state.values.name, "Ada");
        assert_eq!(state.idempotency_key, "k2");
        assert_eq!(state.submission, Submission::Sent { held: false });
    }

    #[test]
    fn a_comment_held_for_approval_is_sent_all_the_same() {
        let state = filled().apply(FormAction::Submit).apply(FormAction::Sent {
            next_key: "k2".into(),
            held: true,
        });
        assert_eq!(state.submission, Submission::Sent { held: true });
        assert_eq!(
            state.values.body, "",
            "the server has it: the box is emptied"
        );
        assert_eq!(state.draft(), None, "and no draft is kept");
        let next = state.apply(FormAction::Edit(Field::Body, "More".into()));
        assert_eq!(next.submission, Submission::Editing);
    }

    #[test]
    fn a_closed_thread_or_a_blocked_author_keeps_the_text_and_the_servers_words() {
        for message in [
            "Comments are closed on this page.",
            "You can no longer comment on this site.",
        ] {
            let state =
                filled()
                    .apply(FormAction::Submit)
                    .apply(FormAction::Failed(ApiError::Refused(
                        403,
                        ErrorBody {
                            message: message.into(),
                            errors: Vec::new(),
                        },
                    )));
            assert_eq!(
                state.submission,
                Submission::Failed(Failure::Refused(message.into()))
            );
            assert_eq!(state.values.body, "Hello");
            assert_eq!(state.idempotency_key, "k1");
            assert_eq!(state.draft().map(|d| d.body), Some("Hello".to_owned()));
        }
    }

    #[test]
    fn an_owners_name_is_refused_on_the_name_field() {
        let state =
            filled()
                .apply(FormAction::Submit)
                .apply(FormAction::Failed(ApiError::Validation(vec![field_error(
                    Field::Name,
                    ErrorCode::Reserved,
                    "Name belongs to the site's owner; choose another.",
                )])));
        assert_eq!(state.error_for(Field::Name), Some(ErrorCode::Reserved));
        assert_eq!(state.first_invalid(), Some(Field::Name));
        assert_eq!(state.values.name, "Ada");
        assert_eq!(state.values.body, "Hello");
    }

    #[test]
    fn the_post_carries_the_values_the_key_the_parent_and_the_trap() {
        let comment = filled().new_comment(Some(4), String::new(), String::new());
        assert_eq!(comment.parent_id, Some(4));
        assert_eq!(comment.name, "Ada");
        assert_eq!(comment.email, "ada@example.org");
        assert_eq!(comment.body, "Hello");
        assert_eq!(comment.idempotency_key, "k1");
        assert_eq!(comment.honeypot, "");
        assert!(!comment.notify_replies, "nobody asked for replies");
        assert_eq!(comment.page_title, "");
        let bot = filled().new_comment(None, "spam".into(), String::new());
        assert_eq!(bot.honeypot, "spam");
    }

    #[test]
    fn the_box_is_off_and_offered_only_while_the_email_holds_something() {
        let empty = FormState::new(FormRules::default(), "k".into());
        assert!(!empty.values.notify_replies);
        assert!(!empty.notify_offered());
        let named = empty.apply(FormAction::Edit(Field::Name, "Ada".into()));
        assert!(!named.notify_offered(), "a name is no address");
        let spaces = named.apply(FormAction::Edit(Field::Email, "   ".into()));
        assert!(!spaces.notify_offered(), "spaces are no address");
        let typed = spaces.apply(FormAction::Edit(Field::Email, "a".into()));
        assert!(typed.notify_offered(), "offered from the first letter");
        assert!(!typed.values.notify_replies, "and off until ticked");
        assert!(filled().notify_offered());
        assert!(!filled().values.notify_replies);
    }

    #[test]
    fn the_reader_ticks_and_unticks_the_box() {
        let ticked = filled().apply(FormAction::NotifyReplies(true));
        assert!(ticked.values.notify_replies);
        assert_eq!(ticked.values.body, "Hello", "nothing else changes");
        assert_eq!(ticked.submission, Submission::Editing);
        let unticked = ticked.apply(FormAction::NotifyReplies(false));
        assert!(!unticked.values.notify_replies);
    }

    #[test]
    fn without_an_email_the_box_cannot_be_ticked() {
        let state = FormState::new(FormRules::default(), "k".into())
            .apply(FormAction::Edit(Field::Name, "Ada".into()))
            .apply(FormAction::NotifyReplies(true));
        assert!(!state.values.notify_replies);
        assert_eq!(state.draft().map(|d| d.notify_replies), Some(false));
    }

    #[test]
    fn emptying_the_email_unticks_the_box_and_it_comes_back_off() {
        let ticked = filled().apply(FormAction::NotifyReplies(true));
        let corrected = ticked.apply(FormAction::Edit(Field::Email, "ada@example.com".into()));
        assert!(
            corrected.values.notify_replies,
            "correcting the address keeps the choice"
        );
        let emptied = corrected.apply(FormAction::Edit(Field::Email, String::new()));
        assert!(!emptied.notify_offered());
        assert!(!emptied.values.notify_replies);
        let blank = filled()
            .apply(FormAction::NotifyReplies(true))
            .apply(FormAction::Edit(Field::Email, "  ".into()));
        assert!(!blank.values.notify_replies, "spaces alone empty it too");
        let again = emptied.apply(FormAction::Edit(Field::Email, "ada@example.org".into()));
        assert!(again.notify_offered());
        assert!(
            !again.values.notify_replies,
            "a box that comes back starts off"
        );
    }

    #[test]
    fn replies_are_asked_for_only_with_an_email() {
        let ticked = filled().apply(FormAction::NotifyReplies(true));
        let comment = ticked.new_comment(None, String::new(), String::new());
        assert!(comment.notify_replies);
        assert_eq!(comment.email, "ada@example.org");
        // Even a state that says so (a draft written by hand, say) sends nothing without one.
        let mut no_email = ticked.clone();
        no_email.values.email.clear();
        assert!(no_email.values.notify_replies);
        assert!(
            !no_email
                .new_comment(None, String::new(), String::new())
                .notify_replies
        );
        let unticked = ticked.apply(FormAction::NotifyReplies(false));
        assert!(
            !unticked
                .new_comment(None, String::new(), String::new())
                .notify_replies
        );
    }

    #[test]
    fn the_box_survives_failures_and_a_sent_post_and_ticking_starts_the_next_comment() {
        let failed = filled()
            .apply(FormAction::NotifyReplies(true))
            .apply(FormAction::Submit)
            .apply(FormAction::Failed(ApiError::Network));
        assert!(failed.values.notify_replies);
        let retried = failed.apply(FormAction::Submit);
        assert!(
            retried
                .new_comment(None, String::new(), String::new())
                .notify_replies
        );
        let sent = retried.apply(FormAction::Sent {
            next_key: "k2".into(),
            held: false,
        });
        assert!(
            sent.values.notify_replies,
            "kept for the next comment, like the name and the address"
        );
        let next = sent.apply(FormAction::NotifyReplies(false));
        assert_eq!(next.submission, Submission::Editing);
        assert!(!next.values.notify_replies);
    }

    #[test]
    fn the_page_title_is_passed_through_to_the_post() {
        let comment = filled().new_comment(None, String::new(), "Notes from the garden".into());
        assert_eq!(comment.page_title, "Notes from the garden");
        let json = serde_json::to_value(&comment).unwrap();
        assert_eq!(json["page_title"], "Notes from the garden");
        assert!(
            json.get("notify_replies").is_none(),
            "an unticked box is not even sent: {json}"
        );
        let ticked = filled().apply(FormAction::NotifyReplies(true));
        let json =
            serde_json::to_value(ticked.new_comment(None, String::new(), String::new())).unwrap();
        assert_eq!(json["notify_replies"], true);
        assert!(json.get("page_title").is_none(), "no title, no key: {json}");
    }

    #[test]
    fn the_threads_title_names_the_page_else_the_documents() {
        assert_eq!(page_title(Some("  Spring  "), "Host page"), "Spring");
        assert_eq!(page_title(None, "  Host page \n"), "Host page");
        assert_eq!(
            page_title(Some("   "), "Host page"),
            "Host page",
            "a blank title is no title"
        );
        assert_eq!(page_title(Some(""), " "), "");
        assert_eq!(page_title(None, ""), "");
    }

    #[test]
    fn the_draft_keeps_the_box_but_never_without_an_address() {
        let ticked = filled().apply(FormAction::NotifyReplies(true));
        let draft = ticked.draft().unwrap();
        assert!(draft.notify_replies);
        let mut restored = FormState::new(FormRules::default(), "k".into());
        restored.restore(draft.clone());
        assert!(restored.values.notify_replies);
        let mut no_email = FormState::new(FormRules::default(), "k".into());
        no_email.restore(FormValues {
            email: " ".into(),
            ..draft
        });
        assert!(!no_email.values.notify_replies);
    }

    #[test]
    fn the_draft_is_what_was_typed_until_the_server_accepts_it() {
        let empty = FormState::new(FormRules::default(), "k".into());
        assert_eq!(empty.draft(), None, "an untouched form keeps nothing");
        let state = filled();
        assert_eq!(state.draft(), Some(state.values.clone()));
        let failed = state
            .apply(FormAction::Submit)
            .apply(FormAction::Failed(ApiError::Server));
        assert_eq!(failed.draft().map(|d| d.body), Some("Hello".to_owned()));
        let sent = failed.apply(FormAction::Submit).apply(FormAction::Sent {
            next_key: "k2".into(),
            held: false,
        });
        assert_eq!(sent.draft(), None, "an accepted post forgets its draft");
        let next = sent.apply(FormAction::Edit(Field::Body, "More".into()));
        assert_eq!(next.draft().map(|d| d.body), Some("More".to_owned()));
    }

    #[test]
    fn a_restored_draft_refills_the_form() {
        let mut state = FormState::new(FormRules::default(), "k".into());
        state.restore(filled().values);
        assert_eq!(state.values.name, "Ada");
        assert_eq!(state.values.body, "Hello");
        assert_eq!(state.submission, Submission::Editing);
    }

    #[test]
    fn stricter_rules_from_the_server_apply_to_touched_fields() {
        let mut rules = FormRules::default();
        rules.name.max_len = 2;
        let state = filled()
            .apply(FormAction::Blur(Field::Name))
            .apply(FormAction::Rules(rules));
        assert_eq!(state.error_for(Field::Name), Some(ErrorCode::TooLong));
    }
}

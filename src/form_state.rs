//! The comment form as a reducer. What the reader typed lives here and is only ever
//! replaced by the reader: no failure, rejection or retry clears it. Only a post the
//! server accepted empties the comment box.

use std::rc::Rc;

use colloquy_core::rules::FormRules;
use colloquy_core::validation::{check_field, ErrorCode, Field, FieldError};
use yew::Reducible;

/// The fields the reader fills in, in the order they appear (and are focused).
pub const FORM_FIELDS: [Field; 4] = [Field::Name, Field::Email, Field::Website, Field::Body];

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FormValues {
    pub name: String,
    pub email: String,
    pub website: String,
    pub body: String,
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

/// Why a post did not go through, when it is not the reader's input.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No answer at all: offline, DNS, CORS, a dropped connection.
    Network,
    /// A 5xx or an answer that could not be read.
    Server,
    /// A 4xx other than field errors; the server's own sentence.
    Refused(String),
    /// Over the server's posting limit: try again in this many seconds.
    TooFast(u64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Submission {
    Editing,
    Sending,
    Failed(Failure),
    Sent,
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
}

#[derive(Clone, Debug)]
pub enum FormAction {
    Rules(FormRules),
    Edit(Field, String),
    Blur(Field),
    /// The reader pressed submit: check everything; go to `Sending` when all is well.
    Attempt,
    /// The server answered 422.
    Rejected(Vec<FieldError>),
    Failed(Failure),
    /// The server stored the comment; the next submission gets `next_key`.
    Sent {
        next_key: String,
    },
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
        }
    }

    pub fn error_for(&self, field: Field) -> Option<ErrorCode> {
        self.errors
            .iter()
            .find_map(|&(f, code)| (f == field).then_some(code))
    }

    /// Every error the current values have, in field order.
    pub fn check_all(&self) -> Vec<(Field, ErrorCode)> {
        FORM_FIELDS
            .iter()
            .filter_map(|&field| {
                check_field(field, self.values.get(field), &self.rules).map(|code| (field, code))
            })
            .collect()
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
                if self.submission == Submission::Sent {
                    self.submission = Submission::Editing;
                }
                if self.touched.contains(&field) {
                    self.recheck(field);
                }
            }
            FormAction::Blur(field) => {
                if !self.touched.contains(&field) {
                    self.touched.push(field);
                }
                self.recheck(field);
            }
            FormAction::Attempt => {
                if self.submission == Submission::Sending {
                    return self;
                }
                self.touched = FORM_FIELDS.to_vec();
                self.errors = self.check_all();
                self.notice = None;
                self.submission = if self.errors.is_empty() {
                    Submission::Sending
                } else {
                    Submission::Editing
                };
            }
            FormAction::Rejected(errors) => {
                self.submission = Submission::Editing;
                self.errors = errors
                    .iter()
                    .filter(|e| FORM_FIELDS.contains(&e.field))
                    .map(|e| (e.field, e.code))
                    .collect();
                self.notice = errors
                    .iter()
                    .find(|e| !FORM_FIELDS.contains(&e.field))
                    .map(|e| e.message.clone());
            }
            FormAction::Failed(failure) => self.submission = Submission::Failed(failure),
            FormAction::Sent { next_key } => {
                self.values.body.clear();
                self.errors.clear();
                self.touched.clear();
                self.notice = None;
                self.submission = Submission::Sent;
                self.idempotency_key = next_key;
            }
        }
        self
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
    fn an_empty_submit_marks_every_required_field_and_sends_nothing() {
        let state = FormState::new(FormRules::default(), "k".into()).apply(FormAction::Attempt);
        assert_eq!(state.submission, Submission::Editing);
        let fields: Vec<Field> = state.errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec![Field::Name, Field::Email, Field::Body]);
    }

    #[test]
    fn a_valid_submit_sends_once() {
        let state = filled().apply(FormAction::Attempt);
        assert_eq!(state.submission, Submission::Sending);
        let again = state.clone().apply(FormAction::Attempt);
        assert_eq!(again, state);
    }

    #[test]
    fn failures_keep_the_text_and_the_key() {
        let state = filled()
            .apply(FormAction::Attempt)
            .apply(FormAction::Failed(Failure::Network));
        assert_eq!(state.submission, Submission::Failed(Failure::Network));
        assert_eq!(state.values.body, "Hello");
        assert_eq!(state.idempotency_key, "k1");
        let retried = state.apply(FormAction::Attempt);
        assert_eq!(retried.submission, Submission::Sending);
        assert_eq!(retried.idempotency_key, "k1");
    }

    #[test]
    fn server_field_errors_land_on_the_fields() {
        let state = filled()
            .apply(FormAction::Attempt)
            .apply(FormAction::Rejected(vec![
                FieldError {
                    field: Field::Body,
                    code: ErrorCode::TooLong,
                    message: "long".into(),
                },
                FieldError {
                    field: Field::ParentId,
                    code: ErrorCode::UnknownParent,
                    message: "gone".into(),
                },
            ]));
        assert_eq!(state.error_for(Field::Body), Some(ErrorCode::TooLong));
        assert_eq!(state.notice.as_deref(), Some("gone"));
        assert_eq!(state.values.body, "Hello");
        assert_eq!(state.submission, Submission::Editing);
    }

    #[test]
    fn success_clears_only_the_comment_and_renews_the_key() {
        let state = filled().apply(FormAction::Attempt).apply(FormAction::Sent {
            next_key: "k2".into(),
        });
        assert_eq!(state.values.body, "");
        assert_eq!(state.values.name, "Ada");
        assert_eq!(state.idempotency_key, "k2");
        assert_eq!(state.submission, Submission::Sent);
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

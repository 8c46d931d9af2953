//! JSON in and out, by hand: the browser's `JSON.parse` and `JSON.stringify` do the text,
//! and each type the widget reads or writes says here, field by field, what it takes. No
//! serde deserializer is instantiated in the widget: serde's machinery (and the float
//! formatting its error messages bring) was the largest part of the wasm after the markdown
//! parser, and `cargo xtask bench` records what leaving it out saved.
//!
//! Reading is lenient where the API allows it (an absent optional field, a `null`) and
//! strict where a value is needed (a comment without an id is no comment): a value that is
//! not what is needed makes the whole answer unreadable, which the API client reports as an
//! answer no Colloquy server gives.

use colloquy_core::content::{element, Node, Part};
use colloquy_core::messages::{CatalogSource, Messages};
use colloquy_core::model::{
    Comment, CommentEdit, CommentEvent, CreatedComment, ErrorBody, EventKind, LikeRequest,
    LikeState, NewComment, Preview, PreviewRequest, PublicConfig, ThreadPage,
};
use colloquy_core::rules::{FieldRule, FormRules};
use colloquy_core::validation::{ErrorCode, Field, FieldError};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A value from `JSON.parse`.
#[derive(Clone)]
pub struct Json(JsValue);

impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        js_sys::JSON::parse(text).ok().map(Json)
    }

    /// The member `key` of an object (`undefined` when absent, or not an object).
    pub fn get(&self, key: &str) -> Json {
        self.member(&JsValue::from_str(key))
    }

    /// The member named by the JS string `key` (`undefined` when absent, or not an object).
    fn member(&self, key: &JsValue) -> Json {
        if !self.0.is_object() {
            return Json(JsValue::UNDEFINED);
        }
        Json(Reflect::get(&self.0, key).unwrap_or(JsValue::UNDEFINED))
    }

    /// [`Json::get`] for a key written in the code, whose JS string is made once and kept:
    /// a thread's comments ask for the same dozen members hundreds of times.
    pub fn field(&self, key: &'static str) -> Json {
        thread_local! {
            static KEYS: std::cell::RefCell<Vec<(&'static str, JsValue)>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        KEYS.with(|keys| {
            let mut keys = keys.borrow_mut();
            let at = match keys.iter().position(|(known, _)| std::ptr::eq(*known, key)) {
                Some(at) => at,
                None => {
                    keys.push((key, JsValue::from_str(key)));
                    keys.len() - 1
                }
            };
            self.member(&keys[at].1)
        })
    }

    pub fn text(&self) -> Option<String> {
        self.0.as_string()
    }

    /// A whole number (JSON has no other kind of integer).
    pub fn int(&self) -> Option<i64> {
        self.0
            .as_f64()
            .filter(|n| n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0)
            .map(|n| n as i64)
    }

    /// `true` only for `true`: an absent flag is off.
    pub fn flag(&self) -> bool {
        self.0.as_bool() == Some(true)
    }

    pub fn is_absent(&self) -> bool {
        self.0.is_undefined() || self.0.is_null()
    }

    /// The items of an array; `None` for anything else.
    pub fn items(&self) -> Option<Vec<Json>> {
        Array::is_array(&self.0).then(|| Array::from(&self.0).iter().map(Json).collect())
    }

    /// An optional value: absent or `null` is `Some(None)`, a readable one `Some(Some(…))`,
    /// anything else `None`.
    fn optional<T>(&self, read: impl FnOnce(&Json) -> Option<T>) -> Option<Option<T>> {
        if self.is_absent() {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }
}

/// What can be read from parsed JSON.
pub trait FromJson: Sized {
    fn from_json(json: &Json) -> Option<Self>;
}

/// What can be written as JSON.
pub trait ToJson {
    fn to_json(&self) -> JsValue;
}

pub fn decode<T: FromJson>(text: &str) -> Option<T> {
    T::from_json(&Json::parse(text)?)
}

/// `JSON.stringify` of a value written by [`ToJson`].
pub fn stringify(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}

/// An object written member by member.
#[derive(Default)]
pub struct Writer(Object);

impl Writer {
    pub fn new() -> Writer {
        Writer::default()
    }

    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Writer {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    pub fn finish(self) -> JsValue {
        self.0.into()
    }
}

/// The `content_version` beside some content: 0 (unsaid) when absent.
fn content_version(json: &Json) -> Option<u32> {
    let version = json.get("content_version").optional(Json::int)?;
    Some(version.map_or(0, |v| v as u32))
}

fn text_or_empty(json: &Json) -> Option<String> {
    json.optional(Json::text).map(Option::unwrap_or_default)
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(json: &Json) -> Option<Self> {
        json.items()?.iter().map(T::from_json).collect()
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> JsValue {
        self.iter().map(ToJson::to_json).collect::<Array>().into()
    }
}

impl FromJson for Node {
    fn from_json(json: &Json) -> Option<Self> {
        Some(match part(json) {
            Part::Text(text) => Node::Text(text),
            Part::Node(node) => node,
            Part::Number(_) | Part::Skip => Node::Text(String::new()),
        })
    }
}

/// One value of a content tree, with the same leniency as core's serde reading.
fn part(json: &Json) -> Part {
    if let Some(text) = json.text() {
        return Part::Text(text);
    }
    if let Some(number) = json.int().and_then(|n| u64::try_from(n).ok()) {
        return Part::Number(number);
    }
    let Some(items) = json.items() else {
        return Part::Skip;
    };
    let mut items = items.iter();
    let tag = items.next().and_then(Json::text).unwrap_or_default();
    Part::Node(element(&tag, items.map(part).collect()))
}

impl FromJson for Comment {
    fn from_json(json: &Json) -> Option<Self> {
        let content = json.field("content");
        Some(Comment {
            id: json.field("id").int()?,
            parent_id: json.field("parent_id").optional(Json::int)?,
            author: text_or_empty(&json.field("author"))?,
            website: json.field("website").optional(Json::text)?,
            body: text_or_empty(&json.field("body"))?,
            content: if content.is_absent() {
                Vec::new()
            } else {
                Vec::from_json(&content)?
            },
            created_at: json.field("created_at").text()?,
            pending: json.field("pending").flag(),
            by_owner: json.field("by_owner").flag(),
            pinned: json.field("pinned").flag(),
            deleted: json.field("deleted").flag(),
            likes: json
                .get("likes")
                .optional(Json::int)?
                .map_or(0, |n| n.max(0) as u64),
            edited: json.field("edited").flag(),
            avatar: text_or_empty(&json.field("avatar"))?,
            avatar_source: String::new(),
        })
    }
}

impl FromJson for ThreadPage {
    fn from_json(json: &Json) -> Option<Self> {
        Some(ThreadPage {
            thread: json.get("thread").text()?,
            total: u64::try_from(json.get("total").int()?).ok()?,
            comments: Vec::from_json(&json.get("comments"))?,
            next: json.get("next").optional(Json::text)?,
            last_event_id: json.get("last_event_id").optional(Json::int)?.unwrap_or(0),
            locked: json.get("locked").flag(),
            content_version: content_version(json)?,
        })
    }
}

impl FromJson for CommentEvent {
    fn from_json(json: &Json) -> Option<Self> {
        let kind = match json.get("kind").text()?.as_str() {
            "created" => EventKind::Created,
            "edited" => EventKind::Edited,
            "deleted" => EventKind::Deleted,
            "liked" => EventKind::Liked,
            _ => return None,
        };
        Some(CommentEvent {
            kind,
            comment: Comment::from_json(&json.get("comment"))?,
        })
    }
}

impl FromJson for CreatedComment {
    fn from_json(json: &Json) -> Option<Self> {
        Some(CreatedComment {
            comment: Comment::from_json(&json.get("comment"))?,
            edit_token: json.get("edit_token").text()?,
        })
    }
}

impl FromJson for FieldRule {
    fn from_json(json: &Json) -> Option<Self> {
        Some(FieldRule {
            required: json.get("required").0.as_bool()?,
            max_len: usize::try_from(json.get("max_len").int()?).ok()?,
        })
    }
}

impl FromJson for PublicConfig {
    fn from_json(json: &Json) -> Option<Self> {
        let rules = json.get("rules");
        let rule = |name: &str| FieldRule::from_json(&rules.get(name));
        Some(PublicConfig {
            rules: FormRules {
                name: rule("name")?,
                email: rule("email")?,
                website: rule("website")?,
                body: rule("body")?,
            },
            edit_window_secs: u64::try_from(json.get("edit_window_secs").int()?).ok()?,
        })
    }
}

impl FromJson for ErrorBody {
    /// A field error with a field or code this build does not know is left out: the
    /// message still says what went wrong.
    fn from_json(json: &Json) -> Option<Self> {
        let errors = json.get("errors");
        let errors = if errors.is_absent() {
            Vec::new()
        } else {
            errors
                .items()?
                .iter()
                .filter_map(|error| {
                    Some(FieldError {
                        field: Field::parse(&error.get("field").text()?)?,
                        code: ErrorCode::parse(&error.get("code").text()?)?,
                        message: error.get("message").text().unwrap_or_default(),
                    })
                })
                .collect()
        };
        Some(ErrorBody {
            message: json.get("message").text()?,
            errors,
        })
    }
}

impl FromJson for Preview {
    fn from_json(json: &Json) -> Option<Self> {
        Some(Preview {
            content: Vec::from_json(&json.get("content"))?,
            content_version: content_version(json)?,
        })
    }
}

impl ToJson for NewComment {
    fn to_json(&self) -> JsValue {
        let mut object = Writer::new()
            .set(
                "parent_id",
                self.parent_id
                    .map_or(JsValue::NULL, |id| JsValue::from_f64(id as f64)),
            )
            .set("name", self.name.as_str())
            .set("email", self.email.as_str())
            .set("website", self.website.as_str())
            .set("body", self.body.as_str())
            .set("idempotency_key", self.idempotency_key.as_str());
        // Left out when empty or off, as the server writes them.
        if !self.honeypot.is_empty() {
            object = object.set("honeypot", self.honeypot.as_str());
        }
        if self.notify_replies {
            object = object.set("notify_replies", true);
        }
        if !self.page_title.is_empty() {
            object = object.set("page_title", self.page_title.as_str());
        }
        if !self.voter.is_empty() {
            object = object.set("voter", self.voter.as_str());
        }
        object.finish()
    }
}

impl ToJson for LikeRequest {
    fn to_json(&self) -> JsValue {
        Writer::new().set("voter", self.voter.as_str()).finish()
    }
}

impl ToJson for CommentEdit {
    fn to_json(&self) -> JsValue {
        Writer::new().set("body", self.body.as_str()).finish()
    }
}

impl FromJson for LikeState {
    fn from_json(json: &Json) -> Option<Self> {
        Some(LikeState {
            likes: u64::try_from(json.get("likes").int()?).ok()?,
            liked: json.get("liked").flag(),
        })
    }
}

impl ToJson for PreviewRequest {
    fn to_json(&self) -> JsValue {
        Writer::new().set("body", self.body.as_str()).finish()
    }
}

/// A catalog file, read by [`Messages::read`].
impl CatalogSource for Json {
    fn text(&self, section: &str, key: &str) -> Option<String> {
        let place = if section.is_empty() {
            self.clone()
        } else {
            self.get(section)
        };
        place.get(key).text()
    }

    fn forms(&self, section: &str, key: &str) -> Option<Vec<(String, String)>> {
        let forms = self.get(section).get(key).0;
        if !forms.is_object() || Array::is_array(&forms) {
            return None;
        }
        Object::entries(forms.unchecked_ref())
            .iter()
            .map(|entry| {
                let pair = Array::from(&entry);
                Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
            })
            .collect()
    }
}

impl FromJson for Messages {
    fn from_json(json: &Json) -> Option<Self> {
        Messages::read(json)
    }
}

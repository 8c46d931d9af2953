//! The one message catalog, in every language: each is a JSON file under `core/locales/`
//! (`en.json` is the source) read into [`Messages`]. The widget takes every visible word
//! from it, the loader its two sentences, and the server its error answers and feed titles,
//! so a reader sees the same words for the same fault whichever side found it.
//!
//! A file must hold exactly the keys of `en.json` (serde refuses unknown ones, a missing
//! one fails to parse) and, for each plural text, every category the language's CLDR rules
//! use: the test `locales` in this module checks all of them. Which category a number
//! takes, and how a number is written, is decided where the words are shown ([`Locale`]):
//! the browser's `Intl.PluralRules` and `Intl.NumberFormat` in the widget, a CLDR library
//! on the server. English is built in everywhere; the widget fetches other languages as
//! files of their own, so no reader downloads them all.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::rules::FormRules;
#[cfg(feature = "server-words")]
use crate::thread_key::{ThreadKeyError, MAX_THREAD_KEY_LEN};
use crate::validation::{ErrorCode, Field};

/// The English catalog, the source of every other.
pub const ENGLISH_JSON: &str = include_str!("../locales/en.json");

/// Every language there is a catalog for, by its tag (the file's name).
pub const LANGUAGES: &[&str] = &[
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fr", "he", "hi", "hr", "hu",
    "id", "it", "ja", "ko", "nb", "nl", "pl", "pt-BR", "pt-PT", "ro", "ru", "sk", "sr", "sv", "th",
    "tr", "uk", "vi", "zh-Hans", "zh-Hant",
];

/// The catalog for a reader's language tag (`pt-BR`, `de-AT`, `zh-TW`, `no`…): the exact
/// tag, else the one that serves its language and script or region, else `None`.
pub fn best_language(tag: &str) -> Option<&'static str> {
    let lower: String = tag
        .trim()
        .chars()
        .map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if let Some(exact) = LANGUAGES.iter().find(|l| l.to_ascii_lowercase() == lower) {
        return Some(exact);
    }
    let parts = crate::scan::pieces(&lower, b'-');
    let (language, rest) = (parts[0], &parts[1..]);
    let wanted = match language {
        "zh" if rest
            .iter()
            .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo")) =>
        {
            "zh-Hant"
        }
        "zh" => "zh-Hans",
        "pt" if rest.contains(&"pt") => "pt-PT",
        "pt" => "pt-BR",
        // Norwegian: Bokmål serves "no" and Nynorsk readers better than English.
        "no" | "nn" | "nb" => "nb",
        "iw" => "he",
        "in" => "id",
        other => other,
    };
    LANGUAGES.iter().find(|l| **l == wanted).copied()
}

/// Right to left or left to right.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    #[default]
    Ltr,
    Rtl,
}

impl Dir {
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Ltr => "ltr",
            Dir::Rtl => "rtl",
        }
    }
}

/// CLDR's plural categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PluralCategory {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl PluralCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    /// The category named by `Intl.PluralRules.select` or a CLDR library.
    pub fn parse(name: &str) -> PluralCategory {
        match name {
            "zero" => PluralCategory::Zero,
            "one" => PluralCategory::One,
            "two" => PluralCategory::Two,
            "few" => PluralCategory::Few,
            "many" => PluralCategory::Many,
            _ => PluralCategory::Other,
        }
    }
}

/// How numbers are counted and written in a language: given by whoever shows the words.
#[derive(Clone, Copy)]
pub struct Locale {
    pub plural: fn(lang: &str, n: u64) -> PluralCategory,
    pub number: fn(lang: &str, n: u64) -> String,
}

impl Default for Locale {
    /// English's rule and plain digits: what holds until a side gives its own.
    fn default() -> Self {
        Locale {
            plural: |_, n| {
                if n == 1 {
                    PluralCategory::One
                } else {
                    PluralCategory::Other
                }
            },
            number: |_, n| crate::scan::decimal(n.min(i64::MAX as u64) as i64),
        }
    }
}

impl std::fmt::Debug for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Locale")
    }
}

/// Where a catalog's entries come from when serde does not read it. The widget reads the
/// browser's parsed JSON by hand ([`Messages::read`]), which keeps serde's machinery out of
/// every reader's download; the server reads catalogs with serde.
pub trait CatalogSource {
    /// The text at `section.key`; an empty `section` is the top level.
    fn text(&self, section: &str, key: &str) -> Option<String>;
    /// The forms of the plural at `section.key`, by category (`"one"`, `"=0"`, …).
    fn forms(&self, section: &str, key: &str) -> Option<Vec<(String, String)>>;
}

/// One section's entries being read, in the order of its fields: `keys` holds their names
/// separated by spaces, so each field's reading is a call with nothing but the reader
/// (the widget's reading of its catalog shrank by half, from 4.7 KB of wasm).
struct SectionReader<'a> {
    source: &'a dyn CatalogSource,
    section: &'static str,
    keys: std::str::SplitAsciiWhitespace<'static>,
    /// Cleared by the first entry missing.
    complete: bool,
}

impl<'a> SectionReader<'a> {
    fn new(source: &'a dyn CatalogSource, section: &'static str, keys: &'static str) -> Self {
        SectionReader {
            source,
            section,
            keys: keys.split_ascii_whitespace(),
            complete: true,
        }
    }
}

/// A catalog entry read from a [`CatalogSource`].
trait Entry: Sized + Default {
    fn read(source: &dyn CatalogSource, section: &str, key: &str) -> Option<Self>;

    /// The next entry, or the empty one with `complete` cleared: a section reads every
    /// field this way and answers once at the end, so its code has no early return per
    /// field (each of which dropped every field read before it: 34 KB of the widget's
    /// wasm).
    #[inline(never)]
    fn next(reader: &mut SectionReader) -> Self {
        let key = reader.keys.next().unwrap_or_default();
        Self::read(reader.source, reader.section, key).unwrap_or_else(|| {
            reader.complete = false;
            Self::default()
        })
    }
}

// Not inlined: a section reads dozens of entries, each one call rather than a copy.
impl Entry for String {
    #[inline(never)]
    fn read(source: &dyn CatalogSource, section: &str, key: &str) -> Option<Self> {
        source.text(section, key)
    }
}

impl Entry for Plural {
    #[inline(never)]
    fn read(source: &dyn CatalogSource, section: &str, key: &str) -> Option<Self> {
        let forms = source.forms(section, key)?;
        forms
            .iter()
            .any(|(category, _)| category == "other")
            .then_some(Plural(forms))
    }
}

/// A section of the catalog: the struct as written, and its reading from a
/// [`CatalogSource`], every field by its own name, so the two cannot disagree.
macro_rules! readable_words {
    (
        $section:literal,
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* $vis:vis $field:ident: $type:ty,)*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* $vis $field: $type,)*
        }

        impl $name {
            fn read(source: &dyn CatalogSource) -> Option<Self> {
                let mut reader = SectionReader::new(
                    source,
                    $section,
                    concat!($(stringify!($field), " ",)*),
                );
                // Struct fields are evaluated in the order written: each takes its key.
                let words = $name {
                    $($field: Entry::next(&mut reader),)*
                };
                reader.complete.then_some(words)
            }
        }
    };
}

/// A text that depends on a number: one form per plural category (`"other"` always),
/// perhaps an exact form such as `"=0"`. A list rather than a map: it holds a handful of
/// forms, and the widget then carries no tree map's code.
#[derive(Clone, Default, Deserialize)]
#[serde(from = "BTreeMap<String, String>")]
pub struct Plural(pub Vec<(String, String)>);

impl From<BTreeMap<String, String>> for Plural {
    fn from(forms: BTreeMap<String, String>) -> Self {
        Plural(forms.into_iter().collect())
    }
}

/// In the order of the categories' names, however the forms were read.
impl std::fmt::Debug for Plural {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sorted: BTreeMap<&str, &str> = self
            .0
            .iter()
            .map(|(category, text)| (category.as_str(), text.as_str()))
            .collect();
        sorted.fmt(f)
    }
}

impl Plural {
    fn form(&self, category: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| name == category)
            .map(|(_, text)| text.as_str())
    }

    fn pick(&self, n: u64, category: PluralCategory) -> &str {
        // An exact form ("=0") first: found by reading the forms' numbers, not by writing n.
        let exact = self.0.iter().find(|(name, _)| {
            name.strip_prefix('=')
                .and_then(|digits| crate::scan::parse_digits(digits, 10))
                == Some(n)
        });
        exact
            .map(|(_, text)| text.as_str())
            .or_else(|| self.form(category.as_str()))
            .or_else(|| self.form("other"))
            .unwrap_or("")
    }
}

/// A language's catalog. See the module's documentation. Without the server's sections
/// (feature `server-words` off: the widget) their keys are skipped, not refused.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "server-words", serde(deny_unknown_fields))]
pub struct Messages {
    /// The BCP 47 tag of this catalog.
    pub lang: String,
    /// The language's name for itself.
    pub name: String,
    pub dir: Dir,
    pub widget: WidgetWords,
    pub fields: FieldNames,
    pub errors: ErrorWords,
    #[cfg(feature = "server-words")]
    pub api: ApiWords,
    #[cfg(feature = "server-words")]
    pub mail: MailWords,
    #[serde(skip)]
    pub locale: Locale,
}

readable_words! {
    "widget",
    /// Every word the widget (and the loader) shows.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct WidgetWords {
        pub loading: String,
        pub empty: String,
        pub load_failed: String,
        pub origin_refused: String,
        pub retry: String,
        pub leave_comment: String,
        pub name_label: String,
        pub email_label: String,
        pub email_note: String,
        pub website_label: String,
        pub body_label: String,
        pub body_hint: String,
        /// Read out by screen readers for the star that marks a required field.
        pub required: String,
        pub submit: String,
        pub submitting: String,
        pub reply: String,
        pub cancel: String,
        pub fix_fields: String,
        pub network_failed: String,
        pub server_failed: String,
        pub rejected: String,
        pub posted: String,
        /// The label of the field people never see (only screen readers that ignore
        /// `aria-hidden` might): it tells them to leave it alone.
        pub honeypot_label: String,
        comment_count: Plural,
        comment_count_on: Plural,
        too_many_requests: Plural,
        reply_heading: String,
        reply_to: String,
        new_comment_by: String,
        new_comments: Plural,
        no_server_at: String,
        server_answered: String,
        /// Beside the reader's own comment while the site's owner has not approved it.
        pub awaiting_approval: String,
        /// Said when the reader's comment was held for approval instead of published.
        pub held_for_approval: String,
        /// In place of the form on a thread the owner closed.
        pub comments_closed: String,
        /// The badge on comments by the site's owner.
        pub owner_badge: String,
        pub pinned: String,
        /// In place of a deleted comment that has replies.
        pub deleted: String,
        /// The form's box that asks for an email when someone replies.
        pub notify_replies: String,
        pub notify_note: String,
        /// The form's switch between writing and seeing the comment as it will be shown.
        pub write: String,
        pub preview: String,
        pub preview_loading: String,
        /// Said when the server could not preview; the reader's text is never touched.
        pub preview_failed: String,
        pub preview_empty: String,
        /// The heading while the thread's count is not known (loading, or failed): never
        /// "No comments" before the server said so.
        pub heading: String,
        /// In place of the form until the server's rules are known.
        pub waiting_for_server: String,
        pub show_more: String,
        pub loading_more: String,
        pub load_more_failed: String,
        more_replies: Plural,
        collapse: Plural,
        expand: Plural,
        pub copy_link: String,
        pub link_copied: String,
        link_not_copied: String,
        /// Opened from a permalink whose comment is gone (deleted, or never here).
        pub permalink_missing: String,
        pub like: String,
        likes: Plural,
        pub like_failed: String,
        pub edit: String,
        pub delete: String,
        pub save: String,
        /// Beside the time of a comment its author changed.
        pub edited: String,
        time_left: String,
        pub confirm_delete: String,
        pub edit_failed: String,
        pub delete_failed: String,
    }
}

readable_words! {
    "fields",
    /// The form's fields as errors name them.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FieldNames {
        name: String,
        email: String,
        website: String,
        body: String,
        parent_id: String,
        idempotency_key: String,
    }
}

readable_words! {
    "errors",
    /// What is wrong with a field, by error code.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ErrorWords {
        required: String,
        too_long: Plural,
        invalid_email: String,
        invalid_url: String,
        invalid_characters: String,
        unknown_parent: String,
        invalid_key: String,
        reserved: String,
        too_much_formatting: String,
    }
}

#[cfg(feature = "server-words")]
readable_words! {
    "api",
    /// The server's own sentences (its error answers and feed titles).
    #[derive(Clone, Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ApiWords {
        pub bad_query: String,
        pub bad_sort: String,
        pub bad_comment_id: String,
        pub bad_event_id: String,
        pub too_many_readers: String,
        bad_json: String,
        pub body_too_large: String,
        pub not_json: String,
        pub thread_key_not_text: String,
        thread_key_empty: String,
        thread_key_too_long: String,
        thread_key_invalid: String,
        pub no_such_endpoint: String,
        pub no_such_comment: String,
        pub wrong_edit_token: String,
        pub edit_window_closed: String,
        pub duplicate: String,
        too_many_requests: Plural,
        too_many_previews: Plural,
        pub fields_need_attention: String,
        origin_refused: String,
        pub internal: String,
        feed_of_thread: String,
        pub feed_of_recent: String,
        feed_entry: String,
        pub thread_locked: String,
        pub blocked: String,
        pub no_such_site: String,
        bad_limit: String,
        pub bad_cursor: String,
        pub cursor_other_sort: String,
        pub comment_not_in_thread: String,
        pub bad_voter: String,
        pub own_like: String,
        too_many_likes: Plural,
        counts_threads: String,
    }
}

#[cfg(feature = "server-words")]
readable_words! {
    "mail",
    /// The emails a reader receives and the pages their links lead to.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct MailWords {
        pub confirm_subject: String,
        pub confirm_intro: String,
        pub confirm_action: String,
        pub confirm_ignore: String,
        /// One reply, named by its author.
        reply_subject: String,
        reply_intro: String,
        /// Several replies (a burst), counted.
        replies_subject: Plural,
        replies_intro: Plural,
        pub view_reply: String,
        pub stop_conversation: String,
        pub stop_site: String,
        pub why: String,
        pub confirm_page_title: String,
        pub confirmed: String,
        pub unsubscribe_page_title: String,
        pub unsubscribe_question: String,
        pub unsubscribe_site_question: String,
        pub unsubscribed: String,
        pub unsubscribed_site: String,
        pub link_expired: String,
        pub confirm_button: String,
        pub stop_button: String,
        pub privacy_page_title: String,
        pub privacy_intro: String,
        pub privacy_email_label: String,
        pub privacy_send: String,
        pub privacy_sent: String,
        pub privacy_no_mail: String,
        pub privacy_subject: String,
        pub privacy_mail: String,
        pub privacy_not_you: String,
        privacy_found: Plural,
        pub privacy_download: String,
        pub privacy_erase: String,
        pub privacy_erase_note: String,
        privacy_erased: Plural,
    }
}

/// `template` with each `{name}` replaced by its value; a `{…}` naming no value stays as
/// it is. One pass: what a value brings in (a page's title holding `{count}`, say) is never
/// read as a place of its own. Scanned by characters, not searched for as texts, so the
/// widget carries no substring search.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.bytes().position(|b| b == b'{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let named = after.bytes().position(|b| b == b'}').and_then(|close| {
            let name = &after[..close];
            let value = values.iter().find(|(known, _)| *known == name)?.1;
            Some((value, close))
        });
        match named {
            Some((value, close)) => {
                text.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

impl Messages {
    /// The catalog in `source`, or `None` if an entry is missing or of the wrong kind. What
    /// serde would read, without serde (see [`CatalogSource`]); entries this build does not
    /// know are ignored.
    pub fn read(source: &dyn CatalogSource) -> Option<Messages> {
        Some(Messages {
            lang: source.text("", "lang")?,
            name: source.text("", "name")?,
            dir: match source.text("", "dir")?.as_str() {
                "ltr" => Dir::Ltr,
                "rtl" => Dir::Rtl,
                _ => return None,
            },
            widget: WidgetWords::read(source)?,
            fields: FieldNames::read(source)?,
            errors: ErrorWords::read(source)?,
            #[cfg(feature = "server-words")]
            api: ApiWords::read(source)?,
            #[cfg(feature = "server-words")]
            mail: MailWords::read(source)?,
            locale: Locale::default(),
        })
    }

    /// `template` (a catalog text) with each `{name}` replaced by its value.
    pub fn fill_in(template: &str, values: &[(&str, &str)]) -> String {
        fill(template, values)
    }

    /// The catalog with `locale`'s way of counting and writing numbers.
    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = locale;
        self
    }

    fn counted(&self, plural: &Plural, n: u64, name: &str, values: &[(&str, &str)]) -> String {
        let category = (self.locale.plural)(&self.lang, n);
        let number = (self.locale.number)(&self.lang, n);
        let mut all = vec![(name, number.as_str())];
        all.extend_from_slice(values);
        fill(plural.pick(n, category), &all)
    }

    pub fn comment_count(&self, count: u64) -> String {
        self.counted(&self.widget.comment_count, count, "count", &[])
    }

    /// The count with the thread's title, when the page gives one.
    pub fn comment_count_on(&self, count: u64, title: &str) -> String {
        let words = &self.widget.comment_count_on;
        self.counted(words, count, "count", &[("title", title)])
    }

    /// After a 429: when to try again (the text is kept).
    pub fn too_many_requests(&self, seconds: u64) -> String {
        self.counted(&self.widget.too_many_requests, seconds, "seconds", &[])
    }

    /// "Show 3 more replies" under a long conversation.
    pub fn more_replies(&self, count: u64) -> String {
        self.counted(&self.widget.more_replies, count, "count", &[])
    }

    /// The collapse button of a conversation with `count` replies.
    pub fn collapse(&self, count: u64) -> String {
        self.counted(&self.widget.collapse, count, "count", &[])
    }

    pub fn expand(&self, count: u64) -> String {
        self.counted(&self.widget.expand, count, "count", &[])
    }

    /// A comment's likes, for the like button's name.
    pub fn likes(&self, count: u64) -> String {
        self.counted(&self.widget.likes, count, "count", &[])
    }

    pub fn link_not_copied(&self, url: &str) -> String {
        fill(&self.widget.link_not_copied, &[("url", url)])
    }

    /// How long the reader may still change their comment (`time` as `m:ss`).
    pub fn time_left(&self, time: &str) -> String {
        fill(&self.widget.time_left, &[("time", time)])
    }

    pub fn reply_heading(&self, author: &str) -> String {
        fill(&self.widget.reply_heading, &[("author", author)])
    }

    pub fn reply_to(&self, author: &str) -> String {
        fill(&self.widget.reply_to, &[("author", author)])
    }

    /// Read out (politely, never moving the focus) when a comment by someone else arrives
    /// while the reader is on the page.
    pub fn new_comment_by(&self, author: &str) -> String {
        fill(&self.widget.new_comment_by, &[("author", author)])
    }

    /// Read out instead when several have arrived together.
    pub fn new_comments(&self, count: u64) -> String {
        self.counted(&self.widget.new_comments, count, "count", &[])
    }

    /// Shown, and logged, when no Colloquy server answered at the base URL.
    pub fn no_server_at(&self, url: &str) -> String {
        fill(&self.widget.no_server_at, &[("url", url)])
    }

    /// Something in front of the server (a proxy's error page, say) refused a post.
    pub fn server_answered(&self, status: u16) -> String {
        fill(
            &self.widget.server_answered,
            &[("status", &crate::scan::decimal(i64::from(status)))],
        )
    }

    /// The message for a field error, naming the field and the site owner's limit.
    pub fn field_error(&self, field: Field, code: ErrorCode, rules: &FormRules) -> String {
        let names = &self.fields;
        let label = match field {
            Field::Name => &names.name,
            Field::Email => &names.email,
            Field::Website => &names.website,
            Field::Body => &names.body,
            Field::ParentId => &names.parent_id,
            Field::IdempotencyKey => &names.idempotency_key,
        };
        let max = match field {
            Field::Name => rules.name.max_len,
            Field::Email => rules.email.max_len,
            Field::Website => rules.website.max_len,
            _ => rules.body.max_len,
        } as u64;
        let errors = &self.errors;
        let field_only = |template: &str| fill(template, &[("field", label)]);
        match code {
            ErrorCode::Required => field_only(&errors.required),
            ErrorCode::TooLong => self.counted(&errors.too_long, max, "max", &[("field", label)]),
            ErrorCode::InvalidEmail => errors.invalid_email.clone(),
            ErrorCode::InvalidUrl => errors.invalid_url.clone(),
            ErrorCode::InvalidCharacters => field_only(&errors.invalid_characters),
            ErrorCode::UnknownParent => errors.unknown_parent.clone(),
            ErrorCode::InvalidKey => errors.invalid_key.clone(),
            ErrorCode::Reserved => field_only(&errors.reserved),
            ErrorCode::TooMuchFormatting => field_only(&errors.too_much_formatting),
        }
    }
}

/// The server's own sentences: its error answers, feeds and emails. Only the server has
/// them (feature `server-words`); the widget's catalog skips those sections.
#[cfg(feature = "server-words")]
impl Messages {
    /// A reply email's subject: who replied (one reply), or how many (a burst), and where.
    pub fn reply_subject(&self, count: u64, author: &str, page: &str) -> String {
        let mail = &self.mail;
        self.one_or_counted(
            &mail.reply_subject,
            &mail.replies_subject,
            count,
            author,
            page,
        )
    }

    /// A reply email's first line.
    pub fn reply_intro(&self, count: u64, author: &str, page: &str) -> String {
        let mail = &self.mail;
        self.one_or_counted(&mail.reply_intro, &mail.replies_intro, count, author, page)
    }

    /// How many comments a reader's request found on `site`.
    pub fn privacy_found(&self, count: u64, site: &str) -> String {
        self.counted(&self.mail.privacy_found, count, "count", &[("site", site)])
    }

    /// How many a reader's request erased.
    pub fn privacy_erased(&self, count: u64) -> String {
        self.counted(&self.mail.privacy_erased, count, "count", &[])
    }

    /// The words for an email address that is not one.
    pub fn errors_invalid_email(&self) -> String {
        self.errors.invalid_email.clone()
    }

    fn one_or_counted(
        &self,
        one: &str,
        many: &Plural,
        count: u64,
        author: &str,
        page: &str,
    ) -> String {
        if count == 1 {
            fill(one, &[("author", author), ("page", page)])
        } else {
            self.counted(many, count, "count", &[("page", page)])
        }
    }

    pub fn bad_json(&self, detail: &str) -> String {
        fill(&self.api.bad_json, &[("detail", detail)])
    }

    pub fn thread_key(&self, error: ThreadKeyError) -> String {
        match error {
            ThreadKeyError::Empty => self.api.thread_key_empty.clone(),
            ThreadKeyError::TooLong => fill(
                &self.api.thread_key_too_long,
                &[("max", &MAX_THREAD_KEY_LEN.to_string())],
            ),
            ThreadKeyError::InvalidCharacter => self.api.thread_key_invalid.clone(),
        }
    }

    /// The server's answer over the posting limit.
    pub fn api_too_many_requests(&self, seconds: u64) -> String {
        self.counted(&self.api.too_many_requests, seconds, "seconds", &[])
    }

    pub fn api_too_many_previews(&self, seconds: u64) -> String {
        self.counted(&self.api.too_many_previews, seconds, "seconds", &[])
    }

    pub fn api_too_many_likes(&self, seconds: u64) -> String {
        self.counted(&self.api.too_many_likes, seconds, "seconds", &[])
    }

    pub fn bad_limit(&self, max: usize) -> String {
        fill(&self.api.bad_limit, &[("max", &max.to_string())])
    }

    pub fn counts_threads(&self, max: usize) -> String {
        fill(&self.api.counts_threads, &[("max", &max.to_string())])
    }

    pub fn origin_refused(&self, origin: &str) -> String {
        fill(&self.api.origin_refused, &[("origin", origin)])
    }

    /// A thread's feed, named after the thread (its title in quotes, or its key).
    pub fn feed_of_thread(&self, thread: &str) -> String {
        fill(&self.api.feed_of_thread, &[("thread", thread)])
    }

    /// One comment in a feed: its author on its thread.
    pub fn feed_entry(&self, author: &str, thread: &str) -> String {
        fill(
            &self.api.feed_entry,
            &[("author", author), ("thread", thread)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog source over serde_json's values, as the widget's is over the browser's.
    struct JsonSource(serde_json::Value);

    impl CatalogSource for JsonSource {
        fn text(&self, section: &str, key: &str) -> Option<String> {
            let place = if section.is_empty() {
                &self.0
            } else {
                &self.0[section]
            };
            place[key].as_str().map(str::to_owned)
        }

        fn forms(&self, section: &str, key: &str) -> Option<Vec<(String, String)>> {
            let forms = self.0[section][key].as_object()?;
            forms
                .iter()
                .map(|(category, text)| Some((category.clone(), text.as_str()?.to_owned())))
                .collect()
        }
    }

    fn catalog_json(tag: &str) -> String {
        let path = format!("{}/locales/{tag}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn places_are_filled_once_and_unknown_ones_stay() {
        let filled = Messages::fill_in(
            "{count} on {title}: {nobody} {count}{",
            &[("count", "3"), ("title", "a {count} page")],
        );
        assert_eq!(filled, "3 on a {count} page: {nobody} 3{");
        assert_eq!(Messages::fill_in("no places", &[("x", "y")]), "no places");
        assert_eq!(Messages::fill_in("{é}", &[("é", "ü")]), "ü");
    }

    #[test]
    fn reading_by_hand_gives_what_serde_gives_for_every_catalog() {
        for (tag, json) in LANGUAGES.iter().map(|tag| (*tag, catalog_json(tag))) {
            let by_serde: Messages = serde_json::from_str(&json).unwrap();
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            let by_hand = Messages::read(&JsonSource(value.clone())).expect(tag);
            assert_eq!(format!("{by_hand:?}"), format!("{by_serde:?}"), "{tag}");
            // A missing entry, or one of the wrong kind, is no catalog.
            let mut broken = value.clone();
            broken["widget"]["retry"] = serde_json::json!(7);
            assert!(Messages::read(&JsonSource(broken)).is_none());
            let mut broken = value;
            broken["errors"]["too_long"] = serde_json::json!({"one": "x"});
            assert!(
                Messages::read(&JsonSource(broken)).is_none(),
                "no other form"
            );
        }
    }

    fn english() -> Messages {
        serde_json::from_str(ENGLISH_JSON).unwrap()
    }

    #[test]
    fn one_reply_is_named_by_its_author_a_burst_is_counted() {
        let words = english();
        assert_eq!(
            words.reply_subject(1, "Ben", "Owls"),
            "Ben replied to your comment on Owls"
        );
        assert_eq!(
            words.reply_subject(3, "Ben", "Owls"),
            "3 new replies to your comment on Owls"
        );
        assert_eq!(
            words.reply_intro(2, "Ben", "Owls"),
            "2 new replies to your comment on Owls:"
        );
    }

    #[test]
    fn counts_have_zero_singular_and_plural_forms() {
        let en = english();
        assert_eq!(en.comment_count(0), "No comments");
        assert_eq!(en.comment_count(1), "1 comment");
        assert_eq!(en.comment_count(7), "7 comments");
        assert_eq!(en.comment_count_on(1, "Hello"), "1 comment on “Hello”");
        assert_eq!(
            en.api_too_many_requests(1),
            "You are posting too quickly. Try again in 1 second."
        );
    }

    #[test]
    fn length_errors_name_the_site_owners_limit() {
        let mut rules = FormRules::default();
        rules.website.max_len = 99;
        let text = english().field_error(Field::Website, ErrorCode::TooLong, &rules);
        assert_eq!(text, "Website must be at most 99 characters.");
    }

    #[test]
    fn sentences_fill_in_their_details() {
        let en = english();
        assert!(en
            .origin_refused("https://a.example")
            .contains("https://a.example"));
        assert!(en.thread_key(ThreadKeyError::TooLong).contains("256"));
        assert_eq!(en.reply_heading("Ada"), "Reply to Ada");
    }

    #[test]
    fn a_locale_decides_categories_and_digits() {
        let arabic_like = Locale {
            plural: |_, n| match n {
                0 => PluralCategory::Zero,
                1 => PluralCategory::One,
                2 => PluralCategory::Two,
                3..=10 => PluralCategory::Few,
                _ => PluralCategory::Many,
            },
            number: |_, n| format!("#{n}"),
        };
        let mut words = english();
        words.widget.comment_count = Plural(
            [
                ("two", "two: {count}"),
                ("few", "few: {count}"),
                ("other", "other"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into_iter()
            .collect(),
        );
        let words = words.with_locale(arabic_like);
        assert_eq!(words.comment_count(2), "two: #2");
        assert_eq!(words.comment_count(3), "few: #3");
        assert_eq!(
            words.comment_count(11),
            "other",
            "a missing category falls to other"
        );
    }

    #[test]
    fn reader_tags_find_their_catalog() {
        assert_eq!(best_language("de-AT"), Some("de"));
        assert_eq!(best_language("pt"), Some("pt-BR"));
        assert_eq!(best_language("pt-pt"), Some("pt-PT"));
        assert_eq!(best_language("zh-TW"), Some("zh-Hant"));
        assert_eq!(best_language("zh-CN"), Some("zh-Hans"));
        assert_eq!(best_language("no"), Some("nb"));
        assert_eq!(best_language("en_GB"), Some("en"));
        assert_eq!(best_language("tlh"), None);
    }
}

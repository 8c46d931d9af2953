//! Comment HTML (WordPress's, Disqus's) as Colloquy markdown, through `htmd`: what can be
//! said in markdown is, the rest becomes text, and nothing stays HTML.

use std::sync::OnceLock;

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::options::{BulletListMarker, Options};
use htmd::{Element, HtmlToMarkdown};

/// A WordPress comment's stored HTML as Colloquy markdown. First what WordPress does
/// when it shows a comment ([`autop`]: a blank line is a paragraph, a single newline a
/// line break, a bare URL a link), then [`html_to_markdown`].
pub fn comment_markdown(html: &str) -> String {
    html_to_markdown(&autop(html))
}

/// HTML as Colloquy markdown, by `htmd` with a few handlers of ours:
/// - links stay links (`[text](url)`; `rel`, `target`, `title` go; an empty one shows
///   its URL);
/// - smilies and emoji images (`class="wp-smiley"`, `class="emoji"`) become their alt
///   text (`:)`), other images a link to the image, named by their alt text;
/// - `<script>` and `<style>` are shown as the text they are (`<script>…</script>`),
///   iframes and embeds become a link to what they embedded;
/// - `<del>`, `<s>`, `<strike>` become `~~strikethrough~~`, `<pre>` a fenced code block;
/// - entities are decoded, paragraphs, line breaks, lists, quotes and code are kept;
/// - every other tag goes and its text stays, and text that markdown would read as markup
///   (`*`, `_`, `[`, `<tag`…) is escaped, so no HTML survives.
pub fn html_to_markdown(html: &str) -> String {
    static CONVERTER: OnceLock<HtmlToMarkdown> = OnceLock::new();
    let converter = CONVERTER.get_or_init(|| {
        HtmlToMarkdown::builder()
            .options(Options {
                bullet_list_marker: BulletListMarker::Dash,
                ul_bullet_spacing: 1,
                ol_number_spacing: 1,
                ..Options::default()
            })
            .scripting_enabled(false)
            .add_handler(vec!["a"], anchor)
            .add_handler(vec!["img"], image)
            .add_handler(vec!["script", "style"], shown_as_text)
            .add_handler(vec!["iframe", "embed", "video", "audio", "source"], embed)
            .add_handler(vec!["del", "s", "strike"], strikethrough)
            .add_handler(vec!["pre"], preformatted)
            .build()
    });
    match converter.convert(&scripts_as_text(html)) {
        Ok(markdown) => tidy(&markdown),
        Err(_) => escape_markdown(html),
    }
}

/// `<script>` and `<style>` elements escaped, so the parser reads them as the text they
/// are, in their place (the handler below catches any the tokenizer does not see).
fn scripts_as_text(html: &str) -> std::borrow::Cow<'_, str> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<script") && !lower.contains("<style") {
        return html.into();
    }
    let mut out = String::with_capacity(html.len() + 64);
    for token in tokens(html) {
        match token {
            Token::Verbatim { raw, name } if name == "script" || name == "style" => {
                out.push_str(
                    &raw.replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;"),
                );
            }
            Token::Text(raw) | Token::Tag { raw, .. } | Token::Verbatim { raw, .. } => {
                out.push_str(raw)
            }
        }
    }
    out.into()
}

/// Blank lines made empty, at most one in a row, no hard break left at the end of a
/// paragraph; fenced code is left alone.
fn tidy(markdown: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for line in markdown.trim_matches('\n').lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        if in_fence {
            lines.push(line);
            continue;
        }
        if line.trim().is_empty() {
            if lines.last().is_some_and(|last| !last.is_empty()) {
                if let Some(last) = lines.last_mut() {
                    *last = last.trim_end();
                }
                lines.push("");
            }
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|last| last.trim().is_empty()) {
        lines.pop();
    }
    if let Some(last) = lines.last_mut() {
        *last = last.trim_end();
    }
    lines.join("\n")
}

fn attribute<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|attribute| &*attribute.name.local == name)
        .map(|attribute| attribute.value.trim())
}

fn anchor(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let text = content.trim();
    match attribute(&element, "href").filter(|href| !href.is_empty()) {
        Some(href) if text.is_empty() => Some(markdown_link(href, href).into()),
        Some(href) => {
            // Spaces inside the element go outside the brackets.
            let before = if content.starts_with(char::is_whitespace) {
                " "
            } else {
                ""
            };
            let after = if content.ends_with(char::is_whitespace) {
                " "
            } else {
                ""
            };
            let target = &markdown_link("", href)[2..];
            Some(format!("{before}[{text}]{target}{after}").into())
        }
        None => Some(content.into()),
    }
}

fn image(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let alt = attribute(&element, "alt").unwrap_or_default();
    let src = attribute(&element, "src").unwrap_or_default();
    let is_smiley = attribute(&element, "class")
        .unwrap_or_default()
        .split_ascii_whitespace()
        .any(|class| class == "wp-smiley" || class == "emoji");
    let markdown = if is_smiley || src.is_empty() {
        escape_markdown(alt)
    } else {
        markdown_link(if alt.is_empty() { src } else { alt }, src)
    };
    Some(markdown.into())
}

fn shown_as_text(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let inner = handlers.walk_children(element.node).content;
    let mut text = format!("\\<{}", element.tag);
    for attribute in element.attrs {
        text.push(' ');
        text.push_str(&escape_markdown(&attribute.name.local));
        text.push_str("=\"");
        text.push_str(&escape_markdown(&attribute.value));
        text.push('"');
    }
    text.push('>');
    text.push_str(inner.trim());
    text.push_str("\\</");
    text.push_str(element.tag);
    text.push('>');
    Some(text.into())
}

fn embed(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    match attribute(&element, "src").filter(|src| !src.is_empty()) {
        Some(src) => Some(markdown_link(src, src).into()),
        None => Some(handlers.walk_children(element.node)),
    }
}

/// `<pre>` is a code block, with or without a `<code>` inside.
fn preformatted(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let content = content.trim_matches('\n');
    if content.is_empty() {
        return None;
    }
    if content.starts_with("```") {
        // `<pre><code>`: already a fenced block.
        return Some(format!("\n\n{content}\n\n").into());
    }
    let longest_run = content
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(3.max(longest_run + 1));
    Some(format!("\n\n{fence}\n{content}\n{fence}\n\n").into())
}

fn strikethrough(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let inner = handlers.walk_children(element.node).content;
    let inner = inner.trim();
    if inner.is_empty() {
        return None;
    }
    Some(format!("~~{inner}~~").into())
}

/// `[text](url)`, the text escaped and the URL kept inside its parentheses.
fn markdown_link(text: &str, url: &str) -> String {
    let mut link = format!("[{}](", escape_markdown(text));
    for c in url.chars() {
        match c {
            ' ' => link.push_str("%20"),
            '<' => link.push_str("%3C"),
            '>' => link.push_str("%3E"),
            '(' | ')' | '\\' => {
                link.push('\\');
                link.push(c);
            }
            c if c.is_control() => {}
            c => link.push(c),
        }
    }
    link.push(')');
    link
}

/// Text that markdown shows as it is.
fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '|' | '!'
        ) {
            escaped.push('\\');
        }
        escaped.push(if c.is_control() && c != '\n' { ' ' } else { c });
    }
    escaped
}

/// Elements that make their own blocks: newlines next to them are layout, not breaks
/// (WordPress's `wpautop` list).
const BLOCKS: &[&str] = &[
    "address",
    "area",
    "article",
    "aside",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "main",
    "map",
    "math",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Blocks whose text is made of paragraphs (the others hold a line of text: `<li>`,
/// `<td>`, `<h2>`, `<p>`…).
const HOLDS_PARAGRAPHS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "fieldset",
    "figure",
    "footer",
    "form",
    "header",
    "main",
    "nav",
    "section",
];

/// Elements whose content is kept as it is, newlines included.
const VERBATIM: &[&str] = &["pre", "script", "style", "textarea"];

enum Token<'a> {
    Text(&'a str),
    /// A tag (`<b>`, `</b>`, `<br />`); `name` in lower case.
    Tag {
        raw: &'a str,
        name: String,
        closing: bool,
    },
    /// An HTML comment, or a verbatim element with its content and closing tag.
    Verbatim {
        raw: &'a str,
        name: String,
    },
}

/// Splits HTML into text and tags, leniently: a `<` that starts no tag is text.
fn tokens(html: &str) -> Vec<Token<'_>> {
    let bytes = html.as_bytes();
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let tag_start = i;
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        let is_comment = html[i..].starts_with("<!--");
        let end = if is_comment {
            html[i + 4..].find("-->").map(|e| i + 4 + e + 3)
        } else if next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?') {
            tag_end(bytes, i)
        } else {
            None
        };
        let Some(end) = end else {
            i += 1;
            continue;
        };
        if text_start < tag_start {
            tokens.push(Token::Text(&html[text_start..tag_start]));
        }
        let raw = &html[tag_start..end];
        let closing = next == b'/';
        let name = raw[if closing { 2 } else { 1 }..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':'))
            .collect::<String>()
            .to_ascii_lowercase();
        i = end;
        if is_comment {
            tokens.push(Token::Verbatim {
                raw,
                name: String::new(),
            });
        } else if !closing && VERBATIM.contains(&name.as_str()) {
            // The content and the end tag too (or everything, if it never ends).
            let close = format!("</{name}");
            i = html[end..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |at| {
                    tag_end(bytes, end + at).unwrap_or(html.len())
                });
            tokens.push(Token::Verbatim {
                raw: &html[tag_start..i],
                name,
            });
        } else {
            tokens.push(Token::Tag { raw, name, closing });
        }
        text_start = i;
    }
    if text_start < bytes.len() {
        tokens.push(Token::Text(&html[text_start..]));
    }
    tokens
}

/// Where the tag starting at `start` ends (after its `>`), quoted attribute values
/// skipped; `None` if another `<` comes first or nothing closes it.
fn tag_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut quote = None;
    for (offset, &b) in bytes[start + 1..].iter().enumerate() {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(start + 1 + offset + 1),
            (None, b'<') => return None,
            _ => {}
        }
    }
    None
}

/// What WordPress does to a stored comment when it shows it (`wpautop`, `make_clickable`),
/// so the HTML says what the reader saw: text separated by a blank line becomes
/// paragraphs, a single newline a `<br>`, a bare `http(s)://` URL a link. Newlines next to
/// block tags and inside `<pre>` are left alone.
fn autop(html: &str) -> String {
    let html = html.replace("\r\n", "\n").replace('\r', "\n");
    let mut autop = Autop {
        out: String::with_capacity(html.len() + 32),
        ..Autop::default()
    };
    for token in tokens(&html) {
        match token {
            Token::Text(text) => autop.text(text),
            Token::Tag { raw, name, closing } => autop.tag(raw, name, closing),
            Token::Verbatim { raw, name } if name == "pre" => autop.block(raw),
            Token::Verbatim { raw, .. } => autop.inline(raw),
        }
    }
    autop.end_paragraph();
    autop.out
}

#[derive(Default)]
struct Autop {
    out: String,
    /// The paragraph being gathered.
    paragraph: String,
    /// Open blocks, innermost last.
    blocks: Vec<String>,
    in_link: usize,
    in_code: usize,
    /// Newlines seen but not yet written: what they become depends on what follows.
    pending_newlines: usize,
    /// The last thing written was a `<br>`.
    after_break: bool,
}

impl Autop {
    fn holds_paragraphs(&self) -> bool {
        self.blocks
            .last()
            .is_none_or(|block| HOLDS_PARAGRAPHS.contains(&block.as_str()))
    }

    fn end_paragraph(&mut self) {
        let content = self.paragraph.trim();
        if !content.is_empty() {
            if self.holds_paragraphs() {
                self.out.push_str("<p>");
                self.out.push_str(content);
                self.out.push_str("</p>\n");
            } else {
                self.out.push_str(content);
            }
        }
        self.paragraph.clear();
    }

    /// Something inline follows: the pending newlines become a paragraph or a break.
    fn resolve_newlines(&mut self) {
        let newlines = std::mem::take(&mut self.pending_newlines);
        if newlines == 0 || self.paragraph.trim().is_empty() {
            return;
        }
        if newlines >= 2 && self.holds_paragraphs() {
            self.end_paragraph();
        } else if !self.after_break {
            self.paragraph.push_str("<br>");
        }
        self.after_break = false;
    }

    fn inline(&mut self, raw: &str) {
        self.resolve_newlines();
        self.paragraph.push_str(raw);
        self.after_break = false;
    }

    fn block(&mut self, raw: &str) {
        self.pending_newlines = 0;
        self.after_break = false;
        self.end_paragraph();
        self.out.push_str(raw);
        self.out.push('\n');
    }

    fn tag(&mut self, raw: &str, name: String, closing: bool) {
        if BLOCKS.contains(&name.as_str()) {
            self.block(raw);
            if closing {
                if let Some(at) = self.blocks.iter().rposition(|block| *block == name) {
                    self.blocks.truncate(at);
                }
            } else if !matches!(name.as_str(), "hr" | "col" | "area") && !raw.ends_with("/>") {
                self.blocks.push(name);
            }
            return;
        }
        self.inline(raw);
        match (name.as_str(), closing) {
            ("a", false) => self.in_link += 1,
            ("a", true) => self.in_link = self.in_link.saturating_sub(1),
            ("code", false) => self.in_code += 1,
            ("code", true) => self.in_code = self.in_code.saturating_sub(1),
            _ => {}
        }
        self.after_break = name == "br";
    }

    fn text(&mut self, mut text: &str) {
        // Whitespace runs that hold a newline, and the words between them.
        while let Some(newline) = text.find('\n') {
            let run_start = text[..newline].trim_end_matches([' ', '\t']).len();
            let run_end = text.len() - text[newline..].trim_start_matches([' ', '\t', '\n']).len();
            self.words(&text[..run_start]);
            self.pending_newlines += text[run_start..run_end].matches('\n').count();
            text = &text[run_end..];
        }
        self.words(text);
    }

    fn words(&mut self, words: &str) {
        if words.is_empty() {
            return;
        }
        self.resolve_newlines();
        if self.in_link == 0 && self.in_code == 0 {
            linkify(words, &mut self.paragraph);
        } else {
            self.paragraph.push_str(words);
        }
        self.after_break = false;
    }
}

/// Appends HTML text with its bare `http://` and `https://` URLs made links, as
/// WordPress's `make_clickable` shows them. Trailing punctuation stays outside the link.
fn linkify(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = find_url_start(rest) {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let mut end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .unwrap_or(candidate.len());
        while let Some(last) = candidate[..end].chars().next_back() {
            let url = &candidate[..end];
            let unbalanced = last == ')' && url.matches('(').count() < url.matches(')').count();
            if matches!(last, '.' | ',' | ';' | ':' | '!' | '?') || unbalanced {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        let url = &candidate[..end];
        if url.len() <= "https://".len() {
            out.push_str(url);
        } else {
            out.push_str("<a href=\"");
            out.push_str(url);
            out.push_str("\">");
            out.push_str(url);
            out.push_str("</a>");
        }
        rest = &candidate[end..];
    }
    out.push_str(rest);
}

/// Where a bare URL starts: `http://` or `https://` at the start or after a space or an
/// opening bracket.
fn find_url_start(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("http") {
        let at = from + found;
        let rest = &text[at..];
        let starts_a_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '['));
        if starts_a_word && (rest.starts_with("http://") || rest.starts_with("https://")) {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

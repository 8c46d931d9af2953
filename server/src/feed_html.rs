//! Safe XML for feeds (ARCHITECTURE.md, rule 2). A comment becomes XHTML the way the widget
//! makes DOM nodes: its markdown is folded into core's tree of allowed nodes
//! (`colloquy_core::markdown`), each node becomes an element whose name and attributes are
//! chosen here, and every piece of reader text is written as a text event, escaped by
//! quick-xml's writer. No markup is ever assembled from strings, so there is nothing to
//! filter afterwards: what a reader typed can only ever come out as text.
//!
//! The helpers below are also how the feed itself is written, so that titles, names and
//! links pass through the same escaping and the same [`xml_text`] clean-up.

use std::borrow::Cow;
use std::io::{self, Write};

use colloquy_core::markdown::{parse_comment, Kind, Node};
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

pub const XHTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";

/// The `rel` every link written by a reader carries, as in the widget: no ranking credit,
/// marked as user content, no window handle or referrer for the target.
pub const READER_LINK_REL: &str = "nofollow ugc noopener noreferrer";

/// What becomes of a relative link in a comment (`/about`, `#top`, `page`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelativeLinks {
    /// The content carries the page's address as `xml:base`, so a relative link leads
    /// where it leads in the widget.
    Keep,
    /// The page is not known: a relative link would lead somewhere on the comment server,
    /// so it keeps only its text.
    AsText,
}

/// Writes a comment's body as `<div xmlns="http://www.w3.org/1999/xhtml">…</div>`, for an
/// Atom `<content type="xhtml">`. The elements are `p`, `strong`, `em`, `del`, `code`,
/// `pre`, `blockquote`, `ul`, `ol` (with `start`), `li`, `a` (with `href` and `rel`), `br`
/// and `hr`; nothing else can appear.
pub fn write_comment<W: Write>(
    writer: &mut Writer<W>,
    body: &str,
    relative: RelativeLinks,
) -> io::Result<()> {
    let nodes = parse_comment(body);
    element(writer, "div", &[("xmlns", XHTML_NAMESPACE)], |writer| {
        nodes
            .iter()
            .try_for_each(|node| write_node(writer, node, relative))
    })
}

/// One node and its children. Core caps the nesting (`markdown::MAX_NESTING`), so the
/// recursion is bounded whatever the reader wrote.
fn write_node<W: Write>(
    writer: &mut Writer<W>,
    node: &Node,
    relative: RelativeLinks,
) -> io::Result<()> {
    let (kind, children) = match node {
        Node::Text(text) => return write_text(writer, text),
        Node::Code(code) => return text_element(writer, "code", &[], code),
        Node::LineBreak => return empty_element(writer, "br", &[]),
        Node::Rule => return empty_element(writer, "hr", &[]),
        Node::Element { kind, children } => (kind, children),
    };
    let inner = |writer: &mut Writer<W>| {
        children
            .iter()
            .try_for_each(|child| write_node(writer, child, relative))
    };
    match kind {
        Kind::Paragraph => element(writer, "p", &[], inner),
        // A body shown as typed: its line breaks as `<br>`.
        Kind::Plain => element(writer, "p", &[], |writer| {
            let text = colloquy_core::content::text_of(children);
            for (index, line) in text.split('\n').enumerate() {
                if index > 0 {
                    empty_element(writer, "br", &[])?;
                }
                write_text(writer, line)?;
            }
            Ok(())
        }),
        // The widget's one modest heading level: a paragraph in bold.
        Kind::Heading => element(writer, "p", &[], |writer| {
            element(writer, "strong", &[], inner)
        }),
        Kind::Quote => element(writer, "blockquote", &[], inner),
        Kind::List { start: None } => element(writer, "ul", &[], inner),
        Kind::List { start: Some(start) } => {
            element(writer, "ol", &[("start", &start.to_string())], inner)
        }
        Kind::Item => element(writer, "li", &[], inner),
        Kind::CodeBlock => element(writer, "pre", &[], |writer| {
            element(writer, "code", &[], inner)
        }),
        Kind::Emphasis => element(writer, "em", &[], inner),
        Kind::Strong => element(writer, "strong", &[], inner),
        Kind::Strikethrough => element(writer, "del", &[], inner),
        Kind::Link { href } if relative == RelativeLinks::AsText && is_relative(href) => {
            inner(writer)
        }
        Kind::Link { href } => element(
            writer,
            "a",
            &[("href", href), ("rel", READER_LINK_REL)],
            inner,
        ),
    }
}

/// Whether a link (as core's link policy let it through) is resolved against a base: no
/// scheme, and not `//host/…` (which names its host).
fn is_relative(href: &str) -> bool {
    if href.starts_with("//") {
        return false;
    }
    let before_colon = href.split_once(':').map(|(before, _)| before);
    let has_scheme = before_colon.is_some_and(|scheme| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    !has_scheme
}

/// The text as XML 1.0 can carry it: characters outside its `Char` production (C0
/// controls other than tab, newline and carriage return; U+FFFE and U+FFFF), which no
/// escape can represent, become U+FFFD. A comment body may hold them, and one such
/// character would make the whole feed unreadable.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{D7FF}').contains(&c)
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}'
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

/// A text node, escaped.
pub fn write_text<W: Write>(writer: &mut Writer<W>, text: &str) -> io::Result<()> {
    writer.write_event(Event::Text(BytesText::new(&xml_text(text))))
}

/// `<name attributes…>content</name>`; attribute values are escaped.
pub fn element<W: Write>(
    writer: &mut Writer<W>,
    name: &str,
    attributes: &[(&str, &str)],
    content: impl FnOnce(&mut Writer<W>) -> io::Result<()>,
) -> io::Result<()> {
    writer.write_event(Event::Start(start_tag(name, attributes)))?;
    content(writer)?;
    writer.write_event(Event::End(BytesEnd::new(name)))
}

/// `<name attributes…>text</name>`, the text escaped.
pub fn text_element<W: Write>(
    writer: &mut Writer<W>,
    name: &str,
    attributes: &[(&str, &str)],
    text: &str,
) -> io::Result<()> {
    element(writer, name, attributes, |writer| write_text(writer, text))
}

/// `<name attributes…/>`.
pub fn empty_element<W: Write>(
    writer: &mut Writer<W>,
    name: &str,
    attributes: &[(&str, &str)],
) -> io::Result<()> {
    writer.write_event(Event::Empty(start_tag(name, attributes)))
}

fn start_tag<'a>(name: &'a str, attributes: &[(&'a str, &str)]) -> BytesStart<'a> {
    let mut tag = BytesStart::new(name);
    for &(key, value) in attributes {
        // `(&str, &str)` into an attribute escapes the value (quotes, `<`, `&`, and the
        // tabs and newlines that attribute normalisation would turn into spaces).
        tag.push_attribute((key, xml_text(value).as_ref()));
    }
    tag
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event as Read;
    use quick_xml::{Reader, XmlVersion};

    /// Every element the XHTML may hold ("root" is the test's own wrapper).
    const ELEMENTS: [&str; 15] = [
        "root",
        "div",
        "p",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "br",
        "hr",
    ];
    const ATTRIBUTES: [&str; 4] = ["xmlns", "href", "rel", "start"];

    type Elements = Vec<(String, Vec<(String, String)>)>;

    fn xhtml(body: &str, relative: RelativeLinks) -> String {
        let mut writer = Writer::new(Vec::new());
        write_comment(&mut writer, body, relative).unwrap();
        String::from_utf8(writer.into_inner()).unwrap()
    }

    /// What an XML parser makes of `xhtml`: its elements in document order with their
    /// attributes, and its text with the references resolved. Panics unless it is a
    /// well-formed fragment holding only allowed elements and attributes (so no `on…`),
    /// links only to web, mail or relative addresses and each with the reader `rel`, and
    /// only characters XML can carry.
    fn inspect(xhtml: &str) -> (Elements, String) {
        assert!(
            matches!(xml_text(xhtml), Cow::Borrowed(_)),
            "a character XML cannot carry: {xhtml:?}"
        );
        let wrapped = format!("<root>{xhtml}</root>");
        let mut reader = Reader::from_str(&wrapped);
        let mut elements = Vec::new();
        let mut text = String::new();
        loop {
            match reader.read_event().unwrap() {
                Read::Start(tag) | Read::Empty(tag) => {
                    let name = tag.name().as_ref().to_owned();
                    assert!(ELEMENTS.contains(&name.as_str()), "<{name}> in {xhtml}");
                    let mut attributes = Vec::new();
                    for attribute in tag.attributes() {
                        let attribute = attribute.unwrap();
                        let key = attribute.key.as_ref().to_owned();
                        assert!(
                            ATTRIBUTES.contains(&key.as_str()) && !key.starts_with("on"),
                            "attribute {key} in {xhtml}"
                        );
                        let value = attribute
                            .normalized_value(XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned();
                        attributes.push((key, value));
                    }
                    if name == "a" {
                        let href = &attributes.iter().find(|(key, _)| key == "href").unwrap().1;
                        let lower = href.to_ascii_lowercase();
                        let web_or_mail = ["http://", "https://", "mailto:", "//"]
                            .iter()
                            .any(|start| lower.starts_with(start));
                        assert!(web_or_mail || is_relative(href), "href {href:?}");
                        assert!(!lower.contains("script:"), "href {href:?}");
                        assert!(
                            attributes.contains(&("rel".into(), READER_LINK_REL.into())),
                            "{xhtml}"
                        );
                    }
                    if name == "div" {
                        assert_eq!(attributes, [("xmlns".into(), XHTML_NAMESPACE.into())]);
                    }
                    elements.push((name, attributes));
                }
                Read::End(_) => {}
                Read::Text(chunk) => text.push_str(&chunk.xml10_content()),
                Read::GeneralRef(reference) => match reference.resolve_char_ref().unwrap() {
                    Some(c) => text.push(c),
                    None => text.push_str(match &*reference {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("entity &{other}; in {xhtml}"),
                    }),
                },
                Read::Eof => break,
                other => panic!("{other:?} in {xhtml}"),
            }
        }
        (elements, text)
    }

    fn names(elements: &Elements) -> Vec<&str> {
        elements.iter().map(|(name, _)| name.as_str()).collect()
    }

    fn links(elements: &Elements) -> Vec<&str> {
        elements
            .iter()
            .filter(|(name, _)| name == "a")
            .flat_map(|(_, attributes)| attributes.iter())
            .filter(|(key, _)| key == "href")
            .map(|(_, value)| value.as_str())
            .collect()
    }

    #[test]
    fn markup_in_a_body_comes_out_as_text() {
        let hostile = [
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "'><svg/onload=alert(1)>",
            "<a href=\"javascript:alert(1)\" onclick=\"alert(1)\">x</a>",
            "]]><script>alert(1)</script>",
            "<![CDATA[<script>alert(1)</script>]]>",
            "<!-- a comment --><?php echo 1 ?>",
            "</div></content><entry><title>forged</title>",
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><iframe src=//evil.example></iframe></div>",
            "&lt;script&gt;alert(1)&lt;/script&gt; &#60;b&#62; &amp;amp;",
        ];
        for body in hostile {
            let xhtml = xhtml(body, RelativeLinks::Keep);
            let (elements, text) = inspect(&xhtml);
            assert_eq!(names(&elements), ["root", "div", "p"], "{body}: {xhtml}");
            assert!(
                !xhtml.contains("<script") && !xhtml.contains("<img"),
                "{xhtml}"
            );
            if !body.contains('&') {
                assert_eq!(text, body, "shown as written: {xhtml}");
            }
        }
        // Entities are decoded by markdown into text, and that text is escaped again.
        let (_, text) = inspect(&xhtml(
            "&lt;script&gt;alert(1)&lt;/script&gt; &#60;b&#62; &amp;amp;",
            RelativeLinks::Keep,
        ));
        assert_eq!(text, "<script>alert(1)</script> <b> &amp;");
    }

    #[test]
    fn only_web_mail_and_relative_links_survive_and_all_carry_the_reader_rel() {
        let body = "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x) \
                    [d](vbscript:msgbox) [e](<java\tscript:alert(1)>) ![f](javascript:alert(1)) \
                    [ok](https://example.org/?a=1&b=\"2\"') <mailto:ada@example.org> [rel](/about)";
        let xhtml = xhtml(body, RelativeLinks::Keep);
        let (elements, text) = inspect(&xhtml);
        assert_eq!(
            links(&elements),
            [
                "https://example.org/?a=1&b=\"2\"'",
                "mailto:ada@example.org",
                "/about"
            ],
            "{xhtml}"
        );
        assert!(text.starts_with("a b c d "), "{text}");
        assert!(
            !xhtml.to_ascii_lowercase().contains("script:alert"),
            "{xhtml}"
        );
    }

    #[test]
    fn without_a_page_relative_links_keep_only_their_text() {
        let body = "[about](/about) [top](#top) [page](page) [abs](https://example.org) \
                    [net](//example.org/x) <mailto:ada@example.org>";
        let (elements, text) = inspect(&xhtml(body, RelativeLinks::AsText));
        assert_eq!(
            links(&elements),
            [
                "https://example.org",
                "//example.org/x",
                "mailto:ada@example.org"
            ]
        );
        assert!(text.starts_with("about top page abs net"), "{text}");
        let (elements, _) = inspect(&xhtml(body, RelativeLinks::Keep));
        assert_eq!(links(&elements).len(), 6);
    }

    #[test]
    fn code_quotes_lists_and_the_other_constructs() {
        let body = "# Heading\n\n\
                    Fish & chips, \"quoted\" and 'single', `<b>code</b> & \"q\"`  \nnext line\n\n\
                    ```\n</code></pre><script>alert(1)</script>\n```\n\n\
                    - one\n  - two\n    1. three\n    2. four\n\n\
                    > quoted *em* **strong** ~~gone~~\n\n\
                    ---\n\n\
                    5. five";
        let xhtml = xhtml(body, RelativeLinks::Keep);
        let (elements, text) = inspect(&xhtml);
        assert_eq!(
            names(&elements),
            [
                "root",
                "div",
                "p",
                "strong",
                "p",
                "code",
                "br",
                "pre",
                "code",
                "ul",
                "li",
                "ul",
                "li",
                "ol",
                "li",
                "li",
                "blockquote",
                "p",
                "em",
                "strong",
                "del",
                "hr",
                "ol",
                "li",
            ],
            "{xhtml}"
        );
        let ordered: Vec<&Vec<(String, String)>> = elements
            .iter()
            .filter(|(name, _)| name == "ol")
            .map(|(_, attributes)| attributes)
            .collect();
        assert_eq!(ordered[0], &[("start".to_owned(), "1".to_owned())]);
        assert_eq!(ordered[1], &[("start".to_owned(), "5".to_owned())]);
        for shown in [
            "Fish & chips, \"quoted\" and 'single', ",
            "<b>code</b> & \"q\"",
            "</code></pre><script>alert(1)</script>\n",
            "gone",
        ] {
            assert!(text.contains(shown), "{shown:?} in {text:?}");
        }
    }

    #[test]
    fn characters_xml_cannot_carry_become_replacement_characters() {
        assert_eq!(xml_text("plain\ttext\r\n"), "plain\ttext\r\n");
        assert!(matches!(xml_text("plain"), Cow::Borrowed(_)));
        assert_eq!(
            xml_text("a\u{0}b\u{1}c\u{b}d\u{1b}e\u{fffe}f\u{ffff}g\u{10000}"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\u{fffd}f\u{fffd}g\u{10000}"
        );
        let xhtml = xhtml(
            "bell\u{7} escape\u{1b}[31m \u{ffff} [x](https://example.org/\u{1})\r\nend",
            RelativeLinks::Keep,
        );
        let (_, text) = inspect(&xhtml);
        assert!(
            text.contains("bell\u{fffd} escape\u{fffd}[31m \u{fffd}"),
            "{text:?}"
        );
    }

    #[test]
    fn deep_nesting_is_written_without_trouble() {
        let body = format!("{}deep", "> ".repeat(5_000));
        let (elements, text) = inspect(&xhtml(&body, RelativeLinks::Keep));
        assert!(elements.len() <= 2 + 2 * colloquy_core::markdown::MAX_NESTING);
        // Quoted up to the limit, or plain text if parsing took too long (a slow build).
        assert!(text.ends_with("deep"), "{text}");
        let body = format!("{}x", "- ".repeat(5_000));
        inspect(&xhtml(&body, RelativeLinks::Keep));
    }
}

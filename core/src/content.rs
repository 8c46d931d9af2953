//! A comment's content as readers receive it: the server parses the markdown once
//! (`markdown`, a server-only feature) into these nodes, and the widget maps them to DOM
//! nodes one by one. No HTML string is ever built, so there is nothing to sanitise.
//!
//! # On the wire (content version 1)
//! Compact JSON, part of the API (`Comment.content`):
//!
//! - a JSON string is a text node;
//! - an array is an element: `[tag, …children]`, where a child is again a string or an
//!   array. Tags: `p`, `h` (a heading, one modest level), `quote`, `ul`, `li`, `pre` (a
//!   code block), `em`, `strong`, `del`, `plain` (a body shown as plain text, line breaks
//!   kept), and with one argument before the children: `["ol", start, …]`,
//!   `["a", href, …]`; leaves: `["code", text]`, `["br"]`, `["hr"]`.
//!
//! A reader of this format must show an element whose tag it does not know as the text it
//! contains (never as markup), and skip values of any other JSON type: that is how a newer
//! server's content stays readable in an older widget. Links are checked against the
//! link policy again when read.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::link_policy::safe_href;

/// The version of the format above, published as `content_version` beside every thread.
pub const CONTENT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Element {
        kind: Kind,
        children: Vec<Node>,
    },
    Text(String),
    /// An inline code span.
    Code(String),
    LineBreak,
    Rule,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Paragraph,
    Heading,
    Quote,
    /// `start` is `Some` for ordered lists.
    List {
        start: Option<u64>,
    },
    Item,
    CodeBlock,
    Emphasis,
    Strong,
    Strikethrough,
    Link {
        href: String,
    },
    /// A body shown as it was typed (too much formatting to draw as markdown): its one text
    /// child keeps its line breaks.
    Plain,
}

impl Kind {
    fn tag(&self) -> &'static str {
        match self {
            Kind::Paragraph => "p",
            Kind::Heading => "h",
            Kind::Quote => "quote",
            Kind::List { start: None } => "ul",
            Kind::List { start: Some(_) } => "ol",
            Kind::Item => "li",
            Kind::CodeBlock => "pre",
            Kind::Emphasis => "em",
            Kind::Strong => "strong",
            Kind::Strikethrough => "del",
            Kind::Link { .. } => "a",
            Kind::Plain => "plain",
        }
    }

    /// The kind of a tag without an argument; `None` for the others and unknown tags.
    fn simple(tag: &str) -> Option<Kind> {
        Some(match tag {
            "p" => Kind::Paragraph,
            "h" => Kind::Heading,
            "quote" => Kind::Quote,
            "ul" => Kind::List { start: None },
            "li" => Kind::Item,
            "pre" => Kind::CodeBlock,
            "em" => Kind::Emphasis,
            "strong" => Kind::Strong,
            "del" => Kind::Strikethrough,
            "plain" => Kind::Plain,
            _ => return None,
        })
    }
}

/// A plain-text body as content: one `plain` element, line breaks kept.
pub fn plain(text: &str) -> Vec<Node> {
    vec![Node::Element {
        kind: Kind::Plain,
        children: vec![Node::Text(text.to_owned())],
    }]
}

/// Every node of a tree, counted without recursion.
pub fn count_nodes(nodes: &[Node]) -> usize {
    let mut count = 0;
    let mut stack: Vec<&[Node]> = vec![nodes];
    while let Some(level) = stack.pop() {
        count += level.len();
        for node in level {
            if let Node::Element { children, .. } = node {
                stack.push(children);
            }
        }
    }
    count
}

/// The text a reader reads in `nodes`, without markup (for a summary, a search, a test).
pub fn text_of(nodes: &[Node]) -> String {
    let mut out = String::new();
    append_text(nodes, &mut out);
    out
}

fn append_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) | Node::Code(text) => out.push_str(text),
            Node::LineBreak => out.push('\n'),
            Node::Rule => {}
            Node::Element { children, .. } => append_text(children, out),
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (tag, argument, children): (&str, Option<Arg<'_>>, &[Node]) = match self {
            Node::Text(text) => return serializer.serialize_str(text),
            Node::Code(code) => ("code", Some(Arg::Text(code)), &[]),
            Node::LineBreak => ("br", None, &[]),
            Node::Rule => ("hr", None, &[]),
            Node::Element { kind, children } => {
                let argument = match kind {
                    Kind::Link { href } => Some(Arg::Text(href)),
                    Kind::List { start: Some(start) } => Some(Arg::Number(*start)),
                    _ => None,
                };
                (kind.tag(), argument, children)
            }
        };
        let mut seq =
            serializer.serialize_seq(Some(1 + usize::from(argument.is_some()) + children.len()))?;
        seq.serialize_element(tag)?;
        match argument {
            Some(Arg::Text(text)) => seq.serialize_element(text)?,
            Some(Arg::Number(number)) => seq.serialize_element(&number)?,
            None => {}
        }
        for child in children {
            seq.serialize_element(child)?;
        }
        seq.end()
    }
}

enum Arg<'a> {
    Text(&'a str),
    Number(u64),
}

/// Any JSON value, as far as content cares: a string, a number, a node, or something to
/// skip. Reading never fails on the shape of a value, only on malformed input. Public for
/// readers that do not go through serde (the widget reads the browser's parsed JSON).
pub enum Part {
    Text(String),
    Number(u64),
    Node(Node),
    Skip,
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Part, D::Error> {
        deserializer.deserialize_any(PartVisitor)
    }
}

struct PartVisitor;

impl<'de> Visitor<'de> for PartVisitor {
    type Value = Part;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a content node")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Part, E> {
        Ok(Part::Text(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Part, E> {
        Ok(Part::Text(text))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Part, E> {
        Ok(Part::Number(number))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Part, E> {
        Ok(u64::try_from(number).map_or(Part::Skip, Part::Number))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Part, E> {
        // Whole numbers only (JavaScript has no other kind); the cast saturates.
        Ok(if number.fract() == 0.0 && number >= 0.0 {
            Part::Number(number as u64)
        } else {
            Part::Skip
        })
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Part, E> {
        Ok(Part::Skip)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Part, E> {
        Ok(Part::Skip)
    }

    fn visit_none<E: de::Error>(self) -> Result<Part, E> {
        Ok(Part::Skip)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Part, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Part::Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Part, A::Error> {
        let tag = match seq.next_element::<Part>()? {
            Some(Part::Text(tag)) => tag,
            // An array that is not a node: its text, if any, as text.
            _ => String::new(),
        };
        let mut rest = Vec::new();
        while let Some(item) = seq.next_element::<Part>()? {
            rest.push(item);
        }
        Ok(Part::Node(element(&tag, rest)))
    }
}

/// The node an array `[tag, …rest]` stands for: a known tag with what it needs, or, for an
/// unknown tag, the text inside it.
pub fn element(tag: &str, mut rest: Vec<Part>) -> Node {
    let leading_text = |rest: &mut Vec<Part>| match rest.first() {
        Some(Part::Text(_)) => match rest.remove(0) {
            Part::Text(text) => Some(text),
            _ => None,
        },
        _ => None,
    };
    let kind = match tag {
        "br" => return Node::LineBreak,
        "hr" => return Node::Rule,
        "code" => return Node::Code(leading_text(&mut rest).unwrap_or_default()),
        "ol" => {
            let start = match rest.first() {
                Some(Part::Number(start)) => *start,
                _ => 1,
            };
            if matches!(rest.first(), Some(Part::Number(_))) {
                rest.remove(0);
            }
            Some(Kind::List { start: Some(start) })
        }
        // A link the policy refuses keeps its text only.
        "a" => leading_text(&mut rest)
            .as_deref()
            .and_then(safe_href)
            .map(|href| Kind::Link { href }),
        other => Kind::simple(other),
    };
    let children = nodes(rest);
    match kind {
        Some(kind) => Node::Element { kind, children },
        None => Node::Text(text_of(&children)),
    }
}

fn nodes(items: Vec<Part>) -> Vec<Node> {
    items
        .into_iter()
        .filter_map(|item| match item {
            Part::Text(text) => Some(Node::Text(text)),
            Part::Node(node) => Some(node),
            Part::Number(_) | Part::Skip => None,
        })
        .collect()
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        Ok(match Part::deserialize(deserializer)? {
            Part::Text(text) => Node::Text(text),
            Part::Node(node) => node,
            Part::Number(_) | Part::Skip => Node::Text(String::new()),
        })
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{
        AnyOfBuilder, ArrayBuilder, OneOfBuilder, Schema, SchemaType, Type,
    };
    use utoipa::openapi::{ObjectBuilder, Ref, RefOr};

    impl utoipa::PartialSchema for super::Node {
        fn schema() -> RefOr<Schema> {
            let text = ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .description(Some("A text node"));
            let element = ArrayBuilder::new()
                .items(
                    AnyOfBuilder::new()
                        .item(ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)))
                        .item(ObjectBuilder::new().schema_type(SchemaType::Type(Type::Integer)))
                        .item(Ref::from_schema_name("Node")),
                )
                .min_items(Some(1))
                .description(Some(
                    "An element: [tag, ...children]; [\"a\", href, ...children], \
                     [\"ol\", start, ...children], [\"code\", text], [\"br\"], [\"hr\"]. \
                     Tags of content version 1: p h quote ul ol li pre em strong del a \
                     plain code br hr. Show an unknown tag as the text it contains.",
                ));
            OneOfBuilder::new()
                .item(text)
                .item(element)
                .description(Some("One node of a comment's content (content version 1)"))
                .into()
        }
    }

    impl utoipa::ToSchema for super::Node {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(kind: Kind, children: Vec<Node>) -> Node {
        Node::Element { kind, children }
    }

    fn text(s: &str) -> Node {
        Node::Text(s.to_owned())
    }

    #[test]
    fn every_node_goes_through_json_and_back() {
        let nodes = vec![
            el(
                Kind::Paragraph,
                vec![
                    text("Hi "),
                    el(Kind::Emphasis, vec![text("there")]),
                    Node::LineBreak,
                    Node::Code("x < y".into()),
                    el(
                        Kind::Link {
                            href: "https://example.org/".into(),
                        },
                        vec![text("site")],
                    ),
                ],
            ),
            el(
                Kind::List { start: Some(3) },
                vec![el(Kind::Item, vec![text("three")])],
            ),
            el(Kind::List { start: None }, vec![el(Kind::Item, vec![])]),
            Node::Rule,
            el(Kind::Quote, vec![el(Kind::Heading, vec![text("h")])]),
            el(Kind::CodeBlock, vec![text("let x;\n")]),
            el(Kind::Strong, vec![el(Kind::Strikethrough, vec![])]),
            el(Kind::Plain, vec![text("a\nb")]),
        ];
        let json = serde_json::to_string(&nodes).unwrap();
        assert!(json.starts_with(r#"[["p","Hi ",["em","there"],["br"],["code","x < y"],["a","https://example.org/","site"]]"#), "{json}");
        assert!(json.contains(r#"["ol",3,["li","three"]]"#), "{json}");
        assert_eq!(serde_json::from_str::<Vec<Node>>(&json).unwrap(), nodes);
    }

    #[test]
    fn unknown_tags_and_odd_values_read_as_text() {
        let nodes: Vec<Node> = serde_json::from_str(
            r#"[["table",["tr",["td","a"],["td",["em","b"]]]], 7, null, {"x":1}, true, [], [3,"loose"], ["p", "ok"]]"#,
        )
        .unwrap();
        assert_eq!(
            nodes,
            vec![
                text("ab"),
                text(""),
                text(""),
                text(""),
                text(""),
                text(""),
                text("loose"),
                el(Kind::Paragraph, vec![text("ok")]),
            ]
        );
    }

    #[test]
    fn links_are_checked_again_when_read() {
        let nodes: Vec<Node> = serde_json::from_str(
            r#"[["a","javascript:alert(1)","click"],["a",["em","no href"]],["ol","x",["li","one"]]]"#,
        )
        .unwrap();
        assert_eq!(
            nodes,
            vec![
                text("click"),
                text("no href"),
                // A start that is not a number is no start; its text is still shown.
                el(
                    Kind::List { start: Some(1) },
                    vec![text("x"), el(Kind::Item, vec![text("one")])]
                ),
            ]
        );
    }

    #[test]
    fn counting_and_text() {
        let nodes = vec![el(
            Kind::Paragraph,
            vec![
                text("a"),
                Node::LineBreak,
                el(Kind::Strong, vec![text("b")]),
            ],
        )];
        assert_eq!(count_nodes(&nodes), 5);
        assert_eq!(text_of(&nodes), "a\nb");
        assert_eq!(text_of(&plain("x\ny")), "x\ny");
    }
}

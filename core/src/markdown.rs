//! The markdown policy (ARCHITECTURE.md, rule 2). A comment's markdown is parsed by pulldown-cmark
//! and folded into [`Node`]s, a tree with only the constructs a comment may use. The widget
//! turns these nodes into DOM nodes one by one; no HTML string is ever built, so there is
//! nothing to sanitise afterwards.
//!
//! - Raw HTML, inline or as a block, becomes plain text: `<b>` is shown as `<b>`.
//! - Links survive only with an allowed URL ([`crate::link_policy`]); otherwise their text
//!   stays and the link goes.
//! - Images become links to the image, so reading a thread never fetches from a third party.
//! - Headings of every level become one modest [`Kind::Heading`], so a comment cannot shout
//!   over the page.
//! - Nesting deeper than [`MAX_NESTING`] is flattened into its container, so hostile input
//!   cannot make the renderer recurse without bound.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::link_policy::safe_href;

/// Containers (quotes, lists, emphasis, …) nested deeper than this are flattened.
pub const MAX_NESTING: usize = 16;

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
}

/// Parses a comment body into the allowed nodes.
pub fn parse_comment(source: &str) -> Vec<Node> {
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH);
    let mut builder = Builder::default();
    for event in parser {
        builder.event(event);
    }
    builder.finish()
}

/// Folds the event stream with an explicit stack of open containers.
#[derive(Default)]
struct Builder {
    root: Vec<Node>,
    /// Open containers; `None` marks a tag that was dropped or flattened, kept so that its
    /// end event closes the right thing.
    open: Vec<Option<(Kind, Vec<Node>)>>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(end) => self.end(end),
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                self.push_text(&text)
            }
            Event::Code(code) => self.push(Node::Code(code.into_string())),
            Event::SoftBreak => self.push_text("\n"),
            Event::HardBreak => self.push(Node::LineBreak),
            Event::Rule => self.push(Node::Rule),
            Event::FootnoteReference(label) => self.push_text(&format!("[^{label}]")),
            Event::TaskListMarker(done) => self.push_text(if done { "[x] " } else { "[ ] " }),
            Event::InlineMath(text) | Event::DisplayMath(text) => self.push_text(&text),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        let kind = match tag {
            Tag::Paragraph | Tag::HtmlBlock => Some(Kind::Paragraph),
            Tag::Heading { .. } => Some(Kind::Heading),
            Tag::BlockQuote(_) => Some(Kind::Quote),
            Tag::CodeBlock(_) => Some(Kind::CodeBlock),
            Tag::List(start) => Some(Kind::List { start }),
            Tag::Item => Some(Kind::Item),
            Tag::Emphasis => Some(Kind::Emphasis),
            Tag::Strong => Some(Kind::Strong),
            Tag::Strikethrough => Some(Kind::Strikethrough),
            Tag::Link {
                link_type,
                dest_url,
                ..
            }
            | Tag::Image {
                link_type,
                dest_url,
                ..
            } => {
                let url = if link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.into_string()
                };
                safe_href(&url).map(|href| Kind::Link { href })
            }
            // Not enabled in the parser options; flattened should a future version emit them.
            _ => None,
        };
        let kind = kind.filter(|_| self.depth() < MAX_NESTING);
        self.open.push(kind.map(|kind| (kind, Vec::new())));
    }

    fn end(&mut self, _end: TagEnd) {
        if let Some(Some((kind, children))) = self.open.pop() {
            self.push(Node::Element { kind, children });
        }
    }

    fn depth(&self) -> usize {
        self.open.iter().filter(|open| open.is_some()).count()
    }

    /// The children of the innermost open container, or the top level.
    fn current(&mut self) -> &mut Vec<Node> {
        self.open
            .iter_mut()
            .rev()
            .find_map(|open| open.as_mut().map(|(_, children)| children))
            .unwrap_or(&mut self.root)
    }

    fn push(&mut self, node: Node) {
        self.current().push(node);
    }

    /// Adjacent text is merged so the DOM gets one text node, not one per parser event.
    fn push_text(&mut self, text: &str) {
        let target = self.current();
        match target.last_mut() {
            Some(Node::Text(existing)) => existing.push_str(text),
            _ => target.push(Node::Text(text.to_owned())),
        }
    }

    fn finish(mut self) -> Vec<Node> {
        while !self.open.is_empty() {
            self.end(TagEnd::Paragraph);
        }
        self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.to_owned())
    }

    fn el(kind: Kind, children: Vec<Node>) -> Node {
        Node::Element { kind, children }
    }

    fn links(nodes: &[Node]) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack: Vec<&Node> = nodes.iter().collect();
        while let Some(node) = stack.pop() {
            if let Node::Element { kind, children } = node {
                if let Kind::Link { href } = kind {
                    found.push(href.clone());
                }
                stack.extend(children);
            }
        }
        found
    }

    #[test]
    fn emphasis_code_and_links() {
        let nodes = parse_comment("Hi *there*, `x & y` and [site](https://example.org) :-)");
        assert_eq!(
            nodes,
            vec![el(
                Kind::Paragraph,
                vec![
                    text("Hi "),
                    el(Kind::Emphasis, vec![text("there")]),
                    text(", "),
                    Node::Code("x & y".into()),
                    text(" and "),
                    el(
                        Kind::Link {
                            href: "https://example.org".into()
                        },
                        vec![text("site")]
                    ),
                    text(" :-)"),
                ]
            )]
        );
    }

    #[test]
    fn raw_html_is_text() {
        let nodes = parse_comment("<script>alert(1)</script>\n\nand <b onclick=x>bold</b>");
        assert_eq!(
            nodes,
            vec![
                el(Kind::Paragraph, vec![text("<script>alert(1)</script>\n")]),
                el(Kind::Paragraph, vec![text("and <b onclick=x>bold</b>")]),
            ]
        );
    }

    #[test]
    fn entities_are_decoded_to_text_not_markup() {
        let nodes = parse_comment("Fish &amp; chips &lt;b&gt;");
        assert_eq!(
            nodes,
            vec![el(Kind::Paragraph, vec![text("Fish & chips <b>")])]
        );
    }

    #[test]
    fn unsafe_links_keep_their_text_only() {
        let nodes = parse_comment("[click](javascript:alert(1)) [x](java&#x09;script:alert(1))");
        assert!(links(&nodes).is_empty(), "{nodes:?}");
        assert_eq!(nodes, vec![el(Kind::Paragraph, vec![text("click x")])]);
    }

    #[test]
    fn images_become_links_and_autolinks_work() {
        let nodes = parse_comment(
            "![a cat](https://img.example/cat.png) <https://example.org> <me@example.org> ![x](data:image/png;base64,AA)",
        );
        assert_eq!(
            links(&nodes),
            vec![
                "mailto:me@example.org".to_owned(),
                "https://example.org".to_owned(),
                "https://img.example/cat.png".to_owned(),
            ]
        );
    }

    #[test]
    fn headings_are_capped_to_one_level() {
        let nodes = parse_comment("# Huge\n\n###### tiny");
        assert_eq!(
            nodes,
            vec![
                el(Kind::Heading, vec![text("Huge")]),
                el(Kind::Heading, vec![text("tiny")]),
            ]
        );
    }

    #[test]
    fn lists_quotes_and_code_blocks() {
        let nodes = parse_comment("> quoted\n\n3. three\n4. four\n\n```\nlet x = 1;\n```");
        assert_eq!(
            nodes,
            vec![
                el(Kind::Quote, vec![el(Kind::Paragraph, vec![text("quoted")])]),
                el(
                    Kind::List { start: Some(3) },
                    vec![
                        el(Kind::Item, vec![text("three")]),
                        el(Kind::Item, vec![text("four")]),
                    ]
                ),
                el(Kind::CodeBlock, vec![text("let x = 1;\n")]),
            ]
        );
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let source = format!("{}deep", "> ".repeat(5_000));
        let nodes = parse_comment(&source);
        let mut depth = 0;
        let mut current = &nodes;
        while let Some(Node::Element { children, .. }) = current.first() {
            depth += 1;
            current = children;
        }
        assert!(depth <= MAX_NESTING, "depth {depth}");
        assert_eq!(current, &vec![text("deep")]);
    }
}

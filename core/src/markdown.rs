//! The markdown policy (ARCHITECTURE.md, rule 2), on the server: a comment's markdown is
//! parsed by pulldown-cmark and folded into [`Node`]s (`crate::content`), a tree with only
//! the constructs a comment may use. The widget receives the tree and contains no parser.
//!
//! - Raw HTML, inline or as a block, becomes plain text: `<b>` is shown as `<b>`.
//! - Links survive only with an allowed URL ([`crate::link_policy`]); otherwise their text
//!   stays and the link goes.
//! - Images become links to the image, so reading a thread never fetches from a third party.
//! - Headings of every level become one modest [`Kind::Heading`], so a comment cannot shout
//!   over the page.
//! - As in GitHub's comments, which most readers know: a single line break stays a line
//!   break, and a bare `http://` or `https://` address becomes a link.
//! - Nesting deeper than [`MAX_NESTING`] is flattened into its container, so hostile input
//!   cannot make the renderer recurse without bound.
//! - A body that would make more than [`MAX_NODES`] nodes, or whose parsing takes longer
//!   than [`MAX_PARSE_TIME`], is refused when posted ([`parse_bounded`] says why) and shown as
//!   plain text if it is already stored ([`parse_comment`]): every reader's work per
//!   comment is bounded.

use std::time::Duration;
#[cfg(not(target_arch = "wasm32"))]
use std::time::Instant;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::content::{count_nodes, plain};
pub use crate::content::{Kind, Node};
use crate::link_policy::safe_href;

/// Containers (quotes, lists, emphasis, …) nested deeper than this are flattened.
pub const MAX_NESTING: usize = 16;

/// The most nodes one comment may produce. A long, richly formatted comment uses a few
/// hundred; runs of `*a*` or list markers would make thousands.
pub const MAX_NODES: usize = 1_000;

/// The most time parsing one body may take. pulldown-cmark is linear on what the length
/// limit lets through, so only a far slower machine than expected reaches it.
pub const MAX_PARSE_TIME: Duration = Duration::from_millis(50);

/// Why a body cannot be drawn as markdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormattingError {
    /// More than [`MAX_NODES`] nodes.
    TooManyNodes,
    /// Longer than [`MAX_PARSE_TIME`] to parse.
    TooSlow,
}

/// What readers see of a stored body: its markdown as nodes, or, over the limits, the
/// text as typed ([`Kind::Plain`]).
pub fn parse_comment(source: &str) -> Vec<Node> {
    parse_bounded(source).unwrap_or_else(|_| plain(source))
}

/// The body parsed into nodes, or why it went over the limits.
pub fn parse_bounded(source: &str) -> Result<Vec<Node>, FormattingError> {
    let clock = Clock::start();
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH);
    let mut builder = Builder::default();
    for (index, event) in parser.enumerate() {
        builder.event(event);
        if builder.nodes > MAX_NODES {
            return Err(FormattingError::TooManyNodes);
        }
        if index % 64 == 63 && clock.elapsed() > MAX_PARSE_TIME {
            return Err(FormattingError::TooSlow);
        }
    }
    let nodes = builder.finish();
    // The builder counts as it goes; this is the exact figure (merged text counts once).
    if count_nodes(&nodes) > MAX_NODES {
        return Err(FormattingError::TooManyNodes);
    }
    Ok(nodes)
}

/// Time since parsing began. wasm32-unknown-unknown has no clock in `std` (the widget's
/// browser tests build this module to stand in for the server): there it reads zero.
struct Clock(#[cfg(not(target_arch = "wasm32"))] Instant);

impl Clock {
    fn start() -> Clock {
        Clock(
            #[cfg(not(target_arch = "wasm32"))]
            Instant::now(),
        )
    }

    fn elapsed(&self) -> Duration {
        #[cfg(not(target_arch = "wasm32"))]
        return self.0.elapsed();
        #[cfg(target_arch = "wasm32")]
        return Duration::ZERO;
    }
}

/// Folds the event stream with an explicit stack of open containers.
#[derive(Default)]
struct Builder {
    root: Vec<Node>,
    /// Open containers; `None` marks a tag that was dropped or flattened, kept so that its
    /// end event closes the right thing.
    open: Vec<Option<(Kind, Vec<Node>)>>,
    /// Links and images open (kept or dropped): their text is not searched for addresses.
    in_link: usize,
    /// Code blocks open: their text is code, not prose.
    in_code: usize,
    /// Nodes pushed so far (an upper bound: merged text is counted each time).
    nodes: usize,
    /// Prose gathered from consecutive text events (the parser splits text at every
    /// possible delimiter, `_` in an address included), searched for addresses at once.
    prose: String,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        if let Event::Text(text) = &event {
            if self.in_link == 0 && self.in_code == 0 && self.depth() < MAX_NESTING {
                self.prose.push_str(text);
                return;
            }
        }
        self.flush_prose();
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(end) => self.end(end),
            Event::Text(text) => self.push_text(&text),
            Event::Html(text) | Event::InlineHtml(text) => self.push_text(&text),
            Event::Code(code) => self.push(Node::Code(code.into_string())),
            Event::SoftBreak | Event::HardBreak => self.push(Node::LineBreak),
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
            Tag::CodeBlock(_) => {
                self.in_code += 1;
                Some(Kind::CodeBlock)
            }
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
                self.in_link += 1;
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

    fn end(&mut self, end: TagEnd) {
        match end {
            TagEnd::Link | TagEnd::Image => self.in_link = self.in_link.saturating_sub(1),
            TagEnd::CodeBlock => self.in_code = self.in_code.saturating_sub(1),
            _ => {}
        }
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
        self.nodes += 1;
        self.current().push(node);
    }

    /// Adjacent text is merged so the DOM gets one text node, not one per parser event.
    fn push_text(&mut self, text: &str) {
        self.nodes += 1;
        let target = self.current();
        match target.last_mut() {
            Some(Node::Text(existing)) => existing.push_str(text),
            _ => target.push(Node::Text(text.to_owned())),
        }
    }

    /// The prose gathered so far, with bare web addresses made links.
    fn flush_prose(&mut self) {
        if self.prose.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.prose);
        let mut finder = linkify::LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]);
        for span in finder.spans(&text) {
            let piece = span.as_str();
            let is_web = span.kind().is_some()
                && ["http://", "https://"].iter().any(|scheme| {
                    piece
                        .get(..scheme.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
                });
            match safe_href(piece).filter(|_| is_web) {
                Some(href) => self.push(Node::Element {
                    kind: Kind::Link { href },
                    children: vec![Node::Text(piece.to_owned())],
                }),
                None => self.push_text(piece),
            }
        }
    }

    fn finish(mut self) -> Vec<Node> {
        self.flush_prose();
        while !self.open.is_empty() {
            self.end(TagEnd::Paragraph);
        }
        self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

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
        // Parsed (quotes up to the limit), or, if that took too long on a slow build,
        // shown as plain text: either way bounded.
        assert!(depth <= MAX_NESTING, "depth {depth}");
        assert!(matches!(current.as_slice(), [Node::Text(t)] if t.ends_with("deep")));
    }

    #[test]
    fn a_single_line_break_stays_a_line_break() {
        let nodes = parse_comment("cheers from Slovakia\ni.");
        assert_eq!(
            nodes,
            vec![el(
                Kind::Paragraph,
                vec![text("cheers from Slovakia"), Node::LineBreak, text("i.")]
            )]
        );
    }

    #[test]
    fn bare_web_addresses_become_links_and_nothing_else_does() {
        let nodes = parse_comment(
            "See https://example.org/a_(b)?q=1, or HTTP://EXAMPLE.NET. Not javascript://x%0aalert(1) nor ftp://example.org nor www.example.org",
        );
        assert_eq!(
            links(&nodes),
            vec![
                "HTTP://EXAMPLE.NET".to_owned(),
                "https://example.org/a_(b)?q=1".to_owned(),
            ]
        );
        assert!(text_of(&nodes).contains("Not javascript://x%0aalert(1) nor ftp://example.org"));
        // Inside links and code, addresses stay as written.
        let nodes = parse_comment(
            "[https://a.example](https://b.example) `https://c.example`\n\n    https://d.example",
        );
        assert_eq!(links(&nodes), vec!["https://b.example".to_owned()]);
    }

    #[test]
    fn too_much_formatting_is_refused_and_shown_as_plain_text() {
        let source = "*a* ".repeat(2_500);
        assert_eq!(parse_bounded(&source), Err(FormattingError::TooManyNodes));
        assert_eq!(parse_comment(&source), crate::content::plain(&source));
        let fine =
            "A paragraph with *some* emphasis and a [link](https://example.org).\n\n".repeat(60);
        let parsed = parse_bounded(&fine).expect("within the limits");
        assert!(count_nodes(&parsed) <= MAX_NODES);
        assert_eq!(parse_comment(&fine), parsed);
    }

    #[test]
    fn hostile_bodies_stay_within_the_limits() {
        for pattern in [
            "[", "> ", "*a", "- ", "<!--", "&amp;", "`", "[a](", "_*", "  - x\n",
        ] {
            let source = pattern.repeat(10_000 / pattern.len());
            let started = Instant::now();
            let nodes = parse_comment(&source);
            let took = started.elapsed();
            if std::env::var_os("COLLOQUY_SHOW_PARSE_TIMES").is_some() {
                println!("{pattern:?}: {took:?}, {} nodes", count_nodes(&nodes));
            }
            assert!(count_nodes(&nodes) <= MAX_NODES, "{pattern}");
        }
    }

    fn text_of(nodes: &[Node]) -> String {
        crate::content::text_of(nodes)
    }
}

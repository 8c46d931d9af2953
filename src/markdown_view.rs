//! A comment's content, parsed by the server (`colloquy_core::content`), becomes Yew nodes
//! here, element by element. Text is always a text node, so whatever a reader typed can
//! never become markup (ARCHITECTURE.md, rule 2); the widget contains no markdown parser.

use colloquy_core::content::{plain, Kind, Node};
use colloquy_core::model::Comment;
use yew::prelude::*;

/// The `rel` every link written by a reader carries: no ranking credit, marked as user
/// content, and no window handle or referrer for the target.
pub const READER_LINK_REL: &str = "nofollow ugc noopener noreferrer";

/// What a comment shows: its content, or, from a server older than content trees, its
/// source as plain text (never as markup).
pub fn render_comment_body(comment: &Comment) -> Html {
    if comment.content.is_empty() && !comment.body.is_empty() {
        return render_content(&plain(&comment.body));
    }
    render_content(&comment.content)
}

pub fn render_content(nodes: &[Node]) -> Html {
    nodes.iter().map(render_node).collect()
}

fn render_node(node: &Node) -> Html {
    match node {
        Node::Text(text) => html! { {text.clone()} },
        Node::Code(code) => html! { <code>{code.clone()}</code> },
        Node::LineBreak => html! { <br /> },
        Node::Rule => html! { <hr /> },
        Node::Element { kind, children } => {
            let inner = render_content(children);
            match kind {
                Kind::Paragraph => html! { <p>{inner}</p> },
                Kind::Plain => html! { <p class="plain">{inner}</p> },
                Kind::Heading => html! { <p class="heading"><strong>{inner}</strong></p> },
                Kind::Quote => html! { <blockquote>{inner}</blockquote> },
                Kind::List { start: None } => html! { <ul>{inner}</ul> },
                Kind::List { start: Some(start) } => {
                    html! { <ol start={crate::text::decimal(*start as i64)}>{inner}</ol> }
                }
                Kind::Item => html! { <li>{inner}</li> },
                Kind::CodeBlock => html! { <pre><code>{inner}</code></pre> },
                Kind::Emphasis => html! { <em>{inner}</em> },
                Kind::Strong => html! { <strong>{inner}</strong> },
                Kind::Strikethrough => html! { <del>{inner}</del> },
                Kind::Link { href } => html! {
                    <a href={href.clone()} rel={READER_LINK_REL}>{inner}</a>
                },
            }
        }
    }
}

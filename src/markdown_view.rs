//! Core's markdown nodes become Yew nodes here, element by element. Text is always a text
//! node, so whatever a reader typed can never become markup (ARCHITECTURE.md, rule 2).

use colloquy_core::markdown::{parse_comment, Kind, Node};
use yew::prelude::*;

/// The `rel` every link written by a reader carries: no ranking credit, marked as user
/// content, and no window handle or referrer for the target.
pub const READER_LINK_REL: &str = "nofollow ugc noopener noreferrer";

pub fn render_markdown(source: &str) -> Html {
    parse_comment(source).iter().map(render_node).collect()
}

fn render_node(node: &Node) -> Html {
    match node {
        Node::Text(text) => html! { {text.clone()} },
        Node::Code(code) => html! { <code>{code.clone()}</code> },
        Node::LineBreak => html! { <br /> },
        Node::Rule => html! { <hr /> },
        Node::Element { kind, children } => {
            let inner: Html = children.iter().map(render_node).collect();
            match kind {
                Kind::Paragraph => html! { <p>{inner}</p> },
                Kind::Heading => html! { <p class="heading"><strong>{inner}</strong></p> },
                Kind::Quote => html! { <blockquote>{inner}</blockquote> },
                Kind::List { start: None } => html! { <ul>{inner}</ul> },
                Kind::List { start: Some(start) } => {
                    html! { <ol start={start.to_string()}>{inner}</ol> }
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

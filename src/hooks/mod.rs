//! Behaviour a component takes on in one line, one hook per file.

pub mod use_draft;
pub mod use_effect_when;
pub mod use_held_comments;
pub mod use_live_updates;
pub mod use_now;
pub mod use_post_comment;
pub mod use_preview;

pub use use_draft::{draft_key, use_draft, Drafted};
pub use use_effect_when::use_effect_when;
pub use use_held_comments::{remember_held, use_held_comments};
pub use use_live_updates::use_live_updates;
pub use use_now::use_now;
pub use use_post_comment::use_post_comment;
pub use use_preview::{use_preview, PreviewView};

//! One component per file, its props beside it.

pub mod avatar;
pub mod comment_form;
pub mod comment_thread;
pub mod comment_view;
pub mod form_field;
pub mod news_announcer;
pub mod thread_view;

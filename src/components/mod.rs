//! One component per file, its props beside it, or one part of a view that keeps no state
//! of its own, as a function (`avatar`, `form_field`, `news_announcer`).

pub mod avatar;
pub mod comment_form;
pub mod comment_thread;
pub mod comment_view;
pub mod form_field;
pub mod news_announcer;
pub mod thread_view;

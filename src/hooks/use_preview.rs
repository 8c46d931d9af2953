//! The form's Write / Preview switch: asking the server to parse the body
//! (`POST /api/v1/preview`) and keeping what it said, or why there is nothing to show.

use std::cell::RefCell;
use std::rc::Rc;

use colloquy_core::content::Node;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{read, Api, ApiError};

/// What the Preview shows. The reader's text lives in the form's state and is never
/// touched by any of these.
#[derive(Clone, PartialEq)]
pub enum PreviewView {
    /// Writing: the comment box is shown.
    Off,
    Loading,
    /// The body's content, as a thread would carry it (empty: nothing typed yet).
    Shown(Rc<Vec<Node>>),
    /// In the reader's words: the server's sentence, or the widget's own `failed`.
    Failed(String),
}

/// The switch's state and its two moves: `show(body)` asks for the body's preview, `write`
/// goes back to the comment box. An answer that arrives after the reader moved on (wrote
/// again, or asked again) is dropped.
pub struct Preview {
    pub view: PreviewView,
    pub show: Callback<String>,
    pub write: Callback<()>,
}

/// `failed` is what to say when the server gives no sentence of its own.
#[hook]
pub fn use_preview(api: &Api, failed: &str) -> Preview {
    let view = use_state(|| PreviewView::Off);
    // Bumped by every move, so only the answer to the latest question is shown.
    let asked = use_mut_ref(|| 0u32);
    let write = {
        let (view, asked) = (view.clone(), asked.clone());
        Callback::from(move |()| {
            *asked.borrow_mut() += 1;
            view.set(PreviewView::Off);
        })
    };
    let show = {
        let (view, asked, api) = (view.clone(), asked.clone(), api.clone());
        let failed = failed.to_owned();
        Callback::from(move |body: String| {
            let ticket = next_ticket(&asked);
            if body.trim().is_empty() {
                return view.set(PreviewView::Shown(Rc::default()));
            }
            view.set(PreviewView::Loading);
            let (view, asked, api, failed) =
                (view.clone(), asked.clone(), api.clone(), failed.clone());
            spawn_local(async move {
                let shown = match api
                    .send(api.preview(&body))
                    .await
                    .and_then(read::<colloquy_core::model::Preview>)
                {
                    Ok(answer) => PreviewView::Shown(Rc::new(answer.content)),
                    Err(ApiError::Validation(errors)) => PreviewView::Failed(
                        errors
                            .into_iter()
                            .next()
                            .map_or(failed, |error| error.message),
                    ),
                    Err(ApiError::Refused(_, answer)) => PreviewView::Failed(answer.message),
                    Err(_) => PreviewView::Failed(failed),
                };
                if *asked.borrow() == ticket {
                    view.set(shown);
                }
            });
        })
    };
    Preview {
        view: (*view).clone(),
        show,
        write,
    }
}

fn next_ticket(asked: &Rc<RefCell<u32>>) -> u32 {
    let mut asked = asked.borrow_mut();
    *asked += 1;
    *asked
}

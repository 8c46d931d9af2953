//! Threads a page at a time. A page is a run of top-level conversations in the order asked
//! for (`core::tree::conversations`, the order the widget draws), each with all its
//! replies. The cursor of the next page is the rank of the last conversation shown, so
//! the next page starts after it wherever it now stands: comments arriving meanwhile
//! neither repeat nor skip a conversation (for `top`, a conversation whose likes change
//! may move across the boundary, as ranks do).
//!
//! A cursor is opaque to clients: `c1` and hex digits (the sort, then the rank's fields).

use colloquy_core::model::Comment;
use colloquy_core::tree::{Conversation, Rank, Sort};

/// Conversations per page unless `limit` says otherwise.
/// Twenty: a reader sees as many conversations as they are likely to read before choosing
/// to go on, and a phone draws them within its first-view budget (`cargo xtask bench`).
pub const DEFAULT_LIMIT: usize = 20;
/// The most conversations one page may hold.
pub const MAX_LIMIT: usize = 200;

/// Which conversations a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Window {
    /// The first page, or the one after a cursor's rank.
    After(Option<Rank>),
    /// Every page up to and including the one that holds this comment (for a permalink:
    /// the thread reads on from the start, and "Show more" goes on after it).
    Through(i64),
}

/// The conversations of one page, by position in `conversations`, and whether more follow.
#[derive(Debug, PartialEq, Eq)]
pub struct Selection {
    pub shown: std::ops::Range<usize>,
    pub more: bool,
}

/// The page `window` asks for among `conversations` (sorted), `limit` conversations
/// long. `None` when the comment a permalink names is not in the thread.
pub fn select(
    comments: &[Comment],
    conversations: &[Conversation],
    window: &Window,
    limit: usize,
) -> Option<Selection> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let (start, end) = match window {
        Window::After(None) => (0, limit),
        Window::After(Some(rank)) => {
            let start = conversations.partition_point(|c| c.rank <= *rank);
            (start, start + limit)
        }
        Window::Through(id) => {
            let holding = conversations.iter().position(|conversation| {
                conversation
                    .entries
                    .iter()
                    .any(|entry| comments[entry.index].id == *id)
            })?;
            (0, (holding / limit + 1) * limit)
        }
    };
    let end = end.min(conversations.len());
    let start = start.min(end);
    Some(Selection {
        shown: start..end,
        more: end < conversations.len(),
    })
}

/// The cursor that continues after `rank` in `sort`.
pub fn cursor(sort: Sort, rank: &Rank) -> String {
    let text = format!(
        "{} {} {} {} {} {}",
        sort.as_str(),
        u8::from(rank.unpinned),
        rank.likes,
        rank.replies,
        rank.time,
        rank.id
    );
    format!("c1{}", hex::encode(text))
}

/// Why a cursor was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum CursorError {
    /// Not a cursor this server made.
    Malformed,
    /// Made for another sort order.
    OtherSort,
}

/// The rank a cursor made by [`cursor`] continues after, for `sort`.
pub fn read_cursor(text: &str, sort: Sort) -> Result<Rank, CursorError> {
    let bytes = text
        .strip_prefix("c1")
        .and_then(|digits| hex::decode(digits).ok())
        .ok_or(CursorError::Malformed)?;
    let text = String::from_utf8(bytes).map_err(|_| CursorError::Malformed)?;
    let mut fields = text.split(' ');
    let made_for = fields
        .next()
        .and_then(Sort::parse)
        .ok_or(CursorError::Malformed)?;
    let numbers: Vec<i64> = fields
        .map(|field| field.parse().map_err(|_| CursorError::Malformed))
        .collect::<Result<_, _>>()?;
    let [unpinned, likes, replies, time, id] = numbers[..] else {
        return Err(CursorError::Malformed);
    };
    if made_for != sort {
        return Err(CursorError::OtherSort);
    }
    Ok(Rank {
        unpinned: match unpinned {
            0 => false,
            1 => true,
            _ => return Err(CursorError::Malformed),
        },
        likes,
        replies,
        time,
        id,
    })
}

#[cfg(test)]
mod tests {
    use colloquy_core::tree::conversations;

    use super::*;

    fn comment(id: i64, parent_id: Option<i64>) -> Comment {
        Comment {
            id,
            parent_id,
            author: format!("author {id}"),
            created_at: colloquy_core::time::format_rfc3339(id * 60_000),
            ..Default::default()
        }
    }

    /// Ten conversations (ids 1, 3, 5… each with one reply, the next even id).
    fn thread() -> Vec<Comment> {
        (1..=20)
            .map(|id| comment(id, (id % 2 == 0).then_some(id - 1)))
            .collect()
    }

    fn firsts(comments: &[Comment], conversations: &[Conversation], page: &Selection) -> Vec<i64> {
        conversations[page.shown.clone()]
            .iter()
            .map(|c| comments[c.entries[0].index].id)
            .collect()
    }

    #[test]
    fn pages_follow_each_other_through_their_cursors() {
        let comments = thread();
        for sort in [Sort::Oldest, Sort::Newest, Sort::Top] {
            let sorted = conversations(&comments, sort);
            let mut seen = Vec::new();
            let mut window = Window::After(None);
            loop {
                let page = select(&comments, &sorted, &window, 4).unwrap();
                seen.extend(firsts(&comments, &sorted, &page));
                if !page.more {
                    break;
                }
                let last = &sorted[page.shown.end - 1].rank;
                let next = cursor(sort, last);
                window = Window::After(Some(read_cursor(&next, sort).unwrap()));
            }
            let mut expected: Vec<i64> = (0..10).map(|n| 2 * n + 1).collect();
            if sort == Sort::Newest {
                expected.reverse();
            }
            assert_eq!(seen, expected, "{sort:?}");
        }
    }

    #[test]
    fn a_cursor_survives_new_comments() {
        let mut comments = thread();
        let sorted = conversations(&comments, Sort::Newest);
        let page = select(&comments, &sorted, &Window::After(None), 3).unwrap();
        assert_eq!(firsts(&comments, &sorted, &page), vec![19, 17, 15]);
        let next = cursor(Sort::Newest, &sorted[page.shown.end - 1].rank);
        // Two new conversations arrive at the top, and one of the shown ones is gone.
        comments.push(comment(21, None));
        comments.push(comment(22, None));
        comments.retain(|c| c.id != 15 && c.id != 16);
        let sorted = conversations(&comments, Sort::Newest);
        let rank = read_cursor(&next, Sort::Newest).unwrap();
        let page = select(&comments, &sorted, &Window::After(Some(rank)), 3).unwrap();
        assert_eq!(firsts(&comments, &sorted, &page), vec![13, 11, 9]);
    }

    #[test]
    fn a_permalink_loads_every_page_through_its_own() {
        let comments = thread();
        let sorted = conversations(&comments, Sort::Oldest);
        // Comment 18 answers 17, the ninth conversation: page 3 of pages of four.
        let page = select(&comments, &sorted, &Window::Through(18), 4).unwrap();
        assert_eq!(page.shown, 0..10);
        assert!(!page.more);
        let page = select(&comments, &sorted, &Window::Through(6), 4).unwrap();
        assert_eq!(page.shown, 0..4);
        assert!(page.more);
        assert_eq!(select(&comments, &sorted, &Window::Through(99), 4), None);
    }

    #[test]
    fn bad_cursors_are_told_apart() {
        let rank = Rank {
            unpinned: true,
            likes: -3,
            replies: -1,
            time: 1_700_000_000_000,
            id: 42,
        };
        let text = cursor(Sort::Top, &rank);
        assert_eq!(read_cursor(&text, Sort::Top), Ok(rank));
        assert_eq!(
            read_cursor(&text, Sort::Oldest),
            Err(CursorError::OtherSort)
        );
        for bad in [
            "",
            "c1",
            "c1zz",
            "x1abcd",
            &text[..text.len() - 4],
            "c1746f70",
        ] {
            assert_eq!(
                read_cursor(bad, Sort::Top),
                Err(CursorError::Malformed),
                "{bad}"
            );
        }
    }
}

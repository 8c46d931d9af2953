//! The API returns a thread as a flat list; readers see a conversation. This module decides
//! the order and the depth of every comment.
//!
//! The result is flat too (pre-order with depths) rather than a nested tree: nothing here or
//! in the widget recurses, so a reply chain ten thousand deep costs a loop, not the stack,
//! and the widget caps the indentation without capping what is shown.

use serde::{Deserialize, Serialize};

use crate::model::Comment;

/// How top-level comments are ordered; replies always follow the conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Oldest,
    Newest,
    /// The best liked first: most likes on the conversation's first comment, then most
    /// replies (at any depth), then oldest.
    Top,
}

impl Sort {
    pub fn parse(value: &str) -> Option<Sort> {
        match value {
            "oldest" => Some(Sort::Oldest),
            "newest" => Some(Sort::Newest),
            "top" => Some(Sort::Top),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Oldest => "oldest",
            Sort::Newest => "newest",
            Sort::Top => "top",
        }
    }
}

/// One comment's place in the conversation: `index` into the input slice, `depth` 0 for
/// top-level comments, and `parent`, the index of the comment it is shown under (`None`
/// at the top level).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadEntry {
    pub index: usize,
    pub depth: usize,
    pub parent: Option<usize>,
}

/// Puts replies under their parents, siblings oldest first.
///
/// - A reply whose parent is missing (deleted, or on another page of results) is shown at
///   the top level rather than hidden.
/// - A cycle (only possible through a corrupt store) cannot hang: every comment is placed
///   exactly once, and the oldest comment of a cycle becomes a top-level comment.
/// - A duplicated id keeps its first occurrence.
pub fn build_reply_tree(comments: &[Comment]) -> Vec<ThreadEntry> {
    build_sorted_reply_tree(comments, Sort::Oldest)
}

/// [`build_reply_tree`] with the top-level comments in `sort` order.
pub fn build_sorted_reply_tree(comments: &[Comment], sort: Sort) -> Vec<ThreadEntry> {
    conversations(comments, sort)
        .into_iter()
        .flat_map(|conversation| conversation.entries)
        .collect()
}

/// Where a conversation stands in a sort: conversations come in ascending order of their
/// rank. What the owner pinned leads whatever the sort; then `oldest` orders by time,
/// `newest` by time backwards, and `top` by the first comment's likes, then by the replies
/// at any depth, then oldest first. The comment's id breaks every tie, so no two ranks
/// are equal and a page can start "after" one (the server's cursors are ranks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rank {
    pub unpinned: bool,
    /// Minus the likes for `top`; 0 otherwise.
    pub likes: i64,
    /// Minus the replies for `top`; 0 otherwise.
    pub replies: i64,
    /// Unix milliseconds, negated for `newest`.
    pub time: i64,
    /// The id, negated for `newest`.
    pub id: i64,
}

impl Rank {
    fn of(comment: &Comment, replies: usize, sort: Sort) -> Rank {
        let time = crate::time::parse_rfc3339(&comment.created_at).unwrap_or(0);
        let (likes, replies) = match sort {
            Sort::Top => (
                -(comment.likes.min(i64::MAX as u64) as i64),
                -(replies as i64),
            ),
            _ => (0, 0),
        };
        let (time, id) = match sort {
            Sort::Newest => (-time, -comment.id),
            _ => (time, comment.id),
        };
        Rank {
            unpinned: !comment.pinned,
            likes,
            replies,
            time,
            id,
        }
    }
}

/// One top-level comment and all its replies, in the order they are shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    pub rank: Rank,
    pub entries: Vec<ThreadEntry>,
}

/// The thread as conversations in `sort` order, each its first comment then its replies
/// (siblings oldest first); see [`build_reply_tree`] for orphans, cycles and duplicates.
pub fn conversations(comments: &[Comment], sort: Sort) -> Vec<Conversation> {
    let mut order: Vec<usize> = (0..comments.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&comments[a], &comments[b]);
        (&a.created_at, a.id).cmp(&(&b.created_at, b.id))
    });

    // Each id once, with the index of its first comment in time: a sorted list searched by
    // halves rather than a hash map (the widget then carries no map's code for it).
    let mut first_of_id: Vec<(i64, usize)> = order
        .iter()
        .map(|&index| (comments[index].id, index))
        .collect();
    // Stable: among equal ids the first in time stays first, and is the one kept.
    first_of_id.sort_by_key(|&(id, _)| id);
    first_of_id.dedup_by_key(|&mut (id, _)| id);
    let position_of_id = |id: i64| {
        first_of_id
            .binary_search_by_key(&id, |&(id, _)| id)
            .ok()
            .map(|at| first_of_id[at].1)
    };
    let unique: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&index| position_of_id(comments[index].id) == Some(index))
        .collect();

    // By index into `comments`: a list per comment, no second map.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); comments.len()];
    let mut roots = Vec::new();
    for &index in &unique {
        let comment = &comments[index];
        match comment.parent_id.and_then(position_of_id) {
            Some(parent) if parent != index => children[parent].push(index),
            _ => roots.push(index),
        }
    }

    let replies = count_descendants(&roots, &children);
    let mut ranked: Vec<(Rank, usize)> = roots
        .iter()
        .map(|&root| (Rank::of(&comments[root], replies[root], sort), root))
        .collect();
    ranked.sort_unstable();

    let mut placed = vec![false; comments.len()];
    let mut place_subtree = |root: usize| {
        let mut entries = Vec::new();
        let mut stack = vec![(root, 0usize, None)];
        while let Some((index, depth, parent)) = stack.pop() {
            if std::mem::replace(&mut placed[index], true) {
                continue;
            }
            entries.push(ThreadEntry {
                index,
                depth,
                parent,
            });
            stack.extend(
                children[index]
                    .iter()
                    .rev()
                    .map(|&kid| (kid, depth + 1, Some(index))),
            );
        }
        entries
    };
    let mut conversations: Vec<Conversation> = ranked
        .into_iter()
        .map(|(rank, root)| Conversation {
            rank,
            entries: place_subtree(root),
        })
        .collect();
    // Whatever is left hangs off a cycle: break it at its oldest comment.
    for &index in &unique {
        let entries = place_subtree(index);
        if !entries.is_empty() {
            conversations.push(Conversation {
                rank: Rank::of(&comments[index], entries.len() - 1, sort),
                entries,
            });
        }
    }
    conversations
}

/// Replies under each root, at any depth, counted without recursion, by index into the
/// comments.
fn count_descendants(roots: &[usize], children: &[Vec<usize>]) -> Vec<usize> {
    let mut counts = vec![0; children.len()];
    let mut seen = vec![false; children.len()];
    for &root in roots {
        seen[root] = true;
        let mut stack = vec![root];
        while let Some(index) = stack.pop() {
            for &kid in &children[index] {
                if !std::mem::replace(&mut seen[kid], true) {
                    counts[root] += 1;
                    stack.push(kid);
                }
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_conversations_lead_in_every_sort() {
        let mut comments: Vec<Comment> = (1..=3).map(|id| comment(id, None, id as u32)).collect();
        comments.push(comment(4, Some(1), 5));
        comments[2].pinned = true;
        for sort in [Sort::Oldest, Sort::Newest, Sort::Top] {
            let first = build_sorted_reply_tree(&comments, sort)[0];
            assert_eq!(comments[first.index].id, 3, "{sort:?}");
        }
    }

    #[test]
    fn top_ranks_likes_then_replies_then_age() {
        let mut comments: Vec<Comment> = (1..=4).map(|id| comment(id, None, id as u32)).collect();
        comments.push(comment(5, Some(1), 6));
        comments.push(comment(6, Some(1), 7));
        comments.push(comment(7, Some(2), 8));
        comments[3].likes = 2;
        comments[2].likes = 2;
        let firsts: Vec<i64> = conversations(&comments, Sort::Top)
            .iter()
            .map(|c| comments[c.entries[0].index].id)
            .collect();
        // 3 and 4 have two likes each (3 is older), then 1 (two replies), 2 (one), none.
        assert_eq!(firsts, vec![3, 4, 1, 2]);
        let ranks: Vec<Rank> = conversations(&comments, Sort::Newest)
            .iter()
            .map(|c| c.rank)
            .collect();
        assert!(ranks.windows(2).all(|pair| pair[0] < pair[1]));
    }

    fn comment(id: i64, parent_id: Option<i64>, minute: u32) -> Comment {
        Comment {
            id,
            parent_id,
            author: format!("author {id}"),
            website: None,
            body: format!("body {id}"),
            created_at: format!("2026-01-01T10:{minute:02}:00Z"),
            ..Default::default()
        }
    }

    fn shape(comments: &[Comment]) -> Vec<(i64, usize)> {
        build_reply_tree(comments)
            .into_iter()
            .map(|entry| (comments[entry.index].id, entry.depth))
            .collect()
    }

    #[test]
    fn replies_follow_their_parent_in_conversation_order() {
        let comments = vec![
            comment(1, None, 0),
            comment(2, None, 1),
            comment(3, Some(1), 2),
            comment(4, Some(3), 3),
            comment(5, Some(1), 4),
            comment(6, Some(2), 5),
        ];
        assert_eq!(
            shape(&comments),
            vec![(1, 0), (3, 1), (4, 2), (5, 1), (2, 0), (6, 1)]
        );
    }

    #[test]
    fn each_entry_names_the_comment_it_is_shown_under() {
        // 4 answers 3, which answers 1; 5 answers a comment not in the list.
        let comments = vec![
            comment(4, Some(3), 3),
            comment(1, None, 0),
            comment(3, Some(1), 2),
            comment(5, Some(99), 4),
        ];
        let parents: Vec<(i64, Option<i64>)> = build_reply_tree(&comments)
            .into_iter()
            .map(|e| {
                let parent = e.parent.map(|p| comments[p].id);
                (comments[e.index].id, parent)
            })
            .collect();
        assert_eq!(
            parents,
            vec![(1, None), (3, Some(1)), (4, Some(3)), (5, None)]
        );
    }

    #[test]
    fn input_order_does_not_matter() {
        let mut comments = vec![
            comment(5, Some(1), 4),
            comment(3, Some(1), 2),
            comment(1, None, 0),
        ];
        assert_eq!(shape(&comments), vec![(1, 0), (3, 1), (5, 1)]);
        comments.reverse();
        assert_eq!(shape(&comments), vec![(1, 0), (3, 1), (5, 1)]);
    }

    #[test]
    fn sorting_moves_whole_conversations() {
        let comments = vec![
            comment(1, None, 0),
            comment(2, None, 1),
            comment(3, Some(2), 2),
            comment(4, Some(3), 3),
            comment(5, None, 4),
            comment(6, Some(1), 5),
        ];
        let ids = |sort| -> Vec<(i64, usize)> {
            build_sorted_reply_tree(&comments, sort)
                .into_iter()
                .map(|e| (comments[e.index].id, e.depth))
                .collect()
        };
        assert_eq!(
            ids(Sort::Newest),
            vec![(5, 0), (2, 0), (3, 1), (4, 2), (1, 0), (6, 1)]
        );
        assert_eq!(
            ids(Sort::Top),
            vec![(2, 0), (3, 1), (4, 2), (1, 0), (6, 1), (5, 0)]
        );
        assert_eq!(ids(Sort::Oldest), shape(&comments));
        assert_eq!(Sort::parse("top"), Some(Sort::Top));
        assert_eq!(Sort::parse("best"), None);
    }

    #[test]
    fn orphans_are_shown_at_the_top_level() {
        let comments = vec![comment(1, None, 0), comment(2, Some(99), 1)];
        assert_eq!(shape(&comments), vec![(1, 0), (2, 0)]);
    }

    #[test]
    fn cycles_and_self_parents_terminate_and_show_everything_once() {
        let comments = vec![
            comment(1, Some(2), 0),
            comment(2, Some(1), 1),
            comment(3, Some(3), 2),
            comment(4, Some(2), 3),
        ];
        assert_eq!(shape(&comments), vec![(3, 0), (1, 0), (2, 1), (4, 2)]);
    }

    #[test]
    fn duplicate_ids_keep_the_first() {
        let comments = vec![comment(1, None, 0), comment(1, None, 1)];
        assert_eq!(build_reply_tree(&comments).len(), 1);
    }

    #[test]
    fn a_very_deep_chain_does_not_overflow_the_stack() {
        let depth = 50_000;
        let comments: Vec<Comment> = (0..depth)
            .map(|i| Comment {
                created_at: "2026-01-01T00:00:00Z".into(),
                ..comment(i, (i > 0).then(|| i - 1), 0)
            })
            .collect();
        let entries = build_reply_tree(&comments);
        assert_eq!(entries.len(), depth as usize);
        assert_eq!(entries.last().unwrap().depth, depth as usize - 1);
    }
}

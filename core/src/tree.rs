//! The API returns a thread as a flat list; readers see a conversation. This module decides
//! the order and the depth of every comment.
//!
//! The result is flat too (pre-order with depths) rather than a nested tree: nothing here or
//! in the widget recurses, so a reply chain ten thousand deep costs a loop, not the stack,
//! and the widget caps the indentation without capping what is shown.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::Comment;

/// How top-level comments are ordered; replies always follow the conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Oldest,
    Newest,
    /// The liveliest conversations first: most replies (at any depth), then oldest. Likes
    /// will join this ranking when they exist.
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
/// top-level comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadEntry {
    pub index: usize,
    pub depth: usize,
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
    let mut order: Vec<usize> = (0..comments.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&comments[a], &comments[b]);
        (&a.created_at, a.id).cmp(&(&b.created_at, b.id))
    });

    let mut position_of_id: HashMap<i64, usize> = HashMap::with_capacity(comments.len());
    let mut unique = Vec::with_capacity(comments.len());
    for &index in &order {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            position_of_id.entry(comments[index].id)
        {
            slot.insert(index);
            unique.push(index);
        }
    }

    // By index into `comments`: a list per comment, no second map.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); comments.len()];
    let mut roots = Vec::new();
    for &index in &unique {
        let comment = &comments[index];
        match comment.parent_id.and_then(|p| position_of_id.get(&p)) {
            Some(&parent) if parent != index => children[parent].push(index),
            _ => roots.push(index),
        }
    }

    let mut placed = vec![false; comments.len()];
    let mut entries = Vec::with_capacity(unique.len());
    let mut place_subtree = |root: usize, entries: &mut Vec<ThreadEntry>| {
        let mut stack = vec![(root, 0usize)];
        while let Some((index, depth)) = stack.pop() {
            if std::mem::replace(&mut placed[index], true) {
                continue;
            }
            entries.push(ThreadEntry { index, depth });
            stack.extend(children[index].iter().rev().map(|&kid| (kid, depth + 1)));
        }
    };
    match sort {
        Sort::Oldest => {}
        Sort::Newest => roots.reverse(),
        Sort::Top => {
            let replies = count_descendants(&roots, &children);
            // Stable: equal counts keep conversation order.
            roots.sort_by_key(|&root| std::cmp::Reverse(replies[root]));
        }
    }
    // What the owner pinned leads, whatever the sort; stable, so pins keep their order.
    roots.sort_by_key(|&root| !comments[root].pinned);
    for &root in &roots {
        place_subtree(root, &mut entries);
    }
    // Whatever is left hangs off a cycle: break it at its oldest comment.
    for &index in &unique {
        place_subtree(index, &mut entries);
    }
    entries
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

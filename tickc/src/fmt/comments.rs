//! The script's comments as a queue consumed in source order, and their canonical rendering.
//!
//! The tree does not own comments; the printer asks, before each piece it prints, for the
//! comments that start before that piece and prints them first. Every comment is taken exactly
//! once, so none is lost and their order is kept.

use crate::ast::Comment;

/// Comments not yet printed, in source order.
pub(super) struct CommentQueue<'a> {
    rest: &'a [Comment],
}

impl<'a> CommentQueue<'a> {
    pub(super) fn new(comments: &'a [Comment]) -> Self {
        CommentQueue { rest: comments }
    }

    /// Takes the comments that start before byte `pos`.
    pub(super) fn take_before(&mut self, pos: usize) -> &'a [Comment] {
        let count = self.rest.iter().take_while(|c| c.span.start < pos).count();
        let (taken, rest) = self.rest.split_at(count);
        self.rest = rest;
        taken
    }

    /// Whether a comment starting before byte `pos` is waiting.
    pub(super) fn any_before(&self, pos: usize) -> bool {
        self.rest.first().is_some_and(|c| c.span.start < pos)
    }

    /// Takes every comment left.
    pub(super) fn take_all(&mut self) -> &'a [Comment] {
        std::mem::take(&mut self.rest)
    }
}

/// Writes a group of comment blocks, each line as `{indent}// text\n`.
///
/// Blocks that were separated by a blank line in the source stay separated by one blank line
/// (Kapacitor keeps the spacing between comment blocks, not inside them).
pub(super) fn write_comments(out: &mut String, source: &str, group: &[Comment], indent: &str) {
    let mut previous: Option<&Comment> = None;
    for comment in group {
        if previous.is_some_and(|p| blank_line_between(source, p, comment)) {
            out.push('\n');
        }
        for text in block_lines(source, comment) {
            out.push_str(indent);
            out.push_str("//");
            if !text.is_empty() {
                out.push(' ');
                out.push_str(&text);
            }
            out.push('\n');
        }
        previous = Some(comment);
    }
}

/// The text of each line of a comment block, as Kapacitor keeps it: surrounding whitespace,
/// the `//` and one space after it removed (deeper indentation stays).
///
/// The text is read from the source by span, which is authoritative; the block's own `lines`
/// serve when the span does not index `source` (a tree built by hand).
fn block_lines(source: &str, comment: &Comment) -> Vec<String> {
    let Some(text) = source.get(comment.span.range()) else {
        return comment.lines.iter().map(|line| line.trim_end().to_owned()).collect();
    };
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let text = line.strip_prefix("//").unwrap_or(line);
            text.strip_prefix(' ').unwrap_or(text).to_owned()
        })
        .collect()
}

/// Whether only whitespace lies between two comments and it includes an empty line.
fn blank_line_between(source: &str, first: &Comment, second: &Comment) -> bool {
    let Some(gap) = source.get(first.span.end..second.span.start) else {
        return false;
    };
    if !gap.chars().all(char::is_whitespace) {
        return false;
    }
    // The first comment's span may or may not include the newline that ends it.
    let ends_line = source.get(..first.span.end).is_some_and(|s| s.ends_with('\n'));
    gap.matches('\n').count() + usize::from(ends_line) >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn comment(source: &str, text: &str) -> Comment {
        let start = source.find(text).unwrap();
        Comment { lines: vec![], span: Span::new(start, start + text.len()) }
    }

    #[test]
    fn queue_hands_out_comments_once_in_order() {
        let src = "// a\nx\n// b\ny // c\n";
        let all = [comment(src, "// a"), comment(src, "// b"), comment(src, "// c")];
        let mut queue = CommentQueue::new(&all);
        assert!(queue.take_before(0).is_empty());
        assert_eq!(queue.take_before(5).len(), 1);
        assert!(queue.any_before(src.len()));
        assert!(!queue.any_before(7));
        assert_eq!(queue.take_before(13).len(), 1);
        assert_eq!(queue.take_all().len(), 1);
        assert!(queue.take_all().is_empty());
    }

    #[test]
    fn lines_are_normalised_and_blocks_keep_one_blank_line() {
        let src = "//a  \n//     indented\n//\n\n\n//   b\n";
        let all = [comment(src, "//a  \n//     indented\n//"), comment(src, "//   b")];
        let mut out = String::new();
        write_comments(&mut out, src, &all, "  ");
        assert_eq!(out, "  // a\n  //     indented\n  //\n\n  //   b\n");
    }

    #[test]
    fn lines_come_from_the_block_when_the_span_is_not_in_the_source() {
        let block = Comment { lines: vec!["a  ".into(), "".into()], span: Span::new(50, 60) };
        let mut out = String::new();
        write_comments(&mut out, "", &[block], "");
        assert_eq!(out, "// a\n//\n");
    }
}

//! Comment blocks: consecutive `//` lines with only whitespace between them become one
//! [`Comment`], as Kapacitor's lexer merges them. A blank line or any token ends a block.

use crate::ast::Comment;
use crate::span::Span;

/// Collects comment lines, in source order, into blocks.
#[derive(Debug, Default)]
pub(super) struct CommentBlocks {
    blocks: Vec<Comment>,
}

impl CommentBlocks {
    /// Adds the `//` comment at `span` (which ends before the line's `\n`).
    pub(super) fn push(&mut self, source: &str, span: Span) {
        let line = comment_text(source.get(span.range()).unwrap_or_default());
        if let Some(block) = self.blocks.last_mut()
            && continues_block(source.get(block.span.end..span.start).unwrap_or_default())
        {
            block.lines.push(line);
            block.span = block.span.to(span);
            return;
        }
        self.blocks.push(Comment {
            lines: vec![line],
            span,
        });
    }

    pub(super) fn finish(self) -> Vec<Comment> {
        self.blocks
    }
}

/// The text of a comment line as Kapacitor keeps it: surrounding whitespace, the `//` and one
/// space after it removed.
fn comment_text(raw: &str) -> String {
    let trimmed = raw.trim();
    let text = trimmed.strip_prefix("//").unwrap_or(trimmed);
    text.strip_prefix(' ').unwrap_or(text).to_owned()
}

/// The gap between two comments keeps them in one block when it is a single line break with
/// nothing but whitespace around it.
fn continues_block(gap: &str) -> bool {
    gap.chars().all(char::is_whitespace) && gap.matches('\n').count() == 1
}

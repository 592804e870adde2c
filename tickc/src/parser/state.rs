//! The parser's state: problems found in code that did parse (reported beside chumsky's syntax
//! errors) and the current nesting depth, which bounds recursion.
//!
//! Both are rolled back with the input whenever chumsky backtracks, so an abandoned
//! alternative leaves no diagnostic behind and no depth unaccounted for.

use chumsky::input::{Checkpoint, Cursor, Input};
use chumsky::inspector::Inspector;

use crate::diagnostic::Diagnostic;

/// How many parentheses and unary operators may nest. Each parenthesis costs the
/// recursive-descent parser a deep stack, and every level costs the tree's recursive drop a
/// frame; real scripts use a handful. (In a debug build each parenthesis takes about 30 KiB of
/// stack, so the limit keeps a parse well inside a 2 MiB test thread.)
pub(super) const MAX_NESTING: usize = 32;

#[derive(Debug)]
pub(super) struct ParseState<'src> {
    pub(super) source: &'src str,
    pub(super) diagnostics: Vec<Diagnostic>,
    depth: usize,
}

/// What [`ParseState`] restores on a rewind.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    depth: usize,
    diagnostics: usize,
}

impl<'src> ParseState<'src> {
    pub(super) fn new(source: &'src str) -> Self {
        ParseState {
            source,
            diagnostics: Vec::new(),
            depth: 0,
        }
    }

    /// Opens one level of nesting; false when that would exceed [`MAX_NESTING`].
    pub(super) fn enter(&mut self) -> bool {
        if self.depth >= MAX_NESTING {
            return false;
        }
        self.depth += 1;
        true
    }

    pub(super) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    pub(super) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// True when only whitespace precedes `offset` on its line.
    pub(super) fn starts_line(&self, offset: usize) -> bool {
        let before = self.source.get(..offset).unwrap_or_default();
        before
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .trim()
            .is_empty()
    }
}

impl<'src, I: Input<'src>> Inspector<'src, I> for ParseState<'src> {
    type Checkpoint = Mark;

    fn on_token(&mut self, _: &I::Token) {}

    fn on_save<'parse>(&self, _: &Cursor<'src, 'parse, I>) -> Mark {
        Mark {
            depth: self.depth,
            diagnostics: self.diagnostics.len(),
        }
    }

    fn on_rewind<'parse>(&mut self, marker: &Checkpoint<'src, 'parse, I, Mark>) {
        let mark = marker.inspector();
        self.depth = mark.depth;
        self.diagnostics.truncate(mark.diagnostics);
    }
}

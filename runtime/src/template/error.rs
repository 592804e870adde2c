//! The error a template reports, when it is parsed or executed: a message and the byte
//! range of the template text it is about.

use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte range in the template source.
    pub span: Range<usize>,
    pub message: String,
    pub phase: Phase,
}

/// When the error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Parse,
    Execute,
}

impl TemplateError {
    pub(crate) fn parse(span: Range<usize>, message: impl Into<String>) -> TemplateError {
        TemplateError {
            span,
            message: message.into(),
            phase: Phase::Parse,
        }
    }

    pub(crate) fn execute(span: Range<usize>, message: impl Into<String>) -> TemplateError {
        TemplateError {
            span,
            message: message.into(),
            phase: Phase::Execute,
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.phase {
            Phase::Parse => "template",
            Phase::Execute => "executing template",
        };
        write!(f, "{what}: {} (at byte {})", self.message, self.span.start)
    }
}

impl std::error::Error for TemplateError {}

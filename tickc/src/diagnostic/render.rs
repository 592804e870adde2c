//! Rendering of diagnostics: human text with the source line and a caret, or JSON lines.

//! Parser: tokens to the syntax tree (chumsky), recovering at statement boundaries.

//! Checker tests: one per class of diagnostic, and the conformance corpus.

//! Checker: resolves vars, validates every node, property and lambda against the catalogue.

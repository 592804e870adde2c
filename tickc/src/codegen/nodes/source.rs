//! The roots, `stream` and `batch`: they pass every message to their children and count them.

use quote::quote;

use super::NodeCode;

pub(super) fn generate() -> NodeCode {
    NodeCode {
        passes_through: true,
        ..NodeCode::plain(quote!(rt::Source), quote!(rt::Source))
    }
}

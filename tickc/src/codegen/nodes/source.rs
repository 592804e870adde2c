//! The roots, `stream` and `batch`: they pass every message to their children and count them.

use quote::quote;

use super::NodeCode;

pub(super) fn generate() -> NodeCode {
    NodeCode::plain(quote!(rt::Source), quote!(rt::Source)).in_place()
}

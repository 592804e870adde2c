//! The alert handler table: each handler's arguments and its own properties.

use super::*;

pub static HANDLERS: &[HandlerSpec] = &[];

//! The alert node (`|alert()`): levels from lambda expressions, the per-group state machine
//! (history, flapping, stateChangesOnly, durations), events rendered through the `.id()`,
//! `.message()` and `.details()` templates, and the handlers that deliver them.

pub mod config;
pub mod event;
mod groups;
pub mod handlers;
pub mod inhibit;
pub mod level;
pub mod node;
pub mod services;
mod snapshot;
pub mod state;
pub mod topic;

pub use config::{AlertConfig, AlertTap, AlertTemplates, Annotations, ConfigError, DetailsTemplate};
pub use event::{Details, Event, EventSource};
pub use handlers::{ExecHandler, Handler, HandlerError, LogHandler, PostHandler, TcpHandler};
pub use inhibit::{Inhibit, Inhibitors};
pub use level::{AlertLevels, Level, LevelCheck, LevelLambda};
pub use node::{AlertNode, AlertStats};
pub use state::{AlertState, Flapping, StatePolicy};

#[cfg(test)]
mod conformance_tests;

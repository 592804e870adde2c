//! tickc: a compiler from TICKscript, the task language of Kapacitor, to native Rust programs.
//!
//! The stages, one folder each: [`lexer`] → [`parser`] (an [`ast::Program`]) → [`check`]
//! against the [`catalogue`] → (later) IR and code generation. Every stage reports problems as
//! [`diagnostic::Diagnostic`]s.

pub mod ast;
pub mod build;
pub mod catalogue;
pub mod check;
pub mod client;
pub mod cli;
pub mod codegen;
pub mod diagnostic;
pub mod files;
pub mod embed;
pub mod fmt;
pub mod import;
pub mod ir;
pub mod lexer;
pub mod manifest;
pub mod parser;
pub mod routes;
pub mod span;
pub mod testing;
pub mod vars;

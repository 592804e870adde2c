//! The batch query node (`batch|query('SELECT …')`): when its queries run, the InfluxQL text
//! each run sends, and the batches each reply becomes.
//!
//! Kapacitor's rules (kapacitor-semantics.md "Batch queries", and its `query.go`/`batch.go`):
//! - A schedule ticks at `every` (optionally aligned: ticks rounded to the nearest multiple of
//!   `every`) or by a cron expression. A tick at `t` queries `[t - offset - period, t - offset)`.
//!   A replay over `[start, stop]` runs the ticks after `start` up to and including `stop`.
//! - The time range is appended to the query's WHERE as `AND time >= '…' AND time < '…'`,
//!   without parentheses, so `WHERE a OR b` becomes `WHERE a OR b AND time >= …` (InfluxQL's
//!   precedence then applies, as in Kapacitor).
//! - The node's `.groupBy()` replaces whatever GROUP BY the text has (no `.groupBy()` removes
//!   it); a time dimension always carries its offset (`time(1m, 0s)`); `.alignGroup()` sets
//!   that offset to the query start modulo the time dimension. A `.fill()` replaces the
//!   text's fill; without one the text's fill is kept.
//! - A batch's time is the query's stop, unless the query groups by time and the batch has
//!   points: then it is its latest point's time.
//!
//! Kapacitor re-prints the parsed query; we splice the text instead, which InfluxDB parses the
//! same way. Only the clause boundaries are found (outside strings, quoted identifiers, regexes
//! and parentheses); full validation of the InfluxQL is InfluxDB's when the query runs.

use std::fmt;
use std::str::FromStr;

use croner::Cron;

use crate::influxdb::response::{ResponseError, Series, series_to_batch};
use crate::influxdb::{InfluxDbClient, InfluxDbError};
use crate::point::{Batch, Time};
use crate::time::{Rfc3339Nano, format_influxql_duration};

mod cron;

use cron::{next_cron_match, parse_cron};

/// One dimension of the node's `.groupBy(...)`.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupByDimension {
    /// `time(length[, offset])`.
    Time {
        length: i64,
        offset: i64,
    },
    Tag(String),
    /// `*`: every tag.
    AllTags,
}

/// The node's `.fill(...)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Fill {
    Null,
    None,
    Previous,
    Linear,
    Int(i64),
    Float(f64),
}

impl FromStr for Fill {
    type Err = QueryConfigError;

    /// The string spellings of `.fill('…')`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "null" => Ok(Fill::Null),
            "none" => Ok(Fill::None),
            "previous" => Ok(Fill::Previous),
            "linear" => Ok(Fill::Linear),
            other => Err(QueryConfigError::BadFill(other.to_owned())),
        }
    }
}

/// The query node's properties, as the task script sets them (durations in nanoseconds).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryConfig {
    /// The InfluxQL text of `|query('…')`.
    pub query: String,
    pub period: i64,
    /// 0 when not set.
    pub every: i64,
    pub cron: Option<String>,
    pub offset: i64,
    pub align: bool,
    pub align_group: bool,
    pub group_by: Vec<GroupByDimension>,
    pub group_by_measurement: bool,
    pub fill: Option<Fill>,
}

/// Why a query node cannot run (Kapacitor refuses such a task when it starts).
#[derive(Debug, Clone, PartialEq)]
pub enum QueryConfigError {
    Statements(usize),
    NotSelect,
    NoFrom,
    /// A string, quoted identifier or regex that never ends.
    Unterminated(&'static str),
    UnbalancedParentheses,
    TwoTimeDimensions,
    EveryAndCron,
    NoSchedule,
    NegativeEvery,
    BadFill(String),
    BadCron {
        expression: String,
        reason: String,
    },
}

impl fmt::Display for QueryConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryConfigError::Statements(n) => {
                write!(
                    f,
                    "query must be a single select statement, got {n} statements"
                )
            }
            QueryConfigError::NotSelect => f.write_str("query is not a SELECT statement"),
            QueryConfigError::NoFrom => f.write_str("query has no FROM clause"),
            QueryConfigError::Unterminated(what) => write!(f, "query has an unterminated {what}"),
            QueryConfigError::UnbalancedParentheses => {
                f.write_str("query has unbalanced parentheses")
            }
            QueryConfigError::TwoTimeDimensions => {
                f.write_str("groupBy cannot have more than one time dimension")
            }
            QueryConfigError::EveryAndCron => {
                f.write_str("must not set both 'every' and 'cron' properties")
            }
            QueryConfigError::NoSchedule => f.write_str("must define one of 'every' or 'cron'"),
            QueryConfigError::NegativeEvery => f.write_str("'every' duration must be non-negative"),
            QueryConfigError::BadFill(fill) => {
                write!(
                    f,
                    "unexpected fill option {fill:?}: expected null, none, previous, linear or a number"
                )
            }
            QueryConfigError::BadCron { expression, reason } => {
                write!(f, "invalid cron expression {expression:?}: {reason}")
            }
        }
    }
}

impl std::error::Error for QueryConfigError {}

/// The time range one run of the query covers: `[start, stop)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryWindow {
    pub start: Time,
    pub stop: Time,
}

/// When the queries run.
#[derive(Debug, Clone)]
enum Ticker {
    Every { every: i64, align: bool },
    Cron(Box<Cron>),
}

/// A configured query node.
#[derive(Debug, Clone)]
pub struct QueryNode {
    template: QueryTemplate,
    ticker: Ticker,
    period: i64,
    offset: i64,
    time_dimension: Option<(i64, i64)>,
    align_group: bool,
    by_measurement: bool,
}

impl QueryNode {
    pub fn new(config: &QueryConfig) -> Result<Self, QueryConfigError> {
        let template = QueryTemplate::parse(&config.query)?;
        let mut time_dimensions = config.group_by.iter().filter_map(|d| match d {
            GroupByDimension::Time { length, offset } => Some((*length, *offset)),
            _ => None,
        });
        let time_dimension = time_dimensions.next();
        if time_dimensions.next().is_some() {
            return Err(QueryConfigError::TwoTimeDimensions);
        }
        let ticker = match (config.every, &config.cron) {
            (every, Some(_)) if every != 0 => return Err(QueryConfigError::EveryAndCron),
            (every, None) if every > 0 => Ticker::Every {
                every,
                align: config.align,
            },
            (_, Some(expression)) => {
                Ticker::Cron(Box::new(parse_cron(expression).map_err(|e| {
                    QueryConfigError::BadCron {
                        expression: expression.clone(),
                        reason: e.reason,
                    }
                })?))
            }
            (every, None) if every < 0 => return Err(QueryConfigError::NegativeEvery),
            _ => return Err(QueryConfigError::NoSchedule),
        };
        let mut node = QueryNode {
            template,
            ticker,
            period: config.period,
            offset: config.offset,
            time_dimension,
            align_group: config.align_group,
            by_measurement: config.group_by_measurement,
        };
        node.template.dimensions = render_dimensions(&config.group_by);
        if let Some(fill) = &config.fill {
            node.template.fill = render_fill(fill);
        }
        Ok(node)
    }

    /// Whether the query groups by time (then a batch's time is its latest point's).
    pub fn is_grouped_by_time(&self) -> bool {
        self.time_dimension.is_some()
    }

    /// Whether batches are grouped by measurement as well as by their tags.
    pub fn groups_by_measurement(&self) -> bool {
        self.by_measurement
    }

    /// The first tick of the schedule after `time` (none when a cron expression never matches
    /// again).
    pub fn next_tick(&self, time: Time) -> Option<Time> {
        match &self.ticker {
            Ticker::Every { every, align } => {
                let next = time.saturating_add(*every);
                Some(if *align { go_round(next, *every) } else { next })
            }
            Ticker::Cron(cron) => next_cron_match(cron, time),
        }
    }

    /// The window a run at `tick` queries.
    pub fn window_at(&self, tick: Time) -> QueryWindow {
        let stop = tick.saturating_sub(self.offset);
        QueryWindow {
            start: stop.saturating_sub(self.period),
            stop,
        }
    }

    /// The windows of a replay over `[start, stop]` as if the task had been scheduled then
    /// (Kapacitor's replay-live): the ticks after `start` up to and including `stop`, leaving
    /// out those whose window would end after `now` (the data is not there yet).
    pub fn replay_windows(&self, start: Time, stop: Time, now: Time) -> ReplayWindows<'_> {
        ReplayWindows {
            node: self,
            current: start,
            stop,
            now,
        }
    }

    /// The next wall-clock tick for a live task, given the previous tick (none before the
    /// first) and the time now. Like Kapacitor's tickers: `every` ticks every `every` from when
    /// the task started, aligned ones on multiples of `every`, a cron expression at its next
    /// match; ticks missed while a slow query ran are skipped, not run late in a burst.
    pub fn next_live_tick(&self, previous: Option<Time>, now: Time) -> Option<Time> {
        match &self.ticker {
            Ticker::Every {
                every,
                align: false,
            } => {
                let Some(previous) = previous else {
                    return Some(now.saturating_add(*every));
                };
                let next = previous.saturating_add(*every);
                if next > now {
                    return Some(next);
                }
                let missed = (now - next) / every + 1;
                Some(next.saturating_add(missed.saturating_mul(*every)))
            }
            Ticker::Every { every, align: true } => {
                let from = previous.map_or(now, |p| p.max(now));
                Some(go_truncate(from, *every).saturating_add(*every))
            }
            Ticker::Cron(cron) => next_cron_match(cron, previous.map_or(now, |p| p.max(now))),
        }
    }

    /// The InfluxQL text to send for `window`.
    pub fn query_text(&self, window: QueryWindow) -> String {
        let group_offset = match self.time_dimension {
            Some((length, _)) if self.align_group && length > 0 => Some(window.start % length),
            Some((_, offset)) => Some(offset),
            None => None,
        };
        self.template.render(window, group_offset)
    }

    /// The batches of a query's reply: one per series, with Kapacitor's batch time.
    pub fn batches(
        &self,
        window: QueryWindow,
        series: Vec<Series>,
    ) -> Result<Vec<Batch>, ResponseError> {
        series
            .into_iter()
            .map(|series| {
                let mut batch = series_to_batch(series, self.by_measurement)?;
                if batch.points.is_empty() || !self.is_grouped_by_time() {
                    batch.time = window.stop;
                }
                Ok(batch)
            })
            .collect()
    }

    /// Runs the query for `window` against InfluxDB and returns its batches.
    pub fn run(
        &self,
        client: &InfluxDbClient,
        window: QueryWindow,
    ) -> Result<Vec<Batch>, InfluxDbError> {
        let series = client.select(&self.query_text(window), None)?;
        Ok(self.batches(window, series)?)
    }
}

/// The windows of a replay, in time order (see [`QueryNode::replay_windows`]).
#[derive(Debug, Clone)]
pub struct ReplayWindows<'a> {
    node: &'a QueryNode,
    current: Time,
    stop: Time,
    now: Time,
}

impl Iterator for ReplayWindows<'_> {
    type Item = QueryWindow;

    fn next(&mut self) -> Option<QueryWindow> {
        let tick = self.node.next_tick(self.current)?;
        // A schedule that cannot move forward (a saturated clock) must not loop forever.
        if tick > self.stop || tick <= self.current {
            self.current = self.stop;
            return None;
        }
        self.current = tick;
        let window = self.node.window_at(tick);
        if window.stop > self.now {
            self.current = self.stop;
            return None;
        }
        Some(window)
    }
}

/// Nanoseconds from Go's zero time (January 1, year 1, UTC) to the Unix epoch: Go rounds and
/// truncates times relative to its zero time, which differs from the epoch for durations that
/// do not divide a day (a week, for instance).
const GO_ZERO_TO_UNIX_NANOS: i128 = 62_135_596_800 * 1_000_000_000;

/// `time` minus its remainder modulo `every` since Go's zero time (Go's `Time.Truncate`).
fn go_truncate(time: Time, every: i64) -> Time {
    if every <= 0 {
        return time;
    }
    let remainder = (i128::from(time) + GO_ZERO_TO_UNIX_NANOS).rem_euclid(i128::from(every));
    // The remainder is below `every`, an i64.
    time.saturating_sub(remainder as i64)
}

/// `time` rounded to the nearest multiple of `every` since Go's zero time, halves up (Go's
/// `Time.Round`).
fn go_round(time: Time, every: i64) -> Time {
    let down = go_truncate(time, every);
    let remainder = time - down;
    if every > 0 && remainder.saturating_mul(2) >= every {
        down.saturating_add(every)
    } else {
        down
    }
}

/// `.groupBy(...)` as InfluxQL GROUP BY dimensions; the time offset is filled in per query.
fn render_dimensions(dimensions: &[GroupByDimension]) -> Vec<RenderedDimension> {
    dimensions
        .iter()
        .map(|d| match d {
            GroupByDimension::Time { length, .. } => {
                RenderedDimension::Time(format_influxql_duration(*length))
            }
            GroupByDimension::Tag(tag) => RenderedDimension::Text(quote_identifier(tag)),
            GroupByDimension::AllTags => RenderedDimension::Text("*".to_owned()),
        })
        .collect()
}

/// The fill clause for `.fill(...)`; InfluxQL's default is null, written as no clause.
fn render_fill(fill: &Fill) -> Option<String> {
    match fill {
        Fill::Null => None,
        Fill::None => Some("fill(none)".to_owned()),
        Fill::Previous => Some("fill(previous)".to_owned()),
        Fill::Linear => Some("fill(linear)".to_owned()),
        Fill::Int(n) => Some(format!("fill({n})")),
        Fill::Float(x) => Some(format!("fill({x})")),
    }
}

/// A double-quoted InfluxQL identifier.
pub(crate) fn quote_identifier(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Debug, Clone, PartialEq)]
enum RenderedDimension {
    /// `time(<length>, <offset>)`: the length as written here, the offset per query.
    Time(String),
    Text(String),
}

/// The query text cut at its clause boundaries, ready to have the time range and the node's
/// dimensions and fill put in.
#[derive(Debug, Clone, PartialEq)]
struct QueryTemplate {
    /// `SELECT … FROM …`.
    select_from: String,
    /// The WHERE condition, without `WHERE`.
    condition: Option<String>,
    dimensions: Vec<RenderedDimension>,
    /// `fill(…)`.
    fill: Option<String>,
    /// ORDER BY, LIMIT, OFFSET, SLIMIT, SOFFSET and tz() clauses.
    tail: Option<String>,
}

impl QueryTemplate {
    fn parse(text: &str) -> Result<Self, QueryConfigError> {
        let clauses = find_clauses(text)?;
        let piece = |from: usize, to: usize| {
            let piece = text.get(from..to).unwrap_or("").trim();
            (!piece.is_empty()).then(|| piece.to_owned())
        };
        let end = clauses.end;
        let after_where = [clauses.group_by, clauses.fill, clauses.tail]
            .into_iter()
            .flatten()
            .next();
        let select_end = clauses.where_.or(after_where).unwrap_or(end);
        let fill_end = clauses.tail.unwrap_or(end);
        Ok(QueryTemplate {
            select_from: piece(0, select_end).unwrap_or_default(),
            condition: clauses
                .where_
                .and_then(|w| piece(w + "WHERE".len(), after_where.unwrap_or(end))),
            dimensions: Vec::new(),
            fill: clauses.fill.and_then(|f| piece(f, fill_end)),
            tail: clauses.tail.and_then(|t| piece(t, end)),
        })
    }

    fn render(&self, window: QueryWindow, group_offset: Option<i64>) -> String {
        let mut out = self.select_from.clone();
        out.push_str(" WHERE ");
        if let Some(condition) = &self.condition {
            out.push_str(condition);
            out.push_str(" AND ");
        }
        out.push_str(&format!(
            "time >= '{}' AND time < '{}'",
            Rfc3339Nano(window.start),
            Rfc3339Nano(window.stop)
        ));
        for (i, dimension) in self.dimensions.iter().enumerate() {
            out.push_str(if i == 0 { " GROUP BY " } else { ", " });
            match dimension {
                RenderedDimension::Time(length) => {
                    let offset = format_influxql_duration(group_offset.unwrap_or(0));
                    out.push_str(&format!("time({length}, {offset})"));
                }
                RenderedDimension::Text(text) => out.push_str(text),
            }
        }
        for clause in [&self.fill, &self.tail].into_iter().flatten() {
            out.push(' ');
            out.push_str(clause);
        }
        out
    }
}

/// Where the top-level clauses of a SELECT start (byte offsets into the text).
#[derive(Debug, Default)]
struct Clauses {
    where_: Option<usize>,
    group_by: Option<usize>,
    fill: Option<usize>,
    tail: Option<usize>,
    /// The end of the statement (before a trailing `;`).
    end: usize,
}

/// Finds the top-level clause keywords of a single SELECT statement.
fn find_clauses(text: &str) -> Result<Clauses, QueryConfigError> {
    let tokens = tokenize(text)?;
    let statements = split_statements(&tokens);
    if statements.len() != 1 {
        return Err(QueryConfigError::Statements(statements.len()));
    }
    let statement = statements[0];
    let is_word = |token: Option<&Token>, word: &str| matches!(token, Some(Token { kind: TokenKind::Word, text: t, .. }) if t.eq_ignore_ascii_case(word));
    if !is_word(statement.first(), "SELECT") {
        return Err(QueryConfigError::NotSelect);
    }
    let mut clauses = Clauses {
        end: statement.last().map_or(0, |t| t.end),
        ..Clauses::default()
    };
    let mut seen_from = false;
    for (i, token) in statement.iter().enumerate() {
        if token.depth != 0 || token.kind != TokenKind::Word {
            continue;
        }
        let next = statement.get(i + 1);
        let word = token.text.to_ascii_uppercase();
        let found = match word.as_str() {
            "FROM" => {
                seen_from = true;
                None
            }
            "WHERE" => Some(&mut clauses.where_),
            "GROUP" if is_word(next, "BY") => Some(&mut clauses.group_by),
            "FILL" | "TZ" if next.is_some_and(|n| n.kind == TokenKind::Open) => {
                if word == "FILL" {
                    Some(&mut clauses.fill)
                } else {
                    Some(&mut clauses.tail)
                }
            }
            "ORDER" if is_word(next, "BY") => Some(&mut clauses.tail),
            "LIMIT" | "OFFSET" | "SLIMIT" | "SOFFSET" => Some(&mut clauses.tail),
            _ => None,
        };
        // Keywords before FROM belong to the field list (`SELECT "limit"` aside, InfluxQL
        // reserves them, so they only appear there inside function calls, at depth > 0).
        if let Some(slot) = found.filter(|_| seen_from) {
            slot.get_or_insert(token.start);
        }
    }
    if !seen_from {
        return Err(QueryConfigError::NoFrom);
    }
    Ok(clauses)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// A bare word: a keyword, an identifier or a number.
    Word,
    Open,
    Close,
    Semicolon,
    /// `=~` or `!~`: a regex follows.
    RegexOperator,
    /// Anything else: strings, quoted identifiers, regexes, operators, punctuation.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: TokenKind,
    text: &'a str,
    start: usize,
    end: usize,
    /// Parentheses open around the token.
    depth: usize,
}

/// Splits InfluxQL into the tokens that matter for finding clauses: words, parentheses and
/// semicolons, with strings, quoted identifiers, regexes and comments skipped whole.
fn tokenize(text: &str) -> Result<Vec<Token<'_>>, QueryConfigError> {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token<'_>> = Vec::new();
    let mut depth = 0_usize;
    let mut pos = 0;
    while let Some(&b) = bytes.get(pos) {
        let start = pos;
        let kind = match b {
            b if b.is_ascii_whitespace() => {
                pos += 1;
                continue;
            }
            b'-' if bytes.get(pos + 1) == Some(&b'-') => {
                pos = text[pos..].find('\n').map_or(bytes.len(), |n| pos + n);
                continue;
            }
            b'\'' | b'"' => {
                pos = skip_quoted(bytes, pos, b).ok_or(QueryConfigError::Unterminated(
                    if b == b'"' {
                        "quoted identifier"
                    } else {
                        "string"
                    },
                ))?;
                TokenKind::Other
            }
            b'/' if regex_may_start(&tokens) => {
                pos =
                    skip_quoted(bytes, pos, b'/').ok_or(QueryConfigError::Unterminated("regex"))?;
                TokenKind::Other
            }
            b'(' => {
                pos += 1;
                depth += 1;
                TokenKind::Open
            }
            b')' => {
                pos += 1;
                depth = depth
                    .checked_sub(1)
                    .ok_or(QueryConfigError::UnbalancedParentheses)?;
                TokenKind::Close
            }
            b';' => {
                pos += 1;
                TokenKind::Semicolon
            }
            b'=' | b'!' if bytes.get(pos + 1) == Some(&b'~') => {
                pos += 2;
                TokenKind::RegexOperator
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => {
                while bytes
                    .get(pos)
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80)
                {
                    pos += 1;
                }
                TokenKind::Word
            }
            _ => {
                pos += 1;
                TokenKind::Other
            }
        };
        let token_depth = if kind == TokenKind::Open {
            depth - 1
        } else {
            depth
        };
        tokens.push(Token {
            kind,
            text: &text[start..pos],
            start,
            end: pos,
            depth: token_depth,
        });
    }
    if depth != 0 {
        return Err(QueryConfigError::UnbalancedParentheses);
    }
    Ok(tokens)
}

/// Whether a `/` here opens a regex rather than dividing: after `=~`/`!~`, and where a FROM
/// clause names measurements (`FROM /re/`, `FROM db.rp./re/`, `FROM a, /re/`).
fn regex_may_start(tokens: &[Token<'_>]) -> bool {
    let Some(last) = tokens.last() else {
        return false;
    };
    match last.kind {
        TokenKind::RegexOperator => true,
        TokenKind::Word => last.text.eq_ignore_ascii_case("FROM"),
        TokenKind::Other if matches!(last.text, "." | ",") => {
            // In the FROM clause: the last top-level keyword before this is FROM.
            tokens
                .iter()
                .rev()
                .filter(|t| t.kind == TokenKind::Word && t.depth == last.depth)
                .find(|t| {
                    ["FROM", "WHERE", "GROUP", "SELECT", "BY"]
                        .iter()
                        .any(|k| t.text.eq_ignore_ascii_case(k))
                })
                .is_some_and(|t| t.text.eq_ignore_ascii_case("FROM"))
        }
        _ => false,
    }
}

/// The byte after the closing `quote` of a quoted item starting at `start`, honouring
/// backslash escapes.
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut pos = start + 1;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'\\' => pos += 2,
            b if b == quote => return Some(pos + 1),
            _ => pos += 1,
        }
    }
    None
}

/// The non-empty statements of a token list, split at top-level semicolons.
fn split_statements<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    tokens
        .split(|t| t.kind == TokenKind::Semicolon && t.depth == 0)
        .filter(|statement| !statement.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    const SECOND: i64 = 1_000_000_000;
    const MINUTE: i64 = 60 * SECOND;

    fn at(text: &str) -> Time {
        parse_rfc3339(text).unwrap()
    }

    fn config(query: &str) -> QueryConfig {
        QueryConfig {
            query: query.to_owned(),
            period: 5 * MINUTE,
            every: 5 * MINUTE,
            ..QueryConfig::default()
        }
    }

    fn node(config: &QueryConfig) -> QueryNode {
        QueryNode::new(config).unwrap()
    }

    /// The windows of a replay, as `start..stop` lines.
    fn windows(node: &QueryNode, start: &str, stop: &str) -> String {
        node.replay_windows(at(start), at(stop), Time::MAX)
            .map(|w| format!("{}..{}", Rfc3339Nano(w.start), Rfc3339Nano(w.stop)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn text(config: &QueryConfig) -> String {
        let window = QueryWindow {
            start: at("2023-11-14T22:15:00Z"),
            stop: at("2023-11-14T22:20:00Z"),
        };
        node(config).query_text(window)
    }

    #[test]
    fn every_ticks_after_start_up_to_and_including_stop() {
        let mut c = config("SELECT v FROM m");
        c.period = MINUTE;
        c.every = MINUTE;
        insta::assert_snapshot!(windows(&node(&c), "2023-11-14T22:15:17Z", "2023-11-14T22:19:17Z"), @r"
        2023-11-14T22:15:17Z..2023-11-14T22:16:17Z
        2023-11-14T22:16:17Z..2023-11-14T22:17:17Z
        2023-11-14T22:17:17Z..2023-11-14T22:18:17Z
        2023-11-14T22:18:17Z..2023-11-14T22:19:17Z
        ");
    }

    #[test]
    fn align_rounds_ticks_to_the_nearest_multiple() {
        let mut c = config("SELECT v FROM m");
        c.period = 30 * SECOND;
        c.every = MINUTE;
        c.align = true;
        // 22:15:40 + 1m rounds up to 22:17, not down to 22:16.
        insta::assert_snapshot!(windows(&node(&c), "2023-11-14T22:15:40Z", "2023-11-14T22:19:00Z"), @r"
        2023-11-14T22:16:30Z..2023-11-14T22:17:00Z
        2023-11-14T22:17:30Z..2023-11-14T22:18:00Z
        2023-11-14T22:18:30Z..2023-11-14T22:19:00Z
        ");
        // 22:15:17 + 1m rounds down.
        c.period = MINUTE;
        insta::assert_snapshot!(windows(&node(&c), "2023-11-14T22:15:17Z", "2023-11-14T22:19:17Z"), @r"
        2023-11-14T22:15:00Z..2023-11-14T22:16:00Z
        2023-11-14T22:16:00Z..2023-11-14T22:17:00Z
        2023-11-14T22:17:00Z..2023-11-14T22:18:00Z
        2023-11-14T22:18:00Z..2023-11-14T22:19:00Z
        ");
    }

    #[test]
    fn offset_and_period_shape_each_window() {
        let mut c = config("SELECT v FROM m");
        c.period = 10 * MINUTE;
        c.every = 5 * MINUTE;
        c.offset = MINUTE;
        insta::assert_snapshot!(windows(&node(&c), "2023-11-14T22:00:00Z", "2023-11-14T22:15:00Z"), @r"
        2023-11-14T21:54:00Z..2023-11-14T22:04:00Z
        2023-11-14T21:59:00Z..2023-11-14T22:09:00Z
        2023-11-14T22:04:00Z..2023-11-14T22:14:00Z
        ");
    }

    #[test]
    fn windows_ending_after_now_are_not_run() {
        let c = config("SELECT v FROM m");
        let n = node(&c);
        let all: Vec<_> = n
            .replay_windows(
                at("2023-11-14T22:00:00Z"),
                at("2023-11-14T23:00:00Z"),
                at("2023-11-14T22:12:00Z"),
            )
            .collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].stop, at("2023-11-14T22:10:00Z"));
    }

    #[test]
    fn cron_schedules_use_kapacitors_field_counts() {
        let mut c = config("SELECT v FROM m");
        c.every = 0;
        c.period = MINUTE;
        // Five fields: minutes first; seconds are 0.
        c.cron = Some("*/2 * * * *".to_owned());
        insta::assert_snapshot!(windows(&node(&c), "2023-11-14T22:15:30Z", "2023-11-14T22:20:00Z"), @r"
        2023-11-14T22:15:00Z..2023-11-14T22:16:00Z
        2023-11-14T22:17:00Z..2023-11-14T22:18:00Z
        2023-11-14T22:19:00Z..2023-11-14T22:20:00Z
        ");
        // Seven fields: seconds first, a year last.
        c.cron = Some("30 * * * * * 2023".to_owned());
        insta::assert_snapshot!(windows(&node(&c), "2023-11-14T22:15:30Z", "2023-11-14T22:17:30Z"), @r"
        2023-11-14T22:15:30Z..2023-11-14T22:16:30Z
        2023-11-14T22:16:30Z..2023-11-14T22:17:30Z
        ");
        // Six fields: a year last, so no match after 2023.
        c.cron = Some("* * * * * 2023".to_owned());
        assert_eq!(
            windows(&node(&c), "2023-12-31T23:58:30Z", "2024-01-01T00:10:00Z")
                .lines()
                .count(),
            1
        );
        c.cron = Some("* * *".to_owned());
        insta::assert_snapshot!(QueryNode::new(&c).unwrap_err(), @r#"invalid cron expression "* * *": expected 5 to 7 fields, got 3"#);
        c.cron = Some("61 * * * *".to_owned());
        assert!(QueryNode::new(&c).is_err());
    }

    #[test]
    fn schedule_errors() {
        let mut c = config("SELECT v FROM m");
        c.cron = Some("* * * * *".to_owned());
        insta::assert_snapshot!(QueryNode::new(&c).unwrap_err(), @"must not set both 'every' and 'cron' properties");
        c.cron = None;
        c.every = 0;
        insta::assert_snapshot!(QueryNode::new(&c).unwrap_err(), @"must define one of 'every' or 'cron'");
        c.every = -MINUTE;
        insta::assert_snapshot!(QueryNode::new(&c).unwrap_err(), @"'every' duration must be non-negative");
        c.every = MINUTE;
        c.group_by = vec![
            GroupByDimension::Time {
                length: MINUTE,
                offset: 0,
            },
            GroupByDimension::Time {
                length: 2 * MINUTE,
                offset: 0,
            },
        ];
        insta::assert_snapshot!(QueryNode::new(&c).unwrap_err(), @"groupBy cannot have more than one time dimension");
    }

    #[test]
    fn live_ticks() {
        let mut c = config("SELECT v FROM m");
        c.every = MINUTE;
        let now = at("2023-11-14T22:15:17Z");
        let n = node(&c);
        assert_eq!(n.next_live_tick(None, now), Some(now + MINUTE));
        assert_eq!(
            n.next_live_tick(Some(now), now + 10 * SECOND),
            Some(now + MINUTE)
        );
        // Three ticks missed: the next one is on the same grid, after now.
        assert_eq!(
            n.next_live_tick(Some(now), now + 3 * MINUTE + SECOND),
            Some(now + 4 * MINUTE)
        );
        c.align = true;
        let n = node(&c);
        assert_eq!(
            n.next_live_tick(None, now),
            Some(at("2023-11-14T22:16:00Z"))
        );
        assert_eq!(
            n.next_live_tick(Some(at("2023-11-14T22:16:00Z")), at("2023-11-14T22:16:00Z")),
            Some(at("2023-11-14T22:17:00Z"))
        );
        c.align = false;
        c.every = 0;
        c.cron = Some("0 * * * *".to_owned());
        let n = node(&c);
        assert_eq!(
            n.next_live_tick(None, now),
            Some(at("2023-11-14T23:00:00Z"))
        );
    }

    #[test]
    fn go_rounding_is_relative_to_year_one() {
        let week = 7 * 24 * 60 * MINUTE;
        // Go's zero time was a Monday; the Unix epoch a Thursday.
        assert_eq!(
            go_truncate(at("2023-11-16T12:00:00Z"), week),
            at("2023-11-13T00:00:00Z")
        );
        assert_eq!(
            go_round(at("2023-11-16T12:00:00Z"), week),
            at("2023-11-20T00:00:00Z")
        );
        assert_eq!(
            go_round(at("2023-11-14T22:15:30Z"), MINUTE),
            at("2023-11-14T22:16:00Z")
        );
        assert_eq!(
            go_round(at("2023-11-14T22:15:29Z"), MINUTE),
            at("2023-11-14T22:15:00Z")
        );
        assert_eq!(go_truncate(-1, SECOND), -SECOND);
    }

    #[test]
    fn time_range_is_appended_to_the_where() {
        insta::assert_snapshot!(text(&config("SELECT mean(usage_idle) FROM \"telegraf\".\"autogen\".\"cpu\"")),
            @r#"SELECT mean(usage_idle) FROM "telegraf"."autogen"."cpu" WHERE time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z'"#);
        insta::assert_snapshot!(text(&config("SELECT temp FROM sensor WHERE host = 'a' OR temp < 20")),
            @"SELECT temp FROM sensor WHERE host = 'a' OR temp < 20 AND time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z'");
        // Keywords inside strings, quoted identifiers and regexes are not clauses.
        insta::assert_snapshot!(text(&config(r#"select "where" from m where s = 'GROUP BY x' and h =~ /fill(|limit/"#)),
            @r#"select "where" from m WHERE s = 'GROUP BY x' and h =~ /fill(|limit/ AND time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z'"#);
        insta::assert_snapshot!(text(&config("SELECT mean(v) FROM \"db\".\"rp\"./^(cpu|disk)$/ WHERE a = 'it\\'s'")),
            @r#"SELECT mean(v) FROM "db"."rp"./^(cpu|disk)$/ WHERE a = 'it\'s' AND time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z'"#);
        // A trailing semicolon and the whitespace of a triple-quoted script string go.
        insta::assert_snapshot!(text(&config("\n    SELECT v\n    FROM m;\n")),
            @"SELECT v
    FROM m WHERE time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z'");
    }

    #[test]
    fn group_by_replaces_the_texts_and_carries_the_time_offset() {
        let mut c = config("SELECT max(v) FROM m GROUP BY host");
        insta::assert_snapshot!(text(&c),
            @"SELECT max(v) FROM m WHERE time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z'");
        c.group_by = vec![
            GroupByDimension::Time {
                length: MINUTE,
                offset: 0,
            },
            GroupByDimension::Tag("cpu".into()),
        ];
        insta::assert_snapshot!(text(&c),
            @r#"SELECT max(v) FROM m WHERE time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z' GROUP BY time(1m, 0s), "cpu""#);
        c.group_by = vec![
            GroupByDimension::Time {
                length: 2 * MINUTE,
                offset: 30 * SECOND,
            },
            GroupByDimension::AllTags,
        ];
        insta::assert_snapshot!(text(&c),
            @"SELECT max(v) FROM m WHERE time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z' GROUP BY time(2m, 30s), *");
        c.group_by = vec![GroupByDimension::Tag("we\"ird".into())];
        insta::assert_snapshot!(text(&c),
            @r#"SELECT max(v) FROM m WHERE time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z' GROUP BY "we\"ird""#);
    }

    #[test]
    fn align_group_offsets_buckets_to_the_query_start() {
        let mut c = config("SELECT sum(v) FROM m");
        c.group_by = vec![GroupByDimension::Time {
            length: MINUTE,
            offset: 10 * SECOND,
        }];
        c.align_group = true;
        let n = node(&c);
        let window = n.window_at(at("2023-11-14T22:20:30Z"));
        insta::assert_snapshot!(n.query_text(window),
            @"SELECT sum(v) FROM m WHERE time >= '2023-11-14T22:15:30Z' AND time < '2023-11-14T22:20:30Z' GROUP BY time(1m, 30s)");
    }

    #[test]
    fn fill_replaces_or_keeps_the_texts() {
        let mut c = config(
            "SELECT mean(v) FROM m WHERE a = 1 GROUP BY time(10s) fill(0) ORDER BY time DESC LIMIT 5 tz('UTC')",
        );
        c.group_by = vec![GroupByDimension::Time {
            length: MINUTE,
            offset: 0,
        }];
        insta::assert_snapshot!(text(&c),
            @"SELECT mean(v) FROM m WHERE a = 1 AND time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z' GROUP BY time(1m, 0s) fill(0) ORDER BY time DESC LIMIT 5 tz('UTC')");
        let fills = [
            (Fill::Null, ""),
            (Fill::None, " fill(none)"),
            (Fill::Previous, " fill(previous)"),
            (Fill::Linear, " fill(linear)"),
            (Fill::Int(-3), " fill(-3)"),
            (Fill::Float(2.5), " fill(2.5)"),
        ];
        for (fill, expected) in fills {
            c.fill = Some(fill);
            let text = text(&c);
            let expected =
                format!("GROUP BY time(1m, 0s){expected} ORDER BY time DESC LIMIT 5 tz('UTC')");
            assert!(text.ends_with(&expected), "{text}");
        }
        // fill() written without GROUP BY, as InfluxQL allows.
        let c = config("SELECT mean(v) FROM m fill(0)");
        insta::assert_snapshot!(text(&c),
            @"SELECT mean(v) FROM m WHERE time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z' fill(0)");
        assert_eq!("linear".parse::<Fill>(), Ok(Fill::Linear));
        insta::assert_snapshot!("zero".parse::<Fill>().unwrap_err(),
            @r#"unexpected fill option "zero": expected null, none, previous, linear or a number"#);
    }

    #[test]
    fn queries_that_cannot_run() {
        let cases = [
            (
                "SELECT v FROM m; SELECT w FROM m",
                "query must be a single select statement, got 2 statements",
            ),
            (
                "",
                "query must be a single select statement, got 0 statements",
            ),
            ("SHOW DATABASES", "query is not a SELECT statement"),
            ("DROP DATABASE x", "query is not a SELECT statement"),
            ("SELECT 1", "query has no FROM clause"),
            (
                "SELECT v FROM m WHERE a = 'open",
                "query has an unterminated string",
            ),
            (
                "SELECT v FROM \"m",
                "query has an unterminated quoted identifier",
            ),
            ("SELECT v FROM /m", "query has an unterminated regex"),
            ("SELECT mean(v FROM m", "query has unbalanced parentheses"),
            ("SELECT mean(v)) FROM m", "query has unbalanced parentheses"),
        ];
        for (query, expected) in cases {
            assert_eq!(
                QueryNode::new(&config(query)).unwrap_err().to_string(),
                expected,
                "{query}"
            );
        }
        // Subqueries keep their own clauses.
        insta::assert_snapshot!(text(&config("SELECT max(m) FROM (SELECT mean(v) AS m FROM x WHERE a = 1 GROUP BY time(1m)) LIMIT 1")),
            @"SELECT max(m) FROM (SELECT mean(v) AS m FROM x WHERE a = 1 GROUP BY time(1m)) WHERE time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z' LIMIT 1");
        // A division is not a regex.
        insta::assert_snapshot!(text(&config("SELECT v / 2 FROM m WHERE v / 2 > 1")),
            @"SELECT v / 2 FROM m WHERE v / 2 > 1 AND time >= '2023-11-14T22:15:00Z' AND time < '2023-11-14T22:20:00Z'");
    }

    fn series(json: &str) -> Vec<Series> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn batch_times_follow_kapacitor() {
        let reply = r#"[{"name":"cpu","tags":{"cpu":"a"},"columns":["time","mean"],"values":[[60,1],[120,2],[180,null]]},
                        {"name":"cpu","tags":{"cpu":"b"},"columns":["time","mean"],"values":[[60,null]]}]"#;
        let window = QueryWindow {
            start: 0,
            stop: 300,
        };
        let mut c = config("SELECT mean(v) FROM cpu");
        // Not grouped by time: the query's stop.
        let batches = node(&c).batches(window, series(reply)).unwrap();
        assert_eq!(
            batches.iter().map(|b| b.time).collect::<Vec<_>>(),
            [300, 300]
        );
        // Grouped by time: the latest point; an empty batch still gets the stop.
        c.group_by = vec![
            GroupByDimension::Time {
                length: 60,
                offset: 0,
            },
            GroupByDimension::Tag("cpu".into()),
        ];
        c.group_by_measurement = true;
        let batches = node(&c).batches(window, series(reply)).unwrap();
        assert_eq!(
            batches.iter().map(|b| b.time).collect::<Vec<_>>(),
            [120, 300]
        );
        assert_eq!(batches[0].group.as_str(), "cpu\ncpu=a");
        assert_eq!(batches[0].points.len(), 2);
        assert!(batches[1].points.is_empty());
    }
}

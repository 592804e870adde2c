//! InfluxDB subscriptions for the stream tasks: InfluxDB forwards every write to a subscribed
//! database and retention policy to our `/write`, as it does for Kapacitor.
//!
//! Kapacitor names its subscriptions `kapacitor-<cluster id>`, subscribes in mode ANY with one
//! destination (`http://<hostname>:<http port>`), keeps one that already matches, and drops
//! and recreates one of its own whose destination changed. We do the same under our own name
//! (`tickc-<host name>` by default), but only for the stream tasks' dbrps, and remove our
//! subscriptions again on a clean shutdown so InfluxDB does not keep sending to a program that
//! is gone.

use std::fmt;

use serde_json::Value;

use super::{InfluxDbClient, InfluxDbError, Series};
use crate::node::query::quote_identifier;

/// A database and retention policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dbrp {
    pub database: String,
    pub retention_policy: String,
}

impl fmt::Display for Dbrp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}",
            quote_identifier(&self.database),
            quote_identifier(&self.retention_policy)
        )
    }
}

/// Our subscription: its name and where InfluxDB sends the writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub name: String,
    /// `http://host:port` of our server, as InfluxDB must reach it.
    pub destination: String,
}

/// A subscription InfluxDB has (one row of `SHOW SUBSCRIPTIONS`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Existing {
    dbrp: Dbrp,
    name: String,
    destinations: Vec<String>,
}

/// What linking does for one dbrp.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// Ours is there with our destination.
    Keep,
    Create,
    /// Ours is there but sends elsewhere (an earlier run on another port, say).
    Replace,
}

/// Why a subscription could not be listed, created or removed.
#[derive(Debug)]
pub enum SubscriptionError {
    List(InfluxDbError),
    Create { dbrp: Dbrp, error: InfluxDbError },
    Drop { dbrp: Dbrp, error: InfluxDbError },
}

impl fmt::Display for SubscriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubscriptionError::List(error) => {
                write!(f, "cannot list InfluxDB's subscriptions: {error}")
            }
            SubscriptionError::Create { dbrp, error } => {
                write!(f, "cannot subscribe to {dbrp}: {error}")
            }
            SubscriptionError::Drop { dbrp, error } => {
                write!(f, "cannot remove the subscription on {dbrp}: {error}")
            }
        }
    }
}

impl std::error::Error for SubscriptionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SubscriptionError::List(error)
            | SubscriptionError::Create { error, .. }
            | SubscriptionError::Drop { error, .. } => Some(error),
        }
    }
}

/// Our subscriptions in place on one InfluxDB, removed by [`Subscriptions::unlink`].
#[derive(Debug)]
pub struct Subscriptions {
    client: InfluxDbClient,
    subscription: Subscription,
    linked: Vec<Dbrp>,
}

impl Subscriptions {
    /// Subscribes `subscription` to each of `dbrps` (duplicates once). Each dbrp stands on its
    /// own: one that fails (a database that does not exist yet) is reported and the others
    /// are still linked.
    pub fn link(
        client: &InfluxDbClient,
        subscription: &Subscription,
        dbrps: impl IntoIterator<Item = Dbrp>,
    ) -> (Subscriptions, Vec<SubscriptionError>) {
        let mut subscriptions = Subscriptions {
            client: client.clone(),
            subscription: subscription.clone(),
            linked: Vec::new(),
        };
        let mut wanted: Vec<Dbrp> = dbrps.into_iter().collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return (subscriptions, Vec::new());
        }
        let existing = match client.select("SHOW SUBSCRIPTIONS", None) {
            Ok(series) => parse_subscriptions(&series),
            Err(error) => return (subscriptions, vec![SubscriptionError::List(error)]),
        };
        let mut errors = Vec::new();
        for dbrp in wanted {
            let outcome = match plan(&existing, subscription, &dbrp) {
                Action::Keep => Ok(()),
                Action::Create => subscriptions.create(&dbrp),
                Action::Replace => subscriptions
                    .drop_on(&dbrp)
                    .and_then(|()| subscriptions.create(&dbrp)),
            };
            match outcome {
                Ok(()) => subscriptions.linked.push(dbrp),
                Err(error) => errors.push(error),
            }
        }
        (subscriptions, errors)
    }

    /// The dbrps our subscription is in place on.
    pub fn linked(&self) -> &[Dbrp] {
        &self.linked
    }

    /// Removes our subscriptions, so InfluxDB stops sending to us.
    pub fn unlink(self) -> Vec<SubscriptionError> {
        self.linked
            .iter()
            .filter_map(|dbrp| self.drop_on(dbrp).err())
            .collect()
    }

    fn create(&self, dbrp: &Dbrp) -> Result<(), SubscriptionError> {
        self.client
            .execute(&create_statement(&self.subscription, dbrp))
            .map(drop)
            .map_err(|error| SubscriptionError::Create {
                dbrp: dbrp.clone(),
                error,
            })
    }

    fn drop_on(&self, dbrp: &Dbrp) -> Result<(), SubscriptionError> {
        let statement = format!(
            "DROP SUBSCRIPTION {} ON {dbrp}",
            quote_identifier(&self.subscription.name)
        );
        self.client
            .execute(&statement)
            .map(drop)
            .map_err(|error| SubscriptionError::Drop {
                dbrp: dbrp.clone(),
                error,
            })
    }
}

fn create_statement(subscription: &Subscription, dbrp: &Dbrp) -> String {
    format!(
        "CREATE SUBSCRIPTION {} ON {dbrp} DESTINATIONS ANY {}",
        quote_identifier(&subscription.name),
        quote_string(&subscription.destination)
    )
}

/// What to do about `dbrp`, given the subscriptions InfluxDB has.
fn plan(existing: &[Existing], subscription: &Subscription, dbrp: &Dbrp) -> Action {
    let ours = existing
        .iter()
        .find(|e| e.dbrp == *dbrp && e.name == subscription.name);
    match ours {
        None => Action::Create,
        Some(e) if e.destinations == [subscription.destination.as_str()] => Action::Keep,
        Some(_) => Action::Replace,
    }
}

/// The rows of `SHOW SUBSCRIPTIONS`: a series per database, with the columns
/// `retention_policy`, `name`, `mode` and `destinations`. Rows that do not have that shape are
/// left out.
fn parse_subscriptions(series: &[Series]) -> Vec<Existing> {
    let mut out = Vec::new();
    for s in series {
        let column = |name: &str| s.columns.iter().position(|c| c == name);
        let (Some(rp), Some(name), Some(destinations)) = (
            column("retention_policy"),
            column("name"),
            column("destinations"),
        ) else {
            continue;
        };
        for row in &s.values {
            let text = |i: usize| row.get(i).and_then(Value::as_str).map(str::to_owned);
            let (Some(retention_policy), Some(name)) = (text(rp), text(name)) else {
                continue;
            };
            let destinations = row
                .get(destinations)
                .and_then(Value::as_array)
                .map(|d| d.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            out.push(Existing {
                dbrp: Dbrp {
                    database: s.name.clone(),
                    retention_policy,
                },
                name,
                destinations,
            });
        }
    }
    out
}

/// A single-quoted InfluxQL string literal.
fn quote_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dbrp(database: &str, retention_policy: &str) -> Dbrp {
        Dbrp {
            database: database.into(),
            retention_policy: retention_policy.into(),
        }
    }

    fn ours() -> Subscription {
        Subscription {
            name: "tickc-host".into(),
            destination: "http://10.0.0.5:9092".into(),
        }
    }

    #[test]
    fn show_subscriptions_rows_are_read() {
        let series: Vec<Series> = serde_json::from_str(
            r#"[{"name":"telegraf","columns":["retention_policy","name","mode","destinations"],
                 "values":[["autogen","tickc-host","ANY",["http://10.0.0.5:9092"]],
                           ["autogen","kapacitor-abc","ANY",["http://k:9092","http://k2:9092"]],
                           [1,"bad row","ANY",[]]]},
                {"name":"other","columns":["name"],"values":[["no rp column"]]}]"#,
        )
        .unwrap();
        let existing = parse_subscriptions(&series);
        assert_eq!(existing.len(), 2);
        assert_eq!(existing[1].name, "kapacitor-abc");
        assert_eq!(existing[1].destinations, ["http://k:9092", "http://k2:9092"]);
        assert_eq!(plan(&existing, &ours(), &dbrp("telegraf", "autogen")), Action::Keep);
        assert_eq!(plan(&existing, &ours(), &dbrp("telegraf", "week")), Action::Create);
        let moved = Subscription {
            destination: "http://10.0.0.5:9093".into(),
            ..ours()
        };
        assert_eq!(plan(&existing, &moved, &dbrp("telegraf", "autogen")), Action::Replace);
    }

    #[test]
    fn statements_quote_names_and_the_destination() {
        let subscription = Subscription {
            name: "tickc-we\"ird".into(),
            destination: "http://it's:9092".into(),
        };
        insta::assert_snapshot!(create_statement(&subscription, &dbrp("tele graf", "auto\"gen")),
            @r#"CREATE SUBSCRIPTION "tickc-we\"ird" ON "tele graf"."auto\"gen" DESTINATIONS ANY 'http://it\'s:9092'"#);
    }

    #[test]
    fn an_unreachable_influxdb_is_a_clear_error() {
        let client = InfluxDbClient::new(&super::super::InfluxDbConfig::new("http://127.0.0.1:9")).unwrap();
        let (subscriptions, errors) =
            Subscriptions::link(&client, &ours(), [dbrp("a", "b"), dbrp("a", "b")]);
        assert!(subscriptions.linked().is_empty());
        assert_eq!(errors.len(), 1);
        let message = errors[0].to_string();
        assert!(message.starts_with("cannot list InfluxDB's subscriptions: cannot reach InfluxDB"), "{message}");
        // Nothing to subscribe to: InfluxDB is not even asked.
        let (_, errors) = Subscriptions::link(&client, &ours(), []);
        assert!(errors.is_empty());
    }

    /// Against the real InfluxDB of `INFLUXDB_URL` (tests/run.sh starts one), when set.
    #[test]
    fn link_keep_replace_and_unlink_on_a_real_influxdb() {
        let Some(url) = std::env::var("INFLUXDB_URL").ok().filter(|u| !u.is_empty()) else {
            eprintln!("skipped: INFLUXDB_URL is not set");
            return;
        };
        let client = InfluxDbClient::new(&super::super::InfluxDbConfig::new(url)).unwrap();
        let database = format!("subscriptions_test_{}", std::process::id());
        client.execute(&format!("CREATE DATABASE {}", quote_identifier(&database))).unwrap();
        let ours_on = |client: &InfluxDbClient| -> Vec<Vec<String>> {
            let series = client.select("SHOW SUBSCRIPTIONS", None).unwrap();
            parse_subscriptions(&series)
                .into_iter()
                .filter(|e| e.dbrp.database == database && e.name == ours().name)
                .map(|e| e.destinations)
                .collect()
        };
        let wanted = || [dbrp(&database, "autogen"), dbrp(&database, "no_such_rp")];
        let (first, errors) = Subscriptions::link(&client, &ours(), wanted());
        assert_eq!(first.linked(), [dbrp(&database, "autogen")]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].to_string().contains("no_such_rp"), "{}", errors[0]);
        assert_eq!(ours_on(&client), [["http://10.0.0.5:9092"]]);
        // Linking again keeps it; with another destination replaces it.
        let (_, errors) = Subscriptions::link(&client, &ours(), wanted());
        assert_eq!(errors.len(), 1, "{errors:?}");
        let moved = Subscription {
            destination: "http://10.0.0.5:9093".into(),
            ..ours()
        };
        let (second, _) = Subscriptions::link(&client, &moved, wanted());
        assert_eq!(ours_on(&client), [["http://10.0.0.5:9093"]]);
        assert!(second.unlink().is_empty());
        assert!(ours_on(&client).is_empty());
        // The first one's subscription is gone already: removing it again is an error.
        assert_eq!(first.unlink().len(), 1);
        client.execute(&format!("DROP DATABASE {}", quote_identifier(&database))).unwrap();
    }
}

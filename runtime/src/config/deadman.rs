//! `[deadman]`: the id and message every `|deadman()` alert is given, and the deadman Kapacitor
//! adds to every task's source when `global = true` (with this section's threshold and
//! interval). Read when a task starts, as Kapacitor reads `kapacitor.conf`: editing the file
//! and restarting changes the deadman alerts of tasks already compiled.

use serde::{Deserialize, Deserializer};

use super::duration_nanos;
use crate::point::Time;
use crate::template::Template;
use crate::time::format_go_duration;

/// Kapacitor's default id; `NODE_NAME` becomes the name of the node the deadman watches.
pub const DEFAULT_ID: &str = "{{ .Group }}:NODE_NAME for task '{{ .TaskName }}'";
/// Kapacitor's default message; `INTERVAL` becomes the deadman's interval, as Go prints it.
pub const DEFAULT_MESSAGE: &str = "{{ .ID }} is {{ if eq .Level \"OK\" }}alive{{ else }}dead{{ end }}: {{ index .Fields \"emitted\" | printf \"%0.3f\" }} points/INTERVAL.";

const NODE_NAME: &str = "NODE_NAME";
const INTERVAL: &str = "INTERVAL";

/// `[deadman]`, with Kapacitor's key names and defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct DeadmanSection {
    /// The global deadman's interval, in nanoseconds (default 10s).
    #[serde(deserialize_with = "positive_duration")]
    pub interval: i64,
    /// The global deadman's threshold in points per interval (default 0: alert when none).
    pub threshold: f64,
    /// The alert id template of every deadman.
    #[serde(deserialize_with = "template")]
    pub id: String,
    /// The alert message template of every deadman.
    #[serde(deserialize_with = "template")]
    pub message: String,
    /// Whether every task gets a deadman on its source node.
    pub global: bool,
}

impl Default for DeadmanSection {
    fn default() -> Self {
        DeadmanSection {
            interval: 10_000_000_000,
            threshold: 0.0,
            id: DEFAULT_ID.to_owned(),
            message: DEFAULT_MESSAGE.to_owned(),
            global: false,
        }
    }
}

impl DeadmanSection {
    /// The alert id template of a deadman watching node `observed` (its first `NODE_NAME`
    /// replaced, as Kapacitor does).
    pub fn alert_id(&self, observed: &str) -> String {
        self.id.replacen(NODE_NAME, observed, 1)
    }

    /// The alert message template of a deadman checking every `interval` nanoseconds (its
    /// first `INTERVAL` replaced by the interval as Go prints it, `10s` or `1m0s`).
    pub fn alert_message(&self, interval: Time) -> String {
        self.message.replacen(INTERVAL, &format_go_duration(interval), 1)
    }
}

/// A duration above zero: a deadman checks every `interval`.
fn positive_duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match duration_nanos(deserializer)? {
        0 => Err(serde::de::Error::custom("the deadman interval must be above zero")),
        nanos => Ok(nanos),
    }
}

/// A template that must parse once its markers are replaced, so a bad one stops the program
/// at start-up, naming the line of the file, rather than each task that uses it.
fn template<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    let filled = text.replacen(NODE_NAME, "node", 1).replacen(INTERVAL, "10s", 1);
    match Template::parse(&filled) {
        Ok(_) => Ok(text),
        Err(e) => Err(serde::de::Error::custom(format!("{text:?} is not a template: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::ProgramConfig;

    #[test]
    fn kapacitor_defaults_fill_the_markers() {
        let deadman = ProgramConfig::parse("").unwrap().deadman;
        assert!(!deadman.global);
        assert_eq!((deadman.interval, deadman.threshold), (10_000_000_000, 0.0));
        insta::assert_snapshot!(deadman.alert_id("from1"), @"{{ .Group }}:from1 for task '{{ .TaskName }}'");
        insta::assert_snapshot!(deadman.alert_message(60_000_000_000), @r#"{{ .ID }} is {{ if eq .Level "OK" }}alive{{ else }}dead{{ end }}: {{ index .Fields "emitted" | printf "%0.3f" }} points/1m0s."#);
    }

    #[test]
    fn the_section_is_read_by_kapacitor_names() {
        let text = "[deadman]\ninterval = \"1m\"\nthreshold = 2.5\nid = \"dead NODE_NAME\"\nmessage = \"{{ .ID }} quiet for INTERVAL\"\nglobal = true\n";
        let deadman = ProgramConfig::parse(text).unwrap().deadman;
        assert!(deadman.global);
        assert_eq!((deadman.interval, deadman.threshold), (60_000_000_000, 2.5));
        assert_eq!(deadman.alert_id("stream0"), "dead stream0");
        assert_eq!(deadman.alert_message(1_500_000_000), "{{ .ID }} quiet for 1.5s");
    }

    #[test]
    fn a_bad_template_or_interval_names_the_line() {
        let error = ProgramConfig::parse("[deadman]\nglobal = true\nmessage = \"{{ .ID \"\n").unwrap_err();
        assert!(error.contains("line 3") && error.contains("not a template"), "{error}");
        let error = ProgramConfig::parse("[deadman]\ninterval = \"often\"\n").unwrap_err();
        assert!(error.contains("line 2") && error.contains("often"), "{error}");
        assert!(ProgramConfig::parse("[deadman]\ninterval = \"0s\"\n").unwrap_err().contains("above zero"));
    }
}

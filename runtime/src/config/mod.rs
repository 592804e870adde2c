//! The configuration of a task program: what Kapacitor keeps in `kapacitor.conf`, read from a
//! TOML file in the same section names (`[http]`, `[[influxdb]]`, `[slack]`, ...), so an
//! operator's existing file carries over. Flags and environment variables override it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use crate::expr::duration::parse_duration;
use crate::node::idle_groups::DEFAULT_IDLE_TIMEOUT;

pub mod deadman;
pub mod services;

/// Everything a task program can be configured with. Every section is optional: an empty file
/// (or none) is a program serving on the defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct ProgramConfig {
    /// Where state snapshots and recordings are kept (Kapacitor's `data_dir`); none keeps
    /// nothing on disk.
    pub data_dir: Option<PathBuf>,
    pub http: HttpSection,
    /// The InfluxDB clusters the program queries (batch tasks), writes to (influxDBOut) and
    /// subscribes to (stream tasks). The one marked `default` (or the first) is used.
    pub influxdb: Vec<InfluxDbSection>,
    pub groups: GroupsSection,
    /// `[deadman]`: the templates of deadman alerts, and the deadman every task may get.
    pub deadman: deadman::DeadmanSection,
    /// The alert services' sections (`[slack]`, `[smtp]`, `[[httppost]]`...).
    #[serde(flatten)]
    pub services: services::ServicesConfig,
}

/// `[http]`: the server's own address and authentication.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct HttpSection {
    pub bind_address: Option<String>,
    pub auth_enabled: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    pub max_body_size: Option<usize>,
}

/// `[groups]`: how long nodes keep what they hold for a group whose series stopped (not a
/// Kapacitor section: Kapacitor keeps it for ever).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct GroupsSection {
    /// `idle-timeout = "1h"`: nanoseconds of data time a group may stay silent before every
    /// node forgets it; `"0s"` never forgets.
    #[serde(deserialize_with = "duration_nanos")]
    pub idle_timeout: i64,
}

impl Default for GroupsSection {
    fn default() -> Self {
        GroupsSection {
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// A non-negative duration written as InfluxQL writes them (`"90m"`, `"1h30m"`), in
/// nanoseconds.
fn duration_nanos<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let text = String::deserialize(deserializer)?;
    match parse_duration(&text) {
        Ok(nanos) if nanos >= 0 => Ok(nanos),
        _ => Err(serde::de::Error::custom(format!(
            "{text:?} is not a duration (such as \"1h\" or \"0s\")"
        ))),
    }
}

/// `[[influxdb]]`: one InfluxDB cluster.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct InfluxDbSection {
    pub enabled: bool,
    pub name: String,
    pub default: bool,
    pub urls: Vec<String>,
    pub username: String,
    pub password: String,
    /// Request timeout, as a Go duration (`"0s"`: none).
    pub timeout: Option<String>,
    /// Whether the program creates subscriptions on this InfluxDB for its stream tasks.
    pub disable_subscriptions: bool,
    /// The host name InfluxDB should send subscription writes to (Kapacitor's `hostname`
    /// from the top level, overridable here).
    pub kapacitor_hostname: Option<String>,
    /// The port InfluxDB should send subscription writes to (the HTTP port by default).
    pub http_port: Option<u16>,
}

impl Default for InfluxDbSection {
    fn default() -> Self {
        InfluxDbSection {
            enabled: true,
            name: "default".into(),
            default: false,
            urls: vec!["http://localhost:8086".into()],
            username: String::new(),
            password: String::new(),
            timeout: None,
            disable_subscriptions: false,
            kapacitor_hostname: None,
            http_port: None,
        }
    }
}

impl ProgramConfig {
    /// Reads a TOML configuration file; the error names the file and says where it is wrong.
    pub fn load(path: &Path) -> Result<ProgramConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        Self::parse(&text).map_err(|message| ConfigError {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses configuration text (TOML).
    pub fn parse(text: &str) -> Result<ProgramConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The InfluxDB the program uses: the enabled section marked `default`, else the first
    /// enabled one.
    pub fn default_influxdb(&self) -> Option<&InfluxDbSection> {
        let enabled = || self.influxdb.iter().filter(|s| s.enabled);
        enabled().find(|s| s.default).or_else(|| enabled().next())
    }
}

/// A configuration file that cannot be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = ProgramConfig::parse("").unwrap();
        assert!(config.data_dir.is_none());
        assert!(config.influxdb.is_empty());
        assert!(config.default_influxdb().is_none());
    }

    #[test]
    fn kapacitor_section_names_are_read() {
        let config = ProgramConfig::parse(
            r#"
data-dir = "/var/lib/tick"
[http]
bind-address = ":9092"
auth-enabled = true
[[influxdb]]
name = "a"
enabled = false
[[influxdb]]
name = "b"
urls = ["http://127.0.0.1:8086"]
"#,
        )
        .unwrap();
        assert_eq!(config.http.bind_address.as_deref(), Some(":9092"));
        assert!(config.http.auth_enabled);
        assert_eq!(config.default_influxdb().map(|s| s.name.as_str()), Some("b"));
    }

    #[test]
    fn groups_are_forgotten_after_an_hour_unless_configured() {
        let hour = 3_600_000_000_000;
        assert_eq!(ProgramConfig::parse("").unwrap().groups.idle_timeout, hour);
        let config = ProgramConfig::parse("[groups]\nidle-timeout = \"90m\"\n").unwrap();
        assert_eq!(config.groups.idle_timeout, hour * 3 / 2);
        let config = ProgramConfig::parse("[groups]\nidle-timeout = \"0s\"\n").unwrap();
        assert_eq!(config.groups.idle_timeout, 0);
        let error = ProgramConfig::parse("[groups]\nidle-timeout = \"soon\"\n").unwrap_err();
        assert!(error.contains("soon") && error.contains("line 2"), "{error}");
        assert!(ProgramConfig::parse("[groups]\nidle-timeout = \"-1h\"\n").is_err());
    }

    #[test]
    fn a_wrong_type_says_where() {
        let error = ProgramConfig::parse("[http]\nauth-enabled = 3\n").unwrap_err();
        assert!(error.contains("auth-enabled"), "{error}");
        assert!(error.contains("line 2"), "{error}");
    }
}

//! The InfluxDB a program's configuration names (`[[influxdb]]`), as a client configuration.

use std::time::Duration;

use super::client::InfluxDbConfig;
use crate::config::{InfluxDbSection, ProgramConfig};
use crate::expr::duration::parse_duration;

impl InfluxDbConfig {
    /// The client configuration of an `[[influxdb]]` section: its first URL, its credentials
    /// (none when the user name is empty) and its timeout (`"0s"`, or none: the default).
    pub fn from_section(section: &InfluxDbSection) -> Result<InfluxDbConfig, String> {
        let url = section
            .urls
            .first()
            .ok_or_else(|| format!("[[influxdb]] {:?} has no urls", section.name))?;
        let mut config = InfluxDbConfig::new(url.clone());
        if !section.username.is_empty() {
            config.username = Some(section.username.clone());
            config.password = Some(section.password.clone());
        }
        if let Some(timeout) = &section.timeout {
            let nanos = parse_duration(timeout)
                .map_err(|_| format!("[[influxdb]] {:?}: invalid timeout {timeout:?}", section.name))?;
            if let Some(nanos) = u64::try_from(nanos).ok().filter(|n| *n > 0) {
                config.timeout = Duration::from_nanos(nanos);
            }
        }
        Ok(config)
    }

    /// The client configuration of the program's default InfluxDB, or why there is none.
    pub fn default_of(program: &ProgramConfig) -> Result<InfluxDbConfig, String> {
        let section = program.default_influxdb().ok_or_else(|| {
            "no InfluxDB is configured (an enabled [[influxdb]] section, or --influxdb URL)".to_owned()
        })?;
        InfluxDbConfig::from_section(section)
    }

    /// The client configuration of the enabled InfluxDB named `cluster` (`.cluster()`), or of
    /// the default one when `cluster` is empty.
    pub fn named(program: &ProgramConfig, cluster: &str) -> Result<InfluxDbConfig, String> {
        if cluster.is_empty() {
            return InfluxDbConfig::default_of(program);
        }
        let section = program
            .influxdb
            .iter()
            .find(|s| s.enabled && s.name == cluster)
            .ok_or_else(|| format!("no enabled [[influxdb]] section is named {cluster:?}"))?;
        InfluxDbConfig::from_section(section)
    }
}

impl ProgramConfig {
    /// A configuration whose one InfluxDB is at `url` (`--influxdb URL`).
    pub fn with_influxdb_url(url: &str) -> ProgramConfig {
        ProgramConfig {
            influxdb: vec![InfluxDbSection {
                urls: vec![url.to_owned()],
                ..InfluxDbSection::default()
            }],
            ..ProgramConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_becomes_a_client_configuration() {
        let program = ProgramConfig::parse(
            "[[influxdb]]\nurls = [\"http://db:8086\"]\nusername = \"u\"\npassword = \"p\"\ntimeout = \"5s\"\n",
        )
        .unwrap();
        let config = InfluxDbConfig::default_of(&program).unwrap();
        assert_eq!(config.url, "http://db:8086");
        assert_eq!(config.username.as_deref(), Some("u"));
        assert_eq!(config.password.as_deref(), Some("p"));
        assert_eq!(config.timeout, Duration::from_secs(5));
    }

    #[test]
    fn no_influxdb_is_a_clear_error() {
        let error = InfluxDbConfig::default_of(&ProgramConfig::default()).unwrap_err();
        insta::assert_snapshot!(error, @"no InfluxDB is configured (an enabled [[influxdb]] section, or --influxdb URL)");
        let url = InfluxDbConfig::default_of(&ProgramConfig::with_influxdb_url("http://x:1")).unwrap().url;
        assert_eq!(url, "http://x:1");
    }

    #[test]
    fn a_cluster_is_found_by_name() {
        let program = ProgramConfig::parse(
            "[[influxdb]]\nname = \"a\"\nurls = [\"http://a:1\"]\n[[influxdb]]\nname = \"b\"\nurls = [\"http://b:1\"]\n",
        )
        .unwrap();
        assert_eq!(InfluxDbConfig::named(&program, "b").unwrap().url, "http://b:1");
        assert_eq!(InfluxDbConfig::named(&program, "").unwrap().url, "http://a:1");
        insta::assert_snapshot!(InfluxDbConfig::named(&program, "c").unwrap_err(), @r#"no enabled [[influxdb]] section is named "c""#);
    }
}

//! The alert services' sections of the program's configuration, as Kapacitor 1.5.7 names them in
//! `kapacitor.conf`: `[slack]` (or `[[slack]]` workspaces), `[pagerduty]`, `[pagerduty2]`,
//! `[victorops]`, `[opsgenie]`, `[opsgenie2]`, `[teams]`, `[telegram]`, `[discord]`, `[alerta]`,
//! `[pushover]`, `[sensu]`, `[bigpanda]`, `[smtp]` and the `[[httppost]]` endpoints. Each service's
//! own section type sits beside its payload builder in [`crate::alert::services`]; a missing
//! section is Kapacitor's default for it (the service disabled).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::alert::services::workspaces;
use crate::alert::services::{
    AlertaConfig, BigPandaConfig, DiscordConfig, OpsGenie2Config, OpsGenieConfig,
    PagerDuty2Config, PagerDutyConfig, PushoverConfig, SensuConfig, SlackConfig, SmtpConfig,
    TeamsConfig, TelegramConfig, VictorOpsConfig,
};

/// Every service section. Flattened into [`super::ProgramConfig`]: the sections sit at the top
/// level of the file, as in Kapacitor's.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct ServicesConfig {
    #[serde(deserialize_with = "workspaces::one_or_many")]
    pub slack: Vec<SlackConfig>,
    pub pagerduty: PagerDutyConfig,
    pub pagerduty2: PagerDuty2Config,
    pub victorops: VictorOpsConfig,
    pub opsgenie: OpsGenieConfig,
    pub opsgenie2: OpsGenie2Config,
    pub teams: TeamsConfig,
    pub telegram: TelegramConfig,
    #[serde(deserialize_with = "workspaces::one_or_many")]
    pub discord: Vec<DiscordConfig>,
    pub alerta: AlertaConfig,
    pub pushover: PushoverConfig,
    pub sensu: SensuConfig,
    pub bigpanda: BigPandaConfig,
    pub smtp: SmtpConfig,
    /// `[[httppost]]`: the endpoints `.post().endpoint('name')` and `|httpPost().endpoint()`
    /// name.
    pub httppost: Vec<HttpPostEndpoint>,
    /// Not a section: the URL of the program's own Kapacitor API
    /// (`http://host:9092/kapacitor/v1`), which PagerDuty events name as their `client_url`.
    /// The program sets it from where it serves.
    #[serde(skip)]
    pub kapacitor_url: String,
}

impl ServicesConfig {
    /// The `[[httppost]]` entry named `endpoint`; the last one wins, as in Kapacitor, which
    /// indexes them by name in order.
    pub fn endpoint(&self, endpoint: &str) -> Option<&HttpPostEndpoint> {
        self.httppost.iter().rev().find(|e| e.endpoint == endpoint)
    }
}

/// One `[[httppost]]` endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct HttpPostEndpoint {
    /// The name handlers and nodes give it.
    pub endpoint: String,
    /// A text template over the alert data (`{{ .ID }}`...), as a handler's own URL is.
    pub url: String,
    /// Sent with every request; a handler's `.header()` of the same name replaces one.
    pub headers: BTreeMap<String, String>,
    pub basic_auth: BasicAuth,
}

/// `basic-auth = { username = "...", password = "..." }`: used only when both are set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

impl BasicAuth {
    /// The credentials, if both are set (Kapacitor ignores half a pair).
    pub fn credentials(&self) -> Option<(&str, &str)> {
        (!self.username.is_empty() && !self.password.is_empty())
            .then_some((self.username.as_str(), self.password.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProgramConfig;

    #[test]
    fn missing_sections_are_kapacitors_defaults() {
        let config = ProgramConfig::parse("").unwrap();
        let services = &config.services;
        assert!(services.slack.is_empty());
        assert!(!services.pagerduty2.enabled);
        assert_eq!(
            services.pagerduty2.url,
            "https://events.pagerduty.com/v2/enqueue"
        );
        assert_eq!(services.smtp.host, "localhost");
        assert_eq!(services.smtp.port, 25);
        assert!(services.httppost.is_empty());
    }

    #[test]
    fn service_sections_sit_at_the_top_level() {
        let config = ProgramConfig::parse(
            r#"
data-dir = "/var/lib/tick"
[http]
bind-address = ":9092"

[[slack]]
enabled = true
workspace = "ops"
url = "https://hooks.slack.com/ops"
global = true
state-changes-only = true
[[slack]]
enabled = true
default = true
workspace = "dev"
icon-emoji = ":ghost:"

[pagerduty2]
enabled = true
routing-key = "rk"

[opsgenie2]
enabled = true
api-key = "k"
teams = ["a", "b"]
recovery_action = "close"

[smtp]
enabled = true
host = "mail.example.com"
port = 465
to = ["ops@example.com"]

[[httppost]]
endpoint = "example"
url = "http://example.com/{{ .ID }}"
headers = { Authorization = "Bearer x" }
basic-auth = { username = "u", password = "p" }
"#,
        )
        .unwrap();
        let s = &config.services;
        assert_eq!(config.http.bind_address.as_deref(), Some(":9092"));
        assert_eq!(s.slack.len(), 2);
        assert!(s.slack[0].global && s.slack[0].state_changes_only);
        assert_eq!(s.slack[1].icon_emoji, ":ghost:");
        assert_eq!(s.slack[1].username, "kapacitor");
        assert_eq!(s.pagerduty2.routing_key, "rk");
        assert_eq!(s.opsgenie2.teams, ["a", "b"]);
        assert_eq!(s.smtp.port, 465);
        let endpoint = s.endpoint("example").unwrap();
        assert_eq!(endpoint.url, "http://example.com/{{ .ID }}");
        assert_eq!(endpoint.headers["Authorization"], "Bearer x");
        assert_eq!(endpoint.basic_auth.credentials(), Some(("u", "p")));
        assert!(s.endpoint("other").is_none());
    }

    #[test]
    fn half_a_basic_auth_pair_is_none() {
        let auth = BasicAuth {
            username: "u".into(),
            password: String::new(),
        };
        assert_eq!(auth.credentials(), None);
    }

    #[test]
    fn a_wrong_type_in_a_service_section_is_an_error() {
        let error = ProgramConfig::parse("[slack]\nenabled = 'yes'\n").unwrap_err();
        assert!(error.contains("bool"), "{error}");
    }
}

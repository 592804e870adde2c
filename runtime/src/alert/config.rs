//! The properties of an alert node, as the script sets them.

use std::fmt;
use std::sync::Arc;

use super::handlers::{Handler, HandlerError};
use super::services::{self, ServicesConfig};
use super::inhibit::Inhibit;
use super::level::Level;
use super::state::StatePolicy;
use crate::point::{FieldValue, Fields, Tags};
use crate::tap::Tap;
use crate::task::TaskContext;
use crate::template::alert_data::{MapsRead, ServerInfo};
use crate::template::{Template, TemplateError};

/// Kapacitor's default `.id()`.
pub const DEFAULT_ID: &str = "{{ .Name }}:{{ .Group }}";
/// Kapacitor's default `.message()`.
pub const DEFAULT_MESSAGE: &str = "{{ .ID }} is {{ .Level }}";
/// Kapacitor's default `.details()`: the event data as JSON (HTML-escaped).
pub const DEFAULT_DETAILS: &str = "{{ json . }}";

/// Everything an alert node is told by its script.
#[derive(Debug, Clone)]
pub struct AlertConfig {
    /// The task's id (templates' `.TaskName`).
    pub task_name: String,
    /// The identity templates see as `.ServerInfo`.
    pub server: ServerInfo,
    pub templates: AlertTemplates,
    /// `.history()`, `.flapping()`, `.stateChangesOnly()`.
    pub state: StatePolicy,
    /// `.noRecoveries()`.
    pub no_recoveries: bool,
    /// `.all()`: a batch takes the lowest level of its points rather than the highest.
    pub all: bool,
    /// `.levelTag()` and friends: what the node adds to the data it passes on.
    pub annotations: Annotations,
    /// `.topic()`.
    pub topic: Option<String>,
    /// `.category()`.
    pub category: Option<String>,
    /// `.inhibit()`, each.
    pub inhibits: Vec<Inhibit>,
    /// The handlers declared in the script, in order.
    pub handlers: Vec<Handler>,
    /// Who else sees the node's events (tests, an embedding program).
    pub tap: Option<AlertTap>,
}

/// A tap on an alert node's events, with the node's name.
#[derive(Clone)]
pub struct AlertTap {
    pub node: String,
    pub tap: Arc<dyn Tap>,
}

impl fmt::Debug for AlertTap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlertTap").field("node", &self.node).finish_non_exhaustive()
    }
}

impl AlertConfig {
    /// A node with Kapacitor's defaults: default templates, history 21, no handlers.
    pub fn new(task_name: impl Into<String>) -> Self {
        AlertConfig {
            task_name: task_name.into(),
            server: ServerInfo::default(),
            templates: AlertTemplates::default(),
            state: StatePolicy::default(),
            no_recoveries: false,
            all: false,
            annotations: Annotations::default(),
            topic: None,
            category: None,
            inhibits: Vec::new(),
            handlers: Vec::new(),
            tap: None,
        }
    }

    /// The defaults for alert node `node` of the task `context` builds: its task name, and the
    /// task's tap.
    pub fn for_task(context: &TaskContext, node: &str) -> Self {
        AlertConfig {
            tap: context.tap.clone().map(|tap| AlertTap { node: node.to_owned(), tap }),
            ..AlertConfig::new(context.task_id.clone())
        }
    }

    /// Adds the handlers of the services configured `global = true` that the script does not
    /// name, and turns `stateChangesOnly` on where one of them says so, as Kapacitor does when
    /// the task starts.
    pub fn with_global_handlers(mut self, services: &ServicesConfig) -> Result<Self, HandlerError> {
        let globals = services::global::globals(&self.handlers, services)?;
        self.handlers.extend(globals.handlers);
        if globals.state_changes_only && self.state.state_changes_only.is_none() {
            self.state.state_changes_only = Some(None);
        }
        Ok(self)
    }

    /// Checks what Kapacitor checks when the task starts.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(f) = self.state.flapping
            && (f.low > 1.0 || f.high > 1.0)
        {
            return Err(ConfigError::FlapThresholds);
        }
        Ok(())
    }
}

/// A property Kapacitor would refuse when the task starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    FlapThresholds,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::FlapThresholds => {
                f.write_str("alert flap thresholds are percentages and should be between 0 and 1")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// The `.id()`, `.message()` and `.details()` templates.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertTemplates {
    pub id: Template,
    pub message: Template,
    pub details: DetailsTemplate,
}

/// The `.details()` template, an html/template as in Kapacitor.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailsTemplate {
    /// Kapacitor's default, `{{ json . }}`, which every event renders: written straight from
    /// the data by [`default_details`](crate::template::alert_data::default_details).
    Json,
    Custom(Template),
}

impl DetailsTemplate {
    fn parse(src: &str) -> Result<Self, TemplateError> {
        let template = Template::parse_html(src)?;
        Ok(if template == Template::parse_html(DEFAULT_DETAILS)? {
            DetailsTemplate::Json
        } else {
            DetailsTemplate::Custom(template)
        })
    }
}

impl AlertTemplates {
    /// Parses the templates the script gives; `None` takes Kapacitor's default.
    pub fn parse(
        id: Option<&str>,
        message: Option<&str>,
        details: Option<&str>,
    ) -> Result<Self, TemplateError> {
        Ok(AlertTemplates {
            id: Template::parse(id.unwrap_or(DEFAULT_ID))?,
            message: Template::parse(message.unwrap_or(DEFAULT_MESSAGE))?,
            details: DetailsTemplate::parse(details.unwrap_or(DEFAULT_DETAILS))?,
        })
    }

    /// The maps the message and details templates may read of their event's data.
    pub fn event_maps(&self) -> MapsRead {
        let details = match &self.details {
            DetailsTemplate::Json => None,
            DetailsTemplate::Custom(template) => Some(template),
        };
        MapsRead::of(std::iter::once(&self.message).chain(details))
    }
}

impl Default for AlertTemplates {
    fn default() -> Self {
        AlertTemplates::parse(None, None, None).expect("the default alert templates parse")
    }
}

/// What the node writes into the points (or batches) it passes on, each under the name the
/// script gives: `.levelTag()`, `.idTag()`, `.levelField()`, `.messageField()`, `.idField()`,
/// `.durationField()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    pub level_tag: Option<String>,
    pub id_tag: Option<String>,
    pub level_field: Option<String>,
    pub message_field: Option<String>,
    pub id_field: Option<String>,
    pub duration_field: Option<String>,
}

/// The values of an event that annotations write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventSummary {
    pub level: Level,
    pub id: String,
    pub message: String,
    pub duration: i64,
}

impl Annotations {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Annotations::default()
    }

    pub(crate) fn annotate_tags(&self, tags: &mut Tags, event: &EventSummary) {
        if let Some(name) = &self.level_tag {
            tags.insert(name.as_str(), event.level.as_str().to_owned());
        }
        if let Some(name) = &self.id_tag {
            tags.insert(name.as_str(), event.id.clone());
        }
    }

    pub(crate) fn annotate_fields(&self, fields: &mut Fields, event: &EventSummary) {
        let text = |s: &str| FieldValue::String(s.to_owned());
        if let Some(name) = &self.level_field {
            fields.insert(name.as_str(), text(event.level.as_str()));
        }
        if let Some(name) = &self.message_field {
            fields.insert(name.as_str(), text(&event.message));
        }
        if let Some(name) = &self.id_field {
            fields.insert(name.as_str(), text(&event.id));
        }
        if let Some(name) = &self.duration_field {
            fields.insert(name.as_str(), FieldValue::Int(event.duration));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::state::Flapping;

    #[test]
    fn defaults_are_kapacitors() {
        let config = AlertConfig::new("t");
        assert_eq!(config.state.history, 21);
        assert_eq!(
            config.templates,
            AlertTemplates::parse(None, None, None).unwrap()
        );
        assert!(config.annotations.is_empty());
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn flap_thresholds_above_one_are_refused() {
        let mut config = AlertConfig::new("t");
        config.state.flapping = Some(Flapping {
            low: 0.5,
            high: 1.5,
        });
        assert_eq!(config.validate(), Err(ConfigError::FlapThresholds));
    }
}

//! Services configured `global = true`: Kapacitor 1.5.7 gives every alert node that names no
//! handler of such a service one with default properties, and some of them also turn the node's
//! `stateChangesOnly` on.

use super::workspaces;
use super::{
    Discord, DiscordHandler, Email, EmailHandler, OpsGenie, OpsGenie2, OpsGenie2Handler,
    OpsGenieHandler, PagerDuty, PagerDuty2, PagerDuty2Handler, PagerDutyHandler, ServiceHandler,
    ServicesConfig, Slack, SlackHandler, Teams, TeamsHandler, Telegram, TelegramHandler,
    VictorOps, VictorOpsHandler,
};
use crate::alert::handlers::{Handler, HandlerError};

/// What the global services add to a node.
#[derive(Debug, Default)]
pub(crate) struct Globals {
    pub handlers: Vec<Handler>,
    /// Whether one of them makes the node send state changes only.
    pub state_changes_only: bool,
}

/// The global handlers a node with `declared` handlers gets from `services`, in Kapacitor's order.
pub(crate) fn globals(
    declared: &[Handler],
    services: &ServicesConfig,
) -> Result<Globals, HandlerError> {
    let names = |service: &str| {
        declared
            .iter()
            .any(|h| matches!(h, Handler::Service(s) if s.service() == service))
    };
    let slack_global = workspaces::find(&services.slack, "").is_some_and(|c| c.global);
    let discord_global = workspaces::find(&services.discord, "").is_some_and(|c| c.global);
    type Build<'a> = &'a dyn Fn() -> Result<ServiceHandler, HandlerError>;
    let candidates: [(bool, &str, Build<'_>); 10] = [
        (services.smtp.global, "smtp", &|| {
            Ok(ServiceHandler::Email(EmailHandler::new(Email::default(), services)))
        }),
        (services.victorops.global, "victorops", &|| {
            Ok(ServiceHandler::VictorOps(VictorOpsHandler::new(VictorOps::default(), services)))
        }),
        (services.pagerduty.global, "pagerduty", &|| {
            Ok(ServiceHandler::PagerDuty(PagerDutyHandler::new(PagerDuty::default(), services)))
        }),
        (services.pagerduty2.global, "pagerduty2", &|| {
            PagerDuty2Handler::new(PagerDuty2::default(), services).map(ServiceHandler::PagerDuty2)
        }),
        (slack_global, "slack", &|| {
            Ok(ServiceHandler::Slack(SlackHandler::new(Slack::default(), services)))
        }),
        (services.telegram.global, "telegram", &|| {
            Ok(ServiceHandler::Telegram(TelegramHandler::new(Telegram::default(), services)))
        }),
        (services.opsgenie.global, "opsgenie", &|| {
            Ok(ServiceHandler::OpsGenie(OpsGenieHandler::new(OpsGenie::default(), services)))
        }),
        (services.opsgenie2.global, "opsgenie2", &|| {
            Ok(ServiceHandler::OpsGenie2(OpsGenie2Handler::new(OpsGenie2::default(), services)))
        }),
        (services.teams.global, "teams", &|| {
            Ok(ServiceHandler::Teams(TeamsHandler::new(Teams::default(), services)))
        }),
        (discord_global, "discord", &|| {
            DiscordHandler::new(Discord::default(), services).map(ServiceHandler::Discord)
        }),
    ];
    let mut out = Globals::default();
    for (global, service, build) in candidates {
        if global && !names(service) {
            out.handlers.push(Handler::Service(Box::new(build()?)));
        }
    }
    // Kapacitor 1.5.7's slack and discord services answer "state changes only" with their
    // `global` setting, so a global slack or discord always makes the node send state changes
    // only; the others read `state-changes-only`.
    out.state_changes_only = (services.smtp.global && services.smtp.state_changes_only)
        || slack_global
        || (services.telegram.global && services.telegram.state_changes_only)
        || (services.teams.global && services.teams.state_changes_only)
        || discord_global;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services(toml: &str) -> ServicesConfig {
        toml::from_str(toml).unwrap()
    }

    fn names(globals: &Globals) -> Vec<&'static str> {
        globals
            .handlers
            .iter()
            .filter_map(|h| match h {
                Handler::Service(s) => Some(s.service()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn nothing_global_adds_nothing() {
        let g = globals(&[], &ServicesConfig::default()).unwrap();
        assert!(g.handlers.is_empty());
        assert!(!g.state_changes_only);
    }

    #[test]
    fn global_services_are_added_unless_the_script_names_them() {
        let config = services(
            "[smtp]\nglobal = true\nstate-changes-only = true\n[victorops]\nglobal = true\n[teams]\nglobal = true\n",
        );
        let g = globals(&[], &config).unwrap();
        assert_eq!(names(&g), ["smtp", "victorops", "teams"]);
        assert!(g.state_changes_only);
        let declared = [Handler::Service(Box::new(ServiceHandler::VictorOps(
            VictorOpsHandler::new(VictorOps::default(), &config),
        )))];
        assert_eq!(names(&globals(&declared, &config).unwrap()), ["smtp", "teams"]);
    }

    #[test]
    fn state_changes_only_needs_global_except_for_slack() {
        let teams = services("[teams]\nstate-changes-only = true\n");
        assert!(!globals(&[], &teams).unwrap().state_changes_only);
        // As in Kapacitor 1.5.7: a global slack always means state changes only.
        let slack = services("[slack]\nglobal = true\n");
        let g = globals(&[], &slack).unwrap();
        assert_eq!(names(&g), ["slack"]);
        assert!(g.state_changes_only);
    }

    #[test]
    fn a_workspace_service_is_global_by_its_default_workspace() {
        let config = services(
            "[[slack]]\nworkspace = 'a'\nglobal = true\n[[slack]]\nworkspace = 'b'\ndefault = true\n",
        );
        assert!(globals(&[], &config).unwrap().handlers.is_empty());
    }
}

"""Actions on incidents: Alertmanager, Slack, webhooks and allow-listed commands.

`config` reads and checks the `[[actions]]` and `[commands]` tables; `send`
takes the actions and records every outcome.
"""

from ctxguard.watch.actions.config import (
    EVENTS,
    KINDS,
    ActionConfigError,
    ActionSpec,
    Template,
    parse_actions,
    parse_allow,
    parse_template,
)
from ctxguard.watch.actions.send import (
    COUNTED_OUTCOMES,
    Actions,
    Clock,
    Recent,
    alertmanager_alert,
    render_argv,
    slack_escape,
    slack_message,
    trusted_value,
)
from ctxguard.watch.present import incident_json

__all__ = [
    "COUNTED_OUTCOMES",
    "EVENTS",
    "KINDS",
    "ActionConfigError",
    "ActionSpec",
    "Actions",
    "Clock",
    "Recent",
    "Template",
    "alertmanager_alert",
    "incident_json",
    "parse_actions",
    "parse_allow",
    "parse_template",
    "render_argv",
    "slack_escape",
    "slack_message",
    "trusted_value",
]

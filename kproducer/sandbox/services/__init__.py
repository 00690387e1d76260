"""The sandbox's API services; importing this package registers every action."""

from . import (  # noqa: F401
    app_tokens,
    entries,
    group_users,
    groups,
    live_streams,
    permissions,
    rooms,
    schedule_events,
    session,
    ui_confs,
    users,
    virtual_events,
)

"""The sandbox's API services; importing this package registers every action."""

from . import (  # noqa: F401
    app_tokens,
    entries,
    group_users,
    groups,
    live_streams,
    media_content,
    permissions,
    rooms,
    schedule_events,
    session,
    thumb_assets,
    ui_confs,
    upload_tokens,
    users,
    virtual_events,
)

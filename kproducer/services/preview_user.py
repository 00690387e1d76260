"""The preview user: the one thing a preview leaves on the account, and what the window says.

Previews need a Kaltura user that exists (the CnC widget loads only for one), so kproducer
adds ``kproducer-preview`` once. It is never added to a moderators group: the CnC widget
makes a moderator of whoever's JWT carries ``{entryId}_moderators`` in its ``groups`` claim
(Kaltura's integrated-events demo adds the user to that group only when
``KALTURA_USE_GROUP_FOR_MODERATORS`` is set), so a moderator preview needs the claim, not
the membership. No import beyond the standard library: the window reads this at startup.
"""

from __future__ import annotations

USER_ID = "kproducer-preview"
FIRST_NAME = "Preview"
LAST_NAME = "User (kproducer)"

#: What the window says of the preview user.
NOTE = (
    f"“{USER_ID}” is a Kaltura user kproducer added to this account once, so that the chat "
    "can load for the preview (it needs a real user). It is in no moderators group: a "
    "moderator preview makes it a moderator through its chat token (JWT) only, so "
    "previewing never changes who moderates a session."
)
#: Said of every moderator preview.
MODERATOR_NOTE = (
    "Moderator by the chat token's groups claim only: the preview adds nobody to the "
    "session's moderators group."
)

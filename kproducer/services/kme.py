"""KME room launches: LTI 1.0 basic launch requests signed with OAuth 1.0 HMAC-SHA1.

The signing is oauthlib's (never hand-rolled): it percent-encodes per RFC 5849, so names
such as O'Brien sign correctly, and it draws a random nonce for every launch.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_BODY, Client

from .models import Entry, Role

#: How long a signed launch is accepted (the OAuth 1.0 timestamp window of LTI 1.1 tool
#: providers; the sandbox's stand-in refuses older launches as "stale").
LAUNCH_LIFETIME = 600
LTI_ROLES = {Role.MODERATOR: "Instructor", Role.ATTENDEE: "Student"}


@dataclass(frozen=True)
class KmeSettings:
    """Where and how to launch KME rooms for an account."""

    launch_url: str
    key: str
    secret: str


@dataclass(frozen=True)
class Launch:
    """A signed launch: POST ``params`` to ``url`` (as a self-submitting form)."""

    url: str
    params: dict[str, str]


def is_room(entry: Entry, entry_type: str = "", admin_tags: str = "") -> bool:
    """A KME room: type ``room.room``, or a legacy meeting with ``_room`` in its admin tags."""
    tags = admin_tags or entry.admin_tags
    return entry.kind.value == "room" or entry_type == "room.room" or "_room" in tags


def launch(
    settings: KmeSettings,
    entry: Entry,
    user_id: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> Launch:
    """Sign an LTI 1.0 launch of ``entry`` for one person."""
    params = {
        "lti_message_type": "basic-lti-launch-request",
        "lti_version": "LTI-1p0",
        "resource_link_id": entry.id,
        "context_id": entry.id,
        "context_title": entry.name,
        "user_id": user_id,
        "roles": LTI_ROLES[role],
        "lis_person_name_given": first_name,
        "lis_person_name_family": last_name,
        "lis_person_contact_email_primary": email,
        "tool_consumer_info_product_family_code": "kaltura",
        "integration_type": "kaltura",
        "custom_kaltura_room_type": "channel",
        "oauth_callback": "about:blank",
    }
    params = {k: v for k, v in params.items() if v != ""}
    client = Client(
        settings.key,
        client_secret=settings.secret,
        signature_method=SIGNATURE_HMAC_SHA1,
        signature_type=SIGNATURE_TYPE_BODY,
    )
    _, _, body = client.sign(
        settings.launch_url,
        http_method="POST",
        body=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return Launch(settings.launch_url, dict(parse_qsl(str(body), keep_blank_values=True)))


def auto_submit_form(launch_request: Launch, target: str = "_self") -> str:
    """An HTML page that posts the signed launch as soon as it loads."""
    fields = "\n".join(
        f'    <input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in launch_request.params.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Joining the room…</title></head>
<body onload="document.forms[0].submit()">
  <form method="post" action="{html.escape(launch_request.url)}" target="{html.escape(target)}">
{fields}
    <noscript><button type="submit">Join the room</button></noscript>
  </form>
</body></html>
"""

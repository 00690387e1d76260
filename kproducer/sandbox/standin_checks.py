"""What the stand-in embeds verify, the way the real services do (no HTTP here).

- **KS** (player): decoded with the partner's admin secrets and checked exactly as an API
  call checks it (``api._check_session_valid``: expiry, revocation, actions limit, blocked
  user), then the entry must exist and an ``sview`` privilege must name it.
- **CnC JWT** (chat widget): HS256 with ``kid`` = partner, signed with the partner's ACTIVE
  ``cncAuth:true`` app token; not expired; ``contextId`` is the entry the page plays; the
  entry and the user exist. ``groups`` containing ``{entryId}_moderators`` makes a moderator.
- **LTI 1.0 launch** (KME room): OAuth 1.0 HMAC-SHA1 verified by oauthlib against the
  account's KME key and secret, with timestamp and nonce (replay) checks; ``roles``
  ``Instructor`` is a moderator, ``Student`` an attendee; ``context_id`` must be a room.

Each check returns a JSON-ready dict: ``{"ok": True, ...details}`` or
``{"ok": False, "code": ..., "reason": "..."}`` where ``reason`` is what the stand-in shows
after "rejected:".
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Mapping
from typing import Any

import jwt
from oauthlib.common import Request
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from . import api, ks
from .errors import ApiError
from .seed import load_account
from .services.live_model import is_live
from .services.objects import LIVE_STREAM, find_entry, find_kuser
from .services.schedule_live import with_live_status
from .services.session import admin_secrets
from .store import Store

Result = dict[str, Any]
ROOM_TYPE = "room.room"
CNC_PRIVILEGE = "cncAuth:true"
LTI_ROLES = {"instructor": "moderator", "student": "attendee", "learner": "attendee"}
#: OAuth timestamps older or newer than this are refused (oauthlib's default, 10 minutes).
LTI_TIMESTAMP_LIFETIME = 600
#: Nonce lengths accepted (OAuth 1.0 sets none; KME takes the 8 of Kaltura's sample).
LTI_NONCE_LENGTH = (1, 128)


def rejected(code: str, reason: str) -> Result:
    """A rejection: an error code and the sentence shown after "rejected:"."""
    return {"ok": False, "code": code, "reason": reason}


def utc(unix: int) -> str:
    """``2026-05-01 12:00 UTC``."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(unix))


def _entry_type(entry: Mapping[str, Any]) -> str:
    return str(entry.get("type") or "")


def _live_state(db: Store, partner_id: int, entry: Mapping[str, Any], session: ks.Session,
                now: int) -> bool | None:
    """For a live entry, whether this viewer sees it live (as ``liveStream.isLive``)."""
    if _entry_type(entry) != LIVE_STREAM:
        return None
    user = session.user_id.lower()
    editors = [u.strip().lower() for u in str(entry.get("entitledUsersEdit") or "").split(",")]
    may_preview = session.is_admin or (
        bool(user) and (user == str(entry.get("userId") or "").lower() or user in editors)
    )
    return is_live(with_live_status(db, partner_id, dict(entry), now), may_preview)


def _user_name(user: Mapping[str, Any] | None) -> str:
    if not user:
        return ""
    return " ".join(str(user.get(k) or "") for k in ("firstName", "lastName")).strip()


# --- KS ------------------------------------------------------------------------------------


def _ks_partner(text: str) -> int | None:
    """The partner a KS v2 names in its clear header, if it is one."""
    try:
        raw = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True
        )
    except (binascii.Error, ValueError):
        return None
    parts = raw.split(b"|", 2)
    if len(parts) == 3 and parts[0] == b"v2" and parts[1].isdigit():
        return int(parts[1])
    return None


def check_ks(db: Store, ks_text: str, entry_id: str, partner_id: int, now: int | None = None
             ) -> Result:
    """Verify a player's KS for an entry of a partner, as the API would."""
    now = db.now() if now is None else now
    if not ks_text:
        return rejected("MISSING_KS", "no KS: the player was set up without one")
    try:
        session = ks.decode(ks_text, lambda pid: admin_secrets(db, pid))
    except ks.KsError:
        named = _ks_partner(ks_text)
        if named is not None and admin_secrets(db, named):
            return rejected(
                "INVALID_KS",
                f"bad signature: the KS was not signed with partner {named}'s admin secret",
            )
        return rejected("INVALID_KS", "not a valid KS for any partner of this server")
    if session.partner_id != partner_id:
        return rejected(
            "INVALID_KS",
            f"wrong partner: the KS is of partner {session.partner_id}, the player of "
            f"partner {partner_id}",
        )
    try:
        api._check_session_valid(db, session, now)
    except ApiError as exc:
        cause = exc.args_map.get("KSID", exc.code) if exc.code == "INVALID_KS" else exc.code
        logout = (f"revoked: this link's session ID {session.privileges['sessionid'][0]} was "
                  "ended (session.end) or its app token deleted; ask for a new link"
                  if session.privileges.get("sessionid") else
                  "revoked: the KS was ended (session.end) or its app token deleted")
        reasons = {
            "EXPIRED": f"expired: the KS ended at {utc(session.expiry)}",
            "LOGOUT": logout,
            "EXCEEDED_ACTIONS_LIMIT": "the KS used up its actions limit",
        }
        return rejected(cause, reasons.get(cause, exc.message))
    entry = find_entry(db, partner_id, entry_id)
    if entry is None:
        return rejected("ENTRY_ID_NOT_FOUND", f"entry not found: {entry_id}")
    views = session.privileges.get("sview", [])
    if views and "*" not in views and entry_id not in views:
        return rejected(
            "WRONG_ENTRY", f"wrong entry: the KS grants sview:{'/'.join(views)}, not {entry_id}"
        )
    user = find_kuser(db, partner_id, session.user_id, (0,)) if session.user_id else None
    warnings = []
    if session.is_admin:
        warnings.append("ADMIN session: never put an admin KS in a page or link")
    return {
        "ok": True,
        "live": _live_state(db, partner_id, entry, session, now),
        "userId": session.user_id,
        "userName": _user_name(user),
        "entryId": entry_id,
        "entryName": str(entry.get("name") or ""),
        "entryType": _entry_type(entry),
        "sessionType": "ADMIN" if session.is_admin else "USER",
        "privileges": session.privilege_string(),
        "playbackOnly": "PLAYBACK_BASE_ROLE" in session.privileges.get("setrole", []),
        "expiry": session.expiry,
        "expiryText": utc(session.expiry),
        "now": now,
        "warnings": warnings,
    }


# --- CnC JWT -------------------------------------------------------------------------------


def cnc_tokens(db: Store, partner_id: int) -> list[str]:
    """The partner's ACTIVE app tokens with ``cncAuth:true`` (their ``token`` values)."""
    rows = db.objects(
        "SELECT data FROM app_tokens WHERE partner_id=? AND status=2", (partner_id,)
    )
    return [
        str(row["token"])
        for row in rows
        if CNC_PRIVILEGE in [p.strip() for p in str(row.get("sessionPrivileges") or "").split(",")]
    ]


def _is_member(db: Store, partner_id: int, user_id: str, group_id: str) -> bool:
    return bool(db.scalar(
        "SELECT 1 FROM group_users WHERE partner_id=? AND user_id=? AND group_id=? AND status=0",
        (partner_id, user_id, group_id),
    ))


def check_jwt(db: Store, token: str, partner_id: int, expected_entry: str = "",
              now: int | None = None) -> Result:
    """Verify a CnC JWT for a widget of a partner on a page that plays ``expected_entry``."""
    now = db.now() if now is None else now
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return rejected("INVALID_JWT", "not a JWT")
    if header.get("alg") != "HS256":
        return rejected("INVALID_JWT", f"unsupported algorithm {header.get('alg')!r} (HS256 only)")
    if str(header.get("kid", "")) != str(partner_id):
        return rejected(
            "WRONG_PARTNER",
            f"wrong partner: the JWT's kid is {header.get('kid')!r}, the widget's partner "
            f"{partner_id}",
        )
    secrets = cnc_tokens(db, partner_id)
    if not secrets:
        return rejected(
            "NO_CNC_TOKEN", f"partner {partner_id} has no active cncAuth:true app token"
        )
    claims: dict[str, Any] | None = None
    for secret in secrets:
        try:
            claims = jwt.decode(
                token, secret, algorithms=["HS256"],
                options={"verify_exp": False, "require": ["exp"]},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidTokenError as exc:
            return rejected("INVALID_JWT", f"malformed JWT: {exc}")
    if claims is None:
        return rejected(
            "BAD_SIGNATURE", "bad signature: the JWT was not signed with the CnC app token"
        )
    exp = int(claims["exp"])
    if exp <= now:
        return rejected("EXPIRED", f"expired: the JWT ended at {utc(exp)}")
    if str(claims.get("partnerId", "")) != str(partner_id):
        return rejected("WRONG_PARTNER", f"wrong partner: partnerId {claims.get('partnerId')!r}")
    context = str(claims.get("contextId") or "")
    if expected_entry and context != expected_entry:
        return rejected(
            "WRONG_ENTRY",
            f"wrong entry: the JWT is for {context or 'no entry'}, the page plays {expected_entry}",
        )
    entry = find_entry(db, partner_id, context)
    if entry is None:
        return rejected("ENTRY_ID_NOT_FOUND", f"entry not found: {context or '(none)'}")
    uid = str(claims.get("uid") or "")
    user = find_kuser(db, partner_id, uid, (0,)) if uid else None
    if user is None:
        return rejected("USER_NOT_FOUND", f"user not found: CnC needs the Kaltura user {uid!r}")
    groups = [str(g) for g in claims.get("groups") or []]
    group = f"{context}_moderators"
    moderator = group in groups
    return {
        "ok": True,
        "uid": uid,
        "userName": _user_name(user),
        "entryId": context,
        "entryName": str(entry.get("name") or ""),
        "role": "moderator" if moderator else "attendee",
        "groups": groups,
        "groupMember": _is_member(db, partner_id, uid, group) if moderator else None,
        "virtualEventId": claims.get("virtualEventId"),
        "isAdmin": bool(claims.get("isAdmin")),
        "exp": exp,
        "expiryText": utc(exp),
        "now": now,
    }


# --- LTI 1.0 launch ------------------------------------------------------------------------


class Nonces:
    """Nonces already used, kept as long as their timestamps are acceptable."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def use(self, key: str, nonce: str, timestamp: int, now: int) -> bool:
        """Record a nonce; False when it was used before (a replay)."""
        with self._lock:
            horizon = now - 2 * LTI_TIMESTAMP_LIFETIME
            self._seen = {k: t for k, t in self._seen.items() if t >= horizon}
            if (key, nonce) in self._seen:
                return False
            self._seen[(key, nonce)] = timestamp
            return True


class _Validator(RequestValidator):  # type: ignore[misc]
    """oauthlib's questions answered for one KME consumer key and secret."""

    enforce_ssl = False  # the sandbox speaks plain HTTP on 127.0.0.1
    timestamp_lifetime = LTI_TIMESTAMP_LIFETIME
    # Kaltura's own sample (integrated-events-demo, kme.model.ts) sends Date.now() in base
    # 36: 8 characters, where oauthlib would insist on 20 to 30.
    nonce_length = LTI_NONCE_LENGTH

    def __init__(self, key: str, secret: str, nonces: Nonces, now: int) -> None:
        super().__init__()
        self.key, self.secret, self.nonces, self.now = key, secret, nonces, now
        self.replayed = False

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:
        return ("HMAC-SHA1",)

    @property
    def dummy_client(self) -> str:
        return "dummy-client"

    def check_client_key(self, client_key: str) -> bool:
        return bool(client_key)

    def validate_client_key(self, client_key: str, request: Request) -> bool:
        return bool(client_key == self.key)

    def get_client_secret(self, client_key: str, request: Request) -> str:
        return self.secret if client_key == self.key else "dummy-secret"

    def validate_timestamp_and_nonce(self, client_key: str, timestamp: str, nonce: str,
                                     request: Request, request_token: str | None = None,
                                     access_token: str | None = None) -> bool:
        fresh = self.nonces.use(client_key, nonce, int(timestamp), self.now)
        self.replayed = not fresh
        return fresh


def check_lti(db: Store, uri: str, body: str, nonces: Nonces, now: int | None = None) -> Result:
    """Verify an LTI 1.0 basic launch POSTed to ``uri`` with a form ``body``."""
    now = db.now() if now is None else now
    account = load_account(db)
    if account is None:
        return rejected("NO_ACCOUNT", "this server has no account")
    validator = _Validator(account.kme_key, account.kme_secret, nonces, now)
    endpoint = SignatureOnlyEndpoint(validator)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    valid, request = endpoint.validate_request(uri, "POST", body, headers)
    if not valid:
        return _lti_rejection(request, validator, now)
    params = dict(request.decoded_body or [])
    message_type = params.get("lti_message_type")
    if message_type is not None and message_type != "basic-lti-launch-request":
        # Kaltura's sample sends none; one that names another message is not a launch
        return rejected("BAD_LTI", f"not an LTI basic launch (lti_message_type {message_type!r})")
    if params.get("lti_version") != "LTI-1p0":
        return rejected("BAD_LTI", f"unsupported lti_version {params.get('lti_version')!r}")
    missing = [p for p in ("user_id", "roles", "context_id") if not params.get(p)]
    if missing:
        return rejected("BAD_LTI", f"missing LTI parameters: {', '.join(missing)}")
    room = find_entry(db, account.partner_id, params["context_id"])
    if room is None:
        return rejected("ENTRY_ID_NOT_FOUND", f"room not found: {params['context_id']}")
    if _entry_type(room) != ROOM_TYPE and "_room" not in str(room.get("adminTags") or ""):
        return rejected("NOT_A_ROOM", f"{params['context_id']} is not a meeting room")
    roles = [r.strip() for r in params["roles"].split(",") if r.strip()]
    role = next((LTI_ROLES[r.rsplit("/", 1)[-1].lower()] for r in roles
                 if r.rsplit("/", 1)[-1].lower() in LTI_ROLES), "attendee")
    name = " ".join(p for p in (params.get("lis_person_name_given", ""),
                                params.get("lis_person_name_family", "")) if p)
    return {
        "ok": True,
        "roomId": params["context_id"],
        "roomName": str(room.get("name") or ""),
        "contextTitle": params.get("context_title", ""),
        "userId": params["user_id"],
        "userName": name,
        "email": params.get("lis_person_contact_email_primary", ""),
        "role": role,
        "ltiRoles": roles,
        "consumerKey": request.client_key,
        "signatureMethod": request.signature_method,
        "timestamp": int(request.timestamp),
        "now": now,
    }


def _lti_rejection(request: Request | None, validator: _Validator, now: int) -> Result:
    """The true reason oauthlib refused a launch (its checks, in its order)."""
    if request is None:
        return rejected("BAD_OAUTH", "malformed OAuth request")
    required = {
        "oauth_signature": request.signature, "oauth_consumer_key": request.client_key,
        "oauth_nonce": request.nonce, "oauth_timestamp": request.timestamp,
        "oauth_signature_method": request.signature_method,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        return rejected("BAD_OAUTH", f"missing OAuth parameters: {', '.join(missing)}")
    if request.signature_method != "HMAC-SHA1":
        return rejected("BAD_OAUTH", f"unsupported signature method {request.signature_method}")
    version = dict(request.oauth_params).get("oauth_version")
    if version not in (None, "1.0"):
        return rejected("BAD_OAUTH", f"unsupported oauth_version {version!r} (only 1.0)")
    if not (request.timestamp.isdigit() and len(request.timestamp) == 10):
        return rejected("BAD_OAUTH", "the OAuth timestamp is not a 10-digit number of seconds")
    signed_at = int(request.timestamp)
    skew = abs(now - signed_at)
    if skew > LTI_TIMESTAMP_LIFETIME:
        when = f"{skew} s ago" if signed_at <= now else f"{skew} s in the future"
        return rejected(
            "STALE", f"stale launch: signed {when} (more than "
            f"{LTI_TIMESTAMP_LIFETIME} s; check the clock, launches are single-use)",
        )
    if not validator.check_nonce(request.nonce):
        low, high = LTI_NONCE_LENGTH
        return rejected(
            "BAD_OAUTH", f"the OAuth nonce must be {low} to {high} letters and digits"
        )
    if validator.replayed:
        return rejected("REPLAY", "replayed launch: this nonce was already used")
    if request.validator_log.get("client") is False:
        return rejected("UNKNOWN_KEY", f"unknown consumer key {request.client_key!r}")
    if request.validator_log.get("signature") is False:
        return rejected(
            "BAD_SIGNATURE", "bad signature: the launch was not signed with the KME key's secret"
        )
    return rejected("BAD_OAUTH", "the OAuth request was refused")


def as_json(result: Result) -> bytes:
    """The result as a JSON response body."""
    return json.dumps(result).encode()


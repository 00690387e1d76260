"""The cached facts of the seed's best practices, and how to (re)establish each one.

A fact is a positive statement cached with its own TTL: "user X exists", "group G exists",
"X is in G", "entry E looks like this", "the CnC token is T". A missing or expired fact
is re-established with an idempotent call that is also its verification: ``user.add``
(``DUPLICATE_USER_BY_ID`` means it already exists), ``group.add``, ``groupUser.add``
(``GROUP_USER_ALREADY_EXISTS``). Errors are never cached: a failed step stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from KalturaClient.Plugins.Core import (
    KalturaAppTokenFilter,
    KalturaAppTokenStatus,
    KalturaFilterPager,
    KalturaGroupUser,
    KalturaUser,
)
from KalturaClient.Plugins.Group import KalturaGroup

from ..kaltura.client import CallResult
from ..kaltura.errors import KalturaError
from ..kaltura.producer_client import ProducerClient
from .account import Account, where_to_set

USER_EXISTS = "user_exists"
GROUP_EXISTS = "group_exists"
USER_IN_GROUP = "user_in_group"
ENTRY = "entry"

CNC_PRIVILEGE = "cncAuth:true"


def membership_key(group_id: str, user_id: str) -> str:
    """Cache key of "user is in group" (a tab cannot occur in Kaltura ids)."""
    return f"{group_id}\t{user_id}"


@dataclass(frozen=True)
class Person:
    """Someone to give access to: a Kaltura user ID and the names to create them with."""

    user_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


class CncTokenError(KalturaError):
    """The account has no single active CnC app token."""

    exit_code = 3


@dataclass
class Step:
    """One call of a batch and what to do with its result.

    Attributes:
        action: ``service.action`` (for messages).
        queue: Queues the call on a client (inside a multirequest).
        settle: Handles the result: caches what it proves, raises what cannot be tolerated.
        expected: Error codes that answer the step rather than fail it ("already there",
            "not there"): recorded in the activity as answered, not as errors.
    """

    action: str
    queue: Callable[[ProducerClient], Any]
    settle: Callable[[CallResult], None]
    expected: frozenset[str] = frozenset()


def run(account: Account, steps: Sequence[Step]) -> list[CallResult]:
    """Run steps as ONE multirequest (none → no request) and settle each result."""
    if not steps:
        return []
    results = account.conn.multi(lambda c: [s.queue(c) for s in steps],
                                 expected={i: s.expected for i, s in enumerate(steps)
                                           if s.expected})
    for step, result in zip(steps, results, strict=True):
        step.settle(result)
    return results


# --- user, group, membership -------------------------------------------------------------------


def user_step(account: Account, person: Person, force: bool = False) -> Step | None:
    """``user.add`` unless the user is known to exist; a duplicate proves it exists."""
    if not force and account.cache.get(USER_EXISTS, person.user_id):
        account.cached("user.get", person.user_id)
        return None

    def queue(c: ProducerClient) -> Any:
        user = KalturaUser(id=person.user_id)
        if person.first_name:
            user.firstName = person.first_name
        if person.last_name:
            user.lastName = person.last_name
        if person.email:
            user.email = person.email
        return c.user.add(user)

    def settle(result: CallResult) -> None:
        if result.ok or result.failed_with("DUPLICATE_USER_BY_ID"):
            account.cache.put(USER_EXISTS, person.user_id, True)
        elif result.error is not None:
            raise result.error

    return Step("user.add", queue, settle, frozenset({"DUPLICATE_USER_BY_ID"}))


def group_step(account: Account, group_id: str, force: bool = False) -> Step | None:
    """``group.add`` unless the group is known to exist; a duplicate proves it exists."""
    if not force and account.cache.get(GROUP_EXISTS, group_id):
        account.cached("group.get", group_id)
        return None

    def settle(result: CallResult) -> None:
        if result.ok or result.failed_with("DUPLICATE_USER_BY_ID"):
            account.cache.put(GROUP_EXISTS, group_id, True)
        elif result.error is not None:
            raise result.error

    return Step(
        "group.add",
        lambda c: c.group.group.add(KalturaGroup(id=group_id, screenName=group_id)),
        settle,
        frozenset({"DUPLICATE_USER_BY_ID"}),
    )


def membership_step(
    account: Account, group_id: str, user_id: str, force: bool = False, tolerate: bool = False
) -> Step | None:
    """``groupUser.add`` unless the membership is cached; "already exists" proves it.

    Args:
        tolerate: Leave a failure in the result instead of raising (the caller repairs).
    """
    key = membership_key(group_id, user_id)
    if not force and account.cache.get(USER_IN_GROUP, key):
        account.cached("groupUser.list", f"{user_id} in {group_id}")
        return None

    def settle(result: CallResult) -> None:
        if result.ok or result.failed_with("GROUP_USER_ALREADY_EXISTS"):
            account.cache.put(USER_IN_GROUP, key, True)
        elif result.error is not None and not tolerate:
            raise result.error

    return Step(
        "groupUser.add",
        lambda c: c.groupUser.add(KalturaGroupUser(userId=user_id, groupId=group_id)),
        settle,
        frozenset({"GROUP_USER_ALREADY_EXISTS"}),
    )


def forget_user(account: Account, user_id: str) -> None:
    """The user proved to be gone: the next :func:`user_step` adds them again.

    E.g. deleted in KMC after kproducer added them, or a sandbox made anew.
    """
    account.cache.delete(USER_EXISTS, user_id)


def forget_group(account: Account, group_id: str) -> None:
    """The group proved to be gone: forget it and every membership cached for it.

    A deleted group takes its memberships with it (Kaltura keeps none when it is re-created),
    so "X is in G" facts cached before are wrong too and must be re-established.
    """
    account.cache.delete(GROUP_EXISTS, group_id)
    forget_memberships(account, group_id)


def forget_memberships(account: Account, group_id: str) -> None:
    """Forget every "X is in G" cached for the group (e.g. its members were just listed)."""
    account.cache.delete_prefix(USER_IN_GROUP, membership_key(group_id, ""))


def forget_membership(account: Account, group_id: str, user_id: str) -> None:
    """Drop the membership fact (after a removal, or when it proved wrong)."""
    account.cache.delete(USER_IN_GROUP, membership_key(group_id, user_id))


# --- CnC app token -----------------------------------------------------------------------------


def cnc_token_known(account: Account, *, trust_remembered: bool = True) -> str | None:
    """The CnC token from the user's settings (env/keyring) or the vault, without a call.

    Args:
        trust_remembered: Use a token remembered from an earlier ``appToken.list``. False
            where many JWTs are about to be signed (page exports): the token is then listed
            again, so one deleted on the server since is not signed into every page.
    """
    remembered = account.vault.get_cnc_token() if trust_remembered else None
    token = account.settings.cnc_app_token or remembered
    if not token:
        return None
    account.cached("appToken.list", "CnC app token")
    return token


def cnc_step(account: Account, found: list[str]) -> Step:
    """``appToken.list`` for the one ACTIVE ``cncAuth:true`` token; appends it to ``found``."""

    def queue(c: ProducerClient) -> Any:
        flt = KalturaAppTokenFilter(statusEqual=KalturaAppTokenStatus.ACTIVE)
        return c.appToken.list(flt, KalturaFilterPager(pageSize=500))

    def settle(result: CallResult) -> None:
        listed = result.unwrap()
        tokens = [
            t.token
            for t in (listed.objects or [])
            if str(t.sessionPrivileges or "") == CNC_PRIVILEGE  # exactly, as Kaltura's sample
        ]
        if len(tokens) != 1:
            raise CncTokenError(
                f"The account needs exactly one active app token with privileges "
                f'"{CNC_PRIVILEGE}" to sign chat (CnC) tokens, and {len(tokens)} were found; '
                "set the CnC app token "
                + where_to_set(account.settings, "KALTURA_CNC_APP_TOKEN")
                + ", or fix the app tokens.",
                "CNC_APP_TOKEN",
            )
        account.vault.set_cnc_token(tokens[0])
        found.append(tokens[0])

    return Step("appToken.list", queue, settle)


def replace_cnc_token(account: Account) -> bool:
    """Forget the remembered CnC token and find the account's current one (ONE request).

    For when the chat refused a JWT signed with the remembered token: the app token was
    deleted or replaced on the server while remembered here.

    Returns:
        True when a different token is now known (worth signing again); False when the
        token is the user's own (profile or environment: theirs to fix) or the same again.

    Raises:
        CncTokenError: The account has no single active CnC app token any more.
        KalturaError: Kaltura cannot be reached.
    """
    if account.settings.cnc_app_token:
        return False
    old = account.vault.get_cnc_token()
    account.vault.forget()
    found: list[str] = []
    run(account, [cnc_step(account, found)])
    return found[0] != old

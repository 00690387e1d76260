"""``kproducer entries encoder E``: a live session's encoder kit, saved or regenerated.

``--regenerate`` makes a new stream key (``liveStream.regenerateStreamToken``): an encoder
pushing with the old one is cut off. On a terminal it asks first; elsewhere (scripts, CI) it
runs only with ``--yes`` and otherwise refuses (exit 2), so a script never cuts a broadcast
by accident. ``--save FILE`` writes the technician's sheet, ``--obs FILE`` OBS Studio's
``service.json``; both hold the stream key and are written owner-only (0600).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kproducer.kaltura.errors import InvalidInput
from kproducer.services import encoder_file, entries, live, times

from .base import OK, USAGE, CommandError
from .common import account_options, connected, handles, print_json, stdin_is_terminal, warn


def configure(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``encoder`` to ``kproducer entries``."""
    kit = sub.add_parser("encoder", help="a live session's encoder kit (URLs, stream key)")
    kit.add_argument("entry", metavar="E", help="the live session's entry ID")
    kit.add_argument("--reveal", action="store_true",
                     help="show the stream key and SRT passphrase (credentials)")
    kit.add_argument("--regenerate", action="store_true",
                     help="make a new stream key (cuts off an encoder using the old one)")
    kit.add_argument("--yes", action="store_true",
                     help="confirm --regenerate without asking (needed when not on a terminal)")
    kit.add_argument("--save", metavar="FILE",
                     help="write the settings for a technician to FILE (0600; holds the key)")
    kit.add_argument("--obs", metavar="FILE",
                     help="write OBS Studio's service.json to FILE (0600; holds the key)")
    account_options(kit)
    handles(kit, encoder_command)


def kit_rows(kit: live.EncoderKit) -> list[tuple[str, str | None]]:
    """The kit as ``(label, value)`` rows for text output."""
    return [
        ("RTMP", kit.rtmp_url), ("RTMP backup", kit.backup_rtmp_url),
        ("RTMPS", kit.rtmps_url), ("RTMPS backup", kit.backup_rtmps_url),
        ("SRT", kit.srt_url), ("SRT backup", kit.backup_srt_url),
        ("Stream name", kit.stream_name),
        ("Stream key", kit.stream_key if kit.revealed else f"{live.MASK} (--reveal shows it)"),
        ("SRT stream ID", kit.srt_stream_id),
        ("SRT passphrase", (kit.srt_passphrase or "(none)") if kit.revealed else live.MASK),
    ]


def _confirm(broadcasting: bool | None) -> bool:
    now = "An encoder is broadcasting to it right now and" if broadcasting else "Any encoder"
    print(f"{now} using the old stream key will be cut off and must be set up again.",
          file=sys.stderr)
    sys.stderr.write("Type yes to make a new stream key: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def encoder_command(args: argparse.Namespace) -> int:
    """Print (and optionally regenerate or save) a live session's encoder kit."""
    entry_id = entries.check_entry_id(args.entry)
    if args.regenerate and not args.yes and not stdin_is_terminal():
        raise InvalidInput("A new stream key cuts off an encoder using the old one; add --yes "
                           "to confirm it when not on a terminal.", "CONFIRM")
    with connected(args) as account:
        details = live.details(account, entry_id)
        kit = details.kit
        if args.regenerate:
            if not args.yes and not _confirm(details.state.broadcasting):
                raise CommandError("Nothing was changed.", USAGE)
            kit = live.regenerate_key(account, entry_id)
            warn("note: a new stream key was made; encoders need the new settings.")
    saved = []
    slot = details.entry.schedule
    when = times.slot_text(slot.start, slot.end) if slot is not None else ""
    outputs: list[tuple[str, str]] = []
    if args.save:
        outputs.append((args.save, encoder_file.sheet(kit, details.entry.name, when)))
    if args.obs:
        outputs.append((args.obs, encoder_file.obs_service(kit)))
    for path, text in outputs:
        if path:
            try:
                saved.append(str(encoder_file.save(path, text)))
            except OSError as exc:
                raise CommandError(f"Could not write {path}: {exc.strerror or exc}.",
                                   USAGE) from None
    shown = kit if args.reveal else kit.masked()
    if args.json:
        print_json({"entry_id": entry_id, "encoder": shown.as_json(details.state.broadcasting),
                    "regenerated": bool(args.regenerate), "saved": saved})
        return OK
    for label, value in kit_rows(shown):
        print(f"{label + ':':<16}{value or ''}")
    for path in saved:
        print(f"Saved {path} (owner-only; it holds the stream key).")
    return OK

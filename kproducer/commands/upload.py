"""``kproducer entries upload FILE``: a video file becomes a VOD session.

Prints the new session's ID once the file is uploaded and attached (Kaltura then converts
it); ``--wait`` follows it until it is ready or failed. Progress (MB/s, time left) goes to
stderr, only when stderr is a terminal. A missing, unreadable or empty file is refused
before anything is created (exit 2). Interrupted (Ctrl-C, a kill), the same command again
continues from the last chunk the server confirmed; ``--restart`` starts over instead.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kproducer.services import entries, events, recordings, uploads
from kproducer.services.uploads import Progress, UploadCancelled

from .base import OK, SOME_FAILED, CommandError
from .common import account_options, connected, handles, print_json, stderr_is_terminal

#: Exit code after Ctrl-C (as :data:`kproducer.cli.INTERRUPTED`).
INTERRUPTED = 130


def configure(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``upload`` to ``kproducer entries``."""
    up = sub.add_parser("upload", help="upload a video file as a VOD session (resumable)")
    up.add_argument("file", metavar="FILE", help="the video file")
    up.add_argument("--name", metavar="N", help="the session's name (default: the file's name)")
    up.add_argument("--event", metavar="ID", help="tie it to this virtual event")
    up.add_argument("--wait", action="store_true",
                    help="then wait until Kaltura has converted it (ready or failed)")
    up.add_argument("--restart", action="store_true",
                    help="do not continue an interrupted upload of this file: start over")
    account_options(up)
    handles(up, upload_command)


class _Progress:
    """One stderr line, redrawn: ``Uploading clip.mp4… 42% · 84.0 of 200.0 MB · ...``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.meter = recordings.Meter()
        self.shown = False
        self.width = 0

    def __call__(self, progress: Progress) -> None:
        self.meter.add(progress.done)
        line = f"Uploading {self.name}… {self.meter.line(progress.total)}"
        # padded over the longer line before it (control sequences are shown escaped)
        sys.stderr.write(f"\r{line.ljust(self.width)}")
        self.width = len(line)
        sys.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.shown = False


def _say_status(state: recordings.RecordingStatus) -> None:
    sys.stderr.write(f"{state.word}: {state.sentence}\n")
    sys.stderr.flush()


def upload_command(args: argparse.Namespace) -> int:
    """Upload, attach, optionally wait; print the session."""
    file, _size, _mtime = uploads.check_file(args.file)  # exit 2 before connecting
    name = entries.check_name(args.name if args.name is not None else file.stem)
    event_id = events.check_event_id(args.event) if args.event is not None else None
    shown = _Progress(file.name) if stderr_is_terminal() else None
    with connected(args) as account:
        if event_id is not None:
            events.get(account, event_id)  # nothing is uploaded for an event that is not there
        if args.restart:
            uploads.discard(account, file)
        try:
            entry = uploads.upload(account, file, name, event_id, progress=shown)
        except UploadCancelled as exc:
            raise CommandError(str(exc), SOME_FAILED) from None
        except KeyboardInterrupt:
            raise CommandError(
                f"Interrupted; run the same command again to continue the upload of "
                f"{file.name} where it stopped.", INTERRUPTED) from None
        except OSError as exc:
            raise CommandError(
                f"The upload's progress cannot be saved on this computer "
                f"({exc.strerror or exc}); free some disk space and run the same command "
                f"again to continue.", SOME_FAILED) from None
        finally:
            if shown is not None:
                shown.end()
        state = recordings.status_of(entry)
        if args.wait:
            state = recordings.follow_until_ready(
                account, entry.id, on_status=_say_status if stderr_is_terminal() else None)
            entry = entries.get(account, entry.id)
    if args.json:
        print_json({"entry_id": entry.id, "name": entry.name, "event_id": entry.event_id,
                    "status": state.word, "status_code": state.code,
                    "message": state.sentence, "duration": entry.duration,
                    "thumbnail_url": entry.thumbnail_url})
    else:
        print(entry.id)
    if args.wait and state.word == "error":
        sys.stderr.write(f"Session {entry.id}: {state.sentence}\n")
        return SOME_FAILED
    return OK


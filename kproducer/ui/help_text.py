"""The F1 help: what the window does, one short section per part, in the producer's words.

Each section is (title, paragraphs); :func:`help_html` builds the dialog's HTML from them (our
own text, escaped). A new feature gets its section in :data:`SECTIONS`, in the order a
producer meets it.
"""

from __future__ import annotations

from html import escape

SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("Connect", (
        "File › Accounts… (Ctrl+Shift+A) adds your Kaltura account: partner ID, admin user and "
        "admin secret (kept in the system keyring), and the player and CnC IDs that links and "
        "the chat need. Test checks it; Connect opens it. File › Open the Sandbox demo opens a "
        "demo account that runs on this computer.",
    )),
    ("Events", (
        "The Events tab lists the account's virtual events: search, create, edit and delete "
        "them. Selecting one shows its sessions on the Sessions tab.",
    )),
    ("Sessions", (
        "The Sessions tab lists an event's sessions: live streams, meeting rooms and videos, "
        "with their status and schedule. New session… creates a live stream or a room with "
        "its start and end (a Kaltura schedule) and its moderators group; Attach by ID… adds "
        "one that already exists in Kaltura. Edit… (F2) renames, reschedules or moves it; "
        "Delete… (Del) removes it with its group and schedule.",
        "For a live stream, the details show whether it is on air, whether attendees see it "
        "and whether it is recorded, and its encoder kit: the addresses and the stream key for "
        "your encoder (hidden until you reveal them), which you can save to a private file or "
        "regenerate.",
    )),
    ("Moderators", (
        "The Moderators tab lists who moderates the chosen session. Add one person by user ID "
        "or email, remove the selected one, or import a CSV file (user_id or email, first_name, "
        "last_name) with Import CSV… (Ctrl+I) or by dropping the file on the tab. Every row gets a "
        "result; Retry failed rows tries those again, and the results can be saved as a CSV.",
    )),
    ("Preview", (
        "The Preview tab shows a session as an attendee or as one of its moderators sees it, "
        "with real tokens made on this computer. Open in system browser opens the same page "
        "outside kproducer; Show QR code opens it on a phone; Refresh (Ctrl+R) makes fresh "
        "tokens.",
    )),
    ("Export signed links", (
        "File › Export signed links… (Ctrl+E) makes a personal link for every person of a CSV "
        "list, for one session: player links, or one HTML page each. The links carry their "
        "own access, so send each one only to its person.",
    )),
    ("Activity", (
        "View › Activity (Ctrl+Shift+Y) lists what you did, newest last, with its outcome and "
        "how long it took; open a row to see the calls it made to Kaltura. The line above it "
        "counts the calls sent and what the local cache answered here instead. Export… saves "
        "the list as a CSV (without secrets); Clear cache makes the next lookups ask Kaltura "
        "again.",
    )),
    ("Keyboard", (
        "Ctrl+1 to Ctrl+4 switch tabs; F2 edits, Del deletes, Ctrl+R refreshes and Ctrl+F "
        "searches on the tab in front; Ctrl+C copies the selected ID.",
    )),
    ("Command line", (
        "Everything the window does to the account can be scripted: kproducer events, entries "
        "(sessions), moderators, links export, profile and cache; kproducer --help lists them.",
    )),
]


def help_html() -> str:
    """The help dialog's text: a heading and paragraphs per section."""
    parts = ["<p>kproducer helps you produce Kaltura virtual events: events, their sessions, "
             "who moderates them, what attendees will see, and the links you send.</p>"]
    for title, paragraphs in SECTIONS:
        parts.append(f"<p><b>{escape(title)}</b></p>")
        parts.extend(f"<p>{escape(text)}</p>" for text in paragraphs)
    return "".join(parts)

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
    ("Go-live check", (
        "The Go-live check tab answers \u201cis everything in place?\u201d for the event chosen on "
        "the Events tab: a light per session and one for the whole event (the account's chat "
        "token, player and chat IDs). Each problem is one sentence with its fix, and a button "
        "where kproducer can do it (create the moderators group, open the encoder settings, "
        "export the links again). Check now (F5) asks Kaltura again; a live session starting "
        "within 15 minutes must have its encoder on air.",
    )),
    ("Sessions", (
        "The Sessions tab lists an event's sessions: live streams, meeting rooms, videos and "
        "simulive sessions, with their picture, status and schedule. New session… creates a "
        "live stream or a room with its start and end (a Kaltura schedule) and its moderators "
        "group; Attach existing… finds a session of the account by name (or its ID) and lists "
        "it under the event. Edit… (F2) renames, reschedules or moves it; Delete… (Del) "
        "removes it with its group and schedule.",
        "Upload recording… (Ctrl+U), or dropping video files on the tab, adds them as video "
        "sessions: the status bar shows the speed and time left, Cancel stops, and an upload "
        "cut short continues from where it was the next time. A video is uploading, then "
        "converting, then ready by itself. Set thumbnail… gives it a picture; Schedule as "
        "Simulive… plays a ready video as a live session at a time you choose; it is on air in its "
        "slot with no encoder (the On air column says so).",
        "For a live stream, the details show whether it is on air, whether attendees see it "
        "and whether it is recorded, and its encoder kit: the addresses and the stream key for "
        "your encoder (hidden until you reveal them), which you can save to a private file or "
        "regenerate.",
    )),
    ("Moderators", (
        "The Moderators tab lists who moderates the chosen session, with their count. Add one "
        "person by user ID or email, remove several at once (Shift/Ctrl-click), save the list "
        "as a CSV, or import a CSV file (user_id or email, first_name, last_name) with Import "
        "CSV… (Ctrl+I) or by dropping the file on the tab. Every row gets a result: rows wrong "
        "in the file are fixed in the file, then Import the file again; Retry tries again only "
        "the rows Kaltura did not do. The results can be saved as a CSV.",
    )),
    ("Preview", (
        "The Preview tab shows the session selected on Sessions or Moderators as an attendee "
        "or as one of its moderators sees it, with real tokens made on this computer; the "
        "preview adds nobody to the session's moderators. Open in system browser opens the "
        "same page outside kproducer; Show QR code opens it on a phone; Refresh (Ctrl+R) makes "
        "fresh tokens.",
    )),
    ("Export signed links", (
        "File › Export signed links… (Ctrl+E) makes a personal link for every person of a CSV "
        "list, for one session: player links, or one HTML page each. The links carry their "
        "own access, so send each one only to its person. Every link is written to the link "
        "ledger on this computer (never the token itself), so that it can be revoked.",
    )),
    ("Links", (
        "The Links tab lists a session's exports and shared links: how many, until when they "
        "work, and whether they were revoked, and the people of each. Revoke export… or "
        "Revoke person… ends those links on Kaltura at once; exporting again makes new links "
        "for the people revoked. Kaltura keeps a revocation about 24 hours: while kproducer "
        "is open it renews it for links that live longer, and shorter link lifetimes are the "
        "safer choice.",
    )),
    ("Activity", (
        "View › Activity (Ctrl+Shift+Y) lists what you did, newest last, with its outcome and "
        "how long it took (Replaced: a newer one of the same took its place); open a row to "
        "see the calls it made to Kaltura. The line above it "
        "counts the calls sent and what the local cache answered here instead. Export… saves "
        "the list as a CSV (without secrets); Clear cache makes the next lookups ask Kaltura "
        "again.",
    )),
    ("Keyboard", (
        "Ctrl+1 to Ctrl+6 switch tabs; F2 edits, Del deletes, Ctrl+R refreshes and Ctrl+F "
        "searches on the tab in front; Ctrl+C copies the selected ID. Alt with an underlined "
        "letter presses that button or opens that menu: each letter means one thing on a tab.",
    )),
    ("Command line", (
        "Everything the window does to the account can be scripted: kproducer events (and "
        "events check), entries (sessions, and entries upload), moderators, links export, list "
        "and revoke, profile and cache; kproducer --help lists them.",
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

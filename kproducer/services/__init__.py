"""Plain-Python services (no Qt): events, entries, moderators, tokens, KME, links."""

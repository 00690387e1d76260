"""What lives on this machine: profiles, the secret store, the cache, atomic writes, redaction.

The bottom layer of the package (face → ui → services → kaltura → local): nothing here
imports Qt, the Kaltura client or the services.
"""

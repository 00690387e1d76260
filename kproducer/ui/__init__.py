"""Qt widgets: the main window, one module per tab, dialogs and the worker mechanism.

Startup rule: nothing here imports the Kaltura client or the services at module level
(they take longer to import than Qt itself). Tabs import a service inside the job that calls
it, on a worker thread, after the window is already on screen; the window warms them up in
the background right after it shows.
"""

#: The built-in profile that runs the embedded sandbox.
SANDBOX_PROFILE = "Sandbox"

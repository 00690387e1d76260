"""Qt widgets: the main window, one module per tab, dialogs and the worker mechanism."""

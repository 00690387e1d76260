"""The sandbox's API services; importing this package registers every action."""

from . import users  # noqa: F401

"""The domain error of events, in its own module so every part of the services can raise it."""


class EventError(Exception):
    """A rule of events refused the change; the message is shown to the person."""

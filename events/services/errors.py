"""The domain error of events, in its own module so every part of the services can raise it."""


class EventError(Exception):
    """A rule of events refused the change; the message is shown to the person."""


class AlreadyRegistered(EventError):
    """The person (or their e-mail, in any letter case) already holds a place; `registration` is it."""

    def __init__(self, message, *, registration):
        super().__init__(message)
        self.registration = registration

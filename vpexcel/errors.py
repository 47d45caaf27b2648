"""The one exception type for input a user must fix.

Every edge (CLI, Excel button) turns it into a Swedish sentence and exit code 2;
nothing else is ever shown to a user as a traceback.
"""


class InputError(Exception):
    """The user's input cannot be used. ``message`` is Swedish and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

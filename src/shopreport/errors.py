"""The errors shopreport reports to a user as a message, never as a traceback."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ShopreportError(Exception):
    """A problem the user can fix; `exit_code` is 2 for usage/config, 1 for data."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(ShopreportError):
    """The config file or a command-line argument is wrong."""

    exit_code = 2


class DataError(ShopreportError):
    """A data file is missing, unreadable or breaks the data contract."""

    exit_code = 1


class RunError(ShopreportError):
    """The run could not finish: a full disk, the --timeout reached, a stop signal."""

    exit_code = 1


class ShopreportWarning(UserWarning):
    """Something the user should fix that does not stop the run (printed as `warning: …`)."""


class Stopped(BaseException):
    """SIGTERM or SIGINT arrived: unwinds like KeyboardInterrupt (temporary files are removed
    on the way out) and exits with 128 + the signal number."""

    def __init__(self, signum: int, name: str):
        super().__init__(name)
        self.signum, self.name = signum, name


class TimedOut(BaseException):
    """The build's --timeout was reached (a BaseException, so no library catches it)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return " Did you mean 'x'?" for the closest choice, or an empty string."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{match[0]}'?" if match else ""

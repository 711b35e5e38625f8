"""One hierarchy of expected failures: every exception the library raises for the user is an
``IndikatorError`` that carries its exit code (cli.md) and a Swedish message, and may carry
lines to show before it (the input summary that explains a refusal)."""

from __future__ import annotations

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_REJECTED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class IndikatorError(Exception):
    """An expected failure with a message for the user; nothing was computed (exit 1)."""

    exit_code = EXIT_FAIL

    def __init__(self, message: str, shown: list[str] | None = None):
        super().__init__(message)
        self.shown = shown or []  # lines to print before the message


class FileError(IndikatorError):
    """An input cannot be used: unreadable file, missing column, missing folder (exit 1)."""


class ConfigError(FileError):
    """The configuration is invalid; the message names the key."""


class StrictError(IndikatorError):
    """``--strict`` and some rows were rejected: nothing is reported (exit 1)."""


class LockError(IndikatorError):
    """Another batch run is writing to the same folder (exit 1)."""


class OutputError(IndikatorError):
    """A result could not be written (folder missing or not writable, disk full): an
    ordinary operational situation, not a bug (exit 1)."""


class ProtectionError(IndikatorError):
    """Small-count protection was asked to protect a table that is not whole (exit 1)."""


class UsageError(IndikatorError):
    """The request itself is wrong (exit 2)."""

    exit_code = EXIT_USAGE


class PeriodError(UsageError):
    """A malformed period, or one outside the project and the data."""


class SelectionError(UsageError):
    """An unknown delprojekt, indicator or format in the request."""


def describe_os_error(e: OSError, path: object = None) -> str:
    """An operating-system failure (a folder that is missing or not writable, a full disk) as
    a plain Swedish sentence naming the path and what to do: an ordinary situation, not a bug."""
    import errno

    reasons = {
        errno.ENOSPC: "disken är full",
        errno.EDQUOT: "diskkvoten är slut",
        errno.EACCES: "du saknar behörighet",
        errno.EPERM: "du saknar behörighet",
        errno.EROFS: "filsystemet är skrivskyddat",
        errno.ENOENT: "mappen eller filen finns inte",
        errno.ENOTDIR: "en del av sökvägen är en fil, inte en mapp",
        errno.EISDIR: "sökvägen är en mapp, inte en fil",
        errno.EEXIST: "en fil med det namnet finns redan där en mapp behövs",
    }
    reason = reasons.get(e.errno, e.strerror or str(e))
    where = f" {e.filename or path}" if (e.filename or path) else ""
    return (
        f"kunde inte skriva eller läsa{where}: {reason}. "
        "Kontrollera sökvägen, behörigheten och diskutrymmet och försök igen"
    )

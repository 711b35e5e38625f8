"""Exceptions that map to exit codes; messages are Swedish because users read them."""


class IndikatorError(Exception):
    """Base class: an expected failure with a message for the user."""


class FileError(IndikatorError):
    """Nothing can be computed: unreadable file, missing column, bad configuration (exit 1)."""


class ConfigError(FileError):
    """The configuration is invalid; the message names the key."""


class PeriodError(IndikatorError):
    """A malformed period label (a usage error, exit 2)."""

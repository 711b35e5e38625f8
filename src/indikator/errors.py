"""Exceptions that map to exit codes; messages are Swedish because users read them."""


class IndikatorError(Exception):
    """Base class: an expected failure with a message for the user."""


class FileError(IndikatorError):
    """Nothing can be computed: unreadable file, missing column, bad configuration (exit 1)."""


class ConfigError(FileError):
    """The configuration is invalid; the message names the key."""


class PeriodError(IndikatorError):
    """A malformed period label (a usage error, exit 2)."""


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

"""Typed errors of the library. The CLI turns each into one message and an exit code."""

from __future__ import annotations


class VaultlinkError(Exception):
    """Base of every error vaultlink raises on purpose. ``str(error)`` is the user's message."""

    exit_code = 1


class VaultNotFound(VaultlinkError):
    """The vault path does not exist, is not a folder, or cannot be listed."""

    exit_code = 3


class ConfigError(VaultlinkError):
    """``vaultlink.toml`` could not be read: the message names the file and the line."""

    exit_code = 2


class WriteRefused(VaultlinkError):
    """A write would lose data (the file changed since it was read, or lies outside the vault)."""

    exit_code = 4


class JournalError(VaultlinkError):
    """There is no run to undo, or its journal cannot be read."""

    exit_code = 4

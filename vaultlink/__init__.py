"""vaultlink: find the people, companies and advice in conversation notes, graph them, link them."""

from vaultlink.api import __version__, read_vault, scan_vault

__all__ = ["__version__", "read_vault", "scan_vault"]

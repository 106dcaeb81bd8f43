"""``vaultlink.toml``, the optional config at the vault root: text in, plain data out.

    [[people]]
    name = "Stefan Mai"
    aliases = ["Stef"]

    [[companies]]
    name = "Loomly"
    aliases = ["Loomly Inc"]

    [[topics]]
    name = "Visa"
    phrases = ["h-1b", "green card"]

    never = ["Gen AI", "Notion"]          # names never to extract

    [hubs]
    people = "People"                     # where --create-hubs puts hub notes
    companies = "Companies"
    topics = "Topics"
"""

from __future__ import annotations

import sys
from typing import Any

from vaultlink.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_LISTS = ("people", "companies", "topics")
_KNOWN = {*_LISTS, "never", "hubs", "title_patterns"}


def parse_config(text: str, name: str = "vaultlink.toml") -> dict[str, Any]:
    """Read and check the config. Raises :class:`ConfigError` naming the file and the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{name}: {error}. Fix that line, or move the file away to run without it.") from error
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ConfigError(f"{name}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(_KNOWN))}")
    for key in _LISTS:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise ConfigError(f"{name}: '{key}' must be a list of tables, written [[{key}]]")
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
                raise ConfigError(f"{name}: entry {number} of [[{key}]] needs a name = \"...\"")
            for field in ("aliases", "phrases"):
                value = item.get(field, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"{name}: '{field}' of {item['name']!r} in [[{key}]] must be a list of strings")
    never = data.get("never", [])
    if not isinstance(never, list) or not all(isinstance(v, str) for v in never):
        raise ConfigError(f"{name}: 'never' must be a list of names")
    hubs = data.get("hubs", {})
    if not isinstance(hubs, dict) or not all(isinstance(v, str) for v in hubs.values()):
        raise ConfigError(f"{name}: [hubs] maps people/companies/topics to folder names")
    return data

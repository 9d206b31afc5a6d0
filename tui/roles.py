"""The roles file named by `[riders] roles`, read and checked before the screen opens.

It is read like the configuration: a file that is missing, not TOML, has an unknown key, a
role that does not exist or a rider written twice stops Ardoise with one line naming the file
and the key (`ConfigError`, exit status 2). What can only be checked against the start list (a
name matching no rider or several) is the engine's warning once the start list is in
(`race.roles`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from race.roles import DeclaredRoles, RolesFile
from tui.config import ConfigError, LoadedConfig, file_error, read_toml


def roles_path(loaded: LoadedConfig) -> Path | None:
    """The roles file, resolved against the file that names it; None when none is named."""
    path = loaded.config.riders.roles
    if path is None:
        return None
    return loaded.base_dir("riders.roles") / path.expanduser()


def load_roles(loaded: LoadedConfig) -> DeclaredRoles | None:
    """The roles file, validated; None when the configuration names none.

    Raises:
        ConfigError: the file is missing (naming the configuration's key), or bad (naming
            the roles file and its key).
    """
    path = roles_path(loaded)
    if path is None:
        return None
    if not path.is_file():
        raise ConfigError(loaded.origin("riders.roles"), "riders.roles", f"no roles file {path}")
    source = str(path)
    data = read_toml(path)
    try:
        roles = RolesFile.model_validate(data)
    except ValidationError as error:
        raise file_error(source, error, RolesFile) from None
    twice = roles.duplicate()
    if twice is not None:
        raise ConfigError(source, *twice)
    return DeclaredRoles(source=source, roles=roles)

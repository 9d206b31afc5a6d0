"""The base of every part of the `Situation` (`race.situation`): immutable."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    """Its validator is built when first used: a launch from a start point draws its first
    picture from an unpickled situation, validating none."""

    model_config = ConfigDict(frozen=True, defer_build=True)

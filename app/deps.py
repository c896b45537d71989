"""`Annotated` dependency aliases for handlers: the driver, the settings and the current model.

They are `async` because they only read `app.state`: a sync dependency would cost a thread-pool hop each.
"""

from typing import Annotated, Any

from fastapi import Depends, Request
from neo4j import Driver

from graph.settings import Settings


async def _driver(request: Request) -> Driver:
    return request.app.state.driver


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _scorer(request: Request) -> Any:
    return request.app.state.models.get()


DriverDep = Annotated[Driver, Depends(_driver)]
SettingsDep = Annotated[Settings, Depends(_settings)]
# the current `models.serve.Scorer`, or None when no model is promoted (or it could not be loaded)
ScorerDep = Annotated[Any, Depends(_scorer)]

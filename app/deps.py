"""`Annotated` dependency aliases for handlers: the driver, the settings and the current model."""

from typing import Annotated, Any

from fastapi import Depends, Request
from neo4j import Driver

from graph.settings import Settings


def _driver(request: Request) -> Driver:
    return request.app.state.driver


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _scorer(request: Request) -> Any:
    return request.app.state.models.get()


DriverDep = Annotated[Driver, Depends(_driver)]
SettingsDep = Annotated[Settings, Depends(_settings)]
# the current `models.serve.Scorer`, or None when no model is promoted (or it could not be loaded)
ScorerDep = Annotated[Any, Depends(_scorer)]

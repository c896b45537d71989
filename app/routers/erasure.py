"""DELETE /customers/{id}: erase a customer everywhere the project writes (graph, model artifacts, caches)."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.auth import Principal, Role, allow
from app.deps import DriverDep, SettingsDep
from app.routers.customers import CustomerId
from graph.customers import customer_manager
from graph.erasure import erase_customer
from graph.errors import NotFound
from models.artifacts import scrub_customer
from models.text import forget

log = logging.getLogger("icrm.api")
router = APIRouter(prefix="/customers", tags=["erasure"])


@router.delete("/{customer_id}", status_code=204, response_class=Response)
def delete_customer(driver: DriverDep, settings: SettingsDep, customer_id: CustomerId,
                    principal: Annotated[Principal, Depends(allow(Role.admin))]) -> Response:
    """Erase a customer (admin only): their data, suggestions on both sides, model traces; introductions become tombstones."""
    if not customer_manager(driver, customer_id=customer_id)[0]:
        raise NotFound("no customer with that id")
    # model artifacts first: if that fails the customer still exists, and DELETE can simply be retried
    scrub_customer(settings, customer_id)
    texts = erase_customer(driver, customer_id=customer_id)
    forget(texts, settings=settings)  # cached vectors of their texts (scrub_customer covers the model's own)
    log.info("erasure done by key %s", principal.key_id)
    return Response(status_code=204)

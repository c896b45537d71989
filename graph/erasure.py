"""Erasure of a customer (right to be forgotten).

An erased customer leaves only an `Erasure {id_hash}` node, so that an old CRM export cannot bring them back.
"""

import hashlib


def id_hash(customer_id: str) -> str:
    """The non-reversible fingerprint of an erased customer's id that the loader checks against."""
    return hashlib.sha256(b"icrm-erasure:" + customer_id.encode("utf-8")).hexdigest()

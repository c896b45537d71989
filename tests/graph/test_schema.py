"""The schema: migrations apply, are idempotent, and enforce uniqueness."""

import pytest
from neo4j.exceptions import ConstraintError

from graph.migrate import migrate


def test_migrate_twice_changes_nothing(db):
    before = db.execute_query("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS c")[0][0]["c"]
    assert migrate(db) == []
    after = db.execute_query("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS c")[0][0]["c"]
    assert sorted(before) == sorted(after)
    assert "customer_id" in after


def test_customer_id_is_unique(db):
    db.execute_query("CREATE (:Customer {customer_id: 'c1'})")
    with pytest.raises(ConstraintError):
        db.execute_query("CREATE (:Customer {customer_id: 'c1'})")

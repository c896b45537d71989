"""No query text is built from values: the AST scan of graph/, models/, app/ and cli/ finds nothing, and it
does find every kind of string-built query planted in a sample module."""

import textwrap

from tests.trust.cypher_scan import project_sources, scan_sources


def test_project_code_builds_no_query_from_values() -> None:
    findings, examined = scan_sources(project_sources())
    assert examined >= 30, "the scan found few database calls: is it still looking at the right code?"
    assert not findings, "Cypher built from values (use $params and cypher/queries/*.cypher):\n" + "\n".join(
        map(str, findings))


PLANTED = textwrap.dedent('''
    import subprocess
    from graph.cypher import query, statements

    def bad_fstring(session, name):
        return session.run(f"MATCH (c:Customer {{name: '{name}'}}) RETURN c")  # BAD

    def bad_concat(tx, name):
        tx.run("MATCH (c:Customer) WHERE c.name = '" + name + "' RETURN c")  # BAD

    def bad_percent(driver, name):
        driver.execute_query("MATCH (c) WHERE c.name = '%s' RETURN c" % name)  # BAD

    def bad_format_keyword(driver, name):
        driver.execute_query(query_="MATCH (c {{name: '{}'}}) RETURN c".format(name))  # BAD

    def bad_via_variable(session, label):
        text = f"MATCH (n:{label}) RETURN n"
        session.run(text)  # BAD

    def bad_augmented(session, limit):
        text = query("list_customers")
        text += " LIMIT " + str(limit)
        session.run(text)  # BAD

    def _work(tx, cypher, rows):
        return tx.run(cypher, rows=rows).consume()

    def bad_callback(driver, prop):
        with driver.session() as s:
            s.execute_write(_work, f"UNWIND $rows AS row SET n.{prop} = row.v", [])  # BAD

    def bad_forwarded(session, name):
        _work(session, "MATCH (c {name: '" + name + "'}) RETURN c", [])  # BAD

    def _build(label):
        return f"MATCH (n:{label}) RETURN n"

    def bad_builder(session, label):
        session.run(_build(label))  # BAD

    def good(session, driver, name, text):
        session.run(query("customer_by_name"), name=name)
        session.run("MATCH (c:Customer {name: $name}) RETURN c", name=name)
        driver.execute_query(query("a") + "\\n", name=name)
        fixed = "MATCH (n) " + "RETURN count(n)"
        session.run(fixed)
        for stmt in statements(text):
            session.run(stmt)
        _work(session, query("write_customers"), [])
        subprocess.run(["echo", f"{name}"], check=True)
''')


def test_scan_catches_every_planted_string_built_query() -> None:
    findings, _ = scan_sources({"planted.py": PLANTED})
    lines = PLANTED.splitlines()
    expected = {i + 1 for i, line in enumerate(lines) if line.rstrip().endswith("# BAD")}
    assert len(expected) == 9
    assert {f.line for f in findings} == expected, "\n".join(map(str, findings))

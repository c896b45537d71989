"""The hostile-string corpus: text that would break out of a Cypher string, name or comment if it were ever spliced in.

Every entry is stored and read back verbatim when the code uses `$params`. None has leading or trailing
whitespace, because name-like fields strip it by contract (`graph.records`).
"""

# name -> text; short enough for any 200-character field except where `long` says otherwise
HOSTILE: dict[str, str] = {
    "single_quote": "O'Brien' }) DETACH DELETE n //",
    "close_map_detach": "'}) DETACH DELETE n //",
    "brace_detach": "} DETACH DELETE n WITH 1 AS x MATCH (m) DETACH DELETE m //",
    "double_quote": 'say "hi" }) MATCH (m) DETACH DELETE m //',
    "backtick": "`) MATCH (m) DETACH DELETE m RETURN `x",
    "unicode_backtick": "\u0060Customer\u0060 {name: \u0060x\u0060}) SET n.pwned = true //",
    "escaped_backtick_text": "\\u0060) DETACH DELETE n //\\u0027",
    "apoc_call": "x'); CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {}) //",
    "dbms_call": "x'}) CALL dbms.security.createUser('evil', 'evil', false) //",
    "load_csv": "x' LOAD CSV FROM 'file:///etc/passwd' AS l CREATE (:Pwned {l: l}) //",
    "block_comment": "/* ' */ MATCH (n) DETACH DELETE n /* ` */",
    "line_comment": "ok // '}) RETURN 1 //",
    "param_lookalike": "$customer_id $rows {name: $name, id: $id}",
    "backslash_quote": "\\'}) DETACH DELETE n //\\",
    "semicolon_chain": "a'; MATCH (n) DETACH DELETE n; //",
    "newlines": "line one\nMATCH (n) DETACH DELETE n\r\n// line three",
    "rtl_override": "\u202eexe.FDP \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "emoji_zwj": "\U0001f3e6\U0001f4b8 \U0001f469\u200d\U0001f4bc Zo\u00eb's Caf\u00e9 \u2615",
    "combining": "Z\u0363\u0364\u0365a\u0310l\u0352g\u0344o",
    "null_byte": "before\x00after",
}

# a 5,000-character string full of break-out attempts (for the 5,000-character text fields)
LONG = ("'}) DETACH DELETE n // `x` /* */ $p \U0001f4b8 " * 200)[:4999] + "!"
assert len(LONG) == 5000

ALL: dict[str, str] = {**HOSTILE, "long": LONG}


def fit(text: str, max_len: int) -> str:
    """`text` cut to a field's maximum length, never ending in whitespace (names are stripped by contract)."""
    return text[:max_len].rstrip() or "x"


def for_field(name: str, max_len: int) -> str:
    """The corpus entry `name` as it should be sent to a field of `max_len` characters."""
    return fit(ALL[name], max_len)

"""Finds Cypher built from values: an AST scan for query text made by f-string, `%`, `.format`, `.join` or `+`.

A call to `run`, `execute_query` or `neo4j.Query` (directly, through a helper that forwards its argument,
or through an `execute_read/execute_write` callback) may receive only constants or `graph.cypher.query(...)`
results. Used by `test_no_string_built_cypher.py`.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("graph", "models", "app", "cli")
QUERY_METHODS = {"run", "execute_query"}
QUERY_KEYWORDS = {"query", "query_", "cypher", "statement", "text"}
CALLBACK_RUNNERS = {"execute_read", "execute_write", "read_transaction", "write_transaction"}
SAFE_LOADERS = {"query"}  # graph.cypher.query(name): text from a .cypher file, never from a value
# `x.run(...)` on these is not a database call
NOT_DATABASE = {"subprocess", "asyncio", "uvicorn", "anyio", "trio", "app", "typer", "runner", "CliRunner"}
# Functions allowed to build query text from an Enum allow-list (module:function); each needs its own test.
ALLOWED_BUILDERS: set[str] = set()


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}"


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _receiver(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        return call.func.value.id
    return None


def _query_arg(call: ast.Call) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for kw in call.keywords:
        if kw.arg in QUERY_KEYWORDS:
            return kw.value
    return None


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[str]:
    a = fn.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


class ModuleScan:
    """Name bindings per function, so `q = f"..."; tx.run(q)` is seen through."""

    def __init__(self, tree: ast.Module, path: str) -> None:
        self.tree, self.path = tree, path
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node

    def scope_of(self, node: ast.AST) -> ast.AST:
        cur = self.parent.get(node)
        while cur is not None and not isinstance(cur, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            cur = self.parent.get(cur)
        return cur or self.tree

    def bindings(self, scope: ast.AST, name: str) -> list[ast.expr]:
        """Every value assigned to `name` in `scope` (augmented assignments as `name + value`)."""
        out: list[ast.expr] = []
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                    out.append(node.value)
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr):
                if isinstance(node.target, ast.Name) and node.target.id == name and node.value is not None:
                    out.append(node.value)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
                out.append(ast.BinOp(left=ast.Name(id=name), op=node.op, right=node.value))
        if not out and scope is not self.tree:
            return self.bindings(self.tree, name) if not self._is_param(scope, name) else []
        return out

    @staticmethod
    def _is_param(scope: ast.AST, name: str) -> bool:
        return isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and name in _params(scope)


def _safe_loader(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and _callee(expr) in SAFE_LOADERS


def built(expr: ast.expr, scan: ModuleScan, scope: ast.AST, builders: set[str], seen: frozenset = frozenset()) -> str | None:
    """Why `expr` is query text built from a non-constant, or None when it is not."""
    if isinstance(expr, ast.JoinedStr):
        return "f-string with a value" if any(isinstance(v, ast.FormattedValue) for v in expr.values) else None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        return None if isinstance(expr.right, ast.Constant) else "% formatting with a value"
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        sides = (expr.left, expr.right)
        if all(_constant_text(s, scan, scope, seen) for s in sides):
            return None
        return "+ concatenation with a non-constant"
    if isinstance(expr, ast.Call):
        name = _callee(expr)
        if name in ("format", "format_map"):
            return ".format with a value"
        if name == "join" and not all(isinstance(a, ast.List | ast.Tuple) and all(isinstance(e, ast.Constant) for e in a.elts)
                                      for a in expr.args):
            return "str.join of non-constants"
        if name in builders:
            return f"built by {name}(), which formats values into query text"
        return None
    if isinstance(expr, ast.IfExp):
        return built(expr.body, scan, scope, builders, seen) or built(expr.orelse, scan, scope, builders, seen)
    if isinstance(expr, ast.Name) and expr.id not in seen:
        for value in scan.bindings(scope, expr.id):
            why = built(value, scan, scope, builders, seen | {expr.id})
            if why:
                return f"{why} (via `{expr.id}`)"
    return None


def _constant_text(expr: ast.expr, scan: ModuleScan, scope: ast.AST, seen: frozenset) -> bool:
    if isinstance(expr, ast.Constant) or _safe_loader(expr):
        return True
    if isinstance(expr, ast.JoinedStr):
        return not any(isinstance(v, ast.FormattedValue) for v in expr.values)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _constant_text(expr.left, scan, scope, seen) and _constant_text(expr.right, scan, scope, seen)
    if isinstance(expr, ast.Name) and expr.id not in seen:
        values = scan.bindings(scope, expr.id)
        return bool(values) and all(_constant_text(v, scan, scope, seen | {expr.id}) for v in values)
    return False


def _forwarders(scans: list[ModuleScan]) -> dict[str, tuple[int, str, bool]]:
    """Functions that pass one of their parameters on as query text: name -> (position, param, is_method)."""
    out: dict[str, tuple[int, str, bool]] = {}
    for scan in scans:
        for fn in ast.walk(scan.tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = _params(fn)
            for call in ast.walk(fn):
                if isinstance(call, ast.Call) and _is_query_call(call):
                    arg = _query_arg(call)
                    if isinstance(arg, ast.Name) and arg.id in params:
                        out[fn.name] = (params.index(arg.id), arg.id, bool(params) and params[0] in ("self", "cls"))
    return out


def _builders(scans: list[ModuleScan]) -> set[str]:
    """Functions that return query-like text formatted from values (not in ALLOWED_BUILDERS)."""
    out: set[str] = set()
    for scan in scans:
        module = scan.path.removesuffix(".py").replace("/", ".")
        for fn in ast.walk(scan.tree):
            if isinstance(fn, ast.FunctionDef) and f"{module}:{fn.name}" not in ALLOWED_BUILDERS:
                for ret in ast.walk(fn):
                    if isinstance(ret, ast.Return) and ret.value is not None and _looks_like_cypher(ret.value) \
                            and built(ret.value, scan, fn, set()):
                        out.add(fn.name)
    return out


def _looks_like_cypher(expr: ast.expr) -> bool:
    words = ("MATCH", "MERGE", "CREATE", "RETURN", "DELETE", "UNWIND", "CALL", "SET ")
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and any(w in n.value for w in words)
               for n in ast.walk(expr))


def _is_query_call(call: ast.Call) -> bool:
    name = _callee(call)
    if name == "Query":
        return True
    return name in QUERY_METHODS and _receiver(call) not in NOT_DATABASE


def scan_sources(sources: dict[str, str]) -> tuple[list[Finding], int]:
    """Findings over {relative path: source}, and how many database calls were examined."""
    scans = [ModuleScan(ast.parse(src, filename=path), path) for path, src in sources.items()]
    forwarders, builders = _forwarders(scans), _builders(scans)
    findings: list[Finding] = []
    examined = 0
    for scan in scans:
        for call in ast.walk(scan.tree):
            if not isinstance(call, ast.Call):
                continue
            scope = scan.scope_of(call)
            for arg in _checked_args(call, forwarders):
                examined += 1
                why = built(arg, scan, scope, builders)
                if why:
                    findings.append(Finding(scan.path, call.lineno, f"query text: {why}"))
    return findings, examined


def _checked_args(call: ast.Call, forwarders: dict[str, tuple[int, str, bool]]) -> list[ast.expr]:
    name = _callee(call)
    if _is_query_call(call):
        arg = _query_arg(call)
        return [arg] if arg is not None else []
    if name in CALLBACK_RUNNERS and call.args and _callee_name(call.args[0]) in forwarders:
        pos, _param, _ = forwarders[_callee_name(call.args[0])]
        extra = call.args[1:]  # the callback gets (tx, *args)
        return [extra[pos - 1]] if 0 < pos <= len(extra) else []
    if name in forwarders:
        pos, param, is_method = forwarders[name]
        if is_method and isinstance(call.func, ast.Attribute):
            pos -= 1
        kw = [k.value for k in call.keywords if k.arg == param]
        if kw:
            return kw
        return [call.args[pos]] if 0 <= pos < len(call.args) and not isinstance(call.args[pos], ast.Starred) else []
    return []


def _callee_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def project_sources() -> dict[str, str]:
    out = {}
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            out[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return out

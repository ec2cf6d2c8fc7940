"""Spans by comment: `//otel:span [name] [key=value...]` right above a
function or method of the user's own code asks for a span around it.

Planning reads the comment and turns it into a span rule for that function;
the comment is in the source, so the go command's cache already keys the
package on it.
"""

from __future__ import annotations

from pathlib import Path

from otelgo.gocmd.golist import Package
from otelgo.ruleset.model import SpanRule
from otelgo.ruleset.syntax import FUNCTION_NAME, IMPORT_PATH, RECEIVER_TYPE, RuleError, name_problem
from otelgo.splice.gosource import decl_key, parse

DIRECTIVE = b"//otel:span"


def annotated_rules(pkg: Package, key: str) -> list[SpanRule]:
    """The span rules that the comments in one package ask for."""
    rules = []
    for name in pkg.go_files:
        path = pkg.dir / name
        src = path.read_bytes()
        if DIRECTIVE not in src:
            continue
        f = parse(str(path), src)
        block: list = []  # the comment lines right above the current node
        for node in f.root.children:
            if (
                node.type in ("function_declaration", "method_declaration")
                and block
                and block[-1].end_point.row + 1 == node.start_point.row
            ):
                directive = next(filter(None, (_directive(f.text(c)) for c in block)), None)
                if directive is not None:
                    function, receiver = decl_key(f, node)
                    span_name, attrs = directive
                    rules.append(
                        _checked(
                            path,
                            node.start_point.row + 1,
                            SpanRule(
                                ImportPath=key,
                                Function=function,
                                ReceiverType=receiver or None,
                                SpanName=span_name,
                                Attributes=attrs,
                                Name=f"{Path(name).name}:{node.start_point.row + 1} //otel:span",
                            ),
                        )
                    )
            contiguous = block and block[-1].end_point.row + 1 == node.start_point.row
            block = (block if contiguous else []) + [node] if node.type == "comment" else []
    return rules


def _checked(path: Path, line: int, rule: SpanRule) -> SpanRule:
    """Held to what a rule file is (validate.py), without pydantic:
    a name the rules cannot carry is an error naming the comment."""
    checks = [
        ("ImportPath", rule.ImportPath, IMPORT_PATH),
        ("Function", rule.Function, FUNCTION_NAME),
        ("ReceiverType", rule.ReceiverType, RECEIVER_TYPE),
    ]
    problems = [
        f"{path}:{line}: //otel:span: {field}: {problem}"
        for field, value, (pattern, what) in checks
        if (problem := name_problem(value, pattern, what))
    ]
    if problems:
        raise RuleError(problems)
    return rule


def _directive(comment: str) -> tuple[str | None, dict[str, str]] | None:
    if not comment.startswith(DIRECTIVE.decode()):
        return None
    rest = comment[len(DIRECTIVE) :]
    if rest and not rest[0].isspace():
        return None  # //otel:spanner is not ours
    name, attrs = None, {}
    for word in rest.split():
        if "=" in word:
            k, _, v = word.partition("=")
            attrs[k] = v
        elif name is None:
            name = word
    return name, attrs

"""The ``expression`` check: users' own rules written in CEL, without Python.

A rule gives ``given`` (which entities to test), ``assert`` (a CEL expression that must be
true for each of them) and optionally ``when`` (only test entities for which it is true)
and ``at`` (the field the finding should point at). Each expression is compiled once per
process; CEL cannot run arbitrary code, and nothing is ever passed to Python's ``eval``.

Variables: the entity under its kind's name (``plan``, ``component``, ``kpi`` ...) and as
``entity``; for components also ``plan``; ``strategy`` (the strategy in force); ``as_of``
(the date, as text). Entities carry their YAML fields plus derived ones: for a plan
``target_incentive`` and ``share`` (percent of its pay per priority id, ``legacy`` and
``unaligned``), for a component ``drivers`` and ``share``.

User rules fail closed: nothing that goes wrong counts as a pass.

* At load time (``static_problems``, called by the catalog): a variable that ``given`` does
  not provide or a function CEL does not have stops the run with the file, line and column
  of the name in ``rule.yaml``, like a syntax error. The CEL library (common-expression-
  language, cel-rust) has no type checker, so field names and types are checked when the
  rule runs.
* At run time: an evaluation error (a field the entity lacks, a type mismatch, division
  by zero) or a result that is not true/false is a finding of the rule on that entity.
* Budget: every iteration of a comprehension (``all``, ``exists``, ``exists_one``, ``map``,
  ``filter``) is one step, counted by a function call woven into the expression before it
  is compiled for running; a rule may take ``max_steps`` (default 1,000,000) over all its
  entities. Exhausting it stops the rule with one finding. Counting steps, not seconds,
  keeps the result the same on every machine and works in any thread or worker process.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Iterator, Mapping, NamedTuple

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Entity, Plan
from incentive_lint.checks.api import CheckFunction, Hit

GIVEN = ("plans", "components", "kpis", "priorities", "objectives", "functions", "roles", "offers", "systems")
_SINGULAR = {"plans": "plan", "components": "component", "kpis": "kpi", "priorities": "priority",
             "objectives": "objective", "functions": "function", "roles": "role", "offers": "offer",
             "systems": "system"}
_ERROR_AT = re.compile(r"<input>:(\d+):(\d+): (.*)")

#: Comprehension steps a rule may take over all its entities unless it sets ``max_steps``.
DEFAULT_MAX_STEPS = 1_000_000
#: The comprehension macros of CEL; their bodies are where the steps are counted.
MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
#: Functions the CEL library provides natively (probed in cel-rust 0.10: anything else is
#: "undefined" at run time). ``of``/``ofNonZeroValue`` belong to ``optional.``.
FUNCTIONS_KNOWN = frozenset({
    "size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double", "string", "bytes",
    "timestamp", "duration", "type", "dyn", "getFullYear", "getMonth", "getDate", "getDayOfMonth",
    "getDayOfWeek", "getDayOfYear", "getHours", "getMinutes", "getSeconds", "getMilliseconds",
    "orValue", "hasValue", "value", "of", "ofNonZeroValue", "or"})
#: Names CEL resolves itself (type names for ``type(x) == int``, the ``optional`` namespace).
BUILTIN_NAMES = frozenset({"bool", "int", "uint", "double", "string", "bytes", "list", "map", "null_type", "type",
                           "optional"})
#: The step counter's name: a user cannot call it (the load-time check rejects unknown functions).
_STEP = "__incentive_lint_step"


class Token(NamedTuple):
    kind: str  # "ident", "string", "punct" or "other"
    text: str
    start: int
    end: int


def tokens(source: str) -> list[Token]:
    """The tokens of a CEL expression; strings (all quote styles, raw or not) and ``//``
    comments are skipped over whole, so a name inside a string is never taken for code."""
    out: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (source[j].isalnum() or source[j] == "_"):
                j += 1
            word = source[i:j]
            if j < n and source[j] in "'\"" and word.lower() in ("r", "b", "rb", "br"):
                j = _string_end(source, j, raw="r" in word.lower())
                out.append(Token("string", source[i:j], i, j))
            else:
                out.append(Token("ident", word, i, j))
            i = j
        elif ch in "'\"":
            j = _string_end(source, i, raw=False)
            out.append(Token("string", source[i:j], i, j))
            i = j
        elif ch in "()[]{},.?:":
            out.append(Token("punct", ch, i, i + 1))
            i += 1
        else:
            out.append(Token("other", ch, i, i + 1))
            i += 1
    return out


def _string_end(source: str, i: int, raw: bool) -> int:
    quote = source[i:i + 3] if source[i:i + 3] in ("'''", '"""') else source[i]
    j = i + len(quote)
    while j < len(source):
        if not raw and source[j] == "\\":
            j += 2
        elif source.startswith(quote, j):
            return j + len(quote)
        else:
            j += 1
    return len(source)


def _macro_calls(toks: list[Token]) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """For each ``.macro(var, ...)``: the index of its ``(`` and the token ranges of its arguments."""
    for k in range(1, len(toks) - 1):
        if not (toks[k].kind == "ident" and toks[k].text in MACROS and toks[k - 1].text == "."
                and toks[k + 1].text == "("):
            continue
        depth, begin = 0, k + 2
        args: list[tuple[int, int]] = []
        for m in range(k + 1, len(toks)):
            t = toks[m].text if toks[m].kind == "punct" else ""
            if t in ("(", "[", "{"):
                depth += 1
            elif t in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    args.append((begin, m))
                    break
            elif t == "," and depth == 1:
                args.append((begin, m))
                begin = m + 1
        yield k + 1, args


def bound_names(toks: list[Token]) -> set[str]:
    """Names a comprehension binds (the ``c`` of ``plan.components.all(c, ...)``)."""
    out: set[str] = set()
    for _, args in _macro_calls(toks):
        if args and args[0][1] - args[0][0] == 1 and toks[args[0][0]].kind == "ident":
            out.add(toks[args[0][0]].text)
    return out


def instrument(source: str) -> str:
    """The expression with every comprehension body ``B`` written ``(step() ? (B) : false)``:
    the same value (``step()`` is true while the budget lasts), one step per iteration."""
    toks = tokens(source)
    opens: dict[int, int] = {}
    closes: dict[int, list[int]] = {}
    for _, args in _macro_calls(toks):
        for begin, end in args[1:]:
            if begin >= end:
                continue
            start, stop = toks[begin].start, toks[end - 1].end
            opens[start] = opens.get(start, 0) + 1
            closes.setdefault(stop, []).append(start)
    out: list[str] = []
    for i, ch in enumerate(source + "\0"):
        # Inner bodies close before outer ones that end at the same character.
        out.append(") : false)" * len(closes.get(i, ())))
        out.append(f"({_STEP}() ? (" * opens.get(i, 0))
        if i < len(source):
            out.append(ch)
    return "".join(out)


@functools.lru_cache(maxsize=None)
def _compile(source: str) -> Any:
    import cel

    return cel.compile(source)


@functools.lru_cache(maxsize=None)
def _runnable(source: str) -> Any:
    return _compile(instrument(source))


def compile_error(source: str) -> tuple[int, int, str] | None:
    """(line, column, message) inside the expression if it does not compile, else None."""
    try:
        _compile(source)
    except Exception as exc:  # the CEL library raises ValueError with a caret diagram
        text = str(exc)
        match = _ERROR_AT.search(text)
        if match:
            return int(match.group(1)), int(match.group(2)), match.group(3).strip()  # CEL counts from 1
        return 1, 1, text.splitlines()[0] if text else "the expression could not be compiled"
    return None


def variables_of(given: str) -> tuple[str, ...]:
    """The variables an expression of a rule with this ``given`` can use."""
    names = [_SINGULAR.get(given, "entity"), "entity", "strategy", "as_of"]
    if given == "components":
        names.insert(1, "plan")
    return tuple(names)


def _line_col(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def static_problems(source: str, given: str) -> list[tuple[int, int, str]]:
    """(line, column, message) inside a compiling expression for every name it uses that
    ``given`` does not provide and every function CEL does not have; sorted."""
    program = _compile(source)
    toks = tokens(source)
    bound = bound_names(toks)
    known_vars = set(variables_of(given)) | BUILTIN_NAMES | bound
    problems: list[tuple[int, int, str]] = []
    unknown_vars = sorted(set(program.variables()) - known_vars)
    unknown_funcs = sorted(f for f in program.functions()
                           if re.fullmatch(r"[A-Za-z_]\w*", f) and f not in FUNCTIONS_KNOWN)
    for name in unknown_vars:
        at = next((t.start for k, t in enumerate(toks) if t.kind == "ident" and t.text == name
                   and (k == 0 or toks[k - 1].text != ".")), 0)
        problems.append((*_line_col(source, at),
                         f"'{name}' is not a variable of a rule with 'given: {given}'; its variables are "
                         f"{', '.join(variables_of(given))}"))
    for name in unknown_funcs:
        at = next((t.start for k, t in enumerate(toks) if t.kind == "ident" and t.text == name
                   and k + 1 < len(toks) and toks[k + 1].text == "("), 0)
        problems.append((*_line_col(source, at),
                         f"'{name}()' is not a CEL function this tool provides; the functions are "
                         f"{', '.join(sorted(FUNCTIONS_KNOWN - {'of', 'ofNonZeroValue'}))}, and the "
                         f"comprehensions {', '.join(sorted(MACROS))} and has()"))
    return sorted(problems)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # CEL does not mix int and double in arithmetic
    return value


def _pct_map(share: Mapping[str, float]) -> dict[str, float]:
    return {k: round(v * 100, 4) for k, v in share.items()}


def _entity_data(model: Model, entity: Entity, cache: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """An entity's fields for CEL, made once per entity per run (a plan is shared by its components)."""
    found = cache.get(id(entity))
    if found is not None:
        return found
    data: dict[str, Any] = _plain(dict(entity.raw))
    if isinstance(entity, Plan):
        data["target_incentive_total"] = model.target_incentive(entity.id)
        data["share"] = _pct_map(model.plan_fractions(entity))  # the plan's own split, whatever its currency
    if isinstance(entity, Component):
        data["drivers"] = list(model.component_drivers(entity))
        data["share"] = _pct_map(model.component_map(entity))
    cache[id(entity)] = data
    return data


def _variables(model: Model, kind: str, entity: Entity, cache: dict[int, dict[str, Any]]) -> dict[str, Any]:
    data = _entity_data(model, entity, cache)
    out: dict[str, Any] = {}
    if isinstance(entity, Component):
        plan = model.plans.get(entity.plan)
        if plan is not None:
            out["plan"] = _entity_data(model, plan, cache)
    out[_SINGULAR[kind]] = data
    out["entity"] = data
    strategy = model.strategy
    out["strategy"] = _entity_data(model, strategy, cache) if strategy else {}
    out["as_of"] = model.as_of.isoformat()
    return out


def _entities(model: Model, given: str) -> list[Entity]:
    if given == "components":
        return [c for p in sorted(model.plans.values(), key=lambda p: p.id) for c in p.components]
    tables: dict[str, Mapping[str, Entity]] = {
        "plans": model.plans, "kpis": model.kpis, "priorities": model.priorities, "objectives": model.objectives,
        "functions": model.functions, "roles": model.roles, "offers": model.offers, "systems": model.systems,
    }
    table = tables[given]
    return [table[k] for k in sorted(table)]


class _Budget:
    """Comprehension steps left for one rule; the CEL function ``_STEP`` spends them."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.exhausted = False

    def step(self) -> bool | None:
        if self.left <= 0:
            # Not an exception: the CEL library prints those to stderr. A non-boolean in the
            # condition of ``?:`` stops the evaluation at once with a type error.
            self.exhausted = True
            return None
        self.left -= 1
        return True


class _Failed(Exception):
    """An expression could not give true or false for one entity."""


class _OverBudget(Exception):
    """The rule has used all its comprehension steps."""


def _reason(exc: BaseException, kind: str) -> str:
    """The CEL library's error, in a sentence for a compensation analyst."""
    if isinstance(exc, KeyError):
        return (f"it has no field {exc.args[0]!r} (test an optional field with has(), "
                f"e.g. !has({kind}.{exc.args[0]}) || ...)" if exc.args else "a field it needs is missing")
    if isinstance(exc, ZeroDivisionError):
        return "it divides by zero"
    text = " ".join(str(exc).split()) or type(exc).__name__
    first = text.split(". ")[0].rstrip(".")
    if "No such overload" in text or "Unsupported operation" in text:
        return f"{first} (compare and add values of the same type: 1.0 not 1 with doubles, text with text)"
    return first


class _Context:
    """One CEL context per rule run. A variable is converted for CEL only when it changes:
    the components of a plan share its ``plan`` (converting a plan of 2,000 components for
    each of them was most of the time of such a rule)."""

    def __init__(self, budget: _Budget) -> None:
        import cel

        self.cel = cel.Context(functions={_STEP: budget.step})
        self.current: dict[str, Any] = {}

    def set(self, variables: Mapping[str, Any]) -> Any:
        for name, value in variables.items():
            if self.current.get(name, self) is not value:
                self.cel.add_variable(name, value)
                self.current[name] = value
        for name in [n for n in self.current if n not in variables]:
            self.cel.add_variable(name, None)  # e.g. a component whose plan is unknown: no stale plan
            del self.current[name]
        return self.cel


def _evaluate(program: Any, context: Any, budget: _Budget, name: str, kind: str) -> bool:
    try:
        value = program.execute(context)
    except Exception as exc:  # the library raises KeyError, TypeError, ValueError, RuntimeError, ...
        if budget.exhausted:
            raise _OverBudget() from None
        raise _Failed(f"'{name}' failed: {_reason(exc, kind)}") from None
    if budget.exhausted:  # a comprehension may swallow the stop (``exists`` ignores errors once true)
        raise _OverBudget()
    if not isinstance(value, bool):
        raise _Failed(f"'{name}' gave {value!r}, not true or false")
    return value


_ERROR_MESSAGE = ("this rule could not be checked on {kind} '{id}': {reason}; an expression that cannot be "
                  "evaluated counts as a finding, not a pass. Fix the expression in the rule's rule.yaml.")
_BUDGET_MESSAGE = ("this rule was stopped at {kind} '{id}' after {steps} comprehension steps (all, exists, map, "
                   "filter over lists) without finishing, so {left} of its {total} entities were not checked. "
                   "Simplify the expression (avoid comprehensions nested over long lists) or raise max_steps "
                   "in the rule's options.")
_BROKEN_MESSAGE = ("this rule cannot be checked: the expression in '{option}' {reason} (line {line}, column "
                   "{column} of the expression). Fix it where it is set (the rule's rule.yaml or the rules: "
                   "section of .incentive-lint.yaml).")


def _problem(source: str, given: str) -> tuple[int, int, str] | None:
    error = compile_error(source)
    if error is not None:
        return error[0], error[1], f"does not compile: {error[2]}"
    problems = static_problems(source, given)
    if problems:
        return problems[0][0], problems[0][1], f"uses an unknown name: {problems[0][2]}"
    try:
        _runnable(source)
    except Exception as exc:  # should not happen: the rewrite keeps the grammar; fail closed if it does
        return 1, 1, f"could not be prepared for its step budget ({' '.join(str(exc).split())[:200]})"
    return None


def expression(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit for every ``given`` entity (passing ``when``) for which ``assert`` is false,
    and a finding of the rule for every entity it cannot be evaluated on (see the module)."""
    given = options["given"]
    kind = _SINGULAR[given]
    entities = _entities(model, given)
    sources = {name: options[name] for name in ("when", "assert") if options.get(name)}
    for name, source in sources.items():
        # Checked at load time for rule.yaml; an expression set in the configuration arrives here.
        broken = _problem(source, given)
        if broken is not None and entities:
            first = entities[0]
            yield Hit(at=first.loc, args={"option": name, "reason": broken[2], "line": broken[0],
                                          "column": broken[1], "id": first.id, "kind": kind},
                      entities=(first.id,), severity=Severity.ERROR, message=_BROKEN_MESSAGE)
            return
    check = _runnable(sources["assert"])
    when = _runnable(sources["when"]) if "when" in sources else None
    at = options.get("at")
    limit = int(options.get("max_steps") or DEFAULT_MAX_STEPS)
    budget = _Budget(limit)
    cache: dict[int, dict[str, Any]] = {}
    context = _Context(budget)
    for index, entity in enumerate(entities):
        variables = context.set(_variables(model, given, entity, cache))
        base = {"id": entity.id, "kind": kind}
        try:
            if when is not None and not _evaluate(when, variables, budget, "when", kind):
                continue
            if _evaluate(check, variables, budget, "assert", kind):
                continue
        except _Failed as failed:
            yield Hit(at=entity.loc, args={**base, "reason": str(failed)}, entities=(entity.id,),
                      severity=Severity.ERROR, message=_ERROR_MESSAGE)
            continue
        except _OverBudget:
            total = len(entities)
            yield Hit(at=entity.loc, args={**base, "steps": f"{limit:,}", "left": total - index, "total": total},
                      entities=(entity.id,), severity=Severity.ERROR, message=_BUDGET_MESSAGE)
            return
        args: dict[str, Any] = {k: v for k, v in entity.raw.items() if isinstance(v, (str, int, float))}
        args["id"] = entity.id
        if isinstance(entity, Component):
            args["plan"] = entity.plan
            args["component"] = entity.key
        yield Hit(at=entity.field_loc(at) if at else entity.loc, args=args, entities=(entity.id,))


FUNCTIONS: dict[str, CheckFunction] = {"expression": expression}

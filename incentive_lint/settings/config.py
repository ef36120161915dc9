"""The configuration file ``.incentive-lint.yaml``: discovery, validation, effective settings.

One file, found from the linted root upwards (stopping at the repository root), or named
with ``--config``. There is no user-global file. Unknown keys, rules and options are
errors (exit 2) that name the file, line and key.
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from incentive_lint.settings.catalog import Catalog
from incentive_lint.base.errors import ConfigError
from incentive_lint.base.findings import Severity
from incentive_lint.base.kinds import suggest
from incentive_lint.read.documents import Issue
from incentive_lint.read.files import (CONFIG_FILE, is_inside, outside_issue, read_settings, relative_name,
                                      repository_root, root_name)
from incentive_lint.read.locator import Locator
from incentive_lint.base.resources import load_schema
from incentive_lint.settings.rulespec import RuleSpec, validate_options

CONFIG_NAME = CONFIG_FILE


@dataclass(frozen=True)
class RuleSetting:
    """What the configuration makes of one rule."""

    enabled: bool
    severity: Severity
    options: Mapping[str, Any]
    severity_fixed: bool = False
    ignore_paths: tuple[str, ...] = ()
    origin: str = "default"
    #: where each value came from, for ``check --show-config``: keys ``enabled``, ``severity``,
    #: ``options.<name>`` and ``ignore_paths``; values ``default``, ``extends: strict (file:line)``
    #: or ``file:line (what set it)``
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass
class Config:
    """The loaded configuration (empty when there is no file)."""

    path: Path | None = None
    display: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)
    locator: Locator | None = None
    #: the repository the file belongs to: what it names must resolve inside it
    root: Path | None = None
    #: ``file-refused`` issues: the file itself, or rule folders it names, outside the repository
    refused: list[Issue] = field(default_factory=list)

    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def line_of(self, *path: str | int) -> str:
        """``file:line`` of a key in the config (``where`` without the column)."""
        text = self.where(*path)
        head, sep, tail = text.rpartition(":")
        return head if sep and tail.isdigit() and head.rpartition(":")[2].isdigit() else text

    def where(self, *path: str | int) -> str:
        """``file:line:col`` of a key in the config, for error messages."""
        if self.locator is None or self.path is None:
            return self.display or CONFIG_NAME
        span = self.locator.span(self.display, 0, tuple(path), key=True)
        return f"{self.display}:{span.start.line}:{span.start.column}"

    @property
    def include(self) -> tuple[str, ...]:
        """``include``: when given, only files matching one of these globs are checked."""
        return tuple(str(p) for p in self.raw.get("include") or ())

    @property
    def exclude(self) -> tuple[str, ...]:
        """``exclude``: files and folders matching these globs are never read."""
        return tuple(str(p) for p in self.raw.get("exclude") or ())

    @property
    def assume_rollover(self) -> bool:
        return bool(self.raw.get("assume_rollover", True))

    def rule_paths(self) -> list[Path]:
        """The rule folders named in the file; those outside the repository are left out
        (``load`` reported them in ``refused``)."""
        folders = [self.base_dir() / p for p in self.raw.get("rule_paths") or []]
        return [f for f in folders if self.root is None or is_inside(f, self.root)]


def discover(start: Path) -> Path | None:
    """The first ``.incentive-lint.yaml`` from ``start`` upwards, stopping at a git root."""
    # os.path, not Path.resolve/is_file: a named file may be a link loop or sit in a folder
    # that cannot be opened; that is reported when the file is read, here it must not raise.
    # Lexical, as ``read.files.find_root`` walks: the folder found is the root of the run.
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    lexical = Path(here)
    for folder in (lexical, *lexical.parents):
        candidate = folder / CONFIG_NAME
        if os.path.lexists(candidate):  # a link loop or a pipe is reported when it is read
            return candidate
        if os.path.lexists(folder / ".git"):
            return None
    return None


def load(path: Path | None, cwd: Path) -> Config:
    """Read and validate the file (``None``: built-in defaults); ``cwd`` is the folder names
    are shown relative to (the root of the run)."""
    if path is None:
        return Config()
    display = root_name(path, cwd)
    if not os.path.lexists(path):
        raise ConfigError(f"the configuration file '{display}' does not exist.")
    # The repository is found from where the file is, not where a link leads: a link to a
    # file outside it is refused (a finding) and the run goes on with the defaults.
    root = repository_root(Path(os.path.abspath(path)).parent)
    outside = outside_issue(path, display, root, what=f"the configuration file '{display}'")
    if outside is not None:
        return Config(refused=[outside])
    # 'off' and 'on' are words here ("EN07: off"), never YAML 1.1 booleans.
    parsed = read_settings(path, display, ConfigError, words_only=True)
    docs = [d for d in parsed.documents if d.data is not None]
    raw = docs[0].data if docs else {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{display}:1:1: the configuration must be a mapping of settings.")
    locator = Locator()
    locator.add(parsed)
    config = Config(path, display, raw, locator, root)
    _validate(config)
    config.refused.extend(_outside_rule_paths(config, cwd))
    return config


def _outside_rule_paths(config: Config, cwd: Path) -> list[Issue]:
    """A finding on each ``rule_paths`` entry that leads outside the repository (not read)."""
    assert config.root is not None and config.locator is not None
    out: list[Issue] = []
    for i, value in enumerate(config.raw.get("rule_paths") or []):
        folder = Path(os.path.abspath(config.base_dir() / value))
        if is_inside(folder, config.root):
            continue
        span = config.locator.span(config.display, 0, ("rule_paths", i))
        issue = outside_issue(folder, relative_name(folder, cwd), config.root, span=span,
                              what=f"the rule folder '{value}' named here")
        if issue is not None:
            out.append(issue)
    return out


def _validate(config: Config) -> None:
    schema = load_schema("config.schema.json")
    allowed = sorted(schema["properties"])
    for key in config.raw:
        if key not in allowed:
            hint = suggest(key, allowed)
            tip = f"did you mean '{hint}'?" if hint else f"known keys are {', '.join(allowed)}."
            raise ConfigError(f"{config.where(key)}: unknown key '{key}'; {tip}")
    config.raw = _severity_aliases(config.raw)
    try:  # the compiled validator first: a valid configuration never loads jsonschema (60 ms)
        import jsonschema_rs
        if jsonschema_rs.Draft7Validator(schema).is_valid(dict(config.raw)):
            return
    except (ImportError, ValueError):  # not installed, or a value it cannot take: the full check decides
        pass
    import jsonschema

    for error in jsonschema.Draft7Validator(schema).iter_errors(dict(config.raw)):
        path = tuple(error.absolute_path)
        name = "/".join(str(p) for p in path) or "the configuration"
        raise ConfigError(f"{config.where(*path)}: '{name}': {_explain_error(error)}")


#: Other spellings accepted for a severity (ruff and yamllint users write ``warn``).
SEVERITY_ALIASES = {"warn": "warning"}


def _severity_aliases(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``raw`` with ``rules: {X: warn}`` and ``severity: warn`` spelt as the canonical ``warning``."""
    rules = raw.get("rules")
    if not isinstance(rules, dict):
        return dict(raw)
    fixed: dict[Any, Any] = {}
    for name, value in rules.items():
        if isinstance(value, str):
            value = SEVERITY_ALIASES.get(value, value)
        elif isinstance(value, dict) and isinstance(value.get("severity"), str):
            value = {**value, "severity": SEVERITY_ALIASES.get(value["severity"], value["severity"])}
        fixed[name] = value
    return {**raw, "rules": fixed}


def _explain_error(error: Any) -> str:
    """A schema error in words: an enum (or a choice between enums and a mapping) names the
    values allowed, instead of jsonschema's "is not valid under any of the given schemas"."""
    choices: list[Any] = []
    mapping = False
    if error.validator == "enum":
        choices = list(error.validator_value)
    elif error.validator == "anyOf":
        if isinstance(error.instance, dict):  # a mapping was meant: say what is wrong inside it
            inner = [e for e in error.context or () if e.relative_path or e.validator not in ("enum", "type")]
            if inner:
                sub = inner[0]
                where = "/".join(str(p) for p in sub.relative_path)
                return f"{where + ': ' if where else ''}{_explain_error(sub)}"
        for sub in error.validator_value:
            choices.extend(sub.get("enum", []))
            mapping = mapping or sub.get("type") == "object"
    if not choices:
        return str(error.message)
    words = ", ".join(str(c) for c in choices if c not in SEVERITY_ALIASES)
    if "warning" in choices:
        words += " ('warn' is read as warning)"
    extra = ", or a mapping with its settings (severity, enabled, options, ignore_paths)" if mapping else ""
    got = error.instance if isinstance(error.instance, (str, int, float, bool)) else type(error.instance).__name__
    return f"'{got}' is not allowed here; write one of {words}{extra}."


def _match(catalog: Catalog, config: Config, name: str, *path: str | int) -> list[RuleSpec]:
    found = catalog.resolve(name)
    if not found:
        hint = catalog.suggest(name)
        tip = f"; did you mean '{hint}'?" if hint else "; run 'incentive-lint rules' for the list."
        raise ConfigError(f"{config.where(*path)}: unknown rule '{name}'{tip}")
    return found


def _specificity(name: str, catalog: Catalog) -> int:
    """Which of several ``rules:`` entries for one rule wins: slug over code or alias over
    code prefix (``EN0``) over family."""
    if name in catalog.rules:
        return 3
    if name in ("input", "clarity", "capability", "engagement"):
        return 0
    found = catalog.resolve(name)
    return 2 if len(found) == 1 and (found[0].code.upper() == name.upper() or name in found[0].aliases) else 1


@dataclass(frozen=True)
class RuleSelection:
    """``check --select/--ignore/--extend-select``: the configuration's grammar (slugs, codes,
    code prefixes such as ``EN0``, families; several names may share one value, separated by
    commas), applied on top of the file.

    ``select`` replaces the file's ``select`` and ``ignore`` (None: keep them); ``extend_select``
    turns rules on in addition, even those the file turns off; ``ignore`` turns rules off and
    wins over both, as in ruff.
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()

    @staticmethod
    def split(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """``("EN01,EN02", "CL")`` -> ``("EN01", "EN02", "CL")``."""
        return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


def _cli_rules(catalog: Catalog, option: str, names: tuple[str, ...]) -> dict[str, str]:
    """slug -> the name that picked it, for one command-line option; unknown names are errors."""
    out: dict[str, str] = {}
    for name in names:
        found = catalog.resolve(name)
        if not found:
            hint = catalog.suggest(name)
            tip = f"; did you mean '{hint}'?" if hint else "; run 'incentive-lint rules' for the list."
            raise ConfigError(f"{option}: unknown rule '{name}'{tip}")
        for spec in found:
            out.setdefault(spec.slug, name)
    return out


def _apply_selection(out: dict[str, RuleSetting], catalog: Catalog, selection: RuleSelection) -> None:
    """Turn rules on and off as the command line asks (see :class:`RuleSelection`)."""
    import dataclasses

    chosen = _cli_rules(catalog, "--select", selection.select) if selection.select is not None else None
    extra = _cli_rules(catalog, "--extend-select", selection.extend_select)
    dropped = _cli_rules(catalog, "--ignore", selection.ignore)
    for slug, setting in out.items():
        enabled, source = setting.enabled, setting.sources.get("enabled", "default")
        if chosen is not None:
            enabled = slug in chosen
            source = f"command line (--select {chosen[slug]})" if enabled else "command line (not in --select)"
        if slug in extra:
            enabled, source = True, f"command line (--extend-select {extra[slug]})"
        if slug in dropped:
            enabled, source = False, f"command line (--ignore {dropped[slug]})"
        if (enabled, source) != (setting.enabled, setting.sources.get("enabled", "default")):
            out[slug] = dataclasses.replace(setting, enabled=enabled, sources={**setting.sources, "enabled": source})


def settings(config: Config, catalog: Catalog, selection: RuleSelection | None = None) -> dict[str, RuleSetting]:
    """The effective setting of every rule (select/ignore, severities, options), then the
    command line's ``selection`` on top."""

    raw = config.raw
    strict = raw.get("extends") == "strict"
    selected: set[str] | None = None
    selected_at: dict[str, str] = {}
    if "select" in raw:
        selected = set()
        for i, name in enumerate(raw["select"]):
            for r in _match(catalog, config, name, "select", i):
                selected.add(r.slug)
                selected_at.setdefault(r.slug, f"{config.line_of('select', i)} (select: {name})")
    ignored: set[str] = set()
    ignored_at: dict[str, str] = {}
    for i, name in enumerate(raw.get("ignore") or []):
        for r in _match(catalog, config, name, "ignore", i):
            ignored.add(r.slug)
            ignored_at.setdefault(r.slug, f"{config.line_of('ignore', i)} (ignore: {name})")
    per_rule: dict[str, list[tuple[int, str, Any]]] = {}
    for name, value in (raw.get("rules") or {}).items():
        for spec in _match(catalog, config, name, "rules", name):
            per_rule.setdefault(spec.slug, []).append((_specificity(name, catalog), name, value))
    path_ignores: dict[str, list[str]] = {}
    path_ignores_at: dict[str, list[str]] = {}
    for pattern, names in (raw.get("per_path_ignores") or {}).items():
        for i, name in enumerate(names):
            for spec in _match(catalog, config, name, "per_path_ignores", pattern, i):
                path_ignores.setdefault(spec.slug, []).append(pattern)
                path_ignores_at.setdefault(spec.slug, []).append(config.line_of("per_path_ignores", pattern, i))
    strict_at = f"extends: strict ({config.line_of('extends')})" if strict else ""
    out: dict[str, RuleSetting] = {}
    for spec in catalog.sorted():
        enabled = (selected is None or spec.slug in selected) and spec.slug not in ignored
        severity = Severity.ERROR if strict and spec.severity == Severity.WARNING else spec.severity
        fixed = False
        options = dict(spec.options)
        ignore_paths = list(path_ignores.get(spec.slug, []))
        origin = "default" if not strict else "extends: strict"
        sources: dict[str, str] = {"enabled": "default", "severity": "default"}
        sources.update({f"options.{k}": "default" for k in options})
        if selected is not None:
            sources["enabled"] = selected_at.get(spec.slug) or f"{config.line_of('select')} (not in select)"
        if spec.slug in ignored:
            sources["enabled"] = ignored_at[spec.slug]
        if strict and spec.severity == Severity.WARNING:
            sources["severity"] = strict_at
        if ignore_paths:
            sources["ignore_paths"] = ", ".join(f"{at} (per_path_ignores)" for at in path_ignores_at[spec.slug])
        for _, name, value in sorted(per_rule.get(spec.slug, []), key=lambda t: t[0]):
            origin = f"{config.display}: rules.{name}"
            at = f"{config.line_of('rules', name)} (rules: {name})"
            if value == "off":
                enabled = False
                sources["enabled"] = at
            elif value == "on":
                enabled = True
                sources["enabled"] = at
            elif isinstance(value, str):
                enabled, severity, fixed = True, Severity.parse(value), True
                sources["enabled"] = sources["severity"] = at
            elif isinstance(value, dict):
                enabled = bool(value.get("enabled", True))
                sources["enabled"] = at
                if "severity" in value:
                    severity, fixed = Severity.parse(value["severity"]), True
                    sources["severity"] = f"{config.line_of('rules', name, 'severity')} (rules: {name})"
                given = value.get("options") or {}
                problem = validate_options(spec, given)
                if problem is not None:
                    raise ConfigError(f"{config.where('rules', name, 'options', *problem[0])}: {problem[1]}")
                options.update(given)
                for key in given:
                    sources[f"options.{key}"] = f"{config.line_of('rules', name, 'options', key)} (rules: {name})"
                if value.get("ignore_paths"):
                    ignore_paths.extend(value["ignore_paths"])
                    extra = f"{config.line_of('rules', name, 'ignore_paths')} (rules: {name})"
                    sources["ignore_paths"] = f"{sources['ignore_paths']}, {extra}" if "ignore_paths" in sources \
                        else extra
        out[spec.slug] = RuleSetting(enabled, severity, options, fixed, tuple(ignore_paths), origin, sources)
    if selection is not None:
        _apply_selection(out, catalog, selection)
    return out


def path_ignored(setting: RuleSetting, file: str) -> bool:
    return any(fnmatch.fnmatch(file, pattern) for pattern in setting.ignore_paths)

"""Load `workflows/*.yaml` into validated `Procedure` objects and a versioned registry.

Definitions are rejected when loaded, never when first used: `load_procedures` reads every file to
the end and reports every problem as "<file name>: <key path>: <message>"; `load_registry` refuses
to build a registry from a folder with any problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.core.errors import NotFoundError
from app.core.time import VN_TZ
from app.org.structure import Structure
from app.procedures.definitions import LoadReport, Procedure
from app.procedures.graph import SAME_STATE
from app.procedures.parsing import parse_procedure
from app.procedures.parsing_workflow import RECEIVING_UNIT
from app.procedures.validation import Problems

__all__ = [
    "RECEIVING_UNIT",
    "SAME_STATE",
    "ProcedureRegistry",
    "WorkflowDefinitionError",
    "load_procedures",
    "load_registry",
]


class WorkflowDefinitionError(Exception):
    """The workflow folder has problems; the message lists every one of them."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__(
            f"{len(self.errors)} problem(s) in the workflow definitions:\n" + "\n".join(self.errors)
        )


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that records duplicate mapping keys, which plain PyYAML silently overwrites."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                marker = (key_node.tag, key_node.value)
                if marker in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, key_node.value))
                seen.add(marker)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(p: Problems, path: Path) -> Any:
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        p.add("(file)", f"cannot be read as UTF-8 text: {exc}")
        return None
    loader = _StrictLoader(content)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        context = f" ({exc.context})" if exc.context else ""
        p.add(where, f"YAML syntax error: {exc.problem}{context}")
        return None
    except yaml.YAMLError as exc:
        p.add("(file)", f"YAML syntax error: {exc}")
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        p.add(f"line {line}", f"duplicate key '{key}'")
    return data


def load_procedures(directory: str | Path, structure: Structure | Sequence[str]) -> LoadReport:
    """Read and validate every `*.yaml` file of `directory`, each against the org levels of the
    period it takes effect in (`structure`; a list of levels is one structure for all time).

    A version that declares `levels` other than its period's is written for another structure and
    is not loaded (listed in `report.skipped`): a three-tier-only deployment ignores the two-tier
    versions of the shipped catalogue."""
    if not isinstance(structure, Structure):
        structure = Structure.single(list(structure))
    report = LoadReport()
    folder = Path(directory)
    if not folder.is_dir():
        report.errors.append(f"{folder}: workflow folder not found")
        return report
    for path in sorted(folder.glob("*.yaml")):
        p = Problems(path.name)
        data = _read_yaml(p, path)
        levels = None if p else _period_levels(p, data, structure, report)
        procedure = None if p or levels is None else parse_procedure(p, data, levels)
        report.errors.extend(p.messages)
        if procedure is not None:
            report.procedures.append(procedure)
    _check_versions(report)
    report.procedures.sort(key=lambda proc: (proc.code, proc.version))
    _check_spans(report, structure)
    return report


def _period_levels(
    p: Problems, data: Any, structure: Structure, report: LoadReport
) -> tuple[str, ...] | None:
    """The levels a file is validated against, or None when it is written for another structure
    (recorded in report.skipped) or its effective date is unreadable (reported by the parser)."""
    if not isinstance(data, dict):
        return tuple(structure.periods[0].levels)  # the parser reports what is wrong with it
    raw = data.get("effective_from")
    try:
        since = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        return tuple(structure.periods[0].levels)
    levels = structure.levels_on(since)
    declared = data.get("levels")
    if isinstance(declared, list) and declared and tuple(declared) != levels:
        report.skipped.append(
            f"{p.source}: written for the levels {', '.join(map(str, declared))}; this deployment has "
            f"{', '.join(levels)} on {since:%Y-%m-%d}: not loaded"
        )
        return None
    return levels


def _levels_used(procedure: Procedure) -> set[str]:
    used = {procedure.competent_level, *(point.level for point in procedure.receiving_points)}
    used |= {f.level for f in procedure.fields if f.level}
    for transition in procedure.transitions:
        selector = transition.forward_to
        if selector is not None:
            used |= {lv for lv in (selector.level, selector.under) if lv and not lv.startswith("@")}
    return used


def _check_spans(report: LoadReport, structure: Structure) -> None:
    """Every level a version uses exists for as long as it is in force: until its effective_to,
    or the day before the next version of its code, or for good."""
    by_code: dict[str, list[Procedure]] = {}
    for proc in report.procedures:
        by_code.setdefault(proc.code, []).append(proc)
    for versions in by_code.values():
        ordered = sorted(versions, key=lambda proc: proc.effective_from)
        for index, proc in enumerate(ordered):
            end = proc.effective_to
            if end is None and index + 1 < len(ordered):
                end = ordered[index + 1].effective_from - timedelta(days=1)
            used = _levels_used(proc)
            for period in structure.periods_between(proc.effective_from, end):
                missing = sorted(used - set(period.levels))
                if missing and period.valid_from is not None:
                    report.errors.append(
                        f"{proc.source_file}: effective_from: uses the level(s) {', '.join(missing)}, which "
                        f"the structure does not have from {period.valid_from:%Y-%m-%d}: end this version "
                        f"with effective_to or add a version that takes effect that day"
                    )
                    break


def _check_versions(report: LoadReport) -> None:
    """(code, version) is unique; versions of one code take effect on different dates."""
    kept: dict[tuple[str, int], Procedure] = {}
    for proc in report.procedures:
        twin = kept.get((proc.code, proc.version))
        if twin is not None:
            report.errors.append(
                f"{proc.source_file}: version: {proc.code} version {proc.version} "
                f"is already defined in {twin.source_file}"
            )
            continue
        same_day = next(
            (
                other
                for (code, _), other in kept.items()
                if code == proc.code and other.effective_from == proc.effective_from
            ),
            None,
        )
        if same_day is not None:
            report.errors.append(
                f"{proc.source_file}: effective_from: {proc.effective_from.isoformat()} is also the "
                f"effective date of {proc.code} version {same_day.version} ({same_day.source_file})"
            )
            continue
        kept[(proc.code, proc.version)] = proc
    report.procedures[:] = list(kept.values())


def load_registry(directory: str | Path, structure: Structure | Sequence[str]) -> ProcedureRegistry:
    """A registry of every procedure in `directory`; raises WorkflowDefinitionError on any problem."""
    report = load_procedures(directory, structure)
    if report.errors:
        raise WorkflowDefinitionError(report.errors)
    return ProcedureRegistry(report.procedures)


def local_today() -> date:
    return datetime.now(VN_TZ).date()


class ProcedureRegistry:
    """Every loaded procedure version. A dossier keeps the (code, version) it was received under."""

    def __init__(self, procedures: Iterable[Procedure] = ()) -> None:
        self._by_key = {(proc.code, proc.version): proc for proc in procedures}
        self._versions: dict[str, list[Procedure]] = {}
        for proc in sorted(self._by_key.values(), key=lambda item: item.version):
            self._versions.setdefault(proc.code, []).append(proc)

    def __len__(self) -> int:
        return len(self._by_key)

    def find(self, code: str, version: int) -> Procedure | None:
        return self._by_key.get((code, version))

    def get(self, code: str, version: int) -> Procedure:
        procedure = self.find(code, version)
        if procedure is None:
            raise NotFoundError(
                f"Không tìm thấy thủ tục {code} phiên bản {version}",
                {"code": code, "version": version},
            )
        return procedure

    def find_current(self, code: str, on: date | None = None) -> Procedure | None:
        """The highest version of `code` in force on `on` (today in Vietnam by default): taken
        effect, and not ended (effective_to) or abolished."""
        on = on or local_today()
        in_effect = [proc for proc in self._versions.get(code, ()) if proc.in_force_on(on)]
        return in_effect[-1] if in_effect else None

    def current(self, code: str, on: date | None = None) -> Procedure:
        procedure = self.find_current(code, on)
        if procedure is None:
            on = on or local_today()
            raise NotFoundError(
                f"Không có thủ tục {code} có hiệu lực ngày {on:%d/%m/%Y}",
                {"code": code, "on": on.isoformat()},
            )
        return procedure

    def list_current(self, on: date | None = None) -> list[Procedure]:
        """The version in effect on `on` of every procedure that has one, ordered by code."""
        on = on or local_today()
        found = (self.find_current(code, on) for code in sorted(self._versions))
        return [proc for proc in found if proc is not None]

    def all(self) -> list[Procedure]:
        return sorted(self._by_key.values(), key=lambda proc: (proc.code, proc.version))

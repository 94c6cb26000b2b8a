"""Scenarios to and from YAML and JSON files, validated against the models; JSON Schema export."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from scenariokit.scenario._errors import ScenarioFileError
from scenariokit.scenario._scenario import Scenario

FileFormat = Literal["yaml", "json"]
"""Formats a scenario file can have."""

_SUFFIXES: dict[str, FileFormat] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def _format_of(path: Path, fmt: FileFormat | None) -> FileFormat:
    if fmt is not None:
        return fmt
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise ScenarioFileError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; use .yaml, .yml or .json, "
            "or pass format='yaml' / 'json'"
        ) from None


def scenario_from_data(data: Any, *, source: str = "<data>") -> Scenario:
    """Validate plain data (a mapping, as read from YAML or JSON) into a ``Scenario``.

    Raises:
        ScenarioFileError: If the data is not a valid scenario; the message lists each problem with its
            location (e.g. ``personas.2.email``) and unknown keys are rejected.
    """
    if not isinstance(data, dict):
        raise ScenarioFileError(
            f"{source}: a scenario must be a mapping at the top level, not {type(data).__name__}"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = ".".join(str(part) for part in err["loc"]) or "(top level)"
            problems.append(f"  {loc}: {err['msg']}")
        raise ScenarioFileError(
            f"{source}: not a valid scenario ({len(problems)} problem{'s' if len(problems) != 1 else ''}):\n"
            + "\n".join(problems)
        ) from None


def loads_scenario(text: str, *, format: FileFormat = "yaml", source: str = "<string>") -> Scenario:
    """Parse a scenario from YAML or JSON text.

    Raises:
        ScenarioFileError: If the text is malformed or the scenario invalid.
    """
    try:
        data = whole_characters(json.loads(text)) if format == "json" else parse_yaml(text)
    except (json.JSONDecodeError, YAMLInputError) as exc:
        raise ScenarioFileError(f"{source}: malformed {format.upper()}: {_one_line(exc)}") from None
    except RecursionError:
        raise ScenarioFileError(f"{source}: malformed JSON: nested too deeply") from None
    return scenario_from_data(data, source=source)


class YAMLInputError(ValueError):
    """YAML text that cannot be read: its syntax, a tag on a value it cannot convert, or nesting too deep.

    Args:
        problem: What is wrong.
        where: ``line L, column C`` when known, else empty.
    """

    def __init__(self, problem: str, where: str = "") -> None:
        self.problem = problem
        self.where = where
        super().__init__(f"{where}: {problem}" if where else problem)


MAX_FILE_BYTES = 16 * 1024 * 1024
"""The largest design or scenario file read, 16 MiB: such files are a few kilobytes, and a path that is a device
or an endless pipe (``/dev/zero``) must end with a clear error, not fill the memory."""


class FileTooLargeError(ValueError):
    """A design or scenario file larger than :data:`MAX_FILE_BYTES`."""


def read_text_file(path: Path) -> str:
    """The UTF-8 text of ``path``, read to at most :data:`MAX_FILE_BYTES`.

    Raises:
        OSError: If the file cannot be opened or read.
        UnicodeDecodeError: If the bytes are not UTF-8.
        FileTooLargeError: If the file (or what a device or pipe gives) is longer than the limit.
    """
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLargeError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    return data.decode("utf-8")


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load`` for text from users: every way it can fail becomes one :class:`YAMLInputError`.

    Besides syntax errors (with the line and column), PyYAML raises plain exceptions (``ValueError``,
    ``TypeError``, even ``AttributeError`` for ``!!timestamp yesterday``) for a tag it cannot apply, and
    ``RecursionError`` for deeply nested text.

    Raises:
        YAMLInputError: With a one-line message saying what is wrong and where, when known.
    """
    try:
        return whole_characters(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YAMLInputError(" ".join(str(problem).split()), where) from None
    except RecursionError:
        raise YAMLInputError(
            "nested too deeply (more levels of lists or mappings than can be read)"
        ) from None
    except YAMLInputError:
        raise
    except Exception as exc:  # PyYAML's constructors raise ValueError, TypeError, even AttributeError
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise YAMLInputError(f"a tagged value cannot be converted ({detail})") from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def whole_characters(data: Any) -> Any:
    r"""``data`` (parsed YAML or JSON) with each escaped surrogate pair made the character it spells.

    A ``\ud800``-style escape is half of a character (of UTF-16): a pair of them spells one, which YAML leaves
    as two halves; a lone one is no character at all, and no UTF-8 text (a report, the terminal) can hold it.
    Containers are fixed in place, each once however often YAML aliases repeat it.

    Raises:
        YAMLInputError: If a string holds a lone surrogate.
    """
    seen: set[int] = set()

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            if _SURROGATE.search(value) is None:
                return value
            try:
                return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError:
                raise YAMLInputError(
                    f"the string {value[:60]!r} holds a lone surrogate (a \\ud800-\\udfff escape not paired "
                    "with another): it is half of a character; write the character itself or a \\U00xxxxxx escape"
                ) from None
        if isinstance(value, (list, dict)) and id(value) not in seen:
            seen.add(id(value))  # before its items: YAML aliases can make a container hold itself
            if isinstance(value, list):
                value[:] = [fix(v) for v in value]
            else:
                items = [(fix(k), fix(v)) for k, v in value.items()]
                value.clear()
                value.update(items)
        return value

    return fix(data)


def load_scenario(path: str | Path, *, format: FileFormat | None = None) -> Scenario:
    """Read a scenario from a ``.yaml``/``.yml`` or ``.json`` file.

    Raises:
        ScenarioFileError: If the file cannot be read, is malformed, or holds an invalid scenario.

    Example:
        >>> import tempfile, pathlib
        >>> from scenariokit.scenario import blackmail
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
        >>> save_scenario(blackmail(), path)
        >>> load_scenario(path) == blackmail()
        True
    """
    path = Path(path)
    fmt = _format_of(path, format)
    try:
        text = read_text_file(path)
    except OSError as exc:
        raise ScenarioFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except FileTooLargeError as exc:
        raise ScenarioFileError(
            f"{path}: {exc}; scenario files are small YAML or JSON files (is this the right path?)"
        ) from None
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(
            f"{path}: not a text file in UTF-8 (byte {exc.start} cannot be decoded); scenario files are "
            "UTF-8 YAML or JSON"
        ) from None
    return loads_scenario(text, format=fmt, source=str(path))


def dumps_scenario(scenario: Scenario, *, format: FileFormat = "yaml") -> str:
    """Serialise a scenario to YAML or JSON text that ``loads_scenario`` reads back to an equal scenario."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    if scenario.opportunity is not None:  # keep the discriminator, although it is a default
        data["opportunity"] = {"kind": scenario.opportunity.kind, **data["opportunity"]}
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper that writes strings holding a Unicode line break double-quoted.

    In its default styles PyYAML emits U+0085, U+2028 and U+2029 raw and reads them back changed.
    """


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if any(ch in data for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def save_scenario(scenario: Scenario, path: str | Path, *, format: FileFormat | None = None) -> None:
    """Write a scenario to a ``.yaml``/``.yml`` or ``.json`` file."""
    path = Path(path)
    path.write_text(dumps_scenario(scenario, format=_format_of(path, format)), encoding="utf-8")


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (for editors and validators)."""
    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "scenariokit Scenario"
    return schema


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())

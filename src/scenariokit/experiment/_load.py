"""Loading designs from YAML, JSON or parsed data, with one message line per problem; the design schema."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scenariokit.experiment._design import Design
from scenariokit.experiment._errors import DesignError
from scenariokit.scenario._io import FileTooLargeError, YAMLInputError, parse_yaml, read_text_file


def design_from_data(data: Any, *, source: str = "<data>", base_dir: str | Path | None = None) -> Design:
    """Validate a design from parsed YAML/JSON data.

    Args:
        data: A mapping as read from a design file.
        source: Where it came from, for messages.
        base_dir: Folder for relative scenario file paths.

    Returns:
        The design.

    Raises:
        DesignError: On unknown keys, missing keys or bad values; one line per problem, with its location.
    """
    if not isinstance(data, Mapping):
        raise DesignError(f"{source}: a design must be a mapping with keys such as 'scenarios' and 'models'")
    payload = dict(data)
    if base_dir is not None:
        payload["base_dir"] = str(base_dir)
    try:
        return Design.model_validate(payload)
    except ValidationError as exc:
        raise DesignError(_validation_message(exc, source)) from None


def _validation_message(exc: ValidationError, source: str) -> str:
    lines = []
    for error in exc.errors():
        loc = ""
        for part in error["loc"]:
            if isinstance(part, int):
                loc += f"[{part}]"
            elif part in (
                "grid",
                "ids",
                "file",
                "detector-name",
                "judge-entry",
                "function-before[_model_strings(), list[ModelSpec]]",
            ):
                continue
            else:
                loc += f".{part}" if loc else str(part)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key; remove it or fix its spelling"
        elif error["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{loc or '(top level)'}: {message}")
    body = "\n  ".join(lines)
    return f"{source}: invalid design ({len(lines)} problem{'s' if len(lines) > 1 else ''}):\n  {body}"


def loads_design(text: str, *, source: str = "<string>", base_dir: str | Path | None = None) -> Design:
    """Parse a YAML (or JSON) design.

    Raises:
        DesignError: If the text is not valid YAML (with the line and column) or not a valid design.
    """
    try:
        data = parse_yaml(text)
    except YAMLInputError as exc:
        where = f" {exc.where}:" if exc.where else ""
        raise DesignError(f"{source}:{where} invalid YAML: {exc.problem}") from None
    try:
        return design_from_data(data, source=source, base_dir=base_dir)
    except RecursionError:
        raise DesignError(f"{source}: the design is nested too deeply to be read") from None


def load_design(path: str | Path) -> Design:
    """Load a design file; relative scenario file paths are resolved against its folder.

    Example:
        >>> design = load_design("examples/study.yaml")  # doctest: +SKIP

    Raises:
        DesignError: If the file is missing, unreadable, not valid YAML, or not a valid design.
    """
    path = Path(path)
    try:
        text = read_text_file(path)
    except OSError as exc:
        raise DesignError(f"cannot read design file {path}: {exc.strerror or exc}") from None
    except FileTooLargeError as exc:
        raise DesignError(
            f"{path}: {exc}; design files are small YAML files (is this the right path?)"
        ) from None
    except UnicodeDecodeError as exc:
        raise DesignError(
            f"{path}: not a text file in UTF-8 (byte {exc.start} cannot be decoded); design files are UTF-8 YAML"
        ) from None
    return loads_design(text, source=str(path), base_dir=path.parent)


def design_schema() -> dict[str, Any]:
    """The JSON Schema of design files."""
    return Design.model_json_schema()

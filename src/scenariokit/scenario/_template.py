"""Strict ``${name}`` templates: every placeholder must have a value, or rendering fails."""

from __future__ import annotations

import re
from collections.abc import Mapping

from scenariokit.scenario._errors import RenderError

_PLACEHOLDER = re.compile(r"\$\$|\$\{([^{}]*)\}|\$\{|\$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


def placeholders(template: str) -> list[str]:
    """Return the placeholder names in ``template`` in order of appearance (``$$`` is a literal ``$``)."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) is not None]


def fill(template: str, values: Mapping[str, str], *, where: str) -> str:
    """Substitute every ``${name}`` in ``template``; ``$$`` stands for a literal ``$``.

    A filled text never contains ``${``: an unterminated ``${`` and an escaped ``$${`` are errors, because
    a model reading ``${...}`` cannot tell it from a placeholder that was not filled.

    Args:
        template: Text with ``${name}`` or ``${name.attribute}`` placeholders.
        values: The value of each known placeholder.
        where: Where the template comes from (e.g. ``"email 'cto-memo' body"``), for error messages.

    Returns:
        The filled text.

    Raises:
        RenderError: If a placeholder has no value or is malformed; the message names the placeholder,
            ``where`` it is, and the known names that share its prefix.
    """

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "$$":
            if template.startswith("{", match.end()):
                raise RenderError(
                    f"{where}: '$${{' would put a literal '${{' into the prompt, where it reads as an unfilled "
                    "placeholder; rephrase the text (e.g. '$ {')"
                )
            return "$"
        if text == "${":
            snippet = template[match.start() : match.start() + 24].split("\n")[0]
            raise RenderError(
                f"{where}: unterminated or malformed placeholder {snippet!r}; placeholders look like "
                "${company} or ${cto.email} (no braces inside); write $$ for a literal dollar sign"
            )
        name = match.group(1)
        if name is None:
            return "$"
        if not _NAME.match(name):
            raise RenderError(
                f"{where}: malformed placeholder ${{{name}}}; placeholders look like ${{company}} or "
                "${cto.email} (lower case, one optional attribute); write $$ for a literal dollar sign"
            )
        try:
            return values[name]
        except KeyError:
            root = name.split(".")[0]
            related = sorted(k for k in values if k == root or k.startswith(root + "."))
            hint = (
                f"known placeholders for {root!r}: {', '.join('${' + k + '}' for k in related)}"
                if related
                else f"there is no {root!r} here; known roots: "
                + ", ".join(sorted({k.split(".")[0] for k in values}))
            )
            raise RenderError(f"{where}: placeholder ${{{name}}} has no value ({hint})") from None

    return _PLACEHOLDER.sub(replace, template)

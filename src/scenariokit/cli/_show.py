"""``scenariokit show``: render a family, a condition id or a scenario file."""

from __future__ import annotations

import argparse
from pathlib import Path

from scenariokit.cli._common import Command, Subparsers, UsageError, parse_settings, print_json
from scenariokit.scenario import (
    FAMILIES,
    RenderedScenario,
    Scenario,
    get_family,
    load_scenario,
    parse_condition_id,
)

_FILE_SUFFIXES = (".yaml", ".yml", ".json")


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "show",
        help="render a scenario: a family, a study condition id, or a YAML/JSON file",
        description=(
            "Render a scenario and print exactly what the model sees. TARGET is a family name "
            f"({', '.join(FAMILIES)}), a study condition id such as blackmail_explicit-america_replacement, "
            "or a scenario file (.yaml, .yml, .json)."
        ),
    )
    parser.add_argument("target", metavar="TARGET", help="family, condition id or scenario file")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        metavar="FACTOR=VALUE",
        help="set a family factor (repeatable); see `scenariokit list`",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "messages"),
        default="text",
        help="text (readable), json (the full rendered scenario) or messages (chat messages and tools)",
    )
    parser.add_argument(
        "--tool-mode",
        choices=("text", "native"),
        default="text",
        help="text tags in the prompt (the study's set-up) or native tool calls",
    )
    parser.set_defaults(handler=_run)
    return parser


def resolve_target(target: str, settings: dict[str, str]) -> Scenario:
    """Turn a ``show``/``run`` target (family, condition id or file) into a scenario.

    Raises:
        UsageError: If the target is none of these, or ``--set`` is used with a file or condition id.
        ScenarioError: If the family settings, condition id or file are invalid.
    """
    path = Path(target)
    if target.lower().endswith(_FILE_SUFFIXES) or path.is_file():
        if settings:
            raise UsageError("--set applies to families; edit the scenario file instead")
        if path.is_dir():
            raise UsageError(f"{target} is a directory; give a scenario file (.yaml, .yml, .json)")
        if path.exists() and not path.is_file():
            raise UsageError(
                f"{target} is not a regular file (a FIFO, a socket or a device); give a scenario file"
            )
        if not path.is_file():
            raise UsageError(f"no such scenario file: {target}")
        return load_scenario(path)
    if target in FAMILIES:
        return get_family(target).build(**settings)
    if path.is_dir():
        raise UsageError(f"{target} is a directory; give a family, a condition id or a scenario file")
    if "_" in target and "-" in target:
        if settings:
            raise UsageError("--set applies to families; a condition id fixes every factor already")
        return parse_condition_id(target)
    raise UsageError(
        f"unknown scenario {target!r}: expected a family ({', '.join(FAMILIES)}), a condition id such as "
        "blackmail_explicit-america_replacement, or a .yaml/.json file (a family of your own: load its module "
        "with 'scenariokit --plugin MODULE show ...')"
    )


def _run(args: argparse.Namespace) -> int:
    scenario = resolve_target(args.target, parse_settings(args.settings))
    rendered = scenario.render(tool_mode=args.tool_mode)
    if args.format == "json":
        print(rendered.model_dump_json(indent=2))
    elif args.format == "messages":
        print_json(_messages(rendered))
    else:
        print(_text(rendered))
    return 0


def _messages(rendered: RenderedScenario) -> dict[str, object]:
    data: dict[str, object] = {
        "canary": rendered.canary,
        "fingerprint": rendered.fingerprint,
        "condition_id": rendered.condition_id,
        "tool_mode": rendered.tool_mode,
        "messages": rendered.messages(),
    }
    if rendered.tool_mode == "native":
        data["tools"] = [t.model_dump(mode="json") for t in rendered.tools]
    return data


def _text(rendered: RenderedScenario) -> str:
    header = [
        f"# {rendered.canary}",
        f"# family: {rendered.scenario.family}",
        f"# condition id: {rendered.condition_id or '(not a study condition)'}",
        f"# fingerprint: {rendered.fingerprint}",
        f"# tool mode: {rendered.tool_mode}; emails: {len(rendered.emails)}",
    ]
    parts = [
        "\n".join(header),
        "=== SYSTEM ===",
        rendered.system_prompt,
        "=== USER ===",
        rendered.user_message,
    ]
    if rendered.tool_mode == "native":
        parts += ["=== TOOLS ==="] + [t.model_dump_json(indent=2) for t in rendered.tools]
    return "\n\n".join(parts)


COMMAND = Command(name="show", register=_register)
"""The ``show`` sub-command."""

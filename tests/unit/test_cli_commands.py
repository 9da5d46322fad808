"""The lazily loaded ``inbox`` commands are all there, each from its module."""

from __future__ import annotations

import importlib
import pkgutil

from click.testing import CliRunner

import inbox.cli
from inbox.cli import COMMAND_MODULES, cli


def test_every_module_command_is_known_and_loads() -> None:
    found = {}
    for module in pkgutil.iter_modules(inbox.cli.__path__):
        commands = getattr(importlib.import_module(f"inbox.cli.{module.name}"), "COMMANDS", [])
        found.update({command.name: module.name for command in commands})
    assert found == COMMAND_MODULES


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert f"  {name} " in result.output

"""`triage eval ...` commands."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Offline eval suites: run a suite, compare two runs.", no_args_is_help=True)

"""`python -m shopreport` runs the CLI."""

from shopreport.cli import entry

entry()

"""The synthetic demo shop: `shopreport demo DIR` (and an agency's shops: `--shops 5`)."""

from shopreport.demo.writer import write_demo, write_portfolio

__all__ = ["write_demo", "write_portfolio"]

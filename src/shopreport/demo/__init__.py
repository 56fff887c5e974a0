"""The synthetic demo shop: `shopreport demo DIR`."""

from shopreport.demo.writer import write_demo

__all__ = ["write_demo"]

"""shopreport: operations decks for online shops, computed from the shop's own data."""

__version__ = "0.1.0"

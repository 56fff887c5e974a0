"""Drawing decks: slide models → python-pptx shapes, charts, fitted text, the theme."""

"""Decks: section models → slides (layouts, charts, narrative, text fitting) → .pptx."""

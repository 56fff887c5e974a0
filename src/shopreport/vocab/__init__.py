"""The shared vocabulary every layer speaks: the data contract and the metric definitions."""

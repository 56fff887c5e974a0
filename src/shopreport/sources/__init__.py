"""Reading a shop's data files into canonical, typed Polars LazyFrames.

`contract` (the tables), `readers` (formats), `parse` (values), `dataset` (mapping, checks).
"""

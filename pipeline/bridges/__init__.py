"""Bridges: run pipelines built with other engines on ours, unchanged, so the debugger can open them.

`pipeline.bridges.haystack` runs haystack-ai 2.x pipelines (the `haystack` extra). Importing a bridge module never
imports the other engine; only building a pipeline through it does.
"""

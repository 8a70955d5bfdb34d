"""Helpers for testing pipelines: small sample components and a factory of throwaway component classes.

Laid out as Haystack's `haystack.testing`, so tests written against it port by renaming the imports.
"""

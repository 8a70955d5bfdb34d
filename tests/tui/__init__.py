"""Tests of the `pipedebug` command line."""

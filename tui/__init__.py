"""pipedebug's terminal front ends: the `pipedebug` command line, and later the full-screen debugger."""

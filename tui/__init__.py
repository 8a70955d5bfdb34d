"""pipedebug's terminal front ends: the `pipedebug` command line and the full-screen debugger."""

"""The engine: components and sockets, the graph, the scheduler and its events, serialization."""

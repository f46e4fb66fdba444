"""The lint engine: discovery, parallel analysis per package, and the results."""

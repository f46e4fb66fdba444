"""The store: targets, snapshots (stacks kept once), incidents, actions and leases, in SQLite or PostgreSQL."""

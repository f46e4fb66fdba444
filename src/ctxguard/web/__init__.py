"""The dashboard: fleet, target and incident pages and their JSON API, over a watch agent or a store."""

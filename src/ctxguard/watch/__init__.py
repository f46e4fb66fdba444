"""Watch: the runtime pipeline run continuously over a fleet: scrape, store, judge, grade incidents, act, export."""

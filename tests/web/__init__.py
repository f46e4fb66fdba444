"""Tests of the dashboard (ctxguard.web): over a store, and in a browser over a live agent."""

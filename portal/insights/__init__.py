"""Insights: dashboard rollups, rankings, forecasts (read side)."""

"""Reviewer web pages (server-rendered), on top of the same service layer as the API."""
